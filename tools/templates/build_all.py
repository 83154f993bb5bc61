"""Regenerate every .docx template under templates/ from the scripts beside this file.

    python3 tools/templates/build_all.py

Run from the repository root. Each script describes one document with the
helpers in kit.py; the output is reproducible byte for byte.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import guangzhou_form  # noqa: E402
import guangzhou_report  # noqa: E402

import kit  # noqa: E402
import linxiang_report  # noqa: E402
import yiyang_report  # noqa: E402



SCRIPTS = (guangzhou_form, guangzhou_report, linxiang_report, yiyang_report)


def main() -> None:
    root = HERE.parent.parent
    for script in SCRIPTS:
        path = root / script.OUTPUT
        kit.save(script.build(), path)
        print(f"已生成 {path.relative_to(root)}")


if __name__ == "__main__":
    main()
