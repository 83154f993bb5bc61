"""项目自评表须说明原因而未说明

格式的“须说明原因”规定项目在什么情形下须在原因栏说明（四川表式：预算执行率未达到 90% 的需说明原因；年中发生预算调整的，应单独说明理由）。这样的项目没有写“执行说明”时给出提示，文档的原因栏显示【待填写】标记；不须说明的项目，原因栏留空。

错误示例：

    格式: sichuan-project
    项目自评:
      - 名称: 农业防灾减灾救灾项目
        资金:
          财政资金: {年初预算数: 80, 全年预算数: 80, 全年执行数: 64}
          财政专户管理资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
          单位资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
          其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}

正确示例：

    格式: sichuan-project
    项目自评:
      - 名称: 农业防灾减灾救灾项目
        资金:
          财政资金: {年初预算数: 80, 全年预算数: 80, 全年执行数: 64}
          财政专户管理资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
          单位资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
          其他资金: {年初预算数: 0, 全年预算数: 0, 全年执行数: 0}
        执行说明: 部分补助在次年一季度兑付，预算执行率 80%。
"""

from __future__ import annotations

from ..compute.projects import explanation_needed
from ..errors import Severity
from . import Finding, rule


@rule("PD209", "unexplained-execution", severity=Severity.WARNING)
def check(ctx):
    computed = ctx.figures.values.get("项目自评") or []
    for index, project in enumerate(ctx.model.get("项目自评") or []):
        if project.get("执行说明") or index >= len(computed):
            continue
        reason = explanation_needed(project, computed[index] or {}, ctx.format)
        if reason:
            yield Finding(("项目自评", index, "名称"), f"项目“{project.get('名称', '')}”{reason}，按表式须说明原因，“执行说明”没有写",
                          hint="在项目下写“执行说明: …”（100字以内），它印在原因栏")
