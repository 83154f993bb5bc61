"""Indicator targets and actual values: parse ``≥95%``, ``≤10次``, ``10家``…

A target without a comparison sign (``10家``) means "at least", as in
建立工会组织10家; 成本 indicators read it as "at most".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..numbers import fold_number_forms

_OPERATORS = {
    "≥": ">=", ">=": ">=", "不低于": ">=", "不少于": ">=", "达到": ">=", "大于等于": ">=",
    "≤": "<=", "<=": "<=", "不高于": "<=", "不超过": "<=", "不多于": "<=", "小于等于": "<=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">",
    "<": "<", "小于": "<", "低于": "<",
    "=": "=", "＝": "=", "等于": "=",
}
_OP_PATTERN = "|".join(sorted(map(re.escape, _OPERATORS), key=len, reverse=True))
_MEASURE_RE = re.compile(rf"^\s*({_OP_PATTERN})?\s*(-?\d+(?:\.\d+)?)\s*([^\d\s]{{0,6}})\s*$")
_DONE_WORDS = ("已完成", "完成", "全部完成", "按时完成")


@dataclass(frozen=True)
class Measure:
    op: str | None  # ">=", "<=", ">", "<", "=" or None
    number: Decimal
    unit: str

    def __str__(self):
        return f"{self.op or ''}{self.number}{self.unit}"


@dataclass(frozen=True)
class IndicatorResult:
    target: Measure | None
    actual: Measure | None
    met: bool | None  # None: not comparable (text target or actual)
    marked_complete: bool
    reason: str = ""


def parse_operator(text) -> str | None:
    """``≥``, ``不低于``, ``>=`` → ``">="``; None for what is not a comparison."""
    return _OPERATORS.get(fold_number_forms(str(text)).strip()) if text is not None else None


def parse_measure(text) -> Measure | None:
    if text is None:
        return None
    match = _MEASURE_RE.match(fold_number_forms(str(text)))
    if not match:
        return None
    op, number, unit = match.groups()
    return Measure(_OPERATORS[op] if op else None, Decimal(number), unit or "")


def compare(target: Measure, actual: Measure, lower_is_better: bool = False) -> bool | None:
    if target.unit and actual.unit and target.unit != actual.unit:
        return None
    op = target.op or ("<=" if lower_is_better else ">=")
    a, t = actual.number, target.number
    return {">=": a >= t, "<=": a <= t, ">": a > t, "<": a < t, "=": a == t}[op]


def judge_indicator(item: dict) -> IndicatorResult:
    target = parse_measure(item.get("目标值"))
    actual = parse_measure(item.get("实际值"))
    weight, score = item.get("权重"), item.get("得分")
    marked = bool(item.get("已完成")) or (
        weight is not None and score is not None and score == weight
    ) or str(item.get("实际值", "")).strip() in _DONE_WORDS
    met = None
    reason = ""
    if target is not None and actual is not None:
        met = compare(target, actual, lower_is_better=item.get("二级") == "成本")
        if met is None:
            reason = f"目标值单位“{target.unit}”与实际值单位“{actual.unit}”不同，无法比较"
    return IndicatorResult(target, actual, met, marked, reason)
