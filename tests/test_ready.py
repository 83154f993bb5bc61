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
    marker = next(d for d in found if d.code == "PD701" and d.path == ("预算",))
    assert marker.message == "“自评表”“自评报告”中将显示“【待填写】”标记：请填写 预算：年初预算、调整数、实际支出"
    assert marker.location is not None  # the keys to write in one mapping are one finding, at the mapping
    # A narrative placeholder is located at its own line.
    placeholder = next(d for d in found if d.code == "PD702" and d.path == ("叙述", "总体运行情况"))
    assert "总体运行情况: |" in checked.analysis.source.lines()[placeholder.location.line - 1]


def test_a_missing_figure_is_listed_at_the_line_to_fill(tmp_path):
    source = (REPO / "sources/guangzhou/广州市天河区总工会/2023.yaml").read_text(encoding="utf-8")
    path = tmp_path / "2023.yaml"
    path.write_text(source, encoding="utf-8")
    listed = "“自评报告”中将显示“【待填写】”标记：请填写 部门：人员编制、实有人数、职能职责、内设机构、下属单位"
    plain = run("validate", str(path))
    assert plain.exit_code == 0  # a warning: the figures are right, the text is not finished
    assert f"2023.yaml:7:3: PD701 （警告）{listed}" in plain.output
    assert "0 个错误，1 个警告" in plain.output
    ready = run("validate", "--ready", str(path))
    assert ready.exit_code == 1
    assert f"2023.yaml:7:3: PD701 {listed}" in ready.output


def test_strict_makes_warnings_errors(tmp_path):
    path = tmp_path / "2023.yaml"
    path.write_text("格式: guangzhou\n年度: 2023\n部门:\n  名称: 甲\n", encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    assert run("validate", "--strict", str(path)).exit_code == 1


def test_build_counts_the_warnings_validate_lists(tmp_path):
    # a build looks for the markers in the documents it renders, and in those it skips as current
    # (the cache of what it skips unread removed), and counts what validate lists
    import re

    from perfdoc.pipeline import find_sources

    expected = {}
    for source in find_sources([REPO / "sources"]):
        warnings = len(check_file(source).warnings)
        if warnings:
            expected[str(source)] = warnings
    assert any("PD701" in d.code for d in check_file(REPO / "sources/guangzhou/广州市天河区总工会/2023.yaml").warnings)
    out = tmp_path / "build"
    for _ in range(2):
        done = run("build", "--out", str(out), str(REPO / "sources"))
        assert done.exit_code == 0, done.output
        counted = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)：有 (\d+) 个警告", done.output, re.M)}
        assert counted == expected
        (out / ".perfdoc-cache.sqlite").unlink()
    assert re.search(r"生成 0，跳过 [1-9]", done.output)
