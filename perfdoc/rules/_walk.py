"""Shared traversal for the schema rules: each value with its schema field."""

from __future__ import annotations

from ..model import SCALAR_KINDS, default_unit
from ..schema import SOURCE_SCHEMA, iter_fields
from ..values import ValueProblem, parse_value


def scalar_problems(ctx, kinds: set[str]):
    """Yield ``(path, field, message)`` for values of ``kinds`` that do not parse."""
    data = ctx.data if isinstance(ctx.data, dict) else {}
    unit = default_unit(data)
    for path, field, value in iter_fields(data, SOURCE_SCHEMA):
        if field.kind not in kinds or field.kind not in SCALAR_KINDS:
            continue
        if isinstance(value, (dict, list)):
            continue  # a container where a value belongs: PD103 reports it
        try:
            parse_value(field.kind, value, default_unit=unit, signed=field.signed, choices=field.choices)
        except ValueProblem as exc:
            yield path, field, str(exc)
