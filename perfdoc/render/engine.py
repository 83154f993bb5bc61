"""Render one docxtpl template with a context into reproducible .docx bytes.

Templates run in a Jinja sandbox with autoescaping, so figures and names are
always text and never markup. Missing data renders blank rather than failing:
undefined values are :class:`jinja2.ChainableUndefined`, so ``a.b.c`` of
absent data is empty, ``None`` prints as nothing, and the shared filters
(``万元``, ``百分比``…) give blank for a missing value. A name a template uses
that the context does not have at all is a mistake in the template, not
missing data: :func:`undefined_names` lists such names and ``strict=True``
refuses to render them.

Filters: those of :mod:`perfdoc.present` and the Markdown filters ``段落`` /
``paragraphs`` (for ``{{p …}}``) and ``行内`` / ``inline`` (for ``{{r …}}``)
of :mod:`.markdown`.

Every failure is a :class:`~perfdoc.errors.RenderError` whose message names
the template and, where it can be found, the tag at fault.
"""

from __future__ import annotations

import html
import io
import re
import traceback
import zipfile
from contextlib import contextmanager
from functools import lru_cache, wraps
from pathlib import Path

from docx.opc.exceptions import OpcError
from docxtpl import DocxTemplate
from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from ..errors import RenderError
from ..present import FILTERS as PRESENT_FILTERS
from . import markdown
from .package import CoreProperties, reproducible

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TAG_RE = re.compile(r"{[{%#].*?[}%#]}", re.S)
_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

# What a template mistake raises while Jinja runs it (e.g. adding text to a number).
TEMPLATE_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError)
# What a file that is not a usable .docx raises when python-docx opens it.
PACKAGE_ERRORS = (OpcError, KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile)


def render_document(
    template: Path,
    context: dict,
    properties: CoreProperties | None = None,
    *,
    strict: bool = False,
) -> bytes:
    """The rendered document; ``strict`` also refuses names the context lacks."""
    label = display_path(template)
    docx = _open(template, label)
    env = environment()
    with _reported_as_render_error(label):
        docx.render(context, jinja_env=env)
        unknown = _unknown_names(docx, env, context) if strict else []
    if unknown:
        raise RenderError(f"模板 {label} 引用了不存在的名称：{'、'.join(unknown)}")
    buffer = io.BytesIO()
    docx.save(buffer)
    return reproducible(buffer.getvalue(), properties or CoreProperties())


def undefined_names(template: Path, context: dict) -> list[str]:
    """Top-level names the template uses that neither the context nor Jinja defines."""
    label = display_path(template)
    docx = _open(template, label)
    with _reported_as_render_error(label):
        return _unknown_names(docx, environment(), context)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=ChainableUndefined, finalize=_printable)
    env.filters.update({name: _blank_when_missing(f) for name, f in PRESENT_FILTERS.items()})
    # The Markdown filters make a paragraph even of nothing: a table cell needs one.
    env.filters.update(markdown.FILTERS)
    return env


def _printable(value):
    """What ``{{ … }}`` prints: nothing for missing values, text XML can hold."""
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, Markup):
        return value
    return markdown.xml_text(value)


def _blank_when_missing(function):
    @wraps(function)
    def blank_or_formatted(value, *args, **kwargs):
        if value is None or isinstance(value, Undefined):
            return ""
        return function(value, *args, **kwargs)

    return blank_or_formatted


class _CheckedTemplate(DocxTemplate):
    """A DocxTemplate that says where a part failed and never lets broken XML through.

    docxtpl parses the rendered body in recover mode, which silently drops
    what it cannot parse; each rendered part is checked strictly first.
    """

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        try:
            xml = super().render_xml_part(src_xml, part, context, jinja_env)
        except TEMPLATE_ERRORS as exc:
            tag = _failing_tag(src_xml, exc)
            raise _PartError(exc, part, f"出错的标签：{tag}" if tag else "") from exc
        _check_rendered(xml, part)
        return xml


class _PartError(Exception):
    """A failure inside one XML part of the template, with where it happened."""

    def __init__(self, cause: Exception, part, where: str):
        super().__init__(str(cause))
        self.cause = cause
        self.part = part
        self.where = where


def _open(template: Path, label: str) -> _CheckedTemplate:
    try:
        data = Path(template).read_bytes()
    except FileNotFoundError:
        raise RenderError(f"找不到模板文件 {label}") from None
    except OSError as exc:
        raise RenderError(f"无法读取模板文件 {label}：{exc.strerror or exc}") from None
    docx = _CheckedTemplate(io.BytesIO(data))
    try:
        docx.init_docx()
    except PACKAGE_ERRORS as exc:
        raise RenderError(f"模板 {label} 不是有效的 Word（.docx）文件：{exc}") from None
    return docx


def _unknown_names(docx: _CheckedTemplate, env: SandboxedEnvironment, context: dict) -> list[str]:
    names = docx.get_undeclared_template_variables(env, context)
    return sorted(names - set(env.globals))


@contextmanager
def _reported_as_render_error(label: str):
    """Whatever a broken template raises becomes a RenderError naming the template."""
    try:
        yield
    except _PartError as exc:
        raise _render_error(_part_label(label, exc.part), exc.cause, exc.where) from None
    except TemplateError as exc:  # in the document properties, outside any part
        raise _render_error(label, exc, "") from None


def _render_error(label: str, exc: Exception, where: str) -> RenderError:
    if isinstance(exc, TemplateSyntaxError):
        message = f"模板 {label} 有语法错误：{_syntax_hint(exc.message or '')}"
    elif isinstance(exc, UndefinedError):
        message = f"模板 {label} 用到的数据不存在，无法计算：{exc.message}"
    elif isinstance(exc, SecurityError):
        message = f"模板 {label} 含有不允许的写法（只能引用数据，不能访问内部属性）"
    else:
        message = f"模板 {label} 无法渲染：{exc}"
    return RenderError(f"{message}；{where}" if where else message)


def _syntax_hint(message: str) -> str:
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


def _part_label(label: str, part) -> str:
    name = str(getattr(part, "partname", "")).lstrip("/")
    return label if name in ("", "word/document.xml") else f"{label}（{name}）"


def _failing_tag(src_xml: str, exc: Exception) -> str:
    """The template tag on the line Jinja was executing when ``exc`` was raised."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == "<template>"]
        lineno = lines[-1] if lines else None
    # docxtpl puts every paragraph on its own line before handing the XML to Jinja
    return _tag_in(re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml), lineno)


def _tag_in(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = source.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    text = html.unescape(re.sub(r"</?[\w:]+[^<>]*>", "", lines[lineno - 1]))
    tags = _TAG_RE.findall(text)
    found = "  ".join(tags) if tags else text.strip()
    return found if len(found) <= 120 else found[:117] + "…"


def _check_rendered(xml: str, part) -> None:
    try:
        tree = etree.fromstring(xml.encode("utf-8"), _STRICT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise _PartError(ValueError(f"生成的 XML 无效（{exc}）"), part, "") from None
    misplaced = tree.xpath("//w:t[*]", namespaces={"w": W})
    if misplaced:
        text = "".join(misplaced[0].itertext()).strip()[:40]
        raise _PartError(
            ValueError("整段内容（如“段落”过滤器的结果）被放进了一行文字中，这类标签应写作 {{p …}}，“行内”写作 {{r …}}"),
            part,
            f"附近文字：{text}",
        )


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it, for messages and the manifest."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
