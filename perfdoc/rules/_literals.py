"""Numbers typed literally in text, with their unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..render.narrative import strip_references
from ._text import text_values

_LITERAL_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(万元|万|元|%|％)")


@dataclass(frozen=True)
class Literal:
    text: str  # as typed, e.g. "27.74元"
    value: Decimal
    unit: str  # 万元, 万, 元, %


def literal_numbers(text: str):
    for match in _LITERAL_RE.finditer(text):
        unit = "%" if match.group(2) == "％" else match.group(2)
        yield Literal(match.group(0), Decimal(match.group(1)), unit)


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
