from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The four reference documents (text extractions of the official Word files).
SEEDS = REPO / "tests" / "golden" / "seeds"

EXAMPLE_BASE = {
    "格式": "格式: guangzhou",
    "年度": "年度: 2022",
    "部门": "部门:\n  名称: 示例部门",
}


def example_source(fragment: str) -> str:
    """A rule example with the keys every source needs added in front."""
    present = {line.split(":", 1)[0] for line in fragment.splitlines() if line and not line.startswith((" ", "#", "-"))}
    head = [text for key, text in EXAMPLE_BASE.items() if key not in present]
    return "\n".join(head) + "\n" + fragment


@pytest.fixture
def check():
    from perfdoc.pipeline import check_text

    def run(fragment: str, path: str = "example.yaml"):
        return check_text(example_source(fragment), path)

    return run


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A folder with a small test format and two sources (see test_build.make_workspace), as the working folder."""
    from test_build import make_workspace

    make_workspace(tmp_path)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
