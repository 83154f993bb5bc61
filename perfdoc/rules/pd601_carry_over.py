"""上年结转与上年累计结余不符

上年的数据文件与本年文件放在一起时（如 ``2022.yaml`` 旁边有 ``2021.yaml``），本年每个机构的上年结转必须等于上年同一机构（按名称对应）的累计结余。

上年数据：

    机构收支:
      - 名称: 机关
        收入: {公共财政拨款: 366.10}
        支出: {人员支出: 229.64, 公用支出: 24.10, 项目支出: 100.00}

错误示例：

    机构收支:
      - 名称: 机关
        收入: {上年结转: 0.00, 公共财政拨款: 380.00}

正确示例：

    机构收支:
      - 名称: 机关
        收入: {上年结转: 12.36, 公共财政拨款: 380.00}
"""

from __future__ import annotations

from ..numbers import format_amount
from . import Finding, rule


@rule("PD601", "carry-over")
def check(ctx):
    if ctx.previous is None:
        return
    last_year = {
        item.get("名称"): index
        for index, item in enumerate(ctx.previous.model.get("机构收支") or [])
        if isinstance(item, dict)
    }
    for index, item in enumerate(ctx.model.get("机构收支") or []):
        carried = (item.get("收入") or {}).get("上年结转")
        if carried is None or item.get("名称") not in last_year:
            continue
        balance = ctx.previous.figures.get(("机构收支", last_year[item["名称"]], "支出", "累计结余"))
        if balance is not None and format_amount(carried) != format_amount(balance):
            yield Finding(
                ("机构收支", index, "收入", "上年结转"),
                f"上年结转 {format_amount(carried)} 与上年“{item['名称']}”的累计结余 {format_amount(balance)} 不符",
            )
