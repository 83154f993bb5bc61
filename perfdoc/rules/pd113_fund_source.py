"""项目资金来源不是本格式表中的行

项目支出自评表的资金来源行由格式规定（format.yaml 的“项目资金来源”）：全国表式为当年财政拨款、上年结转资金、其他资金，四川表式为财政资金、财政专户管理资金、单位资金、其他资金。写了格式没有的来源，这笔钱既不印在表中，也不计入年度资金总额。

错误示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          财政资金: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}

正确示例：

    格式: national-project
    项目自评:
      - 名称: 职工技能培训
        资金:
          当年财政拨款: {年初预算数: 50, 全年预算数: 50, 全年执行数: 50}
"""

from __future__ import annotations

from . import Finding, rule


@rule("PD113", "fund-source")
def check(ctx):
    if ctx.format is None:
        return
    allowed = ctx.format.fund_sources
    for index, project in enumerate(ctx.model.get("项目自评") or []):
        for source in project.get("资金") or {}:
            if source != "年度资金总额" and source not in allowed:
                yield Finding(("项目自评", index, "资金", source), f"格式“{ctx.format.name}”的自评表没有“{source}”这一行",
                              hint=f"资金来源写作：{'、'.join(allowed)}", at_key=True)
