"""Where a tag or a name sits in a .docx template, in words a template author can act on.

A Jinja error knows a line of the XML that docxtpl hands to Jinja, which
means nothing to someone editing the template in Word. This module reads the
template itself and says where a tag is the way Word shows it:

* ``第 12 段``                              – the 12th paragraph of the body (tables not counted);
* ``第 3 个表格第 2 行第 1 列``              – a table cell (``…第 2 段`` when the cell has several);
* ``第 3 个表格第 2 行第 1 列中的第 1 个表格第 1 行第 2 列`` – a nested table;
* ``第 4 段中的文本框第 1 段``               – a text box;
* ``页眉（word/header1.xml）第 1 段``, ``页脚（word/footer1.xml）…`` – headers and footers.

A paragraph's text is its runs joined, so a tag that Word split across runs
(part bold, part not, or just edited twice) is found whole.

* :func:`locate` / :func:`where` – the places of a tag text or a variable name;
* :func:`tag_problems`          – checks every tag on its own (syntax, unclosed or stray
  ``{% for %}``/``{% if %}``, full-width punctuation, ``段落`` outside ``{{p …}}``),
  for when Jinja's own line number points at the wrong tag; each a
  :class:`~.problems.TemplateProblem` (code ``broken-tag``);
* :func:`located`               – a renderer's :class:`~.problems.TemplateProblem` with where it is added;
* :func:`names_with_places`     – a ``unknown-name`` problem for each name, with where the template uses it.

Nothing here raises: it runs while another error is being reported, and an
unreadable template simply has no places. Problems are records; they are
worded by :func:`.problems.describe`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from lxml import etree

from ..load.inputs import read_input
from . import problems, safezip
from .extract import TAG_BREAKS, _main_part_name, _w, paragraphs
from .problems import TemplateProblem

# Parts docxtpl renders besides the main document.
_EXTRA_PART_RE = re.compile(r"^word/(header|footer)(\d*)\.xml$")
_PART_WORDS = {"header": "页眉", "footer": "页脚"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=True)

# A docxtpl tag: {{ }}, {% %} or {# #}, with docxtpl's p/tr/tc/r marker after the opening brace.
_TAG_RE = re.compile(r"{([{%#])(.*?)([}%#])}", re.S)
_MARKER_RE = re.compile(r"^(p|tr|tc|r)\s")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
# Full-width characters that look like Jinja syntax but are not.
_FULL_WIDTH = {
    "（": "(", "）": ")", "＂": '"', "＇": "'", "｜": "|", "，": ",", "：": ":", "．": ".", "｛": "{", "｝": "}",
    "％": "%", "＝": "=", "＋": "+", "－": "-", "［": "[", "］": "]", "「": '"', "」": '"', "『": '"', "』": '"',
}
_BLOCKS = {"for", "if", "with", "filter", "macro", "call", "block", "raw", "autoescape", "trans"}
_MIDDLES = {"else": ("if", "for"), "elif": ("if",)}
_DOCXTPL_SPECIALS = {"vm", "hm", "colspan", "cellbg"}
_MAX_PLACES = problems.MAX_PLACES


@dataclass(frozen=True)
class Place:
    """One paragraph of a template part."""

    part: str  # "word/document.xml", "word/header1.xml"
    phrase: str  # "第 12 段", "第 3 个表格第 2 行第 1 列"
    text: str  # the paragraph's text, runs joined


def _broken_tag(place: Place, tag: str, reason: str) -> TemplateProblem:
    """A tag that cannot work, where it is and why."""
    return TemplateProblem(problems.BROKEN_TAG, part=place.part, place=place.phrase, tag=tag, reason=reason)


# ------------------------------------------------------------------ places


def places(template) -> list[Place]:
    """Every paragraph of the template's document, headers and footers, in order."""
    return list(_places(_read(template)))


@lru_cache(maxsize=16)
def _places(data: bytes) -> tuple:
    try:
        with safezip.open_zip(data) as package:
            main = _main_part_name(package)
            extra = sorted(
                (name for name in package.namelist() if _EXTRA_PART_RE.match(name)),
                key=lambda name: (_EXTRA_PART_RE.match(name).group(1), int(_EXTRA_PART_RE.match(name).group(2) or 0)),
            )
            found: list[Place] = []
            for name in [main, *extra]:
                try:
                    root = etree.fromstring(package.read(name), _PARSER)
                except (KeyError, etree.XMLSyntaxError):
                    continue
                if name == main:
                    body = root.find(_w("body"))
                    if body is not None:
                        found.extend(_part_places(body, name, ""))
                else:
                    kind = _EXTRA_PART_RE.match(name).group(1)
                    found.extend(_part_places(root, name, f"{_PART_WORDS[kind]}（{name}）"))
            return tuple(found)
    except (*safezip.READ_ERRORS, OSError, ValueError, RuntimeError):
        return ()


def _read(template) -> bytes:
    if isinstance(template, (bytes, bytearray)):
        return bytes(template)
    try:
        return read_input(template, safezip.MAX_PACKAGE_BYTES)
    except OSError:
        return b""


def _part_places(container, part: str, prefix: str) -> list[Place]:
    """The paragraphs of a body, header or footer, each with its phrase."""
    return [Place(part, _phrase(prefix, steps), text) for text, steps in paragraphs(container, breaks=TAG_BREAKS)]


def _phrase(prefix: str, steps) -> str:
    """``第 3 个表格第 2 行第 1 列第 2 段`` for the steps to a paragraph; a cell's only paragraph is the cell."""
    phrase, in_cell = prefix, False
    for step in steps:
        if step.kind == "cell":
            joiner = "中的" if phrase else ""
            phrase += f"{joiner}第 {step.number} 个表格第 {step.row} 行第 {step.column} 列"
            in_cell = True
            continue
        if step.kind == "paragraph":
            if not (in_cell and step.of == 1):
                phrase += f"第 {step.number} 段"
        else:  # a text box
            phrase += f"中的文本框{step.number if step.number > 1 else ''}"
        in_cell = False
    return phrase


# ------------------------------------------------------------------ finding a tag or a name


def normalise(text: str) -> str:
    """Tag text as Jinja sees it: straight quotes, no docxtpl marker, single spaces."""
    text = text.translate(_QUOTES)

    def tag(match):
        opening, body, closing = match.groups()
        body = _MARKER_RE.sub("", body.strip()) if opening != "#" else body.strip()
        return f"{{{opening} {' '.join(body.split())} {closing}}}"

    text = _TAG_RE.sub(tag, text)
    return " ".join(text.split())


def locate(template, needle: str, part: str | None = None) -> list[Place]:
    """The paragraphs holding ``needle``: a tag as written or as an error message quotes it, or a name.

    A name (``预箅``) matches where a tag uses it as a variable; anything else
    matches as text. ``part`` (``word/header1.xml``) narrows the search.
    """
    all_places = [p for p in places(template) if part is None or p.part == part]
    needle = (needle or "").strip()
    if not needle or not all_places:
        return []
    if _is_name(needle):
        return [p for p in all_places if needle in _names_in(p.text)] or _text_matches(all_places, needle)
    for candidate in _candidates(needle):
        hits = _text_matches(all_places, candidate)
        if hits:
            return hits
    return []


def where(template, needle: str, part: str | None = None) -> str:
    """The Chinese location phrase(s) of ``needle`` (``第 3 个表格第 2 行第 1 列``), or ``""``."""
    return _join_phrases(locate(template, needle, part))


def names_with_places(template, names) -> list[TemplateProblem]:
    """For each name, an ``unknown-name`` problem saying where the template uses it (``预箅（第 3 段）``)."""
    return [
        TemplateProblem(problems.UNKNOWN_NAME, names=(str(name),), place=where(template, name)) for name in names
    ]


def _is_name(needle: str) -> bool:
    return re.fullmatch(r"[^\W\d]\w*", needle) is not None


def _text_matches(all_places: list[Place], needle: str) -> list[Place]:
    wanted = normalise(needle)
    if not wanted:
        return []
    return [p for p in all_places if wanted in normalise(p.text)]


def _candidates(needle: str):
    """What to look for, most specific first: the whole text, each tag in it, a truncated prefix."""
    yield needle
    pieces = [piece for piece in re.split(r"\s{2,}", needle) if piece.strip()]
    if len(pieces) > 1:
        yield from pieces
    for piece in pieces:
        for match in _TAG_RE.finditer(piece):
            if match.group(0) != needle:
                yield match.group(0)
    if needle.endswith("…") and len(needle) > 8:
        yield needle[:-1]


@lru_cache(maxsize=4096)
def _names_in_tag(tag: str) -> frozenset:
    """Top-level names a tag reads (its loop variables included)."""
    from jinja2 import meta

    source = _parseable(tag)
    if source is None:
        return frozenset(re.findall(r"(?<![\w.])([^\W\d]\w*)", _tag_body(tag)))
    try:
        return frozenset(meta.find_undeclared_variables(_environment().parse(source)))
    except Exception:  # noqa: BLE001 - a broken tag still names what it mentions
        return frozenset(re.findall(r"(?<![\w.'\"])([^\W\d]\w*)", _tag_body(tag)))


def _names_in(text: str) -> set:
    names: set = set()
    for match in _TAG_RE.finditer(text.translate(_QUOTES)):
        names |= _names_in_tag(match.group(0))
    return names


def _tag_body(tag: str) -> str:
    match = _TAG_RE.fullmatch(tag)
    return _MARKER_RE.sub("", match.group(2).strip()) if match else tag


def _parseable(tag: str) -> str | None:
    """A template that holds just this tag (block tags closed), or None for end/middle tags."""
    match = _TAG_RE.fullmatch(tag)
    if not match:
        return None
    opening, body = match.group(1), _MARKER_RE.sub("", match.group(2).strip())
    if opening == "#":
        return None
    if opening == "{":
        return f"{{{{ {body} }}}}"
    keyword = body.split(None, 1)[0] if body.split() else ""
    if keyword in _DOCXTPL_SPECIALS or keyword.startswith("end") or keyword in _MIDDLES:
        return None
    if keyword == "set" and "=" not in body:
        return f"{{% {body} %}}{{% endset %}}"
    if keyword in _BLOCKS:
        return f"{{% {body} %}}{{% end{keyword} %}}"
    return f"{{% {body} %}}"


# ------------------------------------------------------------------ checking every tag


def tag_problems(template, part: str | None = None) -> list[TemplateProblem]:
    """Every tag that cannot work, in document order, with the reason in Chinese.

    Each tag is parsed on its own with the templates' filters, so a broken tag
    is found where it is even when Jinja reports the end of the part; block
    tags are matched across paragraphs (``{%p for %}`` … ``{%p endfor %}``).
    """
    found: list[TemplateProblem] = []
    by_part: dict[str, list[Place]] = {}
    for place in places(template):
        if part is None or place.part == part:
            by_part.setdefault(place.part, []).append(place)
    for part_places in by_part.values():
        found.extend(_part_problems(part_places))
    return found


def _part_problems(part_places: list[Place]) -> list[TemplateProblem]:
    found: list[TemplateProblem] = []
    stack: list[tuple[str, Place, str]] = []  # (keyword, place, tag)
    for place in part_places:
        text = place.text.translate(_QUOTES)
        found.extend(_unclosed_in_paragraph(place, text))
        for match in _TAG_RE.finditer(text):
            tag = match.group(0)
            problem = _check_tag(place, tag, match.group(1), match.group(2))
            if problem:
                found.append(problem)
                continue
            if match.group(1) != "%":
                continue
            body = _MARKER_RE.sub("", match.group(2).strip())
            words = body.split()
            keyword = words[0] if words else ""
            if keyword in _BLOCKS or (keyword == "set" and "=" not in body):
                stack.append((keyword, place, tag))
            elif keyword.startswith("end") and keyword != "end":
                opened = keyword[3:]
                if stack and stack[-1][0] == opened:
                    stack.pop()
                elif any(k == opened for k, _, _ in stack):
                    while stack and stack[-1][0] != opened:
                        keyword_open, where_open, tag_open = stack.pop()
                        found.append(_broken_tag(where_open, tag_open, f"缺少对应的 {{% end{keyword_open} %}}"))
                    stack.pop()
                else:
                    found.append(_broken_tag(place, tag, f"多出的 {{% {keyword} %}}：前面没有与之对应的 {{% {opened} … %}}"))
            elif keyword in _MIDDLES and not (stack and stack[-1][0] in _MIDDLES[keyword]):
                allowed = "／".join(f"{{% {k} %}}" for k in _MIDDLES[keyword])
                found.append(_broken_tag(place, tag, f"{{% {keyword} %}} 不在 {allowed} 之内"))
    for keyword, place, tag in stack:
        found.append(_broken_tag(place, tag, f"缺少对应的 {{% end{keyword} %}}"))
    return found


_CLOSERS = {"{": "}}", "%": "%}", "#": "#}"}


def _next_opener(text: str, position: int) -> int:
    found = [i for i in (text.find("{{", position), text.find("{%", position), text.find("{#", position)) if i != -1]
    return min(found) if found else -1


def _unclosed_in_paragraph(place: Place, text: str) -> list[TemplateProblem]:
    """Tags opened in this paragraph and not closed before the next tag opens or the paragraph ends."""
    found = []
    start = _next_opener(text, 0)
    while start != -1:
        kind = text[start + 1]
        end = text.find(_CLOSERS[kind], start + 2)
        following = _next_opener(text, start + 2)
        if end != -1 and (following == -1 or end < following):
            start = _next_opener(text, end + 2)
            continue
        fragment = text[start : following if following != -1 else len(text)].strip()
        other = {"{": "%}", "%": "}}", "#": "}}"}[kind]
        hint = f"结尾写成了 {other}" if other in fragment else "花括号不配对"
        found.append(_broken_tag(place, fragment, f"标签没有闭合（应以 {_CLOSERS[kind]} 结尾，{hint}）"))
        start = following
    return found


def _check_tag(place: Place, tag: str, opening: str, body: str) -> TemplateProblem | None:
    wide = sorted({ch for ch in body if ch in _FULL_WIDTH})
    marker = _MARKER_RE.match(body.strip())
    clean = _MARKER_RE.sub("", body.strip())
    if opening == "{":
        uses_paragraphs = re.search(r"\|\s*(段落|paragraphs)\b", clean)
        uses_inline = re.search(r"\|\s*(行内|inline)\b", clean)
        if uses_paragraphs and not (marker and marker.group(1) == "p"):
            return _broken_tag(place, tag, "“段落”过滤器生成整段内容，这个标签应写作 {{p …}} 并独占一段")
        if uses_inline and not (marker and marker.group(1) == "r"):
            return _broken_tag(place, tag, "“行内”过滤器生成整段文字格式，这个标签应写作 {{r …}}")
    source = _parseable(tag)
    if source is None:
        return None
    try:
        _environment().compile(source)  # compiling also checks filter and test names
    except Exception as exc:  # noqa: BLE001 - any failure to compile is this tag's problem
        message = getattr(exc, "message", None) or str(exc)
        if wide:
            fixes = "、".join(f"“{ch}”改为“{_FULL_WIDTH[ch]}”" for ch in wide)
            return _broken_tag(place, tag, f"标签中有全角符号，请{fixes}（{message}）")
        return _broken_tag(place, tag, _translate(message))
    return None


def _translate(message: str) -> str:
    match = re.search(r"No (filter|test) named '([^']+)'", message)
    if match:
        kind = "过滤器" if match.group(1) == "filter" else "测试"
        return f"没有名为“{match.group(2)}”的{kind}，请检查拼写（{message}）"
    if "unexpected '}'" in message or "expected token" in message or "unexpected" in message:
        return f"写法有误，如括号或引号不配对（{message}）"
    return message


def _environment():
    """The environment templates render in: for its filters and tests."""
    from .sandbox import template_environment

    return template_environment()


# ------------------------------------------------------------------ locating a renderer's problem


def located(problem: TemplateProblem, template) -> TemplateProblem:
    """``problem`` with where in ``template`` it is, as far as reading the template finds it.

    Unknown names get the place of each; a syntax error or a paragraph put
    inside a line of text gets the broken tags of its part (Jinja's line
    often points past the real fault); any other failing tag gets its
    place. Unchanged when it is located already or nothing is found.
    """
    try:
        return _located(problem, template)
    except Exception:  # noqa: BLE001 - never hide the problem being reported
        return problem


def _located(problem: TemplateProblem, template) -> TemplateProblem:
    if problem.place or problem.places or problem.found:
        return problem
    part = problem.part or None
    if problem.code == problems.UNKNOWN_NAMES:
        return replace(problem, places=tuple(where(template, name) for name in problem.names))
    if problem.code in (problems.SYNTAX, problems.PARAGRAPH_IN_RUN):
        found = tag_problems(template, part)
        if problem.code == problems.PARAGRAPH_IN_RUN:
            found = [p for p in found if "过滤器" in p.reason] or found
        if found:
            return replace(problem, found=tuple(found))
    if problem.tag:
        phrase = where(template, problem.tag, part)
        if phrase:
            return replace(problem, place=phrase)
    return problem


def _join_phrases(found: list[Place]) -> str:
    phrases = list(dict.fromkeys(place.phrase for place in found))
    text = "、".join(phrases[:_MAX_PLACES])
    return text + (f" 等 {len(phrases)} 处" if len(phrases) > _MAX_PLACES else "")
