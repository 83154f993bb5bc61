"""Every example document opens in LibreOffice, converts to PDF, and shows its key figures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from functools import lru_cache
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
def build_result(tmp_path_factory):
    assert shutil.which("soffice"), "LibreOffice is needed: apt-get install libreoffice-writer fonts-noto-cjk"
    assert shutil.which("pdftotext"), "poppler is needed: apt-get install poppler-utils"
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(main, ["build", "--pdf", "--out", str(out), str(REPO / "sources")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def built(build_result):
    return build_result[0]


@pytest.fixture(scope="module")
def built_output(build_result):
    return build_result[1]


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


# Faces a PDF may use: the free stand-ins of perfdoc/build/fonts.conf, the official faces where
# installed, and Latin faces for digits. Noto CJK's faces share one CFF table in their .ttc file,
# so a PDF names the SC face "NotoSerifCJKjp-…" too: which face's glyphs were used is read from
# the glyphs themselves in test_chinese_text_has_simplified_chinese_glyphs_not_japanese.
CJK_FACES = re.compile(r"NotoSerifCJK|NotoSansCJK|LXGWWenKai|FangSong|SimSun|SimHei|KaiTi|FZXiaoBiaoSong|FZXBS")
LATIN_FACES = re.compile(r"LiberationSerif|TimesNewRoman")
HEADING_AND_BODY_FACES = {"NotoSerifCJK", "NotoSansCJK", "LXGWWenKai"}  # 仿宋 body, 黑体 and 楷体 headings
OFFICIAL_NAMES = ["仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "黑体", "SimHei", "楷体_GB2312", "楷体", "KaiTi", "宋体", "SimSun"]


def pdf_fonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()]


def test_pdfs_use_only_the_chinese_stand_ins_and_different_faces_for_headings_and_body(built):
    for pdf in sorted(built.rglob("*.pdf")):
        fonts = pdf_fonts(pdf)
        strangers = [name for name in fonts if not (CJK_FACES.search(name) or LATIN_FACES.search(name))]
        assert not strangers, f"{pdf}: unexpected faces {strangers}"
        families = {face for face in HEADING_AND_BODY_FACES if any(name.startswith(face) for name in fonts)}
        if pdf.stem.endswith("报告"):  # 仿宋 body, 黑体 一、 headings, 楷体 （一） headings
            assert families == HEADING_AND_BODY_FACES, f"{pdf}: {fonts}"
        else:  # a form: 仿宋 cells, 黑体 section rows
            assert len(families) >= 2, f"{pdf}: {fonts}"


def test_official_names_resolve_to_simplified_chinese_faces():
    from perfdoc.build.pdf import FONT_CONFIG

    env = {**os.environ, "FONTCONFIG_FILE": str(FONT_CONFIG)}
    for name in OFFICIAL_NAMES:
        found = subprocess.run(
            ["fc-match", "-f", "%{family[0]}|%{lang}", f"{name}:lang=zh-cn"], capture_output=True, text=True, env=env
        ).stdout
        family, languages = found.split("|", 1)
        assert "zh-cn" in languages.split("|"), f"{name} → {family}: no Simplified Chinese"
        assert not re.search(r"CJK (JP|KR|TC|HK)\b", family), f"{name} → {family}"
        assert "DejaVu" not in family, f"{name} → {family}"


def test_build_names_the_substituted_fonts_once(built_output):
    lines = [line for line in built_output.splitlines() if "PDF 中未安装的字体已替换" in line]
    assert len(lines) == 1 and "黑体 → " in lines[0], built_output


# document → (label, text of its row or of the last row it spans): each pair must print on one page,
# the label whole. Merged labels, long narrative rows and the signature blocks of the examples.
LINXIANG_KEPT_TOGETHER = [
    ("整体支出绩效定性目标及实施计划完成情况", "任务1：忠实履行团结引领"),
    ("整体支出绩效定量目标及实施计划完成情况", "指标1：实现职工岗位练兵"),
    ("成本指标", "指标1：预算调整率"),
    ("成本指标", "指标2：“三公经费”控制率"),
    ("评价组组长（签字）：", "财政部门归口业务科室负责人（签章）："),
]
KEPT_TOGETHER = {
    "hunan-linxiang/临湘市总工会/2022/临湘市总工会2022年度部门（单位）整体支出绩效评价自评报告": LINXIANG_KEPT_TOGETHER,
    "hunan-linxiang/临湘市总工会/2023/临湘市总工会2023年度部门（单位）整体支出绩效评价自评报告": LINXIANG_KEPT_TOGETHER,
    "guangzhou/广州市从化区总工会/2021/广州市从化区总工会2021年度部门整体支出绩效自评表": [
        ("部门资金情况", "预算完成率"),
        ("存在问题", "以下为本次绩效评价发现的主要问题"),
        ("改进措施或下一步计划", "提高绩效指标设定的精准度"),
    ],
    "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评表": [
        ("部门资金情况", "预算完成率"),
        ("重点项目绩效情况", "我单位着眼“精准帮扶”"),
        ("重点项目绩效情况", "争做立于时代潮头的领跑者。"),
        ("部门整体绩效", "激发广大职工的劳动热情和创造活力。"),
        ("任务1", "困难职工在册人数"),
    ],
}


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, in content order (a cell's lines together), without white space."""
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1])
    return [re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"],
                                               capture_output=True, text=True, check=True).stdout)
            for n in range(1, count + 1)]


@pytest.mark.parametrize("name", sorted(KEPT_TOGETHER))
def test_labels_print_whole_on_the_page_of_their_rows(built, name):
    pages = pdf_pages(built / f"{name}.pdf")
    for label, row in KEPT_TOGETHER[name]:
        with_label = [number for number, page in enumerate(pages, 1) if label in page]
        assert with_label, f"{name}: “{label}” is not whole on any page (split across pages?)"
        assert any(row in pages[number - 1] for number in with_label), (
            f"{name}: “{label}” on page {with_label}, “{row}” elsewhere"
        )


def test_form_header_row_repeats_on_every_page_of_the_form(built):
    pages = pdf_pages(built / "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评表.pdf")
    with_rows = [page for page in pages if "改进措施或下一步计划" in page or "主要任务" in page or "年度目标" in page]
    assert len(with_rows) >= 2, "the example form no longer spans two pages: choose another example"
    assert all("部门名称(汇总)" in page for page in with_rows)


def test_long_title_breaks_between_words(built):
    first_page = subprocess.run(
        ["pdftotext", "-raw", "-l", "1", str(built / "guangzhou/广州市天河区总工会/2022/广州市天河区总工会2022年度部门整体支出绩效自评报告.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert [line.replace(" ", "") for line in first_page[:2]] == ["广州市天河区总工会", "2022年部门整体支出绩效自评报告"]


# --- which Noto CJK face a PDF's glyphs come from -----------------------------------------------
# The faces of a Noto CJK .ttc share their glyphs; each face's cmap picks the glyph for a character,
# and for some characters (令, 直, 骨…) SC and JP pick different ones. LibreOffice names an embedded
# glyph by its CID (``/cid9809``), and the ToUnicode map says which character each code stands for.


def pdf_objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number → (dictionary, decompressed stream or None), for a PDF without object streams."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*<<(.*?)>>\s*(?:stream\r?\n(.*?)endstream|endobj)", data, re.S):
        stream = match[3]
        if stream is not None and b"/FlateDecode" in match[2]:
            stream = zlib.decompressobj().decompress(stream)
        objects[int(match[1])] = (match[2], stream)
    return objects


def _ref(dictionary: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb"\s+(\d+) 0 R", dictionary)[1])


def _to_unicode(cmap: bytes) -> dict[int, str]:
    codes = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            codes[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(text, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                codes[code] = chr(start + offset)
    return codes


def noto_cjk_glyphs(pdf: Path) -> list[tuple[str, str, int]]:
    """(embedded font name, character, CID of its glyph) for every Noto CJK glyph in ``pdf``."""
    objects = pdf_objects(pdf.read_bytes())
    found = []
    for dictionary, _stream in objects.values():
        name = re.search(rb"/BaseFont\s*/[A-Z]{6}\+(Noto\S+?CJK[^/\s]*)", dictionary)
        if not name or b"/ToUnicode" not in dictionary:
            continue
        descriptor = objects[_ref(dictionary, b"FontDescriptor")][0]
        program = objects[_ref(descriptor, b"FontFile")][1]
        glyph_names = {int(code): glyph for code, glyph in re.findall(rb"dup (\d+) /(cid\d+) put", program)}
        characters = _to_unicode(objects[_ref(dictionary, b"ToUnicode")][1])
        for code, glyph in glyph_names.items():
            if len(characters.get(code, "")) == 1:  # not a ligature
                found.append((name[1].decode(), characters[code], int(glyph[3:])))
    return found


@lru_cache(maxsize=None)
def noto_cmaps(embedded_name: str) -> dict[str, dict[int, int]]:
    """'SC' and 'JP' → character → CID, from the installed .ttc behind an embedded Noto CJK font."""
    from fontTools.ttLib import TTCollection

    family = "Noto Serif CJK" if embedded_name.startswith("NotoSerif") else "Noto Sans CJK"
    style = "Bold" if "-Bold" in embedded_name else "Regular"
    path = subprocess.run(["fc-match", "-f", "%{file}", f"{family} SC:style={style}"], capture_output=True, text=True).stdout
    cmaps = {}
    for face in TTCollection(path, lazy=True).fonts:
        region = face["name"].getDebugName(1).rsplit(" ", 1)[-1]
        if region in ("SC", "JP"):
            cmaps[region] = {code: int(glyph[3:]) for code, glyph in face.getBestCmap().items() if glyph.startswith("cid")}
    return cmaps


def test_chinese_text_has_simplified_chinese_glyphs_not_japanese(built):
    told_apart = 0  # characters whose SC and JP glyphs differ: the only ones that can show the face
    for pdf in sorted(built.rglob("*.pdf")):
        for font, character, cid in noto_cjk_glyphs(pdf):
            cmaps = noto_cmaps(font)
            simplified, japanese = cmaps["SC"].get(ord(character)), cmaps["JP"].get(ord(character))
            if simplified is None or simplified == japanese:
                continue
            told_apart += 1
            assert cid == simplified, f"{pdf}: “{character}” in {font} is glyph {cid}, JP's is {japanese}"
    assert told_apart > 20, "too few characters tell SC from JP: the check would prove nothing"


def test_the_glyph_check_sees_japanese_glyphs(tmp_path):
    """The check above can fail: text set in the JP face on purpose is found to be JP."""
    import docx
    from docx.oxml.ns import qn

    from perfdoc.build.pdf import convert_to_pdf

    document = docx.Document()
    run = document.add_paragraph().add_run("令直骨说角今")
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK JP")
    path = tmp_path / "jp.docx"
    document.save(path)
    assert convert_to_pdf([path]).converted == [path.with_suffix(".pdf")]
    glyphs = noto_cjk_glyphs(path.with_suffix(".pdf"))
    japanese = [c for font, c, cid in glyphs if cid == noto_cmaps(font)["JP"].get(ord(c)) != noto_cmaps(font)["SC"].get(ord(c))]
    assert set(japanese) >= {"令", "直", "骨"}, glyphs
