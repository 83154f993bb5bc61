"""年度有误或与文件名不符

The year is a four-digit number between 2000 and 2100. A file kept as
``sources/<格式>/<部门>/<年度>.yaml`` must hold that year: a file copied from
last year and not updated is caught here.

错误示例：

    年度: 22

正确示例：

    年度: 2022
"""

from __future__ import annotations

import re
from pathlib import Path

from . import Finding, rule
from ._walk import scalar_problems


@rule("PD107", "bad-year")
def check(ctx):
    for path, _field, message in scalar_problems(ctx, {"year"}):
        yield Finding(path, message)
    year = ctx.model.get("年度")
    stem = Path(ctx.source.path).stem
    if isinstance(year, int) and re.fullmatch(r"\d{4}", stem) and int(stem) != year:
        yield Finding(("年度",), f"文件名表明年度为 {stem}，但文件中写的是 {year}")
