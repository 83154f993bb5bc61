"""叙述中的数字引用有误

叙述中可以用 ``{{ 预算.调整后预算 }}`` 这样的写法引用数字，使每个数只填写一次；列表从 1 开始编号，``{{ 任务[1].资金 }}`` 是任务1的资金，与表格和 ``perfdoc show`` 相同。引用不存在的名称或不存在的项、直接写出一组数字（如 ``{{ 预算.实际支出 }}``）、标记未闭合，或超出读取数字范围的写法（如 ``{{ ''.__class__ }}``），都会被拒绝，并指出引用所在的行列和可用的名称。

错误示例：

    预算:
      年初预算: 431.77
      调整数: 0
    叙述:
      自评结论: |
        全年预算数{{ 预算.调整后预算数 }}万元。

正确示例：

    预算:
      年初预算: 431.77
      调整数: 0
    叙述:
      自评结论: |
        全年预算数{{ 预算.调整后预算 }}万元。
"""

from __future__ import annotations

from ..errors import Severity
from ..render.narrative import NarrativeError, has_references, render_references
from . import Finding, rule
from ._text import line_in_value, text_values


@rule("PD501", "narrative-reference")
def check(ctx):
    values = ctx.figures.values
    for path, kind, text in text_values(ctx):
        if not has_references(text):
            continue
        if kind != "markdown":
            yield Finding(
                path,
                "此处是普通文本，不支持 {{ }} 数字引用，引用会原样显示；请改写数字或移到叙述章节中",
                severity=Severity.WARNING,
            )
            continue
        try:
            render_references(text, values)
        except NarrativeError as exc:
            yield Finding(
                path,
                exc.message,
                location=line_in_value(ctx.source, path, exc.line, exc.column, exc.width),
                severity=Severity.WARNING if exc.unknown else None,
            )
