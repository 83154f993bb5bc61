"""Authoring kit for perfdoc's .docx templates: page setup, styles, forms.

The template scripts in this folder describe each document with these helpers
and never touch WordprocessingML directly. Everything written here is plain
OOXML that Word, WPS and LibreOffice all read the same way:

* every run font names its CJK face on ``w:eastAsia`` (and a Latin face on
  ``w:ascii``/``w:hAnsi``), never a theme font, which would win over both;
* style IDs are the ASCII names the rendering engine emits (``PDBody``…);
* tables are built on one column grid per table, computed from the cell widths
  of every row, so irregular official forms keep their exact merges;
* the saved file is byte-for-byte reproducible: fixed core properties and zip
  timestamps, no thumbnail.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

# --- fonts and sizes ---------------------------------------------------------

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONG = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"

# Chinese type sizes in points.
ER_HAO, XIAO_ER, SAN_HAO, SI_HAO, XIAO_SI, WU_HAO = 22, 18, 16, 14, 12, 10.5

# GB/T 9704-2012: 22 lines of 28 characters in a 156 mm × 225 mm text block.
GBT_LINE_PITCH = 579  # twips, ≈ 28.95 pt
# 28 characters of 16 pt need 448 pt but the line is 442.2 pt: body text is
# condensed by 0.25 pt a character. (A docGrid character grid does this in
# Word, but LibreOffice lays such a grid out with far fewer characters.)
GBT_CONDENSE = -5  # twentieths of a point

FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def half_points(pt: float) -> str:
    return str(round(pt * 2))


# --- page setup --------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """An A4 page: margins in mm, and whether the text block is a GB/T 9704 grid."""

    top: float
    bottom: float
    left: float
    right: float
    landscape: bool = False
    footer: float = 10
    official_grid: bool = False


OFFICIAL_PAGE = Page(top=37, bottom=35, left=28, right=26, footer=25, official_grid=True)
LANDSCAPE_FORM_PAGE = Page(top=22, bottom=20, left=20, right=20, footer=10, landscape=True)


def text_width(page: Page) -> float:
    """Width of the text block in mm."""
    return (297 if page.landscape else 210) - page.left - page.right


def setup_section(section, page: Page) -> None:
    if page.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.header_distance, section.footer_distance = Mm(15), Mm(page.footer)
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    # No snapping grid: the styles' exact 28.95 pt spacing gives the 22 lines
    # (LibreOffice's line grid drops one of them).
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:linePitch"), str(GBT_LINE_PITCH if page.official_grid else 312))
    sect_pr.append(grid)


def new_section(doc, page: Page, restart_numbering: bool = False):
    """Start a new page with its own page setup (e.g. a landscape form)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    setup_section(section, page)
    if restart_numbering:
        numbering = OxmlElement("w:pgNumType")
        numbering.set(qn("w:start"), "1")
        _insert_before(section._sectPr, numbering, ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid"))
    return section


def _insert_before(parent, child, successors) -> None:
    for name in successors:
        found = parent.find(qn(name))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


# --- the document --------------------------------------------------------------


def new_document(page: Page, *, title: str, subject: str = "") -> Document:
    """An empty A4 document with CJK defaults, fixed metadata and ``page`` set up."""
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    setup_section(doc.sections[0], page)
    # Word and LibreOffice size the character grid by the default font size.
    _set_defaults(doc, SAN_HAO if page.official_grid else WU_HAO)
    _drop_thumbnail(doc)
    props = doc.core_properties
    props.title, props.subject = title, subject
    props.author = props.last_modified_by = "perfdoc"
    props.keywords, props.comments, props.category = "绩效自评", "由 tools/templates 生成的 docxtpl 模板", ""
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    return doc


def new_report(*, title: str, subject: str, page: Page = OFFICIAL_PAGE, table_size: float = WU_HAO, extra_styles=()) -> Document:
    """A GB/T 9704 report: official page, the standard styles, ``— 1 —`` page numbers."""
    doc = new_document(page, title=title, subject=subject)
    add_styles(doc, [*standard_styles(table_size), *extra_styles])
    page_numbers(doc)
    return doc


def _set_defaults(doc, size: float) -> None:
    """Document defaults: 仿宋 at ``size`` with a Latin face, Chinese language, no theme fonts."""
    styles = doc.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(r_pr):
        r_pr.remove(child)
    r_pr.append(fonts_element(FANGSONG))
    r_pr.append(_val("w:sz", half_points(size)))
    r_pr.append(_val("w:szCs", half_points(size)))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    r_pr.append(lang)
    p_pr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(p_pr):
        p_pr.remove(child)
    # Theme fonts override explicit ones: strip them from the built-in styles too.
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{attr}"), None)


def _drop_thumbnail(doc) -> None:
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


def fonts_element(east_asia: str, latin: str = LATIN):
    fonts = OxmlElement("w:rFonts")
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    return fonts


def _val(tag: str, value: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), value)
    return element


def save(doc, path: Path) -> None:
    """Save with fixed zip timestamps so the same script writes the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# --- styles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """A paragraph style: its ASCII ID (also its name) and look."""

    style_id: str
    east_asia: str
    size: float
    latin: str = LATIN
    bold: bool = False
    align: str = "both"  # left, center, right, both
    first_line_chars: int = 0  # first-line indent in characters
    line_exact: float | None = None  # pt; None = single spacing
    before: float = 0  # pt
    after: float = 0  # pt
    outline: int | None = None  # 0 = level 1
    keep_next: bool = False
    snap_to_grid: bool = True
    indent_left: float = 0  # pt
    hanging: float = 0  # pt
    condense: int = 0  # character spacing, twentieths of a point (negative = tighter)


def add_styles(doc, styles) -> None:
    for style in styles:
        add_style(doc, style)


def add_style(doc, style: Style) -> None:
    created = doc.styles.add_style(style.style_id, WD_STYLE_TYPE.PARAGRAPH)
    element = created.element
    if element.get(qn("w:styleId")) != style.style_id:
        element.set(qn("w:styleId"), style.style_id)
    element.set(qn("w:customStyle"), "1")
    created.quick_style = True
    element.append(_style_paragraph_properties(style))
    element.append(_run_properties(style.east_asia, style.size, latin=style.latin, bold=style.bold, condense=style.condense))


def _style_paragraph_properties(style: Style):
    p_pr = OxmlElement("w:pPr")
    if style.keep_next:
        p_pr.append(OxmlElement("w:keepNext"))
    if not style.snap_to_grid:
        p_pr.append(_val("w:snapToGrid", "0"))
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), str(round(style.before * 20)))
    spacing.set(qn("w:after"), str(round(style.after * 20)))
    if style.line_exact:
        spacing.set(qn("w:line"), str(round(style.line_exact * 20)))
        spacing.set(qn("w:lineRule"), "exact")
    else:
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
    p_pr.append(spacing)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), str(round(style.indent_left * 20)))
    indent.set(qn("w:right"), "0")
    if style.hanging:
        indent.set(qn("w:hanging"), str(round(style.hanging * 20)))
    elif style.first_line_chars:
        indent.set(qn("w:firstLineChars"), str(style.first_line_chars * 100))
        indent.set(qn("w:firstLine"), str(round(style.first_line_chars * style.size * 20)))
    else:
        indent.set(qn("w:firstLine"), "0")
    p_pr.append(indent)
    p_pr.append(_val("w:jc", style.align))
    if style.outline is not None:
        p_pr.append(_val("w:outlineLvl", str(style.outline)))
    return p_pr


def _run_properties(east_asia: str, size: float, *, latin: str = LATIN, bold: bool = False, condense: int = 0):
    r_pr = OxmlElement("w:rPr")
    r_pr.append(fonts_element(east_asia, latin))
    if bold:
        r_pr.append(OxmlElement("w:b"))
        r_pr.append(OxmlElement("w:bCs"))
    if condense:
        r_pr.append(_val("w:spacing", str(condense)))
    r_pr.append(_val("w:kern", "0"))
    r_pr.append(_val("w:sz", half_points(size)))
    r_pr.append(_val("w:szCs", half_points(size)))
    return r_pr


def standard_styles(table_size: float = WU_HAO) -> list:
    """The styles every template defines.

    GB/T 9704 report styles – title 方正小标宋 二号; headings 一、 黑体,
    （一） 楷体, 1. and deeper 仿宋 bold; body 仿宋 三号 with a two-character
    first-line indent on a 28.95 pt line – then the table and form styles.
    """
    line = GBT_LINE_PITCH / 20
    body = dict(size=SAN_HAO, first_line_chars=2, line_exact=line, condense=GBT_CONDENSE)
    return [
        Style("PDTitle", XIAOBIAOSONG, ER_HAO, align="center", after=line, snap_to_grid=False),
        Style("PDBody", FANGSONG, **body),
        Style("PDHeading1", HEITI, **body, outline=0, keep_next=True),
        Style("PDHeading2", KAITI, **body, outline=1, keep_next=True),
        Style("PDHeading3", FANGSONG, **body, bold=True, outline=2, keep_next=True),
        Style("PDHeading4", FANGSONG, **body, bold=True, outline=3, keep_next=True),
        Style("PDPageNumber", SONG, SI_HAO, latin=SONG, snap_to_grid=False),
        *table_styles(table_size),
        *form_styles(table_size),
    ]


def compact_styles(size: float = WU_HAO) -> list:
    """The standard styles for a document that is only a form: body text and
    Markdown headings appear only inside cells, so they take the table size."""
    cell = dict(size=size, snap_to_grid=False)
    compact = {
        "PDBody": Style("PDBody", FANGSONG, **cell),
        **{f"PDHeading{n}": Style(f"PDHeading{n}", FANGSONG, **cell, bold=True, outline=n - 1, keep_next=True) for n in range(1, 5)},
    }
    return [compact.get(style.style_id, style) for style in standard_styles(size)]


def table_styles(size: float, east_asia: str = FANGSONG) -> list:
    """Styles inside form cells: text, centred labels, bold heads, section rows."""
    cell = dict(size=size, snap_to_grid=False)
    return [
        Style("PDTableText", east_asia, **cell),
        Style("PDTableLabel", east_asia, **cell, align="center"),
        Style("PDTableHead", east_asia, **cell, align="center", bold=True),
        Style("PDTableSection", HEITI, **cell, align="left"),
    ]


def form_styles(size: float) -> list:
    """Around a form: its compact title, the 附件 line, the unit line and notes."""
    return [
        Style("PDFormTitle", XIAOBIAOSONG, XIAO_ER, align="center", before=6, after=6, snap_to_grid=False),
        Style("PDAttachment", HEITI, SI_HAO, align="left", snap_to_grid=False),
        Style("PDUnit", SONG, size, align="right", after=2, snap_to_grid=False),
        Style("PDNote", FANGSONG, size, snap_to_grid=False, before=3, indent_left=size * 2, hanging=size * 2),
    ]


# --- paragraphs --------------------------------------------------------------------


@dataclass(frozen=True)
class Para:
    """One paragraph: text (may hold docxtpl tags) in a style, optionally aligned/bold."""

    text: str = ""
    style: str | None = None
    align: str | None = None
    bold: bool = False


def paragraph_element(para: Para, default_style: str, keep_with_next: bool = False):
    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    p_pr.append(_val("w:pStyle", para.style or default_style))
    if keep_with_next:
        p_pr.append(OxmlElement("w:keepNext"))
    if para.align:
        p_pr.append(_val("w:jc", para.align))
    p.append(p_pr)
    if para.text:
        run = OxmlElement("w:r")
        if para.bold:
            r_pr = OxmlElement("w:rPr")
            r_pr.append(OxmlElement("w:b"))
            r_pr.append(OxmlElement("w:bCs"))
            run.append(r_pr)
        text = OxmlElement("w:t")
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = para.text
        run.append(text)
        p.append(run)
    return p


def _body_append(doc, element) -> None:
    """Append to the body, before the final section properties."""
    body = doc.element.body
    last = body[-1] if len(body) else None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)


def add(doc, *items, style: str = "PDBody") -> None:
    """Append paragraphs (``str`` or :class:`Para`) to the document body."""
    for item in items:
        para = item if isinstance(item, Para) else Para(item)
        _body_append(doc, paragraph_element(para, style))


def heading(level: int, text: str) -> Para:
    return Para(text, style=f"PDHeading{level}")


def narrative(section: str, style: str | None = None, numbering: str | None = None) -> Para:
    """The paragraph the engine replaces by a narrative section's Markdown.

    ``numbering`` names a pattern in the context's ``编号`` (顿号/括号/点).
    """
    args = []
    if style:
        args.append(f'"{style}"')
    if numbering:
        args.append(f"编号=编号.{numbering}")
    call = f"段落({', '.join(args)})" if args else "段落"
    return Para(f"{{{{p 叙述.{section}|{call} }}}}")


def when(condition: str, *then, otherwise=()) -> list:
    """Paragraphs shown only if ``condition`` holds (docxtpl ``{%p if %}``)."""
    out = [Para(f"{{%p if {condition} %}}"), *then]
    if otherwise:
        out += [Para("{%p else %}"), *otherwise]
    return out + [Para("{%p endif %}")]


def year_over_year(figure: str) -> list:
    """“与上年相比，实际支出增加…万元，增长…%。” — only when last year's source exists."""
    change = f"同比.{figure}"
    up = f"{{% if {change}.增减额 < 0 %}}减少{{% else %}}增加{{% endif %}}"
    rise = f"{{% if {change}.增减额 < 0 %}}下降{{% else %}}增长{{% endif %}}"
    sentence = (
        f"与上年相比，{figure}{up}{{{{ {change}.增减额|abs|万元 }}}}万元"
        f"{{% if {change}.增长率 is number %}}，{rise}{{{{ {change}.增长率|abs|百分比 }}}}{{% endif %}}。"
    )
    return when(change, Para(sentence))


def each(loop: str, *body, empty: Para | None = Para("")) -> list:
    """Paragraphs repeated ``{%p for loop %}``; ``empty`` stands in for no items,
    so a table cell always keeps a paragraph."""
    out = [Para(f"{{%p for {loop} %}}"), *body]
    if empty is not None:
        out += [Para("{%p else %}"), empty]
    return out + [Para("{%p endfor %}")]


# --- page numbers ------------------------------------------------------------------


def page_numbers(doc, section=None) -> None:
    """``— 1 —`` footers in 宋体 四号: odd pages right, even pages left, one character in."""
    section = section or doc.sections[0]
    doc.settings.odd_and_even_pages_header_footer = True
    one_char = str(round(SI_HAO * 20))
    for footer, align, side in ((section.footer, "right", "w:right"), (section.even_page_footer, "left", "w:left")):
        footer.is_linked_to_previous = False
        container = footer._element
        for child in list(container):
            container.remove(child)
        p = OxmlElement("w:p")
        p_pr = OxmlElement("w:pPr")
        p_pr.append(_val("w:pStyle", "PDPageNumber"))
        indent = OxmlElement("w:ind")
        indent.set(qn(side), one_char)
        p_pr.append(indent)
        p_pr.append(_val("w:jc", align))
        p.append(p_pr)
        for run in _page_field_runs():
            p.append(run)
        container.append(p)


def _page_field_runs():
    def run_with(child):
        run = OxmlElement("w:r")
        run.append(child)
        return run

    def text(value):
        t = OxmlElement("w:t")
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        t.text = value
        return t

    def field_char(kind):
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        return char

    instruction = OxmlElement("w:instrText")
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instruction.text = " PAGE "
    return [
        run_with(text("— ")),
        run_with(field_char("begin")),
        run_with(instruction),
        run_with(field_char("separate")),
        run_with(text("1")),
        run_with(field_char("end")),
        run_with(text(" —")),
    ]


# --- forms (tables) ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: its width in mm and its paragraphs.

    ``merge`` is ``"restart"`` for the top of a vertical merge and
    ``"continue"`` for the cells below it (which stay empty).
    """

    content: object = ""  # str, Para, or a list of them
    width: float = 0
    style: str = "PDTableText"
    merge: str | None = None
    valign: str = "center"
    bold: bool = False
    align: str | None = None

    def paragraphs(self) -> list:
        items = self.content if isinstance(self.content, list) else [self.content]
        return [
            item if isinstance(item, Para) else Para(item, style=self.style, bold=self.bold, align=self.align)
            for item in items
        ] or [Para("", style=self.style)]


def label(text, width, **kw) -> Cell:
    """A centred label cell."""
    return Cell(text, width, style="PDTableLabel", **kw)


def continued(width) -> Cell:
    """The lower part of a vertically merged cell."""
    return Cell("", width, merge="continue")


@dataclass
class _Row:
    cells: list
    height: float | None = None
    header: bool = False
    can_split: bool = False
    keep_with_next: bool = False


@dataclass
class Form:
    """A table whose rows may have different column structures.

    Rows are given as cells with widths; the table grid is the union of all
    rows' cell boundaries, and each cell spans the grid columns it covers.
    """

    width: float
    rows: list = field(default_factory=list)
    indent: float = 0

    def row(
        self,
        *cells: Cell,
        height: float | None = None,
        header: bool = False,
        can_split: bool = False,
        keep_with_next: bool = False,
    ) -> "Form":
        """Add a row; only rows of long text should ``can_split`` across pages.

        A row that opens a vertical merge is kept on the page of the row below it
        (its paragraphs ``keepNext``), so a merged label never starts alone at the
        foot of a page; ``keep_with_next`` asks the same of any row (the rows of a
        merge, a signature block). ``header`` rows repeat on every page; they must
        be the table's first rows.
        """
        total = sum(cell.width for cell in cells)
        if abs(total - self.width) > 0.05:
            raise ValueError(f"row width {total} mm ≠ form width {self.width} mm: {[c.content for c in cells]}")
        opens_merge = any(cell.merge == "restart" for cell in cells)
        self.rows.append(_Row(list(cells), height, header, can_split, keep_with_next or opens_merge))
        return self

    def full(self, content, style: str = "PDTableText", height: float | None = None, keep_with_next: bool = False, **kw) -> "Form":
        """A row of one cell across the whole form."""
        return self.row(Cell(content, self.width, style=style, **kw), height=height, keep_with_next=keep_with_next)

    def tag(self, text: str) -> "Form":
        """A docxtpl row tag (``{%tr for … %}``); the row itself disappears."""
        return self.full(text)

    def add_to(self, doc) -> None:
        _body_append(doc, self.element())

    def element(self):
        bounds = sorted({edge for row in self.rows for edge in _edges(row.cells)})
        columns = [b - a for a, b in zip(bounds, bounds[1:])]
        tbl = OxmlElement("w:tbl")
        tbl.append(self._table_properties())
        grid = OxmlElement("w:tblGrid")
        for width in columns:
            col = OxmlElement("w:gridCol")
            col.set(qn("w:w"), str(width))
            grid.append(col)
        tbl.append(grid)
        for row in self.rows:
            tbl.append(_row_element(row, bounds))
        return tbl

    def _table_properties(self):
        props = OxmlElement("w:tblPr")
        width = OxmlElement("w:tblW")
        width.set(qn("w:w"), str(twips(self.width)))
        width.set(qn("w:type"), "dxa")
        props.append(width)
        props.append(_val("w:jc", "center"))
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            border = OxmlElement(f"w:{side}")
            border.set(qn("w:val"), "single")
            border.set(qn("w:sz"), "4")
            border.set(qn("w:space"), "0")
            border.set(qn("w:color"), "000000")
            borders.append(border)
        props.append(borders)
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        props.append(layout)
        margins = OxmlElement("w:tblCellMar")
        for side, value in (("left", 1.5), ("right", 1.5)):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(twips(value)))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        props.append(margins)
        return props


def _edges(cells) -> list:
    edges, position = [0], 0.0
    for cell in cells:
        position += cell.width
        edges.append(twips(position))
    return edges


def _row_element(row: _Row, bounds: list):
    tr = OxmlElement("w:tr")
    tr_pr = OxmlElement("w:trPr")
    if not row.can_split:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if row.height:
        height = OxmlElement("w:trHeight")
        height.set(qn("w:val"), str(twips(row.height)))
        height.set(qn("w:hRule"), "atLeast")
        tr_pr.append(height)
    if row.header:
        tr_pr.append(OxmlElement("w:tblHeader"))
    tr.append(tr_pr)
    edges = _edges(row.cells)
    for cell, start, end in zip(row.cells, edges, edges[1:]):
        tr.append(_cell_element(cell, bounds.index(end) - bounds.index(start), end - start, row.keep_with_next))
    return tr


def _cell_element(cell: Cell, span: int, width: int, keep_with_next: bool = False):
    tc = OxmlElement("w:tc")
    tc_pr = OxmlElement("w:tcPr")
    tc_width = OxmlElement("w:tcW")
    tc_width.set(qn("w:w"), str(width))
    tc_width.set(qn("w:type"), "dxa")
    tc_pr.append(tc_width)
    if span > 1:
        tc_pr.append(_val("w:gridSpan", str(span)))
    if cell.merge == "restart":
        tc_pr.append(_val("w:vMerge", "restart"))
    elif cell.merge == "continue":
        tc_pr.append(OxmlElement("w:vMerge"))
    tc_pr.append(_val("w:vAlign", cell.valign))
    tc.append(tc_pr)
    for para in cell.paragraphs():
        tc.append(paragraph_element(para, cell.style, keep_with_next))
    return tc
