"""The text of a .docx in reading order, one line per paragraph.

Used to compare generated documents with their originals and, as a git
``textconv``, to diff .docx files as text.

Every paragraph gives one line, wherever it is: in the body, in a table cell,
in a table nested in a cell, in a text box. Tables are read row by row, cell
by cell; a vertically merged cell is read once (its continuation cells are
empty and skipped), a horizontally merged cell is one ``w:tc`` anyway.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from pathlib import Path

from lxml import etree

from ..errors import UserError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


P, TBL, TR, TC = _w("p"), _w("tbl"), _w("tr"), _w("tc")
TXBX = _w("txbxContent")
# Block-level wrappers around paragraphs, rows or cells.
WRAPPERS = {_w("sdt"), _w("sdtContent"), _w("customXml"), _w("ins"), _w("moveTo")}
# Subtrees whose text is not part of what a reader sees in the paragraph.
HIDDEN = {_w("pPr"), _w("rPr"), _w("del"), _w("moveFrom"), _w("instrText"), TXBX, f"{{{MC}}}Fallback"}
BREAKS = {_w("cr"): "\n", _w("tab"): "\t", _w("ptab"): "\t", _w("noBreakHyphen"): "-"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def document_lines(docx: bytes | str | Path, *, blank: bool = True) -> list[str]:
    """The document's lines in body order; ``blank=False`` drops empty ones."""
    body = _main_part(docx).find(_w("body"))
    lines: list[str] = []
    if body is not None:
        _read_blocks(body, lines)
    return lines if blank else [line for line in lines if line.strip()]


def document_text(docx: bytes | str | Path) -> str:
    """The document's text, one paragraph or table cell per line."""
    return "".join(line + "\n" for line in document_lines(docx))


def _main_part(docx) -> etree._Element:
    data = docx if isinstance(docx, bytes) else Path(docx).read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            name = _main_part_name(package)
            return etree.fromstring(package.read(name), _PARSER)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        label = "" if isinstance(docx, bytes) else f"{docx} "
        raise UserError(f"{label}不是有效的 .docx 文件：{exc}") from None


def _main_part_name(package: zipfile.ZipFile) -> str:
    """The document part named by the package relationships (normally word/document.xml)."""
    try:
        rels = etree.fromstring(package.read("_rels/.rels"), _PARSER)
    except KeyError:
        return "word/document.xml"
    for rel in rels.iter(f"{{{PACKAGE_RELS}}}Relationship"):
        if rel.get("Type") == OFFICE_DOCUMENT:
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def _read_blocks(container, lines: list[str]) -> None:
    for child in container:
        if child.tag == P:
            _read_paragraph(child, lines)
        elif child.tag == TBL:
            _read_table(child, lines)
        elif child.tag in WRAPPERS:
            _read_blocks(child, lines)


def _read_table(table, lines: list[str]) -> None:
    for row in _within(table, TR):
        for cell in _within(row, TC):
            if not _continues_vertical_merge(cell):
                _read_blocks(cell, lines)


def _within(container, tag):
    """Children with ``tag``, looking through content controls and similar wrappers."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from _within(child, tag)


def _continues_vertical_merge(cell) -> bool:
    merge = cell.find(f"{_w('tcPr')}/{_w('vMerge')}")
    return merge is not None and merge.get(_w("val"), "continue") == "continue"


def _read_paragraph(paragraph, lines: list[str]) -> None:
    parts: list[str] = []
    text_boxes: list = []
    _collect_text(paragraph, parts, text_boxes)
    lines.append("".join(parts))
    for box in text_boxes:
        _read_blocks(box, lines)


def _collect_text(element, parts: list[str], text_boxes: list) -> None:
    for child in element:
        tag = child.tag
        if tag == _w("t"):
            parts.append(child.text or "")
        elif tag == _w("br"):
            # page and column breaks end a page, not a line of text
            if child.get(_w("type"), "textWrapping") == "textWrapping":
                parts.append("\n")
        elif tag in BREAKS:
            parts.append(BREAKS[tag])
        elif tag == TXBX:
            text_boxes.append(child)
        elif tag not in HIDDEN and len(child):
            _collect_text(child, parts, text_boxes)
