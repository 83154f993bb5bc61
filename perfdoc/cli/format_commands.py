"""Commands about region formats: ``formats``, ``check-format``, ``new-format``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError, UserError


@click.command()
def formats_command():
    """列出可用的文档格式：按“基于”排成树，附文档与等次；有错误的格式也列出。"""
    from ..load.formats import format_tree, templates_root

    rows = format_tree()
    if not rows:
        raise UserError(f"{templates_root()} 下没有任何格式（每个格式是一个含 format.yaml 的文件夹）")
    for name, depth, fmt, diagnostics in rows:
        indent = "    " * depth + ("└─ " if depth else "")
        errors = [d for d in diagnostics if d.is_error]
        if fmt is None:
            first = errors[0] if errors else None
            where = f"{first.file}:{first.location.line}:{first.location.col}: {first.code} {first.message}" if first and first.location else ""
            click.echo(f"{indent}{name}\t（有错误，运行 perfdoc check-format {name}）{where}")
            continue
        place = fmt.options.get("地区")
        notes = [note for note, on in (("仅供继承", fmt.abstract), ("地区由数据文件填写", fmt.place_from_source and not place)) if on]
        click.echo(f"{indent}{name}\t{fmt.description}" + (f"（{'，'.join(notes)}）" if notes else "") + (f"\t地区：{place}" if place else ""))
        pad = "    " * (depth + 1) + "   "
        for doc in fmt.documents:
            mark = "" if doc.template.is_file() else "（模板缺失）"
            inherited = "" if doc.template.parent == fmt.folder else f"（继承自 {doc.template.parent.name}）"
            click.echo(f"{pad}{doc.name}\t{doc.template.name}{inherited}{mark}")
        if fmt.grades and not fmt.abstract:
            click.echo(f"{pad}等次\t{'／'.join(f'{g.name}≥{g.min_score}' for g in fmt.grades)}")


@click.command()
@click.argument("target", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", help="输出格式")
def check_format_command(target, output_format):
    """检查格式：format.yaml 的设置与其中每个模板（NAME 为 templates/ 下的格式名，PATH 为格式文件夹；默认全部）。"""
    from ..load.formats import CONFIG, available_formats, check_format, templates_root
    from ..load.format_schema import did_you_mean
    from ..render.check import check_template
    from ..report import as_json, format_text

    root = templates_root()
    if target is None:
        folders = [root / name for name in available_formats(root, include_abstract=True)]
    else:
        folder = Path(target) if (Path(target) / CONFIG).is_file() else root / target
        if not (folder / CONFIG).is_file():
            known = available_formats(root, include_abstract=True)
            raise UsageError(f"找不到格式“{target}”（{folder / CONFIG} 不存在）" + (did_you_mean(target, known) or f"；已有格式：{'、'.join(known)}"))
        folders = [folder]
    if not folders:
        raise UsageError(f"{root} 下没有任何格式")
    diagnostics, texts, seen_templates = [], {}, set()
    for folder in folders:
        fmt, problems, read = check_format(folder, root)
        texts.update(read)
        diagnostics += problems
        if fmt is None:
            continue
        for document in fmt.documents:
            if document.template in seen_templates or not document.template.is_file():
                continue
            seen_templates.add(document.template)
            diagnostics += check_template(document.template, fmt)
    diagnostics = list(dict.fromkeys(diagnostics))  # a base's problem is found again through each member
    errors = sum(1 for d in diagnostics if d.is_error)
    if output_format == "json":
        click.echo(as_json(diagnostics))
    else:
        if diagnostics:
            click.echo(format_text(diagnostics, texts))
        click.echo(f"检查了 {len(folders)} 个格式、{len(seen_templates)} 个模板：{errors} 个错误，{len(diagnostics) - errors} 个警告")
    sys.exit(1 if errors else 0)


NEW_FORMAT = """\
# {name}：基于 {base} 的格式（{base_description}）。
# 只写与 {base} 不同的设置，其余设置和模板都继承自它。继承规则：
#   映射（如“指标名称”“公式”）逐键合并，只写要改的键；列表（如“等次”“文档”）整体替换。
# 要换模板：把同名的 .docx 放进本文件夹（在 Word 或 WPS 中编辑即可），再运行 perfdoc check-format {name}。
# 全部设置见 docs/formats.md。
名称: {name}
基于: {base}
说明: {description}
{region}{office}# 评价等次（整体替换继承的等次）：
# 等次:
#   - {{名称: 优秀, 最低分: 90}}
#   - {{名称: 良好, 最低分: 80}}
#   - {{名称: 合格, 最低分: 60}}
#   - {{名称: 不合格, 最低分: 0}}
# 比率公式（只改这一个，其余继承）：
# 公式:
#   预算完成率: 实际支出合计 / (年初结余 + 调整后预算)
# 评价人员表至少的行数：
# 版式:
#   评价人员行数: 4
"""


@click.command()
@click.argument("name")
@click.option("--from", "base", required=True, help="所基于的格式，如 hunan-department")
@click.option("--region", help="地区，如 华容县")
@click.option("--office", help="财政部门（默认为“<地区>财政局”）")
@click.option("--force", is_flag=True, help="覆盖已有的 format.yaml")
def new_format_command(name, base, region, office, force):
    """新建一个继承已有格式的格式文件夹（只有一个带注释的 format.yaml）。"""
    import re

    from ..build.writes import atomic_write_text
    from ..load.formats import CONFIG, available_formats, load_format, templates_root
    from ..load.format_schema import did_you_mean

    if not re.fullmatch(r"[\w][\w.-]{0,63}", name) or name.startswith("."):
        raise UsageError(f"格式名称“{name}”不能用作文件夹名：请只用字母、数字、汉字、“-”和“_”")
    root = templates_root()
    known = available_formats(root, include_abstract=True)
    if base not in known:
        raise UsageError(f"没有名为“{base}”的格式" + (did_you_mean(base, known) or f"；已有格式：{'、'.join(known)}"))
    parent = load_format(base, root)
    config = root / name / CONFIG
    if config.exists() and not force:
        raise UserError(f"{config} 已存在；如需覆盖请加 --force")
    place = region or parent.options.get("地区")
    text = NEW_FORMAT.format(
        name=name,
        base=base,
        base_description=parent.description or base,
        description=f"{place}{'：' if place else ''}{parent.description or base}",
        region=f"地区: {region}\n" if region else "# 地区: 某某县\n",
        office=f"财政部门: {office}\n" if office else ("" if region else "# 财政部门: 某某县财政局\n"),
    )
    atomic_write_text(config, text)
    try:
        load_format(name, root)
    except UserError:
        config.unlink()
        raise
    click.echo(f"已生成 {config}（基于 {base}；运行 perfdoc check-format {name} 检查）")
