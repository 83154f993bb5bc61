"""Fuzzing perfdoc from source text to Word document, with hypothesis: generators and properties.

``bench/fuzz.py`` runs them at length and reduces what it finds; ``tests/test_fuzz.py``
runs them with the "ci" settings. Both import this module; it reads the example
sources and templates of the checkout it lives in.

Generators (:data:`STRATEGIES`):

``text``       random YAML-ish text (and raw bytes) full of hostile characters;
``mutant``     a real source from sources/ with a few random edits (characters, lines, indentation, values);
``plausible``  a source built from :data:`perfdoc.load.schema.SOURCE_SCHEMA`: random values of every kind
               (amounts with random decimals, units and separators, percentages, dates, phones, Markdown
               narratives with figure references…), some of the wrong kind, unknown and missing keys,
               containers nested where values belong;
``valid``      a source built to pass validation, for one of the three formats, together with the amounts
               its documents must show and how they must look.

Properties checked on every example:

1. perfdoc never fails with an unhandled exception. Validation reports errors, each with a line and
   column (except :data:`WHOLE_FILE` codes, which are about the file as a whole), and both report formats
   can print them; or, when there are no errors, every document of the source's format renders
   (a RenderError counts as a failure too: the templates are the repository's own) and python-docx
   reopens it.
2. (``valid``) every document shows each of the source's amounts exactly as the templates print them:
   万元 amounts with two decimals rounded half up (``|万元``), rates with two decimals and ``%``
   (``|百分比``), task funds without trailing zeros plus 万元 (``资金文字``), evaluated-project funds as
   written with at least two decimals (a bare ``{{ }}``). Table rows are checked cell by cell, in order.

An example that takes longer than ``LIMITS["seconds"]`` (when set) is a finding too: hostile
narratives can ask for huge numbers, strings and loops. (The tests never depend on time.)
"""

from __future__ import annotations

import io
import json
import re
import shutil
import traceback
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import strategies as st

from ..load.schema import NARRATIVE_SECTIONS, SOURCE_SCHEMA, Field

REPO = Path(__file__).resolve().parents[2]  # the checkout: its sources/ and templates/

FORMATS = ("guangzhou", "hunan-linxiang", "hunan-yiyang")
# Set by main() for bench runs: a time limit per example, and whether to try gigabyte-sized narratives.
LIMITS = {"seconds": 0.0, "huge": False}
# Codes that are about the whole file and may carry no line and column.
WHOLE_FILE = {"PD000"}
KIND_SHARES = {"text": 2, "mutant": 3, "plausible": 2, "valid": 3}
TEMPLATES = REPO / "templates"


# ============================================================== the pipeline under test


@dataclass(frozen=True)
class Example:
    """One generated source file, and what its documents must show (``valid`` only)."""

    data: bytes
    filename: str = "2022.yaml"
    format: str = "guangzhou"
    expected: tuple = ()  # of Expectation
    kind: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Expectation:
    """Something a document must contain when its template has ``tag``.

    ``mode`` is ``line`` (a paragraph or cell that is exactly ``value``), ``run`` (consecutive
    paragraphs/cells equal to ``value``, a tuple) or ``text`` (``value`` inside one paragraph).
    """

    tag: str
    mode: str
    value: object
    label: str = ""


@dataclass
class Finding:
    signature: str
    message: str
    example: Example
    details: str = ""


@dataclass
class Stats:
    examples: int = 0
    with_errors: int = 0
    rendered_sources: int = 0
    documents: int = 0
    amounts_checked: int = 0
    by_kind: dict = field(default_factory=dict)


def exercise(example: Example, workdir: Path, stats: Stats | None = None) -> list[Finding]:
    """Run one example through validate → report → render → reopen; return what went wrong."""
    from docx import Document

    from perfdoc.render.extract import document_lines, document_text
    from perfdoc.report import as_json, format_text
    from perfdoc.pipeline import check_file

    stats = stats or Stats()
    stats.examples += 1
    stats.by_kind[example.kind] = stats.by_kind.get(example.kind, 0) + 1
    folder = workdir / "sources" / (example.format or "x") / "部门"
    shutil.rmtree(workdir / "sources", ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / example.filename
    path.write_bytes(example.data)
    findings: list[Finding] = []

    def found(signature: str, message: str, details: str = "") -> list[Finding]:
        findings.append(Finding(signature, message, example, details))
        return findings

    try:
        checked = check_file(path)
    except Exception as exc:  # noqa: BLE001 - any exception is a finding
        return found(_crash_signature("validate", exc), f"check_file raised {type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        texts = {checked.path: checked.analysis.source.text} if checked.analysis else {str(path): example.text}
        format_text(checked.diagnostics, texts)
        json.loads(as_json(checked.diagnostics))
    except Exception as exc:  # noqa: BLE001
        return found(_crash_signature("report", exc), f"reporting raised {type(exc).__name__}: {exc}", traceback.format_exc())
    for diagnostic in checked.errors:
        if diagnostic.location is None and diagnostic.code not in WHOLE_FILE:
            gist = re.sub(r"#x[0-9a-fA-F]+|\d+|“[^”]*”|\s+", "", diagnostic.message)[:32]
            found(f"unlocated {diagnostic.code} {gist}", f"error without a line and column: {diagnostic.code} {diagnostic.message}")
    if checked.errors:
        stats.with_errors += 1
        if example.expected:
            found("valid source refused", "a source built to be valid has errors: " + "; ".join(
                f"{d.code} {d.message}" for d in checked.errors[:5]))
        return findings
    fmt = checked.analysis.format if checked.analysis else None
    if fmt is None:
        return found("no format without error", "no error reported, yet the source has no usable format")
    stats.rendered_sources += 1
    for document in fmt.documents:
        try:
            data = render(checked, document)
        except Exception as exc:  # noqa: BLE001 - RenderError included: the templates are known good
            found(_crash_signature(f"render {document.name}", exc), f"rendering {document.name} raised {type(exc).__name__}: {exc}",
                  traceback.format_exc())
            continue
        try:
            Document(io.BytesIO(data))
            lines = document_lines(data)
            text = document_text(data)
        except Exception as exc:  # noqa: BLE001
            found(_crash_signature(f"reopen {document.name}", exc), f"{document.name} does not reopen: {exc}", traceback.format_exc())
            continue
        stats.documents += 1
        if example.expected:
            stats.amounts_checked += check_expectations(example.expected, document, lines, text, found)
    return findings


class TimeLimit(BaseException):
    """Raised by SIGALRM in :func:`guarded` (a BaseException, so no ``except Exception`` in perfdoc hides it)."""


def guarded(example: Example, workdir: Path, stats: Stats | None = None, seconds: float = 0) -> list[Finding]:
    """:func:`exercise` with a time limit (bench runs only: tests never depend on time)."""
    import signal

    if not seconds:
        return exercise(example, workdir, stats)

    def expire(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return exercise(example, workdir, stats)
    except TimeLimit:
        return [Finding(f"slow: more than {seconds:g} s", f"one example took more than {seconds:g} s", example, traceback.format_exc())]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(checked, document) -> bytes:
    """The .docx bytes of ``document`` for a validated source, as ``perfdoc build`` makes them."""
    try:
        from perfdoc.build.rendering import render_checked
    except ImportError:  # no render_checked in perfdoc.build.rendering: render as it is defined
        from perfdoc.render.context import build_context
        from perfdoc.render.templates import render_document
        from perfdoc.render.package import CoreProperties

        ctx = checked.analysis
        return render_document(document.template, build_context(ctx), CoreProperties.for_source(ctx.model, document.title))
    return render_checked(checked, document)


def _crash_signature(stage: str, exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/perfdoc/" in f.filename.replace("\\", "/")]
    where = f"{Path(frames[-1].filename).name} {frames[-1].name}()" if frames else "?"
    return f"{stage}: {type(exc).__name__} at {where}"


# ---------------------------------------------------------------- property 2


def template_tags(template: Path) -> str:
    from perfdoc.render.diagnose import normalise, places

    return normalise("\n".join(place.text for place in places(template)))


_TAG_CACHE: dict = {}


def check_expectations(expected, document, lines: list[str], text: str, found) -> int:
    from perfdoc.render.diagnose import normalise

    key = (document.template, document.template.stat().st_mtime_ns)
    if key not in _TAG_CACHE:
        _TAG_CACHE[key] = template_tags(document.template)
    used = _TAG_CACHE[key]
    checked = 0
    for item in expected:
        if normalise(item.tag) not in used:
            continue
        checked += 1
        if item.mode == "line":
            ok = any(_shows(item.value, line, whole=True) for line in lines)
        elif item.mode == "run":
            ok = _contains_run(lines, list(item.value))
        else:
            ok = _shows(item.value, text)
        if not ok:
            found(f"amount not shown: {item.tag}", f"{document.name}: {item.label or item.tag} should show {item.value!r}",
                  _nearby(lines, item))
    return checked


def _shows(expected: str, shown: str, whole: bool = False) -> bool:
    """Whether ``shown`` is (or, unless ``whole``, contains) ``expected``, a MARK standing for any 【待填写】 marker."""
    if MARK not in expected:
        return expected == shown if whole else expected in shown
    pattern = re.escape(expected).replace(re.escape(MARK), "【待填写：[^】]*】")
    return bool(re.fullmatch(pattern, shown) if whole else re.search(pattern, shown))


def _contains_run(lines: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(all(_shows(want, line, whole=True) for want, line in zip(run, lines[i : i + n])) for i in range(len(lines) - n + 1))


def _nearby(lines: list[str], item: Expectation) -> str:
    probe = item.value[0] if isinstance(item.value, tuple) else str(item.value)[:6]
    hits = [i for i, line in enumerate(lines) if probe and probe in line][:3]
    return "\n".join(" | ".join(lines[max(i - 2, 0) : i + 10]) for i in hits) or "\n".join(lines[:40])


# ============================================================== how documents print numbers (the oracle)


def _half_up(value: Decimal, places: int) -> str:
    """``value`` to ``places`` decimals, half up; a zero is printed without a sign (-0.004 → 0.00)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:.{places}f}"


# What a document shows for a figure the source does not give: a 【待填写：…】 marker (any).
MARK = "\x00"


def wan(value: Decimal | None) -> str:
    """``|万元``: two decimals, half up."""
    return MARK if value is None else _half_up(value, 2)


def as_written(value: Decimal | None) -> str:
    """A bare ``{{ amount }}``: at least two decimals, more where written with more that are not 0."""
    if value is None:
        return MARK
    exponent = value.normalize().as_tuple().exponent  # decimals beyond two only where they are not 0
    places = max(2, -exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return _half_up(value, places)


def pct(numerator: Decimal | None, denominator: Decimal | None) -> str | None:
    """``|百分比`` of numerator / denominator; a marker when the rate is unknown or undefined."""
    if numerator is None or denominator is None:
        return MARK
    if denominator == 0:
        return "0.00%" if numerator == 0 else MARK
    rate = numerator * Decimal(100) / denominator
    return f"{_half_up(rate, 2)}%"


def compact(value: Decimal) -> str:
    return format(value.normalize(), "f")


def circled(n: int) -> str:
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"


def required(values) -> Decimal | None:
    """A derived sum whose every part must be given: None (unknown) when one is not."""
    values = list(values)
    return None if any(v is None for v in values) else total(values)


def plus_change(base: Decimal | None, change: Decimal | None) -> Decimal | None:
    """base + an adjustment or carry-over, which is none when not written."""
    return None if base is None else base + (change if change is not None else 0)


def total(values) -> Decimal | None:
    """A sum over categories: the parts present, or None when none is."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    out = Decimal(0)
    for value in present:
        out = out + value
    return out


# ============================================================== YAML text


@dataclass(frozen=True)
class Tok:
    """A scalar written exactly as ``text`` in the YAML."""

    text: str


@dataclass(frozen=True)
class Block:
    """A literal block scalar (``|``)."""

    text: str


def dq(text: str) -> Tok:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return Tok(json.dumps(text, ensure_ascii=False))


_PLAIN_KEY = re.compile(r"^[\w\u4e00-\u9fff（）()·、]+$")


def emit(node, indent: int = 0) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            head = f"{pad}{_key(key)}:"
            out.extend(_emit_value(head, value, indent))
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict) and value:
                inner = emit(value, indent + 2)
                out.append(f"{pad}- " + inner[0][indent + 2 :])
                out.extend(inner[1:])
            else:
                out.extend(_emit_value(f"{pad}-", value, indent))
    return out


def _emit_value(head: str, value, indent: int) -> list[str]:
    if isinstance(value, Tok):
        return [f"{head} {value.text}"]
    if isinstance(value, Block):
        body = value.text.split("\n")
        indicator = "2" if body and body[0].startswith(" ") else ""
        return [f"{head} |{indicator}-"] + [(" " * (indent + 2) + line) if line else "" for line in body]
    if isinstance(value, dict):
        return [f"{head} {{}}"] if not value else [head] + emit(value, indent + 2)
    if isinstance(value, list):
        return [f"{head} []"] if not value else [head] + emit(value, indent + 2)
    return [f"{head} {json.dumps(str(value), ensure_ascii=False)}"]


def _key(key) -> str:
    key = str(key)
    return key if _PLAIN_KEY.match(key) and not key[0].isdigit() else json.dumps(key, ensure_ascii=False)


def to_yaml(document: dict) -> bytes:
    return ("\n".join(emit(document)) + "\n").encode("utf-8")


# ============================================================== strategies


HOSTILE_PIECES = [
    "&", "<", ">", '"', "'", "&amp;", "<w:p>", "]]>", "{{", "}}", "{%", "%}", "{#", "{_{", "}_}", "{{ 年度 }}",
    "{{ 预算.调整后预算 }}", "{% for x in 预算 %}", "（", "）", "＆", "＜", "＞", "＂", "＇", "，", "：", "；", "！", "？",
    "【", "】", "《", "》", "……", "——", "\u3000", "\u200b", "\u200d", "\u202e", "\ufeff", "\u2028", "\u00a0", "𠀀",
    "😀", "é", "e\u0301", "\\", "\\n", "%", "％", "#", "*", "**", "_", "`", "[x](y)", "![a](b)", "<br>", "1. ", "- ",
    "# ", "> ", "|", ":", ": ", "- ", "?", "!", "!!", "~", "null", ".nan", ".inf", "1e309", "0x1F", "0o17", "１２３",
    "万元", "元", "万", "12.5万元", "5600元", "92.83%", "≥95%", "≤10次",
]
YAML_CHARS = list(":-[]{},#&*!|>'\"%@`? \n\t") + ["  ", "\n  ", "\n- ", ": ", "\r\n", "\x00", "\x7f", "\x85", "\x9f", "\x0b"]
_C1 = "".join(map(chr, range(0x7F, 0xA0)))
CJK = "年度部门名称预算调整数实际支出合计格式叙述存在问题改进措施指标项目机构收支一级二级产出效益满意度元万"


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text that is hard to print: markup, braces, full-width punctuation, invisible and combining characters."""
    piece = st.one_of(
        st.sampled_from(HOSTILE_PIECES),
        st.text(alphabet=st.sampled_from(list(CJK + "abcXYZ0123456789.,;")), min_size=1, max_size=6),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=_C1), min_size=1, max_size=3),
    )
    return st.lists(piece, max_size=max_size).map("".join)


@st.composite
def text_examples(draw) -> Example:
    """Random YAML-ish text, or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=400))
        return Example(data, draw(st.sampled_from(["2022.yaml", "x.yaml"])), kind="text")
    keys = [key for key in SOURCE_SCHEMA.fields] + ["名称", "年初预算", "调整数", "目标", "- 名称", "叙述", "存在问题"]
    piece = st.one_of(
        st.sampled_from(keys),
        st.sampled_from(YAML_CHARS),
        st.sampled_from(HOSTILE_PIECES),
        st.sampled_from(FORMATS),
        st.from_regex(r"-?\d{1,9}(\.\d{0,8})?", fullmatch=True),
        st.text(max_size=5),
    )
    text = "".join(draw(st.lists(piece, max_size=120)))
    if draw(st.booleans()):
        text = f"格式: {draw(st.sampled_from(FORMATS))}\n年度: 2022\n" + text
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "gb18030", "utf-16"]))
    return Example(text.encode(encoding, errors="replace"), "2022.yaml", kind="text")


def _real_sources() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((REPO / "sources").rglob("*.yaml")):
        found.append((path.read_text(encoding="utf-8"), path.name, path.parent.parent.name))
    return found


REAL_SOURCES = _real_sources()


@st.composite
def mutant_examples(draw) -> Example:
    """A real source with one to six random edits."""
    text, filename, fmt = draw(st.sampled_from(REAL_SOURCES))
    payload = st.one_of(st.sampled_from(HOSTILE_PIECES + YAML_CHARS), hostile_text(4), st.text(max_size=8))
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        op = draw(st.sampled_from(["insert", "delete", "replace", "line-dup", "line-del", "indent", "digit", "swap", "value"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        row = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "insert":
            text = text[:at] + draw(payload) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "replace":
            text = text[:at] + draw(payload) + text[at + draw(st.integers(1, 10)) :]
        elif op == "line-dup":
            lines.insert(row, lines[row])
            text = "\n".join(lines)
        elif op == "line-del" and len(lines) > 1:
            del lines[row]
            text = "\n".join(lines)
        elif op == "indent":
            lines[row] = draw(st.sampled_from([" ", "  ", "    "])) + lines[row] if draw(st.booleans()) else lines[row].lstrip()
            text = "\n".join(lines)
        elif op == "digit":
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            if digits:
                i = draw(st.sampled_from(digits))
                text = text[:i] + draw(st.sampled_from(list("0123456789.-,%元") + ["", "00", "1e3"])) + text[i + 1 :]
        elif op == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[row], lines[other] = lines[other], lines[row]
            text = "\n".join(lines)
        elif op == "value" and ": " in lines[row]:
            key = lines[row].split(": ", 1)[0]
            lines[row] = f"{key}: {draw(scalar_token(draw(st.sampled_from(SCALAR_KINDS))))}"
            text = "\n".join(lines)
    return Example(text.encode("utf-8", errors="replace"), filename, fmt, kind="mutant")


SCALAR_KINDS = ["text", "markdown", "int", "amount", "percent", "score", "date", "phone", "year", "bool", "choice"]


def amount_token(unit: str = "万元", signed: bool = False, valid_only: bool = False) -> st.SearchStrategy:
    """``(token, value in 万元)``: a YAML token for an amount and the value perfdoc must read from it."""

    @st.composite
    def build(draw):
        written = draw(st.sampled_from([None, None, "万元", "元"]))
        unit_used = written or unit
        places = draw(st.integers(0, 6 if unit_used == "万元" else 2))
        whole = draw(st.one_of(st.integers(0, 999), st.integers(0, 9_999_999 if unit_used == "万元" else 99_999_999_999)))
        fraction = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=places, max_size=places)))
        digits = f"{whole}.{fraction}" if places else str(whole)
        negative = signed and draw(st.integers(0, 3)) == 0 and (whole or fraction.strip("0"))
        value = Decimal(("-" if negative else "") + digits)
        if unit_used == "元":
            value = value.scaleb(-4)
        if written is None and draw(st.integers(0, 3)):
            token = ("-" if negative else "") + digits  # a bare YAML number
        else:
            shown = f"{whole:,}" + (f".{fraction}" if places else "") if draw(st.booleans()) else digits
            space = draw(st.sampled_from(["", " "]))
            token = json.dumps(("-" if negative else "") + shown + space + (written or ""), ensure_ascii=False)
        return Tok(token), value

    if valid_only:
        return build()
    broken = st.sampled_from(["1e5", ".nan", "-.inf", "1e309", "12..5", "一百", '"１２３"', "-5", '"12.5 美元"', "0x1F",
                              '"1,23.5"', "1234567890123.4", "0.1234567", "~", "[]", "{}", '"5600元"', "12_345.5"])
    return st.one_of(build(), build(), build(), broken.map(lambda t: (Tok(t), None)))


def scalar_token(kind: str, field: Field | None = None, unit: str = "万元", noise: float = 0.15) -> st.SearchStrategy[Tok]:
    """A YAML token for a value of ``kind``: right, or with probability ``noise`` wrong (or of another kind)."""
    clean = noise == 0
    wrong = st.sampled_from(["", "~", "true", "[1, 2]", "{a: 1}", '"文字"', "12", "-1", "1.5", "2023-02-30", ".nan"]).map(Tok)
    if kind == "amount":
        right = amount_token(unit, signed=bool(field and field.signed), valid_only=clean).map(lambda pair: pair[0])
    elif kind == "percent":
        right = st.one_of(
            st.from_regex(r"-?\d{1,3}(\.\d{1,4})?%", fullmatch=True).map(lambda s: Tok(json.dumps(s))),
            st.decimals(min_value=-200, max_value=200, places=2, allow_nan=False).map(lambda d: Tok(str(d))),
        )
    elif kind == "int":
        right = st.integers(0 if clean else -3, 5000).map(lambda n: Tok(str(n)))
    elif kind == "score":
        right = st.decimals(min_value=0, max_value=120, places=2).map(lambda d: Tok(str(d)))
    elif kind == "date":
        right = st.one_of(
            st.dates().map(lambda d: Tok(d.isoformat())),
            st.from_regex(r"20\d\d[-/.年](0?[1-9]|1[0-2])[-/.月](0?[1-9]|1\d|2[0-8])日?", fullmatch=True).map(lambda s: Tok(json.dumps(s))),
            *([] if clean else [st.from_regex(r"20\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?", fullmatch=True).map(lambda s: Tok(json.dumps(s)))]),
        )
    elif kind == "phone":
        pattern = r"(1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{7,8}|（0\d{2}）\d{8})" if clean else r"(1[3-9]\d{9}|0\d{2,3}-\d{7,8}|\d{7,8}|\(0\d{2}\)\d{8}|12345)"
        right = st.from_regex(pattern, fullmatch=True).map(lambda s: Tok(json.dumps(s, ensure_ascii=False)))
    elif kind == "year":
        right = st.integers(2000, 2100) if clean else st.integers(1990, 2110)
        right = right.map(lambda n: Tok(str(n)))
    elif kind == "bool":
        right = st.sampled_from(["true", "false", "是", "否"] + ([] if clean else ["yes", "对"])).map(Tok)
    elif kind == "choice":
        choices = list(field.choices) if field and field.choices else ["万元", "元"]
        right = st.sampled_from(choices + ([] if clean else ["其他", "产出指标"])).map(dq)
    elif kind == "markdown":
        pool = ("年度",) if clean else REFERENCE_POOL
        right = markdown_text(pool, braces=not clean).map(lambda s: Block(s) if _block_safe(s) else dq(s))
    else:
        right = hostile_text().map(dq)
    if clean:
        return right
    odds = max(1, round(1 / noise) - 1) if noise < 1 else 0
    return st.one_of(*([right] * odds), wrong)


# References that cost a narrative's reader (perfdoc) something: huge numbers, long strings, loops, Jinja's globals.
# Bounded to a few megabytes, so that the tests can run them.
EXPENSIVE_REFERENCES = [
    "{{ 10**5000 }}", "{{ 9**9**9 }}", "{{ 2**100000 }}", "{{ '大' * 200000 }}", "{{ [0] * 200000 }}",
    "{{ lipsum(n=200) }}", "{{ range(100000)|join }}", "{{ range(10**9)|list }}", "{{ cycler(1, 2).next() }}",
    "{% for i in range(300) %}{% for j in range(300) %}x{% endfor %}{% endfor %}", "{{ '%s' % 1 }}",
    "{{ ''.join(['a'] * 10) }}", "{{ 年度.__class__ }}", "{{ (1).__class__.__base__ }}", "{{ 1/0 }}", "{{ 年度 // 0 }}",
    "{{ '%99999d'|format(1) }}", "{{ '{:>99999}'.format(1) }}", "{{ 1e308 * 10 }}", "{{ (2**1000)|float }}",
]
# Only for bench runs, which limit time and memory (--seconds, --memory-mb): gigabytes and hours.
HUGE_REFERENCES = [
    "{{ '%999999999d'|format(1) }}", "{{ '大' * 100000000 }}", "{{ lipsum(n=100000) }}", "{{ '{:>99999999}'.format(1) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
]


def expensive_reference() -> st.SearchStrategy[str]:
    return st.deferred(lambda: st.sampled_from(EXPENSIVE_REFERENCES + (HUGE_REFERENCES if LIMITS["huge"] else [])))


REFERENCE_POOL = (
    "预算.年初预算", "预算.调整后预算", "预算.实际支出合计", "预算.预算完成率", "项目[1].实际支出", "项目合计.实际支出",
    "机构收支[1].收入.收入合计", "收支合计.支出.支出合计", "任务[1].资金", "年度", "部门.名称", "没有.这个", "评分.综合得分",
    "预算.实际支出.一般公共预算", "部门.实有人数", "指标完成情况.完成率",
)


def markdown_text(references, valid: bool = False, braces: bool = True) -> st.SearchStrategy[str]:
    """A narrative: paragraphs, headings, lists, emphasis, code, figure references.

    ``valid``: plain Chinese words and only the given references; ``braces=False``: hostile words,
    but no stray ``{`` or ``}`` that would make a broken reference.
    """
    words = (
        st.text(alphabet=st.sampled_from(list(CJK + "，。；：、“”（）《》…—")), min_size=1, max_size=12)
        if valid
        else st.one_of(hostile_text(6), st.text(alphabet=st.sampled_from(list(CJK)), min_size=1, max_size=10))
    )
    if not braces:
        words = words.map(lambda w: w.replace("{", "（").replace("}", "）"))
    filters = ["", "|万元", "|百分比", "|round(1)", "|default(0)"] if not valid else ["", "|万元"]
    reference = st.builds(lambda path, f: f"{{{{ {path}{f} }}}}", st.sampled_from(list(references) or ["年度"]), st.sampled_from(filters))
    inline = st.one_of(
        words,
        words.map(lambda w: f"**{w}**"),
        words.map(lambda w: f"*{w}*"),
        st.decimals(min_value=0, max_value=99999, places=2).map(lambda d: f"{d}万元"),
        *([reference] * (3 if references else 0)),
        *([] if valid else [st.sampled_from(["`code`", "[链接](http://x)", "<b>粗</b>", "\\*", "~~删~~", "***"]
                                             + (["{% if 年度 %}年{% endif %}", "{{"] if braces else []))]),
        *([] if valid or not braces else [expensive_reference()]),
    )
    line = st.lists(inline, min_size=1, max_size=6).map("".join)
    block = st.one_of(
        line,
        line.map(lambda s: "# " + s),
        line.map(lambda s: "## " + s),
        st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"{i}. {s}" for i, s in enumerate(items, 1))),
        st.lists(line, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {s}" for s in items)),
        st.lists(line, min_size=1, max_size=3).map(lambda items: "1. " + items[0] + "".join(f"\n   - {s}" for s in items[1:])),
    )
    return st.lists(block, min_size=1, max_size=5).map("\n\n".join)


def _block_safe(text: str) -> bool:
    """Whether ``text`` can be written as a literal block scalar unchanged."""
    if not text or text != text.strip("\n") or "\t" in text or "\r" in text:
        return False
    if any(ch in text for ch in "\x85\u2028\u2029\ufeff") or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text):
        return False
    return not any(line != line.rstrip() for line in text.split("\n"))


@st.composite
def plausible_examples(draw) -> Example:
    """A source built from the schema: every kind of value, some wrong, some keys unknown or missing.

    Each example has a noise level: at 0 every value is of its kind and no key is unknown, so
    many examples pass validation and are rendered; higher levels give more wrong values.
    """
    fmt = draw(st.sampled_from(FORMATS))
    year = draw(st.integers(2000, 2100))
    unit = draw(st.sampled_from(["万元", "万元", "元"]))
    noise = draw(st.sampled_from([0.0, 0.0, 0.0, 0.02, 0.1, 0.3]))
    document = _plausible_map(draw, SOURCE_SCHEMA, 0, unit, noise)
    if draw(st.integers(0, 19)) or noise == 0:
        document["格式"] = dq(fmt)
    if draw(st.integers(0, 19)) or noise == 0:
        document["年度"] = Tok(str(year))
    if noise == 0:
        document.setdefault("部门", {})["名称"] = dq(draw(safe_name()))
    if unit == "元":
        document["金额单位"] = Tok("元")
    return Example(to_yaml(document), f"{year}.yaml", fmt, kind="plausible")


def _plausible_map(draw, schema: Field, depth: int, unit: str, noise: float) -> dict:
    out: dict = {}
    if schema.open:
        names = st.one_of(hostile_text(3), st.sampled_from(["一般公共预算", "政府性基金", "办公费"])) if noise else safe_name()
        for name in draw(st.lists(names, max_size=3, unique=True)):
            out[name or "空"] = _plausible_value(draw, schema.item, depth + 1, unit, noise)
        return out
    for key, child in schema.fields.items():
        if child.derived and noise == 0:
            continue
        chance = (10 if noise == 0 else 8) if child.required else (2 if child.derived else 5)
        if draw(st.integers(0, 9)) < chance:
            out[key] = _plausible_value(draw, child, depth + 1, unit, noise)
    if noise and draw(st.integers(0, 19)) == 0:
        out[draw(st.sampled_from(["调整额", "备注", "名字", "年初预算数"]))] = Tok("1")
    return out


def _plausible_value(draw, schema: Field, depth: int, unit: str, noise: float):
    if noise and depth < 6 and draw(st.integers(0, 999)) < noise * 300:
        return draw(st.sampled_from([{"x": Tok("1")}, [Tok("1")], Tok("文字"), {}, []]))
    if schema.kind == "map":
        return _plausible_map(draw, schema, depth, unit, noise)
    if schema.kind == "list":
        return [_plausible_value(draw, schema.item, depth + 1, unit, noise) for _ in range(draw(st.integers(0, 3)))]
    return draw(scalar_token(schema.kind, schema, unit, noise))


# ---------------------------------------------------------------- valid sources, with the oracle


SAFE_NAME_CHARS = list(CJK + "甲乙丙丁ABCxyz&<>\"'（）＆＜＞＂＇，：；！？【】《》·—")


def safe_name(min_size: int = 1) -> st.SearchStrategy[str]:
    """A name that prints as itself anywhere (no braces, no leading/trailing space, no newline)."""
    return st.text(alphabet=st.sampled_from(SAFE_NAME_CHARS), min_size=min_size, max_size=10).filter(
        lambda s: s.strip() == s and s not in ("合计",))


@st.composite
def valid_examples(draw) -> Example:
    """A source that passes validation, and the amounts its documents must show."""
    fmt = draw(st.sampled_from(FORMATS))
    year = draw(st.integers(2000, 2100))
    unit = draw(st.sampled_from([None, None, "万元", "元"]))
    default = unit or "万元"
    doc: dict = {"格式": dq(fmt), "年度": Tok(str(year))}
    if unit:
        doc["金额单位"] = dq(unit)
    doc["部门"] = {"名称": dq(draw(safe_name()))}
    expected: list[Expectation] = []
    references: list[str] = ["年度", "部门.名称"]

    def amount(signed=False):
        token, value = draw(amount_token(default, signed=signed, valid_only=True))
        return token, value

    if fmt == "guangzhou":
        _valid_budget(draw, doc, amount, expected, references)
        _valid_tasks(draw, doc, amount, expected)
    if fmt == "hunan-linxiang":
        doc["报告"] = {"报告日期": Tok(f"{year + 1}-03-27"), "填报人": dq(draw(safe_name()))}
        project_spending = _valid_projects(draw, doc, amount, expected, references, fmt, year)
        _valid_institutions(draw, doc, amount, expected, references, project_spending)
    if fmt == "hunan-yiyang":
        _valid_projects(draw, doc, amount, expected, references, fmt, year)
    doc["年度目标"] = [{"目标": dq(draw(safe_name())), "完成情况": dq(draw(safe_name()))} for _ in range(draw(st.integers(0, 2)))]
    _valid_indicators(draw, doc, fmt, expected)
    people = draw(st.lists(safe_name(), max_size=5))
    if people:
        doc["评价人员"] = [{"姓名": dq(name)} for name in people]
    sections = draw(st.lists(st.sampled_from(list(NARRATIVE_SECTIONS)), max_size=6, unique=True))
    if "自评结论" in sections:  # written by the clerk: the template's own 自评结论 sentence is left out
        expected = [item for item in expected if item.label != "预算 sentence"]
    if sections:
        doc["叙述"] = {}
        for section in sections:
            text = draw(markdown_text(references, valid=True))
            doc["叙述"][section] = Block(text) if _block_safe(text) else dq(text)
    return Example(to_yaml(doc), f"{year}.yaml", fmt, tuple(expected), kind="valid")


def _valid_budget(draw, doc, amount, expected, references):
    budget: dict = {}
    start = adjust = None
    if draw(st.integers(0, 5)):
        token, start = amount()
        budget["年初预算"] = token
        references.append("预算.年初预算")
    if draw(st.integers(0, 5)):
        token, adjust = amount(signed=True)
        budget["调整数"] = token
    sources: list[tuple[str, Decimal]] = []
    names = ["一般公共预算"] + draw(st.lists(safe_name(2), max_size=3, unique=True))
    spent: dict = {}
    for name in names[: draw(st.integers(0, len(names)))]:
        if name in spent:
            continue
        token, value = amount()
        spent[name] = token
        sources.append((name, value))
    if spent:
        budget["实际支出"] = spent
    adjusted = plus_change(start, adjust)
    actual = total([v for _, v in sources])
    if adjusted is not None and draw(st.booleans()):
        budget["调整后预算"] = dq(f"{adjusted}万元")  # stated exactly, in 万元 whatever the file's unit
    if budget:
        doc["预算"] = budget
    expected += [
        Expectation("{{ 预算.年初预算|万元 }}", "line", wan(start), "预算.年初预算"),
        Expectation("{{ 预算.调整数|万元 }}", "line", wan(adjust), "预算.调整数"),
        Expectation("{{ 预算.调整后预算|万元 }}", "line", wan(adjusted), "预算.调整后预算"),
        Expectation("{{ 预算.实际支出合计|万元 }}", "line", wan(actual), "预算.实际支出合计"),
        Expectation("{{ 预算.预算完成率|百分比 }}", "line", pct(actual, adjusted), "预算.预算完成率"),
        Expectation("{{ 预算.预算调整率|百分比 }}", "line", pct(adjust, start), "预算.预算调整率"),
        Expectation(
            "全年预算数{{ 预算.调整后预算|万元 }}万元，执行数{{ 预算.实际支出合计|万元 }}万元",
            "text",
            f"全年预算数{wan(adjusted)}万元，执行数{wan(actual)}万元，完成预算的{pct(actual, adjusted)}。",
            "预算 sentence",
        ),
    ]
    for index, (name, value) in enumerate(sources):
        expected.append(
            Expectation("{{ 来源.金额|万元 }}", "run", (("其中: " if index == 0 else "") + name, wan(value)), f"实际支出.{name}")
        )


def _valid_tasks(draw, doc, amount, expected):
    tasks = []
    for number in range(1, draw(st.integers(0, 3)) + 1):
        task_name, goal = draw(safe_name()), draw(safe_name())
        task: dict = {"名称": dq(task_name), "预期目标": dq(goal)}
        funds = None
        if draw(st.booleans()):
            if draw(st.booleans()):
                items = {}
                values = []
                for name in draw(st.lists(safe_name(2), min_size=1, max_size=3, unique=True)):
                    token, value = amount()
                    items[name] = token
                    values.append(value)
                task["资金明细"] = items
                funds = total(values)
            else:
                token, funds = amount()
                task["资金"] = token
        indicators = draw(st.lists(st.tuples(safe_name(), safe_name()), max_size=2))
        if indicators:
            task["关键指标"] = [{"名称": dq(a), "完成情况": dq(b)} for a, b in indicators]
        tasks.append(task)
        if funds is not None:
            first = indicators[0] if indicators else ("", "")
            row = (task_name, goal, MARK, first[0], first[1], f"{compact(funds)}万元")  # 完成情况 not written
            expected.append(Expectation("{{ 任务.资金文字 }}", "run", row, f"任务{number}.资金"))
    if tasks:
        doc["任务"] = tasks


def _valid_projects(draw, doc, amount, expected, references, fmt, year) -> Decimal | None:
    projects = []
    rows = []
    for index in range(draw(st.integers(0 if fmt == "hunan-linxiang" else 1, 3))):
        project: dict = {"名称": dq(name := draw(safe_name()))}
        parts = {}
        for key, signed in (("年初预算", False), ("调整数", True), ("上年结余", False), ("实际支出", False)):
            if draw(st.integers(0, 4)):
                token, parts[key] = amount(signed=signed)
                project[key] = token
        label = None
        if draw(st.integers(0, 3)) == 0:
            label = draw(safe_name())
            project["资金名称"] = dq(label)
        evaluated = draw(st.booleans())
        if evaluated:
            project["参与评价"] = Tok("true")
        projects.append(project)
        adjusted = plus_change(parts.get("年初预算"), parts.get("调整数"))
        rows.append((name, label, parts, adjusted, evaluated))
        if "实际支出" in parts:
            references.append(f"项目[{index + 1}].实际支出")
    if projects:
        doc["项目"] = projects
    if not rows:
        return None
    sum_start = required([p.get("年初预算") for _, _, p, _, _ in rows])
    sum_actual = required([p.get("实际支出") for _, _, p, _, _ in rows])
    sum_adjusted = required([a for _, _, _, a, _ in rows])
    evaluated = [a for _, _, _, a, e in rows if e]
    evaluated_total = required(evaluated) if evaluated else None
    if fmt == "hunan-yiyang":
        expected.append(Expectation("{{ 年度 }}年部门预算专项资金共计{{ 项目合计.调整后预算|万元 }}万元", "text",
                                    f"{year}年部门预算专项资金共计{wan(sum_adjusted)}万元。", "项目合计.调整后预算"))
        for index, (name, label, _parts, adjusted, _e) in enumerate(rows):
            lead = "其中，" if index == 0 else "，"
            expected.append(Expectation("{{ 项.调整后预算 }}", "text", f"{lead}{label or name}{as_written(adjusted)}万元", f"项目[{index + 1}].调整后预算"))
        count = sum(1 for row in rows if row[4])
        expected.append(Expectation("{{ 项目合计.评价项目资金 }}", "text",
                                    f"参与绩效评价的项目{count}个，共计{as_written(evaluated_total)}万元。", "项目合计.评价项目资金"))
    if fmt == "hunan-linxiang":
        expected.append(Expectation("{{ 项目合计.年初预算|万元 }}", "text", f"年初预算批复的项目支出为{wan(sum_start)}万元", "项目合计.年初预算"))
        expected.append(Expectation("{{ 项目合计.实际支出|万元 }}", "text", f"实际决算支出{wan(sum_actual)}万元。", "项目合计.实际支出"))
        for index, (name, _label, parts, _adjusted, _e) in enumerate(rows, 1):
            expected.append(Expectation("{{ 项.实际支出|万元 }}", "text", f"{circled(index)}{name}{wan(parts.get('实际支出'))}万元",
                                        f"项目[{index}].实际支出"))
    return sum_actual


INCOME = ("上年结转", "公共财政拨款", "政府基金拨款", "纳入专户管理的非税收入拨款", "其他收入")
THREE = ("公务接待费", "公务用车运维费", "公务用车购置费", "因公出国费")
ASSETS = ("在用固定资产", "出租固定资产", "其他")


def _valid_institutions(draw, doc, amount, expected, references, project_spending):
    institutions = []
    rows = []
    count = draw(st.integers(0, 3))
    for index in range(count):
        name = draw(safe_name())
        item: dict = {"名称": dq(name)}
        values: dict = {}

        def group(key, fields):
            chosen = {}
            for f in fields:
                if draw(st.integers(0, 3)):
                    token, values[(key, f)] = amount()
                    chosen[f] = token
            if chosen:
                item[key] = chosen
            return chosen

        group("收入", INCOME)
        spend: dict = {}
        for part in ("人员支出", "公用支出"):
            choice = draw(st.integers(0, 3))
            if choice == 1:  # from 明细
                details, parts = {}, []
                for detail in draw(st.lists(safe_name(2), min_size=1, max_size=3, unique=True)):
                    token, value = amount()
                    details[detail] = token
                    parts.append(value)
                spend[part + "明细"] = details
                values[("支出", part)] = total(parts)
            elif choice >= 2:
                token, values[("支出", part)] = amount()
                spend[part] = token
        # the projects' spending must agree with the institutions' (PD206): the first one carries it
        if project_spending is not None:
            if index == 0:
                spend["项目支出"] = dq(f"{project_spending}万元")
                values[("支出", "项目支出")] = project_spending
            else:
                spend["项目支出"] = Tok("0")
                values[("支出", "项目支出")] = Decimal(0)
        elif draw(st.booleans()):
            token, values[("支出", "项目支出")] = amount()
            spend["项目支出"] = token
        if spend:
            item["支出"] = spend
        group("三公经费", THREE)
        group("固定资产", ASSETS)
        institutions.append(item)
        rows.append((name, _institution_figures(values, "收入" in item, bool(spend))))
        references.append(f"机构收支[{index + 1}].名称")
    if project_spending is not None and not institutions:
        return
    if institutions:
        doc["机构收支"] = institutions
    if count > 1:
        keys = {k for _, figures in rows for k, v in figures.items() if v is not None}
        # a category an institution does not list is none; any other figure one lacks leaves the total unknown
        totals = {
            k: (total if k[-1] in INCOME + THREE + ASSETS else required)([figures.get(k) for _, figures in rows])
            if k in keys else None
            for k in rows[0][1]
        }
        rows.append(("合计", totals))
    for name, figures in rows:
        for tag, columns in INSTITUTION_TABLES.items():
            expected.append(Expectation(tag, "run", (name, *(wan(figures.get(c)) for c in columns)), f"机构收支 {name} {tag}"))


INSTITUTION_TABLES = {
    "{{ 机构.收入.收入合计|万元 }}": [("收入", "收入合计")] + [("收入", k) for k in INCOME],
    "{{ 机构.支出.支出合计|万元 }}": [("支出", k) for k in ("支出合计", "基本支出", "人员支出", "公用支出", "项目支出", "当年结余", "累计结余")],
    "{{ 机构.三公经费.合计|万元 }}": [("三公经费", "合计")] + [("三公经费", k) for k in THREE],
    "{{ 机构.固定资产.合计|万元 }}": [("固定资产", "合计")] + [("固定资产", k) for k in ASSETS],
}


def _institution_figures(values: dict, has_income: bool, has_spend: bool) -> dict:
    figures = dict(values)
    figures[("收入", "收入合计")] = total([values.get(("收入", k)) for k in INCOME])
    basic = required([values.get(("支出", "人员支出")), values.get(("支出", "公用支出"))])
    figures[("支出", "基本支出")] = basic
    spent = required([basic, values.get(("支出", "项目支出"))])
    figures[("支出", "支出合计")] = spent
    income = figures[("收入", "收入合计")]
    if has_income and has_spend:
        carried = values.get(("收入", "上年结转"))
        figures[("支出", "当年结余")] = None if income is None or spent is None else income - (carried or 0) - spent
        figures[("支出", "累计结余")] = None if income is None or spent is None else income - spent
    else:
        figures[("支出", "当年结余")] = figures[("支出", "累计结余")] = None
    figures[("三公经费", "合计")] = total([values.get(("三公经费", k)) for k in THREE])
    figures[("固定资产", "合计")] = total([values.get(("固定资产", k)) for k in ASSETS])
    for columns in INSTITUTION_TABLES.values():
        for column in columns:
            figures.setdefault(column, None)
    return figures


MET = [("≥95%", "96%"), ("≥10家", "12家"), ("≤10次", "8次"), ("=100%", "100%"), ("按时完成", "已完成"), ("达到90%", "96%")]
MISSED = [("≥95%", "85%"), ("≤10次", "12次"), ("10家", "8家"), ("按时完成", "未完成"), ("≥90%", "12家")]


def _valid_indicators(draw, doc, fmt, expected):
    count = draw(st.integers(0, 4))
    if not count:
        return
    levels = {"产出": ["数量", "质量", "时效", "成本"], "效益": ["经济效益", "社会效益", "生态效益", "可持续影响"], "满意度": ["服务对象满意度"]}
    weighted = fmt != "guangzhou" and draw(st.booleans())
    budget = 100
    weights = []
    if weighted:
        cuts = sorted(draw(st.lists(st.integers(0, budget), min_size=count - 1, max_size=count - 1)))
        weights = [b - a for a, b in zip([0] + cuts, cuts + [budget])]
    items, scores = [], []
    for index in range(count):
        level1 = draw(st.sampled_from(list(levels)))
        item: dict = {
            "一级": dq(level1),
            "二级": dq(draw(st.sampled_from(levels[level1]))),
            "名称": dq(draw(safe_name())),
        }
        # a full score marks an indicator complete (PD401 if then missed): weighted ones are met
        target, actual = draw(st.sampled_from(MET if weighted else MET + MISSED))
        item.update(目标值=dq(target), 实际值=dq(actual))
        if weighted:
            item["权重"] = Tok(str(weights[index]))
            score = Decimal(draw(st.integers(0, weights[index] * 10))) / 10
            item["得分"] = Tok(str(score))
            scores.append(score)
        items.append(item)
    doc["指标"] = items
    if weighted and fmt == "hunan-linxiang":
        expected.append(Expectation("{{ 评分.综合得分|分数 }}", "line", compact(total(scores)), "评分.综合得分"))


STRATEGIES = {
    "text": text_examples(),
    "mutant": mutant_examples(),
    "plausible": plausible_examples(),
    "valid": valid_examples(),
}


