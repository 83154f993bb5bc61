"""Batches over several processes: the same diagnostics, in the same order, as one process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from perfdoc.pipeline import check_file, check_files, check_folder

REPO = Path(__file__).resolve().parent.parent


def _batch(root: Path, departments: int = 12) -> Path:
    """``departments`` copies of the example departments, every fifth with a wrong 调整后预算."""
    for index in range(departments):
        for folder in sorted((REPO / "sources").glob("*/*")):
            target = root / "sources" / folder.parent.name / f"{folder.name}{index}"
            shutil.copytree(folder, target)
            if index % 5 == 0:
                for path in target.glob("*.yaml"):
                    text = path.read_text(encoding="utf-8")
                    path.write_text(text.replace("年初预算:", "年初预算: 1.23 #", 1), encoding="utf-8")
    return root / "sources"


def _validate(sources: Path, jobs: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "perfdoc.cli", "validate", str(sources), "--jobs", str(jobs), "--format", "json"],
        capture_output=True, text=True, cwd=sources.parent,
    )


def test_validate_with_workers_reports_what_one_process_reports(tmp_path):
    sources = _batch(tmp_path)
    alone, together = _validate(sources, 1), _validate(sources, 2)
    assert alone.returncode == together.returncode == 1
    assert "Traceback" not in together.stderr
    assert together.stdout == alone.stdout
    assert together.stdout.count('"PD') >= 12  # the broken copies are reported


def test_a_folder_checked_together_gives_what_each_file_gives_alone():
    folder = REPO / "sources" / "guangzhou" / "广州市天河区总工会"
    paths = [folder / "2023.yaml", folder / "2022.yaml"]  # newest first: checked oldest first, returned as given
    together = check_folder(paths)
    assert [result.path for result in together] == [str(p) for p in paths]
    for path, result in zip(paths, together):
        assert result.diagnostics == check_file(path).diagnostics
        assert result.analysis is None


def test_results_come_in_the_order_the_files_were_given():
    tianhe = REPO / "sources" / "guangzhou" / "广州市天河区总工会"
    linxiang = REPO / "sources" / "hunan-linxiang" / "临湘市总工会"
    paths = [tianhe / "2023.yaml", linxiang / "2022.yaml", tianhe / "2022.yaml", linxiang / "2023.yaml"]
    assert [result.path for result in check_files(paths)] == [str(p) for p in paths]
