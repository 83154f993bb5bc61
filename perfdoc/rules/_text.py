"""Helpers for rules that look inside text values: which texts, and where."""

from __future__ import annotations

import re
from decimal import Decimal

from ..compute.figures import iter_leaves
from ..errors import Location
from ..numbers import Amount, Percent, fold_number_forms
from ._walk import fields


def text_values(ctx, kinds=("markdown", "text")):
    """Yield ``(path, kind, text)`` for every string value of the given kinds."""
    for path, field, value in fields(ctx):
        if field.kind in kinds and isinstance(value, str):
            yield path, field.kind, value


def locate(source, path: tuple, needle: str, occurrence: int = 0) -> Location | None:
    """Position of the ``occurrence``-th ``needle`` inside the value at ``path``.

    Full-width forms of numbers match their half-width forms: rules read ``９２分`` as ``92分``.
    """
    where = source.positions.get(tuple(path))
    if where is None:
        return None
    lines = source.text.splitlines()
    last = min(where.end_line or where.line, len(lines))
    needle = fold_number_forms(needle)
    seen = 0
    for number in range(where.line, last + 1):
        line = fold_number_forms(lines[number - 1])
        start = where.col - 1 if number == where.line else 0
        index = line.find(needle, start)
        while index != -1:
            if seen == occurrence:
                return Location(number, index + 1, number, index + 1 + len(needle))
            seen += 1
            index = line.find(needle, index + 1)
    return None


def as_written(source, location: Location | None, folded: str) -> str:
    """The text at ``location`` as the user typed it (``９２分``), where rules read ``folded`` (``92分``)."""
    if location is None or location.end_line not in (None, location.line) or location.end_col is None:
        return folded
    lines = source.text.splitlines()
    typed = lines[location.line - 1][location.col - 1 : location.end_col - 1] if location.line <= len(lines) else ""
    return typed if fold_number_forms(typed) == folded else folded


def line_in_value(source, path: tuple, line_in_text: int, column: int | None = None, width: int = 0) -> Location | None:
    """Position of a line of a multi-line value (block scalars start one line below).

    With ``column`` (1-based within that line of the text), the span of ``width``
    characters there: a reference's own place rather than its whole line.
    """
    where = source.positions.get(tuple(path))
    if where is None:
        return None
    lines = source.text.splitlines()
    head = lines[where.line - 1][where.col - 1 :] if where.line <= len(lines) else ""
    if head[:1] not in ("|", ">"):
        return where
    first = where.line + 1
    number = min(first + line_in_text - 1, len(lines))
    line = lines[number - 1] if lines else ""
    col = len(line) - len(line.lstrip()) + 1
    if column is not None:
        return Location(number, col + column - 1, number, col + column - 1 + width)
    return Location(number, col)


def known_figures(ctx) -> tuple[list, list]:
    """All non-zero amounts and percentages in the figure tree, with their paths."""
    return ctx.once("known_figures", lambda: _known_figures(ctx.figures.values))


def _known_figures(values) -> tuple[list, list]:
    amounts, rates = [], []
    for path, node in iter_leaves(values):
        if isinstance(node, Percent):
            rates.append((path, Decimal(node)))
        elif isinstance(node, Amount) and node != 0:
            amounts.append((path, Decimal(node)))
    # Totals first: a hint should name 收支合计 rather than one institution.
    preferred = ("收支合计", "预算", "项目合计")
    amounts.sort(key=lambda item: item[0][0] not in preferred)
    rates.sort(key=lambda item: item[0][0] not in preferred)
    return amounts, rates


# "名称：机关": a key and its value joined by a full-width colon, which YAML reads as one text
_FULLWIDTH_KEY = re.compile(r"\s*([^\s：:{}\[\],#'\"]{1,30}?)\s*：\s*(.*)", re.S)


# "名称:机关": a key and its value joined by a colon with no space after it
_JOINED_KEY = re.compile(r"\s*([^\s：:{}\[\],#'\"]{1,30}?):(?=\S)(.*)", re.S)


def fullwidth_colon_hint(text: str, field) -> str:
    """A hint when ``text`` is ``键：值`` (full-width colon) or ``键:值`` (no space) and 键 is
    one of the mapping ``field``'s keys, else ""."""
    if not isinstance(text, str) or field.kind != "map":
        return ""
    for pattern, problem in ((_FULLWIDTH_KEY, "后面用了全角冒号“：”"), (_JOINED_KEY, "后面的冒号“:”缺少空格")):
        match = pattern.fullmatch(text)
        if match is not None and match.group(1) in (field.fields or {}):
            key, value = match.group(1), match.group(2).strip()
            return f"“{key}”{problem}，YAML 的键后面要用半角冒号“:”加空格：{key}: {value}".rstrip()
    return ""
