from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config):
    # the suite starts with an empty cache of its own (perfdoc.usercache), never the user's;
    # commands the tests run as subprocesses inherit it
    os.environ["PERFDOC_CACHE_DIR"] = tempfile.mkdtemp(prefix="perfdoc-cache-")


@pytest.fixture
def check():
    from perfdoc.ops.docgen import example_source
    from perfdoc.pipeline import check_text

    def run(fragment: str, path: str = "example.yaml"):
        return check_text(example_source(fragment), path)

    return run


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A folder with a small test format and two sources (see perfdoc.testing.workspace), as the working folder."""
    from perfdoc.testing.workspace import make_workspace

    make_workspace(tmp_path)
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
