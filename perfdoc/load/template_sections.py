"""Which narrative sections a template prints, read from its tags without the template machinery.

``{{p 叙述.存在问题|段落 }}`` prints 存在问题; a template that uses 叙述 in any
other way (``叙述.items()``, ``叙述[名称]``, ``{% set s = 叙述 %}``) may print
any section, and so may one that cannot be read: for those the answer is
``None``, "unknown", and nothing is said about their sections.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .. import usercache

NARRATIVE = "叙述"
_PARTS = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_XML_TAG = re.compile(r"<[^>]*>")
_JINJA_TAG = re.compile(r"{[{%](.*?)[}%]}", re.S)
# 叙述 as a name of its own (not 项.叙述), then .名称 or ['名称'] or anything else
_USE = re.compile(rf"(?<![\w.]){NARRATIVE}(?!\w)(?:\s*\.\s*(\w+)(?!\w|\s*\()|\s*\[\s*(['\"])([^'\"]+)\2\s*\])?")
_MAP_METHODS = {"items", "keys", "values", "get"}


def sections_read(template: Path) -> frozenset | None:
    """The narrative sections ``template`` reads by name; ``None`` when it may read any, or cannot be read."""
    try:
        stat = Path(template).stat()
    except OSError:
        return None
    return _sections_read(Path(template), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _sections_read(template: Path, _mtime: int, _size: int) -> frozenset | None:
    """Kept in the user's cache under the template's bytes: unpacking it costs more than validating a source."""
    from .inputs import MAX_INPUT_BYTES, read_input

    try:
        data = read_input(template, MAX_INPUT_BYTES)
    except OSError:
        return None
    name = usercache.key(KIND, Path(__file__).read_bytes(), data)
    stored = _stored(usercache.read_value(KIND, name))
    if stored is not None:
        return stored[0]
    found = _sections_in_package(data)
    usercache.write_value(KIND, name, (None if found is None else sorted(found),))
    return found


KIND = "template-sections"


def _stored(entry) -> tuple | None:
    """``(sections,)`` from a cache entry (sections None: the template may print any); None for no entry
    or one of another shape."""
    if not isinstance(entry, tuple) or len(entry) != 1:
        return None
    (value,) = entry
    if value is None:
        return (None,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return (frozenset(value),)
    return None


def _sections_in_package(data: bytes) -> frozenset | None:
    import html

    from ..render import safezip

    try:
        with safezip.open_zip(data) as package:
            parts = [package.read(name).decode("utf-8") for name in package.namelist() if _PARTS.match(name)]
    except (OSError, UnicodeDecodeError, *safezip.READ_ERRORS):
        return None
    return sections_in_text("".join(html.unescape(_XML_TAG.sub("", part)) for part in parts))


def sections_in_text(text: str) -> frozenset | None:
    """The sections the Jinja tags in ``text`` read by name; ``None`` when they use 叙述 otherwise."""
    found = set()
    for tag in _JINJA_TAG.finditer(text):
        for use in _USE.finditer(tag.group(1)):
            name = use.group(1) or use.group(3)
            if name is None or name in _MAP_METHODS:
                return None
            found.add(name)
    return frozenset(found)
