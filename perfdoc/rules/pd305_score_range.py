"""综合得分超出总分

综合得分不可能超过格式规定的总分（通常为 100 分）。

错误示例：

    格式: hunan-yiyang
    评分:
      综合得分: 110

正确示例：

    格式: hunan-yiyang
    评分:
      综合得分: 100
"""

from __future__ import annotations

from ..numbers import plain
from . import Finding, rule


@rule("PD305", "score-range")
def check(ctx):
    score = ctx.figures.score
    if ctx.format is not None and score is not None and score > ctx.format.total_score:
        yield Finding(("评分", "综合得分"), f"综合得分 {plain(score)} 超过了总分 {plain(ctx.format.total_score)}")
