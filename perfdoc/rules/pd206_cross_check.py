"""同一笔钱在两处填写的数字不一致

有些资金会在两处出现：支出表中的项目支出一栏等于各项目实际支出之和；各任务的资金之和等于相应各项目的合计。两处都填写时，二者必须在舍入误差范围内一致。

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
from ..load.schema import dotted
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
