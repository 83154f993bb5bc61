"""Reproducible .docx bytes: the same source and template give the same file.

A .docx is a zip of XML parts. Left alone it records when and where it was
written: zip entry times, the creation and modification times and the last
author in ``docProps/core.xml``, editing statistics and the company in
``docProps/app.xml``. :func:`reproducible` rewrites all of these from the
data, so a rebuilt document is byte-identical unless its inputs changed, in
any process, time zone or machine (given the same zlib: entries are deflated
at a fixed level, and a different zlib build may compress differently).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

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
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    rels = parts.get("_rels/.rels")
    core_name = _related_part(rels, CORE_PROPERTIES)
    if core_name in parts:
        parts[core_name] = _core_xml(parts[core_name], properties)
    app_name = _related_part(rels, EXTENDED_PROPERTIES)
    if app_name in parts:
        parts[app_name] = _app_xml(parts[app_name])
    return _zip(parts)


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


def _zip(parts: dict[str, bytes]) -> bytes:
    first = [name for name in FIRST_ENTRIES if name in parts]
    order = first + sorted(name for name in parts if name not in FIRST_ENTRIES)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so FILE_MODE applies; by default the host's own system
            info.external_attr = FILE_MODE << 16
            package.writestr(info, parts[name], compresslevel=DEFLATE_LEVEL)
    return buffer.getvalue()
