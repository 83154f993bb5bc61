"""``perfdoc diff``: every figure and text that differs between two sources.

Two years of one department give a year-over-year comparison (同比); two
versions of one year, or a file against its version in git (``--rev``), a
correction report (更正对比) that also says which derived figures moved with
the correction and which documents in ``build/`` are now stale.

Figures are compared on the computed figure tree (input and derived alike),
text and narrative fields as a unified diff per field. Rates are compared in
percentage points, so their 变动率 is left blank, as it is when the old
value is 0.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ..compute.figures import iter_leaves
from ..errors import UserError
from ..numbers import HUNDRED, Amount, Percent, format_amount, plain, round_half_up
from ..load.schema import SOURCE_SCHEMA, dotted, iter_fields

if TYPE_CHECKING:
    from ..pipeline import Analysis

GRADE_PATH = ("评分", "评价等次")
# 年度 differs by design between two years; the title says which years they are.
NOT_COMPARED = {("年度",)}
TEXT_KINDS = {"text", "markdown", "choice", "date", "phone", "bool"}
COLUMNS = ("数字", "旧", "新", "变动", "变动率", "来源")
NUMBER_COLUMNS = (1, 2, 3, 4)  # right-aligned
KIND_LABELS = {"amount": "金额（万元）", "percent": "比率（%）", "score": "分数", "count": "个数", "grade": "等次"}

YEAR_OVER_YEAR = "同比"
CORRECTION = "更正"
COMPARISON = "比较"


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Side:
    """One of the two sources: how the user named it, and its analysed record."""

    label: str
    analysis: "Analysis"

    @property
    def department(self) -> str:
        return str((self.analysis.model.get("部门") or {}).get("名称") or "")

    @property
    def year(self):
        return self.analysis.model.get("年度")


@dataclass(frozen=True)
class FigureChange:
    path: tuple
    kind: str  # amount, percent, score, count, grade
    old: object
    new: object
    derived: bool

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def delta(self) -> Decimal | None:
        if self.kind == "grade" or not _is_number(self.old) or not _is_number(self.new):
            return None
        return Decimal(self.new) - Decimal(self.old)

    @property
    def delta_percent(self) -> Decimal | None:
        """Relative change in percent, half-up to 2 decimals; a negative base keeps the direction."""
        delta = self.delta
        if delta is None or self.kind == "percent" or self.old == 0:
            return None
        return round_half_up(delta * HUNDRED / abs(Decimal(self.old)), 2)

    # -- shown to people

    def shown(self, value) -> str:
        if value is None:
            return "—"
        if self.kind == "score":
            return plain(value)
        return str(value)

    @property
    def shown_delta(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        if self.kind in ("amount", "percent"):
            text = format_amount(delta)
        else:
            text = plain(delta)
        sign = "+" if delta > 0 else ""
        return f"{sign}{text}个百分点" if self.kind == "percent" else f"{sign}{text}"

    @property
    def shown_delta_percent(self) -> str:
        rate = self.delta_percent
        if rate is None:
            return ""
        return f"{'+' if rate > 0 else ''}{rate:.2f}%"

    @property
    def origin(self) -> str:
        return "计算" if self.derived else "输入"

    def cells(self) -> list[str]:
        """The row as shown in every table: see ``COLUMNS``."""
        old, new = self.shown(self.old), self.shown(self.new)
        return [dotted(self.path), old, new, self.shown_delta, self.shown_delta_percent, self.origin]

    # -- for tools

    def plain_value(self, value) -> str | None:
        if value is None:
            return None
        if self.kind in ("amount", "percent"):
            return format_amount(value)
        return plain(value) if isinstance(value, Decimal) else str(value)

    def as_json(self) -> dict:
        delta, rate = self.delta, self.delta_percent
        return {
            "path": dotted(self.path),
            "kind": self.kind,
            "old": self.plain_value(self.old),
            "new": self.plain_value(self.new),
            "change": None if delta is None else self.plain_value(delta if self.kind != "count" else int(delta)),
            "change_percent": None if rate is None else f"{rate:.2f}",
            "derived": self.derived,
            "changed": self.changed,
        }


@dataclass(frozen=True)
class TextChange:
    path: tuple
    old: str | None
    new: str | None

    def unified(self) -> list[str]:
        name = dotted(self.path)
        return list(
            difflib.unified_diff(
                (self.old or "").splitlines(),
                (self.new or "").splitlines(),
                fromfile=f"旧 {name}",
                tofile=f"新 {name}",
                lineterm="",
                n=1,
            )
        )


@dataclass
class Comparison:
    kind: str
    title: str
    old: Side
    new: Side
    figures: list = field(default_factory=list)  # FigureChange, all of them
    texts: list = field(default_factory=list)  # TextChange, changed ones only
    stale: list | None = None  # documents to rebuild; None when not checked
    stale_note: str = ""

    def rows(self, show_all: bool = False) -> list[FigureChange]:
        return [row for row in self.figures if show_all or row.changed]

    @property
    def changed_derived(self) -> list[FigureChange]:
        return [row for row in self.figures if row.changed and row.derived]

    def summary(self) -> str:
        changed = self.rows()
        derived = len(self.changed_derived)
        return (
            f"数字：共 {len(self.figures)} 项，有变动 {len(changed)} 项"
            f"（输入 {len(changed) - derived} 项，计算 {derived} 项）；文字有变动 {len(self.texts)} 项"
        )


def compare(old: Side, new: Side, correction: bool = False) -> Comparison:
    kind, title = describe(old, new, correction)
    figures, texts = figure_changes(old.analysis, new.analysis), text_changes(old.analysis, new.analysis)
    return Comparison(kind, title, old, new, figures=figures, texts=texts)


def describe(old: Side, new: Side, correction: bool) -> tuple[str, str]:
    if correction or (old.department == new.department and old.year == new.year):
        return CORRECTION, f"更正对比：{new.department} {new.year}年度"
    if old.department == new.department:
        return YEAR_OVER_YEAR, f"同比比较：{new.department} {old.year}年度 → {new.year}年度"
    return COMPARISON, f"比较：{old.department} {old.year}年度 → {new.department} {new.year}年度"


def figure_changes(old_ctx, new_ctx) -> list[FigureChange]:
    before, after = figures_of(old_ctx), figures_of(new_ctx)
    rows = []
    for path in merged_order(list(before), list(after)):
        (old, old_kind, old_derived), (new, new_kind, new_derived) = before.get(path, _ABSENT), after.get(path, _ABSENT)
        rows.append(FigureChange(path, new_kind or old_kind, old, new, bool(old_derived or new_derived)))
    return rows


_ABSENT = (None, None, False)


def figures_of(ctx) -> dict:
    """path → (value, kind, derived) for every number and the grade in the figure tree."""
    figures = ctx.figures
    computed = getattr(figures, "computed", set())
    out = {}
    for path, value in iter_leaves(figures.values):
        kind = figure_kind(path, value)
        if kind is None or path in NOT_COMPARED:
            continue
        if path == GRADE_PATH:
            derived = not (ctx.model.get("评分") or {}).get("评价等次")
        else:
            derived = path in figures.derivations or path in computed
        out[path] = (value, kind, derived)
    return out


def figure_kind(path: tuple, value) -> str | None:
    if path == GRADE_PATH and isinstance(value, str):
        return "grade"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "count"
    if isinstance(value, Percent):
        return "percent"
    if isinstance(value, Amount):
        return "amount"
    if isinstance(value, Decimal):
        return "score"
    return None




def _is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def text_changes(old_ctx, new_ctx) -> list[TextChange]:
    before, after = texts_of(old_ctx.model), texts_of(new_ctx.model)
    return [
        TextChange(path, before.get(path), after.get(path))
        for path in merged_order(list(before), list(after))
        if before.get(path) != after.get(path)
    ]


def texts_of(model: dict) -> dict:
    """path → text for every text, narrative, choice, date, phone and yes/no field."""
    out = {}
    for path, spec, value in iter_fields(model, SOURCE_SCHEMA):
        if spec.kind not in TEXT_KINDS or path == GRADE_PATH or value is None:
            continue
        if isinstance(value, bool):
            value = "是" if value else "否"
        out[path] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return out


def merged_order(old_paths: list, new_paths: list) -> list:
    """The new file's order, with paths only the old file has placed after their old predecessor."""
    out = list(new_paths)
    placed = set(out)
    for index, path in enumerate(old_paths):
        if path in placed:
            continue
        anchor = next((p for p in reversed(old_paths[:index]) if p in placed), None)
        out.insert(out.index(anchor) + 1 if anchor is not None else 0, path)
        placed.add(path)
    return out


# ---------------------------------------------------------------- loading


def side_from_file(path: Path) -> Side:
    from ..load.loader import load_path

    return _side(str(path), load_path(path))


def side_from_bytes(raw: bytes, label: str) -> Side:
    from ..load.loader import load_bytes

    return _side(label, load_bytes(raw, label))


def _side(label: str, loaded) -> Side:
    from ..pipeline import analyse

    if loaded.source is None:
        problem = loaded.diagnostics[-1]
        where = f"{label}:{problem.location.line}:{problem.location.col}" if problem.location else label
        raise UserError(f"{where}: 无法读取，不能比较：{problem.message}")
    return Side(label, analyse(loaded.source))


# ---------------------------------------------------------------- stale documents


def stale_documents(source: Path, out: Path) -> tuple[list[str] | None, str]:
    """Documents in ``out`` made from another version of ``source``, and a sentence saying so.

    ``perfdoc build`` records per document one digest of all its inputs (the
    source, template, format, last year's source and perfdoc itself), not of
    the source alone; an entry for this source is stale when that digest is
    not the one the files on disk give now, i.e. exactly when ``perfdoc build``
    would re-render it.
    """
    from ..build.digests import input_digest
    from ..build.manifest import MANIFEST, load_manifest
    from ..build.paths import output_path
    from ..pipeline import check_file

    manifest_path = (out / MANIFEST).as_posix()
    if not (out / MANIFEST).is_file():
        return None, f"未找到 {manifest_path}，无法判断已生成的文档是否过期。"
    checked = check_file(source)
    current: dict[str, str] = {}
    if checked.analysis is not None and checked.analysis.format is not None:
        for document in checked.analysis.format.documents_for(checked.analysis.data):
            key = output_path(out, checked, document).relative_to(out).as_posix()
            current[key] = input_digest(checked, document)
    here = source.resolve()
    mine = {
        key: entry
        for key, entry in load_manifest(out).items()
        if isinstance(entry, dict) and Path(str(entry.get("source", ""))).resolve() == here
    }
    stale = [(out / key).as_posix() for key, entry in sorted(mine.items()) if entry.get("inputs") != current.get(key)]
    if not mine:
        return stale, f"{manifest_path} 中没有由该文件生成的文档。"
    if not stale:
        return stale, f"{out.as_posix()}/ 中由该文件生成的 {len(mine)} 个文档均为最新。"
    return stale, f"需要重新生成的文档（{len(stale)} 个，运行 perfdoc build）："


# ---------------------------------------------------------------- output


def render_text(comparison: Comparison, show_all: bool) -> str:
    """A plain aligned table and unified diffs: deterministic, for files and golden tests."""
    lines = [comparison.title, f"旧：{comparison.old.label}", f"新：{comparison.new.label}", "", comparison.summary()]
    rows = comparison.rows(show_all)
    if rows:
        lines += [""] + aligned_table(list(COLUMNS), [row.cells() for row in rows], right=NUMBER_COLUMNS)
    if comparison.kind == CORRECTION and comparison.changed_derived:
        names = "、".join(dotted(r.path) for r in comparison.changed_derived)
        lines += ["", f"随更正变动的计算数字（{len(comparison.changed_derived)} 项）：{names}"]
    for change in comparison.texts:
        lines += [""] + change.unified()
    lines += _stale_lines(comparison)
    return "\n".join(lines) + "\n"


def _stale_lines(comparison: Comparison) -> list[str]:
    if not comparison.stale_note:
        return []
    return ["", comparison.stale_note] + [f"  {path}" for path in comparison.stale or ()]


def aligned_table(header: list[str], body: list[list[str]], right=()) -> list[str]:
    from rich.cells import cell_len  # display width: a Chinese character takes two columns

    widths = [max(cell_len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells):
        padded = []
        for i, cell in enumerate(cells):
            gap = " " * (widths[i] - cell_len(cell))
            padded.append(gap + cell if i in right else cell + gap)
        return "  ".join(padded).rstrip()

    return [line(header)] + [line(row) for row in body]


def render_json(comparison: Comparison, show_all: bool) -> str:
    data = {
        "kind": comparison.kind,
        "title": comparison.title,
        "old": {"file": comparison.old.label, "部门": comparison.old.department, "年度": comparison.old.year},
        "new": {"file": comparison.new.label, "部门": comparison.new.department, "年度": comparison.new.year},
        "figures": [row.as_json() for row in comparison.rows(show_all)],
        "texts": [{"path": dotted(t.path), "old": t.old, "new": t.new, "diff": t.unified()} for t in comparison.texts],
        "stale": comparison.stale,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


UTF8_BOM = "\ufeff"  # without it, Excel on a Chinese Windows reads UTF-8 CSV as GBK mojibake


def render_csv(comparison: Comparison, show_all: bool) -> str:
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["数字", "类型", "旧", "新", "变动", "变动率(%)", "来源"])
    for row in comparison.rows(show_all):
        data = row.as_json()
        values = [data[key] or "" for key in ("old", "new", "change", "change_percent")]
        writer.writerow([data["path"], KIND_LABELS[row.kind], *values, row.origin])
    for change in comparison.texts:
        writer.writerow([dotted(change.path), "文字", change.old or "", change.new or "", "", "", "输入"])
    return out.getvalue()


def render_markdown(comparison: Comparison, show_all: bool) -> str:
    lines = [f"# {comparison.title}", "", f"- 旧：`{comparison.old.label}`", f"- 新：`{comparison.new.label}`"]
    lines += ["", comparison.summary()]
    rows = comparison.rows(show_all)
    if rows:
        align = ["---:" if i in NUMBER_COLUMNS else "---" for i in range(len(COLUMNS))]
        lines += ["", _md_row(COLUMNS), _md_row(align)] + [_md_row(row.cells()) for row in rows]
    if comparison.texts:
        lines += ["", "## 文字"]
        for change in comparison.texts:
            lines += ["", f"### {dotted(change.path)}", "", "```diff", *change.unified()[2:], "```"]
    stale = _stale_lines(comparison)
    if stale:
        lines += ["", "## 已生成的文档", *stale]
    return "\n".join(lines) + "\n"


def _md_row(cells) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def rich_report(comparison: Comparison, show_all: bool) -> list:
    """The report as rich renderables (a coloured table and diffs), for a terminal."""
    from rich.table import Table
    from rich.text import Text

    parts: list = [
        Text(comparison.title, style="bold"),
        Text(f"旧：{comparison.old.label}\n新：{comparison.new.label}\n"),
        Text(comparison.summary()),
    ]
    rows = comparison.rows(show_all)
    if rows:
        table = Table(show_lines=False)
        for index, name in enumerate(COLUMNS):
            table.add_column(name, justify="right" if index in NUMBER_COLUMNS else "left", overflow="fold")
        for row in rows:
            style = "dim" if not row.changed else ("cyan" if row.derived else "")  # derived rows stand out
            table.add_row(*row.cells(), style=style)
        parts.append(table)
    for change in comparison.texts:
        parts.append(Text())
        for line in change.unified():
            colour = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
            if line.startswith(("---", "+++")):
                colour = "bold"
            parts.append(Text(line, style=colour))
    parts.extend(Text(line) for line in _stale_lines(comparison))
    return parts


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv, "markdown": render_markdown}


def compare_with_revision(path: Path, rev: str, build_dir: Path) -> Comparison:
    from .gitutil import file_at_revision

    new = side_from_file(path)
    raw, relative = file_at_revision(path, rev)
    old = side_from_bytes(raw, f"{rev}:{relative}")
    comparison = compare(old, new, correction=True)
    comparison.stale, comparison.stale_note = stale_documents(path, build_dir)
    return comparison
