"""同比 figures: computed from last year's source, shown in the narrative reports, absent otherwise."""

from __future__ import annotations

from pathlib import Path

from perfdoc.build.rendering import render_checked
from perfdoc.compute.figures import year_over_year
from perfdoc.render.extract import document_text
from perfdoc.pipeline import check_file

SOURCES = Path(__file__).resolve().parent.parent / "sources"
LINXIANG = SOURCES / "hunan-linxiang" / "临湘市总工会"


def _render(path: Path) -> str:
    checked = check_file(path)
    assert not checked.errors
    return document_text(render_checked(checked, checked.analysis.format.documents[0]))


def test_year_over_year_figures():
    checked = check_file(LINXIANG / "2023.yaml")
    change = year_over_year(checked.analysis.figures, checked.analysis.previous.figures)["支出合计"]
    now = checked.analysis.figures.get(("收支合计", "支出", "支出合计"))
    before = check_file(LINXIANG / "2022.yaml").analysis.figures.get(("收支合计", "支出", "支出合计"))
    assert change["增减额"] == now - before
    assert str(change["增长率"]) == f"{(now - before) * 100 / before:.2f}%"


def test_sentence_appears_only_with_last_year():
    checked = check_file(LINXIANG / "2023.yaml")
    change = year_over_year(checked.analysis.figures, checked.analysis.previous.figures)["支出合计"]
    text = _render(LINXIANG / "2023.yaml")
    assert f"与上年相比，支出合计增加{change['增减额']:.2f}万元，增长{str(change['增长率'])}。" in text
    assert "与上年相比" not in _render(LINXIANG / "2022.yaml")


def test_no_previous_year_means_no_figures():
    checked = check_file(LINXIANG / "2022.yaml")
    assert checked.analysis.previous is None
    assert year_over_year(checked.analysis.figures, None) == {}
