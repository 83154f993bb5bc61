"""Golden files: expected output kept as text beside the tests.

With ``PERFDOC_UPDATE_GOLDEN=1`` a golden file that differs from the output (or
is missing) is rewritten and the test fails with "updated, re-run": an update
never passes silently, and the next run compares against what was written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

UPDATE_VARIABLE = "PERFDOC_UPDATE_GOLDEN"


def updating() -> bool:
    return os.environ.get(UPDATE_VARIABLE) == "1"


def assert_golden(path: Path, text: str) -> None:
    """``text`` is what ``path`` holds; in update mode, a different ``path`` is rewritten and the test fails."""
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if updating() and current != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"{path}: updated, re-run (golden file written; run the tests again without {UPDATE_VARIABLE})")
    assert current is not None, f"{path} 不存在：用 {UPDATE_VARIABLE}=1 生成"
    assert text == current
