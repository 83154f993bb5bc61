"""``perfdoc summary``: a row per department-year with show's figures, subtotals by 主管部门, a total."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.ops.show import figure_rows
from perfdoc.ops.summary import HEADERS, summarise
from perfdoc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def units(tmp_path):
    """The examples, with the two guangzhou districts reporting through one 主管部门 and an error in one file."""
    shutil.copytree(SOURCES, tmp_path / "sources")
    for path in (tmp_path / "sources/guangzhou").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("部门:\n", "部门:\n  主管部门: 广州市总工会\n", 1), encoding="utf-8")
    broken = tmp_path / "sources/guangzhou/广州市天河区总工会/2023.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("年初预算: 668.20", "年初预算: 668.20\n  调整后预算: 700"), encoding="utf-8")
    return tmp_path / "sources"


def by_department(table):
    return {(row.department, row.year): row for row in table.departments}


def test_each_row_has_the_figures_show_lists(units):
    table = summarise([units])
    rows = by_department(table)
    assert len(rows) == 6
    tianhe = rows[("广州市天河区总工会", 2022)]
    shown = {row.path: row.value for row in figure_rows(check_file(units / "guangzhou/广州市天河区总工会/2022.yaml").context)}
    assert str(tianhe.figures["调整后预算"]) == shown["预算.调整后预算"] == "655.55"
    assert str(tianhe.figures["执行率"]) == shown["预算.预算完成率"] == "92.83%"
    assert tianhe.basis == "部门预算" and tianhe.ready is True
    linxiang = rows[("临湘市总工会", 2023)]
    assert linxiang.basis == "项目合计" and linxiang.score == Decimal(96) and linxiang.grade == "优秀"
    wrong = rows[("广州市天河区总工会", 2023)]
    assert wrong.errors == 1 and wrong.ready is False


def test_subtotals_by_authority_and_a_total(units):
    table = summarise([units])
    kinds = [(row.kind, row.authority) for row in table.rows]
    assert kinds[:4] == [("部门", "广州市总工会")] * 3 + [("小计", "广州市总工会 小计")]
    assert kinds[-1] == ("合计", "合计")
    subtotal = table.rows[3]
    assert subtotal.figures["年初预算"] == Decimal("1743.42")  # 431.77 + 643.45 + 668.20
    assert subtotal.figures["实际支出"] == Decimal("1667.69")
    assert subtotal.figures["调整后预算"] == Decimal("1747.02")  # 431.77 + 655.55 + 659.70 (the computed one, not the wrong 700)
    assert str(subtotal.figures["执行率"].quantize(Decimal("0.01"))) == "95.46"  # 1667.69 / 1747.02
    assert subtotal.ready == "2/3" and subtotal.errors == 1
    total = table.rows[-1]
    assert total.figures["实际支出"] is None  # 益阳 states no spending: not given is not zero
    assert total.figures["年初预算"] == Decimal("2451.35")


def test_xlsx_has_formats_and_a_chart(units, tmp_path):
    target = tmp_path / "汇总表.xlsx"
    result = run("summary", units, "-o", target)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    sheet = book["汇总表"]
    assert tuple(cell.value for cell in sheet[1]) == HEADERS
    assert sheet.freeze_panes == "A2"
    rate = sheet.cell(2, HEADERS.index("执行率") + 1)
    assert rate.number_format == "0.00%" and rate.value == pytest.approx(1.0)
    assert sheet.cell(2, HEADERS.index("年初预算") + 1).number_format == "0.00"
    assert len(sheet._charts) == 1


def test_docx_is_a_landscape_table(units, tmp_path):
    target = tmp_path / "汇总表.docx"
    result = run("summary", units, "-o", target)
    assert result.exit_code == 0, result.output
    document = docx.Document(target)
    section = document.sections[-1]
    assert section.page_width > section.page_height
    grid = document.tables[0]
    assert [cell.text for cell in grid.rows[0].cells] == list(HEADERS)
    assert [row.cells[0].text for row in grid.rows].count("合计") == 1
    assert "{{" not in "".join(p.text for p in document.paragraphs)


def test_terminal_table_and_a_bad_output_name(units, tmp_path):
    shown = CliRunner().invoke(main, ["summary", str(units)], env={"COLUMNS": "250"})
    assert shown.exit_code == 0 and "广州市总工会 小计" in shown.output
    assert run("summary", units, "-o", tmp_path / "汇总.pdf").exit_code == 2
