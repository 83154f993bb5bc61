"""templates/hunan-department/基础数据表.docx: 附件1 部门整体支出绩效评价基础数据表 (Hunan).

One A4 form in the table style of the 自评报告: 财政供养人员 (编制数, 实际在职人数,
控制率), 经费控制情况 in three columns (上年决算数, 本年预算数, 本年决算数) with one
row per 专项, 楼堂馆所控制情况, 厉行节约保障措施 and the signature line.
"""

from __future__ import annotations

from pathlib import Path

import kit
from linxiang_report import extra_styles
from kit import Cell, Form, Para, continued, label

OUTPUT = Path("templates/hunan-department/基础数据表.docx")
WIDTH = kit.text_width(kit.OFFICIAL_PAGE)  # 156 mm
NAME, FIGURE = 66, 30  # the row-name column, then three figure columns
COLUMNS = ("上年决算", "本年预算", "本年决算")

# 经费控制情况 rows: (label, figure below 基础数据.<column>).
SPENDING_ROWS = (
    ("支出总额", "支出总额"),
    ("1、基本支出", "基本支出"),
    ("其中：公用经费", "公用经费"),
    ("2、项目支出", "项目支出"),
)
THREE_PUBLIC_ROWS = (
    ("3、“三公”经费", "三公经费.合计"),
    ("其中：（1）公务用车购置及运行维护费", "三公经费.公务用车费"),
    ("　　其中：公务用车购置费", "三公经费.公务用车购置费"),
    ("　　　　　公务用车运行维护费", "三公经费.公务用车运维费"),
    ("　　　（2）因公出国（境）费", "三公经费.因公出国费"),
    ("　　　（3）公务接待费", "三公经费.公务接待费"),
    ("4、政府采购金额", "政府采购金额"),
)


def figure_row(form: Form, name: str, figure: str) -> None:
    form.row(
        Cell(name, NAME, style="PDTableText"),
        *(label(f"{{{{ 基础数据.{column}.{figure}|万元 }}}}", FIGURE) for column in COLUMNS),
        height=7,
    )


def staff_block(form: Form) -> None:
    form.row(label("财政供养人员情况", NAME, merge="restart"), label("编制数", FIGURE), label("实际在职人数", FIGURE),
             label("控制率", FIGURE), height=7)
    form.row(continued(NAME), label("{{ 部门.人员编制 }}", FIGURE), label("{{ 部门.实有人数 }}", FIGURE),
             label("{{ 基础数据.在职人员控制率|百分比 }}", FIGURE), height=7)


def spending_block(form: Form) -> None:
    form.row(label("经费控制情况（万元）", NAME), *(label(f"{column}数", FIGURE) for column in COLUMNS), height=7)
    for name, figure in SPENDING_ROWS:
        figure_row(form, name, figure)
    form.tag("{%tr for 专项 in 专项表 %}")
    form.row(
        Cell("　　　{{ 专项.名称 }}", NAME, style="PDTableText"),
        *(label(f"{{{{ 专项.{column}|万元 }}}}", FIGURE) for column in COLUMNS),
        height=7,
    )
    form.tag("{%tr endfor %}")
    for name, figure in THREE_PUBLIC_ROWS:
        figure_row(form, name, figure)


def text_block(form: Form, title: str, figure: str) -> None:
    form.row(label(title, NAME), Cell(f"{{{{ 基础数据.{figure} }}}}", WIDTH - NAME, style="PDTableText"), height=16)


def build():
    doc = kit.new_report(title="{{ 部门.名称 }}{{ 年度 }}年度部门整体支出绩效评价基础数据表", subject="部门整体支出绩效评价基础数据表",
                         extra_styles=extra_styles())
    kit.add(
        doc,
        Para("附件1", style="PDAttachment"),
        Para("部门整体支出绩效评价基础数据表", style="PDFormTitle"),
        Para("填报单位：{{ 部门.名称 }}（{{ 年度 }}年度）", style="PDUnit"),
    )
    form = Form(WIDTH)
    staff_block(form)
    spending_block(form)
    text_block(form, "楼堂馆所控制情况", "楼堂馆所控制情况")
    text_block(form, "厉行节约保障措施", "厉行节约保障措施")
    form.add_to(doc)
    kit.add(
        doc,
        Para("填表人：{{ 报告.填报人 }}        填报日期：{{ 报告.报告日期|中文日期 }}", style="PDSignLine"),
        Para("联系电话：{{ 报告.填报人电话 }}        单位负责人签字：{{ 部门.负责人 }}", style="PDSignLine"),
    )
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
