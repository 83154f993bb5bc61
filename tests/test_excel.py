"""``perfdoc export`` and ``perfdoc import FILE.xlsx SOURCE``: the workbook's shape, and edits read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
TIANHE = REPO / "sources/guangzhou/广州市天河区总工会"
LINXIANG = REPO / "sources/hunan-linxiang/临湘市总工会"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def copies(tmp_path):
    """Copies of two departments' sources, and a workbook exported from them."""
    for folder in (TIANHE, LINXIANG):
        shutil.copytree(folder, tmp_path / folder.name)
    book = tmp_path / "数字.xlsx"
    result = run("export", tmp_path / TIANHE.name / "2022.yaml", tmp_path / LINXIANG.name / "2022.yaml", "-o", book)
    assert result.exit_code == 0, result.output
    return tmp_path, book


def rows_by_path(sheet):
    header = [cell.value for cell in sheet[1]]
    return {row[2].value: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2)}


def test_export_has_a_sheet_per_table_with_formats_and_frozen_headers(copies):
    _root, book_path = copies
    book = openpyxl.load_workbook(book_path)
    assert {"部门", "预算", "机构收支", "收支合计", "项目", "指标完成情况", "评分"} <= set(book.sheetnames)
    budget = book["预算"]
    assert [cell.value for cell in budget[1]] == ["部门", "年度", "数字", "名称", "值", "来源", "算法"]
    assert budget.freeze_panes == "A2"
    rows = rows_by_path(budget)
    assert rows["预算.年初预算"]["值"].value == 643.45
    assert rows["预算.年初预算"]["值"].number_format == "0.00"
    assert rows["预算.年初预算"]["来源"].value == "输入"
    rate = rows["预算.预算完成率"]
    assert rate["值"].number_format == "0.00%" and rate["值"].value == pytest.approx(0.9283)
    assert rate["来源"].value == "填报（已核对）" and "实际支出" in rate["算法"].value
    totals = rows_by_path(book["收支合计"])
    assert totals["收支合计.收入.收入合计"]["来源"].value == "计算"
    assert totals["收支合计.收入.收入合计"]["部门"].value == "临湘市总工会"
    projects = rows_by_path(book["项目"])
    assert projects["项目[2].实际支出"]["名称"].value == "死亡抚恤项目"


def edit(book_path: Path, target: Path, changes: dict):
    book = openpyxl.load_workbook(book_path)
    for (sheet, path), value in changes.items():
        rows = rows_by_path(book[sheet])
        rows[path]["值"].value = value
    book.save(target)
    return target


def test_edited_inputs_are_written_back_keeping_comments(copies):
    root, book_path = copies
    source = root / TIANHE.name / "2022.yaml"
    before = source.read_text(encoding="utf-8")
    edited = edit(book_path, root / "改.xlsx", {("预算", "预算.年初预算"): 650.5, ("预算", "预算.预算调整率"): 0.0186})
    result = run("import", edited, source)
    assert result.exit_code == 0, result.output
    assert "预算.年初预算：643.45 → 650.5" in result.output
    assert "预算.预算调整率：1.88% → 1.86%" in result.output
    after = source.read_text(encoding="utf-8")
    expected = before.replace("年初预算: 643.45", "年初预算: 650.50").replace('预算调整率: "1.88%"', '预算调整率: "1.86%"')
    assert after == expected  # comments, narratives and layout untouched
    again = run("import", edited, source)
    assert again.exit_code == 0 and "一致，未改动" in again.output


def test_a_stale_computed_cell_is_reported_not_read(copies):
    root, book_path = copies
    source = root / LINXIANG.name / "2022.yaml"
    edited = edit(book_path, root / "改.xlsx", {("收支合计", "收支合计.收入.收入合计"): 1.0})
    result = run("import", edited, source)
    assert result.exit_code == 0, result.output
    assert "收支合计.收入.收入合计：表中 1，perfdoc 计算为 366.10（计算数字不导入" in result.output
    assert "一致，未改动" in result.output


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda book: book.create_sheet("杂项"), "工作表“杂项”：不是 perfdoc 的表格"),
        (lambda book: book["预算"].cell(1, 8, "备注"), "不认识的列：备注"),
        (lambda book: setattr(book["预算"]["E2"], "value", "=600+43.45"), "E2 是公式而不是数值"),
        (lambda book: setattr(book["预算"]["C2"], "value", "预算.年初预箅"), "不认识的数字“预算.年初预箅”"),
        (lambda book: setattr(book["预算"]["E2"], "value", "六百"), "的值“六百”不是数字"),
    ],
)
def test_a_workbook_it_does_not_understand_writes_nothing(copies, spoil, message):
    root, book_path = copies
    source = root / TIANHE.name / "2022.yaml"
    before = source.read_bytes()
    book = openpyxl.load_workbook(book_path)
    rows_by_path(book["预算"])["预算.调整数"]["值"].value = 99  # a good change too: still nothing is written
    spoil(book)
    book.save(root / "坏.xlsx")
    result = run("import", root / "坏.xlsx", source)
    assert result.exit_code == 1
    assert message in result.output
    assert "未改动" in result.output
    assert source.read_bytes() == before


def test_damaged_and_encrypted_workbooks_get_a_chinese_message(copies):
    root, _book = copies
    source = root / TIANHE.name / "2022.yaml"
    before = source.read_bytes()
    (root / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "密.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # how Excel stores an encrypted book
    damaged = run("import", root / "坏.xlsx", source)
    assert damaged.exit_code == 1 and "不是有效的 Excel 工作簿" in damaged.output
    encrypted = run("import", root / "密.xlsx", source)
    assert encrypted.exit_code == 1 and "加密（设有打开密码）" in encrypted.output
    assert "Traceback" not in damaged.output + encrypted.output
    assert source.read_bytes() == before


def test_import_needs_a_source_for_a_workbook(copies):
    _root, book = copies
    result = run("import", book)
    assert result.exit_code == 2 and "须指明要更新的数据文件" in result.output


def test_a_workbook_holding_an_external_entity_is_refused(copies):
    import io
    import zipfile

    root, book = copies
    source = root / TIANHE.name / "2022.yaml"
    before = source.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(book) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data.split(b"?>", 1)[-1]
            new.writestr(item, data)
    (root / "实体.xlsx").write_bytes(out.getvalue())
    result = run("import", root / "实体.xlsx", source)
    assert result.exit_code == 1 and "含文档类型或实体声明" in result.output
    assert source.read_bytes() == before


def test_amounts_go_back_in_the_sources_own_unit(tmp_path):
    source = tmp_path / "2022.yaml"
    source.write_text("格式: guangzhou\n年度: 2022\n金额单位: 元\n部门:\n  名称: 某单位\n预算:\n  年初预算: 6434500\n", encoding="utf-8")
    book = tmp_path / "数字.xlsx"
    assert run("export", source, "-o", book).exit_code == 0
    edited = edit(book, tmp_path / "改.xlsx", {("预算", "预算.年初预算"): 650.5})
    result = run("import", edited, source)
    assert result.exit_code == 0, result.output
    assert "年初预算: 6505000.00" in source.read_text(encoding="utf-8")  # 650.5 万元, written in 元


@pytest.mark.parametrize("source", sorted((REPO / "sources").rglob("*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_workbook_holds_every_figure_show_lists(tmp_path, source):
    from perfdoc.ops.show import figure_rows
    from perfdoc.pipeline import check_file

    book_path = tmp_path / "数字.xlsx"
    assert run("export", source, "-o", book_path).exit_code == 0
    book = openpyxl.load_workbook(book_path)
    exported = {row[2].value: row[5].value for sheet in book.worksheets for row in sheet.iter_rows(min_row=2)}
    shown = {row.path: row.origin for row in figure_rows(check_file(source).analysis) if row.path != "年度"}
    shown = {("评分.评价等次" if path == "评分.评价等次（按得分）" else path): origin for path, origin in shown.items()}
    assert exported == shown
