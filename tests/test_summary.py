"""``perfdoc summary``: a row per department-year with show's figures, subtotals by 主管部门, a total."""

from __future__ import annotations

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
    # the department-wide formats; the project forms' examples are summarised by the same code, not here
    # the department-wide examples these tables were written for (not the 2018–2019 Hunan pair)
    shutil.copytree(SOURCES, tmp_path / "sources",
                    ignore=lambda folder, names: [n for n in names if n.endswith("-project") or n == "hunan-department-2019"])
    for path in (tmp_path / "sources/guangzhou").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("部门:\n", "部门:\n  主管部门: 广州市总工会\n", 1), encoding="utf-8")
    broken = tmp_path / "sources/guangzhou/广州市天河区总工会/2023.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("年初预算: 668.20", "年初预算: 668.20\n  调整后预算: 700"), encoding="utf-8")
    return tmp_path / "sources"


def by_department(table):
    return {(row.department, row.year): row for row in table.departments}


def test_each_row_has_the_figures_show_lists(units):
    table = summarise([units], ready=True)
    rows = by_department(table)
    assert len(rows) == 6
    tianhe = rows[("广州市天河区总工会", 2022)]
    shown = {row.path: row.value for row in figure_rows(check_file(units / "guangzhou/广州市天河区总工会/2022.yaml").analysis)}
    assert str(tianhe.figures["调整后预算"]) == shown["预算.调整后预算"] == "655.55"
    assert str(tianhe.figures["执行率"]) == shown["预算.预算完成率"] == "92.83%"
    assert tianhe.basis == "部门预算"
    assert tianhe.ready is False  # validate --ready: its 自评报告 still shows 【待填写】 (人员编制 …)
    linxiang = rows[("临湘市总工会", 2023)]
    assert linxiang.basis == "项目合计" and linxiang.score == Decimal(96) and linxiang.grade == "优秀"
    wrong = rows[("广州市天河区总工会", 2023)]
    stated_wrong = len(check_file(units / "guangzhou/广州市天河区总工会/2023.yaml").errors)
    assert wrong.errors == stated_wrong > 0 and wrong.ready is False


def test_subtotals_by_authority_and_a_total_per_year(units):
    table = summarise([units], ready=True)
    labels = [(row.kind, row.authority, row.department) for row in table.rows]
    assert labels == [
        ("部门", "广州市总工会", "广州市从化区总工会"),
        ("合计", "2021年 合计", ""),  # one group that year: no subtotal repeating the total
        ("部门", "广州市总工会", "广州市天河区总工会"),
        ("小计", "广州市总工会 2022年 小计", ""),
        ("部门", "", "临湘市总工会"),
        ("小计", "（未填主管部门） 2022年 小计", ""),
        ("合计", "2022年 合计", ""),  # the departments' budgets
        ("合计", "2022年 合计", ""),  # the sums of projects, not added to them
        ("部门", "广州市总工会", "广州市天河区总工会"),
        ("小计", "广州市总工会 2023年 小计", ""),
        ("部门", "", "临湘市总工会"),
        ("部门", "", "益阳市总工会"),
        ("小计", "（未填主管部门） 2023年 小计", ""),
        ("合计", "2023年 合计", ""),
        ("合计", "2023年 合计", ""),
    ]
    budgets_2022, projects_2022 = table.rows[6], table.rows[7]
    assert (budgets_2022.basis, projects_2022.basis) == ("部门预算", "项目合计")
    assert budgets_2022.figures["调整后预算"] == Decimal("655.55") and budgets_2022.figures["调整率"] is not None
    assert projects_2022.figures["调整后预算"] == Decimal("112.36") and projects_2022.figures["调整率"] is None
    subtotal_2023 = table.rows[9]
    assert subtotal_2023.ready == "0/1" and subtotal_2023.errors == table.rows[8].errors > 0
    total_2023 = table.rows[-1]
    assert total_2023.basis == "项目合计"
    assert total_2023.figures["实际支出"] is None  # 益阳 states no spending: not given is not zero
    assert total_2023.figures["年初预算"] == Decimal("707.93")  # 0.00 + 707.93
    assert total_2023.figures["调整后预算"].quantize(Decimal("0.01")) == Decimal("826.53")  # 118.60 + 707.933


def test_a_total_has_the_rate_its_rows_formula_gives():
    # the Hunan 预算完成率 counts 年初结余 in its denominator: a total of one row is that row
    table = summarise([SOURCES / "hunan-department-2019"])
    for row, total in zip(table.rows[::2], table.rows[1::2]):
        assert (row.kind, total.kind) == ("部门", "合计")
        assert total.figures["执行率"] == row.figures["执行率"] != total.figures["实际支出"] / total.figures["调整后预算"] * 100


def test_a_project_form_row_adds_up_its_projects():
    table = summarise([SOURCES / "national-project"])
    row, total = table.rows
    assert row.basis == total.basis == "项目自评合计"
    assert row.figures["年初预算"] == Decimal("80.00")  # 80.00 + 0.00
    assert row.figures["调整后预算"] == Decimal("125.20")  # 85.20 + 40.00
    assert row.figures["实际支出"] == Decimal("121.60")  # 81.60 + 40.00
    assert str(row.figures["执行率"].quantize(Decimal("0.01"))) == "97.12"  # 121.60 / 125.20
    assert total.figures == row.figures


def test_xlsx_has_formats_and_a_chart(units, tmp_path):
    target = tmp_path / "汇总表.xlsx"
    result = run("summary", units, "-o", target, "--ready")
    assert result.exit_code == 1, result.output  # one department-year has an error: made all the same, and said
    assert "3 个部门年度尚不能报送（perfdoc validate --ready 查看）" in result.output  # 天河 2022 and 2023 show 【待填写】, and the one with an error
    book = openpyxl.load_workbook(target)
    sheet = book["汇总表"]
    assert tuple(cell.value for cell in sheet[1]) == HEADERS
    assert sheet.freeze_panes == "A2"
    rate = sheet.cell(2, HEADERS.index("执行率") + 1)
    assert rate.number_format == "0.00%" and rate.value == pytest.approx(1.0)
    assert sheet.cell(2, HEADERS.index("年初预算") + 1).number_format == "0.00"
    assert len(sheet._charts) == 1
    assert [row[HEADERS.index("可报送")].value for row in sheet.iter_rows(min_row=2, max_row=3)] == ["否", "0/1"]


def test_without_ready_nothing_is_rendered_and_errors_still_fail(units, tmp_path, monkeypatch):
    """Readiness renders every document: only asked for with --ready; the table is the same otherwise."""
    import perfdoc.ops.ready as ready

    def never(*_args):
        raise AssertionError("rendered without --ready")

    checked = summarise([units], ready=True)
    monkeypatch.setattr(ready, "readiness", never)
    table = summarise([units])
    assert all(row.ready is None for row in table.departments) and table.rows[-1].ready is None
    assert [row.cells()[:-1] for row in table.rows] == [row.cells()[:-1] for row in checked.rows]
    result = run("summary", units, "-o", tmp_path / "汇总表.xlsx")
    assert result.exit_code == 1 and "1 个部门年度有错误" in result.output and "尚不能报送" not in result.output
    sheet = openpyxl.load_workbook(tmp_path / "汇总表.xlsx")["汇总表"]
    assert {row[HEADERS.index("可报送")].value for row in sheet.iter_rows(min_row=2)} == {None}


def test_docx_is_a_landscape_table(units, tmp_path):
    target = tmp_path / "汇总表.docx"
    result = run("summary", units, "-o", target)
    assert result.exit_code == 1, result.output
    document = docx.Document(target)
    section = document.sections[-1]
    assert section.page_width > section.page_height
    grid = document.tables[0]
    assert [cell.text for cell in grid.rows[0].cells] == list(HEADERS)
    assert [row.cells[0].text for row in grid.rows][-1] == "2023年 合计"
    assert "{{" not in "".join(p.text for p in document.paragraphs)


def test_terminal_table_and_a_bad_output_name(units, tmp_path):
    shown = CliRunner().invoke(main, ["summary", str(units)], env={"COLUMNS": "250"})
    assert shown.exit_code == 1 and "广州市总工会 2022年 小计" in shown.output
    assert run("summary", SOURCES / "hunan-linxiang").exit_code == 0  # ready to submit
    assert run("summary", units, "-o", tmp_path / "汇总.pdf").exit_code == 2


def test_an_unreadable_source_is_a_row_that_says_so(tmp_path):
    broken = tmp_path / "某单位" / "2022.yaml"
    broken.parent.mkdir()
    broken.write_text("格式: guangzhou\n年度: 2022\n部门: [\n", encoding="utf-8")
    table = summarise([tmp_path], ready=True)
    (row,) = table.departments
    assert row.authority == "（无法读取）" and row.department == "某单位" and row.errors == 1 and row.ready is False
    exported = run("export", tmp_path, "-o", tmp_path / "x.xlsx")
    assert exported.exit_code == 1 and "无法读取，未写入任何文件" in exported.output
    assert "Traceback" not in exported.output and not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("source", sorted(SOURCES.rglob("*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_figure_of_a_row_is_the_one_show_lists(source):
    from perfdoc.ops.summary import BASES, PROJECT_FORM, PROJECT_FORM_COLUMNS, department_row

    checked = check_file(source)
    shown = {row.path: row.value for row in figure_rows(checked.analysis)}
    row = department_row(checked)
    if row.basis == PROJECT_FORM:  # each project's 年度资金总额 as show lists it, added up
        for column, key in PROJECT_FORM_COLUMNS.items():
            listed = [Decimal(value) for path, value in shown.items() if path.endswith(f"资金.年度资金总额.{key}")]
            assert listed and row.figures[column] == sum(listed), column
        return
    for column, path in BASES[row.basis].items():
        value = row.figures[column]
        if path is None or value is None:
            assert path is None or ".".join(path) not in shown, column
            continue
        assert str(value) == shown[".".join(path)], column
    assert row.score is None or str(row.score) == shown["评分.综合得分"]
