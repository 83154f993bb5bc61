"""实际支出超过调整后预算

预算完成率（或项目的执行率）超过 100%，说明实际支出超过了调整后预算。对此需要作出说明，或改正有误的数字。

错误示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 680.57

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import HUNDRED, format_percent
from ..load.schema import dotted
from . import Finding, rule


@rule("PD205", "over-budget", severity=Severity.WARNING)
def check(ctx):
    for path, derivation in ctx.figures.derivations.items():
        if ctx.figures.follows_a_conflict(derivation):
            continue  # computed from a figure whose own conflict is reported (PD201)
        if path[-1] in ("预算完成率", "执行率") and derivation.computed is not None and derivation.computed > HUNDRED:
            yield Finding(path, f"{dotted(path)}为 {format_percent(derivation.computed)}，实际支出超过了调整后预算", hint=derivation.formula)
