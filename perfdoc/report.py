"""Diagnostics for people (``FILE:LINE:COL: CODE 消息`` + excerpt) and for tools (JSON)."""

from __future__ import annotations

import unicodedata

from .errors import Diagnostic


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_text(diagnostics: list[Diagnostic], texts: dict[str, str]) -> str:
    """Each diagnostic as ``file:line:col: CODE 消息`` followed by the source line and a marker."""
    blocks = []
    for d in diagnostics:
        loc = d.location
        head = f"{d.file}:{loc.line}:{loc.col}" if loc else d.file
        label = "" if d.is_error else "（警告）"
        lines = [f"{head}: {d.code} {label}{d.message}"]
        text = texts.get(d.file)
        if loc and text is not None:
            source_lines = text.splitlines()
            if 1 <= loc.line <= len(source_lines):
                gutter = f"{loc.line:>5} | "
                line, marked, end = _clipped(source_lines[loc.line - 1], loc)
                lines.append(gutter + line)
                prefix = line[:marked]
                span = _display_width(line[marked:end].rstrip()) if end > marked else 1
                lines.append(" " * (len(gutter) - 2) + "| " + " " * _display_width(prefix) + "^" * max(span, 1))
        if d.hint:
            lines.append(f"      = 提示：{d.hint}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


# A source line is shown whole up to this display width; a longer one (a narrative
# paragraph) is clipped around the marked place, so the marker line stays short too.
EXCERPT_WIDTH = 100
_BEFORE, _AFTER = 30, 60


def _clipped(line: str, loc) -> tuple[str, int, int]:
    """The line to show, and where the marked span starts and ends in it."""
    start = max(loc.col - 1, 0)
    if loc.end_line == loc.line and loc.end_col and loc.end_col > loc.col:
        end = loc.end_col - 1
    else:
        end = len(line.rstrip())
    if _display_width(line) <= EXCERPT_WIDTH:
        return line, start, end
    first = max(start - _BEFORE, 0)
    last = min(max(end, start + 1) + _AFTER // 2, start + _AFTER, len(line))
    head = "…" if first > 0 else ""
    tail = "…" if last < len(line) else ""
    shown = head + line[first:last] + tail
    offset = len(head) - first
    return shown, start + offset, min(end, last) + offset


def as_json(diagnostics: list[Diagnostic]) -> str:
    import json  # here: text output, the usual case, does not need it

    return json.dumps(
        [
            {
                "file": d.file,
                "line": d.location.line if d.location else None,
                "col": d.location.col if d.location else None,
                "end_line": d.location.end_line if d.location else None,
                "end_col": d.location.end_col if d.location else None,
                "code": d.code,
                "severity": d.severity.value,
                "message": d.message,
                "hint": d.hint,
                "path": [p for p in d.path],
            }
            for d in diagnostics
        ],
        ensure_ascii=False,
        indent=2,
    )


def summary(files: int, errors: int, warnings: int) -> str:
    if not errors and not warnings:
        return f"检查了 {files} 个文件，未发现问题。"
    return f"检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告。"
