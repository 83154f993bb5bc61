"""PDF copies of generated documents, made by LibreOffice.

The whole batch goes to one LibreOffice process: starting it costs far more
than converting a document. The process gets a private profile so that it
neither attaches to a LibreOffice the user has open nor clashes with another
perfdoc run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from .writes import atomic_write_bytes

INSTALL_HINT = "apt-get install libreoffice-writer fonts-noto-cjk"
SECONDS_TO_START = 120
SECONDS_PER_DOCUMENT = 60


@dataclass
class Conversion:
    converted: list[Path] = field(default_factory=list)  # the PDFs written
    failed: list[Path] = field(default_factory=list)  # the .docx files that gave none
    log: str = ""  # what LibreOffice said, for explaining failures


def soffice() -> str:
    """The LibreOffice program, or a UserError saying how to install it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise UserError(f"生成 PDF 需要 LibreOffice，但没有找到 soffice 命令。请先安装：{INSTALL_HINT}")
    return program


def convert_to_pdf(documents: list[Path]) -> Conversion:
    """Write ``X.pdf`` beside each ``X.docx``, converting all of them in one LibreOffice run."""
    result = Conversion()
    if not documents:
        return result
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="perfdoc-pdf-") as scratch:
        work = Path(scratch)
        inbox, outbox = work / "in", work / "out"
        inbox.mkdir()
        # Numbered copies: documents from different folders often share a name.
        staged = []
        for index, document in enumerate(documents):
            copy = inbox / f"{index:05d}.docx"
            shutil.copyfile(document, copy)
            staged.append(copy)
        result.log = _run(program, work / "profile", outbox, staged)
        for document, copy in zip(documents, staged):
            produced = outbox / f"{copy.stem}.pdf"
            if produced.is_file() and produced.stat().st_size:
                target = document.with_suffix(".pdf")
                atomic_write_bytes(target, produced.read_bytes())
                result.converted.append(target)
            else:
                result.failed.append(document)
    return result


def converted_copy(document: Path, suffix: str) -> bytes | None:
    """``document`` converted by the same LibreOffice to ``suffix`` (``docx`` for a ``.doc``), or None."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="perfdoc-convert-") as scratch:
        work = Path(scratch)
        inbox, outbox = work / "in", work / "out"
        inbox.mkdir()
        copy = inbox / f"document{document.suffix.lower()}"
        shutil.copyfile(document, copy)
        _run(program, work / "profile", outbox, [copy], suffix)
        produced = outbox / f"{copy.stem}.{suffix}"
        return produced.read_bytes() if produced.is_file() and produced.stat().st_size else None


def _run(program: str, profile: Path, outbox: Path, inputs: list[Path], suffix: str = "pdf") -> str:
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        suffix,
        "--outdir",
        str(outbox),
        *map(str, inputs),
    ]
    timeout = SECONDS_TO_START + SECONDS_PER_DOCUMENT * len(inputs)
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env={**os.environ, "HOME": str(profile.parent)},  # nothing written to the user's home
        )
    except subprocess.TimeoutExpired:
        return f"LibreOffice 在 {timeout} 秒内没有完成转换"
    except OSError as exc:
        raise UserError(f"无法运行 {program}：{exc.strerror or exc}。可重新安装：{INSTALL_HINT}") from None
    return (done.stdout + done.stderr).strip()
