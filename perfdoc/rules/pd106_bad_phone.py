"""电话号码写法有误

A phone number is an 11-digit mobile number, a landline with its area code
(0730-1234567), or a 7–8 digit local number. Write it in quotes so that a
leading zero is kept.

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
