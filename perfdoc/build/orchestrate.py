"""A whole build: which sources to process, writing what they produce, the manifest, the cache and PDFs.

Each document of a source's format is written to
``<out>/<format>/<department>/<year>/<document>.docx``, where the department
is the source's folder name. A source with errors is not rendered and its
previous documents are left as they were.

``<out>/manifest.json`` records, for every document, a digest of everything
it was made from (source, template, format.yaml, last year's source, the
renderer) and of the file written. A rebuild skips a document whose inputs
are unchanged and whose file still has the recorded digest.

How a build goes, fast:

* **Unchanged sources are not even validated.** ``<out>/.perfdoc-cache.json``
  remembers, for each source built without errors, the digest of its bytes,
  its format, last year's file and its documents. When the source's bytes
  still have that digest, each document's inputs digest (computed from the
  files' digests, without parsing anything) is the one in the manifest and
  the document's file is unchanged (same size, times and inode as when it
  was written, or else the same digest), the source is skipped as it was
  last time, warnings notice included. The cache only saves work: without it
  (or after ``--force``) every source is validated as before.
* **Every other source is validated once**: its template context is built
  once for all its documents (unless a template could change it, see
  :func:`perfdoc.render.engine.shares_context`), and its documents are
  rendered by the fast renderer (:func:`perfdoc.render.engine.render_document`).
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

from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache, unchanged
from .digests import FileDigests, sha256
from .manifest import MANIFEST, load_manifest, manifest_text
from .paths import source_key
from .rendering import unknown_names_warning
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
    skipped: list[Task] = field(default_factory=list)
    failed: int = 0
    pdfs: int = 0
    messages: list[str] = field(default_factory=list)  # for stderr, in source order


def build(files: list[Path], out: Path, *, jobs: int, force: bool, pdf: bool, progress=None) -> Outcome:
    outcome = Outcome()
    manifest = load_manifest(out)
    cache = BuildCache(out)
    digests = FileDigests()
    plans = [(path, None if force else unchanged(path, out, manifest, cache, digests)) for path in files]
    todo = [path for path, same in plans if same is None]
    advance = progress.start(len(todo)) if progress else (lambda: None)
    claimed: dict[Path, str] = {}
    unknown: dict[str, tuple] = {}  # template → (label, names), from its first generated document
    results = processed(todo, out, force, manifest, jobs, cache.trusted)
    try:
        for path, same in plans:
            if same is not None:
                documents, warnings = same
                _warnings_notice(path, warnings, outcome)
                for key, target in documents:
                    if _claim(path, target, claimed, outcome):
                        outcome.skipped.append(Task(str(path), key, target))
                continue
            result = next(results)
            _record(path, result, out, manifest, cache, claimed, unknown, outcome)
            advance()
    finally:
        results.close()
        if progress:
            progress.stop()
    for template, (label, names) in unknown.items():
        if names:
            outcome.messages.append(unknown_names_warning(template, label, names))
    if pdf:
        make_pdfs(outcome.generated + outcome.skipped, manifest, outcome)
    text = manifest_text(manifest)
    try:
        unchanged_manifest = (out / MANIFEST).read_text(encoding="utf-8") == text
    except OSError:
        unchanged_manifest = False
    if not unchanged_manifest:
        atomic_write_text(out / MANIFEST, text)
    cache.save()
    return outcome


def _warnings_notice(path: Path, warnings: int, outcome: Outcome) -> None:
    if warnings:
        outcome.messages.append(f"{path}：有 {warnings} 个警告（perfdoc validate {path} 查看）")


def _claim(path: Path, target: Path, claimed: dict, outcome: Outcome) -> bool:
    """Whether ``target`` is this source's to write: the first source to make a file has it."""
    if target in claimed:
        outcome.failed += 1
        outcome.messages.append(f"{path}：与 {claimed[target]} 生成同一文件 {target}，未生成")
        return False
    claimed[target] = str(path)
    return True


def _record(path, result: SourceResult, out: Path, manifest, cache, claimed, unknown, outcome: Outcome) -> None:
    """Write what a processed source produced and note it in the outcome, the manifest and the cache."""
    cache.trusted.update(result.trusted)
    if result.refused:
        outcome.failed += result.failed
        outcome.messages.append(result.refused)
        cache.sources.pop(source_key(path), None)
        return
    _warnings_notice(path, result.warnings, outcome)
    for done in result.documents:
        target = out / done.key
        if not _claim(path, target, claimed, outcome):
            continue
        if done.error is not None:
            outcome.failed += 1
            outcome.messages.append(f"{result.path}：{done.error}")
            continue
        task = Task(result.path, done.key, target)
        if done.data is None:
            outcome.skipped.append(task)
            entry = manifest.get(done.key)
            if isinstance(entry, dict) and isinstance(entry.get("output"), str):
                cache.record_output(done.key, target, entry["output"])
            continue
        atomic_write_bytes(target, done.data)
        digest = sha256(done.data)
        manifest[done.key] = {
            "source": Path(result.path).as_posix(),
            "template": done.label,
            "inputs": done.inputs,
            "output": digest,
        }
        cache.record_output(done.key, target, digest)
        outcome.generated.append(task)
        unknown.setdefault(done.template, (done.label, done.unknown or []))
    cache.sources[source_key(path)] = result.entry


def make_pdfs(tasks: list[Task], manifest: dict, outcome: Outcome) -> None:
    """PDFs for the documents whose PDF is missing or older than the .docx."""
    from .pdf import convert_to_pdf

    stale = [t for t in tasks if not _pdf_is_current(manifest[t.key], t.path.with_suffix(".pdf"))]
    conversion = convert_to_pdf([t.path for t in stale])
    converted = set(conversion.converted)
    outcome.pdfs = len(converted)
    for task in stale:
        if task.path.with_suffix(".pdf") in converted:
            manifest[task.key]["pdf_of"] = manifest[task.key]["output"]
    if conversion.failed:
        outcome.failed += len(conversion.failed)
        names = "、".join(str(p) for p in conversion.failed)
        outcome.messages.append(f"LibreOffice 未能转换为 PDF：{names}\n{conversion.log}")


def _pdf_is_current(entry: dict, pdf: Path) -> bool:
    return pdf.is_file() and entry.get("pdf_of") == entry["output"]
