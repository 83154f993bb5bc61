"""Narrative Markdown → WordprocessingML paragraphs (the 段落 and 行内 filters)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import Markup

from perfdoc.render.markdown import FILTERS, inline, paragraphs

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def parse(fragment: str) -> etree._Element:
    """The fragment as the body of a minimal document; fails unless it is well-formed."""
    document = etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{fragment}</w:body></w:document>'.encode())
    return document.find("w:body", NS)


def paras(markdown, *args, **kwargs) -> list[tuple[str, str]]:
    """(style, text) of each paragraph the filter makes."""
    body = parse(paragraphs(markdown, *args, **kwargs))
    return [
        (p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val"), "".join(p.itertext()))
        for p in body.iter(f"{{{W}}}p")
    ]


def test_filters_are_registered_under_chinese_and_ascii_names():
    assert FILTERS["段落"] is FILTERS["paragraphs"] is paragraphs
    assert FILTERS["行内"] is FILTERS["inline"] is inline


def test_result_is_markup_so_autoescape_leaves_it_alone():
    assert isinstance(paragraphs("文字"), Markup)
    assert isinstance(inline("文字"), Markup)


def test_blank_lines_separate_paragraphs_in_the_body_style():
    assert paras("第一段。\n\n第二段。") == [("PDBody", "第一段。"), ("PDBody", "第二段。")]


def test_style_argument_applies_to_body_paragraphs():
    assert paras("表内文字", "PDTableText") == [("PDTableText", "表内文字")]


def test_soft_line_break_joins_chinese_without_space():
    assert paras("第一行\n第二行") == [("PDBody", "第一行第二行")]


def test_soft_line_break_between_latin_words_keeps_a_space():
    assert paras("budget\nexecution") == [("PDBody", "budget execution")]


def test_hard_break_is_a_line_break_inside_the_paragraph():
    body = parse(paragraphs("第一行  \n第二行"))
    assert len(body.findall("w:p", NS)) == 1
    assert len(body.findall(".//w:br", NS)) == 1


def test_headings_map_to_heading_styles():
    text = "# 一\n\n## 二\n\n### 三\n\n#### 四\n\n###### 六\n\n正文"
    assert [style for style, _ in paras(text)] == [
        "PDHeading1",
        "PDHeading2",
        "PDHeading3",
        "PDHeading4",
        "PDHeading4",
        "PDBody",
    ]


def test_headings_in_a_cell_keep_the_cell_style_in_bold():
    body = parse(paragraphs("## 小标题\n\n正文", "PDTableText"))
    styles = [p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") for p in body.iter(f"{{{W}}}p")]
    assert styles == ["PDTableText", "PDTableText"]
    heading, text = body.findall("w:p", NS)
    assert heading.find("w:r/w:rPr/w:b", NS) is not None
    assert text.find("w:r/w:rPr/w:b", NS) is None


def test_ordered_list_keeps_its_numbers_in_the_text():
    assert paras("1. 甲\n2. 乙") == [("PDBody", "1. 甲"), ("PDBody", "2. 乙")]


def test_ordered_list_honours_its_start_number():
    assert paras("3. 丙\n4. 丁") == [("PDBody", "3. 丙"), ("PDBody", "4. 丁")]


@pytest.mark.parametrize(
    "pattern, expected",
    [("{n}、", "2、乙"), ("（{n}）", "（2）乙"), ("{n}．", "2．乙"), ("（{cn}）", "（二）乙")],
)
def test_numbering_pattern(pattern, expected):
    assert paras("1. 甲\n2. 乙", 编号=pattern)[1] == ("PDBody", expected)


@pytest.mark.parametrize(
    "name, expected", [("点", "2. 乙"), ("全角点", "2．乙"), ("顿号", "2、乙"), ("括号", "（2）乙"), ("中文括号", "（二）乙")]
)
def test_numbering_by_name_needs_no_braces(name, expected):
    assert paras("1. 甲\n2. 乙", 编号=name)[1] == ("PDBody", expected)


def test_list_items_take_the_style_argument():
    assert paras("1. 甲", "PDTableText") == [("PDTableText", "1. 甲")]


def test_bullet_items_are_prefixed():
    assert paras("- 甲\n- 乙") == [("PDBody", "● 甲"), ("PDBody", "● 乙")]


def test_empty_list_item_still_shows_its_number():
    assert paras("1.\n2. 乙") == [("PDBody", "1. "), ("PDBody", "2. 乙")]


def test_bold_and_italic_runs():
    body = parse(paragraphs("普通**粗体**和*斜体*"))
    runs = body.findall(".//w:r", NS)
    bold = [r for r in runs if r.find("w:rPr/w:b", NS) is not None]
    italic = [r for r in runs if r.find("w:rPr/w:i", NS) is not None]
    assert ["".join(r.itertext()) for r in bold] == ["粗体"]
    assert ["".join(r.itertext()) for r in italic] == ["斜体"]
    assert all(r.find("w:rPr/w:bCs", NS) is not None for r in bold)


@pytest.mark.parametrize("text", ["A & B", "x < y > z", 'say "hi"', "it's", "<b>粗</b>", "&amp; stays", "`代码`"])
def test_special_characters_come_out_literally(text):
    assert paras(text) == [("PDBody", text)]


def test_quotes_are_not_turned_into_entities():
    assert "'" in paragraphs("it's") and '"' in paragraphs('"q"')


def test_xml_illegal_control_characters_are_removed():
    assert paras("前\x00\x01\x08\x0b\x0c\x1f后") == [("PDBody", "前后")]


def test_indented_text_is_an_ordinary_paragraph():
    assert paras("    缩进的段落") == [("PDBody", "缩进的段落")]


def test_empty_input_still_makes_one_paragraph():
    # a table cell must keep at least one paragraph
    for empty in (None, "", "\n\n"):
        assert paras(empty) == [("PDBody", "")]


def test_style_and_pattern_cannot_break_the_xml():
    parse(paragraphs("1. x", '"/><w:evil a="', 编号="<{n}>&"))


def test_inline_makes_runs_only():
    xml = inline("**粗** & 细\n续")
    body = parse(f"<w:p>{xml}</w:p>")
    assert body.find(".//w:p/w:pPr", NS) is None
    assert "".join(body.itertext()) == "粗 & 细续"
    assert body.find(".//w:r/w:rPr/w:b", NS) is not None


def test_inline_character_style():
    body = parse(f"<w:p>{inline('文字', 'PDEmphasis')}</w:p>")
    assert body.find(".//w:rStyle", NS).get(f"{{{W}}}val") == "PDEmphasis"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["PDBody", "PDTableText"]), st.sampled_from(["{n}. ", "（{n}）"]))
def test_any_text_gives_well_formed_paragraphs(text, style, pattern):
    body = parse(paragraphs(text, style, 编号=pattern))
    assert len(body.findall("w:p", NS)) >= 1
    parse(f"<w:p>{inline(text)}</w:p>")
