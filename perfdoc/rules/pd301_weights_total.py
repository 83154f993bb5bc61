"""指标权重之和与格式规定的总分不符

指标填写了权重时，各指标权重加上格式规定的指标外分项（评分.指标外分项，如广州表式的预算执行率 10 分），合计必须等于格式规定的总分（通常为 100 分）。湖南指标表（指标表）各项分值之和同样必须等于总分。

错误示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 50, 得分: 50}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 30, 得分: 28}

正确示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 50, 得分: 50}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 38}
"""

from __future__ import annotations

from decimal import Decimal

from ..numbers import plain
from . import Finding, rule


@rule("PD301", "weights-total")
def check(ctx):
    yield from _table_total(ctx)
    indicators = ctx.model.get("指标") or []
    weights = [item.get("权重") for item in indicators if isinstance(item, dict)]
    if ctx.format is None or not any(w is not None for w in weights):
        return
    missing = [i for i, w in enumerate(weights) if w is None]
    for index in missing:
        yield Finding(("指标", index), "其他指标有权重，此指标缺少“权重”")
    if missing:
        return
    outside = ctx.format.outside_items
    total = sum(weights, Decimal(0)) + ctx.format.outside_points
    if total != ctx.format.total_score:
        extra = "".join(f" + {item.name} {plain(item.points)}" for item in outside)
        sum_text = f"{plain(sum(weights, Decimal(0)))}{extra} = {plain(total)}" if extra else plain(total)
        yield Finding(
            ("指标",),
            f"指标权重合计为 {sum_text}，应为格式“{ctx.format.name}”规定的总分 {plain(ctx.format.total_score)}",
        )


def _table_total(ctx):
    rows = [row for row in ctx.model.get("指标表") or [] if isinstance(row, dict)]
    weights = [row.get("分值") for row in rows]
    if ctx.format is None or not rows or not all(isinstance(w, Decimal) for w in weights):
        return  # a missing 分值 is reported where it is missing (PD102)
    total = sum(weights, Decimal(0))
    if total != ctx.format.total_score:
        gap = ctx.format.total_score - total
        yield Finding(("指标表",), f"指标表各项分值合计为 {plain(total)}，应为格式“{ctx.format.name}”规定的总分 "
                      f"{plain(ctx.format.total_score)}：请{'补足' if gap > 0 else '减去'} {plain(abs(gap))} 分")
