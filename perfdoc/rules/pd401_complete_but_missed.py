"""指标标为完成（或满分），实际值却未达到目标值

``≥95%``、``=100%``、``≤10次``、``10家``、``≥1000人次`` 这类目标值会与实际值比较。指标已标为完成（已完成: true、得满分，或实际值为“已完成”），实际值却未达到目标值，前后自相矛盾。

错误示例：

    指标:
      - {一级: 产出, 二级: 质量, 名称: 慰问金发放完成率, 目标值: ≥95%, 实际值: 93%, 权重: 10, 得分: 10}

正确示例：

    指标:
      - {一级: 产出, 二级: 质量, 名称: 慰问金发放完成率, 目标值: ≥95%, 实际值: 93%, 权重: 10, 得分: 8}
"""

from __future__ import annotations

from . import Finding, rule


@rule("PD401", "complete-but-missed")
def check(ctx):
    for index, result in enumerate(ctx.figures.indicators):
        if result.met is False and result.marked_complete:
            yield Finding(
                ("指标", index, "实际值"),
                f"指标标为完成（或满分），但实际值 {result.actual} 未达到目标值 {result.target}",
            )
