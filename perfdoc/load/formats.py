"""Region formats: ``templates/<format>/format.yaml`` plus its .docx templates.

A format is data, not code: adding a region means adding a folder.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..errors import FormatError
from .loader import load_path


@dataclass(frozen=True)
class Grade:
    name: str
    min_score: Decimal


@dataclass(frozen=True)
class Document:
    name: str
    template: Path
    title: str = ""
    required_sections: tuple = ()


@dataclass(frozen=True)
class Format:
    name: str
    folder: Path
    description: str
    documents: tuple
    grades: tuple  # highest band first
    total_score: Decimal
    default_weights: dict
    required_sections: tuple
    required_data: tuple
    labels: dict = field(default_factory=dict)  # 一级/二级 display labels
    options: dict = field(default_factory=dict)  # anything else, passed to templates
    config_path: Path | None = None

    def grade_for(self, score: Decimal) -> str | None:
        for grade in self.grades:
            if score >= grade.min_score:
                return grade.name
        return None

    def band_of(self, grade_name: str) -> tuple[Decimal, Decimal | None] | None:
        """The score interval [low, high) of a named grade."""
        for index, grade in enumerate(self.grades):
            if grade.name == grade_name:
                high = self.grades[index - 1].min_score if index else None
                return grade.min_score, high
        return None

    def document(self, name: str) -> Document:
        for doc in self.documents:
            if doc.name == name:
                return doc
        raise FormatError(f"格式“{self.name}”没有名为“{name}”的文档；可用：{'、'.join(d.name for d in self.documents)}")

    def digest(self) -> str:
        return hashlib.sha256(self.config_path.read_bytes()).hexdigest() if self.config_path else ""


def templates_root() -> Path:
    """``$PERFDOC_TEMPLATES``, else ``templates/`` in the working tree, else the repo's."""
    env = os.environ.get("PERFDOC_TEMPLATES")
    if env:
        return Path(env)
    cwd = Path.cwd() / "templates"
    if cwd.is_dir():
        return cwd
    return Path(__file__).resolve().parents[2] / "templates"


def available_formats(root: Path | None = None) -> list[str]:
    root = root or templates_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "format.yaml").is_file())


@lru_cache(maxsize=64)
def _load_cached(folder: Path, mtime: float) -> Format:
    return _parse_format(folder)


def load_format(name: str, root: Path | None = None) -> Format:
    root = root or templates_root()
    try:
        folder = (root / name).resolve()
        config = folder / "format.yaml"
        found = config.is_file() and root.resolve() in folder.parents
    except (OSError, ValueError):  # a name no file system accepts (too long, NUL)
        found = False
    if not found:
        known = "、".join(available_formats(root)) or "（无）"
        raise FormatError(f"找不到格式“{name}”（应有 {root / name / 'format.yaml'}）；已有格式：{known}")
    return _load_cached(folder, config.stat().st_mtime)


def _parse_format(folder: Path) -> Format:
    config = folder / "format.yaml"
    loaded = load_path(config)
    if loaded.source is None:
        problem = loaded.diagnostics[-1]
        where = f":{problem.location.line}:{problem.location.col}" if problem.location else ""
        raise FormatError(f"{config}{where}: {problem.message}")
    data = loaded.data
    if not isinstance(data, dict):
        raise FormatError(f"{config}: 应为键值映射")

    def need(key):
        if key not in data:
            raise FormatError(f"{config}: 缺少“{key}”")
        return data[key]

    documents = []
    for item in need("文档"):
        template = folder / str(item["模板"])
        documents.append(
            Document(
                name=str(item["名称"]),
                template=template,
                title=str(item.get("标题", item["名称"])),
                required_sections=tuple(item.get("必需章节") or ()),
            )
        )
    grades = sorted(
        (Grade(str(g["名称"]), Decimal(g["最低分"])) for g in need("等次")),
        key=lambda g: g.min_score,
        reverse=True,
    )
    scoring = data.get("评分") or {}
    known = {"名称", "说明", "文档", "等次", "评分", "必需章节", "必需数据", "指标名称"}
    return Format(
        name=str(data.get("名称", folder.name)),
        folder=folder,
        description=str(data.get("说明", "")),
        documents=tuple(documents),
        grades=tuple(grades),
        total_score=Decimal(scoring.get("总分", 100)),
        default_weights={str(k): Decimal(v) for k, v in (scoring.get("默认权重") or {}).items()},
        required_sections=tuple(dict.fromkeys(
            tuple(data.get("必需章节") or ()) + tuple(s for d in documents for s in d.required_sections)
        )),
        required_data=tuple(data.get("必需数据") or ()),
        labels=data.get("指标名称") or {},
        options={k: v for k, v in data.items() if k not in known},
        config_path=config,
    )
