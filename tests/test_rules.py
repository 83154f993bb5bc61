"""Every rule: its documented bad example fails, its good example passes, plus edge cases."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from perfdoc.rules import all_rules
from perfdoc.pipeline import check_text
from perfdoc.ops.docgen import example_source

RULES = all_rules()


def test_rules_have_codes_summaries_and_examples():
    assert len(RULES) >= 20
    for rule in RULES:
        assert rule.code.startswith("PD") and len(rule.code) == 5
        assert rule.summary and not rule.summary.startswith(" ")
        assert rule.example("错误示例").strip(), rule.code
        assert rule.example("正确示例").strip(), rule.code


def _example_codes(rule, heading):
    previous = rule.example("上年数据")
    result = check_text(
        example_source(rule.example(heading)),
        "example.yaml",
        previous_text=example_source(previous) if previous else None,
    )
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_bad_example_is_reported(rule):
    assert rule.code in _example_codes(rule, "错误示例")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_good_example_is_clean(rule):
    assert rule.code not in _example_codes(rule, "正确示例")


def _codes(check, text):
    return [d.code for d in check(textwrap.dedent(text)).diagnostics]


def test_rounded_items_against_stated_total_are_consistent(check):
    # Eight items rounded to 0.01 sum to 229.65; the stated 229.64 is within rounding.
    text = """
    机构收支:
      - 名称: 机关
        支出:
          人员支出明细: {基本工资: 95.45, 津补贴: 27.74, 奖金: 31.06, 绩效工资: 26.04, 职工基本医疗保险费: 10.42, 其他社会保障缴费: 0.60, 机关事业单位基本养老保险缴费: 21.91, 住房公积金: 16.43}
          人员支出: 229.64
    """
    assert "PD201" not in _codes(check, text)


def test_total_off_by_more_than_rounding_is_an_error(check):
    text = """
    机构收支:
      - 名称: 机关
        支出:
          人员支出明细: {基本工资: 95.45, 津补贴: 27.74}
          人员支出: 123.29
    """
    result = check(textwrap.dedent(text))
    (finding,) = [d for d in result.diagnostics if d.code == "PD201"]
    assert "123.29" in finding.message and "123.19" in finding.message
    assert (finding.location.line, finding.location.col) == (10, 13)


def test_amounts_are_exact_to_the_cent_however_written(check):
    # "12.1" and "3" mean 12.10 and 3.00: 万元 figures are kept to 0.01.
    base = "预算:\n  年初预算: 643.45\n  调整数: 12.1\n  调整后预算: {}\n"
    assert "PD201" not in _codes(check, base.format("655.55"))
    assert "PD201" in _codes(check, base.format("655.50"))
    assert "PD201" in _codes(check, base.format("655.57"))


def test_amounts_written_with_more_decimals_keep_their_precision(check):
    base = "预算:\n  年初预算: 101.833\n  调整数: 0.0004\n  调整后预算: {}\n"
    assert "PD201" not in _codes(check, base.format("101.83"))
    assert "PD201" not in _codes(check, base.format("101.8334"))
    assert "PD201" in _codes(check, base.format("101.8344"))


def test_rate_rounding(check):
    base = "预算:\n  年初预算: 643.45\n  调整数: 12.1\n  实际支出: {{一般公共预算: 608.57}}\n  预算调整率: \"{}\"\n"
    assert "PD202" not in _codes(check, base.format("1.88%"))
    assert "PD202" in _codes(check, base.format("1.98%"))


def test_zero_over_zero_is_zero_percent_not_a_warning(check):
    text = "预算:\n  年初预算: 431.77\n  调整数: 0\n  实际支出: {一般公共预算: 431.77, 政府性基金: 0}\n绩效自评:\n  政府性基金: {项目数: 0, 资金: 0}\n"
    result = check(text)
    assert "PD203" not in [d.code for d in result.diagnostics]
    assert str(result.analysis.figures.get(("绩效自评", "政府性基金", "占比"))) == "0.00%"


def test_grade_band_uses_format_scheme(check):
    text = "格式: hunan-linxiang\n评分:\n  综合得分: 89.99\n  评价等次: 优秀\n"
    result = check(text)
    (finding,) = [d for d in result.diagnostics if d.code == "PD303"]
    assert "良好" in finding.message


def test_score_includes_budget_execution_points(check):
    # guangzhou: 预算执行率 weighs 10; 92.83% of 10 = 9.28
    text = """
    预算: {年初预算: 643.45, 调整数: 12.1, 实际支出: {一般公共预算: 608.57}}
    指标:
      - {一级: 产出, 二级: 数量, 名称: 甲, 权重: 50, 得分: 50}
      - {一级: 效益, 二级: 社会效益, 名称: 乙, 权重: 40, 得分: 38}
    评分: {综合得分: 97.28, 评价等次: 优}
    """
    result = check(textwrap.dedent(text))
    codes = [d.code for d in result.diagnostics]
    assert "PD301" not in codes and "PD304" not in codes and "PD303" not in codes
    assert str(result.analysis.figures.score) == "97.28"


def test_indicator_targets(check):
    text = """
    指标:
      - {一级: 产出, 二级: 数量, 名称: 甲, 目标值: "≤10次", 实际值: 12次}
      - {一级: 产出, 二级: 数量, 名称: 乙, 目标值: 10家, 实际值: 12家}
      - {一级: 产出, 二级: 数量, 名称: 丙, 目标值: "≥1000人次", 实际值: 999人次, 已完成: true}
      - {一级: 产出, 二级: 质量, 名称: 丁, 目标值: "=100%", 实际值: 100%}
    """
    result = check(textwrap.dedent(text))
    pairs = [(d.code, d.path[1]) for d in result.diagnostics if d.code.startswith("PD40")]
    assert pairs == [("PD402", 0), ("PD401", 2)]


def test_narrative_typo_digit_swap_and_unit_slip(check):
    text = """
    机构收支:
      - 名称: 机关
        收入: {公共财政拨款: 366.10}
        支出:
          人员支出明细: {基本工资: 95.45, 津补贴: 27.74}
    叙述:
      支出概况: |
        财政拨款收入336.10万元，支出366.01万元，基本工资95.45万元。
        津补贴27.74元，另有会费5000元。
    """
    result = check(textwrap.dedent(text))
    found = {(d.code, d.message.split("“")[1].split("”")[0]) for d in result.diagnostics if d.code in ("PD502", "PD503")}
    assert found == {("PD502", "336.10万元"), ("PD502", "366.01万元"), ("PD503", "27.74元")}
    slip = next(d for d in result.diagnostics if d.code == "PD503")
    assert (slip.location.line, slip.location.col) == (14, 8)


def test_narrative_reference_renders_true_figure(check):
    text = """
    机构收支:
      - 名称: 机关
        收入: {公共财政拨款: 366.10}
    叙述:
      支出概况: 财政拨款收入{{ 收支合计.收入.公共财政拨款 }}万元。
    """
    from perfdoc.render.narrative import render_references

    result = check(textwrap.dedent(text))
    assert not result.errors
    rendered = render_references(result.analysis.model["叙述"]["支出概况"], result.analysis.figures.values)
    assert rendered == "财政拨款收入366.10万元。"


@pytest.mark.parametrize(
    "snippet",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ 部门.名称.__class__ }}",
        "{% for x in 部门 %}",
        "{{ 不存在的数字 }}",
        "{{ 预算.年初预算 | nosuchfilter }}",
    ],
)
def test_hostile_references_are_refused_with_a_location(check, snippet):
    result = check(f"叙述:\n  自评结论: |\n    第一行\n    全年{snippet}\n")
    (finding,) = [d for d in result.diagnostics if d.code == "PD501"]
    assert finding.location is not None and finding.location.line >= 5


def test_all_problems_are_reported_at_once(check):
    text = """
    年度: 2022
    部门: {名称: 甲, 人员编制: 二十四, 联系电话: "123"}
    预算: {年初预算: abc, 调整额: 1}
    报告: {报告日期: 2023-02-30}
    """
    codes = sorted(set(_codes(check, text)))
    assert {"PD101", "PD103", "PD104", "PD105", "PD106"} <= set(codes)


def test_did_you_mean(check):
    result = check("预算:\n  年初预箅: 1\n")
    (finding,) = [d for d in result.diagnostics if d.code == "PD101"]
    assert "年初预算" in finding.message
    assert (finding.location.line, finding.location.col) == (6, 3)


def test_year_must_match_file_name(check):
    result = check("年度: 2021\n", path="sources/x/y/2022.yaml")
    assert "PD107" in [d.code for d in result.diagnostics]


# ---------------------------------------------------------------- a full-width colon that YAML still reads


def test_a_key_and_value_joined_by_a_full_width_colon_get_a_hint(check):
    # YAML reads "名称：机关" as one text, so 部门 is a text where a mapping belongs (PD103)
    found = [d for d in check("部门:\n  名称：机关\n").errors if d.code == "PD103"]
    assert [d.hint for d in found] == ["“名称”后面用了全角冒号“：”，YAML 的键后面要用半角冒号“:”加空格：名称: 机关"]


def test_a_full_width_colon_inside_a_flow_mapping_gets_a_hint(check):
    # in {…} the key is "年初预算：10", which does not exist (PD101)
    found = [d for d in check("预算: {年初预算：10, 调整数: 1}\n").errors if d.code == "PD101"]
    assert [d.hint for d in found] == ["“年初预算”后面用了全角冒号“：”，YAML 的键后面要用半角冒号“:”加空格：年初预算: 10"]


@pytest.mark.parametrize("text", ["部门: 工会", "部门: 一是：加强管理，二是：完善制度", "部门: \"“说明”：见附件 1，2\""])
def test_text_without_a_full_width_colon_key_gets_no_such_hint(check, text):
    hints = [d.hint for d in check(text + "\n").errors if d.code == "PD103"]
    assert hints and not any("全角冒号" in hint for hint in hints)


@pytest.mark.parametrize(
    "written, what",
    [("3661000万元", "是按元计的数字，单位却写成了万元"), ("0.036610万元", "是把万元数当作元又换算成了万元")],
)
def test_narrative_figure_at_the_wrong_scale_is_a_unit_error(check, written, what):
    """366.10 万元 written in 元 under the 万元 label (3661000), or converted to 万元 twice (0.036610): shifted by 10⁴."""
    text = f"""
    机构收支:
      - 名称: 机关
        收入: {{公共财政拨款: 366.10}}
    叙述:
      支出概况: 财政拨款收入{written}。
    """
    result = check(textwrap.dedent(text))
    (unit_error,) = [d for d in result.diagnostics if d.code == "PD503"]
    assert unit_error.message == f"单位错误：“{written}”{what}——收支合计.收入.公共财政拨款 为 366.10 万元"
    assert (unit_error.location.line, unit_error.location.col) == (10, 15)
    assert "PD502" not in [d.code for d in result.diagnostics]


def test_a_project_with_only_actual_spending_is_not_a_negative_balance(check):
    # Not given is not zero: no budget was written, so no balance can be computed.
    text = """
    项目:
      - 名称: 甲
        实际支出: 10
    """
    result = check(textwrap.dedent(text))
    codes = [d.code for d in result.diagnostics]
    assert "PD204" not in codes
    (missing,) = [d for d in result.diagnostics if d.code == "PD207"]
    assert "项目[1].年初预算" in missing.message and "项目[1].执行率" in missing.message
    assert result.analysis.figures.get(("项目", 0, "执行率")) is None


def test_a_missing_budget_is_reported_once_and_rates_are_unknown(check):
    text = """
    预算:
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
    """
    result = check(textwrap.dedent(text))
    (missing,) = [d for d in result.diagnostics if d.code == "PD207"]
    assert missing.message == "未填写 预算.年初预算，以下数字无法计算：预算.调整后预算、预算.预算完成率、预算.预算调整率"
    assert result.analysis.figures.get(("预算", "预算完成率")) is None
    assert result.analysis.figures.get(("预算", "调整后预算")) is None


def test_a_written_zero_is_a_value_and_an_unwritten_adjustment_is_none(check):
    text = """
    预算:
      年初预算: 0
      实际支出:
        一般公共预算: 0
    """
    result = check(textwrap.dedent(text))
    assert "PD207" not in [d.code for d in result.diagnostics]
    assert result.analysis.figures.get(("预算", "调整后预算")) == 0


def test_one_typo_in_an_input_is_one_error(check):
    # The figures derived from the unreadable 年初预算 are unknown, not recomputed without it.
    text = """
    预算:
      年初预算: 643.4五
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
      调整后预算: 655.55
      预算完成率: "92.83%"
      预算调整率: "1.88%"
    """
    result = check(textwrap.dedent(text))
    assert [d.code for d in result.diagnostics if d.is_error] == ["PD104"]
    assert "PD207" not in [d.code for d in result.diagnostics]


def test_a_reference_error_points_at_the_reference_in_a_clipped_excerpt(check):
    from perfdoc.report import format_text

    long_text = "很长的文字" * 60 + "{{ 任务[3].资金 }}" + "后面的文字" * 60
    text = f"叙述:\n  部门整体绩效: |\n    {long_text}\n"
    result = check(text)
    (error,) = [d for d in result.diagnostics if d.code == "PD501"]
    assert error.message.startswith("任务 尚未填写")
    line = result.analysis.source.lines()[error.location.line - 1]
    assert line[error.location.col - 1 : error.location.end_col - 1] == "{{ 任务[3].资金 }}"
    excerpt, marker = format_text([error], {error.file: result.analysis.source.text}).splitlines()[1:3]
    assert excerpt.count("…") == 2 and "{{ 任务[3].资金 }}" in excerpt
    assert marker.count("^") == len("{{ 任务[3].资金 }}") + 4 and len(marker) < 120  # four wide characters


def _narrative_codes(check, section: str, text: str, head: str = "") -> list:
    body = head + f"叙述:\n  {section}: |\n" + "".join(f"    {line}\n" for line in text.splitlines())
    return [d.code for d in check(body).diagnostics]


_BUDGET = "预算:\n  年初预算: 643.45\n  调整数: 12.10\n  实际支出:\n    一般公共预算: 608.57\n"


@pytest.mark.parametrize(
    "text, fires",
    [
        ("全年预算完成率95%，各项工作按计划完成。", True),
        ("全年预算执行率为92.9%。", True),
        ("全年预算完成率92.8%，预算执行率92.83%，较上年有所提高。", False),
        ("资金使用率100%，职工满意度达到95%以上。", False),
    ],
)
def test_pd504_a_hand_typed_rate_is_checked_against_the_computed_one(check, text, fires):
    assert ("PD504" in _narrative_codes(check, "自评结论", text, _BUDGET)) is fires


def test_pd504_score_and_grade(check):
    head = "评分:\n  综合得分: 91.45\n"
    assert _narrative_codes(check, "自评结论", "自评得分92分，等次为良。", head).count("PD504") == 2
    assert "PD504" not in _narrative_codes(check, "自评结论", "自评得分91.45分，评价等次为优等。", head)
    assert "PD504" not in _narrative_codes(check, "自评结论", "自评得分91.5分，评价等次为优秀。", head)


@pytest.mark.parametrize(
    "text, fires",
    [
        ("我会现有内设机构3个，分别是办公室、组织宣教部。", True),
        ("共开展活动4项，包括：健步行、歌手大赛、演讲比赛。", True),
        ("我会现有内设机构2个，分别是办公室、组织宣教部（与维权工作部合署办公），下属事业单位1个。", False),
        ("成功申报全总“最美户外劳动者服务站点”6个，省总“百优驿站”7个。", False),
        ("开展活动5项，包括健步行、歌手大赛等。", False),
        ("推荐评选益阳市劳动模范66名、先进工作者33名，推出短视频30余期。", False),
    ],
)
def test_pd505_count_and_list(check, text, fires):
    assert ("PD505" in _narrative_codes(check, "机构设置", text)) is fires


@pytest.mark.parametrize(
    "text, fires",
    [
        ("1. 绩效指标设置有待提升。\n2. 预算执行进度不均衡。\n2. 资产管理有待加强。", True),
        ("1、加强学习。\n2、完善制度。\n4、强化监督。", True),
        ("1. 对劳模欠缺一定精神关怀。\n2. 与政府相关部门沟通、协调不够。", False),
        ("（一）预算执行\n1. 按月跟踪。\n2. 季度通报。\n（二）资产管理\n1. 定期盘点。\n2. 及时入账。", False),
        ("截至2023年12月底，预算项目资金全部落实。\n2023年度完成各项任务。", False),
    ],
)
def test_pd506_numbering(check, text, fires):
    assert ("PD506" in _narrative_codes(check, "存在问题", text)) is fires


@pytest.mark.parametrize(
    "text, fires",
    [
        ("2020年度，我会围绕中心工作，较好完成了各项任务。", True),
        ("2020年部门预算支出数共100万元。", True),
        ("2022年度，我会完成了各项任务，比2021年度有所提高。", False),
        ("推动市第二工人文化宫项目建设，作为2026年承办省运会的竞赛场馆之一。", False),
        ("截止2022年12月底，预算项目资金全部落实。", False),
    ],
)
def test_pd507_other_year(check, text, fires):
    assert ("PD507" in _narrative_codes(check, "总体运行情况", text, "年度: 2022\n")) is fires


@pytest.mark.parametrize(
    "text, fires",
    [
        ("全年支出120.50万元，其中人员经费80.20万元，公用经费45.30万元。", True),
        ("支出378.34万元，其中基本支出259.74万元，项目支出118.60万元，年末累计结余7.31万元。", False),
        ("人员经费229.64万元，其中基本工资95.45万元，津补贴27.74万元，奖金31.06万元，绩效工资26.04万元，"
         "职工基本医疗保险费10.42万元，其他社会保障缴费0.60万元；机关事业单位基本养老保险缴费21.91万元；住房公积金16.43万元。", False),
        ("全年支出120.50万元，其中人员经费80.20万元。", False),
    ],
)
def test_pd508_parts_exceed_whole(check, text, fires):
    assert ("PD508" in _narrative_codes(check, "支出概况", text)) is fires


def test_a_unit_error_is_called_a_unit_error_not_a_one_digit_slip(check):
    head = "项目:\n  - 名称: 甲\n    年初预算: 264\n    实际支出: 264\n"
    result = check(head + "叙述:\n  支出概况: |\n    全年项目支出2640000万元，完成率100%。\n")
    assert [d.code for d in result.diagnostics if d.code in ("PD502", "PD503")] == ["PD503"]
    (slip,) = [d for d in result.diagnostics if d.code == "PD503"]
    assert slip.message.startswith("单位错误：“2640000万元”是按元计的数字，单位却写成了万元")
    assert slip.hint == "写作“264.00万元”，或引用 {{ 项目合计.年初预算 }}万元"


_STAFF = "机构收支:\n  - 名称: 机关\n    支出:\n      人员支出明细: {基本工资: 95.45, 津补贴: 27.74, 奖金: 300}\n"


@pytest.mark.parametrize(
    "text, fires",
    [
        ("其中基本工资954500万元。", True),
        ("其中津补贴27.74元，发放及时。", True),
        ("其中基本工资0.009545万元。", True),
        # real-looking text that must pass
        ("其中基本工资954500元，津补贴27.74万元，奖金300万元。", False),
        ("其中基本工资95.45万元（954500元），津补贴277400元。", False),
        ("开展慰问活动，每人发放慰问金300元，共发放3000000元。", False),
        ("全年会费收入2000000万元以上的工会不在此列。", False),
        ("人均补助95元，较上年增长45元。", False),
    ],
)
def test_pd503_unit_error(check, text, fires):
    assert ("PD503" in _narrative_codes(check, "基本支出情况", text, _STAFF)) is fires


def test_no_narrative_rule_fires_on_the_examples():
    from perfdoc.pipeline import check_file

    for path in sorted((Path(__file__).resolve().parent.parent / "sources").rglob("*.yaml")):
        codes = {d.code for d in check_file(path).diagnostics}
        assert not codes & {"PD502", "PD503", "PD504", "PD505", "PD506", "PD507", "PD508"}, path


# ---------------------------------------------------------------- numbers typed with full-width forms


_SCORED = "评分:\n  综合得分: 91.45\n" + _BUDGET


@pytest.mark.parametrize(
    "text, code, quoted",
    [
        ("自评得分９２分。", "PD504", "自评得分９２分"),
        ("全年预算执行率为９２．９％。", "PD504", "预算执行率为９２．９％"),
        ("年初预算６４３．４６万元。", "PD502", "６４３．４６万元"),
        ("年初预算６４３４５００万元。", "PD503", "６４３４５００万元"),
        ("全年支出１２０．５０万元，其中人员经费８０．２０万元，公用经费４５．３０万元。", "PD508", "１２０．５０万元"),
        ("共开展活动４项，包括：健步行、歌手大赛、演讲比赛。", "PD505", "４项，包括"),
    ],
)
def test_a_narrative_number_typed_full_width_is_checked_like_half_width(check, text, code, quoted):
    body = _SCORED + f"叙述:\n  自评结论: |\n    {text}\n"
    (finding,) = [d for d in check(body).diagnostics if d.code == code]
    assert f"“{quoted}”" in finding.message  # quoted as typed
    line = example_source(body).splitlines()[finding.location.line - 1]
    assert line[finding.location.col - 1 : finding.location.end_col - 1] == quoted


@pytest.mark.parametrize(
    "text",
    [
        "自评得分９１．４５分，评价等次为优。",
        "年初预算６４３．４５万元，全年预算执行率９２．８３％。",
        "全年支出1,234.50万元，其中人员经费1,000.20万元，公用经费234.30万元。",
        "１．加强预算管理；２．完善制度。",
    ],
)
def test_full_width_and_grouped_numbers_that_agree_pass(check, text):
    codes = _narrative_codes(check, "自评结论", text, _SCORED)
    assert not set(codes) & {"PD502", "PD503", "PD504", "PD505", "PD506", "PD508"}, codes


def test_scores_counts_and_targets_typed_full_width_are_read_as_numbers(check):
    text = """
    部门: {名称: 甲, 人员编制: "２４"}
    指标:
      - {一级: 产出, 二级: 数量, 名称: 甲, 权重: "１０", 得分: "９．５", 目标值: "≥９５．５％", 实际值: "９５％"}
    """
    result = check(textwrap.dedent(text))
    assert not [d for d in result.diagnostics if d.code in ("PD103", "PD104", "PD403")], result.diagnostics
    assert [d.code for d in result.diagnostics if d.code.startswith("PD40")] == ["PD402"]  # 95% < 95.5%: compared
    model = result.analysis.model
    assert model["部门"]["人员编制"] == 24 and model["指标"][0]["得分"] == Decimal("9.5")


# ---------------------------------------------------------------- PD114: a narrative section no document prints


@pytest.mark.parametrize(
    "head, section, fires",
    [
        ("格式: guangzhou\n", "经济性分析", True),  # a project report's section, not in guangzhou's documents
        ("格式: guangzhou\n", "自评结论", False),  # the template writes it when not written, and prints it when written
        ("格式: hunan-linxiang\n", "人员情况", False),
        ("格式: hunan-yiyang\n", "支出概况", True),  # the template writes the overview from 项目
        ("格式: national-project\n", "存在问题", True),  # the form prints no narrative at all
    ],
)
def test_pd114_a_section_no_document_prints(check, head, section, fires):
    codes = _narrative_codes(check, section, "本年度各项工作按计划完成。", head)
    assert ("PD114" in codes) is fires


def test_pd114_names_the_sections_that_are_printed(check):
    (found,) = [d for d in check("格式: hunan-yiyang\n叙述:\n  支出概况: 项目支出共计101.83万元。\n").diagnostics if d.code == "PD114"]
    assert found.message == "叙述章节“支出概况”不会出现在格式“hunan-yiyang”的任何文档中：这些文档不印这一章节"
    assert found.hint.startswith("本格式的文档印出的章节：专项资金管理情况、目标完成情况、")
    assert (found.location.line, found.location.col) == (example_source("格式: hunan-yiyang\n").count("\n") + 2, 3)


@pytest.mark.parametrize(
    "tags, sections",
    [
        ("{{p 叙述.存在问题|段落 }}{% if 叙述.机构设置 %}{{p 叙述['人员情况']|段落 }}{% endif %}", {"存在问题", "机构设置", "人员情况"}),
        ("叙述部分见下 {{ 项.叙述 }}{{ 部门.名称 }}", set()),  # text outside tags and another map's 叙述 are not the narrative
        ("{% for 名, 文 in 叙述.items() %}{{ 文 }}{% endfor %}", None),  # reads every section
        ("{% set s = 叙述 %}{{ s.存在问题 }}", None),
        ("{{ 叙述[名称] }}", None),
    ],
)
def test_the_sections_a_template_prints_are_read_from_its_tags(tags, sections):
    from perfdoc.load.template_sections import sections_in_text

    assert sections_in_text(tags) == (None if sections is None else frozenset(sections))


@pytest.mark.parametrize("typed, codes", [("481.77", ["PD201"]), ("431.71", ["PD201"])])
def test_one_typo_in_an_input_is_reported_once(check, typed, codes):
    """The rate computed from the disagreeing 调整后预算 (PD202 89.62%, PD205 100.01%) would only repeat PD201."""
    text = f"""
    预算:
      年初预算: {typed}
      调整数: 0
      实际支出: {{一般公共预算: 431.77}}
      调整后预算: 431.77
      预算完成率: "100%"
    """
    found = [d.code for d in check(textwrap.dedent(text)).diagnostics if d.code.startswith("PD2")]
    assert found == codes


def test_a_rate_typed_wrong_from_consistent_figures_is_still_reported(check):
    text = """
    预算:
      年初预算: 431.77
      调整数: 0
      实际支出: {一般公共预算: 431.77}
      调整后预算: 431.77
      预算完成率: "90%"
    """
    assert [d.code for d in check(textwrap.dedent(text)).diagnostics if d.code.startswith("PD2")] == ["PD202"]


def test_a_project_indicator_typed_full_width_is_judged(check):
    text = """
    格式: national-project
    项目自评:
      - 名称: 甲
        资金:
          当年财政拨款: {年初预算数: 10, 全年预算数: 10, 全年执行数: 10}
        年度总体目标: {预期目标: 完成}
        指标:
          - {一级: 产出, 二级: 质量, 三级: 合格率, 指标性质: ＞＝, 指标值: "９０％", 度量单位: ％, 完成值: "８５．５", 分值: 90}
    """
    (indicator,) = check(textwrap.dedent(text)).analysis.figures.projects[0].indicators
    assert (indicator.operator, indicator.target, indicator.actual, indicator.met) == (">=", 90, Decimal("85.5"), False)
    assert indicator.unit_conflict == ""  # ９０％ is in the 度量单位 ％


def test_numbers_in_text_with_grouping_and_half_width_punctuation():
    from perfdoc.rules._literals import literal_numbers

    found = [(l.text, str(l.value)) for l in literal_numbers("收入,366.10万元，合计1,234.50万元；１２３．４５万元，６３．９％")]
    assert found == [("366.10万元", "366.10"), ("1,234.50万元", "1234.50"), ("123.45万元", "123.45"), ("63.9%", "63.9")]
