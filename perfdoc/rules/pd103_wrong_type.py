"""值的类型不对

每个键只接受一类值：映射、列表、文本、整数、分数，或几个可选值之一。该写映射处写成列表、该填数目处写成文字，或者值为空，都会报告，并说明应当填写什么。

错误示例：

    部门:
      名称: 临湘市总工会
      人员编制: 二十四

正确示例：

    部门:
      名称: 临湘市总工会
      人员编制: 24
"""

from __future__ import annotations

from ..numbers import type_name
from . import Finding, rule
from ._text import fullwidth_colon_hint
from ._walk import fields, scalar_problems

_CONTAINER = {"map": ("映射（键: 值）", dict), "list": ("列表（- 开头的各项）", list)}


@rule("PD103", "wrong-type")
def check(ctx):
    if not isinstance(ctx.data, dict):
        yield Finding((), f"文件顶层应为映射（键: 值），实际为{type_name(ctx.data)}")
        return
    for path, field, value in fields(ctx):
        if field.kind in _CONTAINER:
            label, expected = _CONTAINER[field.kind]
            if not isinstance(value, expected) and not field.derived:
                yield Finding(path, f"“{path[-1]}”应为{label}，实际为{type_name(value)}", hint=fullwidth_colon_hint(value, field))
        elif isinstance(value, (dict, list)):
            yield Finding(path, f"“{path[-1]}”应为单个值，实际为{type_name(value)}")
    for path, _field, message in scalar_problems(ctx, {"text", "markdown", "int", "score", "bool", "choice"}):
        yield Finding(path, message)
