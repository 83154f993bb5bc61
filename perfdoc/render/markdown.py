"""Narrative Markdown → WordprocessingML paragraphs and runs.

A template places a narrative as whole paragraphs with docxtpl's paragraph
tag, which replaces the template paragraph by the filter's output::

    {{p 叙述.存在问题|段落 }}
    {{p 叙述.存在问题|段落("PDTableText") }}          (in a table cell)
    {{p 叙述.存在问题|段落(编号="括号") }}             (items numbered （1）（2）…)

and Markdown inline text as runs with the run tag::

    {{r 部门.名称|行内 }}

Conventions, relied on by every template's styles.xml:

* body paragraphs take the style given as argument (default ``PDBody``);
* ``#`` → ``PDHeading1``, ``##`` → ``PDHeading2``, ``###`` → ``PDHeading3``,
  deeper → ``PDHeading4``; in any other style than ``PDBody`` (a table cell's)
  a heading is a bold paragraph of that style: a cell keeps its size;
* an ordered list item is a body paragraph whose text starts with its number,
  written by the pattern ``编号`` (default ``"{n}. "``; ``{n}`` is the number,
  ``{cn}`` the number in Chinese, 一、二…); the list's start number is kept.
  A ``{{p …}}`` tag cannot contain ``}``, so there a pattern is named
  (see :data:`NUMBERING`) or passed in a variable;
* a bullet item is a body paragraph starting with ``● ``;
* ``**粗体**`` → bold, ``*斜体*`` → italic; a hard line break (two spaces or
  ``\\`` at the end of a line) → a line break in the paragraph;
* a single newline joins the lines without a space, as Chinese text needs
  (a space is kept between two Latin letters or digits);
* code, HTML, HTML entities (``&amp;``), links and images come out as the
  text that was typed; an indented line is an ordinary paragraph, not code
  (people indent paragraphs). A backslash still escapes a Markdown character
  (``\\*`` is ``*``).

All text is XML-escaped and characters XML forbids are dropped, so no
narrative can break the document.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from .present import chinese_number

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

BODY_STYLE = "PDBody"
HEADING_STYLES = {1: "PDHeading1", 2: "PDHeading2", 3: "PDHeading3"}
DEEPEST_HEADING_STYLE = "PDHeading4"
NUMBER_PATTERN = "{n}. "
NUMBERING = {
    "点": "{n}. ",
    "全角点": "{n}．",
    "顿号": "{n}、",
    "括号": "（{n}）",
    "中文顿号": "{cn}、",
    "中文括号": "（{cn}）",
}
BULLET = "● "

# Characters XML 1.0 does not allow, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


def xml_text(value) -> str:
    """``value`` as text that can be placed in XML: illegal characters dropped."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


# docxtpl turns ``{_{ }_} {_% %_}`` in the rendered XML into ``{{ }} {% %}`` (an escape for
# template authors). An underscore of printed text that could be the middle of such a pair
# (braces or ``%`` on both sides, or the end of the text, where the neighbour is unknown) is
# written as a character reference: the same character once the XML is parsed, which
# docxtpl's replacement does not see.
_DOCXTPL_MIDDLE = re.compile(r"(?:^|(?<=[{}%]))_(?=[{}%]|$)")


def kept_from_docxtpl(escaped: str) -> str:
    """XML-escaped text whose ``{_{ }_} {_% %_}`` docxtpl leaves as they are."""
    return _DOCXTPL_MIDDLE.sub("&#95;", escaped) if "_" in escaped else escaped


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # here: importing it costs more than validating a source

    # CommonMark without raw HTML (it stays text), without indented code, and without
    # entities: people type text, so "&amp;" means those five characters.
    parser = MarkdownIt("commonmark", {"html": False}).disable(["code", "entity"])
    _note_dropped_text(parser)
    return parser


# markdown-it stops reading blocks nested deeper than its maxNesting (20 levels: a list counts two, a quote
# one) and leaves out the rest of the enclosing block. Each level takes at least one character of a line's
# indentation and markers, so only a text with such a line can reach it.
_MAY_NEST_TOO_DEEP = re.compile(r"^[ >*+\-.)0-9]{20,}", re.M)
_DROPPED = "dropped_from_line"  # in the parser's env: the first line (from 0) left out


def _note_dropped_text(parser: MarkdownIt) -> None:
    """Make ``parser`` note in its env where nesting too deep makes it leave text out."""
    tokenize = parser.block.tokenize

    def noting(state, start: int, end: int) -> None:
        # the test markdown-it makes before it skips the lines from ``start`` to ``end``
        line = state.skipEmptyLines(start)
        if state.level >= state.md.options.maxNesting and line < end and state.sCount[line] >= state.blkIndent:
            state.env.setdefault(_DROPPED, line)
        tokenize(state, start, end)

    parser.block.tokenize = noting


def dropped_line(value) -> int | None:
    """The line (from 1) of ``value`` from which lists or quotes nested too deep are left out of the document."""
    text = xml_text(value)
    if not _MAY_NEST_TOO_DEEP.search(text.expandtabs(4)):
        return None
    env: dict = {}
    _parser().parse(text, env)
    return env[_DROPPED] + 1 if _DROPPED in env else None


def paragraphs(value, 样式: str = BODY_STYLE, 编号: str = NUMBER_PATTERN) -> Markup:
    """Markdown → ``<w:p>`` elements; always at least one paragraph."""
    pattern = NUMBERING.get(编号, 编号)
    text = xml_text(value)
    out: list[str] = []
    lists: list[_ListState] = []
    prefix = ""  # the number or bullet waiting for the first paragraph of a list item
    style = 样式
    bold_heading = False
    for token in _parser().parse(text):
        kind = token.type
        if kind == "ordered_list_open":
            lists.append(_ListState(int(token.attrs.get("start", 1)), ordered=True))
        elif kind == "bullet_list_open":
            lists.append(_ListState(1, ordered=False))
        elif kind in ("ordered_list_close", "bullet_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            prefix += lists[-1].next_prefix(pattern)  # an item may open with a nested list
        elif kind == "list_item_close" and prefix:  # an empty item still shows its number
            out.append(_paragraph(样式, _run(prefix)))
            prefix = ""
        elif kind == "heading_open":
            level = int(token.tag[1:])
            in_body = 样式 == BODY_STYLE
            style = HEADING_STYLES.get(level, DEEPEST_HEADING_STYLE) if in_body else 样式
            bold_heading = not in_body
        elif kind == "heading_close":
            style = 样式
            bold_heading = False
        elif kind == "inline":
            out.append(_paragraph(style, _runs(token.children or [], prefix, bold=bold_heading)))
            prefix = ""
        elif kind == "fence":
            lines = token.content.rstrip("\n").split("\n")
            out.append(_paragraph(样式, _literal_lines(prefix, lines)))
            prefix = ""
    return Markup("".join(out) or _paragraph(样式, ""))


def inline(value, 样式: str | None = None) -> Markup:
    """Markdown inline text → ``<w:r>`` runs (for ``{{r …}}``); ``样式`` is a character style."""
    tokens = _parser().parseInline(xml_text(value))
    children = tokens[0].children if tokens else []
    return Markup(_runs(children or [], "", character_style=样式))


class _ListState:
    def __init__(self, start: int, ordered: bool):
        self.number = start
        self.ordered = ordered

    def next_prefix(self, pattern: str) -> str:
        if not self.ordered:
            return BULLET
        prefix = pattern.replace("{n}", str(self.number)).replace("{cn}", _chinese(self.number))
        self.number += 1
        return prefix


def _chinese(n: int) -> str:
    return chinese_number(n) if 0 <= n < 100 else str(n)


def _paragraph(style: str, runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{escape(style)}"/></w:pPr>{runs}</w:p>'


def _run(text: str, bold: bool = False, italic: bool = False, character_style: str | None = None) -> str:
    if not text:
        return ""
    properties = (
        (f'<w:rStyle w:val="{escape(character_style)}"/>' if character_style else "")
        + ("<w:b/><w:bCs/>" if bold else "")
        + ("<w:i/>" if italic else "")
    )
    run_properties = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{run_properties}<w:t xml:space="preserve">{_escape_text(text)}</w:t></w:r>'


def _escape_text(text: str) -> str:
    # Element text needs only these three; quotes stay as typed.
    return kept_from_docxtpl(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _line_break(character_style: str | None) -> str:
    style = f'<w:rPr><w:rStyle w:val="{escape(character_style)}"/></w:rPr>' if character_style else ""
    return f"<w:r>{style}<w:br/></w:r>"


def _literal_lines(prefix: str, lines: list[str]) -> str:
    runs = [_run(prefix)]
    for index, line in enumerate(lines):
        if index:
            runs.append(_line_break(None))
        runs.append(_run(line))
    return "".join(runs)


def _runs(children, prefix: str, character_style: str | None = None, bold: bool = False) -> str:
    """Inline tokens → runs (all bold if ``bold``). Text is gathered per formatting so runs stay few."""
    out: list[str] = []
    pending: list[str] = [prefix]
    bold, italic = int(bold), 0

    def flush():
        out.append(_run("".join(pending), bold > 0, italic > 0, character_style))
        pending.clear()

    for index, child in enumerate(children):
        kind = child.type
        if kind == "text":
            pending.append(child.content)
        elif kind == "code_inline":
            pending.append(child.markup + child.content + child.markup)
        elif kind == "softbreak":
            if _joins_with_space(children, index):
                pending.append(" ")
        elif kind == "hardbreak":
            flush()
            out.append(_line_break(character_style))
        elif kind in ("strong_open", "strong_close", "em_open", "em_close"):
            flush()
            step = 1 if kind.endswith("_open") else -1
            if kind.startswith("strong"):
                bold += step
            else:
                italic += step
        elif kind == "image":
            pending.append(child.content)
    flush()
    return "".join(out)


def _joins_with_space(children, index: int) -> bool:
    """A soft break between two Latin words or numbers keeps a space; Chinese joins directly."""
    before = children[index - 1].content[-1:] if index > 0 else ""
    after = children[index + 1].content[:1] if index + 1 < len(children) else ""
    return bool(_LATIN.match(before) and _LATIN.match(after))


FILTERS = {
    "段落": paragraphs,
    "paragraphs": paragraphs,
    "行内": inline,
    "inline": inline,
}
