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

from ..load.schema import MISSING
from . import Finding, rule
from ._walk import walked


@rule("PD102", "missing-key")
def check(analysis):
    if not isinstance(analysis.data, dict):
        return
    for path, field, value in walked(analysis):
        if value is MISSING and field.required:
            parent = path[:-1]
            yield Finding(parent, f"缺少必填项“{path[-1]}”（{field.doc}）", at_key=bool(parent))
