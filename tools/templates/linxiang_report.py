"""templates/hunan-department/自评报告.docx: 部门（单位）整体支出绩效评价自评报告.

A cover, then one form exactly as the official one (基本概况, 收支情况,
绩效自评情况, 评价人员, signatures), then 评价报告综述 in GB/T 9704 prose.
Sentences made of figures are written from data unless the source gives the
section's narrative itself.
"""

from __future__ import annotations

from pathlib import Path

import kit
from kit import Cell, Form, Para, continued, each, heading, label, narrative, when, year_over_year

OUTPUT = Path("templates/hunan-department/自评报告.docx")
WIDTH = kit.text_width(kit.OFFICIAL_PAGE)  # 156 mm
SIGNATURE_DATE = "年    月    日"


def extra_styles() -> list:
    line = kit.GBT_LINE_PITCH / 20
    return [
        kit.Style("PDCoverTitle", kit.XIAOBIAOSONG, kit.ER_HAO, align="center", line_exact=36, snap_to_grid=False),
        kit.Style("PDCoverField", kit.FANGSONG, kit.SAN_HAO, align="left", line_exact=line * 1.5, indent_left=64, snap_to_grid=False),
        kit.Style("PDCoverIssuer", kit.FANGSONG, kit.SAN_HAO, align="center", snap_to_grid=False),
        kit.Style("PDSignLine", kit.FANGSONG, kit.XIAO_SI, align="left", before=6, after=6, snap_to_grid=False),
    ]


# --- cover ------------------------------------------------------------------------


def cover() -> list:
    def space(lines: int) -> list:
        return [Para("", style="PDBody")] * lines

    return [
        Para("附件2", style="PDAttachment"),
        *space(3),
        Para("{{ 格式.地区 }}{{ 年度 }}年度部门（单位）整体支出", style="PDCoverTitle"),
        Para("绩效评价自评报告", style="PDCoverTitle"),
        *space(5),
        Para("部门(单位)名称：{{ 部门.名称 }}", style="PDCoverField"),
        Para("评价方式：{{ 报告.评价方式 }}", style="PDCoverField"),
        Para("评价机构：{{ 报告.评价机构 }}", style="PDCoverField"),
        Para("报告日期：{{ 报告.报告日期|中文日期 }}", style="PDCoverField"),
        *space(3),
        Para("{{ 格式.财政部门 }}（制）", style="PDCoverIssuer"),
    ]


# --- the form ------------------------------------------------------------------------


def section_row(form: Form, text: str) -> None:
    form.full(text, style="PDTableSection", height=8, keep_with_next=True)


def figure_cells(row: str, keys, widths) -> list:
    """Amount cells ``{{ row.key|万元 }}``, one per key."""
    return [label(f"{{{{ {row}.{key}|万元 }}}}", width) for key, width in zip(keys, widths)]


def basic_information(form: Form) -> None:
    """一、部门（单位）基本概况."""
    a, b = 35, 43
    section_row(form, "一、部门（单位）基本概况")
    form.row(label("联系人", a), label("{{ 部门.联系人 }}", b), label("联络电话", a), label("{{ 部门.联系电话 }}", b), height=8)
    form.row(label("人员编制", a), label("{{ 部门.人员编制 }}", b), label("实有人数", a), label("{{ 部门.实有人数 }}", b), height=8)
    rest = WIDTH - a
    form.row(label("职能职责概述", a), Cell("{{ 职能概述 }}", rest), can_split=True)
    form.row(
        label("年度主要工作内容", a),
        Cell(each("目标 in 年度目标", Para("任务{{ loop.index }}：{{ 目标.目标 }}")), rest),
        height=20,
        can_split=True,
    )
    form.row(
        label("年度部门（单位）总体运行情况及取得的成绩", a),
        Cell([narrative("总体运行情况", "PDTableText")], rest),
        height=20,
        can_split=True,
    )


def income_table(form: Form) -> None:
    """年度收入情况（万元）."""
    widths = (24, 20, 20, 22, 22, 26, 22)
    items = ("上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入")
    section_row(form, "二、部门（单位）收支情况")
    form.full("年度收入情况（万元）", style="PDTableHead", keep_with_next=True)
    form.row(label("机构名称", widths[0], merge="restart"), label("收入合计", widths[1], merge="restart"), label("其中：", sum(widths[2:])))
    form.row(continued(widths[0]), continued(widths[1]), *(label(item, w) for item, w in zip(items, widths[2:])))
    form.tag("{%tr for 机构 in 收支表 %}")
    form.row(label("{{ 机构.名称 }}", widths[0]), *figure_cells("机构.收入", ("收入合计",) + items, widths[1:]), height=7)
    form.tag("{%tr endfor %}")


def spending_table(form: Form) -> None:
    """部门（单位）年度支出和结余情况（万元）."""
    w = (24, 19, 19, 19, 19, 19, 18.5, 18.5)
    form.full("部门（单位）年度支出和结余情况（万元）", style="PDTableHead", keep_with_next=True)
    form.row(
        label("机构名称", w[0], merge="restart"),
        label("支出合计", w[1], merge="restart"),
        label("其中：", sum(w[2:6])),
        label("结余", w[6] + w[7]),
    )
    form.row(
        continued(w[0]),
        continued(w[1]),
        label("基本支出", w[2], merge="restart"),
        label("其中：", w[3] + w[4]),
        label("项目支出", w[5], merge="restart"),
        label("当年结余", w[6], merge="restart"),
        label("累计结余", w[7], merge="restart"),
    )
    form.row(
        continued(w[0]), continued(w[1]), continued(w[2]),
        label("人员支出", w[3]), label("公用支出", w[4]),
        continued(w[5]), continued(w[6]), continued(w[7]),
    )
    keys = ("支出合计", "基本支出", "人员支出", "公用支出", "项目支出", "当年结余", "累计结余")
    form.tag("{%tr for 机构 in 收支表 %}")
    form.row(label("{{ 机构.名称 }}", w[0]), *figure_cells("机构.支出", keys, w[1:]), height=7)
    form.tag("{%tr endfor %}")


def itemised_table(form: Form, group: str, total_label: list, items, widths, trailing: str | None = None) -> None:
    """A 合计-and-其中 table (三公经费, 固定资产); ``trailing`` is an item beside 其中."""
    inner = widths[2:-1] if trailing else widths[2:]
    heads = [
        label("机构名称", widths[0], merge="restart"),
        label(total_label, widths[1], merge="restart"),
        label("其中：", sum(inner)),
    ]
    subheads = [continued(widths[0]), continued(widths[1]), *(label(item, w) for item, w in zip(items, inner))]
    if trailing:
        heads.append(label(trailing, widths[-1], merge="restart"))
        subheads.append(continued(widths[-1]))
    form.row(*heads)
    form.row(*subheads)
    keys = ("合计", *items, *((trailing,) if trailing else ()))
    form.tag("{%tr for 机构 in 收支表 %}")
    form.row(label("{{ 机构.名称 }}", widths[0]), *figure_cells(f"机构.{group}", keys, widths[1:]), height=7)
    form.tag("{%tr endfor %}")


def self_evaluation(form: Form) -> None:
    """三、部门（单位）整体支出绩效自评情况."""
    section_row(form, "三、部门（单位）整体支出绩效自评情况")
    a, expected = 24, 48
    done = WIDTH - a - expected
    form.row(label("整体支出绩效定性目标及实施计划完成情况", a, merge="restart"), label("预期目标", expected), label("实际完成", done))
    form.row(
        continued(a),
        Cell(each("目标 in 年度目标", Para("任务{{ loop.index }}：{{ 目标.目标 }}")), expected, valign="top"),
        Cell(each("目标 in 年度目标", Para("{{ loop.index }}、{{ 目标.完成情况 }}")), done, valign="top"),
        can_split=True,
    )
    quantitative_indicators(form)
    form.row(label("绩效自评综合得分", 78), label("{{ 评分.综合得分|分数 }}", WIDTH - 78), height=8)
    form.row(label("评价等次", 78), label("{{ 评分.评价等次 }}", WIDTH - 78), height=8)


def quantitative_indicators(form: Form) -> None:
    """评价内容 (一级 with its long label, 二级) / 绩效目标 / 完成情况, merged vertically.

    The 一级 cell spans its group through ``{% vm %}``; the 二级 cell restarts
    its merge on each group's first row (``行.二级首行``) and continues below.
    """
    a, level1, level2, target, done = 24, 34, 22, 46, 30
    title = [Para("整体支出", style="PDTableLabel"), Para("绩效定量目标及实施计划", style="PDTableLabel"), Para("完成情况", style="PDTableLabel")]
    form.row(Cell(title, a, merge="restart"), label("评价内容", level1 + level2), label("绩效目标", target), label("完成情况", done))
    targets = Cell(each("目标 in 行.绩效目标", Para("{{ 目标 }}"), empty=None), target)
    form.tag("{%tr for 组 in 指标分组 %}")
    form.tag("{%tr for 行 in 组.行 %}")
    form.tag("{%tr if 行.二级首行 %}")
    # Every row keeps with the next: the merged labels beside them cannot be cut off their rows.
    form.row(continued(a), label("{% vm %}{{ 组.标签 }}", level1), label("{{ 行.二级标签 }}", level2, merge="restart"), targets, label("{{ 行.完成情况 }}", done))
    form.tag("{%tr else %}")
    form.row(continued(a), label("{% vm %}{{ 组.标签 }}", level1), continued(level2), targets, label("{{ 行.完成情况 }}", done), keep_with_next=True)
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")


def evaluators(form: Form) -> None:
    """四、评价人员, at least four rows, then the three signature blocks."""
    widths = (30, 56, 40, 30)
    section_row(form, "四、评价人员")
    form.row(*(label(text, w) for text, w in zip(("姓  名", "职务/职称", "单  位", "签  字"), widths)), height=8, keep_with_next=True)
    form.tag("{%tr for 人员 in 评价人员表 %}")
    form.row(label("{{ 人员.姓名|姓名 }}", widths[0]), label("{{ 人员.职务 }}", widths[1]), label("{{ 人员.单位 }}", widths[2]), label("", widths[3]), height=8)
    form.tag("{%tr endfor %}")
    # The three signature blocks stay together on one page.
    signatures = (
        ("评价组组长（签字）：", None),
        ("部门（单位）意见：", "部门（单位）负责人（签章）："),
        ("财政部门归口业务科室意见：", "财政部门归口业务科室负责人（签章）："),
    )
    for index, (opinion, signer) in enumerate(signatures):
        lines = [Para(opinion), Para(""), Para("")]
        if signer:
            lines.append(Para(signer, align="center"))
        lines.append(Para(SIGNATURE_DATE, align="right"))
        form.row(Cell(lines, WIDTH, valign="top"), height=32, keep_with_next=index < len(signatures) - 1)


def evaluation_form() -> Form:
    form = Form(WIDTH)
    basic_information(form)
    income_table(form)
    spending_table(form)
    itemised_table(form, "三公经费", [Para("三公经费", style="PDTableLabel"), Para("合计", style="PDTableLabel")],
                   ("公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费"), (24, 24, 27, 27, 27, 27))
    itemised_table(form, "固定资产", [Para("固定资产", style="PDTableLabel"), Para("合计", style="PDTableLabel")],
                   ("在用固定资产", "出租固定资产"), (24, 33, 33, 33, 33), trailing="其他")
    self_evaluation(form)
    evaluators(form)
    return form


# --- 评价报告综述 -------------------------------------------------------------------------

ORGANISATION = [
    *when("部门.内设机构", Para("{{ 部门.名称 }}设下列内设机构：")),
    *each("机构 in 部门.内设机构", Para("（{{ loop.index }}）{{ 机构 }}。"), empty=None),
    *when("部门.下属单位", Para("{{ 部门.名称 }}所属事业单位：")),
    *each("单位 in 部门.下属单位", Para("（{{ loop.index }}）{{ 单位 }}。"), empty=None),
]

STAFF = (
    "截至{{ 年度 }}年12月31日，{{ 部门.名称 }}核定编制{{ 部门.人员编制 }}名，在职{{ 部门.实有人数 }}人"
    "{% if 部门.离退休人数 is number %}，退休{{ 部门.离退休人数 }}人{% endif %}。"
)

SPENDING_OVERVIEW = (
    "{{ 年度 }}年本单位财政拨款收入{{ 收支合计.收入.公共财政拨款|万元 }}万元。"
    "财政拨款支出{{ 收支合计.支出.支出合计|万元 }}万元。"
    "上述决算支出中基本支出{{ 收支合计.支出.基本支出|万元 }}万元，项目支出{{ 收支合计.支出.项目支出|万元 }}万元。"
)


def _itemised(kind: str, share: str) -> str:
    """“人员经费…万元，占总支出…%，其中基本工资…万元，…。” from the 明细 of ``kind``."""
    spend = "收支合计.支出"
    return (
        f"{{{{ {spend}.{kind}|万元 }}}}万元，占总支出{{{{ {spend}.{share}|百分比(1) }}}}"
        f"{{% for 项, 金额 in {spend}.{kind}明细.items() %}}{{{{ '，其中' if loop.first else '，' }}}}{{{{ 项 }}}}{{{{ 金额|万元 }}}}万元{{% endfor %}}。"
    )


BASIC_SPENDING = [
    Para("本部门{{ 年度 }}年度一般公共预算财政拨款基本支出{{ 收支合计.支出.基本支出|万元 }}万元，具体支出情况如下："),
    Para("人员经费" + _itemised("人员支出", "人员经费占比")),
    Para("日常公用经费" + _itemised("公用支出", "公用经费占比")),
]

PROJECT_FUNDING = (
    "{{ 年度 }}年年初预算批复的项目支出为{{ 项目合计.年初预算|万元 }}万元，"
    "{% if 项目合计.调整数 is number %}年中{{ 项目调整.方向 }}{{ 项目调整.金额|万元 }}万元，{% endif %}"
    "全年收入合计{{ 项目合计.收入合计|万元 }}万元，"
    "上年结余{{ 项目合计.上年结余|万元 }}万元。实际决算支出{{ 项目合计.实际支出|万元 }}万元。"
    "年终结余{{ 项目合计.年终结余|万元 }}万元。"
)

PROJECT_USE = (
    "本部门{{ 年度 }}年度一般公共预算财政拨款项目支出{{ 项目合计.实际支出|万元 }}万元"
    "{% for 项 in 项目 %}{{ '，其中：' if loop.first else '；' }}{{ loop.index|圈号 }}{{ 项.名称 }}{{ 项.实际支出|万元 }}万元"
    "{% if 项.用途 %}，主要用于{{ 项.用途 }}{% endif %}{% endfor %}。"
)


def summary() -> list:
    """五、评价报告综述（文字部分）."""
    return [
        heading(1, "一、部门（单位）概况"),
        heading(2, "（一）部门（单位）基本情况"),
        heading(3, "1．主要职能。"),
        *each("职能 in 部门.职能职责", Para("（{{ loop.index }}）{{ 职能 }}"), empty=None),
        heading(3, "2．机构情况。"),
        *when("叙述.机构设置", narrative("机构设置"), otherwise=ORGANISATION),
        heading(3, "3．人员情况，包括当年变动情况及原因。"),
        *when("叙述.人员情况", narrative("人员情况"), otherwise=[Para(STAFF)]),
        heading(2, "（二）部门（单位）整体支出规模、使用方向和主要内容、涉及范围等"),
        *when("叙述.支出概况", narrative("支出概况"), otherwise=[Para(SPENDING_OVERVIEW)]),
        *year_over_year("支出合计"),
        heading(1, "二、部门（单位）整体支出管理及使用情况"),
        heading(2, "（一）基本支出"),
        *when("叙述.基本支出情况", narrative("基本支出情况"), otherwise=BASIC_SPENDING),
        heading(2, "（二）专项支出"),
        heading(3, "1、专项资金安排落实、总投入等情况分析"),
        PROJECT_FUNDING,
        heading(3, "2、专项资金实际使用情况分析"),
        PROJECT_USE,
        heading(3, "3、专项资金管理情况分析"),
        narrative("专项资金管理情况"),
        heading(1, "三、部门（单位）专项组织实施情况"),
        heading(2, "（一）专项组织情况分析"),
        narrative("专项组织情况"),
        heading(2, "（二）专项管理情况分析"),
        narrative("专项管理情况", numbering="点"),
        heading(1, "四、部门（单位）整体支出绩效情况"),
        narrative("部门整体绩效"),
        heading(1, "五、存在的主要问题"),
        narrative("存在问题"),
        heading(1, "六、改进措施和有关建议"),
        narrative("改进措施"),
    ]


def build():
    doc = kit.new_report(
        title="{{ 部门.名称 }}{{ 年度 }}年度部门（单位）整体支出绩效评价自评报告",
        subject="部门（单位）整体支出绩效评价自评报告",
        extra_styles=extra_styles(),
    )
    kit.add(doc, *cover())
    doc.sections[0].different_first_page_header_footer = True  # no page number on the cover
    kit.new_section(doc, kit.OFFICIAL_PAGE, restart_numbering=True)
    evaluation_form().add_to(doc)
    kit.add(doc, Para("填报人（签名）：{{ 报告.填报人 }}                        联系电话：{{ 报告.填报人电话 }}", style="PDSignLine"))
    Form(WIDTH).full("五、评价报告综述（文字部分）", style="PDTableSection", height=9).add_to(doc)
    kit.add(doc, *summary())
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
