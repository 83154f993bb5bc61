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
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import click

from . import __version__
from .errors import FormatError, UserError
from .validate import Checked, check_file, find_sources, previous_year_path
from .writes import atomic_write_bytes, atomic_write_text

MANIFEST = "manifest.json"
DEFAULT_OUT = Path("build")
# Libraries whose upgrade can change the bytes of a document.
RENDERING_LIBRARIES = ("docxtpl", "python-docx", "jinja2", "lxml", "markdown-it-py")


# ---------------------------------------------------------------- rendering


def render_output(source: Path, document_name: str) -> bytes:
    """The .docx bytes of one document of a source (validated again here, so it runs anywhere)."""
    checked = check_file(source)
    refused = refusal(checked)
    if refused:
        raise UserError(refused)
    return render_checked(checked, checked.context.format.document(document_name))


def render_checked(checked: Checked, document) -> bytes:
    """The .docx bytes of ``document`` for a source that passed validation."""
    from .render.engine import render_document
    from .render.package import CoreProperties

    ctx = checked.context
    properties = CoreProperties.for_source(ctx.model, document.title)
    return render_document(document.template, template_context(ctx), properties)


def template_context(ctx) -> dict:
    """What templates see; the figure values until the render context module exists."""
    try:
        from .render.context import build_context
    except ModuleNotFoundError as exc:
        if exc.name != "perfdoc.render.context":
            raise
        return dict(ctx.figures.values)
    return build_context(ctx)


def output_path(out: Path, checked: Checked, document) -> Path:
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


def input_digest(checked: Checked, document) -> str:
    """A digest of everything a document is made from."""
    source = Path(checked.path)
    previous = previous_year_path(source, checked.context.data)
    parts = [
        ("renderer", renderer_identity().encode()),
        ("source", source.read_bytes()),
        ("template", _read_or_empty(document.template)),
        ("format", _read_or_empty(checked.context.format.config_path)),
        ("previous", previous.read_bytes() if previous else b""),
    ]
    digest = hashlib.sha256()
    for label, data in parts:  # length-prefixed, so no two input sets run together
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def renderer_identity() -> str:
    """perfdoc's version and code, and the versions of the libraries that shape the output.

    The code digest keeps a working copy between releases from reusing
    documents an older perfdoc made.
    """
    package = Path(__file__).resolve().parent
    code = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    versions = [f"{name}={importlib.metadata.version(name)}" for name in RENDERING_LIBRARIES]
    return " ".join([f"perfdoc={__version__}", f"code={code.hexdigest()}", *versions])


def _read_or_empty(path: Path | None) -> bytes:
    try:
        return path.read_bytes() if path else b""
    except OSError:
        return b""  # a missing template fails when rendered, with a better message


# ---------------------------------------------------------------- manifest


def load_manifest(out: Path) -> dict:
    """The recorded outputs, or none when the manifest is missing or unreadable."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    return outputs if isinstance(outputs, dict) else {}


def write_manifest(out: Path, outputs: dict) -> None:
    text = json.dumps({"perfdoc": __version__, "outputs": outputs}, ensure_ascii=False, indent=2, sort_keys=True)
    atomic_write_text(out / MANIFEST, text + "\n")


def is_current(entry: dict | None, inputs: str, path: Path) -> bool:
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return False
    try:
        return sha256(path.read_bytes()) == entry.get("output")
    except OSError:
        return False


# ---------------------------------------------------------------- build


@dataclass
class Task:
    """One document to produce."""

    checked: Checked
    document: object  # formats.Document
    path: Path
    key: str  # the path inside the output folder, as recorded in the manifest
    inputs: str


@dataclass
class Outcome:
    generated: list[Task] = field(default_factory=list)
    skipped: list[Task] = field(default_factory=list)
    failed: int = 0
    pdfs: int = 0
    messages: list[str] = field(default_factory=list)  # for stderr, in source order


def refusal(checked: Checked) -> str | None:
    """Why a source cannot be rendered (its diagnostics), or None when it can."""
    from .report import format_text

    ctx = checked.context
    if ctx is not None and ctx.format is not None and not checked.errors:
        return None
    texts = {checked.path: ctx.source.text} if ctx is not None else {}
    closing = f"{checked.path}：有 {len(checked.errors)} 个错误，未生成文档（原有文档保持不变）"
    return f"{format_text(checked.diagnostics, texts)}\n{closing}"


def plan(files: list[Path], out: Path, manifest: dict, force: bool, outcome: Outcome) -> list[Task]:
    """Validate every source; return the documents to render, noting refusals and skips."""
    tasks: list[Task] = []
    claimed: dict[Path, str] = {}
    for path in files:
        checked = check_file(path)
        refused = refusal(checked)
        if refused:
            fmt = checked.context.format if checked.context else None
            outcome.failed += len(fmt.documents) if fmt else 1
            outcome.messages.append(refused)
            continue
        if checked.warnings:
            outcome.messages.append(f"{path}：有 {len(checked.warnings)} 个警告（perfdoc validate {path} 查看）")
        for document in checked.context.format.documents:
            target = output_path(out, checked, document)
            if target in claimed:
                outcome.failed += 1
                outcome.messages.append(f"{path}：与 {claimed[target]} 生成同一文件 {target}，未生成")
                continue
            claimed[target] = str(path)
            key = target.relative_to(out).as_posix()
            task = Task(checked, document, target, key, input_digest(checked, document))
            if not force and is_current(manifest.get(key), task.inputs, target):
                outcome.skipped.append(task)
            else:
                tasks.append(task)
    return tasks


def render_tasks(tasks: list[Task], jobs: int, advance):
    """Yield ``(task, bytes or the UserError that stopped it)`` in task order, ``jobs`` at a time."""
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            try:
                result = render_checked(task.checked, task.document)
            except UserError as exc:
                result = exc
            advance()
            yield task, result
        return
    # spawn: a fresh interpreter per worker, safe whatever threads this process runs
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(render_output, Path(t.checked.path), t.document.name) for t in tasks]
        for task, future in zip(tasks, futures):
            try:
                result = future.result()
            except UserError as exc:  # also a source edited since it was validated
                result = exc
            advance()
            yield task, result


def build(files: list[Path], out: Path, *, jobs: int, force: bool, pdf: bool, progress=None) -> Outcome:
    from .render.engine import display_path

    outcome = Outcome()
    manifest = load_manifest(out)
    tasks = plan(files, out, manifest, force, outcome)
    advance = progress.start(len(tasks)) if progress else (lambda: None)
    try:
        for task, result in render_tasks(tasks, jobs, advance):
            if isinstance(result, UserError):
                outcome.failed += 1
                outcome.messages.append(f"{task.checked.path}：{result}")
                continue
            atomic_write_bytes(task.path, result)
            manifest[task.key] = {
                "source": Path(task.checked.path).as_posix(),
                "template": display_path(task.document.template),
                "inputs": task.inputs,
                "output": sha256(result),
            }
            outcome.generated.append(task)
    finally:
        if progress:
            progress.stop()
    outcome.messages.extend(template_warnings((t.document.template, t.checked) for t in outcome.generated))
    if pdf:
        make_pdfs(outcome.generated + outcome.skipped, manifest, outcome)
    write_manifest(out, manifest)
    return outcome


def template_warnings(pairs) -> list[str]:
    """For each (template, source) pair, the names the template uses that its context lacks.

    Such a name is a mistake in the template, not missing data; each template
    is looked at once.
    """
    from .render.engine import display_path, undefined_names

    warnings, seen = [], set()
    for template, checked in pairs:
        if template in seen:
            continue
        seen.add(template)
        unknown = undefined_names(template, template_context(checked.context))
        if unknown:
            warnings.append(f"警告：模板 {display_path(template)} 引用了不存在的名称（显示为空白）：{'、'.join(unknown)}")
    return warnings


def make_pdfs(tasks: list[Task], manifest: dict, outcome: Outcome) -> None:
    """PDFs for the documents whose PDF is missing or older than the .docx."""
    from .render.pdf import convert_to_pdf

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
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)

    def start(self, total: int):
        task = self._progress.add_task("生成文档", total=total)
        self._progress.start()
        return lambda: self._progress.advance(task)

    def stop(self):
        self._progress.stop()


@click.command("build")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--out", "out", type=click.Path(file_okay=False), default=str(DEFAULT_OUT), show_default=True, help="输出文件夹"
)
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="同时生成的文档数（默认 CPU 核数）")
@click.option("--force", is_flag=True, help="忽略 manifest.json，全部重新生成")
def build_command(paths, out, pdf, jobs, force):
    """校验数据文件并生成全部文档（默认 sources/ 下全部）；未改变的文档跳过。"""
    started = time.perf_counter()
    files = list(dict.fromkeys(find_sources(paths or ["sources"])))  # each source once
    if not files:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    if pdf:
        from .render.pdf import soffice

        soffice()  # say at once, not after rendering, that PDFs cannot be made
    progress = _ProgressBar() if sys.stderr.isatty() else None
    outcome = build(files, Path(out), jobs=jobs or os.cpu_count() or 1, force=force, pdf=pdf, progress=progress)
    for message in outcome.messages:
        click.echo(message, err=True)
    if outcome.pdfs:
        click.echo(f"PDF {outcome.pdfs} 个")
    elapsed = time.perf_counter() - started
    click.echo(f"生成 {len(outcome.generated)}，跳过 {len(outcome.skipped)}，失败 {outcome.failed}，用时 {elapsed:.1f} 秒")
    sys.exit(1 if outcome.failed else 0)


@click.command("render")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--doc", "document_name", help="文档名称（默认格式的第一个文档）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的文件（默认与 perfdoc build 相同）")
def render_command(source, document_name, output):
    """校验一个数据文件并生成其中一个文档。"""
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
    target = Path(output) if output else output_path(DEFAULT_OUT, checked, document)
    atomic_write_bytes(target, render_checked(checked, document))
    click.echo(f"已生成 {target}")
    for warning in template_warnings([(document.template, checked)]):
        click.echo(warning, err=True)
