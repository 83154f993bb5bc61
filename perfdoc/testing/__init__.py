"""Helpers for perfdoc's own tests and benchmarks: golden files, a small workspace, the fuzzing harness."""
