"""指标实际值未达到目标值

指标实际值未达到目标值时予以提示，以便在其得分和叙述中作出说明。（该指标同时标为完成时，改由 PD401 报告错误。）

错误示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 新增会员, 目标值: ≥500人, 实际值: 452人}

正确示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 新增会员, 目标值: ≥500人, 实际值: 2052人}
"""

from __future__ import annotations

from ..errors import Severity
from . import Finding, rule


@rule("PD402", "target-missed", severity=Severity.WARNING)
def check(ctx):
    for index, result in enumerate(ctx.figures.indicators):
        if result.met is False and not result.marked_complete:
            yield Finding(("指标", index, "实际值"), f"实际值 {result.actual} 未达到目标值 {result.target}")
