"""perfdoc：部门整体支出绩效自评文档的校验与生成。

Public surface: :func:`perfdoc.api.load_source`, :func:`perfdoc.api.check`,
:func:`perfdoc.api.figures`. Everything else is internal.
"""

__version__ = "0.1.0"
