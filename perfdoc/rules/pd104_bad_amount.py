"""金额或百分比写法有误

Amounts are numbers in 万元 (or the file's 金额单位), optionally written with
a unit such as "5600元". perfdoc reads the digits exactly as written, so an
amount must be a plain number: no NaN or infinity, no more decimals than the
unit allows (万元 to 6, 元 to 2), and not negative except for adjustments.
Percentages are written like "92.83%".

错误示例：

    预算:
      年初预算: 643.45万
      调整数: 12.10
      实际支出:
        一般公共预算: -608.57

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
"""

from __future__ import annotations

from . import Finding, rule
from ._walk import scalar_problems


@rule("PD104", "bad-amount")
def check(ctx):
    for path, _field, message in scalar_problems(ctx, {"amount", "percent"}):
        yield Finding(path, message)
