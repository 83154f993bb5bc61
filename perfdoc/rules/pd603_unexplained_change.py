"""与上年相比变动较大，叙述中未作说明

格式设定了 ``变动提示阈值``（一个百分比）时，调整后预算、实际支出、支出合计、三公经费合计这几项主要数字与上年相比变动超过该比例的，应当作出说明：只要任一叙述章节提到该数字的名称，就不再给出此警告。

上年数据：

    格式: hunan-linxiang
    预算: {年初预算: 300, 调整数: 0}

错误示例：

    格式: hunan-linxiang
    预算: {年初预算: 450, 调整数: 0}

正确示例：

    格式: hunan-linxiang
    预算: {年初预算: 450, 调整数: 0}
    叙述:
      支出概况: 调整后预算较上年增加，主要是新增职工服务阵地建设项目。
"""

from __future__ import annotations

from decimal import Decimal

from ..compute.figures import YEAR_OVER_YEAR
from ..errors import Severity
from ..numbers import HUNDRED, format_amount, format_percent
from . import Finding, rule


@rule("PD603", "unexplained-change", severity=Severity.WARNING)
def check(ctx):
    if ctx.previous is None or ctx.format is None:
        return
    threshold = ctx.format.options.get("变动提示阈值")
    if threshold is None:
        return
    narrative = "".join(str(v) for v in (ctx.model.get("叙述") or {}).values())
    for label, path in YEAR_OVER_YEAR.items():
        now, before = ctx.figures.get(path), ctx.previous.figures.get(path)
        if not isinstance(now, Decimal) or not isinstance(before, Decimal) or before == 0:
            continue
        change = (now - before) * HUNDRED / before
        if abs(change) > Decimal(str(threshold)) and label not in narrative:
            yield Finding(
                path,
                f"{label}由上年 {format_amount(before)} 变为 {format_amount(now)}（{format_percent(change)}），"
                f"超过 {threshold}% 的提示阈值，叙述中未见说明",
            )
