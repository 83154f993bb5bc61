"""Opening a .docx (a zip) that came with the repository without letting it inflate without bound.

A few megabytes of deflated zeros inflate to gigabytes (a "zip bomb"), and
python-docx, docxtpl and lxml read a part whole. Every .docx perfdoc opens
(a template, a document given to ``perfdoc textconv``) is looked at first:
the sizes its directory declares, each entry's and their sum, and each large
entry's compression ratio must stay within the limits below. Python's
:mod:`zipfile` never inflates an entry beyond its declared size (more data
fails its CRC check), so the declared sizes bound what reading it costs.

Entries are stored or deflated, unencrypted, as Word writes them; what
reading a damaged entry still raises is :data:`READ_ERRORS`, for the callers
to report as a bad .docx.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from ..load.inputs import MAX_INPUT_BYTES, read_input

MAX_PACKAGE_BYTES = MAX_INPUT_BYTES  # the .docx file itself
MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # one part, inflated
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts, inflated
# Word's XML deflates 5 to 40 times; deflate cannot do better than about 1,000.
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024  # small entries may have any ratio


class ZipRefused(zipfile.BadZipFile):
    """A zip whose declared content is too large to inflate, or not a zip Word writes; callers treat it as a bad .docx."""


# What reading an entry of a checked zip raises when its data is damaged (a bad CRC, a broken deflate stream, cut short).
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


def read_package(path: str | Path) -> bytes:
    """The bytes of a .docx on disk (see :func:`perfdoc.load.inputs.read_input`), checked by :func:`check`."""
    data = read_input(path, MAX_PACKAGE_BYTES)
    with open_zip(data):
        return data


def open_zip(data: bytes) -> zipfile.ZipFile:
    """``data`` opened as a zip, once :func:`check` has passed it."""
    package = zipfile.ZipFile(io.BytesIO(data))
    try:
        check(package)
    except BaseException:
        package.close()
        raise
    return package


def check(package: zipfile.ZipFile) -> None:
    """Raise :class:`ZipRefused` when the entries of ``package`` would inflate too far."""
    entries = package.infolist()
    if len(entries) > MAX_ENTRIES:
        raise ZipRefused(f"压缩包含有 {len(entries)} 个条目，超过上限 {MAX_ENTRIES} 个，不予打开")
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise ZipRefused(f"其中的 {entry.filename} 已加密，不予打开")
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ZipRefused(f"其中的 {entry.filename} 使用了 Word 不用的压缩方式（{entry.compress_type}），不予打开")
        if entry.file_size > MAX_ENTRY_BYTES:
            raise ZipRefused(
                f"其中的 {entry.filename} 解压后有 {_mib(entry.file_size)}，超过上限 {_mib(MAX_ENTRY_BYTES)}，"
                "疑似“压缩炸弹”，不予打开"
            )
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise ZipRefused(
                f"其中的 {entry.filename} 压缩比异常（{entry.compress_size} 字节解压为 {_mib(entry.file_size)}），"
                "疑似“压缩炸弹”，不予打开"
            )
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise ZipRefused(f"解压后共有 {_mib(total)}，超过上限 {_mib(MAX_TOTAL_BYTES)}，疑似“压缩炸弹”，不予打开")


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"
