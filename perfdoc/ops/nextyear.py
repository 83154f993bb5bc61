"""``perfdoc next-year``: start next year's source from this year's.

The file is round-tripped with ruamel.yaml, so comments, key order, quoting
and flow style survive. It is cleared by the schema's walk, innermost mappings
first, and what happens to each value is the schema's (``Field.next_year``,
``Field.next_year_from``):

* carried over: 格式, 金额单位, the 部门 facts with 职能职责, 内设机构 and
  下属单位, 报告 (except its date), 评价人员, goals, task and project names,
  and the indicator structure (一级/二级/名称/目标值/权重);
* removed: every amount (budgets, spending, 明细, 三公经费, 固定资产), every
  stated derived figure, 得分, 已完成, 综合得分, 评价等次, 人员变动 and
  报告日期; and, with nothing left to fill, what next year reads from this
  year's file (基础数据.上年决算, 上年三公经费预算);
* emptied: the year's results (实际值, 完成情况) become ``""``, and every
  narrative (the 叙述 sections, 项目.概述) an empty block marked ``# 待填写``;
* pre-filled: 年度 + 1, 部门.上年实有人数 from 实有人数, each institution's
  收入.上年结转 from this year's 累计结余 and each project's 上年结余 from its
  年终结余 (with two decimals, in the file's 金额单位).

Where keys were removed, the key that held them says what is left to fill
(``收入:  # 待填写：公共财政拨款、…``); a mapping left with nothing in it is
written ``{}`` with that note, or dropped when it held only derived figures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from ..errors import UserError
from ..load.model import default_unit
from ..numbers import UNITS, round_half_up
from ..load.schema import CLEAR, EMPTY, FROM_THIS_FILE, KEEP, Field, fold, walk

if TYPE_CHECKING:
    from ..pipeline import Checked

PENDING = "待填写"

# (indent of mappings, of sequences, offset of the dash): the seeds' style first.
_INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 0), (4, 6, 2))


class _Representer(RoundTripRepresenter):
    """Writes pre-filled Decimal amounts as plain numbers with their own decimals."""


_Representer.add_representer(
    Decimal, lambda rep, value: rep.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")
)


def round_trip_yaml(text: str) -> YAML:
    """A round-trip YAML that writes ``text`` back unchanged, in the indentation it uses."""
    fallback = None
    for mapping, sequence, offset in _INDENT_STYLES:
        yaml = YAML()
        yaml.Representer = _Representer
        yaml.preserve_quotes = True
        yaml.width = 1_000_000  # never fold long Chinese lines
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        fallback = fallback or yaml
        if dump_text(yaml, yaml.load(text)) == text:
            return yaml
    return fallback


def dump_text(yaml: YAML, document) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def next_year_text(ctx) -> str:
    """Next year's source text, from this year's validated :class:`~perfdoc.pipeline.Analysis`."""
    text = ctx.source.text
    try:
        yaml = round_trip_yaml(text)
        document = yaml.load(text)
    except YAMLError as exc:  # e.g. a duplicate key, which validation reports but ruamel refuses
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise UserError(f"{ctx.source.path}{where}: 无法按原样改写，请先修正 perfdoc validate 报告的问题（{problem}）") from None
    if not isinstance(document, CommentedMap):
        raise UserError(f"{ctx.source.path} 顶层不是映射（键: 值），无法生成下一年度的文件")
    year = ctx.model.get("年度")
    _Clearer(prefills(ctx)).clear(document)
    document["年度"] = year + 1
    return dump_text(yaml, document)


def prefills(ctx) -> dict:
    """Values next year starts from, by path: each key's ``next_year_from`` figure of this year."""
    out: dict = {}
    to_file_unit = UNITS[default_unit(ctx.data)]
    for path, field, _ in walk(ctx.model, missing=True):
        if not field.next_year_from:
            continue
        item = next((path[: i + 1] for i in range(len(path) - 1, -1, -1) if isinstance(path[i], int)), ())
        value = ctx.figures.get(item + field.next_year_from)
        if field.kind != "amount":
            if value is not None:
                out[path] = value
        # A deficit cannot be carried as an amount: it is left for the user to settle.
        elif isinstance(value, Decimal) and value >= 0:
            out[path] = abs(Decimal(round_half_up(value / to_file_unit, 2)))  # abs: never "-0.00"
    return out


class _Clearer:
    """Clears one document in place, keeping comment and blank lines where they belong."""

    def __init__(self, prefill: dict):
        self.prefill = prefill
        # The lines that followed the contents of a mapping emptied of all its keys.
        self.orphans: dict[int, str] = {}

    def clear(self, document: CommentedMap) -> None:
        """Clear ``document`` by the schema's walk, the innermost mappings first."""
        fold(self.cleared, document, into=self.goes_into)

    def goes_into(self, path: tuple, field: Field, value) -> bool:
        """A mapping whose keys are kept or cleared one by one, a list of such mappings, and each of its items."""
        if path and isinstance(path[-1], int):
            return isinstance(value, CommentedMap)
        if path in self.prefill or field.next_year_action != KEEP:
            return False
        if field.kind == "map":
            return isinstance(value, CommentedMap) and bool(value)
        return field.kind == "list" and isinstance(value, CommentedSeq) and field.item.kind == "map"

    def cleared(self, path: tuple, field: Field, value, children: list) -> list[str] | None:
        """Clear ``value`` once what it holds is cleared; for a mapping, return the names of removed values
        someone must fill in (None for anything else, and for a value not gone into)."""
        if not self.goes_into(path, field, value):
            return None
        if field.kind == "list":
            for index, inner in children:
                item = value[index]
                if inner and item and not item.fa.flow_style():
                    set_note(item, next(iter(item)), f"{PENDING}：{'、'.join(inner)}")
            return None
        return self.clear_mapping(value, field, path, dict(children))

    def clear_mapping(self, node: CommentedMap, field: Field, path: tuple, cleared: dict) -> list[str]:
        """Clear ``node``'s own keys (``cleared``: what is left to fill in each mapping it holds, already cleared)."""
        pending: list[str] = []
        doomed: set = set()
        emptied: list[tuple[str, list[str]]] = []
        for key in list(node):
            here = path + (key,)
            child = field.child(key)
            if child is None:
                continue  # an unknown key is kept: PD101 reports it
            value = node[key]
            action = child.next_year_action
            if here in self.prefill:
                node[key] = self.prefill[here]
            elif action in (CLEAR, FROM_THIS_FILE):
                doomed.add(key)
                if action == CLEAR and not child.derived:
                    pending.append(key)
            elif action == EMPTY:
                node[key] = DoubleQuotedScalarString("")
                if not node.fa.flow_style():
                    set_note(node, key, PENDING)
            elif child.kind == "markdown":
                empty_block(node, key)
            elif cleared.get(key) is not None:  # a mapping, cleared already
                inner = cleared[key]
                if not value:
                    emptied.append((key, inner))
                elif inner and not value.fa.flow_style():
                    set_note(node, key, f"{PENDING}：{'、'.join(inner)}")
        kept_anything = any(key not in doomed and key not in dict(emptied) for key in node)
        for key, inner in emptied:
            if kept_anything and inner:
                self.collapse(node, key, inner)
            else:
                doomed.add(key)
                if inner:
                    pending.append(key)
        self.remove_all(node, doomed)
        self.add_prefills(node, field, path)
        return pending

    def remove_all(self, node: CommentedMap, doomed: set) -> None:
        """Remove ``doomed`` keys, keeping the comment and blank lines around them in place.

        The comment lines directly above a removed key described it and go
        with it; everything else stays where it was relative to what is kept.
        """
        keys = list(node)
        for index, key in enumerate(keys):
            if key not in doomed:
                continue
            above = comments_before(node, key)
            if index > 0:
                above = self.take_gap_after(node, keys[index - 1]) + above
                self.put_gap_after(node, keys[index - 1], without_closing_comment(above))
        for key in keys:
            if key in doomed:
                self.remove(node, key)

    def remove(self, node: CommentedMap, key) -> None:
        """Delete ``key``; the lines after its value now follow what precedes it."""
        keys = list(node)
        index = keys.index(key)
        after = self.take_gap_after(node, key)
        del node[key]
        if not after:
            return
        if index > 0:
            self.put_gap_after(node, keys[index - 1], after)
        elif node:
            add_comments_before(node, keys[index + 1], after)
        else:
            self.orphans[id(node)] = self.orphans.get(id(node), "") + after

    def take_gap_after(self, node: CommentedMap, key) -> str:
        """Detach the lines after ``node[key]``, including those of contents already removed."""
        return take_trailing(node, key) + self.orphans.pop(id(node[key]), "")

    def put_gap_after(self, node: CommentedMap, key, text: str) -> None:
        if not text:
            return
        value = node[key]
        if isinstance(value, CommentedMap) and not value and not value.fa.flow_style():
            self.orphans[id(value)] = self.orphans.get(id(value), "") + text  # emptied, not yet removed
        else:
            append_trailing(node, key, text)

    def collapse(self, node: CommentedMap, key, inner: list[str]) -> None:
        """Replace an emptied mapping by ``{}`` noting what is to be filled in."""
        trailing = self.take_gap_after(node, key)
        empty = CommentedMap()
        empty.fa.set_flow_style()
        node[key] = empty
        entry, _ = _entry(node, key)
        entry[3] = None  # comments above the removed contents described them
        set_note(node, key, f"{PENDING}：{'、'.join(inner)}")
        if trailing:
            append_trailing(node, key, trailing)

    def add_prefills(self, node: CommentedMap, field: Field, path: tuple) -> None:
        """Insert pre-filled values the file did not have, in schema order."""
        if field.open:
            return
        order = list(field.fields)
        for here, value in self.prefill.items():
            if here[:-1] != path or here[-1] in node:
                continue
            earlier = set(order[: order.index(here[-1])])
            position = 0
            for index, existing in enumerate(node):
                if existing in earlier:
                    position = index + 1
            node.insert(position, here[-1], value)
            if position > 0:  # the blank and comment lines after the key above now follow this one
                lines_after = take_trailing(node, list(node)[position - 1])
                if lines_after:
                    append_trailing(node, here[-1], lines_after)


def without_closing_comment(text: str) -> str:
    """``text`` without the comment lines at its end (those directly above the next key)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[-1].lstrip().startswith("#"):
        lines.pop()
    return "".join(lines)


# ---- ruamel comment plumbing -------------------------------------------------
# ruamel keeps the comment and blank lines that follow a value in a CommentToken
# on that value's key (index 2 of ``ca.items[key]`` in a mapping, index 0 in a
# sequence); after a nested block they sit on the block's last value. The token
# of a plain value starts with the rest of its own line (an end-of-line comment
# or nothing); that of a block scalar (``|``) holds only the lines after it.


def _is_block(value) -> bool:
    return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()


def _is_block_scalar(value) -> bool:
    return isinstance(value, (LiteralScalarString, FoldedScalarString))


def _slot(container, key):
    """The (container, key) whose token holds the lines after ``container[key]``."""
    value = container[key]
    if _is_block(value):
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _slot(value, last)
    return container, key


def _entry(container, key) -> tuple[list, int]:
    index = 2 if isinstance(container, CommentedMap) else 0
    return container.ca.items.setdefault(key, [None, None, None, None]), index


def take_trailing(container, key) -> str:
    """Detach and return the whole lines (comments, blank lines) after ``container[key]``."""
    slot, slot_key = _slot(container, key)
    entry, index = _entry(slot, slot_key)
    token = entry[index]
    if not isinstance(token, CommentToken):
        return ""
    if _is_block_scalar(slot[slot_key]):
        entry[index] = None
        return _indented(token)
    own_line, newline, rest = token.value.partition("\n")
    if own_line.strip():
        token.value = own_line + newline
    else:
        entry[index] = None
    return rest


def _indented(token: CommentToken) -> str:
    """The token's lines; a comment on its first line gets back the column ruamel keeps apart."""
    value = token.value
    if value.lstrip(" ").startswith("#"):
        return " " * (token.column or 0) + value.lstrip(" ")
    return value


def comments_before(container: CommentedMap, key) -> str:
    """Detach the comment lines ruamel keeps on ``key`` itself (after a flow-style value)."""
    entry = container.ca.items.get(key)
    if not entry or not entry[1]:
        return ""
    text = "".join(_indented(token) for token in entry[1])
    entry[1] = None
    return text


def add_comments_before(container: CommentedMap, key, text: str) -> None:
    entry, _ = _entry(container, key)
    entry[1] = [CommentToken(text, CommentMark(0), None), *(entry[1] or [])]


def append_trailing(container, key, text: str) -> None:
    """Write ``text`` (whole lines) after ``container[key]``."""
    slot, slot_key = _slot(container, key)
    entry, index = _entry(slot, slot_key)
    token = entry[index]
    block_scalar = _is_block_scalar(slot[slot_key])
    if isinstance(token, CommentToken):
        if not block_scalar and not token.value.endswith("\n"):
            token.value += "\n"
        lines_after = token.value if block_scalar else token.value.partition("\n")[2]
        if lines_after.endswith("\n") and not lines_after.splitlines()[-1].strip():
            text = text.lstrip("\n")  # where two gaps meet, one blank line is enough
        token.value += text
    else:
        entry[index] = CommentToken(text if block_scalar else "\n" + text, CommentMark(0), None)


def set_note(container: CommentedMap, key, note: str) -> None:
    """Add ``# note`` at the end of ``key``'s line, after any comment already there."""
    entry, index = _entry(container, key)
    token = entry[index]
    own_line, newline, rest = ("", "", "")
    if isinstance(token, CommentToken) and not _is_block_scalar(container[key]):
        own_line, newline, rest = token.value.partition("\n")
    if own_line.strip():
        token.start_mark = CommentMark(0)  # the value before it may have grown: keep two spaces
        token.value = f" {own_line.strip()}；{note}{newline}{rest}"
        return
    if isinstance(token, CommentToken) and _is_block(container[key]):
        rest = ""  # a block's following lines are on its last value, not here
    entry[index] = CommentToken(f" # {note}\n{rest}", CommentMark(0), None)


def empty_block(container: CommentedMap, key) -> None:
    """``key: |  # 待填写``: an empty narrative block, keeping the lines after it."""
    trailing = take_trailing(container, key)
    container[key] = LiteralScalarString("")
    entry, _ = _entry(container, key)
    entry[2] = CommentToken(trailing, CommentMark(0), None) if trailing else None
    # ruamel writes these after the block indicator: ``key: |  # 说明；待填写``
    parts = entry[3] if isinstance(entry[3], list) else ()
    header = "".join(part.value if isinstance(part, CommentToken) else str(part) for part in parts).rstrip()
    entry[3] = [f"{header}；{PENDING}" if header.lstrip().startswith("#") else f"  # {PENDING}"]


# ---- writing the file -----------------------------------------------------------


@dataclass(frozen=True)
class NextYear:
    """What :func:`write_next_year` did: the file written, and what the command line tells the user."""

    target: Path
    year: int  # the new file's year
    source_errors: int  # errors in this year's file: the prefilled figures may be wrong
    checked: "Checked"  # the new file, validated against this year's


def write_next_year(source: Path, output: Path | None = None, force: bool = False) -> NextYear:
    """Write next year's source beside ``source`` (or to ``output``) and validate it."""
    from ..build.writes import atomic_write_text
    from ..pipeline import check_file, check_text

    checked = check_file(source, with_previous=False)
    if checked.analysis is None:
        problem = checked.diagnostics[0].message if checked.diagnostics else "无法读取"
        raise UserError(f"{source} 无法读取，不能生成下一年度的文件：{problem}")
    year = checked.analysis.model.get("年度")
    if not isinstance(year, int):
        raise UserError(f"{source} 没有有效的“年度”，无法确定下一年度")
    target = output if output is not None else source.with_name(f"{year + 1}{source.suffix or '.yaml'}")
    if target.exists() and not force:
        raise UserError(f"{target} 已存在；如需覆盖请加 --force")
    text = next_year_text(checked.analysis)
    atomic_write_text(target, text)
    result = check_text(text, str(target), previous_text=checked.analysis.source.text)
    return NextYear(target, year + 1, len(checked.errors), result)
