"""缺少必填项

有些键是任何文档都必须填写的：格式、年度、部门名称；列表中的每一项还必须有该项的名称。每缺少一个，都在本应包含它的那一层报告。

错误示例：

    评价人员:
      - 职务: 财务资产管理部副部长

正确示例：

    评价人员:
      - 姓名: 李芷怡
        职务: 财务资产管理部副部长
"""

from __future__ import annotations

from ..load.schema import SOURCE_SCHEMA
from . import Finding, rule


@rule("PD102", "missing-key")
def check(ctx):
    if not isinstance(ctx.data, dict):
        return
    yield from _walk(ctx.data, SOURCE_SCHEMA, ())


def _walk(value, field, path):
    if field.kind == "map" and isinstance(value, dict) and not field.open:
        for key, child in field.fields.items():
            if child.required and key not in value:
                yield Finding(path, f"缺少必填项“{key}”（{child.doc}）", at_key=bool(path))
            elif key in value:
                yield from _walk(value[key], child, path + (key,))
    elif field.kind == "list" and isinstance(value, list) and field.item is not None:
        for index, item in enumerate(value):
            yield from _walk(item, field.item, path + (index,))
