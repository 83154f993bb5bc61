"""项目自评表的分值缺失或合计不是总分

项目的每个三级指标都要有分值；各指标分值加上指标外的预算执行率分值（全国表式为 10 分），合计应为格式规定的总分（通常 100 分）。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 50}
          - {一级: 满意度, 二级: 服务对象满意度, 三级: 参训职工满意度, 指标性质: ≥, 指标值: 90, 度量单位: "%", 完成值: 95, 分值: 30}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 50}
          - {一级: 满意度, 二级: 服务对象满意度, 三级: 参训职工满意度, 指标性质: ≥, 指标值: 90, 度量单位: "%", 完成值: 95, 分值: 40}
"""

from __future__ import annotations

from decimal import Decimal

from ..numbers import plain
from . import Finding, rule


@rule("PD307", "project-weights")
def check(ctx):
    fmt = ctx.format
    if fmt is None:
        return
    for index, project in enumerate(ctx.model.get("项目自评") or []):
        indicators = project.get("指标") or []
        if not indicators:
            continue
        missing = [position for position, item in enumerate(indicators) if not isinstance(item.get("分值"), Decimal)]
        for position in missing:
            raw = ((ctx.data.get("项目自评") or [])[index].get("指标") or [])[position]
            if isinstance(raw, dict) and "分值" not in raw:  # a 分值 that does not parse is reported where it is written
                yield Finding(("项目自评", index, "指标", position),
                              f"指标“{indicators[position].get('三级', '')}”没有分值",
                              hint="写“分值: 数字”，各指标分值与预算执行率分值合计为总分")
        if missing:
            continue
        weights = sum((item["分值"] for item in indicators), Decimal(0))
        outside = ctx.figures.projects[index].rate_points or Decimal(0)
        if weights + outside != fmt.total_score:
            need = fmt.total_score - outside
            yield Finding(("项目自评", index, "指标"),
                          f"各指标分值合计 {plain(weights)} + 预算执行率 {plain(outside)} = {plain(weights + outside)}，"
                          f"应为总分 {plain(fmt.total_score)}",
                          hint=f"调整各指标分值，使其合计为 {plain(need)}", at_key=True)
