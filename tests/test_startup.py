"""Start-up: ``perfdoc --help`` and validating one file load only what they use.

What a command imports decides how long it takes before it does anything
(``bench/bench.py`` times it); here the modules are checked, not the clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ONE_SOURCE = "sources/hunan-linxiang/临湘市总工会/2023.yaml"

RUN = r"""
import json, sys
from perfdoc.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str, env: dict | None = None) -> tuple[set, str]:
    done = subprocess.run([sys.executable, "-c", RUN, *args], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env=env)
    return set(json.loads(done.stderr.strip().splitlines()[-1])), done.stdout


def loaded(modules: set, *packages: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or any(m.startswith(p + ".") for p in packages))


def test_help_lists_every_command_without_importing_them():
    modules, out = imported_by("--help")
    for command in ("build", "render", "diff", "next-year", "textconv", "git-setup", "validate", "new"):
        assert f"  {command} " in out
    assert "校验数据文件并生成全部文档" in out  # build's help, read from its module's source
    assert loaded(modules, "multiprocessing", "concurrent", "ruamel", "jinja2", "docxtpl", "docx", "lxml",
                  "markdown_it", "perfdoc.compute", "perfdoc.errors", "perfdoc.build.orchestrate", "perfdoc.ops.diff") == []


def test_validating_one_file_starts_no_workers_and_loads_no_renderer(tmp_path):
    # the documents are looked at for 【待填写】 markers through the Jinja code kept in the cache:
    # once the first run has filled it, docxtpl and its package code are not loaded at all
    env = {**os.environ, "PERFDOC_CACHE_DIR": str(tmp_path)}
    first, _ = imported_by("validate", ONE_SOURCE, env=env)
    assert "perfdoc.render.engine" in first
    modules, _ = imported_by("validate", ONE_SOURCE, env=env)
    assert "perfdoc.pipeline" in modules and "perfdoc.render.shown" in modules
    assert loaded(modules, "multiprocessing", "concurrent", "docxtpl", "docx", "lxml", "perfdoc.render.engine") == []
    # nor the reference YAML reader (the file is plain YAML), nor markdown-it (no narrative shows a marker)
    assert loaded(modules, "markdown_it") == [] and "ruamel.yaml" not in modules


def test_plain_narrative_references_need_no_jinja(monkeypatch):
    # every reference in this source is a plain name path: looked up directly, no template compiled
    from perfdoc.pipeline import check_file
    from perfdoc.render import narrative

    def refused():
        raise AssertionError("a narrative template was compiled")

    monkeypatch.setattr(narrative, "environment", refused)
    assert check_file(REPO / "sources/hunan-yiyang/益阳市总工会/2023.yaml").diagnostics == []


def test_a_lazily_registered_command_runs(tmp_path):
    done = subprocess.run([sys.executable, "-m", "perfdoc.cli", "textconv", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "DOCX_FILE" in done.stdout.upper()
