"""Render one docxtpl template with a context into reproducible .docx bytes.

Templates run in a Jinja sandbox with autoescaping, so figures and names are
always text and never markup. Missing data renders blank rather than failing:
undefined values are :class:`jinja2.ChainableUndefined`, so ``a.b.c`` of
absent data is empty, ``None`` prints as nothing, and the shared filters
(``万元``, ``百分比``…) give blank for a missing value. A name a template uses
that the context does not have at all is a mistake in the template, not
missing data: :func:`undefined_names` lists such names and ``strict=True``
refuses to render them.

Filters: those of :mod:`perfdoc.render.present` and the Markdown filters ``段落`` /
``paragraphs`` (for ``{{p …}}``) and ``行内`` / ``inline`` (for ``{{r …}}``)
of :mod:`.markdown`.

Every failure is a :class:`~perfdoc.errors.RenderError` whose message names
the template and, where they can be found, the tag at fault and its place in
the template as Word shows it (``第 3 个表格第 2 行第 1 列``, see :mod:`.diagnose`).

Two ways to the same bytes. :func:`render_document_reference` is the plain
docxtpl way: open the template with python-docx, patch and compile its XML,
render, save, and make the package reproducible. :func:`render_document`
does the template's share of that work once per process and keeps it, keyed
by the digest of the template's bytes (:class:`_Compiled`): the patched and
compiled Jinja templates of the body, headers, footers and document
properties, and every package part that rendering leaves unchanged, already
serialised and deflated. A document then costs its Jinja rendering, the XML
checks and table fixes docxtpl makes, serialising the parts that changed and
deflating those. It uses docxtpl's and python-docx's own functions where it
can; three steps it does its own, faster way with the same result: docxtpl's
table and drawing-id fixes run on the tree it has parsed once, with the body
already inside the document element (:class:`_Splice`), and listing
characters are resolved only in the paragraphs that have them (each only
with the docxtpl whose source they were checked against). The first document
a process renders from a template is also rendered the reference way and
compared (unless the template's digest is in :func:`trust`); a template whose
documents differed, or that has parts the fast path does not handle
(footnotes), is always rendered the reference way. Whenever the fast path
fails, the reference path runs, so every error is reported as before.
``tests/test_fast_render.py`` compares the two paths byte for byte.
"""

from __future__ import annotations

import copy
import hashlib
import html
import io
import re
import threading
import traceback
import zipfile
from contextlib import contextmanager
from functools import lru_cache, wraps
from pathlib import Path
from types import SimpleNamespace

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.coreprops import CoreProperties as DocxCoreProperties
from docx.opc.exceptions import OpcError
from docx.opc.oxml import serialize_part_xml
from docx.oxml import ns as docx_ns
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from ..errors import RenderError
from .present import FILTERS as PRESENT_FILTERS
from . import diagnose
from . import markdown
from . import package
from . import safezip
from .package import CoreProperties, reproducible

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TAG_RE = re.compile(r"{[{%#].*?[}%#]}", re.S)
_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_W_T = f"{{{W}}}t"

# What a template mistake raises while Jinja runs it (e.g. adding text to a number, a macro calling itself).
TEMPLATE_ERRORS = (TemplateError, TypeError, ValueError, ArithmeticError, RecursionError)
# What a file that is not a usable .docx raises when python-docx opens it.
PACKAGE_ERRORS = (OpcError, KeyError, ValueError, etree.XMLSyntaxError, *safezip.READ_ERRORS)


@diagnose.locating
def render_document(
    template: Path,
    context: dict,
    properties: CoreProperties | None = None,
    *,
    strict: bool = False,
) -> bytes:
    """The rendered document; ``strict`` also refuses names the context lacks.

    The same bytes as :func:`render_document_reference`, without redoing the
    template's share of the work for every document (see the module docstring).
    """
    data = _read(template)
    compiled = _compiled(data)
    rendered = None
    if compiled is not None:
        try:
            rendered = compiled.render(context, properties or CoreProperties(), strict)
        except Exception:  # noqa: BLE001 - the reference path below says what is wrong, as it always has
            rendered = None
    if rendered is None:
        return _render_reference(data, display_path(template), context, properties, strict)
    if compiled.digest in _TRUSTED:
        return rendered
    return _checked_against_reference(compiled, rendered, data, display_path(template), context, properties, strict)


@diagnose.locating
def render_document_reference(
    template: Path,
    context: dict,
    properties: CoreProperties | None = None,
    *,
    strict: bool = False,
) -> bytes:
    """The rendered document, made the plain docxtpl way: the definition of the right bytes."""
    return _render_reference(_read(template), display_path(template), context, properties, strict)


def _render_reference(data: bytes, label: str, context: dict, properties, strict: bool) -> bytes:
    docx = _open_bytes(data, label)
    env = environment()
    with _reported_as_render_error(label):
        docx.render(context, jinja_env=env)
        unknown = _unknown_names(docx, env, context) if strict else []
    if unknown:
        raise RenderError(f"模板 {label} 引用了不存在的名称：{'、'.join(unknown)}")
    buffer = io.BytesIO()
    docx.save(buffer)
    return reproducible(buffer.getvalue(), properties or CoreProperties())


@diagnose.locating
def undefined_names(template: Path, context: dict) -> list[str]:
    """Top-level names the template uses that neither the context nor Jinja defines."""
    data = _read(template)
    compiled = _compiled(data)
    names = compiled.variables() if compiled is not None else None
    if names is not None:
        return sorted(names - set(context) - set(environment().globals))
    label = display_path(template)
    docx = _open_bytes(data, label)
    with _reported_as_render_error(label):
        return _unknown_names(docx, environment(), context)


def shares_context(template: Path) -> bool:
    """Whether rendering ``template`` leaves its context as it was, so one context can serve several documents.

    False when the template calls a method that changes a list, dict or set
    (``append``, ``update``…), or cannot be read, or is not one the fast path handles.
    """
    try:
        compiled = _compiled(_read(template))
    except RenderError:
        return False
    return compiled is not None and not compiled.mutates


def trust(digests) -> None:
    """Template digests whose fast rendering has been compared with the reference (by this renderer)."""
    _TRUSTED.update(digests)


def trusted() -> set[str]:
    """The template digests whose fast rendering has been compared with the reference in this process."""
    return set(_TRUSTED)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = _Sandbox(autoescape=True, undefined=ChainableUndefined, finalize=_printable)
    env.filters.update({name: _blank_when_missing(f) for name, f in PRESENT_FILTERS.items()})
    # The Markdown filters make a paragraph even of nothing: a table cell needs one.
    env.filters.update({name: _remembering(f) for name, f in markdown.FILTERS.items()})
    return env


def _remembering(function):
    """``function`` remembering what it made of text: a narrative is often placed in several documents.

    Only for plain ``str`` arguments, whose equality means the same text.
    """
    remembered = lru_cache(maxsize=512)(function)

    @wraps(function)
    def filter_(value, *args, **kwargs):
        if type(value) is str and all(type(a) is str for a in (*args, *kwargs.values())):
            return remembered(value, *args, **kwargs)
        return function(value, *args, **kwargs)

    return filter_


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, quicker at the two things templates do most, with the same results.

    * ``a.b`` of a plain dict: Jinja first looks for an attribute ``b``,
      whose absence costs an exception, then for the key; a dict's attributes
      are those of :class:`dict`, so for any other name the key is looked up
      at once.
    * The verdict on an attribute (:func:`jinja2.sandbox.is_internal_attribute`)
      depends on the object's type and the attribute's name only, and is
      remembered.

    Both hold for the Jinja whose sources have the digests below; with
    another Jinja the sandbox is used as it is.
    """

    JUDGED_BY = "050ab301ddb2b53a77afa2ddbe8ceec259e6de350848025ee04e3e4549b609e8"
    LOOKED_UP_BY = "d5022b42a9425c440cc875fc2732e75c3d45db95c6da81254f0bc0b55e353017"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._verdicts: dict = {} if _jinja_judges_by_type(self.JUDGED_BY) else None
        self._dict_keys_first = _jinja_getattr_is(self.LOOKED_UP_BY)

    def getattr(self, obj, attribute):
        if self._dict_keys_first and type(obj) is dict and type(attribute) is str and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr, value) -> bool:
        kind = type(obj)
        if self._verdicts is None or obj.__class__ is not kind:
            return super().is_safe_attribute(obj, attr, value)
        verdict = self._verdicts.get((kind, attr))
        if verdict is None:
            verdict = super().is_safe_attribute(obj, attr, value)
            if len(self._verdicts) < 10_000:
                self._verdicts[(kind, attr)] = verdict
        return verdict


_DICT_ATTRIBUTES = frozenset(dir(dict))


@lru_cache(maxsize=None)
def _jinja_getattr_is(digest: str) -> bool:
    import inspect

    from jinja2 import sandbox

    try:
        source = inspect.getsource(sandbox.SandboxedEnvironment.getattr)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == digest


@lru_cache(maxsize=None)
def _jinja_judges_by_type(digest: str) -> bool:
    import inspect

    from jinja2 import sandbox

    try:
        source = inspect.getsource(sandbox.SandboxedEnvironment.is_safe_attribute) + inspect.getsource(
            sandbox.is_internal_attribute
        )
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == digest


def _printable(value):
    """What ``{{ … }}`` prints: nothing for missing values, text XML can hold, printed as typed."""
    if value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, Markup):
        return value
    if type(value) is str and value.isprintable():  # no character xml_text would drop
        text = value
    else:
        text = markdown.xml_text(value)
    if "_" in text:  # rare: only then can docxtpl's {_{ … }_} replacement apply
        return Markup(markdown.kept_from_docxtpl(str(escape(text))))
    return text


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


def _read(template: Path) -> bytes:
    try:
        return safezip.read_package(template)
    except FileNotFoundError:
        raise RenderError(f"找不到模板文件 {display_path(template)}") from None
    except OSError as exc:  # a link, a device, a FIFO or too large too (inputs.InputRefused)
        raise RenderError(f"无法读取模板文件 {display_path(template)}：{exc.strerror or exc}") from None
    except zipfile.BadZipFile as exc:  # a zip bomb too (safezip.ZipRefused)
        raise RenderError(f"模板 {display_path(template)} 不是有效的 Word（.docx）文件：{exc}") from None


def _open_bytes(data: bytes, label: str) -> _CheckedTemplate:
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
    elif isinstance(exc, RecursionError):
        message = f"模板 {label} 无法渲染：宏或循环调用自身，层层嵌套没有尽头"
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


def _check_rendered(xml: str, part, *, encoded: bool = True):
    """The rendered part parsed strictly; a _PartError when it is not XML or has paragraphs inside a run.

    ``encoded=False`` parses the text as it is rather than its UTF-8 bytes: the
    same tree, and the same refusal of what cannot be encoded.
    """
    try:
        tree = etree.fromstring(xml.encode("utf-8") if encoded else xml, _STRICT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise _PartError(ValueError(f"生成的 XML 无效（{exc}）"), part, "") from None
    # the first w:t with an element inside (//w:t[*]), found without XPath
    misplaced = next((t for t in tree.iter(_W_T) if len(t) and t.find("*") is not None), None)
    if misplaced is not None:
        text = "".join(misplaced.itertext()).strip()[:40]
        raise _PartError(
            ValueError("整段内容（如“段落”过滤器的结果）被放进了一行文字中，这类标签应写作 {{p …}}，“行内”写作 {{r …}}"),
            part,
            f"附近文字：{text}",
        )
    return tree


# ---------------------------------------------------------------- the fast path

# The core properties DocxTemplate.render_properties renders as templates, in its order.
PROPERTY_NAMES = ("author", "comments", "identifier", "language", "subject", "title")
assert PROPERTY_NAMES[-1] == "title"
# Characters lxml refuses in text (and some it takes): a title with one is set the reference way.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Methods by which a template could change its context (jinja2.sandbox's list of them).
MUTATING = frozenset(
    "append appendleft extend extendleft insert pop popleft popitem remove reverse rotate sort "
    "clear update setdefault add discard difference_update intersection_update "
    "symmetric_difference_update".split()
)
# Rendered XML longer than this is left to the reference path (lxml's limits without huge_tree).
LARGEST_PART = 4_000_000
CACHED_TEMPLATES = 16

_COMPILED: dict[str, "_Compiled | None"] = {}
_TRUSTED: set[str] = set()
_LOCK = threading.Lock()
_PARAGRAPH_ON_ITS_LINE = re.compile(r"<w:p([ >])")
# A listing character (tab, bell, newline, form feed) that DocxTemplate.resolve_listing could turn into
# markup: one after a <w:t> start tag before the next </w:t>, or inside such a tag. Without a match,
# every <w:t>…</w:t> span resolve_listing looks at is free of them and it returns the XML as it was.
_LISTING_IN_TEXT = re.compile(r"<w:t(?:>| [^>]*>)(?:(?!</w:t>).)*?[\t\a\n\f]|<w:t [^>]*[\t\a\n\f]", re.S)
MAX_TEMPLATE_DEPTH = 100


def _compiled(data: bytes) -> "_Compiled | None":
    """The compiled form of the template ``data``; None when only the reference path can render it."""
    digest = hashlib.sha256(data).hexdigest()
    with _LOCK:
        if digest in _COMPILED:
            return _COMPILED[digest]
    try:
        compiled = _Compiled(data, digest)
    except Exception:  # noqa: BLE001 - a broken template: the reference path says what is wrong
        compiled = None
    with _LOCK:
        while len(_COMPILED) >= CACHED_TEMPLATES:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[digest] = compiled
    return compiled


def _checked_against_reference(compiled, rendered: bytes, data, label, context, properties, strict) -> bytes:
    """The reference rendering of the first document of a template; the fast path is kept only if it agrees."""
    try:
        reference = _render_reference(data, label, context, properties, strict)
    except Exception:
        _disable(compiled)
        raise
    if reference == rendered:
        _TRUSTED.add(compiled.digest)
    else:
        _disable(compiled)
    return reference


def _disable(compiled) -> None:
    with _LOCK:
        _COMPILED[compiled.digest] = None


class _Unsupported(Exception):
    """A template feature the fast path leaves to the reference path."""


class _Compiled:
    """What rendering needs from one template, prepared once (see the module docstring)."""

    def __init__(self, data: bytes, digest: str):
        self.digest = digest
        tpl = _CheckedTemplate(io.BytesIO(data))
        tpl.init_docx()
        document = tpl.docx
        opc = document.part.package
        if any(part.content_type == FOOTNOTES for part in opc.iter_parts()):
            raise _Unsupported("footnotes")
        env = environment()

        # the body: patched and compiled as DocxTemplate.build_xml does
        body = tpl.patch_xml(tpl.get_xml())
        self._sources = [body]
        self._body = env.from_string(_PARAGRAPH_ON_ITS_LINE.sub(r"\n<w:p\1", body))
        root = document.element
        if _depth(root.body) > MAX_TEMPLATE_DEPTH:
            raise _Unsupported("deeply nested")  # lxml's default limits could apply to the rendered XML
        self._body_index = root.index(root.body)
        self._document_name = _entry_name(document.part)
        self._splice = _Splice(root, self._body_index, body)

        # headers, then footers, as DocxTemplate.render does them; a part without tags is made once
        self._headers_footers = []
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                xml = tpl.get_part_xml(part)
                patched = tpl.patch_xml(xml)
                self._sources.append(patched)
                name = _entry_name(part)
                if any(name == other for other, _, _ in self._headers_footers):
                    raise _Unsupported("one part used twice")
                encoding = tpl.get_headers_footers_encoding(xml)
                source = _PARAGRAPH_ON_ITS_LINE.sub(r"\n<w:p\1", patched)
                template = env.from_string(source)
                made = self._header_footer(template, {}, encoding) if _constant(env, source) else None
                self._headers_footers.append((name, encoding, package.deflate(made) if made else template))

        # the document properties DocxTemplate.render_properties renders (creating the part if missing)
        core = document.core_properties
        texts = [getattr(core, name) for name in PROPERTY_NAMES]
        # a property without tags is rendered once: a str, else the compiled template
        self._properties = [
            env.from_string(text).render({}) if _constant(env, text) else env.from_string(text) for text in texts
        ]
        core_part = opc.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
        self._core_name = _entry_name(core_part)
        self._core_xml = core_part.blob

        # every other part as the reference writes it: saved by python-docx, normalised, deflated
        saved = io.BytesIO()
        document.save(saved)
        parts = package.read_parts(saved.getvalue())
        self._dynamic = {self._document_name, self._core_name, *(name for name, _, _ in self._headers_footers)}
        core_name, _app_name = package.property_parts(parts)
        if core_name != self._core_name or not self._dynamic <= set(parts):
            raise _Unsupported("unexpected package layout")
        package.normalise(parts, CoreProperties())
        self._order = package.entry_order(parts)
        self._ready = {name: package.deflate(data) for name, data in parts.items() if name not in self._dynamic}

        self.mutates = any(_mutates(env.parse(source)) for source in [*self._sources, *texts])
        self._variables = None
        self._cores: dict = {}
        self._finished: dict = {}

    def render(self, context: dict, properties: CoreProperties, strict: bool) -> bytes | None:
        """The document's bytes, or None to leave it to the reference path."""
        if strict and sorted(self.variables() - set(context) - set(environment().globals)):
            return None  # the reference path raises the error naming them
        xml = self._render_part(self._body, context)
        if xml is None:
            return None
        fresh = {self._document_name: self._document(xml)}
        for name, encoding, template in self._headers_footers:
            fresh[name] = template if isinstance(template, package.Deflated) else self._header_footer(template, context, encoding)
        fresh[self._core_name] = self._core(context, properties)
        return package.zip_parts(self._order, self._ready, fresh)

    def _document(self, xml: str) -> bytes:
        """word/document.xml with the rendered body, as DocxTemplate.render and python-docx make it."""
        docpr = _docxtpl_unchanged("fix_docpr_ids")
        if _docxtpl_unchanged("fix_tables") and docpr:
            root = self._splice.parse(xml)
            if root is not None:
                body = root[self._body_index]
                _fix_tables(body)
                _fix_docpr_ids(body)
                return serialize_part_xml(root)
        tree = _check_rendered(xml, None)
        if _docxtpl_unchanged("fix_tables"):
            _fix_tables(tree)
        else:
            tree = DocxTemplate.fix_tables(None, xml)
        DocxTemplate.fix_docpr_ids(SimpleNamespace(docx_ids_index=1000), tree)
        root = self._splice.skeleton()
        root.replace(root[self._body_index], tree)
        return serialize_part_xml(root)

    def _header_footer(self, template, context: dict, encoding: str) -> bytes:
        """A header or footer part, as DocxTemplate.map_headers_footers_xml and python-docx make it."""
        xml = self._render_part(template, context)
        if xml is None:
            raise _Unsupported("part too large")
        _check_rendered(xml, None)
        return serialize_part_xml(parse_xml(xml.encode(encoding)))

    @staticmethod
    def _render_part(template, context: dict) -> str | None:
        """What DocxTemplate.render_xml_part makes of a part."""
        xml = template.render(context)
        if len(xml) > LARGEST_PART:
            return None
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # re.sub(r"\n<w:p([ >])", r"<w:p\1", …)
        if "{_" in xml or "_}" in xml:
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(c in xml for c in "\n\t\a\f") and _LISTING_IN_TEXT.search(xml):  # else resolve_listing changes nothing
            xml = _resolve_listing(xml)
        return xml

    def _core(self, context: dict, properties: CoreProperties) -> package.Deflated:
        """docProps/core.xml with the properties rendered, as DocxTemplate.render_properties leaves it, normalised.

        The rendered title does not reach the document (normalising sets the title
        from ``properties``): when python-docx takes it without complaint (at most
        255 characters, all of them XML's), any title gives the same bytes.
        """
        values = tuple(made if isinstance(made, str) else made.render(context) for made in self._properties)
        title = values[PROPERTY_NAMES.index("title")]
        key = values if len(title) > 255 or _NOT_IN_XML.search(title) else values[:-1]
        finished = self._finished.get((key, properties))
        if finished is not None:
            return finished
        rendered = self._cores.get(key)
        if rendered is None:
            element = parse_xml(self._core_xml)
            core = DocxCoreProperties(element)
            for name, value in zip(PROPERTY_NAMES, values):
                setattr(core, name, value)
            rendered = serialize_part_xml(element)
            if len(self._cores) > 64:
                self._cores.clear()
            self._cores[key] = rendered
        finished = package.deflate(package.core_xml(rendered, properties))
        if len(self._finished) > 1024:  # documents of one date and title: many departments report on one day
            self._finished.clear()
        self._finished[(key, properties)] = finished
        return finished

    def variables(self) -> set | None:
        """Every name the template uses that it does not set itself (None when Jinja cannot parse it)."""
        if self._variables is None:
            try:
                self._variables = meta.find_undeclared_variables(environment().parse("".join(self._sources)))
            except TemplateError:
                return None
        return self._variables


class _Splice:
    """The document part around the body, as text, to parse a rendered body in its place.

    DocxTemplate.render parses the rendered body on its own and moves it into
    the document element, which drops the namespace declarations the document
    element already makes; serialising gives the document part. Here the
    rendered body, its start tag replaced by the one that move leaves (found
    once, by doing the move with an empty body), is put between the document
    part's text before and after the body and parsed once: the same elements,
    so the same bytes, without the move.
    """

    MARK = "<!--perfdoc: the body goes here-->"

    def __init__(self, root, index: int, body: str):
        self._root = copy.deepcopy(root)
        placeholder = self._root[index]
        for child in list(placeholder):
            placeholder.remove(child)
        self._index = index
        start = re.match(r"<w:body\b[^>]*>", body)
        self._start = start.group(0) if start and "{" not in start.group(0) else None
        self._before = self._after = None
        if self._start is not None:
            empty = etree.fromstring(self._start + self.MARK + "</w:body>")
            skeleton = self.skeleton()
            skeleton.replace(skeleton[index], empty)
            text = etree.tostring(skeleton, encoding="unicode")
            if text.count(self.MARK) == 1:
                self._before, self._after = text.split(self.MARK)

    def skeleton(self):
        """A copy of the document element with an empty body."""
        return copy.deepcopy(self._root)

    def parse(self, xml: str):
        """The document element with ``xml`` (a rendered body) as its body, checked as _check_rendered checks;
        None when ``xml`` does not start and end as the template's body does."""
        if self._before is None or not xml.startswith(self._start) or not xml.endswith("</w:body>"):
            return None
        inner = xml[len(self._start) : len(xml) - len("</w:body>")]
        return _check_rendered(self._before + inner + self._after, None, encoded=False)


def _constant(env, source: str) -> bool:
    """Whether a template is only text, so that it renders the same whatever the context."""
    try:
        tree = env.parse(source)
    except TemplateError:
        return False
    return all(
        isinstance(node, nodes.Output) and all(isinstance(child, nodes.TemplateData) for child in node.nodes)
        for node in tree.body
    )


def _fix_docpr_ids(body) -> None:
    """DocxTemplate.fix_docpr_ids on a body in its document: the drawings' ids numbered from 1001."""
    for number, element in enumerate(body.iter(f"{{{docx_ns.nsmap['wp']}}}docPr"), 1001):
        element.attrib["id"] = str(number)


def _depth(element) -> int:
    deepest = depth = 0
    for event, _ in etree.iterwalk(element, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


# DocxTemplate.fix_tables, fix_docpr_ids and resolve_listing of docxtpl 0.20, whose sources have these
# digests. The fast path does what they do more quickly (_fix_tables, _fix_docpr_ids, _resolve_listing);
# with any other docxtpl it calls docxtpl's own.
_DOCXTPL_SOURCES = {
    "fix_tables": "da467aabccf452e47567fa088649de9f6f21e04fe4ae4c2706906a352c3f7a58",
    "fix_docpr_ids": "3a606189fb525cb9caa6c3747c695a5273b43c362ebc6d21536b20aa68408aca",
    "resolve_listing": "20441608d64f33fd8c5964aff475aa9972d071bf282c6c42b9db4be0091d7bca",
}
# The paragraphs DocxTemplate.resolve_listing looks at, found as it finds them.
_LISTING_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.S)
_LISTING_CHARACTER = re.compile("[\t\a\n\f]")


@lru_cache(maxsize=None)
def _docxtpl_unchanged(name: str) -> bool:
    import inspect

    try:
        source = inspect.getsource(getattr(DocxTemplate, name))
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest() == _DOCXTPL_SOURCES[name]


def _resolve_listing(xml: str) -> str:
    """DocxTemplate.resolve_listing, run only on the paragraphs that have a listing character.

    It rewrites each paragraph it finds on its own and leaves one without such
    a character as it was, so the result is the same.
    """
    if not _docxtpl_unchanged("resolve_listing"):
        return DocxTemplate.resolve_listing(None, xml)
    pieces, last = [], 0
    for match in _LISTING_PARAGRAPH.finditer(xml):
        if _LISTING_CHARACTER.search(xml, match.start(), match.end()):
            pieces.append(xml[last : match.start()])
            pieces.append(DocxTemplate.resolve_listing(None, match.group(0)))
            last = match.end()
    pieces.append(xml[last:])
    return "".join(pieces)


def _fix_tables(tree) -> None:
    """What DocxTemplate.fix_tables does to the parsed tree: gridCol widths for rows with more or fewer cells.

    The same steps, except that a row's width in grid columns (its cells, each
    counting its first tcPr's first gridSpan, else 1) is summed from one XPath
    query per table instead of two ``find`` calls per cell.
    """
    ns = "{" + tree.nsmap["w"] + "}"
    for t in tree.iter(ns + "tbl"):
        tblGrid = t.find(ns + "tblGrid")
        columns = tblGrid.findall(ns + "gridCol")
        rows = list(t.iter(ns + "tr"))
        counts = [sum(1 for _ in r.iterchildren(ns + "tc")) for r in rows]
        to_add = max([0, *(count - len(columns) for count in counts)])
        if to_add > 0:
            width = 0.0
            new_average = None
            for c in columns:
                if c.get(ns + "w") is not None:
                    width += float(c.get(ns + "w"))
            if width > 0:
                old_average = width / len(columns)
                new_average = width / (len(columns) + to_add)
                for c in columns:
                    c.set(ns + "w", str(int(float(c.get(ns + "w")) * new_average / old_average)))
                for i in range(to_add):
                    etree.SubElement(tblGrid, ns + "gridCol", {ns + "w": str(int(new_average))})
        columns = tblGrid.findall(ns + "gridCol")
        columns_len = len(columns)
        widths = dict(zip(rows, counts))
        spans = t.xpath(".//w:tr/w:tc/w:tcPr[1]/w:gridSpan[1]", namespaces={"w": ns[1:-1]})
        for grid_span in spans:
            row = grid_span.getparent().getparent().getparent()
            widths[row] += int(grid_span.get(ns + "val")) - 1
        cells_len_max = max([0, *widths.values()])
        to_remove = columns_len - cells_len_max
        if to_remove > 0:
            removed_width = 0.0
            for c in columns[-to_remove:]:
                removed_width += float(c.get(ns + "w"))
                tblGrid.remove(c)
            columns_left = tblGrid.findall(ns + "gridCol")
            extra_space = 0
            if len(columns_left) > 0:
                extra_space = removed_width / len(columns_left)
                extra_space = int(extra_space)
            for c in columns_left:
                c.set(ns + "w", str(int(float(c.get(ns + "w")) + extra_space)))


def _entry_name(part) -> str:
    return str(part.partname).lstrip("/")


def _mutates(tree) -> bool:
    """Whether a template could change the data it renders: only by calling a method reached by name.

    Calls of a name, or of an attribute that is not one of :data:`MUTATING`, are safe;
    anything else called (``x[key](…)``, ``(x|attr(…))(…)``) counts as a change.
    """
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Call)):
        if isinstance(node, nodes.Getattr) and node.attr in MUTATING:
            return True
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and node.arg.value in MUTATING:
            return True
        if isinstance(node, nodes.Call) and not isinstance(node.node, (nodes.Name, nodes.Getattr)):
            return True
    return False


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it, for messages and the manifest."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
