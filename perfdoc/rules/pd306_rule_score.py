"""指标得分与格式的计分规则不符

格式可以为某些指标规定计分规则（评分.指标计分，如预算控制率按档计分），这些指标的得分必须与规则算出的一致；未达成的定量指标按格式的完成规则（评分.完成规则，如 分值 × 完成值 / 指标值）计分，填写的得分不能高于规则给出的分数。湖南指标表（指标表）中与规则同名的三级指标同样核对，其分值还须与规则的分值相同。

错误示例：

    格式: guangzhou
    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 目标值: 10家, 实际值: 8家, 权重: 50, 得分: 45}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 38}

正确示例：

    格式: guangzhou
    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 目标值: 10家, 实际值: 8家, 权重: 50, 得分: 40}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 38}
"""

from __future__ import annotations

from decimal import Decimal

from ..numbers import plain, points as _points
from . import Finding, rule

WEIGHT_KEY = {"指标": "权重", "指标表": "分值"}


@rule("PD306", "rule-score")
def check(ctx):
    yield from _table_weights(ctx)
    for scored in ctx.figures.rule_scores:
        item = ctx.model[scored.table][scored.index]
        stated, weight = item.get("得分"), item.get(WEIGHT_KEY[scored.table])
        if not isinstance(stated, Decimal):
            continue
        if scored.exact and stated != scored.expected:
            yield Finding((scored.table, scored.index, "得分"), f"得分填写为 {plain(stated)}，按格式的计分规则应为 {_points(scored.expected)}",
                          hint=scored.explanation)
        elif not scored.exact and stated > scored.expected and stated != weight:  # full marks: PD401 says it
            yield Finding((scored.table, scored.index, "得分"), f"得分 {plain(stated)} 高于完成规则给出的 {_points(scored.expected)} 分",
                          hint=scored.explanation)


def _table_weights(ctx):
    """A 指标表 row scored by a rule has the rule's 分值."""
    if ctx.format is None:
        return
    for index, row in enumerate(ctx.model.get("指标表") or []):
        rule_ = ctx.format.indicator_rules.get(str(row.get("三级") or ""))
        weight = row.get("分值")
        if rule_ is not None and isinstance(weight, Decimal) and weight != rule_.points:
            yield Finding(("指标表", index, "分值"), f"分值填写为 {plain(weight)}，格式“{ctx.format.name}”的计分规则"
                          f"规定“{rule_.name}”为 {plain(rule_.points)} 分：请写 {plain(rule_.points)}")
