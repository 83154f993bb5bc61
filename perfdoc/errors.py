"""The one place that separates user errors from bugs.

* :class:`Diagnostic` is a finding about the user's data: it is reported,
  never raised.
* :class:`UserError` (and subclasses) stop a command because of something the
  user can fix (a missing file, an unknown format). The CLI prints the message
  and exits 1 (data) or 2 (usage).
* Any other exception is a bug in perfdoc: the CLI reports it as an internal
  error with exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告"}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a source file."""

    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a source file. Rules create these; they never print."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    path: tuple = ()
    file: str = ""
    location: Location | None = None
    hint: str = ""
    related: tuple = field(default=())

    def located(self, file: str, location: Location | None) -> "Diagnostic":
        return Diagnostic(
            code=self.code,
            message=self.message,
            severity=self.severity,
            path=self.path,
            file=file,
            location=location,
            hint=self.hint,
            related=self.related,
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self):
        loc = self.location or Location(0, 0)
        return (self.file, loc.line, loc.col, self.code)


class UserError(Exception):
    """Something the user can fix. Exit status 1."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong. Exit status 2."""

    exit_code = 2


class SourceSyntaxError(UserError):
    """A source file cannot be read as YAML at all; carries a location."""

    def __init__(self, message: str, location: Location | None = None, code: str = "PD001"):
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code
        self.others: list = []  # further syntax errors found by reading on past this one

    def diagnostics(self, file: str) -> list:
        """This error and the further ones, as diagnostics of ``file``."""
        return [Diagnostic(code=e.code, message=e.message, file=file, location=e.location) for e in (self, *self.others)]


class FormatError(UserError):
    """A format folder under templates/ is missing or malformed."""


class RenderError(UserError):
    """A template could not be rendered with a source's data."""


# The code of the diagnostic that reports perfdoc failing on one source, so that the other sources are still checked.
INTERNAL_ERROR_CODE = "PD999"


def failure_message(exc: BaseException) -> str:
    """What is said of a failure: a user error in its own words, anything else as the bug it is."""
    if isinstance(exc, UserError):
        return str(exc)
    return f"内部错误（这是 perfdoc 的缺陷，请报告）：{type(exc).__name__}: {exc}"
