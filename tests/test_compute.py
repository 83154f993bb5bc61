from decimal import Decimal

from perfdoc.compute.figures import compute
from perfdoc.load.formats import load_format
from perfdoc.load.loader import load_text
from perfdoc.load.model import build_model


def figures_of(text, fmt="national"):
    return compute(build_model(load_text(text).data), load_format(fmt) if fmt else None)


def test_budget_figures_of_tianhe():
    f = figures_of("预算:\n  年初预算: 643.45\n  调整数: 12.1\n  实际支出:\n    一般公共预算: 608.57\n")
    assert str(f.get(("预算", "调整后预算"))) == "655.55"
    assert str(f.get(("预算", "实际支出合计"))) == "608.57"
    assert str(f.get(("预算", "预算完成率"))) == "92.83%"
    assert str(f.get(("预算", "预算调整率"))) == "1.88%"


def test_institution_totals_balances_and_shares():
    text = """
机构收支:
  - 名称: 机关
    收入: {上年结转: 10, 公共财政拨款: 300}
    支出: {人员支出: 200, 公用支出: 20, 项目支出: 80}
  - 名称: 中心
    收入: {公共财政拨款: 50}
    支出: {人员支出: 40, 公用支出: 5, 项目支出: 0}
"""
    f = figures_of(text)
    assert f.get(("机构收支", 0, "收入", "收入合计")) == 310
    assert f.get(("机构收支", 0, "支出", "基本支出")) == 220
    assert f.get(("机构收支", 0, "支出", "当年结余")) == 0
    assert f.get(("机构收支", 0, "支出", "累计结余")) == 10
    assert f.get(("收支合计", "收入", "收入合计")) == 360
    assert f.get(("收支合计", "支出", "支出合计")) == 345
    assert str(f.get(("收支合计", "支出", "人员经费占比"))) == "69.57%"


def test_stated_consistent_total_is_used_downstream():
    text = """
机构收支:
  - 名称: 机关
    支出:
      人员支出明细: {基本工资: 95.45, 津补贴: 27.74, 奖金: 31.06, 绩效工资: 26.04, 职工基本医疗保险费: 10.42, 其他社会保障缴费: 0.60, 机关事业单位基本养老保险缴费: 21.91, 住房公积金: 16.43}
      人员支出: 229.64
      公用支出: 24.10
      项目支出: 112.36
"""
    f = figures_of(text)
    assert str(f.get(("机构收支", 0, "支出", "人员支出"))) == "229.64"
    assert str(f.get(("机构收支", 0, "支出", "支出合计"))) == "366.10"


def test_projects_tasks_and_grade():
    text = """
项目:
  - {名称: 甲, 年初预算: 300, 参与评价: false}
  - {名称: 乙, 年初预算: 101.833, 参与评价: true}
任务:
  - {预期目标: 甲, 资金明细: {慰问品: 4.38, 奖励金: 40}}
  - {预期目标: 乙, 资金: 5.6}
评分: {综合得分: 100}
"""
    f = figures_of(text, "hunan-yiyang")
    assert str(f.get(("项目合计", "调整后预算"))) == "401.833"
    assert f.get(("项目合计", "评价项目数")) == 1
    assert f.get(("项目合计", "评价项目资金")) == Decimal("101.833")
    assert str(f.get(("任务", 0, "资金"))) == "44.38"
    assert str(f.get(("任务资金合计",))) == "49.98"
    assert f.grade == "优"


SPENT_OVER_BUDGET = """
格式: guangzhou
预算:
  年初预算: 100
  调整数: 0
  实际支出: {一般公共预算: 130}
指标:
  - {一级: 产出, 二级: 数量, 名称: 甲, 权重: 90, 得分: 85}
"""


def test_budget_execution_score_is_capped_at_its_weight():
    f = figures_of(SPENT_OVER_BUDGET, "guangzhou")
    assert str(f.get(("预算", "预算完成率"))) == "130.00%"
    # 10 points for budget execution at most, however far spending ran over: 85 + 10, not 85 + 13
    assert f.score == Decimal("95.00")
    assert f.grade == "优"


def test_budget_execution_score_follows_the_rate_below_the_cap():
    f = figures_of(SPENT_OVER_BUDGET.replace("一般公共预算: 130", "一般公共预算: 72.35"), "guangzhou")
    assert f.score == Decimal("92.24")  # 85 + 10 × 72.35% = 85 + 7.235, rounded half-up
