"""Digests of what a document is made from: its files and the renderer."""

from __future__ import annotations

import hashlib
import os
import stat
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..load.inputs import read_input

# Libraries whose upgrade can change the bytes of a document.
RENDERING_LIBRARIES = ("docxtpl", "python-docx", "jinja2", "lxml", "markdown-it-py")
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


MAX_FILE_BYTES = 1 << 30  # no document, template or source is near this; a larger "file" is not one perfdoc wrote
_CHUNK = 1 << 20


def file_digest(path: Path, limit: int = MAX_FILE_BYTES) -> str | None:
    """The digest of a regular file's bytes, read in chunks; None when it is missing, a symlink, not a
    regular file (a FIFO, /dev/zero) or larger than ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        digest = hashlib.sha256()
        try:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        except OSError:
            return None
        return digest.hexdigest()


class FileDigests:
    """The digests of the files one build reads, each file read once."""

    def __init__(self):
        self._known: dict[str, str] = {}

    def of(self, path: Path | None) -> str:
        """The digest of ``path``'s bytes; of no bytes when there is no path or it cannot be read."""
        if path is None:
            return EMPTY_DIGEST
        key = os.fspath(path)
        if key not in self._known:
            try:
                self._known[key] = sha256(read_input(path))
            except OSError:
                self._known[key] = EMPTY_DIGEST  # a missing template fails when rendered, with a better message
        return self._known[key]

    def of_all(self, paths) -> str:
        """One digest of several files (a format.yaml and those of the formats it is based on)."""
        return sha256("".join(self.of(path) for path in paths).encode())

    def of_readable(self, path: Path) -> str:
        """The digest of ``path``'s bytes; an OSError when it cannot be read."""
        key = os.fspath(path)
        if key not in self._known:
            self._known[key] = sha256(read_input(path))
        return self._known[key]


def input_digest(checked, document, digests: FileDigests | None = None) -> str:
    """A digest of everything a document is made from."""
    return combined_digest(**input_parts(checked, document, digests))


def input_parts(checked, document, digests: FileDigests | None = None) -> dict[str, str]:
    """The digests of the files a document is made from: source, template, format and last year's source.

    The source and last year's source count as the bytes that were parsed,
    not as the files are now: a file saved while a build runs must not be
    recorded as rendered.
    """
    digests = digests or FileDigests()
    ctx = checked.analysis
    source = ctx.source.digest or digests.of_readable(Path(checked.path))
    return document_parts(source, document.template, ctx.format.chain, previous_digest(checked, digests), digests)


def previous_digest(checked, digests: FileDigests | None = None) -> str:
    """The digest of last year's source as the analysis read it; of no bytes when there is none."""
    from ..pipeline import previous_year_path

    ctx = checked.analysis
    previous = previous_year_path(Path(checked.path), ctx.data)
    last_year = ctx.previous.source if ctx.previous is not None else None
    if previous is None:
        return EMPTY_DIGEST
    if last_year is not None and last_year.digest and Path(last_year.path) == previous:
        return last_year.digest
    return (digests or FileDigests()).of_readable(previous)


def document_parts(source: str, template, chain, previous: str, digests: FileDigests) -> dict[str, str]:
    """The digests :func:`combined_digest` is made of, from the source's and last year's digests."""
    return {"source": source, "template": digests.of(template), "format": digests.of_all(chain), "previous": previous}


def combined_digest(*, source: str, template: str, format: str, previous: str) -> str:
    """The inputs digest of a document from the digests of its files and the renderer."""
    digest = hashlib.sha256()
    for label, value in (("renderer", renderer_identity()), ("source", source), ("template", template),
                         ("format", format), ("previous", previous)):
        digest.update(f"{label}:{value}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def renderer_identity() -> str:
    """perfdoc's version and code, and the versions of the libraries that shape the output.

    The code digest keeps a working copy between releases from reusing
    documents an older perfdoc made.
    """
    import importlib.metadata

    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    versions = [f"{name}={importlib.metadata.version(name)}" for name in RENDERING_LIBRARIES]
    return " ".join([f"perfdoc={__version__}", f"code={code.hexdigest()}", *versions])
