"""定量指标大幅超额完成，指标值可能设得过低

财预〔2020〕10号：因指标值设定过低而大幅超额完成的，可酌情扣分。格式写了“评分.超额提示”（如 200，即 200%）时，正向指标完成值达到指标值的这个百分比、反向指标指标值达到完成值的这个百分比，又没有写偏差原因，就提示一次；perfdoc 不因此扣分。写明偏差原因后不再提示。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 1050, 分值: 90}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 1050, 分值: 90, 偏差原因: 下半年增开线上培训，参训人次大增；下年度指标值按 1000 人次设定。}
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import plain, round_half_up
from . import Finding, rule
from ._walk import project_indicators

_POSITIVE, _REVERSE = (">=", ">"), ("<=", "<")


@rule("PD406", "far-over-target", severity=Severity.WARNING)
def check(ctx):
    fmt = ctx.format
    if fmt is None or fmt.far_over_target is None:
        return
    for where, item, judged in project_indicators(ctx):
        if item.get("偏差原因") or judged.target is None or judged.actual is None or judged.unit_conflict:
            continue
        operator = judged.operator or ">="
        if operator in _POSITIVE and judged.target > 0:
            share = judged.actual / judged.target * 100
        elif operator in _REVERSE and judged.actual > 0:
            share = judged.target / judged.actual * 100
        else:
            continue
        if share >= fmt.far_over_target:
            relation = "完成值是指标值" if operator in _POSITIVE else "指标值是完成值"
            yield Finding(where + ("完成值",),
                          f"指标“{item.get('三级', '')}”{relation}的 {plain(round_half_up(share, 0))}%"
                          f"（指标值 {plain(judged.target)}，完成值 {plain(judged.actual)}），指标值可能设得过低",
                          hint="在“偏差原因”中说明大幅超额的原因，并在下一年度按实际设定指标值")
