"""Narrative texts as they will read: references filled in, for rules that check what a text says."""

from __future__ import annotations

from ..numbers import fold_number_forms
from ..render.narrative import NarrativeError, has_references, render_references, strip_references
from ._text import text_values


def narrative_texts(ctx) -> list:
    """``(path, text)`` of every Markdown text, its references rendered (blanked where they fail)
    and the full-width forms of numbers read as half-width (``９２分`` is ``92分``)."""
    return ctx.once("narrative_texts", lambda: list(_narrative_texts(ctx)))


def _narrative_texts(ctx):
    values = ctx.figures.values
    for path, _kind, text in text_values(ctx, kinds=("markdown",)):
        if has_references(text):
            try:
                text = render_references(text, values)
            except NarrativeError:
                text = strip_references(text)
        yield path, fold_number_forms(text)


def location_of_text(ctx, path: tuple, typed: str):
    """Where ``typed`` (a phrase without references) is in the value at ``path``, if found."""
    from ._text import locate

    return locate(ctx.source, path, typed)
