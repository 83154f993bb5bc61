"""Numbers typed literally in text, with their unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..numbers import TEXT_NUMBER, fold_number_forms, text_number
from ..render.narrative import strip_references
from ._text import text_values

_LITERAL_RE = re.compile(rf"(?<![\d.])(?<!\d,)({TEXT_NUMBER})\s*(万元|万|元|%)")


@dataclass(frozen=True)
class Literal:
    text: str  # as typed, full-width forms read as half-width: "27.74元"
    value: Decimal
    unit: str  # 万元, 万, 元, %


def literal_numbers(text: str):
    for match in _LITERAL_RE.finditer(fold_number_forms(text)):
        yield Literal(match.group(0), text_number(match.group(1)), match.group(2))


def literals_in_texts(ctx) -> list:
    """``(path, literal, occurrence)`` for every literal number in the file's texts, where
    ``occurrence`` counts the same literal earlier in that text (for :func:`._text.locate`).

    Figure references are blanked out first: only what the user typed counts.
    """
    return ctx.once("literals", lambda: list(_literals_in_texts(ctx)))


def _literals_in_texts(ctx):
    for path, _kind, text in text_values(ctx):
        seen: dict = {}
        for literal in literal_numbers(strip_references(text)):
            occurrence = seen.get(literal.text, 0)
            seen[literal.text] = occurrence + 1
            yield path, literal, occurrence


@dataclass(frozen=True)
class UnitSlip:
    """A literal amount that is a known 万元 figure written at the wrong 元/万元 scale."""

    figure_path: tuple
    figure: Decimal
    kind: str  # "元写成万元" (×10⁴), "换算两次" (÷10⁴) or "万元写成元" (same digits, 元)


def unit_slip(ctx, literal: Literal) -> UnitSlip | None:
    """The known figure ``literal`` stands for at another 元/万元 scale, if it is one.

    A literal that is itself a known figure at its own unit is never a slip, nor is
    one with fewer than three significant digits (2000000万元 may well be meant).
    """
    if literal.unit not in ("万元", "万", "元"):
        return None
    index = ctx.once("amounts_by_value", lambda: _amounts_by_value(ctx))
    in_wan = literal.value.scaleb(-4) if literal.unit == "元" else literal.value
    if in_wan in index or len(_significant_digits(literal.value)) < 3:
        return None
    if literal.unit == "元":
        candidates = ((literal.value, "万元写成元"),)
    else:
        candidates = ((literal.value.scaleb(-4), "元写成万元"), (literal.value.scaleb(4), "换算两次"))
    for figure, kind in candidates:
        if figure in index:
            return UnitSlip(index[figure], figure, kind)
    return None


def _amounts_by_value(ctx) -> dict:
    from ._text import known_figures

    index: dict = {}
    for path, figure in known_figures(ctx)[0]:
        index.setdefault(figure, path)  # Decimal("264") and Decimal("264.00") are one key
    return index


def _significant_digits(value: Decimal) -> str:
    return f"{abs(value):f}".replace(".", "").strip("0")
