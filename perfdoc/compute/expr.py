"""Formulas written in ``format.yaml``: a small, safe expression language.

A formula is arithmetic over named figures::

    实际支出合计 / (年初结余 + 调整后预算)
    min(实际支出合计 / 调整后预算, 1)

* numbers (``100``, ``0.5``), names of figures (letters, digits after the first, ``_``);
* ``+ - * /`` (also ``× ÷``), unary minus, parentheses (full-width ``（ ）`` too);
* comparisons ``< <= > >= == !=`` (also ``≤ ≥``), worth 1 when true and 0 when false;
* calls to ``min``, ``max`` and ``abs`` only.

There is no attribute access, no indexing, no strings, and a formula is at most
:data:`MAX_LENGTH` characters and :data:`MAX_NODES` parts. It is parsed by
hand into a tree of tuples, so nothing the author writes is ever run as Python.

Evaluation carries each figure's rounding interval along with its value, so a
derived figure can be judged against a stated one the way the arithmetic rules
judge sums (see :mod:`perfdoc.compute.figures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..numbers import Interval, format_amount, plain

MAX_LENGTH = 200
MAX_NODES = 60
MAX_DEPTH = 12
FUNCTIONS = ("min", "max", "abs")
_COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_WIDE = str.maketrans({"（": "(", "）": ")", "×": "*", "÷": "/", "＋": "+", "－": "-", "≤": "<=", "≥": ">=", "，": ",", "＝": "="})
_TOKEN_RE = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([^\W\d]\w*)|(<=|>=|==|!=|[-+*/(),<>])|(\S))")


class FormulaError(ValueError):
    """A formula that cannot be accepted; ``offset`` is the 0-based character it concerns."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Formula:
    text: str
    tree: tuple  # ("num", Decimal) | ("name", str) | ("neg", t) | (op, a, b) | ("call", fn, (args…))

    @property
    def names(self) -> tuple:
        """The figures the formula reads, in order of first use."""
        return tuple(dict.fromkeys(_names(self.tree)))


def parse(text) -> Formula:
    """Parse ``text`` or raise :class:`FormulaError` saying what is wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("公式不能为空")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式过长（{len(text)} 个字符，最多 {MAX_LENGTH} 个）", MAX_LENGTH)
    parser = _Parser(text)
    tree = parser.expression(0)
    if parser.peek()[0] != "end":
        kind, value, offset = parser.peek()
        raise FormulaError(f"公式在“{value}”处多出了内容", offset)
    if parser.nodes > MAX_NODES:
        raise FormulaError(f"公式过于复杂（{parser.nodes} 个部分，最多 {MAX_NODES} 个）")
    return Formula(text, tree)


class _Parser:
    def __init__(self, text: str):
        self.tokens = list(_tokens(text.translate(_WIDE)))
        self.position = 0
        self.nodes = 0

    def peek(self):
        return self.tokens[self.position]

    def take(self):
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, symbol: str):
        kind, value, offset = self.take()
        if value != symbol or kind != "op":
            found = "公式结尾" if kind == "end" else f"“{value}”"
            raise FormulaError(f"此处应为“{symbol}”，却是{found}", offset)

    def node(self, tree: tuple) -> tuple:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaError(f"公式过于复杂（超过 {MAX_NODES} 个部分）")
        return tree

    def expression(self, depth: int) -> tuple:
        if depth > MAX_DEPTH:
            raise FormulaError(f"公式嵌套过深（最多 {MAX_DEPTH} 层括号或函数）", self.peek()[2])
        left = self.sum(depth)
        kind, value, _ = self.peek()
        if kind == "op" and value in _COMPARISONS:
            self.take()
            left = self.node((value, left, self.sum(depth)))
        return left

    def sum(self, depth: int) -> tuple:
        left = self.product(depth)
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            left = self.node((op, left, self.product(depth)))
        return left

    def product(self, depth: int) -> tuple:
        left = self.unary(depth)
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            left = self.node((op, left, self.unary(depth)))
        return left

    def unary(self, depth: int) -> tuple:
        if self.peek() [0] == "op" and self.peek()[1] == "-":
            self.take()
            return self.node(("neg", self.unary(depth)))
        return self.atom(depth)

    def atom(self, depth: int) -> tuple:
        kind, value, offset = self.take()
        if kind == "num":
            return self.node(("num", Decimal(value)))
        if kind == "name":
            following = self.peek()
            if following[0] == "bad" and following[1] == ".":
                raise FormulaError(f"公式不能访问属性（“{value}.”）：请直接写数字的名称", following[2])
            if following[:2] == ("op", "("):
                if value not in FUNCTIONS:
                    raise FormulaError(f"公式只能调用 {'、'.join(FUNCTIONS)}，不能调用“{value}”", offset)
                self.take()
                args = [self.expression(depth + 1)]
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    args.append(self.expression(depth + 1))
                self.expect(")")
                if value == "abs" and len(args) != 1:
                    raise FormulaError("abs 只接受一个参数", offset)
                return self.node(("call", value, tuple(args)))
            return self.node(("name", value))
        if kind == "op" and value == "(":
            inner = self.expression(depth + 1)
            self.expect(")")
            return inner
        if kind == "end":
            raise FormulaError("公式不完整：结尾缺少数字或名称", offset)
        if kind == "bad":
            raise FormulaError(f"公式中不能使用“{value}”", offset)
        raise FormulaError(f"此处应为数字、名称或括号，却是“{value}”", offset)


def _tokens(text: str):
    position = 0
    while True:
        match = _TOKEN_RE.match(text, position)
        if match is None or match.end() == position:  # only spaces left
            yield ("end", "", len(text.rstrip()))
            return
        number, name, op, bad = match.groups()
        start = match.start(match.lastindex)
        if number is not None:
            yield ("num", number, start)
        elif name is not None:
            yield ("name", name, start)
        elif op is not None:
            yield ("op", op, start)
        else:
            yield ("bad", bad, start)
        position = match.end()


def _names(tree: tuple):
    kind = tree[0]
    if kind == "name":
        yield tree[1]
    elif kind == "num":
        return
    elif kind == "neg":
        yield from _names(tree[1])
    elif kind == "call":
        for arg in tree[2]:
            yield from _names(arg)
    else:
        yield from _names(tree[1])
        yield from _names(tree[2])


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class Value:
    """A result and the interval of values it may stand for (``None``: not known as an interval)."""

    value: Decimal
    interval: Interval | None


class Undefined(Exception):
    """The formula has no value for these figures (a division by zero)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def evaluate(formula: Formula, lookup) -> Value | None:
    """The formula's value; ``lookup(name)`` gives a :class:`Value` or ``None`` when the figure is unknown.

    ``None`` when a figure it reads is unknown (not given is not zero);
    raises :class:`Undefined` on a division by a figure that is zero.
    """
    values = {}
    for name in formula.names:
        found = lookup(name)
        if found is None:
            return None
        values[name] = found
    return _eval(formula.tree, values)


def _eval(tree: tuple, values: dict) -> Value:
    kind = tree[0]
    if kind == "num":
        return Value(tree[1], Interval.exact(tree[1]))
    if kind == "name":
        return values[tree[1]]
    if kind == "neg":
        inner = _eval(tree[1], values)
        return Value(-inner.value, inner.interval.scale(Decimal(-1)) if inner.interval else None)
    if kind == "call":
        args = [_eval(arg, values) for arg in tree[2]]
        return _call(tree[1], args)
    a, b = _eval(tree[1], values), _eval(tree[2], values)
    both = a.interval is not None and b.interval is not None
    if kind == "+":
        return Value(a.value + b.value, a.interval + b.interval if both else None)
    if kind == "-":
        return Value(a.value - b.value, a.interval - b.interval if both else None)
    if kind == "*":
        return Value(a.value * b.value, _multiply(a.interval, b.interval) if both else None)
    if kind == "/":
        if b.value == 0:
            if a.value == 0:
                return Value(Decimal(0), Interval.exact(Decimal(0)))
            raise Undefined("除数为 0 而被除数不为 0")
        try:
            return Value(a.value / b.value, a.interval.divide(b.interval) if both else None)
        except InvalidOperation:
            raise Undefined("无法相除") from None
    truth = {"<": a.value < b.value, "<=": a.value <= b.value, ">": a.value > b.value,
             ">=": a.value >= b.value, "==": a.value == b.value, "!=": a.value != b.value}[kind]
    result = Decimal(1 if truth else 0)
    return Value(result, Interval.exact(result))


def _call(name: str, args: list) -> Value:
    if name == "abs":
        (a,) = args
        interval = None
        if a.interval is not None:
            low, high = a.interval.low, a.interval.high
            interval = Interval(Decimal(0) if low <= 0 <= high else min(abs(low), abs(high)), max(abs(low), abs(high)))
        return Value(abs(a.value), interval)
    pick = min if name == "min" else max
    value = pick(arg.value for arg in args)
    if all(arg.interval is not None for arg in args):
        interval = Interval(pick(arg.interval.low for arg in args), pick(arg.interval.high for arg in args))
    else:
        interval = None
    return Value(value, interval)


def _multiply(a: Interval, b: Interval) -> Interval:
    corners = [a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high]
    return Interval(min(corners), max(corners))


def shown(formula: Formula, values: dict) -> str:
    """The formula with each figure's value after its name: ``实际支出合计 500.00 ÷ (年初结余 10.00 + …)``."""
    return _show(formula.tree, values, 0)


_PRECEDENCE = {"<": 1, "<=": 1, ">": 1, ">=": 1, "==": 1, "!=": 1, "+": 2, "-": 2, "*": 3, "/": 3}
_SYMBOLS = {"*": "×", "/": "÷", "<=": "≤", ">=": "≥"}


def _show(tree: tuple, values: dict, outer: int) -> str:
    kind = tree[0]
    if kind == "num":
        return plain(tree[1])
    if kind == "name":
        value = values.get(tree[1])
        return f"{tree[1]} {format_amount(value)}" if isinstance(value, Decimal) else tree[1]
    if kind == "neg":
        return f"-{_show(tree[1], values, 4)}"
    if kind == "call":
        return f"{tree[1]}({', '.join(_show(arg, values, 0) for arg in tree[2])})"
    level = _PRECEDENCE[kind]
    text = f"{_show(tree[1], values, level)} {_SYMBOLS.get(kind, kind)} {_show(tree[2], values, level + 1)}"
    return f"({text})" if level < outer else text
