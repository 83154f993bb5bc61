"""``perfdoc summary``: one view of every department-year a 主管部门 reports.

Each row's figures are those ``perfdoc show`` lists for the source (the same
validation pipeline); the row says on which basis they are taken: the
department's 预算 section, or, for a format without one, the 项目合计, or for a
project form, its projects' 年度资金总额. Rows are grouped by year, then by
部门.主管部门 (departments without one form one group); each group's subtotal
and each year's total, one per basis (a department's budget and a sum of
projects are not added together), are computed by the same
:func:`~perfdoc.compute.figures.compute` as a source's 项目合计 and 预算 rates,
with the rows' formats' formulas (a subtotal's 执行率 is the rows' 预算完成率
formula, 年初结余 included where the format counts it): this module adds
up nothing else itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..compute.figures import compute
from ..numbers import Amount

# Each column: the figure of the department-level basis, then of the project basis.
BASES = {
    "部门预算": {
        "年初预算": ("预算", "年初预算"),
        "调整数": ("预算", "调整数"),
        "调整后预算": ("预算", "调整后预算"),
        "实际支出": ("预算", "实际支出合计"),
        "执行率": ("预算", "预算完成率"),
        "调整率": ("预算", "预算调整率"),
        "年初结余": ("预算", "年初结余"),  # not a column: a subtotal's 预算完成率 may count it
    },
    "项目合计": {
        "年初预算": ("项目合计", "年初预算"),
        "调整数": ("项目合计", "调整数"),
        "调整后预算": ("项目合计", "调整后预算"),
        "实际支出": ("项目合计", "实际支出"),
        "执行率": ("项目合计", "执行率"),
        "调整率": None,
    },
}
# A project form (项目自评) has neither: its projects' 年度资金总额 are added up as a 项目合计 is.
PROJECT_FORM = "项目自评合计"
PROJECT_FORM_COLUMNS = {"年初预算": "年初预算数", "调整后预算": "全年预算数", "实际支出": "全年执行数"}
SCORE, GRADE = ("评分", "综合得分"), ("评分", "评价等次")
SHOWN_PATHS = frozenset({SCORE, GRADE, *(path for paths in BASES.values() for path in paths.values() if path)})
HEADERS = (
    "主管部门", "部门", "年度", "口径", "年初预算", "调整后预算", "实际支出", "执行率", "调整率",
    "得分", "等次", "错误", "警告", "可报送",
)  # fmt: skip
AMOUNT_COLUMNS = ("年初预算", "调整后预算", "实际支出")
PERCENT_COLUMNS = ("执行率", "调整率")
COLUMN_SHARES = {"主管部门": 2.2, "部门": 3.0, "年初预算": 1.6, "调整后预算": 1.8, "实际支出": 1.6, "执行率": 1.5, "调整率": 1.4, "口径": 2.3, "可报送": 1.5, "年度": 1.1, "等次": 1.1}


@dataclass(frozen=True)
class SummaryRow:
    kind: str  # 部门 / 小计 / 合计
    authority: str
    department: str
    year: object
    basis: str
    figures: dict  # column → Decimal or None (年初预算, 调整数, 调整后预算, 实际支出, 执行率, 调整率)
    score: Decimal | None
    grade: str | None
    errors: int
    warnings: int
    ready: object  # True/False for a department-year; "2/3" for a subtotal; None when not checked (no --ready)
    path: str = ""
    format_name: str | None = None

    def cells(self) -> list:
        """The row's values in :data:`HEADERS` order (numbers as Decimal, ready as 是/否 or a count)."""
        ready = {True: "是", False: "否", None: ""}.get(self.ready, self.ready) if not isinstance(self.ready, str) else self.ready
        return [
            self.authority, self.department, self.year if self.year is not None else "", self.basis,
            *(self.figures.get(name) for name in AMOUNT_COLUMNS + PERCENT_COLUMNS),
            self.score, self.grade or "", self.errors, self.warnings, ready,
        ]  # fmt: skip


@dataclass
class SummaryTable:
    rows: list = field(default_factory=list)  # SummaryRow: per year, each group's rows and its subtotal, then the year's total

    @property
    def departments(self) -> list:
        return [row for row in self.rows if row.kind == "部门"]

    @property
    def format_name(self) -> str | None:
        names = [row.format_name for row in self.departments if row.format_name]
        return max(set(names), key=names.count) if names else None


def department_row(result, ready: bool = True) -> SummaryRow:
    """The summary row of one checked source (a :class:`~perfdoc.pipeline.Checked` with its context);
    ``ready``: whether to check it is ready to report (which renders its documents)."""
    from .show import figure_entries

    ctx = result.analysis
    values = {path: value for path, value, _row in figure_entries(ctx, only=SHOWN_PATHS)}
    department = ctx.model.get("部门") or {}
    basis = next((name for name, paths in BASES.items() if values.get(paths["调整后预算"]) is not None), "部门预算")
    figures = {column: values.get(path) if path else None for column, path in BASES[basis].items()}
    if ctx.model.get("项目自评") and basis == "部门预算" and not any(figures.values()):
        basis, figures = PROJECT_FORM, project_form_figures(ctx)
    grade = values.get(GRADE)
    return SummaryRow(
        kind="部门",
        authority=department.get("主管部门") or "",
        department=department.get("名称") or Path(result.path).parent.name,
        year=ctx.model.get("年度"),
        basis=basis,
        figures=figures,
        score=values.get(SCORE),
        grade=grade if isinstance(grade, str) else None,
        errors=len(result.errors),
        warnings=len(result.warnings),
        ready=is_ready(result) if ready else None,
        path=result.path,
        format_name=ctx.model.get("格式") if isinstance(ctx.model.get("格式"), str) else None,
    )


def is_ready(result) -> bool:
    """Ready to report: ``perfdoc validate --ready`` finds no error (nothing left to fill in either)."""
    from .ready import readiness

    return not any(diagnostic.is_error for diagnostic in readiness(result))


def unreadable_row(result, ready: bool = True) -> SummaryRow:
    """A source that could not be read: a row that says so rather than a gap."""
    path = Path(result.path)
    return SummaryRow(
        "部门", "（无法读取）", path.parent.name, path.stem, "", {}, None, None, len(result.errors), len(result.warnings),
        False if ready else None, result.path,
    )


def project_form_figures(ctx) -> dict:
    """A project form's row: its projects' 年度资金总额 added up, and the 执行率 of that, as a 项目合计."""
    projects = [
        {key: ((project.get("资金") or {}).get("年度资金总额") or {}).get(column) for key, column in PROJECT_FORM_COLUMNS.items()}
        for project in ctx.figures.values.get("项目自评") or []
    ]
    return _added_up(projects, ctx.format)


def _added_up(items: list, fmt) -> dict:
    """Items with 年初预算, 调整数, 调整后预算, 实际支出 added up as projects are into 项目合计, and its 执行率.

    Not given is not zero: a figure missing from any item leaves its total blank, and the rates that need it.
    """
    def known(*keys):
        keys = [key for key in keys if all(item.get(key) is not None for item in items)]
        return [{key: item[key] for key in keys} for item in items]

    def project_totals(rows):
        if not rows or not rows[0]:
            return {}
        projects = [{"名称": str(index), **row} for index, row in enumerate(rows)]
        return compute({"项目": projects}, fmt).values.get("项目合计", {})

    # 调整后预算 is fed as stated, alone, so that no item's figure is derived again.
    spent = project_totals(known("调整后预算", "实际支出"))
    opening = project_totals(known("年初预算", "调整数"))
    return {
        "年初预算": opening.get("年初预算"),
        "调整数": opening.get("调整数"),
        "调整后预算": spent.get("调整后预算"),
        "实际支出": spent.get("实际支出"),
        "执行率": spent.get("执行率"),
        "调整率": None,
    }


def total_row(kind: str, label: str, rows: list) -> SummaryRow:
    """A subtotal or total of rows of one basis, computed by :func:`compute` from the rows fed to it as
    projects, or for the 部门预算 basis as one budget (so that its rates are the rows' 预算完成率 and 预算调整率).

    Not given is not zero: a figure missing from any row leaves the total of that figure blank,
    and the rates that need it. The rates follow the formulas of the rows' formats; a rate whose
    formula differs between them is left blank.
    """
    fmt = shared_formulas(rows)
    basis = rows[0].basis if rows else ""
    figures = _added_up([row.figures for row in rows], fmt)
    if basis == "部门预算":
        # the totals compute just made, as one budget; 年初结余, which no total of compute adds, summed here
        budget = {key: figures[key] for key in ("年初预算", "调整数", "调整后预算") if figures[key] is not None}
        if figures["实际支出"] is not None:
            budget["实际支出"] = {"合计": figures["实际支出"]}
        if all(row.figures.get("年初结余") is not None for row in rows):
            budget["年初结余"] = sum(row.figures["年初结余"] for row in rows)
        rates = compute({"预算": budget}, fmt).values.get("预算", {}) if budget else {}
        figures.update(执行率=rates.get("预算完成率"), 调整率=rates.get("预算调整率"))
    checked = all(row.ready is not None for row in rows)
    ready = f"{sum(1 for row in rows if row.ready is True)}/{len(rows)}" if checked else None
    return SummaryRow(
        kind, label, "", None, basis, figures, None, None,
        sum(row.errors for row in rows), sum(row.warnings for row in rows), ready,
    )  # fmt: skip


def total_rows(kind: str, label: str, rows: list) -> list[SummaryRow]:
    """The total of ``rows``: one per basis, in the order they first appear (amounts of a department's
    budget and of a sum of projects are not added together); each says its basis."""
    bases: dict = {}
    for row in rows:
        bases.setdefault(row.basis, []).append(row)
    return [total_row(kind, label, members) for members in bases.values()]


SUBTOTAL_RATES = ("项目执行率", "预算调整率", "预算完成率")


def shared_formulas(rows: list):
    """The first row's format with only the subtotal rates' formulas every row's format agrees on."""
    from dataclasses import replace

    from ..errors import FormatError
    from ..load.formats import load_format

    formats = []
    for name in dict.fromkeys(row.format_name for row in rows):
        try:
            formats.append(load_format(name) if name else None)
        except FormatError:
            formats.append(None)
    if not formats or None in formats:
        return None
    agreed = {}
    for rate in SUBTOTAL_RATES:
        texts = {fmt.formulas[rate].text if rate in fmt.formulas else None for fmt in formats}
        if len(texts) == 1 and None not in texts:
            agreed[rate] = formats[0].formulas[rate]
    return replace(formats[0], formulas=agreed)


def arrange(rows: list) -> SummaryTable:
    """Rows by year, then by 主管部门 (those without one together), each group followed by its subtotal
    and each year by its total: amounts of different years are never added up."""
    table = SummaryTable()
    years: dict = {}
    for row in rows:
        years.setdefault(row.year, {}).setdefault(row.authority, []).append(row)
    for year in sorted(years, key=str):
        groups = years[year]
        for authority in sorted(groups, key=lambda name: (name == "", name)):
            members = sorted(groups[authority], key=lambda row: row.department)
            table.rows.extend(members)
            if len(groups) > 1:  # one group's subtotal would repeat the year's total
                table.rows.extend(total_rows("小计", f"{authority or UNASSIGNED} {year}年 小计", members))
        everyone = [row for members in groups.values() for row in members]
        table.rows.extend(total_rows("合计", f"{year}年 合计", everyone))
    return table


UNASSIGNED = "（未填主管部门）"


def summarise(paths, jobs: int = 1, ready: bool = False) -> SummaryTable:
    """Check every source under ``paths`` (each department's years together, over ``jobs`` processes,
    as ``validate`` does) and summarise them; ``ready``: also check each is ready to report, which
    renders its documents (``validate --ready``) and costs more than the rest together."""
    from ..build.parallel import in_order
    from ..pipeline import find_sources

    files = find_sources(paths)
    folders: dict[Path, list[Path]] = {}
    for path in dict.fromkeys(files):
        folders.setdefault(path.parent, []).append(path)
    work = [(paths, ready) for paths in folders.values()]
    rows = [row for rows in in_order(summarise_folder, work, jobs, failed=_folder_failed) for row in rows]
    return arrange(rows)


def summarise_folder(work: tuple) -> list[SummaryRow]:
    """The rows of one department's sources (``work``: their paths, and whether to check readiness),
    last year's read once (as ``validate`` does)."""
    from ..pipeline import _year_order, check_file, failed_check

    paths, ready = work
    analysed: dict = {}
    out = []
    for path in sorted(paths, key=_year_order):
        try:
            result = check_file(path, analysed=analysed)
            out.append(department_row(result, ready) if result.analysis is not None else unreadable_row(result, ready))
        except Exception as exc:  # noqa: BLE001 - perfdoc failing on one source must not hide the others' rows
            out.append(unreadable_row(failed_check(path, exc), ready))
    return out


def _folder_failed(work: tuple, exc: BaseException) -> list[SummaryRow]:
    from ..pipeline import failed_check

    paths, ready = work
    return [unreadable_row(failed_check(path, exc), ready) for path in paths]


# ------------------------------------------------------------------ outputs


def text_cells(row: SummaryRow) -> list[str]:
    out = []
    for header, value in zip(HEADERS, row.cells()):
        if value is None:
            out.append("")
        elif header in AMOUNT_COLUMNS:
            out.append(str(Amount(value).quantize(Decimal("0.01"))))
        elif header in PERCENT_COLUMNS:
            out.append(f"{Decimal(value).quantize(Decimal('0.01'))}%")
        else:
            out.append(str(value))
    return out


def terminal_table(table: SummaryTable):
    """The summary as a rich table, for the command line to print."""
    from rich.table import Table

    view = Table(title="主管部门汇总表")
    for header in HEADERS:
        view.add_column(header, justify="right" if header in AMOUNT_COLUMNS + PERCENT_COLUMNS + ("得分", "错误", "警告") else "left")
    for row in table.rows:
        view.add_row(*text_cells(row), style="bold" if row.kind != "部门" else None)
    return view


def workbook_bytes(table: SummaryTable) -> bytes:
    """汇总表.xlsx: the table with number formats and a frozen header, and a chart of 执行率 and 得分 by department."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "汇总表"
    sheet.append(HEADERS)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font, cell.fill = bold, PatternFill("solid", fgColor="DDEBF7")
    for number, row in enumerate(table.rows, 2):
        cells = row.cells()
        sheet.append([_excel(header, value) for header, value in zip(HEADERS, cells)])
        for column, header in enumerate(HEADERS, 1):
            cell = sheet.cell(number, column)  # by number: max_row walks every cell
            if header in AMOUNT_COLUMNS:
                cell.number_format = "0.00"
            elif header in PERCENT_COLUMNS:
                cell.number_format = "0.00%"
            if row.kind != "部门":
                cell.font = bold
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMN", (24, 24, 8, 10, 12, 12, 12, 10, 10, 8, 8, 6, 6, 8)):
        sheet.column_dimensions[letter].width = width

    # The chart reads department rows only, copied to a helper sheet so subtotals do not mix in.
    data = book.create_sheet("图表数据")
    data.append(("部门年度", "执行率", "得分"))
    for number, row in enumerate(table.departments, 2):
        rate = row.figures.get("执行率")
        data.append((f"{row.department}{row.year}", float(rate) / 100 if rate is not None else None, float(row.score) if row.score is not None else None))
        data.cell(number, 2).number_format = "0.00%"
    count = len(table.departments)
    if count:
        categories = Reference(data, min_col=1, min_row=2, max_row=count + 1)
        scores = BarChart()
        scores.title = "各部门执行率与得分"
        scores.y_axis.title = "得分"
        scores.add_data(Reference(data, min_col=3, min_row=1, max_row=count + 1), titles_from_data=True)
        scores.set_categories(categories)
        rates = LineChart()
        rates.add_data(Reference(data, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True)
        rates.y_axis.axId = 200
        rates.y_axis.title = "执行率"
        rates.y_axis.number_format = "0%"
        rates.y_axis.crosses = "max"
        scores += rates
        scores.width, scores.height = 24, 12
        sheet.add_chart(scores, f"A{len(table.rows) + 4}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel(header: str, value):
    if isinstance(value, Decimal):
        return float(value) / 100 if header in PERCENT_COLUMNS else float(value)
    return value


def document_bytes(table: SummaryTable) -> bytes:
    """汇总表.docx: a landscape table, on the page, fonts and table style of the format's first template."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document(str(_style_template(table.format_name))) if table.format_name else Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            for paragraph in part.paragraphs:  # a template's header may hold tags; the summary has none
                if "{" in paragraph.text:
                    for run in paragraph.runs:
                        run.text = ""
        if section.orientation != WD_ORIENT.LANDSCAPE:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
    title = document.add_paragraph("主管部门绩效自评汇总表")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        run.bold = True
        run.font.size = Pt(16)
    grid = document.add_table(rows=1, cols=len(HEADERS))
    if "Table Grid" in [style.name for style in document.styles]:
        grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cell_borders(grid)
    usable = document.sections[-1].page_width - document.sections[-1].left_margin - document.sections[-1].right_margin
    shares = [COLUMN_SHARES.get(header, 1) for header in HEADERS]
    widths = [int(usable * share / sum(shares)) for share in shares]
    for column, width, grid_column in zip(grid.columns, widths, grid._tbl.tblGrid.gridCol_lst):
        grid_column.w = width  # LibreOffice lays out by the grid, Word by the cells: set both
        for cell in column.cells:
            cell.width = width
    for cell, header in zip(grid.rows[0].cells, HEADERS):
        cell.text = header
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, text_cells(row))):
            cell.text = text
            cell.width = grid.rows[0].cells[column].width
            paragraph = cell.paragraphs[0]
            if HEADERS[column] in AMOUNT_COLUMNS + PERCENT_COLUMNS + ("得分", "错误", "警告"):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(9)
                run.bold = row.kind != "部门"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _style_template(format_name: str) -> Path | None:
    from ..load.formats import load_format

    fmt = load_format(format_name)
    templates = [doc.template for doc in fmt.documents if doc.template.is_file()]
    return templates[0] if templates else None


def _cell_borders(grid) -> None:
    """Single lines round every cell, whatever table styles the template defines."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    properties.append(borders)


__all__ = ["HEADERS", "SummaryRow", "SummaryTable", "summarise", "arrange", "department_row"]
