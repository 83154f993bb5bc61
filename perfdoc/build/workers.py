"""The work on one source, done in this process or in a worker: validate once, render what is not current.

A source is spread over ``--jobs`` worker processes (:mod:`perfdoc.build.parallel`);
what comes back (:class:`SourceResult`) is written by the main process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError, failure_message
from . import parallel
from .digests import FileDigests, combined_digest
from .cache import file_stat
from .manifest import is_current
from .paths import item_file_names, item_path
from .prepared import SourceCache
from .rendering import prepared_template


@dataclass
class DocumentResult:
    """One document of a processed source."""

    key: str
    template: str  # the template file
    label: str  # the template as messages and the manifest show it
    inputs: str
    parts: dict  # the digests the inputs digest is made of (see digests.input_parts)
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
    entry: tuple | None = None  # what the cache remembers of the source: (stat, digest, format, folder, previous path)
    stored: bool = False  # its analysis was added to the cache kept between runs (perfdoc.build.prepared)


class SourceProcessor:
    """Validates a department's sources once each, oldest first, and renders the documents that are not current.

    Last year's source, validated just before, is reused rather than read
    and analysed again.
    """

    def __init__(self, out: str, force: bool):
        self.out = Path(out)
        self.force = force
        self.digests = FileDigests()
        self.templates_checked: set = set()  # templates whose unknown names were looked for
        self.prepared: dict = {}  # template → prepared_template's result, or the error it raised: once per build
        self.sources = SourceCache(self.digests)  # analysed sources kept between runs

    def compiled(self, template):
        """The template prepared once in this build (see rendering.prepared_template); its refusal raised again."""
        if template not in self.prepared:
            try:
                self.prepared[template] = prepared_template(template)
            except Exception as exc:  # noqa: BLE001 - each of its documents fails with it, as before
                self.prepared[template] = exc
        prepared = self.prepared[template]
        if isinstance(prepared, Exception):
            raise prepared
        return prepared

    def shares_context(self, template) -> bool:
        """Whether rendering ``template`` leaves its context as it was (see render.engine.shares_context)."""
        try:
            compiled = self.compiled(template)
        except Exception:  # noqa: BLE001 - it renders nothing
            return False
        return compiled is not None and not compiled.mutates

    def folder(self, work: list) -> list[SourceResult]:
        """``work``: (path, recorded manifest entries by key) of sources in one folder; results in that order."""
        from ..pipeline import _year_order

        analysed: dict = {}
        done = {path: self(path, recorded, analysed) for path, recorded in sorted(work, key=lambda w: _year_order(Path(w[0])))}
        return [done[path] for path, _recorded in work]

    def __call__(self, path: str, recorded: dict, analysed: dict | None = None) -> SourceResult:
        try:
            return self._processed(path, recorded, analysed)
        except Exception as exc:  # noqa: BLE001 - perfdoc failing on one source must not stop the others
            return failed_source(path, exc)

    def _processed(self, path: str, recorded: dict, analysed: dict | None = None) -> SourceResult:
        from ..render import templates
        from ..render.shown import marker_findings

        before = file_stat(path)  # taken before reading: a later change shows in the next build's stat
        prepared = self.sources.prepared(path, analysed)
        if prepared.refused:
            return SourceResult(path, refused=prepared.refused, failed=prepared.failed, stored=prepared.stored)
        result = SourceResult(path)
        pristine: list[dict] = []  # a context no template has changed, for the next document
        rendered: dict = {}  # document name → its parts' rendered Jinja, to look for 【待填写】 markers in
        for document, key in prepared.documents:
            target = self.out / key
            parts = prepared.input_parts(document, self.digests)
            done = DocumentResult(key, str(document.template), templates.display_path(document.template),
                                  combined_digest(**parts), parts)
            result.documents.append(done)
            if not self.force and is_current(recorded.get(key), done.inputs, target):
                if document.split_by:  # the items' files may still be missing
                    result.documents.extend(self.split(prepared, document, target, recorded, prepared.context(), done))
                continue
            context = pristine.pop() if pristine else prepared.context()
            try:
                shown: list = []
                done.data = templates.render_document(document.template, context, prepared.properties(document),
                                                      compiled=self.compiled(document.template), shown=shown)
                rendered[document.name] = "".join(shown)
            except Exception as exc:  # noqa: BLE001 - a template perfdoc fails on fails this document alone
                done.error = failure_message(exc)
                continue
            finally:
                shares = self.shares_context(document.template)
                if document.split_by:
                    items_context = context if shares else prepared.context()
                    result.documents.extend(self.split(prepared, document, target, recorded, items_context, done))
                if shares:
                    pristine.append(context)
            if done.template in self.templates_checked:
                continue  # a template's unknown names are reported once, from its first document
            self.templates_checked.add(done.template)
            try:
                done.unknown = templates.undefined_names(document.template, context)
            except UserError:
                done.unknown = []
        checked = prepared.checked
        if checked is not None:  # analysed now: the markers its documents show count as warnings (PD701)
            said = {d.path for d in checked.diagnostics}
            markers = marker_findings(checked.analysis, said, rendered, pristine[0] if pristine else None)
            prepared.warnings = len(checked.warnings) + len(markers)  # as validate counts them
            self.sources.store(prepared)
        result.warnings, result.stored = prepared.warnings, prepared.stored
        if before is not None and prepared.source_digest:
            result.entry = (before, prepared.source_digest, prepared.format_name, str(prepared.format.folder),
                            prepared.previous_path)
        return result

    def split(self, prepared, document, target: Path, recorded: dict, context: dict, whole: DocumentResult) -> list:
        """One more file per item of ``document.split_by`` (文档[].分项): ``<document>/<item 名称>.docx``,
        the template rendered with that item alone."""
        from ..render.templates import render_document

        out = []
        for name, item in item_file_names(context.get(document.split_by) or []):
            path = item_path(target, name)
            key = path.relative_to(self.out).as_posix()
            done = DocumentResult(key, whole.template, whole.label, whole.inputs, whole.parts, unknown=[])
            out.append(done)
            if not self.force and is_current(recorded.get(key), done.inputs, path):
                continue
            try:
                done.data = render_document(document.template, {**context, document.split_by: [item]},
                                            prepared.properties(document), compiled=self.compiled(document.template))
            except UserError as exc:
                done.error = str(exc)
        return out


def failed_source(path: str, exc: BaseException) -> SourceResult:
    """A source perfdoc failed on: reported, its previous documents left as they were."""
    return SourceResult(path, refused=f"{path}：{failure_message(exc)}，未生成文档（原有文档保持不变）", failed=1)


def _folder_failed(work: list, exc: BaseException) -> list[SourceResult]:
    """A folder whose worker died twice: each of its sources failed."""
    return [failed_source(path, exc) for path, _recorded in work]


_PROCESSOR: SourceProcessor | None = None


def _start_worker(out: str, force: bool) -> None:
    global _PROCESSOR
    _PROCESSOR = SourceProcessor(out, force)


def _process_in_worker(work: list) -> list[SourceResult]:
    return _PROCESSOR.folder(work)


def processed(folders: list[list], out: Path, force: bool, jobs: int):
    """The :class:`SourceResult` list of each folder's work, in order: in this process, or in up to ``jobs`` workers.

    A department's years go to one process together, so that last year's source is analysed once.
    """
    yield from parallel.in_order(_process_in_worker, folders, jobs, _start_worker, (str(out), force), failed=_folder_failed)
