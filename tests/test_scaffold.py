"""``perfdoc new``: the skeleton validates, every key is commented, examples are real YAML."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from perfdoc.load.schema import FUND_SOURCES
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.load.formats import available_formats, load_format
from perfdoc.load.loader import load_text
from perfdoc.report import format_text
from perfdoc.ops.scaffold import DERIVED_NOTE, PLACEHOLDER, scaffold_yaml
from perfdoc.load.schema import SOURCE_SCHEMA, iter_fields
from perfdoc.pipeline import check_text

FORMATS = available_formats()
# Family formats whose sources name their own place need one.
REGIONS = {"hunan-department": "平江县"}
DEPARTMENT = "示例单位"
YEAR = 2023

_KEY_RE = re.compile(r"^(?:- )?([^\s#:'\"{\[\-][^:#]*?):(?:\s|$)")


def _path(fmt: str) -> str:
    return f"sources/{fmt}/{DEPARTMENT}/{YEAR}.yaml"


def body_lines(text: str) -> list[str]:
    """The lines after the header comment (which ends at the first blank line)."""
    lines = text.splitlines()
    return lines[lines.index("") + 1 :]


def key_of(line: str) -> str | None:
    """The key a line holds, live or commented out (``  #   # 收入合计:  # …`` → 收入合计)."""
    content = re.sub(r"^(\s*#)*\s*", "", line)
    match = _KEY_RE.match(content)
    return match.group(1) if match else None


def has_comment(line: str) -> bool:
    """A comment after the key's value: ``键: 值  # 说明``."""
    content = re.sub(r"^(\s*#)*\s*", "", line)
    return re.search(r"\s#\s*\S", content) is not None


def key_lines(text: str) -> list[str]:
    return [line for line in body_lines(text) if key_of(line)]


def uncomment(text: str) -> str:
    """What a user gets by un-commenting every example: one level of ``# `` removed.

    ``[]`` and ``{}`` in front of now-live items are dropped, as are keys left
    without a value (derived figures, which the user fills in or deletes).
    """
    lines = text.splitlines()
    start = lines.index("")
    out = lines[: start + 1]
    for line in lines[start + 1 :]:
        match = re.match(r"^( *)# ?(.*)$", line)
        out.append(match.group(1) + match.group(2) if match else line)
    fixed = []
    for index, line in enumerate(out):
        nxt = out[index + 1] if index + 1 < len(out) else ""
        deeper = len(nxt) - len(nxt.lstrip()) > len(line) - len(line.lstrip())
        if index > start and deeper and not nxt.lstrip().startswith("#"):
            line = re.sub(r": (\[\]|\{\})(  #)", r":\2", line)
        fixed.append(line)
    changed = True
    while changed:  # drop value-less keys, innermost first
        changed, kept = False, []
        for index, line in enumerate(fixed):
            rest = [l for l in fixed[index + 1 :] if l.strip() and not l.lstrip().startswith("#")]
            nxt = rest[0] if rest else ""
            deeper = len(nxt) - len(nxt.lstrip()) > len(line) - len(line.lstrip())
            if index > start and re.match(r"^\s*(- )?[^\s#:]+:(\s+#.*)?$", line) and not deeper:
                changed = True
                continue
            kept.append(line)
        fixed = kept
    return "\n".join(fixed) + "\n"


def schema_keys(field=SOURCE_SCHEMA, out=None) -> set[str]:
    out = set() if out is None else out
    if field.kind == "map" and not field.open:
        for key, child in field.fields.items():
            out.add(key)
            schema_keys(child, out)
    elif field.item is not None:
        schema_keys(field.item, out)
    return out


def test_there_are_formats():
    assert FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_scaffold_validates_without_errors(fmt):
    text = scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt))
    result = check_text(text, _path(fmt))
    assert not result.errors, format_text(result.errors, {_path(fmt): text})
    assert result.analysis.model["格式"] == fmt
    assert result.analysis.model["年度"] == YEAR
    assert result.analysis.model["部门"]["名称"] == DEPARTMENT


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_key_line_has_a_comment(fmt):
    lines = key_lines(scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt)))
    assert len(lines) > 50
    missing = [line for line in lines if not has_comment(line)]
    assert not missing, "\n".join(missing)


def test_the_comment_check_can_fail():
    assert key_of("年度: 2023") == "年度" and not has_comment("年度: 2023")
    assert key_of("  #   # 收入合计:") == "收入合计" and not has_comment("  #   # 收入合计:")
    assert has_comment("  # 调整后预算:  # 部门调整预算收入")
    assert key_of("    （待填写）存在的主要问题") is None
    assert key_of("  # - 一条职责") is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_schema_key_is_in_the_scaffold(fmt):
    written = {key_of(line) for line in key_lines(scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt)))}
    fixed_place = set() if load_format(fmt).place_from_source else {"地区", "财政部门"}  # PD110 refuses them
    other_forms_funds = set(FUND_SOURCES) - set(load_format(fmt).fund_sources)  # PD113 refuses them
    assert schema_keys() - written == fixed_place | other_forms_funds


@pytest.mark.parametrize("fmt", FORMATS)
def test_derived_keys_are_commented_out_and_marked(fmt):
    text = scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt))
    data = load_text(text).data
    stated = [path for path, field, _ in iter_fields(data) if field.computed and path]
    assert stated == []
    marked = [line for line in body_lines(text) if DERIVED_NOTE in line]
    assert marked and all(line.lstrip().startswith("#") for line in marked)
    # every derived leaf of the schema is written with the note
    assert sum(1 for line in marked if line.lstrip("# ").startswith("调整后预算:")) >= 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_required_sections_are_placeholder_blocks(fmt):
    text = scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt))
    sections = load_text(text).data.get("叙述") or {}
    required = load_format(fmt).required_sections  # none for the project forms, which have no narrative
    for name in required:
        assert sections.get(name, "").startswith(PLACEHOLDER), name
        assert re.search(rf"^  {name}: \|  # ", text, re.M), name
    assert set(sections) == set(required)  # the other sections are commented out


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_lists_show_one_commented_item(fmt):
    text = scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt))
    lines = text.splitlines()
    lists = [i for i, line in enumerate(lines) if re.match(r"^\s*[^\s#]+: \[\]  # ", line)]
    assert len(lists) >= 5
    for i in lists:
        indent = len(lines[i]) - len(lines[i].lstrip())
        assert re.match(rf"^ {{{indent + 2}}}# - ", lines[i + 1]), lines[i : i + 2]


@pytest.mark.parametrize("fmt", FORMATS)
def test_uncommented_examples_are_valid_yaml_of_the_right_shape(fmt):
    text = uncomment(scaffold_yaml(fmt, DEPARTMENT, YEAR, REGIONS.get(fmt)))
    data = load_text(text).data
    assert data["机构收支"][0]["收入"]["公共财政拨款"] is not None
    assert data["指标"][0]["一级"] in ("产出", "效益", "满意度")
    result = check_text(text, _path(fmt))
    structural = [d for d in result.errors if d.code[:3] in ("PD0", "PD1")]
    assert not structural, format_text(structural, {_path(fmt): text})


def test_uncomment_helper_really_uncomments():
    text = "# 头\n\n列表: []  # 说明\n  # - 名称: 甲  # 名称\n  #   # 合计:  # 合计（自动计算，可不填）\n"
    assert load_text(uncomment(text)).data == {"列表": [{"名称": "甲"}]}


def test_scaffold_is_deterministic_and_undated():
    first = scaffold_yaml(FORMATS[0], DEPARTMENT, YEAR)
    assert scaffold_yaml(FORMATS[0], DEPARTMENT, YEAR) == first
    assert dt.date.today().isoformat() not in first


def test_example_dates_follow_the_year():
    text = scaffold_yaml(FORMATS[0], DEPARTMENT, 2030)
    assert "报告日期: 2031-03-27" in text


def test_examples_of_other_departments_are_not_live():
    data = load_text(scaffold_yaml(FORMATS[0], DEPARTMENT, YEAR)).data
    assert "联系人" not in data["部门"]
    assert "报告" not in data


def test_awkward_department_names_are_quoted():
    name = "某单位: 测试 #1"
    text = scaffold_yaml(FORMATS[0], name, YEAR)
    assert load_text(text).data["部门"]["名称"] == name
    assert not check_text(text, "x.yaml").errors


def test_a_family_format_asks_for_the_region_and_writes_it():
    from perfdoc.errors import UsageError

    with pytest.raises(UsageError, match="--region"):
        scaffold_yaml("hunan-department", DEPARTMENT, YEAR)
    assert "\n地区: 平江县  # " in scaffold_yaml("hunan-department", DEPARTMENT, YEAR, "平江县")
    with pytest.raises(UsageError, match="固定"):
        scaffold_yaml("guangzhou", DEPARTMENT, YEAR, "平江县")


def test_unknown_format_is_a_user_error():
    from perfdoc.errors import FormatError

    with pytest.raises(FormatError):
        scaffold_yaml("no-such-format", DEPARTMENT, YEAR)


def test_new_command_writes_a_valid_file(tmp_path):
    out = tmp_path / "sources" / FORMATS[0] / DEPARTMENT / f"{YEAR}.yaml"
    args = ["new", "--format", FORMATS[0], "--department", DEPARTMENT, "--year", str(YEAR), "-o", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == scaffold_yaml(FORMATS[0], DEPARTMENT, YEAR)
    again = CliRunner().invoke(main, args, catch_exceptions=False)
    assert again.exit_code == 1 and "--force" in again.output


def test_the_skeleton_marks_the_sections_the_template_writes():
    from perfdoc.ops.scaffold import scaffold_yaml

    lines = scaffold_yaml("guangzhou", "测试单位", 2023).splitlines()
    conclusion = next(line for line in lines if "自评结论:" in line)
    assert "不填写时模板写出全年预算数、执行数和预算完成率；填写后只用这里的文字" in conclusion
    assert conclusion.lstrip().startswith("#")  # not required: the template writes it
    assert "# 不填写时由模板按数据写出的叙述章节（填写后只用填写的文字）：机构设置、人员情况、绩效管理情况、自评结论" in lines
    economy = next(line for line in lines if "经济性分析:" in line)
    assert economy.lstrip().startswith("#") and economy.endswith("（本格式的文档不印这一章节，不必填写）")


@pytest.mark.parametrize("name, sections", [
    ("hunan-linxiang", ("机构设置", "人员情况", "支出概况", "基本支出情况")),
    ("hunan-yiyang", ("综合评价结论",)),
])
def test_every_format_s_skeleton_marks_its_generated_sections(name, sections):
    from perfdoc.ops.scaffold import scaffold_yaml

    lines = scaffold_yaml(name, "测试单位", 2023).splitlines()
    for section in sections:
        line = next(line for line in lines if line.lstrip("# ").startswith(f"{section}:"))
        assert line.lstrip().startswith("#") and "不填写时模板" in line and "填写后只用这里的文字" in line, line


def test_a_section_is_generated_or_written_never_both():
    from pathlib import Path

    from perfdoc.build.rendering import render_checked
    from perfdoc.pipeline import check_file
    from perfdoc.render.extract import document_text

    repo = Path(__file__).resolve().parent.parent
    written = check_file(repo / "sources/guangzhou/广州市天河区总工会/2023.yaml")
    text = document_text(render_checked(written, written.analysis.format.document("自评报告")))
    assert "年度目标基本完成" in text and "全年预算数" not in text  # the clerk's text alone
    generated = check_file(repo / "sources/guangzhou/广州市天河区总工会/2022.yaml")
    text = document_text(render_checked(generated, generated.analysis.format.document("自评报告")))
    assert "全年预算数655.55万元，执行数608.57万元，完成预算的92.83%。" in text
