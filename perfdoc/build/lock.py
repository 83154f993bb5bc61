"""One ``perfdoc build`` at a time per output folder, and no temp files left behind.

``build_lock(out, timeout)`` takes an advisory lock (``fcntl.flock``) on
``<out>/.lock`` for as long as the ``with`` block runs. A second build on the
same folder waits for the first; after ``timeout`` seconds it gives up with a
:class:`~perfdoc.errors.UserError` (exit status 1) that says what to do.
The kernel drops the lock when its holder exits, however it exits (even
killed with SIGKILL), so a lock is never left stale; the lock file itself is
kept, empty, and reused.

Once the lock is held no other build can be writing into the folder, so any
``.<name>.XXXXXXXX.tmp`` file of :func:`perfdoc.build.writes.atomic_write_bytes`
found there was left by a build that was killed between writing its temp file
and renaming it: ``build_lock`` removes them before the block runs
(``clean=False`` keeps them). A writer keeps ``<out>/.perfdoc-pending``
(:data:`PENDING_NAME`) while it writes, so the tree is searched for them
only when that file shows that a writer was interrupted.

``perfdoc render`` takes it too, just to write its one document into a build folder.

Typical use, around the whole of a build (reading the manifest, writing the
documents, writing the manifest)::

    with build_lock(Path(out), timeout=lock_timeout(), on_wait=lambda m: click.echo(m, err=True)):
        outcome = build(...)
"""

from __future__ import annotations

import errno
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..errors import UserError

LOCK_NAME = ".lock"
PENDING_NAME = ".perfdoc-pending"  # present while a build or render writes into the folder
DEFAULT_TIMEOUT = 600.0  # seconds: longer than any real build, short enough to notice a hung one
TIMEOUT_VARIABLE = "PERFDOC_LOCK_TIMEOUT"
POLL_SECONDS = 0.05

# What writes.atomic_write_bytes names its temp files: tempfile.mkstemp(prefix=".<name>.", suffix=".tmp").
TEMP_FILE_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def lock_timeout() -> float:
    """``$PERFDOC_LOCK_TIMEOUT`` seconds when set to a number ≥ 0, else :data:`DEFAULT_TIMEOUT`."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 and value == value and value != float("inf") else DEFAULT_TIMEOUT


@contextmanager
def build_lock(
    out: Path,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    on_wait: Callable[[str], None] | None = None,
    clean: bool = True,
) -> Iterator[Path]:
    """Hold the lock on ``out`` for the ``with`` block; yield the lock file's path.

    ``on_wait`` is called once, with a Chinese message, if the lock is busy
    and this call has to wait for it. The lock is not re-entrant: do not take
    it twice in one process for the same folder.
    """
    out = Path(out)
    lock_path = out / LOCK_NAME
    fd = _open_lock_file(out, lock_path)
    try:
        _acquire(fd, out, timeout, on_wait)
        if clean and os.path.lexists(out / PENDING_NAME):
            remove_stale_temp_files(out)
        yield lock_path
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _open_lock_file(out: Path, lock_path: Path) -> int:
    from .paths import check_output_folder

    check_output_folder(out)  # a symlinked folder would send the lock, writes and clean-up elsewhere
    try:
        out.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted as the lock file must not make perfdoc create or open its target
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{lock_path} 是一个符号链接，perfdoc 不会使用它；请删除它后重试") from None
        raise UserError(f"无法使用输出文件夹 {out}：{describe_os_error(exc)}") from None


def _acquire(fd: int, out: Path, timeout: float, on_wait) -> None:
    import fcntl

    deadline = time.monotonic() + max(timeout, 0.0)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UserError(f"无法锁定输出文件夹 {out}：{describe_os_error(exc)}") from None
        if time.monotonic() >= deadline:
            raise UserError(
                f"另一个 perfdoc build 正在写入 {out}，等待 {_seconds(timeout)} 秒后仍未结束，本次未生成任何文档。"
                f"请等它结束后重试；如确认没有其他 perfdoc 在运行，请检查 {out / LOCK_NAME} 所在的磁盘"
                f"（可设置环境变量 {TIMEOUT_VARIABLE} 调整等待秒数）"
            )
        if not told and on_wait is not None:
            on_wait(f"另一个 perfdoc build 正在写入 {out}，等待其结束……")
            told = True
        time.sleep(POLL_SECONDS)


def _seconds(timeout: float) -> str:
    return f"{timeout:g}"


def stale_temp_files(out: Path) -> list[Path]:
    """Temp files of interrupted atomic writes anywhere under ``out``."""
    out = Path(out)
    if not out.is_dir():
        return []
    found = []
    for folder, _dirs, files in os.walk(out):
        found.extend(Path(folder) / name for name in files if TEMP_FILE_RE.match(name))
    return sorted(found)


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Remove :func:`stale_temp_files`; call only while holding :func:`build_lock`. Returns what was removed."""
    removed = []
    for path in stale_temp_files(out):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue  # cannot remove it now; the next build tries again
        removed.append(path)
    return removed


_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限（操作不被允许）",
    errno.EROFS: "磁盘或文件夹是只读的",
    errno.ENOTDIR: "路径中有一个同名的文件挡住了文件夹",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.EISDIR: "这里是一个文件夹，不是文件",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.EIO: "磁盘读写错误",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "打开的文件过多",
}


def describe_os_error(exc: OSError) -> str:
    """A Chinese reason for an OSError, with the system's own words after it."""
    reason = _REASONS.get(exc.errno or 0)
    system = exc.strerror or str(exc)
    return f"{reason}（{system}）" if reason else system
