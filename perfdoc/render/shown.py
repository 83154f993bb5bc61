"""What a document will show, without making it: its template's Jinja rendered as text.

A template decides which figures and texts it prints, and under which
conditions, so the sure way to know whether a document shows a 【待填写】
marker is to render it. Validation does that for every clean source, so it
must be quick: only the Jinja of each part runs (no package, no XML checks),
the parts' sources are kept between runs under the template's digest and
their code by :mod:`.codecache`. A warm call costs a read of the template and
the rendering; only a template never seen before is opened with docxtpl
(:func:`.engine.compiled_template`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .. import usercache
from ..load.inputs import read_input
from ..load.schema import at_path, dotted, field_at
from . import codecache
from .safezip import MAX_PACKAGE_BYTES
from .context import MARKER_CLOSE, MARKER_OPEN
from .sandbox import TEMPLATE_ERRORS, template_environment

PARTS_KIND = "template-parts"
_MARKER = re.compile(f"{re.escape(MARKER_OPEN)}[^{MARKER_CLOSE}<]*{MARKER_CLOSE}")  # as escaped in the XML


def shown_xml(template: Path, context: dict) -> str | None:
    """Every part of ``template`` (body, headers, footers, footnotes) rendered with ``context``, joined.

    None when the template cannot be read, compiled or rendered: building the document says why, located.
    """
    try:
        data = read_input(template, MAX_PACKAGE_BYTES)
    except OSError:
        return None
    templates = _part_templates(template, usercache.key(_parts_shape(), data))
    if templates is None:
        return None
    try:
        return "".join(part.render(context) for part in templates)
    except TEMPLATE_ERRORS:
        return None


@lru_cache(maxsize=32)
def _part_templates(template: Path, name: str) -> tuple | None:
    """The compiled parts of the template whose bytes and shape ``name`` digests: made once a process
    (validating many sources renders the same few templates), their sources and code kept between runs."""
    sources = _stored(usercache.read_value(PARTS_KIND, name))
    if sources is None:
        from .engine import compiled_template
        from .problems import TemplateProblemError

        try:
            sources = compiled_template(template).part_sources
        except TemplateProblemError:
            return None
        usercache.write_value(PARTS_KIND, name, tuple(sources))
    env = template_environment(markdown_holding=MARKER_OPEN)
    try:
        return tuple(codecache.compiled(env, source) for source in sources)
    except TEMPLATE_ERRORS:
        return None


def _stored(sources) -> list[str] | None:
    return list(sources) if isinstance(sources, tuple) and all(isinstance(s, str) for s in sources) else None


@lru_cache(maxsize=1)
def _parts_shape() -> str:
    """What shapes the parts' sources besides the template: the engine that cuts them, and the
    docxtpl and python-docx installed (found, not imported)."""
    stamps = [usercache.module_stamp(module) for module in ("docxtpl", "docx")]
    return usercache.key(Path(__file__).with_name("engine.py").read_bytes(), *map(str, stamps))


def marker_findings(analysis, said=frozenset(), rendered: dict | None = None, context: dict | None = None) -> list:
    """PD701 warnings, located: the source paths whose 【待填写】 markers the documents of ``analysis``
    will show, naming the documents. ``rendered``: document name → the parts' rendered Jinja of
    documents already rendered (a build's); the others are rendered here. ``context``: the source's
    template context, unchanged by rendering, when the caller has it.

    One finding per mapping to write in (the keys missing from 部门, the 完成值 and 偏差原因 of one
    indicator), at its path and at the first of its lines. Said once: left out are paths in or
    under those of ``said`` (named by another finding already), paths in a block of data PD109
    names as missing, and derived figures (what they lack is an input, named itself or by PD109, PD207).
    """
    from markupsafe import escape

    from ..compute.figures import iter_leaves
    from ..errors import Diagnostic, Severity
    from ..rules.pd109_expected_by_format import missing_data
    from .context import Missing, build_context

    blocks = set(missing_data(analysis))
    covered = {path for path in said if path}
    judged: dict = {}

    def to_say(path) -> bool:
        if path not in judged:
            field = field_at(path)
            judged[path] = (bool(path) and path[0] not in blocks and not (field is not None and field.computed)
                            and not any(path[:n] in covered for n in range(1, len(path) + 1)))
        return judged[path]

    context = context if context is not None else build_context(analysis)
    markers = {str(escape(value)): value.paths for _, value in iter_leaves(context)
               if isinstance(value, Missing) and any(map(to_say, value.paths))}
    if not markers:
        return []  # nothing a document could show would be said: no need to render
    shown_by: dict = {}  # marker → documents that show it
    for document in analysis.format.documents_for(analysis.data):
        xml = rendered[document.name] if rendered and document.name in rendered else shown_xml(document.template, context)
        for marker in set(_MARKER.findall(xml)) if xml is not None else ():
            shown_by.setdefault(marker, []).append(document.name)
    wanted: dict = {}  # source path → documents that show its marker, in the context's order
    for marker, paths in markers.items():
        for path in filter(to_say, paths if marker in shown_by else ()):
            wanted.setdefault(path, []).extend(shown_by[marker])
    source = analysis.source
    groups: dict = {}  # (the mapping written in, documents) → paths
    for path, names in wanted.items():
        groups.setdefault((_holder(source.data, path), tuple(dict.fromkeys(names))), []).append(path)
    found = []
    for (holder, names), paths in groups.items():
        listed = dotted(paths[0]) if len(paths) == 1 else f"{dotted(holder)}：{'、'.join(_below(holder, p) for p in paths)}"
        location = min((source.location_of(p) for p in paths), key=lambda at: (at.line, at.col) if at else (0, 0))
        found.append(Diagnostic("PD701", f"“{'”“'.join(names)}”中将显示“【待填写】”标记：请填写 {listed}",
                                severity=Severity.WARNING, path=holder if len(paths) > 1 else paths[0])
                     .located(source.path, location))
    return found


def _below(holder: tuple, path: tuple) -> str:
    """``path`` written from ``holder`` down: 完成值, 三公经费.公务接待费, [2].名称."""
    return dotted(path)[len(dotted(holder)):].lstrip(".")


def _holder(data, path: tuple) -> tuple:
    """The deepest mapping or list on ``path``'s way that the source writes: where it is to be written."""
    for end in range(len(path) - 1, 0, -1):
        if isinstance(at_path(data, path[:end]), (dict, list)):
            return path[:end]
    return path[:1]
