"""金额或百分比写法有误

金额是以万元（或文件中金额单位所指定的单位）计的数字，也可以带单位写成“5600元”这样的文字。perfdoc 按写出的数字原样读取，因此金额必须是普通数字：不能是 NaN 或无穷大，小数位数不能超过该单位允许的位数（万元 6 位、元 2 位），除调整数外不能为负数。百分比写成“92.83%”的形式。

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
