"""Figure references in narrative text, rendered in a Jinja sandbox.

A narrative may write ``{{ 预算.调整后预算 }}`` so that a number is typed once.
The sandbox forbids attribute tricks (``''.__class__``), names must exist
(StrictUndefined), and any failure becomes a :class:`NarrativeError` with the
line inside the text, which the validator turns into a file position.

Lists are numbered from 1, as the forms and ``perfdoc show`` number them:
``{{ 任务[1].资金 }}`` is 任务1's funds. A reference to a name that does not
exist, to an item past the end, or to a group of figures printed as it is
(``{{ 预算.实际支出 }}``) is reported at its own column with the valid names.

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

if TYPE_CHECKING:  # Jinja is imported only for a reference that is not a plain name path
    from jinja2 import TemplateSyntaxError, UndefinedError

# Jinja is imported by the functions that need it: most narratives hold plain references only,
# which are looked up without it, and validating one file should not pay for importing it.

_REF_RE = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


@dataclass
class NarrativeError(Exception):
    message: str
    line: int = 1  # 1-based line within the narrative text
    column: int | None = None  # 1-based column of the reference within that line, when known
    width: int = 0  # characters of the reference
    unknown: bool = False  # a declared figure with no value yet: the document shows a 【待填写】 marker

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
    _check_references(text, context)
    return _render_with_jinja(text, context)


def _render_with_jinja(text: str, context: dict) -> str:
    """``text`` rendered by the sandbox, list indices counted from 1."""
    from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError

    from .sandbox import TooLarge, ZeroIndex

    env = environment()
    try:
        parsed = env.parse(text)
        _refuse_statements(parsed)
        template = env.from_string(parsed)  # the sandbox counts indices from 1
    except ZeroIndex as exc:
        raise NarrativeError(exc.message, exc.lineno or 1) from None
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


_TAG = re.compile(r"{{(.*?)}}", re.S)


def _check_references(text: str, context: dict) -> None:
    """NarrativeError, at the reference's own column, for the first reference that names
    nothing, an item past the end, or a group printed as it is; with the valid names."""
    from jinja2 import TemplateSyntaxError, nodes

    for match in _TAG.finditer(text):
        try:
            output = environment().parse(match.group(0)).body[0]
        except (TemplateSyntaxError, IndexError):
            continue  # explained when the whole text is compiled
        if not isinstance(output, nodes.Output):
            continue
        printed = {id(node) for node in output.nodes}
        for chain in _chains(output):
            problem = _resolve(chain, context, printed=id(chain) in printed)
            if problem:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                unknown = problem.startswith(_UNKNOWN)
                raise NarrativeError(problem.lstrip(_UNKNOWN), line, column, len(match.group(0)), unknown)


def _chains(root):
    """The outermost name paths (``a.b[1].c``) in an expression."""
    from jinja2 import nodes

    inner: set = set()
    for node in root.find_all((nodes.Getattr, nodes.Getitem)):
        inner.add(id(node.node))
    for node in root.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        if id(node) not in inner and _steps(node) is not None:
            yield node


def _steps(node) -> list | None:
    """``a.b[1]`` as ``["a", "b", 1]``; None when a step is not a name or a constant index."""
    from jinja2 import nodes

    steps: list = []
    while not isinstance(node, nodes.Name):
        if isinstance(node, nodes.Getattr):
            steps.append(node.attr)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and type(node.arg.value) in (int, str):
            steps.append(node.arg.value)
        else:
            return None
        node = node.node
    if node.ctx != "load":
        return None
    return [node.name, *reversed(steps)]


_UNKNOWN = "\0"  # marks a problem that is a value still to be written, not a wrong reference


def _declared(steps: list) -> bool:
    """Whether the schema declares the path ``steps`` (a figure that may just not be written yet)."""
    from ..load.schema import SOURCE_SCHEMA

    field = SOURCE_SCHEMA
    for step in steps:
        if field.kind == "list" and isinstance(step, int):
            field = field.item
        elif field.kind == "map" and isinstance(step, str):
            field = field.item if field.open else (field.fields or {}).get(step)
            if field is None:
                return False
        else:
            return False
    return True


def _resolve(chain, context: dict, printed: bool) -> str:
    """What is wrong with the path ``chain`` names, in Chinese; "" when it names a value."""
    steps = _steps(chain)
    value, shown = context, ""
    for number, step in enumerate(steps, 1):
        here = f"{shown}[{step}]" if isinstance(step, int) else (f"{shown}.{step}" if shown else str(step))
        if isinstance(value, list) and isinstance(step, int):
            if step < 1:
                return f"列表从 1 开始编号：{shown} 的第一项写作 {shown}[1]"
            if step > len(value):
                count = f"只有 {len(value)} 项（{shown}[1]～{shown}[{len(value)}]）" if value else "没有任何项"
                return f"{here} 不存在：{shown} {count}，从 [1] 开始编号"
            value = value[step - 1]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, dict) and _declared(steps[:number]):
            return _UNKNOWN + f"{here} 尚未填写，文档中此处将显示“【待填写】”标记"
        elif isinstance(value, dict) and isinstance(step, str) and not step.isascii():
            names = "、".join(str(key) for key in value)
            where = f"{shown} 下" if shown else ""
            return f"{here} 不存在；{where}可用的名称：{names}" if names else f"{here} 不存在"
        else:
            return ""  # attributes and the like: left to the sandbox
        shown = here
    if printed and value is None:
        return _UNKNOWN + f"{shown} 尚无数值（未填写或无法计算），文档中此处将显示“【待填写】”标记"
    if printed and isinstance(value, dict):
        names = "、".join(f"{shown}.{key}" for key in value)
        return f"{shown} 是一组数字，不能直接写进文字；请引用其中之一：{names}"
    if printed and isinstance(value, list):
        return f"{shown} 是一个列表，不能直接写进文字；请引用其中一项，如 {shown}[1]"
    return ""


# ``{{ 名称.名称[1].名称|万元 }}``: what nearly every reference is. Names that are not all
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
    index in a list as an item (``[n]`` being item n - 1, see :func:`.sandbox.count_from_one`),
    calls a filter with the value alone, and prints ``str()``.
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
            else:  # counted from 1, as the forms number items
                if type(value) is not list or not 1 <= int(index) <= len(value):
                    return None
                value = value[int(index) - 1]
        if type(value) in (dict, list):
            return None  # a group printed as it is: explained by the slow path
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
