"""Reading a file that came with the repository: a source, a format.yaml, a template, a .docx.

A repository arrives through ``git pull``, so what sits where a source should
be may be a symbolic link to a secret (``/proc/self/environ``, a key file), a
device that never ends (``/dev/zero``), a FIFO that blocks for ever, or a file
far larger than any source. :func:`read_input` reads a file only when

* no part of its path below the working folder is a symbolic link (for a path
  outside the working folder, the file itself is not one): a link can point
  anywhere, and its target's content would be quoted in messages or documents;
* it is a regular file (opened without blocking, so a FIFO is refused, not waited on);
* it holds at most ``limit`` bytes, counting what is actually read.

Nothing of a refused file's content is read, so none can be shown.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import UserError

_READ_CHUNK = 1 << 20
MAX_INPUT_BYTES = 100 * 1024 * 1024  # the largest file perfdoc reads: a template with its pictures


class InputRefused(OSError, UserError):
    """A file perfdoc will not read: an OSError, so that whatever handles an unreadable file handles it too.

    ``strerror`` says why, without the path (``filename``); ``too_large`` tells a size limit from the other reasons.
    """

    def __init__(self, path, reason: str, too_large: bool = False):
        super().__init__(None, reason, str(path))
        self.too_large = too_large

    def __str__(self) -> str:
        return f"{self.filename}：{self.strerror}"


def read_input(path: str | os.PathLike, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refused with :class:`InputRefused` (see the module docstring)."""
    path = Path(path)
    link = symbolic_link_on_path(path)
    if link is not None:
        where = "该路径是符号链接" if link == Path(os.path.abspath(path)) else f"该文件位于符号链接 {shown_path(link)} 之下"
        raise InputRefused(path, f"{where}（指向 {_target(link)}），为安全起见不予读取；请换成仓库中的普通文件")
    try:
        handle = open(path, "rb", opener=_open_no_follow)
    except IsADirectoryError:
        raise InputRefused(path, "该路径是文件夹，不是文件") from None
    except OSError as exc:
        if exc.errno == getattr(errno, "ELOOP", None):  # became a link since the look above
            raise InputRefused(path, "该路径是符号链接，为安全起见不予读取；请换成仓库中的普通文件") from None
        raise
    with handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(path, f"该路径不是普通文件（{_kind(info.st_mode)}），不予读取")
        if info.st_size > limit:
            raise InputRefused(path, _too_large(info.st_size, limit), too_large=True)
        chunks, size = [], 0
        while size <= limit:  # a file that grows, or says it is empty (/proc), is still read only up to the limit
            chunk = handle.read(min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise InputRefused(path, _too_large(size, limit), too_large=True)
    return b"".join(chunks)


def _open_no_follow(path, flags: int) -> int:
    """os.open that refuses a symbolic link and does not wait for a FIFO's writer."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def symbolic_link_on_path(path: Path) -> Path | None:
    """The first symbolic link on ``path`` below the working folder (or ``path`` itself, outside it), or None."""
    absolute = Path(os.path.abspath(path))
    base = Path(os.getcwd())
    try:
        parts = absolute.relative_to(base).parts
    except ValueError:
        base, parts = absolute.parent, (absolute.name,)
    for part in parts:
        base = base / part
        if base.is_symlink():
            return base
    return None


def shown_path(path: Path) -> str:
    """``path`` relative to the working folder when it is below it."""
    try:
        return path.relative_to(os.getcwd()).as_posix()
    except ValueError:
        return str(path)


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "？"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "是管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备"
    if stat.S_ISSOCK(mode):
        return "是套接字"
    return "不是可读取的数据"


def _too_large(size: int, limit: int) -> str:
    return f"文件过大（{size // 1024} KB 以上，上限 {limit // 1024} KB）"
