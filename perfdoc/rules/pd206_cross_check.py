"""同一笔钱在两处填写的数字不一致

Some money appears twice: the 项目支出 column of the expenditure table is the
sum of the projects' 实际支出; the tasks' 资金 add up to the projects they
fund. When both sides are present they must agree within rounding.

错误示例：

    机构收支:
      - 名称: 机关
        支出: {人员支出: 229.64, 公用支出: 24.10, 项目支出: 112.36}
    项目:
      - {名称: 附加性支出-工会经费项目, 实际支出: 96}
      - {名称: 死亡抚恤项目, 实际支出: 16.63}

正确示例：

    机构收支:
      - 名称: 机关
        支出: {人员支出: 229.64, 公用支出: 24.10, 项目支出: 112.36}
    项目:
      - {名称: 附加性支出-工会经费项目, 实际支出: 96}
      - {名称: 死亡抚恤项目, 实际支出: 16.36}
"""

from __future__ import annotations

from ..numbers import format_amount
from ..schema import dotted
from . import Finding, rule


@rule("PD206", "cross-check")
def check(ctx):
    for item in ctx.figures.cross_checks:
        if item.consistent:
            continue
        yield Finding(
            item.first.path,
            f"{item.label}不一致：{dotted(item.first.path)} 为 {format_amount(item.first.value)}，"
            f"{dotted(item.second.path)} 为 {format_amount(item.second.value)}",
        )
