"""The one place that separates user errors from bugs.

* :class:`Diagnostic` is a finding about the user's data: it is reported,
  never raised.
* :class:`UserError` (and subclasses) stop a command because of something the
  user can fix (a missing file, an unknown format). The CLI prints the message
  and exits 1 (data) or 2 (usage).
* Any other exception is a bug in perfdoc: the CLI reports it as an internal
  error with exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告"}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a source file."""

    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a source file. Rules create these; they never print."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    path: tuple = ()
    file: str = ""
    location: Location | None = None
    hint: str = ""
    related: tuple = field(default=())

    def located(self, file: str, location: Location | None) -> "Diagnostic":
        return Diagnostic(
            code=self.code,
            message=self.message,
            severity=self.severity,
            path=self.path,
            file=file,
            location=location,
            hint=self.hint,
            related=self.related,
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self):
        loc = self.location or Location(0, 0)
        return (self.file, loc.line, loc.col, self.code)


class UserError(Exception):
    """Something the user can fix. Exit status 1."""

    exit_code = 1


class UsageError(UserError):
    """The command line itself is wrong. Exit status 2."""

    exit_code = 2


class FormatError(UserError):
    """A format folder under templates/ is missing or malformed."""


class RenderError(UserError):
    """A template could not be rendered with a source's data."""


# The code of the diagnostic that reports perfdoc failing on one source, so that the other sources are still checked.
INTERNAL_ERROR_CODE = "PD999"


def failure_message(exc: BaseException) -> str:
    """What is said of a failure: a user error in its own words, anything else as the bug it is."""
    if isinstance(exc, UserError):
        return str(exc)
    return f"内部错误（这是 perfdoc 的缺陷，请报告）：{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------- the load-time codes


@dataclass(frozen=True)
class LoadError:
    """One load-time code, as ``docs/errors.md`` explains it. ``trigger`` is file content that produces
    it (None: a missing file); ``perfdoc docs`` runs the loader on it to show the real message."""

    code: str
    title: str
    causes: str
    fix: str
    trigger: bytes | None


LOAD_ERRORS = (
    LoadError(
        "PD000",
        "无法读取文件",
        "文件不存在、没有读取权限，或给出的路径是文件夹；或者它是符号链接、位于符号链接的文件夹之下，"
        "或是设备、管道等非普通文件（为安全起见不读取，也不显示其内容）。",
        "检查命令中的路径（是否在仓库根目录下运行、文件名中的年度是否写对），以及文件的读取权限。",
        None,
    ),
    LoadError(
        "PD001",
        "YAML 语法错误",
        "文件不能按 YAML 读取：缩进不一致、缺少冒号、引号或括号未闭合、用制表符（Tab）缩进、"
        "键不是简单文本，或文件为空。消息给出第一处问题的行列。",
        "到消息所指的行列检查：同一级的键左端对齐，只用空格缩进；值中含有“: ”或“ #”时在值两侧加引号；"
        "引号、括号成对。改好后再运行，后面的问题会接着报告。",
        "部门:\n  名称: 临湘市总工会\n 联系人: 李芷怡\n".encode("utf-8"),
    ),
    LoadError(
        "PD002",
        "文件编码不对",
        "文件不是 UTF-8 编码的文本：常见于 Windows 记事本或 Excel 另存的 GBK/GB18030、UTF-16 文件，"
        "或选错了文件（如 .docx、.xlsx）。",
        "在编辑器中“另存为”，编码选择 UTF-8（带不带 BOM 均可）；确认打开的是 .yaml 数据文件。",
        "格式: guangzhou\n年度: 2022\n部门:\n  名称: 临湘市总工会\n".encode("gbk"),
    ),
    LoadError(
        "PD003",
        "文件过大或结构异常",
        "文件超过 2 MB、条目超过 20 万个（锚点与别名展开）、嵌套超过 64 层，或使用了 YAML 合并键“<<”。"
        "一个部门一个年度的数据不会如此，perfdoc 拒绝读取以免耗尽内存。",
        "不使用锚点（&）、别名（*）和合并键（<<），把各项直接写出；确认没有把其他文件粘贴进来。",
        "格式: guangzhou\n年度: 2022\n基本: &基本 {名称: 临湘市总工会}\n部门:\n  <<: *基本\n".encode("utf-8"),
    ),
    LoadError(
        "PD004",
        "键重复",
        "同一层级中同一个键出现了两次。perfdoc 只采用第一次出现的值，并报告后一个。",
        "删除其中一个，或把两处的内容合并到一处。",
        "格式: guangzhou\n年度: 2022\n年度: 2023\n".encode("utf-8"),
    ),
    LoadError(
        "PD005",
        "文本中含有控制字符",
        "文本中有 XML（Word 文档）无法容纳的控制字符，常见于从 Word 或网页粘贴的文字。"
        "perfdoc 已自动删除这些字符，并给出警告。",
        "打开消息所指的行，确认删除后的文字无误；重新输入该行可消除警告。",
        "格式: guangzhou\n年度: 2022\n部门:\n  名称: 临湘市\x0b总工会\n".encode("utf-8"),
    ),
)
