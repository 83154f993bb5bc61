"""How figures look on paper: amounts, percentages, dates, Chinese ordinals.

These are the Jinja filters shared by narratives and .docx templates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..numbers import format_amount, format_amount_as_written, format_percent

_DIGITS = "零一二三四五六七八九"


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


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


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
