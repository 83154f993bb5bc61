"""叙述中“其中”列出的各部分之和超过了总数

“支出X万元，其中A万元、B万元……”这样的句子里，“其中”列出的可以只是一部分，但各部分之和不能超过总数（按各数写出的位数考虑舍入）。超过了，必有一个数写错了。

错误示例：

    叙述:
      支出概况: |
        全年支出120.50万元，其中人员经费80.20万元，公用经费45.30万元。

正确示例：

    叙述:
      支出概况: |
        全年支出120.50万元，其中人员经费80.20万元，公用经费40.30万元。
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import Severity
from ..numbers import AMOUNT_MIN_DECIMALS, TEXT_NUMBER, Interval, text_number
from . import Finding, rule
from ._literals import literal_numbers
from ._narratives import narrative_texts
from ._text import as_written, locate

# A whole in 万元 followed (in the same sentence) by 其中 and its parts, up to the end of the sentence.
_WHOLE_THEN_PARTS = re.compile(rf"(?<![\d.])(?<!\d,)({TEXT_NUMBER})万元[^。；;\d]{{0,20}}?其中([^。]*)")
# Where the list of parts ends: what follows is about something else (a balance, a share, a change).
_END_OF_PARTS = re.compile(r"结余|余额|结转|占|比上年|同比|增长|下降|增加|减少|预算数|全年")


@rule("PD508", "parts-exceed-whole", severity=Severity.WARNING)
def check(ctx):
    for path, text in narrative_texts(ctx):
        for match in _WHOLE_THEN_PARTS.finditer(text):
            whole = Interval.of_written(text_number(match.group(1)), AMOUNT_MIN_DECIMALS)
            listed = _END_OF_PARTS.split(match.group(2), maxsplit=1)[0]
            parts = [literal for literal in literal_numbers(listed) if literal.unit in ("万元", "万")]
            if len(parts) < 2:
                continue
            total = Interval.exact(Decimal(0))
            for literal in parts:
                total = total + Interval.of_written(literal.value, AMOUNT_MIN_DECIMALS)
            if total.low > whole.high:
                shown = sum((literal.value for literal in parts), Decimal(0))
                location = locate(ctx.source, path, f"{match.group(1)}万元")
                yield Finding(
                    path,
                    f"“{as_written(ctx.source, location, match.group(1) + '万元')}”其中列出的 {len(parts)} 项合计 {shown:f} 万元，超过了总数",
                    location=location,
                )
