"""Hostile input: each bad file gets a clear located message, the right exit code, no traceback."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.load.loader import load_path
from perfdoc.pipeline import check_file

HOSTILE = Path(__file__).parent / "hostile"

# file → (exit status, codes that must be reported[, "line:col: code" of findings that must be reported there])
EXPECTED = {
    "empty.yaml": (1, {"PD001"}),
    "only_comment.yaml": (1, {"PD001"}),
    "tab_indent.yaml": (1, {"PD001"}),
    "bad_indent.yaml": (1, {"PD001"}),
    "unclosed_quote.yaml": (1, {"PD001"}),
    "unclosed_bracket.yaml": (1, {"PD001"}),
    "duplicate_keys.yaml": (1, {"PD004"}),
    "alias_bomb.yaml": (1, {"PD003"}),
    "merge_key.yaml": (1, {"PD003"}),
    "deep_nesting.yaml": (1, {"PD003"}),
    "top_level_list.yaml": (1, {"PD103"}),
    "wrong_types.yaml": (1, {"PD101", "PD104", "PD105", "PD107"}),
    "too_many_decimals_yuan.yaml": (1, {"PD104"}),
    "control_chars.yaml": (0, {"PD005"}),
    "c1_control_chars.yaml": (0, {"PD005"}, {"5:9: PD005", "7:12: PD005", "7:20: PD005", "9:7: PD005"}),
    "injection.yaml": (1, {"PD501"}),
    "punctuation.yaml": (0, set()),
    "gbk.yaml": (1, {"PD002"}),
    "gb18030.yaml": (1, {"PD002"}),
    "utf16.yaml": (1, {"PD002"}),
    "bom.yaml": (0, set()),
    "binary.yaml": (1, {"PD002"}),
    "fullwidth_indent.yaml": (1, {"PD001"}, {"5:1: PD001"}),
    "fullwidth_indent_text.yaml": (1, {"PD001"}, {"8:1: PD001"}),
    "fullwidth_indent_nested.yaml": (1, {"PD001"}, {"6:1: PD001"}),
    "nbsp_indent.yaml": (1, {"PD001"}, {"5:1: PD001"}),
    "nbsp_indent_nested.yaml": (1, {"PD001"}, {"6:4: PD001"}),
    "fullwidth_colon.yaml": (1, {"PD001"}, {"3:3: PD001"}),
    "fullwidth_colon_nested.yaml": (1, {"PD001"}, {"6:5: PD001"}),
    "fullwidth_colon_first_key.yaml": (1, {"PD001"}, {"5:5: PD001"}),
    "fullwidth_colon_list.yaml": (1, {"PD001"}, {"8:9: PD001"}),
    "fullwidth_digits.yaml": (0, set()),
    "crlf.yaml": (0, set()),
    "cr_only.yaml": (0, set()),
}


def test_every_corpus_file_has_an_expectation():
    assert {p.name for p in HOSTILE.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name):
    status, codes, *located = EXPECTED[name]
    result = CliRunner().invoke(main, ["validate", str(HOSTILE / name)], catch_exceptions=False)
    assert result.exit_code == status, result.output
    reported = {line.split(": ")[1].split(" ")[0] for line in result.output.splitlines() if ": PD" in line}
    assert codes <= reported
    for line in result.output.splitlines():
        if ": PD" in line and "PD109" not in line:
            assert f"{HOSTILE / name}:" in line
            assert line.split(": ", 1)[0].count(":") == 2, "every finding carries line and column"
    for where in located[0] if located else ():
        assert f"{HOSTILE / name}:{where} " in result.output, result.output


def test_no_traceback_for_the_whole_corpus():
    proc = subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", "validate", str(HOSTILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "内部错误" not in proc.stdout + proc.stderr


def test_injection_every_reference_is_refused():
    result = check_file(HOSTILE / "injection.yaml")
    refused = {d.path[-1] for d in result.diagnostics if d.code == "PD501"}
    assert refused == {"自评结论", "存在问题", "改进措施"}


@pytest.mark.parametrize(
    "name, fix",
    [
        ("fullwidth_colon.yaml", "第 3 行的键“年度”后面用了全角冒号“：”，YAML 需要半角冒号“:”加空格，请改为“年度: ”"),
        ("fullwidth_colon_first_key.yaml", "第 5 行的键“名称”后面用了全角冒号“：”"),
        ("fullwidth_indent.yaml", "第 5 行的缩进用了全角空格“　”（U+3000），YAML 只认普通空格，请改为普通空格"),
        ("nbsp_indent_nested.yaml", "第 6 行的缩进用了不间断空格（U+00A0），YAML 只认普通空格，请改为普通空格"),
    ],
)
def test_pasted_punctuation_and_spaces_are_named_with_the_fix(name, fix):
    (diag,) = check_file(HOSTILE / name).diagnostics
    assert diag.code == "PD001" and fix in diag.message


def test_gbk_message_says_how_to_fix():
    (diag,) = check_file(HOSTILE / "gbk.yaml").diagnostics
    assert "GBK" in diag.message and "UTF-8" in diag.message


def test_fifty_megabyte_file_is_refused_fast_with_bounded_memory(tmp_path):
    big = tmp_path / "2022.yaml"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("叙述:\n  存在问题: |\n")
        line = "    " + "绩效目标设定质量不够清晰。" * 8 + "\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line * 1000)
    tracemalloc.start()
    loaded = load_path(big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert loaded.source is None and [d.code for d in loaded.diagnostics] == ["PD003"]
    assert peak < 5 * 1024 * 1024  # refused before reading the file


def test_alias_bomb_memory_is_bounded():
    tracemalloc.start()
    loaded = load_path(HOSTILE / "alias_bomb.yaml")
    assert loaded.source is None and loaded.diagnostics[-1].code == "PD003"
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 300 * 1024 * 1024
