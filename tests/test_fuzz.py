"""Property tests from source text to Word document (a small run of bench/fuzz.py).

The generators and the properties live in :mod:`perfdoc.testing.fuzzing`; here they run
with the hypothesis profile "ci" (a few dozen examples each, no deadline).
``python bench/fuzz.py --examples 10000`` is the large run.

1. Whatever the input, perfdoc reports located errors, or renders every
   document and python-docx reopens it; it never fails with an exception.
2. A valid source's documents show each of its amounts as the templates
   print them.

Known findings in perfdoc are listed in KNOWN with the
bug they stand for; the properties ignore them, and a strict xfail test per
finding fails once it is fixed, so that its entry is removed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from perfdoc.testing import fuzzing as fuzz

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    database=None,  # nothing written to the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
CI = settings.get_profile("ci")

# signature prefix → the bug it stands for (see the strict xfail tests below)
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def unexpected(findings) -> list:
    return [f for f in findings if not any(f.signature.startswith(known) for known in KNOWN)]


def describe(findings) -> str:
    return "\n\n".join(f"{f.signature}\n{f.message}\ninput: {f.example.data[:800]!r}\n{f.details[-2000:]}" for f in findings)


def check(example, workdir: Path) -> None:
    findings = unexpected(fuzz.exercise(example, workdir))
    assert not findings, describe(findings)


# ------------------------------------------------------------------ property 1


@settings(CI)
@given(fuzz.text_examples())
def test_random_text_is_refused_with_located_errors_or_rendered(workdir, example):
    check(example, workdir)


@settings(CI)
@given(fuzz.mutant_examples())
def test_edited_real_sources_are_refused_with_located_errors_or_rendered(workdir, example):
    check(example, workdir)


@settings(CI)
@given(fuzz.plausible_examples())
def test_schema_shaped_sources_are_refused_with_located_errors_or_rendered(workdir, example):
    check(example, workdir)


# ------------------------------------------------------------------ property 2


@settings(CI)
@given(fuzz.valid_examples())
def test_valid_sources_show_every_amount_as_the_templates_print_it(workdir, example):
    stats = fuzz.Stats()
    findings = fuzz.exercise(example, workdir, stats)
    assert not findings, describe(findings)
    assert stats.documents >= 1


@settings(CI, max_examples=30)
@given(fuzz.valid_examples())
def test_every_amount_the_oracle_expects_is_printed_by_a_template_of_its_format(example):
    """The oracle is not silently skipped: each tag it keys an amount to is in one of the format's templates."""
    from perfdoc.load.formats import load_format

    templates = sorted({document.template for document in load_format(example.format, fuzz.TEMPLATES).documents})
    used = "\n".join(fuzz.template_tags(t) for t in templates)
    from perfdoc.render.diagnose import normalise

    for expectation in example.expected:
        assert normalise(expectation.tag) in used, expectation


# ------------------------------------------------------------------ the oracle itself


def handmade(fmt: str, body: str, expected) -> "fuzz.Example":
    data = f"格式: {fmt}\n年度: 2022\n部门:\n  名称: 测试部门\n{body}".encode()
    return fuzz.Example(data, "2022.yaml", fmt, tuple(expected), kind="valid")


def test_half_up_rounding_and_units_are_checked(workdir):
    body = (
        "金额单位: 元\n"
        "预算:\n  年初预算: \"12.345万元\"\n  调整数: 50\n  实际支出:\n    一般公共预算: \"1,234.5\"\n    自有资金: 0.5\n"
    )
    E = fuzz.Expectation
    expected = [
        E("{{ 预算.年初预算|万元 }}", "line", "12.35"),  # half up, not half even
        E("{{ 预算.调整数|万元 }}", "line", "0.01"),  # 50 元 = 0.005 万元
        E("{{ 预算.调整后预算|万元 }}", "line", "12.35"),
        E("{{ 来源.金额|万元 }}", "run", ("其中: 一般公共预算", "0.12")),
        E("{{ 来源.金额|万元 }}", "run", ("自有资金", "0.00")),
        E("{{ 预算.实际支出合计|万元 }}", "line", "0.12"),
        E("{{ 预算.预算调整率|百分比 }}", "line", "0.04%"),
    ]
    stats = fuzz.Stats()
    assert fuzz.exercise(handmade("guangzhou", body, expected), workdir, stats) == []
    assert stats.amounts_checked == 2 * len(expected)


@pytest.mark.parametrize("wrong", ["12.34", "12.3450", "12.345"])
def test_the_oracle_notices_a_wrongly_printed_amount(workdir, wrong):
    body = "预算:\n  年初预算: 12.345\n"
    example = handmade("guangzhou", body, [fuzz.Expectation("{{ 预算.年初预算|万元 }}", "line", wrong)])
    findings = fuzz.exercise(example, workdir)
    assert [f.signature for f in findings] == ["amount not shown: {{ 预算.年初预算|万元 }}"] * 2  # both documents


def test_the_oracle_checks_table_rows_cell_by_cell(workdir):
    body = (
        "机构收支:\n  - 名称: 机关\n    收入:\n      公共财政拨款: 1.005\n      其他收入: 2\n"
        "  - 名称: 中心\n    收入:\n      上年结转: 0.5\n"
    )
    mark = fuzz.MARK  # a figure not written shows a 【待填写】 marker
    row = ("机关", "3.01", mark, "1.01", mark, mark, "2.00")
    total = ("合计", "3.51", "0.50", "1.01", mark, mark, "2.00")
    good = [fuzz.Expectation("{{ 机构.收入.收入合计|万元 }}", "run", row), fuzz.Expectation("{{ 机构.收入.收入合计|万元 }}", "run", total)]
    assert fuzz.exercise(handmade("hunan-linxiang", body, good), workdir) == []
    shifted = [fuzz.Expectation("{{ 机构.收入.收入合计|万元 }}", "run", ("机关", "3.01", "1.01", mark, mark, mark, "2.00"))]
    assert len(fuzz.exercise(handmade("hunan-linxiang", body, shifted), workdir)) == 1


def test_a_crash_is_a_finding_not_an_error_of_the_run(workdir, monkeypatch):
    import perfdoc.pipeline

    def broken(path, *args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(perfdoc.pipeline, "check_file", broken)
    (finding,) = fuzz.exercise(handmade("guangzhou", "", []), workdir)
    assert finding.signature.startswith("validate: ZeroDivisionError")


def test_oracle_formats_like_the_templates():
    assert fuzz.wan(Decimal("0.005")) == "0.01" and fuzz.wan(Decimal("-12.345")) == "-12.35"
    assert fuzz.as_written(Decimal("101.833")) == "101.833" and fuzz.as_written(Decimal("5.6")) == "5.60"
    assert fuzz.pct(Decimal(1), Decimal(3)) == "33.33%" and fuzz.pct(Decimal(0), Decimal(0)) == "0.00%"
    assert fuzz.pct(Decimal(1), Decimal(0)) == fuzz.MARK and fuzz.compact(Decimal("5.600")) == "5.6"
    assert fuzz.wan(None) == fuzz.MARK  # not given: a 【待填写】 marker, never a blank or a 0


def test_yaml_emitter_round_trips():
    from perfdoc.load.loader import load_text

    document = {
        "a": fuzz.dq("x: \"y\" & {{ z }}\n\u2028"),
        "b": [{"c": fuzz.Tok("1.50"), "d": fuzz.Block(" 前导空格\n# 标题\n\n- 项")}, fuzz.Tok("2")],
        "e": {},
        "f": [],
        "键 & 值": fuzz.Tok("~"),
    }
    data = load_text(fuzz.to_yaml(document).decode()).data
    assert data["a"] == "x: \"y\" & {{ z }}\n\u2028"
    assert data["b"][0]["c"] == Decimal("1.50") and str(data["b"][0]["c"]) == "1.50"
    assert data["b"][0]["d"] == " 前导空格\n# 标题\n\n- 项"
    assert data["e"] == {} and data["f"] == [] and data["键 & 值"] is None


# ------------------------------------------------------------------ findings of the fuzzing


@pytest.mark.parametrize("character", ["\x7f", "\x80", "\x85", "\x93", "\x9f"])
def test_del_and_c1_control_characters_are_removed_with_a_located_warning(workdir, character):
    data = f"格式: guangzhou\n年度: 2022\n部门:\n  名称: 甲{character}乙\n".encode()
    findings = fuzz.exercise(fuzz.Example(data, "2022.yaml", "guangzhou", kind="text"), workdir)
    assert findings == []
    from perfdoc.pipeline import check_file

    checked = check_file(workdir / "sources" / "guangzhou" / "部门" / "2022.yaml")
    (warning,) = [d for d in checked.diagnostics if d.code == "PD005"]
    assert (warning.location.line, warning.location.col) == (4, 8)
    assert f"U+{ord(character):04X}" in warning.message
    assert checked.analysis.source.data["部门"]["名称"] == "甲乙"


def test_a_format_name_too_long_for_a_file_name_is_pd108_not_a_crash(workdir):
    data = ("格式: " + "甲" * 90 + "\n年度: 2022\n部门:\n  名称: 乙\n").encode()
    example = fuzz.Example(data, "2022.yaml", "guangzhou", kind="text")
    assert fuzz.exercise(example, workdir) == []
    from perfdoc.pipeline import check_file

    assert {d.code for d in check_file(workdir / "sources" / "guangzhou" / "部门" / "2022.yaml").errors} == {"PD108"}


def test_a_constant_jinja_cannot_compile_in_a_narrative_is_pd501_not_a_crash(workdir):
    for reference in ("{{ 10**5000 }}", "{{ 2**100000 }}", "{{ '%99999d'|format(1)|length }}"):
        data = f"格式: guangzhou\n年度: 2022\n部门:\n  名称: 乙\n叙述:\n  存在问题: \"{reference}\"\n".encode()
        assert fuzz.exercise(fuzz.Example(data, "2022.yaml", "guangzhou", kind="text"), workdir) == [], reference


@pytest.mark.parametrize("reference", ["{{ lipsum(1) }}", "{{ range(3)|list }}", "{{ cycler(1).next() }}", "{{ dict(a=1) }}"])
def test_narratives_cannot_call_jinja_globals(reference):
    from perfdoc.pipeline import check_text

    text = f"格式: guangzhou\n年度: 2022\n部门:\n  名称: 乙\n叙述:\n  存在问题: \"{reference}\"\n"
    assert "PD501" in {d.code for d in check_text(text, "2022.yaml").errors}


@pytest.mark.parametrize(
    "reference",
    [
        "{{ '大' * 100000000 }}",
        "{{ ['大'] * 100000000 }}",
        "{{ 10 ** 100000000 }}",
        "{{ '%999999999d' % 1 }}",
        "{{ '%999999999d'|format(1) }}",
        "{{ 'x'|center(999999999) }}",
        "{{ 'x'.ljust(999999999) }}",
        "{% set a = '大' * 1000 %}{% set a = a ~ a %}{% set a = a ~ a %}{{ a }}",
        "{% for a in 部门 %}{% for b in 部门 %}{{ a }}{% endfor %}{% endfor %}",
    ],
)
def test_a_reference_that_could_expand_to_megabytes_is_refused_before_it_does(reference):
    import tracemalloc

    from perfdoc.pipeline import check_text

    text = f"格式: guangzhou\n年度: 2022\n部门:\n  名称: 乙\n叙述:\n  存在问题: \"{reference}\"\n"
    tracemalloc.start()
    try:
        errors = check_text(text, "2022.yaml").errors
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.code for d in errors] == ["PD501"], [d.message for d in errors]
    assert peak < 50_000_000


def test_arithmetic_and_conditions_in_references_still_work():
    from perfdoc.render.narrative import render_references

    figures = {"年度": 2022, "部门": {"名称": "乙"}}
    assert render_references("{{ 年度 * 2 }}、{{ 2 ** 10 }}、{{ 部门.名称 * 3 }}", figures) == "4044、1024、乙乙乙"
    assert render_references("{% if 年度 > 2000 %}新{% else %}旧{% endif %}", figures) == "新"
