"""Render one docxtpl template with a context into reproducible .docx bytes.

Templates run in the bounded sandbox of :mod:`.sandbox` (autoescaped,
missing data blank, perfdoc's filters). A name a template uses that the
context does not have at all is a mistake in the template, not missing data:
:func:`variables` lists the names a template reads and ``strict=True``
refuses to render those the context lacks.

Every failure is a :class:`~.problems.TemplateProblemError` carrying a
:class:`~.problems.TemplateProblem`: the template, the part, the tag at
fault or the names, and why. Where the tag sits as Word shows it is added by
:mod:`.diagnose` (see :mod:`.templates`, which renders with both).

The renderer makes the bytes docxtpl makes (``DocxTemplate.render``, then
``save``, then :func:`.package.reproducible`) for the docxtpl and Jinja
versions ``pyproject.toml`` names, without redoing the template's share of
the work for every document. That share is done once per process and kept,
keyed by the digest of the template's bytes (:class:`_Compiled`): the
patched and compiled Jinja templates of the body, headers, footers,
footnotes and document properties, and every package part that rendering
leaves unchanged, already serialised and deflated. A document then costs its
Jinja rendering, the XML checks and table fixes docxtpl makes, serialising
the parts that changed and deflating those. Two steps are done their own,
faster way with the same result: docxtpl's table and drawing-id fixes run on
the tree parsed once, with the body already inside the document element
(:class:`_Splice`), and listing characters are resolved only in the
paragraphs that have them. The tests render every example document and
generated sources with plain docxtpl too (``tests/oracle.py``) and compare
the bytes.
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
from dataclasses import replace
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.coreprops import CoreProperties as DocxCoreProperties
from docx.opc.exceptions import OpcError
from docx.opc.oxml import serialize_part_xml
from docx.oxml import ns as docx_ns
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from lxml import etree

from . import codecache, package, problems, safezip, sandbox, shape
from .package import CoreProperties
from .problems import TemplateProblem, TemplateProblemError
from .sandbox import TEMPLATE_ERRORS, TooLarge, template_environment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TAG_RE = re.compile(r"{[{%#].*?[}%#]}", re.S)
_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_W_T = f"{{{W}}}t"

# What a file that is not a usable .docx raises when python-docx opens it.
PACKAGE_ERRORS = (OpcError, KeyError, ValueError, etree.XMLSyntaxError, *safezip.READ_ERRORS)


def environment():
    """The sandbox templates render in (:func:`.sandbox.template_environment`)."""
    return template_environment()


def render_document(
    template: Path,
    context: dict,
    properties: CoreProperties | None = None,
    *,
    strict: bool = False,
    compiled: "_Compiled | None" = None,
    shown: list | None = None,
) -> bytes:
    """The rendered document; ``strict`` also refuses names the context lacks.

    ``compiled``: :func:`compiled_template` of ``template``, when the caller keeps it (a
    build reads and compiles each of its templates once, not once per document).
    ``shown``: a list that receives each part's rendered Jinja (see :meth:`_Compiled.render`).
    Raises :class:`TemplateProblemError` (not yet located: see :mod:`.templates`).
    """
    compiled = compiled if compiled is not None else compiled_template(template)
    try:
        return compiled.render(context, properties or CoreProperties(), strict, shown)
    except TemplateProblemError as exc:  # the same bytes may have been compiled under another name
        raise TemplateProblemError(_relabelled(exc.problem, display_path(template))) from None


def variables(template: Path) -> frozenset:
    """Every top-level name the template reads that it does not set itself, Jinja's globals excluded."""
    return compiled_template(template).variables


def undefined_names(template: Path, context: dict) -> list[str]:
    """Top-level names the template uses that neither the context nor Jinja defines."""
    return sorted(variables(template) - set(context))


def shares_context(template: Path) -> bool:
    """Whether rendering ``template`` leaves its context as it was, so one context can serve several documents.

    False when the template calls a method that changes a list, dict or set
    (``append``, ``update``…), or cannot be read or rendered.
    """
    try:
        return not compiled_template(template).mutates
    except TemplateProblemError:
        return False


def compiled_template(template: Path) -> "_Compiled":
    """The template compiled (once per process for the same bytes); TemplateProblemError when it cannot be."""
    data = _read(template)
    digest = hashlib.sha256(data).hexdigest()
    with _LOCK:
        made = _COMPILED.get(digest)
    if made is None:
        try:
            made = _Compiled(data, display_path(template))
        except TemplateProblemError as exc:
            made = exc.problem
        with _LOCK:
            while len(_COMPILED) >= CACHED_TEMPLATES:
                _COMPILED.pop(next(iter(_COMPILED)))
            _COMPILED[digest] = made
    if isinstance(made, TemplateProblem):
        raise TemplateProblemError(_relabelled(made, display_path(template)))
    return made


def _relabelled(problem: TemplateProblem, label: str) -> TemplateProblem:
    """A cached problem for the same bytes read under another name."""
    return problem if problem.template == label else replace(problem, template=label)


def _read(template: Path) -> bytes:
    try:
        return safezip.read_package(template)
    except FileNotFoundError:
        raise TemplateProblemError(TemplateProblem(problems.MISSING, display_path(template))) from None
    except OSError as exc:  # a link, a device, a FIFO or too large too (inputs.InputRefused)
        problem = TemplateProblem(problems.UNREADABLE, display_path(template), detail=str(exc.strerror or exc))
        raise TemplateProblemError(problem) from None
    except zipfile.BadZipFile as exc:  # a zip bomb too (safezip.ZipRefused)
        raise TemplateProblemError(TemplateProblem(problems.NOT_DOCX, display_path(template), detail=str(exc))) from None


def _problem(exc: BaseException, label: str, part: str, source: str | None = None) -> TemplateProblem:
    """What a Jinja error in ``part`` (compiled from ``source``) says, as a record."""
    if isinstance(exc, _PartError):
        return TemplateProblem(exc.code, label, part, detail=exc.detail, near=exc.near)
    tag = _failing_tag(source, exc) if source is not None else ""
    if isinstance(exc, TemplateSyntaxError):
        code, detail = problems.SYNTAX, exc.message or ""
    elif isinstance(exc, UndefinedError):
        code, detail = problems.UNDEFINED, exc.message or ""
    elif isinstance(exc, TooLarge):
        code, detail = problems.TOO_LARGE, str(exc)
    elif isinstance(exc, SecurityError):
        code, detail = problems.FORBIDDEN, ""
    elif isinstance(exc, RecursionError):
        code, detail = problems.TOO_LARGE, "嵌套或递归过深"
    else:
        code, detail = problems.FAILED, str(exc)
    return TemplateProblem(code, label, part, tag=tag, detail=detail)


def _failing_tag(src_xml: str, exc: BaseException) -> str:
    """The template tag on the line Jinja was executing when ``exc`` was raised."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        lines = [n for frame, n in traceback.walk_tb(exc.__traceback__) if frame.f_code.co_filename == "<template>"]
        lineno = lines[-1] if lines else None
    # docxtpl puts every paragraph on its own line before handing the XML to Jinja
    return _tag_in(_PARAGRAPH_ON_ITS_LINE.sub(r"\n<w:p\1", src_xml), lineno)


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


class _PartError(Exception):
    """A rendered part that is not what Word can read."""

    def __init__(self, code: str, detail: str = "", near: str = ""):
        super().__init__(code)
        self.code, self.detail, self.near = code, detail, near


def _check_rendered(xml: str, *, encoded: bool = True):
    """The rendered part parsed strictly; a _PartError when it is not XML or has paragraphs inside a run.

    ``encoded=False`` parses the text as it is rather than its UTF-8 bytes: the
    same tree, and the same refusal of what cannot be encoded.
    """
    try:
        tree = etree.fromstring(xml.encode("utf-8") if encoded else xml, _STRICT_PARSER)
    except etree.XMLSyntaxError as exc:
        raise _PartError(problems.INVALID_XML, str(exc)) from None
    # the first w:t with an element inside (//w:t[*]), found without XPath
    misplaced = next((t for t in tree.iter(_W_T) if len(t) and t.find("*") is not None), None)
    if misplaced is not None:
        raise _PartError(problems.PARAGRAPH_IN_RUN, near="".join(misplaced.itertext()).strip()[:40])
    return tree


# The core properties DocxTemplate.render_properties renders as templates, in its order.
PROPERTY_NAMES = ("author", "comments", "identifier", "language", "subject", "title")
assert PROPERTY_NAMES[-1] == "title"
# Characters lxml refuses in text (and some it takes): a title with one is set the long way.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Methods by which a template could change its context (jinja2.sandbox's list of them).
MUTATING = frozenset(
    "append appendleft extend extendleft insert pop popleft popitem remove reverse rotate sort "
    "clear update setdefault add discard difference_update intersection_update "
    "symmetric_difference_update".split()
)
# Rendered XML longer than this is refused: lxml's limits without huge_tree could change what docxtpl makes of it.
LARGEST_PART = 8_000_000
CACHED_TEMPLATES = 16
MAX_TEMPLATE_DEPTH = 100

_COMPILED: dict = {}  # template digest → _Compiled, or the TemplateProblem it has
_LOCK = threading.Lock()
_PARAGRAPH_ON_ITS_LINE = re.compile(r"<w:p([ >])")
# In a rendered body, what the XML round trip would change: a carriage return (read as a line feed) or a
# listing character (docxtpl turns them into markup).
_NOT_AS_RENDERED = re.compile("[\r\n\t\a\f]")
_EMPTY_ELEMENT = re.compile(r"<([\w:.-]+)(\s[^<>]*?)?></\1>")
_XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
# A listing character (tab, bell, newline, form feed) that DocxTemplate.resolve_listing could turn into
# markup: one after a <w:t> start tag before the next </w:t>, or inside such a tag. Without a match,
# every <w:t>…</w:t> span resolve_listing looks at is free of them and it returns the XML as it was.
_LISTING_IN_TEXT = re.compile(r"<w:t(?:>| [^>]*>)(?:(?!</w:t>).)*?[\t\a\n\f]|<w:t [^>]*[\t\a\n\f]", re.S)


class _Compiled:
    """What rendering needs from one template, prepared once (see the module docstring)."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        tpl = DocxTemplate(io.BytesIO(data))
        try:
            tpl.init_docx()
            document = tpl.docx
            opc = document.part.package
            root = document.element
            body_source = tpl.patch_xml(tpl.get_xml())
        except PACKAGE_ERRORS as exc:
            raise TemplateProblemError(TemplateProblem(problems.NOT_DOCX, label, detail=str(exc))) from None
        env = environment()
        self._sources = [body_source]
        self.part_sources: list[str] = []  # what each part's Jinja template is compiled from, for shown_xml

        # the body: patched and compiled as DocxTemplate.build_xml does
        self._document_name = _entry_name(document.part)
        self._body = self._compile(env, body_source, self._document_name)
        if _depth(root.body) > MAX_TEMPLATE_DEPTH:
            raise self._unsupported("表格或文本框嵌套过深")
        self._body_index = root.index(root.body)
        self._splice = _Splice(root, self._body_index, body_source)
        self._as_rendered = self._fixed_shape(env, body_source)
        self.fixed_shape = self._as_rendered is not None

        # headers, then footers, as DocxTemplate.render does them; a part without tags is made once
        self._headers_footers = []
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                name = _entry_name(part)
                if any(name == other for other, _, _ in self._headers_footers):
                    raise self._unsupported(f"页眉或页脚 {name} 被引用了两次")
                try:
                    xml = tpl.get_part_xml(part)
                except PACKAGE_ERRORS as exc:
                    raise TemplateProblemError(TemplateProblem(problems.NOT_DOCX, label, name, detail=str(exc))) from None
                patched = tpl.patch_xml(xml)
                self._sources.append(patched)
                encoding = tpl.get_headers_footers_encoding(xml)
                template = self._compile(env, patched, name)
                made = self._header_footer(template, {}, encoding, name) if _constant(env, patched) else None
                self._headers_footers.append((name, encoding, package.deflate(made) if made else template))

        # the document properties DocxTemplate.render_properties renders (creating the part if missing)
        core = document.core_properties
        texts = [getattr(core, name) for name in PROPERTY_NAMES]
        self._sources.extend(texts)
        # a property without tags is rendered once: a str, else the compiled template
        self._properties = [
            self._render_property(template, {}) if _constant(env, text) else template
            for text, template in ((text, self._compile(env, text, "")) for text in texts)
        ]
        core_part = opc.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
        self._core_name = _entry_name(core_part)
        self._core_xml = core_part.blob

        # footnotes, as DocxTemplate.render_footnotes does them: each part once for every section
        self._footnotes = []
        sections = len(document.sections)
        for part in opc.iter_parts():
            if part.content_type == FOOTNOTES and sections:
                blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
                patched = tpl.patch_xml(blob)
                self._sources.append(patched)
                self._footnotes.append((_entry_name(part), self._compile(env, patched, _entry_name(part)), sections))

        # every other part as docxtpl and python-docx write it: saved, normalised, deflated
        saved = io.BytesIO()
        document.save(saved)
        parts = package.read_parts(saved.getvalue())
        self._dynamic = {
            self._document_name, self._core_name,
            *(name for name, _, _ in self._headers_footers), *(name for name, _, _ in self._footnotes),
        }
        core_name, _app_name = package.property_parts(parts)
        if core_name != self._core_name or not self._dynamic <= set(parts):
            raise self._unsupported("文件的组成部分不合常规（文档属性或正文的位置）")
        package.normalise(parts, CoreProperties())
        self._order = package.entry_order(parts)
        self._ready = {name: package.deflate(data) for name, data in parts.items() if name not in self._dynamic}

        self.mutates = any(_mutates(env.parse(source)) for source in self._sources)
        self.variables = frozenset(
            set().union(*(meta.find_undeclared_variables(env.parse(source)) for source in self._sources))
            - set(env.globals)
        )
        self._cores: dict = {}
        self._finished: dict = {}

    def _unsupported(self, reason: str) -> TemplateProblemError:
        return TemplateProblemError(TemplateProblem(problems.UNSUPPORTED, self.label, reason=reason))

    def _compile(self, env, source: str, part: str, again: bool = False):
        """``source`` compiled as DocxTemplate.render_xml_part compiles a part (every paragraph on its own line).

        ``again``: a part made from a rendered one (footnotes), not one of the template's own.
        """
        try:
            if not part:
                return codecache.compiled(env, source)
            lines = _PARAGRAPH_ON_ITS_LINE.sub(r"\n<w:p\1", source)
            if again:  # differs from document to document: not worth keeping
                return env.from_string(lines)
            self.part_sources.append(lines)
            return codecache.compiled(env, lines)
        except TEMPLATE_ERRORS as exc:
            raise TemplateProblemError(_problem(exc, self.label, part, source if part else None)) from None

    def render(self, context: dict, properties: CoreProperties, strict: bool, shown: list | None = None) -> bytes:
        """The document's bytes; TemplateProblemError when the template fails with this context.

        ``shown``: a list that receives each part's rendered Jinja, as :func:`.shown.shown_xml` gives it.
        """
        shown = shown if shown is not None else []
        if strict:
            unknown = sorted(self.variables - set(context))
            if unknown:
                raise TemplateProblemError(TemplateProblem(problems.UNKNOWN_NAMES, self.label, names=tuple(unknown)))
        printed = sandbox.markup_printed()
        xml = self._jinja_part(self._body, context, self._document_name, 0)
        if self._as_rendered is not None and sandbox.markup_printed() == printed and not _NOT_AS_RENDERED.search(xml):
            body = self._as_rendered(xml)  # no listing character: xml is what _render_part gives
        else:
            xml = _listing_resolved(xml)
            body = self._document(xml)
        shown.append(xml)
        fresh = {self._document_name: body}
        for index, (name, encoding, template) in enumerate(self._headers_footers, 1):
            if not isinstance(template, package.Deflated):
                template = self._header_footer(template, context, encoding, name, index, shown)
            fresh[name] = template
        fresh[self._core_name] = self._core(context, properties)
        for name, template, times in self._footnotes:
            fresh[name] = self._footnote(template, context, times, name, shown)
        return package.zip_parts(self._order, self._ready, fresh)

    def _document(self, xml: str) -> bytes:
        """word/document.xml with the rendered body, as DocxTemplate.render and python-docx make it."""
        try:
            root = self._splice.parse(xml)
        except _PartError as exc:
            raise TemplateProblemError(_problem(exc, self.label, self._document_name)) from None
        if root is not None:
            body = root[self._body_index]
            _fix_tables(body)
            _fix_docpr_ids(body)
            return serialize_part_xml(root)
        tree = self._checked(xml, self._document_name)
        _fix_tables(tree)
        _fix_docpr_ids(tree)
        root = self._splice.skeleton()
        root.replace(root[self._body_index], tree)
        return serialize_part_xml(root)

    def _checked(self, xml: str, part: str, **kwargs):
        try:
            return _check_rendered(xml, **kwargs)
        except _PartError as exc:
            raise TemplateProblemError(_problem(exc, self.label, part)) from None

    def _header_footer(self, template, context: dict, encoding: str, name: str, index: int = 0,
                       shown: list | None = None) -> bytes:
        """A header or footer part, as DocxTemplate.map_headers_footers_xml and python-docx make it."""
        xml = self._render_part(template, context, name, index)
        if shown is not None:
            shown.append(xml)
        self._checked(xml, name)
        return serialize_part_xml(parse_xml(xml.encode(encoding)))

    def _footnote(self, template, context: dict, times: int, name: str, shown: list) -> bytes:
        """A footnotes part: DocxTemplate.render_footnotes renders it once for every section, each time
        rendering what the time before made."""
        xml = self._render_part(template, context, name, None)
        shown.append(xml)
        self._checked(xml, name)
        for _ in range(times - 1):
            again = DocxTemplate.patch_xml(None, xml)
            xml = self._render_part(self._compile(environment(), again, name, again=True), context, name, None)
            self._checked(xml, name)
        return xml.encode("utf-8")

    def _fixed_shape(self, env, body_source: str):
        """For a template whose body cannot change shape (:mod:`.shape`), the function giving word/document.xml
        from the rendered body as it is; None otherwise, or when the two ways differ on the template itself."""
        static = shape.fixed_shape(env, body_source)
        splice = self._splice
        if static is None or splice._before is None or _NOT_AS_RENDERED.search(static):
            return None
        static = _after_jinja(static)
        if not static.startswith(splice._start) or not static.endswith("</w:body>"):
            return None
        try:
            root = splice.parse(static)
            if root is None or not shape.rows_fill_their_grids(root[self._body_index]):
                return None
            expected = self._document(static)
        except (_PartError, TemplateProblemError, ValueError, TypeError):
            return None
        head = (_XML_DECLARATION + splice._before).encode("utf-8")
        tail = splice._after.encode("utf-8")
        start, end = len(splice._start), -len("</w:body>")

        def as_rendered(xml: str) -> bytes:
            inner = xml[start:end]
            if "&#" in inner:  # what Jinja escapes and lxml writes as the character
                inner = inner.replace("&#34;", '"').replace("&#39;", "'").replace("&#95;", "_")
            if "></" in inner:  # an element left empty by the data, which lxml writes as <… />
                inner = _EMPTY_ELEMENT.sub(r"<\1\2/>", inner)
            return head + inner.encode("utf-8") + tail

        return as_rendered if as_rendered(static) == expected else None

    def _render_part(self, template, context: dict, part: str, index) -> str:
        """What DocxTemplate.render_xml_part makes of a part."""
        return _listing_resolved(self._jinja_part(template, context, part, index))

    def _jinja_part(self, template, context: dict, part: str, index) -> str:
        """The part rendered by Jinja, as DocxTemplate.render_xml_part has it before resolving listing characters."""
        try:
            xml = template.render(context)
        except TEMPLATE_ERRORS as exc:
            source = self._sources[index] if index is not None else None
            raise TemplateProblemError(_problem(exc, self.label, part, source)) from None
        if len(xml) > LARGEST_PART:
            raise TemplateProblemError(TemplateProblem(
                problems.TOO_LARGE, self.label, part, detail=f"生成的内容超过 {LARGEST_PART} 个字符"))
        return _after_jinja(xml)

    def _render_property(self, template, context: dict) -> str:
        try:
            return template.render(context)
        except TEMPLATE_ERRORS as exc:
            raise TemplateProblemError(_problem(exc, self.label, "")) from None

    def _core(self, context: dict, properties: CoreProperties) -> package.Deflated:
        """docProps/core.xml with the properties rendered, as DocxTemplate.render_properties leaves it, normalised.

        The rendered title does not reach the document (normalising sets the title
        from ``properties``): when python-docx takes it without complaint (at most
        255 characters, all of them XML's), any title gives the same bytes.
        """
        values = tuple(made if isinstance(made, str) else self._render_property(made, context) for made in self._properties)
        title = values[PROPERTY_NAMES.index("title")]
        key = values if len(title) > 255 or _NOT_IN_XML.search(title) else values[:-1]
        finished = self._finished.get((key, properties))
        if finished is not None:
            return finished
        rendered = self._cores.get(key)
        if rendered is None:
            element = parse_xml(self._core_xml)
            core = DocxCoreProperties(element)
            try:
                for name, value in zip(PROPERTY_NAMES, values):
                    setattr(core, name, value)
            except ValueError as exc:  # python-docx refuses a property over 255 characters
                raise TemplateProblemError(TemplateProblem(problems.FAILED, self.label, "", detail=str(exc))) from None
            rendered = serialize_part_xml(element)
            if len(self._cores) > 64:
                self._cores.clear()
            self._cores[key] = rendered
        finished = package.deflate(package.core_xml(rendered, properties))
        if len(self._finished) > 1024:  # documents of one date and title: many departments report on one day
            self._finished.clear()
        self._finished[(key, properties)] = finished
        return finished


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
        return _check_rendered(self._before + inner + self._after, encoded=False)


def _after_jinja(xml: str) -> str:
    """What DocxTemplate.render_xml_part does to Jinja's output before resolving listing characters."""
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # re.sub(r"\n<w:p([ >])", r"<w:p\1", …)
    if "{_" in xml or "_}" in xml:
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return xml


def _listing_resolved(xml: str) -> str:
    """DocxTemplate.resolve_listing's result, computed only where it changes something."""
    if any(c in xml for c in "\n\t\a\f") and _LISTING_IN_TEXT.search(xml):  # else resolve_listing changes nothing
        xml = _resolve_listing(xml)
    return xml


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


# The paragraphs DocxTemplate.resolve_listing looks at, found as it finds them.
_LISTING_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.S)
_LISTING_CHARACTER = re.compile("[\t\a\n\f]")


def _resolve_listing(xml: str) -> str:
    """DocxTemplate.resolve_listing, run only on the paragraphs that have a listing character.

    It rewrites each paragraph it finds on its own and leaves one without such
    a character as it was, so the result is the same.
    """
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
