"""Reproducible .docx bytes: the same source and template give the same file.

A .docx is a zip of XML parts. Left alone it records when and where it was
written: zip entry times, the creation and modification times and the last
author in ``docProps/core.xml``, editing statistics and the company in
``docProps/app.xml``. :func:`reproducible` rewrites all of these from the
data, so a rebuilt document is byte-identical unless its inputs changed, in
any process, time zone or machine (given the same zlib: entries are deflated
at a fixed level, and a different zlib build may compress differently).

:func:`reproducible` is the reference: it reads back a package python-docx
wrote and zips it again with :mod:`zipfile`. The fast renderer builds the same
package from parts directly: :func:`read_parts`, :func:`normalise` and
:func:`zip_parts`, which takes the parts that are the same in every document
of a template already deflated (:func:`deflate`) and writes the zip structure
itself, byte for byte as :mod:`zipfile` does (checked once per process against
:func:`zipfile`; should they ever differ, :mod:`zipfile` is used).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from . import safezip

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
DEFLATE_LEVEL = 6
FILE_MODE = 0o644  # rw-r--r--, whatever the umask
FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
AUTHOR = "perfdoc"

CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

# app.xml elements that record the editing session or the machine, not the document.
VOLATILE_APP_PROPERTIES = (
    "TotalTime",
    "Pages",
    "Words",
    "Characters",
    "CharactersWithSpaces",
    "Lines",
    "Paragraphs",
    "Company",
    "Manager",
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class CoreProperties:
    """What docProps/core.xml says about a generated document."""

    title: str = ""
    date: dt.date = dt.date(1980, 1, 1)

    @classmethod
    def for_source(cls, model: dict, title: str) -> "CoreProperties":
        """Dated by the source's 报告日期, else 12-31 of its 年度."""
        return cls(title=title, date=source_date(model) or cls.date)


def source_date(model: dict) -> dt.date | None:
    report = model.get("报告")
    stated = report.get("报告日期") if isinstance(report, dict) else None
    if isinstance(stated, dt.date):
        return dt.date(stated.year, stated.month, stated.day)  # a datetime keeps only its day
    year = model.get("年度")
    if isinstance(year, int) and not isinstance(year, bool) and dt.MINYEAR <= year <= dt.MAXYEAR:
        return dt.date(year, 12, 31)
    return None


def reproducible(docx: bytes, properties: CoreProperties) -> bytes:
    """``docx`` rewritten with fixed zip metadata and data-derived document properties."""
    return _zip(normalise(read_parts(docx), properties))


def read_parts(docx: bytes) -> dict[str, bytes]:
    """Every entry of a .docx, by name, in the order they are stored."""
    with safezip.open_zip(docx) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def normalise(parts: dict[str, bytes], properties: CoreProperties) -> dict[str, bytes]:
    """``parts`` with the document properties rewritten from ``properties`` and the session details removed."""
    rels = parts.get("_rels/.rels")
    core_name = _related_part(rels, CORE_PROPERTIES)
    if core_name in parts:
        parts[core_name] = _core_xml(parts[core_name], properties)
    app_name = _related_part(rels, EXTENDED_PROPERTIES)
    if app_name in parts:
        parts[app_name] = _app_xml(parts[app_name])
    return parts


def property_parts(parts: dict[str, bytes]) -> tuple[str | None, str | None]:
    """The names of the core and the extended properties parts, as :func:`normalise` finds them."""
    rels = parts.get("_rels/.rels")
    return _related_part(rels, CORE_PROPERTIES), _related_part(rels, EXTENDED_PROPERTIES)


def core_xml(xml: bytes, properties: CoreProperties) -> bytes:
    """docProps/core.xml as :func:`normalise` rewrites it."""
    return _core_xml(xml, properties)


def _related_part(rels: bytes | None, relationship_type: str) -> str | None:
    if rels is None:
        return None
    for rel in etree.fromstring(rels, _PARSER).iter(f"{{{PACKAGE_RELS}}}Relationship"):
        if rel.get("Type") == relationship_type:
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return None


def _core_xml(xml: bytes, properties: CoreProperties) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    stamp = f"{properties.date.isoformat()}T00:00:00Z"
    _set(root, DCTERMS, "created", stamp, w3cdtf=True)
    _set(root, DCTERMS, "modified", stamp, w3cdtf=True)
    _set(root, CP, "lastModifiedBy", AUTHOR)
    _set(root, CP, "revision", "1")
    _set(root, DC, "title", properties.title)
    for printed in root.findall(f"{{{CP}}}lastPrinted"):
        root.remove(printed)
    return _serialise(root)


def _set(root, namespace: str, name: str, value: str, w3cdtf: bool = False) -> None:
    element = root.find(f"{{{namespace}}}{name}")
    if element is None:
        element = etree.SubElement(root, f"{{{namespace}}}{name}")
    element.text = value
    if w3cdtf:
        # the value names the prefix bound to dcterms in this part, which need not be "dcterms"
        element.set(f"{{{XSI}}}type", f"{element.prefix or 'dcterms'}:W3CDTF")


def _app_xml(xml: bytes) -> bytes:
    root = etree.fromstring(xml, _PARSER)
    for name in VOLATILE_APP_PROPERTIES:
        for element in root.findall(f"{{{EP}}}{name}"):
            root.remove(element)
    return _serialise(root)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def entry_order(names) -> list[str]:
    """The order of the zip entries: [Content_Types].xml, the package relationships, the rest sorted."""
    names = list(names)
    first = [name for name in FIRST_ENTRIES if name in names]
    return first + sorted(name for name in names if name not in FIRST_ENTRIES)


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in entry_order(parts):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so FILE_MODE applies; by default the host's own system
            info.external_attr = FILE_MODE << 16
            package.writestr(info, parts[name], compresslevel=DEFLATE_LEVEL)
    return buffer.getvalue()


# ---------------------------------------------------------------- the fast writer


@dataclass(frozen=True)
class Deflated:
    """One zip entry's content, compressed once and reused in every document that has it."""

    data: bytes  # as it is in the document
    crc: int
    compressed: bytes


def deflate(data: bytes) -> Deflated:
    """``data`` deflated exactly as :mod:`zipfile` does it at :data:`DEFLATE_LEVEL`."""
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return Deflated(data, zlib.crc32(data), compressor.compress(data) + compressor.flush())


def _deflated(data) -> Deflated:
    return data if isinstance(data, Deflated) else deflate(data)


# What zipfile writes for these entries: version 2.0, no data descriptor, no extra field.
_VERSION = 20
_UTF8_NAME = 0x800
_LIMIT = 0x7FFF0000  # anything near ZIP64 sizes goes through zipfile
_DOS_TIME = ZIP_TIME[3] << 11 | ZIP_TIME[4] << 5 | ZIP_TIME[5] // 2
_DOS_DATE = (ZIP_TIME[0] - 1980) << 9 | ZIP_TIME[1] << 5 | ZIP_TIME[2]


def zip_parts(order: list[str], ready: dict[str, Deflated], fresh: dict[str, "bytes | Deflated"]) -> bytes:
    """The package of ``order``'s entries, taken from ``ready`` (already deflated) or ``fresh`` (deflated here
    unless it already is).

    Byte-identical to ``_zip`` of the same parts.
    """
    entries = [ready[name] if name in ready else _deflated(fresh[name]) for name in order]
    total = sum(len(entry.compressed) + len(entry.data) for entry in entries)
    if not _writer_matches_zipfile() or total > _LIMIT or len(order) > 0xFFFF:
        return _zip({name: entry.data for name, entry in zip(order, entries)})
    return _write(order, entries)


def _write(order: list[str], entries: list[Deflated]) -> bytes:
    out = bytearray()
    directory = bytearray()
    for name, entry in zip(order, entries):
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        offset = len(out)
        sizes = (entry.crc, len(entry.compressed), len(entry.data))
        out += struct.pack(
            zipfile.structFileHeader, zipfile.stringFileHeader, _VERSION, 0, flags, zipfile.ZIP_DEFLATED,
            _DOS_TIME, _DOS_DATE, *sizes, len(encoded), 0,
        )
        out += encoded
        out += entry.compressed
        directory += struct.pack(
            zipfile.structCentralDir, zipfile.stringCentralDir, _VERSION, 3, _VERSION, 0, flags,
            zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, *sizes, len(encoded), 0, 0, 0, 0, FILE_MODE << 16, offset,
        )
        directory += encoded
    start = len(out)
    out += directory
    out += struct.pack(
        zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, len(order), len(order), len(directory), start, 0
    )
    return bytes(out)


@lru_cache(maxsize=1)
def _writer_matches_zipfile() -> bool:
    """Whether :func:`_write` gives what this Python's zipfile gives (checked once per process)."""
    sample = {
        "[Content_Types].xml": b"<Types/>",
        "_rels/.rels": b"",
        "word/document.xml": b"<w:document>" + b"x" * 5000 + b"</w:document>",
        "word/media/图片.png": bytes(range(256)) * 3,
    }
    order = entry_order(sample)
    return _write(order, [deflate(sample[name]) for name in order]) == _zip(sample)
