"""Numbers typed literally in text, with their unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

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
