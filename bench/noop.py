"""No-op rebuild: ``perfdoc build`` when nothing changed, at 10,000 sources.

    python bench/noop.py [--n 10000] [--distinct 120] [--runs 5] [--jobs 2] [--perfdoc CHECKOUT] [--keep DIR]

What is timed: a whole ``perfdoc build sources --out out`` process (start-up
included) over N sources whose documents are all current, so that every
source is skipped; wall seconds, CPU seconds (less sensitive to what else
runs on the machine) and peak resident memory (``os.wait4``), the median of
``--runs`` runs, and the same at N/10 to show how memory grows per source.

How the batch is made (rendering 25,000 documents first would take longer
than everything measured): ``bench/synth.py`` writes ``--distinct``
department-years, ``perfdoc build`` renders them once, then each department
folder is copied (hard links, for sources and documents alike) under new
department folder names until there are N sources, and the manifest's
entries are copied with them. One build with the batch as it is then fills
perfdoc's caches (it validates every source once); the timed builds follow.

``--perfdoc`` times another checkout (e.g. an older one) in the same sitting.
The machine's load is printed first and last: other work slows every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402  (bench/synth.py, beside this file)


def run_build(checkout: Path, root: Path, jobs: int) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of one ``perfdoc build`` in ``root``."""
    env = {**os.environ, "PERFDOC_TEMPLATES": str(checkout / "templates"), "PYTHONPATH": str(checkout)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "perfdoc.cli", "build", "sources", "--out", "out", "--jobs", str(jobs)],
            cwd=root, env=env, stdout=out, stderr=err,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"perfdoc build failed:\n{text[-2000:]}\n{err.read().decode()[-3000:]}")
        return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def replicate(root: Path, n: int) -> int:
    """Copy department folders (sources, documents, manifest entries) until there are ``n`` sources."""
    sources, out = root / "sources", root / "out"
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    outputs = manifest["outputs"]
    departments = sorted(p for p in sources.glob("*/*") if p.is_dir())
    entries: dict[str, list] = {}  # "<format>/<department>/" → its manifest entries
    for key, entry in outputs.items():
        entries.setdefault("/".join(key.split("/")[:2]) + "/", []).append((key, entry))
    count = sum(1 for _ in sources.rglob("*.yaml"))
    copy = 0
    while count < n:
        copy += 1
        for department in departments:
            years = sorted(department.glob("*.yaml"))
            if count + len(years) > n:
                continue
            fmt, name = department.parent.name, department.name
            new_name = f"{name}副本{copy}"
            _link_tree(department, sources / fmt / new_name)
            if (out / fmt / name).is_dir():
                _link_tree(out / fmt / name, out / fmt / new_name)
            old_prefix, new_prefix = f"{fmt}/{name}/", f"{fmt}/{new_name}/"
            for key, entry in entries.get(old_prefix, ()):
                copied = dict(entry)
                copied["source"] = entry["source"].replace(f"/{name}/", f"/{new_name}/")
                outputs[new_prefix + key[len(old_prefix):]] = copied
            count += len(years)
            if count >= n:
                break
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for leftover in out.iterdir():  # what perfdoc keeps beside the manifest no longer matches the folder
        if leftover.is_file() and leftover.name not in ("manifest.json", ".lock"):
            leftover.unlink()
        elif leftover.is_dir() and leftover.name.startswith("."):
            shutil.rmtree(leftover)
    return count


def _link_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, copy_function=os.link)


def measure(checkout: Path, work: Path, n: int, distinct: int, runs: int, jobs: int, pool) -> dict:
    root = work / f"noop-{n}"
    if root.exists():
        shutil.rmtree(root)
    synth.generate(root / "sources", min(distinct, n), seed=1, pool=pool)
    run_build(checkout, root, jobs)  # renders the distinct department-years once
    count = replicate(root, n)
    run_build(checkout, root, jobs)  # fills perfdoc's caches for the copies
    seconds, cpu, memory = [], [], []
    for _ in range(runs):
        took, used, rss, text = run_build(checkout, root, jobs)
        if "生成 0，" not in text:
            raise SystemExit(f"not a no-op rebuild:\n{text}")
        seconds.append(took)
        cpu.append(used)
        memory.append(rss)
    shutil.rmtree(root)
    return {"sources": count, "seconds": statistics.median(seconds), "spread": [min(seconds), max(seconds)],
            "cpu": statistics.median(cpu), "rss_mb": statistics.median(memory)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="sources in the batch (default 10000)")
    parser.add_argument("--distinct", type=int, default=120, help="department-years rendered for real (default 120)")
    parser.add_argument("--runs", type=int, default=5, help="timed no-op builds; the median is reported (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="perfdoc build --jobs (default 2)")
    parser.add_argument("--perfdoc", type=Path, default=REPO, help="the checkout to time (default: this one)")
    parser.add_argument("--keep", type=Path, help="work in this folder instead of a temporary one")
    args = parser.parse_args(argv)
    checkout = args.perfdoc.resolve()
    work = args.keep or Path(tempfile.mkdtemp(prefix="perfdoc-noop-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"perfdoc no-op rebuild, {checkout}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    pool = synth.load_pool()
    small = measure(checkout, work, max(args.n // 10, 1), args.distinct, args.runs, args.jobs, pool)
    large = measure(checkout, work, args.n, args.distinct, args.runs, args.jobs, pool)
    for figure in (small, large):
        print(f"  {figure['sources']:>6} sources: {figure['seconds']:.2f} s (median of {args.runs}; "
              f"{figure['spread'][0]:.2f}–{figure['spread'][1]:.2f}), {figure['cpu']:.2f} s CPU, peak {figure['rss_mb']:.0f} MB")
    per_source = (large["rss_mb"] - small["rss_mb"]) * 1024 / max(large["sources"] - small["sources"], 1)
    print(f"  memory per additional source: {per_source:.1f} KB")
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
