"""格式所需的数据或章节未填写

每种格式都列出了其文档所展示的数据块（``必需数据``）和叙述章节（``必需章节``，按文档分别列出）。缺少的内容在文档中显示为明显的空白，绝不凭空编造；本警告列出尚待填写的内容。

错误示例：

    格式: guangzhou
    叙述:
      存在问题: |
        绩效指标设置有待提升。

正确示例：

    格式: guangzhou
    预算:
      年初预算: 431.77
      调整数: 0
      实际支出:
        一般公共预算: 431.77
    年度目标:
      - 目标: 维护职工合法权益
        完成情况: 已完成
    叙述:
      总体运行情况: 各项工作取得新进展。
      绩效管理情况: 开展部门整体绩效自评。
      自评结论: 较好完成了各项重点工作任务。
      目标完成情况: 各项指标均已完成。
      重点项目绩效情况: 暂无重点项目。
      部门整体绩效: 达到预期效果。
      存在问题: 绩效指标设置有待提升。
      改进措施: 提高绩效指标设置水平。
"""

from __future__ import annotations

from ..errors import Severity
from . import Finding, rule


def missing_data(ctx) -> list[str]:
    """The blocks of data the format's documents need that the source does not give."""
    if ctx.format is None or not isinstance(ctx.data, dict):
        return []
    return [key for key in ctx.format.required_data if not ctx.model.get(key)]


@rule("PD109", "expected-by-format", severity=Severity.WARNING)
def check(ctx):
    fmt = ctx.format
    if fmt is None or not isinstance(ctx.data, dict):
        return
    missing_data_ = missing_data(ctx)
    if missing_data_:
        yield Finding((), f"格式“{fmt.name}”的文档需要以下数据，尚未填写，文档中将显示“【待填写】”标记：{'、'.join(missing_data_)}")
    sections = ctx.model.get("叙述") or {}
    where = ("叙述",) if "叙述" in ctx.data else ()
    for doc in fmt.documents_for(ctx.data):
        missing = [key for key in doc.required_sections if not str(sections.get(key) or "").strip()]
        if missing:
            yield Finding(where, f"“{doc.name}”需要以下叙述章节，尚未填写，文档中将显示“【待填写】”标记：{'、'.join(missing)}")
