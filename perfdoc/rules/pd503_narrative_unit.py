"""叙述中的金额单位疑似写错（元写成了万元的数）

以元为单位写出的数字，如果其数值恰好与某个以万元计的已知数字相同（如津补贴为 27.74 万元，叙述中却写“津补贴27.74元”），几乎可以肯定是单位写错了。

错误示例：

    机构收支:
      - 名称: 机关
        支出:
          人员支出明细:
            基本工资: 95.45
            津补贴: 27.74
    叙述:
      基本支出情况: |
        其中基本工资95.45万元，津补贴27.74元。

正确示例：

    机构收支:
      - 名称: 机关
        支出:
          人员支出明细:
            基本工资: 95.45
            津补贴: 27.74
    叙述:
      基本支出情况: |
        其中基本工资95.45万元，津补贴{{ 收支合计.支出.人员支出明细.津补贴 }}万元。
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import WAN
from ..load.schema import dotted, reference
from . import Finding, rule
from ._literals import literals_in_texts
from ._text import known_figures, locate


@rule("PD503", "narrative-unit", severity=Severity.WARNING)
def check(ctx):
    amounts, _rates = known_figures(ctx)
    for path, literal, occurrence in literals_in_texts(ctx):
        if literal.unit != "元":
            continue
        if any(figure == literal.value / WAN for _, figure in amounts):
            continue  # a correct 元 amount
        match = next((p for p, figure in amounts if figure == literal.value), None)
        if match is not None:
            yield Finding(
                path,
                f"“{literal.text}”的数字与 {dotted(match)} 的 {literal.value} 万元相同，单位可能应为“万元”",
                hint=f"可改为引用 {{{{ {reference(match)} }}}}万元",
                location=locate(ctx.source, path, literal.text, occurrence),
            )
