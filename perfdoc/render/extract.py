"""The text of a .docx in reading order, one line per paragraph.

Used to compare generated documents with their originals and, as a git
``textconv``, to diff .docx files as text.

Every paragraph gives one line, wherever it is: in the body, in a table cell,
in a table nested in a cell, in a text box. Tables are read row by row, cell
by cell; a vertically merged cell is read once (its continuation cells are
empty and skipped), a horizontally merged cell is one ``w:tc`` anyway.

:func:`paragraphs` is the one walk over a part's paragraphs, tables, cells and
text boxes; :mod:`.diagnose` uses it too, to say where in a template a tag is.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import UserError
from ..load.inputs import InputRefused, read_input
from . import safezip

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
BR = _w("br")
# What break-like elements read as: for a reader (a text-wrapping w:br is a new line) …
READER_BREAKS = {BR: "\n", _w("cr"): "\n", _w("tab"): "\t", _w("ptab"): "\t", _w("noBreakHyphen"): "-"}
# … and inside a template's tags, which docxtpl reads without the elements between the w:t texts.
TAG_BREAKS = {_w("tab"): "\t"}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def document_lines(docx: bytes | str | Path, *, blank: bool = True) -> list[str]:
    """The document's lines in body order; ``blank=False`` drops empty ones."""
    body = _main_part(docx).find(_w("body"))
    lines = [] if body is None else [text for text, _steps in paragraphs(body, continued_cells=False)]
    return lines if blank else [line for line in lines if line.strip()]


def document_text(docx: bytes | str | Path) -> str:
    """The document's text, one paragraph or table cell per line."""
    return "".join(line + "\n" for line in document_lines(docx))


def _main_part(docx) -> etree._Element:
    try:
        data = docx if isinstance(docx, bytes) else read_input(docx, safezip.MAX_PACKAGE_BYTES)
    except InputRefused as exc:
        raise UserError(str(exc)) from None
    try:
        with safezip.open_zip(data) as package:
            name = _main_part_name(package)
            return etree.fromstring(package.read(name), _PARSER)
    except (*safezip.READ_ERRORS, KeyError, etree.XMLSyntaxError) as exc:
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


# ------------------------------------------------------------------ the walk


@dataclass(frozen=True)
class Step:
    """One step on the way from a part's top to a paragraph, numbered as Word shows it (from 1).

    ``paragraph``: the ``number``-th of the ``of`` paragraphs of its body, cell or text box;
    ``cell``: row ``row``, column ``column`` of the ``number``-th table of its container;
    ``text box``: the ``number``-th text box of a paragraph.
    """

    kind: str
    number: int
    of: int = 0
    row: int = 0
    column: int = 0


def paragraphs(container, *, breaks=READER_BREAKS, continued_cells: bool = True, steps: tuple = ()):
    """``(text, steps)`` for every paragraph under ``container``, in reading order.

    Looks through content controls and similar wrappers, into table cells
    (nested tables too) and into each paragraph's text boxes, which follow the
    paragraph. ``breaks`` says what a line break, tab… element reads as
    (:data:`READER_BREAKS` or :data:`TAG_BREAKS`); ``continued_cells=False``
    skips the continuation cells of a vertical merge, so a merged cell is read once.
    """
    blocks = list(_blocks(container))
    count = sum(1 for block in blocks if block.tag == P)
    paragraph_number = table_number = 0
    for block in blocks:
        if block.tag == P:
            paragraph_number += 1
            yield from _paragraph(block, (*steps, Step("paragraph", paragraph_number, count)), breaks, continued_cells)
            continue
        table_number += 1
        for row_number, row in enumerate(_within(block, TR), 1):
            for column_number, cell in enumerate(_within(row, TC), 1):
                if continued_cells or not _continues_vertical_merge(cell):
                    here = (*steps, Step("cell", table_number, row=row_number, column=column_number))
                    yield from paragraphs(cell, breaks=breaks, continued_cells=continued_cells, steps=here)


def _paragraph(paragraph, steps: tuple, breaks, continued_cells: bool):
    parts: list[str] = []
    text_boxes: list = []
    _collect_text(paragraph, parts, text_boxes, breaks)
    yield "".join(parts), steps
    for number, box in enumerate(text_boxes, 1):
        yield from paragraphs(box, breaks=breaks, continued_cells=continued_cells, steps=(*steps, Step("text box", number)))


def _blocks(container):
    """Paragraphs and tables, looking through wrappers."""
    for child in container:
        if child.tag in (P, TBL):
            yield child
        elif child.tag in WRAPPERS:
            yield from _blocks(child)


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


def _collect_text(element, parts: list[str], text_boxes: list, breaks) -> None:
    for child in element:
        tag = child.tag
        if tag == _w("t"):
            parts.append(child.text or "")
        elif tag in breaks:
            # page and column breaks end a page, not a line of text
            if tag != BR or child.get(_w("type"), "textWrapping") == "textWrapping":
                parts.append(breaks[tag])
        elif tag == TXBX:
            text_boxes.append(child)
        elif tag not in HIDDEN and len(child):
            _collect_text(child, parts, text_boxes, breaks)


def document_rows(docx: bytes | str | Path) -> list:
    """The body in reading order, keeping table rows together: a paragraph is its text (its
    text boxes follow as more texts); a table row is a list of its cells, each the list of the
    cell's lines, a vertically merged cell once."""
    body = _main_part(docx).find(_w("body"))
    rows: list = []
    for block in [] if body is None else _blocks(body):
        if block.tag == P:
            rows.extend(text for text, _steps in _paragraph(block, (), READER_BREAKS, False))
            continue
        for row in _within(block, TR):
            cells = [cell for cell in _within(row, TC) if not _continues_vertical_merge(cell)]
            rows.append([[text for text, _steps in paragraphs(cell, continued_cells=False)] for cell in cells])
    return rows


# ------------------------------------------------------------------ blocks with their place


@dataclass(frozen=True)
class GridCell:
    """A table cell with its place on the table's grid: ``column`` (from 0) and ``span`` columns wide.

    ``continued``: the cell continues a vertical merge from the row above (its text is empty).
    """

    column: int
    span: int
    lines: tuple
    continued: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Block:
    """A body paragraph (``cells`` empty) or a table row, numbered as Word shows them (from 1)."""

    paragraph: int = 0  # the paragraph's number among the body's paragraphs
    table: int = 0  # the table's number among the body's tables
    row: int = 0  # the row's number in its table
    text: str = ""
    cells: tuple = ()

    @property
    def place(self) -> str:
        return f"第 {self.table} 个表格第 {self.row} 行" if self.table else f"第 {self.paragraph} 段"


def document_blocks(docx: bytes | str | Path) -> list[Block]:
    """The body's paragraphs and table rows in reading order, each with its place and, for a row,
    its cells on the table grid (merged cells once, their continuations marked)."""
    body = _main_part(docx).find(_w("body"))
    blocks: list[Block] = []
    paragraph_number = table_number = 0
    for block in [] if body is None else _blocks(body):
        if block.tag == P:
            paragraph_number += 1
            for text, _steps in _paragraph(block, (), READER_BREAKS, False):
                blocks.append(Block(paragraph=paragraph_number, text=text))
            continue
        table_number += 1
        for row_number, row in enumerate(_within(block, TR), 1):
            cells, column = [], _grid_before(row)
            for cell in _within(row, TC):
                span = _grid_span(cell)
                lines = tuple(text for text, _steps in paragraphs(cell, continued_cells=False))
                cells.append(GridCell(column, span, lines, _continues_vertical_merge(cell)))
                column += span
            blocks.append(Block(table=table_number, row=row_number, cells=tuple(cells)))
    return blocks


def _grid_span(cell) -> int:
    span = cell.find(f"{_w('tcPr')}/{_w('gridSpan')}")
    try:
        return max(1, int(span.get(_w("val"), "1"))) if span is not None else 1
    except ValueError:
        return 1


def _grid_before(row) -> int:
    """Grid columns skipped before the row's first cell (w:gridBefore, which WPS writes)."""
    before = row.find(f"{_w('trPr')}/{_w('gridBefore')}")
    try:
        return max(0, int(before.get(_w("val"), "0"))) if before is not None else 0
    except ValueError:
        return 0
