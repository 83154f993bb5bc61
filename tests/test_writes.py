"""Files written atomically get the permissions a plain write would give them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.cli import main
from perfdoc.build.writes import NEW_FILE_MODE, UMASK, atomic_write_bytes, atomic_write_text

REPO = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_the_umask_is_read_as_the_process_has_it():
    assert UMASK == current_umask()
    assert NEW_FILE_MODE == 0o666 & ~UMASK


def test_a_new_file_respects_the_umask(tmp_path):
    atomic_write_bytes(tmp_path / "新" / "a.docx", b"data")
    atomic_write_text(tmp_path / "manifest.json", "{}")
    assert mode(tmp_path / "新" / "a.docx") == 0o666 & ~current_umask()
    assert mode(tmp_path / "manifest.json") == 0o666 & ~current_umask()


@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_respects_any_umask(tmp_path, umask, expected):
    target = tmp_path / "out.docx"
    code = "import sys; from perfdoc.build.writes import atomic_write_bytes; atomic_write_bytes(sys.argv[1], b'x')"
    subprocess.run(
        [sys.executable, "-c", code, str(target)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: os.umask(umask),
    )
    assert mode(target) == expected


@pytest.mark.parametrize("existing", [0o600, 0o640, 0o664, 0o444])
def test_a_replaced_file_keeps_its_permissions(tmp_path, existing):
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    target.chmod(existing)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert mode(target) == existing


def test_rendered_documents_are_not_private_to_their_owner(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFDOC_TEMPLATES", str(REPO / "templates"))
    target = tmp_path / "自评表.docx"
    source = REPO / "sources" / "guangzhou" / "广州市天河区总工会" / "2022.yaml"
    result = CliRunner().invoke(main, ["render", str(source), "--doc", "自评表", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o666 & ~current_umask()
