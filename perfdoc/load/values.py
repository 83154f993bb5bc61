"""Parsing of individual scalar values by schema kind.

Each parser returns the typed value or raises :class:`ValueProblem` with a
Chinese message. Schema rules use the messages; the model builder uses the
values. Keeping both on one function means they can never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..numbers import Amount, AmountSyntaxError, Percent, parse_amount, decimals, parse_percent, type_name, typed_number

_PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{7,8})$")
_DATE_TEXT_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class ValueProblem(ValueError):
    pass


def parse_value(kind: str, raw, *, default_unit: str = "万元", signed: bool = False, choices=()):
    """Convert ``raw`` (as loaded) to the kind's Python type, or raise ValueProblem."""
    if raw is None:
        raise ValueProblem("值为空；不需要时请删除这一行")
    parser = _PARSERS.get(kind)
    if parser is None:
        return raw
    return parser(raw, default_unit=default_unit, signed=signed, choices=choices)


def _text(raw, **_):
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        return str(raw)
    raise ValueProblem(f"应为文本，实际为{type_name(raw)}")


def _markdown(raw, **_):
    if isinstance(raw, str):
        return raw
    raise ValueProblem(f"应为文本（Markdown），实际为{type_name(raw)}")


def _whole(raw):
    """``raw``, or the whole number a text such as ``"２４"`` shows."""
    number = typed_number(raw)
    if isinstance(number, Decimal) and decimals(number) == 0:
        return int(number)
    return raw


def _int(raw, **_):
    raw = _whole(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueProblem(f"应为整数，实际为{type_name(raw)}“{raw}”")
    if raw < 0:
        raise ValueProblem(f"人数、个数不能为负数：{raw}")
    return raw


def _amount(raw, default_unit="万元", signed=False, **_):
    try:
        value, _unit = parse_amount(raw, default_unit)
    except AmountSyntaxError as exc:
        raise ValueProblem(str(exc)) from None
    if value < 0 and not signed:
        raise ValueProblem(f"金额不能为负数：{raw}")
    return Amount(value)


def _percent(raw, **_):
    try:
        return Percent(parse_percent(raw))
    except AmountSyntaxError as exc:
        raise ValueProblem(str(exc)) from None


def _score(raw, **_):
    raw = typed_number(raw)
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        raise ValueProblem(f"应为分数（数字），实际为{type_name(raw)}“{raw}”")
    value = Decimal(raw)
    if not value.is_finite() or value < 0:
        raise ValueProblem(f"分数应为非负数：{raw}")
    return value


def _date(raw, **_):
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        match = _DATE_TEXT_RE.match(raw.strip())
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                raise ValueProblem(f"日期“{raw}”不存在（请检查月份和日）") from None
    raise ValueProblem(f"“{raw}”不是日期，应写作 2023-03-27")


def _phone(raw, **_):
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else None
    if text is None:
        raise ValueProblem(f"应为电话号码，实际为{type_name(raw)}")
    compact = text.replace(" ", "").replace("（", "(").replace("）", ")")
    compact = re.sub(r"^\((0\d{2,3})\)", r"\1-", compact)
    if not _PHONE_RE.match(compact):
        raise ValueProblem(f"“{text}”不像电话号码：应为 11 位手机号、带区号的座机号或 7～8 位本地号码")
    return text


def _year(raw, **_):
    raw = _whole(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueProblem(f"年度应为四位数字，实际为{type_name(raw)}“{raw}”")
    if not 2000 <= raw <= 2100:
        raise ValueProblem(f"年度 {raw} 不在 2000～2100 之间")
    return raw


def _bool(raw, **_):
    if isinstance(raw, bool):
        return raw
    if raw in ("是", "否"):
        return raw == "是"
    raise ValueProblem(f"应为 true/false（或“是”/“否”），实际为“{raw}”")


def _choice(raw, choices=(), **_):
    if raw in choices:
        return raw
    raise ValueProblem(f"“{raw}”不是可选值，应为：{'、'.join(choices)}")


_PARSERS = {
    "text": _text,
    "markdown": _markdown,
    "int": _int,
    "amount": _amount,
    "percent": _percent,
    "score": _score,
    "date": _date,
    "phone": _phone,
    "year": _year,
    "bool": _bool,
    "choice": _choice,
}
