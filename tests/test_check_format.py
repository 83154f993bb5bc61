"""check-format on templates (PD9xx), and templates changed the way Word changes them."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from perfdoc.cli.main import main
from perfdoc.load.formats import load_format
from perfdoc.render.check import check_template
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent

LINXIANG = REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2022.yaml"
SHIPPED = REPO / "templates" / "hunan-department" / "自评报告.docx"


def run(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def family(tmp_path, monkeypatch):
    """A copy of the shipped Hunan family (national, hunan-department, hunan-linxiang) to edit."""
    templates = tmp_path / "templates"
    for name in ("national", "hunan-department", "hunan-linxiang"):
        shutil.copytree(REPO / "templates" / name, templates / name)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(templates))
    monkeypatch.chdir(tmp_path)
    return templates / "hunan-department" / "自评报告.docx"


def render_linxiang(tmp_path: Path):
    out = tmp_path / "out.docx"
    result = run("render", str(LINXIANG), "-o", str(out))
    return result, (document_text(out.read_bytes()) if out.is_file() else "")


def findings(template: Path, fmt_name: str = "hunan-linxiang"):
    return [(d.code, d.severity.value, d.message) for d in check_template(template, load_format(fmt_name))]


def paragraph_with(document, text: str):
    return next(p for p in document.paragraphs if text in p.text)


def write_plain(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


# ------------------------------------------------------------------ every code fails and passes


def test_shipped_templates_check_clean():
    for name in ("guangzhou", "hunan-linxiang", "hunan-yiyang"):
        fmt = load_format(name)
        for document in fmt.documents:
            assert findings(document.template, name) == [], document.template


def test_pd901_not_a_word_file(tmp_path):
    bad = tmp_path / "报告.docx"
    bad.write_text("这不是 Word 文件", encoding="utf-8")
    ((code, severity, message),) = [(d.code, d.severity.value, d.message) for d in check_template(bad)]
    assert code == "PD901" and "无法作为压缩包打开" in message
    assert check_template(write_plain(tmp_path / "好.docx", "{{ 年度 }}")) == []


def test_pd902_a_broken_tag_is_placed_in_its_table_cell(tmp_path, family):
    document = docx.Document(str(family))
    table = document.tables[0]
    cell = docx.table._Cell(table._tbl.tr_lst[1].tc_lst[1], table)  # the 联系人 cell, as Word counts cells
    cell.paragraphs[0].text = "{{ 部门.联系人|万无 }}"
    document.save(family)
    ((code, _, message),) = findings(family)
    assert code == "PD902" and message.startswith("第 1 个表格第 2 行第 2 列“{{ 部门.联系人|万无 }}”") and "万无" in message
    cell.paragraphs[0].text = "{{ 部门.联系人 }}"
    document.save(family)
    assert findings(family) == []


def test_pd903_a_tag_split_into_runs_formatted_differently(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("本年度：")
    paragraph.add_run("{{ 年")
    paragraph.add_run("度 }}").bold = True
    document.save(tmp_path / "a.docx")
    ((code, severity, message),) = [(d.code, d.severity.value, d.message) for d in check_template(tmp_path / "a.docx")]
    assert (code, severity) == ("PD903", "warning") and message.startswith("第 1 段“{{ 年度 }}”")
    paragraph.runs[-1].bold = None
    document.save(tmp_path / "a.docx")
    assert check_template(tmp_path / "a.docx") == []


@pytest.mark.parametrize("typed", ["｛｛ 年度 ｝｝", "{{ 年度 ｝｝", "{％ if 年度 %}有{% endif %}"])
def test_pd904_full_width_braces_and_percent_signs_from_an_ime(tmp_path, typed):
    template = write_plain(tmp_path / "a.docx", "封面", f"{typed}年度报告")
    found = [(d.code, d.message) for d in check_template(template)]
    assert found and all(code == "PD904" for code, _ in found)
    assert found[0][1].startswith("第 2 段") and "半角" in found[0][1]
    fixed = typed.translate(str.maketrans("｛｝％", "{}%"))
    assert check_template(write_plain(tmp_path / "b.docx", "封面", f"{fixed}年度报告")) == []


def test_pd904_full_width_punctuation_inside_a_tag(tmp_path):
    template = write_plain(tmp_path / "a.docx", "{{ 预算.调整后预算|万元（2） }}")
    ((code, message),) = [(d.code, d.message) for d in check_template(template)]
    assert code == "PD904" and "“（”改为“(”" in message


def test_pd905_unknown_names_and_fields_with_did_you_mean(tmp_path, family):
    document = docx.Document(str(family))
    paragraph_with(document, "{{ 格式.财政部门 }}").text = "{{ 格式.财政部 }}（制）{{ 预箅.调整后预算 }}"
    document.save(family)
    found = findings(family)
    assert [code for code, _, _ in found] == ["PD905", "PD905"]
    messages = " ".join(message for _, _, message in found)
    assert "没有名为“预箅”的数据；是否应为“预算”？" in messages
    assert "“格式.财政部”：格式中没有“财政部”；是否应为“财政部门”？" in messages
    assert "第 19 段" in messages
    paragraph_with(document, "格式.财政部").text = "{{ 格式.财政部门 }}（制）{{ 预算.调整后预算 }}"
    document.save(family)
    assert findings(family) == []


def test_pd906_styles_the_engine_writes(tmp_path, family):
    plain = write_plain(tmp_path / "a.docx", "{{p 叙述.存在问题|段落 }}")
    ((code, severity, message),) = [(d.code, d.severity.value, d.message) for d in check_template(plain)]
    assert (code, severity) == ("PD906", "warning") and "PDBody" in message and message.startswith("第 1 段")
    assert check_template(family) == []  # the shipped template has them


def test_pd907_a_trial_render_that_fails(tmp_path, family):
    document = docx.Document(str(family))
    paragraph_with(document, "{{ 格式.财政部门 }}").text = "{{ 部门.名称|万元(1, 2, 3, 4) }}"
    document.save(family)
    found = findings(family)
    assert [code for code, _, _ in found] == ["PD907"]
    document = docx.Document(str(family))
    paragraph_with(document, "万元(1, 2, 3, 4)").text = "{{ 格式.财政部门 }}（制）"
    document.save(family)
    assert findings(family) == []


# ------------------------------------------------------------------ as Word changes a template


def test_a_run_split_in_two_still_builds_the_same_text(tmp_path, family):
    _, before = render_linxiang(tmp_path)
    document = docx.Document(str(family))
    paragraph = paragraph_with(document, "{{ 格式.财政部门 }}")
    run = next(r for r in paragraph.runs if "财政部门" in r.text)
    text = run.text
    cut = text.index("财政") + 1
    run.text = text[:cut]
    twin = copy.deepcopy(run._r)
    run._r.addnext(twin)
    twin.find(docx.oxml.ns.qn("w:t")).text = text[cut:]
    document.save(family)
    assert len(paragraph_with(docx.Document(str(family)), "财政部门").runs) >= 2
    assert findings(family) == []
    result, after = render_linxiang(tmp_path)
    assert result.exit_code == 0, result.output
    assert after == before and "临湘市财政局（制）" in after


def test_a_renamed_style_still_builds(tmp_path, family):
    document = docx.Document(str(family))
    document.styles["PDBody"].name = "正文内容"
    document.save(family)
    assert findings(family) == []
    result, text = render_linxiang(tmp_path)
    assert result.exit_code == 0, result.output and "临湘市财政局（制）" in text


def test_a_column_added_in_a_table_still_builds(tmp_path, family):
    document = docx.Document(str(family))
    table = document.tables[1]
    before = len(table.columns)
    table.add_column(docx.shared.Cm(2)).cells[0].text = "备注"
    document.save(family)
    assert len(docx.Document(str(family)).tables[1].columns) == before + 1
    assert findings(family) == []
    result, text = render_linxiang(tmp_path)
    assert result.exit_code == 0, result.output
    assert "备注" in text and "366.10" in text


def test_build_refuses_a_broken_template_with_check_formats_message(tmp_path, family):
    document = docx.Document(str(family))
    paragraph_with(document, "{{ 格式.财政部门 }}").text = "｛｛ 格式.财政部门 ｝｝（制）"
    document.save(family)
    check = run("check-format", "hunan-linxiang")
    assert check.exit_code == 1
    line = next(line for line in check.output.splitlines() if "PD904" in line)
    assert line.startswith("templates/hunan-department/自评报告.docx: PD904 第 19 段")
    result, _ = render_linxiang(tmp_path)
    assert result.exit_code != 0 and line in result.output and "内部错误" not in result.output


def test_a_change_to_the_base_format_rebuilds_its_members(tmp_path, family):
    source = tmp_path / "sources" / "hunan-linxiang" / "临湘市总工会" / "2022.yaml"
    source.parent.mkdir(parents=True)
    shutil.copy(LINXIANG, source)
    first = run("build", "--jobs", "1", "sources")
    assert first.exit_code == 0 and "生成 1，跳过 0" in first.output, first.output
    assert "生成 0，跳过 1" in run("build", "--jobs", "1", "sources").output
    base = family.parent / "format.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("变动提示阈值: 30", "变动提示阈值: 40"), encoding="utf-8")
    assert "生成 1，跳过 0" in run("build", "--jobs", "1", "sources").output


def test_loops_sets_and_mapping_methods_are_not_unknown_names(tmp_path, family):
    document = docx.Document(str(family))
    paragraph_with(document, "{{ 格式.财政部门 }}").text = (
        "{% for 名, 文 in 叙述.items() %}{{ 名 }}{% endfor %}{% set 指标 = 任务表 %}{{ 指标.名称 }}{{ 格式.财政部门 }}（制）")
    document.save(family)
    assert findings(family) == []


# ------------------------------------------------------------------ one numbering: lists from 1


def test_pd902_an_index_0_is_an_error_with_the_fix(tmp_path):
    template = write_plain(tmp_path / "a.docx", "封面", "第一个机构：{{ 机构收支[0].名称 }}")
    ((code, severity, message),) = [(d.code, d.severity.value, d.message) for d in check_template(template)]
    assert (code, severity) == ("PD902", "error")
    assert message.startswith("第 2 段“{{ 机构收支[0].名称 }}”") and "第一项写作 [1]" in message
    assert check_template(write_plain(tmp_path / "b.docx", "封面", "第一个机构：{{ 机构收支[1].名称 }}")) == []


def test_pd907_an_item_the_empty_department_lacks_says_how_many_there_are(tmp_path, family):
    document = docx.Document(str(family))
    paragraph_with(document, "{{ 格式.财政部门 }}").text = "{{ 任务[1].名称 }}"
    document.save(family)
    ((code, _, message),) = findings(family)
    assert code == "PD907" and "第 1 项不存在：列表没有任何项" in message and "{{ 任务[1].名称 }}" in message
