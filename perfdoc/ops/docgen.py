"""``perfdoc docs``: the reference pages in ``docs/``, generated from the code.

* ``docs/rules.md`` — every rule, from its module docstring (summary,
  explanation, bad and good example) and its registration (code, severity).
* ``docs/errors.md`` — every error code: the load-time codes PD000–PD005 (from
  :data:`perfdoc.errors.LOAD_ERRORS`, whose example messages are produced by
  running the loader on each entry's trigger) and every rule, whose example message is
  what ``perfdoc validate`` reports for the rule's own bad example.
* ``docs/schema.md`` — how to write a source file, one complete annotated
  example, and every key of :data:`perfdoc.load.schema.SOURCE_SCHEMA`.

The prose is Markdown in ``perfdoc/docs_src/``, one file per page, with
``@{name}`` where the generated parts go. The output depends only on the code,
the prose, the formats and the example source, so the test-suite regenerates
the pages in memory and compares them with the files in ``docs/``.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from ..errors import LOAD_ERRORS, Diagnostic, LoadError, Severity
from .ready import DOCUMENT_CHECKS
from ..load.schema import EACH_ITEM, MISSING, NARRATIVE_SECTIONS, SOURCE_SCHEMA, Field, dotted, field_at, iter_fields, walk

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
# Load-time errors (errors.LOAD_ERRORS)
# ---------------------------------------------------------------------------


def load_error_example(entry: LoadError) -> Diagnostic:
    """Run the loader on ``entry.trigger`` and return the diagnostic it reports."""
    from ..load.loader import load_path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / EXAMPLE_NAME
        if entry.trigger is not None:
            path.write_bytes(entry.trigger)
        else:
            path = Path(folder) / "不存在" / EXAMPLE_NAME
        found = [d.located(EXAMPLE_NAME, d.location) for d in load_path(path).diagnostics]
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
    contents, sections = [], []
    for family, members in _families(rules):
        contents.append(f"- {family}")
        for rule in members:
            contents.append(f"  - [{rule.code}](#{_anchor(rule.code)}) {rule.summary}（{rule.severity.label}）")
    for family, members in _families(rules):
        sections += [f"## {family}", ""]
        for rule in members:
            sections += [f'<a id="{_anchor(rule.code)}"></a>', "", f"### {rule.code} {rule.summary}", ""]
            sections += [f"- 级别：{rule.severity.label}", f"- 名称：`{rule.name}`", ""]
            explanation = _explanation_markdown(rule.explanation)
            if explanation:
                sections += explanation + [""]
            for heading in ("错误示例", "正确示例"):
                example = rule.example(heading)
                if example.strip():
                    sections += [f"**{heading}**", ""] + _yaml_block(example) + [""]
    return _page(
        RULES_FILE,
        rule_count=len(rules),
        error_rules=errors,
        warning_rules=len(rules) - errors,
        contents=contents,
        rules=sections,
    )


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
    contents, load_errors, sections = [], [], []
    load_examples = [(entry, load_error_example(entry)) for entry in LOAD_ERRORS]
    for entry, diagnostic in load_examples:
        contents.append(f"| [{entry.code}](#{_anchor(entry.code)}) | {diagnostic.severity.label} | {entry.title} |")
    for rule in rules:
        contents.append(f"| [{rule.code}](#{_anchor(rule.code)}) | {rule.severity.label} | {rule.summary} |")
    for entry, diagnostic in load_examples:
        load_errors += [f'<a id="{_anchor(entry.code)}"></a>', "", f"### {entry.code} {entry.title}", ""]
        load_errors += [f"- 级别：{diagnostic.severity.label}", f"- 原因：{entry.causes}", f"- 改法：{entry.fix}", ""]
        text, note = _printable(entry.trigger)
        if entry.trigger is not None:
            load_errors += [f"示例输入{note}：", ""] + _yaml_block(text) + [""]
        else:
            load_errors += [f"示例：对不存在的文件运行 `perfdoc validate {EXAMPLE_NAME}`。", ""]
        excerpt = text if entry.trigger is not None and not note else None
        load_errors += ["示例消息：", ""] + _message_block(diagnostic, excerpt) + [""]
    for family, members in _families(rules):
        sections += [f"## {family}", ""]
        fix = _FAMILY_FIX.get(family_digit(members[0].code), "")
        if fix:
            sections += [f"一般改法：{fix}", ""]
        for rule in members:
            sections += [f'<a id="{_anchor(rule.code)}"></a>', "", f"### {rule.code} {rule.summary}", ""]
            sections += [f"- 级别：{rule.severity.label}", f"- 说明与示例：[rules.md › {rule.code}](rules.md#{_anchor(rule.code)})", ""]
            diagnostics, text = rule_example_diagnostics(rule)
            if diagnostics:
                sections += ["示例消息（规则的错误示例）：", ""] + _message_block(diagnostics[0], text) + [""]
            else:
                sections += [f"示例消息：{rule.summary}", ""]
            diff = _fix_diff(rule.example("错误示例"), rule.example("正确示例"))
            if diff:
                sections += ["改法（错误示例 → 正确示例）：", ""] + diff + [""]
    documents = []
    for check in DOCUMENT_CHECKS:
        contents.append(f"| [{check.code}](#{_anchor(check.code)}) | {check.grade} | {check.title} |")
        documents += [f'<a id="{_anchor(check.code)}"></a>', "", f"### {check.code} {check.title}", ""]
        documents += [f"- 级别：{check.when}", f"- 原因：{check.causes}", f"- 改法：{check.fix}", ""]
        text = example_source(check.example)
        documents += ["示例输入：", ""] + _yaml_block(text) + [""]
        found = [d for d in document_check_diagnostics(text) if d.code == check.code]
        documents += ["示例消息（`perfdoc validate --ready`）：", ""] + _message_block(found[0], text) + [""]
    return _page(ERRORS_FILE, contents=contents, load_errors=load_errors, rules=sections, documents=documents)


def document_check_diagnostics(text: str) -> list[Diagnostic]:
    """What ``perfdoc validate --ready`` reports for a source's text."""
    from ..pipeline import check_text
    from .ready import readiness

    return readiness(check_text(text, EXAMPLE_NAME))


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


def kind_name(field: Field) -> str:
    if field.kind == "map" and field.open:
        return "映射（键自定）"
    name = KIND_NAMES.get(field.kind, field.kind)
    if field.kind == "choice" and field.format_choices:
        name += f"：格式的“指标名称.{field.format_choices}”中的名称"
    elif field.kind == "choice" and field.choices:
        name += "：" + "／".join(map(str, field.choices))
    return name


def schema_rows(schema: Field = SOURCE_SCHEMA, prefix: str = ""):
    """Yield ``(path, field)`` for every key: ``机构收支[].支出.人员支出明细.<名称>``."""
    for path, field, _ in walk(MISSING, schema):
        if path and not (path[-1] == EACH_ITEM and field.kind in ("map", "list")):  # a list of mappings: its keys
            yield _declared_path(path, prefix), field


def _declared_path(path: tuple, prefix: str = "") -> str:
    """``('机构收支', EACH_ITEM, '支出')`` → ``机构收支[].支出`` (after ``prefix``)."""
    out = prefix
    for step in path:
        out += "[]" if step == EACH_ITEM else (f".{step}" if out else str(step))
    return out


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

    source = load_text(text).source
    if source is None:
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
    return annotated if load_text(annotated).data == source.data else text


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
    if result.analysis is None:
        return []
    values = result.analysis.figures.values
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
    out, summarised = [], []
    for path, field, _ in walk(MISSING):
        if not path or any(path[: len(done)] == done for done in summarised):
            continue
        if field.computed and (field.derived or field.kind == "map"):
            out.append(f"- `{_declared_path(path)}`：{_md_inline(' '.join(field.doc.split()))}")
            summarised.append(path)
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
    """docs/schema.md: how to write a source, one annotated example, every key."""
    from ..load.formats import available_formats, load_format
    from ..numbers import AMOUNT_MIN_DECIMALS, MAX_DECIMALS

    return _page(
        SCHEMA_FILE,
        example_path=EXAMPLE_SOURCE.as_posix(),
        formats="、".join(f"`{name}`（{load_format(name).description}）" for name in available_formats()),
        example=_example_section(),
        wan_example=_wan("5600元"),
        amount_min_decimals=AMOUNT_MIN_DECIMALS,
        interval_short=_interval_text(Decimal("12.1"), AMOUNT_MIN_DECIMALS),
        interval_long=_interval_text(Decimal("229.6431"), AMOUNT_MIN_DECIMALS),
        interval_rate=_interval_text(Decimal("62.7"), 0, "%"),
        max_decimals_wan=MAX_DECIMALS["万元"],
        max_decimals_yuan=MAX_DECIMALS["元"],
        derived_figures=_derived_summary(),
        reference_source=_REFERENCE_SOURCE.rstrip("\n"),
        reference_rows=[f"| `{_cell(ref)}` | {_cell(value)} | {_cell(note)} |" for ref, value, note in _reference_rows()],
        filter_rows=[f"| {_cell(names)} | {_cell(note)} |" for names, note in _filter_rows()],
        format_table=_format_table(),
        key_tables=_key_tables(),
    )


def _example_section() -> list[str]:
    from ..pipeline import check_text

    display, text, real = example_text()
    checked = check_text(text, display)
    errors, warnings = len(checked.errors), len(checked.warnings)
    data = checked.analysis.data if checked.analysis is not None else {}
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


def _key_tables() -> list[str]:
    """The top-level values in one table, then one table of keys per block."""
    out = []
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
    derived = "计算" if field.computed else ""
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
    out = ["各格式的叙述章节：✓ 必需；○ 可不填写，不填写时由模板按数据写出（填写后只用填写的文字）；"
           "· 可选；空白表示本格式的文档不印这一章节（写了会有 PD114 警告）。", ""]
    out.append("| 章节 | " + " | ".join(f.name for f in formats) + " |")
    out.append("| --- |" + " --- |" * len(formats))

    def mark(fmt, section: str) -> str:
        if section in fmt.required_sections:
            return "✓"
        if section in fmt.generated_sections:
            return "○"
        return "·" if fmt.printed_sections is None or section in fmt.printed_sections else ""

    for section in NARRATIVE_SECTIONS:
        marks = [mark(f, section) for f in formats]
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

_SLOT = re.compile(r"@\{(\w+)\}")


def _page(name: str, **parts) -> str:
    """The page ``name``: its prose in ``docs_src/`` with each ``@{part}`` filled in (a list: one line each)."""
    from importlib.resources import files

    prose = files("perfdoc").joinpath("docs_src", name).read_text(encoding="utf-8")

    def fill(match: re.Match) -> str:
        value = parts[match.group(1)]
        return "\n".join(value) if isinstance(value, list) else str(value)

    return "\n".join(_squeeze([GENERATED, "", *_SLOT.sub(fill, prose).splitlines()])) + "\n"



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
