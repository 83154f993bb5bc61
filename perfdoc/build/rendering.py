"""Render glue: a validated source and a document of its format to .docx bytes.

Rendering is a pure function of the source and the template
(:func:`render_output`), so documents can be rendered in any process.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError


def render_output(source: Path, document_name: str) -> bytes:
    """The .docx bytes of one document of a source (validated again here, so it runs anywhere)."""
    from ..pipeline import check_file

    checked = check_file(source)
    refused = refusal(checked)
    if refused:
        raise UserError(refused)
    return render_checked(checked, checked.analysis.format.document(document_name))


def render_checked(checked, document, context: dict | None = None) -> bytes:
    """The .docx bytes of ``document`` for a source that passed validation.

    ``context``: the source's template context, when the caller has built it already.
    """
    from ..render.templates import render_document
    from ..render.package import CoreProperties

    ctx = checked.analysis
    properties = CoreProperties.for_source(ctx.model, document.title)
    return render_document(document.template, context if context is not None else template_context(ctx), properties,
                           compiled=prepared_template(document.template))


def prepared_template(template: Path):
    """``template`` refused when broken (:func:`~perfdoc.render.check.refuse_broken`) and compiled; each
    reads and checks the file, so a build does it once per template rather than once per document.

    None when it cannot be compiled: rendering then compiles it again and says why, located.
    """
    from ..render.check import refuse_broken
    from ..render.engine import compiled_template
    from ..render.problems import TemplateProblemError

    refuse_broken(template)
    try:
        return compiled_template(template)
    except TemplateProblemError:
        return None


def template_context(ctx) -> dict:
    """What templates see; the figure values until the render context module exists."""
    try:
        from ..render.context import build_context
    except ModuleNotFoundError as exc:
        if exc.name != "perfdoc.render.context":
            raise
        return dict(ctx.figures.values)
    return build_context(ctx)


def refusal(checked) -> str | None:
    """Why a source cannot be rendered (its diagnostics), or None when it can."""
    from ..report import format_text

    ctx = checked.analysis
    if ctx is not None and ctx.format is not None and not checked.errors:
        return None
    texts = {checked.path: ctx.source.text} if ctx is not None else {}
    closing = f"{checked.path}：有 {len(checked.errors)} 个错误，未生成文档（原有文档保持不变）"
    return f"{format_text(checked.diagnostics, texts)}\n{closing}"


def template_warnings(pairs) -> list[str]:
    """For each (template, source) pair, the names the template uses that its context lacks.

    Such a name is a mistake in the template, not missing data; each template
    is looked at once.
    """
    from ..render.templates import display_path, undefined_names

    warnings, seen = [], set()
    for template, checked in pairs:
        if template in seen:
            continue
        seen.add(template)
        unknown = undefined_names(template, template_context(checked.analysis))
        if unknown:
            warnings.append(unknown_names_warning(template, display_path(template), unknown))
    return warnings


def unknown_names_warning(template, label: str, unknown: list) -> str:
    """The warning for names a template uses that its context lacks, each with where the template uses it."""
    from ..render.diagnose import names_with_places
    from ..render.problems import describe

    named = "、".join(describe(name) for name in names_with_places(template, unknown))
    return f"警告：模板 {label} 引用了不存在的名称（显示为空白）：{named}"
