"""电话号码写法有误

电话号码应为 11 位手机号码、带区号的固定电话（如 0730-1234567）或 7 至 8 位的本地号码。请加引号填写，以免丢失开头的 0。

错误示例：

    部门:
      名称: 临湘市总工会
      联系电话: "1871123858"

正确示例：

    部门:
      名称: 临湘市总工会
      联系电话: "18711238585"
"""

from __future__ import annotations

from . import Finding, rule
from ._walk import scalar_problems


@rule("PD106", "bad-phone")
def check(ctx):
    for path, _field, message in scalar_problems(ctx, {"phone"}):
        yield Finding(path, message)
