"""Typo-catch rate: how many single-digit slips in amounts does `validate` catch?

For every amount written in every example source, and for every digit of
it, the digit is replaced by the next one (0→1 … 9→0), one slip at a time,
and the file is validated again. A slip is *caught* when a new error (or,
in the second figure, a new warning) appears that was not there before.

    python bench/typo_catch.py [SOURCES...]
"""

from __future__ import annotations

import sys
from collections import Counter
from decimal import Decimal

from perfdoc.load.loader import load_path
from perfdoc.load.schema import SOURCE_SCHEMA, dotted, iter_fields
from perfdoc.pipeline import check_text, find_sources


def _signature(result):
    return Counter((d.code, d.path, d.is_error) for d in result.diagnostics)


def slips(source):
    """Yield (path, edited text) for each single-digit slip of each amount."""
    lines = source.text.splitlines(keepends=True)
    for path, field, value in iter_fields(source.data, SOURCE_SCHEMA):
        if field.kind != "amount" or not isinstance(value, (int, Decimal)) or isinstance(value, bool):
            continue
        loc = source.positions[path]
        line = lines[loc.line - 1]
        start, end = loc.col - 1, loc.end_col - 1 if loc.end_line == loc.line else len(line.rstrip("\n"))
        for offset in range(start, end):
            ch = line[offset]
            if not ch.isdigit():
                continue
            edited = line[:offset] + str((int(ch) + 1) % 10) + line[offset + 1 :]
            yield path, "".join(lines[: loc.line - 1] + [edited] + lines[loc.line :])


def main(argv):
    files = find_sources(argv or ["sources"])
    total = caught_error = caught_any = 0
    missed: Counter = Counter()
    for file in files:
        source = load_path(file).source  # the examples read clean
        base = _signature(check_text(source.text, str(file)))
        for path, text in slips(source):
            after = _signature(check_text(text, str(file)))
            new = after - base
            total += 1
            if any(is_error for (_, _, is_error) in new):
                caught_error += 1
            if new:
                caught_any += 1
            else:
                missed[dotted(path[:-1]) if isinstance(path[-1], str) and "明细" in str(path[-2:-1]) else dotted(path)] += 1
    if not total:
        print("没有可注入的金额")
        return 1
    print(f"sources: {len(files)}  injected single-digit slips: {total}")
    print(f"caught as error:            {caught_error}/{total} = {caught_error / total:.1%}")
    print(f"caught as error or warning: {caught_any}/{total} = {caught_any / total:.1%}")
    if missed:
        print("most often missed (figure: slips missed):")
        for name, count in missed.most_common(10):
            print(f"  {name}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
