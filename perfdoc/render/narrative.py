"""Figure references in narrative text, rendered in a Jinja sandbox.

A narrative may write ``{{ 预算.调整后预算 }}`` so that a number is typed once.
The sandbox forbids attribute tricks (``''.__class__``), names must exist
(StrictUndefined), and any failure becomes a :class:`NarrativeError` with the
line inside the text, which the validator turns into a file position.

A reference cannot make the document grow without bound or run for ever:
a narrative may use names, filters of :data:`ALLOWED_FILTERS`, arithmetic
and ``{% if %}``, but no loops, assignments, macros or calls; it runs in the
bounded sandbox of :mod:`.sandbox` (every intermediate value at most
:data:`MAX_EXPANSION` characters or elements, a bounded amount of work), and
what a narrative expands to is at most :data:`MAX_EXPANSION` characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from functools import lru_cache
from typing import TYPE_CHECKING

from .bounds import NARRATIVE_JINJA_FILTERS, NARRATIVE_LIMITS
from .present import FILTERS

if TYPE_CHECKING:
    from jinja2 import TemplateSyntaxError, UndefinedError

_REF_RE = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


@dataclass
class NarrativeError(Exception):
    message: str
    line: int = 1  # 1-based line within the narrative text

    def __str__(self):
        return self.message


# What a narrative may expand to at most (the sandbox's value bound for narratives).
MAX_EXPANSION = NARRATIVE_LIMITS.value
ALLOWED_FILTERS = NARRATIVE_JINJA_FILTERS


@lru_cache(maxsize=1)
def environment():
    """The sandbox references render in (:func:`.sandbox.narrative_environment`), made the first time one needs Jinja."""
    from .sandbox import narrative_environment

    return narrative_environment()


def has_references(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def render_references(text: str, context: dict) -> str:
    """Replace figure references in ``text``; raise NarrativeError on any problem."""
    if not has_references(text):
        return text
    looked_up = _look_up_plain_references(text, context)
    if looked_up is not None:
        return looked_up
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateError

    from .sandbox import TooLarge

    env = environment()
    try:
        parsed = env.parse(text)
        _refuse_statements(parsed)
        template = env.from_string(parsed)
    except TemplateSyntaxError as exc:
        raise NarrativeError(f"引用语法错误：{_syntax_message(exc)}", exc.lineno or 1) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, RecursionError, MemoryError) as exc:
        # Jinja folds constants while compiling: {{ 10**5000 }} fails here, not at render time.
        raise NarrativeError(f"引用无法计算：{type(exc).__name__}", 1) from None
    try:
        rendered = template.render(context)
    except UndefinedError as exc:
        raise NarrativeError(f"引用了不存在的数字或名称：{_undefined_name(exc)}", _error_line(exc)) from None
    except TooLarge as exc:
        raise NarrativeError(f"引用无法计算：{exc}", _error_line(None)) from None
    except SecurityError:
        raise NarrativeError("引用中含有不允许的写法（只能引用数字和名称，不能访问内部属性）", _error_line(None)) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise NarrativeError(f"引用无法计算：{exc}", _error_line(exc)) from None
    if len(rendered) > len(text) + MAX_EXPANSION:
        raise NarrativeError(f"引用无法计算：{_TOO_LARGE}", 1)
    return rendered


_TOO_LARGE = f"展开后的文字过长（超过 {MAX_EXPANSION} 字），引用只应写出数字和名称"
_STATEMENTS = {"For": "循环 {% for %}", "Assign": "赋值 {% set %}", "AssignBlock": "赋值 {% set %}",
               "Macro": "宏 {% macro %}", "Call": "函数或方法调用", "CallBlock": "{% call %}", "With": "{% with %}",
               "FilterBlock": "{% filter %}", "Block": "{% block %}", "Include": "{% include %}",
               "Import": "{% import %}", "FromImport": "{% import %}", "Extends": "{% extends %}"}


def _refuse_statements(parsed) -> None:
    """NarrativeError at the first loop, assignment, macro, block, import or call."""
    from jinja2 import nodes

    # What a narrative may contain: output, names and constants, filters and tests, arithmetic,
    # comparisons and {% if %}. Not loops, assignments, macros, blocks, imports or calls.
    allowed = (
        nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Name, nodes.Const, nodes.Getattr,
        nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.Keyword, nodes.CondExpr, nodes.Compare,
        nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.BinExpr, nodes.Concat,
        nodes.Tuple, nodes.List,
    )
    for node in parsed.find_all(nodes.Node):
        if not isinstance(node, allowed):
            used = _STATEMENTS.get(type(node).__name__, type(node).__name__)
            raise NarrativeError(
                f"叙述中只能引用数字和名称（{{{{ … }}}}，可加过滤器）和 {{% if %}} 条件，不能使用{used}",
                getattr(node, "lineno", 1) or 1,
            )


# ``{{ 名称.名称[0].名称|万元 }}``: what nearly every reference is. Names that are not all
# ASCII (so no Jinja keyword and no attribute of dict), indices as Jinja reads integers, and
# filters without arguments.
_PLAIN_REFERENCE = re.compile(
    r"{{\s*((?:[^\W\d]\w*)(?:\.[^\W\d]\w*|\[(?:0|[1-9]\d*)\])*)((?:\s*\|\s*[^\W\d]\w*)*)\s*}}"
)
_STEP = re.compile(r"\.?([^\W\d]\w*)|\[(\d+)\]")
# perfdoc's filters, as the sandbox has them (one marked to receive Jinja's context or
# environment is called differently)
_PLAIN_FILTERS = {name: f for name, f in FILTERS.items() if getattr(f, "jinja_pass_arg", None) is None}


def _look_up_plain_references(text: str, context: dict) -> str | None:
    """``text`` rendered as Jinja renders it, when every reference in it is a plain name path
    that exists, with filters of our own; otherwise None, and Jinja renders it (and explains
    what is wrong).

    Compiling a template costs a millisecond; looking a path up, microseconds. Jinja's
    sandbox looks a name up in a dict as a key (a dict has no attribute of that name) and an
    index in a list as an item, calls a filter with the value alone, and prints ``str()``.
    """
    if "{%" in text or "{#" in text or "\r" in text or type(context) is not dict:
        return None  # statements, comments, or line breaks Jinja would normalise
    out, end = [], 0
    for match in _PLAIN_REFERENCE.finditer(text):
        start = match.start()
        if "{{" in text[end:start] or text[start - 1 : start] == "{":
            return None  # a tag the pattern does not take
        value = context
        for name, index in _STEP.findall(match.group(1)):
            if name:
                if type(value) is not dict or name.isascii() or name not in value:
                    return None
                value = value[name]
            else:
                if type(value) is not list or int(index) >= len(value):
                    return None
                value = value[int(index)]
        for name in match.group(2).split("|")[1:]:
            apply = _PLAIN_FILTERS.get(name.strip())
            if apply is None:
                return None
            try:
                value = apply(value)
            except Exception:  # noqa: BLE001 - Jinja raises it again, with its line
                return None
        out += (text[end:start], str(value))
        end = match.end()
    if "{{" in text[end:]:
        return None
    out.append(text[end:])
    return "".join(out)


def strip_references(text: str) -> str:
    """The narrative with every reference blanked out (same length, same lines)."""
    return _REF_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _syntax_message(exc: TemplateSyntaxError) -> str:
    msg = exc.message or ""
    if "Unexpected end of template" in msg:
        return "模板标记未闭合（例如 {% for %} 缺少 {% endfor %}）"
    if "unexpected '}'" in msg or "expected token" in msg:
        return "花括号不配对或写法有误"
    unknown = re.match(r"No filter named '([^']*)'", msg)
    if unknown:
        return f"没有名为“{unknown.group(1)}”的过滤器；可用的有：{'、'.join(sorted(FILTERS, key=_cjk_first))}"
    return msg


def _cjk_first(name: str):
    return (name.isascii(), name)


def _undefined_name(exc: UndefinedError) -> str:
    msg = str(exc)
    match = re.search(r"'([^']+)' is undefined", msg) or re.search(r"has no attribute '([^']+)'", msg)
    return match.group(1) if match else msg


def _error_line(exc) -> int:
    import sys
    import traceback

    tb = sys.exc_info()[2]
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == "<template>":
            return lineno
    return 1
