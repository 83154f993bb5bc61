"""Shared traversal for the rules: each value with its schema field, walked once per source."""

from __future__ import annotations

from ..load.schema import SOURCE_SCHEMA, iter_fields


def fields(ctx) -> list:
    """``(path, field, value)`` for every value of the source that the schema describes."""
    return ctx.once("fields", lambda: list(iter_fields(ctx.data, SOURCE_SCHEMA)))


def scalar_problems(ctx, kinds: set[str]) -> list:
    """``(path, field, message)`` for values of ``kinds`` that do not parse (found while building the model)."""
    return [problem for problem in ctx.value_problems if problem[1].kind in kinds]
