"""叙述中的编号跳号或重号

叙述中逐行编号的条目（“1.”“2、”“（一）”“（二）”）应当连续：1、2、3……；出现 1、2、4 或 1、2、2 多半是删改时漏改了编号。编号从 1（或“一”）重新开始视为新的一组。

错误示例：

    叙述:
      存在问题: |
        1. 绩效指标设置有待提升。
        2. 预算执行进度不均衡。
        2. 资产管理有待加强。

正确示例：

    叙述:
      存在问题: |
        1. 绩效指标设置有待提升。
        2. 预算执行进度不均衡。
        3. 资产管理有待加强。
"""

from __future__ import annotations

import re

from ..errors import Severity
from . import Finding, rule
from ._narratives import narrative_texts
from ._text import line_in_value

_CHINESE = "一二三四五六七八九十"
# A numbered line: "1." "1、" "1．" "（1）" "(1)" or "（一）" "一、".
_ARABIC = re.compile(r"^\s*(?:(\d{1,2})\s*[.、．]|[（(](\d{1,2})[）)])")
_HAN = re.compile(r"^\s*(?:[（(]([一二三四五六七八九十]{1,2})[）)]|([一二三四五六七八九十]{1,2})、)")


def _han_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE.index(text[1]) + 1
    if len(text) == 2 and text.endswith("十"):
        return (_CHINESE.index(text[0]) + 1) * 10
    return _CHINESE.index(text[0]) + 1


def _numbered(line: str):
    """(style, number) of a numbered line, or None."""
    match = _ARABIC.match(line)
    if match:
        return ("paren" if match.group(2) else "plain"), int(match.group(1) or match.group(2))
    match = _HAN.match(line)
    if match:
        return ("han-paren" if match.group(1) else "han"), _han_number(match.group(1) or match.group(2))
    return None


@rule("PD506", "numbering", severity=Severity.WARNING)
def check(ctx):
    for path, text in narrative_texts(ctx):
        last: dict = {}  # style → last number seen
        for number, line in enumerate(text.splitlines(), 1):
            found = _numbered(line)
            if found is None:
                continue
            style, value = found
            before = last.get(style)
            last[style] = value
            if before is None or value == 1 or value == before + 1:
                continue
            problem = "重复" if value == before else ("跳过了 " + "、".join(str(n) for n in range(before + 1, value)) if value > before else "倒退")
            yield Finding(
                path,
                f"编号 {value} 紧跟在 {before} 之后，{problem}",
                location=line_in_value(ctx.source, path, number),
            )
