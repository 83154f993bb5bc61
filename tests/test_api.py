"""perfdoc.api: the public surface the command line uses, exercised as a library user would."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from perfdoc import api
from perfdoc.errors import UsageError, UserError
from perfdoc.render.extract import document_text
from perfdoc.testing.workspace import BROKEN_TOTAL, write_source

REPO = Path(__file__).resolve().parent.parent
TIANHE = REPO / "sources" / "guangzhou" / "广州市天河区总工会" / "2022.yaml"


def test_load_returns_problems_instead_of_raising(tmp_path):
    bad = tmp_path / "2022.yaml"
    bad.write_bytes("部门:\n  名称: 临湘市总工会\n".encode("gbk"))
    loaded = api.load(bad)
    assert loaded.source is None and loaded.data is None
    assert [(d.code, d.file) for d in loaded.diagnostics] == [("PD002", str(bad))]
    missing = api.load(tmp_path / "不存在.yaml")
    assert missing.source is None and missing.diagnostics[0].code == "PD000"
    good = api.load(TIANHE)
    assert good.diagnostics == [] and good.data["部门"]["名称"] == "广州市天河区总工会"


def test_check_gives_diagnostics_and_a_frozen_analysis():
    checked = api.check(TIANHE)
    assert checked.ok() and checked.analysis.format.name == "guangzhou"
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.analysis.figures = None
    assert checked.analysis.data is checked.analysis.source.data


def test_check_all_keeps_the_order_given():
    paths = api.sources([REPO / "sources"])
    assert [Path(c.path) for c in api.check_all(list(reversed(paths)))] == list(reversed(paths))


def test_figures():
    assert str(api.figures(TIANHE).get(("预算", "调整后预算"))) == "655.55"


def test_render_is_what_build_writes_and_refuses_a_source_with_errors(workspace):
    source = workspace / "sources" / "testfmt" / "甲部门" / "2022.yaml"
    outcome = api.build([workspace / "sources"], workspace / "build")
    assert (len(outcome.generated), outcome.skipped, outcome.failed) == (4, 0, 0)
    assert api.render(source) == (workspace / "build" / "testfmt" / "甲部门" / "2022" / "甲部门2022年度测试表.docx").read_bytes()
    assert "甲部门" in document_text(api.render(source, "报告"))
    again = api.build([workspace / "sources"], workspace / "build")
    assert (len(again.generated), again.skipped) == (0, 4)
    broken = write_source(workspace, "丙部门", extra=BROKEN_TOTAL)
    with pytest.raises(UserError, match="PD201"):
        api.render(broken)


def test_build_without_sources_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        api.build([tmp_path], tmp_path / "build")
