"""The work on one source, done in this process or in a worker: validate once, render what is not current.

A source is spread over ``--jobs`` worker processes (:mod:`perfdoc.build.parallel`);
what comes back (:class:`SourceResult`) is written by the main process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from . import parallel
from .digests import FileDigests, input_digest, previous_candidate
from .manifest import is_current
from .paths import output_path
from .rendering import refusal, render_checked, template_context


@dataclass
class DocumentResult:
    """One document of a processed source."""

    key: str
    template: str  # the template file
    label: str  # the template as messages and the manifest show it
    inputs: str
    data: bytes | None = None  # rendered; None when the file is current or rendering failed
    error: str | None = None
    unknown: list | None = None  # names the template uses that the context lacks


@dataclass
class SourceResult:
    """A processed source: refused, or its documents."""

    path: str
    refused: str | None = None
    failed: int = 0
    warnings: int = 0
    documents: list = field(default_factory=list)
    entry: dict | None = None  # what the cache remembers of the source
    trusted: list = field(default_factory=list)


class SourceProcessor:
    """Validates a source once and renders those of its documents that are not current."""

    def __init__(self, out: str, force: bool, manifest: dict, trusted=()):
        from ..render import engine

        self.out = Path(out)
        self.force = force
        self.manifest = manifest
        self.digests = FileDigests()
        engine.trust(trusted)

    def __call__(self, path: str) -> SourceResult:
        from ..render import engine
        from ..pipeline import check_file

        checked = check_file(path)
        refused = refusal(checked)
        if refused:
            fmt = checked.context.format if checked.context else None
            return SourceResult(path, refused=refused, failed=len(fmt.documents) if fmt else 1)
        ctx = checked.context
        result = SourceResult(path, warnings=len(checked.warnings))
        pristine: list[dict] = []  # a context no template has changed, for the next document
        for document in ctx.format.documents:
            target = output_path(self.out, checked, document)
            key = target.relative_to(self.out).as_posix()
            inputs = input_digest(checked, document, self.digests)
            done = DocumentResult(key, str(document.template), engine.display_path(document.template), inputs)
            result.documents.append(done)
            if not self.force and is_current(self.manifest.get(key), inputs, target):
                continue
            context = pristine.pop() if pristine else template_context(ctx)
            try:
                done.data = render_checked(checked, document, context)
            except UserError as exc:
                done.error = str(exc)
                continue
            finally:
                if engine.shares_context(document.template):
                    pristine.append(context)
            try:
                done.unknown = engine.undefined_names(document.template, context)
            except UserError:
                done.unknown = []
        previous = previous_candidate(Path(path), ctx.data)
        result.entry = {
            "sha256": self.digests.of_readable(Path(path)),
            "format": ctx.model.get("格式"),
            "folder": str(ctx.format.folder),
            "previous": os.path.abspath(previous) if previous else None,
            "warnings": len(checked.warnings),
            "documents": [{"key": d.key, "template": d.template} for d in result.documents],
        }
        result.trusted = sorted(engine.trusted())
        return result


_PROCESSOR: SourceProcessor | None = None


def _start_worker(out: str, force: bool, manifest: dict, trusted: list) -> None:
    global _PROCESSOR
    _PROCESSOR = SourceProcessor(out, force, manifest, trusted)


def _process_in_worker(path: str) -> SourceResult:
    return _PROCESSOR(path)


def processed(paths: list[Path], out: Path, force: bool, manifest: dict, jobs: int, trusted=()):
    """A :class:`SourceResult` for each path, in order: in this process, or in up to ``jobs`` workers."""
    yield from parallel.in_order(
        _process_in_worker, [str(path) for path in paths], jobs, _start_worker, (str(out), force, manifest, sorted(trusted))
    )
