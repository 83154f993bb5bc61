"""叙述章节不会出现在本格式的任何文档中

每种格式的文档只印出它的模板用到的叙述章节；其余部分由模板按数据写出（如益阳项目评价报告的项目概况与资金情况）。数据文件写了一个本格式的文档都不印的章节，这段文字不会出现在任何文档中。请把内容并入文档印出的章节，或删除这一章节。模板以其他方式读取叙述（如逐一列出全部章节）时不作判断。

错误示例：

    格式: hunan-yiyang
    叙述:
      支出概况: |
        2023年项目支出共计101.83万元。
      经验做法: 严格执行预算。

正确示例：

    格式: hunan-yiyang
    叙述:
      经验做法: 严格执行预算，2023年项目支出共计101.83万元。
"""

from __future__ import annotations

from ..errors import Severity
from ..load.schema import NARRATIVE_SECTIONS
from . import Finding, rule


@rule("PD114", "section-not-printed", severity=Severity.WARNING)
def check(ctx):
    fmt = ctx.format
    written = ctx.data.get("叙述") if fmt is not None and isinstance(ctx.data, dict) else None
    printed = fmt.printed_sections if isinstance(written, dict) else None
    if printed is None:
        return
    for section, text in written.items():
        if section in printed or section not in NARRATIVE_SECTIONS or not str(text or "").strip():
            continue  # printed, an unknown key (PD101), or nothing written
        shown = _in_schema_order(printed)
        yield Finding(
            ("叙述", section),
            f"叙述章节“{section}”不会出现在格式“{fmt.name}”的任何文档中：这些文档不印这一章节",
            hint=f"本格式的文档印出的章节：{shown}；请把内容并入其中之一，或删除这一章节" if shown else "本格式的文档不印任何叙述章节；请删除这一章节",
            at_key=True,
        )


def _in_schema_order(printed: frozenset) -> str:
    """The printed sections in the schema's order (the order of the forms' outlines)."""
    return "、".join(key for key in NARRATIVE_SECTIONS if key in printed)
