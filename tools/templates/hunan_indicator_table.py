"""templates/hunan-department-2019/指标表.docx: 部门整体支出绩效评价指标表 (Hunan, 2016–2019).

一级 投入 / 过程 / 产出 / 效果, merged over their rows; 二级 merged over its run;
the rule-scored rows print the rate they score and the format's rule.
"""

from __future__ import annotations

from pathlib import Path

import kit
from linxiang_report import extra_styles
from kit import Cell, Form, Para, continued, label

OUTPUT = Path("templates/hunan-department-2019/指标表.docx")
WIDTH = kit.text_width(kit.OFFICIAL_PAGE)  # 156 mm
# 一级 | 二级 | 三级 | 分值 | 评分标准 | 评价情况 | 得分
COLUMNS = (14, 20, 26, 12, 46, 24, 14)


def indicator_table() -> Form:
    c1, c2, c3, c4, c5, c6, c7 = COLUMNS
    form = Form(WIDTH)
    # the header row in 黑体, as the section rows of the other Hunan forms
    form.row(*(Cell(text, width, style="PDTableSection", align="center") for text, width in zip(
        ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "评价情况", "得分"), COLUMNS)), height=8, header=True)
    form.tag("{%tr for 组 in 指标表行 %}")
    form.tag("{%tr for 行 in 组.行 %}")
    for first in (True, False):
        form.tag("{%tr if 行.二级首行 %}" if first else "{%tr else %}")
        form.row(
            label("{% vm %}{{ 组.一级 }}", c1),
            label("{{ 行.二级 }}", c2, merge="restart") if first else continued(c2),
            label("{{ 行.三级 }}", c3),
            label("{{ 行.分值|分数 }}", c4),
            Cell("{{ 行.评分标准 }}", c5, style="PDTableText"),
            label("{{ 行.比率|百分比 }}{% if 行.比率 and 行.说明 %}；{% endif %}{{ 行.说明 }}", c6),
            label("{{ 行.得分|分数 }}", c7),
            height=7,
        )
    form.tag("{%tr endif %}")
    form.tag("{%tr endfor %}")
    form.tag("{%tr endfor %}")
    form.row(label("合计", c1 + c2 + c3), label("{{ 格式.总分|分数 }}", c4),
             label("评价等次：{{ 评分.评价等次 }}", c5 + c6), label("{{ 评分.综合得分|分数 }}", c7), height=8)
    return form


def build():
    doc = kit.new_report(title="{{ 部门.名称 }}{{ 年度 }}年度部门整体支出绩效评价指标表", subject="部门整体支出绩效评价指标表",
                         extra_styles=extra_styles())
    kit.add(
        doc,
        Para("部门整体支出绩效评价指标表", style="PDFormTitle"),
        Para("评价单位：{{ 部门.名称 }}（{{ 年度 }}年度）", style="PDUnit"),
    )
    indicator_table().add_to(doc)
    kit.add(doc, Para("填表人：{{ 报告.填报人 }}        联系电话：{{ 报告.填报人电话 }}", style="PDSignLine"))
    return doc


if __name__ == "__main__":
    kit.save(build(), OUTPUT)
