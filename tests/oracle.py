"""The oracle: a document rendered the plain docxtpl way, the definition of the right bytes.

Open the template with docxtpl, render it in perfdoc's template sandbox,
save it, and make the package reproducible (:func:`perfdoc.render.package.reproducible`).
The renderer (:mod:`perfdoc.render.engine`) must give the same bytes; the
tests and ``bench/bench.py`` import this module.
"""

from __future__ import annotations

import io
from pathlib import Path

from docxtpl import DocxTemplate

from perfdoc.render.package import CoreProperties, reproducible
from perfdoc.render.sandbox import template_environment


def render_with_docxtpl(template: Path, context: dict, properties: CoreProperties | None = None) -> bytes:
    document = DocxTemplate(str(template))
    document.render(context, jinja_env=template_environment())
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible(buffer.getvalue(), properties or CoreProperties())
