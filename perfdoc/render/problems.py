"""Template problems as data, and the one place that words them in Chinese.

A :class:`TemplateProblem` is made where the problem is found: by the
renderer (:mod:`.engine`: a tag Jinja cannot compile or run, rendered XML
that is not XML, a name the data lacks) or by the template reader
(:mod:`.diagnose`: a tag that cannot work, where a tag or a name sits).
:func:`located` adds where the problem is, as Word shows it; :func:`describe`
is the only function that turns a problem into a sentence, and
:class:`TemplateProblemError` carries a problem to the edge, where ``str()``
of it is that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import RenderError

# What a problem is about (TemplateProblem.code).
MISSING = "missing"  # the template file does not exist
UNREADABLE = "unreadable"  # it cannot be read
NOT_DOCX = "not-docx"  # it is not a .docx package python-docx can open
UNSUPPORTED = "unsupported"  # a .docx the renderer does not handle (a part used twice, nesting too deep)
SYNTAX = "syntax"  # Jinja cannot compile a part
UNDEFINED = "undefined"  # a tag computes with data that does not exist
FORBIDDEN = "forbidden"  # the sandbox refused an attribute or a call
TOO_LARGE = "too-large"  # a value or a rendering past the sandbox's bounds
FAILED = "failed"  # any other error while a tag ran
INVALID_XML = "invalid-xml"  # the rendered part is not XML
PARAGRAPH_IN_RUN = "paragraph-in-run"  # a whole paragraph (段落) put inside a line of text
UNKNOWN_NAMES = "unknown-names"  # names the template uses that the data lacks
BROKEN_TAG = "broken-tag"  # one tag that cannot work, found by reading the template (diagnose)
UNKNOWN_NAME = "unknown-name"  # one name the data lacks, and where the template uses it


@dataclass(frozen=True)
class TemplateProblem:
    """One problem of one template, with what is known of where it is."""

    code: str
    template: str = ""  # the template as messages show it (templates/gz/自评表.docx)
    part: str = ""  # the package part (word/document.xml, word/header1.xml); "" for the document properties
    place: str = ""  # where in the part, as Word shows it: 第 3 个表格第 2 行第 1 列
    tag: str = ""  # the tag at fault, as written
    names: tuple[str, ...] = ()  # names the data lacks
    reason: str = ""  # why, in Chinese, when the finder knows more than the code says
    detail: str = ""  # the underlying error's own text (Jinja's, lxml's, the system's)
    near: str = ""  # text near the fault, when no tag is known
    places: tuple[str, ...] = ()  # where each of ``names`` is used (same order), once located
    found: tuple["TemplateProblem", ...] = ()  # broken tags found in the part by reading the template

    @property
    def label(self) -> str:
        """The template, with the part when it is not the main document."""
        if self.part in ("", "word/document.xml"):
            return self.template
        return f"{self.template}（{self.part}）"


class TemplateProblemError(RenderError):
    """A :class:`RenderError` that carries its :class:`TemplateProblem`; ``str()`` words it."""

    def __init__(self, problem: TemplateProblem):
        super().__init__(problem.code)
        self.problem = problem

    def __str__(self) -> str:
        return describe(self.problem)

    def __reduce__(self):  # a worker process sends it whole
        return type(self), (self.problem,)


# ---------------------------------------------------------------- the wording

MAX_PLACES = 3


def describe(problem: TemplateProblem) -> str:
    """The problem as one Chinese sentence: what, where, which tag or names."""
    code, label = problem.code, problem.label
    if code == BROKEN_TAG:
        return f"{problem.place}“{_short(problem.tag)}”：{problem.reason}"
    if code == UNKNOWN_NAME:
        name = problem.names[0] if problem.names else problem.tag
        return f"{name}（{problem.place}）" if problem.place else name
    if code == MISSING:
        return f"找不到模板文件 {problem.template}"
    if code == UNREADABLE:
        return f"无法读取模板文件 {problem.template}：{problem.detail}"
    if code == NOT_DOCX:
        return f"模板 {label} 不是有效的 Word（.docx）文件：{problem.detail}"
    if code == UNKNOWN_NAMES:
        return f"模板 {label} 引用了不存在的名称：{'、'.join(_names(problem))}"
    if code == SYNTAX:
        message = f"模板 {label} 有语法错误：{syntax_hint(problem.detail)}"
    elif code == UNDEFINED:
        message = f"模板 {label} 用到的数据不存在，无法计算：{problem.detail}"
    elif code == FORBIDDEN:
        message = f"模板 {label} 含有不允许的写法（只能引用数据，不能访问内部属性）"
    elif code == INVALID_XML:
        message = f"模板 {label} 无法渲染：生成的 XML 无效（{problem.detail}）"
    elif code == PARAGRAPH_IN_RUN:
        message = (f"模板 {label} 无法渲染：整段内容（如“段落”过滤器的结果）被放进了一行文字中，"
                   "这类标签应写作 {{p …}}，“行内”写作 {{r …}}")
    elif code == UNSUPPORTED:
        message = f"模板 {label} 无法渲染：{problem.reason}"
    else:  # TOO_LARGE, FAILED
        message = f"模板 {label} 无法渲染：{problem.detail or problem.reason}"
    if problem.tag:
        message += f"；出错的标签：{_short_tag(problem.tag)}"
    if problem.near:
        message += f"；附近文字：{problem.near}"
    if problem.found:
        shown = problem.found[:MAX_PLACES]
        message += "；位置：" + "；".join(describe(found) for found in shown)
        if len(problem.found) > MAX_PLACES:
            message += f"；另有 {len(problem.found) - MAX_PLACES} 处"
    elif problem.place:
        message += f"；位置：{problem.place}"
    return message


def _names(problem: TemplateProblem) -> list[str]:
    places = problem.places or ("",) * len(problem.names)
    return [f"{name}（{place}）" if place else name for name, place in zip(problem.names, places)]


def syntax_hint(message: str) -> str:
    """Jinja's message, preceded by what it usually means in a template."""
    if "Unexpected end of template" in message:
        hint = "标记未闭合（如 {% for %} 缺少 {% endfor %}，{% if %} 缺少 {% endif %}）"
    elif "unknown tag" in message:
        hint = "未知的标记，或多出的 {% end… %}"
    elif "expected token" in message or "unexpected" in message:
        hint = "标签写法有误（如花括号不配对、括号不配对）"
    else:
        return message
    return f"{hint}（{message}）"


def _short(tag: str) -> str:
    tag = " ".join(tag.split())
    return tag if len(tag) <= 80 else tag[:77] + "…"


def _short_tag(tag: str) -> str:
    return tag if len(tag) <= 120 else tag[:117] + "…"
