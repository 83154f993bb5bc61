"""叙述中的金额单位错误：已知数字按元写成了万元，或按万元写成了元

叙述中手写的金额，如果它不是任何已知数字，但换一个单位恰好就是某个已知的万元数，几乎可以肯定是单位写错了：以元计的数字后面写了“万元”（项目支出为 264 万元，叙述中写“2640000万元”），万元数又被当作元换算了一次（“0.036610万元”），或万元数后面写成了“元”（津补贴为 27.74 万元，叙述中写“津补贴27.74元”）。有效数字不足三位的数（如“2000000万元”）不作判断。更好的做法是改用引用，如 ``{{ 收支合计.支出.人员支出明细.津补贴 }}万元``。

错误示例：

    机构收支:
      - 名称: 机关
        支出:
          人员支出明细:
            基本工资: 95.45
            津补贴: 27.74
    叙述:
      基本支出情况: |
        其中基本工资954500万元，津补贴27.74元。

正确示例：

    机构收支:
      - 名称: 机关
        支出:
          人员支出明细:
            基本工资: 95.45
            津补贴: 27.74
    叙述:
      基本支出情况: |
        其中基本工资954500元，津补贴{{ 收支合计.支出.人员支出明细.津补贴 }}万元。
"""

from __future__ import annotations

from ..errors import Severity
from ..numbers import format_amount
from ..load.schema import dotted, reference
from . import Finding, rule
from ._literals import literals_in_texts, unit_slip
from ._text import as_written, locate

# What went wrong, by kind of slip: {typed} is the literal as typed, {figure} the 万元 figure.
_WHAT = {
    "元写成万元": "“{typed}”是按元计的数字，单位却写成了万元",
    "换算两次": "“{typed}”是把万元数当作元又换算成了万元",
    "万元写成元": "“{typed}”是按万元计的数字，单位却写成了元",
}


@rule("PD503", "narrative-unit", severity=Severity.WARNING)
def check(ctx):
    for path, literal, occurrence in literals_in_texts(ctx):
        slip = unit_slip(ctx, literal)
        if slip is None:
            continue
        figure = format_amount(slip.figure)
        location = locate(ctx.source, path, literal.text, occurrence)
        typed = as_written(ctx.source, location, literal.text)
        yield Finding(
            path,
            f"单位错误：{_WHAT[slip.kind].format(typed=typed)}——{dotted(slip.figure_path)} 为 {figure} 万元",
            hint=f"写作“{figure}万元”，或引用 {{{{ {reference(slip.figure_path)} }}}}万元",
            location=location,
        )
