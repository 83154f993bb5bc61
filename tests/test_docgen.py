"""Generated reference pages: complete, deterministic, and committed up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfdoc.ops import docgen
from perfdoc.ops.formatdoc import FORMATS_FILE
from perfdoc.errors import LOAD_ERRORS, Severity
from perfdoc.load.loader import load_text
from perfdoc.rules import Rule, _REGISTRY, all_rules
from perfdoc.load.schema import SOURCE_SCHEMA

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
RULES = all_rules()


@pytest.fixture(scope="module")
def pages():
    return docgen.generate()


def loader_codes() -> set[str]:
    source = (REPO / "perfdoc" / "load" / "loader.py").read_text(encoding="utf-8")
    return set(re.findall(r'code="(PD\d{3})"', source))


def key_paths(field=SOURCE_SCHEMA, prefix=""):
    """Every key path, written as docs/schema.md writes it (independently of docgen)."""
    if field.kind == "map" and field.open:
        path = f"{prefix}.<名称>"
        yield path
        yield from key_paths(field.item, path)
    elif field.kind == "map":
        for key, child in field.fields.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from key_paths(child, path)
    elif field.kind == "list":
        if field.item.kind not in ("map", "list"):
            yield f"{prefix}[]"
        yield from key_paths(field.item, f"{prefix}[]")


def section(markdown: str, code: str) -> str:
    """The text under ``### CODE`` up to the next heading of that level or above."""
    match = re.search(rf"^### {code} .*?(?=^#{{1,3}} |\Z)", markdown, re.M | re.S)
    assert match, code
    return match.group(0)


# -- the committed pages ----------------------------------------------------


@pytest.mark.parametrize("name", [docgen.RULES_FILE, docgen.ERRORS_FILE, docgen.SCHEMA_FILE, FORMATS_FILE])
def test_docs_are_up_to_date(pages, name):
    path = DOCS / name
    assert path.is_file(), f"{path} 不存在：请运行 perfdoc docs"
    assert path.read_text(encoding="utf-8") == pages[name], f"{path} 已过期：请运行 perfdoc docs"


def test_a_new_rule_makes_the_committed_pages_stale(monkeypatch):
    def check(ctx):
        return ()

    doc = "测试用规则\n\n说明。\n\n错误示例：\n\n    年度: 1\n\n正确示例：\n\n    年度: 2022\n"
    monkeypatch.setitem(_REGISTRY, "PD999", Rule("PD999", "test-rule", "其他", Severity.WARNING, check, doc))
    rules = docgen.rules_markdown()
    assert "### PD999 测试用规则" in rules and "年度: 1" in rules
    assert rules != (DOCS / docgen.RULES_FILE).read_text(encoding="utf-8")
    assert "### PD999 测试用规则" in docgen.errors_markdown()


def test_generation_is_deterministic(pages):
    assert docgen.generate() == pages


def test_write_docs_writes_the_four_pages(tmp_path, pages):
    written = docgen.write_docs(tmp_path / "docs")
    assert [p.name for p in written] == [docgen.RULES_FILE, docgen.ERRORS_FILE, docgen.SCHEMA_FILE, FORMATS_FILE]
    for path in written:
        assert path.read_text(encoding="utf-8") == pages[path.name]
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted(pages)  # no temp files left


def test_docs_command(tmp_path):
    from click.testing import CliRunner

    from perfdoc.cli import main

    result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert (tmp_path / docgen.RULES_FILE).is_file()


# -- rules.md -----------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rules_md_documents_every_rule(pages, rule):
    text = section(pages[docgen.RULES_FILE], rule.code)
    assert text.startswith(f"### {rule.code} {rule.summary}")
    assert f"级别：{rule.severity.label}" in text
    for heading in ("错误示例", "正确示例"):
        block = "```yaml\n" + rule.example(heading)
        assert block in text, (rule.code, heading)
    first_line = rule.explanation.splitlines()[0].replace("``", "`") if rule.explanation else ""
    assert first_line.strip() in text


def test_rules_md_groups_rules_by_family(pages):
    text = pages[docgen.RULES_FILE]
    positions = [text.index(f"\n## {family}\n") for family in dict.fromkeys(r.family for r in RULES)]
    assert positions == sorted(positions)
    for rule in RULES:
        heading = text.rindex("\n## ", 0, text.index(f"### {rule.code} "))
        assert text[heading:].startswith(f"\n## {rule.family}\n"), rule.code


# -- errors.md ----------------------------------------------------------------


def test_load_error_table_is_honest_to_the_loader():
    assert {entry.code for entry in LOAD_ERRORS} == loader_codes() | {"PD000"}
    for entry in LOAD_ERRORS:
        assert docgen.load_error_example(entry).code == entry.code


@pytest.mark.parametrize("code", sorted(loader_codes() | {"PD000"}))
def test_errors_md_documents_load_codes(pages, code):
    text = section(pages[docgen.ERRORS_FILE], code)
    entry = next(e for e in LOAD_ERRORS if e.code == code)
    assert docgen.load_error_example(entry).message in text
    assert "改法" in text


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_errors_md_documents_every_rule(pages, rule):
    text = section(pages[docgen.ERRORS_FILE], rule.code)
    diagnostics, _ = docgen.rule_example_diagnostics(rule)
    assert diagnostics, f"{rule.code} 的错误示例没有被报告"
    assert f": {rule.code} " in text and diagnostics[0].message in text
    assert "```diff" in text


# -- schema.md ----------------------------------------------------------------


def test_schema_md_lists_every_key_path(pages):
    text = pages[docgen.SCHEMA_FILE]
    paths = list(key_paths())
    assert len(paths) > 100
    missing = [p for p in paths if f"| `{p}` |" not in text]
    assert not missing, missing


def test_schema_md_names_kinds_in_chinese(pages):
    text = pages[docgen.SCHEMA_FILE]
    for name in ("文本", "整数", "金额", "百分比", "日期", "电话", "年度", "是否", "可选值", "Markdown"):
        assert f"| {name}" in text, name
    assert "| amount |" not in text and "| text |" not in text


def test_schema_md_starts_with_the_complete_example(pages):
    text = pages[docgen.SCHEMA_FILE]
    example = docgen.find_example_source()
    assert text.index("## 完整示例") < text.index("## 金额与单位") < text.index("## 全部键")
    if example is None:
        pytest.skip("示例数据文件不存在")
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.strip():
            assert line in text, line


def test_schema_md_explains_units_derived_figures_references_and_validation(pages):
    text = pages[docgen.SCHEMA_FILE]
    for needle in ("万元", "5600元", "1123600元", "`{{ 预算.调整后预算 }}` | 655.55", "|万元", "|百分比", "|原值",
                   "perfdoc validate", "自动计算", "计算"):
        assert needle in text, needle


def test_codes_mentioned_in_schema_md_exist(pages):
    known = {r.code for r in RULES} | {e.code for e in LOAD_ERRORS}
    mentioned = set(re.findall(r"PD\d{3}", pages[docgen.SCHEMA_FILE]))
    assert mentioned and mentioned <= known


def test_schema_md_falls_back_to_the_scaffold(monkeypatch):
    from perfdoc.ops.scaffold import scaffold_yaml

    monkeypatch.setattr(docgen, "find_example_source", lambda: None)
    text = docgen.schema_markdown()
    assert scaffold_yaml(*docgen.FALLBACK_FORMAT) in text


def test_annotation_keeps_the_data_and_skips_block_content():
    text = (
        "格式: guangzhou\n年度: 2022\n部门:\n  名称: 甲\n"
        "指标:\n  - {一级: 产出, 二级: 数量, 名称: 甲}\n"
        "叙述:\n  存在问题: |\n    无: 问题\n"
        "预算:\n  调整后预算: 1.00\n  实际支出:\n    一般公共预算: 1.00\n"
    )
    annotated = docgen.annotate(text)
    assert load_text(annotated).data == load_text(text).data
    assert "  存在问题: |  # 存在的主要问题\n    无: 问题\n" in annotated
    assert "调整后预算: 1.00  # 部门调整预算收入 = 年初预算 + 调整数（自动计算，可不填）" in annotated
    assert "- {一级: 产出, 二级: 数量, 名称: 甲}  # 一项三级绩效指标" in annotated
    assert "    一般公共预算: 1.00\n" in annotated  # entries of 明细 are left alone
