"""Faults in .docx templates: each is reported with the template, the place in it, and the tag or name.

The place is said the way Word shows it (``第 12 段``, ``第 3 个表格第 2 行第 1 列``,
``页眉（word/header1.xml）第 1 段``), found by :mod:`perfdoc.render.diagnose`:
``render_document`` says it in its errors, and ``perfdoc build`` in its
warning about names a template uses that its data lacks.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from perfdoc.errors import RenderError
from perfdoc.render import problems
from perfdoc.render.diagnose import (
    locate,
    located,
    names_with_places,
    normalise,
    places,
    tag_problems,
    where,
)
from perfdoc.render.problems import TemplateProblem, describe
from perfdoc.render.templates import render_document, undefined_names
from perfdoc.render.extract import document_lines

REPO = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

CONTEXT = {
    "部门": {"名称": "测试部门"},
    "年度": 2022,
    "叙述": {"存在问题": "1. 第一条\n2. 第二条"},
    "x": "文字",
}


def render(template: Path, context: dict = CONTEXT, **kwargs) -> bytes:
    return render_document(template, context, **kwargs)


def make(path: Path, *paragraphs, cells=None, header: str = "", footer: str = "", before_table: int = 0) -> Path:
    """A template; a paragraph given as a tuple is written as one run per item (odd items bold)."""
    document = docx.Document()
    for text in paragraphs:
        paragraph = document.add_paragraph()
        for index, piece in enumerate((text,) if isinstance(text, str) else text):
            paragraph.add_run(piece).bold = bool(index % 2)
    for _ in range(before_table):
        table = document.add_table(rows=1, cols=1)
        table.cell(0, 0).text = "前表"
    if cells:
        table = document.add_table(rows=len(cells), cols=len(cells[0]))
        for row, texts in zip(table.rows, cells):
            for cell, text in zip(row.cells, texts):
                paragraph = cell.paragraphs[0]
                for index, piece in enumerate((text,) if isinstance(text, str) else text):
                    paragraph.add_run(piece).bold = bool(index % 2)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    document.save(path)
    return path


def error_of(template: Path, context: dict = CONTEXT, **kwargs) -> str:
    with pytest.raises(RenderError) as caught:
        render(template, context, **kwargs)
    return str(caught.value)


# ------------------------------------------------------------------ split runs


def test_a_tag_split_across_runs_renders_as_if_typed_in_one(tmp_path):
    template = make(
        tmp_path / "分段.docx",
        ("{{ 部", "门.名", "称 }}", "的报告"),
        ("{", "{ 年度 }", "}年"),  # split between the two braces
        ("{{p 叙述.存", "在问题|段落(", "\"PDBody\") }}"),
        ("{%p if 部门.名", "称 %}"),
        "有名称",
        ("{%p en", "dif %}"),
        cells=[[("单位：{{ 部门", ".名称 }}", "。")]],
    )
    lines = document_lines(render(template), blank=False)
    assert lines == ["测试部门的报告", "2022年", "1. 第一条", "2. 第二条", "有名称", "单位：测试部门。"]
    assert not any("{" in line or "}" in line for line in lines)


def test_split_paragraph_tag_in_a_cell_keeps_its_style(tmp_path):
    template = make(tmp_path / "格.docx", cells=[[("{{p 叙述.存在问题", "|段落(\"PDTableText\") }}")]])
    with zipfile.ZipFile(io.BytesIO(render(template))) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    styles = [s.get(f"{{{W}}}val") for s in body.iterfind(".//w:tc/w:p/w:pPr/w:pStyle", NS)]
    assert styles == ["PDTableText", "PDTableText"]


def test_a_split_tag_is_found_whole(tmp_path):
    template = make(tmp_path / "分段.docx", "前", ("{{ 部", "门.名", "称 }}"))
    assert where(template, "{{ 部门.名称 }}") == "第 2 段"
    assert where(template, "部门") == "第 2 段"


# ------------------------------------------------------------------ curly quotes


def test_curly_quotes_inside_a_tag_work_as_straight_quotes(tmp_path):
    # Word's AutoFormat turns "PDTableText" into “PDTableText” as it is typed.
    template = make(
        tmp_path / "引号.docx",
        "{{ 部门.名称|default(“无”) }}{{ 部门.编码|default(‘无编码’) }}",
        cells=[["{{p 叙述.存在问题|段落(“PDTableText”) }}"]],
    )
    data = render(template)
    lines = document_lines(data, blank=False)
    assert lines == ["测试部门无编码", "1. 第一条", "2. 第二条"]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    assert [s.get(f"{{{W}}}val") for s in body.iterfind(".//w:tc/w:p/w:pStyle", NS)] == []
    assert {s.get(f"{{{W}}}val") for s in body.iterfind(".//w:tc/w:p/w:pPr/w:pStyle", NS)} == {"PDTableText"}
    assert tag_problems(template) == []


def test_curly_quoted_paragraph_filter_in_running_text_names_paragraph_and_tag(tmp_path):
    template = make(tmp_path / "行中.docx", "第一段", "问题：{{ x|段落(“PDBody”) }}")
    message = error_of(template)
    assert "行中.docx" in message
    assert "第 2 段" in message
    assert '{{ x|段落("PDBody") }}' in message
    assert "{{p" in message


def test_full_width_brackets_and_quotes_are_named_with_the_fix(tmp_path):
    template = make(tmp_path / "全角.docx", "正文", cells=[["左", "右"], ["甲", "{{p 叙述.存在问题|段落（＂PDBody＂） }}"]])
    message = error_of(template)
    assert "全角.docx" in message and "语法错误" in message
    assert "第 1 个表格第 2 行第 2 列" in message
    assert "段落（＂PDBody＂）" in message
    assert "全角" in message and "“（”改为“(”" in message and "“＂”改为“\"”" in message


# ------------------------------------------------------------------ undefined names


def test_an_undefined_name_renders_blank_and_is_listed_with_its_place(tmp_path):
    template = make(tmp_path / "未定义.docx", "前", "后", cells=[["a", "b"], ["c", "金额 {{ 预箅.合计|万元 }}"]])
    assert document_lines(render(template), blank=False) == ["前", "后", "a", "b", "c", "金额 "]
    assert undefined_names(template, CONTEXT) == ["预箅"]
    found = names_with_places(template, ["预箅"])
    assert found == [TemplateProblem(problems.UNKNOWN_NAME, names=("预箅",), place="第 1 个表格第 2 行第 2 列")]
    assert [describe(problem) for problem in found] == ["预箅（第 1 个表格第 2 行第 2 列）"]


def test_strict_rendering_names_template_place_and_name(tmp_path):
    template = make(tmp_path / "严格.docx", "一", "二", "{{ 部门.名称 }}{{ 预箅.合计 }}")
    message = error_of(template, strict=True)
    assert "严格.docx" in message
    assert "预箅（第 3 段）" in message


def test_a_name_is_matched_as_a_variable_not_as_text(tmp_path):
    template = make(tmp_path / "名.docx", "预箅这两个字不是标签", "{% for 项 in 预箅 %}{{ 项 }}{% endfor %}", "{{ 预箅x }}")
    assert where(template, "预箅") == "第 2 段"


# ------------------------------------------------------------------ missing and broken files


def test_missing_template_is_named(tmp_path):
    message = error_of(tmp_path / "格式" / "不存在.docx")
    assert "找不到模板文件" in message and "不存在.docx" in message


def test_a_template_that_is_not_a_zip_is_named(tmp_path):
    path = tmp_path / "不是压缩包.docx"
    path.write_bytes(b"PK\x03\x04 but not really a zip file")
    message = error_of(path)
    assert "不是压缩包.docx" in message and "不是有效的 Word" in message
    assert places(path) == [] and tag_problems(path) == [] and where(path, "{{ x }}") == ""


def test_a_template_whose_document_part_is_not_xml_is_named(tmp_path):
    good = make(tmp_path / "好.docx", "{{ 部门.名称 }}")
    bad = tmp_path / "坏.docx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<w:document" if item.filename == "word/document.xml" else data)
    message = error_of(bad)
    assert "坏.docx" in message


# ------------------------------------------------------------------ Jinja syntax errors


def test_syntax_error_in_a_body_paragraph(tmp_path):
    template = make(tmp_path / "语法.docx", "标题", "正文", "金额 {{ 预算.调整后预算|万元( }}", "之后")
    message = error_of(template)
    assert "语法.docx" in message and "语法错误" in message
    assert "第 3 段" in message
    assert "{{ 预算.调整后预算|万元( }}" in message


def test_syntax_error_in_a_table_cell_names_table_row_and_column(tmp_path):
    template = make(
        tmp_path / "表格.docx",
        "标题",
        before_table=2,
        cells=[["项目", "金额"], ["合计", "{{ 预算.调整后预算 + }}"], ["备注", ""]],
    )
    message = error_of(template)
    assert "表格.docx" in message
    assert "第 3 个表格第 2 行第 2 列" in message
    assert "{{ 预算.调整后预算 + }}" in message


def test_unclosed_brace_in_one_cell_is_found_although_jinja_reads_on_into_the_next(tmp_path):
    template = make(tmp_path / "括号.docx", cells=[["a", "b"], ["{{ 部门.名称 }", "{{ 年度 }}"]])
    message = error_of(template)
    assert "第 1 个表格第 2 行第 1 列“{{ 部门.名称 }”" in message
    assert "没有闭合" in message
    assert "第 1 个表格第 2 行第 2 列" not in message  # the neighbour is fine


def test_unclosed_for_names_the_opening_tag_not_the_end_of_the_document(tmp_path):
    template = make(tmp_path / "循环.docx", "前", cells=[["{%tr for 行 in 列表 %}"], ["{{ 行 }}"]])
    message = error_of(template)
    assert "循环.docx" in message
    assert "第 1 个表格第 1 行第 1 列“{%tr for 行 in 列表 %}”：缺少对应的 {% endfor %}" in message


def test_stray_end_tag(tmp_path):
    template = make(tmp_path / "多余.docx", "{%p if 年度 %}", "有", "{%p endif %}", "{%p endfor %}")
    message = error_of(template)
    assert "第 4 段“{%p endfor %}”：多出的 {% endfor %}" in message


def test_misspelled_filter(tmp_path):
    template = make(tmp_path / "过滤器.docx", "一", "{{ 年度|万圆 }}")
    message = error_of(template)
    assert "第 2 段" in message and "{{ 年度|万圆 }}" in message and "万圆" in message


def test_syntax_error_in_the_header_names_the_header(tmp_path):
    template = make(tmp_path / "页眉.docx", "正文", header="{{ 年度 + }}")
    message = error_of(template)
    assert "页眉.docx（word/header1.xml）" in message
    assert "页眉（word/header1.xml）第 1 段" in message and "{{ 年度 + }}" in message


def test_error_in_the_footer_names_the_footer(tmp_path):
    template = make(tmp_path / "页脚.docx", "正文", footer="第 {{ 年度|万圆 }} 页")
    message = error_of(template)
    assert "页脚（word/footer1.xml）第 1 段" in message


def test_runtime_error_names_the_tag_and_its_place(tmp_path):
    template = make(tmp_path / "运行.docx", "一", "二", cells=[["{{ 没有.金额 + 1 }}"]])
    message = error_of(template)
    assert "运行.docx" in message and "{{ 没有.金额 + 1 }}" in message
    assert "第 1 个表格第 1 行第 1 列" in message


def test_places_in_nested_tables_and_text_boxes_are_spelled_out(tmp_path):
    document = docx.Document()
    document.add_paragraph("前")
    outer = document.add_table(rows=2, cols=2)
    outer.cell(1, 1).paragraphs[0].text = "外"
    inner = outer.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 1).text = "{{ 内层 }}"
    path = tmp_path / "嵌套.docx"
    document.save(path)
    assert where(path, "内层") == "第 1 个表格第 2 行第 2 列中的第 1 个表格第 1 行第 2 列"
    assert where(path, "外") == "第 1 个表格第 2 行第 2 列第 1 段"


# ------------------------------------------------------------------ the real templates


@pytest.mark.parametrize("template", sorted((REPO / "templates").glob("*/*.docx")), ids=lambda p: p.name)
def test_real_templates_have_no_tag_problems_and_every_tag_has_a_place(template):
    assert tag_problems(template) == []
    paragraphs = places(template)
    assert paragraphs
    tagged = [p for p in paragraphs if "{{" in p.text or "{%" in p.text]
    assert tagged
    for paragraph in tagged:
        assert paragraph.phrase
        assert locate(template, paragraph.text.strip()), paragraph


def test_located_is_idempotent_and_never_raises(tmp_path):
    template = make(tmp_path / "x.docx", "{{ 年度 + }}")
    problem = TemplateProblem(problems.SYNTAX, "x.docx", "word/document.xml", tag="{{ 年度 + }}", detail="…")
    once = located(problem, template)
    assert once != problem and "第 1 段" in describe(once)
    assert located(once, template) == once
    assert located(problem, tmp_path / "没有.docx") == problem
    assert located(problem, b"not a zip") == problem


def test_normalise_reads_tags_as_jinja_does():
    assert normalise("{%tr for x in “y” %}") == '{% for x in "y" %}'
    assert normalise("{{p  a|段落 }}") == "{{ a|段落 }}"
    assert normalise("{{a}}") == "{{ a }}"


# ------------------------------------------------------------------ the engine and perfdoc build


def test_engine_says_where_a_syntax_error_is(tmp_path):
    template = make(tmp_path / "语法.docx", "一", "{{ 年度 + }}")
    with pytest.raises(RenderError, match="第 2 段"):
        render_document(template, CONTEXT)


def test_engine_strict_says_where_an_unknown_name_is(tmp_path):
    template = make(tmp_path / "严格.docx", "一", "{{ 预箅 }}")
    with pytest.raises(RenderError, match="预箅（第 2 段）"):
        render_document(template, CONTEXT, strict=True)


def test_undefined_names_says_where_a_syntax_error_is(tmp_path):
    template = make(tmp_path / "语法.docx", "一", "二", cells=[["{{ 年度 + }}"]])
    with pytest.raises(RenderError, match="第 1 个表格第 1 行第 1 列"):
        undefined_names(template, CONTEXT)


def test_a_failing_tag_is_located_in_the_record(tmp_path):
    template = make(tmp_path / "块.docx", "一", "{{ 年度 + 没有 }}")
    with pytest.raises(RenderError) as caught:
        render_document(template, CONTEXT)
    problem = caught.value.problem
    assert (problem.code, problem.tag, problem.place) == (problems.UNDEFINED, "{{ 年度 + 没有 }}", "第 2 段")


def test_a_problem_without_a_place_to_add_is_unchanged(tmp_path):
    template = make(tmp_path / "无.docx", "一")
    problem = TemplateProblem(problems.FAILED, "无.docx", "word/document.xml", detail="别的问题")
    assert located(problem, template) is problem


def _workspace(root: Path, template_paragraphs) -> Path:
    from perfdoc.testing.workspace import make_template, make_workspace

    make_workspace(root)
    make_template(root / "templates" / "testfmt" / "表.docx", *template_paragraphs)
    return root


def _build(root: Path):
    import os

    env = {**os.environ, "PERFDOC_TEMPLATES": str(root / "templates")}
    return subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", "build", "--jobs", "1"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_build_with_a_broken_template_names_it_and_still_makes_the_others(tmp_path):
    root = _workspace(tmp_path, ["{{ 部门.名称 }}", "{{ 年度 + }}"])
    done = _build(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    assert "templates/testfmt/表.docx" in done.stderr and "{{ 年度 + }}" in done.stderr
    assert sorted(p.name for p in (root / "build").rglob("*.docx")) == ["乙部门2022年度测试报告.docx", "甲部门2022年度测试报告.docx"]


def test_build_says_where_a_broken_tag_is(tmp_path):
    root = _workspace(tmp_path, ["{{ 部门.名称 }}", "{{ 年度 + }}"])
    done = _build(root)
    assert "第 2 段" in done.stderr


def test_build_with_a_missing_or_broken_template_file(tmp_path):
    root = _workspace(tmp_path, ["{{ 部门.名称 }}"])
    (root / "templates" / "testfmt" / "表.docx").unlink()
    (root / "templates" / "testfmt" / "报告.docx").write_text("不是 Word 文件", encoding="utf-8")
    done = _build(root)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    assert "templates/testfmt/format.yaml:6:9: PD808 找不到模板“表.docx”" in done.stderr  # the format itself is wrong
    assert not list((root / "build").rglob("*.docx"))
    make(root / "templates" / "testfmt" / "表.docx", "{{ 部门.名称 }}")
    done = _build(root)
    assert done.returncode == 1
    assert "templates/testfmt/报告.docx: PD901 不是 Word（.docx）文件" in done.stderr


def test_build_warning_says_where_an_unknown_name_is(tmp_path):
    root = _workspace(tmp_path, ["{{ 部门.名称 }}", "{{ 预箅.合计 }}"])
    done = _build(root)
    assert done.returncode == 0, done.stderr
    assert "templates/testfmt/表.docx" in done.stderr and "预箅（第 2 段）" in done.stderr


def test_a_tag_closed_with_the_wrong_brace(tmp_path):
    template = make(tmp_path / "结尾.docx", "一", "{%p if 年度 }}", "有", "{%p endif %}")
    message = error_of(template)
    assert "结尾.docx" in message
    assert "第 2 段“{%p if 年度 }}”" in message and "结尾写成了 }}" in message


# ------------------------------------------------------------------ the shape of the code


def _imports(path: Path) -> set:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
            found.update(f"{node.module or ''}.{alias.name}".lstrip(".") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_renderer_and_the_template_reader_do_not_import_each_other():
    render = REPO / "perfdoc" / "render"
    assert not any("diagnose" in name for name in _imports(render / "engine.py"))
    assert not any("engine" in name for name in _imports(render / "diagnose.py"))


def test_one_sandbox_module_makes_every_jinja_environment():
    for path in (REPO / "perfdoc").rglob("*.py"):
        if path.name == "sandbox.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "SandboxedEnvironment" not in text and "jinja2.Environment" not in text, path


def test_a_problem_is_an_immutable_record_worded_once():
    import dataclasses

    problem = TemplateProblem(problems.UNKNOWN_NAMES, "t.docx", names=("预箅", "年度x"), places=("第 2 段", ""))
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.names = ()
    assert describe(problem) == "模板 t.docx 引用了不存在的名称：预箅（第 2 段）、年度x"
    header = TemplateProblem(problems.SYNTAX, "t.docx", "word/header1.xml", "第 1 段", "{{ 年度 + }}",
                             detail="unexpected end of template")
    assert describe(header) == ("模板 t.docx（word/header1.xml） 有语法错误：标签写法有误（如花括号不配对、括号不配对）"
                                "（unexpected end of template）；出错的标签：{{ 年度 + }}；位置：第 1 段")


def test_a_template_problem_error_survives_the_trip_from_a_worker():
    import pickle

    from perfdoc.render.problems import TemplateProblemError

    error = TemplateProblemError(TemplateProblem(problems.UNDEFINED, "t.docx", tag="{{ a + 1 }}", detail="'a' is undefined"))
    back = pickle.loads(pickle.dumps(error))
    assert back.problem == error.problem and str(back) == str(error)


# ------------------------------------------------------------------ one numbering: lists from 1

LISTS = {**CONTEXT, "任务": [{"名称": "甲"}, {"名称": "乙"}], "预算": {"实际支出": {"一般公共预算": 3, "政府性基金": 1}}}


def test_a_template_numbers_list_items_from_1_as_narratives_do(tmp_path):
    template = make(tmp_path / "序号.docx", "{{ 任务[1].名称 }}、{{ 任务[2].名称 }}；末项{{ 任务[-1].名称 }}")
    assert "甲、乙；末项乙" in "\n".join(document_lines(render(template, LISTS)))


def test_an_index_0_does_not_compile_and_says_where_and_how_to_write_it(tmp_path):
    template = make(tmp_path / "零.docx", "前言", "{{ 任务[0].名称 }}")
    message = error_of(template, LISTS)
    assert "零.docx" in message and "第 2 段" in message and "第一项写作 [1]" in message


def test_an_item_past_the_end_is_an_error_with_the_valid_numbers_not_a_blank(tmp_path):
    template = make(tmp_path / "越界.docx", "一", cells=[["{{ 任务[3].名称 }}"]])
    message = error_of(template, LISTS)
    assert "第 3 项不存在：列表只有 2 项（[1]～[2]）" in message
    assert "{{ 任务[3].名称 }}" in message and "第 1 个表格第 1 行第 1 列" in message
    assert "倒数第 3 项不存在" in error_of(make(tmp_path / "倒数.docx", "{{ 任务[-3].名称 }}"), LISTS)


def test_a_group_printed_as_it_is_is_an_error_naming_its_figures(tmp_path):
    template = make(tmp_path / "一组.docx", "实际支出{{ 预算.实际支出 }}万元")
    message = error_of(template, LISTS)
    assert "不能直接写进文字；请引用其中之一：一般公共预算、政府性基金" in message
    assert "{{ 预算.实际支出 }}" in message and "第 1 段" in message
    listed = make(tmp_path / "列表.docx", "{{ 任务 }}")
    assert "这是一个列表（2 项），不能直接写进文字；请引用其中一项，如 [1]" in error_of(listed, LISTS)
