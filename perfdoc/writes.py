"""Atomic file writes: a temp file in the same folder, then ``os.replace``.

A reader (or a crash) sees either the old file or the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .buildlock import describe_os_error
from .errors import UserError


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"无法写入 {path}：{describe_os_error(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
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


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
