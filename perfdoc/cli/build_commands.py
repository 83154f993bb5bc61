"""``perfdoc build`` and ``perfdoc render``: validated sources in, Word documents out."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..build.paths import DEFAULT_OUT
from ..errors import FormatError


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

    def start(self, total: int, description: str = "校验数据并生成文档"):
        for finished in list(self._progress.task_ids):  # one bar at a time: documents, then PDFs
            self._progress.remove_task(finished)
        task = self._progress.add_task(description, total=total)
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
@click.option("--force", is_flag=True, help="忽略 manifest.json，全部重新生成，并覆盖手工修改过的文档")
def build_command(paths, out, pdf, jobs, force):
    """校验数据文件并生成全部文档（默认 sources/ 下全部）；未改变的文档跳过，手工修改过的文档保留。"""
    from .. import api
    from ..build import parallel
    from ..pipeline import find_sources

    started = time.perf_counter()
    from ..load.project import default_path

    files = list(dict.fromkeys(find_sources(paths or [default_path("sources")])))  # each source once
    out = out or default_path(str(DEFAULT_OUT))  # outside a project: refused before anything is written
    if not files:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    if pdf:
        from ..build.pdf import soffice

        soffice()  # say at once, not after rendering, that PDFs cannot be made
    progress = _ProgressBar() if sys.stderr.isatty() else None
    # One build at a time per output folder: the manifest is read, merged and rewritten.
    outcome = api.build(files, out, jobs=jobs or parallel.default_jobs(), force=force, pdf=pdf,
                        on_wait=lambda message: click.echo(message, err=True), progress=progress)
    for message in outcome.messages:
        click.echo(message, err=True)
    if outcome.pdfs:
        click.echo(f"PDF {outcome.pdfs} 个")
    elapsed = time.perf_counter() - started
    click.echo(
        f"生成 {len(outcome.generated)}，跳过 {outcome.skipped}，失败 {outcome.failed}，用时 {elapsed:.1f} 秒；"
        f"文档在 {Path(out).as_posix()}/"
    )
    sys.exit(1 if outcome.failed else 0)


@click.command("render")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--doc", "document_name", help="文档名称（默认格式的第一个文档）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的文件（默认与 perfdoc build 相同）")
@click.option("--force", is_flag=True, help="覆盖已有的、不是 perfdoc 生成的文件（数据文件和模板除外）")
def render_command(source, document_name, output, force):
    """校验一个数据文件并生成其中一个文档。"""
    from ..build.orchestrate import write_one
    from ..build.paths import output_path
    from ..build.rendering import refusal, render_checked, template_warnings
    from ..load.project import default_path
    from ..pipeline import check_file

    checked = check_file(source)
    refused = refusal(checked)
    if refused:
        click.echo(refused, err=True)
        sys.exit(1)
    fmt = checked.analysis.format
    if document_name:
        document = fmt.document(document_name)
    elif fmt.documents:
        document = fmt.documents[0]
    else:
        raise FormatError(f"{fmt.config_path}: 没有列出任何文档")
    target = Path(output) if output else output_path(default_path(str(DEFAULT_OUT)), checked, document)
    data = render_checked(checked, document)
    write_one(checked, document, data, target, force=force, on_wait=lambda message: click.echo(message, err=True))
    click.echo(f"已生成 {target}")
    for warning in template_warnings([(document.template, checked)]):
        click.echo(warning, err=True)
