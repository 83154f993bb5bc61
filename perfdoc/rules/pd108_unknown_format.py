"""未知的文档格式

``格式`` 填写的是 ``templates/`` 下某个含有 ``format.yaml`` 的文件夹的名称。名称未知、格式仅供继承或其 format.yaml 有错误时，既无法生成任何文档，也没有可用的评分办法。

错误示例：

    格式: guangzhuo

正确示例：

    格式: guangzhou
"""

from __future__ import annotations

from ..errors import FormatError
from ..load.formats import available_formats, load_format
from . import Finding, rule


@rule("PD108", "unknown-format")
def check(ctx):
    name = ctx.model.get("格式")
    if not isinstance(name, str) or (ctx.format is not None and not ctx.format.abstract):
        return
    known = available_formats()
    if ctx.format is not None:
        yield Finding(("格式",), f"格式“{name}”仅供其他格式继承，不能直接使用；可用：{'、'.join(known)}")
        return
    if name in available_formats(include_abstract=True):
        try:
            load_format(name)
        except FormatError as exc:
            yield Finding(("格式",), f"格式“{name}”的 format.yaml 有错误：{exc}")
            return
    import difflib  # here: only a mistake needs it

    guess = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"是否应为“{guess[0]}”？" if guess else f"已有格式：{'、'.join(known) or '（无）'}"
    yield Finding(("格式",), f"没有名为“{name}”的文档格式；{hint}")
