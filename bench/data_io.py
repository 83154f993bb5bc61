"""Data in and out: the time to import one Word document and to summarise many sources.

    python bench/data_io.py [--sources 1000] [--repeat 5] [--jobs N]

* import: ``import_document`` on the 自评报告 of sources/hunan-linxiang/临湘市总工会/2023.yaml
  (the largest example document), built once before timing. What is timed: reading
  the .docx, recognising it, writing the source and rendering it again to list what
  was not reproduced; median of ``--repeat`` runs in this process (templates cached
  after the first, which is reported apart).
* import of one year's documents: ``import_documents`` on the 自评报告, 基础数据表 and 指标表 of
  sources/hunan-department-2019/南县农业农村局/2019.yaml together, with 2018.yaml beside the
  target (as ``perfdoc import A B C -o …/2019.yaml`` reads it): the same steps for three files,
  plus recognising each file's document and merging; timed the same way.
* validate: ``check_files`` over the same sources, as ``perfdoc validate`` runs it, for comparison.
* summary: ``summarise`` over ``--sources`` synthetic sources made by bench/synth.py, spread over
  ten 主管部门
  (validation of every source included: the summary uses validate's result), with
  ``--jobs`` processes, then the .xlsx written in memory; then ``summarise(ready=True)``, as
  ``perfdoc summary --ready`` runs it (every document of every source without errors rendered
  in memory, to find what is still to fill in); one run each, as a user runs it.

Prints the machine's load average before and after, to read the figures against.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--import-only", action="store_true", help="time the imports only, not validate and summary")
    args = parser.parse_args(argv)

    from perfdoc.build.rendering import render_output
    from perfdoc.build.parallel import default_jobs
    from perfdoc.ops.importdocx import import_document, import_documents
    from perfdoc.ops.summary import summarise, workbook_bytes
    from perfdoc.build.rendering import render_checked
    from perfdoc.pipeline import check_file, check_files
    from synth import generate

    jobs = args.jobs or default_jobs()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs; jobs={jobs}")
    with tempfile.TemporaryDirectory(prefix="perfdoc-bench-") as folder:
        folder = Path(folder)
        document = folder / "自评报告.docx"
        document.write_bytes(render_output(REPO / "sources/hunan-linxiang/临湘市总工会/2023.yaml", "自评报告"))
        times = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            imported = import_document(document, "hunan-linxiang")
            times.append(time.perf_counter() - start)
        print(
            f"import one document (临湘 2023 自评报告, {imported.mapped} values, {len(imported.unmapped)} listed): "
            f"first {times[0] * 1000:.0f} ms, median of the next {args.repeat}: {statistics.median(times[1:]) * 1000:.0f} ms"
        )

        year = REPO / "sources/hunan-department-2019/南县农业农村局"
        checked = check_file(year / "2019.yaml")
        documents = []
        for doc in checked.analysis.format.documents:
            documents.append(folder / f"{doc.name}.docx")
            documents[-1].write_bytes(render_checked(checked, doc))
        times = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            imported = import_documents(documents, "hunan-department-2019", beside=year)
            times.append(time.perf_counter() - start)
        print(
            f"import one year's three documents (南县 2019 自评报告, 基础数据表, 指标表; {imported.mapped} values, "
            f"{len(imported.unmapped)} listed): first {times[0] * 1000:.0f} ms, median of the next {args.repeat}: "
            f"{statistics.median(times[1:]) * 1000:.0f} ms"
        )
        if args.import_only:
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            return

        sources = folder / "sources"
        generate(sources, args.sources)
        files = sorted(sources.rglob("*.yaml"))
        count = len(files)
        for number, path in enumerate(files):  # ten 主管部门, so that the summary has subtotals to make
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("部门:\n", f"部门:\n  主管部门: 主管部门{number % 10 + 1}\n", 1), encoding="utf-8")
        start = time.perf_counter()
        list(check_files(files, jobs))
        validated = time.perf_counter() - start
        print(f"perfdoc validate's check_files over the same {count} sources, for comparison: {validated:.1f} s")
        start = time.perf_counter()
        table = summarise([sources], jobs)
        summarised = time.perf_counter() - start
        start = time.perf_counter()
        data = workbook_bytes(table)
        written = time.perf_counter() - start
        print(
            f"summary of {count} sources ({len(table.departments)} rows, {len(table.rows) - len(table.departments)} subtotal and total rows): "
            f"{summarised:.1f} s validating and summarising, {written:.2f} s writing the .xlsx ({len(data) // 1024} KB)"
        )
        start = time.perf_counter()
        table = summarise([sources], jobs, ready=True)
        summarised = time.perf_counter() - start
        ready = sum(1 for row in table.departments if row.ready is True)
        print(f"summary --ready of the same {count} sources ({ready} ready): {summarised:.1f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
