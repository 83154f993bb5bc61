"""Read a source file into plain data plus the position of every key and value.

The YAML is *composed* (parsed into nodes) rather than constructed, so that:
* every scalar keeps its text, and numbers become ``Decimal`` from that text;
* duplicate keys are reported instead of silently overwritten;
* anchors and aliases cannot expand without bound (billion laughs);
* each value's line and column is kept for error messages.

:func:`load_path` and :func:`load_text` never raise for bad input: they return
a :class:`Loaded`, the source (None when the text cannot be read as YAML) and
the load diagnostics (PD000–PD005), located.

The reference reader is ruamel.yaml's pure-Python composer (YAML 1.2), which
also gives every position. Most files are plain block YAML that is valid and
whose positions nobody asks for, so a source is first composed by libyaml
(PyYAML's C parser, when installed) with ruamel.yaml's YAML 1.2 tag rules:
ten to twenty times faster. That happy path is taken only for text without
the constructs on which the two readers can differ (tabs, unusual line
breaks, directives, document markers, anchors, tags, complex keys, block
scalar headers other than ``|``/``|-``/``>``/``>-`` followed by their
content) and only when the result is plain (no alias, duplicate key, merge
key or other finding); anything else, and any error, goes to the reference
reader, so every message and position is what it has always been.

Positions are only computed when asked for (by a rule that reports or quotes
something). For a source read the fast way they come from libyaml's marks,
which are the reference reader's for such text, except for an empty plain
value (``key:`` and nothing after it) or a file not ending with a line break:
then the reference reader reads the text again for them. Both ways are
compared, data, positions and messages, on the examples and on thousands of
mutated files in ``tests/test_fast_render.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .. import usercache
from ..errors import Diagnostic, Location, Severity
from .inputs import InputRefused, read_input

try:  # libyaml through PyYAML, for the happy path; without it every file takes the reference path
    import yaml as _pyyaml
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml, or no PyYAML
    _pyyaml = _CParser = None


def _import_reference_reader() -> None:
    """Import ruamel.yaml, the reference reader, when a text first needs it: the happy path never
    does, and importing it costs as much as reading a source."""
    global YAML, MarkedYAMLError, YAMLError, MappingNode, ScalarNode, SequenceNode, ReaderError, KeyToken, ScalarToken
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    from ruamel.yaml.reader import ReaderError
    from ruamel.yaml.tokens import KeyToken, ScalarToken


MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Control characters, removed with a warning: those XML 1.0 cannot hold, as pasted from Word (\x0b, \x0c,
# \x00 …), and DEL and the C1 controls, which the reference reader refuses without a position. NEL (\x85) too:
# the reference reader takes it for a line break (folding "甲\x85乙" to "甲 乙", breaking a block scalar) where
# positions count only \n, and in Chinese text it is a mis-decoded "…" (cp1252 0x85), never a line break.
_XML_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
_XML_ILLEGAL_RE = re.compile(f"[{_XML_ILLEGAL}]")
# In a value, also lone surrogates, which an escape ("\udfff") can make: no file or terminal can hold them.
_UNWRITABLE_RE = re.compile(f"[{_XML_ILLEGAL}\ud800-\udfff]")
# Spaces that are not YAML's: the full-width space and the no-break space, pasted from Word or WPS.
_ODD_SPACES = {"\u3000": "全角空格“　”（U+3000）", "\xa0": "不间断空格（U+00A0）"}


class _Unreadable(Exception):
    """The text cannot be read as a source: why, where, and the load-error code (see errors.LOAD_ERRORS)."""

    def __init__(self, message: str, location: Location | None = None, code: str = "PD001"):
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code
        self.others: list = []  # further syntax errors found by reading on past this one

    def diagnostics(self, path: str) -> list:
        """This problem and the further ones found by reading on past it, as diagnostics of ``path``."""
        return [Diagnostic(code=e.code, message=e.message, file=path, location=e.location) for e in (self, *self.others)]


class Source:
    """One department-year as read from disk: data, positions and raw text."""

    def __init__(self, path: str, text: str, data: object, positions: dict | None = None,
                 key_positions: dict | None = None):
        self.path = path
        self.text = text
        self.data = data
        self._positions = positions
        self._key_positions = key_positions
        self._nodes = None  # libyaml's node tree, whose marks give the positions (see load_text)
        self.digest: str | None = None  # sha256 of the file's bytes as read, when read from a file

    @property
    def positions(self) -> dict:
        """path tuple → Location of the value."""
        if self._positions is None:
            self._locate()
        return self._positions

    @property
    def key_positions(self) -> dict:
        """path tuple → Location of the key."""
        if self._key_positions is None:
            self._locate()
        return self._key_positions

    def _locate(self) -> None:
        """Positions for data read the fast way: from libyaml's marks where they are the reference
        reader's (see _FastBuilder.marks_agree), else the reference reader's for the same text."""
        located = Source(self.path, self.text, None, {}, {})
        nodes, self._nodes = self._nodes, None
        if nodes is not None:
            _locate_marks(nodes, (), located._positions, located._key_positions)
        else:
            _import_reference_reader()
            try:
                _Builder(located, []).build(_compose(self.text), (), 0)
            except (_Unreadable, YAMLError, RecursionError):  # pragma: no cover - the fast path accepts neither
                pass
        self._positions, self._key_positions = located._positions, located._key_positions

    def location_of(self, path: tuple) -> Location | None:
        """The position of ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return None
            path = path[:-1]

    def key_location_of(self, path: tuple) -> Location | None:
        path = tuple(path)
        if path in self.key_positions:
            return self.key_positions[path]
        return self.location_of(path)

    def lines(self) -> list[str]:
        return self.text.splitlines()

    def __repr__(self) -> str:
        return f"Source(path={self.path!r}, data={self.data!r})"


def _location(node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is refused with the fix."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Unreadable("文件是 UTF-16 编码：请在编辑器中“另存为 UTF-8”后重试", Location(1, 1), code="PD002")
    if raw.count(b"\x00") > len(raw) // 100:
        raise _Unreadable("文件不是文本文件（含有大量空字节），请确认选择的是 YAML 数据文件", Location(1, 1), code="PD002")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "文件似乎是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后重试"
        except UnicodeDecodeError:
            hint = "文件不是文本文件，或编码无法识别；请保存为 UTF-8 编码的 YAML 文件"
        raise _Unreadable(f"文件不是 UTF-8 编码（第 {line} 行）：{hint}", Location(line, 1), code="PD002")


class _Builder:
    """Turns a composed node tree into plain values, recording positions and load diagnostics in ``notes``."""

    def __init__(self, source: Source, notes: list):
        self.source = source
        self.notes = notes
        self.count = 0

    def build(self, node, path: tuple, depth: int):
        self.count += 1
        if self.count > MAX_NODES:
            raise _Unreadable(
                f"文件包含的条目超过 {MAX_NODES} 个（可能是别名展开炸弹），已拒绝读取",
                _location(node),
                code="PD003",
            )
        if depth > MAX_DEPTH:
            raise _Unreadable(f"嵌套层级超过 {MAX_DEPTH} 层，已拒绝读取", _location(node), code="PD003")
        self.source.positions[path] = _location(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node, path, depth):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Unreadable("不支持 YAML 合并键“<<”，请直接写出各项", _location(key_node), code="PD003")
            if not isinstance(key_node, ScalarNode):
                raise _Unreadable("键必须是简单文本", _location(key_node), code="PD001")
            key = self._text(str(key_node.value), key_node, path)
            if key[:1] in _ODD_SPACES and key_node.style is None:
                # "　　名称: x" reads as a key with two full-width spaces, not as an indented key
                start = key_node.start_mark
                raise _odd_indentation(_reader_lines(self.source.text)[start.line], start.line, start.column)
            if key in result:
                first = self.source.key_positions[path + (key,)]
                self.notes.append(
                    Diagnostic(
                        code="PD004",
                        message=f"键“{key}”重复出现（首次出现在第 {first.line} 行），后一个值不会覆盖前一个，请删除其中之一",
                        path=path + (key,),
                    ).located(self.source.path, _location(key_node))
                )
                continue
            self.source.key_positions[path + (key,)] = _location(key_node)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result

    def _scalar(self, node, path):
        value = _scalar_value(node.value, node.tag, node.style)
        return self._text(node.value, node, path) if value is _TEXT else value

    def _text(self, text: str, node, path):
        found = _UNWRITABLE_RE.search(text)
        if found:
            cleaned = _UNWRITABLE_RE.sub("", text)
            kind = "单独的代理码位，由“\\u”转义写出" if "\ud800" <= found.group() <= "\udfff" else "控制字符，常见于从 Word 粘贴"
            self.notes.append(
                Diagnostic(
                    code="PD005",
                    message=f"文本中含有无法写入文档的字符 U+{ord(found.group()):04X}（{kind}），已自动删除",
                    severity=Severity.WARNING,
                    path=path,
                ).located(self.source.path, _location(node))
            )
            return cleaned
        return text


_TEXT = object()  # _scalar_value's answer for a scalar that is text


def _scalar_value(text: str, tag, style):
    """The value of a scalar with this text, resolved tag and style; _TEXT for text."""
    if style is not None and style in "'\"|>":
        return _TEXT
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _INT_TAG:
        digits = text.replace("_", "")
        for base in (10, 0):
            try:
                return int(digits, base)
            except ValueError:
                continue
        return _TEXT
    if tag == _FLOAT_TAG:
        try:
            value = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text  # .nan / .inf: the schema rules say why it is wrong
        return value
    if tag == _TIMESTAMP_TAG:
        match = _DATE_RE.match(text)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                return text  # 2023-02-30: the date rule explains it
        return text
    return _TEXT


def _strip_control_characters(text: str, path: str) -> tuple[str, list[Diagnostic]]:
    """Remove characters XML cannot hold (pasted from Word), each with a located warning."""
    notes = []
    for match in _XML_ILLEGAL_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        notes.append(
            Diagnostic(
                code="PD005",
                message=f"第 {line} 行有无法写入文档的控制字符 U+{ord(match.group()):04X}（常见于从 Word 粘贴），已自动删除",
                severity=Severity.WARNING,
            ).located(path, Location(line, col))
        )
    return _XML_ILLEGAL_RE.sub("", text), notes


class Loaded(NamedTuple):
    """A source as read: the source, None when it cannot be read as YAML, and the load diagnostics."""

    source: Source | None
    diagnostics: list

    @property
    def data(self):
        """The data read, None when there is none."""
        return self.source.data if self.source is not None else None


def load_text(text: str, path: str = "<text>", fast: bool = True) -> Loaded:
    """Read YAML text. Never raises for bad input: the problems are in the diagnostics.

    ``fast=False`` reads with the reference reader alone: the definition of what the
    happy path (see the module docstring) must return.
    """
    text, notes = _strip_control_characters(text, path)
    try:
        return Loaded(_read(text, path, notes, fast), notes)
    except _Unreadable as exc:
        return Loaded(None, [*notes, *exc.diagnostics(path)])


def _read(text: str, path: str, notes: list, fast: bool) -> Source:
    if not text.strip():
        raise _Unreadable("文件内容为空", Location(1, 1), code="PD001")
    read = _fast_read(text) if fast else _DECLINED
    if read is _DECLINED:
        return _load_reference(text, path, notes)
    source = Source(path=path, text=text, data=read[0])
    source._nodes = read[1]  # for positions, when they are asked for
    return source


def _load_reference(text: str, path: str, notes: list) -> Source:
    _import_reference_reader()
    source = Source(path=path, text=text, data=None, positions={}, key_positions={})
    try:
        node = _compose(text)
    except MarkedYAMLError as exc:
        first, cause = _syntax_error(text, exc)
        first.others = _further_errors(text, cause)
        raise first from None
    except ReaderError as exc:  # a character YAML does not allow (a lone surrogate): the others are removed above
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise _Unreadable(
            f"YAML 语法错误：第 {line} 行有 YAML 不允许的字符 U+{exc.character:04X}，请删除", Location(line, col), code="PD001"
        ) from None
    except YAMLError as exc:
        first = str(exc).strip().splitlines()[:1]
        detail = f"（{first[0]}）" if first else ""
        raise _Unreadable(f"YAML 语法错误：文件无法按 YAML 读取{detail}，请检查写法", None, code="PD001") from None
    except RecursionError:
        raise _Unreadable("嵌套层级过深，已拒绝读取", Location(1, 1), code="PD003") from None
    if node is None:
        raise _Unreadable("文件内容为空", Location(1, 1), code="PD001")
    try:
        source.data = _Builder(source, notes).build(node, (), 0)
    except RecursionError:
        raise _Unreadable("嵌套层级过深，已拒绝读取", Location(1, 1), code="PD003") from None
    return source


def _compose(text: str):
    """The node tree of ``text`` as the reference reader composes it."""
    return YAML(typ="safe", pure=True).compose(text)


# ---------------------------------------------------------------- the happy path

_DECLINED = object()  # _fast_read's answer when the reference reader must read the text
# Text on which libyaml and ruamel.yaml may disagree: tabs, line breaks other than \n and \r\n,
# characters neither reads, a BOM, directives, document markers, and anchors, tags or complex
# keys (a token starting with &, ! or ?). Checked in parts (see _may_read_differently): one
# pattern with all of them costs as much as a tenth of reading the file.
_DIFFERENT_CHARACTERS = re.compile(r"[\t\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_LONE_CR = re.compile(r"\r(?!\n)")
_LINE_STARTS = ("%", "---", "...")
_NODE_PROPERTY = re.compile(r"(?:^|[\s\[{,])[&!?]", re.M)


def _may_read_differently(text: str) -> bool:
    """Whether ``text`` has anything on which libyaml and ruamel.yaml may disagree (see above)."""
    return bool(
        _DIFFERENT_CHARACTERS.search(text)
        or ("\r" in text and _LONE_CR.search(text))
        or text.startswith(_LINE_STARTS)
        or any(f"\n{start}" in text for start in _LINE_STARTS)
        or (("&" in text or "!" in text or "?" in text) and _NODE_PROPERTY.search(text))
    )


# A block scalar header: only |, |-, > and >- at the end of their line, followed by a line with content.
_BLOCK_HEADER = re.compile(r"(?:^|[\s\[{,])[|>]([^\n]*)(?:\n([^\n]*))?", re.M)
# libyaml composes nested collections recursively in C (20,000 levels are fine, 40,000 exhaust an 8 MB
# stack): a bound on the depth far below that.
_MOST_INDICATORS = 10_000


class _Declined(Exception):
    """The happy path does not apply: the reference reader reads the text."""


def _fast_read(text: str):
    """``(data, nodes)`` of ``text`` composed by libyaml, or _DECLINED; ``nodes`` (the node tree)
    when its marks are the positions the reference reader gives, else None."""
    if _CParser is None or _may_read_differently(text):
        return _DECLINED
    for header in _BLOCK_HEADER.finditer(text):
        if header.group(1).rstrip("\r") not in ("", "-") or not (header.group(2) or "").strip():
            return _DECLINED
    # every level of nesting needs one of these characters: they bound how deep libyaml recurses
    if sum(text.count(c) for c in ":-[{?") > _MOST_INDICATORS:
        return _DECLINED
    composer = _FastComposer(text)
    try:
        node = composer.get_single_node()
    except Exception:  # noqa: BLE001 - any error: the reference reader explains it
        return _DECLINED
    finally:
        composer.dispose()
    if node is None or composer.explicit:
        return _DECLINED
    builder = _FastBuilder(odd_spaces=any(space in text for space in _ODD_SPACES))
    try:
        data = builder.build(node, 0)
    except (_Declined, RecursionError):
        return _DECLINED
    if builder.count != composer.resolved:  # a node whose tag was written out
        return _DECLINED
    return data, node if builder.marks_agree and text.endswith("\n") else None


def _locate_marks(node, path: tuple, positions: dict, key_positions: dict) -> None:
    """The positions _Builder records, from a libyaml node tree, in the same order."""
    positions[path] = _location(node)
    if isinstance(node, _pyyaml.MappingNode):
        for key_node, value_node in node.value:
            key = path + (str(key_node.value),)
            key_positions[key] = _location(key_node)
            _locate_marks(value_node, key, positions, key_positions)
    elif isinstance(node, _pyyaml.SequenceNode):
        for index, item in enumerate(node.value):
            _locate_marks(item, path + (index,), positions, key_positions)


if _CParser is not None:

    class _FastComposer(_CParser):
        """libyaml's composer with ruamel.yaml's YAML 1.2 tags for untagged scalars."""

        def __init__(self, text: str):
            super().__init__(text)
            self.resolved = 0
            self.explicit = False

        def descend_resolver(self, parent, index):
            pass

        def ascend_resolver(self):
            pass

        def resolve(self, kind, value, implicit):
            self.resolved += 1
            if kind is _pyyaml.ScalarNode:
                if implicit[0]:
                    for tag, pattern in _implicit_tags(value[:1]):
                        if pattern.match(value):
                            return tag
                elif not implicit[1]:
                    self.explicit = True  # the non-specific tag "!"
                return _STR_TAG
            if not implicit:
                self.explicit = True
            return _SEQ_TAG if kind is _pyyaml.SequenceNode else _MAP_TAG


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


@lru_cache(maxsize=None)
def _implicit_tags(first: str) -> tuple:
    """ruamel.yaml's YAML 1.2 implicit resolvers for a plain scalar starting with ``first``, in its order."""
    table = _implicit_table()
    # compiled here, each when first needed: ruamel.yaml's own compile behind a proxy whose every use costs a lookup
    return tuple((tag, re.compile(pattern, flags)) for tag, pattern, flags in [*table.get(first, []), *table.get(None, [])])


_TAGS_KIND = "yaml-tags"


@lru_cache(maxsize=1)
def _implicit_table() -> dict:
    """ruamel.yaml's table of YAML 1.2 implicit resolvers: a plain scalar's first character (None: any)
    → ``(tag, pattern, flags)`` in its order. Kept in the user's cache under the stamp of ruamel.yaml's
    resolver module, so that the happy path never imports ruamel.yaml."""
    stamp = usercache.module_stamp("ruamel.yaml", "resolver.py")
    name = usercache.key(_TAGS_KIND, stamp) if stamp is not None else None
    table = _stored_table(usercache.read_value(_TAGS_KIND, name)) if name is not None else None
    if table is None:
        from ruamel.yaml.resolver import VersionedResolver

        resolvers = VersionedResolver(version=(1, 2)).versioned_resolver
        table = {first: [(str(tag), pattern.pattern, pattern.flags) for tag, pattern in entries]
                 for first, entries in resolvers.items()}
        if name is not None:
            usercache.write_value(_TAGS_KIND, name, table)
    return table


def _stored_table(table) -> dict | None:
    """The table a cache entry holds, None for no entry or one of another shape."""
    if not isinstance(table, dict) or not all(
        (first is None or isinstance(first, str)) and isinstance(entries, list)
        and all(isinstance(e, tuple) and len(e) == 3 and isinstance(e[0], str) and isinstance(e[1], str) and isinstance(e[2], int)
                for e in entries)
        for first, entries in table.items()
    ):
        return None
    return table


class _FastBuilder:
    """Plain values from a libyaml node tree, declining whatever the reference reader would remark on."""

    def __init__(self, odd_spaces: bool = True):
        self.count = 0
        self._seen: set = set()
        self.odd_spaces = odd_spaces  # whether the text has any of _ODD_SPACES, which a key may start with
        # libyaml and ruamel.yaml place the marks of an empty plain scalar (``key:`` with nothing after it)
        # differently, and the end of a collection that ends the file without a line break: otherwise,
        # for the text the happy path accepts, their marks are the same.
        self.marks_agree = True

    def build(self, node, depth: int):
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH or id(node) in self._seen:
            raise _Declined  # too big, too deep, or an alias
        self._seen.add(id(node))
        if isinstance(node, _pyyaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, _pyyaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Declined
                self.count += 1
                if id(key_node) in self._seen:
                    raise _Declined
                self._seen.add(id(key_node))
                key = str(key_node.value)
                if key in result or (self.odd_spaces and key[:1] in _ODD_SPACES) or _UNWRITABLE_RE.search(key):
                    raise _Declined  # a duplicate key, one indented with odd spaces, or odd characters: the reference reader reports it
                result[key] = self.build(value_node, depth + 1)
            return result
        if isinstance(node, _pyyaml.SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        if not node.style and not node.value:
            self.marks_agree = False
        value = _scalar_value(node.value, node.tag, node.style or None)
        if value is _TEXT:
            if _UNWRITABLE_RE.search(node.value):
                raise _Declined  # the reference reader removes the characters and warns
            return node.value
        return value


def _syntax_error(text: str, exc: MarkedYAMLError) -> tuple[_Unreadable, int]:
    """The error to report, and the 0-based line that caused it (where recovery cuts)."""
    explained = _explain(text, exc)
    if explained is not None:
        return explained, explained.location.line - 1
    mark = exc.problem_mark or exc.context_mark
    problem = str(exc.problem or "")
    unclosed = exc.context_mark is not None and ("end of stream" in problem or problem.startswith("expected ','"))
    message = _translate(exc)
    if unclosed:  # an unclosed quote or bracket is shown where it opens, not where reading gave up
        mark = exc.context_mark
        message = "引号未闭合" if "quoted" in str(exc.context or "") else "括号未闭合或各项之间缺少逗号"
    location = Location(mark.line + 1, mark.column + 1) if mark else None
    cause = exc.context_mark.line if exc.context_mark is not None and (unclosed or exc.context_mark.line < mark.line) else (
        mark.line if mark else 0
    )
    return _Unreadable(f"YAML 语法错误：{message}", location, code="PD001"), cause


MAX_SYNTAX_ERRORS = 10


def _further_errors(text: str, cause: int) -> list:
    """The syntax errors after the first, found by blanking the line that caused each (and the
    lines indented under it) and reading on, as long as each error is further down the file."""
    lines = _reader_lines(text)
    found: list = []
    for _ in range(MAX_SYNTAX_ERRORS - 1):
        if not 0 <= cause < len(lines):
            break
        indent = len(lines[cause]) - len(lines[cause].lstrip(" "))
        end = cause + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
            end += 1
        lines[cause:end] = [""] * (end - cause)
        try:
            _compose("\n".join(lines))
            break
        except MarkedYAMLError as exc:
            error, next_cause = _syntax_error("\n".join(lines), exc)
            if error.location is None or next_cause <= cause:
                break  # no progress: what follows would be guesswork
            found.append(error)
            cause = next_cause
        except (YAMLError, RecursionError):
            break
    return found


def load_path(path: str | Path) -> Loaded:
    """Read one source file. Never raises for bad input: the problems are in the diagnostics."""
    path = Path(path)
    try:
        raw = _read_file(path)
        text = _text_of_bytes(raw)
    except _Unreadable as exc:
        return Loaded(None, exc.diagnostics(str(path)))
    loaded = load_text(text, str(path))
    if loaded.source is not None:
        loaded.source.digest = hashlib.sha256(raw).hexdigest()  # of exactly what was parsed: a build records it
    return loaded


def _read_file(path: Path) -> bytes:
    """The bytes of a source file, refused when it is too big or unreadable."""
    try:
        return read_input(path, MAX_FILE_BYTES)
    except OSError as exc:  # InputRefused too: a link, a device, a FIFO, too large
        if isinstance(exc, InputRefused) and exc.too_large:
            raise _Unreadable(f"{exc.strerror}，不像是一个部门年度的数据", Location(1, 1), code="PD003") from None
        raise _Unreadable(f"无法读取文件：{exc.strerror or exc}", None, code="PD000") from None


def _text_of_bytes(raw: bytes) -> str:
    """The text of a source file's bytes (as git keeps them); :class:`_Unreadable` when it is not UTF-8
    or indented with tabs."""
    text = _decode(raw)
    if "\t" in text:
        line = text[: text.index("\t")].count("\n") + 1
        col = len(text[: text.index("\t")].rsplit("\n", 1)[-1]) + 1
        raise _Unreadable("YAML 不允许用制表符（Tab）缩进，请改用空格", Location(line, col), code="PD001")
    return text


def load_bytes(raw: bytes, path: str) -> Loaded:
    """:func:`load_path` for bytes read elsewhere (a file in a git revision)."""
    try:
        text = _text_of_bytes(raw)
    except _Unreadable as exc:
        return Loaded(None, exc.diagnostics(path))
    return load_text(text, path)


_TRANSLATIONS = [
    ("found character '\\t' that cannot start any token", "制表符（Tab）不能用于缩进，请改用空格"),
    ("mapping values are not allowed here", "此处不能出现“键: 值”，请检查缩进或在值两侧加引号"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found unexpected end of stream", "文件意外结束（引号或括号未闭合？）"),
    ("found unexpected end of stream while scanning a quoted scalar", "引号未闭合"),
    ("did not find expected key", "缩进不一致，找不到预期的键"),
    ("did not find expected '-' indicator", "列表缩进不一致"),
    ("expected <block end>, but found", "缩进不一致"),
    ("found undefined alias", "引用了未定义的别名"),
    ("expected ',' or ']'", "方括号“[ ]”未闭合或列表项之间缺少逗号"),
    ("expected ',' or '}'", "花括号“{ }”未闭合或各项之间缺少逗号"),
    ("while scanning a quoted scalar", "引号未闭合"),
    ("found character that cannot start any token", "出现了不能作为开头的字符"),
]


# ---------------------------------------------------------------- what was meant (error path only)

# A key written with a full-width colon: the rest of a line, from where a key may start, up to the colon.
_FULLWIDTH_KEY = re.compile(r"([^\s:#'\"\[\]{}：][^:#：]{0,39}?)\s*：")
_KEY_START = re.compile(r"[ ]*(?:-[ ]+)*")  # what may come before a key on its line
# A key and its value joined by a colon with no space: 年初预算:643.45 (not a time or a web address).
_NO_SPACE_KEY = re.compile(r"([^\s:#'\"\[\]{}：,][^\s:#：,]{0,39}?):(?![/:\s])(\S.*?)\s*$")


def _explain(text: str, exc: MarkedYAMLError) -> _Unreadable | None:
    """The likely cause of a syntax error pasted from Word or WPS, at its own position, or None.

    ruamel.yaml reports a full-width colon or a full-width or no-break space used as indentation
    where it stops understanding the text, often on the next line. The line where the offending
    scalar starts (a key without its colon, or one indented too little or too much) and the line
    of the error are looked at for either.
    """
    if "：" not in text and ":" not in text.replace(": ", "") and not any(space in text for space in _ODD_SPACES):
        return None  # none of them: no need to scan the text again
    lines = _reader_lines(text)
    starts = []  # (line, column) where a scalar the error is about starts: a key, as far as the reader knows
    if exc.context_mark is not None and "simple key" in str(exc.context or ""):
        starts.append((exc.context_mark.line, exc.context_mark.column))
    odd_key = None
    if exc.problem_mark is not None:
        scalar, odd_key = _scan(text, exc.problem_mark.index)
        if scalar is not None:
            starts.append(scalar)
    candidates = [line for line, _ in starts]
    if exc.problem_mark is not None:
        candidates.append(exc.problem_mark.line)
    for line in candidates:
        if line < len(lines):
            indent = len(_KEY_START.match(lines[line]).group())
            if lines[line][indent : indent + 1] in _ODD_SPACES:
                return _odd_indentation(lines[line], line, indent)
    for line, column in starts:
        if line < len(lines) and len(_KEY_START.match(lines[line]).group()) == column:
            joined = _NO_SPACE_KEY.match(lines[line], column)
            if joined and not joined.group(1).isdigit():
                colon = joined.end(1)
                return _Unreadable(
                    f"YAML 语法错误：第 {line + 1} 行的键“{joined.group(1)}”后面的冒号“:”缺少空格，"
                    f"请改为“{joined.group(1)}: {joined.group(2)}”",
                    Location(line + 1, colon + 1, line + 1, colon + 2),
                    code="PD001",
                )
            match = _FULLWIDTH_KEY.match(lines[line], column)
            if match:
                colon = match.end() - 1
                return _Unreadable(
                    f"YAML 语法错误：第 {line + 1} 行的键“{match.group(1)}”后面用了全角冒号“：”，"
                    f"YAML 需要半角冒号“:”加空格，请改为“{match.group(1)}: ”",
                    Location(line + 1, colon + 1, line + 1, colon + 2),
                    code="PD001",
                )
    if odd_key is not None:  # an indentation error found further on, caused by a key indented with odd spaces
        return _odd_indentation(lines[odd_key[0]], *odd_key)
    return None


def _reader_lines(text: str) -> list[str]:
    """The lines of ``text`` as ruamel.yaml's marks count them."""
    return _READER_LINE_BREAK.split(text)


_READER_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _scan(text: str, index: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(line, column) of the last plain scalar ruamel.yaml's scanner reads before ``index``, and of
    the first plain key starting with one of _ODD_SPACES."""
    last = odd_key = None
    previous = None
    try:
        for token in YAML(typ="safe", pure=True).scan(text):
            if token.start_mark.index >= index:
                break
            if isinstance(token, ScalarToken) and token.plain:
                last = (token.start_mark.line, token.start_mark.column)
                if odd_key is None and isinstance(previous, KeyToken) and token.value[:1] in _ODD_SPACES:
                    odd_key = last
            previous = token
    except YAMLError:
        pass
    return last, odd_key


def _odd_indentation(line_text: str, line: int, column: int) -> _Unreadable:
    """Line ``line`` (0-based) is indented with a full-width or no-break space at ``column``."""
    end = column
    while end < len(line_text) and line_text[end] in " \u3000\xa0":
        end += 1
    return _Unreadable(
        f"YAML 语法错误：第 {line + 1} 行的缩进用了{_ODD_SPACES[line_text[column]]}，YAML 只认普通空格，请改为普通空格",
        Location(line + 1, column + 1, line + 1, end + 1),
        code="PD001",
    )


def _translate(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or exc.context or "")
    for english, chinese in _TRANSLATIONS:
        if english in problem:
            return chinese
    return problem
