"""``perfdoc new``: a commented YAML skeleton for a new department-year.

The skeleton is generated from :data:`perfdoc.load.schema.SOURCE_SCHEMA` by the
schema's walk (bottom up, :func:`~perfdoc.load.schema.fold`), so every key the
schema knows appears in it, each with its Chinese description as a comment on
the same line:

* keys with an example value (``Field.example``) are written with it;
* optional keys without one are written commented out, with a sample value;
* derived keys (computed by perfdoc) are written commented out with
  “（自动计算，可不填）”;
* lists are written empty (``[]``) followed by one commented-out example item,
  and open mappings (明细) likewise (``{}``);
* the narrative sections the format requires are ``|`` blocks with a one-line
  placeholder; the other sections are commented out.

A commented-out block is commented at its own indentation, so deleting the
leading ``# `` of each line gives valid YAML in place. The result depends only
on the arguments and the schema (no dates of today), and validates without
errors; the format's missing data and sections are reported as warnings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import UsageError
from ..load.formats import load_format
from ..load.schema import EACH_ITEM, EACH_KEY, FUND_SOURCES, Field, field_at, fold
from ..numbers import format_amount_as_written

DERIVED_NOTE = "（自动计算，可不填）"
REQUIRED_NOTE = "（必填）"
SECTION_NOTE = "（本格式必需）"
UNPRINTED_NOTE = "（本格式的文档不印这一章节，不必填写）"
PLACEHOLDER = "（待填写）"

# Example entry names for the open mappings (明细), by key; others fall back to the doc.
_OPEN_EXAMPLE_KEYS = {
    "实际支出": "一般公共预算",
    "人员支出明细": "基本工资",
    "公用支出明细": "办公费",
    "资金明细": "慰问困难职工",
}


def department_folder(department: str) -> str:
    """``department`` as the folder of its sources, ``sources/<format>/<department>/``.

    A name that is not one plain folder name (``..``, a ``/`` or ``\\``, an absolute path)
    is refused: it would put the file outside ``sources/``.
    """
    if department.strip() in ("", ".", "..") or any(c in "/\\" or ord(c) < 0x20 for c in department):
        raise UsageError(
            f"部门名称“{_one_line(department)}”不能用作文件夹名：不能为空、不能是“.”或“..”，"
            "也不能含有“/”“\\”或控制字符；请写部门的全称，如“广州市天河区总工会”"
        )
    return department


PLACE_KEYS = ("地区", "财政部门")


def needs_region(fmt) -> bool:
    """A family format whose sources name their own place (hunan-department)."""
    return fmt.place_from_source and not fmt.options.get("地区")


def scaffold_yaml(format_name: str, department: str, year: int, region: str | None = None) -> str:
    """The YAML skeleton for ``department``'s ``year`` in ``format_name`` (which must exist).

    ``region``: the 地区 of a format whose sources name their own place; required by such a format.
    """
    fmt = load_format(format_name)
    if region is not None and not fmt.place_from_source:
        raise UsageError(f"格式“{format_name}”的地区固定为“{fmt.options.get('地区', '（无）')}”，不能另写地区")
    if region is None and needs_region(fmt):
        raise UsageError(f"格式“{format_name}”由数据文件填写地区：请写明地区，如 --region 平江县")
    builder = _Builder(format_name, fmt, _one_line(department), int(year))
    if region is not None:
        builder.values[("地区",)] = _one_line(region)
    return builder.text()


@dataclass(frozen=True)
class _Rendered:
    """One key's lines in each way its container may write it."""

    live: list  # in the file as written: what is not known stays commented out
    is_live: bool  # whether any line of ``live`` is not commented out
    sample: list  # as a filled-in example (the container comments it out as a whole)
    derived: list  # as a figure perfdoc computes: the key without a value
    item: list  # for a list's item: one example item, with its "- "


class _Builder:
    def __init__(self, format_name: str, fmt, department: str, year: int):
        self.format_name = format_name
        self.fmt = fmt
        self.department = department
        self.year = year
        self.sections = tuple(fmt.required_sections)
        self.values = {
            ("格式",): format_name,
            ("年度",): year,
            ("部门", "名称"): department,
        }

    # -- the whole file -------------------------------------------------

    def text(self) -> str:
        lines = self.header()
        # The data of an optional document (文档[].条件) is written commented out: writing it asks for the document.
        optional = {doc.needs for doc in self.fmt.documents if doc.needs} - set(self.fmt.required_data)
        for key, rendered in fold(self.render):
            if key in PLACE_KEYS and not self.fmt.place_from_source:
                continue  # the format fixes its place (PD110)
            block = _comment(rendered.sample, 0) if key in optional else rendered.live
            if len(block) > 1 and lines and lines[-1] != "":
                lines.append("")
            lines.extend(block)
            if len(block) > 1:
                lines.append("")
        while lines and lines[-1] == "":
            lines.pop()
        return "\n".join(lines) + "\n"

    def header(self) -> list[str]:
        fmt = self.fmt
        lines = [
            f"# {self.department} {self.year}年度绩效自评数据",
            f"# 文档格式 {self.format_name}：{_one_line(fmt.description) or self.format_name}",
            "#",
            "# 由 perfdoc new 生成的骨架。每个键后的注释说明它的含义，填写方法：",
            "#   · 注释掉的值是填写示范，请改为本部门的数据；用不到的键可整行删除。",
            "#   · 以“# ”开头的键是可选项：需要时删去行首的“# ”，保持缩进不变。",
            "#   · 列表（[]）和明细（{}）下方是注释掉的示例项：填写时先删去“[]”或“{}”，",
            "#     再删去示例各行行首的“# ”；每多一项，照样再写一段。",
            f"#   · 注有{DERIVED_NOTE}的数由 perfdoc 计算；照抄旧文档时也可填写，校验时会核对。",
            "#   · 金额默认以万元为单位，也可写作“5600元”；写几位小数就表示精确到几位。",
            "#   · 叙述用 Markdown 书写，可用 {{ 预算.调整后预算 }} 这样的写法引用数字，数字只填一次。",
            "#   · 填好后运行 perfdoc validate 检查，一次列出全部问题。",
        ]
        if fmt.required_data:
            lines.append(f"# 本格式的文档需要的数据：{'、'.join(map(str, fmt.required_data))}")
        if fmt.required_sections:
            lines.append(f"# 本格式的文档需要的叙述章节：{'、'.join(map(str, fmt.required_sections))}")
        if fmt.generated_sections:
            lines.append(f"# 不填写时由模板按数据写出的叙述章节（填写后只用填写的文字）：{'、'.join(fmt.generated_sections)}")
        lines.append("")
        return lines

    # -- one key ------------------------------------------------------------

    def render(self, path: tuple, field: Field, _value, children: list):
        """The lines of one declared key, from those of the keys it holds (the schema's walk, bottom up).

        The top of the schema gives its keys' renderings, in order.
        """
        if not path:
            return children
        indent = 2 * (len(path) - 1)
        pad = " " * indent
        key = self.key_of(path)
        note = self.note(key, field, path)
        inner = [rendered for _step, rendered in children]
        on_form = [rendered for step, rendered in children if self.on_the_form(path + (step,))]
        head = f"{pad}{key}:  # {note}"
        if field.kind == "map" and field.open:
            derived, sample = [head] + inner[0].derived, [head] + inner[0].sample
            live, is_live = [f"{pad}{key}: {{}}  # {note}"] + _comment(inner[0].sample, indent + 2), True
        elif field.kind == "map":
            derived = [head] + [line for rendered in on_form for line in rendered.derived]
            sample = [head] + [line for rendered in on_form for line in rendered.sample]
            is_live = any(rendered.is_live for rendered in on_form)
            live = [head] + [line for rendered in on_form for line in rendered.live] if is_live else _comment(sample, indent)
        elif field.kind == "list":
            item = inner[0].item if inner else []
            derived = sample = [head] + item
            live, is_live = [f"{pad}{key}: []  # {note}"] + _comment(item, indent + 2), True
        elif field.kind == "markdown":
            derived = [head]
            sample = [f"{pad}{key}: |  # {note}", f"{pad}  {PLACEHOLDER}{_one_line(field.doc)}"]
            is_live = self.is_live_section(path)
            live = sample if is_live else _comment(sample, indent)
        else:
            derived = [head]
            # Only what the command was told is written live; examples stay commented out
            # so that no figure of another department slips into a new file.
            sample = [] if field.computed else [f"{pad}{key}: {self.scalar(field, path)}  # {note}"]  # see below
            is_live = path in self.values or field.required
            live = sample if is_live else _comment(sample, indent)
        if field.computed:  # commented out as a whole, each figure without a value
            sample = live = _comment(derived, indent)
            is_live = False
        return _Rendered(live, is_live, sample, derived, self.item(path, field, inner))

    def key_of(self, path: tuple) -> str:
        """The key a path's last step is written as: an open mapping's example entry is named after it."""
        if path[-1] == EACH_KEY:
            return _open_example_key(path[-2], field_at(path[:-1]))
        return "示例" if path[-1] == EACH_ITEM else path[-1]

    def item(self, path: tuple, field: Field, inner: list) -> list[str]:
        """An example list item of this field at its indentation (the column of its ``-``), in sample mode."""
        if path[-1] != EACH_ITEM:
            return []
        indent = 2 * (len(path) - 1)
        if field.kind == "map" and not field.open:
            body = [line for rendered in inner for line in rendered.sample]
            # The "- " goes on the first line that is not commented out.
            first = next((i for i, line in enumerate(body) if not line.lstrip().startswith("#")), None)
            if first is None:
                return [" " * indent + "- {}"] + body
            head = body.pop(first)
            return [" " * indent + "- " + head[indent + 2 :]] + body
        if field.kind in ("map", "list"):
            return [" " * indent + ("- {}" if field.kind == "map" else "- []")]
        value = field.example if field.example is not None else _short(field.doc)
        return [" " * indent + "- " + yaml_scalar(value)]

    def on_the_form(self, path: tuple) -> bool:
        """A project's fund rows are the format's (项目资金来源), not every source the schema knows."""
        if len(path) == 4 and path[0] == "项目自评" and path[2] == "资金" and path[3] in FUND_SOURCES:
            return path[3] in self.fmt.fund_sources
        return True

    # -- values and notes ---------------------------------------------------

    def is_live_section(self, path: tuple) -> bool:
        return len(path) == 2 and path[0] == "叙述" and path[1] in self.sections

    def scalar(self, field: Field, path: tuple) -> str:
        if path in self.values:
            return yaml_scalar(self.values[path])
        value = field.example
        kind = field.kind
        if value is None:
            value = _sample(field, self.year)
        elif kind == "date":
            value = _shift_year(value, self.year + 1)
        if kind == "amount" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return format_amount_as_written(Decimal(str(value)))
        return yaml_scalar(value)

    def note(self, key: str, field: Field, path: tuple) -> str:
        doc = _one_line(field.doc)
        if field.computed:
            doc = doc.replace("（自动计算）", "")
            if field.kind not in ("map", "list") or "自动计算" not in doc:
                doc += DERIVED_NOTE
        if field.kind == "choice" and field.choices and not all(str(c) in doc for c in field.choices):
            doc += "，可选：" + "／".join(map(str, field.choices))
        if field.required and not field.derived:
            doc += REQUIRED_NOTE
        if self.is_live_section(path):
            doc += SECTION_NOTE
        if len(path) == 2 and path[0] == "叙述" and path[1] in self.fmt.generated_sections:
            doc += f"（不填写时模板{self.fmt.generated_sections[path[1]]}；填写后只用这里的文字）"
        elif len(path) == 2 and path[0] == "叙述" and self.fmt.printed_sections is not None and path[1] not in self.fmt.printed_sections:
            doc += UNPRINTED_NOTE
        return doc


def _comment(lines: list[str], indent: int) -> list[str]:
    """Comment ``lines`` out at column ``indent``: removing the “# ” restores them."""
    out = []
    for line in lines:
        head, rest = line[:indent], line[indent:]
        out.append(f"{head}# {rest}" if rest.strip() else f"{head}#")
    return out


def _sample(field: Field, year: int):
    """A value of the right kind for a key that has no example."""
    kind = field.kind
    if kind in ("int", "score"):
        return 0
    if kind == "amount":
        return Decimal("0.00")
    if kind == "percent":
        return "0.00%"
    if kind == "date":
        return dt.date(year + 1, 3, 31)
    if kind == "year":
        return year
    if kind == "bool":
        return False
    if kind == "choice":
        return field.choices[0] if field.choices else ""
    if kind == "phone":
        return "0730-1234567"
    return ""


def _shift_year(value, year: int):
    """An example date moved to the report year (``2023-03-27`` → ``<year>-03-27``)."""
    if isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return value
    try:
        return dt.date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return value


def _open_example_key(key: str, field: Field) -> str:
    if key in _OPEN_EXAMPLE_KEYS:
        return _OPEN_EXAMPLE_KEYS[key]
    doc = field.doc.split("：", 1)[-1]
    name = re.split(r"[→、，,]", doc)[0].strip(" …")
    return name if _plain_key(name) else "名称"


def _plain_key(text: str) -> bool:
    return bool(text) and yaml_scalar(text) == text and ":" not in text


def _short(doc: str) -> str:
    """A list item's description as its sample value (``一条职责``)."""
    return _one_line(doc)


def _one_line(text) -> str:
    return " ".join(str(text or "").split())


_YAML = YAML(typ="safe", pure=True)


def yaml_scalar(value) -> str:
    """``value`` as a YAML scalar that reads back as the same value and type."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text and "\n" not in text and text == text.strip():
        try:
            loaded = _YAML.load(f"k: {text}")
        except YAMLError:
            loaded = None
        if isinstance(loaded, dict) and loaded.get("k") == text and isinstance(loaded.get("k"), str):
            return text
    return json.dumps(text, ensure_ascii=False)
