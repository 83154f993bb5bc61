"""``perfdoc build`` and ``perfdoc render``: paths, manifest, skipping, refusals, PDFs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from perfdoc.render.extract import document_text
from perfdoc.testing.workspace import BROKEN_TOTAL, make_template, run, write_source

def build(*args):
    return run("build", "--jobs", "1", *args)


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "build").as_posix(): p.read_bytes() for p in sorted((root / "build").rglob("*.docx"))}


def stamps(root: Path) -> dict[str, int]:
    """Modification times: a skipped document is not even rewritten."""
    return {p.relative_to(root / "build").as_posix(): p.stat().st_mtime_ns for p in (root / "build").rglob("*.docx")}


EXPECTED = [
    "testfmt/乙部门/2022/乙部门2022年度测试报告.docx",
    "testfmt/乙部门/2022/乙部门2022年度测试表.docx",
    "testfmt/甲部门/2022/甲部门2022年度测试报告.docx",
    "testfmt/甲部门/2022/甲部门2022年度测试表.docx",
]


def test_build_writes_documents_and_manifest(workspace):
    result = build()
    assert result.exit_code == 0, result.output
    assert "生成 4，跳过 0，失败 0，用时" in result.stdout
    produced = outputs(workspace)
    assert sorted(produced) == EXPECTED
    assert "甲部门2022年度" in document_text(produced["testfmt/甲部门/2022/甲部门2022年度测试表.docx"])
    assert "2. 第二条" in document_text(produced["testfmt/甲部门/2022/甲部门2022年度测试报告.docx"])
    manifest = json.loads((workspace / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == EXPECTED
    entry = manifest["outputs"]["testfmt/甲部门/2022/甲部门2022年度测试表.docx"]
    assert entry["output"] == hashlib.sha256(produced["testfmt/甲部门/2022/甲部门2022年度测试表.docx"]).hexdigest()
    assert entry["source"] == "sources/testfmt/甲部门/2022.yaml"
    assert len(entry["inputs"]) == 64


def test_manifest_is_deterministic(workspace):
    build()
    first = (workspace / "build" / "manifest.json").read_bytes()
    assert build("--force").exit_code == 0
    assert (workspace / "build" / "manifest.json").read_bytes() == first
    text = first.decode("utf-8")
    assert json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True) + "\n" == text


def test_second_build_skips_everything(workspace):
    build()
    before, times = outputs(workspace), stamps(workspace)
    result = build()
    assert result.exit_code == 0
    assert "生成 0，跳过 4，失败 0" in result.stdout
    assert outputs(workspace) == before and stamps(workspace) == times


def test_changing_one_source_rebuilds_only_its_documents(workspace):
    build()
    times = stamps(workspace)
    write_source(workspace, "甲部门", budget=200)
    result = build()
    assert "生成 2，跳过 2，失败 0" in result.stdout
    changed = {key for key, stamp in stamps(workspace).items() if stamp != times[key]}
    assert changed == {"testfmt/甲部门/2022/甲部门2022年度测试报告.docx", "testfmt/甲部门/2022/甲部门2022年度测试表.docx"}
    assert "210.00" in document_text(workspace / "build/testfmt/甲部门/2022/甲部门2022年度测试表.docx")


def test_changing_a_template_rebuilds_its_documents(workspace):
    build()
    make_template(workspace / "templates/testfmt/表.docx", "新表 {{ 部门.名称 }}")
    assert "生成 2，跳过 2" in build().stdout
    assert document_text(workspace / "build/testfmt/乙部门/2022/乙部门2022年度测试表.docx") == "新表 乙部门\n"


def test_last_years_source_is_an_input(workspace):
    write_source(workspace, "甲部门", year=2021)
    build()
    write_source(workspace, "甲部门", year=2021, budget=300)
    result = build()
    # 2021's own documents and 2022's, which may quote last year's figures
    assert "生成 4，跳过 2" in result.stdout


def test_deleted_output_is_rebuilt(workspace):
    build()
    original = outputs(workspace)
    (workspace / "build/testfmt/乙部门/2022/乙部门2022年度测试表.docx").unlink()
    assert "生成 1，跳过 3" in build().stdout
    assert outputs(workspace) == original


HAND_EDITED = "build/testfmt/甲部门/2022/甲部门2022年度测试表.docx"
BESIDE = "build/testfmt/甲部门/2022/甲部门2022年度测试表（新生成）.docx"


def test_output_edited_by_hand_is_kept_and_the_new_one_written_beside_it(workspace):
    build()
    original = outputs(workspace)["testfmt/甲部门/2022/甲部门2022年度测试表.docx"]
    (workspace / HAND_EDITED).write_bytes(b"edited in Word")
    result = build()
    assert result.exit_code == 0, result.output
    assert "生成 1，跳过 3" in result.stdout
    assert (workspace / HAND_EDITED).read_bytes() == b"edited in Word"
    assert (workspace / BESIDE).read_bytes() == original
    assert f"{HAND_EDITED} 与 perfdoc 上次写入的不同（可能被手工修改），已保留；新文档写入 {BESIDE}" in result.stderr
    # still kept, and said again, until the user decides
    again = build()
    assert (workspace / HAND_EDITED).read_bytes() == b"edited in Word"
    assert "已保留" in again.stderr


def test_force_overwrites_an_output_edited_by_hand(workspace):
    build()
    original = outputs(workspace)
    (workspace / HAND_EDITED).write_bytes(b"edited in Word")
    assert "生成 4，跳过 0" in build("--force").stdout
    assert outputs(workspace) == original


def test_a_file_perfdoc_did_not_write_is_kept(workspace):
    foreign = workspace / HAND_EDITED
    foreign.parent.mkdir(parents=True)
    foreign.write_bytes(b"someone else's")
    result = build()
    assert result.exit_code == 0, result.output
    assert foreign.read_bytes() == b"someone else's"
    assert (workspace / BESIDE).is_file()


def test_closing_line_names_the_output_folder(workspace):
    assert build("--out", "出版").stdout.strip().endswith("文档在 出版/")


def test_force_rebuilds_everything(workspace):
    build()
    original = outputs(workspace)
    assert "生成 4，跳过 0" in build("--force").stdout
    assert outputs(workspace) == original


def test_source_with_errors_is_refused_and_its_old_output_kept(workspace):
    build()
    original = outputs(workspace)
    times = stamps(workspace)
    write_source(workspace, "甲部门", extra=BROKEN_TOTAL)
    result = build()
    assert result.exit_code == 1
    assert "生成 0，跳过 2，失败 2" in result.stdout
    assert "sources/testfmt/甲部门/2022.yaml:" in result.stderr and "PD201" in result.stderr
    assert "未生成文档" in result.stderr
    assert outputs(workspace) == original and stamps(workspace) == times


def test_refused_source_does_not_stop_the_others(workspace):
    write_source(workspace, "甲部门", extra=BROKEN_TOTAL)
    result = build()
    assert result.exit_code == 1
    assert sorted(outputs(workspace)) == [key for key in EXPECTED if "乙部门" in key]


def test_build_of_named_paths_only(workspace):
    result = build("sources/testfmt/乙部门")
    assert result.exit_code == 0
    assert sorted(outputs(workspace)) == [key for key in EXPECTED if "乙部门" in key]


def test_broken_template_fails_its_documents_only(workspace):
    make_template(workspace / "templates/testfmt/报告.docx", "{{ 部门.名称 | }}")
    result = build()
    assert result.exit_code == 1
    assert "生成 2，跳过 0，失败 2" in result.stdout
    assert "templates/testfmt/报告.docx: PD902 第 1 段“{{ 部门.名称 | }}”" in result.stderr  # check-format's message
    assert sorted(outputs(workspace)) == [key for key in EXPECTED if key.endswith("表.docx")]


def test_template_naming_an_unknown_name_is_warned_about(workspace):
    make_template(workspace / "templates/testfmt/表.docx", "{{ 预箅.合计 }}")
    result = build()
    assert result.exit_code == 0
    assert "表.docx 引用了不存在的名称（显示为空白）：预箅" in result.stderr


def test_parallel_build_gives_the_same_bytes(workspace):
    assert run("build", "--jobs", "3", "--out", "parallel").exit_code == 0
    assert build().exit_code == 0
    sequential = outputs(workspace)
    (workspace / "build").rename(workspace / "sequential")
    (workspace / "parallel").rename(workspace / "build")
    assert outputs(workspace) == sequential


def test_render_writes_the_first_document_by_default(workspace):
    result = run("render", "sources/testfmt/甲部门/2022.yaml")
    assert result.exit_code == 0, result.output
    assert sorted(outputs(workspace)) == ["testfmt/甲部门/2022/甲部门2022年度测试表.docx"]


def test_render_named_document_to_a_chosen_file(workspace):
    result = run("render", "sources/testfmt/甲部门/2022.yaml", "--doc", "报告", "-o", "out/x.docx")
    assert result.exit_code == 0, result.output
    assert "2. 第二条" in document_text(workspace / "out/x.docx")


def test_render_gives_the_same_bytes_as_build(workspace):
    run("render", "sources/testfmt/甲部门/2022.yaml", "-o", "single.docx")
    build()
    assert (workspace / "single.docx").read_bytes() == (workspace / "build/testfmt/甲部门/2022/甲部门2022年度测试表.docx").read_bytes()


def test_render_refuses_a_source_with_errors(workspace):
    source = write_source(workspace, "甲部门", extra=BROKEN_TOTAL)
    result = run("render", str(source))
    assert result.exit_code == 1
    assert "PD201" in result.stderr
    assert not (workspace / "build").exists()


def test_render_unknown_document_name(workspace):
    result = run("render", "sources/testfmt/甲部门/2022.yaml", "--doc", "没有")
    assert result.exit_code == 1
    assert "没有名为“没有”的文档" in result.output


def test_pdf_without_libreoffice_says_how_to_install(workspace, monkeypatch):
    monkeypatch.setenv("PATH", str(workspace / "no-programs-here"))
    result = build("--pdf")
    assert result.exit_code == 1
    assert "apt-get install libreoffice-writer fonts-noto-cjk" in result.output
    assert not (workspace / "build").exists()


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_beside_each_document(workspace):
    result = build("--pdf")
    assert result.exit_code == 0, result.output
    assert "PDF 4 个" in result.stdout
    pdfs = sorted((workspace / "build").rglob("*.pdf"))
    assert [p.with_suffix(".docx").relative_to(workspace / "build").as_posix() for p in pdfs] == EXPECTED
    report = workspace / "build/testfmt/甲部门/2022/甲部门2022年度测试报告.pdf"
    assert report.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True).stdout
        assert "甲部门" in text and "第二条" in text
    times = {p: p.stat().st_mtime_ns for p in pdfs}
    again = build("--pdf").stdout
    assert "跳过 4" in again and "PDF" not in again
    assert {p: p.stat().st_mtime_ns for p in pdfs} == times  # up-to-date PDFs are not converted again
