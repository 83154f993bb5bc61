"""Excel out and in: the figures of sources as a workbook, and an edited workbook back into a source.

``export``: one sheet per table of the source (预算, 机构收支, 项目, 指标 …), one
row per figure as ``perfdoc show`` lists it, with the department and year, the
value with its number format (0.00, 0.00%), where it comes from (输入 or 计算)
and how it is computed.

``import``: the rows of one department-year are compared with its source; the
changed input figures are written into the source through ruamel.yaml's round
trip (comments, narratives and layout kept). A sheet, column or figure the
source does not know, a changed computed figure and a formula are problems:
then nothing is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import UserError
from ..compute.figures import lookup
from ..load.model import default_unit
from ..load.schema import SOURCE_SCHEMA, dotted, field_at
from ..numbers import UNITS
from .officefile import read_package
from .show import figure_entries

COLUMNS = ("部门", "年度", "数字", "名称", "值", "来源", "算法")  # 名称: the institution, project… a row is of (not read back)
ORIGIN_COLUMN = "来源"
NUMBER_FORMATS = {"amount": "0.00", "percent": "0.00%", "int": "0", "score": "0.##"}
COMPUTED = "计算"


@dataclass(frozen=True)
class ExportRow:
    department: str
    year: object
    path: tuple
    value: object  # Decimal, int or text, as computed
    kind: str  # amount, percent, int, score, text
    origin: str
    formula: str
    item: str = ""  # the name of the list item the figure belongs to


def figure_kind(path: tuple, value) -> str:
    field = field_at(path)
    if isinstance(value, str):
        return "text"
    if field is not None and field.kind in NUMBER_FORMATS:
        return field.kind
    return "int" if isinstance(value, int) else "amount"


def export_rows(ctx) -> list[ExportRow]:
    """The figures of one validated source, as ``perfdoc show`` lists them."""
    department = (ctx.model.get("部门") or {}).get("名称") or ""
    year = ctx.model.get("年度")
    return [
        ExportRow(department, year, path, value, figure_kind(path, value), row.origin, row.formula, item_name(ctx.model, path))
        for path, value, row in figure_entries(ctx)
        if path != ("年度",)  # every row says its year
    ]


def item_name(model: dict, path: tuple) -> str:
    """``机关`` for ``机构收支[1].收入.公共财政拨款``: the 名称 of the innermost list item on the path."""
    for end in range(len(path), 0, -1):
        if isinstance(path[end - 1], int):
            item = lookup(model, path[:end])
            return str(item.get("名称") or "") if isinstance(item, dict) else ""
    return ""


def sheet_name(path: tuple) -> str:
    return str(path[0])


def workbook_bytes(rows: list[ExportRow]) -> bytes:
    """An .xlsx with one sheet per table, in schema order."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    order = list(SOURCE_SCHEMA.fields)
    tables: dict[str, list[ExportRow]] = {}
    for row in rows:
        tables.setdefault(sheet_name(row.path), []).append(row)
    book = Workbook()
    book.remove(book.active)
    bold, shaded = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for name in sorted(tables, key=lambda name: order.index(name) if name in order else len(order)):
        sheet = book.create_sheet(name)
        sheet.append(COLUMNS)
        for cell in sheet[1]:
            cell.font, cell.fill = bold, shaded
            cell.alignment = Alignment(horizontal="center")
        for number, row in enumerate(tables[name], 2):
            sheet.append([row.department, row.year, dotted(row.path), row.item, _cell_value(row), row.origin, row.formula])
            value_cell = sheet.cell(number, COLUMNS.index("值") + 1)  # by number: max_row walks every cell
            if row.kind in NUMBER_FORMATS:
                value_cell.number_format = NUMBER_FORMATS[row.kind]
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFG", (24, 8, 40, 24, 14, 16, 40)):
            sheet.column_dimensions[letter].width = width
    if not book.sheetnames:
        book.create_sheet("预算").append(COLUMNS)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(row: ExportRow):
    if row.kind == "percent":
        return row.value / 100  # Excel's 0.00% shows a fraction
    if isinstance(row.value, Decimal):
        return int(row.value) if row.value == row.value.to_integral_value() and row.kind == "int" else float(row.value)
    return row.value


# ---------------------------------------------------------------------- import


@dataclass(frozen=True)
class Change:
    path: tuple
    old: object
    new: Decimal | int

    kind: str = "amount"

    def describe(self) -> str:
        return f"{dotted(self.path)}：{_show(self.old, self.kind)} → {_show(self.new, self.kind)}"


@dataclass(frozen=True)
class Problem:
    place: str  # 工作表“预算”第 3 行
    message: str

    def describe(self) -> str:
        return f"{self.place}：{self.message}"


@dataclass
class WorkbookImport:
    changes: list
    problems: list
    other_rows: int  # rows of other department-years, left alone
    text: str | None  # the new source text, when there are changes and no problems
    recomputed: list = field(default_factory=list)  # computed cells whose value differs (not read)


def read_workbook(path: Path):
    """The workbook at ``path``, opened safely (see :mod:`.officefile`)."""
    from openpyxl import load_workbook

    data = read_package(path, "xlsx")
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UserError(f"{path} 不是有效的 Excel 工作簿：{type(exc).__name__}: {exc}") from None


_INDEX = re.compile(r"\[(\d+)\]")


def parse_dotted(text: str) -> tuple | None:
    """``机构收支[1].收入.公共财政拨款`` → ``('机构收支', 0, '收入', '公共财政拨款')``."""
    path: list = []
    for part in str(text).split("."):
        name = _INDEX.split(part)
        if not name[0] and len(name) == 1:
            return None
        if name[0]:
            path.append(name[0])
        for index, rest in zip(name[1::2], name[2::2]):
            if rest:
                return None
            path.append(int(index) - 1)
    return tuple(path) if path else None


def import_workbook(book, ctx) -> WorkbookImport:
    """Compare the workbook's rows for ``ctx``'s department-year with its figures."""
    from ruamel.yaml.comments import CommentedMap

    from .nextyear import dump_text, round_trip_yaml

    current = {row.path: row for row in export_rows(ctx)}
    department = (ctx.model.get("部门") or {}).get("名称") or ""
    year = ctx.model.get("年度")
    known_sheets = set(SOURCE_SCHEMA.fields) | {sheet_name(path) for path in current}
    problems: list[Problem] = []
    recomputed: list[Problem] = []  # computed cells that differ: not read, only reported
    wanted: dict[tuple, Decimal | int] = {}
    other_rows = 0
    for sheet in book.worksheets:
        if sheet.title not in known_sheets:
            problems.append(Problem(f"工作表“{sheet.title}”", f"不是 perfdoc 的表格（已知：{'、'.join(SOURCE_SCHEMA.fields)}）"))
            continue
        header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1), ())]
        while header and header[-1] is None:
            header.pop()
        unknown = [str(name) for name in header if name not in COLUMNS]
        missing = [name for name in ("部门", "年度", "数字", "值") if name not in header]
        if unknown or missing:
            said = []
            if unknown:
                said.append(f"不认识的列：{'、'.join(unknown)}")
            if missing:
                said.append(f"缺少列：{'、'.join(missing)}")
            problems.append(Problem(f"工作表“{sheet.title}”第 1 行", "；".join(said) + f"（应为：{'、'.join(COLUMNS)}）"))
            continue
        column = {name: header.index(name) for name in header}
        for number, cells in enumerate(sheet.iter_rows(min_row=2), 2):
            place = f"工作表“{sheet.title}”第 {number} 行"
            formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
            if formulas:
                problems.append(Problem(place, f"{'、'.join(formulas)} 是公式而不是数值；请复制后“选择性粘贴为数值”再导入"))
                continue
            values = [cell.value for cell in cells]
            if not any(value not in (None, "") for value in values):
                continue
            get = lambda name: values[column[name]] if column[name] < len(values) else None  # noqa: E731
            if str(get("部门") or "") != department or str(get("年度") or "") != str(year):
                other_rows += 1
                continue
            path = parse_dotted(get("数字") or "")
            if path is None or path[0] != sheet.title or (path not in current and field_at(path) is None):
                problems.append(Problem(place, f"不认识的数字“{get('数字')}”"))
                continue
            known = current.get(path)
            if known is None:
                problems.append(Problem(place, f"数据文件中没有 {dotted(path)}，导入只改已有的数字"))
                continue
            raw = get("值")
            if raw in (None, ""):
                problems.append(Problem(place, f"{dotted(path)} 的值是空白；不填请删去这一行"))
                continue
            if known.kind == "text":  # the grade, computed from the score
                if str(raw) != str(known.value):
                    recomputed.append(Problem(place, f"{dotted(path)}：表中“{raw}”，perfdoc 按得分定为“{known.value}”"))
                continue
            value = cell_decimal(raw, known.kind)
            if value is None:
                problems.append(Problem(place, f"{dotted(path)} 的值“{raw}”不是数字"))
                continue
            if known.origin == COMPUTED:
                # Excel does not recompute our values: a computed cell is stale as soon as an input
                # beside it is edited, so it is never read back, only noted when it differs.
                if not _same(value, known.value, known.kind):
                    recomputed.append(Problem(place, f"{dotted(path)}：表中 {_show(value, known.kind)}，perfdoc 计算为 {_show(known.value, known.kind)}"))
                continue
            stated = lookup(ctx.model, path)
            if stated is None or not _same(value, stated, known.kind):
                wanted[path] = value
    if problems or not wanted:
        return WorkbookImport([], problems, other_rows, None, recomputed)

    text = ctx.source.text
    yaml = round_trip_yaml(text)
    document = yaml.load(text)
    to_file_unit = UNITS[default_unit(ctx.data)]
    changes = []
    for path, value in wanted.items():
        node = document
        for step in path[:-1]:
            node = node[step]
        if not isinstance(node, (CommentedMap, dict)) or path[-1] not in node:
            problems.append(Problem(dotted(path), "数据文件中找不到这一项"))
            continue
        kind = current[path].kind
        node[path[-1]] = source_value(value, kind, to_file_unit)
        changes.append(Change(path, lookup(ctx.model, path), value, kind))
    if problems:
        return WorkbookImport([], problems, other_rows, None, recomputed)
    return WorkbookImport(changes, [], other_rows, dump_text(yaml, document), recomputed)


def cell_decimal(raw, kind: str) -> Decimal | None:
    """A cell's value in the model's units (percent as 92.83, amounts in 万元)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return value * 100 if kind == "percent" else value
    text = str(raw).strip().replace(",", "").replace("，", "")
    is_percent = text.endswith(("%", "％"))
    text = text.rstrip("%％").removesuffix("万元").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if is_percent or kind != "percent" else value * 100


def _same(value: Decimal, known, kind: str) -> bool:
    if kind == "percent":  # the sheet shows two decimals; Excel keeps what was typed
        return abs(value - Decimal(known)) < Decimal("0.005")
    return value == Decimal(known)


def source_value(value: Decimal, kind: str, to_file_unit: Decimal):
    """What the source holds for ``value``: amounts in the file's unit, percents as ``"92.83%"``."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if kind == "percent":
        return DoubleQuotedScalarString(f"{value.normalize():f}%")
    if kind == "int":
        return int(value)
    if kind == "amount":
        amount = value / to_file_unit
        return amount.quantize(Decimal("0.01")) if amount.as_tuple().exponent > -2 else amount.normalize()
    return int(value) if value == value.to_integral_value() else value.normalize()


def _show(value, kind: str = "amount") -> str:
    if isinstance(value, Decimal) and kind == "percent":
        return f"{Decimal(value).quantize(Decimal('0.01'))}%"
    if isinstance(value, Decimal):
        return f"{Decimal(value):f}"
    return str(value)
