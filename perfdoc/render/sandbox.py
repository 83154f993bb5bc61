"""The one Jinja sandbox: templates and narrative references both run in it, with the same bounds.

Jinja's sandbox stops attribute tricks (``''.__class__``) but not a template
that asks for gigabytes or runs for ever. :class:`BoundedSandbox` bounds
every value a template makes on its way to the text, not only the text:

* a value (a text, a list, a number's digits) holds at most
  :attr:`Limits.value` characters or elements, checked *before* the
  operations that multiply sizes run (``*``, ``**``, ``+``, ``~``, ``|join``,
  ``|center``, ``|string``, ``'…'.replace``…), and after every other filter and call;
* one rendering does at most :attr:`Limits.work` units of work: a loop step
  costs one unit plus the text of its body, a printed value its length, a
  checked value its elements; nested ``range(99999)`` loops stop there;
* ``|sum`` adds numbers only (``|sum(start=[])`` would join lists in
  quadratic time), ``%`` does not format text (``'%999999999d'``), an
  integer argument of a filter or a call is at most :attr:`Limits.value`,
  and ``lipsum()`` is gone.

A rendering that goes past a bound raises :class:`TooLarge`, a
:class:`~jinja2.exceptions.SecurityError`. The bounds hold for every
``Template.render`` of these environments, so docxtpl rendering with them is
bounded too.

Lists are numbered from 1 in both, as the forms, ``perfdoc show`` and every
message number them: a constant index ``[n]`` is item n (compiled as Python's
``[n - 1]``), ``[0]`` does not compile (:class:`ZeroIndex`), and an item past
the end is an error that says how many items there are (:class:`NoSuchItem`),
never a blank.

Two environments are made here: :func:`template_environment` for .docx
templates (autoescaped, missing data blank) and :func:`narrative_environment`
for references in narrative text (names must exist, no loops or calls; see
:mod:`.narrative`).
"""

from __future__ import annotations

import re
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, wraps

from jinja2 import ChainableUndefined, StrictUndefined, Template, Undefined, nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, TemplateError, TemplateRuntimeError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import LoopContext, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment, modifies_known_mutable
from jinja2.utils import pass_eval_context
from markupsafe import Markup, escape

from .bounds import NARRATIVE_JINJA_FILTERS, NARRATIVE_LIMITS, TEMPLATE_LIMITS, Limits
from .present import FILTERS as PRESENT_FILTERS

# What a template mistake raises while Jinja runs it (e.g. adding text to a number, a macro calling itself).
TEMPLATE_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError)


# Digits a number may reach through * and ** (a 2,000-digit number is already absurd in a budget).
MAX_INTEGER_BITS = 8_000
MAX_EXPONENT = 64

TOO_LARGE = "计算量或结果过大"


class TooLarge(SecurityError):
    """A value or a rendering far larger than any document needs."""


# ---------------------------------------------------------------- the work of one rendering


class _Budget:
    __slots__ = ("limits", "left")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.left = limits.work

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise TooLarge(f"{TOO_LARGE}（计算步数超过 {self.limits.work}）")


_CURRENT: ContextVar[_Budget | None] = ContextVar("perfdoc_render_budget", default=None)


def _budget(env) -> _Budget:
    """The budget of the rendering under way; a fresh one outside any (Jinja folding constants while compiling)."""
    budget = _CURRENT.get()
    return budget if budget is not None else _Budget(env.limits)


class BoundedTemplate(Template):
    """A template whose every rendering has its own budget."""

    def render(self, *args, **kwargs) -> str:
        token = _CURRENT.set(_Budget(self.environment.limits))
        try:
            return super().render(*args, **kwargs)
        finally:
            _CURRENT.reset(token)

    def generate(self, *args, **kwargs):
        """The rendering in one piece: a budget cannot follow a generator between its steps."""
        yield self.render(*args, **kwargs)


def weight(env, value, budget: _Budget | None = None) -> int:
    """The characters and elements of ``value`` (nested), counted only up to the value bound.

    Raises TooLarge past the bound; counting is paid for from the budget.
    """
    budget = budget or _budget(env)
    limit = env.limits.value
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or isinstance(item, (str, bytes, bytearray)):
            total += len(item)
        elif kind is int or (isinstance(item, int) and not isinstance(item, bool)):
            total += 1 + item.bit_length() // 64
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset, range)):
            total += 1
            if isinstance(item, range):
                total += len(item)
            else:
                stack.extend(item)
        else:
            total += 1
        if total > limit:
            raise TooLarge(f"{TOO_LARGE}（超过 {limit} 个字符或元素）")
        if len(stack) > limit:
            raise TooLarge(f"{TOO_LARGE}（超过 {limit} 个字符或元素）")
    budget.spend(total)
    return total


def _refuse_above(env, size: int) -> None:
    if size > env.limits.value:
        raise TooLarge(f"{TOO_LARGE}（超过 {env.limits.value} 个字符或元素）")


def _steps(env, iterable, cost=1):
    """``iterable``, each step paid for from the rendering's budget (at least one unit a step)."""
    budget = _budget(env)
    cost = cost if type(cost) is int and cost > 1 else 1
    for item in iterable:
        budget.spend(cost)
        yield item


def _materialised(env, iterable) -> list:
    """The items of ``iterable`` as a list, each paid for, at most the value bound of them."""
    items = []
    budget = _budget(env)
    limit = env.limits.value
    for item in iterable:
        items.append(item)
        budget.spend(1)
        if len(items) > limit:
            raise TooLarge(f"{TOO_LARGE}（超过 {limit} 个元素）")
    return items


# ---------------------------------------------------------------- lists numbered from 1

FIRST_ITEM = "列表从 1 开始编号，与表格、perfdoc show 和校验消息相同：第一项写作 [1]，[0] 不存在"


class ZeroIndex(TemplateSyntaxError):
    """An index ``[0]`` (or below): lists are numbered from 1."""


class NoSuchItem(UndefinedError):
    """An index past the end of a list."""


class GroupPrinted(TemplateRuntimeError):
    """A mapping or a list put into the text as it is."""


def count_from_one(tree: nodes.Template) -> None:
    """Each constant index ``[n]`` made Python's ``[n - 1]``; ZeroIndex for ``[0]``."""
    for node in tree.find_all(nodes.Getitem):
        if getattr(node, "_perfdoc_counted", False):
            continue
        if isinstance(node.arg, nodes.Const) and type(node.arg.value) is int:
            if node.arg.value < 1:
                raise ZeroIndex(FIRST_ITEM, node.lineno)
            node.arg = nodes.Const(node.arg.value - 1, lineno=node.arg.lineno)
        node._perfdoc_counted = True


def no_such_item(index: int, count: int) -> str:
    """Why Python's ``index`` of a list of ``count`` items does not exist, said counting from 1, with the valid numbers."""
    item = f"第 {index + 1} 项" if index >= 0 else f"倒数第 {-index} 项"
    if count == 0:
        return f"{item}不存在：列表没有任何项"
    return f"{item}不存在：列表只有 {count} 项（[1]～[{count}]），从 [1] 开始编号"


def _group_printed(value) -> str:
    """Why a mapping or a list cannot be printed as it is, with the names or numbers to use."""
    if isinstance(value, dict):
        names = "、".join(map(str, value))
        return f"这是一组数字，不能直接写进文字；请引用其中之一：{names}" if names else "这是一组空的数字，不能直接写进文字"
    return f"这是一个列表（{len(value)} 项），不能直接写进文字；请引用其中一项，如 [1]，或逐项循环"


# ---------------------------------------------------------------- loops and ~ as the code generator writes them


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, after routing every loop and ``~`` through the sandbox's checks
    and counting list indices from 1.

    A ``{% for %}`` iterates ``iterable|_perfdoc_steps(cost)`` (each step costs
    one unit plus the literal text of the loop's body), ``a ~ b`` becomes
    ``(a, b)|_perfdoc_concat`` and ``[n]`` becomes ``[n - 1]`` (:func:`count_from_one`).
    """

    def visit_Template(self, node, frame=None):
        count_from_one(node)
        for loop in node.find_all(nodes.For):
            if not getattr(loop, "_perfdoc_bounded", False):
                body_text = sum(len(data.data) for part in loop.body for data in part.find_all(nodes.TemplateData))
                loop.iter = nodes.Filter(loop.iter, STEPS_FILTER, [nodes.Const(1 + body_text)], [], None, None,
                                         lineno=loop.lineno)
                loop._perfdoc_bounded = True
        for concat in list(node.find_all(nodes.Concat)):
            if not getattr(concat, "_perfdoc_bounded", False):
                operands = concat.nodes
                concat.nodes = [nodes.Filter(nodes.Tuple(operands, "load", lineno=concat.lineno), CONCAT_FILTER, [],
                                             [], None, None, lineno=concat.lineno)]
                concat._perfdoc_bounded = True
        return super().visit_Template(node, frame)

    def visit_Concat(self, node, frame):
        if len(node.nodes) == 1 and isinstance(node.nodes[0], nodes.Filter) and node.nodes[0].name == CONCAT_FILTER:
            self.visit(node.nodes[0], frame)
        else:
            super().visit_Concat(node, frame)


STEPS_FILTER = "_perfdoc_steps"
CONCAT_FILTER = "_perfdoc_concat"


# ---------------------------------------------------------------- the sandbox


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with the bounds of :class:`Limits`, and quicker at the two things templates do most.

    * ``a.b`` of a plain dict: Jinja first looks for an attribute ``b``, whose
      absence costs an exception, then for the key; a dict's attributes are
      those of :class:`dict`, so for any other name the key is looked up at once.
    * The verdict on an attribute depends on the object's type and the
      attribute's name only (Jinja 3.1's ``is_internal_attribute``), and is remembered.
    """

    template_class = BoundedTemplate
    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args, limits: Limits = TEMPLATE_LIMITS, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._verdicts: dict = {}
        self.filters = {name: _bounded_filter(self, name, f) for name, f in self.filters.items()}
        self.filters[STEPS_FILTER] = lambda iterable, cost: _steps(self, iterable, cost)
        self.filters[CONCAT_FILTER] = pass_eval_context(lambda eval_ctx, operands: _concat(self, eval_ctx, operands))
        self.globals.pop("lipsum", None)

    def getitem(self, obj, argument):
        if type(obj) is list and type(argument) is int and not -len(obj) <= argument < len(obj):
            raise NoSuchItem(no_such_item(argument, len(obj)))
        return super().getitem(obj, argument)

    def getattr(self, obj, attribute):
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if attribute in ("format", "format_map") and isinstance(obj, str):
            _refuse_widths(self, obj)  # the sandbox's own wrapper of str.format is not a bound method
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        kind = type(obj)
        if obj.__class__ is not kind:
            return super().is_safe_attribute(obj, attr, value)
        verdict = self._verdicts.get((kind, attr))
        if verdict is None:
            verdict = super().is_safe_attribute(obj, attr, value)
            if len(self._verdicts) < 10_000:
                self._verdicts[(kind, attr)] = verdict
        return verdict

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            _check_product(self, left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            raise TooLarge("不能用 % 格式化文字，数字的写法请用过滤器（如 |万元、|百分比）")
        elif operator == "+" and not (_is_number(left) and _is_number(right)):
            _refuse_above(self, weight(self, left) + weight(self, right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        _check_arguments(__self, args, kwargs)
        if isinstance(__obj, LoopContext) and args:  # loop(children) of a recursive loop
            args = (_steps(__self, args[0], 1), *args[1:])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _refuse_above(__self, (len(owner) + 1) * (1 + sum(weight(__self, a) for a in (*args, *kwargs.values()))))
        result = super().call(__context, __obj, *args, **kwargs)
        weight(__self, result)
        if isinstance(owner, (list, dict, set)) and modifies_known_mutable(owner, getattr(__obj, "__name__", "")):
            weight(__self, owner)  # x.append(y): what the template keeps growing counts too
        return result


class ImmutableBoundedSandbox(BoundedSandbox, ImmutableSandboxedEnvironment):
    """The bounded sandbox that also refuses methods that change lists, dicts and sets."""


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _check_product(env, left, right) -> None:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(count, int) and not isinstance(count, bool) and isinstance(sequence, (str, list, tuple)):
            _refuse_above(env, weight(env, sequence) * max(count, 0))
            return
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INTEGER_BITS:
        raise TooLarge(f"{TOO_LARGE}（数字位数过多）")


def _check_power(base, exponent) -> None:
    if _is_number(exponent) and abs(exponent) > MAX_EXPONENT:
        raise TooLarge(f"乘方的指数过大（最多 {MAX_EXPONENT}）")
    if isinstance(base, int) and isinstance(exponent, int) and base.bit_length() * abs(exponent) > MAX_INTEGER_BITS:
        raise TooLarge(f"{TOO_LARGE}（数字位数过多）")


def _check_arguments(env, args, kwargs) -> None:
    """An integer argument (a width, a count) above the value bound would make a value above it."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > env.limits.value:
            raise TooLarge(f"{TOO_LARGE}（参数 {value} 超过 {env.limits.value}）")


def _concat(env, eval_ctx, operands) -> str:
    """``a ~ b ~ …`` as Jinja joins it, once the parts are known to fit."""
    _refuse_above(env, sum(weight(env, operand) for operand in operands))
    join = markup_join if eval_ctx.volatile or eval_ctx.autoescape else str_join
    return join(operands)


# ---------------------------------------------------------------- Jinja's own filters, bounded


# Filters whose result is no larger than their input or one of its items: their input need not be weighed.
_SIZE_KEEPING = frozenset({"length", "count", "first", "last", "default", "d", "abs", "int", "float", "round",
                           "attr", "batch", "slice", "random", "reverse"})


def _is_iterator(value) -> bool:
    return hasattr(type(value), "__next__") and not isinstance(value, (str, bytes))


def _bounded_filter(env, name: str, function):
    """Jinja's filter ``name``, refusing what would make a value above the bound before making it."""
    offset = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0
    precheck = _PRECHECKS.get(name)

    @wraps(function)
    def bounded(*args, **kwargs):
        given = args[offset:]
        _check_arguments(env, given[1:], kwargs)
        if given:
            value = given[0]
            if _is_iterator(value):  # a generator (map, select…): its items, counted, kept for the filter
                value = _materialised(env, value)
                args = (*args[:offset], value, *given[1:])
            elif name not in _SIZE_KEEPING:
                weight(env, value)
            if precheck is not None:
                precheck(env, value, *given[1:], **kwargs)
        result = function(*args, **kwargs)
        if _is_iterator(result):
            return _steps(env, result)
        weight(env, result)
        return result

    return bounded


def _precheck_join(env, value, d="", attribute=None):
    items = value if isinstance(value, (list, tuple, str)) else _materialised(env, value)
    _refuse_above(env, weight(env, items) + len(str(d)) * len(items))


def _precheck_sum(env, iterable, attribute=None, start=0):
    if not _is_number(start):
        raise TooLarge("|sum 只能对数字求和")
    if attribute is None:
        for item in _materialised(env, iterable) if not isinstance(iterable, (list, tuple)) else iterable:
            if not _is_number(item) and not isinstance(item, Undefined):
                raise TooLarge("|sum 只能对数字求和")


def _precheck_center(env, value, width=80):
    _refuse_above(env, max(len(str(value)), width if isinstance(width, int) else 0))


def _precheck_indent(env, s, width=4, first=False, blank=False):
    text = str(s)
    prefix = width if isinstance(width, int) else len(str(width))
    _refuse_above(env, len(text) + (text.count("\n") + 1) * prefix)


def _precheck_wordwrap(env, s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
    text = str(s)
    _refuse_above(env, len(text) * (1 + len(wrapstring or "\n")))


def _precheck_replace(env, s, old, new, count=None):
    text, old, new = str(s), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _refuse_above(env, len(text) + times * len(new))


def _refuse_widths(env, format_string: str) -> None:
    """A width or precision in a format string (``%999999999d``, ``{:>999999999}``) above the value bound."""
    for number in re.findall(r"\d+", format_string):
        if len(number) > 12 or int(number) > env.limits.value:
            raise TooLarge(f"{TOO_LARGE}（格式宽度 {number[:20]}）")


def _precheck_format(env, value, *args, **kwargs):
    _refuse_widths(env, str(value))


_PRECHECKS = {
    "join": _precheck_join,
    "sum": _precheck_sum,
    "center": _precheck_center,
    "indent": _precheck_indent,
    "wordwrap": _precheck_wordwrap,
    "replace": _precheck_replace,
    "format": _precheck_format,
}


# ---------------------------------------------------------------- the two environments


@lru_cache(maxsize=None)  # one environment per setting: templates compiled in one keep it
def template_environment(markdown_holding: str | None = None) -> BoundedSandbox:
    """Where .docx templates render: autoescaped, missing data blank, perfdoc's filters.

    Undefined values are :class:`jinja2.ChainableUndefined` (``a.b.c`` of
    absent data is empty), ``None`` prints as nothing, and perfdoc's filters
    give blank for a missing value. The Markdown filters make a paragraph
    even of nothing: a table cell needs one.

    ``markdown_holding``: for looking for that text in what templates print
    (:mod:`.shown`). The Markdown filters then convert only text that holds
    it and give any other text escaped as it is: Markdown cannot make the
    text looked for, and converting is most of the cost (markdown-it is not
    even imported).
    """
    from . import markdown, titles

    env = BoundedSandbox(autoescape=True, undefined=ChainableUndefined, finalize=_printable, limits=TEMPLATE_LIMITS)
    env.filters.update({name: _blank_when_missing(f) for name, f in PRESENT_FILTERS.items()})
    if markdown_holding is None:
        env.filters.update({name: _remembering(f) for name, f in markdown.FILTERS.items()})
    else:
        env.filters.update({name: _converting_when_holding(f, markdown_holding) for name, f in markdown.FILTERS.items()})
    env.filters.update({name: _remembering(f) for name, f in titles.FILTERS.items()})
    return env


def narrative_environment() -> ImmutableBoundedSandbox:
    """Where references in narrative text render: names must exist, only figures, a few filters."""
    env = ImmutableBoundedSandbox(
        undefined=StrictUndefined,
        autoescape=False,  # the .docx writer escapes all text itself
        keep_trailing_newline=True,
        finalize=_counted,
        limits=NARRATIVE_LIMITS,
    )
    env.filters = {name: env.filters[name] for name in (*NARRATIVE_JINJA_FILTERS, STEPS_FILTER, CONCAT_FILTER)}
    env.filters.update(PRESENT_FILTERS)
    env.globals.clear()  # only the figures: no range(), dict(), cycler()
    return env


def _counted(value):
    """What ``{{ … }}`` prints in a narrative, its size checked and paid for before it becomes text."""
    if not isinstance(value, str):
        weight(_narrative_env_for_counting(), value)
    else:
        _budget(_narrative_env_for_counting()).spend(len(value))
    return value


@lru_cache(maxsize=1)
def _narrative_env_for_counting():
    return _LimitsOnly(NARRATIVE_LIMITS)


@dataclass(frozen=True)
class _LimitsOnly:
    limits: Limits


_MARKUP_PRINTED = threading.local()


def markup_printed() -> int:
    """How many Markup values templates have printed in this thread: text that is not escaped, so may be any XML."""
    return getattr(_MARKUP_PRINTED, "count", 0)


def _printable(value):
    """What ``{{ … }}`` prints in a template: nothing for missing values, text XML can hold, printed as typed.

    A group of figures (a mapping or a list) is not printed: it is an error that names what to print instead.
    """
    if value is None or isinstance(value, Undefined):
        return ""
    if type(value) in (dict, list):
        raise GroupPrinted(_group_printed(value))
    if isinstance(value, Markup):
        _budget(_TEMPLATE_LIMITS_ONLY).spend(len(value))
        _MARKUP_PRINTED.count = markup_printed() + 1
        return value
    if type(value) is str and value.isprintable():  # no character xml_text would drop
        text = value
    else:
        weight(_TEMPLATE_LIMITS_ONLY, value)
        text = _markdown().xml_text(value)
    _budget(_TEMPLATE_LIMITS_ONLY).spend(len(text))
    if "_" in text:  # rare: only then can docxtpl's {_{ … }_} replacement apply
        return Markup(_markdown().kept_from_docxtpl(str(escape(text))))
    return text


@lru_cache(maxsize=1)
def _markdown():
    """The Markdown filters' module, imported once a template prints something other than plain text."""
    from . import markdown

    return markdown


_TEMPLATE_LIMITS_ONLY = _LimitsOnly(TEMPLATE_LIMITS)


def _blank_when_missing(function):
    @wraps(function)
    def blank_or_formatted(value, *args, **kwargs):
        if value is None or isinstance(value, Undefined):
            return ""
        return function(value, *args, **kwargs)

    return blank_or_formatted


def _converting_when_holding(function, wanted: str):
    """``function`` (a Markdown filter) for text holding ``wanted``; other text escaped as it is."""
    remembering = _remembering(function)

    @wraps(function)
    def filter_(value, *args, **kwargs):
        text = _markdown().xml_text(value)
        return remembering(value, *args, **kwargs) if wanted in text else escape(text)

    return filter_


def _remembering(function):
    """``function`` remembering what it made of text: a narrative is often placed in several documents.

    Only for plain ``str`` arguments, whose equality means the same text.
    """
    remembered = lru_cache(maxsize=512)(function)

    @wraps(function)
    def filter_(value, *args, **kwargs):
        if type(value) is str and all(type(a) is str for a in (*args, *kwargs.values())):
            return remembered(value, *args, **kwargs)
        return function(value, *args, **kwargs)

    return filter_
