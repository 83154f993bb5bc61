"""Decimal arithmetic for money and rates: parsing, half-up rounding, intervals.

Every amount keeps the exponent it was written with (``Decimal("2.40")`` has
two decimals), so the precision of a figure is known from its text alone. That
precision drives the consistency checks: a figure written with two decimals
stands for anything within ±0.005 of it (XBRL Calculations 1.1 style).

How clerks may type amounts and rates (one rule, applied to every amount and
rate of a source):

* full-width characters are read as their half-width forms (Unicode NFKC):
  ``１２３．４５``, ``63.9％``, ``1，234.50`` are 123.45, 63.9% and 1,234.50;
* an amount may end in ``万元``, ``万`` (the same) or ``元``; without a unit
  it is in the file's 金额单位 (万元 unless the file says 元);
* an amount typed in 元 is exact to the 元 it was typed to, and prints like
  the same amount typed in 万元: ``34822000元`` prints 3482.20 万元, not 3482.2000;
* a rate is a percentage, ``"6.61%"``; a bare decimal below 1 with more than
  two decimals (``0.0661``) is refused with the fix named, since it is almost
  always a fraction meant as a percentage;
* a score, a count or a year typed as full-width text (``９２．５``, ``２４``)
  is the number it shows;
* in narratives, numbers are read by the same rule: full-width digits, point,
  sign, ％ and comparison signs count as their half-width forms
  (``自评得分９２分`` is checked like ``自评得分92分``), a thousands separator is
  the half-width comma (``1,234.50万元``); the full-width ``，`` and ``、`` stay
  punctuation, since in Chinese text they separate numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

WAN = Decimal(10000)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# Units an amount may be written in, and the factor that brings it to 万元.
UNITS = {"万元": Decimal(1), "元": Decimal("0.0001")}
# Decimals a unit allows: 元 to the 分, 万元 likewise (6 = 分 in 万元).
MAX_DECIMALS = {"万元": 6, "元": 2}
# 万元 amounts are exact to 0.01 however they are written (trailing zeros are often dropped).
AMOUNT_MIN_DECIMALS = 2
# Anything from a trillion 元 up is a slip, not a department's budget.
MAX_AMOUNT = {"万元": Decimal(10) ** 8, "元": Decimal(10) ** 12}

_AMOUNT_RE = re.compile(r"^\s*([+-]?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(万元|万|元)?\s*$")
_PERCENT_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")


def decimals(value: Decimal) -> int:
    """How many decimals a written figure has (``Decimal('3')`` → 0)."""
    exp = value.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """四舍五入 to ``places`` decimals; zero has no sign (``-0.00`` as written, or -0.004 rounded, is 0.00)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


class AmountSyntaxError(ValueError):
    """Raised with a Chinese message when an amount's text is malformed."""


def parse_amount(raw, default_unit: str = "万元") -> tuple[Decimal, str]:
    """Read an amount from its YAML text and return (value in 万元, written unit).

    ``raw`` is a ``Decimal`` or ``int`` (a bare YAML number, in the file's
    default unit) or a ``str`` such as ``"5600元"`` or ``"1,234.50 万元"``.
    The result keeps the written precision: ``"56000元"`` → ``Decimal('5.6000')``.
    """
    if isinstance(raw, bool):
        raise AmountSyntaxError("应为金额数字，实际为是/否值")
    if isinstance(raw, int):
        number, unit = Decimal(raw), default_unit
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise AmountSyntaxError("金额不能为 NaN 或无穷大")
        number, unit = raw, default_unit
    elif isinstance(raw, str):
        match = _AMOUNT_RE.match(as_typed(raw))
        if not match:
            raise AmountSyntaxError(f"“{raw}”不是金额：只写数字，可带单位“万元”“万”或“元”，如“180万”“5600元”")
        sign, digits, unit = match.groups()
        number = Decimal(sign + digits.replace(",", ""))
        unit = "万元" if unit == "万" else unit or default_unit
    else:
        raise AmountSyntaxError(f"应为金额数字，实际为{type_name(raw)}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        raise AmountSyntaxError(f"金额“{raw}”不能用科学计数法，请直接写出数字")
    if abs(number) >= MAX_AMOUNT[unit]:
        raise AmountSyntaxError(f"金额 {number}{unit} 大得不合理，请检查是否多写了数位")
    if decimals(number) > MAX_DECIMALS[unit]:
        raise AmountSyntaxError(
            f"金额 {number} 的小数位数超过单位“{unit}”允许的 {MAX_DECIMALS[unit]} 位"
        )
    if unit == "元":
        number = number.scaleb(-4)
    return number, unit


def as_typed(text: str) -> str:
    """``text`` with full-width digits, signs, ％ and separators read as half-width (NFKC)."""
    return unicodedata.normalize("NFKC", text)


# The full-width forms of what a number in running text is made of, one character for one.
_NUMBER_FORMS = str.maketrans("０１２３４５６７８９．％﹪＋－＝＞＜", "0123456789.%%+-=><")


def fold_number_forms(text: str) -> str:
    """``text`` with the full-width characters of numbers read as half-width, all else kept.

    Unlike :func:`as_typed` it maps one character to one, so a column found in the
    folded text is the same column in the text as typed.
    """
    return text.translate(_NUMBER_FORMS)


# A number in running text: digits, the half-width comma only between groups of three.
TEXT_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_BARE_NUMBER_RE = re.compile(r"\s*[+-]?\d+(?:\.\d+)?\s*", re.ASCII)


def text_number(text: str) -> Decimal:
    """The value of a :data:`TEXT_NUMBER` match: ``1,234.50`` → 1234.50."""
    return Decimal(text.replace(",", ""))


def typed_number(raw):
    """A bare number typed as text (``"９２．５"``, ``" 24 "``) as a ``Decimal``; ``raw`` itself otherwise."""
    if isinstance(raw, str):
        folded = as_typed(raw)
        if _BARE_NUMBER_RE.fullmatch(folded):
            return Decimal(folded.strip())
    return raw


def parse_percent(raw) -> Decimal:
    """Read a percentage written as ``"92.83%"`` and return it in percent units."""
    if isinstance(raw, str):
        match = _PERCENT_RE.match(as_typed(raw))
        if match:
            return Decimal(match.group(1))
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        value = Decimal(raw)
        if value.is_finite():
            if 0 < abs(value) < 1 and decimals(value) > 2:
                meant = format(round_half_up(value * HUNDRED, max(decimals(value) - 2, 0)).normalize(), "f")
                raise AmountSyntaxError(
                    f"比率“{raw}”像是写成了小数：如指 {meant}%，请写作“{meant}%”；如确为 {raw}%，请写作“{raw}%”"
                )
            return value
    raise AmountSyntaxError(f"“{raw}”不是百分比，应写作如“92.83%”（带百分号）")


def type_name(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "是/否值"
    if isinstance(value, (int, Decimal)):
        return "数字"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, list):
        return "列表"
    return type(value).__name__


@dataclass(frozen=True)
class Interval:
    """A closed interval of the true values a rounded figure may stand for."""

    low: Decimal
    high: Decimal

    @classmethod
    def of_written(cls, value: Decimal, min_decimals: int = 0) -> "Interval":
        """What a figure written with its decimals may stand for: 12.1 → [12.05, 12.15].

        ``min_decimals`` sets a floor: 万元 amounts are kept to the 0.01 (百元),
        so "3万元" in a narrative or a table means 3.00, not anything from 2.5 to 3.5.
        """
        half = Decimal(5).scaleb(-max(decimals(value), min_decimals) - 1)
        return cls(value - half, value + half)

    @classmethod
    def exact(cls, value: Decimal) -> "Interval":
        return cls(value, value)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.low - other.high, self.high - other.low)

    def scale(self, factor: Decimal) -> "Interval":
        a, b = self.low * factor, self.high * factor
        return Interval(min(a, b), max(a, b))

    def divide(self, other: "Interval") -> "Interval | None":
        """Interval division; ``None`` when the divisor may be zero."""
        if other.low <= 0 <= other.high:
            return None
        corners = [
            self.low / other.low,
            self.low / other.high,
            self.high / other.low,
            self.high / other.high,
        ]
        return Interval(min(corners), max(corners))

    def overlaps(self, other: "Interval") -> bool:
        """Whether both may stand for one true value.

        Two written figures that only touch (12.1 → [12.05, 12.15] and 12.2 →
        [12.15, 12.25]) cannot: 12.15 rounds half-up to 12.2, never to 12.1.
        An exact interval (a point) still matches a figure it lies in.
        """
        if self.low == self.high or other.low == other.high:
            return self.low <= other.high and other.low <= self.high
        return self.low < other.high and other.low < self.high


def format_amount(value: Decimal, places: int = 2) -> str:
    """万元 amount with ``places`` decimals, half-up: ``Decimal('12.1')`` → ``12.10``."""
    return f"{round_half_up(value, places):.{places}f}"


def format_amount_as_written(value: Decimal) -> str:
    """At least two decimals, more only where the figure has more that are not 0.

    ``101.833`` prints as written; ``34822000元`` (3482.2000 万元, exact to the
    元) prints 3482.20 like the same amount typed in 万元.
    """
    return format_amount(value, max(2, decimals(value.normalize())))


def format_percent(value: Decimal, places: int = 2) -> str:
    """A value in percent units → ``92.83%``."""
    return f"{round_half_up(value, places):.{places}f}%"


def ratio_percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator in percent units, unrounded; ``None`` if undefined.

    0 / 0 is taken as 0%: a department with no 政府性基金 spent none of it.
    """
    if denominator == 0:
        return Decimal(0) if numerator == 0 else None
    try:
        return numerator * HUNDRED / denominator
    except InvalidOperation:  # pragma: no cover - finite inputs only
        return None


class Amount(Decimal):
    """An amount in 万元. Prints with two decimals, or more where written with more."""

    __slots__ = ()

    def __str__(self) -> str:
        return format_amount_as_written(self)

    def __repr__(self) -> str:
        return f"Amount('{Decimal.__str__(self)}')"


class Percent(Decimal):
    """A rate in percent units (92.83 means 92.83%). Prints as ``92.83%``."""

    __slots__ = ()

    def __str__(self) -> str:
        return format_percent(self)

    def __repr__(self) -> str:
        return f"Percent('{Decimal.__str__(self)}')"


def plain(value: Decimal) -> str:
    """The Decimal's own text, bypassing Amount/Percent display."""
    return Decimal.__str__(value)


def points(value: Decimal) -> str:
    """A score as a form prints it: 40.00 → 40, 6.40 → 6.4."""
    return format(Decimal(Decimal.__str__(value)).normalize(), "f")
