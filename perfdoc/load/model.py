"""Typed model: the source data with every scalar parsed by its schema kind.

Values that do not parse are left out; the schema rules report them. The
model is plain nested dicts and lists with Chinese keys, so templates and
narratives reach a figure as ``预算.年初预算``.
"""

from __future__ import annotations

from .schema import SOURCE_SCHEMA, Field
from .values import ValueProblem, parse_value

SCALAR_KINDS = {"text", "markdown", "int", "amount", "percent", "score", "date", "phone", "year", "bool", "choice"}


def default_unit(data) -> str:
    unit = data.get("金额单位") if isinstance(data, dict) else None
    return unit if unit in ("万元", "元") else "万元"


def build_model(data, problems: list | None = None) -> dict:
    """Parse ``data`` (as loaded) into the typed model. Never raises for bad data.

    ``problems`` collects ``(path, field, message)`` for each value that does not
    parse, in the order of the file, for the rules to report.
    """
    if not isinstance(data, dict):
        return {}
    return _convert(data, SOURCE_SCHEMA, default_unit(data), (), problems if problems is not None else []) or {}


def _convert(value, schema: Field, unit: str, path: tuple, problems: list):
    if schema.kind == "map":
        if not isinstance(value, dict):
            return None
        out = {}
        for key, item in value.items():
            child = schema.item if schema.open else schema.fields.get(key)
            if child is None:
                continue  # unknown key: reported by the schema rules
            converted = _convert(item, child, unit, path + (key,), problems)
            if converted is not None:
                out[key] = converted
        return out
    if schema.kind == "list":
        if not isinstance(value, list):
            return None
        # Failed items keep their place so that indices still match the file.
        empty = {} if schema.item.kind == "map" else None
        items = [_convert(item, schema.item, unit, path + (index,), problems) for index, item in enumerate(value)]
        return [empty if item is None else item for item in items]
    if schema.kind in SCALAR_KINDS:
        if isinstance(value, (dict, list)):
            return None  # a container where a value belongs: PD103 reports it
        try:
            return parse_value(schema.kind, value, default_unit=unit, signed=schema.signed, choices=schema.choices)
        except ValueProblem as exc:
            problems.append((path, schema, str(exc)))
            return None
    return None
