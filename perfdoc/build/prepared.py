"""What a build needs of a validated source, from its analysis or from the cache kept between runs.

Rendering a source's documents needs its template context, where each
document goes, the documents' dates and the digests the manifest records;
validating the source (reading, checking, computing) costs about twice what
rendering its documents does. :class:`Prepared` is that much of a source,
made from a fresh analysis (:func:`analysed`) or read back from the user's
cache (:mod:`perfdoc.usercache`, kind ``sources``).

**What a cache entry is keyed by.** The source's bytes, the bytes of the
file that would be last year's (``<year - 1>.yaml`` beside it) or their
absence, the source's path as given and absolute, the working folder, and
:func:`~perfdoc.build.digests.renderer_identity` (perfdoc's code and the
versions of the libraries that shape the output). The entry names the
formats its analysis loaded (the source's and last year's) and records a
digest of each (:func:`format_identity`: every format.yaml of its chain and
every template of the format with the files they resolve to, since loading a
format reads which narrative sections its templates print); it is used only
when the formats, loaded now, have the same digests. An entry is written only
when the analysis read the bytes the key was made of (a file saved during the
build is not recorded under another file's key), and only for a source whose
format is known. A damaged entry is a miss (usercache checks each entry's digest).

The cache is kept to :data:`CACHE_LIMIT` bytes: after a build that wrote
entries, the oldest are removed (:func:`perfdoc.usercache.prune`).

An entry is written once the source's documents are rendered: its warnings
count the 【待填写】 markers those documents show (PD701), as validate counts them.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from .. import usercache
from ..errors import FormatError, UserError
from .digests import EMPTY_DIGEST, FileDigests, document_parts, renderer_identity, sha256

KIND = "sources"
ENTRY_VERSION = "prepared-1"
CACHE_LIMIT = 256 * 1024 * 1024  # about 7,000 department-years at 37 KB an entry (the synthetic batch's)


@dataclass
class Prepared:
    """A validated source as a build renders it: refused with its message, or its documents and context."""

    path: str
    refused: str | None = None
    failed: int = 0  # documents not made, when refused
    warnings: int = 0
    format_name: str = ""
    format: object = None  # perfdoc.load.formats.Format
    documents: tuple = ()  # (document, key inside the build folder), in the format's order
    date: dt.date | None = None  # the documents' date (CoreProperties.for_source)
    source_digest: str = ""
    previous_digest: str = EMPTY_DIGEST  # last year's source as the analysis read it, or of no bytes
    previous_path: str | None = None  # absolute path of last year's file, whether or not it exists
    context_bytes: bytes = b""  # the template context, pickled: each call of context() makes a fresh copy
    analysis: object = None  # the analysis it was made from, when it was: its context is built from it
    spare: dict | None = None  # a context made (to be stored) and not yet handed out
    checked: object = None  # the validation it was made from, when it was (pipeline.Checked)
    pending: dict | None = None  # the cache entry to write once its warnings are counted (SourceCache.store)
    stored: bool = False  # written to the cache by this build

    def context(self) -> dict:
        """A fresh template context (templates that change their context get one of their own)."""
        if self.spare is not None:
            spare, self.spare = self.spare, None
            return spare
        if self.analysis is not None:
            from .rendering import template_context

            return template_context(self.analysis)
        return pickle.loads(self.context_bytes)

    def properties(self, document):
        """The document properties (title and date) a document of this source carries."""
        from ..render.package import CoreProperties

        return CoreProperties(title=document.title, date=self.date or CoreProperties.date)

    def input_parts(self, document, digests: FileDigests) -> dict[str, str]:
        """The digests a document's manifest entry is made of (see digests.input_parts)."""
        return document_parts(self.source_digest, document.template, self.format.chain, self.previous_digest, digests)


def analysed(checked) -> Prepared:
    """What a build needs of a source just validated."""
    from ..pipeline import last_year_path
    from ..render.package import source_date
    from .digests import previous_digest
    from .paths import output_path
    from .rendering import refusal

    refused = refusal(checked)
    ctx = checked.analysis
    if refused:
        fmt = ctx.format if ctx is not None else None
        return Prepared(checked.path, refused=refused, failed=len(fmt.documents) if fmt else 1)
    documents = []
    for document in ctx.format.documents_for(ctx.data):
        try:
            documents.append((document, output_path(Path(), checked, document).as_posix()))
        except UserError as exc:
            return Prepared(checked.path, refused=f"{checked.path}：{exc}", failed=len(ctx.format.documents))
    previous = last_year_path(Path(checked.path), ctx.data)
    return Prepared(
        checked.path, warnings=len(checked.warnings), checked=checked, format_name=str(ctx.model.get("格式")), format=ctx.format,
        documents=tuple(documents), date=source_date(ctx.model),
        source_digest=ctx.source.digest or FileDigests().of_readable(Path(checked.path)),
        previous_digest=previous_digest(checked), previous_path=os.path.abspath(previous) if previous else None,
        analysis=ctx,
    )


def format_identity(name, digests: FileDigests) -> str:
    """A digest of what loading format ``name`` reads now: its format.yaml chain and its templates."""
    from ..load.formats import load_format

    if not isinstance(name, str):
        return "none"
    try:
        fmt = load_format(name)
    except FormatError:
        return "missing"
    lines = [str(fmt.folder), *(f"{path}={digests.of(path)}" for path in fmt.chain)]
    lines += [f"{document.name}:{document.template}={digests.of(document.template)}" for document in fmt.documents]
    return sha256("\n".join(lines).encode())


class SourceCache:
    """Prepared sources kept between runs, for one build; ``usercache`` off means every source is analysed."""

    def __init__(self, digests: FileDigests):
        self.digests = digests
        self.enabled = usercache.cache_dir() is not None
        self.identities: dict = {}  # format name → format_identity, once per build

    def _identity(self, name) -> str:
        if name not in self.identities:
            self.identities[name] = format_identity(name, self.digests)
        return self.identities[name]

    def key(self, path: str) -> tuple[str, bytes, bytes | None] | None:
        """The entry name of ``path`` with the bytes it was made of (the source's, last year's);
        None when a file cannot be read as a source is (perfdoc then says why, uncached)."""
        from ..load.inputs import read_input

        source = Path(path)
        try:
            data = read_input(source)
            last_year = source.with_name(f"{int(source.stem) - 1}{source.suffix}") if source.stem.isdigit() else None
            previous = read_input(last_year) if last_year is not None and os.path.lexists(last_year) else None
            where = os.getcwd()
        except (OSError, ValueError):
            return None
        name = usercache.key(ENTRY_VERSION, renderer_identity(), where, path, os.path.abspath(path), data,
                             b"absent" if previous is None else b"present", previous or b"")
        return name, data, previous

    def get(self, path: str, name: str) -> Prepared | None:
        """The prepared source stored under ``name``, when the formats it was made with are those loaded now."""
        payload = usercache.read(KIND, name)
        if payload is None:
            return None
        try:
            entry = pickle.loads(payload)
            if entry["formats"] != [(fmt, self._identity(fmt)) for fmt, _ in entry["formats"]]:
                return None
            prepared = Prepared(path, **entry["prepared"])
            if prepared.refused is None:
                from ..load.formats import load_format

                prepared.format = load_format(entry["formats"][0][0])  # the name the analysis loaded it by
                prepared.documents = tuple((prepared.format.document(document), key) for document, key in entry["documents"])
        except Exception:  # noqa: BLE001 - an entry perfdoc cannot use is a miss
            return None
        return prepared

    def put(self, name: str, data: bytes, previous: bytes | None, checked, prepared: Prepared) -> None:
        """Make ``prepared``'s entry, to be written under ``name`` by :meth:`store` once its documents are
        rendered (their 【待填写】 markers count among its warnings), when its analysis read the bytes the
        name was made of. The context is pickled now, before any template could change it."""
        ctx = checked.analysis
        if ctx is None or ctx.format is None or ctx.source.digest != sha256(data):
            return
        last_year = ctx.previous
        if (previous is None) != (last_year is None) or (last_year is not None and last_year.source.digest != sha256(previous)):
            return
        from ..load.formats import load_format

        try:
            if load_format(ctx.data.get("格式")) is not ctx.format:
                return  # the format changed while the source was analysed
        except FormatError:
            return
        names = [ctx.data.get("格式")]
        if last_year is not None:
            names.append(last_year.data.get("格式") if isinstance(last_year.data, dict) else None)
        fields = {"refused": prepared.refused, "failed": prepared.failed}
        if prepared.refused is None:
            context = prepared.context()
            try:
                context_bytes = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                return
            prepared.spare = context
            fields.update(format_name=prepared.format_name, date=prepared.date, source_digest=prepared.source_digest,
                          previous_digest=prepared.previous_digest, previous_path=prepared.previous_path,
                          context_bytes=context_bytes)
        prepared.pending = {
            "name": name,
            "formats": [(fmt, self._identity(fmt)) for fmt in names],
            "prepared": fields,
            "documents": [(document.name, key) for document, key in prepared.documents],
        }

    def store(self, prepared: Prepared) -> None:
        """Write the entry :meth:`put` made, with the warnings counted since."""
        entry, prepared.pending = prepared.pending, None
        if entry is None:
            return
        name = entry.pop("name")
        entry["prepared"]["warnings"] = prepared.warnings
        try:
            payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        usercache.write(KIND, name, payload)
        prepared.stored = True

    def prepared(self, path: str, analysed_here: dict | None) -> Prepared:
        """``path`` prepared: from the cache when it has it, else validated (and stored)."""
        from ..pipeline import check_file

        key = self.key(path) if self.enabled else None
        if key is not None:
            found = self.get(path, key[0])
            if found is not None:
                return found
        checked = check_file(path, analysed=analysed_here, markers=False)  # looked for in the documents rendered
        prepared = analysed(checked)
        if key is not None:
            self.put(*key, checked, prepared)
            if prepared.refused:
                self.store(prepared)
        return prepared


def prune() -> None:
    """Keep the cache of prepared sources within :data:`CACHE_LIMIT` (after a build that added to it)."""
    usercache.prune(KIND, CACHE_LIMIT)
