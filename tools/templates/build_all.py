"""An optional starter kit: write the shipped .docx templates from the scripts beside this file.

    python3 tools/templates/build_all.py

Run from the repository root. The templates under templates/ are the source of
truth: a bureau edits them in Word or WPS and checks them with
``perfdoc check-format``. Running this overwrites such edits with the kit's
version (reproducible byte for byte), so use it to start a new template or to
return to the original.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import guangzhou_form  # noqa: E402
import guangzhou_report  # noqa: E402
import hunan_basic_data  # noqa: E402
import hunan_indicator_table  # noqa: E402

import kit  # noqa: E402
import linxiang_report  # noqa: E402
import national_project_form  # noqa: E402
import sichuan_project_form  # noqa: E402
import yiyang_report  # noqa: E402



SCRIPTS = (guangzhou_form, guangzhou_report, hunan_basic_data, hunan_indicator_table, linxiang_report, national_project_form, sichuan_project_form, yiyang_report)


def main() -> None:
    root = HERE.parent.parent
    for script in SCRIPTS:
        path = root / script.OUTPUT
        kit.save(script.build(), path)
        print(f"已生成 {path.relative_to(root)}")


if __name__ == "__main__":
    main()
