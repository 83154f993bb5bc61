"""缺少输入数字，相关数字无法计算

没有填写的数字是未知，不是 0。一个派生数字（调整后预算、收入合计、预算完成率、执行率等）的组成部分有的填了、有的没填时，perfdoc 不会把没填的当作 0 去计算，而是在没填的数字处提示一次，列出因此无法计算的数字；文档中这些数字处显示“【待填写】”标记。

错误示例：

    预算:
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
      实际支出:
        一般公共预算: 608.57
"""

from __future__ import annotations

from ..errors import Severity
from ..load.schema import dotted
from . import Finding, rule

def _written(data, path: tuple) -> bool:
    """Whether ``path`` is in the file at all (a value that does not parse is reported elsewhere)."""
    node = data
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
    return True


@rule("PD207", "missing-input", severity=Severity.WARNING)
def check(ctx):
    blocked: dict = {}  # missing input → the figures it keeps unknown
    for path, derivation in ctx.figures.derivations.items():
        if derivation.stated is not None:
            continue  # the file states the figure itself: nothing is left blank
        for missing in derivation.missing:
            blocked.setdefault(missing, []).append(path)
    for missing, paths in blocked.items():
        if _written(ctx.data, missing):
            continue
        names = "、".join(dict.fromkeys(dotted(path) for path in paths))
        yield Finding(missing, f"未填写 {dotted(missing)}，以下数字无法计算：{names}", hint="没有填写的数字是未知，不按 0 计算")
