"""templates/sichuan-project/项目支出绩效自评表.docx: 四川省部门预算项目支出绩效自评表 (510000_0013zp).

The national form's variant: 报表编号 above the title, 项目基本情况, 预算执行情况（10分）
with the format's fund sources and its printed rule, 绩效指标（90分） with 指标性质
and 度量单位 columns, 评价结论 / 存在问题 / 改进措施, and the two signatures.
"""

from __future__ import annotations

from pathlib import Path

import kit
import national_project_form
from kit import Cell, Form, Para, continued, label

OUTPUT = Path("templates/sichuan-project/项目支出绩效自评表.docx")
PAGE = kit.LANDSCAPE_FORM_PAGE
WIDTH = national_project_form.WIDTH
FIRST = 20  # the block labels down the left edge

# 预算执行情况: label | row | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分 | 原因
BUDGET_COLUMNS = (FIRST, 44, 30, 30, 30, 22, 14, 14, 53)
# 绩效指标: label | 一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分 | 未完成原因分析
INDICATOR_COLUMNS = (FIRST, 22, 28, 40, 14, 20, 16, 20, 14, 14, 49)


def form_table() -> Form:
    form = Form(WIDTH)
    rest = WIDTH - FIRST
    half = rest / 2
    form.row(label("项目名称", FIRST), label("{% if 项目.编码 %}{{ 项目.编码 }}-{% endif %}{{ 项目.名称 }}", rest), height=7)
    form.row(label("主管部门", FIRST), label("{{ 项目.主管部门 }}", half - 26), label("实施单位（盖章）", 26),
             label("{{ 项目.实施单位 }}", half), height=7)
    form.row(label("项目基本\n情况", FIRST, merge="restart"), label("项目年度目标", half), label("年度目标完成情况", half), height=7)
    form.row(continued(FIRST), Cell("{{ 项目.年度总体目标.预期目标 }}", half, style="PDTableText", valign="top"),
             Cell("{{ 项目.年度总体目标.实际完成情况 }}", half, style="PDTableText", valign="top"), height=12, can_split=True)
    form.row(continued(FIRST), label("项目实施内容及过程概述", 44),
             Cell("{{ 项目.实施内容 }}", rest - 44, style="PDTableText", valign="top"), height=10, can_split=True)
    _budget_block(form)
    _indicator_block(form)
    for row_label, key in (("评价结论", "评价结论"), ("存在问题", "存在问题"), ("改进措施", "改进措施")):
        form.row(label(row_label, FIRST), Cell(f"{{{{ 项目.{key} }}}}", rest, style="PDTableText", valign="top"), height=9, can_split=True)
    return form


def _budget_block(form: Form) -> None:
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = BUDGET_COLUMNS
    form.row(
        label("预算执行\n情况\n（10分）", c1, merge="restart"),
        label("", c2), label("年初预算", c3), label("调整后预算数", c4), label("预算执行数", c5),
        label("预算执行率", c6), label("权重", c7), label("得分", c8), label("原因", c9),
        height=7,
    )
    total = "项目.资金.年度资金总额"
    form.row(
        continued(c1),
        label("总额", c2),
        label(f"{{{{ {total}.年初预算数|万元 }}}}", c3),
        label(f"{{{{ {total}.全年预算数|万元 }}}}", c4),
        label(f"{{{{ {total}.全年执行数|万元 }}}}", c5),
        label("{{ 项目.执行率|百分比 }}", c6),
        label("{{ 项目.执行率分值|分数 }}", c7),
        label("{{ 项目.执行率得分|分数 }}", c8),
        Cell(EXPLANATION, c9, style="PDTableText", merge="restart", valign="top"),
        height=7,
    )
    form.tag("{%tr for 来源 in 格式.项目资金来源 %}")
    row = "项目.资金[来源]"
    form.row(
        continued(c1),
        label("{% if loop.first %}其中：{% endif %}{{ 来源 }}", c2),
        label(f"{{{{ {row}.年初预算数|万元 }}}}", c3),
        label(f"{{{{ {row}.全年预算数|万元 }}}}", c4),
        label(f"{{{{ {row}.全年执行数|万元 }}}}", c5),
        label("/", c6), label("/", c7), label("/", c8),
        continued(c9),
        height=7,
    )
    form.tag("{%tr endfor %}")
    form.row(continued(c1), Cell("{{ 格式.文字.预算执行说明 }}", WIDTH - c1, style="PDTableText"), height=7)


# The explanation the form asks for below the threshold (format.yaml: 执行说明阈值) or after an
# adjustment: a marker when it is missing then, blank when nothing needs explaining.
EXPLANATION = (
    "{% if 项目.执行说明 or (项目.执行率 is number and 项目.执行率 < 格式.执行说明阈值)"
    " or 项目.资金.年度资金总额.年初预算数 != 项目.资金.年度资金总额.全年预算数 %}{{ 项目.执行说明 }}{% endif %}"
)


def _indicator_block(form: Form) -> None:
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 = INDICATOR_COLUMNS
    form.row(
        label("绩效指标\n（90分）", c1, merge="restart"),
        label("一级指标", c2), label("二级指标", c3), label("三级指标", c4), label("指标性质", c5), label("指标值", c6),
        label("度量单位", c7), label("完成值", c8), label("权重", c9), label("得分", c10), label("未完成原因分析", c11),
        height=7,
    )
    form.tag("{%tr for 组 in 项目.指标分组 %}")
    form.tag("{%tr for 行 in 组.行 %}")
    for first in (True, False):
        form.tag("{%tr if 行.二级首行 %}" if first else "{%tr else %}")
        form.row(
            continued(c1),
            label("{% vm %}{{ 组.标签 }}", c2),
            label("{{ 行.二级标签 }}", c3, merge="restart") if first else continued(c3),
            label("{{ 行.三级 }}", c4),
            label("{{ 行.指标性质符号 }}", c5),
            label("{{ 行.指标值 }}", c6),
            label("{{ 行.度量单位 }}", c7),
            label("{{ 行.完成值 }}", c8),
            label("{{ 行.分值|分数 }}", c9),
            label("{{ 行.得分|分数 }}", c10),
            Cell("{{ 行.偏差原因 }}", c11, style="PDTableText"),
            height=7,
        )
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")
    form.row(
        label("合计", c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8),
        label("{{ 格式.总分|分数 }}", c9),
        label("{{ 项目.总分|分数 }}", c10),
        label("自评等次：{{ 项目.等次 }}", c11),
        height=7,
    )


def build():
    doc = kit.new_document(PAGE, title="{{ 年度 }}年度{{ 部门.名称 }}部门预算项目支出绩效自评表", subject="部门预算项目支出绩效自评表")
    kit.add_styles(doc, [*kit.compact_styles(kit.WU_HAO), *national_project_form.extra_styles()])
    signatures = Para("项目负责人：{{ 项目.负责人 }}　　　　　　　　　　财务负责人：{{ 项目.财务负责人 }}", style="PDUnit", align="left")
    national_project_form.add_forms(doc, form_table(), "部门预算项目支出绩效自评表（{{ 年度 }}年度）",
                                    number="报表编号：{{ 格式.文字.报表编号 }}", after=(signatures,))
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
