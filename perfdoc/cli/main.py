"""The ``perfdoc`` command line: the only place that prints or exits.

Exit status: 0 clean, 1 data errors, 2 usage or internal errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from .chinese import OPTIONS_METAVAR, SUBCOMMAND_METAVAR, translate
from .chinese import install as _chinese_click

_chinese_click()


class _Group(click.Group):
    """Turns user errors into messages and bugs into a short internal-error note.

    The commands that live beside the code they drive (``build`` in
    :mod:`perfdoc.build.orchestrate`…) are imported only when run: ``perfdoc --help``
    reads their one-line help from the module's source instead.
    """

    lazy: dict[str, tuple[str, str]] = {}  # command name → (module under perfdoc, function)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, options_metavar=OPTIONS_METAVAR, subcommand_metavar=SUBCOMMAND_METAVAR, **kwargs)

    def add_command(self, cmd, name=None):
        cmd.options_metavar = OPTIONS_METAVAR  # click writes "[OPTIONS]" as a literal, not through gettext
        super().add_command(cmd, name)

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy:
            import importlib

            module, attribute = self.lazy[name]
            self.add_command(getattr(importlib.import_module(f"perfdoc.{module}"), attribute), name)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests among the commands imported so far; the lazy ones count too
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx) from None

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands or name not in self.lazy:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
            else:
                help_text = _first_line_of_help(*self.lazy[name])
                rows.append((name, click.utils.make_default_short_help(help_text, formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(translate("Commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # output piped into head or less, which closed early
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("perfdoc: 已中断", err=True)
            sys.exit(2)
        except Exception as exc:
            from ..errors import UserError, failure_message  # here: --help, which never fails so, need not import them

            if isinstance(exc, UserError):
                click.echo(f"perfdoc: {exc}", err=True)
                sys.exit(exc.exit_code)
            click.echo(f"perfdoc: {failure_message(exc)}", err=True)  # a bug in perfdoc, never the user's fault
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfdoc")
def main():
    """perfdoc：部门整体支出绩效自评的数据校验与文档生成。"""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", help="输出格式")
@click.option("--strict", is_flag=True, help="有警告时也以状态 1 退出")
@click.option("--ready", is_flag=True, help="提交前检查：文档中的【待填写】标记、占位文字、必需章节为空均为错误")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="同时工作的进程数（默认 CPU 核数）")
def validate(paths, output_format, strict, ready, jobs):
    """校验数据文件（默认 sources/ 下全部），一次列出所有问题。"""
    from .. import api
    from ..build.parallel import default_jobs
    from ..report import as_json, format_text, summary
    from ..load.inputs import read_input
    from ..load.loader import MAX_FILE_BYTES

    from ..load.project import default_path

    files = api.sources(paths or [default_path("sources")])
    if not files:
        raise click.UsageError("没有找到任何 .yaml 数据文件")
    diagnostics, texts = [], {}
    for result in _ready_files(files) if ready else api.check_all(files, jobs or default_jobs()):
        diagnostics.extend(result.diagnostics)
        if not result.diagnostics:
            continue
        if result.text is not None:
            texts[result.path] = result.text
        else:
            try:  # for the excerpt; a file the loader refused stays unread
                texts[result.path] = read_input(result.path, MAX_FILE_BYTES).decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                pass
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if output_format == "json":
        click.echo(as_json(diagnostics))
    else:
        if diagnostics:
            click.echo(format_text(diagnostics, texts))
        click.echo(summary(len(files), errors, warnings))
    sys.exit(1 if errors or (strict and warnings) else 0)


def _ready_files(files):
    """Each file checked with its analysis kept, then judged as ready to submit or not."""
    import dataclasses

    from ..ops.ready import readiness
    from ..pipeline import check_file

    analysed: dict = {}
    for path in files:
        result = check_file(path, analysed=analysed)
        yield dataclasses.replace(result, diagnostics=readiness(result))


@main.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", help="输出格式")
def show(source, output_format):
    """列出一个数据文件的输入数字与全部派生数字。"""
    from .. import api
    from ..ops.show import figure_rows, figure_table, render_json

    result = api.check(source)
    if result.analysis is None:
        from ..report import format_text

        click.echo(format_text(result.diagnostics, {}), err=True)
        sys.exit(1)
    rows = figure_rows(result.analysis)
    if output_format == "json":
        click.echo(render_json(rows))
    else:
        from rich.console import Console

        Console().print(figure_table(rows, title=Path(source).as_posix()))
    if result.errors:
        click.echo(f"注意：该文件有 {len(result.errors)} 个错误，请先运行 perfdoc validate {source}", err=True)
        sys.exit(1)


@main.command()
@click.option("--format", "format_name", required=True, help="文档格式，如 guangzhou")
@click.option("--department", required=True, help="部门名称")
@click.option("--year", required=True, type=int, help="被评价年度")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="写入的文件（默认 sources/<地区>/<部门>/<年度>.yaml）")
@click.option("--region", help="地区，如 平江县（格式由数据文件填写地区时必填）")
@click.option("--force", is_flag=True, help="覆盖已有文件")
def new(format_name, department, year, output, force, region):
    """生成一个新部门年度的数据文件骨架，每个键都有中文注释。"""
    from ..load.formats import load_format
    from ..ops.scaffold import department_folder, scaffold_yaml
    from ..build.writes import atomic_write_text

    from ..load.project import default_path

    load_format(format_name)
    path = Path(output) if output else default_path("sources", format_name, department_folder(department), f"{year}.yaml")
    if path.exists() and not force:
        from ..errors import UserError

        raise UserError(f"{path} 已存在；如需覆盖请加 --force")
    atomic_write_text(path, scaffold_yaml(format_name, department, year, region))
    click.echo(f"已生成 {path}")


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False), default="docs", show_default=True)
def docs(output):
    """由规则与结构定义生成参考文档（docs/rules.md 等）。"""
    from ..ops.docgen import write_docs

    for path in write_docs(Path(output)):
        click.echo(f"已生成 {path}")


def _register(module: str, command: str, name: str) -> None:
    """Commands that live beside the code they drive, imported when run (see :class:`_Group`)."""
    _Group.lazy[name] = (module, command)


def _first_line_of_help(module: str, function: str) -> str:
    """The first line of a command function's docstring, read from its module's source without importing it
    (found by pattern: parsing the whole module would cost more than importing click)."""
    import importlib.util
    import re

    spec = importlib.util.find_spec(f"perfdoc.{module}")
    try:
        text = Path(spec.origin).read_text(encoding="utf-8")
    except (OSError, AttributeError, TypeError):
        return ""
    found = re.search(rf"^def {re.escape(function)}\(.*?\):[^\n]*\n\s+(\"\"\"|\'\'\')([^\n]*)", text, re.M | re.S)
    return found.group(2).split(found.group(1))[0].strip() if found else ""


_register("cli.format_commands", "formats_command", "formats")
_register("cli.format_commands", "check_format_command", "check-format")
_register("cli.format_commands", "new_format_command", "new-format")
_register("cli.build_commands", "build_command", "build")
_register("cli.build_commands", "render_command", "render")
_register("cli.ops", "diff_command", "diff")
_register("cli.ops", "next_year_command", "next-year")
_register("cli.ops", "textconv_command", "textconv")
_register("cli.ops", "git_setup_command", "git-setup")
_register("cli.data_commands", "import_command", "import")
_register("cli.data_commands", "export_command", "export")
_register("cli.data_commands", "summary_command", "summary")
