"""指标得分超过其权重

指标的得分不能超过其权重；湖南指标表（指标表）中各项的得分同样不能超过其分值。

错误示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 10, 得分: 12}

正确示例：

    指标:
      - {一级: 产出, 二级: 数量, 名称: 建立工会组织10家, 权重: 10, 得分: 10}
"""

from __future__ import annotations

from ..numbers import plain
from . import Finding, rule


@rule("PD302", "score-over-weight")
def check(ctx):
    for table, weight_key in (("指标", "权重"), ("指标表", "分值")):
        for index, item in enumerate(ctx.model.get(table) or []):
            weight, score = item.get(weight_key), item.get("得分")
            if weight is not None and score is not None and score > weight:
                yield Finding((table, index, "得分"), f"得分 {plain(score)} 超过了{weight_key} {plain(weight)}：请写不超过 {plain(weight)} 的得分")
