"""``perfdoc show``: every input and derived figure of one source, as a table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from ..compute.figures import iter_leaves
from ..numbers import Percent, plain
from ..load.schema import at_path, dotted


@dataclass(frozen=True)
class FigureRow:
    path: str
    value: str
    origin: str  # 输入 / 计算 / 填报（已核对）/ 填报（不符）
    formula: str = ""


def figure_rows(analysis) -> list[FigureRow]:
    return [row for _path, _value, row in figure_entries(analysis)]


def figure_entries(analysis, only=None):
    """``(path, value, row)`` for every figure :func:`figure_rows` lists: the path as a tuple and the
    value as computed (Decimal, int or the grade's text), for outputs that need more than the text.
    ``only``: just those of these paths (the summary's few columns), without walking all the figures."""
    figures = analysis.figures
    leaves = iter_leaves(figures.values) if only is None else ((path, at_path(figures.values, path)) for path in only)
    for path, value in leaves:
        if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
            continue
        derivation = figures.derivations.get(path)
        if derivation is None:
            origin = "计算" if path in figures.computed else "输入"
            yield path, value, FigureRow(dotted(path), str(value), origin)
            continue
        if derivation.stated is None:
            origin = "计算"
        elif derivation.consistent:
            origin = "填报（已核对）"
        else:
            origin = f"填报 {plain(derivation.stated)}（应为 {derivation.computed}）"
        yield path, value, FigureRow(dotted(path), str(value), origin, derivation.formula)
    if figures.grade and (only is None or GRADE_PATH in only):
        yield GRADE_PATH, figures.grade, FigureRow("评分.评价等次（按得分）", figures.grade, "计算")


GRADE_PATH = ("评分", "评价等次")


def render_json(rows) -> str:
    return json.dumps([row.__dict__ for row in rows], ensure_ascii=False, indent=2)


def figure_table(rows, title: str = ""):
    """The rows as a rich table, for the command line to print."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    table.add_column("数字")
    table.add_column("值", justify="right")
    table.add_column("来源")
    table.add_column("算法", overflow="fold")
    for row in rows:
        table.add_row(row.path, row.value, row.origin, row.formula)
    return table


__all__ = ["FigureRow", "figure_entries", "figure_rows", "figure_table", "render_json", "Percent"]
