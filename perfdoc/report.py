"""Diagnostics for people (``FILE:LINE:COL: CODE 消息`` + excerpt) and for tools (JSON)."""

from __future__ import annotations

import json
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
                line = source_lines[loc.line - 1]
                gutter = f"{loc.line:>5} | "
                lines.append(gutter + line)
                prefix = line[: max(loc.col - 1, 0)]
                if loc.end_line == loc.line and loc.end_col and loc.end_col > loc.col:
                    span = _display_width(line[loc.col - 1 : loc.end_col - 1])
                else:
                    span = max(_display_width(line[loc.col - 1 :].rstrip()), 1)
                lines.append(" " * (len(gutter) - 2) + "| " + " " * _display_width(prefix) + "^" * max(span, 1))
        if d.hint:
            lines.append(f"      = 提示：{d.hint}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def as_json(diagnostics: list[Diagnostic]) -> str:
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
