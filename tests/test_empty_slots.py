"""No document has an empty slot: a unit, 名, 个 or 分 with no figure before it,
a colon with nothing after it, or a Python repr.

Every document of every format is rendered from each full example, from a
half-filled copy of it and from an untouched ``perfdoc new`` skeleton. A figure
or text the source lacks is either left out with its sentence or shown as a
visible 【待填写：…】 marker, never as a hole in a sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from perfdoc.build.rendering import render_checked
from perfdoc.load.formats import available_formats, load_format
from perfdoc.ops.nextyear import next_year_text
from perfdoc.ops.scaffold import needs_region, scaffold_yaml
from perfdoc.pipeline import check_file, check_text, find_sources
from perfdoc.render.extract import document_text

REPO = Path(__file__).resolve().parent.parent
SOURCES = find_sources([REPO / "sources"])

# A word that a figure follows, then the unit or measure word with no figure between.
_BEFORE_FIGURE = "数|金|计|共|约|为|有|目|制|出|算|入|增|减|额|达|分"
EMPTY_SLOT = re.compile(
    rf"(?:{_BEFORE_FIGURE})(?:万元|元|(?:名|个|人|户|家|项|分|%)(?=[，。；、,;）)\s]|$))"
    r"|(?:等次为|等级为)等"
    r"|的[；;。，]"
    r"|[：:][ \t]*(?:[；;。，]|\Z|\n(?=\n|[^\n：:【]{1,8}[：:]))"  # (a 【待填写：…】 marker's colon is not a label's)
    r"|\{'|Amount\(|Percent\(|Decimal\(|\bNone\b",
    re.M,
)
# Phrases of ordinary prose the pattern would otherwise take for a slot.
_PROSE = ("部分", "充分", "区分", "十分", "万分")
_SIGNED = re.compile("签字|签章|盖章|意见")


def empty_slots(text: str) -> list[str]:
    """Each line of ``text`` that has an empty slot, clipped around it."""
    found = []
    for match in EMPTY_SLOT.finditer(text):
        start = max(0, match.start() - 12)
        excerpt = text[start : match.end() + 4].replace("\n", "⏎")
        if any(p in text[match.start() - 1 : match.end() + 1] for p in _PROSE):
            continue
        if match.group().startswith(("：", ":")) and _SIGNED.search(text[start : match.start()]):
            continue  # a line a person signs or writes on by hand
        found.append(excerpt)
    return found


def _half_filled(text: str) -> str:
    """Every other top-level key of the example dropped (格式, 年度 and 部门 kept)."""
    yaml = YAML()
    data = yaml.load(text)
    keys = [k for k in data if k not in ("格式", "年度", "部门")]
    for key in keys[::2]:
        del data[key]
    for key in list(data.get("部门") or {})[1::2]:
        if key != "名称":
            del data["部门"][key]
    import io

    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _cases():
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        yield pytest.param(text, str(source), id=f"full-{source.parent.name}-{source.stem}")
        yield pytest.param(_half_filled(text), str(source), id=f"half-{source.parent.name}-{source.stem}")
        # next year's file as next-year starts it: results and amounts still to fill
        following = next_year_text(check_file(source, with_previous=False).analysis)
        yield pytest.param(following, str(source), id=f"next-{source.parent.name}-{source.stem}")
    for name in available_formats():
        region = "平江县" if needs_region(load_format(name)) else None
        yield pytest.param(scaffold_yaml(name, "测试单位", 2023, region), f"sources/{name}/测试单位/2023.yaml", id=f"new-{name}")


MARKER = re.compile(r"【待填写：([^】]*)】")


@pytest.mark.parametrize("text, path", list(_cases()))
def test_no_document_has_an_empty_slot_and_validate_names_every_marker(text, path):
    checked = check_text(text, path)
    assert checked.analysis is not None
    problems, unsaid = {}, set()
    said = "\n".join(_spelled_out(d.message) for d in checked.diagnostics)
    for document in checked.analysis.format.documents_for(checked.analysis.data):
        shown = document_text(render_checked(checked, document))
        slots = empty_slots(shown)
        if slots:
            problems[document.name] = slots
        for marker in MARKER.finditer(shown):
            for name in marker.group(1).split("、"):
                if not _said(name, said):
                    unsaid.add((document.name, name))
    assert not problems, problems
    # what a document shows to fill, validate has said (PD701, or the finding that covers it)
    assert checked.errors or not unsaid, sorted(unsaid)


@pytest.mark.parametrize("text, path", list(_cases()))
def test_validation_finds_in_the_documents_the_markers_a_full_rendering_shows(text, path, monkeypatch):
    # validation converts a narrative's Markdown only when the narrative holds a marker: the same markers
    from perfdoc.render import shown
    from perfdoc.render.context import build_context
    from perfdoc.render.sandbox import template_environment

    checked = check_text(text, path, markers=False)
    context = build_context(checked.analysis)
    differs = False
    for document in checked.analysis.format.documents_for(checked.analysis.data):
        probed = shown.shown_xml(document.template, context)
        with monkeypatch.context() as patched:
            patched.setattr(shown, "template_environment", lambda **_: template_environment())
            patched.setattr(shown, "_part_templates", shown._part_templates.__wrapped__)  # not the probe's, kept
            converted = shown.shown_xml(document.template, context)
        assert sorted(shown._MARKER.findall(probed)) == sorted(shown._MARKER.findall(converted))
        differs = differs or probed != converted
    assert differs or "\n叙述:" not in text  # narratives were printed unconverted: the probe took its short way


def _spelled_out(message: str) -> str:
    """A PD701 message's ``部门：人员编制、实有人数`` as ``部门.人员编制、部门.实有人数``."""
    listed = re.search(r"请填写 (\S+)：(\S+)$", message)
    if not listed:
        return message
    holder, leaves = listed.groups()
    return "、".join(holder + ("" if leaf.startswith("[") else ".") + leaf for leaf in leaves.split("、"))


def _said(name: str, said: str) -> bool:
    """Whether a marker's dotted name is in a finding: itself, or its block (PD109), or for a derived
    figure, which no one writes, the block it is derived from."""
    from perfdoc.load.schema import field_at

    top = re.split(r"[.\[]", name, maxsplit=1)[0]
    if name in said or re.search(rf"(?<![\w.]){re.escape(top)}(?![\w.\[])", said):
        return True
    path = tuple(re.findall(r"[^.\[\]]+", name))
    field = field_at(path)
    return field is not None and field.computed


@pytest.mark.parametrize(
    "line, bad",
    [
        ("核定人员编制名，实有人数名。", True),
        ("共涉及资金万元，占一般公共预算支出总额的；", True),
        ("自评分分，评价等次为等", True),
        ("参与绩效评价的项目个，共计万元", True),
        ("主要职责是：", True),
        ("年中调增数万元", True),
        ("{'一般公共预算': Amount('3102.55')}", True),
        ("核定人员编制24名，实有人数24名。", False),
        ("自评分95.5分，评价等次为优等。", False),
        ("共涉及资金【待填写：预算.实际支出】万元", False),
        ("部分项目充分发挥作用，个人分析到位。", False),
        ("主要职责是：指导全市工会工作。", False),
        ("具体支出情况如下：\n人员经费【待填写：收支合计.支出.人员支出】万元", False),
    ],
)
def test_the_empty_slot_pattern(line, bad):
    assert bool(empty_slots(line)) is bad


def test_a_marker_a_narrative_shows_is_found_in_its_converted_paragraph():
    source = REPO / "sources/hunan-linxiang/临湘市总工会/2023.yaml"
    text = source.read_text(encoding="utf-8").replace("\n  实有人数: 24\n", "\n", 1)
    checked = check_text(text, str(source.relative_to(REPO)))
    assert any(d.code == "PD701" and "部门.实有人数" in d.message for d in checked.diagnostics)
    from perfdoc.render import shown
    from perfdoc.render.context import build_context

    (report,) = [d for d in checked.analysis.format.documents_for(checked.analysis.data) if d.name == "自评报告"]
    probed = shown.shown_xml(report.template, build_context(checked.analysis))
    assert re.search(r"<w:t[^>]*>[^<]*在职【待填写：部门\.实有人数】人", probed)  # as Markdown makes it: in a run
