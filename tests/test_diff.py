"""``perfdoc diff``: year-over-year and correction reports, their formats, and ``--rev``.

The text output is compared with golden files under tests/golden/diff/;
``PERFDOC_UPDATE_GOLDEN=1 pytest tests/test_diff.py`` rewrites them (and fails: run again).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.ops.diff import FigureChange
from perfdoc.numbers import Amount, Percent
from perfdoc.testing.golden import assert_golden as check_golden

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "diff"
LINXIANG = Path("sources/hunan-linxiang/临湘市总工会")
TIANHE = Path("sources/guangzhou/广州市天河区总工会")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_golden(name: str, text: str) -> None:
    check_golden(GOLDEN / name, text)


@pytest.fixture
def correction(tmp_path, monkeypatch):
    """天河 2022 as it was (旧/) and with one amount corrected (新/), cwd at tmp_path."""
    original = (REPO / TIANHE / "2022.yaml").read_text(encoding="utf-8")
    corrected = original.replace("    一般公共预算: 608.57", "    一般公共预算: 618.57")
    assert corrected != original
    for folder, text in (("旧", original), ("新", corrected)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "2022.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return Path("旧/2022.yaml"), Path("新/2022.yaml")


# ---------------------------------------------------------------- golden text


def test_year_over_year_text_matches_golden(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("diff", "--format", "text", LINXIANG / "2022.yaml", LINXIANG / "2023.yaml")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("同比比较：临湘市总工会 2022年度 → 2023年度\n")
    assert_golden("linxiang-2022-2023.txt", result.output)


def test_correction_text_matches_golden(correction):
    old, new = correction
    result = run("diff", "--format", "text", old, new)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("更正对比：广州市天河区总工会 2022年度\n")
    assert_golden("tianhe-2022-correction.txt", result.output)


def test_correction_flags_the_derived_figures_that_moved(correction):
    result = run("diff", "--format", "text", *correction)
    rows = {line.split()[0]: line.split() for line in result.output.splitlines() if line.startswith("预算.")}
    assert rows["预算.实际支出.一般公共预算"][1:] == ["608.57", "618.57", "+10.00", "+1.64%", "输入"]
    assert rows["预算.实际支出合计"][-1] == "计算"
    assert rows["预算.预算完成率"][1:] == ["92.83%", "94.36%", "+1.53个百分点", "计算"]
    assert "预算.年初预算" not in rows  # unchanged rows are left out by default
    assert "随更正变动的计算数字（2 项）：预算.实际支出合计、预算.预算完成率" in result.output


def test_all_lists_unchanged_figures_too(correction):
    changed = run("diff", "--format", "csv", *correction).output.splitlines()
    everything = run("diff", "--format", "csv", "--all", *correction).output.splitlines()
    assert len(everything) > len(changed)
    assert any(line.startswith("预算.年初预算,") for line in everything)


# ---------------------------------------------------------------- other formats


def test_json_shape(monkeypatch):
    monkeypatch.chdir(REPO)
    data = json.loads(run("diff", "--format", "json", LINXIANG / "2022.yaml", LINXIANG / "2023.yaml").output)
    assert data["kind"] == "同比"
    assert data["old"] == {"file": (LINXIANG / "2022.yaml").as_posix(), "部门": "临湘市总工会", "年度": 2022}
    assert data["new"]["年度"] == 2023
    by_path = {row["path"]: row for row in data["figures"]}
    assert by_path["机构收支[1].收入.公共财政拨款"] == {
        "path": "机构收支[1].收入.公共财政拨款",
        "kind": "amount",
        "old": "366.10",
        "new": "382.45",
        "change": "16.35",
        "change_percent": "4.47",
        "derived": False,
        "changed": True,
    }
    assert by_path["机构收支[1].支出.累计结余"]["derived"] is True
    # old value 0: no growth rate
    assert by_path["机构收支[1].收入.其他收入"]["old"] == "0.00"
    assert by_path["机构收支[1].收入.其他收入"]["change_percent"] is None
    assert by_path["部门.离退休人数"]["kind"] == "count" and by_path["部门.离退休人数"]["change"] == "1"
    assert by_path["评分.综合得分"]["kind"] == "score"
    narrative = {t["path"]: t for t in data["texts"]}["叙述.存在问题"]
    assert narrative["diff"][0] == "--- 旧 叙述.存在问题"
    assert any(line.startswith("+部分绩效指标") for line in narrative["diff"])
    assert data["stale"] is None


def test_csv_shape(correction):
    output = run("diff", "--format", "csv", *correction).output
    assert output.startswith("\ufeff数字,")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(output.removeprefix("\ufeff"))))
    assert rows[0] == ["数字", "类型", "旧", "新", "变动", "变动率(%)", "来源"]
    assert ["预算.实际支出.一般公共预算", "金额（万元）", "608.57", "618.57", "10.00", "1.64", "输入"] in rows
    assert ["预算.预算完成率", "比率（%）", "92.83", "94.36", "1.53", "", "计算"] in rows


def test_markdown_shape(monkeypatch):
    monkeypatch.chdir(REPO)
    output = run("diff", "--format", "markdown", LINXIANG / "2022.yaml", LINXIANG / "2023.yaml").output
    lines = output.splitlines()
    assert lines[0] == "# 同比比较：临湘市总工会 2022年度 → 2023年度"
    assert "| 数字 | 旧 | 新 | 变动 | 变动率 | 来源 |" in lines
    assert "| 机构收支[1].收入.公共财政拨款 | 366.10 | 382.45 | +16.35 | +4.47% | 输入 |" in lines
    assert "### 叙述.存在问题" in lines and "```diff" in lines


def test_text_change_of_a_single_field_is_a_unified_diff(correction, tmp_path):
    new = tmp_path / "新" / "2022.yaml"
    new.write_text(new.read_text(encoding="utf-8").replace("名称: 任务1", "名称: 困难职工帮扶"), encoding="utf-8")
    output = run("diff", "--format", "text", *correction).output
    assert "--- 旧 任务[1].名称\n+++ 新 任务[1].名称\n@@ -1 +1 @@\n-任务1\n+困难职工帮扶\n" in output


# ---------------------------------------------------------------- numbers


def test_growth_rate_is_rounded_half_up():
    row = FigureChange(("x",), "amount", Amount("200.00"), Amount("200.01"), False)
    assert row.delta_percent == Decimal("0.01")  # 0.005% → 0.01%, not banker's 0.00%
    assert row.shown_delta == "+0.01" and row.shown_delta_percent == "+0.01%"


def test_growth_rate_blank_when_old_is_zero_and_for_rates():
    assert FigureChange(("x",), "amount", Amount("0"), Amount("3"), False).shown_delta_percent == ""
    rate = FigureChange(("x",), "percent", Percent("50"), Percent("40"), True)
    assert rate.shown_delta == "-10.00个百分点" and rate.shown_delta_percent == ""


def test_negative_base_keeps_the_direction_of_change():
    row = FigureChange(("x",), "amount", Amount("-4.00"), Amount("-2.00"), True)
    assert row.shown_delta_percent == "+50.00%"


# ---------------------------------------------------------------- errors


def test_file_that_cannot_be_read_is_named(tmp_path):
    good = REPO / TIANHE / "2022.yaml"
    bad = tmp_path / "坏.yaml"
    bad.write_text("格式: guangzhou\n年度: [2022\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output and "无法读取" in result.output


def test_needs_two_files_or_rev(tmp_path):
    result = CliRunner().invoke(main, ["diff", str(REPO / TIANHE / "2022.yaml")])
    assert result.exit_code == 2
    assert "两个数据文件" in result.output


# ---------------------------------------------------------------- --rev


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=测试", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with 天河 2022 committed, then corrected in the work tree; cwd at its root."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    root = tmp_path / "repo"
    source = root / "sources" / "guangzhou" / "广州市天河区总工会" / "2022.yaml"
    source.parent.mkdir(parents=True)
    shutil.copyfile(REPO / TIANHE / "2022.yaml", source)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "2022")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("    一般公共预算: 608.57", "    一般公共预算: 618.57"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root, source.relative_to(root)


def test_rev_compares_with_the_committed_version(repo):
    _root, source = repo
    data = json.loads(run("diff", source, "--rev", "HEAD", "--format", "json").output)
    assert data["kind"] == "更正"
    assert data["old"]["file"] == f"HEAD:{source.as_posix()}"
    assert data["new"]["file"] == str(source)
    changed = {row["path"]: row for row in data["figures"]}
    assert changed["预算.实际支出.一般公共预算"]["change"] == "10.00"
    assert changed["预算.实际支出合计"]["derived"] is True
    assert data["stale"] is None  # no build/manifest.json here


def test_rev_text_says_the_manifest_is_missing(repo):
    _root, source = repo
    output = run("diff", source, "--rev", "HEAD", "--format", "text").output
    assert output.startswith("更正对比：广州市天河区总工会 2022年度\n")
    assert "随更正变动的计算数字（2 项）" in output
    assert "未找到 build/manifest.json" in output


def test_rev_lists_stale_documents_from_the_manifest(repo):
    from perfdoc.build.digests import input_digest
    from perfdoc.build.paths import output_path
    from perfdoc.pipeline import check_file

    root, source = repo
    out = Path("build")
    checked = check_file(source)
    documents = checked.analysis.format.documents
    keys = [output_path(out, checked, d).relative_to(out).as_posix() for d in documents]
    outputs = {
        # built from the committed version: its digest is not the current one
        keys[0]: {"source": source.as_posix(), "inputs": "0" * 64, "output": "0" * 64},
        # already rebuilt from the corrected file
        keys[1]: {"source": source.as_posix(), "inputs": input_digest(checked, documents[1]), "output": "0" * 64},
        "guangzhou/别的部门/2022/自评表.docx": {"source": "sources/guangzhou/别的部门/2022.yaml", "inputs": "1" * 64},
    }
    (root / "build").mkdir()
    (root / "build" / "manifest.json").write_text(json.dumps({"outputs": outputs}, ensure_ascii=False), encoding="utf-8")
    data = json.loads(run("diff", source, "--rev", "HEAD", "--format", "json").output)
    assert data["stale"] == [f"build/{keys[0]}"]
    text = run("diff", source, "--rev", "HEAD", "--format", "text").output
    assert f"需要重新生成的文档（1 个，运行 perfdoc build）：\n  build/{keys[0]}\n" in text


def test_rev_unknown_revision(repo):
    _root, source = repo
    result = CliRunner().invoke(main, ["diff", str(source), "--rev", "没有这个版本"])
    assert result.exit_code == 1
    assert "git 仓库中没有修订版本“没有这个版本”" in result.output


def test_rev_file_not_in_revision(repo):
    root, _source = repo
    extra = root / "sources" / "新文件.yaml"
    shutil.copyfile(REPO / TIANHE / "2022.yaml", extra)
    result = CliRunner().invoke(main, ["diff", str(extra.relative_to(root)), "--rev", "HEAD"])
    assert result.exit_code == 1
    assert "修订版本“HEAD”中没有文件 sources/新文件.yaml" in result.output


def test_rev_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    source = tmp_path / "2022.yaml"
    shutil.copyfile(REPO / TIANHE / "2022.yaml", source)
    result = CliRunner().invoke(main, ["diff", str(source), "--rev", "HEAD"])
    assert result.exit_code == 1
    assert "不在 git 仓库中" in result.output


def test_rev_takes_one_file():
    result = CliRunner().invoke(main, ["diff", "a.yaml", "b.yaml", "--rev", "HEAD"])
    assert result.exit_code == 2


def test_rich_table_for_a_terminal(correction):
    from rich.console import Console

    from perfdoc.ops.diff import compare, rich_report, side_from_file

    old, new = correction
    console = Console(width=200, record=True, file=io.StringIO())
    for part in rich_report(compare(side_from_file(old), side_from_file(new)), show_all=False):
        console.print(part)
    output = console.export_text()
    assert "更正对比：广州市天河区总工会 2022年度" in output
    assert "预算.实际支出合计" in output and "+1.53个百分点" in output
