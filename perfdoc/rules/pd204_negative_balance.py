"""支出超过收入，结余为负

当年结余、累计结余和项目的年终结余都由收入和支出算出。结余为负，说明支出超过了可用资金，这几乎总是某个数字填错了位置。

错误示例：

    机构收支:
      - 名称: 机关
        收入:
          公共财政拨款: 366.10
        支出:
          人员支出: 229.64
          公用支出: 24.10
          项目支出: 121.36

正确示例：

    机构收支:
      - 名称: 机关
        收入:
          公共财政拨款: 366.10
        支出:
          人员支出: 229.64
          公用支出: 24.10
          项目支出: 112.36
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import format_amount
from ..load.schema import dotted
from . import Finding, rule

_BALANCES = {"当年结余", "累计结余", "年终结余"}


@rule("PD204", "negative-balance", severity=Severity.WARNING)
def check(ctx):
    for path, derivation in ctx.figures.derivations.items():
        if path[-1] in _BALANCES and path[0] != "收支合计" and derivation.computed is not None and derivation.computed < 0:
            yield Finding(path, f"{dotted(path)}计算为 {format_amount(derivation.computed)}，支出超过了收入", hint=derivation.formula)
