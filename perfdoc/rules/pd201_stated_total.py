"""填报的合计数与明细之和不符

文件中填写的合计数（收入合计、支出合计、基本支出、有明细时的人员支出、三公经费合计、调整后预算等）必须等于 perfdoc 由各组成部分算出的数。舍入误差按各数写出的小数位数以区间算术判断（与 XBRL Calculations 1.1 的做法相同）：八项各四舍五入到 0.01 的明细，其和为 229.65 而填报合计为 229.64 属于正常；但填报 336.10 而应为 366.10 则是错误。

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
from ..load.schema import dotted
from . import Finding, rule


@rule("PD201", "stated-total")
def check(ctx):
    for derivation in ctx.figures.derivations.values():
        if derivation.kind != "sum" or derivation.consistent or ctx.figures.follows_a_conflict(derivation):
            continue
        parts = " ".join(
            f"{'+' if sign > 0 else '−'} {_label(term.path, derivation.path)} {format_amount(term.value, 2)}"
            for sign, term in derivation.operands
        ).removeprefix("+ ")
        yield Finding(
            derivation.path,
            f"{dotted(derivation.path[-1:])}填写为 {plain(derivation.stated)}，但 {parts} = {format_amount(derivation.computed)}",
            hint=derivation.formula,
        )


def _label(part: tuple, whole: tuple) -> str:
    """A part's own name within its record (上年结转), its full name from elsewhere (项目[2].实际支出)."""
    same_record = part[:2] == whole[:2] if len(part) > 1 and isinstance(part[1], int) else part[:1] == whole[:1]
    return dotted(part[-1:]) if same_record else dotted(part)
