"""评价等次与综合得分不符

评价等次由综合得分按格式规定的等次划分确定（例如优秀 ≥ 90、良好 ≥ 80、合格 ≥ 60，60 以下为不合格）。填写的等次必须与得分所在的分数段一致，并且必须是该格式中规定的等次。

错误示例：

    格式: hunan-linxiang
    评分:
      综合得分: 87
      评价等次: 优秀

正确示例：

    格式: hunan-linxiang
    评分:
      综合得分: 97
      评价等次: 优秀
"""

from __future__ import annotations

from ..numbers import plain
from . import Finding, rule


@rule("PD303", "grade-band")
def check(ctx):
    fmt, figures = ctx.format, ctx.figures
    stated = (ctx.model.get("评分") or {}).get("评价等次")
    if fmt is None or not stated:
        return
    names = [g.name for g in fmt.grades]
    if stated not in names:
        yield Finding(("评分", "评价等次"), f"“{stated}”不是格式“{fmt.name}”的等次；可用：{'、'.join(names)}")
        return
    if figures.score is not None and figures.grade != stated:
        low, high = fmt.band_of(figures.grade)
        band = f"{plain(low)} 分及以上" + (f"、{plain(high)} 分以下" if high is not None else "")
        yield Finding(
            ("评分", "评价等次"),
            f"综合得分 {plain(figures.score)} 对应的等次是“{figures.grade}”（{band}），不是“{stated}”",
        )
