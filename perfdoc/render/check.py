"""``perfdoc check-format``: a format's ``format.yaml`` and each of its templates, before any build.

For a template (a .docx a bureau may have edited in Word or WPS):

* PD901 the file is a Word package whose parts are well-formed XML;
* PD902 every tag parses (syntax, unclosed ``{% for %}``, ``段落`` outside ``{{p …}}``, an index ``[0]``: lists are numbered from 1), via :mod:`.diagnose`;
* PD903 a tag Word split across runs with different formatting (a warning: the tag works, the output takes the first run's look);
* PD904 full-width braces, percent signs or punctuation typed by a Chinese IME inside or around a tag (``｛｛ ％ ｝``);
* PD905 names and fields the render context does not have, with a did-you-mean;
* PD906 styles the engine writes (``PDBody``, ``PDHeading1``…) missing from a template that uses ``段落`` (a warning: Word shows such paragraphs as 正文);
* PD907 a trial render with an empty department of the format fails.

Places are said as Word shows them (``第 12 段``, ``第 3 个表格第 2 行第 1 列``). Every problem is a
:class:`~perfdoc.errors.Diagnostic` whose file is the template; nothing here prints.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import Diagnostic, RenderError, Severity, UserError
from ..load.inputs import read_input
from ..load.format_schema import did_you_mean
from . import diagnose, safezip
from .problems import describe
from .extract import _w
from .markdown import BODY_STYLE, DEEPEST_HEADING_STYLE, HEADING_STYLES

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_XML_PART = re.compile(r"^word/(document|header\d*|footer\d*|styles)\.xml$")
ENGINE_STYLES = (BODY_STYLE, *HEADING_STYLES.values(), DEEPEST_HEADING_STYLE)
# What an IME puts where a tag's braces or percent signs belong.
_IME_TAG = re.compile(r"[｛{][｛{％%#＃]|[％%}｝#＃][｝}]")
_FULL_WIDTH_TAG_CHARS = set("｛｝％＃")
_MARKDOWN_FILTER = re.compile(r"\|\s*(段落|paragraphs|行内|inline)\b")
_TAG_RE = re.compile(r"{([{%#])(.*?)([}%#])}", re.S)
_MAPPING_METHODS = {"items", "keys", "values", "get"}  # 叙述.items() reads the map, not a field


def _problem(code: str, template: Path, message: str, severity=Severity.ERROR) -> Diagnostic:
    from .engine import display_path

    return Diagnostic(code, message, severity, file=display_path(template))


def check_template(template: Path, fmt=None) -> list[Diagnostic]:
    """Every problem of one template (see the module docstring); ``fmt`` enables the name and render checks."""
    template = Path(template)
    try:
        data = read_input(template)
    except OSError as exc:  # a link, a device, a FIFO or too large too (inputs.InputRefused)
        return [_problem("PD901", template, f"无法读取模板：{exc.strerror or exc}")]
    broken = _package_problems(template, data)
    if broken:
        return broken
    problems = _tag_problems(template, data)
    problems += _split_tags(template, data)
    problems += _style_problems(template, data)
    if fmt is not None and not any(p.is_error for p in problems):
        problems += _name_problems(template, fmt)
        if not any(p.is_error for p in problems):
            problems += _render_problems(template, fmt)
    return problems


def _package_problems(template: Path, data: bytes) -> list[Diagnostic]:
    try:
        with safezip.open_zip(data) as package:
            names = package.namelist()
            if "word/document.xml" not in names:
                return [_problem("PD901", template, "不是 Word（.docx）文件：缺少 word/document.xml（是否另存为了 .doc 或 .wps？）")]
            for name in names:
                if _XML_PART.match(name):
                    try:
                        etree.fromstring(package.read(name), _PARSER)
                    except etree.XMLSyntaxError as exc:
                        return [_problem("PD901", template, f"{name} 不是完好的 XML（{exc}）：请在 Word 中打开后重新保存")]
    except (*safezip.READ_ERRORS, OSError, RuntimeError, ValueError) as exc:  # a zip bomb too (safezip.ZipRefused)
        return [_problem("PD901", template, f"不是 Word（.docx）文件，无法作为压缩包打开（{exc}）")]
    return []


def _tag_problems(template: Path, data: bytes) -> list[Diagnostic]:
    ime, typed_wide = [], set()
    for place in diagnose.places(data):
        for match in _IME_TAG.finditer(place.text):
            if _FULL_WIDTH_TAG_CHARS & set(match.group(0)):
                fixed = match.group(0).translate(str.maketrans("｛｝％＃", "{}%#"))
                typed_wide.add((place.part, place.phrase))
                ime.append(_problem("PD904", template, f"{place.phrase}：“{match.group(0)}”中有中文输入法打出的全角符号，"
                                                      f"标签应写作“{fixed}”（半角）"))
    out = []
    for problem in diagnose.tag_problems(data):
        if (problem.part, problem.place) in typed_wide:
            continue  # the unclosed or stray tag is the full-width brace's doing, said once by PD904
        code = "PD904" if problem.reason.startswith("标签中有全角符号") else "PD902"
        out.append(_problem(code, template, describe(problem)))
    return out + ime


def _split_tags(template: Path, data: bytes) -> list[Diagnostic]:
    """Tags whose runs differ in formatting: docxtpl joins them, taking the first run's look."""
    out = []
    phrases = {}
    for place in diagnose.places(data):
        phrases.setdefault(place.text, place.phrase)
    with safezip.open_zip(data) as package:
        root = etree.fromstring(package.read("word/document.xml"), _PARSER)
    for paragraph in root.iter(_w("p")):
        runs = []
        for run in paragraph.iter(_w("r")):
            text = "".join(t.text or "" for t in run.iter(_w("t")))
            if text:
                props = run.find(_w("rPr"))
                runs.append((text, etree.tostring(props) if props is not None and len(props) else b""))
        joined = "".join(text for text, _ in runs)
        if "{" not in joined:
            continue
        starts, position = [], 0
        for text, _ in runs:
            starts.append(position)
            position += len(text)
        for match in _TAG_RE.finditer(joined):
            looks = {props for (text, props), start in zip(runs, starts)
                     if start < match.end() and start + len(text) > match.start()}
            if len(looks) > 1:
                phrase = phrases.get(joined, "")
                out.append(_problem("PD903", template,
                                    f"{phrase}“{match.group(0)[:60]}”：Word 把这个标签拆成了格式不同的几段文字；"
                                    "perfdoc 照常处理，输出取第一段的格式。如需统一，请选中整个标签后重设格式",
                                    Severity.WARNING))
    return out


def _style_problems(template: Path, data: bytes) -> list[Diagnostic]:
    users = [place for place in diagnose.places(data) if _MARKDOWN_FILTER.search(place.text)]
    if not users:
        return []
    with safezip.open_zip(data) as package:
        try:
            styles = etree.fromstring(package.read("word/styles.xml"), _PARSER)
        except KeyError:
            styles = None
    ids, names = set(), {}
    if styles is not None:
        for style in styles.iter(_w("style")):
            ids.add(style.get(_w("styleId")))
            name = style.find(_w("name"))
            if name is not None:
                names[style.get(_w("styleId"))] = name.get(_w("val"))
    missing = [style for style in ENGINE_STYLES if style not in ids]
    if not missing:
        return []
    where = "、".join(dict.fromkeys(place.phrase for place in users[:3]))
    renamed = [f"{sid}（现名“{names[sid]}”）" for sid in ids if sid and names.get(sid) and sid.startswith("PD") and sid not in ENGINE_STYLES]
    hint = f"；模板中有{'、'.join(renamed)}" if renamed else ""
    return [_problem("PD906", template, f"{where}用“段落”/“行内”生成文字，需要样式 {'、'.join(missing)}，模板中没有，"
                                        f"这些段落将显示为“正文”样式（样式 ID 须不变；只改显示名称不影响）{hint}", Severity.WARNING)]


def sample_context(fmt) -> dict:
    """The render context of an empty department of ``fmt``: every name a template may use."""
    from ..compute.figures import compute
    from ..load.loader import load_text
    from ..load.model import build_model
    from ..pipeline import Analysis
    from .context import build_context

    place = "" if fmt.options.get("地区") or not fmt.place_from_source else "地区: 示例县\n"
    source = load_text(f"格式: {fmt.folder.name}\n年度: 2022\n{place}部门:\n  名称: 示例单位\n", "<示例>").source
    model = build_model(source.data, [])
    return build_context(Analysis(source=source, model=model, figures=compute(model, fmt), format=fmt))


def _name_problems(template: Path, fmt) -> list[Diagnostic]:
    from .engine import environment, undefined_names

    context = sample_context(fmt)
    out = []
    try:
        unknown = undefined_names(template, context)
    except UserError:
        return []
    known = list(context) + list(environment().globals)
    for name in unknown:
        phrase = diagnose.where(template, name)
        out.append(_problem("PD905", template, f"{phrase + '：' if phrase else ''}渲染时没有名为“{name}”的数据" + did_you_mean(name, known)))
    for chain, bad, parent in _unknown_fields(template, context):
        phrase = diagnose.where(template, chain)
        out.append(_problem("PD905", template, f"{phrase + '：' if phrase else ''}“{chain}”：{parent}中没有“{bad}”"
                                              + did_you_mean(bad, _keys_at(context, chain.split('.')[:-1]))))
    return out


def _keys_at(context: dict, steps: list) -> list:
    node = context
    for step in steps:
        node = node.get(step) if isinstance(node, dict) else None
    return list(node) if isinstance(node, dict) else []


def _unknown_fields(template: Path, context: dict) -> list[tuple[str, str, str]]:
    """``(预算.调整后预箅, 调整后预箅, 预算)`` for each dotted name whose field the context's fixed maps lack."""
    from jinja2 import nodes

    from .engine import environment

    source = _template_source(template)
    if source is None:
        return []
    try:
        tree = environment().parse(source)
    except Exception:  # noqa: BLE001 - syntax problems are reported by PD902
        return []
    stored = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    found = {}
    for node in tree.find_all(nodes.Getattr):
        steps = []
        current = node
        while isinstance(current, nodes.Getattr):
            steps.append(current.attr)
            current = current.node
        if not isinstance(current, nodes.Name) or current.name in stored or current.name not in context:
            continue
        steps.append(current.name)
        steps.reverse()
        value = context
        for index, step in enumerate(steps):
            if not isinstance(value, dict) or not value or step in _MAPPING_METHODS:  # open maps, lists, figures: not checked
                break
            if step not in value and step not in _MAPPING_METHODS:
                chain = ".".join(steps[: index + 1])
                found.setdefault(chain, (chain, step, ".".join(steps[:index])))
                break
            value = value[step]
    return list(found.values())


def _template_source(template: Path) -> str | None:
    """The template's body as docxtpl hands it to Jinja."""
    from docxtpl import DocxTemplate

    try:
        docx = DocxTemplate(str(template))
        docx.init_docx()
        return docx.patch_xml(docx.get_xml())
    except Exception:  # noqa: BLE001 - PD901 says why a template cannot be read
        return None


def _render_problems(template: Path, fmt) -> list[Diagnostic]:
    from .templates import render_document

    try:
        render_document(template, sample_context(fmt))
    except RenderError as exc:
        return [_problem("PD907", template, f"用空白数据试渲染失败：{exc}")]
    return []


def check_templates(fmt) -> list[Diagnostic]:
    """The problems of each distinct template of a format."""
    out = []
    for template in dict.fromkeys(document.template for document in fmt.documents):
        if Path(template).is_file():
            out += check_template(template, fmt)
    return out


@lru_cache(maxsize=64)
def _refusal(digest: str, template: str) -> str | None:
    errors = [d for d in check_template(Path(template)) if d.is_error]
    if not errors:
        return None
    lines = [f"{d.file}: {d.code} {d.message}" for d in errors]
    return "模板有错误，未生成（perfdoc check-format 给出同样的检查）：\n" + "\n".join(lines)


def refuse_broken(template: Path) -> None:
    """Raise a :class:`RenderError` with check-format's messages when ``template`` itself is broken.

    Once per template's bytes. Names the context lacks stay warnings of the build, as before.
    """
    try:
        digest = hashlib.sha256(read_input(template)).hexdigest()
    except OSError:
        return  # the renderer says the file is missing
    message = _refusal(digest, str(template))
    if message:
        raise RenderError(message)
