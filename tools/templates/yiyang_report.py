"""templates/hunan-yiyang/项目支出绩效评价报告.docx: 项目支出绩效评价报告.

Sections 一 to 七 follow the 2023 report; where it skipped a number the
official outline (财预〔2020〕10号 项目支出绩效评价报告提纲) fills it in:
（一）项目绩效情况 before the four analyses, and 四、绩效评价指标分析 with the
indicator table. The project overview and the 专项资金 breakdown with its sum
are written from 项目; the conclusion carries the score and 等次.
"""

from __future__ import annotations

from pathlib import Path

import kit
from kit import Form, Para, each, heading, label, narrative, when

OUTPUT = Path("templates/hunan-yiyang/项目支出绩效评价报告.docx")
WIDTH = kit.text_width(kit.OFFICIAL_PAGE)

OVERVIEW = (
    "{{ 部门.名称 }}{{ 年度 }}年参与绩效评价的项目{{ 项目合计.评价项目数 }}个，"
    "共计{{ 项目合计.评价项目资金 }}万元。具体情况如下："
)

# One paragraph per evaluated project; its 概述 normally states the funds itself.
PROJECT = (
    "{{ loop.index }}. {{ 项.名称 }}。"
    "{% if 项.概述 %}{{ 项.概述 }}{% else %}经费{{ 项.调整后预算 }}万元。{% endif %}"
)

# Each project's amount as written (at least two decimals), as the other sentences print it: one
# amount, one way (101.833 everywhere); the total to the 分, as the form states it.
FUNDS = (
    "{{ 年度 }}年部门预算专项资金共计{{ 项目合计.调整后预算|万元 }}万元。"
    "{% for 项 in 项目 %}{{ '其中，' if loop.first else '，' }}{{ 项.资金名称 or 项.名称 }}"
    "{{ 项.调整后预算 }}万元{{ '。' if loop.last }}{% endfor %}"
)

CONCLUSION = "{{ 年度 }}年度，自评分{{ 评分.综合得分|分数 }}分，评价等次为{{ 评分.评价等次 }}等。"


def indicator_table() -> Form:
    """三级指标 with targets, actual values and scores, 一级 and 二级 merged."""
    w = (22, 24, 50, 22, 22, 16)
    form = Form(WIDTH)
    form.row(*(label(text, width) for text, width in zip(("一级指标", "二级指标", "三级指标", "目标值", "实际值", "得分"), w)), height=8, header=True)

    def per_indicator(text: str, width: float, style: str = "PDTableLabel") -> kit.Cell:
        """One paragraph per indicator of the (possibly merged) row."""
        return kit.Cell(each("指标 in 行.指标", Para(text, style=style), empty=None), width)

    form.tag("{%tr for 组 in 指标分组 %}")
    form.tag("{%tr for 行 in 组.行 %}")
    for first in (True, False):
        form.tag("{%tr if 行.二级首行 %}" if first else "{%tr else %}")
        level2 = label("{{ 行.二级标签 }}", w[1], merge="restart") if first else kit.continued(w[1])
        form.row(
            label("{% vm %}{{ 组.标签 }}", w[0]),
            level2,
            per_indicator("{{ 指标.名称 }}", w[2], style="PDTableText"),
            per_indicator("{{ 指标.目标值 }}", w[3]),
            label("{{ 行.完成情况 }}", w[4]),
            per_indicator("{{ 指标.得分|分数 }}", w[5]),
        )
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")
    return form


def body_before_indicators() -> list:
    return [
        Para("项目支出绩效评价报告", style="PDTitle"),
        heading(1, "一、项目支出基本情况"),
        heading(2, "（一）项目支出概况。"),
        OVERVIEW,
        *each("项 in 评价项目", Para(PROJECT), empty=None),
        heading(2, "（二）绩效目标设定及指标完成情况"),
        narrative("目标完成情况"),
        heading(1, "二、绩效评价工作开展情况"),
        narrative("评价工作开展情况"),
        heading(2, "（一）项目资金情况"),
        FUNDS,
        narrative("专项资金管理情况"),
        heading(2, "（二）项目组织情况分析"),
        narrative("项目组织情况"),
        heading(2, "（三）项目管理情况分析"),
        narrative("项目管理情况"),
        heading(1, "三、项目支出主要绩效及评价结论"),
        heading(2, "（一）项目绩效情况"),
        heading(3, "1.项目的经济性分析"),
        narrative("经济性分析"),
        heading(3, "2.项目的效率性分析"),
        narrative("效率性分析", numbering="括号"),
        heading(3, "3.项目的效益性分析"),
        narrative("效益性分析", numbering="括号"),
        heading(3, "4.项目的可持续性分析"),
        narrative("可持续性分析"),
        heading(2, "（二）综合评价情况及评价结论"),
        *when("叙述.综合评价结论", narrative("综合评价结论"), otherwise=[Para(CONCLUSION)]),
        heading(1, "四、绩效评价指标分析"),
        *when("指标", Para("本项目三级绩效指标完成情况如下表。"), otherwise=[Para("无")]),
    ]


def body_after_indicators() -> list:
    return [
        heading(1, "五、主要经验及做法、存在的问题及原因分析"),
        narrative("经验做法"),
        *when("叙述.存在问题", narrative("存在问题")),
        heading(1, "六、有关建议"),
        narrative("有关建议"),
        heading(1, "七、其他需要说明的问题"),
        narrative("其他需要说明的问题"),
    ]


def build():
    doc = kit.new_report(title="{{ 部门.名称 }}{{ 年度 }}年度项目支出绩效评价报告", subject="项目支出绩效评价报告")
    kit.add(doc, *body_before_indicators())
    # The table is always in the template; with no 指标 it has only its header,
    # so it is wrapped in a condition that removes it with its rows.
    kit.add(doc, Para("{%p if 指标 %}"))
    indicator_table().add_to(doc)
    kit.add(doc, Para("{%p endif %}"))
    kit.add(doc, *body_after_indicators())
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
