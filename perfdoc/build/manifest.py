"""``<out>/manifest.json``: for every document, what it was made from and the digest of the file written.

The manifest is what perfdoc knows it wrote: a file whose bytes are not the
recorded ones was edited by hand (or put there by someone else) and is kept.

``build/`` may arrive through ``git pull`` like everything else, so the
manifest is read only when it is a regular file (not a symlink, FIFO or
device) of at most :data:`MAX_MANIFEST_BYTES`; otherwise it counts as missing.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .. import __version__
from .digests import file_digest
from .writes import atomic_write_text

MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # about 600,000 documents


def load_manifest(out: Path) -> dict:
    """The recorded outputs, or none when the manifest is missing, unreadable or not a plain file."""
    try:
        fd = os.open(Path(out) / MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
                return {}
            data = json.loads(handle.read(MAX_MANIFEST_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {key: entry for key, entry in outputs.items() if isinstance(entry, dict)}


def manifest_stat(out: Path) -> str:
    """The manifest file's identity (size, times, inode), to notice that something else changed it."""
    try:
        info = os.lstat(Path(out) / MANIFEST)
    except OSError:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def manifest_text(outputs: dict) -> str:
    text = json.dumps({"perfdoc": __version__, "outputs": outputs}, ensure_ascii=False, indent=2, sort_keys=True)
    return text + "\n"


def write_manifest(out: Path, outputs: dict) -> None:
    atomic_write_text(out / MANIFEST, manifest_text(outputs))


def is_current(entry: dict | None, inputs: str, path: Path) -> bool:
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return False
    return file_digest(path) == entry.get("output")
