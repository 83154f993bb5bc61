"""填报的综合得分与各指标得分之和不符

每个指标都有得分时，综合得分等于各指标得分之和（另加格式规定的预算执行率得分，即权重 × 执行率）。填写的综合得分必须与之相符。

错误示例：

    格式: hunan-linxiang
    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 60, 得分: 60}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 37}
    评分:
      综合得分: 98

正确示例：

    格式: hunan-linxiang
    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 60, 得分: 60}
      - {一级: 效益, 二级: 社会效益, 名称: 提升职工业务水平, 权重: 40, 得分: 37}
    评分:
      综合得分: 97
"""

from __future__ import annotations

from ..numbers import plain
from . import Finding, rule


@rule("PD304", "stated-score")
def check(ctx):
    figures = ctx.figures
    stated = (ctx.model.get("评分") or {}).get("综合得分")
    if stated is None or not figures.score_computed or stated == figures.score:
        return
    yield Finding(("评分", "综合得分"), f"综合得分填写为 {plain(stated)}，按各指标得分计算应为 {plain(figures.score)}")
