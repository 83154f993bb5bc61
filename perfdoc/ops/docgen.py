"""``perfdoc docs``: the reference pages in ``docs/``, generated from the code.

* ``docs/rules.md`` — every rule, from its module docstring (summary,
  explanation, bad and good example) and its registration (code, severity).
* ``docs/errors.md`` — every error code: the load-time codes PD000–PD005 (from
  :data:`LOAD_ERRORS` below, whose example messages are produced by running
  the loader on each entry's trigger) and every rule, whose example message is
  what ``perfdoc validate`` reports for the rule's own bad example.
* ``docs/schema.md`` — how to write a source file, one complete annotated
  example, and every key of :data:`perfdoc.load.schema.SOURCE_SCHEMA`.

The output depends only on the code, the formats and the example source, so
the test-suite regenerates the pages in memory and compares them with the
files in ``docs/``.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..errors import INTERNAL_ERROR_CODE, Diagnostic, Severity, SourceSyntaxError
from ..load.schema import NARRATIVE_SECTIONS, SOURCE_SCHEMA, Field, dotted, field_at, iter_fields

RULES_FILE = "rules.md"
ERRORS_FILE = "errors.md"
SCHEMA_FILE = "schema.md"

GENERATED = "<!-- 本文件由 `perfdoc docs` 生成，请勿手工修改：改动规则、结构定义或示例数据后重新运行 `perfdoc docs`。 -->"

# The example source shown in docs/schema.md, relative to the repository root.
EXAMPLE_SOURCE = Path("sources") / "hunan-linxiang" / "临湘市总工会" / "2022.yaml"
# When it is absent, the scaffold of this format is shown instead.
FALLBACK_FORMAT = ("hunan-linxiang", "临湘市总工会", 2022)

# File name shown in example messages (a name without a year, so PD107 does not compare it).
EXAMPLE_NAME = "示例.yaml"

# The keys every rule example is completed with, as the test-suite does.
_EXAMPLE_BASE = {
    "格式": "格式: guangzhou",
    "年度": "年度: 2022",
    "部门": "部门:\n  名称: 示例部门",
}

KIND_NAMES = {
    "text": "文本",
    "markdown": "Markdown",
    "int": "整数",
    "amount": "金额",
    "percent": "百分比",
    "score": "分数",
    "date": "日期",
    "phone": "电话",
    "year": "年度",
    "bool": "是否",
    "choice": "可选值",
    "map": "映射",
    "list": "列表",
}


# ---------------------------------------------------------------------------
# Load-time errors (perfdoc/loader.py)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadError:
    """One load-time code. ``trigger`` is file content that produces it (None: a missing file)."""

    code: str
    title: str
    causes: str
    fix: str
    trigger: bytes | None


LOAD_ERRORS = (
    LoadError(
        "PD000",
        "无法读取文件",
        "文件不存在、没有读取权限，或给出的路径是文件夹；或者它是符号链接、位于符号链接的文件夹之下，"
        "或是设备、管道等非普通文件（为安全起见不读取，也不显示其内容）。",
        "检查命令中的路径（是否在仓库根目录下运行、文件名中的年度是否写对），以及文件的读取权限。",
        None,
    ),
    LoadError(
        "PD001",
        "YAML 语法错误",
        "文件不能按 YAML 读取：缩进不一致、缺少冒号、引号或括号未闭合、用制表符（Tab）缩进、"
        "键不是简单文本，或文件为空。消息给出第一处问题的行列。",
        "到消息所指的行列检查：同一级的键左端对齐，只用空格缩进；值中含有“: ”或“ #”时在值两侧加引号；"
        "引号、括号成对。改好后再运行，后面的问题会接着报告。",
        "部门:\n  名称: 临湘市总工会\n 联系人: 李芷怡\n".encode("utf-8"),
    ),
    LoadError(
        "PD002",
        "文件编码不对",
        "文件不是 UTF-8 编码的文本：常见于 Windows 记事本或 Excel 另存的 GBK/GB18030、UTF-16 文件，"
        "或选错了文件（如 .docx、.xlsx）。",
        "在编辑器中“另存为”，编码选择 UTF-8（带不带 BOM 均可）；确认打开的是 .yaml 数据文件。",
        "格式: guangzhou\n年度: 2022\n部门:\n  名称: 临湘市总工会\n".encode("gbk"),
    ),
    LoadError(
        "PD003",
        "文件过大或结构异常",
        "文件超过 2 MB、条目超过 20 万个（锚点与别名展开）、嵌套超过 64 层，或使用了 YAML 合并键“<<”。"
        "一个部门一个年度的数据不会如此，perfdoc 拒绝读取以免耗尽内存。",
        "不使用锚点（&）、别名（*）和合并键（<<），把各项直接写出；确认没有把其他文件粘贴进来。",
        "格式: guangzhou\n年度: 2022\n基本: &基本 {名称: 临湘市总工会}\n部门:\n  <<: *基本\n".encode("utf-8"),
    ),
    LoadError(
        "PD004",
        "键重复",
        "同一层级中同一个键出现了两次。perfdoc 只采用第一次出现的值，并报告后一个。",
        "删除其中一个，或把两处的内容合并到一处。",
        "格式: guangzhou\n年度: 2022\n年度: 2023\n".encode("utf-8"),
    ),
    LoadError(
        "PD005",
        "文本中含有控制字符",
        "文本中有 XML（Word 文档）无法容纳的控制字符，常见于从 Word 或网页粘贴的文字。"
        "perfdoc 已自动删除这些字符，并给出警告。",
        "打开消息所指的行，确认删除后的文字无误；重新输入该行可消除警告。",
        "格式: guangzhou\n年度: 2022\n部门:\n  名称: 临湘市\x0b总工会\n".encode("utf-8"),
    ),
)


def load_error_example(entry: LoadError) -> Diagnostic:
    """Run the loader on ``entry.trigger`` and return the diagnostic it reports."""
    from ..load.loader import load_path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / EXAMPLE_NAME
        if entry.trigger is not None:
            path.write_bytes(entry.trigger)
        else:
            path = Path(folder) / "不存在" / EXAMPLE_NAME
        try:
            source = load_path(path)
        except SourceSyntaxError as exc:
            found = [Diagnostic(code=exc.code, message=exc.message, file=EXAMPLE_NAME, location=exc.location)]
        else:
            found = [d.located(EXAMPLE_NAME, d.location) for d in source.load_diagnostics]
    for diagnostic in found:
        if diagnostic.code == entry.code:
            return diagnostic
    raise RuntimeError(  # the table above no longer matches loader.py
        f"docgen.LOAD_ERRORS: {entry.code} 的示例输入没有产生 {entry.code}（得到 {[d.code for d in found]}）"
    )


# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------

# How to fix, by rule family (the third character of the code).
_FAMILY_FIX = {
    "1": "按消息所指的位置修改键名、层级或值的写法；消息中给出了应有的写法或最接近的已知键。",
    "2": "对照原始报表核对消息中列出的各项数字，改正写错的一项；计算数（合计、比率）可以删去，由 perfdoc 计算。",
    "3": "核对各指标的权重与得分、综合得分和评价等次；综合得分与等次可以删去，由 perfdoc 计算。",
    "4": "核对指标的目标值与实际值（数字和单位），以及是否标为已完成、得分是否与完成情况相符。",
    "5": "在叙述中用 `{{ … }}` 引用数字，而不是手写数字；引用的写法见 schema.md。",
    "6": "对照上一年度的文件（同一文件夹中的 <年度-1>.yaml）核对数字，或在叙述中说明变动原因。",
}


def example_source(fragment: str) -> str:
    """A rule example with the keys every source needs added in front."""
    present = {
        line.split(":", 1)[0]
        for line in fragment.splitlines()
        if line and not line.startswith((" ", "#", "-"))
    }
    head = [text for key, text in _EXAMPLE_BASE.items() if key not in present]
    return "\n".join(head) + "\n" + fragment


def rule_example_diagnostics(rule) -> tuple[list[Diagnostic], str]:
    """What ``perfdoc validate`` reports for ``rule``'s bad example: (its diagnostics, the text)."""
    from ..pipeline import check_text

    previous = rule.example("上年数据")
    text = example_source(rule.example("错误示例"))
    result = check_text(text, EXAMPLE_NAME, previous_text=example_source(previous) if previous else None)
    return [d for d in result.diagnostics if d.code == rule.code], text


def _md_inline(text: str) -> str:
    """reST-style ````code```` → Markdown ```code```."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def _explanation_markdown(text: str) -> list[str]:
    """A docstring explanation as Markdown: indented blocks become ```yaml blocks."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("    "):
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["```yaml", *block, "```"]
            continue
        stripped = line.strip()
        if stripped.endswith(("：", ":")) and _next_is_block(lines, i):
            out.append(f"**{stripped.rstrip('：:')}**")
        else:
            out.append(_md_inline(stripped))
        i += 1
    return _squeeze(out)


def _next_is_block(lines: list[str], i: int) -> bool:
    for line in lines[i + 1 :]:
        if line.strip():
            return line.startswith("    ")
    return False


def _squeeze(lines: list[str]) -> list[str]:
    """Collapse runs of blank lines and trim them at both ends."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line.rstrip())
    while out and not out[-1].strip():
        out.pop()
    return out


def _yaml_block(text: str) -> list[str]:
    return ["```yaml", *text.rstrip("\n").splitlines(), "```"]


def _families(rules) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for rule in rules:
        groups.setdefault(rule.family, []).append(rule)
    return list(groups.items())


def _anchor(code: str) -> str:
    return code.lower()


def rules_markdown() -> str:
    """docs/rules.md: every rule, grouped by family."""
    from ..rules import all_rules

    rules = all_rules()
    errors = sum(1 for r in rules if r.severity is Severity.ERROR)
    out = [
        GENERATED,
        "",
        "# 校验规则",
        "",
        "`perfdoc validate` 对每个数据文件运行下列全部规则，一次列出所有问题，"
        "每条写作 `文件:行:列: 代码 消息`，并附上该行原文与标记。",
        "",
        f"共 {len(rules)} 条规则：默认级别为错误的 {errors} 条，为警告的 {len(rules) - errors} 条。"
        "有错误时 `perfdoc validate` 以状态 1 退出、不能生成文档；只有警告时以状态 0 退出"
        "（加 `--strict` 时警告也算不通过）。个别规则对较轻的情形只给出警告，消息中会标明“（警告）”。",
        "",
        "每条规则都附有错误示例和正确示例（只写出相关的键；`格式`、`年度`、`部门.名称` 等必填项从略）。"
        "测试会逐条运行这些示例：错误示例必须被报告，正确示例必须通过。"
        "各代码的示例消息与改法见 [errors.md](errors.md)，数据文件的写法见 [schema.md](schema.md)。",
        "",
        "## 目录",
        "",
    ]
    for family, members in _families(rules):
        out.append(f"- {family}")
        for rule in members:
            out.append(f"  - [{rule.code}](#{_anchor(rule.code)}) {rule.summary}（{rule.severity.label}）")
    out.append("")
    for family, members in _families(rules):
        out += [f"## {family}", ""]
        for rule in members:
            out += [f'<a id="{_anchor(rule.code)}"></a>', "", f"### {rule.code} {rule.summary}", ""]
            out += [f"- 级别：{rule.severity.label}", f"- 名称：`{rule.name}`", ""]
            explanation = _explanation_markdown(rule.explanation)
            if explanation:
                out += explanation + [""]
            for heading in ("错误示例", "正确示例"):
                example = rule.example(heading)
                if example.strip():
                    out += [f"**{heading}**", ""] + _yaml_block(example) + [""]
    return "\n".join(_squeeze(out)) + "\n"


# ---------------------------------------------------------------------------
# Error codes
# ---------------------------------------------------------------------------


def _message_block(diagnostic: Diagnostic, text: str | None) -> list[str]:
    from ..report import format_text

    rendered = format_text([diagnostic], {diagnostic.file: text} if text is not None else {})
    return ["```text", *rendered.splitlines(), "```"]


def _fix_diff(bad: str, good: str) -> list[str]:
    diff = list(difflib.unified_diff(bad.splitlines(), good.splitlines(), lineterm="", n=2))[2:]
    lines = [line for line in diff if not line.startswith("@@")]
    return ["```diff", *lines, "```"] if lines else []


def errors_markdown() -> str:
    """docs/errors.md: every error code with an example message and how to fix it."""
    from ..rules import all_rules

    rules = all_rules()
    out = [
        GENERATED,
        "",
        "# 错误代码",
        "",
        "`perfdoc validate` 的每条消息写作 `文件:行:列: 代码 消息`，其后是该行原文和标记；"
        "警告在消息前标“（警告）”，有“= 提示”一行时给出算法或线索。"
        "`perfdoc validate --format json` 输出同样的内容供工具使用。",
        "",
        "- **PD000–PD005**：读取文件时的问题。出现 PD000–PD003 时文件无法读取，其他检查都不会进行，请先改正它。",
        "- **PD101 起**：校验规则，详见 [rules.md](rules.md)。",
        f"- **{INTERNAL_ERROR_CODE}**：perfdoc 自身在这个文件上出错（内部错误，是 perfdoc 的缺陷，请报告）。"
        "只影响这一个文件，其他文件照常检查和生成。",
        "",
        "下面每个代码给出一条真实的示例消息（由 `perfdoc docs` 对示例输入运行 perfdoc 得到）和改法。",
        "",
        "## 目录",
        "",
        "| 代码 | 级别 | 含义 |",
        "| --- | --- | --- |",
    ]
    load_examples = [(entry, load_error_example(entry)) for entry in LOAD_ERRORS]
    for entry, diagnostic in load_examples:
        out.append(f"| [{entry.code}](#{_anchor(entry.code)}) | {diagnostic.severity.label} | {entry.title} |")
    for rule in rules:
        out.append(f"| [{rule.code}](#{_anchor(rule.code)}) | {rule.severity.label} | {rule.summary} |")
    out += ["", "## 读取文件（PD000–PD005）", ""]
    for entry, diagnostic in load_examples:
        out += [f'<a id="{_anchor(entry.code)}"></a>', "", f"### {entry.code} {entry.title}", ""]
        out += [f"- 级别：{diagnostic.severity.label}", f"- 原因：{entry.causes}", f"- 改法：{entry.fix}", ""]
        text, note = _printable(entry.trigger)
        if entry.trigger is not None:
            out += [f"示例输入{note}：", ""] + _yaml_block(text) + [""]
        else:
            out += [f"示例：对不存在的文件运行 `perfdoc validate {EXAMPLE_NAME}`。", ""]
        excerpt = text if entry.trigger is not None and not note else None
        out += ["示例消息：", ""] + _message_block(diagnostic, excerpt) + [""]
    for family, members in _families(rules):
        out += [f"## {family}", ""]
        fix = _FAMILY_FIX.get(family_digit(members[0].code), "")
        if fix:
            out += [f"一般改法：{fix}", ""]
        for rule in members:
            out += [f'<a id="{_anchor(rule.code)}"></a>', "", f"### {rule.code} {rule.summary}", ""]
            out += [f"- 级别：{rule.severity.label}", f"- 说明与示例：[rules.md › {rule.code}](rules.md#{_anchor(rule.code)})", ""]
            diagnostics, text = rule_example_diagnostics(rule)
            if diagnostics:
                out += ["示例消息（规则的错误示例）：", ""] + _message_block(diagnostics[0], text) + [""]
            else:
                out += [f"示例消息：{rule.summary}", ""]
            diff = _fix_diff(rule.example("错误示例"), rule.example("正确示例"))
            if diff:
                out += ["改法（错误示例 → 正确示例）：", ""] + diff + [""]
    return "\n".join(_squeeze(out)) + "\n"


def family_digit(code: str) -> str:
    return code[2] if len(code) > 2 else ""


def _printable(raw: bytes | None) -> tuple[str, str]:
    """Trigger bytes as text for the docs, and a note on how they differ from what is shown."""
    if raw is None:
        return "", ""
    note = ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text, note = raw.decode("gb18030"), "（以 GBK 编码保存）"
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    if control.search(text):
        text = control.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
        note = note or "（<U+…> 表示被删除的控制字符）"
    return text, note


# ---------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------


def is_derived(field: Field) -> bool:
    from .scaffold import is_derived as derived

    return derived(field)


def kind_name(field: Field) -> str:
    if field.kind == "map" and field.open:
        return "映射（键自定）"
    name = KIND_NAMES.get(field.kind, field.kind)
    if field.kind == "choice" and field.choices:
        name += "：" + "／".join(map(str, field.choices))
    return name


def schema_rows(schema: Field = SOURCE_SCHEMA, prefix: str = ""):
    """Yield ``(path, field)`` for every key: ``机构收支[].支出.人员支出明细.<名称>``."""
    if schema.kind == "map" and schema.open and schema.item is not None:
        path = f"{prefix}.<名称>" if prefix else "<名称>"
        yield path, schema.item
        yield from schema_rows(schema.item, path)
    elif schema.kind == "map":
        for key, child in schema.fields.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path, child
            yield from schema_rows(child, path)
    elif schema.kind == "list" and schema.item is not None:
        path = f"{prefix}[]"
        if schema.item.kind not in ("map", "list"):
            yield path, schema.item
        yield from schema_rows(schema.item, path)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _description(field: Field) -> str:
    doc = _md_inline(field.doc)
    extras = []
    if field.kind == "amount" and field.signed and not field.derived:
        extras.append("可为负数")
    if field.example is not None:
        extras.append(f"例：`{_example_text(field)}`")
    if extras:
        doc += "（" + "；".join(extras) + "）"
    return _cell(doc)


def _example_text(field: Field) -> str:
    from .scaffold import yaml_scalar

    value = field.example
    if field.kind == "date":
        return str(value)
    if field.kind == "amount" and isinstance(value, (int, float)) and not isinstance(value, bool):
        from ..numbers import format_amount_as_written

        return format_amount_as_written(Decimal(str(value)))
    return yaml_scalar(value)


def find_example_source() -> Path | None:
    """The example source file, in the repository or under the working directory."""
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = root / EXAMPLE_SOURCE
        if candidate.is_file():
            return candidate
    return None


def example_text() -> tuple[str, str, bool]:
    """(display path, YAML text, taken from a real source) for the complete example."""
    from ..load.inputs import read_input
    from ..load.loader import MAX_FILE_BYTES

    path = find_example_source()
    if path is not None:
        try:
            return EXAMPLE_SOURCE.as_posix(), read_input(path, MAX_FILE_BYTES).decode("utf-8-sig"), True
        except OSError:
            pass  # a link or a device where the example should be: the skeleton below, and nothing of it in the docs
    from .scaffold import scaffold_yaml

    fmt, department, year = FALLBACK_FORMAT
    return f"sources/{fmt}/{department}/{year}.yaml", scaffold_yaml(fmt, department, year), False


def annotate(text: str) -> str:
    """Add each key's schema description as a comment at the end of its line.

    Lines that already hold a comment (or a ``#`` anywhere), lines whose
    value runs onto the next line, entries of open mappings (明细) and very
    long lines are left alone. The result is checked to read back as the same
    data; if it does not, the text is returned unchanged.
    """
    from ..load.loader import load_text
    from .scaffold import DERIVED_NOTE

    try:
        source = load_text(text)
    except SourceSyntaxError:
        return text
    lines = text.splitlines()
    keys_by_line: dict[int, list] = {}
    for path, location in source.key_positions.items():
        keys_by_line.setdefault(location.line, []).append((location.col, path))
    for number, keys in sorted(keys_by_line.items()):
        line = lines[number - 1]
        if "#" in line or _display_width(line) > 100:
            continue
        col, path = min(keys)
        parent = field_at(path[:-1])
        if parent is not None and parent.kind == "map" and parent.open:
            continue
        value = source.positions.get(path)
        after = line[col - 1 :].split(":", 1)[-1].strip()
        block_scalar = after[:1] in ("|", ">")
        if value is not None and value.line == number and not block_scalar:
            if value.end_line is not None and value.end_line != number:
                continue
        if "{" in line[: col - 1]:
            field = parent  # a flow mapping on one line: describe the mapping
        else:
            field = field_at(path)
        if field is None:
            continue
        note = " ".join(field.doc.split())
        if note == path[-1] and not field.derived:
            continue  # the key says it all
        if field.derived:
            note = note.replace("（自动计算）", "") + DERIVED_NOTE
        lines[number - 1] = f"{line}  # {note}"
    annotated = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    try:
        if load_text(annotated).data != source.data:
            return text
    except SourceSyntaxError:
        return text
    return annotated


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# A small source for the reference examples: every figure in it is shown rendered.
_REFERENCE_SOURCE = """\
格式: guangzhou
年度: 2022
部门:
  名称: 示例部门
预算:
  年初预算: 643.45
  调整数: 12.1
  实际支出:
    一般公共预算: 608.57
机构收支:
  - 名称: 机关
    支出:
      人员支出明细:
        基本工资: 95.45
        津补贴: 27.74
      公用支出: 24.1035
      项目支出: "1123600元"
"""

_REFERENCES = (
    ("{{ 预算.调整后预算 }}", "年初预算 + 调整数，计算所得"),
    ("{{ 预算.调整数 }}", "写作 12.1，显示为两位小数"),
    ("{{ 预算.调整后预算|万元(1) }}", "万元：指定小数位数，四舍五入"),
    ("{{ 预算.预算完成率 }}", "比率默认两位小数"),
    ("{{ 预算.预算完成率|百分比(1) }}", "百分比：指定小数位数"),
    ("{{ 机构收支[1].支出.人员支出 }}", "由明细合计；列表从 [1] 开始编号，与表格和 perfdoc show 相同"),
    ("{{ 收支合计.支出.项目支出 }}", "写作“1123600元”：换算为万元，精确到元即万元的 4 位小数"),
    ("{{ 收支合计.支出.项目支出|万元 }}", "需要两位小数时加 万元"),
    ("{{ 机构收支[1].支出.公用支出 }}", "写了四位小数，照写出的精度显示"),
    ("{{ 机构收支[1].支出.公用支出|万元 }}", "万元：固定两位小数"),
    ("{{ 机构收支[1].支出.公用支出|原值 }}", "原值：至少两位，写得更多时照写出的位数"),
)

_FILTER_NOTES = {
    "万元": "金额，固定小数位（默认 2 位，`万元(1)` 为 1 位），四舍五入",
    "原值": "金额，按写出的精度：至少 2 位小数，写得更多时照写",
    "百分比": "比率，如 92.83%（默认 2 位，`百分比(1)` 为 1 位）",
    "中文日期": "日期写成 2023年03月27日",
    "中文数字": "1 → 一，12 → 十二",
    "序号": "1 → 一、",
    "小序号": "1 → （一）",
    "圈号": "1 → ①",
    "姓名": "两字姓名中间加空格，与三字姓名等宽",
    "分数": "分数，去掉多余的 0",
}


def _reference_rows() -> list[tuple[str, str, str]]:
    from ..render.narrative import NarrativeError, render_references
    from ..pipeline import check_text

    result = check_text(_REFERENCE_SOURCE, "2022.yaml")
    if result.context is None:
        return []
    values = result.context.figures.values
    rows = []
    for reference, note in _REFERENCES:
        try:
            rows.append((reference, render_references(reference, values), note))
        except NarrativeError:
            continue
    return rows


def _filter_rows() -> list[tuple[str, str]]:
    from ..render.present import FILTERS

    names: dict[object, list[str]] = {}
    for name, function in FILTERS.items():
        names.setdefault(function, []).append(name)
    rows = []
    for function, aliases in names.items():
        chinese = [a for a in aliases if not a.isascii()]
        main = chinese[0] if chinese else aliases[0]
        note = _FILTER_NOTES.get(main) or (function.__doc__ or "").strip().splitlines()[0:1]
        if isinstance(note, list):
            note = note[0] if note else ""
        rows.append(("、".join(f"`{a}`" for a in aliases), _md_inline(str(note))))
    return rows


def _derived_summary() -> list[str]:
    """The derived figures, one line each; blocks of nothing but derived figures as one line."""
    out = []

    def walk(field: Field, path: str):
        if field.kind == "map" and not field.open:
            for key, child in field.fields.items():
                child_path = f"{path}.{key}" if path else key
                if is_derived(child) and child.kind == "map":
                    out.append(f"- `{child_path}`：{_md_inline(' '.join(child.doc.split()))}")
                elif child.derived:
                    out.append(f"- `{child_path}`：{_md_inline(' '.join(child.doc.split()))}")
                else:
                    walk(child, child_path)
        elif field.kind == "list" and field.item is not None:
            walk(field.item, f"{path}[]")

    walk(SOURCE_SCHEMA, "")
    return out


def _stated_derived(data) -> list[str]:
    """Paths (``机构收支[].收入.收入合计``) of the derived figures a source states."""
    found: list[str] = []
    for path, field, value in iter_fields(data):
        if field.derived and value is not None and path:
            text = re.sub(r"\[\d+\]", "[]", dotted(path))
            if text not in found:
                found.append(text)
    return found


def schema_markdown() -> str:
    """docs/schema.md: one annotated example, how to write a source, every key."""
    out = [
        GENERATED,
        "",
        "# 数据文件写法与全部键",
        "",
    ]
    out += _intro_sections()
    out += _example_section()
    out += _units_section()
    out += _derived_section()
    out += _references_section()
    out += _validation_section()
    out += _keys_section()
    return "\n".join(_squeeze(out)) + "\n"


def _intro_sections() -> list[str]:
    from ..load.formats import available_formats, load_format

    display = EXAMPLE_SOURCE.as_posix()
    return [
        "每个部门每个年度一个 YAML 文件：`sources/<格式>/<部门>/<年度>.yaml`，例如 "
        f"`{display}`。perfdoc 校验它、计算全部派生数字，并按格式生成正式的 Word 文档。"
        "本页先给出一份完整的带注释示例，再说明金额单位、填报数与计算数、叙述中的数字引用和校验，最后逐项列出全部键。",
        "",
        "相关文档：[rules.md](rules.md)（全部校验规则）、[errors.md](errors.md)（每个错误代码的示例消息与改法）。",
        "",
        "## 从零开始",
        "",
        "1. `perfdoc formats` 列出可用的文档格式："
        + "、".join(f"`{name}`（{load_format(name).description}）" for name in available_formats())
        + "。",
        "2. `perfdoc new --format hunan-linxiang --department 某某单位 --year 2023` 生成骨架文件 "
        "`sources/hunan-linxiang/某某单位/2023.yaml`：每个键后面都有中文注释，可选项和示例以 `# ` 开头注释掉。",
        "3. 对照原始报表和下面的示例逐项填写。不需要的键整行删除；不要留下值为空的键。",
        "4. `perfdoc validate sources/hunan-linxiang/某某单位/2023.yaml` 检查，一次列出全部问题，"
        "每条写作 `文件:行:列: 代码 消息`。改到没有错误为止（警告说明尚未填写的内容或值得再核对的数字）。",
        "5. `perfdoc show <文件>` 列出输入的和计算出的全部数字；`perfdoc build` 生成文档。",
        "",
        "YAML 的基本写法：`键: 值`，冒号后有一个空格；下一级内容比上一级多缩进两个空格（只用空格，不用 Tab）；"
        "列表每项以 `- ` 开头；`#` 之后到行尾是注释；多行文字写成 `键: |`，内容另起一行并缩进。"
        "电话号码等以数字开头、但不是数的值加引号：`联系电话: \"0730-3723153\"`。",
        "",
    ]


def _example_section() -> list[str]:
    from ..pipeline import check_text

    display, text, real = example_text()
    checked = check_text(text, display)
    errors, warnings = len(checked.errors), len(checked.warnings)
    data = checked.context.data if checked.context is not None else {}
    stated = _stated_derived(data)
    out = ["## 完整示例", ""]
    if real:
        out.append(
            f"下面是 `{display}` 的全文，可以照着它写自己的文件。行尾以 `#` 开头的简短说明由 `perfdoc docs` "
            "按结构定义添加（原文件中没有），原文件自带的注释照原样保留；每个键的详细说明见文末“全部键”。"
        )
    else:
        out.append(f"下面是 `perfdoc new` 为 `{display}` 生成的骨架；每个键的详细说明见文末“全部键”。")
    out.append("")
    verdict = "没有错误" if not errors else f"{errors} 个错误"
    line = f"`perfdoc validate` 对它的结果：{verdict}，{warnings} 个警告。"
    if stated and not errors:
        line += (
            f"文件中照抄原表填写了 {len(stated)} 处计算数（{'、'.join(f'`{p}`' for p in stated)}），"
            "perfdoc 已逐一与计算结果核对。"
        )
    out += [line, "", *_yaml_block(annotate(text) if real else text), ""]
    return out


def _units_section() -> list[str]:
    from ..numbers import AMOUNT_MIN_DECIMALS, MAX_DECIMALS

    return [
        "## 金额与单位",
        "",
        "- 金额默认以**万元**为单位：`年初预算: 643.45` 即 643.45 万元。"
        "文件顶层写 `金额单位: 元` 时，不带单位的金额按元计。",
        "- 单个金额也可以带单位写成文字：`公务接待费: \"5600元\"`（即 "
        f"{_wan('5600元')} 万元）、`年初预算: \"1,234.50 万元\"`、`调整数: 180万`（“万”即“万元”），perfdoc 换算为万元。"
        "全角的数字、小数点、逗号和百分号（`１２３．４５`、`63.9％`）按半角读取。"
        "以元填写的金额在文档中与以万元填写的一样显示（`34822000元` 显示为 3482.20 万元）。",
        "- **写几位小数就表示精确到几位**：perfdoc 按写出的数字计算，不做浮点近似。万元金额至少按 "
        f"{AMOUNT_MIN_DECIMALS} 位小数（百元）看待——`12.1` 当作 12.10（代表 "
        f"{_interval_text(Decimal('12.1'), AMOUNT_MIN_DECIMALS)}），写得更多如 `229.6431` 则按 "
        f"{_interval_text(Decimal('229.6431'), AMOUNT_MIN_DECIMALS)} 核对。"
        f"小数位数上限：万元 {MAX_DECIMALS['万元']} 位、元 {MAX_DECIMALS['元']} 位（都到分）。",
        "- 合计与明细的核对按各数的精度进行（区间算术）：八项各四舍五入到 0.01 的明细，"
        "其和与原表合计相差 0.01 属正常，不报错；相差更多才报告（PD201）。",
        "- 比率写作带 % 的文字并加引号：`预算完成率: \"92.83%\"`；写成小于 1 的小数（`0.0661`）会被拒绝并提示改写为 `\"6.61%\"`；"
        "按写出的位数核对，`\"62.7%\"` 表示 "
        f"{_interval_text(Decimal('62.7'), 0, '%')} 之间。",
        "- 金额不能为负数，只有调整数（调减）可以：`调整数: -12.10`。`-0.00` 就是 0，"
        "文档和消息中写作 `0.00`（四舍五入为零的数都不带负号）。",
        "- 人数、个数写整数；分数（权重、得分、综合得分）写数字。",
        "",
    ]


def _derived_section() -> list[str]:
    return [
        "## 填报数与计算数",
        "",
        "下列数字由 perfdoc 从其他数字算出（在“全部键”中标为“计算”），**不必填写**，文档中使用计算结果。"
        "照抄旧文档时也可以填上原表中的数字：perfdoc 按上面的精度核对它与计算结果是否一致"
        "（合计不符报 PD201，比率不符报 PD202），一致时采用填写的数。",
        "",
        *_derived_summary(),
        "",
        "综合得分在每个指标都有得分时自动计算，评价等次按格式的等次划分确定；"
        "填写的综合得分和等次同样会被核对（PD303、PD304）。",
        "",
    ]


def _references_section() -> list[str]:
    return [
        "## 叙述中引用数字",
        "",
        "`叙述` 下的各章节用 Markdown 书写（`键: |` 后另起一行）。文中的数字不要手写，而是引用："
        "`全年预算数{{ 预算.调整后预算 }}万元` 在文档中写成文件中填写的（或计算出的）数字。这样一个数只填一次，"
        "数据改了，叙述跟着变；手写的数字与已知数字只差一位时，perfdoc 会提示疑似笔误（PD502）。",
        "",
        "- 引用的路径就是键的路径，用 `.` 连接；列表中的项用从 0 开始的序号：`机构收支[0].收入.收入合计` "
        "是第一个机构的收入合计（校验消息中的位置则从 1 数起：`机构收支[1]`）。",
        "- 计算数同样可以引用：`预算.调整后预算`、`预算.预算完成率`、`收支合计.支出.基本支出`（各机构之和）、"
        "`项目合计.实际支出` 等。",
        "- `|` 后写过滤器，控制数字的写法：`{{ 预算.预算完成率|百分比(1) }}`。金额不加过滤器时至少两位小数。",
        "- 引用中可以做四则运算、加过滤器（如 `{{ 预算.调整后预算|万元 }}`）、写 `{% if %}…{% endif %}` 条件；"
        "不能使用循环、赋值、宏和函数调用，也不能用 `%` 格式化文字，展开后的文字不超过 20 万字。",
        "- 引用的名称不存在、括号不配对、用了上述不允许的写法时报 PD501，并给出叙述中的行。",
        "",
        "以下面的数据为例（表中“文档中显示”一栏由 perfdoc 实际计算得到）：",
        "",
        *_yaml_block(_REFERENCE_SOURCE),
        "",
        "| 叙述中写 | 文档中显示 | 说明 |",
        "| --- | --- | --- |",
        *[f"| `{_cell(ref)}` | {_cell(value)} | {_cell(note)} |" for ref, value, note in _reference_rows()],
        "",
        "全部过滤器：",
        "",
        "| 过滤器 | 作用 |",
        "| --- | --- |",
        *[f"| {_cell(names)} | {_cell(note)} |" for names, note in _filter_rows()],
        "",
    ]


def _validation_section() -> list[str]:
    return [
        "## 校验",
        "",
        "`perfdoc validate`（不带参数时检查 `sources/` 下全部文件）运行 [rules.md](rules.md) 中的全部规则："
        "结构（未知的键、缺少必填项、值的写法）、合计与比率、评分与等次、绩效指标、叙述中的数字，"
        "以及与上一年度文件（同一文件夹中的 `<年度-1>.yaml`）的衔接。有错误时退出状态为 1，不能生成文档；"
        "只有警告时为 0，加 `--strict` 时为 1。`--format json` 输出机器可读的结果。"
        "每个错误代码的含义、示例消息和改法见 [errors.md](errors.md)。",
        "",
    ]


def _keys_section() -> list[str]:
    out = [
        "## 全部键",
        "",
        "路径写法：`a.b` 是 `a` 下的 `b`；`a[]` 表示 `a` 是列表，`a[].b` 是列表每一项中的 `b`；"
        "`<名称>` 是由你自己命名的键（如明细中的项目名）。“必填”指其上一级存在时必须写出；"
        "“计算”指由 perfdoc 计算、可不填（填写则核对）。",
        "",
        "类型：文本、Markdown（多行文字，可引用数字）、整数、金额（万元，见上）、百分比（如 \"92.83%\"）、"
        "分数、日期（2023-03-27）、电话（加引号）、年度（四位数）、是否（true/false 或 是/否）、"
        "可选值（只能写列出的几种）、映射（下一级是若干 `键: 值`）、列表（下一级是若干 `- ` 项）。",
        "",
        *_format_table(),
    ]
    header = ["| 路径 | 类型 | 必填 | 计算 | 说明 |", "| --- | --- | --- | --- | --- |"]
    scalars = [(key, field) for key, field in SOURCE_SCHEMA.fields.items() if field.kind not in ("map", "list")]
    if scalars:
        out += ["### 顶层的单个值", "", *header]
        out += [_key_row(key, field) for key, field in scalars]
        out.append("")
    for key, field in SOURCE_SCHEMA.fields.items():
        if field.kind not in ("map", "list"):
            continue
        out += [f"### {key}", "", _cell(_md_inline(" ".join(field.doc.split()))), "", *header]
        out += [_key_row(path, child) for path, child in [(key, field), *schema_rows(field, key)]]
        out.append("")
        if key == "叙述":
            out += _section_table()
    return out


def _key_row(path: str, field: Field) -> str:
    required = "是" if field.required else ""
    derived = "计算" if is_derived(field) else ""
    return f"| `{path}` | {kind_name(field)} | {required} | {derived} | {_description(field)} |"


def _format_table() -> list[str]:
    """Each format's documents and the data blocks they need."""
    from ..load.formats import available_formats, load_format

    formats = [load_format(name) for name in available_formats()]
    if not formats:
        return []
    out = [
        "各格式的文档需要的数据（未填写时 PD109 给出警告，文档中显示“【待填写】”标记）：",
        "",
        "| 格式 | 文档 | 需要的数据 |",
        "| --- | --- | --- |",
    ]
    for fmt in formats:
        documents = "、".join(doc.name for doc in fmt.documents)
        data = "、".join(f"`{key}`" for key in fmt.required_data) or "—"
        out.append(f"| `{fmt.name}` | {_cell(documents)} | {data} |")
    out.append("")
    return out


def _section_table() -> list[str]:
    """Which narrative sections each format's documents need."""
    from ..load.formats import available_formats, load_format

    formats = [load_format(name) for name in available_formats()]
    if not formats:
        return []
    out = ["各格式需要的叙述章节（✓）：", ""]
    out.append("| 章节 | " + " | ".join(f.name for f in formats) + " |")
    out.append("| --- |" + " --- |" * len(formats))
    for section in NARRATIVE_SECTIONS:
        marks = ["✓" if section in f.required_sections else "" for f in formats]
        out.append(f"| {section} | " + " | ".join(marks) + " |")
    out.append("")
    return out


def _wan(text: str) -> str:
    from ..numbers import parse_amount

    value, _unit = parse_amount(text)
    return f"{value.normalize():f}"


def _interval_text(value: Decimal, min_decimals: int, unit: str = "") -> str:
    from ..numbers import Interval

    interval = Interval.of_written(value, min_decimals)
    return f"{interval.low.normalize():f}{unit}～{interval.high.normalize():f}{unit}"


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def generate() -> dict[str, str]:
    """File name → content for every generated page."""
    from .formatdoc import FORMATS_FILE, formats_markdown

    return {
        RULES_FILE: rules_markdown(),
        ERRORS_FILE: errors_markdown(),
        SCHEMA_FILE: schema_markdown(),
        FORMATS_FILE: formats_markdown(),
    }


def write_docs(folder: Path) -> list[Path]:
    """Write docs/rules.md, docs/errors.md, docs/schema.md and docs/formats.md atomically; return their paths."""
    from ..build.writes import atomic_write_text

    folder = Path(folder)
    pages = generate()  # everything is generated before anything is written
    written = []
    for name, content in pages.items():
        path = folder / name
        atomic_write_text(path, content)
        written.append(path)
    return written
