"""日期写法有误或日期不存在

Dates are written as 2023-03-27. A date that does not exist (2023-02-30) or
a text that is not a date is reported.

错误示例：

    报告:
      报告日期: 2023-02-30

正确示例：

    报告:
      报告日期: 2023-03-27
"""

from __future__ import annotations

from . import Finding, rule
from ._walk import scalar_problems


@rule("PD105", "bad-date")
def check(ctx):
    for path, _field, message in scalar_problems(ctx, {"date"}):
        yield Finding(path, message)
