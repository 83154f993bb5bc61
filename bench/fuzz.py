"""Fuzzing perfdoc from source text to Word document, with hypothesis, at length.

    python bench/fuzz.py --examples 10000                  # every generator; 10,000 examples in all
    python bench/fuzz.py --examples 2000 --kind valid      # one generator
    python bench/fuzz.py --examples 500 --seed 1 --out fuzz-findings
    python bench/fuzz.py --examples 3000 --kind plausible --seconds 10 --no-reduce

The generators and properties are :mod:`perfdoc.testing.fuzzing` (see its docstring); ``--kind``
picks one generator (default all, sharing ``--examples`` 2:3:2:3).

The run also reports, as findings, an example that takes longer than ``--seconds`` (default 20)
or allocates past ``--memory-mb`` (default 3000; a MemoryError): hostile narratives can ask for huge
numbers, strings and loops.

A failing example does not stop the run: each finding (the input and the traceback) is recorded, reduced
to a small reproducer, written under ``--out``, and listed once per distinct cause in the summary. Exit
status 1 when anything was found. ``tests/test_fuzz.py`` runs the same properties with the "ci" settings.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from perfdoc.testing.fuzzing import KIND_SHARES, LIMITS, STRATEGIES, Example, Finding, Stats, guarded


# ============================================================== reducing a finding to a small reproducer


def reduce(finding: Finding, workdir: Path, budget: int = 400, seconds: float = 120) -> Example:
    """A smaller input with the same signature: lines, then characters, removed greedily.

    At most ``budget`` trials and about ``seconds`` of work; slow examples and memory
    exhaustion are reported as found (each trial would cost the time limit).
    """
    example = finding.example
    runs = 0
    deadline = time.monotonic() + seconds
    if finding.signature.startswith("slow") or "MemoryError" in finding.signature:
        return example

    def same(candidate: bytes) -> bool:
        nonlocal runs
        runs += 1
        if time.monotonic() > deadline:
            runs = budget
            return False
        trial = Example(candidate, example.filename, example.format, example.expected, example.kind)
        return any(f.signature == finding.signature for f in guarded(trial, workdir, seconds=LIMITS["seconds"]))

    data = example.data
    if example.expected:  # an amount expectation depends on the whole source: keep it
        return example
    for unit in (b"\n", None):
        chunk = max(len(data) // 2, 1)
        while chunk >= 1 and runs < budget:
            pieces = data.split(b"\n") if unit else [data[i : i + 1] for i in range(len(data))]
            joiner = b"\n" if unit else b""
            size = max(1, min(chunk, len(pieces)))
            start, changed = 0, False
            while start < len(pieces) and runs < budget:
                candidate = joiner.join(pieces[:start] + pieces[start + size :])
                if candidate != data and same(candidate):
                    data, pieces, changed = candidate, pieces[:start] + pieces[start + size :], True
                else:
                    start += size
            if not changed:
                chunk //= 2
            if unit is None and len(pieces) > 400:
                break
    return Example(data, example.filename, example.format, example.expected, example.kind)


# ============================================================== running




def limit_memory(megabytes: int) -> None:
    """Make a runaway allocation a MemoryError (a finding) instead of the machine running out."""
    import resource

    if megabytes:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(kinds: dict[str, int], seed: int | None, out: Path | None, reduce_findings: bool = True, quiet: bool = False) -> int:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    stats = Stats()
    findings: list[Finding] = []
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="perfdoc-fuzz-"))
    try:
        for kind, count in kinds.items():
            if count <= 0:
                continue

            @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(STRATEGIES[kind])
            def one(example):
                findings.extend(guarded(example, workdir, stats, LIMITS["seconds"]))
                if not quiet and stats.examples % 250 == 0:
                    print(f"  {stats.examples} 例，{len(findings)} 个发现，{time.monotonic() - started:.0f} 秒", file=sys.stderr)

            if seed is not None:
                one = fixed_seed(seed)(one)
            before = stats.examples
            one()
            if not quiet:
                print(f"{kind}: {stats.examples - before} 例", file=sys.stderr)
        return report(stats, findings, out, workdir, reduce_findings, time.monotonic() - started)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(stats: Stats, findings: list[Finding], out: Path | None, workdir: Path, reduce_findings: bool, seconds: float) -> int:
    distinct: dict[str, list[Finding]] = {}
    for finding in findings:
        distinct.setdefault(finding.signature, []).append(finding)
    print(f"examples: {stats.examples} ({', '.join(f'{k} {v}' for k, v in stats.by_kind.items())}); "
          f"refused with errors: {stats.with_errors}; rendered sources: {stats.rendered_sources}; "
          f"documents: {stats.documents}; amount checks: {stats.amounts_checked}; {seconds:.0f} s")
    print(f"findings: {len(findings)} ({len(distinct)} distinct)")
    for signature, group in sorted(distinct.items()):
        print(f"    {len(group):>5} × {signature}")
    sys.stdout.flush()
    if out is not None and distinct:
        out.mkdir(parents=True, exist_ok=True)
    for number, (signature, group) in enumerate(sorted(distinct.items()), 1):
        smallest = min(group, key=lambda f: len(f.example.data))
        example = reduce(smallest, workdir) if reduce_findings else smallest.example
        print(f"\n[{number}] {signature}  ×{len(group)}")
        print(f"    {smallest.message[:500]}")
        print(f"    input ({example.kind}, {example.filename}, format {example.format}): {example.data[:600]!r}")
        if smallest.details:
            print("    " + smallest.details.strip().replace("\n", "\n    ")[-3000:])
        if out is not None:
            stem = out / f"finding-{number:02d}"
            stem.with_suffix(".yaml").write_bytes(example.data)
            stem.with_suffix(".txt").write_text(
                f"{signature}\n{smallest.message}\nkind={example.kind} filename={example.filename} format={example.format}\n\n"
                f"{smallest.details}\n", encoding="utf-8")
    return 1 if findings else 0


def shares(total_examples: int, kind: str) -> dict[str, int]:
    if kind != "all":
        return {kind: total_examples}
    weight = sum(KIND_SHARES.values())
    counts = {k: total_examples * w // weight for k, w in KIND_SHARES.items()}
    counts["mutant"] += total_examples - sum(counts.values())
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="number of examples in all (default 1000)")
    parser.add_argument("--kind", choices=["all", *STRATEGIES], default="all")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write each finding's input and traceback here")
    parser.add_argument("--no-reduce", action="store_true", help="report findings as generated, without reducing them")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--seconds", type=float, default=20.0, help="report an example that takes longer (default 20; 0: no limit)")
    parser.add_argument("--memory-mb", type=int, default=3000, help="address-space limit of this process (default 3000; 0: none)")
    args = parser.parse_args(argv)
    LIMITS["seconds"] = args.seconds
    LIMITS["huge"] = bool(args.seconds and args.memory_mb)
    limit_memory(args.memory_mb)
    return run(shares(args.examples, args.kind), args.seed, args.out, not args.no_reduce, args.quiet)


if __name__ == "__main__":
    sys.exit(main())
