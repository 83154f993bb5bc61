"""``perfdoc validate --ready``: is a source ready to submit?

Validation says whether the figures are right; readiness also asks whether
anything is still to be written. On top of the validation findings:

* PD701 a document still shows a 【待填写：…】 marker: located at the source
  line to fill (the figure's own line, or where its group is written);
* PD702 a text still holds a skeleton placeholder (“（待填写）”, “【待填写】”);
* the format's required sections and data left empty (PD109), a project's
  funds left to fill (PD111), missing inputs (PD207) and hand-typed figures
  contradicting the computed ones (PD504, or a known figure written at the
  wrong 元/万元 scale, PD503) are
  errors, not warnings.

Rendering happens in memory; nothing is written.
"""

from __future__ import annotations

import dataclasses

from ..errors import Diagnostic, Severity
from ..load.schema import dotted

# Warnings that mean “not finished yet” (PD109, PD207, a project's 资金 left {} for PD111) or a
# hand-typed figure that contradicts the computed one (PD504, PD503 a unit error): errors when getting ready to submit.
NOT_FINISHED = frozenset({"PD109", "PD111", "PD207", "PD503", "PD504"})
PLACEHOLDERS = ("（待填写）", "【待填写")


def readiness(checked) -> list[Diagnostic]:
    """``checked``'s diagnostics as a check before submitting, with PD701 and PD702 added."""
    promoted = [
        dataclasses.replace(d, severity=Severity.ERROR) if d.code in NOT_FINISHED else d for d in checked.diagnostics
    ]
    ctx = checked.analysis
    if ctx is None or ctx.format is None or checked.errors:
        return promoted  # documents are rendered only from a source without errors
    found = _placeholders(ctx) + _markers(checked)
    return sorted(promoted + [d.located(ctx.source.path, ctx.source.location_of(d.path)) for d in found], key=Diagnostic.sort_key)


def _placeholders(ctx) -> list[Diagnostic]:
    from ..compute.figures import iter_leaves

    return [
        Diagnostic("PD702", f"{dotted(path)} 仍是骨架中的占位文字，请改写为实际内容", path=path)
        for path, value in iter_leaves(ctx.data)
        if isinstance(value, str) and any(mark in value for mark in PLACEHOLDERS)
    ]


def _markers(checked) -> list[Diagnostic]:
    """One PD701 per source path a marker in any document asks for, naming the documents."""
    from ..build.rendering import render_checked, template_context
    from ..render.context import Missing
    from ..render.extract import document_text
    from ..compute.figures import iter_leaves

    context = template_context(checked.analysis)
    markers = {str(value): value.paths for _, value in iter_leaves(context) if isinstance(value, Missing)}
    wanted: dict = {}  # source path → documents that show its marker
    for document in checked.analysis.format.documents_for(checked.analysis.data):
        text = document_text(render_checked(checked, document, context))
        for marker, paths in markers.items():
            if marker in text:
                for path in paths:
                    wanted.setdefault(path, []).append(document.name)
    return [
        Diagnostic(
            "PD701",
            f"“{'”“'.join(dict.fromkeys(names))}”中此处显示“【待填写】”：请填写 {dotted(path)}",
            path=path,
        )
        for path, names in wanted.items()
    ]
