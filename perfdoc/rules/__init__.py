"""Validation rules: one rule per module, each with a stable code.

A rule is a function ``check(analysis) -> Iterable[Finding]`` registered with
:func:`rule`. Its docstring holds a one-line summary, a paragraph of
explanation, and a bad and a good YAML example under the headings
``错误示例`` and ``正确示例``; the rule reference in ``docs/`` is generated
from them and the test-suite runs both examples. Rules never print and never
read files: everything they need is in the source's
:class:`~perfdoc.pipeline.Analysis`, which they never change.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import Severity

if TYPE_CHECKING:  # the pipeline runs the rules, so it imports this package
    from ..pipeline import Analysis


@dataclass(frozen=True)
class Finding:
    """What a rule reports: a path into the source and a Chinese message."""

    path: tuple
    message: str
    hint: str = ""
    at_key: bool = False  # point at the key rather than the value
    severity: Severity | None = None  # overrides the rule's default
    location: object | None = None  # a precise errors.Location inside the value


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    family: str
    severity: Severity
    check: Callable[["Analysis"], Iterable[Finding]]
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip()

    def example(self, heading: str) -> str:
        """The YAML block under ``heading`` (错误示例 / 正确示例) in the docstring."""
        match = re.search(rf"{heading}[:：]?\s*\n+((?:[ ]{{4}}.*\n|\s*\n)+)", self.doc + "\n")
        if not match:
            return ""
        lines = match.group(1).rstrip().splitlines()
        return "\n".join(line[4:] for line in lines) + "\n"

    @property
    def explanation(self) -> str:
        body = self.doc.strip().split("\n", 1)[1] if "\n" in self.doc.strip() else ""
        return body.split("错误示例")[0].strip()


_REGISTRY: dict[str, Rule] = {}

FAMILIES = {
    "1": "结构（schema）",
    "2": "算术",
    "3": "评分",
    "4": "绩效指标",
    "5": "叙述中的数字",
    "6": "跨年度",
}


def rule(code: str, name: str, severity: Severity = Severity.ERROR):
    """Register ``check`` as the rule ``code``; its module docstring is the doc."""

    def register(check):
        module = importlib.import_module(check.__module__)
        doc = module.__doc__ or ""
        if code in _REGISTRY:  # pragma: no cover - a programming error
            raise RuntimeError(f"duplicate rule code {code}")
        _REGISTRY[code] = Rule(code, name, FAMILIES.get(code[2], "其他"), severity, check, doc)
        return check

    return register


def all_rules() -> list[Rule]:
    if not _REGISTRY:
        for info in pkgutil.iter_modules(__path__):
            if re.match(r"pd\d{3}_", info.name):
                importlib.import_module(f"{__name__}.{info.name}")
    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def get_rule(code: str) -> Rule:
    all_rules()
    return _REGISTRY[code]
