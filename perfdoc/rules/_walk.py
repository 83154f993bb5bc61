"""Shared traversal for the rules: each value with its schema field, walked once per source."""

from __future__ import annotations

from ..load.model import walked_values
from ..load.schema import MISSING


def walked(ctx) -> tuple:
    """``(path, field, value)`` of the one walk of the source, unknown keys (field None) and missing
    ones (value MISSING) included: made while analysing it, or here for a record made otherwise."""
    if ctx.walked is not None:
        return ctx.walked
    return ctx.once("walked", lambda: walked_values(ctx.data))


def fields(ctx) -> list:
    """``(path, field, value)`` for every value of the source that the schema describes."""
    return ctx.once("fields", lambda: [entry for entry in walked(ctx) if entry[1] is not None and entry[2] is not MISSING])


def scalar_problems(ctx, kinds: set[str]) -> list:
    """``(path, field, message)`` for values of ``kinds`` that do not parse (found while building the model)."""
    return [problem for problem in ctx.value_problems if problem[1].kind in kinds]


def project_indicators(ctx):
    """``(path, item, judged)`` for each indicator of each project of 项目自评: its path
    (``("项目自评", i, "指标", j)``), its typed values, and how the computation judged it
    (:class:`~perfdoc.compute.projects.ProjectIndicator`)."""
    for index, (project, result) in enumerate(zip(ctx.model.get("项目自评") or [], ctx.figures.projects)):
        for position, (item, judged) in enumerate(zip(project.get("指标") or [], result.indicators)):
            yield ("项目自评", index, "指标", position), item, judged
