"""The fast paths give exactly what the plain paths give.

* the renderer: ``render_document`` (a template compiled once per process)
  against the oracle (``oracle.render_with_docxtpl``: docxtpl as a user would
  run it), byte for byte, for every example document and for templates with
  headers, footers, footnotes, pictures, rebuilt tables, tabs and line breaks,
  templated document properties and no core properties part;
* the steps it does its own way: docxtpl's table fix, listing resolution and
  zip writing;
* the reader: libyaml with ruamel.yaml's rules against ruamel.yaml alone
  (data, positions, messages), for the examples and for thousands of mutated
  files;
* the build: sources skipped unread when nothing changed, and the same
  documents and messages from worker processes as from one process.
"""

from __future__ import annotations

import base64
import io
import json
import random
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from lxml import etree
from oracle import render_with_docxtpl
from perfdoc.testing.workspace import BROKEN_TOTAL, run, write_source
from perfdoc.testing.workspace import make_template as _make_template

import perfdoc.build.cache
import perfdoc.build.parallel
from perfdoc.build.rendering import template_context
from perfdoc.load.loader import load_text
from perfdoc.render import engine, package
from perfdoc.render.package import CoreProperties
from perfdoc.render.problems import TemplateProblemError
from perfdoc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "sources").rglob("*.yaml"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def make_template(path: Path, *paragraphs: str) -> Path:
    _make_template(path, *paragraphs)
    return path


def fast(template: Path, context: dict, properties: CoreProperties | None = None, strict: bool = False) -> bytes:
    return engine.render_document(template, context, properties, strict=strict)


def reference(template: Path, context: dict, properties: CoreProperties | None = None) -> bytes:
    return render_with_docxtpl(template, context, properties)


# ---------------------------------------------------------------- the renderer


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_document_is_byte_identical(source):
    checked = check_file(source)
    assert not checked.errors
    for document in checked.analysis.format.documents:
        properties = CoreProperties.for_source(checked.analysis.model, document.title)
        expected = reference(document.template, template_context(checked.analysis), properties)
        assert fast(document.template, template_context(checked.analysis), properties) == expected, document.name
        assert fast(document.template, template_context(checked.analysis), properties) == expected  # compiled, kept


def rich_template(path: Path, *, core: bool = True) -> Path:
    """A template with what the example templates lack: header, footer, pictures, a table docxtpl rebuilds."""
    picture = path.parent / "pixel.png"
    picture.write_bytes(PNG)
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉 {{ 部门.名称 }}"
    section.header.add_paragraph().add_run().add_picture(str(picture))
    section.footer.paragraphs[0].text = "{{ 年度 }} 年 · 第 {{ 页码 | default('') }} 页"
    document.add_paragraph("{{ 部门.名称 }}\t{{ 说明 }}")
    document.add_paragraph("{{p 叙述.存在问题|段落 }}")
    document.add_paragraph().add_run().add_picture(str(picture))
    document.add_paragraph("{{r 部门.名称|行内 }} 与 {{ 多行 }}")
    table = document.add_table(rows=4, cols=3)
    for column, text in enumerate(["{%tc for x in 列 %}", "{{ x }}", "{%tc endfor %}"]):
        table.cell(0, column).text = text
    table.cell(1, 0).text = "{%tr for 行 in 表 %}"
    for column, text in enumerate(["{{ 行.名 }}", "{{ 行.值 }}", "固定"]):
        table.cell(2, column).text = text
    table.cell(3, 0).text = "{%tr endfor %}"
    document.add_paragraph().add_run().add_picture(str(picture))
    document.core_properties.title = "{{ 部门.名称 }}的标题"
    document.core_properties.subject = "{{ 年度 }}"
    document.save(path)
    if not core:
        _without_core_properties(path)
    return path


def _without_core_properties(path: Path) -> None:
    with zipfile.ZipFile(path) as package_in:
        parts = {info.filename: package_in.read(info) for info in package_in.infolist()}
    del parts["docProps/core.xml"]
    parts["_rels/.rels"] = re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", parts["_rels/.rels"])
    parts["[Content_Types].xml"] = re.sub(rb"<Override [^>]*docProps/core.xml[^>]*/>", b"", parts["[Content_Types].xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package_out:
        for name, data in parts.items():
            package_out.writestr(name, data)


def rich_context(seed: int) -> dict:
    rng = random.Random(seed)
    return {
        "部门": {"名称": rng.choice(["甲部门", "乙 & <部门>", "丙部门"])},
        "年度": 2020 + seed,
        "说明": "第一行\n第二行\t之后",
        "多行": "a\nb" if seed % 2 else "一行",
        "叙述": {"存在问题": "1. 第一条\n2. **第二条**\n\n# 标题"},
        "列": [f"列{i}" for i in range(rng.randint(0, 5))],
        "表": [{"名": f"名{i}", "值": i} for i in range(rng.randint(0, 4))],
    }


@pytest.mark.parametrize("core", [True, False], ids=["core-properties", "no-core-properties"])
def test_headers_footers_pictures_and_rebuilt_tables_are_byte_identical(tmp_path, core):
    template = rich_template(tmp_path / "模板.docx", core=core)
    for seed in range(6):
        context = rich_context(seed)
        properties = CoreProperties(title=f"标题{seed}")
        assert fast(template, context, properties) == reference(template, context, properties), seed
    names = zipfile.ZipFile(io.BytesIO(fast(template, rich_context(1)))).namelist()
    assert any(name.startswith("word/header") for name in names) and any(name.startswith("word/footer") for name in names)
    assert any(name.startswith("word/media/") for name in names)


def test_a_template_that_changes_its_context_gets_its_own(tmp_path):
    template = make_template(tmp_path / "t.docx", "{% set _ = 表.append(1) %}{{ 表|length }}")
    plain = make_template(tmp_path / "p.docx", "{{ 表|length }}")
    assert not engine.shares_context(template) and engine.shares_context(plain)
    assert not engine.shares_context(tmp_path / "missing.docx")


def test_errors_are_records_naming_the_template_part_and_tag(tmp_path):
    broken = make_template(tmp_path / "坏.docx", "{{ 部门.名称 | }}")
    unknown = make_template(tmp_path / "名.docx", "{{ 预箅.合计 }}")
    context = {"部门": {"名称": "x"}}
    with pytest.raises(TemplateProblemError) as caught:
        engine.render_document(broken, context)
    problem = caught.value.problem
    assert (problem.code, problem.part, problem.tag) == ("syntax", "word/document.xml", "{{ 部门.名称 | }}")
    assert problem.template.endswith("坏.docx")
    with pytest.raises(TemplateProblemError) as caught:
        engine.render_document(unknown, context, strict=True)
    assert (caught.value.problem.code, caught.value.problem.names) == ("unknown-names", ("预箅",))
    assert engine.undefined_names(unknown, context) == ["预箅"]


def footnoted_template(path: Path, sections: int) -> Path:
    """A template with a footnotes part (python-docx cannot add one: written into the package by hand)."""
    document = docx.Document()
    document.add_paragraph("{{ 部门.名称 }}")
    for _ in range(sections - 1):
        document.add_section()
    document.save(path)
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W}">'
        '<w:footnote w:id="1"><w:p><w:r><w:t>注：{{ 年度 }} 年{{ 部门.名称 }}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    ).encode()
    with zipfile.ZipFile(path) as package_in:
        parts = {info.filename: package_in.read(info) for info in package_in.infolist()}
    parts["word/footnotes.xml"] = footnotes
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.footnotes+xml"/></Types>',
    )
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/footnotes" Target="footnotes.xml"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package_out:
        for name, data in parts.items():
            package_out.writestr(name, data)
    return path


@pytest.mark.parametrize("sections", [1, 2])
def test_footnotes_are_rendered_as_docxtpl_renders_them(tmp_path, sections):
    template = footnoted_template(tmp_path / "脚注.docx", sections)
    context = {"部门": {"名称": "甲 & 乙"}, "年度": 2023}
    rendered = fast(template, context)
    assert rendered == reference(template, context)
    with zipfile.ZipFile(io.BytesIO(rendered)) as package_out:
        assert "注：2023 年甲 &amp; 乙" in package_out.read("word/footnotes.xml").decode()


# ---------------------------------------------------------------- the steps done differently


def _table_xml(rng: random.Random) -> str:
    def cell(span: int) -> str:
        properties = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else rng.choice(["", "<w:tcPr/>"])
        inner = _table(depth=1) if rng.random() < 0.1 else ""
        return f"<w:tc>{properties}<w:p/>{inner}</w:tc>"

    def _table(depth: int = 0) -> str:
        columns = "".join(f'<w:gridCol w:w="{rng.randint(500, 3000)}"/>' for _ in range(rng.randint(1, 5)))
        rows = "".join(
            "<w:tr>" + "".join(cell(rng.choice([1, 1, 1, 2, 3])) for _ in range(rng.randint(0, 7))) + "</w:tr>"
            for _ in range(rng.randint(1, 4))
        )
        return f"<w:tbl><w:tblGrid>{columns}</w:tblGrid>{rows}</w:tbl>"

    return f'<w:body xmlns:w="{W}">' + "".join(_table() for _ in range(rng.randint(1, 3))) + "</w:body>"


def test_table_fix_is_docxtpls():
    rng = random.Random(7)
    for _ in range(300):
        xml = _table_xml(rng)
        expected = etree.tostring(DocxTemplate.fix_tables(None, xml))
        tree = etree.fromstring(xml)
        engine._fix_tables(tree)
        assert etree.tostring(tree) == expected, xml


def test_listing_resolution_is_docxtpls():
    rng = random.Random(11)
    pieces = ["<w:p>", "<w:p w:x='1'>", "</w:p>", "<w:r>", "</w:r>", "<w:rPr><w:b/></w:rPr>", "<w:pPr/>", "<w:t>",
              '<w:t xml:space="preserve">', "<w:t/>", "</w:t>", "<w:tab/>", "文字", "a", "\n", "\t", "\a", "\f", " "]
    for _ in range(3000):
        xml = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        expected = DocxTemplate.resolve_listing(None, xml)
        might_change = any(c in xml for c in "\n\t\a\f") and engine._LISTING_IN_TEXT.search(xml)
        assert (engine._resolve_listing(xml) if might_change else xml) == expected, repr(xml)


def test_zip_writer_is_zipfiles():
    rng = random.Random(3)
    for _ in range(50):
        parts = {
            name: bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000))) * rng.randint(1, 3)
            for name in rng.sample(["[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/媒体/图.png",
                                    "docProps/app.xml", "customXml/item1.xml", "z.bin"], rng.randint(1, 7))
        }
        order = package.entry_order(parts)
        ready = {name: package.deflate(data) for name, data in parts.items() if rng.random() < 0.5}
        fresh = {name: data for name, data in parts.items() if name not in ready}
        assert package.zip_parts(order, ready, fresh) == package._zip(parts)


# ---------------------------------------------------------------- the reader


def _same_reading(text: str, path: str = "x.yaml") -> bool:
    (fast_source, fast_found), (slow_source, slow_found) = load_text(text, path), load_text(text, path, fast=False)

    def diagnostics(found):
        return [(d.code, d.message, d.severity, d.path, d.location) for d in found]

    if diagnostics(fast_found) != diagnostics(slow_found):
        return False
    if fast_source is None or slow_source is None:
        return fast_source is slow_source
    return (
        repr(fast_source.data) == repr(slow_source.data)
        and list(fast_source.positions.items()) == list(slow_source.positions.items())
        and list(fast_source.key_positions.items()) == list(slow_source.key_positions.items())
    )


@pytest.mark.parametrize("line_break", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_every_example_reads_the_same_and_the_fast_way(line_break):
    from perfdoc.load.loader import _DECLINED, _fast_read

    for path in [*EXAMPLES, *sorted((REPO / "templates").rglob("format.yaml"))]:
        text = path.read_text(encoding="utf-8").replace("\n", line_break)
        assert _fast_read(text) is not _DECLINED, path  # the happy path takes real files
        assert _same_reading(text, str(path)), path


def test_mutated_files_read_the_same():
    """Slips a person makes (stray characters, indentation, joined lines) and YAML's odd corners."""
    rng = random.Random(20240611)
    texts = [path.read_text(encoding="utf-8") for path in EXAMPLES]
    atoms = ["a", "键", ": ", ":", "-", "- ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "&x", "*x", "!!str", "!",
             "?", "|", "|-", "|+", ">", ">2", "%", "---", "...", "\\n", "\\", "\t", "\r", "\x85", "\u2028", "\ufeff",
             "yes", "no", "0o17", "017", "1_000", ".inf", "~", "null", "2023-02-30", "12:30", "😀", "\n", "  ", "\r\n",
             "\u3000", "\u00a0", "：", "－", "１２"]
    for _ in range(300):
        text = rng.choice(texts)
        if rng.random() < 0.2:
            text = text.replace("\n", "\r\n")
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            kind = rng.random()
            if kind < 0.5:
                text = text[:at] + rng.choice(atoms) + text[at:]
            elif kind < 0.7:
                text = text[:at] + text[at + rng.randint(1, 6):]
            elif kind < 0.85:
                lines = text.split("\n")
                index = rng.randrange(len(lines))
                lines[index] = " " * rng.randint(1, 3) + lines[index]
                text = "\n".join(lines)
            else:
                text = text.rstrip("\n") if rng.random() < 0.5 else text + rng.choice(["key:", "key:\n", "- x"])
        assert _same_reading(text), repr(text)


def test_positions_are_computed_when_asked_for():
    text = "预算:\n  年初预算: 643.450\n  调整数:\n"  # an empty value: positions from the reference reader
    source = load_text(text).source
    assert source._positions is None
    assert source.positions[("预算", "调整数")] == load_text(text, fast=False).source.positions[("预算", "调整数")]


# ---------------------------------------------------------------- the build


def outputs(root: Path, out: str = "build") -> dict[str, bytes]:
    return {p.relative_to(root / out).as_posix(): p.read_bytes() for p in sorted((root / out).rglob("*.docx"))}


def test_unchanged_sources_are_skipped_without_being_validated(workspace, monkeypatch):
    write_source(workspace, "丙部门", extra="  实际支出:\n    一般公共预算: 500\n")  # over budget: a warning
    first = run("build", "--jobs", "1")
    assert first.exit_code == 0 and "生成 6，跳过 0" in first.stdout
    assert "丙部门/2022.yaml：有 1 个警告" in first.stderr

    def no_validation(*args, **kwargs):
        raise AssertionError("validated an unchanged source")

    monkeypatch.setattr("perfdoc.pipeline.check_file", no_validation)
    again = run("build", "--jobs", "1")
    assert again.exit_code == 0 and "生成 0，跳过 6，失败 0" in again.stdout
    assert again.stderr == first.stderr


@pytest.mark.parametrize(
    "change",
    ["source", "template", "format", "previous", "output", "output-same-size", "cache", "templates-folder"],
)
def test_what_makes_a_source_be_looked_at_again(workspace, monkeypatch, change):
    assert run("build", "--jobs", "1").exit_code == 0
    before = outputs(workspace)
    expected = {"source": 2, "template": 2, "format": 4, "previous": 2, "output": 1, "output-same-size": 1,
                "cache": 0, "templates-folder": 0}[change]
    if change == "source":
        write_source(workspace, "甲部门", budget=300)
    elif change == "template":
        make_template(workspace / "templates/testfmt/表.docx", "新表 {{ 部门.名称 }}", "{{ 年度 }}")
    elif change == "format":
        config = workspace / "templates/testfmt/format.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("标题: 测试表", "标题: 新测试表"), encoding="utf-8")
    elif change == "previous":
        write_source(workspace, "甲部门", year=2021)  # last year's file appears: an input of 2022's documents
    elif change == "output":
        (workspace / "build/testfmt/甲部门/2022/甲部门2022年度测试表.docx").write_bytes(b"edited")
    elif change == "output-same-size":
        target = workspace / "build/testfmt/甲部门/2022/甲部门2022年度测试表.docx"
        data = bytearray(target.read_bytes())
        data[-30] ^= 1
        target.write_bytes(bytes(data))
    elif change == "cache":
        (workspace / "build" / perfdoc.build.cache.CACHE).write_text("{不是 JSON", encoding="utf-8")
    elif change == "templates-folder":
        shutil.copytree(workspace / "templates", workspace / "templates2")
        monkeypatch.setenv("PERFDOC_TEMPLATES", str(workspace / "templates2"))
    result = run("build", "--jobs", "1")
    assert result.exit_code == 0, result.output
    generated = int(re.search(r"生成 (\d+)", result.stdout).group(1))
    if change == "previous":
        generated -= 2  # 2021's own two documents
    assert generated == expected
    if change in ("output", "output-same-size"):  # the edited file is kept, the document written beside it
        edited = "testfmt/甲部门/2022/甲部门2022年度测试表.docx"
        after = outputs(workspace)
        assert after.pop("testfmt/甲部门/2022/甲部门2022年度测试表（新生成）.docx") == before[edited]
        assert after.pop(edited) != before.pop(edited)
        assert after == before
    if change in ("cache", "templates-folder"):
        assert outputs(workspace) == before


def test_a_refused_source_is_looked_at_until_it_is_fixed(workspace):
    assert run("build", "--jobs", "1").exit_code == 0
    write_source(workspace, "甲部门", extra=BROKEN_TOTAL)
    for _ in range(2):
        result = run("build", "--jobs", "1")
        assert result.exit_code == 1 and "PD201" in result.stderr and "失败 2" in result.stdout
    write_source(workspace, "甲部门")
    assert "生成 0，跳过 4，失败 0" in run("build", "--jobs", "1").stdout  # the old documents are the right ones again


def test_workers_give_the_same_documents_messages_and_manifest(workspace, monkeypatch):
    for index in range(6):
        write_source(workspace, f"部门{index}", budget=100 + index, extra=BROKEN_TOTAL if index == 3 else "")
    make_template(workspace / "templates/testfmt/报告.docx", "{{ 部门.名称 }}", "{{ 预箅.合计 }}", "{{p 叙述.存在问题|段落 }}")
    monkeypatch.setattr(perfdoc.build.parallel, "ITEMS_PER_WORKER", 1)
    one = run("build", "--jobs", "1", "--out", "one")
    two = run("build", "--jobs", "2", "--out", "two")
    assert one.exit_code == two.exit_code == 1
    assert one.stderr == two.stderr and "PD201" in one.stderr and "预箅" in one.stderr
    assert outputs(workspace, "one") == outputs(workspace, "two")
    manifests = [json.loads((workspace / out / "manifest.json").read_text(encoding="utf-8")) for out in ("one", "two")]
    assert manifests[0] == manifests[1]
    assert re.sub(r"用时 [\d.]+ 秒；文档在 \w+/", "", one.stdout) == re.sub(r"用时 [\d.]+ 秒；文档在 \w+/", "", two.stdout)


def test_build_output_is_the_reference_renderers(workspace):
    assert run("build", "--jobs", "1").exit_code == 0
    for path, data in outputs(workspace).items():
        _fmt, department, year, name = path.split("/")
        checked = check_file(workspace / "sources" / "testfmt" / department / f"{year}.yaml")
        document = checked.analysis.format.document(name[len(f"{department}{year}年度测试"): -len(".docx")])
        properties = CoreProperties.for_source(checked.analysis.model, document.title)
        assert data == reference(document.template, template_context(checked.analysis), properties)
