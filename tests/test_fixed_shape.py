"""Templates whose body cannot change shape skip the XML round trip (perfdoc.render.shape): the bytes stay
plain docxtpl's, for templates that qualify and those that do not, and for values the proof cannot vouch for."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from oracle import make_template, render_with_docxtpl

from perfdoc.render import engine


def same_as_docxtpl(template: Path, context: dict) -> bytes:
    made = engine.render_document(template, context)
    assert made == render_with_docxtpl(template, context)
    return made


def proven(template: Path) -> bool:
    return engine.compiled_template(template).fixed_shape


LOOP_TABLE = [["名称", "金额"], ["{%tr for 行 in 行表 %}", ""], ["{{ 行.名称 }}", "{{ 行.金额 }}"], ["{%tr endfor %}", ""]]
HOSTILE_TEXT = "引号\"和'、&<>、{_{ 名 }_}、_、{_%x%_}、😀"


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_table_with_a_row_loop_and_a_fixed_header_qualifies(tmp_path, count):
    template = make_template(tmp_path / "表.docx", "{{ 部门 }}{% if 年度 %}，{{ 年度 }}年{% endif %}", cells=LOOP_TABLE)
    assert proven(template)
    rows = [{"名称": f"{HOSTILE_TEXT}{index}", "金额": index * 1.5} for index in range(count)]
    same_as_docxtpl(template, {"部门": HOSTILE_TEXT, "年度": 2023, "行表": rows})


@pytest.mark.parametrize("value", [
    None, "", "回车\r\n换行", "制表\t符", "分页\f", Markup("a&#x41;b"), Markup("x &amp; y"),
])
def test_values_the_proof_cannot_vouch_for_take_the_round_trip(tmp_path, value):
    template = make_template(tmp_path / "文.docx", "{{ 值 }}", "{% if 值 %}{{ 值 }}{% endif %}", cells=LOOP_TABLE)
    assert proven(template)
    same_as_docxtpl(template, {"值": value, "行表": []})


@pytest.mark.parametrize("paragraphs, rows", [
    (["{{p 叙述|段落 }}"], None),  # markup at paragraph level
    (["前"], LOOP_TABLE[1:]),  # every row inside the loop: with none, fix_tables drops the grid
    (["前"], [["{%tc for c in 列 %}", "{{ c }}", "{%tc endfor %}"]]),  # cells made by a loop
    (["{% macro m() %}x{% endmacro %}{{ m() }}"], None),
    (["{{ 部门|safe }}"], None),
])
def test_templates_that_may_change_shape_do_not_qualify(tmp_path, paragraphs, rows):
    template = make_template(tmp_path / "不.docx", *paragraphs, cells=rows)
    assert not proven(template)
    for items in ([], ["一", "二", "三", "四", "五"]):
        same_as_docxtpl(template, {"部门": "部门", "叙述": "第一段\n\n第二段", "行表": [{"名称": "甲"}] * len(items),
                                   "列": items})


def test_the_round_trip_is_skipped_only_when_proven_and_the_values_allow(tmp_path, monkeypatch):
    template = make_template(tmp_path / "表.docx", "{{ 部门 }}", cells=LOOP_TABLE)
    compiled = engine.compiled_template(template)
    trips = []
    real = engine._Compiled._document
    monkeypatch.setattr(engine._Compiled, "_document", lambda self, xml: trips.append(xml) or real(self, xml))
    same_as_docxtpl(template, {"部门": HOSTILE_TEXT, "行表": [{"名称": "甲", "金额": 1}]})
    assert compiled.fixed_shape and trips == []
    same_as_docxtpl(template, {"部门": Markup("甲"), "行表": []})  # Markup may hold any XML
    same_as_docxtpl(template, {"部门": "甲\t乙", "行表": []})  # docxtpl makes a tab of it
    assert len(trips) == 2


def test_a_template_of_the_repository_qualifies():
    """hunan-department's 基础数据表: values in its cells and a loop over whole rows."""
    template = Path(__file__).resolve().parent.parent / "templates" / "hunan-department" / "基础数据表.docx"
    assert proven(template)
