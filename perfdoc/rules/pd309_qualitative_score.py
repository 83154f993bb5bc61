"""定性指标的得分不在其完成程度一档的范围内

定性指标（指标值是文字，如“及时”“基本恢复”）无法按数字计分，按完成程度分档：格式的“定性分档”规定每一档得分占分值的比例（全国表式：达成 100%–80%，部分达成 80%–50%，未达成 50%–0）。完成程度写在“完成程度”中；不写时，完成值与指标值相同为最高一档，完成值写成某一档的名称或写法（如“基本完成”）即为该档。填写的得分须在该档范围内（两端都算）；完成程度写的不是格式中的一档时也报告。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 70}
          - {一级: 效益, 二级: 社会效益, 三级: 职工技能提升, 指标值: 明显提升, 完成值: 基本完成, 分值: 20, 得分: 20}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 70}
          - {一级: 效益, 二级: 社会效益, 三级: 职工技能提升, 指标值: 明显提升, 完成值: 基本完成, 分值: 20, 得分: 15}
"""

from __future__ import annotations

from decimal import Decimal

from ..numbers import plain
from . import Finding, rule
from ._walk import project_indicators


@rule("PD309", "qualitative-score")
def check(ctx):
    fmt = ctx.format
    if fmt is None or not fmt.qualitative_tiers:
        return
    tier_names = "、".join(tier.name for tier in fmt.qualitative_tiers)
    for where, item, judged in project_indicators(ctx):
        if judged.unknown_tier:
            yield Finding(where + ("完成程度",), f"完成程度“{judged.unknown_tier}”不是格式“{fmt.name}”的定性分档之一",
                          hint=f"写其中之一：{tier_names}")
            continue
        stated, weight, tier = item.get("得分"), item.get("分值"), judged.tier
        if tier is None or not isinstance(stated, Decimal) or not isinstance(weight, Decimal):
            continue
        low, high = tier.interval(weight)
        if not low <= stated <= high:
            yield Finding(where + ("得分",),
                          f"定性指标“{item.get('三级', '')}”完成程度为“{tier.name}”，得分应在分值 {plain(weight)} 的 "
                          f"{plain(tier.low)}%–{plain(tier.high)}% 之间（{plain(low)}–{plain(high)} 分），填写的是 {plain(stated)}",
                          hint="按完成程度改正得分；完成程度判断有误时，在“完成程度”中写明：" + tier_names)
