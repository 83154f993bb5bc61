"""The oracle: a document rendered the plain docxtpl way, the definition of the right bytes.

Open the template with docxtpl, render it in perfdoc's template sandbox,
save it, and make the package reproducible (:func:`perfdoc.render.package.reproducible`).
The renderer (:mod:`perfdoc.render.engine`) must give the same bytes; the
tests and ``bench/bench.py`` import this module.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docxtpl import DocxTemplate

from perfdoc.render.package import CoreProperties, reproducible
from perfdoc.render.sandbox import template_environment


def render_with_docxtpl(template: Path, context: dict, properties: CoreProperties | None = None) -> bytes:
    document = DocxTemplate(str(template))
    document.render(context, jinja_env=template_environment())
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible(buffer.getvalue(), properties or CoreProperties())


def make_template(path: Path, *paragraphs: str, cells: list[list[str]] | None = None, header: str = "") -> Path:
    """A .docx written with python-docx: a paragraph per text, a table of ``cells``, a header line."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cells:
        table = document.add_table(rows=len(cells), cols=len(cells[0]))
        for row, texts in zip(table.rows, cells):
            for cell, text in zip(row.cells, texts):
                cell.text = text
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.save(path)
    return path
