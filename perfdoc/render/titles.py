"""Document titles broken into lines the GB/T 9704-2012 way (7.2.2).

标题回行时要做到词意完整，排列对称，长短适宜，间距恰当；标题排列应当使用梯形或菱形。

A template places a title as runs with the run tag::

    {{r (部门.名称 ~ 年度 ~ "年部门整体支出绩效自评报告")|标题分行 }}
    {{r 标题|标题分行(40) }}        (a line holds 40 characters of the title's size)

A title that fits on one line stays one run. A longer one is broken only
between words, into as few lines as it needs, choosing among the ways to
break it the one that reads best:

* breaks around a year (``2022年``, ``2022年度``) cost nothing, and where a
  name meets the title words (``总工会|部门``) almost nothing: they part the
  department's name from what the document is;
* breaks inside a name after a place (``广州市|天河区|总工会``) cost a little,
  breaks between the title words of :data:`TITLE_WORDS` a little more;
* the lines form a trapezoid (each line longer, or each shorter, than the one
  above) or a diamond (the middle longest): lines of equal length (a
  rectangle) and a short middle line (an hourglass) are avoided, a short
  upper line (正梯形) is preferred, and the lines stay close in length.

A title with no way to fit is left for the word processor to wrap.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from markupsafe import Markup

from .markdown import xml_text, _run

# Characters of 二号 type on the 156 mm line of the GB/T 9704 text block (442.2 pt / 22 pt).
LINE_CHARACTERS = 20

# Words a title is made of; a break may fall before or after each of them.
TITLE_WORDS = (
    "部门", "单位", "整体", "支出", "项目", "专项", "资金", "预算", "决算", "绩效", "评价",
    "自评", "自评表", "报告", "情况", "管理", "工作", "政策", "年度",
)  # fmt: skip
# After these a place name ends (广州市|天河区); not when the next character continues a word (市场, 区域).
PLACE_ENDINGS = "省市区县镇乡"
WORD_AFTER_PLACE_ENDING = "场政委域级民长直属内外"
# A name's last character never starts a line (管理|局), unless a title word begins there (部门).
NAME_SUFFIXES = "局会院厅委办所站处科队馆部室社"
YEAR = re.compile(r"\d{4}年度?|\d{4}")
OPENING = "（(《“‘〔【"
CLOSING = "）)》”’〕】，、。：；！？,.:;!?"

FREE, NAME_END, PLACE, WORD = 0.0, 0.5, 1.5, 2.0  # what a break costs, by where it falls
RECTANGLE, HOURGLASS, UPPER_LONGER = 3.0, 5.0, 1.0  # what a shape costs
IMBALANCE = 0.25  # per character between the longest and the shortest line
# A title longer than this, or with more places to break, is left to the word processor (a name can be anything).
MOST_LINES, MOST_BREAK_POINTS = 4, 30


def title_lines(value, 每行字数: int = LINE_CHARACTERS) -> Markup:
    """The title as runs, with a line break between its lines (for ``{{r …}}``)."""
    lines = split_title(xml_text(value), int(每行字数))
    runs = [_run(line) if index == 0 else "<w:r><w:br/></w:r>" + _run(line) for index, line in enumerate(lines)]
    return Markup("".join(runs))


@lru_cache(maxsize=256)
def split_title(text: str, line_characters: int = LINE_CHARACTERS) -> tuple[str, ...]:
    """``text`` in the lines it is best printed in (one line if it fits, or if it cannot be broken to fit)."""
    if width(text) <= line_characters:
        return (text,)
    breaks = break_points(text)  # position → cost
    positions = sorted(breaks)
    if width(text) > line_characters * MOST_LINES or len(positions) > MOST_BREAK_POINTS:
        return (text,)
    best: tuple[float, tuple[str, ...]] | None = None
    for count in range(2, min(len(positions) + 1, MOST_LINES) + 1):
        for chosen in combinations(positions, count - 1):
            lines = _cut(text, chosen)
            if max(width(line) for line in lines) > line_characters:
                continue
            cost = sum(breaks[p] for p in chosen) + shape_cost([width(line) for line in lines])
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None:
            return best[1]
    return (text,)


def break_points(text: str) -> dict[int, float]:
    """Where ``text`` may be broken between words, each with its cost."""
    points: dict[int, float] = {}

    def allow(position: int, cost: float) -> None:
        if not 0 < position < len(text) or text[position] in CLOSING or text[position - 1] in OPENING:
            return
        if not (_joinable(text[position - 1]) and _joinable(text[position])):
            return  # Latin words, spaces and signs stay with their neighbours
        if text[position] in NAME_SUFFIXES and not any(text.startswith(w, position) for w in TITLE_WORDS):
            return
        points[position] = min(cost, points.get(position, cost))

    for year in YEAR.finditer(text):
        allow(year.start(), FREE)
        allow(year.end(), FREE)
    words = sorted(TITLE_WORDS, key=len, reverse=True)
    position, in_name = 0, False
    while position < len(text):
        word = next((w for w in words if text.startswith(w, position)), None)
        if word:
            allow(position, NAME_END if in_name else WORD)
            allow(position + len(word), WORD)
            position += len(word)
            in_name = False
            continue
        in_name = not YEAR.match(text, position) and (in_name or not text[position].isdigit())
        character = text[position]
        following = text[position + 1 : position + 2]
        if character in PLACE_ENDINGS and following and following not in WORD_AFTER_PLACE_ENDING:
            allow(position + 1, PLACE)
        position += 1
    # A year stays whole (2022年度), a bracketed part stays with what it qualifies (部门（单位）).
    for year in YEAR.finditer(text):
        for inside in range(year.start() + 1, year.end()):
            points.pop(inside, None)
    for opening in re.finditer(r"[（(][^）)]*[）)]", text):
        for inside in range(opening.start(), opening.end()):
            points.pop(inside, None)
    return points


def shape_cost(widths: list[float]) -> float:
    """Trapezoids and diamonds cost nothing; rectangles and hourglasses do; so does imbalance."""
    cost = IMBALANCE * (max(widths) - min(widths))
    if max(widths) - min(widths) < 1:
        return cost + RECTANGLE
    if len(widths) == 2:
        return cost + (UPPER_LONGER if widths[0] > widths[1] else 0)
    middle = widths[1:-1]
    if min(middle) < min(widths[0], widths[-1]):
        cost += HOURGLASS
    if widths[0] > widths[-1]:
        cost += UPPER_LONGER
    return cost


def width(text: str) -> float:
    """Printed width in characters of the title's size: Latin letters and digits take half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _joinable(character: str) -> bool:
    """A line may end or begin with this character: Chinese, or a digit (of a year)."""
    return ord(character) >= 0x2E80 or character.isdigit()


def _cut(text: str, positions: tuple[int, ...]) -> tuple[str, ...]:
    edges = (0, *positions, len(text))
    return tuple(text[a:b] for a, b in zip(edges, edges[1:]))


FILTERS = {
    "标题分行": title_lines,
    "title_lines": title_lines,
}
