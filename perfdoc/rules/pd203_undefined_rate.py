"""比率的分母为零，无法计算

A rate whose denominator is zero while its numerator is not (an adjustment
against a 年初预算 of 0, spending against no budget) has no value. The
documents leave it blank; check the figures.

错误示例：

    预算:
      年初预算: 0
      调整数: 112.36
      实际支出:
        一般公共预算: 112.36

正确示例：

    预算:
      年初预算: 112.36
      调整数: 0
      实际支出:
        一般公共预算: 112.36
"""

from __future__ import annotations

from ..errors import Severity
from ..schema import dotted
from . import Finding, rule


@rule("PD203", "undefined-rate", severity=Severity.WARNING)
def check(ctx):
    for derivation in ctx.figures.derivations.values():
        if derivation.kind == "ratio" and derivation.computed is None:
            (_, num), (_, den) = derivation.operands
            yield Finding(
                derivation.path,
                f"{dotted(derivation.path[-1:])}无法计算：{dotted(den.path[-1:])}为 0 而 {dotted(num.path[-1:])}不为 0",
                hint=derivation.formula,
            )
