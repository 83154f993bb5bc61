"""Reading .docx and .xlsx files someone sent us: checked before any parser sees them.

An Office file is a zip of XML parts. Before it is opened, :func:`read_package`
refuses, with a Chinese message, what would hurt or mislead: a file that is
not a zip (a corrupt file, or an encrypted one, which Office stores as an OLE
compound file), a zip whose parts would inflate beyond reason (a zip bomb),
and XML parts that declare a DOCTYPE (external or expanding entities, XXE).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import UserError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # far above any real self-evaluation, far below a bomb
MAX_RATIO = 200  # XML compresses 10–30×; a part inflating 200× more is not a document
MAX_PARTS = 10_000
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)

KIND_NAMES = {"docx": "Word 文档（.docx）", "xlsx": "Excel 工作簿（.xlsx）"}


def read_package(path: Path, kind: str) -> bytes:
    """The bytes of ``path``, an Office package of ``kind`` (docx or xlsx), once it is known safe to open."""
    label = KIND_NAMES[kind]
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取 {path}：{exc.strerror or exc}") from None
    if data.startswith(OLE_SIGNATURE):
        raise UserError(
            f"{path} 不是 {label}：它是加密（设有打开密码）的文件，或旧版 Office 格式（.doc/.xls）；"
            "请在 Word/Excel 中取消密码或另存为 ."
            + kind
            + " 后再导入"
        )
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UserError(f"{path} 不是有效的 {label}（文件已损坏或不是 Office 文件：{exc}）") from None
    if len(members) > MAX_PARTS:
        raise UserError(f"{path} 含 {len(members)} 个部件，不像 {label}，已拒绝打开")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (member.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise UserError(f"{path} 解压后异常庞大（{member.filename} 压缩比 {ratio:.0f}:1），疑为压缩炸弹，已拒绝打开")
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            try:
                head = _read_limited(package, member)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                raise UserError(f"{path} 已损坏：无法读取其中的 {member.filename}（{exc}）") from None
            if _DOCTYPE.search(head):
                raise UserError(
                    f"{path} 的 {member.filename} 含文档类型或实体声明（<!DOCTYPE>/<!ENTITY>），"
                    "Office 文件不会有这些，可能引用外部文件，已拒绝打开"
                )
    return data


def _read_limited(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A part's bytes, reading no more than its declared size (a lying header cannot inflate more)."""
    with package.open(member) as stream:
        return stream.read(member.file_size + 1)[: member.file_size]
