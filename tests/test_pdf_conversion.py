"""The LibreOffice run behind ``build --pdf``, with a stand-in ``soffice`` that behaves as told.

The stand-in prints LibreOffice's ``convert A -> B using filter`` line for each
input and writes a small PDF; an input whose text is ``HANG`` makes it start a
child process and wait forever after writing half a PDF, as a LibreOffice stuck on a document does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
import sys
import time
from pathlib import Path

import pytest

from perfdoc.build import pdf

FAKE_SOFFICE = """#!{python}
import os, subprocess, sys, time
def hang():
    child = subprocess.Popen(["sleep", "600"])
    open({children!r}, "a").write(f"{{child.pid}}\\n")
    time.sleep(600)
args = sys.argv[1:]
outdir = args[args.index("--outdir") + 1]
os.makedirs(outdir, exist_ok=True)
for name in [a for a in args if a.endswith(".docx")]:
    stem = os.path.splitext(os.path.basename(name))[0]
    print(f"convert {{name}} -> {{outdir}}/{{stem}}.pdf using filter : writer_pdf_Export", flush=True)
    text = open(name).read()
    if text == "HANG":
        open(f"{{outdir}}/{{stem}}.pdf", "w").write("%PDF-1.4 half")
        hang()
    open(f"{{outdir}}/{{stem}}.pdf", "w").write("%PDF-1.4 " + text + " %%EOF")
    if text == "STALL":  # hangs after this document, before taking up the next
        hang()
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    children = tmp_path / "children.txt"
    program = folder / "soffice"
    program.write_text(FAKE_SOFFICE.format(python=sys.executable, children=str(children)))
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return children


def documents(folder: Path, *texts: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for index, text in enumerate(texts):
        path = folder / f"文档{index}.docx"
        path.write_text(text)
        paths.append(path)
    return paths


def test_progress_is_reported_document_by_document(tmp_path, fake_soffice):
    heard = []
    docs = documents(tmp_path / "docs", "一", "二", "三")
    result = pdf.convert_to_pdf(docs, on_converted=lambda done, total, document: heard.append((done, total, document)))
    assert heard == [(1, 3, docs[0]), (2, 3, docs[1]), (3, 3, docs[2])]
    assert result.converted == [d.with_suffix(".pdf") for d in docs] and not result.failed
    assert docs[1].with_suffix(".pdf").read_text() == "%PDF-1.4 二 %%EOF"


def test_a_hung_libreoffice_is_ended_with_its_children_and_the_rest_still_converts(tmp_path, fake_soffice, monkeypatch):
    monkeypatch.setattr(pdf, "SECONDS_TO_START", 20)
    monkeypatch.setattr(pdf, "SECONDS_PER_DOCUMENT", 1)
    monkeypatch.setattr(pdf, "SECONDS_TO_EXIT", 1)
    docs = documents(tmp_path / "docs", "一", "HANG", "三")
    began = time.monotonic()
    result = pdf.convert_to_pdf(docs)
    assert time.monotonic() - began < 15
    assert result.failed == [docs[1]] and not docs[1].with_suffix(".pdf").exists()
    assert result.converted == [docs[0].with_suffix(".pdf"), docs[2].with_suffix(".pdf")]
    assert f"LibreOffice 转换 {docs[1]} 时超过 1 秒没有进展，已结束 LibreOffice 及其子进程" in result.log
    child = int(fake_soffice.read_text().split()[0])
    assert not _alive(child), "the process LibreOffice started is still running"


def test_a_libreoffice_that_hangs_between_documents_blames_the_next_one(tmp_path, fake_soffice, monkeypatch):
    monkeypatch.setattr(pdf, "SECONDS_PER_DOCUMENT", 1)
    monkeypatch.setattr(pdf, "SECONDS_TO_EXIT", 1)
    docs = documents(tmp_path / "docs", "一", "STALL", "三", "四")
    result = pdf.convert_to_pdf(docs)
    assert result.converted == [docs[i].with_suffix(".pdf") for i in (0, 1, 3)]
    assert result.failed == [docs[2]]
    assert f"LibreOffice 转换 {docs[2]} 时超过 1 秒没有进展" in result.log


def test_a_libreoffice_that_hangs_before_any_document_gives_up_on_all(tmp_path, fake_soffice, monkeypatch):
    monkeypatch.setattr(pdf, "SECONDS_TO_START", 1)
    monkeypatch.setattr(pdf, "SECONDS_TO_EXIT", 1)
    docs = documents(tmp_path / "docs", "HANG", "二")
    result = pdf.convert_to_pdf(docs)
    assert result.failed == docs and not result.converted
    assert "已结束 LibreOffice 及其子进程" in result.log
    assert not _alive(int(fake_soffice.read_text().split()[0]))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; its parent has not collected it yet


def test_an_installed_official_face_wins_over_its_stand_in(tmp_path):
    """A font scanned under the name 仿宋_GB2312 stands for the official face being installed."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    latin = subprocess.run(["fc-match", "-f", "%{file}", "Liberation Serif"], capture_output=True, text=True).stdout
    official = fonts / "fangsong.ttf"
    shutil.copyfile(latin, official)
    config = tmp_path / "fonts.conf"
    config.write_text(
        f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include>{pdf.FONT_CONFIG}</include>
  <dir>{fonts}</dir>
  <cachedir>{tmp_path / "cache"}</cachedir>
  <match target="scan">
    <test name="file"><string>{official}</string></test>
    <edit name="family" mode="assign"><string>仿宋_GB2312</string></edit>
  </match>
</fontconfig>
"""
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    document = tmp_path / "文档.docx"
    with zipfile.ZipFile(document, "w") as package:
        package.writestr("word/styles.xml", STYLES_NAMING.format(body="仿宋_GB2312", heading="黑体"))
    assert pdf.font_substitutions([document], env) == {"黑体": "Noto Sans CJK SC"}
    assert pdf.font_substitutions([document], {**os.environ, "FONTCONFIG_FILE": str(pdf.FONT_CONFIG)}) == {
        "仿宋_GB2312": "Noto Serif CJK SC",
        "黑体": "Noto Sans CJK SC",
    }


STYLES_NAMING = """<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:styleId="A"><w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="{body}"/><w:lang w:eastAsia="zh-CN"/></w:rPr></w:style>
<w:style w:styleId="B"><w:rPr><w:rFonts w:eastAsia="{heading}"/></w:rPr></w:style>
</w:styles>"""
