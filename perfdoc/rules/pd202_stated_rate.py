"""填报的比率与计算结果不符

文件中填写的比率（预算完成率、预算调整率、人员经费占比、执行率等）必须与按格式 format.yaml 中“公式”由相关数字算出的比率一致；核对时考虑各数按其写出的小数位数产生的舍入，以及比率本身的舍入。

错误示例：

    预算:
      年初预算: 643.45
      调整数: 12.1
      实际支出:
        一般公共预算: 608.57
      预算完成率: "94.58%"

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.1
      实际支出:
        一般公共预算: 608.57
      预算完成率: "92.83%"
"""

from __future__ import annotations

from ..numbers import format_percent, plain
from ..load.schema import dotted
from . import Finding, rule


@rule("PD202", "stated-rate")
def check(ctx):
    for derivation in ctx.figures.derivations.values():
        if derivation.kind != "ratio" or derivation.consistent or derivation.computed is None:
            continue  # a rate with no value is PD203's (undefined) or PD207's (an input missing)
        if ctx.figures.follows_a_conflict(derivation):
            continue  # computed from a figure whose own conflict is reported (PD201)
        computed = format_percent(derivation.computed)
        yield Finding(
            derivation.path,
            f"{dotted(derivation.path[-1:])}填写为 {plain(derivation.stated)}%，按 {derivation.shown} 计算应为 {computed}",
            hint=f"{derivation.formula}（公式见格式的 format.yaml）",
        )
