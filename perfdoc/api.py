"""perfdoc's public API: what the command line and the tests use.

    from perfdoc import api

    checked = api.check("sources/guangzhou/广州市天河区总工会/2022.yaml")
    for diagnostic in checked.diagnostics: ...        # problems are data, never raised
    api.figures(path).get(("预算", "预算完成率"))        # every derived figure
    data = api.render(path)                           # the .docx bytes of a clean source's first document
    outcome = api.build(["sources"], out="build")     # every document, skipping unchanged ones

Bad data is reported, never raised: :func:`load` and :func:`check` return
diagnostics. :class:`~perfdoc.errors.UserError` is raised only when a command
cannot go on (a source with errors asked to render, a missing format, a build
folder locked by another build). Nothing here prints or exits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from .compute.figures import Figures
from .errors import UsageError, UserError
from .load.loader import Loaded, load_path
from .pipeline import Analysis, Checked, check_file, check_files, check_text, find_sources

__all__ = ["Analysis", "Checked", "Loaded", "load", "check", "check_text", "check_all", "sources", "figures", "render", "build"]


def load(path: str | Path) -> Loaded:
    """Read one source file: its data with positions, and the load diagnostics (PD000–PD005)."""
    return load_path(path)


def check(path: str | Path) -> Checked:
    """Validate one source file (with last year's beside it): diagnostics, and the analysis when it could be read."""
    return check_file(path)


def sources(paths: Iterable[str | Path] = ("sources",)) -> list[Path]:
    """The ``*.yaml`` sources that files and folders hold, sorted."""
    return find_sources(paths)


def check_all(paths: Iterable[str | Path] = ("sources",), jobs: int = 1) -> Iterator[Checked]:
    """:func:`check` for every source under ``paths``, in order, over up to ``jobs`` processes.

    The results carry diagnostics and the text of a file that has any, not the analysis.
    """
    return check_files(find_sources(paths), jobs)


def figures(path: str | Path) -> Figures | None:
    """Every input and derived figure of one source; None when the file cannot be read as YAML."""
    analysis = check_file(path).analysis
    return analysis.figures if analysis is not None else None


def render(path: str | Path, document: str | None = None) -> bytes:
    """The .docx bytes of one document (default: its format's first) of a source without errors.

    :class:`UserError` with the diagnostics, as text, when the source has errors.
    """
    from .build.rendering import refusal, render_checked

    checked = check_file(path)
    refused = refusal(checked)
    if refused:
        raise UserError(refused)
    fmt = checked.analysis.format
    if document is not None:
        chosen = fmt.document(document)
    elif fmt.documents:
        chosen = fmt.documents[0]
    else:
        raise UserError(f"{fmt.config_path}: 没有列出任何文档")
    return render_checked(checked, chosen)


def build(paths: Iterable[str | Path] = ("sources",), out: str | Path = "build", *, jobs: int = 1,
          force: bool = False, pdf: bool = False, on_wait=None, progress=None):
    """Validate the sources under ``paths`` and write every document of each clean one under ``out``.

    Documents whose inputs have not changed are skipped (``force`` renders them all). One build
    at a time per ``out``: ``on_wait(message)`` is told when another holds it. Returns the build's
    :class:`~perfdoc.build.orchestrate.Outcome` (generated, skipped, failed, messages).
    ``progress``: an object with ``start(total, description)`` and ``stop()``, for a progress bar.
    """
    from .build.lock import build_lock, lock_timeout
    from .build.orchestrate import build as build_documents

    files = list(dict.fromkeys(find_sources(paths)))  # each source once
    if not files:
        raise UsageError("没有找到任何 .yaml 数据文件")
    with build_lock(Path(out), lock_timeout(), on_wait=on_wait or (lambda message: None)):
        return build_documents(files, Path(out), jobs=jobs, force=force, pdf=pdf, progress=progress)
