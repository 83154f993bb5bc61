"""Golden files: the exact text of every example document.

A change to a template, the context or a source shows here as a readable
text diff. After an intended change, regenerate with
``PERFDOC_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden_text.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perfdoc.build.batch import render_checked
from perfdoc.render.extract import document_text
from perfdoc.pipeline import check_file, find_sources

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "rendered"
SOURCES = find_sources([REPO / "sources"])


def _cases():
    for source in SOURCES:
        checked = check_file(source)
        for document in checked.analysis.format.documents:
            yield pytest.param(source, document.name, id=f"{source.parent.name}-{source.stem}-{document.name}")


@pytest.mark.parametrize("source, document_name", list(_cases()))
def test_rendered_text_matches_golden(source, document_name):
    checked = check_file(source)
    assert not checked.errors
    document = checked.analysis.format.document(document_name)
    text = document_text(render_checked(checked, document))
    golden = GOLDEN / f"{source.parent.parent.name}-{source.parent.name}-{source.stem}-{document_name}.txt"
    if os.environ.get("PERFDOC_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"missing golden file {golden}; run with PERFDOC_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_document():
    expected = {
        f"{s.parent.parent.name}-{s.parent.name}-{s.stem}-{d.name}.txt"
        for s in SOURCES
        for d in check_file(s).analysis.format.documents
    }
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected
