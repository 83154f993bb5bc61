"""项目指标的“指标性质”无法识别

指标性质是指标值前的比较方式：=、≥、≤，也可以写 等于、大于等于（不低于、不少于、达到）、小于等于（不高于、不超过、不多于）。其他写法无法判断指标是否达成。定性指标不写指标性质。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: 约, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 90}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 90}
"""

from __future__ import annotations

from . import Finding, rule
from ._walk import project_indicators


@rule("PD112", "unreadable-operator")
def check(ctx):
    for where, item, judged in project_indicators(ctx):
        if judged.operator_unreadable:
            yield Finding(where + ("指标性质",),
                          f"指标性质“{item.get('指标性质')}”无法识别",
                          hint="写 =、≥ 或 ≤（也可写 等于、不低于、不超过）；定性指标不写指标性质")
