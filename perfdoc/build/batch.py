"""``perfdoc build`` and ``perfdoc render``: validated sources in, Word documents out.

Each document of a source's format is written to
``<out>/<format>/<department>/<year>/<document>.docx``, where the department
is the source's folder name. A source with errors is not rendered and its
previous documents are left as they were.

``<out>/manifest.json`` records, for every document, a digest of everything
it was made from (source, template, format.yaml, last year's source, the
renderer) and of the file written. A rebuild skips a document whose inputs
are unchanged and whose file still has the recorded digest.

Rendering is a pure function of the source and the template
(:func:`render_output`), so documents can be rendered in parallel.

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

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import click

from .. import __version__
from . import parallel
from ..errors import FormatError, UserError, failure_message
from ..load.inputs import read_input
from .writes import atomic_write_bytes, atomic_write_text

MANIFEST = "manifest.json"
CACHE = ".perfdoc-cache.json"
CACHE_VERSION = 1
DEFAULT_OUT = Path("build")
# Libraries whose upgrade can change the bytes of a document.
RENDERING_LIBRARIES = ("docxtpl", "python-docx", "jinja2", "lxml", "markdown-it-py")
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


# ---------------------------------------------------------------- rendering


def render_output(source: Path, document_name: str) -> bytes:
    """The .docx bytes of one document of a source (validated again here, so it runs anywhere)."""
    from ..pipeline import check_file

    checked = check_file(source)
    refused = refusal(checked)
    if refused:
        raise UserError(refused)
    return render_checked(checked, checked.context.format.document(document_name))


def render_checked(checked, document, context: dict | None = None) -> bytes:
    """The .docx bytes of ``document`` for a source that passed validation.

    ``context``: the source's template context, when the caller has built it already.
    """
    from ..render.check import refuse_broken
    from ..render.engine import render_document
    from ..render.package import CoreProperties

    refuse_broken(document.template)
    ctx = checked.context
    properties = CoreProperties.for_source(ctx.model, document.title)
    return render_document(document.template, context if context is not None else template_context(ctx), properties)


def template_context(ctx) -> dict:
    """What templates see; the figure values until the render context module exists."""
    try:
        from ..render.context import build_context
    except ModuleNotFoundError as exc:
        if exc.name != "perfdoc.render.context":
            raise
        return dict(ctx.figures.values)
    return build_context(ctx)


def output_path(out: Path, checked, document) -> Path:
    """``<out>/<format>/<department>/<year>/<document>.docx``."""
    ctx = checked.context
    name = document.name
    if not name or name in (".", "..") or Path(name).name != name:
        raise FormatError(f"{ctx.format.config_path}: 文档名称“{name}”不能用作文件名")
    department = Path(checked.path).resolve().parent.name
    return out / ctx.format.folder.name / department / str(ctx.model.get("年度")) / f"{name}.docx"


# ---------------------------------------------------------------- digests


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileDigests:
    """The digests of the files one build reads, each file read once."""

    def __init__(self):
        self._known: dict[str, str] = {}

    def of(self, path: Path | None) -> str:
        """The digest of ``path``'s bytes; of no bytes when there is no path or it cannot be read."""
        if path is None:
            return EMPTY_DIGEST
        key = os.fspath(path)
        if key not in self._known:
            try:
                self._known[key] = sha256(read_input(path))
            except OSError:
                self._known[key] = EMPTY_DIGEST  # a missing template fails when rendered, with a better message
        return self._known[key]

    def of_all(self, paths) -> str:
        """One digest of several files (a format.yaml and those of the formats it is based on)."""
        return sha256("".join(self.of(path) for path in paths).encode())

    def of_readable(self, path: Path) -> str:
        """The digest of ``path``'s bytes; an OSError when it cannot be read."""
        key = os.fspath(path)
        if key not in self._known:
            self._known[key] = sha256(read_input(path))
        return self._known[key]


def input_digest(checked, document, digests: FileDigests | None = None) -> str:
    """A digest of everything a document is made from."""
    from ..pipeline import previous_year_path

    digests = digests or FileDigests()
    source = Path(checked.path)
    previous = previous_year_path(source, checked.context.data)
    return combined_digest(
        source=digests.of_readable(source),
        template=digests.of(document.template),
        format=digests.of_all(checked.context.format.chain),
        previous=digests.of_readable(previous) if previous else EMPTY_DIGEST,
    )


def combined_digest(*, source: str, template: str, format: str, previous: str) -> str:
    """The inputs digest of a document from the digests of its files and the renderer."""
    digest = hashlib.sha256()
    for label, value in (("renderer", renderer_identity()), ("source", source), ("template", template),
                         ("format", format), ("previous", previous)):
        digest.update(f"{label}:{value}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def renderer_identity() -> str:
    """perfdoc's version and code, and the versions of the libraries that shape the output.

    The code digest keeps a working copy between releases from reusing
    documents an older perfdoc made.
    """
    import importlib.metadata

    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    versions = [f"{name}={importlib.metadata.version(name)}" for name in RENDERING_LIBRARIES]
    return " ".join([f"perfdoc={__version__}", f"code={code.hexdigest()}", *versions])


def _previous_candidate(path: Path, data) -> Path | None:
    """Where last year's source would be, whether or not it exists (validate.previous_year_path without the check)."""
    year = data.get("年度") if isinstance(data, dict) else None
    if not isinstance(year, int) or path.stem != str(year):
        return None
    return path.with_name(f"{year - 1}{path.suffix}")


# ---------------------------------------------------------------- manifest and cache


def load_manifest(out: Path) -> dict:
    """The recorded outputs, or none when the manifest is missing or unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    return outputs if isinstance(outputs, dict) else {}


def manifest_text(outputs: dict) -> str:
    text = json.dumps({"perfdoc": __version__, "outputs": outputs}, ensure_ascii=False, indent=2, sort_keys=True)
    return text + "\n"


def write_manifest(out: Path, outputs: dict) -> None:
    atomic_write_text(out / MANIFEST, manifest_text(outputs))


def is_current(entry: dict | None, inputs: str, path: Path) -> bool:
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return False
    try:
        return sha256(path.read_bytes()) == entry.get("output")
    except OSError:
        return False


def _stat(path: Path) -> list | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


class BuildCache:
    """``<out>/.perfdoc-cache.json``: what the last builds learnt about each source, to skip it unread.

    ``sources``: source path → {sha256, format, folder, previous, warnings,
    documents: [{key, template}]}; ``outputs``: manifest key → [size,
    mtime_ns, ctime_ns, inode, sha256] of the file as written; ``trusted``:
    templates whose fast rendering was compared with the reference. Kept only
    for the renderer that wrote it.
    """

    def __init__(self, out: Path):
        self.path = out / CACHE
        self.sources: dict = {}
        self.outputs: dict = {}
        self.trusted: set = set()
        try:
            self._text = self.path.read_text(encoding="utf-8")
            data = json.loads(self._text)
        except (OSError, ValueError):
            self._text, data = None, {}
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and data.get("renderer") == renderer_identity():
            self.sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
            self.outputs = data.get("outputs") if isinstance(data.get("outputs"), dict) else {}
            self.trusted = {t for t in data.get("trusted") or [] if isinstance(t, str)}

    def output_matches(self, key: str, target: Path, digest) -> bool:
        """Whether the file at ``target`` is the one whose digest is ``digest`` (by its stat, else by reading it)."""
        recorded = self.outputs.get(key)
        stat = _stat(target)
        if stat is None or not isinstance(digest, str):
            return False
        if isinstance(recorded, list) and recorded == [*stat, digest]:
            return True
        try:
            matches = sha256(target.read_bytes()) == digest
        except OSError:
            return False
        if matches:
            self.outputs[key] = [*stat, digest]
        return matches

    def record_output(self, key: str, target: Path, digest: str) -> None:
        stat = _stat(target)
        if stat is None:
            self.outputs.pop(key, None)
        else:
            self.outputs[key] = [*stat, digest]

    def save(self) -> None:
        data = {
            "version": CACHE_VERSION,
            "renderer": renderer_identity(),
            "sources": self.sources,
            "outputs": self.outputs,
            "trusted": sorted(self.trusted),
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if text == self._text or not (self.sources or self.outputs) or not self.path.parent.is_dir():
            return
        try:
            atomic_write_text(self.path, text)
        except UserError:
            pass  # only a cache: the next build validates more


def _source_key(path: Path) -> str:
    return os.path.abspath(path)


def unchanged(path: Path, out: Path, manifest: dict, cache: BuildCache, digests: FileDigests):
    """``(documents, warnings)`` of a source whose documents are all current, decided without validating it.

    ``documents``: the (manifest key, file) of each; None when anything may
    have changed (then the source is validated and its documents checked as
    always).
    """
    from ..load.formats import config_chain, templates_root

    entry = cache.sources.get(_source_key(path))
    if not isinstance(entry, dict):
        return None
    try:
        source = digests.of_readable(path)
        folder = (templates_root() / entry["format"]).resolve()
        if source != entry["sha256"] or str(folder) != entry["folder"] or not (folder / "format.yaml").is_file():
            return None
        previous = Path(entry["previous"]) if entry["previous"] else None
        previous_digest = digests.of(previous) if previous is not None and previous.is_file() else EMPTY_DIGEST
        config = digests.of_all(config_chain(folder))
        documents = []
        for document in entry["documents"]:
            key = document["key"]
            inputs = combined_digest(
                source=source, template=digests.of(Path(document["template"])), format=config, previous=previous_digest
            )
            recorded = manifest.get(key)
            if not isinstance(recorded, dict) or recorded.get("inputs") != inputs:
                return None
            target = out / key
            if not cache.output_matches(key, target, recorded.get("output")):
                return None
            documents.append((key, target))
        return documents, int(entry["warnings"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


# ---------------------------------------------------------------- build


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


def refusal(checked) -> str | None:
    """Why a source cannot be rendered (its diagnostics), or None when it can."""
    from ..report import format_text

    ctx = checked.context
    if ctx is not None and ctx.format is not None and not checked.errors:
        return None
    texts = {checked.path: ctx.source.text} if ctx is not None else {}
    closing = f"{checked.path}：有 {len(checked.errors)} 个错误，未生成文档（原有文档保持不变）"
    return f"{format_text(checked.diagnostics, texts)}\n{closing}"


@dataclass
class DocumentResult:
    """One document of a processed source."""

    key: str
    template: str  # the template file
    label: str  # the template as messages and the manifest show it
    inputs: str
    data: bytes | None = None  # rendered; None when the file is current or rendering failed
    error: str | None = None
    unknown: list | None = None  # names the template uses that the context lacks


@dataclass
class SourceResult:
    """A processed source: refused, or its documents."""

    path: str
    refused: str | None = None
    failed: int = 0
    warnings: int = 0
    documents: list = field(default_factory=list)
    entry: dict | None = None  # what the cache remembers of the source
    trusted: list = field(default_factory=list)


class SourceProcessor:
    """Validates a source once and renders those of its documents that are not current."""

    def __init__(self, out: str, force: bool, manifest: dict, trusted=()):
        from ..render import engine

        self.out = Path(out)
        self.force = force
        self.manifest = manifest
        self.digests = FileDigests()
        engine.trust(trusted)

    def __call__(self, path: str) -> SourceResult:
        try:
            return self._processed(path)
        except Exception as exc:  # noqa: BLE001 - perfdoc failing on one source must not stop the others
            return failed_source(path, exc)

    def _processed(self, path: str) -> SourceResult:
        from ..render import engine
        from ..pipeline import check_file

        checked = check_file(path)
        refused = refusal(checked)
        if refused:
            fmt = checked.context.format if checked.context else None
            return SourceResult(path, refused=refused, failed=len(fmt.documents) if fmt else 1)
        ctx = checked.context
        result = SourceResult(path, warnings=len(checked.warnings))
        pristine: list[dict] = []  # a context no template has changed, for the next document
        for document in ctx.format.documents:
            target = output_path(self.out, checked, document)
            key = target.relative_to(self.out).as_posix()
            inputs = input_digest(checked, document, self.digests)
            done = DocumentResult(key, str(document.template), engine.display_path(document.template), inputs)
            result.documents.append(done)
            if not self.force and is_current(self.manifest.get(key), inputs, target):
                continue
            context = pristine.pop() if pristine else template_context(ctx)
            try:
                done.data = render_checked(checked, document, context)
            except Exception as exc:  # noqa: BLE001 - a template perfdoc fails on fails this document alone
                done.error = failure_message(exc)
                continue
            finally:
                if engine.shares_context(document.template):
                    pristine.append(context)
            try:
                done.unknown = engine.undefined_names(document.template, context)
            except UserError:
                done.unknown = []
        previous = _previous_candidate(Path(path), ctx.data)
        result.entry = {
            "sha256": self.digests.of_readable(Path(path)),
            "format": ctx.model.get("格式"),
            "folder": str(ctx.format.folder),
            "previous": os.path.abspath(previous) if previous else None,
            "warnings": len(checked.warnings),
            "documents": [{"key": d.key, "template": d.template} for d in result.documents],
        }
        result.trusted = sorted(engine.trusted())
        return result


def failed_source(path: str, exc: BaseException) -> SourceResult:
    """A source perfdoc failed on: reported, its previous documents left as they were."""
    return SourceResult(path, refused=f"{path}：{failure_message(exc)}，未生成文档（原有文档保持不变）", failed=1)


_PROCESSOR: SourceProcessor | None = None


def _start_worker(out: str, force: bool, manifest: dict, trusted: list) -> None:
    global _PROCESSOR
    _PROCESSOR = SourceProcessor(out, force, manifest, trusted)


def _process_in_worker(path: str) -> SourceResult:
    return _PROCESSOR(path)


def processed(paths: list[Path], out: Path, force: bool, manifest: dict, jobs: int, trusted=()):
    """A :class:`SourceResult` for each path, in order: in this process, or in up to ``jobs`` workers."""
    yield from parallel.in_order(
        _process_in_worker, [str(path) for path in paths], jobs, _start_worker, (str(out), force, manifest, sorted(trusted)),
        failed=failed_source,
    )


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
            outcome.messages.append(_unknown_names_warning(template, label, names))
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
        cache.sources.pop(_source_key(path), None)
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
    cache.sources[_source_key(path)] = result.entry


def template_warnings(pairs) -> list[str]:
    """For each (template, source) pair, the names the template uses that its context lacks.

    Such a name is a mistake in the template, not missing data; each template
    is looked at once.
    """
    from ..render.engine import display_path, undefined_names

    warnings, seen = [], set()
    for template, checked in pairs:
        if template in seen:
            continue
        seen.add(template)
        unknown = undefined_names(template, template_context(checked.context))
        if unknown:
            warnings.append(_unknown_names_warning(template, display_path(template), unknown))
    return warnings


def _unknown_names_warning(template, label: str, unknown: list) -> str:
    """The warning for names a template uses that its context lacks, each with where the template uses it."""
    from ..render.diagnose import names_with_places

    return f"警告：模板 {label} 引用了不存在的名称（显示为空白）：{'、'.join(names_with_places(template, unknown))}"


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


class _ProgressBar:
    """A rich progress bar on stderr, for people watching a terminal."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )

    def start(self, total: int):
        task = self._progress.add_task("校验数据并生成文档", total=total)
        self._progress.start()
        return lambda: self._progress.advance(task)

    def stop(self):
        self._progress.stop()


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--out", "out", type=click.Path(file_okay=False), default=None, help="输出文件夹（默认仓库的 build/）"
)
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="同时工作的进程数（默认 CPU 核数）")
@click.option("--force", is_flag=True, help="忽略 manifest.json，全部重新生成")
def build_command(paths, out, pdf, jobs, force):
    """校验数据文件并生成全部文档（默认 sources/ 下全部）；未改变的文档跳过。"""
    from ..pipeline import find_sources

    started = time.perf_counter()
    from ..load.project import default_path

    files = list(dict.fromkeys(find_sources(paths or [default_path("sources")])))  # each source once
    out = out or default_path(str(DEFAULT_OUT))  # outside a project: refused before anything is written
    if not files:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    if pdf:
        from .pdf import soffice

        soffice()  # say at once, not after rendering, that PDFs cannot be made
    progress = _ProgressBar() if sys.stderr.isatty() else None
    from .lock import build_lock, lock_timeout

    # One build at a time per output folder: the manifest is read, merged and rewritten.
    with build_lock(Path(out), lock_timeout(), on_wait=lambda message: click.echo(message, err=True)):
        outcome = build(files, Path(out), jobs=jobs or parallel.default_jobs(), force=force, pdf=pdf, progress=progress)
    for message in outcome.messages:
        click.echo(message, err=True)
    if outcome.pdfs:
        click.echo(f"PDF {outcome.pdfs} 个")
    elapsed = time.perf_counter() - started
    click.echo(f"生成 {len(outcome.generated)}，跳过 {len(outcome.skipped)}，失败 {outcome.failed}，用时 {elapsed:.1f} 秒")
    sys.exit(1 if outcome.failed else 0)


def _build_folder_of(target: Path) -> Path | None:
    """The build output folder ``target`` is in: ``build/`` or a folder a build has locked; None if neither."""
    from .lock import LOCK_NAME

    from ..load.project import find_root

    root = find_root()
    default = (root / DEFAULT_OUT if root is not None else DEFAULT_OUT).resolve()
    for folder in Path(target).resolve().parents:
        if folder == default or (folder / LOCK_NAME).is_file():
            return folder
    return None


@click.command("render")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--doc", "document_name", help="文档名称（默认格式的第一个文档）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的文件（默认与 perfdoc build 相同）")
def render_command(source, document_name, output):
    """校验一个数据文件并生成其中一个文档。"""
    from ..pipeline import check_file

    checked = check_file(source)
    refused = refusal(checked)
    if refused:
        click.echo(refused, err=True)
        sys.exit(1)
    fmt = checked.context.format
    if document_name:
        document = fmt.document(document_name)
    elif fmt.documents:
        document = fmt.documents[0]
    else:
        raise FormatError(f"{fmt.config_path}: 没有列出任何文档")
    from ..load.project import default_path

    target = Path(output) if output else output_path(default_path(str(DEFAULT_OUT)), checked, document)
    data = render_checked(checked, document)
    folder = _build_folder_of(target)
    if folder is None:
        atomic_write_bytes(target, data)
    else:
        from .lock import build_lock, lock_timeout

        # perfdoc build may be writing there, and removes the temp files of writes it does not know of
        with build_lock(folder, lock_timeout(), on_wait=lambda message: click.echo(message, err=True)):
            atomic_write_bytes(target, data)
    click.echo(f"已生成 {target}")
    for warning in template_warnings([(document.template, checked)]):
        click.echo(warning, err=True)
