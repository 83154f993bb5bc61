"""``perfdoc import FILE.docx --format F``: last year's Word document into a commented source.

What is where in a format's documents is data, in ``templates/<format>/导入.yaml``:

* ``标签``: a label and the source path of its value, found either in a table cell
  (the value is the next cell of the row) or at the start of a paragraph
  (``报告日期：2024年03月26日``);
* ``表格``: tables recognised by their header labels: each data cell is read
  under the header label that covers its column on the table's grid, wherever
  that column is; merged cells carry their value down;
* ``章节``: headings, whatever their numbering (一、 （一） 1． (1) …), and the
  narrative section the paragraphs under them belong to (or none: the text there
  is made from figures read elsewhere);
* ``列表``: headings whose paragraphs are the items of a list (职能职责, the projects evaluated);
* ``句式``: sentences that state figures found nowhere else, with ``{路径}`` slots (and
  sentences made from figures read elsewhere, which are then no narrative);
* ``表单``: a form printed once per item of a list (one 项目支出绩效自评表 per project): where
  its 开始 label is, a new item starts, and the form's own labels and tables fill that item;
* ``未写时``: values the documents do not print, taken from another value read;
* ``沿用: true``: the file adds to the one of the format this format is based on.

docs/templates.md describes the file.

Several files of one department-year (the 自评报告, 基础数据表 and 指标表) import
together: each is recognised as one of the format's documents by its template's
fixed text, and their values merged; a value two of them state differently is
listed with both places, the first kept as written.

Figures are written as the document states them (stated totals and rates
included), so that ``perfdoc validate`` catches the document's own mistakes.
Nothing is dropped silently: the source is rendered again and every line of
the document that the rendering does not reproduce is listed with its place
(第 N 段, 第 N 个表格第 R 行) and kept in the source as a comment.
"""

from __future__ import annotations

import functools
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import FormatError, UserError
from ..load.schema import PROJECT_OPERATORS, SOURCE_SCHEMA, field_at
from ..render.extract import Block, GridCell, document_blocks
from .officefile import read_package

MAPPING_FILE = "导入.yaml"


# ------------------------------------------------------------------ text


_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百\d]+(?:部分|章|节|条)|[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[)）]|"
    r"\d+(?:[.．]\d+)*[、.．)）]?|[①②③④⑤⑥⑦⑧⑨⑩])\s*"
)


def normal(text: str) -> str:
    """A label as compared: full-width forms folded (NFKC), no spaces, no unit in brackets, no trailing colon or full stop."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = re.sub(r"\s+", "", folded)
    folded = re.sub(r"\((?:万元|元|%|人|个)\)", "", folded)  # a unit added to a header: 收入合计（万元）
    return folded.rstrip(":：。.")


def heading_key(text: str) -> str:
    """A heading without its numbering, whatever the style: ``（二）专项支出`` → ``专项支出``."""
    stripped = text.strip()
    for _ in range(2):  # "1．（1）…" has two numberings
        stripped = _NUMBERING.sub("", stripped, count=1)
    return normal(stripped)


_NOTHING = re.compile(r"^(?:【待填写[：:].*】|[/／—]|-)$", re.S)


def value_text(text: str) -> str:
    """A cell's text as a value: joined lines, surrounding spaces gone; a 【待填写】 marker or a
    ``/`` (not applicable) is no value."""
    text = (text or "").strip()
    return "" if _NOTHING.match(text) else text


# ------------------------------------------------------------------ mapping


@dataclass(frozen=True)
class CellPattern:
    """A cell read by patterns tried in order (``≥1200人次`` → 指标性质, 指标值, 度量单位): the first
    that matches the whole text and agrees with what the item already holds."""

    alternatives: tuple  # (regex, slots: group → path, types: group → slot type)


@dataclass(frozen=True)
class TableSpec:
    list_path: tuple  # ("机构收支",); () for a table whose cells fill one place (the form's item, or the source)
    columns: dict  # normal(label) → tuple of targets: an item path, a CellPattern, or None (a column not read)
    total_label: str | None = None  # a row with a cell that says this is the total row …
    total_path: tuple = ()  # … read into this map (收支合计) …
    total_columns: dict = field(default_factory=dict)  # … or its cells read as these targets: normal(label) → targets
    rows: dict = field(default_factory=dict)  # row key (see row_key) → the path a ``{行}`` step of a target stands for
    other_rows: tuple = ()  # a row not named in ``rows`` stands for this path + its own label (each 专项 by its name)
    key_label: str | None = None  # the column whose cell starts a new item
    numbered: frozenset = frozenset()  # columns whose "指标1：" or "任务1：" numbering is removed
    split_lines: bool = False  # one row holds the whole list: line N of each cell is item N
    choices: dict = field(default_factory=dict)  # item path → {normal(displayed label): value}


@dataclass(frozen=True)
class Sentence:
    pattern: re.Pattern
    slots: dict  # group name → path (with "[]" for the current item)
    items: re.Pattern | None = None  # each item after the sentence's start, …
    item_slots: dict = field(default_factory=dict)
    separator: str = "；"  # … the items parted by this (a regular expression)
    sets: dict = field(default_factory=dict)  # values every item listed gets (参与评价: true)
    ending: str = ""  # what closes the sentence after its last item
    following: "Sentence | None" = None  # the paragraphs after the sentence are items of this form


@dataclass(frozen=True)
class FormSpec:
    """A form printed once per item of ``list_path``; its labels and tables are item paths."""

    list_path: tuple  # ("项目自评",)
    start: str  # normal(label) of the cell where each item's form starts
    labels: dict  # normal(label) → target
    tables: list  # TableSpec


@dataclass(frozen=True)
class Mapping:
    labels: dict  # normal(label) → path
    tables: list
    headings: dict  # heading_key → narrative section or None
    sentences: list
    lists: dict  # heading_key → Sentence: the paragraphs under the heading are the items of a list
    form: FormSpec | None = None
    defaults: dict = field(default_factory=dict)  # path → the path (with item numbers) whose value it takes when unread
    rule_rates: dict = field(default_factory=dict)  # indicator name → where the rate its scoring rule scores is (RULE_RATE)
    rule_texts: dict = field(default_factory=dict)  # indicator name → the text of its scoring rule (RULE_TEXT)


def parse_path(text: str) -> tuple:
    """``机构收支[].收入.收入合计`` → ``('机构收支', '[]', '收入', '收入合计')``; ``-调整数`` → ``('-', '调整数')``."""
    text = str(text).strip()
    out: list = []
    if text.startswith("-"):
        out.append("-")
        text = text[1:]
    for part in str(text).split("."):
        if part.endswith("[]"):
            out += [part[:-2], "[]"]
        elif part.endswith("[、]"):  # a list written in one run of text: 办公室、组织部
            out += [part[:-3], "[、]"]
        else:
            out.append(part)
    return tuple(out)


def schema_path(path: tuple) -> tuple:
    """A mapping path as the schema walks it: ``[]`` stands for any item, ``-`` is dropped."""
    return tuple(0 if step in ("[]", "[、]") else step for step in path if step != "-")


def numbered_path(text: str) -> tuple:
    """``项目自评[1].主管部门`` → ``('项目自评', 0, '主管部门')``: a place with its item numbers (from 1)."""
    out: list = []
    for part in str(text).strip().split("."):
        match = re.fullmatch(r"(.+)\[(\d+)\]", part)
        out += [match[1], int(match[2]) - 1] if match else [part]
    return tuple(out)


def _target(spec):
    """A column's or label's target as written: a path, a pattern with slots, ``模式`` (patterns
    tried in order) or ``~`` (not read)."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        return CellPattern(tuple(_compile(str(pattern)) for pattern in spec["模式"]))
    text = str(spec)
    if "{" in text.replace("{行}", ""):
        return CellPattern((_compile(text),))
    return parse_path(text)


def _targets(spec) -> tuple:
    return tuple(_target(item) for item in (spec if isinstance(spec, list) else [spec]))


# A slot of a table cell's pattern that reads the rate the format's scoring rule for the row scores
# (评分.指标计分, by the row's 三级 or 名称): written at that rate's place (基础数据.三公经费变动率 …).
RULE_RATE = ("计分比率",)
# A slot that matches the text the format prints for the row's rule (its 评分标准): read as nothing,
# so that the source keeps taking it from the format.
RULE_TEXT = ("计分规则",)


def target_paths(target) -> list:
    """The paths a target may fill."""
    if target is None:
        return []
    if isinstance(target, CellPattern):
        return [path for _regex, slots, _types in target.alternatives for path in slots.values() if path not in (RULE_RATE, RULE_TEXT)]
    return [target]


def rule_rate_places(fmt) -> dict:
    """Indicator name → the place of the rate its scoring rule scores; rates scored per project have none."""
    from ..load.format_schema import SCORABLE_RATES

    places = {name: SCORABLE_RATES.get(rule.rate) for name, rule in (fmt.indicator_rules or {}).items()}
    return {name: place for name, place in places.items() if place and None not in place}


def rule_texts(fmt) -> dict:
    """Indicator name → the text the format prints for its scoring rule (as the documents show it)."""
    return {name: rule.describe() for name, rule in (fmt.indicator_rules or {}).items()}


def load_mapping(fmt) -> Mapping:
    """The format's ``导入.yaml``, checked; a missing or broken one is a format error."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    # looked up as templates are: the format's own folder, then each format it is based on
    folders = [config.parent for config in fmt.chain] or [fmt.folder]
    found = [folder / MAPPING_FILE for folder in folders if (folder / MAPPING_FILE).is_file()]
    if not found:
        raise FormatError(f"格式 {fmt.name}（及其所基于的格式）没有 {MAPPING_FILE}，不知道它的 Word 文档中什么在哪里，无法导入")
    layers = []
    for path in found:  # the nearest first; one written ``沿用: true`` adds to the next one's
        try:
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        except (YAMLError, OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: 无法读取：{exc}") from None
        if not isinstance(data, dict):
            raise FormatError(f"{path}: 写法有误：应是“键: 值”的映射")
        layers.append(data)
        if data.get("沿用") is not True:
            break
    path = "、".join(map(str, found[: len(layers)]))  # named in what is wrong with the mapping
    data = _layered(layers)
    try:
        labels = {normal(label): parse_path(target) for label, target in (data.get("标签") or {}).items()}
        tables = [_table_spec(item, fmt) for item in data.get("表格") or []]
        headings = {heading_key(title): section for title, section in (data.get("章节") or {}).items()}
        sentences = [_sentence(item) for item in data.get("句式") or []]
        lists = {heading_key(title): _list_item(spec) for title, spec in (data.get("列表") or {}).items()}
        form = _form_spec(data["表单"], fmt) if data.get("表单") else None
        defaults = {parse_path(target): numbered_path(source) for target, source in (data.get("未写时") or {}).items()}
    except (AttributeError, KeyError, TypeError, ValueError, re.error) as exc:
        raise FormatError(f"{path}: 写法有误：{type(exc).__name__}: {exc}") from None
    every = sentences + list(lists.values()) + [sentence.following for sentence in sentences if sentence.following]
    slots = [path for sentence in every for path in (*sentence.slots.values(), *sentence.item_slots.values())]
    places = list(labels.values()) + [t.list_path for t in tables if t.list_path] + slots
    places += [target for target in defaults] + [tuple("[]" if isinstance(step, int) else step for step in source) for source in defaults.values()]
    if form is not None:
        inside = form.list_path + ("[]",)
        places.append(form.list_path)
        for target in [*form.labels.values(), *(t for spec in form.tables for t in _table_targets(spec))]:
            places += [inside + path for path in target_paths(target)]
    for spec in tables:  # a total row of a list's table fills the source (收支合计, 评分.综合得分)
        base = spec.list_path + ("[]",) if spec.list_path else ()
        places += [base + path for target in _table_targets(spec, [spec.columns]) for path in target_paths(target)]
        places += [path for target in _table_targets(spec, [spec.total_columns]) for path in target_paths(target)]
    for target in places:
        if field_at(schema_path(target)) is None:
            raise FormatError(f"{path}: “{'.'.join(map(str, target))}”不是数据文件中的位置")
    for section in headings.values():
        if section is not None and section not in SOURCE_SCHEMA.fields["叙述"].fields:
            raise FormatError(f"{path}: “{section}”不是叙述部分的章节")
    return Mapping(labels, tables, headings, sentences, lists, form, defaults, rule_rate_places(fmt), rule_texts(fmt))


def _layered(layers: list) -> dict:
    """One mapping from a format's own ``导入.yaml`` (first) and those it adds to (``沿用: true``):
    labels, headings, lists and defaults of the nearer win; tables and sentences add up; a form is replaced."""
    out: dict = {}
    for data in reversed(layers):
        for key, value in data.items():
            if key in ("标签", "章节", "列表", "未写时") and isinstance(value, dict):
                out[key] = {**(out.get(key) or {}), **value}
            elif key in ("表格", "句式") and isinstance(value, list):
                out[key] = [*(out.get(key) or []), *value]
            else:
                out[key] = value
    return out


def _table_targets(spec: TableSpec, columns: list | None = None) -> list:
    """Every target of a table (or of ``columns``: its columns, or its total row's), ``{行}`` standing for each of its row names."""
    out = []
    names = [*spec.rows.values(), *([spec.other_rows + ("名称",)] if spec.other_rows else [])]
    columns = [spec.columns, spec.total_columns] if columns is None else columns
    for target in [t for part in columns for targets in part.values() for t in targets]:
        if isinstance(target, tuple) and "{行}" in target:
            out += [row_target(target, name) for name in names]
        else:
            out.append(target)
    return out


def row_target(target: tuple, name: tuple) -> tuple:
    """``资金.{行}.年初预算数`` for the row named ``当年财政拨款``: the row's path in place of ``{行}``."""
    index = target.index("{行}")
    return target[:index] + name + target[index + 1 :]


def row_key(text: str) -> str:
    """A row label as compared: without ``其中：`` and without its numbering (``其中：（1）公务接待费`` → ``公务接待费``)."""
    return heading_key(_label_key(text))


def _form_spec(item: dict, fmt) -> FormSpec:
    return FormSpec(
        list_path=parse_path(item["列表"]),
        start=normal(item["开始"]),
        labels={normal(label): _target(target) for label, target in (item.get("标签") or {}).items()},
        tables=[_table_spec(table, fmt) for table in item.get("表格") or []],
    )


def _table_spec(item: dict, fmt) -> TableSpec:
    columns = {normal(label): _targets(target) for label, target in item["表头"].items()}
    total = item.get("合计")
    choices = {}
    for level, shown in (fmt.labels or {}).items():  # 指标名称: the displayed label of each 一级/二级 value
        choices[(level,)] = {normal(text): value for value, text in shown.items()}
    return TableSpec(
        list_path=parse_path(item["列表"]) if item.get("列表") else (),
        columns=columns,
        total_label=normal(item["合计行"]) if item.get("合计行") else None,
        total_path=parse_path(total) if total and not isinstance(total, dict) else (),
        total_columns={normal(label): _targets(target) for label, target in total.items()} if isinstance(total, dict) else {},
        rows={row_key(str(label)): parse_path(name) for label, name in (item.get("行") or {}).items()},
        other_rows=parse_path(item["其他行"]) if item.get("其他行") else (),
        key_label=normal(item["键列"]) if item.get("键列") else None,
        numbered=frozenset(normal(label) for label in item.get("去编号") or ()),
        split_lines=bool(item.get("逐行")),
        choices=choices,
    )


# What a slot written ``{路径:类型}`` holds, whatever the schema says of the path.
SLOT_TYPES = {
    "比较": r"\s*(?:" + "|".join(map(re.escape, sorted({*PROJECT_OPERATORS, ">", "<"}, key=len, reverse=True))) + r")\s*",
    "数字": r"\s*-?\d[\d,，]*(?:[.．]\d+)?\s*",
    "代码": r"[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?",
    # a unit: %, or a short word, not one that makes a deadline or a bound (12月底前, 95%以上)
    "单位": r"\s*(?:[%％‰]|(?!/)(?:(?![前后内底以上下])[^\W\d_]|/){1,4})\s*",
}


def _compile(pattern: str) -> tuple[re.Pattern, dict, dict]:
    """``共计{项目合计.年初预算}万元[[，其中…]]`` → a regex with a group per slot (``[[…]]`` may be absent),
    the slots' paths and the types of the slots written ``{路径:类型}``."""
    slots: dict = {}
    types: dict = {}
    regex = ""
    for token in re.split(r"(\[\[|\]\]|\{[^{}]+\})", pattern):
        if token == "[[":
            regex += "(?:"
        elif token == "]]":
            regex += ")?"
        elif token == "{编号}":
            regex += ITEM_NUMBER
        elif token == "{*}":  # text the source does not hold (a count perfdoc computes)
            regex += ".*?"
        elif token.startswith("{") and token.endswith("}"):
            name = f"s{len(slots)}"
            written, _, kind = token[1:-1].partition(":")
            slots[name] = parse_path(written)
            if kind:
                types[name] = kind
            regex += f"(?P<{name}>{SLOT_TYPES[kind] if kind else _slot_pattern(slots[name])})"
        else:
            regex += "".join(_either_width(char) for char in token)
    return re.compile(regex), slots, types


def _either_width(char: str) -> str:
    """A character of a pattern's text, matching its full-width or half-width form too (：and :, （ and ()."""
    forms = {char, unicodedata.normalize("NFKC", char)}
    if "!" <= char <= "~":
        forms.add(chr(ord(char) + 0xFEE0))
    return re.escape(char) if len(forms) == 1 else "(?:" + "|".join(map(re.escape, sorted(forms))) + ")"


ITEM_NUMBER = r"(?:[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]|\d+[、.．]|[（(]\d+[)）])"


def _slot_pattern(path: tuple) -> str:
    """What a slot may hold: a number for figures, so that text and figure side by side part right."""
    if path == RULE_RATE:
        return r"\s*-?\d[\d,，.．]*\s*[%％]\s*"
    spec = field_at(schema_path(path))
    kind = spec.kind if spec is not None else "text"
    if kind in ("amount", "score"):  # a blank is allowed: documents print an unknown figure as nothing
        return r"(?:-?[\d,，]*\.?\d+)?"
    if kind == "percent":
        return r"(?:-?[\d.]+%)?"
    if kind in ("int", "year"):
        return r"\d*"
    return ".*?"


def _list_item(spec: dict) -> Sentence:
    items, item_slots, _types = _compile(spec["每项"])
    return Sentence(re.compile(""), {}, items, item_slots, sets=dict(spec.get("设定") or {}))


def _sentence(item) -> Sentence:
    if isinstance(item, str):
        item = {"模式": item}
    pattern, slots, _types = _compile(item["模式"])
    items, item_slots, _types = _compile(item["分项"]) if item.get("分项") else (None, {}, {})
    following = _list_item(item["之后每段"]) if item.get("之后每段") else None
    return Sentence(
        re.compile(pattern.pattern + "$" if not items else pattern.pattern),
        slots, items, item_slots, item.get("分隔", "；"), dict(item.get("设定") or {}), item.get("结尾", ""), following,
    )  # fmt: skip


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Unmapped:
    place: str
    text: str
    kind: str = "未能对应"  # or 前后不一: a figure the document states twice, differently

    def describe(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return f"{self.place}：{self.kind}：{shown}"


@dataclass
class Imported:
    text: str  # the source
    mapped: int  # values read
    unmapped: list  # Unmapped, in document order


class _Collector:
    """The values read, by path; lists grow as items are found."""

    def __init__(self, rule_rates: dict | None = None, rule_texts: dict | None = None):
        self.rule_rates = rule_rates or {}  # see Mapping.rule_rates
        self.rule_texts = rule_texts or {}  # see Mapping.rule_texts
        self.data: dict = {}
        self.count = 0
        self.consumed: set[str] = set()  # the texts read as values, as compared (see _comparable)
        self.place = ""  # where the block being read is
        self.first_place: dict = {}  # path → where its value was first read
        self.places: dict = {}  # (id of a map or list, key or index) → where the value there was read
        self.conflicts: list = []  # Unmapped: a figure stated twice, differently

    def put(self, path: tuple, raw: str, current: dict | None = None) -> bool:
        if path[-1:] == ("[、]",):
            items = [item for item in re.split(r"[、，,]", raw or "") if item.strip()]
            return any([self.put(path[:-1] + ("[]",), item) for item in items])
        negate = path[:1] == ("-",)  # a slot written {-路径}: the sentence says 调减 where the figure is negative
        path = path[1:] if negate else path
        value = typed_value(path, raw)
        self.consumed.add(_comparable(raw))
        if negate and isinstance(value, _Number):
            value = _Number(value[1:] if value.startswith("-") else f"-{value}")
        if value is None:
            return False
        node = self.data
        for index, step in enumerate(path):
            last = index == len(path) - 1
            if step == "[]" and last:
                self.places[(id(node), len(node))] = self.place
                node.append(value)
                break
            if step == "[]":
                items = node
                if current is not None and id(items) in current:
                    node = current[id(items)]
                else:
                    node = {}
                    items.append(node)
                    if current is not None:
                        current[id(items)] = node
                continue
            following = path[index + 1] if not last else None
            if last:
                if isinstance(node, dict):
                    if step in node and node[step] != value and "[]" not in path:
                        self.conflicts.append(
                            Unmapped(self.place, f"{'.'.join(map(str, path))} 在此写作 {value}，{self.first_place.get(path, '前文')}写作 {node[step]}（保留前者）", "前后不一")
                        )
                        return True
                    node[step] = value
                    self.places[(id(node), step)] = self.place
                    self.first_place.setdefault(path, self.place)
                break
            default = [] if following == "[]" else {}
            node = node.setdefault(step, default)
        self.count += 1
        return True

    def list_at(self, path: tuple) -> list:
        node = self.data
        for step in path[:-1]:
            node = node.setdefault(step, {})
        return node.setdefault(path[-1], [])

    def put_in(self, item: dict, target: tuple, raw: str, prefix: tuple, row: dict | None = None) -> bool:
        """``item``'s value at ``target`` (``prefix``: the item's place in the source, as the schema
        reads it); a ``[]`` in it is a sub-list, whose item is new for each table row (``row`` keeps
        the sub-items this row started)."""
        value = typed_value(prefix + target, raw)
        if value is None:
            return False
        self.consumed.add(_comparable(raw))
        row = {} if row is None else row
        node = self.node_in(item, target, row, create=True)
        node[target[-1]] = value
        self.places[(id(node), target[-1])] = self.place
        self.count += 1
        return True

    @staticmethod
    def node_in(item: dict, target: tuple, row: dict, create: bool) -> dict | None:
        """The mapping in ``item`` that holds ``target``'s last step (None when not there and not ``create``)."""
        node = item
        for index, step in enumerate(target[:-1]):
            following = target[index + 1]
            if step == "[]":
                continue
            if following == "[]":
                sub = node.setdefault(step, []) if create else node.get(step)
                if sub is None:
                    return None
                if id(sub) not in row:
                    if not create:
                        return None
                    sub.append({})
                    row[id(sub)] = sub[-1]
                node = row[id(sub)]
            else:
                if step not in node and not create:
                    return None
                node = node.setdefault(step, {})
        return node

    def put_target(self, item: dict, target, raw: str, prefix: tuple, row: dict | None = None) -> bool:
        """``raw`` into ``item`` as ``target`` says: a path, or patterns (the first that matches the
        whole text and agrees with what the item holds); a ``~`` target reads nothing."""
        if target is None:
            return False
        if not isinstance(target, CellPattern):
            return self.put_in(item, target, raw, prefix, row)
        text = value_text(raw)
        if not text:
            return False
        row = {} if row is None else row
        for regex, slots, types in target.alternatives:
            match = regex.fullmatch(text)
            if match is None:
                continue
            captured = {}
            rate = None
            indicator = str(item.get("三级") or item.get("名称") or "")
            if RULE_RATE in slots.values():  # only in a row the format scores by a rule
                name = next(name for name, path in slots.items() if path == RULE_RATE)
                rate = self.rule_rates.get(indicator)
                if rate is None or not (match.group(name) or "").strip():
                    continue
                rate = (rate, match.group(name))
            rule_text = RULE_TEXT in slots.values()
            if rule_text:  # only the very text the format prints for the row's rule
                name = next(name for name, path in slots.items() if path == RULE_TEXT)
                if indicator not in self.rule_texts or normal(match.group(name)) != normal(self.rule_texts[indicator]):
                    continue
            for name, path in slots.items():
                if path in (RULE_RATE, RULE_TEXT):
                    continue
                piece = match.group(name)
                value = typed_value(prefix + path, slot_value(types.get(name), piece)) if piece is not None else None
                if value is not None:
                    captured[path] = value
            if any(self.held(item, path, row) not in (None, value) for path, value in captured.items()):
                continue  # it reads otherwise than the item's other cells (1080人 under 度量单位 人次)
            for path, value in captured.items():
                node = self.node_in(item, path, row, create=True)
                node[path[-1]] = value
                self.places[(id(node), path[-1])] = self.place
                self.count += 1
            if rate is not None:
                self.put(*rate)
            self.consumed.add(_comparable(raw))
            return bool(captured) or rate is not None or rule_text
        return False

    def held(self, item: dict, path: tuple, row: dict):
        node = self.node_in(item, path, row, create=False)
        return node.get(path[-1]) if node is not None else None


def slot_value(kind: str | None, piece: str):
    """A slot's text as its type reads it: a ``数字`` is a figure (written as a number, not a text)."""
    piece = piece.strip()
    if kind == "数字" and piece:
        return _Number(unicodedata.normalize("NFKC", piece).replace(",", ""))
    return piece


def typed_value(path: tuple, raw: str):
    """The document's text as the source writes it, by the schema's kind for ``path``; None when empty."""
    text = raw if isinstance(raw, _Number) else value_text(raw)
    if not text:
        return None
    spec = field_at(schema_path(path))
    kind = spec.kind if spec is not None else "text"
    if isinstance(raw, _Number) and kind == "text":
        return raw  # a figure in a text field (指标值: 1200), written as a number
    folded = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if kind == "amount":
        number = folded.removesuffix("万元").removesuffix("元")
        try:
            Decimal(number)
        except InvalidOperation:
            return text  # as written: validate says what is wrong with it
        return _Number(number)
    if kind == "percent":
        return folded if folded.endswith("%") else f"{folded}%"
    if kind in ("int", "year"):
        digits = re.sub(r"[人名个年度]+$", "", folded)
        return int(digits) if digits.lstrip("-").isdigit() else text
    if kind == "score":
        number = folded.removesuffix("分")
        try:
            Decimal(number)
            return _Number(number)
        except InvalidOperation:
            return text
    if kind == "date":
        match = re.fullmatch(r"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?", folded)
        return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else text
    if kind == "bool":
        return folded in ("是", "已完成", "√", "true")
    if path and path[-1] == "姓名":
        return re.sub(r"\s+", "", text)  # 汪  郁: names of two characters are padded in the table
    return text


class _Number(str):
    """A figure's text exactly as the document writes it, written into YAML as a plain number."""


def read_blocks(path: Path) -> list[Block]:
    """The document's blocks; a .doc is converted by LibreOffice first."""
    if path.suffix.lower() == ".doc":
        return document_blocks(_converted(path))
    return document_blocks(read_package(path, "docx"))


def _converted(path: Path) -> bytes:
    """A .doc as .docx bytes, converted by the LibreOffice that makes PDFs, then checked like any .docx."""
    from ..build.pdf import converted_copy

    try:
        data = converted_copy(path, "docx")
    except OSError as exc:
        raise UserError(f"无法读取 {path}：{exc.strerror or exc}") from None
    if data is None:
        raise UserError(f"LibreOffice 无法把 {path} 转换为 .docx（文件损坏或设有打开密码？）")
    with tempfile.TemporaryDirectory(prefix="perfdoc-doc-") as folder:
        converted = Path(folder) / f"{path.stem}.docx"
        converted.write_bytes(data)
        return read_package(converted, "docx")


# ------------------------------------------------------------------ recognising


class _Reader:
    def __init__(self, mapping: Mapping, blocks: list[Block]):
        self.mapping = mapping
        self.blocks = blocks
        self.values = _Collector(mapping.rule_rates, mapping.rule_texts)
        self.narratives: dict[str, list[str]] = {}
        self.cell_narratives: dict[str, list[str]] = {}  # the same sections as a form's cells: used when the text has none
        self.used: set[int] = set()  # blocks read (by index)
        self.matched: Sentence | None = None  # the sentence the last paragraph matched
        self.form_items: dict[int, dict] = {}  # block index → the item of the form it is in (表单)

    def read(self) -> None:
        self.forms()
        self.tables()
        self.labelled_cells()
        self.paragraphs()
        for section, lines in self.cell_narratives.items():
            if not any(line.strip() for line in self.narratives.get(section, [])):
                self.narratives[section] = lines

    # -- forms printed once per item: where each starts

    def forms(self) -> None:
        form = self.mapping.form
        if form is None:
            return
        item = None
        for index, block in enumerate(self.blocks):
            if any(normal(cell.text) == form.start for cell in block.cells if not cell.continued):
                item = {}
                self.values.list_at(form.list_path).append(item)
            if item is not None:
                self.form_items[index] = item

    def place_of(self, index: int) -> tuple:
        """Where block ``index``'s values go: (the form's item, its place in the source, its labels and
        tables), or (the source, (), the document's labels and tables)."""
        form = self.mapping.form
        if index in self.form_items:
            return self.form_items[index], form.list_path + ("[]",), form.labels, form.tables
        return self.values.data, (), self.mapping.labels, self.mapping.tables

    # -- tables by their header labels

    def tables(self) -> None:
        index = 0
        while index < len(self.blocks):
            block = self.blocks[index]
            spec, header_end = self.header_at(index) if block.cells else (None, index)
            if spec is None:
                index += 1
                continue
            index = self.table_rows(spec, index, header_end)

    def header_at(self, index: int):
        """The table spec whose header starts at ``index``, and where its header rows end."""
        first = {normal(cell.text) for cell in self.blocks[index].cells if cell.text.strip()}
        candidates = [spec for spec in self.place_of(index)[3] if not spec.key_label or spec.key_label in first]
        # the table whose header shares the most labels with the row (both the 项目资金 and the 绩效指标 have 得分)
        for spec in sorted(candidates, key=lambda spec: -len(first & set(spec.columns))):
            if len(first & set(spec.columns)) < min(2, len(spec.columns)):
                continue
            end = index + 1
            while end < len(self.blocks) and self.blocks[end].cells and self.blocks[end].table == self.blocks[index].table:
                labels = {normal(cell.text) for cell in self.blocks[end].cells if cell.text.strip() and not cell.continued}
                if labels and labels <= set(spec.columns) | {"其中"}:
                    end += 1
                    continue
                break
            return spec, end
        return None, index

    def table_rows(self, spec: TableSpec, start: int, header_end: int) -> int:
        table = self.blocks[start].table
        header_cells = [cell for block in self.blocks[start:header_end] for cell in block.cells if normal(cell.text) in spec.columns]
        self.used.update(range(start, header_end))
        place, prefix = self.place_of(start)[:2]  # a table without 列表 fills one place: the form's item, or the source

        def label_for(cell: GridCell) -> str | None:
            covering = [h for h in header_cells if h.column <= cell.column < h.column + h.span]
            return normal(covering[-1].text) if covering else None

        index = header_end
        item: dict = {}
        carried: dict[int, str] = {}  # grid column → text of a vertically merged cell
        while index < len(self.blocks):
            block = self.blocks[index]
            if not block.cells or block.table != table or self.header_at(index)[0] is not None:
                break
            self.values.place = block.place
            own = [cell for cell in block.cells if not cell.continued]
            if len(own) == 1 and len(spec.columns) > 1 and own[0].span > 1 and not any(cell.continued for cell in block.cells):
                break  # a row across the table: a title or a signature box, not data
            if self.is_label_row(index):
                break
            cells = []
            for cell in block.cells:
                text = carried.get(cell.column, "") if cell.continued else cell.text
                if not cell.continued:
                    carried[cell.column] = cell.text
                cells.append((label_for(cell), cell, text))
            if not any(label for label, _c, _t in cells):
                break
            self.used.add(index)
            index += 1
            if not any(text.strip() for label, cell, text in cells if label and not cell.continued):
                continue  # a blank row
            if spec.total_label and any(normal(text) == spec.total_label for _l, cell, text in cells if not cell.continued):
                if spec.total_columns:
                    self.read_cells(cells, spec, prefix, place, columns=spec.total_columns)
                else:
                    self.read_cells(cells, spec, spec.total_path, None, total=True)
                continue
            if not spec.list_path:
                self.read_cells(cells, spec, prefix, place)
                continue
            key_cell = next(((cell, text) for label, cell, text in cells if spec.key_label and label == spec.key_label), None)
            new_item = key_cell is None or not key_cell[0].continued
            for row_cells in numbered_lines_apart(cells, spec):
                if new_item:
                    item = self.item_named(spec, key_cell[1] if key_cell else None)
                self.read_cells(row_cells, spec, spec.list_path + ("[]",), item, new_item=new_item)
        return index

    def item_named(self, spec: TableSpec, name: str | None) -> dict:
        """The list item a row belongs to: the one already read under the same name (the same
        institution in the income, spending and assets tables), else a new one."""
        items = self.values.list_at(spec.list_path)
        key_path = spec.columns.get(spec.key_label, ((),))[0] if spec.key_label else ()
        if name and key_path:
            wanted = typed_value(spec.list_path + ("[]",) + key_path, name)
            for existing in items:
                if existing.get(key_path[-1]) == wanted:
                    return existing
        items.append({})
        return items[-1]

    def is_label_row(self, index: int) -> bool:
        labels = self.place_of(index)[2]
        return any(_label_key(cell.text) in labels for cell in self.blocks[index].cells if not cell.continued)

    def read_cells(self, cells, spec: TableSpec, prefix: tuple, item: dict | None, total: bool = False, new_item: bool = True,
                   columns: dict | None = None) -> None:
        """One row's cells into ``item`` (``prefix``: its place in the source; for a total row read
        into a map, that map's). A merged cell carries its value down into each new item (the 一级 of
        every indicator under it); in a row that continues an item it was read already. A table with
        named rows reads a row only under its name (``{行}`` in a target)."""
        columns = columns or spec.columns
        row_name = None
        if spec.rows:
            label = next((text for _l, _c, text in cells if row_key(text) in spec.rows), None)
            if label is not None:
                row_name = spec.rows[row_key(label)]
                self.values.consumed.add(_comparable(label))  # read as the row's name, however numbered
        if row_name is None and spec.other_rows and cells and value_text(cells[0][2]).strip():
            row_name = spec.other_rows + (value_text(cells[0][2]).strip(),)
        seen: dict[str, int] = {}
        row_items: dict = {}
        for label, cell, text in cells:
            if label is None or label not in columns:
                continue
            position = seen.get(label, 0)
            seen[label] = position + 1
            targets = columns[label]
            if position >= len(targets) or targets[position] is None:
                continue
            target = targets[position]
            if isinstance(target, tuple) and "{行}" in target:
                if row_name is None:
                    continue
                target = row_target(target, row_name)
            if cell.continued and not new_item:
                continue
            if total and target[:1] == ("名称",):
                continue
            if label in spec.numbered:
                text = "\n".join(_NUMBERED_ITEM.sub("", line) for line in text.split("\n"))
            choices = spec.choices.get(target[-1:]) if isinstance(target, tuple) else None
            if choices is not None:
                text = choices.get(normal(text), text)
            if total:
                self.values.put(prefix + target, text)
            elif spec.split_lines:
                lines = [line for line in text.split("\n") if line.strip()]
                items = self.values.list_at(spec.list_path)
                while len(items) < len(lines):
                    items.append({})
                for number, line in enumerate(lines):
                    self.values.put_target(items[number], target, line, prefix)
            else:
                self.values.put_target(item, target, text, prefix, row_items)

    # -- label cells: the value is the next cell

    def labelled_cells(self) -> None:
        for index, block in enumerate(self.blocks):
            if not block.cells or index in self.used:
                continue
            self.values.place = block.place
            place, prefix, labels, _tables = self.place_of(index)
            cells = [cell for cell in block.cells if not cell.continued]
            read = False
            for position, cell in enumerate(cells):
                target = labels.get(_label_key(cell.text))
                if target is None or position + 1 >= len(cells):
                    continue
                value = cells[position + 1].text
                if isinstance(target, tuple) and target[0] == "叙述":
                    self.cell_narratives.setdefault(target[1], []).extend(line for line in value.split("\n"))
                    read = True
                elif place is not self.values.data:  # a label of a form: its item's
                    read = self.values.put_target(place, target, value, prefix) or read
                elif "[]" in target:  # a cell listing items, one a line
                    for line in [line for line in value.split("\n") if line.strip()]:
                        self.values.put(target, _NUMBERED_ITEM.sub("", line))
                    read = True
                else:
                    read = self.values.put(target, value) or read
            if read:
                self.used.add(index)

    # -- paragraphs: labels, sentences, headings and what follows them

    def paragraphs(self) -> None:
        section = None  # the narrative the paragraphs under the current heading belong to
        numbered_list = None
        for index, block in enumerate(self.blocks):
            if block.cells:
                continue
            self.values.place = block.place
            text = block.text
            if not text.strip():
                if section:
                    self.narratives.setdefault(section, []).append("")
                continue
            key = heading_key(text)
            if key in self.mapping.headings:
                section = self.mapping.headings[key]
                numbered_list = self.mapping.lists.get(key)
                self.used.add(index)
                continue
            if key in self.mapping.lists:
                section, numbered_list = None, self.mapping.lists[key]
                self.used.add(index)
                continue
            if self.label_paragraph(text, index):
                self.used.add(index)
                continue
            outcome = self.sentence(text)
            if outcome == "read":
                self.used.add(index)
            if outcome:  # a sentence made from figures read elsewhere is not narrative: the rendering checks it
                numbered_list = self.matched.following or numbered_list
                continue
            if numbered_list is not None:
                match = numbered_list.items.fullmatch(text.strip())
                if match:
                    self.put_items(numbered_list, [match])
                    self.used.add(index)
                    continue
            if section:
                self.narratives.setdefault(section, []).append(text)
                self.used.add(index)

    def label_paragraph(self, text: str, index: int) -> bool:
        match = re.match(r"^\s*([^：:]{1,20})[：:](.*)$", text)
        if not match:
            return False
        place, prefix, labels, _tables = self.place_of(index)
        read = False
        # a line may hold two labels: 填报人（签名）：李芷怡      联系电话：3723153
        pieces = re.split(r"\s{2,}(?=[^\s：:]{1,12}[：:])", text.strip())
        for piece in pieces:
            label, _, value = re.split(r"([：:])", piece, maxsplit=1) if re.search(r"[：:]", piece) else (piece, "", "")
            target = labels.get(normal(label)) or labels.get(normal(re.sub(r"[（(].*?[)）]", "", label)))
            if target is None or not value.strip():
                continue
            if place is not self.values.data:
                read = self.values.put_target(place, target, value, prefix) or read
            else:
                read = self.values.put(target, value) or read
        return read

    def sentence(self, text: str) -> str | None:
        """"read" when a sentence of the mapping stated figures, "known" when it has none to state."""
        for sentence in self.mapping.sentences:
            match = sentence.pattern.match(text.strip())
            if not match:
                continue
            self.matched = sentence
            if sentence.items is not None:
                found = self.sentence_items(sentence, text.strip()[match.end():])
                if found is None:
                    return None  # the sentence lists something else: leave it for the listing
                self.put_items(sentence, found)
            for name, path in sentence.slots.items():
                self.values.put(path, match.group(name))
            return "read" if sentence.slots or sentence.items is not None else "known"
        return None

    @staticmethod
    def sentence_items(sentence: Sentence, rest: str):
        """The items listed after a sentence's start (and before its ending), or None when they are not all of its form."""
        if sentence.ending:
            if not rest.endswith(sentence.ending):
                return None
            rest = rest[: -len(sentence.ending)]
        pieces = [piece for piece in re.split(sentence.separator, rest) if piece]
        found = [sentence.items.fullmatch(piece) for piece in pieces]
        return found if pieces and all(found) else None

    def put_items(self, sentence: Sentence, found: list) -> None:
        """Each item into the list item of the same name when there is one (the same project named
        in two sentences; a longer name there is its 资金名称), else a new one; in the sentence's order."""
        list_path = next(path[: path.index("[]")] for path in sentence.item_slots.values() if "[]" in path)
        if all(path[-1] == "[]" for path in sentence.item_slots.values()):  # a list of texts (职能职责)
            for match in found:
                for name, path in sentence.item_slots.items():
                    self.values.put(path, match.group(name))
            return
        items = self.values.list_at(list_path)
        ordered = []
        for match in found:
            captured = {path[path.index("[]") + 1 :]: match.group(name) for name, path in sentence.item_slots.items()}
            name = (captured.get(("名称",)) or "").strip()
            item = next((it for it in items if name and _same_item(it.get("名称"), name)), None)
            if item is None:
                item = {}
                items.append(item)
            elif item.get("名称") != name and name.startswith(str(item.get("名称"))):
                item["资金名称"] = name
                captured.pop(("名称",))
            for target, raw in captured.items():
                self.values.put_in(item, target, raw, list_path + ("[]",))
            for key, value in sentence.sets.items():
                item[key] = value
            ordered.append(item)
        rest = [item for item in items if all(item is not other for other in ordered)]
        items[:] = ordered + rest


def _label_key(text: str) -> str:
    """A label cell as compared: 其中: 一般公共预算 is the first of the parts under a total."""
    label = normal(text)
    return label.removeprefix("其中").lstrip(":：") if label.startswith("其中") else label


def _same_item(existing, name: str) -> bool:
    existing = str(existing or "")
    return bool(existing) and (existing == name or name.startswith(existing) or existing.startswith(name))


_NUMBERED_ITEM = re.compile(r"^\s*(?:(?:指标|任务|目标)\s*\d+\s*[：:]\s*|\d+\s*[、.．]\s*|[（(]\d+[)）]\s*)")


def numbered_lines_apart(cells: list, spec: TableSpec) -> list:
    """A row whose numbered cell lists several items (指标1：… 指标2：… sharing one 完成情况) as one row per item."""
    for position, (label, cell, text) in enumerate(cells):
        lines = [line for line in text.split("\n") if line.strip()]
        if label in spec.numbered and not spec.split_lines and len(lines) > 1 and all(_NUMBERED_ITEM.match(line) for line in lines):
            return [cells[:position] + [(label, cell, line)] + cells[position + 1 :] for line in lines]
    return [cells]


# ------------------------------------------------------------------ writing the source


def source_text(fmt_name: str, values: dict, narratives: dict, origin: str, unmapped: list) -> str:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    from .docgen import annotate
    from .nextyear import dump_text, round_trip_yaml

    data = {"格式": fmt_name, **values}
    texts = {}
    for section, lines in narratives.items():
        paragraphs = _paragraphs(lines)
        if paragraphs:
            texts[section] = LiteralScalarString("\n\n".join(paragraphs) + "\n")
    if texts:
        data["叙述"] = {key: texts[key] for key in SOURCE_SCHEMA.fields["叙述"].fields if key in texts}

    def convert(node, path=()):
        if isinstance(node, dict):
            spec = field_at(path)
            order = list(spec.fields) if spec is not None and spec.kind == "map" and not spec.open else []
            keys = sorted(node, key=lambda key: order.index(key) if key in order else len(order))
            return {key: convert(node[key], path + (key,)) for key in keys}
        if isinstance(node, list):
            return [convert(item, path + (0,)) for item in node]
        if isinstance(node, _Number):
            return Decimal(node) if "." in node else int(node)
        spec = field_at(path)
        if isinstance(node, str) and spec is not None and spec.kind in ("percent", "phone", "date"):
            return DoubleQuotedScalarString(node)
        if isinstance(node, str) and not isinstance(node, LiteralScalarString) and spec is not None and spec.kind == "markdown":
            return LiteralScalarString(_escape_markdown(node) + "\n")
        if isinstance(node, str) and spec is not None and spec.kind == "text" and re.fullmatch(r"[\d.]+%?|是|否|null|true|false|~", node):
            return DoubleQuotedScalarString(node)
        return node

    tree = convert(data)
    yaml = round_trip_yaml("a: 1\n")
    body = dump_text(yaml, tree)
    body = annotate(body)
    head = [
        f"# 由 perfdoc import 从 {origin} 导入。数字按原文照录（含合计与比率），请运行 perfdoc validate 核对。",
    ]
    tail = []
    if unmapped:
        tail = ["", "# 以下内容未能对应到数据文件中的位置（或前后不一），按原文保留，请逐条处理后删除："]
        tail += [f"#   {item.place}：{item.kind}：{' '.join(item.text.split())}" for item in unmapped]
    return "\n".join(head) + "\n" + body + ("\n".join(tail) + "\n" if tail else "")


def _paragraphs(lines: list[str]) -> list[str]:
    out = [line.strip() for line in lines if line.strip()]
    return [_escape_markdown(line) for line in out]


def _escape_markdown(text: str) -> str:
    """Text that Jinja or Markdown would otherwise read as markup, kept literal."""
    text = text.replace("{{", "{{ '{{' }}").replace("{%", "{{ '{%' }}")
    return re.sub(r"^([#>*+-])(\s)", r"\\\1\2", text)


# ------------------------------------------------------------------ the whole import


def import_document(path: Path, format_name: str, beside: Path | None = None) -> Imported:
    """Read ``path`` as a document of ``format_name``; what could not be mapped is listed and kept.

    ``beside``: the folder the source will be written to; last year's source there (what the
    sentences comparing with last year are made from) is used when the source is rendered again.
    """
    return import_documents([path], format_name, beside)


@dataclass(frozen=True)
class _ReadFile:
    path: Path
    blocks: list
    reader: "_Reader"


def import_documents(paths: list, format_name: str, beside: Path | None = None) -> Imported:
    """Read ``paths``, the documents of one department-year, into one source (see import_document).

    One file is read as a whole (guangzhou's 自评报告 has the 自评表 appended). Several files are
    each recognised as one of the format's documents by the fixed text of its template (headers,
    labels, headings), and their values merged: a value two of them state differently is listed
    with both places, and the one read first kept as written, for validate to judge.
    """
    from ..load.formats import load_format

    fmt = load_format(format_name)
    mapping = load_mapping(fmt)
    files = []
    for path in map(Path, paths):
        blocks = read_blocks(path)
        reader = _Reader(mapping, blocks)
        reader.read()
        if reader.values.count == 0 and not reader.narratives or len(paths) > 1 and recognised_document(fmt, blocks) is None:
            raise UserError(expected_forms_message(path, fmt, blocks))
        files.append(_ReadFile(path, blocks, reader))
    values, narratives, conflicts = merged_reading(files)
    filled = fill_defaults(mapping, values)
    drop_implied_place(fmt, values)
    origin = "、".join(file.path.name for file in files)
    previous = _last_year(beside, values.get("年度"))
    rendered = rendered_lines(source_text(fmt.name, values, narratives, origin, []), fmt, previous)
    unmapped = []
    for index, file in enumerate(files):
        found = unreproduced(file.blocks, rendered, file.reader.values.consumed, file.reader.used)
        lines = sum(1 for block in file.blocks for line in _block_lines(block) if line.strip())
        if len(found) > lines * MOSTLY_UNREAD:
            raise UserError(expected_forms_message(file.path, fmt, file.blocks))
        found = sorted(found + file.reader.values.conflicts + conflicts[index], key=lambda item: _document_order(file.blocks, item.place))
        unmapped += [replace(item, place=f"{file.path.name} {item.place}".rstrip()) for item in found] if len(files) > 1 else found
    text = source_text(fmt.name, values, narratives, origin, unmapped)
    mapped = filled + sum(file.reader.values.count for file in files) + sum(1 for lines in narratives.values() if lines)
    return Imported(text, mapped, unmapped)


def fill_defaults(mapping: Mapping, values: dict) -> int:
    """未写时: values the documents do not print, taken from another value read (in any of the files
    read). Returns how many were filled."""
    from ..load.schema import at_path

    collector = _Collector()
    collector.data = values
    for target, source in mapping.defaults.items():
        value = at_path(values, source)
        if value is not None and at_path(values, target) is None:
            collector.put(target, value)
    return collector.count


def merged_reading(files: list) -> tuple[dict, dict, list]:
    """The values and narratives of the files read, merged in their order; and per file, the values
    it states otherwise than a file before it (Unmapped, at its place in that file)."""
    values: dict = {}
    narratives: dict = {}
    places = {key: (index, place) for index, file in enumerate(files) for key, place in file.reader.values.places.items()}
    conflicts: list = [[] for _ in files]
    for index, file in enumerate(files):
        _merge(values, file.reader.values.data, (), places, files, conflicts[index])
        for section, lines in file.reader.narratives.items():
            if not any(line.strip() for line in narratives.get(section, [])):
                narratives[section] = lines  # a second text of a section is not rendered again: it is listed
    return values, narratives, conflicts


def _merge(into: dict, other: dict, path: tuple, places: dict, files: list, conflicts: list) -> None:
    for key, value in other.items():
        if key not in into:
            into[key] = value
            continue
        mine, where = into[key], path + (key,)
        if isinstance(mine, dict) and isinstance(value, dict):
            _merge(mine, value, where, places, files, conflicts)
        elif isinstance(mine, list) and isinstance(value, list) and all(isinstance(item, dict) for item in (*mine, *value)):
            _merge_items(mine, value, where, places, files, conflicts)
        elif not _same_value(mine, value):
            index, place = places.get((id(other), key), (None, ""))
            first = places.get((id(into), key))
            before = f"{files[first[0]].path.name} {first[1]}" if first else "前一文件"
            shown = (lambda v: "、".join(map(str, v)) if isinstance(v, list) else str(v))
            conflicts.append(Unmapped(place, f"{_dotted(where)} 在此写作 {shown(value)}，{before}写作 {shown(mine)}（保留前者）", "前后不一"))


def _merge_items(mine: list, other: list, path: tuple, places: dict, files: list, conflicts: list) -> None:
    """Items of one list read from two files: the same item by its 名称 (a project in its own form's file
    and in the report), else by position when both list as many; other named items are added."""
    if all(item.get("名称") for item in (*mine, *other)):
        for item in other:
            same = next((existing for existing in mine if existing["名称"] == item["名称"]), None)
            if same is None:
                mine.append(item)
            else:
                _merge(same, item, path + (f"[{mine.index(same) + 1}]",), places, files, conflicts)
    elif len(mine) == len(other):
        for number, (existing, item) in enumerate(zip(mine, other), start=1):
            _merge(existing, item, path + (f"[{number}]",), places, files, conflicts)
    else:
        conflicts.append(Unmapped("", f"{_dotted(path)} 在此有 {len(other)} 项，前一文件有 {len(mine)} 项（保留前者）", "前后不一"))


def _dotted(path: tuple) -> str:
    return ".".join(map(str, path)).replace(".[", "[")


def _same_value(first, second) -> bool:
    """Two readings of one value agree: figures by their amount (28.5 and 28.50), lists item by item."""
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(_same_value, first, second))
    if isinstance(first, _Number) and isinstance(second, _Number):
        return Decimal(first) == Decimal(second)
    return first == second


def drop_implied_place(fmt, values: dict) -> None:
    """地区 and 财政部门 read from a cover are written only where the source must name them: not when the
    format fixes its own (a 临湘市 cover of hunan-linxiang), nor a 财政部门 that is “<地区>财政局”."""
    from ..load.formats import place_of
    from .scaffold import PLACE_KEYS

    if not fmt.place_from_source:
        for key in PLACE_KEYS:
            values.pop(key, None)
        return
    if values.get("地区") == fmt.options.get("地区"):
        values.pop("地区", None)
    implied = place_of(fmt, {"地区": values["地区"]} if "地区" in values else {})
    if values.get("财政部门") == implied.get("财政部门"):
        values.pop("财政部门", None)


RECOGNISED = 0.5  # the share of a document's fixed text a file must hold to be that document


def recognised_document(fmt, blocks: list[Block]):
    """The format's document that ``blocks`` are: the one whose template's fixed text (headers, labels,
    headings, compared without numbering) the file holds the largest share of, at least RECOGNISED."""
    held = {heading_key(line) for block in blocks for line in _block_lines(block)}
    best, best_key = None, (RECOGNISED, 0)
    for document in fmt.documents:
        fixed = _fixed_text(document.template)
        if not fixed:
            continue
        found = len(fixed & held)
        key = (found / len(fixed), found)
        if key >= best_key:
            best, best_key = document, key
    return best


def _block_lines(block: Block) -> tuple:
    """A paragraph's text, or each line of a table row's cells."""
    return (block.text, *(line for cell in block.cells for line in cell.lines))


def _fixed_text(template: Path) -> frozenset:
    try:
        stamp = template.stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _fixed_text_of(template, stamp)


@functools.lru_cache(maxsize=64)
def _fixed_text_of(template: Path, _stamp: int) -> frozenset:
    """A template's lines that hold no slot or tag, as compared."""
    from ..render.extract import document_lines

    try:
        lines = document_lines(template.read_bytes(), blank=False)
    except (OSError, UserError):
        return frozenset()
    return frozenset(key for line in lines if "{" not in line and (key := heading_key(line)))


def _last_year(folder: Path | None, year) -> str | None:
    if folder is None or not isinstance(year, int):
        return None
    path = Path(folder) / f"{year - 1}.yaml"
    try:
        return path.read_text(encoding="utf-8-sig") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


MOSTLY_UNREAD = 0.6  # a document of the format has most of its lines read or made again


def expected_forms_message(path, fmt, blocks: list[Block]) -> str:
    """Which documents were expected, what the file holds instead, and the format it resembles, if any."""
    titles = "、".join(f"“{doc.title}”" for doc in fmt.documents)
    seen = [block.text.strip() for block in blocks if not block.cells and block.text.strip()][:2]
    seen += [block.cells[0].text.strip() for block in blocks if block.cells and block.cells[0].text.strip()][:2]
    found = "；".join(text[:30] for text in seen) if seen else "没有文字"
    message = f"{path} 不是 {fmt.name} 格式的文档：应为 {titles} 之一，但其中大部分内容对应不上这些文档的标签、表格与章节（开头是：{found}）"
    likely = resembling_format(blocks, exclude=fmt.name)
    return message + (f"；它更像 {likely} 格式，可试 --format {likely}" if likely else "")


def resembling_format(blocks: list[Block], exclude: str) -> str | None:
    """The other format whose mapping reads the most values from ``blocks`` (reading only, no
    rendering); among formats that read as many, the one whose 地区 the document names."""
    from ..load.formats import available_formats, load_format

    opening = "".join(block.text or "".join(cell.text for cell in block.cells) for block in blocks[:30])
    best, best_key = None, (0, False)
    for name in available_formats():
        if name == exclude:
            continue
        try:
            fmt = load_format(name)
            reader = _Reader(load_mapping(fmt), blocks)
        except FormatError:
            continue
        reader.read()
        region = str(fmt.options.get("地区") or "")
        key = (reader.values.count, bool(region) and region in opening)
        if key > best_key:
            best, best_key = name, key
    return best if best_key[0] else None


def _document_order(blocks: list[Block], place: str) -> int:
    return next((index for index, block in enumerate(blocks) if block.place == place), len(blocks))


def rendered_lines(text: str, fmt, previous: str | None = None) -> set:
    """Every line of every document of ``fmt`` rendered from the source ``text``, as compared."""
    from ..build.rendering import render_checked
    from ..pipeline import check_text
    from ..render.extract import document_lines

    rendered: set[str] = set()
    checked = check_text(text, "<导入>", previous_text=previous)
    if checked.analysis is not None and checked.analysis.format is not None:  # the document's own mistakes render too
        for document in fmt.documents:
            if not document.template.is_file():
                continue
            try:
                data = render_checked(checked, document)
            except (UserError, FormatError):
                continue
            rendered.update(_comparable(line) for line in document_lines(data, blank=False))
    return rendered


def unreproduced(blocks: list[Block], rendered: set, consumed: set = frozenset(), read: set = frozenset()) -> list[Unmapped]:
    """The document's lines not among the ``rendered`` ones, except cells read as values (a figure
    written 655.55 万元, or a rate the document got wrong, which validate reports), and paragraphs
    read (a heading numbered in another style)."""
    out = []
    for index, block in enumerate(blocks):
        if block.cells:
            for cell in block.cells:
                for line in cell.lines:
                    seen = _comparable(line)
                    if not value_text(line):  # blank, “/”, or a 【待填写】 marker: nothing the document states
                        continue
                    if seen not in rendered and seen not in consumed and not cell.continued:
                        out.append(Unmapped(block.place, line.strip()))
        elif block.text.strip() and _comparable(block.text) not in rendered and index not in read:
            out.append(Unmapped(block.place, block.text.strip()))
    return out


def _comparable(line: str) -> str:
    return normal(line)
