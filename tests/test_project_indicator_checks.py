"""Project indicators: a qualitative score within its 定性分档 tier (PD309); a result far past its target (PD406)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfdoc.pipeline import check_file, check_text

REPO = Path(__file__).resolve().parent.parent
SICHUAN = REPO / "sources" / "sichuan-project" / "示例县农业农村局" / "2023.yaml"
FUNDS = "{年初预算数: 50, 全年预算数: 50, 全年执行数: 50}"
QUANTITATIVE = "{一级: 产出, 二级: 数量, 三级: 培训人次, 指标性质: ≥, 指标值: 1000, 度量单位: 人次, 完成值: 1050, 分值: 70}"


def source(qualitative: str, fmt: str = "national-project", quantitative: str = QUANTITATIVE) -> str:
    return (f"格式: {fmt}\n年度: 2023\n部门:\n  名称: 示例部门\n项目自评:\n  - 名称: 甲项目\n    资金:\n"
            f"      当年财政拨款: {FUNDS}\n      上年结转资金: {{年初预算数: 0, 全年预算数: 0, 全年执行数: 0}}\n"
            f"      其他资金: {{年初预算数: 0, 全年预算数: 0, 全年执行数: 0}}\n"
            f"    指标:\n      - {quantitative}\n"
            f"      - {{一级: 效益, 二级: 社会效益, 三级: 职工技能提升, 分值: 20, {qualitative}}}\n")


def found(text: str, code: str = "PD309") -> list:
    return [d for d in check_text(text, "2023.yaml").diagnostics if d.code == code]


@pytest.mark.parametrize("written", [
    "指标值: 明显提升, 完成值: 明显提升, 得分: 20",  # the target itself: the highest tier, 16–20
    "指标值: 明显提升, 完成值: 明显提升, 得分: 16",
    "指标值: 明显提升, 完成值: 基本完成, 得分: 16",  # 部分达成 10–16, both ends included
    "指标值: 明显提升, 完成值: 基本完成, 得分: 10",
    "指标值: 明显提升, 完成值: 有所提升, 完成程度: 部分达成, 得分: 12.5",
    "指标值: 明显提升, 完成值: 未完成, 得分: 0",
    "指标值: 明显提升, 完成值: 较好, 得分: 20",  # words that name no tier: nothing to check
    "指标值: 明显提升, 完成值: 基本完成",  # no score stated
])
def test_a_score_within_its_tier_passes(written):
    assert found(source(written)) == []


@pytest.mark.parametrize("written, tier, interval", [
    ("指标值: 明显提升, 完成值: 明显提升, 得分: 15", "达成", "16–20 分"),
    ("指标值: 明显提升, 完成值: 基本完成, 得分: 20", "部分达成", "10–16 分"),
    ("指标值: 明显提升, 完成值: 基本完成, 得分: 16.5", "部分达成", "10–16 分"),
    ("指标值: 明显提升, 完成值: 有所提升, 完成程度: 未达成, 得分: 12", "未达成", "0–10 分"),
])
def test_a_score_outside_its_tier_is_an_error_at_the_score(written, tier, interval):
    text = source(written)
    [problem] = found(text)
    assert f"完成程度为“{tier}”" in problem.message and interval in problem.message
    assert problem.path == ("项目自评", 0, "指标", 1, "得分")
    assert text.splitlines()[problem.location.line - 1].lstrip().startswith("- {一级: 效益")


def test_a_completion_level_the_format_does_not_have_is_named_with_the_choices():
    [problem] = found(source("指标值: 明显提升, 完成值: 有所提升, 完成程度: 较好, 得分: 12"))
    assert "完成程度“较好”不是格式“national-project”的定性分档之一" in problem.message
    assert problem.hint == "写其中之一：达成、部分达成、未达成"


def test_the_sichuan_example_stays_clean_and_a_wrong_score_there_is_caught(tmp_path):
    assert [d.code for d in check_file(SICHUAN).diagnostics] == []
    text = SICHUAN.read_text(encoding="utf-8").replace("完成值: 基本恢复, 分值: 20, 得分: 20", "完成值: 基本恢复, 分值: 20, 得分: 12")
    assert "得分: 12" in text
    copy = tmp_path / "2023.yaml"
    copy.write_text(text, encoding="utf-8")
    [problem] = [d for d in check_file(copy).diagnostics if d.code == "PD309"]
    assert "16–20 分" in problem.message


def test_a_region_that_prints_other_tiers_writes_them_in_its_format(tmp_path, monkeypatch):
    root = tmp_path / "templates"
    for name in ("national", "national-project"):
        shutil.copytree(REPO / "templates" / name, root / name)
    (root / "region-project").mkdir()
    (root / "region-project" / "format.yaml").write_text(
        "基于: national-project\n评分:\n  定性分档:\n"
        "    - {名称: 达成, 最高: 100, 最低: 80}\n    - {名称: 部分达成, 最高: 80, 最低: 60}\n"
        "    - {名称: 未达成, 最高: 60, 最低: 0}\n", encoding="utf-8")
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    written = "指标值: 明显提升, 完成值: 有所提升, 完成程度: 部分达成, 得分: 11"
    assert found(source(written)) == []  # national: 10–16
    [problem] = found(source(written, "region-project"))
    assert "12–16 分" in problem.message


def test_tiers_out_of_order_or_repeated_are_format_errors(tmp_path):
    from perfdoc.load.formats import check_format

    root = tmp_path / "templates"
    for name in ("national", "national-project"):
        shutil.copytree(REPO / "templates" / name, root / name)
    folder = root / "bad-project"
    folder.mkdir()
    (folder / "format.yaml").write_text(
        "基于: national-project\n评分:\n  定性分档:\n"
        "    - {名称: 部分达成, 最高: 80, 最低: 50}\n    - {名称: 达成, 最高: 100, 最低: 120}\n"
        "    - {名称: 未达成, 最高: 50, 最低: 0, 写法: [达成]}\n", encoding="utf-8")
    _fmt, problems, _texts = check_format(folder, root)
    messages = [p.message for p in problems if p.code == "PD805"]
    assert any("从高到低排列" in m for m in messages)
    assert any("0 ≤ 最低 ≤ 最高 ≤ 100" in m for m in messages)
    assert any("“达成”重复" in m for m in messages)


QUALITATIVE = "指标值: 明显提升, 完成值: 明显提升, 得分: 20"


def far_over(quantitative: str) -> list:
    return found(source(QUALITATIVE, quantitative="{一级: 产出, 二级: 数量, 三级: 培训人次, 分值: 70, " + quantitative + "}"), "PD406")


@pytest.mark.parametrize("quantitative, says", [
    ("指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 1050", "完成值是指标值的 1050%（指标值 100，完成值 1050）"),
    ("指标值: 100, 度量单位: 人次, 完成值: 200", "完成值是指标值的 200%"),  # no operator: read as ≥
    ("指标性质: ≤, 指标值: 10, 度量单位: 天, 完成值: 4", "指标值是完成值的 250%"),
])
def test_a_result_far_past_its_target_is_a_warning_at_the_result(quantitative, says):
    [warning] = far_over(quantitative)
    assert says in warning.message and "指标值可能设得过低" in warning.message
    assert warning.severity.name == "WARNING" and warning.path[-1] == "完成值"


@pytest.mark.parametrize("quantitative", [
    "指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 199",
    "指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 1050, 偏差原因: 增开线上培训，下年度按 1000 人次设定",
    "指标性质: =, 指标值: 100, 度量单位: 人次, 完成值: 300",
    "指标性质: ≥, 指标值: 0, 度量单位: 人次, 完成值: 5",
    "指标性质: ≤, 指标值: 10, 度量单位: 天, 完成值: 0",
])
def test_results_near_their_target_explained_or_incomparable_pass(quantitative):
    assert far_over(quantitative) == []


def test_a_format_without_the_setting_never_warns(tmp_path, monkeypatch):
    root = tmp_path / "templates"
    for name in ("national", "national-project"):
        shutil.copytree(REPO / "templates" / name, root / name)
    config = root / "national-project" / "format.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  超额提示: 200\n", ""), encoding="utf-8")
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(root))
    assert far_over("指标性质: ≥, 指标值: 100, 度量单位: 人次, 完成值: 1050") == []
