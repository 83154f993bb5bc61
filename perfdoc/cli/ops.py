"""The everyday operations' commands: diff, next-year, textconv, git-setup."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..ops.diff import RENDERERS


@click.command("diff")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--rev", help="与该文件在 git 修订版本 REV 中的内容比较，如 HEAD、HEAD~1、提交号")
@click.option("--all", "show_all", is_flag=True, help="列出全部数字（默认只列有变动的）")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    help="输出格式（默认：在终端中为表格，否则为 text）",
)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False),
    default="build",
    show_default=True,
    help="已生成文档所在的文件夹（--rev 时据其 manifest.json 列出需要重新生成的文档）",
)
def diff_command(files, rev, show_all, output_format, build_dir):
    """比较两个数据文件的全部数字与文字。

    同一部门的两个年度为同比比较；同一年度的两个版本为更正对比。
    也可以用 perfdoc diff 文件 --rev HEAD 与 git 中的版本比较。
    """
    from ..ops.diff import compare, compare_with_revision, rich_report, side_from_file

    if rev is not None:
        if len(files) != 1:
            raise click.UsageError("使用 --rev 时只需给出一个数据文件")
        comparison = compare_with_revision(Path(files[0]), rev, Path(build_dir))
    else:
        if len(files) != 2:
            raise click.UsageError("请给出两个数据文件：perfdoc diff 旧.yaml 新.yaml（或一个文件加 --rev）")
        comparison = compare(side_from_file(Path(files[0])), side_from_file(Path(files[1])))
    if output_format is None and sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for part in rich_report(comparison, show_all):
            console.print(part)
        return
    click.echo(RENDERERS[output_format or "text"](comparison, show_all), nl=False)


@click.command("next-year")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的文件（默认在同一文件夹下的“<下一年度>.yaml”）")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def next_year_command(source, output, force):
    """由本年度数据文件生成下一年度的数据文件：保留结构与注释，清空当年数字与叙述。"""
    from ..ops.nextyear import write_next_year
    from ..report import format_text

    source = Path(source)
    written = write_next_year(source, Path(output) if output else None, force)
    if written.source_errors:
        click.echo(
            f"注意：{source} 有 {written.source_errors} 个错误，预填的上年结转等数字可能不准确；"
            f"请先运行 perfdoc validate {source}",
            err=True,
        )
    result = written.checked
    click.echo(f"已生成 {written.target}（{written.year} 年度）")
    if result.errors:
        click.echo(format_text(result.errors, {str(written.target): result.text}), err=True)
        sys.exit(1)
    if result.warnings:
        click.echo(f"尚待填写：{len(result.warnings)} 条提示，运行 perfdoc validate {written.target} 查看")


@click.command("textconv")
@click.argument("docx_file", type=click.Path(dir_okay=False, exists=True))
def textconv_command(docx_file):
    """把 .docx 文档输出为文本（表格逐行，单元格以“ | ”分隔），供 git diff 使用。"""
    from ..ops.gitutil import docx_text

    click.echo(docx_text(Path(docx_file)), nl=False)


@click.command("git-setup")
def git_setup_command():
    """在当前 git 仓库中设置：git diff 时把 .docx 文档转为文本再比较。"""
    from ..ops.gitutil import ATTRIBUTES_LINE, DIFF_DRIVER, TEXTCONV, git_setup

    root, added = git_setup(Path.cwd())
    click.echo(f"{'已在' if added else '已有'} {root / '.gitattributes'}：{ATTRIBUTES_LINE}")
    click.echo(f"已设置 git config diff.{DIFF_DRIVER}.textconv \"{TEXTCONV}\"")
    click.echo("已设置 git config core.quotepath false（中文路径按文字显示，不转义为 \\344…）")
    click.echo("现在 git diff 会以文本显示 .docx 文档的改动。")
