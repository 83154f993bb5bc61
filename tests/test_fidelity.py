"""Fidelity: each example source renders to documents that read like the originals.

For every seed (a text extraction of a real Word file) the example source is
validated, every document of its format is rendered, and the text of the
matching document is compared with the seed, whitespace removed. The key
figures must appear, known slips of the originals must not, and tasks must be
merged over their key indicators as on the official form.
"""

from __future__ import annotations

import difflib
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from perfdoc.render.context import build_context, compact_amount, evaluator_rows, indicator_groups, institution_rows, task_rows
from perfdoc.render.templates import render_document
from perfdoc.render.extract import document_text
from perfdoc.pipeline import check_file

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "tests" / "golden" / "seeds"  # text of the four reference documents

MIN_RATIO = 0.90
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REQUIRED_STYLES = ("PDTitle", "PDBody", "PDHeading1", "PDHeading2", "PDHeading3", "PDHeading4", "PDTableText")


@dataclass(frozen=True)
class Seed:
    source: str
    document: str  # the document of the format the seed is a copy of
    seed: str
    figures: tuple  # text that must appear in the rendered document
    absent: tuple = ()  # slips of the original that must not come back
    ends_before: str | None = None  # compare only the text before this line (an appendix)


SEEDS_BY_NAME = {
    "tianhe-自评表": Seed(
        "sources/guangzhou/广州市天河区总工会/2022.yaml",
        "自评表",
        "guangzhou-tianhe-2022-自评表.txt",
        ("655.55", "643.45", "608.57", "12.10", "92.83%", "1.88%", "5.6万元", "44.38万元"),
    ),
    "conghua-自评报告": Seed(
        "sources/guangzhou/广州市从化区总工会/2021.yaml",
        "自评报告",
        "guangzhou-conghua-2021-自评报告.txt",
        # 绩效管理情况 and 自评结论 are the source's own text (with references), printed as the seed prints them.
        ("431.77", "调增数0.00万元", "预算调整率0.00%", "预算完成率100.00%", "完成预算的100.0%", "占政府性基金预算支出总额的0.0%"),
        ends_before="附件2:",
    ),
    "linxiang-自评报告": Seed(
        "sources/hunan-linxiang/临湘市总工会/2022.yaml",
        "自评报告",
        "hunan-linxiang-2022-自评报告.txt",
        ("366.10", "253.74", "229.64", "24.10", "112.36", "62.7%", "6.6%", "津补贴27.74万元", "97", "优秀",
         "①附加性支出-工会经费项目96.00万元", "②死亡抚恤项目16.36万元"),
        absent=("336.10", "27.74元"),
    ),
    "yiyang-项目支出绩效评价报告": Seed(
        "sources/hunan-yiyang/益阳市总工会/2023.yaml",
        "项目支出绩效评价报告",
        "hunan-yiyang-2023-项目支出评价报告.txt",
        # The seed prints 101.83 here and 101.833 elsewhere; the document prints one amount one way.
        ("项目1个，共计101.833万元", "共计707.93万元", "专项补助资金101.833万元", "自评分100分", "评价等次为优等"),
    ),
}


def normalise(text: str) -> str:
    """Text without extraction artefacts (bookmarks, HTML, Markdown heading marks) or whitespace."""
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(?m)^#+ ", "", text)
    return re.sub(r"\s+", "", text)


def similarity(rendered: str, original: str) -> float:
    return difflib.SequenceMatcher(None, normalise(rendered), normalise(original), autojunk=False).ratio()


def checked(source: str):
    result = check_file(REPO / source)
    assert result.analysis is not None and not result.errors, [d.message for d in result.errors]
    return result.analysis


def render_all(ctx) -> dict:
    """Every document of the source's format: name → .docx bytes."""
    context = build_context(ctx)
    return {doc.name: render_document(doc.template, context) for doc in ctx.format.documents}


@pytest.fixture(scope="module")
def rendered():
    return {name: render_all(checked(seed.source)) for name, seed in SEEDS_BY_NAME.items()}


@pytest.mark.parametrize("name", SEEDS_BY_NAME)
def test_rendered_text_matches_the_original(rendered, name):
    seed = SEEDS_BY_NAME[name]
    text = document_text(rendered[name][seed.document])
    if seed.ends_before:
        assert seed.ends_before in text
        text = text.split(seed.ends_before, 1)[0]
    ratio = similarity(text, (SEEDS / seed.seed).read_text(encoding="utf-8"))
    print(f"{name}: similarity {ratio:.4f}")
    assert ratio >= MIN_RATIO


@pytest.mark.parametrize("name", SEEDS_BY_NAME)
def test_key_figures_appear_and_slips_do_not(rendered, name):
    seed = SEEDS_BY_NAME[name]
    text = normalise(document_text(rendered[name][seed.document]))
    missing = [figure for figure in seed.figures if normalise(figure) not in text]
    assert not missing
    present = [slip for slip in seed.absent if slip in text]
    assert not present


def test_every_document_of_every_format_renders(rendered):
    for name, documents in rendered.items():
        for document, data in documents.items():
            assert document_text(data).strip(), (name, document)


def _body(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _cell_text(cell) -> str:
    return "".join(cell.itertext()).strip()


def _merge(cell):
    merge = cell.find(f"{W}tcPr/{W}vMerge")
    return None if merge is None else merge.get(f"{W}val", "continue")


def test_tasks_span_their_key_indicators(rendered):
    body = _body(rendered["tianhe-自评表"]["自评表"])
    rows = body.findall(f".//{W}tr")
    for task, funds in (("任务1", "5.6万元"), ("任务2", "44.38万元")):
        index = next(i for i, row in enumerate(rows) if _cell_text(row.find(f"{W}tc")) == task)
        first, second = rows[index].findall(f"{W}tc"), rows[index + 1].findall(f"{W}tc")
        assert [_merge(cell) for cell in first] == ["restart", "restart", "restart", None, None, "restart"]
        assert [_merge(cell) for cell in second] == ["continue", "continue", "continue", None, None, "continue"]
        assert _cell_text(first[-1]) == funds and _cell_text(second[-1]) == ""  # funds shown once


def test_appended_form_without_tasks_has_no_task_rows(rendered):
    text = document_text(rendered["conghua-自评报告"]["自评报告"])
    form = text.split("附件2:", 1)[1]
    assert "2021年度广州市从化区总工会部门整体支出绩效自评表" in form
    assert "主要任务" in form and "任务1" not in form
    assert "431.77" in form


def test_linxiang_indicators_are_grouped_and_merged(rendered):
    text = document_text(rendered["linxiang-自评报告"]["自评报告"])
    assert "指标1：增强职工的权益保护意识\n指标2：提升职工业务水平\n开展法律宣传和职工技能培训" in text
    body = _body(rendered["linxiang-自评报告"]["自评报告"])
    labels = [cell for cell in body.iter(f"{W}tc") if _cell_text(cell).startswith("产出目标")]
    assert len(labels) == 1 and _merge(labels[0]) == "restart"
    evaluators = text.split("四、评价人员", 1)[1].split("评价组组长", 1)[0].splitlines()
    assert [line for line in evaluators if line in ("汪  郁", "胡  萍", "李芷怡")] == ["汪  郁", "胡  萍", "李芷怡"]
    assert evaluators.count("临湘市总工会") == 3  # and a fourth, blank row


def test_templates_define_the_engine_styles():
    for template in sorted((REPO / "templates").glob("*/*.docx")):
        with zipfile.ZipFile(template) as package:
            styles = etree.fromstring(package.read("word/styles.xml"))
            core = package.read("docProps/core.xml").decode("utf-8")
        ids = {style.get(f"{W}styleId") for style in styles.iter(f"{W}style")}
        assert set(REQUIRED_STYLES) <= ids, template
        for fonts in styles.iter(f"{W}rFonts"):
            assert not any(key.endswith("Theme") or key.endswith("theme") for key in fonts.attrib), template
        assert "2024-01-01T00:00:00Z" in core, template


def test_starter_kit_writes_templates_that_pass_check_format(tmp_path):
    """tools/templates/ is an optional starter kit: what it writes must pass check-format, not equal the shipped bytes."""
    from perfdoc.render.check import check_template

    sys.path.insert(0, str(REPO / "tools" / "templates"))
    try:
        import build_all
        import kit
    finally:
        sys.path.pop(0)
    for script in build_all.SCRIPTS:
        written = tmp_path / script.OUTPUT.name
        kit.save(script.build(), written)
        assert [d for d in check_template(written) if d.is_error] == [], script.OUTPUT


# --- the context helpers ----------------------------------------------------------


def test_indicators_group_by_level_and_merge_shared_actual_values():
    indicators = [
        {"一级": "产出", "二级": "质量", "名称": "甲", "实际值": "完成"},
        {"一级": "效益", "二级": "社会效益", "名称": "乙", "实际值": "培训"},
        {"一级": "产出", "二级": "质量", "名称": "丙", "实际值": "完成"},
        {"一级": "效益", "二级": "社会效益", "名称": "丁", "实际值": "培训"},
        {"一级": "效益", "二级": "社会效益", "名称": "戊", "实际值": "其他"},
    ]
    groups = indicator_groups(indicators, {"一级": {"产出": "产出目标"}, "二级": {}})
    assert [group["标签"] for group in groups] == ["产出目标", "效益"]
    assert [row["绩效目标"] for row in groups[0]["行"]] == [["指标1：甲", "指标2：丙"]]
    assert [row["绩效目标"] for row in groups[1]["行"]] == [["指标1：乙", "指标2：丁"], ["指标3：戊"]]
    assert [row["二级首行"] for row in groups[1]["行"]] == [True, False]


def test_tasks_always_have_a_row_and_compact_funds():
    rows = task_rows([{"预期目标": "目标", "资金": Decimal("5.60")}])
    assert rows[0]["名称"] == "任务1" and rows[0]["资金文字"] == "5.6万元"
    assert len(rows[0]["关键指标"]) == 1
    assert compact_amount(Decimal("40")) == "40" and compact_amount(None) == ""


def test_evaluators_are_padded_and_institutions_get_a_total_row():
    assert len(evaluator_rows([{"姓名": "汪郁"}], 4)) == 4
    assert len(evaluator_rows([{"姓名": str(n)} for n in range(6)], 4)) == 6
    assert [row["名称"] for row in institution_rows([{"名称": "机关"}], {})] == ["机关"]
    assert [row["名称"] for row in institution_rows([{"名称": "机关"}, {"名称": "中心"}], {})] == ["机关", "中心", "合计"]


def test_context_has_every_schema_key_and_rendered_narratives():
    ctx = checked("sources/hunan-yiyang/益阳市总工会/2023.yaml")
    context = build_context(ctx)
    missing = context["预算"]["调整后预算"]  # absent figures are present as markers naming what to write
    assert not missing and str(missing) == "【待填写：预算.年初预算】"
    assert context["格式"]["地区"] == "益阳市" and context["格式"]["名称"] == "hunan-yiyang"
    assert "{{" not in context["叙述"]["综合评价结论"] and "100" in context["叙述"]["综合评价结论"]
    assert "{{" not in context["评价项目"][0]["概述"]
    assert context["叙述"]["人员情况"] == ""
