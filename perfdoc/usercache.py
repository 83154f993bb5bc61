"""What perfdoc keeps between runs for the user running it, outside the repository.

A repository arrives through ``git pull``, ``build/`` included, so nothing perfdoc
loads back as code or objects may live there. This cache lives in the user's own
cache folder (``$PERFDOC_CACHE_DIR``, else ``$XDG_CACHE_HOME/perfdoc``, else
``~/.cache/perfdoc``); ``PERFDOC_CACHE_DIR=off`` turns it off.

Entries are keyed by a digest of everything that shapes them, so an entry is
either right or never asked for. An entry carries the digest of its own bytes:
a truncated or damaged file is a miss, as is any error reading it. Writing is
best effort (atomic, errors ignored): a cache that cannot be written is no cache.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

OFF = ("", "0", "off", "no")
_HEADER = 32  # sha256 of the payload, before it
LARGEST_ENTRY = 64 * 1024 * 1024


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    chosen = os.environ.get("PERFDOC_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in OFF else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "perfdoc"


def key(*parts: bytes | str) -> str:
    """A digest of ``parts`` as an entry's name (each part length-prefixed, so parts cannot run into each other)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def module_stamp(module: str, file: str | None = None) -> str | None:
    """What identifies the installed ``module`` (or the ``file`` in its package folder) without importing it:
    its path, size and modification time; None when it is not found."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is not None and file is not None:
            origin = os.path.join(os.path.dirname(origin), file)
        if origin is None:
            return None
        stat = os.stat(origin)
    except (ImportError, ValueError, OSError):
        return None
    return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"


def _entry(kind: str, name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / kind / name[:2] / name


def read(kind: str, name: str) -> bytes | None:
    """The payload stored under ``kind``/``name``; None when missing, damaged or unreadable."""
    path = _entry(kind, name)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            data = file.read(LARGEST_ENTRY + _HEADER + 1)
    except OSError:
        return None
    payload = data[_HEADER:]
    if len(data) > LARGEST_ENTRY + _HEADER or hashlib.sha256(payload).digest() != data[:_HEADER]:
        return None
    return payload


def read_value(kind: str, name: str):
    """The value :func:`write_value` stored under ``kind``/``name``; None when there is none or it cannot be read."""
    payload = read(kind, name)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write_value(kind: str, name: str, value) -> None:
    """Store ``value`` (code, text, numbers and their lists, tuples and dicts) with ``marshal``, as Python keeps
    its ``.pyc`` files; see :func:`write`."""
    write(kind, name, marshal.dumps(value))


def write(kind: str, name: str, payload: bytes) -> None:
    """Store ``payload`` under ``kind``/``name``, atomically; nothing happens when it cannot be written."""
    path = _entry(kind, name)
    if path is None or len(payload) > LARGEST_ENTRY:
        return
    try:
        import tempfile  # here: a run that only reads need not import it

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(hashlib.sha256(payload).digest() + payload)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return


def prune(kind: str, limit: int) -> None:
    """Remove the oldest entries of ``kind`` (by the time they were written) until the rest hold at most ``limit`` bytes."""
    folder = cache_dir()
    if folder is None:
        return
    entries = []
    try:
        with os.scandir(folder / kind) as shards:
            for shard in shards:
                if not shard.is_dir(follow_symlinks=False):
                    continue
                with os.scandir(shard.path) as files:
                    for entry in files:
                        if entry.is_file(follow_symlinks=False):
                            info = entry.stat(follow_symlinks=False)
                            entries.append((info.st_mtime_ns, info.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        try:
            os.unlink(path)
        except OSError:
            continue
        total -= size
