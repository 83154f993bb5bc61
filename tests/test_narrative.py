"""Figure references in narratives: the quick lookup of plain references gives what Jinja gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfdoc.render.narrative import NarrativeError, _look_up_plain_references, _render_with_jinja, render_references
from perfdoc.numbers import Amount, Percent
from perfdoc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent

FIGURES = {
    "收支合计": {"收入": {"合计": Amount("366.10"), "明细": [Amount("1.5"), Amount("0")]}, "说明": "甲&乙"},
    "预算": {"执行率": Percent("92.83"), "空": None},
    "年度": 2022,
    "items": {"keys": 1},
    "名单": ["张三", "李四"],
}

PIECES = [
    "{{ 收支合计.收入.合计 }}", "{{收支合计.收入.合计|万元}}", "{{ 预算.执行率 | 百分比 }}", "{{ 年度 }}",
    "{{ 年度|中文数字 }}", "{{ 收支合计.收入.明细[0] }}", "{{ 收支合计.收入.明细[2] }}", "{{ 收支合计.收入.明细[01] }}",
    "{{ 名单[1] }}", "{{ 名单.1 }}", "{{ 收支合计.说明 }}", "{{ 预算.空 }}", "{{ 预算.空|万元 }}", "{{ items.keys }}",
    "{{ 不存在 }}", "{{ 预算.不存在 }}", "{{ 年度.年 }}", "{{ 年度 + 1 }}", "{{ 年度|upper }}", "{{ 年度|length }}",
    "{{- 年度 -}}", "{{ none }}", "{% if 年度 %}有{% endif %}", "{# 注 #}", "{{", "}}", "{", "}", "{%", "%}",
    "{{{ 年度 }}", "{{ 年度 }}}", "\r\n", "\n", "\r", " ", "万元", "１２", "&", "<b>", "\\", "'", '"',
]


def _jinja(text: str, context: dict):
    """What the sandbox makes of ``text`` (indices counted from 1): the text, or the exception's type."""
    try:
        return _render_with_jinja(text, context)
    except Exception as exc:  # noqa: BLE001 - compared by type
        return type(exc)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8))
def test_plain_lookup_agrees_with_jinja(pieces):
    text = "".join(pieces)
    looked_up = _look_up_plain_references(text, FIGURES)
    if looked_up is not None:
        assert looked_up == _jinja(text, FIGURES), text


@pytest.mark.parametrize(
    "text",
    ["收入{{ 收支合计.收入.合计 }}万元", "{{收支合计.收入.合计|万元}}", "{{ 名单[2] }}、{{ 预算.执行率 | 百分比 }}\n", "{{ 年度 }}}"],
)
def test_plain_references_are_looked_up_without_jinja(text):
    assert _look_up_plain_references(text, FIGURES) is not None
    assert render_references(text, FIGURES) == _jinja(text, FIGURES)


@pytest.mark.parametrize(
    "text",
    ["{{ 不存在 }}", "{{ 年度 + 1 }}", "{{ 名单[5] }}", "{{ 名单[0] }}", "{{ 名单 }}", "{{ 收支合计.收入 }}", "{{ items.keys }}",
     "{% if 年度 %}有{% endif %}", "{{{ 年度 }}"],
)
def test_anything_else_is_left_to_jinja(text):
    assert _look_up_plain_references(text, FIGURES) is None


def test_a_missing_name_is_still_explained():
    with pytest.raises(NarrativeError, match="预算.不存在|不存在"):
        render_references("第一行\n{{ 预算.不存在 }}", FIGURES)


def test_every_example_narrative_renders_as_jinja_renders_it():
    seen = 0
    for path in sorted((REPO / "sources").rglob("*.yaml")):
        checked = check_file(path)
        values = checked.analysis.figures.values
        for text in _texts(checked.analysis.data):
            if "{{" in text:
                seen += 1
                assert render_references(text, values) == _jinja(text, values), (path, text)
    assert seen >= 10


def _texts(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def test_items_are_numbered_from_one_as_in_the_forms():
    assert render_references("{{ 名单[1] }}、{{ 名单[2] }}", FIGURES) == "张三、李四"


@pytest.mark.parametrize(
    "text, message, column",
    [
        ("第一行\n共{{ 名单[3] }}人", "名单[3] 不存在：名单 只有 2 项（名单[1]～名单[2]），从 [1] 开始编号", 2),
        ("{{ 名单[0] }}", "列表从 1 开始编号：名单 的第一项写作 名单[1]", 1),
        ("收入为{{ 收支合计.收入 }}", "收支合计.收入 是一组数字，不能直接写进文字；请引用其中之一：收支合计.收入.合计、收支合计.收入.明细", 4),
        ("{{ 预算.执行 }}", "预算.执行 不存在；预算 下可用的名称：执行率、空", 1),
    ],
)
def test_a_wrong_reference_is_explained_at_its_own_column(text, message, column):
    with pytest.raises(NarrativeError) as caught:
        render_references(text, FIGURES)
    assert caught.value.message == message
    assert caught.value.column == column
    assert caught.value.line == text.count("\n") + 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("{% if 名单[0] %}有{% endif %}", "第一项写作 [1]，[0] 不存在"),
        ("{% if 名单[5] %}有{% endif %}", "第 5 项不存在：列表只有 2 项（[1]～[2]），从 [1] 开始编号"),
    ],
)
def test_conditions_count_from_one_in_the_one_sandbox(text, message):
    with pytest.raises(NarrativeError) as caught:
        render_references(text, FIGURES)
    assert message in caught.value.message and "list object" not in caught.value.message
    assert render_references("{% if 名单[2] %}有{% endif %}", FIGURES) == "有"


def test_a_group_may_still_be_counted_or_summed():
    assert render_references("{{ 收支合计.收入.明细|length }}项", FIGURES) == "2项"
