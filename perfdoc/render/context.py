"""The render context: everything a .docx template can refer to.

:func:`build_context` turns the validated figures of one department-year into
the dictionary the templates are rendered with. It is a pure function of the
rule context (model, figures, format, previous year): no I/O, no clock.

The context is the figure tree (every input and derived figure, Chinese keys
as in the source file) with three kinds of additions:

* ``格式``  – the region format's name, options (地区、财政部门…) and labels;
* ``叙述``  – every narrative section as Markdown, figure references rendered;
* helpers  – rows shaped for tables (grouped indicators, tasks spanning their
  key indicators, padded evaluator rows, institution rows with a 合计 row…).

Every key the schema declares is present. A value the source does not give
is a :class:`Missing`: false in ``{% if %}``, and printed as a visible
``【待填写：预算.年初预算】`` marker naming what to write (for a derived figure,
the inputs it lacks), never as a hole in a sentence. ``待填写`` maps the dotted
names of unwritten lists and texts to such markers, for sentences built from
them. ``docs/templates.md`` documents the whole context for template authors.
"""

from __future__ import annotations

from decimal import Decimal

from ..compute.figures import year_over_year
from ..compute.indicators import parse_operator
from ..compute.projects import explanation_needed
from ..load.formats import place_of
from .narrative import NarrativeError, render_references, strip_references
from ..numbers import Amount
from ..load.format_schema import SCORABLE_RATES
from ..load.schema import MISSING as NOT_WRITTEN, NARRATIVE_SECTIONS, SOURCE_SCHEMA, BASIC_DATA_COLUMNS, Field, at_path, dotted, walk

BLANK = ""  # an empty text cell or label
MARKER_OPEN, MARKER_CLOSE = "【待填写：", "】"


class Missing(str):
    """A value the source does not give. False in templates; prints as a 【待填写：…】 marker."""

    paths: tuple

    def __new__(cls, paths):
        paths = tuple(paths)
        marker = super().__new__(cls, MARKER_OPEN + "、".join(dotted(p) for p in paths) + MARKER_CLOSE)
        marker.paths = paths
        return marker

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (Missing, (self.paths,))


MISSING = None  # a figure with no source path (a format option): printed blank

# The keys of 项目合计: the schema's, and 评价项目数, which is counted, never stated.
PROJECT_TOTAL_KEYS = (*SOURCE_SCHEMA.fields["项目合计"].fields, "评价项目数")

# Item numbering patterns for the 段落 filter's 编号 keyword. They live in the
# context because a pattern's braces cannot be written inside a {{p … }} tag.
LIST_NUMBERING = {"顿号": "{n}、", "括号": "（{n}）", "点": "{n}. "}



def build_context(ctx) -> dict:
    """The template context for one department-year (see the module docstring)."""
    figures = ctx.figures.values
    tree = _copied(figures)
    missing = ctx.figures.missing_inputs
    unwritten: dict = {}
    tree = _fill(tree, SOURCE_SCHEMA, (), missing, unwritten)
    tree["收支合计"] = _fill(tree.get("收支合计") or {}, SOURCE_SCHEMA.fields["机构收支"].item, ("收支合计",), missing, {})
    totals = tree.get("项目合计") or {}
    tree["项目合计"] = {
        key: totals[key] if totals.get(key) is not None else Missing(missing(("项目合计", key))) for key in PROJECT_TOTAL_KEYS
    }
    # Narratives see the filled tree: a reference to a figure not yet known prints its marker.
    filled = {**tree}
    _render_markdown_fields(tree, filled)
    tree["叙述"] = narratives(ctx.model, filled)
    tree["格式"] = format_options(ctx.format, ctx.model)
    labels = tree["格式"]["标签"]
    tree.update(
        职能概述=duties_summary(tree["部门"]["职能职责"]) or Missing([("部门", "职能职责")]),
        预算调整=budget_adjustment(tree["预算"]["调整数"]),
        项目调整=budget_adjustment(tree["项目合计"]["调整数"]),
        资金来源=funding_sources(tree["预算"]["实际支出"]),
        任务表=task_rows(tree["任务"]),
        指标分组=indicator_groups(tree["指标"], labels),
        评价人员表=evaluator_rows(tree["评价人员"], ctx.format.evaluator_rows if ctx.format is not None else 0),
        收支表=institution_rows(tree["机构收支"], tree["收支合计"]),
        评价项目=[project for project in tree["项目"] if project.get("参与评价") is True],
        项目自评表=project_sheets(tree["项目自评"], labels, ctx.format),
        专项表=special_fund_rows(tree["基础数据"]),
        指标表行=hunan_indicator_rows(tree["指标表"], ctx.format.indicator_rules if ctx.format is not None else {}, tree),
        同比=year_over_year(ctx.figures, ctx.previous.figures) if ctx.previous is not None else {},
        编号=dict(LIST_NUMBERING),
        待填写=unwritten,
    )
    return tree


# --- the figure tree -------------------------------------------------------


def _copied(value):
    """``value`` with its dicts and lists copied: the leaves (numbers, text, dates) are immutable,
    and the figures share no container, so this is what ``copy.deepcopy`` gives, at a fifth of its cost."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _fill(value, schema: Field, path: tuple, missing, unwritten: dict):
    """``value`` with every key the schema declares present, by the schema's walk.

    An absent scalar becomes a :class:`Missing` naming what to write
    (``missing(path)``); an absent or empty list of the first two levels is
    recorded in ``unwritten`` under its dotted name. A mapping is filled in
    place; an open one (明细, 实际支出) keeps the user's keys only.
    """
    filled: dict = {}  # path → the mapping or list being filled there
    result = None
    for here, field, given in walk(value, schema, path, missing=True, into=_filled_inside):
        absent = given is None or given is NOT_WRITTEN
        if field.kind == "map":
            node = given if isinstance(given, dict) else {}
        elif field.kind == "list":
            node = []
            if absent and len(here) <= 2:  # not written at all; an empty list is a written “none”
                unwritten[dotted(here)] = Missing([here])
        else:
            node = Missing(missing(here)) if absent else given
        if here == path:
            result = node
        else:
            parent = filled.get(here[:-1])
            if parent is None:
                continue  # a value of an open mapping: kept as the user wrote it
            if type(parent) is list:
                parent.append(node)
            else:
                parent[here[-1]] = node
        if field.kind == "list" or (field.kind == "map" and not field.open):
            filled[here] = node
    return result


def _filled_inside(path, field, value) -> bool:
    """Where filling goes: into every fixed mapping, written or not, and into written lists."""
    return (field.kind == "map" and not field.open) or (field.kind == "list" and value is not NOT_WRITTEN)


def _render_markdown_fields(tree: dict, figures: dict) -> None:
    """Render figure references in Markdown fields outside 叙述 (项目.概述)."""
    for project in tree.get("项目") or []:
        if isinstance(project, dict) and isinstance(project.get("概述"), str):
            project["概述"] = _render(project["概述"], figures)


def _render(text: str, figures: dict) -> str:
    """Markdown with its figure references filled in; a broken reference renders blank.

    Validation (PD501) has already reported broken references with their position.
    """
    try:
        rendered = render_references(text, figures)
    except NarrativeError:
        rendered = strip_references(text)
    return rendered.strip()


def narratives(model: dict, figures: dict) -> dict:
    """Every narrative section, rendered; absent sections are blank strings."""
    written = model.get("叙述") or {}
    return {
        section: _render(written[section], figures) if isinstance(written.get(section), str) else BLANK
        for section in NARRATIVE_SECTIONS
    }


def format_options(fmt, model: dict) -> dict:
    """``格式``: the format's name, description, grades, labels and free options."""
    if fmt is None:
        return {"名称": model.get("格式"), "说明": BLANK, "标签": {"一级": {}, "二级": {}}, "等次": [], "总分": MISSING,
                "文字": {}, "项目资金来源": []}
    labels = fmt.labels or {}
    return {
        "地区": BLANK,
        "财政部门": BLANK,
        "文字": {},
        **fmt.options,
        "项目资金来源": list(fmt.fund_sources),
        **place_of(fmt, model),
        "名称": fmt.name,
        "说明": fmt.description,
        "标签": {"一级": dict(labels.get("一级") or {}), "二级": dict(labels.get("二级") or {})},
        "等次": [{"名称": grade.name, "最低分": grade.min_score} for grade in fmt.grades],
        "总分": fmt.total_score,
    }


# --- helpers for sentences ---------------------------------------------------


def duties_summary(duties: list) -> str:
    """职能职责 as one run of text: a single duty as is, several numbered ``1、…2、…``."""
    items = [str(item).strip() for item in duties if str(item).strip()]
    if len(items) == 1:
        return items[0]
    return "".join(f"{index}、{item}" for index, item in enumerate(items, 1))


def budget_adjustment(adjustment) -> dict:
    """A 年中调整数 as a direction and a size: ``{"方向": "调增", "金额": 12.10}``."""
    if not isinstance(adjustment, Decimal):
        return {"方向": "调增", "金额": adjustment if isinstance(adjustment, Missing) else MISSING}
    return {"方向": "调减" if adjustment < 0 else "调增", "金额": Amount(abs(adjustment))}


def funding_sources(actual_spending: dict) -> list:
    """预算.实际支出 by source, in the order written: ``[{"名称", "金额"}]``."""
    return [{"名称": name, "金额": amount} for name, amount in actual_spending.items()]


def compact_amount(value) -> str:
    """An amount without trailing zeros, as forms write task funds: 5.60 → ``5.6``."""
    if not isinstance(value, Decimal):
        return BLANK
    return format(value.normalize(), "f")


# --- helpers for tables -------------------------------------------------------


def task_rows(tasks: list) -> list:
    """主要任务, each spanning its key indicators (at least one row per task).

    A template loops ``{%tr for 任务 in 任务表 %}`` then ``{%tr for 指标 in
    任务.关键指标 %}`` and marks the task's own cells ``{% vm %}``, so each task
    is merged vertically over its indicators and its funds are shown once.
    """
    blank_indicator = {"名称": BLANK, "目标值": BLANK, "完成情况": BLANK}
    rows = []
    for number, task in enumerate(tasks, 1):
        funds = task.get("资金")
        rows.append({
            **task,
            "序号": number,
            "名称": task.get("名称") or f"任务{number}",
            "资金文字": f"{compact_amount(funds)}万元" if isinstance(funds, Decimal) else BLANK,
            "关键指标": list(task.get("关键指标") or []) or [dict(blank_indicator)],
        })
    return rows


def indicator_groups(indicators: list, labels: dict) -> list:
    """三级指标 grouped by 一级 then 二级, in order of first appearance.

    Returns ``[{"一级", "标签", "行": [row…]}]``. Each row is one table row:
    consecutive indicators of one 二级 group that share one 实际值 are merged
    into a single row (as the official form writes them). A row carries
    ``二级``/``二级标签``, ``二级首行`` (first row of its 二级 group, where the
    二级 cell starts its vertical merge), ``指标`` (the indicators, each with
    ``序号`` counted within the 二级 group and ``显示名`` “指标1：名称”),
    ``绩效目标`` (the 显示名 list, one paragraph each) and ``完成情况``.
    """
    level1_labels, level2_labels = labels.get("一级") or {}, labels.get("二级") or {}
    groups: dict = {}
    for item in indicators:
        level1, level2 = item.get("一级") or BLANK, item.get("二级") or BLANK
        groups.setdefault(level1, {}).setdefault(level2, []).append(item)
    out = []
    for level1, by_level2 in groups.items():
        rows = []
        for level2, items in by_level2.items():
            numbered = [
                {**item, "序号": number, "显示名": f"指标{number}：{item.get('名称') or BLANK}"}
                for number, item in enumerate(items, 1)
            ]
            for index, merged in enumerate(_merge_shared_actuals(numbered)):
                rows.append({
                    "二级": level2,
                    "二级标签": level2_labels.get(level2, level2),
                    "二级首行": index == 0,
                    "指标": merged,
                    "绩效目标": [item["显示名"] for item in merged],
                    "完成情况": merged[0].get("实际值") or BLANK,
                })
        out.append({"一级": level1, "标签": level1_labels.get(level1, level1), "行": rows})
    return out


# How the 项目支出绩效自评表 prints a comparison before the 指标值.
OPERATOR_SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def project_sheets(projects: list, labels: dict, fmt=None) -> list:
    """Each project of 项目自评 with ``指标分组``: its indicators as the form prints them.

    An unwritten ``执行说明`` is blank where the format's 须说明原因 does not ask for one.

    ``指标分组`` is ``[{"一级", "标签", "行": [row…]}]``, grouped by 一级 then 二级 in
    order of first appearance. A row is the indicator with ``二级标签``, ``二级首行``
    (where the 二级 cell starts its vertical merge), ``指标值文字`` (``≥1000人次``)
    and ``完成值文字`` (``1050人次``).
    """
    level1_labels, level2_labels = labels.get("一级") or {}, labels.get("二级") or {}
    out = []
    for project in projects:
        groups: dict = {}
        for item in project.get("指标") or []:
            groups.setdefault(item.get("一级") or BLANK, {}).setdefault(item.get("二级") or BLANK, []).append(item)
        sheet = []
        for level1, by_level2 in groups.items():
            rows = [
                {**_indicator_row(item), "二级标签": level2_labels.get(level2, level2), "二级首行": index == 0}
                for level2, items in by_level2.items()
                for index, item in enumerate(items)
            ]
            sheet.append({"一级": level1, "标签": level1_labels.get(level1, level1), "行": rows})
        unexplained = fmt is not None and fmt.explanation and not project.get("执行说明")
        if unexplained and not explanation_needed(project, project, fmt):
            project = {**project, "执行说明": BLANK}
        out.append({**project, "指标分组": sheet})
    return out


def _indicator_row(item: dict) -> dict:
    unit = item.get("度量单位") or BLANK
    operator = OPERATOR_SIGNS.get(parse_operator(item.get("指标性质")), item.get("指标性质") or BLANK)
    target, actual = item.get("指标值"), item.get("完成值")
    score, weight = item.get("得分"), item.get("分值")
    full_marks = isinstance(score, Decimal) and isinstance(weight, Decimal) and score == weight
    return {
        **item,
        # a qualitative target has no unit, and a target met in full has no deviation to explain
        "度量单位": item.get("度量单位") if item.get("度量单位") or _is_number_text(target) else BLANK,
        "偏差原因": BLANK if full_marks and not item.get("偏差原因") else item.get("偏差原因"),
        "指标性质符号": operator,
        "指标值文字": f"{operator}{target}{unit}" if target not in (None, "") else BLANK,
        "完成值文字": f"{actual}{unit if _is_number_text(actual) else BLANK}" if actual not in (None, "") else BLANK,
    }


def _is_number_text(text) -> bool:
    try:
        Decimal(str(text))
    except ArithmeticError:
        return False
    return True


def _merge_shared_actuals(items: list) -> list:
    """Runs of consecutive items with the same non-blank 实际值, as lists."""
    runs: list = []
    for item in items:
        actual = item.get("实际值") or BLANK
        if runs and actual and (runs[-1][-1].get("实际值") or BLANK) == actual:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


NOT_THIS_YEAR = "—"  # a 专项 row in a column of a year that had no such 专项


def special_fund_rows(basic: dict) -> list:
    """基础数据表: one row per 专项 of any column, ``{"名称", "上年决算", "本年预算", "本年决算"}``.

    A column that knows no 专项 at all shows its marker; one that knows others shows ``—``.
    """
    columns = {column: basic[column]["专项"] for column in BASIC_DATA_COLUMNS}
    names = dict.fromkeys(name for column in ("本年决算", "本年预算", "上年决算") for name in columns[column])
    return [
        {"名称": name, **{
            column: items.get(name, NOT_THIS_YEAR) if items else Missing([("基础数据", column, "专项")])
            for column, items in columns.items()
        }}
        for name in names
    ]


def hunan_indicator_rows(rows: list, rules: dict, tree: dict) -> list:
    """指标表 grouped by 一级 in order of first appearance: ``[{"一级", "行": [row…]}]``.

    A row is the indicator with ``二级首行`` (where its merged 二级 cell starts), ``评分标准``
    (the format's rule when not written) and ``比率`` (the rate a rule scores; blank for other rows).
    """
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.get("一级") or BLANK, []).append(row)
    out = []
    for level1, items in groups.items():
        shaped = []
        for index, row in enumerate(items):
            rule = rules.get(str(row.get("三级") or ""))
            rate, score = BLANK, row.get("得分")
            if rule is not None:
                rate = at_path(tree, SCORABLE_RATES[rule.rate])  # the filled tree: an unknown rate is its marker
                rate = rate if isinstance(rate, (Decimal, Missing)) else Missing([SCORABLE_RATES[rule.rate]])
                if isinstance(score, Missing) and isinstance(rate, Missing):
                    score = rate  # the rule scores an unknown rate: the score lacks what the rate lacks
            shaped.append({
                **row,
                "得分": score,
                "二级首行": not index or items[index - 1].get("二级") != row.get("二级"),
                "评分标准": row.get("评分标准") or (rule.describe() if rule is not None else BLANK),
                "比率": rate,
                "说明": row.get("说明") or BLANK,
            })
        out.append({"一级": level1, "行": shaped})
    return out


def evaluator_rows(people: list, minimum: int) -> list:
    """评价人员, padded with blank rows to the form's minimum (版式.评价人员行数 of the format)."""
    rows = [dict(person) for person in people]
    while len(rows) < minimum:
        rows.append({"姓名": BLANK, "职务": BLANK, "单位": BLANK})
    return rows


def institution_rows(institutions: list, totals: dict) -> list:
    """机构收支 rows for the 收支 tables, plus a 合计 row when there are several."""
    rows = list(institutions)
    if len(institutions) > 1:
        rows.append({**totals, "名称": "合计"})
    return rows

