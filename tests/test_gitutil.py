"""``perfdoc textconv`` and ``perfdoc git-setup``, and reading a file at a git revision."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfdoc.ops import gitutil
from perfdoc.cli import main
from perfdoc.errors import UserError

EXPECTED_TEXT = "年度绩效自评\n项目 | 金额（万元） | 备注\n机关 | 366.10 | 含两段 说明\n合计 | 366.10\n结尾段落\n"


@pytest.fixture
def docx_file(tmp_path) -> Path:
    """A document with a paragraph, a table (one two-paragraph cell, one merged row) and a paragraph."""
    import docx

    document = docx.Document()
    document.add_paragraph("年度绩效自评")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, (("项目", "金额（万元）", "备注"), ("机关", "366.10", "含两段"))):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(1, 2).add_paragraph("说明")
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    table.cell(2, 0).text = "合计"
    merged.text = "366.10"
    document.add_paragraph("结尾段落")
    path = tmp_path / "自评表.docx"
    document.save(str(path))
    return path


def test_textconv_prints_paragraphs_and_table_rows(docx_file):
    result = CliRunner().invoke(main, ["textconv", str(docx_file)])
    assert result.exit_code == 0, result.output
    assert result.output == EXPECTED_TEXT


def test_textconv_refuses_a_file_that_is_not_a_docx(tmp_path):
    path = tmp_path / "假的.docx"
    path.write_bytes(b"not a zip")
    result = CliRunner().invoke(main, ["textconv", str(path)])
    assert result.exit_code == 1
    assert "不是有效的 .docx" in result.output


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def git_config(root: Path, key: str) -> str:
    return subprocess.run(["git", "config", "--get", key], cwd=root, capture_output=True, text=True).stdout.strip()


def test_git_setup_is_idempotent(repo, monkeypatch):
    (repo / ".gitattributes").write_text("*.yaml text eol=lf", encoding="utf-8")  # no final newline
    monkeypatch.chdir(repo / "sub")  # anywhere inside the repository
    for _ in range(2):
        result = CliRunner().invoke(main, ["git-setup"])
        assert result.exit_code == 0, result.output
    assert (repo / ".gitattributes").read_text(encoding="utf-8") == "*.yaml text eol=lf\n*.docx diff=perfdoc\n"
    assert git_config(repo, "diff.perfdoc.textconv") == "perfdoc textconv"
    assert git_config(repo, "core.quotepath") == "false"  # Chinese paths shown as text
    assert "已有" in result.output


def test_git_setup_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["git-setup"])
    assert result.exit_code == 1
    assert "不在 git 仓库中" in result.output
    assert not (tmp_path / ".gitattributes").exists()


def test_git_diff_uses_the_driver(repo, docx_file, monkeypatch):
    """End to end: after git-setup, git diff of two .docx versions shows the changed cell."""
    if shutil.which("perfdoc") is None:
        pytest.skip("the perfdoc command is not installed")
    monkeypatch.chdir(repo)
    assert CliRunner().invoke(main, ["git-setup"]).exit_code == 0
    target = repo / "自评表.docx"
    shutil.copyfile(docx_file, target)
    identity = ["-c", "user.name=测试", "-c", "user.email=test@example.com"]
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", "v1"], cwd=repo, check=True)
    import docx

    document = docx.Document(str(target))
    document.tables[0].cell(1, 1).text = "376.10"
    document.save(str(target))
    diff = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert "-机关 | 366.10 | 含两段 说明" in diff
    assert "+机关 | 376.10 | 含两段 说明" in diff


def test_file_at_revision(repo):
    source = repo / "sub" / "数据.yaml"
    source.write_text("年度: 2022\n", encoding="utf-8")
    identity = ["-c", "user.name=测试", "-c", "user.email=test@example.com"]
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", "v1"], cwd=repo, check=True)
    source.write_text("年度: 2023\n", encoding="utf-8")
    assert gitutil.file_at_revision(source, "HEAD") == (b"\xe5\xb9\xb4\xe5\xba\xa6: 2022\n", "sub/数据.yaml")
    with pytest.raises(UserError, match="没有修订版本“HEAD~5”"):
        gitutil.file_at_revision(source, "HEAD~5")
    with pytest.raises(UserError, match="没有修订版本“--output=x”"):
        gitutil.file_at_revision(source, "--output=x")  # never passed to git as an option


def test_missing_git_is_a_user_error(monkeypatch, tmp_path):
    monkeypatch.setattr(gitutil.shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="找不到 git 命令"):
        gitutil.repository_root(tmp_path)
