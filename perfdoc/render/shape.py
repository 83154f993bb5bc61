"""Whether a template's rendered body is already the bytes docxtpl's round trip would make of it.

docxtpl parses the rendered body, fixes its tables (``fix_tables``: grid
columns added or removed when rows have more or fewer cells than the grid) and
the ids of its drawings (``fix_docpr_ids``), and python-docx serialises it.
:func:`fixed_shape` proves, once per template, from the body's Jinja tree,
that none of this can change the rendered text whatever the data, as long as
each printed value is plain text. It holds when:

* the only statements are ``if``, ``for`` (not recursive) and ``set``; inside a tag, only ``if``
  choosing between texts (an attribute's value);
* each printed value sits in the text of a ``w:t`` element, outside any tag,
  and no ``safe`` filter is used;
* each branch of a statement holds whole elements (closes what it opens, no more);
* no statement sits between a row's cells, and one inside a table holds only
  whole rows, or cell content without tables, rows or cells;
* every row of every table spans as many grid columns as the table's grid has,
  and each table has a row outside its own statements (so never none);
* the body has no drawings (``wp:docPr``).

What the tree cannot tell, the text a value prints, is checked at each render
(:meth:`perfdoc.render.engine._Compiled.render`): no Markup printed (the
sandbox counts them), no carriage return and no listing character (which
docxtpl turns into markup). Printed text is escaped by Jinja as lxml would
write it except for quotes (``&#34;`` ``&#39;``) and the underscores the
sandbox protects from docxtpl (``&#95;``), which lxml writes as the
characters; those are replaced. The engine also checks, when compiling, that
both ways give the same bytes for the template with nothing printed.
"""

from __future__ import annotations

import re

from jinja2 import nodes

_TOKEN = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)[^<>]*?(/?)>|<|>")
_TABLE_PARTS = ("w:tbl", "w:tr", "w:tc")


class NotProven(Exception):
    """The template's body may change shape (the reason is the message)."""


class _Scanner:
    """Walks the static XML of a body's Jinja tree, with the element stack at each tag and printed value."""

    def __init__(self):
        self.stack: list[list] = []  # [element name, statements around it, a row of its own (tables)]
        self.in_tag = False
        self.statements = 0
        self.static: list[str] = []  # every piece of text, each branch once: the template with nothing printed

    def text(self, data: str) -> None:
        self.static.append(data)
        for match in _TOKEN.finditer(data):
            token = match.group(0)
            if token == "<" or token == ">":
                if self.in_tag != (token == ">"):
                    raise NotProven("a tag split by a template tag")
                self.in_tag = token == "<"
                continue
            if self.in_tag:
                raise NotProven("a tag split by a template tag")
            closing, name, empty = match.group(1), match.group(2), match.group(3)
            if closing:
                if not self.stack or self.stack[-1][0] != name or self.stack[-1][1] != self.statements:
                    raise NotProven("a statement that does not hold whole elements")
                element = self.stack.pop()
                if name == "w:tbl" and not element[2]:
                    raise NotProven("a table whose rows may all be left out")
                continue
            if name == "wp:docPr":
                raise NotProven("a drawing")
            if name == "w:tr" and self.stack and self.stack[-1][0] == "w:tbl" and self.stack[-1][1] == self.statements:
                self.stack[-1][2] = True
            if not empty:
                self.stack.append([name, self.statements, False])

    def printed(self, expression) -> None:
        if self.in_tag or not self.stack or self.stack[-1][0] != "w:t":
            raise NotProven("a value printed outside the text of a run")
        filters = [expression, *expression.find_all(nodes.Filter)]
        if any(isinstance(node, nodes.Filter) and node.name == "safe" for node in filters):
            raise NotProven("the safe filter")

    def statement(self, branches: list) -> None:
        if self.in_tag:  # choosing an attribute's text (w:val="{% if … %}restart{% else %}continue{% endif %}")
            for branch in branches:
                self.attribute_text(branch)
            return
        around = self.stack[-1][0] if self.stack else ""
        in_table = any(element[0] == "w:tbl" for element in self.stack)
        if around == "w:tr":
            raise NotProven("a statement between a row's cells")
        depth = len(self.stack)
        self.statements += 1
        for branch in branches:
            before = len(self.static)
            self.walk(branch)
            if len(self.stack) != depth:
                raise NotProven("a statement that does not hold whole elements")
            if in_table:
                inner = "".join(self.static[before:])
                names = {m.group(2) for m in _TOKEN.finditer(inner) if m.group(2) and not m.group(1)}
                if around == "w:tbl":
                    if "w:tbl" in names or any(not part.startswith("<w:tr") for part in _children(inner)):
                        raise NotProven("a statement in a table around more than whole rows")
                elif names & set(_TABLE_PARTS):
                    raise NotProven("a statement in a cell around a table, row or cell")
        self.statements -= 1

    def attribute_text(self, body: list) -> None:
        """A statement's branch inside a tag: text alone (no printed value, no tag), or more such statements."""
        for node in body:
            if isinstance(node, nodes.Output) and all(isinstance(child, nodes.TemplateData) for child in node.nodes):
                for child in node.nodes:
                    if any(mark in child.data for mark in "<>\""):
                        raise NotProven("a statement inside a tag around more than text")
                    self.static.append(child.data)
            elif isinstance(node, nodes.If):
                for branch in [node.body, *(branch.body for branch in node.elif_), node.else_]:
                    self.attribute_text(branch)
            else:
                raise NotProven("a statement inside a tag around more than text")

    def walk(self, body: list) -> None:
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        self.text(child.data)
                    else:
                        self.printed(child)
            elif isinstance(node, nodes.If):
                self.statement([node.body, *(branch.body for branch in node.elif_), node.else_])
            elif isinstance(node, nodes.For) and not node.recursive:
                self.statement([node.body, node.else_])
            elif isinstance(node, nodes.Assign):
                continue
            else:
                raise NotProven(f"a {type(node).__name__} statement")


def _children(fragment: str) -> list[str]:
    """The top-level pieces of a balanced fragment: each element's start, and any text between them."""
    pieces, depth, last = [], 0, 0
    for match in _TOKEN.finditer(fragment):
        if match.group(2) is None:
            continue
        if depth == 0:
            if fragment[last : match.start()].strip():
                pieces.append(fragment[last : match.start()])
            pieces.append(match.group(0))
        if match.group(1):
            depth -= 1
        elif not match.group(3):
            depth += 1
        last = match.end()
    if fragment[last:].strip():
        pieces.append(fragment[last:])
    return pieces


def fixed_shape(env, body_source: str) -> str | None:
    """The body with nothing printed when the template's body cannot change shape (see the module docstring);
    None when that is not proven."""
    try:
        tree = env.parse(body_source)
        scanner = _Scanner()
        scanner.walk(tree.body)
    except NotProven:
        return None
    except Exception:  # noqa: BLE001 - a template Jinja cannot parse renders the usual way, and fails there
        return None
    if scanner.stack or scanner.in_tag:
        return None
    return "".join(scanner.static)


def rows_fill_their_grids(body) -> bool:
    """Whether every row of every table in ``body`` (a parsed body) spans its table's grid columns exactly,
    counted as docxtpl's fix_tables counts them (cells, and each cell's first gridSpan)."""
    w = "{" + body.nsmap["w"] + "}"
    for table in body.iter(w + "tbl"):
        grid = table.find(w + "tblGrid")
        if grid is None:
            return False
        columns = len(grid.findall(w + "gridCol"))
        for row in table.iter(w + "tr"):
            cells = list(row.iterchildren(w + "tc"))
            width = 0
            for cell in cells:
                properties = cell.find(w + "tcPr")
                span = properties.find(w + "gridSpan") if properties is not None else None
                try:
                    width += int(span.get(w + "val")) if span is not None else 1
                except (TypeError, ValueError):
                    return False
            if width != columns or len(cells) > columns:
                return False
    return True
