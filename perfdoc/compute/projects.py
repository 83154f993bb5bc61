"""项目支出绩效自评表: each project's fund totals, 执行率, indicator scores, 总分 and 等次.

The scoring follows the format: the 预算执行率 points are the 指标外分项 whose
比率 is 项目资金执行率, the unmet indicators follow 评分.完成规则, the 等次
follow 等次. A figure the user states is checked against these by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import expr
from .indicators import parse_measure, parse_operator
from ..load.schema import FUND_COLUMNS, NATIONAL_FUND_SOURCES
from ..numbers import HUNDRED, fold_number_forms, points, round_half_up

PROJECT_RATE = "项目资金执行率"
_DIRECTION = {">=": "正向", ">": "正向", "<=": "反向", "<": "反向"}


@dataclass(frozen=True)
class ProjectIndicator:
    """One indicator of one project, as judged."""

    operator: str | None  # ">=", "<=", "=", … or None (none written, or unreadable)
    operator_unreadable: bool
    target: Decimal | None  # None: a qualitative (text) target
    actual: Decimal | None  # None: not written, or not a number
    actual_is_text: bool  # a 完成值 with no number in it ("已完成")
    unit_conflict: str  # the unit the 完成值 or 指标值 is written in when it differs from 度量单位
    met: bool | None
    expected: Decimal | None  # the score the rules give, None when they cannot say
    explanation: str = ""
    tier: object | None = None  # a qualitative indicator's 定性分档 tier (QualitativeTier), when known
    unknown_tier: str = ""  # a 完成程度 written that names no tier of the format

    @property
    def score_is_ceiling(self) -> bool:
        return self.met is False


@dataclass(frozen=True)
class ProjectResult:
    indicators: tuple  # ProjectIndicator per 指标 item
    rate_points: Decimal | None  # the 预算执行率 分值 of the format
    rate_score: Decimal | None
    total: Decimal | None
    grade: str | None


def project_funds(calc, index: int, fmt) -> None:
    """年度资金总额 per column over the format's fund sources, and 执行率 on that row (项目资金执行率)."""
    base = ("项目自评", index, "资金")
    sources = fmt.fund_sources if fmt is not None else NATIONAL_FUND_SOURCES
    for column in FUND_COLUMNS:
        calc.total(base + ("年度资金总额", column), [base + (source, column) for source in sources],
                   f"年度资金总额{column} = {' + '.join(sources)}")
    figures = {column: base + ("年度资金总额", column) for column in FUND_COLUMNS}
    calc.rate(("项目自评", index, "执行率"), PROJECT_RATE, figures)


def judge_projects(values: dict, model: dict, fmt) -> list:
    """A :class:`ProjectResult` per project of 项目自评, reading the computed 执行率 from ``values``."""
    out = []
    for index, project in enumerate(model.get("项目自评") or []):
        computed = (values.get("项目自评") or [{}] * (index + 1))[index]
        out.append(_judge_project(project, computed.get("执行率"), fmt))
    return out


def _judge_project(project: dict, rate, fmt) -> ProjectResult:
    indicators = tuple(_judge_indicator(item, fmt) for item in project.get("指标") or [])
    rule = next((item for item in fmt.outside_items if item.rate == PROJECT_RATE), None) if fmt else None
    rate_score = round_half_up(rule.score(rate), 2) if rule is not None and isinstance(rate, Decimal) else None
    scores = [item.get("得分") if isinstance(item.get("得分"), Decimal) else judged.expected
              for item, judged in zip(project.get("指标") or [], indicators)]
    total = None
    if rate_score is not None and scores and all(isinstance(score, Decimal) for score in scores):
        total = rate_score + sum(scores, Decimal(0))
    grade = fmt.grade_for(total) if fmt is not None and total is not None else None
    return ProjectResult(indicators, rule.points if rule else None, rate_score, total, grade)


def explanation_needed(project: dict, computed: dict, fmt) -> str:
    """Why the format's form asks this project to explain itself in its 原因 cell (执行说明), or ``""``.

    ``computed``: the project's figures (执行率, 年度资金总额). The cases are the format's
    须说明原因: a 执行率 below 执行率低于 (as the document shows it, to two decimals), and
    with 预算调整 a 全年预算数 other than the 年初预算数.
    """
    settings = fmt.explanation if fmt is not None else {}
    reasons = []
    below, rate = settings.get("执行率低于"), computed.get("执行率")
    if below is not None and isinstance(rate, Decimal) and round_half_up(rate, 2) < Decimal(below):
        reasons.append(f"预算执行率 {round_half_up(rate, 2)}% 未达到 {points(Decimal(below))}%")
    total = (computed.get("资金") or {}).get("年度资金总额") or {}
    opening, adjusted = total.get("年初预算数"), total.get("全年预算数")
    if settings.get("预算调整") is True and isinstance(opening, Decimal) and isinstance(adjusted, Decimal) and opening != adjusted:
        change = "追加" if adjusted > opening else "调减"
        reasons.append(f"年中预算{change}（年初预算数 {opening}，全年预算数 {adjusted}）")
    return "；".join(reasons)


def _plain_number(text, unit: str) -> tuple:
    """``1050`` → (1050, ""); ``95%`` → (95, "%"); ``1050人次`` → (1050, "人次"); ``已完成`` → (None, "").

    A number followed by other words (``12月底前``) is a qualitative value, not a number.
    """
    measure = parse_measure(text)
    if measure is None or measure.op is not None:
        return None, ""
    if measure.unit and measure.unit != "%" and not unit and not _is_unit(measure.unit):
        return None, ""
    return measure.number, measure.unit


def _is_unit(word: str) -> bool:
    """Units are short words (人次, 万元, 户): anything longer, or with 前/后/内, reads as words."""
    return len(word) <= 2 and not any(mark in word for mark in "前后内底")


def _judge_indicator(item: dict, fmt) -> ProjectIndicator:
    written_op = item.get("指标性质")
    operator = parse_operator(written_op)
    unreadable = written_op not in (None, "") and operator is None
    unit = fold_number_forms(str(item.get("度量单位") or "")).strip()  # ％ is %
    target, target_unit = _plain_number(item.get("指标值"), unit)
    actual, actual_unit = _plain_number(item.get("完成值"), unit) if target is not None else (None, "")
    expected_unit = unit or target_unit
    conflict = actual_unit if actual_unit and expected_unit and actual_unit != expected_unit else ""
    if not conflict and target_unit and unit and target_unit != unit:
        conflict = target_unit
    actual_is_text = target is not None and item.get("完成值") not in (None, "") and actual is None
    weight = item.get("分值")
    met = expected = None
    explanation = ""
    if target is not None and actual is not None and not conflict and not unreadable:
        op = operator or ">="
        met = {">=": actual >= target, "<=": actual <= target, ">": actual > target, "<": actual < target,
               "=": actual == target}[op]
        if isinstance(weight, Decimal):
            expected, explanation = _score(weight, op, met, target, actual, fmt)
    tier, unknown_tier = _qualitative_tier(item, fmt) if target is None else (None, "")
    return ProjectIndicator(operator, unreadable, target, actual, actual_is_text, conflict, met, expected, explanation,
                            tier, unknown_tier)


def _qualitative_tier(item: dict, fmt) -> tuple:
    """The 定性分档 tier of a qualitative indicator: its 完成程度, else what its 完成值 says.

    A 完成值 the same as the 指标值 (基本恢复 / 基本恢复) is the highest tier; a 完成值
    in other words (较好, 12月底前) says no tier, and nothing is checked.
    """
    if fmt is None or not fmt.qualitative_tiers:
        return None, ""
    written = item.get("完成程度")
    if written not in (None, ""):
        tier = fmt.tier_of(written)
        return (tier, "") if tier is not None else (None, str(written))
    actual, target = item.get("完成值"), item.get("指标值")
    if actual in (None, ""):
        return None, ""
    if target not in (None, "") and str(actual).strip() == str(target).strip():
        return fmt.qualitative_tiers[0], ""
    return fmt.tier_of(actual), ""


def _score(weight: Decimal, op: str, met: bool, target: Decimal, actual: Decimal, fmt) -> tuple:
    if met:
        return weight, "指标已达成，得满分"
    direction = _DIRECTION.get(op) or ("正向" if actual < target else "反向")
    formula = fmt.completion.get(direction) if fmt is not None else None
    if formula is None:
        return None, ""
    values = {"完成值": actual, "指标值": target}
    try:
        share = expr.evaluate(formula, lambda name: expr.Value(values[name], None)).value
    except expr.Undefined:
        return None, ""
    share = min(max(share, Decimal(0)), Decimal(1))
    score = round_half_up(weight * share, 2)
    return score, (f"未达成的{direction}指标得 分值 × {formula.text} = {points(weight)} × "
                   f"{expr.shown(formula, values)} = {points(score)}（{round_half_up(share * HUNDRED, 2)}%）")
