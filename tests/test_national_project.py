"""The national 项目支出绩效自评表 (national-project): figures, scores, checks and refusals."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.pipeline import check_file, check_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "sources" / "national-project" / "示例市总工会" / "2023.yaml"

HEAD = """格式: national-project
年度: 2023
部门:
  名称: 示例部门
"""

FUNDS = "{年初预算数: 50, 全年预算数: 50, 全年执行数: 45}"
ZERO = "{年初预算数: 0, 全年预算数: 0, 全年执行数: 0}"
# Every row written: a row left out is not known to be 0, and the total is then unknown.
ALL_FUNDS = f"当年财政拨款: {FUNDS}\n上年结转资金: {ZERO}\n其他资金: {ZERO}"


def project(indicators: str, funds: str = ALL_FUNDS, extra: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(indicators).strip(), " " * 6)
    fund_lines = textwrap.indent(textwrap.dedent(funds).strip(), " " * 6)
    extra_lines = textwrap.indent(textwrap.dedent(extra).strip(), " " * 4) if extra else ""
    return f"{HEAD}项目自评:\n  - 名称: 甲项目\n    资金:\n{fund_lines}\n{extra_lines}\n    指标:\n{body}\n"


def run(text: str):
    # the rules alone: a fragment's form shows 【待填写】 markers (PD701) for the fields it leaves out
    return check_text(text, "2023.yaml", markers=False)


def codes(text: str) -> list:
    return [d.code for d in run(text).diagnostics]


def test_example_is_marked_and_clean():
    assert EXAMPLE.read_text(encoding="utf-8").startswith("# 示例数据")
    checked = check_file(EXAMPLE)
    assert checked.diagnostics == []


def test_example_figures():
    figures = check_file(EXAMPLE).analysis.figures
    first = figures.get(("项目自评", 0))
    assert first["资金"]["年度资金总额"]["全年预算数"] == Decimal("85.20")
    assert first["执行率"].quantize(Decimal("0.01")) == Decimal("95.77")  # 81.60 / 85.20
    assert first["执行率得分"] == Decimal("9.58")
    assert first["指标"][0]["得分"] == Decimal("22.50")  # 25 × 1080 / 1200
    assert first["总分"] == Decimal("97.08")
    assert first["等次"] == "优"
    second = figures.get(("项目自评", 1))
    # 年初预算 0 with a mid-year allocation: the total row is summed, the rate is on 全年预算数.
    assert second["资金"]["年度资金总额"]["年初预算数"] == Decimal("0")
    assert second["执行率得分"] == Decimal("10.00")
    assert second["总分"] == Decimal("100.00")


GOOD_INDICATOR = "- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 90}"


def test_zero_adjusted_budget_leaves_the_rate_undefined_and_says_so():
    result = run(project(GOOD_INDICATOR, f"当年财政拨款: {{年初预算数: 0, 全年预算数: 0, 全年执行数: 3}}\n上年结转资金: {ZERO}\n其他资金: {ZERO}"))
    messages = [d.message for d in result.diagnostics if d.code == "PD203"]
    assert len(messages) == 1 and "无法计算" in messages[0] and "全年预算数" in messages[0]
    values = result.analysis.figures.get(("项目自评", 0))
    assert values.get("执行率") is None and values.get("总分") is None


def test_stated_total_row_is_checked_per_column():
    funds = f"""
    当年财政拨款: {FUNDS}
    上年结转资金: {ZERO}
    其他资金: {{年初预算数: 5, 全年预算数: 5, 全年执行数: 5}}
    年度资金总额: {{年初预算数: 55, 全年预算数: 56, 全年执行数: 50}}
    """
    result = run(project(GOOD_INDICATOR, funds))
    wrong = [d for d in result.diagnostics if d.code == "PD201"]
    assert [d.path[-1] for d in wrong] == ["全年预算数"]


def test_stated_rate_is_checked():
    assert "PD202" in codes(project(GOOD_INDICATOR, extra="执行率: 95%"))
    assert "PD202" not in codes(project(GOOD_INDICATOR, extra="执行率: 90%"))


def test_reverse_indicator_unmet_is_scored_by_the_completion_rule():
    indicators = """
    - {一级: 产出, 二级: 成本, 三级: 人均成本, 指标性质: 不超过, 指标值: 800, 度量单位: 元, 完成值: 1000, 分值: 40}
    - {一级: 效益, 二级: 社会效益, 三级: 取证人数, 指标性质: ≥, 指标值: 100, 度量单位: 人, 完成值: 100, 分值: 50}
    """
    result = run(project(indicators))
    assert [d.code for d in result.diagnostics if d.is_error] == []
    values = result.analysis.figures.get(("项目自评", 0))
    assert values["指标"][0]["得分"] == Decimal("32.00")  # 40 × 800 / 1000
    assert values["总分"] == Decimal("91.00")  # 9 + 32 + 50


def test_full_marks_for_an_unmet_target_are_flagged():
    indicators = "- {一级: 产出, 二级: 成本, 三级: 人均成本, 指标性质: ≤, 指标值: 800, 度量单位: 元, 完成值: 1000, 分值: 90, 得分: 90}"
    found = [d for d in run(project(indicators)).diagnostics if d.code == "PD308"]
    assert len(found) == 1 and "满分" in found[0].message and "72" in found[0].hint


def test_stated_total_and_grade_are_checked():
    text = project(GOOD_INDICATOR, extra="总分: 100\n等次: 良")
    messages = [d.message for d in run(text).diagnostics if d.code == "PD308"]
    assert any("总分填写为 100" in m and "99" in m for m in messages)
    assert any("“优”" in m for m in messages)


def test_text_actual_against_a_number_is_flagged_and_not_scored():
    indicators = "- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 已完成, 分值: 90}"
    result = run(project(indicators))
    assert "PD404" in [d.code for d in result.diagnostics]
    assert result.analysis.figures.get(("项目自评", 0, "指标", 0, "得分")) is None


def test_qualitative_target_with_a_number_in_words_is_not_compared():
    indicators = "- {一级: 产出, 二级: 时效, 三级: 完成时间, 指标值: 12月底前, 完成值: 11月底前, 分值: 90, 得分: 90}"
    assert codes(project(indicators)) == []


def test_weights_include_the_budget_rate_points():
    indicators = "- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 100}"
    found = [d for d in run(project(indicators)).diagnostics if d.code == "PD307"]
    assert len(found) == 1 and "预算执行率 10" in found[0].message and "90" in found[0].hint


BAD_INPUTS = {
    "PD111": f"{HEAD}项目自评:\n  - 名称: 甲项目\n    指标:\n      {GOOD_INDICATOR}\n",
    "PD307": project("- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050}"),
    "PD112": project("- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: 约为, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 90}"),
    "PD405": project("- {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 20期, 分值: 90}"),
}


@pytest.mark.parametrize("code", sorted(BAD_INPUTS))
def test_bad_input_is_located_and_no_document_is_written(code, tmp_path):
    source = tmp_path / "2023.yaml"
    source.write_text(BAD_INPUTS[code], encoding="utf-8")
    output = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["render", str(source), "-o", str(output)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "2023.yaml:" in result.output and code in result.output
    assert "提示" in result.output  # each says what to write instead
    assert not output.exists()


def test_rendered_form_has_one_sheet_per_project(tmp_path):
    output = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["render", str(EXAMPLE), "-o", str(output)], catch_exceptions=False)
    assert result.exit_code == 0
    from perfdoc.render.extract import document_text

    text = document_text(output.read_bytes())
    assert text.count("项目支出绩效自评表") == 2
    assert "职工技能培训项目" in text and "困难职工帮扶项目" in text
    assert "97.08" in text and "≥1200人次" in text


SICHUAN = REPO / "sources" / "sichuan-project" / "示例县农业农村局" / "2023.yaml"


def test_sichuan_example_is_marked_clean_and_scored():
    assert SICHUAN.read_text(encoding="utf-8").startswith("# 示例数据")
    checked = check_file(SICHUAN)
    assert checked.diagnostics == []
    projects = checked.analysis.figures.get(("项目自评",))
    assert len(projects) == 3
    # 财政资金 600 + 单位资金 20 (the format's sources)
    assert projects[0]["资金"]["年度资金总额"]["全年预算数"] == Decimal("620.00")
    # 年初预算 0, mid-year 80: rate 64 / 80; the unmet 发放比例 scores 20 × 80 / 100
    assert projects[1]["资金"]["年度资金总额"]["年初预算数"] == Decimal("0")
    assert projects[1]["执行率得分"] == Decimal("8.00")
    assert projects[1]["指标"][1]["得分"] == Decimal("16.00")
    assert projects[1]["总分"] == Decimal("94.00")


def test_sichuan_inherits_the_national_scoring_and_replaces_fund_rows():
    from perfdoc.load.formats import load_format

    sichuan, national = load_format("sichuan-project"), load_format("national-project")
    assert sichuan.parent == "national-project"
    assert sichuan.outside_items == national.outside_items
    assert sichuan.fund_sources == ("财政资金", "财政专户管理资金", "单位资金", "其他资金")
    assert national.fund_sources == ("当年财政拨款", "上年结转资金", "其他资金")
    assert sichuan.options["文字"]["报表编号"] == "510000_0013zp"


def test_a_fund_row_of_another_form_is_flagged_and_not_summed():
    text = project(GOOD_INDICATOR, "当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 45}").replace(
        "national-project", "sichuan-project")
    result = run(text)
    assert [d.code for d in result.diagnostics if d.code == "PD113"] == ["PD113"]
    assert "财政资金" in next(d.hint for d in result.diagnostics if d.code == "PD113")


def test_sichuan_form_prints_its_header_rule_and_signatures(tmp_path):
    output = tmp_path / "out.docx"
    result = CliRunner().invoke(main, ["render", str(SICHUAN), "-o", str(output)], catch_exceptions=False)
    assert result.exit_code == 0
    from perfdoc.render.extract import document_text

    text = document_text(output.read_bytes())
    assert text.count("报表编号：510000_0013zp") == 3
    assert "51012323T000002-农业防灾减灾救灾项目" in text
    assert "预算执行率=预算执行数/调整后预算数" in text
    assert "财务负责人：钱丽" in text and "财政专户管理资金" in text


@pytest.mark.parametrize("funds, explanation, marked", [
    ("{年初预算数: 50, 全年预算数: 50, 全年执行数: 48}", "", False),  # 96%, no adjustment: nothing to explain
    ("{年初预算数: 50, 全年预算数: 50, 全年执行数: 40}", "", True),  # 80% < 须说明原因.执行率低于 90
    ("{年初预算数: 40, 全年预算数: 50, 全年执行数: 50}", "", True),  # adjusted mid-year
    ("{年初预算数: 50, 全年预算数: 50, 全年执行数: 40}", "执行说明: 设备采购延期。", False),
])
def test_sichuan_asks_for_the_explanation_only_where_the_form_does(funds, explanation, marked):
    from perfdoc.build.rendering import render_checked
    from perfdoc.render.extract import document_text

    rows = f"财政资金: {funds}\n" + "\n".join(f"{row}: {ZERO}" for row in ("财政专户管理资金", "单位资金", "其他资金"))
    text = project(GOOD_INDICATOR, rows, explanation).replace("national-project", "sichuan-project")
    checked = run(text)
    assert not checked.errors, checked.diagnostics
    rendered = document_text(render_checked(checked, checked.analysis.format.documents[0]))
    assert ("【待填写：项目自评[1].执行说明】" in rendered) is marked
    assert ("设备采购延期。" in rendered) is bool(explanation)


def test_build_writes_the_department_document_and_one_file_per_project(tmp_path):
    from perfdoc.render.extract import document_text

    out = tmp_path / "out"
    args = ["build", str(EXAMPLE.parent), "--out", str(out), "-j", "1"]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    folder = out / "national-project" / "示例市总工会" / "2023"
    name = "示例市总工会2023年度项目支出绩效自评表"  # the default 文件名 pattern
    assert (folder / f"{name}.docx").is_file()
    files = sorted(p.name for p in (folder / name).iterdir())
    assert files == ["困难职工帮扶项目.docx", "职工技能培训项目.docx"]
    single = document_text((folder / name / "困难职工帮扶项目.docx").read_bytes())
    assert "困难职工帮扶项目" in single and "职工技能培训项目" not in single
    # a missing project file is written again; the rest are current
    (folder / name / "困难职工帮扶项目.docx").unlink()
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "生成 1，跳过 2" in result.output
    assert (folder / name / "困难职工帮扶项目.docx").is_file()


def test_item_file_names_are_safe_and_distinct():
    from perfdoc.build.paths import item_file_names

    names = [name for name, _ in item_file_names([{"名称": "a/b:c"}, {"名称": "a/b:c"}, {}, {"名称": ".."}])]
    assert names == ["a_b_c", "a_b_c_2", "第3项", "第4项"]


@pytest.mark.parametrize("funds, expected", [
    ("资金: [1]", ["PD103"]),
    ("资金:\n      当年财政拨款: 5", ["PD103"]),
    ("资金: {}", ["PD111"]),  # a warning: the place kept to fill (see below)
    ("资金:\n      当年财政拨款: {年初预算数: 1}", []),
])
def test_funds_in_the_wrong_shape_are_reported_once(funds, expected):
    text = f"{HEAD}项目自评:\n  - 名称: 甲项目\n    {funds}\n"
    assert [c for c in codes(text) if c in ("PD103", "PD111")] == expected


def test_next_year_empties_each_projects_results_and_keeps_its_targets(tmp_path):
    from perfdoc.load.loader import load_path

    target = tmp_path / "2024.yaml"
    result = CliRunner().invoke(main, ["next-year", str(SICHUAN), "-o", str(target)], catch_exceptions=False)
    # written and valid; every project's funds are still to fill, said once each as a warning,
    # and so are the results the form shows a marker for: one warning per project and per indicator
    assert result.exit_code == 0 and "17 条提示" in result.output
    warnings = check_file(target).warnings
    assert [d.path for d in warnings if d.code == "PD111"] == [("项目自评", i, "资金") for i in range(3)]
    assert all("尚未填写" in d.message for d in warnings if d.code == "PD111")
    results = [d for d in warnings if d.code == "PD701"]
    assert [d.path for d in results if len(d.path) == 2] == [("项目自评", i) for i in range(3)]
    assert all(d.message.endswith("请填写 项目自评[%d]：评价结论、存在问题、改进措施" % (d.path[1] + 1))
               for d in results if len(d.path) == 2)
    assert all(d.message.endswith("：完成值、偏差原因") for d in results if len(d.path) == 4)
    assert len(results) == 3 + 11  # the three projects, and their 4 + 4 + 3 indicators
    projects = load_path(target).data["项目自评"]
    first = projects[0]
    assert first["资金"] == {} and first["年度总体目标"]["实际完成情况"] == ""
    assert first["年度总体目标"]["预期目标"].startswith("新建高标准农田")
    assert [item["完成值"] for item in first["指标"]] == ["", "", "", ""]
    assert [item["指标值"] for item in first["指标"]] == [10000, 100, 50, 90]
    assert not any(key in project for project in projects for key in ("总分", "等次", "评价结论", "执行说明"))
    assert not any("得分" in item or "偏差原因" in item for project in projects for item in project["指标"])


# ---------------------------------------------------------------- 须说明原因: the Sichuan 原因 cell

SICHUAN_FUNDS = "\n".join(
    f"{row}: {ZERO}" for row in ("财政专户管理资金", "单位资金", "其他资金")
)


def sichuan_project(funds: str, extra: str = "") -> str:
    return project(GOOD_INDICATOR, f"财政资金: {funds}\n{SICHUAN_FUNDS}", extra).replace("national-project", "sichuan-project")


def reason_cell(text: str) -> str:
    """The 原因 cell of the Sichuan form's 总额 row, as rendered."""
    from perfdoc.build.rendering import render_checked
    from perfdoc.render.extract import document_lines

    checked = run(text)
    lines = document_lines(render_checked(checked, checked.analysis.format.documents[0]))
    return lines[lines.index("总额") + 7]


@pytest.mark.parametrize(
    "funds, needed",
    [
        ("{年初预算数: 50, 全年预算数: 50, 全年执行数: 45}", False),  # 90.00%: reaches the threshold
        ("{年初预算数: 50, 全年预算数: 50, 全年执行数: 44.99}", True),  # 89.98%
        ("{年初预算数: 40, 全年预算数: 50, 全年执行数: 50}", True),  # 100%, but adjusted mid-year
    ],
)
def test_the_reason_is_asked_for_below_the_formats_threshold_or_after_an_adjustment(funds, needed):
    text = sichuan_project(funds)
    assert ("PD209" in codes(text)) is needed
    assert reason_cell(text) == ("【待填写：项目自评[1].执行说明】" if needed else "")
    explained = sichuan_project(funds, "执行说明: 年中追加 10 万元。")
    assert "PD209" not in codes(explained) and reason_cell(explained) == "年中追加 10 万元。"


def test_the_threshold_is_the_formats(tmp_path, monkeypatch):
    """A member format that lowers 执行率低于 and drops 预算调整 asks for no reason where Sichuan does."""
    import shutil

    from perfdoc.load.formats import load_format

    assert load_format("sichuan-project").explanation == {"执行率低于": 90, "预算调整": True}
    assert load_format("national-project").explanation == {}  # the national form has no 原因 cell
    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root)
    (root / "lenient").mkdir()
    (root / "lenient" / "format.yaml").write_text("基于: sichuan-project\n须说明原因:\n  执行率低于: 80\n  预算调整: false\n", encoding="utf-8")
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    text = sichuan_project("{年初预算数: 40, 全年预算数: 50, 全年执行数: 44.99}")
    assert "PD209" in codes(text)
    assert "PD209" not in codes(text.replace("sichuan-project", "lenient"))
    (root / "lenient" / "format.yaml").write_text("基于: sichuan-project\n须说明原因:\n  执行率低于: 120\n", encoding="utf-8")
    assert "PD811" in CliRunner().invoke(main, ["check-format", "lenient"]).output


# ---------------------------------------------------------------- 一级/二级 names from the format

COST_INDICATOR = "- {一级: 成本, 二级: 经济成本, 三级: 单位面积建设成本, 指标性质: ≤, 指标值: 3000, 度量单位: 元/亩, 完成值: 2900, 分值: 90}"


def test_a_format_adds_cost_as_a_first_level_indicator_without_python(tmp_path):
    """Sichuan names 成本 (财预〔2021〕101号) as a 一级 with its 二级; the national form does not."""
    sichuan = sichuan_project("{年初预算数: 50, 全年预算数: 50, 全年执行数: 50}").replace(GOOD_INDICATOR.strip(), COST_INDICATOR)
    assert run(sichuan).diagnostics == []
    assert "成本指标\n经济成本指标\n单位面积建设成本" in document_text_of(sichuan)
    national = project(COST_INDICATOR)
    found = [d for d in run(national).diagnostics if d.is_error]
    assert {d.code for d in found} == {"PD103"}
    assert "“成本”不是可选值，应为：产出、效益、满意度" in found[0].message


def document_text_of(text: str) -> str:
    from perfdoc.build.rendering import render_checked
    from perfdoc.render.extract import document_text

    checked = run(text)
    return document_text(render_checked(checked, checked.analysis.format.documents[0]))


def test_a_format_may_drop_an_inherited_level_name(tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root)
    (root / "narrow").mkdir()
    (root / "narrow" / "format.yaml").write_text("基于: national-project\n指标名称:\n  一级: {满意度: ~}\n", encoding="utf-8")
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    text = project(GOOD_INDICATOR).replace("national-project", "narrow")
    assert run(text).diagnostics == []
    satisfaction = text.replace("一级: 产出", "一级: 满意度")
    assert "应为：产出、效益" in next(d.message for d in run(satisfaction).diagnostics if d.code == "PD103")
