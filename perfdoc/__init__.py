"""perfdoc：部门整体支出绩效自评文档的校验与生成。

Public surface: :mod:`perfdoc.api` (load, check, check_all, figures, render,
build) and the records it returns (:class:`perfdoc.pipeline.Checked`,
:class:`perfdoc.pipeline.Analysis`, :class:`perfdoc.errors.Diagnostic`).
Everything else is internal.
"""

__version__ = "0.1.0"
