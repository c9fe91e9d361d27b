"""Every speed figure the issues set, in one table with its target beside it.

Run: ``python benchmarks/run_all.py [--quick] [--no-browser]``. Each section is also a script of
its own (``bench_*.py``). Numbers depend on the machine and on what else runs on it; the
README shows the latest table from this 2-core machine.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cohort  # noqa: E402
import bench_dashboard  # noqa: E402
import bench_fibers  # noqa: E402
import bench_gate  # noqa: E402
import bench_mood  # noqa: E402
import bench_ncs  # noqa: E402
import bench_session  # noqa: E402
import bench_waveforms  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller cohort, fewer rounds")
    ap.add_argument("--no-browser", action="store_true", help="skip the browser round trip")
    args = ap.parse_args()
    rows = []
    rows += bench_waveforms.run()
    rows += bench_fibers.run()
    rows += bench_gate.run()
    rows += bench_session.run()
    rows += bench_ncs.run()
    rows += bench_mood.run()
    for r in bench_dashboard.run(rounds=10 if args.quick else 30, browser=not args.no_browser):
        target = r["target"]
        if isinstance(target, str):  # browser: "150 / p95 300"
            target = bench_dashboard.TARGETS["browser"]
            ok = r["median"] <= target and r["p95"] <= bench_dashboard.TARGETS["browser_p95"]
        else:
            ok = r["median"] <= target
        unit = r["unit"]
        rows.append({"measure": f"{r['measure']} [{unit}], p95 {r['p95']:.1f}",
                     "median_ms": r["median"], "target_ms": target, "ok": ok})
    rows += bench_cohort.run(200 if args.quick else 1000)
    print("\nSummary")
    print(f"| {'measure':66s} | {'median':>10s} | {'target':>9s} | ok  |")
    print("|" + "-" * 68 + "|" + "-" * 12 + "|" + "-" * 11 + "|-----|")
    for r in rows:
        print(f"| {r['measure']:66s} | {r['median_ms']:10.3f} | {r['target_ms']:9.1f} | "
              f"{'yes' if r['ok'] else 'NO':3s} |")
    missed = [r["measure"] for r in rows if not r["ok"]]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} within target"
          + (": missed " + "; ".join(missed) if missed else ""))


if __name__ == "__main__":
    main()
