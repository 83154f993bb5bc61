"""Where perfdoc runs: the project folder, found as git finds its work tree.

The project folder is the nearest of the working folder and its parents that
holds a ``sources/`` folder. Defaults (``sources/``, ``templates/``,
``build/``, the path ``perfdoc new`` writes) are taken from it, so perfdoc
works from any subfolder; paths given on the command line stay relative to
the working folder, as with git. Outside a project, a command that would rely
on a default says so and writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

SOURCES = "sources"


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (the working folder) upwards that holds ``sources/``."""
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:  # the working folder was deleted under us
        return None
    for folder in (here, *here.parents):
        if (folder / SOURCES).is_dir():
            return folder
    return None


def project_root() -> Path:
    """:func:`find_root`, or a usage error in Chinese when there is none."""
    root = find_root()
    if root is None:
        where = os.fsdecode(os.getcwd()) if _cwd_exists() else "当前文件夹"
        raise UsageError(
            f"{where} 不在 perfdoc 仓库中：它和它的上级文件夹都没有 {SOURCES}/ 文件夹。"
            f"请到仓库中运行，或在命令中写明数据文件和输出位置"
        )
    return root


def default_path(*parts: str) -> Path:
    """``parts`` under the project folder, relative to the working folder (``../../sources``) as git shows paths."""
    path = project_root().joinpath(*parts)
    try:
        return Path(os.path.relpath(path, Path.cwd().resolve()))
    except ValueError:  # another drive on Windows
        return path


def _cwd_exists() -> bool:
    try:
        os.getcwd()
        return True
    except OSError:
        return False
