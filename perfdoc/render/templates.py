"""Rendering a template file, its problems said with where they are.

The renderer (:mod:`.engine`) finds what is wrong and :mod:`.diagnose` finds
where it is in the template, as Word shows it; neither knows the other, and
this module puts the two together for the commands.
"""

from __future__ import annotations

from pathlib import Path

from . import diagnose, engine
from .engine import display_path, shares_context
from .package import CoreProperties
from .problems import UNKNOWN_NAMES, TemplateProblem, TemplateProblemError

__all__ = ["render_document", "undefined_names", "unknown_names", "shares_context", "display_path"]


def render_document(
    template: Path,
    context: dict,
    properties: CoreProperties | None = None,
    *,
    strict: bool = False,
    compiled=None,
    shown: list | None = None,
) -> bytes:
    """The rendered document (see :func:`.engine.render_document`); its problems located."""
    try:
        return engine.render_document(template, context, properties, strict=strict, compiled=compiled, shown=shown)
    except TemplateProblemError as exc:
        raise TemplateProblemError(diagnose.located(exc.problem, template)) from None


def undefined_names(template: Path, context: dict) -> list[str]:
    """Top-level names the template uses that neither the context nor Jinja defines."""
    try:
        return engine.undefined_names(template, context)
    except TemplateProblemError as exc:
        raise TemplateProblemError(diagnose.located(exc.problem, template)) from None


def unknown_names(template: Path, context: dict) -> TemplateProblem | None:
    """The names the template uses that the context lacks, each with where it is used; None when there are none."""
    names = undefined_names(template, context)
    if not names:
        return None
    problem = TemplateProblem(UNKNOWN_NAMES, display_path(template), names=tuple(names))
    return diagnose.located(problem, template)
