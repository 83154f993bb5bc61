"""未知的键

结构定义中没有的键，几乎都是键名写错或放错了层级。这样的键会被直接忽略而不作任何提示，因此按错误报告。消息中会给出最接近的已知键。

错误示例：

    预算:
      年初预算: 643.45
      调整额: 12.10

正确示例：

    预算:
      年初预算: 643.45
      调整数: 12.10
"""

from __future__ import annotations

from ..load.schema import field_at
from . import Finding, rule
from ._text import fullwidth_colon_hint
from ._walk import walked


@rule("PD101", "unknown-key")
def check(analysis):
    for path, field, _value in walked(analysis):
        if field is None:
            parent = field_at(path[:-1])
            key = path[-1]
            yield Finding(path, _message(key, parent, path[:-1]), at_key=True, hint=fullwidth_colon_hint(key, parent))


def _message(key, field, path) -> str:
    known = list(field.fields)
    import difflib  # here: only a mistake needs it

    guess = difflib.get_close_matches(str(key), known, n=1, cutoff=0.4)
    where = "顶层" if not path else f"“{path[-1] if not isinstance(path[-1], int) else path[-2]}”下"
    text = f"{where}没有“{key}”这一项"
    if guess:
        text += f"，是否应为“{guess[0]}”？"
    else:
        text += f"；可用的有：{'、'.join(known[:12])}{'……' if len(known) > 12 else ''}"
    return text
