"""Data in and out: ``perfdoc import``, ``perfdoc export`` and ``perfdoc summary``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UserError


def _checked_contexts(paths):
    """Each source validated (with last year beside it), as ``show`` does; unreadable ones are errors."""
    from ..pipeline import check_file, find_sources
    from ..report import format_text

    files = find_sources(paths)
    if not files:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    results = []
    for path in files:
        result = check_file(path)
        if result.analysis is None:
            click.echo(format_text(result.diagnostics, {}), err=True)
            raise UserError(f"{path} 无法读取，未写入任何文件")
        results.append(result)
    return results


@click.command("export")
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="写入的 .xlsx 文件")
def export_command(sources, output):
    """把数据文件的输入数字与计算数字写入 Excel（每个表格一个工作表）。"""
    from ..build.writes import atomic_write_bytes
    from ..ops.excel import export_rows, workbook_bytes

    if not output.lower().endswith(".xlsx"):
        raise click.UsageError("-o 须是 .xlsx 文件")
    rows = []
    results = _checked_contexts(sources)
    for result in results:
        rows.extend(export_rows(result.analysis))
    atomic_write_bytes(output, workbook_bytes(rows))
    click.echo(f"已生成 {output}（{len(results)} 个数据文件，{len(rows)} 个数字）")
    with_errors = [r.path for r in results if r.errors]
    if with_errors:
        click.echo(f"注意：{'、'.join(with_errors)} 有错误，请先运行 perfdoc validate", err=True)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "format_name", help="Word 文档的格式，如 guangzhou（导入 .docx/.doc 时必需）")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的数据文件（导入 Word 文档时；默认在标准输出）")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def import_command(files, format_name, output, force):
    """导入 Word 文档（.docx/.doc）为数据文件，或把 Excel 中改过的数字写回数据文件。

    同一部门同一年度的几个 Word 文档（如自评报告、基础数据表、指标表）可一起导入为一个数据文件：
    按各文件的表头与标题认出是哪个文档，数字合并；两个文档写得不同的列出两处，保留先写的。

    \b
    perfdoc import 2022年自评报告.docx --format hunan-linxiang -o sources/…/2022.yaml
    perfdoc import 自评报告.docx 基础数据表.docx 指标表.docx --format hunan-department-2019 -o sources/…/2019.yaml
    perfdoc import 数字.xlsx sources/…/2023.yaml
    """
    paths = [Path(file) for file in files]
    suffix = paths[0].suffix.lower()
    if suffix == ".xlsx":
        if len(paths) != 2:
            raise click.UsageError("导入 Excel 须指明要更新的数据文件：perfdoc import FILE.xlsx SOURCE")
        _import_workbook(paths[0], paths[1])
    elif suffix in (".docx", ".doc"):
        if format_name is None:
            raise click.UsageError("导入 Word 文档须指明格式：--format，如 --format guangzhou")
        # the last argument may name the source to write, as -o does: perfdoc import FILE.docx SOURCE
        source = paths.pop() if len(paths) > 1 and paths[-1].suffix.lower() not in (".docx", ".doc") else None
        for path in paths:
            if path.suffix.lower() not in (".docx", ".doc"):
                raise click.UsageError(f"不认识的文件类型“{path.suffix or path.name}”：与 Word 文档一起只能导入 .docx、.doc")
        target = output or source
        _import_document(paths, format_name, Path(target) if target else None, force)
    else:
        raise click.UsageError(f"不认识的文件类型“{suffix or paths[0].name}”：可导入 .docx、.doc（Word）或 .xlsx（Excel）")


def _import_workbook(file: Path, source: Path) -> None:
    from ..build.writes import atomic_write_text
    from ..ops.excel import import_workbook, read_workbook

    book = read_workbook(file)
    (result,) = _checked_contexts([source])
    outcome = import_workbook(book, result.analysis)
    for note in outcome.recomputed:
        click.echo(f"{file}: {note.describe()}（计算数字不导入，由 perfdoc 重新计算）", err=True)
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(f"{file}: {problem.describe()}", err=True)
        click.echo(f"有 {len(outcome.problems)} 处无法导入，未改动 {source}", err=True)
        sys.exit(1)
    note = f"（另有 {outcome.other_rows} 行属于其他部门或年度，未用）" if outcome.other_rows else ""
    if not outcome.changes:
        click.echo(f"{source} 的数字与 {file} 一致，未改动{note}")
        return
    atomic_write_text(source, outcome.text)
    click.echo(f"已更新 {source}：{len(outcome.changes)} 个数字{note}")
    for change in outcome.changes:
        click.echo(f"  {change.describe()}")


def _import_document(files: list, format_name: str, target: Path | None, force: bool) -> None:
    from ..build.writes import atomic_write_text
    from ..ops.importdocx import import_documents

    if target is not None and target.exists() and not force:
        raise UserError(f"{target} 已存在；如需覆盖请加 --force")
    imported = import_documents(files, format_name, beside=target.parent if target is not None else None)
    for item in imported.unmapped:  # with several files, each place names its file
        click.echo(f"{files[0]}: {item.describe()}" if len(files) == 1 else item.describe(), err=True)
    if target is None:
        click.echo(imported.text, nl=False)
    else:
        atomic_write_text(target, imported.text)
        click.echo(f"已生成 {target}", err=True)
    click.echo(f"已对应 {imported.mapped} 项；列出 {len(imported.unmapped)} 处未能对应或前后不一（已作为注释保留在数据文件中）", err=True)
    if target is not None:
        from ..pipeline import check_file

        checked = check_file(target)
        if checked.diagnostics:  # the document's own mistakes, now with their line in the source
            click.echo(f"校验：{len(checked.errors)} 个错误，{len(checked.warnings)} 个警告；运行 perfdoc validate {target} 查看", err=True)


@click.command("summary")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入 汇总表.xlsx 或 汇总表.docx（默认在终端显示）")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="同时工作的进程数（默认 CPU 核数）")
@click.option("--ready", is_flag=True, help="并检查每个部门年度能否报送（同 validate --ready，须生成文档，较慢），填写“可报送”一列")
def summary_command(paths, output, jobs, ready):
    """主管部门汇总：每个部门年度一行，按年度与主管部门小计，每年一行合计。"""
    from ..build.parallel import default_jobs
    from ..build.writes import atomic_write_bytes
    from ..ops import summary

    if output and Path(output).suffix.lower() not in (".xlsx", ".docx"):
        raise click.UsageError("-o 须是 .xlsx 或 .docx 文件")
    table = summary.summarise(paths or ["sources"], jobs or default_jobs(), ready=ready)
    if not table.rows:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    if output is None:
        from rich.console import Console

        Console().print(summary.terminal_table(table))
    elif output.lower().endswith(".xlsx"):
        atomic_write_bytes(output, summary.workbook_bytes(table))
        click.echo(f"已生成 {output}")
    else:
        atomic_write_bytes(output, summary.document_bytes(table))
        click.echo(f"已生成 {output}")
    if ready:
        not_ready = [row for row in table.departments if row.ready is not True]
        if not_ready:  # the table is made all the same: it says which are not ready
            click.echo(f"注意：{len(not_ready)} 个部门年度尚不能报送（perfdoc validate --ready 查看）", err=True)
            sys.exit(1)
    wrong = [row for row in table.departments if row.errors]
    if wrong:
        click.echo(f"注意：{len(wrong)} 个部门年度有错误（perfdoc validate 查看）", err=True)
        sys.exit(1)
