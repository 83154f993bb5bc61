"""The same source and template give byte-identical .docx files, whenever and wherever rendered."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
from lxml import etree
from perfdoc.testing.workspace import write_source

from perfdoc.build.rendering import render_output
from perfdoc.render.package import CoreProperties, reproducible

REPO = Path(__file__).resolve().parent.parent
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"

RENDER_AND_HASH = (
    "import hashlib, sys; from pathlib import Path; from perfdoc.build.rendering import render_output; "
    "print(hashlib.sha256(render_output(Path(sys.argv[1]), sys.argv[2])).hexdigest())"
)


def digest_in_fresh_process(root: Path, source: str, document: str, tz: str, hash_seed: str) -> str:
    env = {
        **os.environ,
        "TZ": tz,
        "PYTHONHASHSEED": hash_seed,
        "PERFDOC_TEMPLATES": str(root / "templates"),
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, "-c", RENDER_AND_HASH, source, document],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_same_bytes_in_separate_processes_and_time_zones(workspace):
    source = "sources/testfmt/甲部门/2022.yaml"
    for document in ("表", "报告"):
        utc = digest_in_fresh_process(workspace, source, document, "UTC", "1")
        shanghai = digest_in_fresh_process(workspace, source, document, "Asia/Shanghai", "2")
        assert utc == shanghai


def entries(data: bytes) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def test_zip_entries_have_fixed_order_times_and_attributes(workspace):
    data = render_output(Path("sources/testfmt/甲部门/2022.yaml"), "表")
    infos = entries(data)
    names = [info.filename for info in infos]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert names[2:] == sorted(names[2:])
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert (info.create_system, info.external_attr) == (3, 0o644 << 16)


def core_properties(data: bytes) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml"))


def test_document_properties_come_from_the_data(workspace):
    source = write_source(workspace, "甲部门")
    source.write_text(source.read_text(encoding="utf-8") + "报告:\n  报告日期: 2023-03-27\n", encoding="utf-8")
    core = core_properties(render_output(source, "报告"))
    for name in ("created", "modified"):
        element = core.find(f"{{{DCTERMS}}}{name}")
        assert element.text == "2023-03-27T00:00:00Z"
        assert element.get(f"{{{XSI}}}type").endswith(":W3CDTF")
    assert core.findtext(f"{{{CP}}}revision") == "1"
    assert core.findtext(f"{{{CP}}}lastModifiedBy") == "perfdoc"
    assert core.findtext(f"{{{DC}}}title") == "测试报告"


def test_without_report_date_the_document_is_dated_at_the_years_end(workspace):
    core = core_properties(render_output(Path("sources/testfmt/甲部门/2022.yaml"), "表"))
    assert core.findtext(f"{{{DCTERMS}}}created") == "2022-12-31T00:00:00Z"
    assert core.findtext(f"{{{DC}}}title") == "测试表"


def with_session_details(data: bytes) -> bytes:
    """A .docx as an office suite leaves it: printed, edited for a while, on some company's machine."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/app.xml":
                session = b"<TotalTime>42</TotalTime><Pages>3</Pages><Company>Some Office</Company>"
                content = content.replace(b"</Properties>", session + b"</Properties>")
            if info.filename == "docProps/core.xml":
                printed = b"<cp:lastPrinted>2024-05-06T07:08:09Z</cp:lastPrinted>"
                content = content.replace(b"</cp:coreProperties>", printed + b"</cp:coreProperties>")
            target.writestr(info.filename, content)
    return out.getvalue()


def test_session_and_machine_details_are_removed(tmp_path):
    path = tmp_path / "plain.docx"
    docx.Document().save(path)
    data = reproducible(with_session_details(path.read_bytes()), CoreProperties(title="标题"))
    package = zipfile.ZipFile(io.BytesIO(data))
    app = etree.fromstring(package.read("docProps/app.xml"))
    for name in ("TotalTime", "Pages", "Company"):
        assert app.find(f"{{{EP}}}{name}") is None
    core = etree.fromstring(package.read("docProps/core.xml"))
    assert core.find(f"{{{CP}}}lastPrinted") is None
    assert core.findtext(f"{{{DCTERMS}}}modified") == "1980-01-01T00:00:00Z"


def test_reproducible_is_idempotent(workspace):
    data = render_output(Path("sources/testfmt/甲部门/2022.yaml"), "表")
    assert reproducible(data, CoreProperties(title="测试表", date=dt.date(2022, 12, 31))) == data
