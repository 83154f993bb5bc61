"""templates/guangzhou/自评表.docx: 部门整体支出绩效自评表 (附件2), a landscape form.

The form is also appended to the 自评报告, which calls :func:`add_form`.
"""

from __future__ import annotations

from pathlib import Path

import kit
from kit import Cell, Form, Para, continued, each, label, narrative

OUTPUT = Path("templates/guangzhou/自评表.docx")
PAGE = kit.LANDSCAPE_FORM_PAGE

# Six grid columns: 主要任务 | 预期目标 | 目标完成情况 | 关键指标 | 指标完成情况 | 任务涉及资金
COLUMNS = (26, 55, 62, 46, 32, 36)

NOTES = (
    "注：1. 每个部门至少开展一个重点项目绩效评价。重点项目是指本部门涉及贯彻落实区委区政府决策部署或工作任务、部门履职的重大改革发展项目，"
    "或社会公众关注度高、代表性强且资金量较大的项目或政策。",
    "2. 各预算主管部门收集汇总所属预算单位整体支出绩效信息后，由预算主管部门统一报送。",
)

# Narrative rows at the foot of the form: (row label, narrative section, list numbering).
NARRATIVE_ROWS = (
    ("重点项目绩效情况", "重点项目绩效情况", None),
    ("部门整体绩效", "部门整体绩效", None),
    ("存在问题", "存在问题", "点"),
    ("改进措施或下一步计划", "改进措施", "点"),
)


def extra_styles() -> list:
    """The second note lines up with the first note's text, after “注：”."""
    return [kit.Style("PDNoteMore", kit.FANGSONG, kit.WU_HAO, snap_to_grid=False, indent_left=kit.WU_HAO * 2)]


def add_form(doc) -> None:
    """附件2 line, title, unit, the form itself and its notes."""
    kit.add(
        doc,
        Para("附件2:", style="PDAttachment"),
        Para("{{r (年度 ~ '年度' ~ 部门.名称 ~ '部门整体支出绩效自评表')|标题分行(40) }}", style="PDFormTitle"),  # 小二 on a landscape line
        Para("单位: 万元", style="PDUnit"),
    )
    form_table().add_to(doc)
    kit.add(doc, Para(NOTES[0], style="PDNote"), Para(NOTES[1], style="PDNoteMore"))


def form_table() -> Form:
    c1, c2, c3, c4, c5, c6 = COLUMNS
    form = Form(sum(COLUMNS))
    # The form's first row names the department: it repeats at the top of every page.
    form.row(
        label("部门名称(汇总)", c1 + c2),
        label("{{ 部门.名称 }}", c3 + c4),
        label("被评价年度", c5),
        label("{{ 年度 }}年", c6),
        height=9,
        header=True,
    )
    _funds_block(form)
    _targets_block(form)
    _tasks_block(form)
    for row_label, section, numbering in NARRATIVE_ROWS:
        form.row(
            label(row_label, c1),
            Cell([narrative(section, "PDTableText", numbering)], c2 + c3 + c4 + c5 + c6, valign="top"),
            height=20,
        )  # not split: its label would print on the first page only (a row taller than a page still breaks)
    return form


def _funds_block(form: Form) -> None:
    """部门资金情况: budget, spending by source, completion and adjustment rates."""
    c1, c2, c3, c4, c5, c6 = COLUMNS

    def pair_row(first_label, first_value, second_label, second_value, merge, last=False):
        form.row(
            label("部门资金情况", c1, merge="restart") if merge == "restart" else continued(c1),
            label(first_label, c2),
            label(first_value, c3),
            label(second_label, c4),
            label(second_value, c5 + c6),
            height=8,
            keep_with_next=not last,  # the merged label stays whole
        )

    pair_row("部门调整预算收入", "{{ 预算.调整后预算|万元 }}", "部门年初预算收入", "{{ 预算.年初预算|万元 }}", "restart")
    pair_row("实际支出数", "{{ 预算.实际支出合计|万元 }}", "年度预算调整数", "{{ 预算.调整数|万元 }}", "continue")
    form.tag("{%tr for 来源 in 资金来源 %}")
    form.row(
        continued(c1),
        label("{% if loop.first %}其中: {% endif %}{{ 来源.名称 }}", c2),
        label("{{ 来源.金额|万元 }}", c3),
        label("", c4 + c5 + c6),
        height=8,
        keep_with_next=True,
    )
    form.tag("{%tr endfor %}")
    pair_row("预算完成率", "{{ 预算.预算完成率|百分比 }}", "预算调整率", "{{ 预算.预算调整率|百分比 }}", "continue", last=True)


def _targets_block(form: Form) -> None:
    """年度目标: numbered expected targets beside their numbered outcomes."""
    c1, c2, c3, c4, c5, c6 = COLUMNS
    form.row(
        label("年度目标", c1, merge="restart"),
        label("部门整体支出的预期目标", c2 + c3),
        label("部门整体支出的目标完成情况", c4 + c5 + c6),
        height=8,
    )
    form.row(
        continued(c1),
        Cell(each("目标 in 年度目标", Para("目标{{ loop.index }}: {{ 目标.目标 }}")), c2 + c3, valign="top"),
        Cell(each("目标 in 年度目标", Para("{{ loop.index }}. {{ 目标.完成情况 }}")), c4 + c5 + c6, valign="top"),
        height=18,
    )


def _tasks_block(form: Form) -> None:
    """主要任务: each task merged vertically over its key indicators, funds shown once."""
    c1, c2, c3, c4, c5, c6 = COLUMNS
    form.row(
        label("主要任务", c1),
        label("预期目标", c2),
        label("目标完成情况", c3),
        label("关键指标", c4),
        label("指标完成情况", c5),
        label("任务涉及资金", c6),
        height=8,
        keep_with_next=True,
    )
    form.tag("{%tr for 任务 in 任务表 %}")
    form.tag("{%tr for 指标 in 任务.关键指标 %}")
    # A task's rows keep together (its merged cells stay whole); the last one lets the page break.
    for keep in (True, False):
        form.tag("{%tr if not loop.last %}" if keep else "{%tr else %}")
        form.row(
            label("{% vm %}{{ 任务.名称 }}", c1),
            Cell("{% vm %}{{ 任务.预期目标 }}", c2),
            Cell("{% vm %}{{ 任务.完成情况 }}", c3),
            label("{{ 指标.名称 }}", c4),
            label("{{ 指标.完成情况 }}", c5),
            label("{% vm %}{{ 任务.资金文字 }}", c6),
            height=8,
            keep_with_next=keep,
        )
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")


def build():
    doc = kit.new_document(PAGE, title="{{ 年度 }}年度{{ 部门.名称 }}部门整体支出绩效自评表", subject="部门整体支出绩效自评表")
    kit.add_styles(doc, [*kit.compact_styles(kit.WU_HAO), *extra_styles()])
    add_form(doc)
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
