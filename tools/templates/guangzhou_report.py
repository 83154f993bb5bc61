"""templates/guangzhou/自评报告.docx: 部门整体支出绩效自评报告, with the 自评表 appended.

Sentences made of figures (收支情况, 绩效自评 coverage, 自评结论's opening) are
written here from data; everything else is the source's narrative.
"""

from __future__ import annotations

from pathlib import Path

import guangzhou_form
import kit
from kit import Para, heading, narrative, when, year_over_year

OUTPUT = Path("templates/guangzhou/自评报告.docx")

DUTIES = "{{ 部门.名称 }}的主要职责是：{{ 职能概述 }}"

def _listed(key: str, noun: str) -> str:
    """“内设机构2个，分别是…”; a marker when the list is not in the source; “0个” when written empty."""
    items = f"部门.{key}"
    return (
        f"{noun}{{% if '{items}' in 待填写 %}}{{{{ 待填写['{items}'] }}}}"
        f"{{% else %}}{{{{ {items}|length }}}}个{{% if {items} %}}，分别是{{{{ {items}|join(\"、\") }}}}{{% endif %}}{{% endif %}}"
    )


ORGANISATION = "{{ 部门.名称 }}现有" + _listed("内设机构", "内设机构") + "；" + _listed("下属单位", "下属事业单位") + "。"

STAFF = "{{ 年度 }}年{{ 部门.名称 }}核定人员编制{{ 部门.人员编制 }}名，实有人数{{ 部门.实有人数 }}名。"

# The adjustment clause only when an adjustment is written: an unwritten 调整数 is none.
BUDGET = (
    "{{ 部门.名称 }}{{ 年度 }}年部门年初预算支出数共{{ 预算.年初预算|万元 }}万元"
    "{% if 预算.调整数 is number %}，年中{{ 预算调整.方向 }}数{{ 预算调整.金额|万元 }}万元，"
    "预算调整率{{ 预算.预算调整率|百分比 }}{% endif %}。"
    "调整后部门预算{{ 预算.调整后预算|万元 }}万元，实际支出{{ 预算.实际支出合计|万元 }}万元，"
    "预算完成率{{ 预算.预算完成率|百分比 }}。"
)


def _coverage(kind: str, tail: str) -> str:
    """One half of the 绩效自评 sentence: how much of ``kind`` spending was self-evaluated."""
    item = f"绩效自评.{kind}"
    return (
        f"组织对{{{{ 年度 }}}}年度{{% if {item}.项目数 is number %}}{{{{ {item}.项目数 }}}}个{{% endif %}}{kind}{tail}"
        f"共涉及资金{{{{ {item}.资金|万元 }}}}万元，占{kind}支出总额的{{{{ {item}.占比|百分比 }}}}"
    )


# Each half only for a fund source whose self-evaluated funds are written; no sentence without either.
GENERAL, FUND = "绩效自评.一般公共预算.资金 is number", "绩效自评.政府性基金.资金 is number"
COVERAGE_GIVEN = f"{GENERAL} or {FUND}"
COVERAGE = (
    "据财政预算绩效管理要求，我部门"
    + f"{{% if {GENERAL} %}}"
    + _coverage("一般公共预算", "支出开展绩效自评，")
    + f"{{% if {FUND} %}}；{{% endif %}}{{% endif %}}{{% if {FUND} %}}"
    + _coverage("政府性基金", "预算开展绩效自评：").replace("占政府性基金支出总额", "占政府性基金预算支出总额")
    + "{% endif %}。"
)

CONCLUSION = (
    "全年预算数{{ 预算.调整后预算|万元 }}万元，执行数{{ 预算.实际支出合计|万元 }}万元，"
    "完成预算的{{ 预算.预算完成率|百分比 }}。"
)


def body() -> list:
    return [
        Para("{{r (部门.名称 ~ 年度 ~ '年部门整体支出绩效自评报告')|标题分行 }}", style="PDTitle"),
        heading(1, "一、基本情况"),
        heading(2, "（一）部门概况"),
        heading(3, "1、部门主要职责"),
        DUTIES,
        heading(3, "2、部门机构设置"),
        *when("叙述.机构设置", narrative("机构设置"), otherwise=[Para(ORGANISATION)]),
        heading(3, "3、人员配置"),
        *when("叙述.人员情况", narrative("人员情况"), otherwise=[Para(STAFF)]),
        heading(2, "（二）年度总体工作和重点工作任务"),
        narrative("总体运行情况"),
        heading(2, "（三）部门整体收支情况"),
        BUDGET,
        *year_over_year("实际支出"),
        *when("叙述.支出概况", narrative("支出概况")),
        heading(2, "（四）部门整体绩效管理情况"),
        # Written by the clerk or generated from data, never both (format.yaml: 模板写出).
        *when("叙述.绩效管理情况", narrative("绩效管理情况"), otherwise=when(COVERAGE_GIVEN, Para(COVERAGE))),
        heading(1, "二、综合评价分析"),
        heading(2, "（一）自评结论综述"),
        *when("叙述.自评结论", narrative("自评结论"), otherwise=[Para(CONCLUSION)]),
        heading(2, "（二）各项工作任务绩效目标完成情况分析"),
        narrative("目标完成情况"),
        heading(2, "（三）各重点任务项目支出完成情况分析"),
        narrative("重点项目绩效情况"),
        heading(2, "（四）主要工作成效"),
        narrative("部门整体绩效"),
        heading(1, "三、存在的主要问题"),
        narrative("存在问题"),
        heading(1, "四、下一步改进措施"),
        narrative("改进措施"),
        heading(1, "五、附件"),
        "部门整体支出绩效自评表。",
    ]


def build():
    doc = kit.new_report(
        title="{{ 部门.名称 }}{{ 年度 }}年部门整体支出绩效自评报告",
        subject="部门整体支出绩效自评报告",
        extra_styles=guangzhou_form.extra_styles(),
    )
    kit.add(doc, *body())
    kit.new_section(doc, guangzhou_form.PAGE)
    guangzhou_form.add_form(doc)
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
