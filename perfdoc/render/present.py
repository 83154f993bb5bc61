"""How figures look on paper: amounts, percentages, dates, Chinese ordinals.

These are the Jinja filters shared by narratives and .docx templates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..numbers import format_amount, format_amount_as_written, format_percent

_DIGITS = "零一二三四五六七八九"
_PLACES = ("", "十", "百", "千")


def amount(value, places: int = 2) -> str:
    """万元 amount with fixed decimals: 12.1 → ``12.10``. Blank when absent."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format_amount(value, places)
    return str(value)


def as_written(value) -> str:
    if value is None:
        return ""
    return format_amount_as_written(value) if isinstance(value, Decimal) else str(value)


def percent(value, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format_percent(value, places)
    return str(value)


def chinese_date(value) -> str:
    """2023-03-27 → ``2023年03月27日``."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month:02d}月{value.day:02d}日"
    return "" if value is None else str(value)


def chinese_number(n) -> str:
    """Any integer as it is read: 1 → 一, 12 → 十二, 105 → 一百零五, 2022 → 二千零二十二, -3 → 负三.

    Anything else is shown as it is (blank when absent).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        return "" if n is None else str(n)
    if n < 0:
        return "负" + chinese_number(-n)
    if n == 0:
        return _DIGITS[0]
    text = _chinese_positive(n)
    return text[1:] if text.startswith("一十") else text  # 十二, 十万: a leading 一 is not read


def _chinese_positive(n: int) -> str:
    """``n`` ≥ 1 in 亿, 万 and groups of four digits, a 零 where a gap is read."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            head = _chinese_positive(high) + unit
            if not low:
                return head
            return head + ("零" if low < size // 10 else "") + _chinese_positive(low)
    text, gap = "", False
    for place, digit in zip(range(3, -1, -1), f"{n:04d}"):
        if digit == "0":
            gap = bool(text)
            continue
        text += ("零" if gap else "") + _DIGITS[int(digit)] + _PLACES[place]
        gap = False
    return text


def ordinal_heading(n: int) -> str:
    """1 → ``一、``"""
    return chinese_number(n) + "、"


def ordinal_sub(n: int) -> str:
    """1 → ``（一）``"""
    return f"（{chinese_number(n)}）"


def circled(n: int) -> str:
    """1 → ①"""
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"


def padded_name(name) -> str:
    """Two-character names are spaced to the width of three, as on official forms."""
    text = "" if name is None else str(name)
    return f"{text[0]}  {text[1]}" if len(text) == 2 else text


def score(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


FILTERS = {
    "万元": amount,
    "amount": amount,
    "原值": as_written,
    "百分比": percent,
    "percent": percent,
    "中文日期": chinese_date,
    "cndate": chinese_date,
    "中文数字": chinese_number,
    "cnnum": chinese_number,
    "序号": ordinal_heading,
    "小序号": ordinal_sub,
    "圈号": circled,
    "姓名": padded_name,
    "分数": score,
}
