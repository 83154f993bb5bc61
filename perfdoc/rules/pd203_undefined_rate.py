"""比率的分母为零，无法计算

分母为零而分子不为零的比率（如年初预算为 0 却有调整数，或没有预算却有支出）没有数值。文档中该处留空；请核对相关数字。

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
from ..load.schema import dotted
from . import Finding, rule


@rule("PD203", "undefined-rate", severity=Severity.WARNING)
def check(ctx):
    for derivation in ctx.figures.derivations.values():
        if derivation.kind == "ratio" and derivation.computed is None and derivation.computable:
            yield Finding(
                derivation.path,
                f"{dotted(derivation.path[-1:])}无法计算：按 {derivation.shown}，{derivation.undefined}",
                hint=derivation.formula,
            )
