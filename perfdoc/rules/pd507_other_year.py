"""叙述中的年度既不是本年度也不是上一年度

自评报告说的是被评价年度（及与上年的比较）。叙述中“X年度”“X年部门预算”“X年全年”这类说法里的年份既不是本年度也不是上一年度时，多半是从往年报告中照抄后漏改了年份。只检查这类指年度的说法；“2026年承办省运会”之类的其他年份不受影响。

错误示例：

    年度: 2023
    叙述:
      总体运行情况: |
        2021年度，我会围绕中心工作，较好完成了各项任务。

正确示例：

    年度: 2023
    叙述:
      总体运行情况: |
        2023年度，我会围绕中心工作，较好完成了各项任务。
"""

from __future__ import annotations

import re

from ..errors import Severity
from . import Finding, rule
from ._narratives import narrative_texts
from ._text import as_written, locate

_FISCAL_YEAR = re.compile(r"(?<!\d)(\d{4})年(?:度|部门|单位|预算|决算|全年|年初|年中|年末|实际支出|绩效自评)")


@rule("PD507", "other-year", severity=Severity.WARNING)
def check(ctx):
    year = ctx.model.get("年度")
    if not isinstance(year, int):
        return
    for path, text in narrative_texts(ctx):
        for match in _FISCAL_YEAR.finditer(text):
            typed = int(match.group(1))
            if typed not in (year, year - 1):
                location = locate(ctx.source, path, match.group(0))
                yield Finding(
                    path,
                    f"“{as_written(ctx.source, location, match.group(0))}”的年份 {typed} 既不是本年度 {year} 也不是上一年度 {year - 1}，可能是照抄往年时漏改",
                    hint="可改为引用 {{ 年度 }}",
                    location=location,
                )
