"""Where a build writes: the output folder and the path of each document in it.

A document goes to ``<out>/<format>/<department folder>/<year>/<file name>.docx``.
The file name comes from the document's ``文件名`` setting in format.yaml, a
pattern over ``{部门}`` (the department's name as the source gives it),
``{年度}`` and ``{标题}`` (the document's title); without it,
:data:`DEFAULT_FILE_NAME`, so that files sent by e-mail can be told apart.

The output folder arrives with the repository like everything else: perfdoc
does not follow a symlink inside it (:func:`check_inside`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import FormatError, UserError

DEFAULT_OUT = Path("build")
DEFAULT_FILE_NAME = "{部门}{年度}年度{标题}"
FILE_NAME_FIELDS = ("部门", "年度", "标题")
MAX_NAME_BYTES = 240  # file systems allow 255 bytes; room for the temp file's affixes
# What a file name cannot hold on the systems a document travels to.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_FIELD = re.compile(r"\{([^{}]*)\}")


def output_path(out: Path, checked, document) -> Path:
    """``<out>/<format>/<department folder>/<year>/<file name>.docx``."""
    ctx = checked.analysis
    department = Path(checked.path).resolve().parent.name
    name = file_name(document, ctx.model, ctx.format.config_path)
    return out / ctx.format.folder.name / department / str(ctx.model.get("年度")) / f"{name}.docx"


def file_name(document, model, config_path=None) -> str:
    """A document's file name, without ``.docx``, from its pattern and the source's figures."""
    pattern = document.file_name if document.file_name is not None else DEFAULT_FILE_NAME
    department = model.get("部门") or {}
    values = {
        "部门": str(department.get("名称") or "") if isinstance(department, dict) else "",
        "年度": str(model.get("年度") or ""),
        "标题": document.title or document.name,
    }

    def fill(match: re.Match) -> str:
        if match.group(1) not in values:
            fields = "、".join("{" + f + "}" for f in FILE_NAME_FIELDS)
            raise FormatError(f"{config_path}: 文档“{document.name}”的文件名“{pattern}”中的 {match.group(0)} 不可用；可用：{fields}")
        return values[match.group(1)]

    name = _UNSAFE.sub("_", _FIELD.sub(fill, pattern)).strip().lstrip(".")
    if not name:
        name = document.name  # a pattern whose fields are all empty for this source
    if not name or name in (".", "..") or Path(name).name != name:
        raise FormatError(f"{config_path}: 文档名称“{name}”不能用作文件名")
    if len(f"{name}.docx".encode()) > MAX_NAME_BYTES:
        raise FormatError(f"{config_path}: 文档“{document.name}”的文件名“{name}.docx”过长（上限 {MAX_NAME_BYTES} 字节）")
    return name


def beside(target: Path) -> Path:
    """Where a new document goes when ``target`` was edited by hand and is kept."""
    return target.with_name(f"{target.stem}（新生成）{target.suffix}")


def source_key(path: Path) -> str:
    return os.path.abspath(path)


def check_output_folder(out: Path) -> None:
    """Refuse an output folder that is a symlink: it would send every write somewhere else."""
    from .lock import describe_os_error

    try:
        info = os.lstat(out)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UserError(f"无法使用输出文件夹 {out}：{describe_os_error(exc)}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UserError(f"输出文件夹 {out} 是一个符号链接，perfdoc 不会写入链接指向的位置；请改用 --out 指定真实的文件夹")
    if not stat.S_ISDIR(info.st_mode):
        raise UserError(f"输出文件夹 {out} 不是一个文件夹")


def check_inside(out: Path, target: Path) -> None:
    """Refuse to write ``target`` when a folder between ``out`` and it is a symlink (or not a folder)."""
    folder = Path(out)
    for part in Path(target).relative_to(out).parts[:-1]:
        folder = folder / part
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            return  # made by the write, as a real folder
        except OSError as exc:
            raise UserError(f"无法写入 {target}：{exc.strerror or exc}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise UserError(f"无法写入 {target}：{folder} 是符号链接或文件，perfdoc 不会写入输出文件夹以外的位置")


def build_folder_of(target: Path) -> Path | None:
    """The build output folder ``target`` is in: ``build/`` or a folder a build has locked; None if neither."""
    from .lock import LOCK_NAME

    from ..load.project import find_root

    root = find_root()
    default = (root / DEFAULT_OUT if root is not None else DEFAULT_OUT).resolve()
    for folder in Path(target).resolve().parents:
        if folder == default or (folder / LOCK_NAME).is_file():
            return folder
    return None
