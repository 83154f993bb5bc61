"""叙述中手写的得分、等次或比率与计算结果不符

叙述中紧跟在数字名称后手写的数字（“自评得分92分”“等次为良”“预算完成率95%”）会与 perfdoc 算出的同一数字核对：手写的数字按其写出的位数四舍五入后仍不相等，就是写错了。更好的做法是引用：``{{ 评分.综合得分 }}``、``{{ 评分.评价等次 }}``、``{{ 预算.预算完成率 }}``。

错误示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
    叙述:
      自评结论: |
        全年预算完成率95%，各项工作按计划完成。

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
    叙述:
      自评结论: |
        全年预算完成率92.8%，各项工作按计划完成。
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import Severity
from ..numbers import TEXT_NUMBER, decimals, round_half_up, text_number
from ..load.schema import dotted, reference
from . import Finding, rule
from ._narratives import narrative_texts
from ._text import as_written, locate

_NUMBER = rf"({TEXT_NUMBER})"
# (pattern, figure path, unit): the name, an optional verb, the number typed right after it.
_STATED = (
    (re.compile(rf"(?:自评得分|综合得分|自评分|自评总分)(?:为|是|达到|共)?{_NUMBER}分"), ("评分", "综合得分"), "分"),
    (re.compile(rf"预算(?:完成|执行)率(?:为|是|达到|达)?{_NUMBER}%"), ("预算", "预算完成率"), "%"),
    (re.compile(rf"预算调整率(?:为|是)?{_NUMBER}%"), ("预算", "预算调整率"), "%"),
)
_GRADE = re.compile(r"(?:评价等次|等次|等级)(?:为|是|评定为|评为)“?([优良中差][秀好等]?|合格|不合格|较好|一般)")


@rule("PD504", "stated-figure", severity=Severity.WARNING)
def check(ctx):
    figures = ctx.figures
    for path, text in narrative_texts(ctx):
        for pattern, figure_path, unit in _STATED:
            known = figures.get(figure_path)
            if not isinstance(known, Decimal):
                continue
            for match in pattern.finditer(text):
                typed = text_number(match.group(1))
                if round_half_up(known, decimals(typed)) != typed:
                    shown = f"{round_half_up(known, max(decimals(typed), 2)).normalize():f}"
                    location = locate(ctx.source, path, match.group(0))
                    yield Finding(
                        path,
                        f"叙述中写的“{as_written(ctx.source, location, match.group(0))}”与计算出的 {dotted(figure_path)} {shown}{unit} 不符",
                        hint=f"可改为引用 {{{{ {reference(figure_path)} }}}}",
                        location=location,
                    )
        grade = figures.grade or (ctx.model.get("评分") or {}).get("评价等次")
        if not grade:
            continue
        for match in _GRADE.finditer(text):
            typed = match.group(1)
            if typed.rstrip("等") != grade.rstrip("等") and not grade.startswith(typed) and not typed.startswith(grade):
                yield Finding(
                    path,
                    f"叙述中写的“{match.group(0)}”与评价等次“{grade}”不符",
                    hint="可改为引用 {{ 评分.评价等次 }}",
                    location=locate(ctx.source, path, match.group(0)),
                )
