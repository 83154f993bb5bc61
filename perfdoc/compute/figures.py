"""Derived figures: pure functions from the typed model (and its format).

Every derived figure is recorded as a :class:`Derivation` that keeps its
operands, so a rule can explain a mismatch and judge rounding by intervals.
Where a user stated a derived figure and it is consistent with the computed
one, the stated figure is used downstream: it is the more precise of the two
(a stated total of rounded items carries the unrounded sum).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import expr
from .indicators import judge_indicator
from .projects import judge_projects, project_funds
from ..numbers import AMOUNT_MIN_DECIMALS, HUNDRED, Amount, Interval, Percent, plain, round_half_up
from ..load.format_schema import SCORABLE_RATES
from ..load.schema import ASSET_ITEMS, BASIC_DATA_COLUMNS, INCOME_ITEMS, PROJECT_SUMS, THREE_PUBLIC_ITEMS, at_path

CATEGORY_ITEMS = frozenset(INCOME_ITEMS) | frozenset(THREE_PUBLIC_ITEMS) | frozenset(ASSET_ITEMS)

# Inputs that record a change to a budget; left unwritten, no change happened.
CHANGES = frozenset({"调整数", "上年结余", "上年结转"})

@dataclass(frozen=True)
class Term:
    path: tuple
    value: Decimal
    interval: Interval


@dataclass(frozen=True)
class Derivation:
    path: tuple
    kind: str  # "sum" or "ratio"
    formula: str  # Chinese, for messages: "收入合计 = 各项收入之和"
    operands: tuple  # of (sign, Term); for a ratio: (numerator, denominator)
    computed: Decimal | None
    interval: Interval | None
    stated: Decimal | None = None
    shown: str = ""  # the formula with its figures' values: "实际支出合计 500.00 ÷ 调整后预算 510.00"
    undefined: str = ""  # why a rate has no value: "除数为 0 而被除数不为 0"
    missing: tuple = ()  # paths of the unwritten inputs that keep ``computed`` unknown

    @property
    def computable(self) -> bool:
        return not self.missing

    @property
    def stated_interval(self) -> Interval | None:
        if self.stated is None:
            return None
        return Interval.of_written(self.stated, AMOUNT_MIN_DECIMALS if self.kind == "sum" else 0)

    @property
    def consistent(self) -> bool:
        if self.stated is None or self.missing:
            return True  # nothing to check against: an unknown is not a disagreement
        if self.interval is None:
            return self.computed is not None and self.stated == self.computed
        return self.stated_interval.overlaps(self.interval)

    @property
    def best(self) -> Decimal | None:
        if self.stated is not None and self.consistent:
            return self.stated
        return self.computed

    def term(self) -> Term | None:
        if self.best is None:
            return None
        if self.stated is not None and self.consistent:
            return Term(self.path, self.stated, self.stated_interval)
        return Term(self.path, self.computed, self.interval or Interval.exact(self.computed))


@dataclass(frozen=True)
class CrossCheck:
    """Two figures that describe the same money in two places and must agree."""

    label: str
    first: Term
    second: Term

    @property
    def consistent(self) -> bool:
        return self.first.interval.overlaps(self.second.interval)


@dataclass(frozen=True)
class RuleScore:
    """The score a format's rule gives one indicator: by a scoring rule, or the completion rule's ceiling."""

    index: int  # in ``table``
    expected: Decimal
    exact: bool  # False: a ceiling (the completion rule), the stated score may be lower
    explanation: str
    table: str = "指标"  # 指标, or 指标表 (the older Hunan form)


@dataclass
class Figures:
    """The model with every derived figure filled in, plus how each was derived."""

    values: dict
    derivations: dict = field(default_factory=dict)  # path → Derivation
    indicators: list = field(default_factory=list)  # IndicatorResult per 指标 item
    computed: set = field(default_factory=set)  # paths computed without a Derivation (counts, scores)
    cross_checks: list = field(default_factory=list)  # CrossCheck
    rule_scores: list = field(default_factory=list)  # RuleScore per indicator the format scores itself
    # Figures stated in this year's file that last year's file also gives: (path, stated, last year's).
    carried: list = field(default_factory=list)
    projects: list = field(default_factory=list)  # projects.ProjectResult per 项目自评 item
    score: Decimal | None = None
    score_computed: bool = False
    grade: str | None = None
    unknown: dict = field(default_factory=dict)  # derived path nothing was given for → the inputs it lacks

    def missing_inputs(self, path: tuple) -> tuple:
        """What to write for ``path`` to be known: the inputs its derivation lacks, or itself."""
        derivation = self.derivations.get(path)
        if derivation is not None and derivation.missing:
            return derivation.missing
        return self.unknown.get(path) or (path,)

    def get(self, path: tuple):
        return lookup(self.values, path)

    def follows_a_conflict(self, derivation: Derivation) -> bool:
        """Whether ``derivation`` is computed, directly or not, from a stated figure that disagrees
        with its own computation: that disagreement is reported, this one would only repeat it."""
        seen: set = set()
        stack = [term.path for _, term in derivation.operands]
        while stack:
            path = stack.pop()
            operand = self.derivations.get(path)
            if operand is None or path in seen:
                continue
            seen.add(path)
            if not operand.consistent:
                return True
            stack.extend(term.path for _, term in operand.operands)
        return False


def lookup(tree, path: tuple):
    return at_path(tree, path)


def iter_leaves(tree, prefix: tuple = ()):
    """Yield ``(path, value)`` for every value below dicts and lists of ``tree``, in order."""
    if not isinstance(tree, (dict, list)):
        yield prefix, tree
        return
    # a stack of the containers being gone through, not recursion: nested generators cost per level
    stack = [(prefix, iter(tree.items()) if isinstance(tree, dict) else enumerate(tree))]
    while stack:
        path, items = stack[-1]
        for key, value in items:
            if isinstance(value, dict):
                stack.append((path + (key,), iter(value.items())))
                break
            if isinstance(value, list):
                stack.append((path + (key,), enumerate(value)))
                break
            yield path + (key,), value
        else:
            stack.pop()


def _assign(tree, path: tuple, value) -> None:
    node = tree
    for index, step in enumerate(path[:-1]):
        nxt = path[index + 1]
        if isinstance(node, list):
            node = node[step]
            continue
        if step not in node or not isinstance(node[step], (dict, list)):
            node[step] = [] if isinstance(nxt, int) else {}
        node = node[step]
    node[path[-1]] = value


def _copy_tree(node):
    """A copy of the model's dicts and lists; the values in it (numbers, text, dates) are immutable."""
    if type(node) is dict:
        return {key: _copy_tree(value) for key, value in node.items()}
    if type(node) is list:
        return [_copy_tree(value) for value in node]
    return node


class _Calculator:
    def __init__(self, model: dict, formulas: dict):
        self.model = model
        self.formulas = formulas  # rate name → expr.Formula, from the format
        self.values = _copy_tree(model)
        self.derivations: dict = {}
        self.computed: set = set()
        self.zeros: set = set()  # inputs known to be exactly zero though not written
        self.unknown: dict = {}  # derived path with no part given → the inputs it lacks
        self._input_terms: dict = {}

    def term(self, path: tuple) -> Term | None:
        if path in self.derivations:
            return self.derivations[path].term()
        known = self._input_terms.get(path)
        if known is not None:
            return known
        value = lookup(self.model, path)
        if isinstance(value, Decimal):  # an input: the model does not change, so neither does its term
            if value == 0 and not isinstance(value, Percent):
                interval = Interval.exact(value)  # a written 0 means none at all, not a rounded 0.004
            else:
                interval = Interval.of_written(value) if isinstance(value, Percent) else Interval.of_written(value, AMOUNT_MIN_DECIMALS)
            self._input_terms[path] = Term(path, value, interval)
            return self._input_terms[path]
        if isinstance(value, int) and not isinstance(value, bool):  # a count (人员编制): exact
            return Term(path, Decimal(value), Interval.exact(Decimal(value)))
        if path in self.zeros:
            return Term(path, Decimal(0), Interval.exact(Decimal(0)))
        return None

    def carry(self, path: tuple, value: Decimal) -> None:
        """``path`` takes last year's ``value``: an input the file need not write again."""
        self._input_terms[path] = Term(path, value, Interval.of_written(value, AMOUNT_MIN_DECIMALS))
        _assign(self.values, path, Amount(value))
        self.computed.add(path)

    def assume_zero(self, path: tuple) -> None:
        self.zeros.add(path)

    def _stated(self, path):
        value = lookup(self.model, path)
        return value if isinstance(value, Decimal) else None

    def missing_inputs(self, path: tuple) -> tuple:
        """The unwritten inputs behind ``path``: itself, or what its derivation lacks."""
        derivation = self.derivations.get(path)
        if derivation is not None and derivation.missing:
            return derivation.missing
        return self.unknown.get(path, (path,))

    def total(self, path: tuple, parts, formula: str, complete: bool = True) -> Derivation | None:
        """path = Σ sign·part; parts are paths or (sign, path).

        Not given is not zero: when ``complete``, a missing part leaves the total
        unknown (recorded with the inputs it lacks). A sum over categories (收入
        by kind, 明细) is not complete: an unlisted category is one the
        department does not have. Likewise an unwritten change (调整数, 上年结余,
        上年结转: see ``CHANGES``) is one that did not happen, as the forms leave
        its cell blank.
        """
        terms = [(sign, p, self.term(p)) for sign, p in (_signed(p) for p in parts)]
        present = [(sign, t) for sign, _, t in terms if t is not None]
        absent = [p for _, p, t in terms if t is None and not (p[-1] in CHANGES and p not in self.derivations)]
        missing = tuple(dict.fromkeys(m for p in absent for m in self.missing_inputs(p)))
        if not present:
            if complete and missing:
                self.unknown[path] = missing
            elif absent and len({p[:-1] for p in absent}) == 1:
                self.unknown[path] = (absent[0][:-1],)  # no category written: the group is to fill
            return None
        if complete and absent:
            derivation = Derivation(path, "sum", formula, tuple(present), None, None, self._stated(path), missing=missing)
            return self._record(derivation, Amount)
        value = sum((sign * t.value for sign, t in present), Decimal(0))
        interval = Interval.exact(Decimal(0))
        for sign, t in present:
            interval = interval + t.interval if sign > 0 else interval - t.interval
        derivation = Derivation(
            path=path,
            kind="sum",
            formula=formula,
            operands=tuple(present),
            computed=Amount(value),
            interval=interval,
            stated=self._stated(path),
        )
        return self._record(derivation, Amount)

    def rate(self, path: tuple, name: str, figures: dict) -> Derivation | None:
        """path = the format's formula ``name``, reading ``figures`` (formula name → path); a per cent."""
        formula = self.formulas.get(name)
        if formula is None:
            return None
        terms, absent = {}, []
        for figure in formula.names:
            term = self.term(figures[figure]) if figure in figures else None
            if term is None:
                absent.append(figures.get(figure))
            else:
                terms[figure] = term
        if absent:  # not given is not zero: the rate is unknown, and why is kept
            missing = tuple(dict.fromkeys(m for p in absent if p is not None for m in self.missing_inputs(p)))
            if not terms or formula.names[0] not in terms:
                self.unknown[path] = missing  # nothing to measure: no finding, but the marker says what to write
                return None
            derivation = Derivation(
                path, "ratio", f"{name} = {formula.text}", tuple((1, t) for t in terms.values()), None, None,
                self._stated(path), missing=missing,
            )
            return self._record(derivation, Percent)
        undefined = ""
        try:
            result = expr.evaluate(formula, lambda figure: expr.Value(terms[figure].value, terms[figure].interval))
            computed = Percent(result.value * HUNDRED)
            interval = result.interval.scale(HUNDRED) if result.interval else None
        except expr.Undefined as exc:
            computed, interval, undefined = None, None, exc.reason
        derivation = Derivation(
            path=path,
            kind="ratio",
            formula=f"{name} = {formula.text}",
            operands=tuple((1, term) for term in terms.values()),
            computed=computed,
            interval=interval,
            stated=self._stated(path),
            shown=expr.shown(formula, {figure: term.value for figure, term in terms.items()}),
            undefined=undefined,
        )
        return self._record(derivation, Percent)

    def _record(self, derivation: Derivation, cls) -> Derivation:
        self.derivations[derivation.path] = derivation
        best = derivation.best
        _assign(self.values, derivation.path, cls(best) if best is not None else None)
        return derivation


def _signed(part):
    """A part is a path tuple, or ("-", path) for a subtraction."""
    if len(part) == 2 and part[0] == "-" and isinstance(part[1], tuple):
        return -1, part[1]
    return 1, part


def compute(model: dict, fmt=None, previous: "Figures | None" = None) -> Figures:
    """All derived figures for one department-year. Pure: no I/O.

    Rates follow the format's formulas; without a format, none is computed.
    ``previous`` is last year's figures, when its file exists: figures this
    year's forms repeat from last year (上年决算数) are taken from it.
    """
    calc = _Calculator(model, fmt.formulas if fmt is not None else {})
    _budget(calc, model)
    _self_evaluation(calc, model)
    institutions = model.get("机构收支") or []
    for index, _ in enumerate(institutions):
        _institution(calc, ("机构收支", index))
    _institution_totals(calc, institutions)
    _projects(calc, model.get("项目") or [])
    _tasks(calc, model.get("任务") or [])
    for index, _ in enumerate(model.get("项目自评") or []):
        project_funds(calc, index, fmt)
    carried = _basic_data(calc, model, previous) if "基础数据" in model or "指标表" in model else []
    figures = Figures(values=calc.values, derivations=calc.derivations, computed=calc.computed, unknown=calc.unknown,
                      carried=carried)
    figures.cross_checks = _cross_checks(calc)
    _indicators_and_score(figures, model, fmt)
    _project_scores(figures, model, fmt)
    return figures


def _project_scores(figures: Figures, model: dict, fmt) -> None:
    """Each project's 执行率得分, indicator 得分 (where not stated), 总分 and 等次, into the values."""
    figures.projects = judge_projects(figures.values, model, fmt)
    for index, result in enumerate(figures.projects):
        base = ("项目自评", index)
        project = model["项目自评"][index]
        lacking: list = []  # the unwritten inputs that leave the 总分 unknown
        for position, judged in enumerate(result.indicators):
            item, score = project["指标"][position], base + ("指标", position, "得分")
            if isinstance(item.get("得分"), Decimal):
                continue
            if judged.expected is not None:
                _assign(figures.values, score, judged.expected)
                figures.computed.add(score)
                continue
            if item.get("完成值") in (None, ""):  # a score perfdoc would give once the 完成值 is written
                figures.unknown[score] = (base + ("指标", position, "完成值"),)
            lacking.extend(figures.missing_inputs(score))
        for key, value in (("执行率分值", result.rate_points), ("执行率得分", result.rate_score), ("总分", result.total)):
            if value is not None and not (key != "执行率分值" and isinstance(project.get(key), Decimal)):
                _assign(figures.values, base + (key,), value)
                figures.computed.add(base + (key,))
        if result.rate_score is None:
            lacking.extend(figures.missing_inputs(base + ("执行率",)))
        if result.total is None and not isinstance(project.get("总分"), Decimal) and lacking:
            figures.unknown[base + ("总分",)] = figures.unknown[base + ("等次",)] = tuple(dict.fromkeys(lacking))
        if result.grade is not None and not project.get("等次"):
            _assign(figures.values, base + ("等次",), result.grade)


def _budget(calc, model):
    budget = ("预算",)
    calc.total(budget + ("调整后预算",), [budget + ("年初预算",), budget + ("调整数",)], "调整后预算 = 年初预算 + 调整数")
    sources = (model.get("预算") or {}).get("实际支出") or {}
    if not sources:
        calc.unknown[budget + ("实际支出合计",)] = (budget + ("实际支出",),)
    calc.total(
        budget + ("实际支出合计",),
        [budget + ("实际支出", name) for name in sources],
        "实际支出数 = 各资金来源实际支出之和",
        complete=False,
    )
    figures = {name: budget + (name,) for name in ("年初预算", "调整数", "调整后预算", "实际支出合计", "年初结余")}
    calc.rate(budget + ("预算完成率",), "预算完成率", figures)
    calc.rate(budget + ("预算调整率",), "预算调整率", figures)


def _self_evaluation(calc, model):
    spent = (model.get("预算") or {}).get("实际支出")
    for kind in ("一般公共预算", "政府性基金"):
        evaluated = (model.get("绩效自评") or {}).get(kind) or {}
        if spent is not None and kind not in spent and "资金" in evaluated:
            # A fund source the department did not list was not spent at all.
            calc.assume_zero(("预算", "实际支出", kind))
        calc.rate(("绩效自评", kind, "占比"), "自评资金占比", {"资金": ("绩效自评", kind, "资金"), "实际支出": ("预算", "实际支出", kind)})


def _institution(calc, base):
    model = calc.model
    income, spend = base + ("收入",), base + ("支出",)
    calc.total(income + ("收入合计",), [income + (k,) for k in INCOME_ITEMS], "收入合计 = 各项收入之和", complete=False)
    for part in ("人员支出", "公用支出"):
        items = lookup(model, spend + (part + "明细",)) or {}
        if items:
            calc.total(spend + (part,), [spend + (part + "明细", k) for k in items], f"{part} = {part}明细之和", complete=False)
    calc.total(spend + ("基本支出",), [spend + ("人员支出",), spend + ("公用支出",)], "基本支出 = 人员支出 + 公用支出")
    calc.total(spend + ("支出合计",), [spend + ("基本支出",), spend + ("项目支出",)], "支出合计 = 基本支出 + 项目支出")
    if lookup(model, income) and lookup(model, spend):
        calc.total(
            spend + ("当年结余",),
            [income + ("收入合计",), ("-", income + ("上年结转",)), ("-", spend + ("支出合计",))],
            "当年结余 = 收入合计 − 上年结转 − 支出合计",
        )
        calc.total(
            spend + ("累计结余",),
            [income + ("收入合计",), ("-", spend + ("支出合计",))],
            "累计结余 = 收入合计 − 支出合计",
        )
    _spending_shares(calc, spend)
    three = base + ("三公经费",)
    calc.total(three + ("合计",), [three + (k,) for k in THREE_PUBLIC_ITEMS], "三公经费合计 = 各项之和", complete=False)
    assets = base + ("固定资产",)
    calc.total(assets + ("合计",), [assets + (k,) for k in ASSET_ITEMS], "固定资产合计 = 各项之和", complete=False)


def _label(leaf: tuple) -> str:
    """A readable name for a figure: 三公经费 合计 → 三公经费合计, 收入 收入合计 → 收入合计."""
    name = str(leaf[-1])
    return f"{leaf[-2]}{name}" if name == "合计" and len(leaf) > 1 else name


def _institution_totals(calc, institutions):
    """收支合计: the totals row, summed field by field over all institutions."""
    if not institutions:
        return
    leaves: list = []
    for index in range(len(institutions)):
        for group in ("收入", "支出", "三公经费", "固定资产"):
            for leaf, value in iter_leaves(lookup(calc.values, ("机构收支", index, group)) or {}, (group,)):
                if isinstance(value, Decimal) and not isinstance(value, Percent) and leaf not in leaves:
                    leaves.append(leaf)
    for leaf in leaves:
        calc.total(
            ("收支合计",) + leaf,
            [("机构收支", index) + leaf for index in range(len(institutions))],
            f"{_label(leaf)} = 各机构{_label(leaf)}之和",
            # a category (收入 kind, 三公经费 item, 明细 item) one institution does not list is one it does not have
            complete=not (leaf[-1] in CATEGORY_ITEMS or str(leaf[-2]).endswith("明细")),
        )
    _spending_shares(calc, ("收支合计", "支出"))


def _spending_shares(calc, spend: tuple) -> None:
    figures = {name: spend + (name,) for name in ("人员支出", "公用支出", "基本支出", "项目支出", "支出合计")}
    calc.rate(spend + ("人员经费占比",), "人员经费占比", figures)
    calc.rate(spend + ("公用经费占比",), "公用经费占比", figures)


def _projects(calc, projects):
    for index, _ in enumerate(projects):
        base = ("项目", index)
        calc.total(base + ("调整后预算",), [base + ("年初预算",), base + ("调整数",)], "调整后预算 = 年初预算 + 调整数")
        calc.total(base + ("收入合计",), [base + ("调整后预算",), base + ("上年结余",)], "收入合计 = 调整后预算 + 上年结余")
        # an unknown income is not zero: without it there is no closing balance to state
        if calc.term(base + ("实际支出",)) is not None and calc.term(base + ("收入合计",)) is not None:
            calc.total(base + ("年终结余",), [base + ("收入合计",), ("-", base + ("实际支出",))], "年终结余 = 收入合计 − 实际支出")
        calc.rate(base + ("执行率",), "项目执行率", _project_figures(base))
    total = ("项目合计",)
    if not projects:
        calc.unknown.update({total + (key,): (("项目",),) for key in PROJECT_SUMS + ("执行率", "评价项目数", "评价项目资金")})
        return
    for key in PROJECT_SUMS:
        label = key if key.endswith("合计") else f"{key}合计"
        calc.total(total + (key,), [("项目", i, key) for i in range(len(projects))], f"各项目{label}")
    calc.rate(total + ("执行率",), "项目执行率", _project_figures(total))
    evaluated = [i for i, p in enumerate(projects) if p.get("参与评价")]
    _assign(calc.values, total + ("评价项目数",), len(evaluated))
    calc.computed.add(total + ("评价项目数",))
    if evaluated:
        calc.total(total + ("评价项目资金",), [("项目", i, "调整后预算") for i in evaluated], "参与评价项目资金合计")


def _project_figures(base: tuple) -> dict:
    return {name: base + (name,) for name in ("年初预算", "调整数", "上年结余", "调整后预算", "收入合计", "实际支出")}


BASIC = ("基础数据",)


# 本年决算 figures the file states elsewhere: leaf under 基础数据.本年决算 → where (each 专项 is a 项目's 实际支出).
ACTUALS_FROM = {
    ("基本支出",): ("收支合计", "支出", "基本支出"),
    ("公用经费",): ("收支合计", "支出", "公用支出"),
    **{("三公经费", item): ("收支合计", "三公经费", item) for item in THREE_PUBLIC_ITEMS},
}
COLUMN_SUMS = ("支出总额", "项目支出", "公务用车费", "合计")  # computed in each column, never carried


def _basic_data(calc, model, previous) -> list:
    """基础数据表: 本年决算 from the file's other figures, 上年决算 from last year's, each column's sums, and the rates.

    Returns the stated last-year figures with last year's value beside them, for PD604.
    """
    this_year = BASIC + ("本年决算",)
    for leaf, source in ACTUALS_FROM.items():
        calc.total(this_year + leaf, [source], f"本年决算数{'·'.join(leaf)}取自 {'.'.join(source)}")
    for column, figure in (("本年决算", "实际支出"), ("本年预算", "年初预算")):
        for name, index in _project_names(model.get("项目")):
            calc.total(BASIC + (column, "专项", name), [("项目", index, figure)], f"专项“{name}”{column}数 = 项目的{figure}")
    carried = _last_year_column(calc, model, previous)
    for column in BASIC_DATA_COLUMNS:
        base = BASIC + (column,)
        items = lookup(calc.values, base + ("专项",)) or {}
        if items:
            calc.total(base + ("项目支出",), [base + ("专项", name) for name in items], "项目支出 = 各专项之和")
        calc.total(base + ("支出总额",), [base + ("基本支出",), base + ("项目支出",)], "支出总额 = 基本支出 + 项目支出")
        three = base + ("三公经费",)
        calc.total(three + ("公务用车费",), [three + ("公务用车购置费",), three + ("公务用车运维费",)],
                   "公务用车购置及运行维护费 = 公务用车购置费 + 公务用车运维费")
        calc.total(three + ("合计",), [three + ("公务用车费",), three + ("因公出国费",), three + ("公务接待费",)],
                   "三公经费 = 公务用车购置及运行维护费 + 因公出国费 + 公务接待费")
    calc.rate(BASIC + ("在职人员控制率",), "在职人员控制率", {"实有人数": ("部门", "实有人数"), "人员编制": ("部门", "人员编制")})
    calc.rate(BASIC + ("三公经费变动率",), "三公经费变动率", {"本年三公经费预算": BASIC + ("本年预算", "三公经费", "合计"),
                                                         "上年三公经费预算": BASIC + ("上年三公经费预算",)})
    return carried


def _project_names(projects) -> list:
    """``(name in 专项, index in 项目)`` of each project: its 资金名称, else its 名称."""
    named = [(str(p.get("资金名称") or p.get("名称") or ""), i) for i, p in enumerate(projects or []) if isinstance(p, dict)]
    return [(name, index) for name, index in named if name]


def _last_years_actuals(previous: "Figures") -> dict:
    """Last year's 本年决算 column, leaf → amount: as its file's 基础数据 gives it, else from its other figures
    (a file written before the department filed a 基础数据表 still has its 收支 and 项目)."""
    column = previous.get(BASIC + ("本年决算",))
    out = {leaf: value for leaf, value in iter_leaves(column if isinstance(column, dict) else {})
           if isinstance(value, Decimal) and leaf[-1] not in COLUMN_SUMS}
    for leaf, source in ACTUALS_FROM.items():
        if leaf not in out and isinstance(previous.get(source), Decimal):
            out[leaf] = previous.get(source)
    for name, index in _project_names(previous.values.get("项目")):
        spent = previous.get(("项目", index, "实际支出"))
        if ("专项", name) not in out and isinstance(spent, Decimal):
            out[("专项", name)] = spent
    return out


def _last_year_column(calc, model, previous) -> list:
    """上年决算 and 上年三公经费预算 from last year's figures where not written; what is written, with last year's value."""
    if previous is None:
        return []
    last_years = {("上年决算",) + leaf: value for leaf, value in _last_years_actuals(previous).items()}
    budget = previous.get(BASIC + ("本年预算", "三公经费", "合计"))
    if isinstance(budget, Decimal):
        last_years[("上年三公经费预算",)] = budget
    carried = []
    for here, last in last_years.items():
        stated = lookup(model, BASIC + here)
        if isinstance(stated, Decimal):
            carried.append((BASIC + here, stated, last))
        else:
            calc.carry(BASIC + here, last)
    return carried


def _tasks(calc, tasks):
    for index, task in enumerate(tasks):
        items = task.get("资金明细") or {}
        if items:
            calc.total(("任务", index, "资金"), [("任务", index, "资金明细", k) for k in items], "任务涉及资金 = 资金明细之和", complete=False)
    if tasks:
        calc.total(("任务资金合计",), [("任务", i, "资金") for i in range(len(tasks))], "各任务涉及资金之和")


# Pairs of figures that must agree: (label, path, path).
CROSS_CHECKS = (
    ("项目实际支出合计与支出表的项目支出", ("项目合计", "实际支出"), ("收支合计", "支出", "项目支出")),
    ("任务涉及资金合计与项目实际支出合计", ("任务资金合计",), ("项目合计", "实际支出")),
)


def _cross_checks(calc) -> list:
    checks = []
    for label, first, second in CROSS_CHECKS:
        a, b = calc.term(first), calc.term(second)
        if a is not None and b is not None:
            checks.append(CrossCheck(label, a, b))
    return checks


def _indicators_and_score(figures: Figures, model: dict, fmt) -> None:
    indicators = model.get("指标") or []
    figures.indicators = [judge_indicator(item) for item in indicators]
    judged = [r for r in figures.indicators if r.met is not None]
    met = sum(1 for r in judged if r.met)
    figures.computed.update(("指标完成情况", key) for key in ("指标数", "可判定数", "达成数", "完成率"))
    _assign(figures.values, ("指标完成情况",), {
        "指标数": len(indicators),
        "可判定数": len(judged),
        "达成数": met,
        "完成率": Percent(Decimal(met) * HUNDRED / len(judged)) if judged else None,
    })
    table = model.get("指标表") or []
    if fmt is not None:
        figures.rule_scores = _rule_scores(figures, indicators, fmt) + _table_rule_scores(figures, table, fmt)
    scores = [item.get("得分") for item in indicators]
    table_scores = _table_scores(figures, table)
    stated_score = (model.get("评分") or {}).get("综合得分")
    score = None
    if table and not (indicators and all(isinstance(s, Decimal) for s in scores)) and all(
            isinstance(s, Decimal) for s in table_scores):
        score = sum(table_scores, Decimal(0))  # the older Hunan form: the 指标表 is the score
        figures.score_computed = True
    elif indicators and all(isinstance(s, Decimal) for s in scores):
        score = sum(scores, Decimal(0))
        for item in fmt.outside_items if fmt is not None else ():
            rate = _scored_rate(figures, SCORABLE_RATES[item.rate])
            if isinstance(rate, Decimal):
                score += round_half_up(item.score(rate), 2)
        figures.score_computed = True
    elif isinstance(stated_score, Decimal):
        score = stated_score
    figures.score = score
    if score is not None:
        _assign(figures.values, ("评分", "综合得分"), score)
        if figures.score_computed:
            figures.computed.add(("评分", "综合得分"))
        if fmt is not None:
            figures.grade = fmt.grade_for(score)
            _assign(figures.values, ("评分", "评价等次"), (model.get("评分") or {}).get("评价等次") or figures.grade)


def _table_rule_scores(figures: Figures, table: list, fmt) -> list:
    """What the format's scoring rules give each row of 指标表 named like one (在职人员控制率, 预算控制率…)."""
    out = []
    for index, row in enumerate(table):
        rule = fmt.indicator_rules.get(str(row.get("三级") or ""))
        rate = _scored_rate(figures, SCORABLE_RATES[rule.rate]) if rule is not None else None
        if isinstance(rate, Decimal):
            out.append(RuleScore(index, round_half_up(rule.score(rate), 2), True,
                                 f"{rule.rate} {plain(round_half_up(rate, 2))}%：{rule.describe()}", table="指标表"))
    return out


def _scored_rate(figures: Figures, path: tuple):
    """The rate a rule scores: the computed one where the file states it rounded, to the decimals it
    is written with (103.33% or 103.3% for 31 / 30), so that stating a rate as a document prints it
    does not move its score."""
    rate = lookup(figures.values, path)
    derivation = figures.derivations.get(path)
    computed = derivation.computed if derivation is not None else None
    if isinstance(rate, Decimal) and isinstance(computed, Decimal):
        decimals = max(0, -rate.as_tuple().exponent) if isinstance(rate.as_tuple().exponent, int) else 2
        if round_half_up(computed, decimals) == rate:
            return computed
    return rate


def _table_scores(figures: Figures, table: list) -> list:
    """Each 指标表 row's 得分: as written, else what its rule gives (put into the values), else None."""
    by_rule = {scored.index: scored.expected for scored in figures.rule_scores if scored.table == "指标表"}
    scores = []
    for index, row in enumerate(table):
        stated = row.get("得分")
        if not isinstance(stated, Decimal) and index in by_rule:
            stated = by_rule[index]
            _assign(figures.values, ("指标表", index, "得分"), stated)
            figures.computed.add(("指标表", index, "得分"))
        scores.append(stated if isinstance(stated, Decimal) else None)
    return scores


def _rule_scores(figures: Figures, indicators: list, fmt) -> list:
    """What the format's rules give each indicator they apply to."""
    out = []
    for index, item in enumerate(indicators):
        weight = item.get("权重")
        rule = fmt.indicator_rules.get(str(item.get("名称") or ""))
        if rule is not None:
            rate = _scored_rate(figures, SCORABLE_RATES[rule.rate])
            if isinstance(rate, Decimal):
                out.append(RuleScore(index, round_half_up(rule.score(rate), 2), True,
                                     f"{rule.rate} {plain(round_half_up(rate, 2))}%：{rule.describe()}"))
            continue
        result = figures.indicators[index]
        if result.met is not False or not isinstance(weight, Decimal):
            continue
        op = result.target.op or ("<=" if item.get("二级") == "成本" else ">=")
        formula = fmt.completion.get({">=": "正向", ">": "正向", "<=": "反向", "<": "反向"}.get(op, ""))
        if formula is None:
            continue
        values = {"完成值": result.actual.number, "指标值": result.target.number}
        try:
            share = expr.evaluate(formula, lambda name: expr.Value(values[name], None))
        except expr.Undefined:
            continue
        if share is None:
            continue
        ceiling = round_half_up(weight * min(max(share.value, Decimal(0)), Decimal(1)), 2)
        out.append(RuleScore(index, ceiling, False, f"未达成的定量指标最多得 分值 × {formula.text}"
                             f" = {plain(weight)} × {expr.shown(formula, values)}"))
    return out


YEAR_OVER_YEAR = {
    "调整后预算": ("预算", "调整后预算"),
    "实际支出": ("预算", "实际支出合计"),
    "支出合计": ("收支合计", "支出", "支出合计"),
    "三公经费": ("收支合计", "三公经费", "合计"),
}


def year_over_year(current: Figures, previous: Figures | None) -> dict:
    """同比: last year's value, the change and the growth rate of headline figures.

    Empty when there is no previous year, so templates can test ``{% if 同比 %}``.
    """
    if previous is None:
        return {}
    out = {}
    for label, path in YEAR_OVER_YEAR.items():
        now, before = current.get(path), previous.get(path)
        if not isinstance(now, Decimal) or not isinstance(before, Decimal):
            continue
        growth = Percent((now - before) * HUNDRED / before) if before != 0 else None
        out[label] = {"本年": Amount(now), "上年": Amount(before), "增减额": Amount(now - before), "增长率": growth}
    return out
