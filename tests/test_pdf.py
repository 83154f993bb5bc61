"""Every example document opens in LibreOffice, converts to PDF, and shows its key figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.libreoffice

# document (relative to build/) → figures its PDF must show
KEY_FIGURES = {
    "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评表": ["655.55", "643.45", "608.57", "12.10", "92.83%", "1.88%", "44.38万元"],
    "guangzhou/广州市从化区总工会/2021/广州市从化区总工会2021年度部门整体支出绩效自评报告": ["431.77", "0.00%", "100.00%", "部门整体支出绩效自评表"],
    "hunan-linxiang/临湘市总工会/2022/临湘市总工会2022年度部门（单位）整体支出绩效评价自评报告": ["366.10", "253.74", "229.64", "24.10", "112.36", "27.74万元", "97", "优秀"],
    "hunan-yiyang/益阳市总工会/2023/益阳市总工会2023年度项目支出绩效评价报告": ["707.93", "101.833", "自评分100分", "优等"],
}


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    assert shutil.which("soffice"), "LibreOffice is needed: apt-get install libreoffice-writer fonts-noto-cjk"
    assert shutil.which("pdftotext"), "poppler is needed: apt-get install poppler-utils"
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(main, ["build", "--pdf", "--out", str(out), str(REPO / "sources")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_every_document_converts(built):
    documents = sorted(built.rglob("*.docx"))
    assert len(documents) >= 9
    for document in documents:
        pdf = document.with_suffix(".pdf")
        assert pdf.is_file(), f"{document} did not convert"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert pdf_text(pdf), f"{pdf} has no text"


@pytest.mark.parametrize("name", sorted(KEY_FIGURES))
def test_pdf_shows_key_figures(built, name):
    text = pdf_text(built / f"{name}.pdf")
    missing = [figure for figure in KEY_FIGURES[name] if figure not in text]
    assert not missing, f"{name}: missing {missing}"


def test_corrected_slips_are_not_in_the_pdf(built):
    text = pdf_text(built / "hunan-linxiang/临湘市总工会/2022/临湘市总工会2022年度部门（单位）整体支出绩效评价自评报告.pdf")
    assert "336.10" not in text and "27.74元" not in text


def test_linxiang_cover_fits_on_its_page(built):
    cover = pdf_text(built / "hunan-linxiang/临湘市总工会/2022/临湘市总工会2022年度部门（单位）整体支出绩效评价自评报告.pdf", 1, 1)
    assert cover.startswith("附件2") and cover.endswith("临湘市财政局（制）")
