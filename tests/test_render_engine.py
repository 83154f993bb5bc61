"""Rendering one template: values, blanks for missing data, and errors that name the template."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import docx
import pytest
from lxml import etree

from perfdoc.errors import RenderError, UserError
from oracle import make_template, render_with_docxtpl
from perfdoc.render.templates import render_document, undefined_names
from perfdoc.render.extract import document_lines, document_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

CONTEXT = {
    "部门": {"名称": "测试部门"},
    "年度": 2022,
    "预算": {"调整后预算": Decimal("655.5")},
    "叙述": {"存在问题": "1. 第一条\n2. **第二条**"},
    "空": None,
}


def body_of(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml")).find("w:body", NS)


def render_lines(tmp_path, *paragraphs, context=CONTEXT, **kwargs) -> list[str]:
    template = make_template(tmp_path / "模板.docx", *paragraphs, **kwargs)
    return document_lines(render_document(template, context), blank=False)


def test_values_and_filters(tmp_path):
    assert render_lines(tmp_path, "{{ 部门.名称 }}{{ 年度 }}年度：{{ 预算.调整后预算|万元 }}万元") == [
        "测试部门2022年度：655.50万元"
    ]


def test_missing_data_renders_blank(tmp_path):
    lines = render_lines(tmp_path, "[{{ 空 }}][{{ 部门.编码 }}][{{ 没有.a.b }}][{{ 没有.c|万元 }}][{{ 空|百分比 }}]")
    assert lines == ["[][][][][]"]


def test_values_are_escaped_and_cleaned(tmp_path):
    context = {"名称": 'A&B <公司> "甲"\x01\x0c乙'}
    assert render_lines(tmp_path, "{{ 名称 }}", context=context) == ['A&B <公司> "甲"乙']


def test_docxtpl_escapes_in_values_are_printed_as_typed_by_both_renderers(tmp_path):
    # docxtpl turns {_{ }_} {_% %_} of the rendered XML into {{ }} {% %}: values must not be
    context = {
        "一": "{_{ }_} {_% %_}",
        "左": "{",  # a pair made of two values side by side
        "右": "_{",
        "数": 1234,
        "名": "a_b_",
        "叙述": "甲{_{乙\n\n丙%_}丁",
    }
    template = make_template(
        tmp_path / "t.docx", "{{ 一 }}", "{{ 左 }}{{ 右 }}|{{ 数 }}_{{ 左 }}", "{{ 名 }}", "{{p 叙述|段落 }}", "{_{ 模板 }_}"
    )
    fast = render_document(template, context)
    assert fast == render_with_docxtpl(template, context)
    assert document_lines(fast, blank=False) == [
        "{_{ }_} {_% %_}", "{_{|1234_{", "a_b_", "甲{_{乙", "丙%_}丁", "{{ 模板 }}"  # the template's own stay docxtpl's
    ]
    with zipfile.ZipFile(io.BytesIO(fast)) as package:
        xml = package.read("word/document.xml").decode()
    assert "&#95;" not in xml and "{_{ }_} {_% %_}" in xml  # the same bytes as an underscore


def test_entities_in_narratives_are_printed_as_typed(tmp_path):
    context = {"叙述": "A &amp; B &lt;b&gt; &#169; &copy; \\*不是强调\\* **粗**"}
    template = make_template(tmp_path / "t.docx", "{{p 叙述|段落 }}")
    assert document_lines(render_document(template, context), blank=False) == [
        "A &amp; B &lt;b&gt; &#169; &copy; *不是强调* 粗"
    ]


def test_paragraph_filter_replaces_the_template_paragraph(tmp_path):
    lines = render_lines(tmp_path, "前", "{{p 叙述.存在问题|段落 }}", "后")
    assert lines == ["前", "1. 第一条", "2. 第二条", "后"]


def test_paragraph_filter_in_a_table_cell_takes_the_style(tmp_path):
    template = make_template(tmp_path / "t.docx", cells=[['{{p 叙述.存在问题|段落("PDTableText") }}', "右"]])
    body = body_of(render_document(template, CONTEXT))
    styles = [s.get(f"{{{W}}}val") for s in body.iterfind(".//w:tc/w:p/w:pPr/w:pStyle", NS)]
    assert styles == ["PDTableText", "PDTableText"]


def test_missing_narrative_leaves_an_empty_paragraph_in_its_cell(tmp_path):
    template = make_template(tmp_path / "t.docx", cells=[["{{p 叙述.没有|段落 }}"]])
    body = body_of(render_document(template, CONTEXT))
    assert len(body.findall(".//w:tc/w:p", NS)) == 1


def test_inline_filter_replaces_the_run(tmp_path):
    lines = render_lines(tmp_path, "单位：{{r 名称|行内 }}。", context={"名称": "**甲**乙"})
    assert lines == ["单位：甲乙。"]


def test_sandbox_hides_internals(tmp_path):
    assert render_lines(tmp_path, "[{{ 名称.__class__.__mro__ }}]", context={"名称": "x"}) == ["[]"]


def test_render_error_is_a_user_error():
    assert issubclass(RenderError, UserError)


def test_missing_template_is_named(tmp_path):
    with pytest.raises(RenderError, match="找不到模板文件.*不存在.docx"):
        render_document(tmp_path / "不存在.docx", CONTEXT)


def test_template_that_is_not_a_zip(tmp_path):
    path = tmp_path / "坏.docx"
    path.write_text("not a zip")
    with pytest.raises(RenderError, match="坏.docx 不是有效的 Word"):
        render_document(path, CONTEXT)


def test_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "坏.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("a.txt", "x")
    with pytest.raises(RenderError, match="坏.docx 不是有效的 Word"):
        render_document(path, CONTEXT)


def test_syntax_error_names_template_and_tag(tmp_path):
    template = make_template(tmp_path / "语法.docx", "正常", "金额 {{ 预算.调整后预算|万元( }}", "之后")
    with pytest.raises(RenderError) as caught:
        render_document(template, CONTEXT)
    message = str(caught.value)
    assert "语法.docx" in message and "语法错误" in message
    assert "{{ 预算.调整后预算|万元( }}" in message


def test_unclosed_block_is_a_syntax_error(tmp_path):
    template = make_template(tmp_path / "块.docx", "{% for x in 列表 %}", "{{ x }}")
    with pytest.raises(RenderError, match="块.docx 有语法错误"):
        render_document(template, CONTEXT)


def test_computing_with_missing_data_names_the_tag(tmp_path):
    template = make_template(tmp_path / "缺.docx", "{{ 没有.金额 + 1 }}")
    with pytest.raises(RenderError) as caught:
        render_document(template, CONTEXT)
    assert "缺.docx" in str(caught.value) and "{{ 没有.金额 + 1 }}" in str(caught.value)


def test_type_error_in_template(tmp_path):
    template = make_template(tmp_path / "型.docx", "{{ 年度 + '年' }}")
    with pytest.raises(RenderError, match="型.docx 无法渲染"):
        render_document(template, CONTEXT)


def test_paragraph_filter_inside_running_text_is_refused(tmp_path):
    template = make_template(tmp_path / "错位.docx", "问题：{{ 叙述.存在问题|段落 }}")
    with pytest.raises(RenderError, match=r"错位.docx.*\{\{p"):
        render_document(template, CONTEXT)


def test_error_in_header_names_the_part(tmp_path):
    template = make_template(tmp_path / "页眉.docx", "正文", header="{{ 年度 + }}")
    with pytest.raises(RenderError, match=r"页眉.docx（word/header\d*.xml）"):
        render_document(template, CONTEXT)


def test_undefined_names_lists_top_level_mistakes_only(tmp_path):
    template = make_template(
        tmp_path / "名.docx", "{{ 部门.名称 }}{{ 部门.编码 }}{{ 预箅.合计 }}", "{% for x in range(2) %}{{ x }}{% endfor %}"
    )
    assert undefined_names(template, CONTEXT) == ["预箅"]


def test_strict_refuses_unknown_names(tmp_path):
    template = make_template(tmp_path / "严.docx", "{{ 预箅.合计 }}")
    assert document_text(render_document(template, CONTEXT)).strip() == ""
    with pytest.raises(RenderError, match="严.docx 引用了不存在的名称：预箅"):
        render_document(template, CONTEXT, strict=True)


# ------------------------------------------------------------------ extract


def test_text_follows_body_order_with_one_line_per_cell(tmp_path):
    document = docx.Document()
    document.add_paragraph("前")
    table = document.add_table(rows=3, cols=2)
    merged = table.cell(0, 0).merge(table.cell(1, 0))  # vertical: the second w:tc continues the first
    merged.text = "合并"
    table.cell(0, 1).text = "右上"
    table.cell(1, 1).text = "右中"
    nested = table.cell(1, 1).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "内甲"
    nested.cell(0, 1).text = "内乙"
    wide = table.cell(2, 0).merge(table.cell(2, 1))  # horizontal: one w:tc
    wide.text = "整行"
    document.add_paragraph("后")
    path = tmp_path / "表.docx"
    document.save(path)
    lines = document_lines(path)
    assert lines == ["前", "合并", "右上", "右中", "内甲", "内乙", "", "整行", "后"]
    assert document_text(path.read_bytes()) == "\n".join(lines) + "\n"
    assert document_lines(path, blank=False) == [line for line in lines if line]


def test_text_of_a_file_that_is_not_a_docx(tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"plain")
    with pytest.raises(UserError, match="不是有效的 .docx"):
        document_text(path)


def test_numbering_named_inside_a_paragraph_tag(tmp_path):
    # a {{p …}} tag cannot hold "}", so a pattern such as "（{n}）" is given by name
    lines = render_lines(tmp_path, '{{p 叙述.存在问题|段落(编号="括号") }}')
    assert lines == ["（1）第一条", "（2）第二条"]


# ------------------------------------------------------------------ the bounds leave ordinary templates alone

ORDINARY = [
    "{% for x in 表 %}{{ loop.index }}/{{ loop.length }}{{ x.名 }}{% if loop.last %}。{% endif %}{% endfor %}",
    "{{ 表|map(attribute='名')|join('、') }}|{{ 表|selectattr('值', 'gt', 1)|list|length }}|{{ 表|sum(attribute='值') }}",
    "{{ 部门.名称 ~ '（' ~ 年度 ~ '）' }}{{ '-' * 10 }}{{ 2 ** 10 }}{{ ([1, 2] + [3])|join(',') }}{{ 'a,b'.split(',')|join('、') }}",
    "{% set ns = namespace(total=0) %}{% for x in 表 %}{% set ns.total = ns.total + x.值 %}{% endfor %}{{ ns.total }}",
    "{% macro cell(x) %}[{{ x }}]{% endmacro %}{% for x in 表 %}{{ cell(x.名) }}{% endfor %}{{ 表|batch(2)|list|length }}",
    "{% for x in 树 recursive %}{{ x.名 }}{% if x.子 %}({{ loop(x.子) }}){% endif %}{% endfor %}",
    "{{ '%s年' | format(年度) }}{{ '{}-{}'.format(1, 2) }}{{ 表|first|attr('keys') is defined }}{{ range(3)|list|join }}",
]


@pytest.mark.parametrize("source", ORDINARY)
def test_templates_render_in_the_bounded_sandbox_as_in_jinjas(source):
    from jinja2 import ChainableUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from perfdoc.render.sandbox import template_environment

    bounded = template_environment()
    plain = SandboxedEnvironment(autoescape=True, undefined=ChainableUndefined, finalize=bounded.finalize)
    # Jinja's own filters as Jinja has them, perfdoc's as the templates have them
    plain.filters.update({name: f for name, f in bounded.filters.items() if name not in plain.filters and name[0] != "_"})
    context = {
        **CONTEXT,
        "表": [{"名": f"名{i}", "值": i} for i in range(4)],
        "树": [{"名": "根", "子": [{"名": "枝", "子": [{"名": "叶"}]}]}],
    }
    assert bounded.from_string(source).render(context) == plain.from_string(source).render(context)
