"""load → model → compute → rules: the validation pipeline for one source.

:func:`analyse` makes the one record of an analysed source, :class:`Analysis`,
which rules, render, diff and next-year read and never change. Pure apart from
reading the files it is given: returns diagnostics, prints nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .compute.figures import Figures, compute
from .errors import INTERNAL_ERROR_CODE, Diagnostic, FormatError, failure_message
from .load.formats import Format, load_format
from .load.loader import Source, load_path, load_text
from .load.model import build_model, walked_values
from .build.parallel import in_order
from .rules import all_rules


@dataclass(frozen=True)
class Analysis:
    """One source, analysed: its text and positions, typed model, figures, format and last year's record.

    Built once by :func:`analyse` and read by everything after it. ``memo`` keeps
    work several rules share (a walk over the values), worked out on first use.
    """

    source: Source
    model: dict
    figures: Figures
    format: Format | None  # None when the source names no known format (PD108 says so)
    previous: "Analysis | None" = None  # last year's record, when its file exists
    value_problems: tuple = ()  # (path, field, message) of values that do not parse, in the file's order
    walked: tuple | None = None  # every value with its field, unknown and missing keys included (load.model.walked_values)
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def data(self):
        """The source's data as read (before typing)."""
        return self.source.data

    def once(self, key: str, make: Callable[[], object]):
        """``make()``, worked out once per source however many rules ask for it."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


@dataclass(frozen=True)
class Checked:
    """The outcome of validating one source file: its diagnostics, in order, and its analysis."""

    path: str
    diagnostics: list = field(default_factory=list)
    analysis: Analysis | None = None
    kept_text: str | None = None  # the text, when the analysis is not sent along (see without_analysis)

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
        return self.analysis.source.text if self.analysis is not None else self.kept_text

    def without_analysis(self) -> "Checked":
        """The diagnostics, and the text where there are any: what a report needs, cheap to send between processes."""
        return Checked(self.path, self.diagnostics, kept_text=self.text if self.diagnostics else None)


def analyse(source: Source, previous: Analysis | None = None) -> Analysis:
    """The record of a loaded source: its typed model, figures and format."""
    walked = walked_values(source.data)
    problems: list = []
    fmt = None
    data = source.data if isinstance(source.data, dict) else {}
    name = data.get("格式")
    if isinstance(name, str):  # read first: the format names the indicator levels the model accepts
        try:
            fmt = load_format(name)
        except FormatError:
            fmt = None  # PD108 reports it
    model = build_model(source.data, problems, walked, fmt.level_names if fmt is not None else None)
    figures: Figures = compute(model, fmt, previous.figures if previous is not None else None)
    return Analysis(source=source, model=model, figures=figures, format=fmt, previous=previous,
                    value_problems=tuple(problems), walked=walked)


def run_rules(analysis: Analysis) -> list[Diagnostic]:
    source = analysis.source
    out: list[Diagnostic] = []
    for rule in all_rules():
        for finding in rule.check(analysis) or ():
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


def last_year_path(path: Path, data) -> Path | None:
    """``sources/<region>/<dept>/2022.yaml`` → ``…/2021.yaml``, whether or not it exists;
    None when the file is not named after the year it states."""
    year = data.get("年度") if isinstance(data, dict) else None
    if not isinstance(year, int) or path.stem != str(year):
        return None
    return path.with_name(f"{year - 1}{path.suffix}")


def previous_year_path(path: Path, data) -> Path | None:
    """:func:`last_year_path` when that file exists."""
    candidate = last_year_path(path, data)
    return candidate if candidate is not None and candidate.is_file() else None


def check_file(path: str | Path, with_previous: bool = True, analysed: dict | None = None, markers: bool = True) -> Checked:
    """Validate one source file (and read last year's beside it, for the cross-year rules).

    ``analysed`` maps paths to the analyses of files already checked in this run, so
    that last year's file is not read twice; this file's analysis is added to it.
    ``markers``: also look at the documents for 【待填写】 markers (PD701); a build does
    that in the documents it renders (:func:`.render.shown.marker_findings`).
    """
    path = Path(path)
    source, load_diagnostics = load_path(path)
    if source is None:
        return Checked(str(path), load_diagnostics)
    previous = None
    if with_previous:
        prev_path = previous_year_path(path, source.data)
        if prev_path is not None and analysed is not None and prev_path in analysed:
            previous = analysed[prev_path]
        elif prev_path is not None:
            last_year = load_path(prev_path).source  # its own problems are reported when it is checked
            previous = analyse(last_year) if last_year is not None else None
    analysis = analyse(source, previous)
    if analysed is not None:
        analysed[path] = analysis
    return Checked(str(path), diagnosed(analysis, load_diagnostics, markers), analysis)


def check_text(text: str, path: str = "<text>", previous_text: str | None = None, markers: bool = True) -> Checked:
    """Validate YAML text (used by tests and the scaffold); ``previous_text`` is last year's;
    ``markers`` as for :func:`check_file`."""
    source, load_diagnostics = load_text(text, path)
    if source is None:
        return Checked(path, load_diagnostics)
    last_year = load_text(previous_text, "<上年>").source if previous_text else None
    previous = analyse(last_year) if last_year is not None else None
    analysis = analyse(source, previous)
    return Checked(path, diagnosed(analysis, load_diagnostics, markers), analysis)


def diagnosed(analysis: Analysis, load_diagnostics: list[Diagnostic], markers: bool = True) -> list[Diagnostic]:
    """Everything validation finds in a source, sorted: the loader's and the rules' findings and, when
    there is no error, the 【待填写】 markers its documents will show (PD701) that no finding names yet."""
    found = load_diagnostics + run_rules(analysis)
    if markers and analysis.format is not None and not any(d.is_error for d in found):
        from .render.shown import marker_findings

        found += marker_findings(analysis, said={d.path for d in found})
    return sorted(found, key=Diagnostic.sort_key)


def check_files(paths: list[Path], jobs: int = 1) -> Iterator[Checked]:
    """:func:`check_file` for each path, in order, over up to ``jobs`` processes.

    The results carry no analysis (it stays in the worker), only the diagnostics and
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
    return [results[path].without_analysis() for path in paths]


def failed_check(path: Path, exc: BaseException) -> Checked:
    """A source perfdoc failed on: the failure is its one finding."""
    return Checked(str(path), [Diagnostic(code=INTERNAL_ERROR_CODE, message=failure_message(exc), file=str(path))])


def _folder_failed(paths: list[Path], exc: BaseException) -> list[Checked]:
    return [failed_check(path, exc) for path in paths]


def _year_order(path: Path):
    return (not path.stem.isdigit(), int(path.stem) if path.stem.isdigit() else 0, path.name)


def _parts(path: str) -> list[str]:
    """The order of ``Path`` objects (part by part), without making them."""
    return path.split(os.sep)


def find_sources(paths) -> list[Path]:
    """Expand files and folders into the ``*.yaml`` sources they hold, sorted.

    A linked folder (inside, or named itself) is not followed but listed itself, so that reading it is
    refused with a message (:mod:`perfdoc.load.inputs`) rather than its sources left out unsaid.
    Expanding the list again (:mod:`perfdoc.api` does) gives the same list.
    """
    found: list[Path] = []
    for raw in paths:
        p = raw if isinstance(raw, Path) else Path(raw)
        if os.path.isdir(p) and not os.path.islink(p):
            by_suffix: dict[str, list[str]] = {".yaml": [], ".yml": []}
            linked: list[str] = []
            folders = [os.fspath(p)]
            while folders:  # one walk of the tree for both suffixes; os.walk's, without a stat per file
                try:
                    entries = list(os.scandir(folders.pop()))
                except OSError:
                    continue  # as os.walk: a folder that cannot be listed holds nothing
                for entry in entries:
                    if entry.is_dir():
                        (linked if entry.is_symlink() else folders).append(entry.path)
                        continue
                    suffix = entry.name[entry.name.rfind("."):]
                    if suffix in by_suffix and entry.is_file():
                        by_suffix[suffix].append(entry.path)
            found.extend(Path(name) for name in sorted(by_suffix[".yaml"], key=_parts))
            found.extend(Path(name) for name in sorted(by_suffix[".yml"], key=_parts))
            found.extend(Path(name) for name in sorted(linked, key=_parts))
        else:
            found.append(p)
    return found

