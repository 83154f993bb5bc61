"""日期写法有误或日期不存在

日期写作 2023-03-27 的形式。不存在的日期（如 2023-02-30）或不是日期的文字都会报告。

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
