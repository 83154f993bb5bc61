"""PDF copies of generated documents, made by LibreOffice.

The whole batch goes to one LibreOffice process: starting it costs far more
than converting a document. The process gets a private profile so that it
neither attaches to a LibreOffice the user has open nor clashes with another
perfdoc run, and the fontconfig configuration shipped beside this module, so
that the official Chinese faces, where not installed, are set in free faces
with Simplified Chinese glyphs.

LibreOffice prints one line as it takes up each document; that line is the
progress report and the watchdog: a LibreOffice that goes quiet for too long
(SECONDS_TO_START for the first document, SECONDS_PER_DOCUMENT for each
next) is ended with all its children; the document it stopped at gets no
PDF, and the ones after it go to a fresh LibreOffice, unless the stuck one
had finished none.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lxml import etree

from ..errors import UserError
from .writes import atomic_write_bytes

INSTALL_HINT = "apt-get install libreoffice-writer fonts-noto-cjk fonts-lxgw-wenkai"
FONT_CONFIG = Path(__file__).with_name("fonts.conf")
SECONDS_TO_START = 120  # starting LibreOffice with a fresh profile, then the first document
SECONDS_PER_DOCUMENT = 60  # the longest LibreOffice may go without finishing a document
SECONDS_TO_EXIT = 5  # after SIGTERM, before SIGKILL
_STARTED_DOCUMENT = re.compile(r"^convert (.*?) -> ")
_PARTS_NAMING_FONTS = ("word/styles.xml", "word/document.xml")
_LARGEST_PART_READ = 64 << 20  # bytes uncompressed; a larger part is not searched for font names
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# called with (number of documents finished, how many there are, the .docx just finished)
OnConverted = Callable[[int, int, Path], None]


@dataclass
class Conversion:
    converted: list[Path] = field(default_factory=list)  # the PDFs written
    failed: list[Path] = field(default_factory=list)  # the .docx files that gave none
    log: str = ""  # what LibreOffice said, for explaining failures
    substitutions: dict[str, str] = field(default_factory=dict)  # font named → face used instead


def soffice() -> str:
    """The LibreOffice program, or a UserError saying how to install it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise UserError(f"生成 PDF 需要 LibreOffice，但没有找到 soffice 命令。请先安装：{INSTALL_HINT}")
    return program


def convert_to_pdf(documents: list[Path], on_converted: OnConverted | None = None) -> Conversion:
    """Write ``X.pdf`` beside each ``X.docx``; ``on_converted`` hears of each document as LibreOffice finishes it."""
    result = Conversion()
    if not documents:
        return result
    program = soffice()
    env = {**os.environ, "FONTCONFIG_FILE": str(FONT_CONFIG)}
    # Looked up while LibreOffice works: a few fc-match runs, about 0.3 s.
    lookup = threading.Thread(target=lambda: result.substitutions.update(font_substitutions(documents, env)), daemon=True)
    lookup.start()
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
        original = dict(zip(staged, documents))
        finished = 0

        def done(copy: Path) -> None:
            nonlocal finished
            finished += 1
            produced = outbox / f"{copy.stem}.pdf"
            document = original[copy]
            if produced.is_file() and produced.stat().st_size:
                target = document.with_suffix(".pdf")
                atomic_write_bytes(target, produced.read_bytes())
                result.converted.append(target)
            else:
                result.failed.append(document)
            if on_converted:
                on_converted(finished, len(documents), document)

        remaining, logs = staged, []
        while remaining:
            run = _run(program, work / "profile", outbox, remaining, env, done)
            logs.append(run.log)
            if run.hung is None:
                break
            logs.append(
                f"LibreOffice 转换 {original[run.hung]} 时超过 {run.waited} 秒没有进展，"
                "已结束 LibreOffice 及其子进程；该文档没有生成 PDF"
            )
            (outbox / f"{run.hung.stem}.pdf").unlink(missing_ok=True)  # perhaps half written
            done(run.hung)
            # A fresh LibreOffice for the rest, unless this one had not finished any document.
            rest = remaining[remaining.index(run.hung) + 1 :]
            if not run.finished_any:
                for copy in rest:
                    done(copy)
                break
            remaining = rest
        result.log = "\n".join(log for log in logs if log)
    lookup.join()
    return result


@dataclass
class _Run:
    log: str
    hung: Path | None = None  # the document LibreOffice stopped at
    waited: int = 0  # seconds of silence before it was killed
    finished_any: bool = False


def converted_copy(document: Path, suffix: str) -> bytes | None:
    """``document`` converted by the same LibreOffice to ``suffix`` (``docx`` for a ``.doc``), or None."""
    program = soffice()
    env = {**os.environ, "FONTCONFIG_FILE": str(FONT_CONFIG)}
    with tempfile.TemporaryDirectory(prefix="perfdoc-convert-") as scratch:
        work = Path(scratch)
        inbox, outbox = work / "in", work / "out"
        inbox.mkdir()
        copy = inbox / f"document{document.suffix.lower()}"
        shutil.copyfile(document, copy)
        _run(program, work / "profile", outbox, [copy], env, lambda _copy: None, suffix)
        produced = outbox / f"{copy.stem}.{suffix}"
        return produced.read_bytes() if produced.is_file() and produced.stat().st_size else None


def _run(
    program: str, profile: Path, outbox: Path, inputs: list[Path], env: dict, done: Callable[[Path], None], suffix: str = "pdf"
) -> _Run:
    """Convert ``inputs`` to ``suffix`` in one LibreOffice; ``done`` each as it finishes, in order."""
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
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env={**env, "HOME": str(profile.parent)},  # nothing written to the user's home
        )
    except OSError as exc:
        raise UserError(f"无法运行 {program}：{exc.strerror or exc}。可重新安装：{INSTALL_HINT}") from None
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_forward_lines, args=(process.stdout, lines), daemon=True).start()
    said: list[str] = []
    position = {str(path): index for index, path in enumerate(inputs)}
    current = -1  # the document LibreOffice works on; those before it are finished
    try:
        while True:
            timeout = SECONDS_TO_START if current < 0 else SECONDS_PER_DOCUMENT
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                _end_process_tree(process)
                if current >= 0 and _complete_pdf(outbox / f"{inputs[current].stem}.pdf") and current + 1 < len(inputs):
                    done(inputs[current])  # finished: it hung taking up the next one
                    current += 1
                return _Run("\n".join(said), inputs[max(current, 0)], timeout, current > 0)
            if line is None:  # LibreOffice has exited
                break
            taken_up = _STARTED_DOCUMENT.match(line)
            if taken_up and taken_up[1] in position:
                following = position[taken_up[1]]
                for copy in inputs[max(current, 0) : following]:  # also those it could not open
                    done(copy)
                current = following
            else:
                said.append(line.rstrip())
        process.wait()
        for copy in inputs[max(current, 0) :]:
            done(copy)
        return _Run("\n".join(line for line in said if line))
    finally:
        if process.poll() is None:  # interrupted: leave no LibreOffice behind
            _end_process_tree(process)


def _complete_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as pdf:
            pdf.seek(max(path.stat().st_size - 1024, 0))
            return b"%%EOF" in pdf.read()
    except OSError:
        return False


def _forward_lines(stream, lines: queue.Queue) -> None:
    with stream:
        for line in stream:
            lines.put(line)
    lines.put(None)


def _end_process_tree(process: subprocess.Popen) -> None:
    """Stop LibreOffice and every process it started: SIGTERM, then SIGKILL for whatever is left.

    LibreOffice stays in perfdoc's process group, so that Ctrl-C and a signal to
    the group reach it as before; its children are found through /proc.
    """
    tree = _process_tree(process.pid)
    for pid in tree:
        _signal(pid, tree[pid], signal.SIGTERM)
    try:
        process.wait(timeout=SECONDS_TO_EXIT)
    except subprocess.TimeoutExpired:
        pass
    for pid in tree:  # children may outlive the main process
        _signal(pid, tree[pid], signal.SIGKILL)
    process.wait()


def _process_tree(root: int) -> dict[int, str]:
    """``root`` and its descendants, each with its start time (to tell it from a later process of that number)."""
    parents: dict[int, int] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                parents[int(entry.name)], started[int(entry.name)] = int(fields[1]), fields[19]
    tree, frontier = {root: started.get(root, "")}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree[pid] = started[pid]
                frontier.append(pid)
    return tree


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: state, ppid, … (empty if the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(errors="replace")
    except OSError:
        return []
    return stat[stat.rfind(")") + 2 :].split()


def _signal(pid: int, start_time: str, sig: int) -> None:
    fields = _stat_fields(pid)
    if start_time and (not fields or fields[19] != start_time):
        return  # gone, or the number now belongs to another process
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- fonts -----------------------------------------------------------------------


def font_substitutions(documents: list[Path], env: dict) -> dict[str, str]:
    """Each Chinese face the documents name → the face fontconfig gives instead, where it is not installed."""
    if not shutil.which("fc-match"):
        return {}
    substitutions = {}
    for name in sorted({name for document in documents for name in east_asian_fonts(document)}):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{family}", f"{name}:lang=zh-cn"],
                capture_output=True,
                text=True,
                errors="replace",
                env=env,
                timeout=30,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return {}
        families = [family.strip() for family in found.split(",")]
        if families[0] and name.casefold() not in {family.casefold() for family in families}:
            substitutions[name] = families[0]
    return substitutions


def east_asian_fonts(document: Path) -> set[str]:
    """The East Asian font names a .docx gives its styles and runs."""
    names: set[str] = set()
    try:
        with zipfile.ZipFile(document) as package:
            for part in _PARTS_NAMING_FONTS:
                try:
                    info = package.getinfo(part)
                except KeyError:
                    continue
                if info.file_size > _LARGEST_PART_READ:
                    continue
                root = etree.fromstring(package.read(info), etree.XMLParser(resolve_entities=False, huge_tree=False))
                names.update(
                    fonts.get(f"{_W}eastAsia") for fonts in root.iter(f"{_W}rFonts") if fonts.get(f"{_W}eastAsia")
                )
    except (OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        pass
    return names


def substitution_notice(substitutions: dict[str, str]) -> str:
    """The one line a build prints about the faces used for fonts that are not installed."""
    pairs = "，".join(f"{name} → {face}" for name, face in substitutions.items())
    return f"PDF 中未安装的字体已替换：{pairs}（安装正式字体后自动使用正式字体）"
