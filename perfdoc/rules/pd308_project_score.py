"""项目自评表填写的得分、总分或等次与计算不符

未填写的得分由 perfdoc 计算：预算执行率得分 = 分值 × 执行率（不超过分值）；达成的定量指标得满分，未达成的按格式的完成规则（正向指标 分值 × 完成值 / 指标值，反向指标 分值 × 指标值 / 完成值）；总分 = 执行率得分 + 各指标得分，等次按格式的等次划分。填写了的得分与此核对：未达成的指标不能得满分，也不能高于完成规则给出的分数。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 45}
        执行率得分: 10
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 800, 分值: 90, 得分: 90}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 45}
        执行率得分: 9
        指标:
          - {一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 800, 分值: 90, 得分: 72}
        总分: 81
        等次: 良
"""

from __future__ import annotations

from decimal import Decimal

from ..numbers import format_percent, points as plain
from . import Finding, rule


@rule("PD308", "project-score")
def check(ctx):
    for index, (project, result) in enumerate(zip(ctx.model.get("项目自评") or [], ctx.figures.projects)):
        base = ("项目自评", index)
        for position, (item, judged) in enumerate(zip(project.get("指标") or [], result.indicators)):
            stated, weight = item.get("得分"), item.get("分值")
            if not isinstance(stated, Decimal):
                continue
            where = base + ("指标", position, "得分")
            if isinstance(weight, Decimal) and stated > weight:
                yield Finding(where, f"得分 {plain(stated)} 超过了分值 {plain(weight)}", hint="得分不能超过分值")
            elif judged.met is False and stated == weight:
                yield Finding(where, f"指标未达成（完成值 {plain(judged.actual)}，指标值 {plain(judged.target)}），却得了满分 {plain(stated)}",
                              hint=f"按完成规则应得 {plain(judged.expected)}：{judged.explanation}" if judged.expected is not None
                              else "未达成的指标不能得满分")
            elif judged.met is False and judged.expected is not None and stated > judged.expected:
                yield Finding(where, f"得分 {plain(stated)} 高于完成规则给出的 {plain(judged.expected)} 分", hint=judged.explanation)
        stated_rate, project_rate = project.get("执行率得分"), ctx.figures.get(base + ("执行率",))
        if isinstance(stated_rate, Decimal) and result.rate_score is not None and stated_rate != result.rate_score:
            yield Finding(base + ("执行率得分",),
                          f"执行率得分填写为 {plain(stated_rate)}，按 分值 {plain(result.rate_points)} × 执行率 {format_percent(project_rate)} 计算应为 {plain(result.rate_score)}",
                          hint="预算执行率得分 = 分值 × 全年执行数 / 全年预算数，不超过分值")
        stated_total = project.get("总分")
        if isinstance(stated_total, Decimal) and result.total is not None and stated_total != result.total:
            yield Finding(base + ("总分",), f"总分填写为 {plain(stated_total)}，按执行率得分与各指标得分计算应为 {plain(result.total)}",
                          hint="总分 = 执行率得分 + 各指标得分")
        stated_grade = project.get("等次")
        if stated_grade and ctx.format is not None:
            names = [grade.name for grade in ctx.format.grades]
            if stated_grade not in names:
                yield Finding(base + ("等次",), f"“{stated_grade}”不是格式“{ctx.format.name}”的等次", hint=f"可用：{'、'.join(names)}")
            elif result.grade is not None and stated_grade != result.grade:
                total = stated_total if isinstance(stated_total, Decimal) else result.total
                yield Finding(base + ("等次",), f"总分 {plain(total)} 对应的等次是“{ctx.format.grade_for(total)}”，不是“{stated_grade}”")
