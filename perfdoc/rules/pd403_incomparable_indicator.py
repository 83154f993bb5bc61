"""指标的目标值与实际值无法比较

目标值与实际值单位不同（如目标 ≥10家、实际 12人），或目标值可以量化而实际值中没有数字，都无法核对。

错误示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织, 目标值: ≥10家, 实际值: 12人}

正确示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织, 目标值: ≥10家, 实际值: 12家}
"""

from __future__ import annotations

from ..errors import Severity
from . import Finding, rule


@rule("PD403", "incomparable-indicator", severity=Severity.WARNING)
def check(ctx):
    for index, (item, result) in enumerate(zip(ctx.model.get("指标") or [], ctx.figures.indicators)):
        if result.reason:
            yield Finding(("指标", index, "目标值"), result.reason)
        elif result.target is not None and result.actual is None and item.get("实际值"):
            yield Finding(
                ("指标", index, "实际值"),
                f"目标值 {result.target} 可以度量，但实际值“{item.get('实际值')}”中没有可比较的数字",
            )
