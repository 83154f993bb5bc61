"""How much a template or a narrative reference may make: the bounds :mod:`.sandbox` enforces.

Kept apart from the sandbox so that reading them (the narrative checks,
the generated documentation) does not import Jinja.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    value: int  # characters or elements of any one value
    work: int  # units of work in one rendering


# A template's document part is at most a few megabytes of XML; no single value in it comes near a million, and
# rendering an example document takes about 50,000 units of work.
TEMPLATE_LIMITS = Limits(value=1_000_000, work=5_000_000)
# Far more than any narrative section: the whole of a seed report's text is 20,000 characters.
NARRATIVE_LIMITS = Limits(value=200_000, work=2_000_000)
# Jinja's filters a narrative reference may use besides perfdoc's own: none of them can make much from little.
NARRATIVE_JINJA_FILTERS = ("abs", "round", "int", "float", "default", "d", "length", "count", "upper", "lower",
                           "trim", "first", "last", "sum", "min", "max", "join", "string")
