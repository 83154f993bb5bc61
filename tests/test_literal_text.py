"""Text is printed exactly as typed: XML's special characters and full-width punctuation survive.

Every text and narrative field of two real sources (and the names of their
open maps: 实际支出 sources, 明细 items) gets a numbered marker and
``& < > " '`` plus full-width punctuation appended; every document of the
source is rendered with ``perfdoc render``; wherever a marker appears in the
document, the whole payload follows it, character for character, and the
document reopens in python-docx.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from perfdoc.cli import main
from perfdoc.render.diagnose import places
from perfdoc.render.extract import document_text
from perfdoc.load.schema import SOURCE_SCHEMA, iter_fields
from perfdoc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    "sources/hunan-linxiang/临湘市总工会/2022.yaml",
    "sources/guangzhou/广州市天河区总工会/2022.yaml",
]
PAYLOAD = "& < > \" '（＆＜＞＂＇，：；！？【】《》……——）"
# Fields whose value must be one of a fixed list: hostile text there is refused (tested below).
CLOSED = {("格式",), ("评分", "评价等次")}
MARKER_RE = re.compile(r"〔(\d+)〕")


@pytest.fixture(autouse=True)
def repo_templates(monkeypatch):
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(REPO / "templates"))


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, number spellings and block scalars kept
    yaml.width = 10**6
    return yaml


def _set(data, path: tuple, value) -> None:
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _appended(value, suffix: str):
    if isinstance(value, LiteralScalarString) or (isinstance(value, str) and "\n" in value.strip()):
        return LiteralScalarString(str(value).rstrip("\n") + suffix + "\n")
    return f"{value}{suffix}"


def hostile_copy(source: Path, target: Path, payload: str = PAYLOAD, kinds=("text", "markdown")) -> dict[str, tuple]:
    """``source`` with ``〔n〕`` + ``payload`` after every free-text value; returns marker number → path."""
    yaml = _yaml()
    data = yaml.load(source.read_text(encoding="utf-8"))
    narratives = "\n".join(str(v) for _, f, v in iter_fields(data) if f.kind == "markdown" and isinstance(v, str))
    markers: dict[str, tuple] = {}
    for path, field, value in list(iter_fields(data)):
        if path in CLOSED or isinstance(value, (dict, list, bool)) or value is None:
            continue
        if field.kind in kinds:
            markers[str(len(markers) + 1)] = path
            _set(data, path, _appended(value, f"〔{len(markers)}〕{payload}"))
        elif field.kind == "map" and field.open and isinstance(value, dict) and "text" in kinds:
            # an open map's keys are names the user types (资金来源, 明细 items) and documents print
            for key in list(value):
                if key in narratives or key in ("一般公共预算", "政府性基金"):
                    continue  # referenced by a narrative, or a fund the self-evaluation names
                markers[str(len(markers) + 1)] = path + (key,)
                renamed = f"{key}〔{len(markers)}〕{payload}"
                items = list(value.items())
                value.clear()
                for k, v in items:
                    value[renamed if k == key else k] = v
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return markers


def render_all(source: Path, out: Path) -> dict[str, bytes]:
    """Every document of ``source``, rendered by ``perfdoc render``."""
    checked = check_file(source)
    assert not checked.errors, [f"{d.code} {d.message}" for d in checked.errors]
    documents = {}
    for document in checked.analysis.format.documents:
        target = out / f"{document.name}.docx"
        result = CliRunner().invoke(main, ["render", str(source), "--doc", document.name, "-o", str(target)])
        assert result.exit_code == 0, result.output
        data = target.read_bytes()
        docx.Document(io.BytesIO(data))  # python-docx reopens it
        documents[document.name] = (document, data)
    return documents


def template_text(template: Path) -> str:
    return "\n".join(place.text for place in places(template))


@pytest.mark.parametrize("relative", SOURCES, ids=lambda s: s.split("/")[1])
def test_every_text_field_is_printed_literally(tmp_path, relative):
    source = tmp_path / relative
    markers = hostile_copy(REPO / relative, source)
    assert len(markers) > 20
    documents = render_all(source, tmp_path / "out")
    for name, (document, data) in documents.items():
        text = document_text(data)
        found = MARKER_RE.findall(text)
        assert found, name
        for match in MARKER_RE.finditer(text):
            following = text[match.end() : match.end() + len(PAYLOAD)]
            assert following == PAYLOAD, (name, markers[match.group(1)], following)
        assert "&amp;" not in text and "&lt;" not in text and "&gt;" not in text and "&#" not in text
        # every field the template prints by its own name, and every narrative it shows, is there
        used = template_text(document.template)
        shown = {number for number in found}
        for number, path in markers.items():
            if any(isinstance(step, int) for step in path):
                continue
            dotted = ".".join(path)
            if re.search(r"{{[pr]?\s*" + re.escape(dotted) + r"\s*[|}]", used):
                assert number in shown, (name, path)


@pytest.mark.parametrize("relative", SOURCES, ids=lambda s: s.split("/")[1])
def test_payload_survives_in_every_kind_of_place(tmp_path, relative):
    """Each piece of the payload alone, so a fault in one character is named."""
    for index, piece in enumerate(["&", "<", ">", '"', "'", "（＆＜＞＂＇）", "，：；！？", "【】《》", "……——"]):
        source = tmp_path / str(index) / relative
        markers = hostile_copy(REPO / relative, source, payload=piece + "。")
        for name, (_document, data) in render_all(source, tmp_path / str(index) / "out").items():
            text = document_text(data)
            for match in MARKER_RE.finditer(text):
                assert text[match.end() : match.end() + len(piece) + 1] == piece + "。", (name, piece, markers[match.group(1)])


def test_braces_in_plain_text_fields_are_printed_as_typed(tmp_path):
    relative = SOURCES[1]
    source = tmp_path / relative
    payload = "{{ 年度 }}{% if 1 %}{# 注 #}"
    hostile_copy(REPO / relative, source, payload=payload, kinds=("text",))
    checked = check_file(source)
    assert not checked.errors
    assert {d.code for d in checked.warnings} >= {"PD501"}  # told that text fields do not take references
    for name, (_document, data) in render_all(source, tmp_path / "out").items():
        text = document_text(data)
        assert MARKER_RE.search(text), name
        for match in MARKER_RE.finditer(text):
            assert text[match.end() : match.end() + len(payload)] == payload, name


@pytest.mark.parametrize(
    "payload, kinds",
    [
        # docxtpl's own escapes ({_{ for {{ …) are for template authors, not for values
        ("{_{ }_} {_% %_}", ("text",)),
        # narratives are typed text, not HTML: &amp; is printed as &amp;
        ("&amp; &lt;b&gt; &#169;", ("markdown",)),
    ],
)
def test_escape_like_text_is_printed_as_typed(tmp_path, payload, kinds):
    relative = SOURCES[1]
    source = tmp_path / relative
    hostile_copy(REPO / relative, source, payload=payload, kinds=kinds)
    for _name, (_document, data) in render_all(source, tmp_path / "out").items():
        text = document_text(data)
        for match in MARKER_RE.finditer(text):
            assert text[match.end() : match.end() + len(payload)] == payload


@pytest.mark.parametrize("path,code", [(("格式",), "PD108"), (("评分", "评价等次"), "PD303")])
def test_hostile_text_in_a_closed_field_is_refused_with_its_location(tmp_path, path, code):
    relative = SOURCES[0]
    source = tmp_path / relative
    yaml = _yaml()
    data = yaml.load((REPO / relative).read_text(encoding="utf-8"))
    _set(data, path, _appended(data[path[0]] if len(path) == 1 else data[path[0]][path[1]], PAYLOAD))
    source.parent.mkdir(parents=True)
    with source.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    checked = check_file(source)
    refused = [d for d in checked.errors if d.code == code]
    assert refused and all(d.location is not None for d in refused)
    result = CliRunner().invoke(main, ["render", str(source), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1 and code in result.output
    assert not (tmp_path / "x.docx").exists()


def test_hostile_copy_marks_every_free_text_field():
    """The walk really covers every text and narrative field of the schema that the sources use."""
    yaml = _yaml()
    for relative in SOURCES:
        data = yaml.load((REPO / relative).read_text(encoding="utf-8"))
        kinds = {field.kind for _path, field, _value in iter_fields(data, SOURCE_SCHEMA)}
        assert {"text", "markdown"} <= kinds
