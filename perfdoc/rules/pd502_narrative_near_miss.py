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
from ..load.schema import dotted, reference
from . import Finding, rule
from ._literals import literals_in_texts, unit_slip
from ._text import as_written, known_figures, locate


@rule("PD502", "narrative-near-miss", severity=Severity.WARNING)
def check(ctx):
    amounts, rates = known_figures(ctx)
    amount_pool = _Pool(amounts)
    pools = {"%": _Pool(rates), "万元": amount_pool, "万": amount_pool}
    for path, literal, occurrence in literals_in_texts(ctx):
        if literal.unit == "%" and decimals(literal.value) == 0 and literal.value % 5 == 0:
            continue  # a round target or share (=100%, ≥95%), not a computed rate typed by hand
        pool = pools.get(literal.unit)
        if pool is amount_pool and unit_slip(ctx, literal) is not None:
            continue  # a 元/万元 unit error, which PD503 names as such
        guess = pool.near_miss(literal.value) if pool else None
        if guess is not None:
            figure_path, figure = guess
            location = locate(ctx.source, path, literal.text, occurrence)
            shown = f"{round_half_up(figure, max(decimals(literal.value), 2))}"
            yield Finding(
                path,
                f"“{as_written(ctx.source, location, literal.text)}”与 {dotted(figure_path)} 的 {shown}{literal.unit} 仅差一位，可能是笔误",
                hint=f"可改为引用 {{{{ {reference(figure_path)} }}}}",
                location=location,
            )


class _Pool:
    """Known figures, rounded to a literal's decimals once for all literals with that many."""

    def __init__(self, figures: list):
        self.figures = figures
        self._first_index: dict = {}
        for index, (_, figure) in enumerate(figures):
            self._first_index.setdefault(figure, index)
        self._rounded: dict = {}  # decimals → (set of rounded values, [(path, figure, digits)])

    def near_miss(self, value: Decimal):
        if not self.figures:
            return None
        places = decimals(value)
        if places not in self._rounded:
            rounded = [(path, figure, round_half_up(figure, places)) for path, figure in self.figures]
            self._rounded[places] = (
                {shown for _, _, shown in rounded},
                [(path, figure, _digits(shown, places)) for path, figure, shown in rounded],
            )
        known, candidates = self._rounded[places]
        if value in known:
            return None  # it is a known figure, as rounded in the text
        digits = _digits(value, places)
        if len(digits.lstrip("0")) < 3:
            return None  # too short to tell a typo from another number
        # the first figure that the value is with its decimal point shifted (a 元/万元 shift is PD503's)
        shifted = [self._first_index.get(value.scaleb(-shift)) for shift in (-2, -1, 1, 2)]
        last = min((index for index in shifted if index is not None), default=len(candidates))
        for path, figure, candidate in candidates[:last]:
            if _one_edit(digits, candidate):
                return path, figure
        return self.figures[last] if last < len(candidates) else None


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
