"""templates/national-project/项目支出绩效自评表.docx: the national 项目支出绩效自评表 (财预〔2020〕10号).

One landscape form per project of 项目自评, each starting on a new page; the
department's projects make one document.
"""

from __future__ import annotations

from pathlib import Path

import kit
from kit import Cell, Form, Para, continued, label

OUTPUT = Path("templates/national-project/项目支出绩效自评表.docx")
PAGE = kit.LANDSCAPE_FORM_PAGE
WIDTH = 257  # mm between the margins of the landscape page

# 绩效指标 columns: label | 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
INDICATOR_COLUMNS = (22, 24, 32, 45, 30, 30, 16, 16, 42)
# 项目资金 columns: label | row name | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
FUND_COLUMNS = (22, 52, 35, 35, 35, 20, 28, 30)
FUND_ROWS = (
    ("其中：当年财政拨款", "当年财政拨款"),
    ("上年结转资金", "上年结转资金"),
    ("其他资金", "其他资金"),
)


def extra_styles() -> list:
    """The first paragraph of every project's form after the first starts a new page."""
    title = dict(align="center", before=6, after=6, snap_to_grid=False)
    return [
        kit.Style("PDFormTitleNewPage", kit.XIAOBIAOSONG, kit.XIAO_ER, **title, page_break_before=True),
        kit.Style("PDFormNumber", kit.SONG, kit.WU_HAO, align="right", snap_to_grid=False),
        kit.Style("PDFormNumberNewPage", kit.SONG, kit.WU_HAO, align="right", snap_to_grid=False, page_break_before=True),
    ]


def add_forms(doc, table: Form, title: str, *, number: str = "", after=()) -> None:
    """One form per project of 项目自评表, each after the first on a new page.

    ``number`` is a line above the title (报表编号); ``after`` are paragraphs below the table.
    """
    first, style, new_page_style = (number, "PDFormNumber", "PDFormNumberNewPage") if number else (title, "PDFormTitle", "PDFormTitleNewPage")
    kit.add(
        doc,
        Para("{%p for 项目 in 项目自评表 %}"),
        Para("{%p if loop.first %}"),
        Para(first, style=style),
        Para("{%p else %}"),
        Para(first, style=new_page_style),
        Para("{%p endif %}"),
        *([Para(title, style="PDFormTitle")] if number else []),
        Para("单位：万元", style="PDUnit"),
    )
    table.add_to(doc)
    kit.add(doc, *after, Para("{%p endfor %}"))


def form_table() -> Form:
    form = Form(WIDTH)
    first, rest = 22, WIDTH - 22
    form.row(label("项目名称", first), label("{{ 项目.名称 }}", rest), height=7)
    half = rest / 2
    form.row(label("主管部门", first), label("{{ 项目.主管部门 }}", half - 22), label("实施单位", 22), label("{{ 项目.实施单位 }}", half), height=7)
    form.row(label("项目负责人", first), label("{{ 项目.负责人 }}", half - 22), label("联系电话", 22), label("{{ 项目.联系电话 }}", half), height=7)
    _funds_block(form)
    _target_block(form)
    _indicator_block(form)
    return form


def _funds_block(form: Form) -> None:
    c1, c2, c3, c4, c5, c6, c7, c8 = FUND_COLUMNS
    form.row(
        label("项目资金\n（万元）", c1, merge="restart"),
        label("", c2), label("年初预算数", c3), label("全年预算数", c4), label("全年执行数", c5),
        label("分值", c6), label("执行率", c7), label("得分", c8),
        height=7,
    )
    total = "项目.资金.年度资金总额"
    form.row(
        continued(c1),
        label("年度资金总额", c2),
        label(f"{{{{ {total}.年初预算数|万元 }}}}", c3),
        label(f"{{{{ {total}.全年预算数|万元 }}}}", c4),
        label(f"{{{{ {total}.全年执行数|万元 }}}}", c5),
        label("{{ 项目.执行率分值|分数 }}", c6),
        label("{{ 项目.执行率|百分比 }}", c7),
        label("{{ 项目.执行率得分|分数 }}", c8),
        height=7,
    )
    for row_label, key in FUND_ROWS:
        source = f"项目.资金.{key}"
        form.row(
            continued(c1),
            label(row_label, c2),
            label(f"{{{{ {source}.年初预算数|万元 }}}}", c3),
            label(f"{{{{ {source}.全年预算数|万元 }}}}", c4),
            label(f"{{{{ {source}.全年执行数|万元 }}}}", c5),
            label("/", c6), label("/", c7), label("/", c8),
            height=7,
        )


def _target_block(form: Form) -> None:
    first, rest = 22, WIDTH - 22
    half = rest / 2
    form.row(label("年度\n总体目标", first, merge="restart"), label("预期目标", half), label("实际完成情况", half), height=7)
    form.row(
        continued(first),
        Cell("{{ 项目.年度总体目标.预期目标 }}", half, style="PDTableText", valign="top"),
        Cell("{{ 项目.年度总体目标.实际完成情况 }}", half, style="PDTableText", valign="top"),
        height=12,
        can_split=True,
    )


def _indicator_block(form: Form) -> None:
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = INDICATOR_COLUMNS
    form.row(
        label("绩效指标", c1, merge="restart"),
        label("一级指标", c2), label("二级指标", c3), label("三级指标", c4), label("年度指标值", c5),
        label("实际完成值", c6), label("分值", c7), label("得分", c8), label("偏差原因分析及改进措施", c9),
        height=8,
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
            label("{{ 行.指标值文字 }}", c5),
            label("{{ 行.完成值文字 }}", c6),
            label("{{ 行.分值|分数 }}", c7),
            label("{{ 行.得分|分数 }}", c8),
            Cell("{{ 行.偏差原因 }}", c9, style="PDTableText"),
            height=7,
        )
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")
    form.row(
        label("总分", c1 + c2 + c3 + c4 + c5 + c6),
        label("{{ 格式.总分|分数 }}", c7),
        label("{{ 项目.总分|分数 }}", c8),
        label("自评等次：{{ 项目.等次 }}", c9),
        height=7,
    )


def build():
    doc = kit.new_document(PAGE, title="{{ 年度 }}年度{{ 部门.名称 }}项目支出绩效自评表", subject="项目支出绩效自评表")
    kit.add_styles(doc, [*kit.compact_styles(kit.WU_HAO), *extra_styles()])
    add_forms(doc, form_table(), "项目支出绩效自评表（{{ 年度 }}年度）")
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
