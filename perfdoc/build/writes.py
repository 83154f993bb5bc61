"""Atomic file writes: a temp file in the same folder, then ``os.replace``.

A reader (or a crash) sees either the old file or the complete new one.

The temp file (which ``tempfile.mkstemp`` makes readable by its owner only)
is given the permissions the file would have had if written directly: an
existing file's own, else ``0o666`` less the process's umask.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .lock import describe_os_error
from ..errors import UserError


def _read_umask() -> int:
    """The process's umask, from /proc where the kernel shows it, else by setting it and back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Briefly changes the umask of every thread; done once, while this module is imported.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()
NEW_FILE_MODE = 0o666 & ~UMASK


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"无法写入 {path}：{describe_os_error(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _mode_for(path))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UserError(f"无法写入 {path}：{describe_os_error(exc)}") from None


def _mode_for(path: Path) -> int:
    """The permissions of the file being replaced, or those of a new file."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode) & 0o777
    except OSError:
        return NEW_FILE_MODE


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
