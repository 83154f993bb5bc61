"""Where a build writes: the output folder and the path of each document in it."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import FormatError

DEFAULT_OUT = Path("build")


def output_path(out: Path, checked, document) -> Path:
    """``<out>/<format>/<department>/<year>/<document>.docx``."""
    ctx = checked.context
    name = document.name
    if not name or name in (".", "..") or Path(name).name != name:
        raise FormatError(f"{ctx.format.config_path}: 文档名称“{name}”不能用作文件名")
    department = Path(checked.path).resolve().parent.name
    return out / ctx.format.folder.name / department / str(ctx.model.get("年度")) / f"{name}.docx"


def source_key(path: Path) -> str:
    return os.path.abspath(path)


def build_folder_of(target: Path) -> Path | None:
    """The build output folder ``target`` is in: ``build/`` or a folder a build has locked; None if neither."""
    from .lock import LOCK_NAME

    default = DEFAULT_OUT.resolve()
    for folder in Path(target).resolve().parents:
        if folder == default or (folder / LOCK_NAME).is_file():
            return folder
    return None
