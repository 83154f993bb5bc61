"""Git integration: a source's earlier versions, and readable diffs of generated .docx files.

* :func:`file_at_revision` reads ``git show REV:path`` for ``perfdoc diff --rev``;
* ``perfdoc textconv FILE.docx`` prints a document as text, for git's
  ``diff.<driver>.textconv``;
* ``perfdoc git-setup`` registers that driver for ``*.docx`` in the current
  repository, so ``git diff`` and ``git log -p`` show what changed in a document.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..errors import UserError

DIFF_DRIVER = "perfdoc"
ATTRIBUTES_LINE = f"*.docx diff={DIFF_DRIVER}"
TEXTCONV = "perfdoc textconv"
CELL_SEPARATOR = " | "


# ---------------------------------------------------------------- running git


def run_git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run git in ``cwd``; output is bytes. A missing git is the user's to fix."""
    git = shutil.which("git")
    if git is None:
        raise UserError("找不到 git 命令：请先安装 Git（https://git-scm.com），并确认它在 PATH 中")
    return subprocess.run([git, *args], cwd=cwd, capture_output=True, check=False)


def repository_root(folder: Path) -> Path:
    """The top folder of the git work tree holding ``folder``."""
    result = run_git(["rev-parse", "--show-toplevel"], folder)
    if result.returncode != 0:
        raise UserError(f"{folder} 不在 git 仓库中（没有找到 .git）；请在仓库内运行，或先运行 git init")
    return Path(os.fsdecode(result.stdout.rstrip(b"\r\n"))).resolve()


def file_at_revision(path: Path, rev: str, limit: int | None = None) -> tuple[bytes, str]:
    """The bytes of ``path`` as committed at ``rev``, and its path inside the repository.

    Refused when larger than ``limit`` (by default a source's, as on disk): git says the size before anything is read.
    """
    if limit is None:
        from ..load.loader import MAX_FILE_BYTES

        limit = MAX_FILE_BYTES
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件 {path}")
    root = repository_root(path.resolve().parent)
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise UserError(f"{path} 不在 git 仓库 {root} 之内") from None
    if rev.startswith("-") or run_git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).returncode != 0:
        raise UserError(f"git 仓库中没有修订版本“{rev}”（可用 git log 查看提交，如 HEAD、HEAD~1 或提交号）")
    size = run_git(["cat-file", "-s", f"{rev}:{relative}"], root)
    if size.returncode != 0:
        raise UserError(f"修订版本“{rev}”中没有文件 {relative}（该文件可能是在此之后才加入或改名的）")
    if int(size.stdout) > limit:
        raise UserError(
            f"修订版本“{rev}”中的 {relative} 过大（{int(size.stdout) // 1024} KB，上限 {limit // 1024} KB），"
            "不像是一个部门年度的数据，不予读取"
        )
    shown = run_git(["cat-file", "blob", f"{rev}:{relative}"], root)
    if shown.returncode != 0:
        raise UserError(f"修订版本“{rev}”中没有文件 {relative}（该文件可能是在此之后才加入或改名的）")
    return shown.stdout, relative


# ---------------------------------------------------------------- textconv


def docx_text(path: Path) -> str:
    """The document as text: one line per paragraph, table rows with cells joined by `` | ``."""
    from ..render.extract import document_rows

    lines = [
        row if isinstance(row, str) else CELL_SEPARATOR.join(_one_line(cell) for cell in row) for row in document_rows(path)
    ]
    return "".join(line + "\n" for line in lines)


def _one_line(lines: list[str]) -> str:
    """A cell's paragraphs on one line, so that a table row stays one line."""
    return " ".join(part.strip() for line in lines for part in line.splitlines() if part.strip())


# ---------------------------------------------------------------- git-setup


def add_attributes_line(path: Path) -> bool:
    """Make ``.gitattributes`` route ``*.docx`` through perfdoc; False when it already does."""
    from ..build.writes import atomic_write_text
    from ..load.inputs import read_input

    try:
        text = read_input(path).decode("utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取 {path}：{getattr(exc, 'strerror', None) or exc}") from None
    if any(line.split() == ATTRIBUTES_LINE.split() for line in text.splitlines()):
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(path, text + ATTRIBUTES_LINE + "\n")
    return True


def git_setup(folder: Path) -> tuple[Path, bool]:
    """Set up the git repository holding ``folder`` to diff .docx files as text: (its root, whether
    .gitattributes got the line)."""
    root = repository_root(folder)
    added = add_attributes_line(root / ".gitattributes")
    for key, value in ((f"diff.{DIFF_DRIVER}.textconv", TEXTCONV), ("core.quotepath", "false")):
        result = run_git(["config", key, value], root)
        if result.returncode != 0:
            raise UserError(f"git config 失败：{os.fsdecode(result.stderr).strip()}")
    return root, added
