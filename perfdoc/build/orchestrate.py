"""A whole build: which sources to process, writing what they produce, the manifest, the cache and PDFs.

Each document of a source's format is written to
``<out>/<format>/<department>/<year>/<file name>.docx``, where the department
is the source's folder name and the file name follows the format's pattern
(:mod:`perfdoc.build.paths`). A source with errors is not rendered and its
previous documents are left as they were.

**Hand edits are kept.** A document about to be replaced whose bytes are
neither those perfdoc recorded for it nor the new ones was edited by hand
(or written by someone else): it stays, the new document is written beside
it (:func:`perfdoc.build.paths.beside`) and the build says so. ``--force``
overwrites.

``<out>/manifest.json`` records, for every document, a digest of everything
it was made from (source, template, format.yaml, last year's source, the
renderer) and of the file written. A rebuild skips a document whose inputs
are unchanged and whose file still has the recorded digest.

How a build goes, fast:

* **Unchanged sources are not even validated.** The cache
  (:mod:`perfdoc.build.cache`) remembers, for each source built without
  errors, the digest of its bytes, its format, last year's file and its
  documents. When the source's bytes still have that digest, each
  document's inputs digest (computed from the files' digests, without
  parsing anything) is the recorded one and the document's file is unchanged
  (same size, times and inode as when it was written), the source is skipped
  as it was last time, warnings notice included; the manifest is then
  neither read nor rewritten. The cache only saves work: without it (or
  after ``--force``) every source is validated as before.
* **A source analysed by an earlier build is not analysed again** when its
  bytes, last year's and its format's files are unchanged: what rendering
  needs of it (its outcome, template context and digests) is read back from
  the user's cache (:mod:`perfdoc.build.prepared`), ``--force`` included.
* **Every other source is validated once**, a department's years together
  and oldest first so that last year's analysis is reused: its template context is built
  once for all its documents (unless a template could change it, see
  :func:`perfdoc.render.templates.shares_context`), and its documents are
  rendered by :func:`perfdoc.render.templates.render_document`.
* **Sources are spread over** ``--jobs`` **worker processes** (default: the
  cores this process may use) when there are at least
  :data:`perfdoc.build.parallel.ITEMS_PER_WORKER` for each worker; fewer are done in this process,
  where starting workers would cost more than it saves. Results come back in
  source order and are written here, so messages, the manifest and the bytes
  are those of a build in one process.

Messages are grouped per source, in source order: a source's errors (or its
warnings notice) together with the failures of its documents.

A build holds its output folder's lock (:mod:`perfdoc.build.lock`) throughout;
``perfdoc render`` takes the same lock to write its document into ``build/``
or into another folder a build has used.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from .cache import BuildCache, Unchanged, file_stat
from .digests import file_digest, sha256
from .manifest import MANIFEST, MAX_MANIFEST_BYTES, load_manifest, manifest_text
from .paths import beside, check_inside, check_output_folder
from .rendering import unknown_names_warning
from .lock import PENDING_NAME
from .workers import SourceResult, processed
from .writes import atomic_write_bytes, atomic_write_text


@dataclass
class Task:
    """One document of the build."""

    source: str
    key: str  # the path inside the output folder, as recorded in the manifest
    path: Path


@dataclass
class Outcome:
    generated: list[Task] = field(default_factory=list)
    skipped: int = 0
    current: list[Task] = field(default_factory=list)  # the skipped documents, kept only for PDFs
    failed: int = 0
    pdf: bool = False  # PDFs asked for
    pdfs: int = 0
    messages: list[str] = field(default_factory=list)  # for stderr, in source order


class _Manifest:
    """The manifest, read only once something has to be written or looked up in it.

    Before a document is written, its key and digest are appended to
    ``<out>/.perfdoc-pending`` (removed once the manifest is saved): a build
    killed between the two still knows, next time, which files it wrote.
    """

    def __init__(self, out: Path):
        self.out = out
        self._outputs: dict | None = None
        self._pending: dict[str, set] | None = None
        self._journal = None
        self.changed = False

    @property
    def outputs(self) -> dict:
        if self._outputs is None:
            self._outputs = load_manifest(self.out)
        return self._outputs

    def written_by_perfdoc(self, key: str) -> set:
        """The digests perfdoc recorded, or was about to record, for ``key``."""
        if self._pending is None:
            self._pending = _read_pending(self.out / PENDING_NAME)
        recorded = self.outputs.get(key, {}).get("output")
        return self._pending.get(key, set()) | ({recorded} if recorded else set())

    def intend(self, key: str | None, digest: str | None = None) -> None:
        """Note, before writing it, that ``key`` is about to hold ``digest`` (None: only that writing begins)."""
        from .lock import describe_os_error

        journal = self.out / PENDING_NAME
        try:
            if self._journal is None:
                fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
                self._journal = os.fdopen(fd, "ab")
            if key is None:
                return
            self._journal.write((json.dumps([key, digest], ensure_ascii=False) + "\n").encode("utf-8"))
            self._journal.flush()
        except OSError as exc:
            raise UserError(f"无法写入 {journal}：{describe_os_error(exc)}") from None

    def of_sources(self, paths: set[str]) -> dict[str, dict]:
        """The recorded entries of the given sources (as posix paths): source → {key: entry}."""
        found: dict[str, dict] = {}
        for key, entry in self.outputs.items():
            source = entry.get("source")
            if source in paths:
                found.setdefault(source, {})[key] = entry
        return found

    def record(self, key: str, entry: dict) -> None:
        if self.outputs.get(key) != entry:
            self.outputs[key] = entry
            self.changed = True

    def save(self) -> bool:
        if self.changed:
            atomic_write_text(self.out / MANIFEST, manifest_text(self.outputs))
        if self._journal is not None:
            self._journal.close()
        if self.changed or self._journal is not None:
            try:
                os.unlink(self.out / PENDING_NAME)
            except FileNotFoundError:
                pass
        return self.changed


def _read_pending(path: Path) -> dict[str, set]:
    """The journal of a build that was killed: key → digests it may have written."""
    pending: dict[str, set] = {}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return pending
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return pending
        for line in handle.read(MAX_MANIFEST_BYTES).decode("utf-8", "replace").splitlines():
            try:
                key, digest = json.loads(line)
            except (ValueError, TypeError):
                continue  # the line being written when the build was killed
            if isinstance(key, str) and isinstance(digest, str):
                pending.setdefault(key, set()).add(digest)
    return pending


def build(files: list[Path], out: Path, *, jobs: int, force: bool, pdf: bool, progress=None) -> Outcome:
    check_output_folder(out)
    outcome = Outcome(pdf=pdf)
    manifest = _Manifest(out)
    cache = BuildCache(out)
    decide = Unchanged(out, cache)
    plans = [(path, None if force else decide(path)) for path in files]
    todo = [path for path, same in plans if same is None]
    advance = progress.start(len(todo)) if progress else (lambda: None)
    claimed: dict[str, Path] = {}
    unknown: dict[str, tuple] = {}  # template → (label, names), from its first generated document
    recorded = manifest.of_sources({path.as_posix() for path in todo}) if todo else {}
    folders: dict[Path, list] = {}
    for path in todo:
        folders.setdefault(path.parent, []).append((str(path), recorded.get(path.as_posix(), {})))
    results = processed(list(folders.values()), out, force, jobs)
    done: dict[str, SourceResult] = {}
    stored = False  # analyses added to the cache kept between runs
    try:
        for path, same in plans:
            if same is not None:
                keys, warnings = same
                _warnings_notice(path, warnings, outcome)
                for key in keys:
                    if _claim(path, out, key, claimed, outcome):
                        outcome.skipped += 1
                        if outcome.pdf:
                            outcome.current.append(Task(str(path), key, out / key))
                continue
            while str(path) not in done:  # a department's results come together
                done.update((result.path, result) for result in next(results))
            result = done.pop(str(path))
            stored = stored or result.stored
            _record(path, result, out, manifest, cache, claimed, unknown, force, outcome)
            advance()
    finally:
        results.close()
        if progress:
            progress.stop()
    outcome.messages.extend(_template_messages(unknown))
    if pdf:
        manifest.intend(None)  # PDFs are written too
        make_pdfs(outcome.generated + outcome.current, manifest, outcome, progress)
    cache.save(manifest_written=manifest.save())
    if stored:
        from .prepared import prune

        prune()
    return outcome


def _template_messages(unknown: dict) -> list[str]:
    """What the build says about each template it rendered, once per template, after the sources' messages.

    ``unknown``: template → (label, names its first generated document's context lacked).
    """
    return [unknown_names_warning(template, label, names) for template, (label, names) in unknown.items() if names]


def _warnings_notice(path: Path, warnings: int, outcome: Outcome) -> None:
    if warnings:
        outcome.messages.append(f"{path}：有 {warnings} 个警告（perfdoc validate {path} 查看）")


def _claim(path: Path, out: Path, key: str, claimed: dict, outcome: Outcome) -> bool:
    """Whether ``key`` is this source's to write: the first source to make a file has it."""
    if key in claimed:
        outcome.failed += 1
        outcome.messages.append(f"{path}：与 {claimed[key]} 生成同一文件 {out / key}，未生成")
        return False
    claimed[key] = path  # the path itself: nothing more to keep per document
    return True


def _record(path, result: SourceResult, out: Path, manifest: _Manifest, cache, claimed, unknown, force: bool,
            outcome: Outcome) -> None:
    """Write what a processed source produced and note it in the outcome, the manifest and the cache."""
    if result.refused:
        outcome.failed += result.failed
        outcome.messages.append(result.refused)
        cache.remember(path, None)
        return
    _warnings_notice(path, result.warnings, outcome)
    documents = []  # for the cache: (key, template, template digest, file stat)
    for done in result.documents:
        target = out / done.key
        if not _claim(path, out, done.key, claimed, outcome):
            documents = None
            continue
        if done.error is not None:
            outcome.failed += 1
            outcome.messages.append(f"{result.path}：{done.error}")
            documents = None
            continue
        if done.data is None:
            outcome.skipped += 1
            if outcome.pdf:
                outcome.current.append(Task(result.path, done.key, target))
        else:
            digest = sha256(done.data)
            written = _write(out, done.key, target, done.data, digest, manifest, force, outcome, result.path)
            if written is None:
                documents = None
                continue
            manifest.record(written, {
                "source": Path(result.path).as_posix(),
                "template": done.label,
                "inputs": done.inputs,
                "output": digest,
            })
            outcome.generated.append(Task(result.path, written, out / written))
            unknown.setdefault(done.template, (done.label, done.unknown or []))
            if written != done.key:
                documents = None  # the kept file differs from the recorded one: look at this source again next time
        if documents is not None:
            documents.append([done.key, done.template, done.parts["template"], file_stat(target)])
    if result.entry is None or documents is None:
        cache.remember(path, None)
        return
    stat_, digest_, format_, folder, previous = result.entry
    parts = result.documents[0].parts if result.documents else {"format": "", "previous": ""}
    cache.remember(path, (stat_, digest_, format_, folder, parts["format"], previous, parts["previous"], result.warnings,
                          json.dumps(documents, ensure_ascii=False)))


def _write(out: Path, key: str, target: Path, data: bytes, digest: str, manifest: _Manifest, force: bool,
           outcome: Outcome, source: str) -> str | None:
    """Write a document where it belongs, or beside a file edited by hand; the manifest key written, or None."""
    check_inside(out, target)
    if force or _ours(target, manifest.written_by_perfdoc(key), digest):
        manifest.intend(key, digest)
        atomic_write_bytes(target, data)
        return key
    other = beside(target)
    other_key = other.relative_to(out).as_posix()
    if not _ours(other, manifest.written_by_perfdoc(other_key), digest):
        outcome.failed += 1
        outcome.messages.append(f"{source}：{target} 与 {other} 都不是 perfdoc 写入的文件（可能被手工修改），均未覆盖；加 --force 可覆盖")
        return None
    manifest.intend(other_key, digest)
    atomic_write_bytes(other, data)
    outcome.messages.append(
        f"{source}：{target} 与 perfdoc 上次写入的不同（可能被手工修改），已保留；新文档写入 {other}（加 --force 则覆盖原文件）"
    )
    return other_key


def _ours(target: Path, written: set, digest: str) -> bool:
    """Whether perfdoc may replace ``target``: missing, or holding what perfdoc wrote, or the new bytes already."""
    if not os.path.lexists(target):
        return True
    on_disk = file_digest(target)
    return on_disk is not None and (on_disk == digest or on_disk in written)


def make_pdfs(tasks: list[Task], manifest: _Manifest, outcome: Outcome, progress=None) -> None:
    """PDFs for the documents whose PDF is missing or older than the .docx."""
    from .pdf import convert_to_pdf, substitution_notice

    stale = [t for t in tasks if not _pdf_is_current(manifest.outputs[t.key], t.path.with_suffix(".pdf"))]
    advance = progress.start(len(stale), "转换为 PDF") if progress and stale else None
    try:
        conversion = convert_to_pdf([t.path for t in stale], on_converted=advance and (lambda *_: advance()))
    finally:
        if advance:
            progress.stop()
    if conversion.substitutions:
        outcome.messages.append(substitution_notice(conversion.substitutions))
    converted = set(conversion.converted)
    outcome.pdfs = len(converted)
    for task in stale:
        if task.path.with_suffix(".pdf") in converted:
            manifest.record(task.key, {**manifest.outputs[task.key], "pdf_of": manifest.outputs[task.key]["output"]})
    if conversion.failed:
        outcome.failed += len(conversion.failed)
        names = "、".join(str(p) for p in conversion.failed)
        outcome.messages.append(f"LibreOffice 未能转换为 PDF：{names}\n{conversion.log}")


def _pdf_is_current(entry: dict, pdf: Path) -> bool:
    return pdf.is_file() and entry.get("pdf_of") == entry["output"]


def write_one(checked, document, data: bytes, target: Path, *, force: bool, on_wait=None) -> None:
    """Write one rendered document (``perfdoc render``) at ``target``.

    Never over a source or a template. Inside a build folder, under its lock,
    the document is recorded in the manifest like a built one, and a file
    perfdoc did not write there is kept unless ``force``; elsewhere an
    existing file with other bytes is kept unless ``force``.
    """
    from ..load.formats import templates_root
    from .digests import input_digest
    from .lock import build_lock, lock_timeout
    from .paths import build_folder_of

    resolved = Path(target).resolve()
    templates = {templates_root().resolve(), Path(document.template).resolve().parent}
    if resolved.suffix.lower() in (".yaml", ".yml") or resolved == Path(checked.path).resolve():
        raise UserError(f"{target} 是数据文件，perfdoc render 不会覆盖它；请用 -o 指定另一个 .docx 文件")
    if any(folder == resolved or folder in resolved.parents for folder in templates):
        raise UserError(f"{target} 在模板文件夹中，perfdoc render 不会覆盖模板；请用 -o 指定另一个文件")
    digest = sha256(data)
    folder = build_folder_of(target)
    if folder is None:
        if not force and not _ours(Path(target), set(), digest):
            raise UserError(f"{target} 已存在，且不是 perfdoc 刚生成的内容，未覆盖；加 --force 可覆盖")
        atomic_write_bytes(target, data)
        return
    # perfdoc build may be writing there, and removes the temp files of writes it does not know of
    with build_lock(folder, lock_timeout(), on_wait=on_wait):
        check_output_folder(folder)
        inside = folder / resolved.relative_to(folder.resolve())
        key = inside.relative_to(folder).as_posix()
        check_inside(folder, inside)
        manifest = _Manifest(folder)
        if not force and not _ours(inside, manifest.written_by_perfdoc(key), digest):
            raise UserError(f"{target} 不是 perfdoc 写入的文件（或已被手工修改），未覆盖；加 --force 可覆盖")
        manifest.intend(key, digest)
        atomic_write_bytes(inside, data)
        from ..render.templates import display_path

        manifest.record(key, {
            "source": Path(checked.path).as_posix(),
            "template": display_path(document.template),
            "inputs": input_digest(checked, document),
            "output": digest,
        })
        manifest.save()
