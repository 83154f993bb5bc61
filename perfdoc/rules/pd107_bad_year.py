"""年度有误或与文件名不符

年度是 2000 至 2100 之间的四位数。按 ``sources/<格式>/<部门>/<年度>.yaml`` 存放的文件，其中填写的年度必须与文件名中的年度一致：从上年复制过来而未改年度的文件会在此被发现。

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
