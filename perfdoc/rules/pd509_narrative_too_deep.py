"""叙述中的列表或引用嵌套过深，部分内容不会出现在文档中

叙述按 Markdown 排版：列表、引用可以嵌套，但嵌套达到 20 层（一层列表算两层，一层引用“>”算一层，即 10 层列表）时，排版器从最深处起不再读取，该处及同一段之后的文字会从文档中消失。消息指出从哪一行起的内容会丢失；请减少嵌套层级（文档中嵌套的列表本来就排成同样缩进的段落）。

错误示例：

    叙述:
      存在问题: |
        - 第一层
          - 第二层
            - 第三层
              - 第四层
                - 第五层
                  - 第六层
                    - 第七层
                      - 第八层
                        - 第九层
                          - 第十层

正确示例：

    叙述:
      存在问题: |
        - 第一层
          - 第二层
            - 第三层
            - 第四层
            - 第五层
            - 第六层
            - 第七层
            - 第八层
            - 第九层
            - 第十层
"""

from __future__ import annotations

import re

from . import Finding, rule
from ._text import line_in_value, text_values


# Each level of list takes at least two columns of indentation or markers at the start of a line, each “>” one:
# nesting 20 levels deep needs a line whose start (spaces, markers, numbers) is about 20 columns wide.
_PREFIX_RE = re.compile(r"[ >*+\-\d.)]*")
_NARROWEST_PREFIX = 16


@rule("PD509", "narrative-too-deep")
def check(ctx):
    for path, _kind, text in text_values(ctx, kinds=("markdown",)):
        if max((len(_PREFIX_RE.match(row.expandtabs(4)).group()) for row in text.split("\n")), default=0) < _NARROWEST_PREFIX:
            continue  # no line starts wide enough to nest that deep: the Markdown reader need not be loaded
        from ..render.markdown import dropped_line  # only here: validating must not pay for importing the renderer

        line = dropped_line(text)
        if line is not None:
            yield Finding(
                path,
                f"叙述第 {line} 行起列表或引用嵌套过深（达到 20 层），这里的内容不会出现在文档中；请减少嵌套层级",
                location=line_in_value(ctx.source, path, line),
            )
