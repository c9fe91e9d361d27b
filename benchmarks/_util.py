"""Small timing helpers shared by the benchmark scripts (tables, not pass/fail)."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], *, repeat: int = 15, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` in milliseconds over ``repeat`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def print_table(title: str, rows: list[tuple[str, float, float]]) -> list[dict]:
    """Print ``(measure, median_ms, target_ms)`` rows as a table; return them as dicts."""
    print(f"\n{title}")
    head = f"| {'measure':66s} | {'median ms':>10s} | {'target ms':>9s} | ok  |"
    print(head)
    print("|" + "-" * 68 + "|" + "-" * 12 + "|" + "-" * 11 + "|-----|")
    out = []
    for name, got, target in rows:
        ok = "yes" if got <= target else "NO"
        print(f"| {name:66s} | {got:10.3f} | {target:9.1f} | {ok:3s} |")
        out.append({"measure": name, "median_ms": got, "target_ms": target, "ok": got <= target})
    return out
