"""Region formats: ``templates/<format>/format.yaml`` plus its .docx templates.

A format is data, not code: adding a region means adding a folder. A format
may be ``基于`` another: it then holds only what differs. Merge rules:

* mappings merge key by key (a member overrides one label, one formula);
* any other value, lists included, replaces the inherited one (a member that
  writes ``等次`` writes all of them);
* ``名称``, ``基于`` and ``仅供继承`` are never inherited;
* a template is looked up in the format's own folder, then in each format it
  is based on, nearest first.

Every problem in a ``format.yaml`` is a located :class:`Diagnostic` (PD8xx);
:func:`load_format` raises a :class:`FormatError` that carries them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..compute import expr
from ..errors import Diagnostic, FormatError, Location, Severity
from ..numbers import plain
from .format_schema import COMPLETION_NAMES, RATE_SCOPES, did_you_mean, shape_problems
from .inputs import shown_path, symbolic_link_on_path
from .loader import load_path
from .schema import SOURCE_SCHEMA, has_path
from .schema import LEVEL1, LEVEL2, NATIONAL_FUND_SOURCES
from .template_sections import sections_read

CONFIG = "format.yaml"
NOT_INHERITED = ("名称", "基于", "仅供继承")
MAX_DEPTH = 8
DEFAULT_EVALUATOR_ROWS = 4


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
    file_name: str | None = None
    split_by: str | None = None  # a context list: one more file per item (文档[].分项)
    needs: str | None = None  # an optional document: made only when the source writes this top-level key (文档[].条件)
    generated_sections: dict = field(default_factory=dict)  # section → what the template writes when it is not written
    printed_sections: frozenset | None = None  # the narrative sections the template prints; None: any


@dataclass(frozen=True)
class QualitativeTier:
    """One tier of 定性分档: a qualitative indicator at this 完成程度 scores between ``low`` and ``high`` per cent of its 分值."""

    name: str
    high: Decimal
    low: Decimal
    words: tuple = ()  # 完成值 written as one of these is at this tier

    def interval(self, weight: Decimal) -> tuple[Decimal, Decimal]:
        return weight * self.low / 100, weight * self.high / 100


@dataclass(frozen=True)
class ScoringRule:
    """One scoring rule of a format: how a rate becomes points."""

    name: str
    kind: str  # 线性, 分档, 扣分
    points: Decimal
    rate: str  # the name of a rate formula: 预算完成率
    bands: tuple = ()  # ((upper limit %, score), …), ascending
    beyond: Decimal = Decimal(0)
    base: Decimal = Decimal(100)
    direction: str = "低于"
    step: Decimal = Decimal(1)
    deduction: Decimal = Decimal(0)

    def score(self, rate: Decimal) -> Decimal:
        """The points for a rate written in per cent (98.04 for 98.04%)."""
        if self.kind == "线性":
            return min(self.points, max(Decimal(0), self.points * rate / 100))
        if self.kind == "分档":
            for limit, score in self.bands:
                if rate <= limit:
                    return score
            return self.beyond
        gap = rate - self.base if self.direction == "超出" else self.base - rate
        if gap <= 0:
            return self.points
        return max(Decimal(0), self.points - self.deduction * gap / self.step)

    def describe(self) -> str:
        if self.kind == "线性":
            return f"{self.name}得分 = {self.points} × {self.rate}（不超过 {self.points}）"
        if self.kind == "分档":
            bands = "；".join(f"≤{limit}% 得 {score}" for limit, score in self.bands)
            return f"{self.name}按{self.rate}分档：{bands}；更高得 {self.beyond}"
        full = f"{self.rate}{'≤' if self.direction == '超出' else '≥'}{plain(self.base)}% 得满分 {plain(self.points)} 分"
        return f"{full}，每{self.direction} {plain(self.step)} 个百分点扣 {plain(self.deduction)} 分"


@dataclass(frozen=True)
class Format:
    name: str
    folder: Path
    description: str
    documents: tuple
    grades: tuple  # highest band first
    total_score: Decimal
    required_sections: tuple
    required_data: tuple
    formulas: dict = field(default_factory=dict)  # rate name → expr.Formula
    outside_items: tuple = ()  # ScoringRule, points outside the indicators
    indicator_rules: dict = field(default_factory=dict)  # indicator name → ScoringRule
    completion: dict = field(default_factory=dict)  # 正向 / 反向 → expr.Formula
    labels: dict = field(default_factory=dict)  # 一级/二级 name → display label; the names are those sources may use
    options: dict = field(default_factory=dict)  # 地区, 财政部门… passed to templates
    layout: dict = field(default_factory=dict)
    config_path: Path | None = None
    chain: tuple = ()  # format.yaml of this format and each it is based on, nearest first
    parent: str | None = None
    abstract: bool = False
    place_from_source: bool = False
    fund_sources: tuple = NATIONAL_FUND_SOURCES  # the rows of a project form's 项目资金 block
    explanation: dict = field(default_factory=dict)  # 须说明原因: when a project form's 原因 cell must be written
    qualitative_tiers: tuple = ()  # QualitativeTier, highest first (评分.定性分档)
    far_over_target: Decimal | None = None  # per cent: a result this far past its target is worth a word (评分.超额提示)

    @property
    def generated_sections(self) -> dict:
        """Narrative sections a template writes from data when the source does not: section → what."""
        return {key: text for document in self.documents for key, text in document.generated_sections.items()}

    @property
    def level_names(self) -> dict:
        """The 一级 and 二级 names a source of this format may write (the national ones when it names none)."""
        return {level: tuple(self.labels.get(level) or ()) or national for level, national in (("一级", LEVEL1), ("二级", LEVEL2))}

    @property
    def printed_sections(self) -> frozenset | None:
        """The narrative sections some document of the format prints; ``None`` when one may print any."""
        printed = [document.printed_sections for document in self.documents]
        return None if any(p is None for p in printed) else frozenset().union(*printed)

    @property
    def evaluator_rows(self) -> int:
        return int(self.layout.get("评价人员行数", DEFAULT_EVALUATOR_ROWS))

    @property
    def outside_points(self) -> Decimal:
        return sum((item.points for item in self.outside_items), Decimal(0))

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

    def documents_for(self, data) -> tuple:
        """The documents made for a source: all but the optional ones whose key (文档[].条件) it does not write."""
        written = data if isinstance(data, dict) else {}
        return tuple(doc for doc in self.documents if doc.needs is None or written.get(doc.needs) not in (None, {}, []))

    def tier_of(self, written) -> QualitativeTier | None:
        """The 定性分档 tier a 完成程度 or 完成值 names (by its name or one of its 写法), or None."""
        word = str(written).strip() if written is not None else ""
        return next((tier for tier in self.qualitative_tiers if word == tier.name or word in tier.words), None)

    def document(self, name: str) -> Document:
        for doc in self.documents:
            if doc.name == name:
                return doc
        raise FormatError(f"格式“{self.name}”没有名为“{name}”的文档；可用：{'、'.join(d.name for d in self.documents)}")


class FormatProblems(FormatError):
    """A format.yaml (or one it is based on) with errors; ``diagnostics`` says each, located."""

    def __init__(self, name: str, diagnostics: list, texts: dict):
        first = diagnostics[0]
        more = f"（另有 {len(diagnostics) - 1} 处问题，运行 perfdoc check-format {name} 查看全部）" if len(diagnostics) > 1 else ""
        super().__init__(f"{_head(first)}: {first.code} {first.message}{more}")
        self.diagnostics = diagnostics
        self.texts = texts


def _head(diagnostic: Diagnostic) -> str:
    loc = diagnostic.location
    return f"{diagnostic.file}:{loc.line}:{loc.col}" if loc else diagnostic.file


def templates_root() -> Path:
    """``$PERFDOC_TEMPLATES``, else ``templates/`` in the working tree, else the repo's."""
    env = os.environ.get("PERFDOC_TEMPLATES")
    if env:
        return Path(env)
    cwd = Path.cwd() / "templates"
    if cwd.is_dir():
        return cwd
    return Path(__file__).resolve().parents[2] / "templates"


def available_formats(root: Path | None = None, include_abstract: bool = False) -> list[str]:
    """Folders holding a format.yaml; formats marked 仅供继承 only when asked for."""
    root = root or templates_root()
    if not root.is_dir():
        return []
    names = sorted(p.name for p in root.iterdir() if (p / CONFIG).is_file())
    if include_abstract:
        return names
    return [name for name in names if not _declared_abstract(root / name / CONFIG)]


def _declared_abstract(config: Path) -> bool:
    layer = _layer(config)
    return isinstance(layer.data, dict) and layer.data.get("仅供继承") is True


def load_format(name: str, root: Path | None = None) -> Format:
    """The merged, checked format ``name``; :class:`FormatError` when missing or wrong."""
    root = root or templates_root()
    link = _link_on_the_way(name, root)
    if link is not None:
        raise FormatError(_linked(name, link))
    folder = _folder(name, root)
    if folder is None:
        known = "、".join(available_formats(root)) or "（无）"
        raise FormatError(f"找不到格式“{name}”（应有 {root / name / CONFIG}）；已有格式：{known}")
    fmt, diagnostics, texts = check_format(folder, root)
    errors = [d for d in diagnostics if d.is_error]
    if errors or fmt is None:
        raise FormatProblems(name, errors or diagnostics, texts)
    return fmt


def _link_on_the_way(name: str, root: Path) -> Path | None:
    """A symbolic link on the way to format ``name`` (within the working folder; outside it, the format's own folder).

    ``templates`` or a format folder that is a link would make perfdoc read
    format settings and templates from wherever it points.
    """
    try:
        return symbolic_link_on_path(root / name)
    except (OSError, ValueError):
        return None


def _linked(name: str, link: Path) -> str:
    try:
        target = os.readlink(link)
    except OSError:
        target = "？"
    return (f"格式“{name}”的文件夹经过符号链接 {shown_path(link)}（指向 {target}），"
            "为安全起见不予使用；请把格式文件夹作为普通文件夹放在仓库的 templates/ 中")


def _folder(name: str, root: Path) -> Path | None:
    """The folder of format ``name`` under ``root``; callers first refuse a link on the way (:func:`_link_on_the_way`)."""
    try:
        folder = (root / name).resolve()
        found = (folder / CONFIG).is_file() and root.resolve() in folder.parents
    except (OSError, ValueError):  # a name no file system accepts (too long, NUL)
        found = False
    return folder if found else None


# ------------------------------------------------------------------ reading and merging


@dataclass(frozen=True)
class _Layer:
    """One format.yaml as read: its data, or the diagnostic that it cannot be read."""

    config: Path
    data: object
    source: object | None
    text: str | None
    problem: Diagnostic | None = None


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _layer(config: Path) -> _Layer:
    try:
        mtime = config.stat().st_mtime_ns
    except OSError:
        mtime = -1
    return _read_layer(config, mtime)


@lru_cache(maxsize=128)
def _read_layer(config: Path, mtime: int) -> _Layer:
    shown = _display(config)
    source, found = load_path(config)
    if source is None:
        problem = found[-1]
        return _Layer(config, None, None, None, Diagnostic("PD801", f"format.yaml 无法读取：{problem.message}", file=shown,
                                                            location=problem.location or Location(1, 1)))
    if not isinstance(source.data, dict):
        return _Layer(config, None, source, source.text,
                      Diagnostic("PD801", "format.yaml 应为“键: 值”的映射", file=shown, location=Location(1, 1)))
    notes = [d for d in found if d.is_error]  # a key written twice, …
    if notes:
        return _Layer(config, None, source, source.text,
                      Diagnostic("PD801", notes[0].message, file=shown, location=notes[0].location))
    return _Layer(config, source.data, source, source.text)


def merge(base, override):
    """``override`` over ``base``: mappings key by key, anything else (lists too) replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    return override


def check_format(folder: Path, root: Path | None = None) -> tuple[Format | None, list, dict]:
    """The format in ``folder``, every problem of it and of what it is based on, and the texts read."""
    root = root or templates_root()
    link = symbolic_link_on_path(Path(folder))
    if link is not None:
        refused = Diagnostic("PD801", f"format.yaml 无法读取：{_linked(Path(folder).name, link)}", file=_display(Path(folder) / CONFIG))
        return None, [refused], {}
    folder = Path(folder).resolve()
    layers, diagnostics = _chain(folder, root)
    key = tuple((layer.config, _mtime(layer.config)) for layer in layers)
    return _checked(folder, root.resolve() if root.is_dir() else root, key, tuple(diagnostics))


def config_chain(folder: Path, root: Path | None = None) -> tuple:
    """The format.yaml files a format is made of, its own first: what a build's cache must watch."""
    layers, _ = _chain(Path(folder).resolve(), root or templates_root())
    return tuple(layer.config for layer in layers)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _chain(folder: Path, root: Path) -> tuple[list, list]:
    """The layers from ``folder`` up through its 基于, nearest first, and problems with 基于 itself."""
    layers: list[_Layer] = []
    diagnostics: list[Diagnostic] = []
    current = folder
    while True:
        layer = _layer(current / CONFIG)
        layers.append(layer)
        if layer.problem is not None or not isinstance(layer.data, dict):
            break
        parent = layer.data.get("基于")
        if parent is None:
            break
        shown = _display(layer.config)
        location = layer.source.location_of(("基于",))
        if not isinstance(parent, str):
            parent = str(parent)
        link = _link_on_the_way(parent, root)
        if link is not None:
            diagnostics.append(Diagnostic("PD809", f"“基于”的{_linked(parent, link)}", file=shown, location=location))
            break
        target = _folder(parent, root)
        if target is None:
            known = available_formats(root, include_abstract=True)
            diagnostics.append(Diagnostic("PD809", f"“基于”的格式“{parent}”不存在" + (did_you_mean(parent, known) or f"；已有格式：{'、'.join(known)}"),
                                          file=shown, location=location))
            break
        if any(existing.config.parent == target for existing in layers):
            names = " → ".join(existing.config.parent.name for existing in layers) + f" → {parent}"
            diagnostics.append(Diagnostic("PD809", f"“基于”形成了循环：{names}", file=shown, location=location))
            break
        if len(layers) >= MAX_DEPTH:
            diagnostics.append(Diagnostic("PD809", f"继承层数过多（最多 {MAX_DEPTH} 层）", file=shown, location=location))
            break
        current = target
    return layers, diagnostics


@lru_cache(maxsize=64)
def _checked(folder: Path, root: Path, key: tuple, chain_problems: tuple) -> tuple:
    layers = [_layer(config) for config, _ in key]
    diagnostics = [layer.problem for layer in layers if layer.problem is not None] + list(chain_problems)
    texts = {_display(layer.config): layer.text for layer in layers if layer.text is not None}
    for layer in layers:
        if layer.data is None:
            continue
        for code, path, message, at_key in shape_problems(layer.data):
            location = layer.source.key_location_of(path) if at_key else layer.source.location_of(path)
            diagnostics.append(Diagnostic(code, message, file=_display(layer.config), location=location))
    if diagnostics:
        return None, _sorted(diagnostics), texts
    data: dict = {}
    for layer in reversed(layers):
        own = {k: v for k, v in layer.data.items() if k not in NOT_INHERITED}
        data = merge(data, own)
    top = layers[0].data
    checker = _Checker(folder, layers, data, abstract=top.get("仅供继承") is True)
    fmt = checker.build(name=str(top.get("名称") or folder.name), parent=top.get("基于"))
    failed = any(d.is_error for d in checker.diagnostics)
    return (None if failed else fmt), _sorted(checker.diagnostics), texts


def _sorted(diagnostics: list) -> list:
    return sorted(diagnostics, key=Diagnostic.sort_key)


# ------------------------------------------------------------------ checks on the merged format


class _Checker:
    def __init__(self, folder: Path, layers: list, data: dict, abstract: bool):
        self.folder, self.layers, self.data, self.abstract = folder, layers, data, abstract
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, path: tuple, message: str, offset: int | None = None, severity=Severity.ERROR):
        """A problem at ``path`` of the merged data, placed in the nearest file that writes it."""
        for layer in self.layers:
            if has_path(layer.data, path) or layer is self.layers[-1]:
                location = layer.source.location_of(path)
                if offset is not None and location is not None:
                    line = layer.text.splitlines()[location.line - 1] if layer.text else ""
                    quoted = line[location.col - 1 : location.col] in ("'", '"')
                    location = Location(location.line, location.col + offset + (1 if quoted else 0))
                self.diagnostics.append(Diagnostic(code, message, severity, path, _display(layer.config), location))
                return

    def build(self, name: str, parent) -> Format:
        data = self.data
        scoring = data.get("评分") or {}
        total = Decimal(scoring.get("总分", 100))
        grades = self.grades(total)
        documents = self.documents()
        formulas = self.formulas()
        completion = self.completion(scoring.get("完成规则") or {})
        tiers = self.qualitative_tiers(scoring.get("定性分档") or ())
        outside = tuple(self.rule(("评分", "指标外分项", k), k, v, formulas) for k, v in (scoring.get("指标外分项") or {}).items())
        indicator_rules = {k: self.rule(("评分", "指标计分", k), k, v, formulas) for k, v in (scoring.get("指标计分") or {}).items()}
        points = sum((item.points for item in outside if item), Decimal(0))
        if points >= total:
            self.report("PD806", ("评分", "指标外分项"), f"指标外分项共 {points} 分，不小于总分 {total}，三级指标没有分值可分")
        labels = self.labels()
        if not self.abstract:
            for key in ("文档", "等次"):
                if not data.get(key):
                    self.report("PD803", (), f"缺少“{key}”（本格式及其所基于的格式都没有写）")
        required_sections = tuple(data.get("必需章节") or ()) + tuple(s for d in documents for s in d.required_sections)
        options = {k: data[k] for k in ("地区", "财政部门", "变动提示阈值") if k in data}
        if data.get("文字"):
            options["文字"] = dict(data["文字"])
        if "地区" in options and "财政部门" not in options:
            options["财政部门"] = f"{options['地区']}财政局"
        return Format(
            name=name,
            folder=self.folder,
            description=str(data.get("说明", "")),
            documents=documents,
            grades=grades,
            total_score=total,
            required_sections=tuple(dict.fromkeys(required_sections)),
            required_data=tuple(data.get("必需数据") or ()),
            formulas=formulas,
            outside_items=tuple(item for item in outside if item),
            indicator_rules={k: v for k, v in indicator_rules.items() if v},
            completion=completion,
            labels=labels,
            options=options,
            layout=dict(data.get("版式") or {}),
            config_path=self.folder / CONFIG,
            chain=tuple(layer.config for layer in self.layers),
            parent=parent,
            abstract=self.abstract,
            place_from_source=data.get("地区由数据指定") is True,
            fund_sources=tuple(data.get("项目资金来源") or NATIONAL_FUND_SOURCES),
            explanation=self.explanation(),
            qualitative_tiers=tiers,
            far_over_target=Decimal(scoring["超额提示"]) if scoring.get("超额提示") is not None else None,
        )

    def explanation(self) -> dict:
        settings = dict(self.data.get("须说明原因") or {})
        below = settings.get("执行率低于")
        if below is not None and not 0 < Decimal(below) <= 100:
            self.report("PD811", ("须说明原因", "执行率低于"), f"执行率低于应在 0 到 100 之间（百分数），这里是 {below}")
            settings.pop("执行率低于")
        return settings

    def qualitative_tiers(self, written) -> tuple:
        tiers = tuple(QualitativeTier(str(t["名称"]), Decimal(t["最高"]), Decimal(t["最低"]), tuple(str(w) for w in t.get("写法") or ()))
                      for t in written)
        seen: dict = {}
        for index, tier in enumerate(tiers):
            path = ("评分", "定性分档", index)
            for word in (tier.name, *tier.words):
                if word in seen:
                    self.report("PD805", path + ("名称",), f"定性分档中“{word}”重复（第 {seen[word] + 1} 档已有），无法判断属于哪一档")
                seen.setdefault(word, index)
            if not Decimal(0) <= tier.low <= tier.high <= 100:
                self.report("PD805", path + ("最低",), f"“{tier.name}”一档的最低 {tier.low} 与最高 {tier.high} 应满足 0 ≤ 最低 ≤ 最高 ≤ 100")
            if index and tier.high > tiers[index - 1].high:
                self.report("PD805", path + ("最高",), f"定性分档应从高到低排列：“{tier.name}”的最高 {tier.high} 高于上一档“{tiers[index - 1].name}”的 {tiers[index - 1].high}")
        return tiers

    def grades(self, total: Decimal) -> tuple:
        grades = tuple(Grade(str(g["名称"]), Decimal(g["最低分"])) for g in self.data.get("等次") or ())
        seen: dict = {}
        for index, grade in enumerate(grades):
            path = ("等次", index)
            if grade.name in seen:
                self.report("PD805", path + ("名称",), f"等次“{grade.name}”重复（第 {seen[grade.name] + 1} 项已有）")
            seen.setdefault(grade.name, index)
            if index and grade.min_score >= grades[index - 1].min_score:
                self.report("PD805", path + ("最低分",), f"等次应从高到低排列、互不重叠：“{grade.name}”的最低分 {grade.min_score} "
                            f"不低于上一等次“{grades[index - 1].name}”的 {grades[index - 1].min_score}")
            if grade.min_score > total or grade.min_score < 0:
                self.report("PD805", path + ("最低分",), f"最低分 {grade.min_score} 不在 0 到总分 {total} 之间")
        if grades and grades[-1].min_score != 0:
            self.report("PD805", ("等次", len(grades) - 1, "最低分"),
                        f"最低一个等次的最低分应为 0，否则 {grades[-1].min_score} 分以下的得分没有等次")
        return grades

    def documents(self) -> tuple:
        documents = []
        for index, item in enumerate(self.data.get("文档") or ()):
            written = str(item["模板"])
            template = self.template(written)
            if template is None:
                looked = "、".join(_display(layer.config.parent) for layer in self.layers)
                linked = next((p for p in (layer.config.parent / written for layer in self.layers) if p.is_symlink()), None)
                self.report("PD808", ("文档", index, "模板"), (
                    f"模板“{written}”是符号链接，指向格式文件夹之外（{os.readlink(linked)}），为安全起见不予使用"
                    if linked is not None else f"找不到模板“{written}”（在 {looked} 中都没有）"))
                template = self.folder / written
            elif template.suffix.lower() != ".docx":
                self.report("PD808", ("文档", index, "模板"), f"模板“{written}”不是 .docx 文件")
            if item.get("条件") is not None and str(item["条件"]) not in SOURCE_SCHEMA.fields:
                self.report("PD804", ("文档", index, "条件"), f"“{item['条件']}”不是数据文件的顶层键"
                            + (did_you_mean(item["条件"], SOURCE_SCHEMA.fields) or ""))
            generated = {str(k): str(v) for k, v in (item.get("模板写出") or {}).items()}
            for section in dict.fromkeys(item.get("必需章节") or ()):
                if section in generated:  # a section is generated or written, never both
                    self.report("PD805", ("文档", index, "模板写出", section),
                                f"章节“{section}”不填写时由模板写出，不应同时列为必需章节（必需章节未填写时文档显示【待填写】标记）")
            documents.append(Document(
                name=str(item["名称"]),
                template=template,
                title=str(item.get("标题", item["名称"])),
                required_sections=tuple(item.get("必需章节") or ()),
                file_name=str(item["文件名"]) if item.get("文件名") is not None else None,
                split_by=item.get("分项"),
                needs=str(item["条件"]) if item.get("条件") is not None else None,
                generated_sections=generated,
                printed_sections=sections_read(template),
            ))
        names = [d.name for d in documents]
        for index, name in enumerate(names):
            if name in names[:index]:
                self.report("PD805", ("文档", index, "名称"), f"文档名称“{name}”重复")
        return tuple(documents)

    def template(self, written: str) -> Path | None:
        for layer in self.layers:
            candidate = (layer.config.parent / written).resolve()
            if layer.config.parent.resolve() in candidate.parents and candidate.is_file():
                return candidate
        return None

    def formulas(self) -> dict:
        parsed = {}
        for name, text in (self.data.get("公式") or {}).items():
            path = ("公式", name)
            if name not in RATE_SCOPES:
                self.report("PD810", path, f"没有名为“{name}”的比率" + (did_you_mean(name, RATE_SCOPES) or f"；可写：{'、'.join(RATE_SCOPES)}"))
                continue
            formula = self.formula(path, text, RATE_SCOPES[name][1])
            if formula is not None:
                parsed[name] = formula
        if not self.abstract:
            for name in RATE_SCOPES:
                if name not in (self.data.get("公式") or {}):
                    self.report("PD803", ("公式",), f"没有比率“{name}”的公式，这个比率不计算、不核对（可写“基于: national”继承默认公式）",
                                severity=Severity.WARNING)
        return parsed

    def formula(self, path: tuple, text, names) -> expr.Formula | None:
        try:
            formula = _parse(str(text))
        except expr.FormulaError as exc:
            self.report("PD810", path, exc.message, offset=exc.offset)
            return None
        for name in formula.names:
            if name not in names:
                offset = str(text).find(name)
                self.report("PD810", path, f"公式中的“{name}”不是可用的数字" + (did_you_mean(name, names) or "") +
                            f"；可用：{'、'.join(names)}", offset=max(offset, 0))
                return None
        return formula

    def completion(self, rules: dict) -> dict:
        out = {}
        for key, text in rules.items():
            formula = self.formula(("评分", "完成规则", key), text, COMPLETION_NAMES)
            if formula is not None:
                out[key] = formula
        return out

    def rule(self, path: tuple, name: str, spec: dict, formulas: dict) -> ScoringRule | None:
        kind, points, rate = spec["方式"], Decimal(spec["分值"]), spec["比率"]
        if points <= 0:
            self.report("PD811", path + ("分值",), f"分值应大于 0，这里是 {points}")
            return None
        if rate not in formulas and not self.abstract:
            self.report("PD811", path + ("比率",), f"比率“{rate}”没有公式（见“公式”）")
        options = {}
        if kind == "分档":
            bands = spec.get("分档") or []
            if not bands:
                self.report("PD811", path, "方式为“分档”时须写“分档”：各档的“不超过”与“得分”")
                return None
            limits = [Decimal(b["不超过"]) for b in bands]
            scores = [Decimal(b["得分"]) for b in bands]
            for index in range(len(bands)):
                if index and limits[index] <= limits[index - 1]:
                    self.report("PD811", path + ("分档", index, "不超过"),
                                f"各档应按上限从小到大排列、互不重叠：{limits[index]} 不大于上一档的 {limits[index - 1]}")
                    return None
                if scores[index] > points or scores[index] < 0:
                    self.report("PD811", path + ("分档", index, "得分"), f"得分 {scores[index]} 不在 0 到分值 {points} 之间")
                    return None
            options = {"bands": tuple(zip(limits, scores)), "beyond": Decimal(spec.get("超出得分", 0))}
        elif kind == "扣分":
            for key in ("基准", "方向", "扣"):
                if key not in spec:
                    self.report("PD811", path, f"方式为“扣分”时须写“{key}”")
                    return None
            step = Decimal(spec.get("每", 1))
            if step <= 0:
                self.report("PD811", path + ("每",), f"“每”应大于 0，这里是 {step}")
                return None
            options = {"base": Decimal(spec["基准"]), "direction": spec["方向"], "step": step, "deduction": Decimal(spec["扣"])}
        return ScoringRule(name=name, kind=kind, points=points, rate=rate, **options)

    def labels(self) -> dict:
        """The display label of each 一级/二级 name. The names written are the ones the format's sources may
        use (inherited ones included; ``~`` drops an inherited name); with none written, the national ones."""
        labels = self.data.get("指标名称") or {}
        out = {}
        for level, national in (("一级", LEVEL1), ("二级", LEVEL2)):
            given = labels.get(level) or {}
            for key, label in given.items():
                if label is not None and not str(label).strip():
                    self.report("PD807", ("指标名称", level, key), f"{level}指标“{key}”的显示名称为空（不用这个名称时写 ~）")
                elif str(key).endswith("指标") and len(str(key)) > 2:  # the display label written as the name
                    self.report("PD807", ("指标名称", level, key), f"{level}指标的名称“{key}”是显示名称的写法：名称写简称"
                                f"（如“{str(key)[:-2]}”），数据文件写它，显示名称写在冒号后", severity=Severity.WARNING)
            out[level] = {str(key): str(label) for key, label in given.items() if label is not None}
            if not out[level] and not self.abstract:
                self.report("PD807", ("指标名称",) if labels else (),
                            f"没有写{level}指标的名称与显示名称，按全国表式的 {'、'.join(national)} 接受，文档中直接写简称",
                            severity=Severity.WARNING)
        return out

@lru_cache(maxsize=256)
def _parse(text: str) -> expr.Formula:
    return expr.parse(text)


def place_of(fmt: Format | None, model: dict) -> dict:
    """地区 and 财政部门 for one source: its own when the format lets it say, else the format's."""
    if fmt is None:
        return {}
    place = {k: fmt.options[k] for k in ("地区", "财政部门") if k in fmt.options}
    region = model.get("地区")
    if fmt.place_from_source and isinstance(region, str) and region.strip():
        place["地区"] = region.strip()
        office = model.get("财政部门")
        place["财政部门"] = office.strip() if isinstance(office, str) and office.strip() else f"{place['地区']}财政局"
    return place


def format_tree(root: Path | None = None) -> list[tuple[str, int, Format | None, list]]:
    """Every format as ``(name, depth, format or None, diagnostics)``, each under the one it is based on."""
    root = root or templates_root()
    names = available_formats(root, include_abstract=True)
    parents: dict = {}
    results: dict = {}
    for name in names:
        fmt, diagnostics, _ = check_format(root / name, root)
        results[name] = (fmt, diagnostics)
        layer = _layer(root / name / CONFIG)
        parent = layer.data.get("基于") if isinstance(layer.data, dict) else None
        parents[name] = parent if isinstance(parent, str) and parent in names and parent != name else None
    rows: list = []

    def visit(name: str, depth: int, seen: frozenset):
        rows.append((name, depth, *results[name]))
        for child in names:
            if parents[child] == name and child not in seen:
                visit(child, depth + 1, seen | {child})

    for name in names:
        if parents[name] is None:
            visit(name, 0, frozenset({name}))
    listed = {row[0] for row in rows}
    rows.extend((name, 0, *results[name]) for name in names if name not in listed)  # in a cycle
    return rows
