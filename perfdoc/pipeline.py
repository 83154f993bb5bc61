"""load → model → compute → rules: the validation pipeline for one source.

Pure apart from reading the files it is given: returns diagnostics, prints
nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .compute.figures import Figures, compute
from .errors import INTERNAL_ERROR_CODE, Diagnostic, FormatError, Severity, SourceSyntaxError, failure_message
from .load.formats import load_format
from .load.loader import Source, load_path
from .load.model import build_model
from .build.parallel import in_order
from .rules import Context, all_rules


@dataclass
class Checked:
    """The outcome of validating one source file."""

    path: str
    diagnostics: list = field(default_factory=list)
    context: Context | None = None
    kept_text: str | None = None  # the text, when the context is not sent along (see without_context)

    @property
    def errors(self) -> list:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list:
        return [d for d in self.diagnostics if not d.is_error]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    @property
    def text(self) -> str | None:
        """The source's text as read, when it could be read as YAML."""
        return self.context.source.text if self.context is not None else self.kept_text

    def without_context(self) -> "Checked":
        """The diagnostics, and the text where there are any: what a report needs, cheap to send between processes."""
        return Checked(self.path, self.diagnostics, kept_text=self.text if self.diagnostics else None)


def analyse(source: Source, previous: "Context | None" = None) -> Context:
    """Build the rule context (model, figures, format) for a loaded source."""
    data = source.data if isinstance(source.data, dict) else {}
    problems: list = []
    model = build_model(data, problems)
    fmt = None
    name = model.get("格式")
    if isinstance(name, str):
        try:
            fmt = load_format(name)
        except FormatError:
            fmt = None  # PD108 reports it
    figures: Figures = compute(model, fmt)
    return Context(
        source=source, data=source.data, model=model, figures=figures, format=fmt, previous=previous, value_problems=problems
    )


def run_rules(ctx: Context) -> list[Diagnostic]:
    source = ctx.source
    out: list[Diagnostic] = []
    for rule in all_rules():
        for finding in rule.check(ctx) or ():
            if finding.location is not None:
                location = finding.location
            elif finding.at_key:
                location = source.key_location_of(finding.path)
            else:
                location = source.location_of(finding.path)
            out.append(
                Diagnostic(
                    code=rule.code,
                    message=finding.message,
                    severity=finding.severity or rule.severity,
                    path=tuple(finding.path),
                    hint=finding.hint,
                ).located(source.path, location)
            )
    return out


def previous_year_path(path: Path, data) -> Path | None:
    """``sources/<region>/<dept>/2022.yaml`` → ``…/2021.yaml`` when it exists."""
    year = data.get("年度") if isinstance(data, dict) else None
    if not isinstance(year, int) or path.stem != str(year):
        return None
    candidate = path.with_name(f"{year - 1}{path.suffix}")
    return candidate if candidate.is_file() else None


def check_file(path: str | Path, with_previous: bool = True, analysed: dict | None = None) -> Checked:
    """Validate one source file (and read last year's beside it, for the cross-year rules).

    ``analysed`` maps paths to the contexts of files already checked in this run, so
    that last year's file is not read twice; this file's context is added to it.
    """
    path = Path(path)
    result = Checked(str(path))
    try:
        source = load_path(path)
    except SourceSyntaxError as exc:
        result.diagnostics.extend(exc.diagnostics(str(path)))
        return result
    previous = None
    if with_previous:
        prev_path = previous_year_path(path, source.data)
        if prev_path is not None and analysed is not None and prev_path in analysed:
            previous = analysed[prev_path]
        elif prev_path is not None:
            try:
                previous = analyse(load_path(prev_path))
            except SourceSyntaxError:
                previous = None  # last year's own errors are reported when it is checked
    ctx = analyse(source, previous)
    if analysed is not None:
        analysed[path] = ctx
    result.context = ctx
    result.diagnostics = sorted(source.load_diagnostics + run_rules(ctx), key=Diagnostic.sort_key)
    return result


def check_text(text: str, path: str = "<text>", previous_text: str | None = None) -> Checked:
    """Validate YAML text (used by tests and the scaffold); ``previous_text`` is last year's."""
    from .load.loader import load_text

    result = Checked(path)
    try:
        source = load_text(text, path)
        previous = analyse(load_text(previous_text, "<上年>")) if previous_text else None
    except SourceSyntaxError as exc:
        result.diagnostics.extend(exc.diagnostics(path))
        return result
    ctx = analyse(source, previous)
    result.context = ctx
    result.diagnostics = sorted(source.load_diagnostics + run_rules(ctx), key=Diagnostic.sort_key)
    return result


def check_files(paths: list[Path], jobs: int = 1) -> Iterator[Checked]:
    """:func:`check_file` for each path, in order, over up to ``jobs`` processes.

    The results carry no context (it stays in the worker), only the diagnostics and
    the text of a file that has any, to show its lines.
    """
    paths = [Path(path) for path in paths]
    folders: dict[Path, list[Path]] = {}
    for path in dict.fromkeys(paths):  # the years of one department together: last year is then read once
        folders.setdefault(path.parent, []).append(path)
    done: dict[Path, Checked] = {}
    waiting = iter(paths)
    following = next(waiting, None)
    for results in in_order(check_folder, list(folders.values()), jobs, failed=_folder_failed):
        done.update((Path(result.path), result) for result in results)
        while following is not None and following in done:  # in the order given, as soon as each is known
            yield done[following]
            following = next(waiting, None)


def check_folder(paths: list[Path]) -> list[Checked]:
    """The files of one folder (one department's years), oldest first, returned in the given order."""
    analysed: dict = {}
    results = {}
    for path in sorted(paths, key=_year_order):
        try:
            results[path] = check_file(path, analysed=analysed)
        except Exception as exc:  # noqa: BLE001 - perfdoc failing on one source must not hide the others' findings
            results[path] = failed_check(path, exc)
    return [results[path].without_context() for path in paths]


def failed_check(path: Path, exc: BaseException) -> Checked:
    """A source perfdoc failed on: the failure is its one finding."""
    return Checked(str(path), [Diagnostic(code=INTERNAL_ERROR_CODE, message=failure_message(exc), file=str(path))])


def _folder_failed(paths: list[Path], exc: BaseException) -> list[Checked]:
    return [failed_check(path, exc) for path in paths]


def _year_order(path: Path):
    return (not path.stem.isdigit(), int(path.stem) if path.stem.isdigit() else 0, path.name)


def find_sources(paths) -> list[Path]:
    """Expand files and folders into the ``*.yaml`` sources they hold, sorted.

    A linked folder inside is not followed but listed itself, so that reading it is
    refused with a message (:mod:`perfdoc.load.inputs`) rather than its sources left out unsaid.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            sources: dict[str, list[Path]] = {".yaml": [], ".yml": [], "linked": []}
            for folder, subfolders, files in os.walk(p):
                sources["linked"] += [Path(folder, name) for name in subfolders if os.path.islink(os.path.join(folder, name))]
                for name in files:
                    suffix = next((s for s in (".yaml", ".yml") if name.endswith(s)), None)
                    if suffix and os.path.isfile(os.path.join(folder, name)):
                        sources[suffix].append(Path(folder, name))
            found.extend(path for kind in sources.values() for path in sorted(kind))
        else:
            found.append(p)
    return found


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1}
