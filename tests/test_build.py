"""``perfdoc build`` and ``perfdoc render``: paths, manifest, skipping, refusals, PDFs."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from conftest import REPO
from perfdoc.cli import main
from perfdoc.render.extract import document_text

FORMAT_YAML = """\
名称: testfmt
基于: national
说明: 测试格式
文档:
  - 名称: 表
    模板: 表.docx
    标题: 测试表
  - 名称: 报告
    模板: 报告.docx
    标题: 测试报告
等次:
  - {名称: 优, 最低分: 90}
  - {名称: 差, 最低分: 0}
评分:
  总分: 100
必需章节: []
必需数据: []
"""

SOURCE = """\
格式: testfmt
年度: {year}
部门:
  名称: {department}
预算:
  年初预算: {budget}
  调整数: 10
叙述:
  存在问题: |
    1. 第一条
    2. 第二条
"""

BROKEN_TOTAL = "  调整后预算: 999\n"  # PD201: the stated total disagrees with its parts


def make_template(path: Path, *paragraphs: str) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)


def write_source(root: Path, department: str, year: int = 2022, budget: int = 100, extra: str = "") -> Path:
    path = root / "sources" / "testfmt" / department / f"{year}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = SOURCE.format(year=year, department=department, budget=budget)
    path.write_text(text.replace("  调整数: 10\n", "  调整数: 10\n" + extra), encoding="utf-8")
    return path


def make_workspace(root: Path) -> Path:
    """A working folder with a two-document format and two departments' sources."""
    fmt = root / "templates" / "testfmt"
    fmt.mkdir(parents=True)
    shutil.copytree(REPO / "templates" / "national", root / "templates" / "national")  # the default formulas
    (fmt / "format.yaml").write_text(FORMAT_YAML, encoding="utf-8")
    make_template(fmt / "表.docx", "{{ 部门.名称 }}{{ 年度 }}年度", "调整后预算 {{ 预算.调整后预算|万元 }}")
    make_template(fmt / "报告.docx", "{{ 部门.名称 }}", "{{p 叙述.存在问题|段落 }}")
    write_source(root, "甲部门")
    write_source(root, "乙部门")
    return root


def run(*args):
    return CliRunner().invoke(main, list(args))


def build(*args):
    return run("build", "--jobs", "1", *args)


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "build").as_posix(): p.read_bytes() for p in sorted((root / "build").rglob("*.docx"))}


def stamps(root: Path) -> dict[str, int]:
    """Modification times: a skipped document is not even rewritten."""
    return {p.relative_to(root / "build").as_posix(): p.stat().st_mtime_ns for p in (root / "build").rglob("*.docx")}


EXPECTED = [
    "testfmt/乙部门/2022/报告.docx",
    "testfmt/乙部门/2022/表.docx",
    "testfmt/甲部门/2022/报告.docx",
    "testfmt/甲部门/2022/表.docx",
]


def test_build_writes_documents_and_manifest(workspace):
    result = build()
    assert result.exit_code == 0, result.output
    assert "生成 4，跳过 0，失败 0，用时" in result.stdout
    produced = outputs(workspace)
    assert sorted(produced) == EXPECTED
    assert "甲部门2022年度" in document_text(produced["testfmt/甲部门/2022/表.docx"])
    assert "2. 第二条" in document_text(produced["testfmt/甲部门/2022/报告.docx"])
    manifest = json.loads((workspace / "build" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == EXPECTED
    entry = manifest["outputs"]["testfmt/甲部门/2022/表.docx"]
    assert entry["output"] == hashlib.sha256(produced["testfmt/甲部门/2022/表.docx"]).hexdigest()
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
    assert changed == {"testfmt/甲部门/2022/报告.docx", "testfmt/甲部门/2022/表.docx"}
    assert "210.00" in document_text(workspace / "build/testfmt/甲部门/2022/表.docx")


def test_changing_a_template_rebuilds_its_documents(workspace):
    build()
    make_template(workspace / "templates/testfmt/表.docx", "新表 {{ 部门.名称 }}")
    assert "生成 2，跳过 2" in build().stdout
    assert document_text(workspace / "build/testfmt/乙部门/2022/表.docx") == "新表 乙部门\n"


def test_last_years_source_is_an_input(workspace):
    write_source(workspace, "甲部门", year=2021)
    build()
    write_source(workspace, "甲部门", year=2021, budget=300)
    result = build()
    # 2021's own documents and 2022's, which may quote last year's figures
    assert "生成 4，跳过 2" in result.stdout


def test_edited_or_deleted_output_is_rebuilt(workspace):
    build()
    original = outputs(workspace)
    (workspace / "build/testfmt/甲部门/2022/表.docx").write_bytes(b"edited")
    (workspace / "build/testfmt/乙部门/2022/表.docx").unlink()
    assert "生成 2，跳过 2" in build().stdout
    assert outputs(workspace) == original


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
    assert sorted(outputs(workspace)) == ["testfmt/甲部门/2022/表.docx"]


def test_render_named_document_to_a_chosen_file(workspace):
    result = run("render", "sources/testfmt/甲部门/2022.yaml", "--doc", "报告", "-o", "out/x.docx")
    assert result.exit_code == 0, result.output
    assert "2. 第二条" in document_text(workspace / "out/x.docx")


def test_render_gives_the_same_bytes_as_build(workspace):
    run("render", "sources/testfmt/甲部门/2022.yaml", "-o", "single.docx")
    build()
    assert (workspace / "single.docx").read_bytes() == (workspace / "build/testfmt/甲部门/2022/表.docx").read_bytes()


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
    report = workspace / "build/testfmt/甲部门/2022/报告.pdf"
    assert report.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True).stdout
        assert "甲部门" in text and "第二条" in text
    times = {p: p.stat().st_mtime_ns for p in pdfs}
    again = build("--pdf").stdout
    assert "跳过 4" in again and "PDF" not in again
    assert {p: p.stat().st_mtime_ns for p in pdfs} == times  # up-to-date PDFs are not converted again
