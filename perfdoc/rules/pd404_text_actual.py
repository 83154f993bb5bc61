"""定量指标的完成值没有数字

指标值是数字（如 ≥ 1000 人次），完成值却写成“完成”“已完成”这样的文字，无法判断是否达成，也无法按完成规则计分。请写实际完成的数字；确实无法量化时，在“偏差原因”中说明。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 已完成, 分值: 90, 得分: 90}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 90, 得分: 90}
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import plain
from . import Finding, rule
from ._walk import project_indicators


@rule("PD404", "text-actual", severity=Severity.WARNING)
def check(ctx):
    for where, item, judged in project_indicators(ctx):
        if judged.target is not None and judged.actual_is_text:
            unit = item.get("度量单位") or ""
            yield Finding(where + ("完成值",),
                          f"指标值是 {plain(judged.target)}{unit}，完成值“{item.get('完成值')}”中没有数字，无法判断是否达成、无法计分",
                          hint=f"写实际完成的数字（单位{unit or '与指标值相同'}）；确实无法量化时在“偏差原因”中说明")
