"""Golden files: the exact text of every example document.

A change to a template, the context or a source shows here as a readable
text diff. After an intended change, regenerate with
``PERFDOC_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden_text.py`` (it fails
with "updated, re-run"), then run the tests again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perfdoc import api
from perfdoc.render.extract import document_text
from perfdoc.testing.golden import assert_golden

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "rendered"
SOURCES = api.sources([REPO / "sources"])


def _cases():
    for source in SOURCES:
        analysis = api.check(source).analysis
        for document in analysis.format.documents_for(analysis.data):
            yield pytest.param(source, document.name, id=f"{source.parent.name}-{source.stem}-{document.name}")


@pytest.mark.parametrize("source, document_name", list(_cases()))
def test_rendered_text_matches_golden(source, document_name):
    text = document_text(api.render(source, document_name))  # refuses a source with errors
    golden = GOLDEN / f"{source.parent.parent.name}-{source.parent.name}-{source.stem}-{document_name}.txt"
    assert_golden(golden, text)


def test_every_golden_file_belongs_to_a_document():
    analyses = {source: api.check(source).analysis for source in SOURCES}
    expected = {
        f"{s.parent.parent.name}-{s.parent.name}-{s.stem}-{d.name}.txt"
        for s, analysis in analyses.items()
        for d in analysis.format.documents_for(analysis.data)
    }
    assert {p.name for p in GOLDEN.glob("*.txt")} == expected


def test_update_mode_writes_then_fails_and_the_next_run_compares(tmp_path, monkeypatch):
    golden = tmp_path / "golden" / "x.txt"
    golden.parent.mkdir()
    golden.write_text("旧\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        assert_golden(golden, "新\n")  # without update mode a difference fails and nothing is written
    assert golden.read_text(encoding="utf-8") == "旧\n"
    monkeypatch.setenv("PERFDOC_UPDATE_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match="updated, re-run"):
        assert_golden(golden, "新\n")
    assert golden.read_text(encoding="utf-8") == "新\n"
    assert_golden(golden, "新\n")  # the re-run: the same text passes
    with pytest.raises(pytest.fail.Exception, match="updated, re-run"):
        assert_golden(tmp_path / "golden" / "missing.txt", "甲\n")
