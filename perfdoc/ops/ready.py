"""``perfdoc validate --ready``: is a source ready to submit?

Validation says whether the figures are right, and warns about what is still
to be written; readiness makes that an error. On top of the validation findings:

* PD702 a text still holds a skeleton placeholder (“（待填写）”, “【待填写】”);
* a 【待填写：…】 marker a document will show (PD701, found by validation,
  :mod:`perfdoc.render.shown`), the format's required sections and data left
  empty (PD109), a project's funds left to fill (PD111), missing inputs
  (PD207) and hand-typed figures contradicting the computed ones (PD504, or a
  known figure written at the wrong 元/万元 scale, PD503) are errors, not
  warnings.

Nothing is written.
"""

from __future__ import annotations

import dataclasses

from ..errors import Diagnostic, Severity
from ..load.schema import dotted

# Warnings that mean “not finished yet” (PD109, PD207, a project's 资金 left {} for PD111, a marker a document
# shows for PD701) or a hand-typed figure that contradicts the computed one (PD504, PD503 a unit error):
# errors when getting ready to submit.
NOT_FINISHED = frozenset({"PD109", "PD111", "PD207", "PD503", "PD504", "PD701"})
PLACEHOLDERS = ("（待填写）", "【待填写")


@dataclasses.dataclass(frozen=True)
class DocumentCheck:
    """A code about what the documents will show, for the reference page (``docs/errors.md``)."""

    code: str
    title: str
    grade: str  # 警告／错误, as the contents table says it
    when: str  # when it is reported, and how grave
    causes: str
    fix: str
    example: str  # a source that gets it, as ``validate --ready`` sees it


DOCUMENT_CHECKS = (
    DocumentCheck(
        "PD701", "文档中将显示【待填写】标记", "警告",
        "`perfdoc validate` 给出警告，`--ready` 时为错误；源文件有错误时不检查",
        "模板要印出的数字或文字，数据文件没有填写：文档中此处印出“【待填写：…】”标记。"
        "同一映射中要填的键合为一条，定位在要写的位置",
        "按消息填写所列的键；确实没有的内容，应改模板使该句在没有时不印出",
        "部门:\n  名称: 示例部门\n预算:\n  年初预算: 100.00\n  调整数: 0\n  实际支出:\n    一般公共预算: 96.00\n",
    ),
    DocumentCheck(
        "PD702", "文本仍是骨架中的占位文字", "错误",
        "仅 `perfdoc validate --ready`，为错误",
        "`perfdoc new` 生成的骨架在文本处写着“（待填写）”，还没有改写",
        "把占位文字改写为实际内容",
        "部门:\n  名称: 示例部门\n  职能职责:\n    - （待填写）\n预算:\n  年初预算: 100.00\n  调整数: 0\n"
        "  实际支出:\n    一般公共预算: 96.00\n",
    ),
)


def readiness(checked) -> list[Diagnostic]:
    """``checked``'s diagnostics as a check before submitting, with PD702 added."""
    promoted = [
        dataclasses.replace(d, severity=Severity.ERROR) if d.code in NOT_FINISHED else d for d in checked.diagnostics
    ]
    ctx = checked.analysis
    if ctx is None or ctx.format is None or checked.errors:
        return promoted  # placeholders matter only once the figures are right
    found = [d.located(ctx.source.path, ctx.source.location_of(d.path)) for d in _placeholders(ctx)]
    return sorted(promoted + found, key=Diagnostic.sort_key)


def _placeholders(ctx) -> list[Diagnostic]:
    from ..compute.figures import iter_leaves

    return [
        Diagnostic("PD702", f"{dotted(path)} 仍是骨架中的占位文字，请改写为实际内容", path=path)
        for path, value in iter_leaves(ctx.data)
        if isinstance(value, str) and any(mark in value for mark in PLACEHOLDERS)
    ]
