"""Read a source file into plain data plus the position of every key and value.

The YAML is *composed* (parsed into nodes) rather than constructed, so that:
* every scalar keeps its text, and numbers become ``Decimal`` from that text;
* duplicate keys are reported instead of silently overwritten;
* anchors and aliases cannot expand without bound (billion laughs);
* each value's line and column is kept for error messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import Diagnostic, Location, Severity, SourceSyntaxError

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Characters XML 1.0 cannot hold, as pasted from Word (\x0b, \x0c, \x00 …).
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Source:
    """One department-year as read from disk: data, positions and raw text."""

    path: str
    text: str
    data: object
    positions: dict = field(default_factory=dict)  # path tuple → Location of the value
    key_positions: dict = field(default_factory=dict)  # path tuple → Location of the key
    load_diagnostics: list = field(default_factory=list)

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


def _location(node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def decode(raw: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (with or without BOM); anything else is refused with the fix."""
    notes: list[Diagnostic] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceSyntaxError("文件是 UTF-16 编码：请在编辑器中“另存为 UTF-8”后重试", Location(1, 1), code="PD002")
    if raw.count(b"\x00") > len(raw) // 100:
        raise SourceSyntaxError("文件不是文本文件（含有大量空字节），请确认选择的是 YAML 数据文件", Location(1, 1), code="PD002")
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "文件似乎是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后重试"
        except UnicodeDecodeError:
            hint = "文件不是文本文件，或编码无法识别；请保存为 UTF-8 编码的 YAML 文件"
        raise SourceSyntaxError(f"文件不是 UTF-8 编码（第 {line} 行）：{hint}", Location(line, 1), code="PD002")


class _Builder:
    """Turns a composed node tree into plain values, recording positions."""

    def __init__(self, source: Source):
        self.source = source
        self.count = 0

    def build(self, node, path: tuple, depth: int):
        self.count += 1
        if self.count > MAX_NODES:
            raise SourceSyntaxError(
                f"文件包含的条目超过 {MAX_NODES} 个（可能是别名展开炸弹），已拒绝读取",
                _location(node),
                code="PD003",
            )
        if depth > MAX_DEPTH:
            raise SourceSyntaxError(f"嵌套层级超过 {MAX_DEPTH} 层，已拒绝读取", _location(node), code="PD003")
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
                raise SourceSyntaxError("不支持 YAML 合并键“<<”，请直接写出各项", _location(key_node), code="PD003")
            if not isinstance(key_node, ScalarNode):
                raise SourceSyntaxError("键必须是简单文本", _location(key_node), code="PD001")
            key = str(key_node.value)
            if key in result:
                first = self.source.key_positions[path + (key,)]
                self.source.load_diagnostics.append(
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
        text = node.value
        tag = node.tag
        if node.style is not None and node.style in "'\"|>":
            return self._text(text, node, path)
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
            return self._text(text, node, path)
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
        return self._text(text, node, path)

    def _text(self, text: str, node, path):
        if _XML_ILLEGAL_RE.search(text):
            cleaned = _XML_ILLEGAL_RE.sub("", text)
            self.source.load_diagnostics.append(
                Diagnostic(
                    code="PD005",
                    message="文本中含有无法写入文档的控制字符（常见于从 Word 粘贴），已自动删除",
                    severity=Severity.WARNING,
                    path=path,
                ).located(self.source.path, _location(node))
            )
            return cleaned
        return text


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


def load_text(text: str, path: str = "<text>") -> Source:
    """Parse YAML text into a :class:`Source`. Raises :class:`SourceSyntaxError`."""
    text, notes = _strip_control_characters(text, path)
    source = Source(path=path, text=text, data=None, load_diagnostics=notes)
    if not text.strip():
        raise SourceSyntaxError("文件内容为空", Location(1, 1), code="PD001")
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(mark.line + 1, mark.column + 1) if mark else None
        raise SourceSyntaxError(f"YAML 语法错误：{_translate(exc)}", location, code="PD001") from None
    except YAMLError as exc:
        raise SourceSyntaxError(f"YAML 语法错误：{exc}", None, code="PD001") from None
    except RecursionError:
        raise SourceSyntaxError("嵌套层级过深，已拒绝读取", Location(1, 1), code="PD003") from None
    if node is None:
        raise SourceSyntaxError("文件内容为空", Location(1, 1), code="PD001")
    try:
        source.data = _Builder(source).build(node, (), 0)
    except RecursionError:
        raise SourceSyntaxError("嵌套层级过深，已拒绝读取", Location(1, 1), code="PD003") from None
    return source


def load_path(path: str | Path) -> Source:
    """Read and parse one source file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceSyntaxError(
                f"文件过大（{size // 1024} KB，上限 {MAX_FILE_BYTES // 1024} KB），不像是一个部门年度的数据",
                Location(1, 1),
                code="PD003",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceSyntaxError(f"无法读取文件：{exc.strerror or exc}", None, code="PD000") from None
    text, notes = decode(raw, str(path))
    if "\t" in text:
        line = text[: text.index("\t")].count("\n") + 1
        col = len(text[: text.index("\t")].rsplit("\n", 1)[-1]) + 1
        raise SourceSyntaxError("YAML 不允许用制表符（Tab）缩进，请改用空格", Location(line, col), code="PD001")
    source = load_text(text, str(path))
    source.load_diagnostics[:0] = notes
    return source


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


def _translate(exc: MarkedYAMLError) -> str:
    problem = str(exc.problem or exc.context or "")
    for english, chinese in _TRANSLATIONS:
        if english in problem:
            return chinese
    return problem
