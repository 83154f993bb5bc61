"""填报的合计数与明细之和不符

A total that is written in the file (收入合计, 支出合计, 基本支出, 人员支出
with its 明细, 三公经费合计, 调整后预算 …) must equal what perfdoc computes from
its parts. Rounding is judged by interval arithmetic from each figure's
written decimals (as in XBRL Calculations 1.1): eight items each rounded to
0.01 may sum to 229.65 against a stated 229.64, but 336.10 against 366.10
is an error.

错误示例：

    机构收支:
      - 名称: 机关
        收入:
          上年结转: 0.00
          公共财政拨款: 366.10
          收入合计: 336.10

正确示例：

    机构收支:
      - 名称: 机关
        收入:
          上年结转: 0.00
          公共财政拨款: 366.10
          收入合计: 366.10
"""

from __future__ import annotations

from ..numbers import format_amount, plain
from ..schema import dotted
from . import Finding, rule


@rule("PD201", "stated-total")
def check(ctx):
    for derivation in ctx.figures.derivations.values():
        if derivation.kind != "sum" or derivation.consistent:
            continue
        parts = " ".join(
            f"{'+' if sign > 0 else '−'} {format_amount(term.value, 2)}（{dotted(term.path[-1:])}）"
            for sign, term in derivation.operands
        ).lstrip("+ ")
        yield Finding(
            derivation.path,
            f"{dotted(derivation.path[-1:])}填写为 {plain(derivation.stated)}，按明细计算应为 "
            f"{format_amount(derivation.computed)}：{parts}",
            hint=derivation.formula,
        )
