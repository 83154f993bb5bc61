"""``perfdoc import FILE.docx --format F``: documents perfdoc made, the same documents as Word and WPS
leave them after a hand edit, a .doc, and files that are not documents at all."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.text.run import Run
import pytest
from click.testing import CliRunner

from perfdoc.build.rendering import render_checked, render_output
from perfdoc.cli import main
from perfdoc.ops.importdocx import heading_key, import_document, import_documents
from perfdoc.pipeline import check_file, check_text
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "sources").rglob("*.yaml"))
TIANHE_2022 = REPO / "sources/guangzhou/广州市天河区总工会/2022.yaml"
LINXIANG_2023 = REPO / "sources/hunan-linxiang/临湘市总工会/2023.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def documents_to_import(source: Path) -> list:
    """The documents of the source's format, as built, that together hold its data: guangzhou's
    自评报告 has its 自评表 appended; hunan-department-2019's 自评报告, 基础数据表 and 指标表 are
    three files; an optional document (文档[].条件) only when the source writes its data."""
    checked = check_file(source)
    fmt = checked.analysis.format
    if fmt.name == "guangzhou":
        return [fmt.documents[-1]]
    return [doc for doc in fmt.documents if doc.needs is None or doc.needs in checked.analysis.model]


DEPARTMENTS = sorted({path.parent for path in EXAMPLES})
PROJECT_FORMS = sorted(path for path in EXAMPLES if path.parent.parent.name.endswith("-project"))
HUNAN_2019 = REPO / "sources/hunan-department-2019/南县农业农村局"


def test_the_round_trip_covers_every_format_with_an_example():
    from perfdoc.load.formats import available_formats, load_format

    used = {check_file(path).analysis.format.name for path in EXAMPLES}
    assert used >= {"guangzhou", "hunan-linxiang", "hunan-yiyang", "national-project", "sichuan-project", "hunan-department-2019"}
    assert {d.parent.name for d in DEPARTMENTS} == used
    assert [doc.name for doc in documents_to_import(HUNAN_2019 / "2019.yaml")] == ["自评报告", "基础数据表", "指标表"]
    # every format a source can use says where things are in its documents (its own 导入.yaml or one it is based on)
    for name in available_formats():
        assert any((config.parent / "导入.yaml").is_file() for config in load_format(name).chain), name


@pytest.mark.parametrize("department", DEPARTMENTS, ids=lambda p: p.name)
def test_round_trip_gives_the_same_document_text(tmp_path, department):
    """build → import → validate → build, for every example: each department's years imported
    oldest first into one folder (the later year's comparison with last year is made from the
    earlier), the documents of a year that are separate files imported together, and every
    document of the format reads the same."""
    folder = tmp_path / department.name
    folder.mkdir()
    for source in sorted(department.glob("*.yaml")):
        checked = check_file(source)
        fmt = checked.analysis.format
        documents = []
        for doc in documents_to_import(source):
            documents.append(tmp_path / f"{source.stem}-{doc.name}.docx")
            documents[-1].write_bytes(render_checked(checked, doc))
        imported = import_documents(documents, fmt.name, beside=folder)
        assert imported.unmapped == [], [item.describe() for item in imported.unmapped]
        target = folder / source.name
        target.write_text(imported.text, encoding="utf-8")
        again = check_file(target)
        assert not again.errors, [d.message for d in again.errors]
        for doc in fmt.documents:
            original = document_text(render_checked(checked, doc))
            assert document_text(render_checked(again, doc)) == original, f"{source.name} {doc.name}"


@pytest.mark.parametrize("source", PROJECT_FORMS, ids=lambda p: p.parent.parent.name)
def test_each_projects_own_file_imports_back(tmp_path, source):
    """A project form's file of one project (build's 项目支出绩效自评表/<项目>.docx) imports as a source
    with that project, which builds the same text."""
    from perfdoc.build.paths import item_file_names
    from perfdoc.build.rendering import template_context

    checked = check_file(source)
    document = checked.analysis.format.documents[0]
    context = template_context(checked.analysis)
    names = item_file_names(context[document.split_by])
    assert len(names) == len(checked.analysis.model["项目自评"]) >= 2
    for name, item in names:
        path = tmp_path / f"{name}.docx"
        path.write_bytes(render_checked(checked, document, {**context, document.split_by: [item]}))
        imported = import_document(path, checked.analysis.format.name)
        assert imported.unmapped == [], [entry.describe() for entry in imported.unmapped]
        again = check_text(imported.text, "2023.yaml")
        assert not again.errors, [d.message for d in again.errors]
        assert [project["名称"] for project in again.analysis.model["项目自评"]] == [item["名称"]]
        # a 【待填写】 marker names the project's place in its source: [2] in the department's, [1] alone
        alone = re.sub(r"项目自评\[\d+\]", "项目自评[1]", document_text(path.read_bytes()))
        assert document_text(render_checked(again, document)) == alone


@pytest.mark.parametrize(
    "place, written",
    [
        ("地区: 南县\n", "地区: 南县\n"),
        ("地区: 平江县\n", "地区: 平江县\n"),
        ("地区: 平江县\n财政部门: 岳阳市财政局\n", "地区: 平江县\n财政部门: 岳阳市财政局\n"),
    ],
    ids=["南县", "平江县", "另一财政部门"],
)
def test_the_cover_gives_the_region_the_source_writes(tmp_path, place, written):
    """A format whose sources name their 地区: the cover's region (and a 财政部门 other than
    “<地区>财政局”) comes back into the source; the 自评报告 alone imports with nothing listed."""
    text = (HUNAN_2019 / "2019.yaml").read_text(encoding="utf-8").replace("地区: 南县\n", place)
    checked = check_text(text, "2019.yaml")
    document = tmp_path / "自评报告.docx"
    document.write_bytes(render_checked(checked, checked.analysis.format.document("自评报告")))
    imported = import_document(document, "hunan-department-2019")
    assert imported.unmapped == [], [item.describe() for item in imported.unmapped]
    body = re.sub(r"  #.*", "", imported.text.split("\n部门:")[0] + "\n")
    assert body.endswith("年度: 2019\n" + written)
    again = check_text(imported.text, "2019.yaml")
    assert document_text(render_checked(again, again.analysis.format.document("自评报告"))) == document_text(document.read_bytes())


def test_a_format_with_its_own_region_writes_none(tmp_path):
    """hunan-linxiang's cover names 临湘市, the format's own: the source does not repeat it."""
    document = tmp_path / "自评报告.docx"
    document.write_bytes(render_output(LINXIANG_2023, "自评报告"))
    imported = import_document(document, "hunan-linxiang", beside=LINXIANG_2023.parent)  # last year beside it
    assert "\n地区:" not in imported.text and "\n财政部门:" not in imported.text
    assert imported.unmapped == []


def test_headings_are_known_whatever_their_numbering():
    from perfdoc.ops.importdocx import normal

    assert normal("收入合计（万元）") == normal("收入 合计") == "收入合计"
    assert normal("部门(单位)名称：") == "部门(单位)名称"
    for heading in ("（二）专项支出", "二、专项支出", "2. 专项支出", "2．专项支出", "(2)专项支出", "第二部分 专项支出", "1.2 专项支出", "专项支出："):
        assert heading_key(heading) == "专项支出", heading


# ---------------------------------------------------------------- documents edited by hand


def set_text(paragraph, text: str, pieces: int = 1) -> None:
    """Replace a paragraph's text, split over ``pieces`` runs, as Word leaves it after an edit."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    for extra in runs[1:]:
        extra._r.getparent().remove(extra._r)
    size = max(1, -(-len(text) // pieces))
    parts = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    runs[0].text = parts[0]
    previous = runs[0]._r
    for part in parts[1:]:
        new = copy.deepcopy(runs[0]._r)
        previous.addnext(new)
        previous = new
        Run(new, paragraph).text = part


def paragraph_with(document, start: str):
    for paragraph in document.paragraphs:
        if paragraph.text.startswith(start):
            return paragraph
    raise AssertionError(f"no paragraph starts with {start}")


def cell_with(document, text: str):
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == text:
                    return table, row, cell
    raise AssertionError(f"no cell reads {text}")


@pytest.fixture
def edited(tmp_path):
    """天河区 2022 自评报告, changed the way a clerk changes last year's file in Word or WPS."""
    data = render_output(TIANHE_2022, "自评报告")
    document = docx.Document(io.BytesIO(data))
    # headings renumbered in another style
    set_text(paragraph_with(document, "（三）部门整体收支情况"), "3. 部门整体收支情况")
    set_text(paragraph_with(document, "三、存在的主要问题"), "第三部分　存在的主要问题")
    # a narrative paragraph retyped: its text in several runs
    narrative = paragraph_with(document, "通过开展职工帮扶项目")
    set_text(narrative, narrative.text, pieces=7)
    # figures with full-width digits, 万元 and a thousands separator written into the cells
    _table, _row, cell = cell_with(document, "643.45")
    set_text(cell.paragraphs[0], "６４３．４５万元")
    _table, _row, cell = cell_with(document, "655.55")
    set_text(cell.paragraphs[0], "655.55 万元")
    # a mistake of the document's own: the rate does not follow from its figures
    _table, _row, cell = cell_with(document, "92.83%")
    set_text(cell.paragraphs[0], "93.83%")
    # a blank row in the task table
    table, row, _cell = cell_with(document, "任务2")
    blank = copy.deepcopy(row._tr)
    row._tr.addprevious(blank)
    for cell in docx.table._Row(blank, table).cells:
        for paragraph in cell.paragraphs:
            set_text(paragraph, "")
    # a paragraph added by hand, under a heading that is no narrative
    paragraph_with(document, "部门整体支出绩效自评表。").insert_paragraph_before("另附：工会经费收支情况说明一份。")
    path = tmp_path / "改过的自评报告.docx"
    document.save(path)
    return path


def test_a_hand_edited_document_imports_and_lists_what_it_could_not_map(edited, tmp_path):
    target = tmp_path / "2022.yaml"
    result = run("import", edited, "--format", "guangzhou", "-o", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    # read despite the edits
    assert "年初预算: 643.45" in text
    assert "调整后预算: 655.55" in text
    assert "部门整体绩效: |" in text and "通过开展职工帮扶项目" in text
    assert "存在问题: |" in text and "1. 对劳模欠缺一定精神关怀" in text
    assert text.count("- 名称: 任务") == 2  # the blank row is no task
    # the hand-added paragraph is listed with its place and kept as a comment
    assert "段：未能对应：另附：工会经费收支情况说明一份。" in result.output
    assert "#   第" in text and "另附：工会经费收支情况说明一份。" in text
    # the document's own mistake is kept as written, for validate to catch; where the text
    # states the rate again, differently, that is listed too
    assert '预算完成率: "93.83%"' in text
    assert f"校验：1 个错误，1 个警告；运行 perfdoc validate {target} 查看" in result.output
    assert "预算.预算完成率 在此写作 92.83%，第 1 个表格第 5 行写作 93.83%（保留前者）" in result.output
    check = run("validate", target)
    assert check.exit_code == 1 and "PD202" in check.output


NATIONAL_PROJECTS = REPO / "sources/national-project/示例市总工会/2023.yaml"
SICHUAN_PROJECTS = REPO / "sources/sichuan-project/示例县农业农村局/2023.yaml"


def blank_row_before(document, text: str) -> None:
    """A copy of the row holding ``text``, emptied, put before it: as an unused row left in a form."""
    _table, row, _cell = cell_with(document, text)
    blank = copy.deepcopy(row._tr)
    row._tr.addprevious(blank)
    for node in blank.iter(docx.oxml.ns.qn("w:t")):  # the row's own cells (row.cells gives a merge's first cell)
        node.text = ""


def edit_cell(document, text: str, new: str, pieces: int = 1) -> None:
    _table, _row, cell = cell_with(document, text)
    set_text(cell.paragraphs[0], new, pieces)


@pytest.mark.parametrize(
    "source, edits",
    [
        (NATIONAL_PROJECTS, [("80.00", "８０．００万元"), ("95.77%", "９５．７７％"), ("≥1200人次", "≥ １２００ 人次"),
                             ("22.5", "22.5分"), ("自评等次：优", "自评等次:优"), ("1080人次", "1080人次")]),
        (SICHUAN_PROJECTS, [("51012323T000001-高标准农田建设项目", "51012323T000001－高标准农田建设项目"), ("600.00", "600万元"),
                            ("98.06%", "98.06 %"), ("10000", "10,000"), ("99.81", "99.81分")]),
    ],
    ids=["national-project", "sichuan-project"],
)
def test_a_hand_edited_project_form_imports_with_the_same_figures(tmp_path, source, edits):
    """The project forms as Word and WPS leave them: full-width digits and punctuation, 万元 and % typed
    into cells, runs split by an edit, a blank row, a title retyped, a note added by hand."""
    checked = check_file(source)
    fmt = checked.analysis.format
    original = render_checked(checked, fmt.documents[0])
    document = docx.Document(io.BytesIO(original))
    for text, new in edits:
        edit_cell(document, text, new, pieces=3)
    title = next(p for p in document.paragraphs if "绩效自评表（2023年度）" in p.text)
    set_text(title, title.text.replace("（", "(").replace("）", ")"), pieces=4)
    blank_row_before(document, "质量指标")
    document.add_paragraph("备注：本表数据经财务科核对。")
    path = tmp_path / "改过的自评表.docx"
    document.save(path)

    imported = import_document(path, fmt.name)
    assert [item.text for item in imported.unmapped] == ["备注：本表数据经财务科核对。"]
    assert imported.text.rstrip().endswith("#   第 " + imported.unmapped[0].place.split("第 ")[1] + "：未能对应：备注：本表数据经财务科核对。")
    again = check_text(imported.text, "2023.yaml")
    assert again.errors == [], [d.message for d in again.errors]
    # the same figures as the example: the rebuilt document reads as the one perfdoc made
    assert document_text(render_checked(again, fmt.documents[0])) == document_text(original)
    assert len(again.analysis.model["项目自评"]) == len(checked.analysis.model["项目自评"])


def test_a_project_forms_own_mistake_is_kept_for_validate(tmp_path):
    """A 得分 typed as full marks for an unmet indicator, and a 执行率 that does not follow: kept as written."""
    checked = check_file(NATIONAL_PROJECTS)
    document = docx.Document(io.BytesIO(render_checked(checked, checked.analysis.format.documents[0])))
    edit_cell(document, "22.5", "25")
    edit_cell(document, "95.77%", "96.77%")
    path = tmp_path / "有错的自评表.docx"
    document.save(path)
    imported = import_document(path, "national-project")
    assert "得分: 25" in imported.text and '执行率: "96.77%"' in imported.text
    found = {d.code for d in check_text(imported.text, "2023.yaml").errors}
    assert found == {"PD202", "PD308"}


def test_a_reordered_table_is_read_by_its_header_labels(tmp_path):
    """Columns swapped in Word (header and data alike): each value still lands under its label."""
    data = render_output(LINXIANG_2023, "自评报告")
    document = docx.Document(io.BytesIO(data))
    table, header, _cell = cell_with(document, "姓  名")
    rows = [r for r in table.rows if r._tr is header._tr or r.cells[0].text in ("汪  郁", "胡  萍", "李芷怡")]
    for row in rows:  # swap the texts of the 职务/职称 and 单位 columns
        cells = list(dict.fromkeys(row.cells))
        duty, unit = cells[1], cells[2]
        duty_text, unit_text = duty.text, unit.text
        set_text(duty.paragraphs[0], unit_text)
        set_text(unit.paragraphs[0], duty_text)
    path = tmp_path / "列调换.docx"
    document.save(path)
    imported = import_document(path, "hunan-linxiang")
    assert "  - 姓名: 胡萍\n    职务: 女工委主任、财务资产管理部部长" in imported.text.replace("  # 职务/职称", "")


# ---------------------------------------------------------------- one year's documents, each its own file


def hunan_2019_documents(tmp_path: Path, edit=None) -> tuple:
    """南县 2019's 自评报告, 基础数据表 and 指标表 built into ``tmp_path``; ``edit(name, document)``
    may change a document (python-docx) before it is saved. Returns (the checked source, paths)."""
    checked = check_file(HUNAN_2019 / "2019.yaml")
    paths = []
    for doc in checked.analysis.format.documents:
        path = tmp_path / f"{doc.name}.docx"
        data = render_checked(checked, doc)
        if edit is not None:
            document = docx.Document(io.BytesIO(data))
            edit(doc.name, document)
            document.save(path)
        else:
            path.write_bytes(data)
        paths.append(path)
    return checked, paths


def _as_word_and_wps_leave_them(name: str, document) -> None:
    if name == "基础数据表":
        edit_cell(document, "390.00", "390万元", pieces=2)  # 万元 typed into a cell
        edit_cell(document, "31.50", "３１．５０", pieces=3)  # full-width digits
        edit_cell(document, "4、政府采购金额", "（四）政府采购金额")  # a row renumbered
        edit_cell(document, "其中：（1）公务用车购置及运行维护费", "其中:1.公务用车购置及运行维护费", pieces=4)
        edit_cell(document, "\u3000\u3000\u3000动物防疫项目", "动物防疫项目")  # its indent retyped
        blank_row_before(document, "支出总额")
        _table, _row, cell = cell_with(document, "本年度无新建、改扩建和装修办公楼等楼堂馆所项目。")
        set_text(cell.paragraphs[0], cell.text, pieces=5)
    if name == "指标表":
        edit_cell(document, "6.33", "6.33分")
        edit_cell(document, "103.33%；年中录用3人，超编1人", "１０３．３３％;年中录用3人，超编1人", pieces=3)
        edit_cell(document, "两项工作延期完成", "两项工作延期完成", pieces=3)
        blank_row_before(document, "工作质量达标率")
        document.add_paragraph("注：评价情况栏写明扣分原因。")


def test_one_years_documents_edited_in_word_import_into_one_source(tmp_path):
    """The 基础数据表 and 指标表 as Word and WPS leave them import with the figures of the example."""
    checked, paths = hunan_2019_documents(tmp_path, _as_word_and_wps_leave_them)
    folder = tmp_path / "南县农业农村局"
    folder.mkdir()
    shutil.copy(HUNAN_2019 / "2018.yaml", folder)  # last year beside it: the 上年决算数 are checked against it
    imported = import_documents(list(reversed(paths)), "hunan-department-2019", beside=folder)
    assert [item.describe() for item in imported.unmapped] == ["指标表.docx 第 4 段：未能对应：注：评价情况栏写明扣分原因。"]
    assert "    基本支出: 390\n" in imported.text and "政府采购金额: 31.50\n" in imported.text
    assert '在职人员控制率: "103.33%"' in imported.text and "说明: 年中录用3人，超编1人" in imported.text
    target = folder / "2019.yaml"
    target.write_text(imported.text, encoding="utf-8")
    again = check_file(target)
    assert again.errors == [], [d.message for d in again.errors]
    # the rule-scored rows' 评分标准 is the format's rule: still taken from the format, not written
    rules = checked.analysis.format.indicator_rules
    assert {row["三级"]: "评分标准" in row for row in again.analysis.model["指标表"] if row["三级"] in rules} == dict.fromkeys(rules, False)
    for doc in checked.analysis.format.documents:  # the same documents as the example's
        assert document_text(render_checked(again, doc)) == document_text(render_checked(checked, doc)), doc.name


def test_a_figure_two_documents_state_differently_is_listed_and_the_first_kept(tmp_path):
    """The 自评报告 states 综合得分 92.02, the 指标表 (whose scores add to 91.02) 91.02: both places
    listed, the 自评报告's kept as written, and validate finds it does not add up."""
    def report_says_otherwise(name, document):
        if name == "自评报告":
            edit_cell(document, "91.02", "92.02")

    _checked, paths = hunan_2019_documents(tmp_path, report_says_otherwise)
    target = tmp_path / "2019.yaml"
    result = run("import", *paths, "--format", "hunan-department-2019", "-o", target)
    assert result.exit_code == 0, result.output
    (conflict,) = [line for line in result.output.splitlines() if "：前后不一：" in line]
    assert re.fullmatch(r"指标表\.docx 第 1 个表格第 14 行：前后不一：评分\.综合得分 在此写作 91\.02，"
                        r"自评报告\.docx 第 \d+ 个表格第 \d+ 行写作 92\.02（保留前者）", conflict), conflict
    text = target.read_text(encoding="utf-8")
    assert "综合得分: 92.02" in text and "#   指标表.docx 第 1 个表格第 14 行：前后不一：" in text
    check = run("validate", target)
    assert check.exit_code == 1 and "92.02" in check.output


def test_a_file_that_is_none_of_the_formats_documents_is_refused(tmp_path):
    """Among one year's documents, a file that is none of them: the documents expected and what it
    holds are named, and nothing is written, even though the other files import."""
    _checked, paths = hunan_2019_documents(tmp_path)
    notice = docx.Document()
    notice.add_paragraph("关于召开2024年春季运动会的通知")
    notice.add_paragraph("填报单位：南县农业农村局（2019年度）")  # a line one of the documents has is not enough
    other = tmp_path / "通知.docx"
    notice.save(other)
    target = tmp_path / "2019.yaml"
    result = run("import", paths[0], other, paths[2], "--format", "hunan-department-2019", "-o", target)
    assert result.exit_code == 1, result.output
    assert f"{other} 不是 hunan-department-2019 格式的文档" in result.output
    assert "应为 “部门（单位）整体支出绩效评价自评报告”、“部门整体支出绩效评价基础数据表”、“部门整体支出绩效评价指标表” 之一" in result.output
    assert "关于召开2024年春季运动会的通知" in result.output and "Traceback" not in result.output
    assert not target.exists()


def test_documents_are_recognised_by_their_text_not_their_file_names(tmp_path):
    from perfdoc.load.formats import load_format
    from perfdoc.ops.importdocx import read_blocks, recognised_document

    _checked, paths = hunan_2019_documents(tmp_path)
    fmt = load_format("hunan-department-2019")
    for path, doc in zip(paths, fmt.documents):
        renamed = path.with_name(f"附件{doc.name[::-1]}.docx")
        path.rename(renamed)
        assert recognised_document(fmt, read_blocks(renamed)).name == doc.name


# ---------------------------------------------------------------- .doc through LibreOffice


def libreoffice_convert(path: Path, target: str, tmp_path: Path) -> Path:
    """``path`` saved again by LibreOffice as ``target`` (doc, or docx rewritten as another word processor writes it)."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is needed: install it with tools/install.sh")
    out = tmp_path / "converted"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", target, "--outdir", str(out), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (converted,) = out.iterdir()
    return converted


@pytest.mark.libreoffice
def test_a_document_saved_again_by_another_word_processor_imports_the_same(tmp_path):
    """LibreOffice rewrites every run, table grid and style: what it saves reads as the original does."""
    original = tmp_path / "自评报告.docx"
    original.write_bytes(render_output(LINXIANG_2023, "自评报告"))
    resaved = libreoffice_convert(original, "docx:MS Word 2007 XML", tmp_path)
    first, second = import_document(original, "hunan-linxiang"), import_document(resaved, "hunan-linxiang")
    def data(imported):  # without the header naming the file and the listing's paragraph numbers
        return imported.text.split("\n", 1)[1].split("# 以下内容")[0]

    assert data(second) == data(first)
    assert [item.text for item in second.unmapped] == [item.text for item in first.unmapped]


@pytest.mark.libreoffice
def test_a_project_form_saved_again_by_another_word_processor_imports_the_same(tmp_path):
    """LibreOffice rewrites the form's merged cells (the 一级 down its indicators, the 原因 down the fund rows)."""
    checked = check_file(SICHUAN_PROJECTS)
    original = tmp_path / "自评表.docx"
    original.write_bytes(render_checked(checked, checked.analysis.format.documents[0]))
    resaved = libreoffice_convert(original, "docx:MS Word 2007 XML", tmp_path)
    first, second = import_document(original, "sichuan-project"), import_document(resaved, "sichuan-project")
    assert second.unmapped == [] and second.text.split("\n", 1)[1] == first.text.split("\n", 1)[1]


@pytest.mark.libreoffice
def test_one_years_forms_saved_again_by_another_word_processor_import_the_same(tmp_path):
    """LibreOffice rewrites the 基础数据表's and 指标表's merged cells and runs: imported with the
    自评报告, they give the source the files perfdoc made give."""
    _checked, paths = hunan_2019_documents(tmp_path)
    resaved = [paths[0]]
    for number, path in enumerate(paths[1:]):
        (tmp_path / f"lo{number}").mkdir()
        resaved.append(libreoffice_convert(path, "docx:MS Word 2007 XML", tmp_path / f"lo{number}"))
    first = import_documents(paths, "hunan-department-2019", beside=HUNAN_2019)
    second = import_documents(resaved, "hunan-department-2019", beside=HUNAN_2019)
    assert second.unmapped == [] and second.text.split("\n", 1)[1] == first.text.split("\n", 1)[1]


@pytest.mark.libreoffice
def test_a_doc_file_is_converted_by_libreoffice(tmp_path):
    docx_path = tmp_path / "自评报告.docx"
    docx_path.write_bytes(render_output(TIANHE_2022, "自评报告"))
    doc_path = libreoffice_convert(docx_path, "doc", tmp_path)
    assert doc_path.suffix == ".doc"
    from_doc = import_document(doc_path, "guangzhou")
    assert "年初预算: 643.45" in from_doc.text
    assert "预算完成率: \"92.83%\"" in from_doc.text
    assert "部门整体绩效: |" in from_doc.text


# ---------------------------------------------------------------- bad input


def docx_with_document_xml(xml: bytes) -> bytes:
    """A copy of a real document with its main part replaced."""
    source = io.BytesIO(render_output(TIANHE_2022, "自评表"))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, xml if item.filename == "word/document.xml" else old.read(item))
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", b"<" + b" " * (20 * 1024 * 1024) + b"/>")  # inflates 1000:1
    return out.getvalue()


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("损坏.docx", lambda: b"PK\x03\x04\x14\x00 broken", "不是有效的 Word 文档（.docx）"),
        ("加密.docx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, "加密（设有打开密码）"),
        ("炸弹.docx", zip_bomb, "疑为压缩炸弹"),
        ("外部实体.docx", lambda: docx_with_document_xml(XXE), "含文档类型或实体声明"),
    ],
)
def test_files_that_are_not_documents_get_a_chinese_message_and_nothing_is_written(tmp_path, name, make, message):
    path = tmp_path / name
    path.write_bytes(make())
    target = tmp_path / "2022.yaml"
    result = run("import", path, "--format", "guangzhou", "-o", target)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_a_document_of_no_known_form_names_the_forms_expected(tmp_path):
    document = docx.Document()
    document.add_paragraph("关于召开2024年春季运动会的通知")
    document.add_paragraph("各部门：定于四月举行春季运动会，请做好准备。")
    path = tmp_path / "通知.docx"
    document.save(path)
    target = tmp_path / "2024.yaml"
    result = run("import", path, "--format", "hunan-linxiang", "-o", target)
    assert result.exit_code == 1
    assert "不是 hunan-linxiang 格式的文档" in result.output
    assert "“部门（单位）整体支出绩效评价自评报告”" in result.output
    assert "关于召开2024年春季运动会的通知" in result.output
    assert not target.exists()


def test_import_needs_a_format_and_a_known_file_type(tmp_path):
    path = tmp_path / "a.docx"
    path.write_bytes(b"")
    assert run("import", path).exit_code == 2
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF")
    result = run("import", other, "--format", "guangzhou")
    assert result.exit_code == 2 and "不认识的文件类型" in result.output


def test_a_format_without_or_with_a_wrong_import_mapping_is_a_clear_error(tmp_path, monkeypatch):
    document = tmp_path / "自评表.docx"
    document.write_bytes(render_output(TIANHE_2022, "自评表"))
    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    (root / "guangzhou" / "导入.yaml").write_text("标签:\n  联系人: 部门.联络人\n", encoding="utf-8")
    wrong = run("import", document, "--format", "guangzhou")
    assert wrong.exit_code == 1 and "“部门.联络人”不是数据文件中的位置" in wrong.output
    (root / "guangzhou" / "导入.yaml").unlink()
    missing = run("import", document, "--format", "guangzhou")
    assert missing.exit_code == 1 and "没有 导入.yaml" in missing.output
    assert "Traceback" not in wrong.output + missing.output


@pytest.mark.parametrize(
    "mapping, message",
    [
        ("表单:\n  列表: 项目自评\n  开始: 项目名称\n  标签: {项目名称: 项目名}\n", "“项目自评.[].项目名”不是数据文件中的位置"),
        ("表单:\n  列表: 项目自评\n  开始: 项目名称\n  标签: {项目名称: \"{名称:汉字}\"}\n", "写法有误"),
        ("表单:\n  列表: 项目自评\n  标签: {项目名称: 名称}\n", "写法有误"),
        ("表单:\n  列表: 项目自评\n  开始: 项目名称\n  表格:\n    - 表头:\n        年初预算数: 资金.{行}.年初数\n      行: {总额: 年度资金总额}\n",
         "“项目自评.[].资金.年度资金总额.年初数”不是数据文件中的位置"),
    ],
)
def test_a_wrong_form_mapping_is_a_format_error(tmp_path, monkeypatch, mapping, message):
    document = tmp_path / "自评表.docx"
    document.write_bytes(render_output(NATIONAL_PROJECTS, "项目支出绩效自评表"))
    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    (root / "national-project" / "导入.yaml").write_text(mapping, encoding="utf-8")
    result = run("import", document, "--format", "national-project", "-o", tmp_path / "2023.yaml")
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "2023.yaml").exists()


def test_a_document_of_another_format_is_refused_and_its_format_named(tmp_path):
    document = tmp_path / "自评报告.docx"
    document.write_bytes(render_output(LINXIANG_2023, "自评报告"))
    target = tmp_path / "2023.yaml"
    result = run("import", document, "--format", "guangzhou", "-o", target)
    assert result.exit_code == 1
    assert "不是 guangzhou 格式的文档" in result.output
    assert "“部门整体支出绩效自评表”、“部门整体支出绩效自评报告（附自评表）”" in result.output
    assert "它更像 hunan-linxiang 格式，可试 --format hunan-linxiang" in result.output
    assert not target.exists()


def test_lists_written_in_a_sentence_come_back_as_lists(tmp_path):
    """guangzhou writes 内设机构 and 下属单位 into one sentence: the import gives next year the lists, not prose."""
    text = TIANHE_2022.read_text(encoding="utf-8").replace(
        "  名称: 广州市天河区总工会\n", "  名称: 广州市天河区总工会\n  内设机构: [办公室, 组织部]\n  下属单位: [职工服务中心]\n", 1
    )
    checked = check_text(text, "2022.yaml")
    document = checked.analysis.format.document("自评报告")
    path = tmp_path / "自评报告.docx"
    path.write_bytes(render_checked(checked, document))
    imported = import_document(path, "guangzhou")
    assert "  内设机构:  # 内设机构，每个一项\n    - 办公室\n    - 组织部\n" in imported.text
    assert "  下属单位:  # 所属事业单位，每个一项\n    - 职工服务中心\n" in imported.text
    assert "机构设置:" not in imported.text
    assert document_text(render_checked(check_text(imported.text), document)) == document_text(render_checked(checked, document))
