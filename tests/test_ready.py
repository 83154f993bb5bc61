"""``perfdoc validate --ready``: the check before submitting."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.ops.ready import readiness
from perfdoc.ops.scaffold import scaffold_yaml
from perfdoc.pipeline import check_file, check_text

REPO = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_complete_example_is_ready():
    checked = check_file(REPO / "sources/hunan-linxiang/临湘市总工会/2022.yaml")
    assert readiness(checked) == []
    assert run("validate", "--ready", str(REPO / "sources/hunan-yiyang")).exit_code == 0


def test_an_untouched_skeleton_is_not_ready():
    checked = check_text(scaffold_yaml("guangzhou", "测试单位", 2023), "sources/guangzhou/测试单位/2023.yaml")
    found = readiness(checked)
    assert all(d.is_error for d in found)
    codes = {d.code for d in found}
    assert {"PD701", "PD702", "PD109"} <= codes
    marker = next(d for d in found if d.code == "PD701" and d.path == ("预算", "年初预算"))
    assert "“自评表”“自评报告”" in marker.message and marker.location is not None
    # A narrative placeholder is located at its own line.
    placeholder = next(d for d in found if d.code == "PD702" and d.path == ("叙述", "总体运行情况"))
    assert "总体运行情况: |" in checked.analysis.source.lines()[placeholder.location.line - 1]


def test_a_missing_figure_is_listed_at_the_line_to_fill(tmp_path):
    source = (REPO / "sources/guangzhou/广州市天河区总工会/2023.yaml").read_text(encoding="utf-8")
    path = tmp_path / "2023.yaml"
    path.write_text(source, encoding="utf-8")
    plain = run("validate", str(path))
    assert plain.exit_code == 0
    ready = run("validate", "--ready", str(path))
    assert ready.exit_code == 1
    assert "PD701 “自评报告”中此处显示“【待填写】”：请填写 部门.人员编制" in ready.output


def test_strict_makes_warnings_errors(tmp_path):
    path = tmp_path / "2023.yaml"
    path.write_text("格式: guangzhou\n年度: 2023\n部门:\n  名称: 甲\n", encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    assert run("validate", "--strict", str(path)).exit_code == 1
