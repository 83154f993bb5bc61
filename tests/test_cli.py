"""The command line: output format, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from perfdoc.cli import main

BAD = """格式: guangzhou
年度: 2022
部门:
  名称: 甲
预算:
  年初预算: 643.45
  调整数: 12.1
  调整后预算: 665.55
"""


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_validate_reports_file_line_col_code_and_excerpt(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert any(line.startswith(f"{path}:8:10: PD201 ") for line in result.output.splitlines())
    assert "    8 |   调整后预算: 665.55" in result.output
    assert "^^^^^^" in result.output


def test_validate_json(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = run("validate", "--format", "json", str(path))
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert any(d["code"] == "PD201" and d["line"] == 8 and d["severity"] == "error" for d in data)


def test_warnings_pass_unless_strict(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text("格式: guangzhou\n年度: 2022\n部门:\n  名称: 甲\n", encoding="utf-8")
    assert run("validate", str(path)).exit_code == 0
    assert run("validate", "--strict", str(path)).exit_code == 1


def test_usage_error_exits_2():
    assert run("validate", "--format", "xml").exit_code == 2
    assert run("nosuchcommand").exit_code == 2


def test_missing_file_is_a_located_error_not_a_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", "validate", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "PD000" in proc.stdout


def test_binary_garbage_is_refused_cleanly(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "PD002" in result.output


def test_show_lists_derived_figures(tmp_path):
    path = tmp_path / "2022.yaml"
    path.write_text(BAD.replace("665.55", "655.55"), encoding="utf-8")
    result = run("show", "--format", "json", str(path))
    rows = {row["path"]: row for row in json.loads(result.output)}
    assert rows["预算.调整后预算"]["value"] == "655.55"
    assert rows["预算.调整后预算"]["origin"] == "填报（已核对）"
    assert rows["预算.预算调整率"]["value"] == "1.88%"


def test_formats_lists_every_format():
    result = run("formats")
    assert result.exit_code == 0
    for name in ("guangzhou", "hunan-linxiang", "hunan-yiyang"):
        assert name in result.output


def test_from_a_subfolder_the_project_folder_is_found(workspace, monkeypatch):
    monkeypatch.chdir(workspace / "sources")
    result = run("validate")
    assert result.exit_code in (0, 1)
    assert "检查了 2 个文件" in result.output


def test_outside_a_project_perfdoc_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["build"], ["validate"], ["new", "--format", "guangzhou", "--department", "甲", "--year", "2023"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, command
        assert "不在 perfdoc 仓库中" in result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_click_speaks_chinese():
    for args in (["import"], ["biuld"], ["validate", "--frmat", "x"], ["new"], ["validate", "-j", "x"], ["--help"], ["validate", "--help"], ["build", "--help"]):
        result = CliRunner().invoke(main, args)
        for english in ("Usage:", "Options:", "Commands:", "[OPTIONS]", "COMMAND", "Error:", "No such", "Did you mean", "Missing", "Show this message", "is not"):
            assert english not in result.output, (args, result.output)
    assert "是不是要用 'build'" in CliRunner().invoke(main, ["biuld"]).output
    for typed, meant in (("nxt-year", "next-year"), ("vaildate", "validate"), ("textconf", "textconv")):
        assert f"是不是要用 '{meant}'" in CliRunner().invoke(main, [typed]).output  # commands imported only when run too
