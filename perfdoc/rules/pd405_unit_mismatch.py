"""项目指标的完成值与指标值单位不同

完成值要与指标值用同一个度量单位（写在“度量单位”中，指标值与完成值只写数字）。单位不同就无法比较，也无法计分。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 12期, 分值: 90}

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


@rule("PD405", "unit-mismatch")
def check(ctx):
    for where, item, judged in project_indicators(ctx):
        if judged.unit_conflict:
            unit = item.get("度量单位") or "指标值的单位"
            yield Finding(where + ("完成值",),
                          f"完成值“{item.get('完成值')}”的单位“{judged.unit_conflict}”与指标值的单位“{unit}”不同，无法比较",
                          hint=f"把完成值换算成{unit}，只写数字")
