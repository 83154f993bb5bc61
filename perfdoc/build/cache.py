"""``<out>/.perfdoc-cache.sqlite``: what the last builds learnt about each source, to skip it unread.

One row per source built without errors: the file's size, times and inode
with the digest of its bytes, its format and the digest of its format.yaml,
last year's file and its digest, its warnings and, per document, the
manifest key, the template and its digest, and the written file's stat.
When every one of these digests is still the same (and the renderer, checked
once), the document's inputs digest is the one recorded in the manifest. A no-op rebuild then costs a few ``stat`` calls and
one indexed lookup per source: no source is read, no document hashed, and
neither the manifest nor the cache is loaded whole, so memory does not grow
with the number of sources.

Trusted only as far as it is checked:

* a file's stat stands for its digest only when the file had not been
  modified for :data:`RACY_NS` before the stat was recorded (a file saved
  twice within the clock's granularity keeps its stat);
* the rows mirror the manifest as perfdoc last wrote it: when
  ``manifest.json`` is not the file perfdoc wrote (by size, times and inode),
  or the renderer changed, every row is dropped;
* a cache that is a symlink, not a regular file, too large or damaged is
  removed and started again. It only saves work: without it every source is
  validated.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from pathlib import Path

from .digests import EMPTY_DIGEST, FileDigests, file_digest, renderer_identity
from .manifest import manifest_stat
from .paths import source_key

CACHE = ".perfdoc-cache.sqlite"
CACHE_VERSION = "3"
MAX_CACHE_BYTES = 1 << 30
RACY_NS = 2_000_000_000  # modified this recently, a file may change again without its stat showing it

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL, format TEXT NOT NULL, folder TEXT NOT NULL,
    config TEXT NOT NULL, previous TEXT, previous_digest TEXT NOT NULL, warnings INTEGER NOT NULL, documents TEXT NOT NULL
);
"""


def file_stat(path) -> str | None:
    """A file's size, times and inode as one string; None when it is missing or not a regular file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def settled_stat(path) -> str | None:
    """:func:`file_stat`, or None when the file changed too recently for its stat to stand for its bytes."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
        return None
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


class BuildCache:
    """The rows of ``<out>/.perfdoc-cache.sqlite``, read one source at a time."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out / CACHE
        self._changed: dict[str, tuple | None] = {}  # rows to write (None: to delete), written by save()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        try:
            info = os.lstat(self.path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
                os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError:
            return None
        if not self.out.is_dir():
            return None
        try:
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA trusted_schema=OFF")
            db.execute("PRAGMA journal_mode=MEMORY")  # only a cache: no journal file beside it
            db.execute("PRAGMA synchronous=OFF")
            db.executescript(_SCHEMA)
            meta = dict(db.execute("SELECT name, value FROM meta"))
            expected = {"version": CACHE_VERSION, "renderer": renderer_identity(), "manifest": manifest_stat(self.out)}
            if any(meta.get(name) != value for name, value in expected.items()):
                db.executescript("DROP TABLE sources; DROP TABLE meta;" + _SCHEMA)  # another version's tables too
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", expected.items())
            return db
        except (sqlite3.Error, ValueError, TypeError):
            return self._start_again()

    def _start_again(self) -> sqlite3.Connection | None:
        try:
            os.unlink(self.path)
        except OSError:
            return None
        return self._open()

    def row(self, path: Path) -> tuple | None:
        """(stat, digest, format, folder, config, previous, previous_digest, warnings, documents) of a source, or None."""
        if self._db is None:
            return None
        try:
            found = self._db.execute(
                "SELECT stat, digest, format, folder, config, previous, previous_digest, warnings, documents"
                " FROM sources WHERE path = ?",
                (source_key(path),),
            ).fetchone()
        except sqlite3.Error:
            return None
        return found

    def remember(self, path: Path, row: tuple | None) -> None:
        """Store (or with None, forget) a source's row when the build ends."""
        self._changed[source_key(path)] = row

    def save(self, manifest_written: bool) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("BEGIN")
            for key, row in self._changed.items():
                if row is None:
                    self._db.execute("DELETE FROM sources WHERE path = ?", (key,))
                else:
                    self._db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (key, *row))
            if manifest_written:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("manifest", manifest_stat(self.out)))
            self._db.execute("COMMIT")
        except sqlite3.Error:
            pass  # only a cache: the next build validates more
        finally:
            self._db.close()
            self._db = None


class Unchanged:
    """Decides, from the cache rows, which sources need nothing done; reads a file only when its stat moved.

    Called once per source of a no-op rebuild: plain strings and ``os.path``, no ``Path`` objects.
    """

    def __init__(self, out: Path, cache: BuildCache):
        from ..load.formats import templates_root

        self.out = os.fspath(out)
        self.cache = cache
        self.templates = templates_root()
        self.files = FileDigests()  # templates and format.yaml files: a handful per build
        self._folders: dict[str, str | None] = {}
        self._configs: dict[str, str] = {}
        self._folder_of_digests: str | None = None
        self._digests: dict[str, str | None] = {}  # this department's sources: path → digest

    def __call__(self, path: Path):
        """``(keys, warnings)`` of a source whose documents are all current, else None."""
        row = self.cache.row(path)
        if row is None:
            return None
        recorded_stat, recorded_digest, fmt, folder, config, previous, previous_digest, warnings, documents = row
        try:
            source, moved = self._digest(os.fspath(path), recorded_stat, recorded_digest)
            if source != recorded_digest or self._format_folder(fmt) != folder:
                return None
            if self._config_digest(folder) != config:
                return None
            if (self._previous_digest(previous) if previous else EMPTY_DIGEST) != previous_digest:
                return None
            keys = []
            for key, template, template_digest, written in json.loads(documents):
                if self.files.of(template) != template_digest or file_stat(os.path.join(self.out, key)) != written:
                    return None
                keys.append(key)
            if moved is not None:  # touched, not changed: remember the new stat
                self.cache.remember(path, (moved, *row[1:]))
            return keys, int(warnings)
        except (OSError, TypeError, ValueError):
            return None

    def _digest(self, path: str, recorded_stat: str | None, recorded_digest: str | None) -> tuple:
        """(digest, new stat or None): the recorded digest while the settled stat is the recorded one, else read."""
        folder = os.path.dirname(path)
        if folder != self._folder_of_digests:  # last year lives in the same folder: remember only this one
            self._folder_of_digests, self._digests = folder, {}
        now = settled_stat(path)
        if now is not None and now == recorded_stat:
            digest, moved = recorded_digest, None
        else:
            digest = file_digest(path)
            moved = now if digest is not None and digest == recorded_digest else None
        self._digests[os.path.abspath(path)] = digest
        return digest, moved

    def _previous_digest(self, previous: str) -> str:
        """Last year's digest: known when it was looked at just before (sources are in path order), else read."""
        known = self._digests.get(previous)
        if known is not None:
            return known
        return file_digest(previous) or EMPTY_DIGEST

    def _config_digest(self, folder: str) -> str:
        """The digest of a format's format.yaml and those of the formats it is based on, once per build."""
        from ..load.formats import config_chain

        if folder not in self._configs:
            self._configs[folder] = self.files.of_all(config_chain(Path(folder), self.templates))
        return self._configs[folder]

    def _format_folder(self, name: str) -> str | None:
        if name not in self._folders:
            folder = (self.templates / name).resolve()
            self._folders[name] = str(folder) if (folder / "format.yaml").is_file() else None
        return self._folders[name]
