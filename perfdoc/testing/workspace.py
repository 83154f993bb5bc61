"""A small working folder for perfdoc's tests: a two-document test format and sources.

Shared by several test modules (pytest fixtures in ``tests/conftest.py`` build on it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
from click.testing import CliRunner

from ..cli import main

REPO = Path(__file__).resolve().parents[2]  # the checkout, whose templates/national the test format is based on

FORMAT_YAML = """\
名称: testfmt
基于: national
说明: 测试格式
文档:
  - 名称: 表
    模板: 表.docx
    标题: 测试表
  - 名称: 报告
    模板: 报告.docx
    标题: 测试报告
等次:
  - {名称: 优, 最低分: 90}
  - {名称: 差, 最低分: 0}
评分:
  总分: 100
必需章节: []
必需数据: []
"""

SOURCE = """\
格式: testfmt
年度: {year}
部门:
  名称: {department}
预算:
  年初预算: {budget}
  调整数: 10
叙述:
  存在问题: |
    1. 第一条
    2. 第二条
"""

BROKEN_TOTAL = "  调整后预算: 999\n"  # PD201: the stated total disagrees with its parts


def make_template(path: Path, *paragraphs: str) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)


def write_source(root: Path, department: str, year: int = 2022, budget: int = 100, extra: str = "") -> Path:
    path = root / "sources" / "testfmt" / department / f"{year}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = SOURCE.format(year=year, department=department, budget=budget)
    path.write_text(text.replace("  调整数: 10\n", "  调整数: 10\n" + extra), encoding="utf-8")
    return path


def make_workspace(root: Path) -> Path:
    """A working folder with a two-document format and two departments' sources."""
    fmt = root / "templates" / "testfmt"
    fmt.mkdir(parents=True)
    shutil.copytree(REPO / "templates" / "national", root / "templates" / "national")  # the default formulas
    (fmt / "format.yaml").write_text(FORMAT_YAML, encoding="utf-8")
    make_template(fmt / "表.docx", "{{ 部门.名称 }}{{ 年度 }}年度", "调整后预算 {{ 预算.调整后预算|万元 }}")
    make_template(fmt / "报告.docx", "{{ 部门.名称 }}", "{{p 叙述.存在问题|段落 }}")
    write_source(root, "甲部门")
    write_source(root, "乙部门")
    return root


def run(*args):
    return CliRunner().invoke(main, list(args))
