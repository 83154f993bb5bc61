"""叙述中写的个数与随后列出的项数不符

“共 N 个/项/家/名”之后紧接着“分别是……”“包括……”逐一列出时，列出的项数（以顿号“、”分隔，括号内的不算）应等于 N。

错误示例：

    叙述:
      机构设置: |
        我会现有内设机构3个，分别是办公室、组织宣教部。

正确示例：

    叙述:
      机构设置: |
        我会现有内设机构2个，分别是办公室、组织宣教部（与维权工作部合署办公）。
"""

from __future__ import annotations

import re

from ..errors import Severity
from . import Finding, rule
from ._narratives import narrative_texts
from ._text import as_written, locate

_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_COUNTED = re.compile(r"(\d+|[一二两三四五六七八九十])\s*(个|项|家|名|类|条|所)[^，,。；;：:\d]{0,8}?[，,：:]?\s*(?:分别是|分别为|包括|即)[：:]?")
_OPEN, _CLOSE = "（(“《", "）)”》"


def _items(text: str) -> list[str] | None:
    """The 、-separated items from the start of ``text`` up to the end of the clause; None if it trails off (等)."""
    depth, items, current = 0, [], ""
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in "，,。；;\n":
            break
        elif depth == 0 and ch == "、":
            items.append(current)
            current = ""
            continue
        current += ch
    items.append(current)
    items = [item.strip() for item in items]
    if not all(items) or items[-1].endswith("等") or "等" in items[-1][-3:]:
        return None
    return items


@rule("PD505", "count-and-list", severity=Severity.WARNING)
def check(ctx):
    for path, text in narrative_texts(ctx):
        for match in _COUNTED.finditer(text):
            number = match.group(1)
            count = int(number) if number.isdigit() else _DIGITS[number]
            items = _items(text[match.end():])
            if items is None or len(items) < 2 or len(items) == count:
                continue
            typed = match.group(0).rstrip("：:")
            location = locate(ctx.source, path, typed)
            yield Finding(
                path,
                f"“{as_written(ctx.source, location, typed)}”写的是 {count}{match.group(2)}，随后列出了 {len(items)} 项：{'、'.join(items)}",
                location=location,
            )
