"""叙述中的数字与已知数字仅差一位，疑似笔误

叙述中手写的数字如果不等于任何已知数字，但与某个已知数字只差一位数字、有两位数字颠倒或小数点错位，很可能是该数字的笔误。消息中会指出它可能要写的数字；更好的做法是改用 ``{{ 收支合计.收入.收入合计 }}`` 这样的引用，使这个数只填写一次。

错误示例：

    机构收支:
      - 名称: 机关
        收入:
          公共财政拨款: 366.10
    叙述:
      支出概况: |
        2022年本单位财政拨款收入336.10万元。

正确示例：

    机构收支:
      - 名称: 机关
        收入:
          公共财政拨款: 366.10
    叙述:
      支出概况: |
        2022年本单位财政拨款收入{{ 收支合计.收入.公共财政拨款 }}万元。
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import Severity
from ..numbers import decimals, round_half_up
from ..schema import dotted, reference
from . import Finding, rule
from ._literals import literals_in_texts
from ._text import known_figures


@rule("PD502", "narrative-near-miss", severity=Severity.WARNING)
def check(ctx):
    amounts, rates = known_figures(ctx.figures.values)
    for path, literal, location in literals_in_texts(ctx):
        pool = rates if literal.unit == "%" else amounts if literal.unit in ("万元", "万") else None
        guess = _near_miss(literal.value, pool) if pool else None
        if guess is not None:
            figure_path, figure = guess
            shown = f"{round_half_up(figure, max(decimals(literal.value), 2))}"
            yield Finding(
                path,
                f"“{literal.text}”与 {dotted(figure_path)} 的 {shown}{literal.unit} 仅差一位，可能是笔误",
                hint=f"可改为引用 {{{{ {reference(figure_path)} }}}}",
                location=location,
            )


def _near_miss(value: Decimal, pool):
    places = decimals(value)
    if any(round_half_up(f, places) == value for _, f in pool):
        return None  # it is a known figure, as rounded in the text
    digits = _digits(value, places)
    if len(digits.lstrip("0")) < 3:
        return None  # too short to tell a typo from another number
    for path, figure in pool:
        candidate = _digits(round_half_up(figure, places), places)
        if _one_edit(digits, candidate):
            return path, figure
        for shift in (-4, -2, -1, 1, 2, 4):  # shifted decimal point, including 元/万元 slips
            if figure.scaleb(shift) == value:
                return path, figure
    return None


def _digits(value: Decimal, places: int) -> str:
    return f"{abs(value):.{places}f}".replace(".", "")


def _one_edit(a: str, b: str) -> bool:
    """One substituted digit, or two adjacent digits swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
