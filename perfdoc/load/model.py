"""Typed model: the source data with every scalar parsed by its schema kind.

Values that do not parse are left out; the schema rules report them. The
model is plain nested dicts and lists with Chinese keys, so templates and
narratives reach a figure as ``预算.年初预算``.
"""

from __future__ import annotations

from .schema import MISSING, walk
from .values import ValueProblem, parse_value

SCALAR_KINDS = {"text", "markdown", "int", "amount", "percent", "score", "date", "phone", "year", "bool", "choice"}


def default_unit(data) -> str:
    unit = data.get("金额单位") if isinstance(data, dict) else None
    return unit if unit in ("万元", "元") else "万元"


def walked_values(data) -> tuple:
    """``(path, field, value)`` of :func:`~perfdoc.load.schema.walk` over ``data`` with its unknown and
    missing keys: the one walk of a source, which the model and the rules share."""
    return tuple(walk(data, unknown=True, missing=True))


def build_model(data, problems: list | None = None, walked: tuple | None = None, names: dict | None = None) -> dict:
    """Parse ``data`` (as loaded) into the typed model. Never raises for bad data.

    ``problems`` collects ``(path, field, message)`` for each value that does not
    parse, in the order of the file, for the rules to report. ``walked``: the
    source's :func:`walked_values`, when already made. ``names``: the
    format's allowed values of a field whose ``format_choices`` names them
    (``{"一级": (…), "二级": (…)}``); the schema's own choices otherwise.
    """
    names = names or {}
    if not isinstance(data, dict):
        return {}
    problems = problems if problems is not None else []
    unit = default_unit(data)
    model: dict = {}
    containers = {(): model}  # path → the model's mapping or list there, as the walk reaches it
    for path, field, value in walked if walked is not None else walk(data):
        if not path or field is None or value is MISSING:
            continue
        parent = containers.get(path[:-1])
        if parent is None:
            continue  # inside a value of the wrong shape
        if field.kind == "map":
            if isinstance(value, dict):
                parent[path[-1]] = containers[path] = {}
        elif field.kind == "list":
            if isinstance(value, list):
                # Failed items keep their place so that indices still match the file.
                parent[path[-1]] = containers[path] = [{} if field.item.kind == "map" else None for _ in value]
        elif field.kind in SCALAR_KINDS and not isinstance(value, (dict, list)):  # a container: PD103 reports it
            try:
                choices = names.get(field.format_choices) or field.choices if field.format_choices else field.choices
                parent[path[-1]] = parse_value(field.kind, value, default_unit=unit, signed=field.signed, choices=choices)
            except ValueProblem as exc:
                problems.append((path, field, str(exc)))
    return model
