"""Hunan's 基础数据表 (附件1) and the older 指标表: figures from last year's file, scoring rules, bad input."""

from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from perfdoc.build.rendering import render_checked
from perfdoc.load.formats import load_format
from perfdoc.ops.ready import readiness
from perfdoc.pipeline import check_file, check_text
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "sources" / "hunan-department-2019" / "南县农业农村局"
LAST_YEAR = (EXAMPLE / "2018.yaml").read_text(encoding="utf-8")
THIS_YEAR = (EXAMPLE / "2019.yaml").read_text(encoding="utf-8")
PATH = "sources/hunan-department-2019/南县农业农村局/2019.yaml"


def _check(text: str, previous: str | None = LAST_YEAR):
    return check_text(text, PATH, previous_text=previous)


def _codes(checked, code: str) -> list:
    return [d for d in checked.diagnostics if d.code == code]


def _document(checked, name: str) -> str:
    return document_text(render_checked(checked, checked.analysis.format.document(name)))


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_last_years_actuals_fill_the_first_column():
    checked = _check(THIS_YEAR)
    assert not checked.errors
    values = checked.analysis.figures.values["基础数据"]
    assert values["上年决算"]["基本支出"] == Decimal("360.00")  # 2018's 本年决算 (its 收支合计)
    assert values["上年决算"]["专项"] == {"农业技术推广项目": Decimal("90.00"), "动物防疫项目": Decimal("50.00")}
    assert values["上年决算"]["支出总额"] == Decimal("500.00")
    assert values["上年三公经费预算"] == Decimal("6.50")  # 2018's 本年预算 三公经费
    sheet = _document(checked, "基础数据表")
    assert "支出总额\n500.00\n530.00\n532.00" in sheet


def test_without_last_years_file_the_column_is_unknown_not_zero():
    checked = _check(THIS_YEAR, previous=None)
    assert not checked.errors
    sheet = _document(checked, "基础数据表")
    assert "1、基本支出\n【待填写：基础数据.上年决算.基本支出】\n390.00\n382.00" in sheet
    ready = {d.code: d for d in readiness(checked) if d.is_error}
    assert ready["PD701"].message.endswith("请填写 基础数据.上年决算：基本支出、公用经费、三公经费.公务接待费、"
                                           "三公经费.公务用车运维费、三公经费.公务用车购置费、三公经费.因公出国费、专项")
    # said once: the missing input (PD207) names what the 三公经费变动率 and its 得分 lack
    assert ready["PD207"].path == ("基础数据", "上年三公经费预算")
    assert "上年三公经费预算" not in ready["PD701"].message
    # 三公经费变动率 is unknown, so is the 得分 its rule gives: the 指标表 says so
    table = _document(checked, "指标表")
    assert "【待填写：基础数据.上年三公经费预算】" in table


def test_a_stated_last_year_figure_is_checked_against_last_years_file():
    text = THIS_YEAR.replace("    政府采购金额: 28.5\n", "    政府采购金额: 27.5\n    基本支出: 360\n", 1)
    checked = _check(text)
    (finding,) = _codes(checked, "PD604")
    assert finding.path == ("基础数据", "上年决算", "政府采购金额")
    assert finding.location.line == _line_of(text, "政府采购金额: 27.5")
    assert "27.5" in finding.message and "28.50" in finding.message and "请改为 28.50" in finding.message


def test_trailing_zeros_never_make_two_figures_differ():
    text = THIS_YEAR.replace("    政府采购金额: 28.5\n", "    政府采购金额: 28.500\n", 1)
    assert not _codes(_check(text), "PD604")
    text = THIS_YEAR.replace("  本年预算:\n", "  上年三公经费预算: 6.5\n  本年预算:\n", 1)
    assert not _codes(_check(text), "PD604")
    text = THIS_YEAR.replace("  本年预算:\n", "  上年三公经费预算: 6.60\n  本年预算:\n", 1)
    (finding,) = _codes(_check(text), "PD604")
    assert finding.path == ("基础数据", "上年三公经费预算")


def test_a_missing_establishment_is_said_where_to_write_it():
    text = THIS_YEAR.replace("  人员编制: 30\n", "", 1)
    checked = _check(text)
    (finding,) = [d for d in _codes(checked, "PD207") if d.path == ("部门", "人员编制")]
    assert "部门.人员编制" in finding.message and "基础数据.在职人员控制率" in finding.message
    assert finding.location.line == _line_of(text, "部门:") + 1  # the 部门 block, where the key belongs
    sheet = _document(checked, "基础数据表")
    assert "【待填写：部门.人员编制】" in sheet


def test_the_points_total_must_be_the_formats():
    text = THIS_YEAR.replace("三级: 工作质量达标率, 分值: 8,", "三级: 工作质量达标率, 分值: 6,", 1)
    (finding,) = _codes(_check(text), "PD301")
    assert finding.path == ("指标表",)
    assert "98" in finding.message and "总分 100" in finding.message and "补足 2 分" in finding.message


def test_a_rule_scored_row_has_the_rules_points():
    text = THIS_YEAR.replace("三级: 在职人员控制率, 分值: 8,", "三级: 在职人员控制率, 分值: 5,", 1)
    findings = _codes(_check(text), "PD306")
    assert any(f.path == ("指标表", 0, "分值") and "请写 8" in f.message for f in findings)


def test_a_stated_score_is_checked_against_the_rule():
    text = THIS_YEAR.replace("三级: 在职人员控制率, 分值: 8, 得分: 6.33,", "三级: 在职人员控制率, 分值: 8, 得分: 8,", 1)
    (finding,) = _codes(_check(text), "PD306")
    assert finding.path == ("指标表", 0, "得分")
    assert "6.33" in finding.message and finding.location.line == _line_of(text, "三级: 在职人员控制率")


@pytest.mark.parametrize("stated, finding", [("103.33%", False), ("103.3%", False), ("104.00%", True)])
def test_a_rate_stated_as_printed_scores_as_the_exact_one(stated, finding):
    """31 / 30 = 103.333…% scores 6.33; the rate written as the document prints it (an imported
    source) scores the same; a rate that does not round to it is scored as written and reported."""
    text = THIS_YEAR.replace("  楼堂馆所控制情况:", f'  在职人员控制率: "{stated}"\n  楼堂馆所控制情况:', 1)
    checked = _check(text)
    assert bool(checked.errors) is finding, [d.message for d in checked.errors]
    assert _scores(text)["在职人员控制率"] == Decimal("6.33")


def _scores(text: str) -> dict:
    checked = _check(text)
    return {row["三级"]: row.get("得分") for row in checked.analysis.figures.values["指标表"]}


def test_the_three_public_change_is_on_budgets_not_actuals():
    # actual 三公 spending rises (5.60 → 9.60) while the budget falls (6.50 → 6.20): full marks, no finding
    text = THIS_YEAR.replace("      公务接待费: 2.20\n", "      公务接待费: 6.20\n", 1)
    checked = _check(text)
    assert checked.analysis.figures.values["基础数据"]["三公经费变动率"] < 0
    assert _scores(text)["三公经费变动率"] == Decimal("8.00")
    # a budget 10% above last year's loses 0.8 points per point over
    raised = THIS_YEAR.replace("      公务接待费: 2.40\n    政府采购金额: 32.00", "      公务接待费: 3.35\n    政府采购金额: 32.00", 1)
    assert _scores(raised)["三公经费变动率"] == Decimal("0.00")  # (7.15 − 6.50) / 6.50 = 10% → 8 − 8


def test_budget_completion_counts_the_opening_balance():
    fragment = THIS_YEAR.replace("  年初预算: 530.00\n  调整数: 10.00\n  年初结余: 10.00\n", "  年初预算: 500.00\n  调整数: 0\n  年初结余: 10.00\n", 1)
    fragment = fragment.replace("一般公共预算: 532.00", "一般公共预算: 500.00", 1)
    checked = _check(fragment)
    assert checked.analysis.figures.values["预算"]["预算完成率"].quantize(Decimal("0.01")) == Decimal("98.04")


@pytest.mark.parametrize("adjustment, points", [("0", "8"), ("-20", "8"), ("53", "6"), ("106", "4"), ("159", "2"), ("160", "0")])
def test_budget_control_bands(adjustment, points):
    text = THIS_YEAR.replace("  年初预算: 530.00\n  调整数: 10.00\n", f"  年初预算: 530.00\n  调整数: {adjustment}\n", 1)
    text = text.replace("三级: 预算控制率, 分值: 8, 得分: 6}", "三级: 预算控制率, 分值: 8}", 1)
    assert _scores(text)["预算控制率"] == Decimal(points)


def test_staff_over_the_establishment_lose_half_a_point_per_point():
    text = THIS_YEAR.replace("  实有人数: 31\n", "  实有人数: 33\n", 1).replace("得分: 6.33, ", "", 1)
    assert _scores(text)["在职人员控制率"] == Decimal("3.00")  # 110% → 8 − 0.5 × 10


def test_the_basic_data_sheet_is_made_only_when_the_source_writes_its_data():
    linxiang = REPO / "sources" / "hunan-linxiang" / "临湘市总工会" / "2023.yaml"
    checked = check_file(linxiang)
    fmt = checked.analysis.format
    assert [d.name for d in fmt.documents_for(checked.analysis.data)] == ["自评报告"]
    text = linxiang.read_text(encoding="utf-8") + "\n基础数据:\n  本年决算: {政府采购金额: 12.5}\n"
    opted = check_text(text, str(linxiang))
    assert [d.name for d in fmt.documents_for(opted.analysis.data)] == ["自评报告", "基础数据表"]
    sheet = _document(opted, "基础数据表")
    assert "编制数\n实际在职人数\n控制率\n24\n24\n100.00%" in sheet
    assert "4、政府采购金额\n【待填写：基础数据.上年决算.政府采购金额】\n【待填写：基础数据.本年预算.政府采购金额】\n12.50" in sheet


def test_an_unknown_condition_key_is_a_format_error(tmp_path):
    folder = tmp_path / "hunan-x"
    folder.mkdir()
    (folder / "format.yaml").write_text(textwrap.dedent("""\
        基于: hunan-department
        地区: 华容县
        文档:
          - {名称: 基础数据表, 模板: 基础数据表.docx, 条件: 基础数剧}
        """), encoding="utf-8")
    from perfdoc.errors import FormatError

    for name in ("hunan-department", "national"):
        shutil.copytree(REPO / "templates" / name, tmp_path / name)
    with pytest.raises(FormatError) as caught:
        load_format("hunan-x", root=tmp_path)
    (problem,) = [d for d in caught.value.diagnostics if d.code == "PD804"]
    assert "基础数剧" in problem.message and "基础数据" in problem.message


def test_a_score_above_its_points_is_an_error():
    text = THIS_YEAR.replace("三级: 工作质量达标率, 分值: 8, 评分标准: 全部达标的得 8 分, 得分: 8}",
                             "三级: 工作质量达标率, 分值: 8, 评分标准: 全部达标的得 8 分, 得分: 9}", 1)
    (finding,) = _codes(_check(text), "PD302")
    assert finding.path == ("指标表", 9, "得分") and "超过了分值 8" in finding.message


def test_a_last_year_file_without_basic_data_still_gives_its_actuals():
    # 临湘 2022 files no 基础数据表; its 收支 and 项目 are last year's actuals all the same
    folder = REPO / "sources" / "hunan-linxiang" / "临湘市总工会"
    text = (folder / "2023.yaml").read_text(encoding="utf-8") + "\n基础数据:\n  本年决算: {政府采购金额: 12.5}\n"
    checked = check_text(text, str(folder / "2023.yaml"), previous_text=(folder / "2022.yaml").read_text(encoding="utf-8"))
    last_year = checked.analysis.figures.values["基础数据"]["上年决算"]
    assert last_year["基本支出"] == Decimal("253.74") and last_year["公用经费"] == Decimal("24.10")
    assert last_year["专项"] == {"附加性支出-工会经费项目": Decimal("96"), "死亡抚恤项目": Decimal("16.36")}
    assert last_year["三公经费"]["合计"] == Decimal("0.50") and last_year["支出总额"] == Decimal("366.10")
    sheet = _document(checked, "基础数据表")
    assert "4、政府采购金额\n【待填写：基础数据.上年决算.政府采购金额】" in sheet  # 2022 states none: unknown, not 0
