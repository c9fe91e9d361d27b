"""Every speed figure the project holds itself to, in one table with its target beside it.

Run: ``python benchmarks/run_all.py [--quick] [--no-browser] [--no-load]``. Each section is also
a script of its own (``bench_*.py``, ``load.py``). Numbers depend on the machine and on what
else runs on it; the README shows the latest table from this 2-core machine.

Sections: waveform render, fibre thresholds and recruitment, gate, sessions, conduction study,
motor conduction, needle EMG and localisation,
where the lead sits (placement changes, posture, closed loop),
course and bedside examination, treatments in a session, dashboard (server callback, payload,
cold start, browser round trip), cohorts, the load of 50 users for 60 s on
``neuromod dashboard --workers 2``, and the lecture hall (``load.py --hall``: 200 browsers,
slow and hostile clients, 90 s on the default server and on ``--workers 2``), and a live
prediction in a lecture (``lecture.py``: a presenter in Chromium, 200 students answering within
30 s on ``--workers 2 --public``, bound to loopback). The slow parts
can be skipped: ``--no-browser`` (the real Chromium round trip), ``--no-load`` (the load and
hall runs), ``--quick`` (fewer rounds, a smaller cohort, a 20-s load with 20 users, 30-s hall
runs).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cohort
import bench_dashboard
import bench_emg
import bench_fibers
import bench_gate
import bench_mood
import bench_ncs
import bench_placement
import bench_session
import bench_treatments
import bench_waveforms
import hall
import lecture
import load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller cohort, fewer rounds")
    ap.add_argument("--no-browser", action="store_true", help="skip the browser round trip")
    ap.add_argument("--no-load", action="store_true",
                    help="skip the lecture-hall load run (50 users for 60 s)")
    ap.add_argument("--load-users", type=int, default=None, help="users of the load run")
    ap.add_argument("--load-seconds", type=float, default=None, help="length of the load run")
    args = ap.parse_args()
    rows = []
    rows += bench_waveforms.run()
    rows += bench_fibers.run()
    rows += bench_gate.run()
    rows += bench_session.run()
    rows += bench_ncs.run()
    rows += bench_emg.run()
    rows += bench_placement.run()
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
    for r in bench_treatments.run():  # a treatment slows run_session by <= 20 %
        worst = max(r["rel_60s_pct"], r["rel_1800s_pct"])
        rows.append({"measure": f"treatment {r['treatment']}: run_session slower by [%]",
                     "median_ms": worst, "target_ms": 20.0, "ok": worst <= 20.0})
    rows += bench_cohort.run(200 if args.quick else 1000)
    if not args.no_load:  # 50 users, slider update p95 <= 500 ms, no errors
        rows += load.run(users=args.load_users or (20 if args.quick else 50),
                         seconds=args.load_seconds or (20.0 if args.quick else 60.0),
                         workers=2)
        for workers in (1, 2):  # the lecture hall, on both server modes
            h = hall.run(seconds=30.0 if args.quick else 90.0, workers=workers)
            rows.append({"measure": f"hall: slider p95, {h['server']}",
                         "median_ms": h["slider_p95_ms"],
                         "target_ms": hall.TARGET_SLIDER_P95_MS, "ok": h["ok"]})
            rows.append({"measure": f"hall: errors + visitors never served ({h['server']})",
                         "median_ms": float(h["errors"] + h["unserved"]), "target_ms": 0.0,
                         "ok": h["errors"] + h["unserved"] == 0})
        lec = lecture.run(students=200, seconds=30.0, workers=2)
        rows.append({"measure": "lecture: answers lost (200 students, 30 s, --workers 2)",
                     "median_ms": float(lec["lost"]), "target_ms": float(lecture.TARGET_LOST),
                     "ok": lec["lost"] <= lecture.TARGET_LOST})
        rows.append({"measure": "lecture: answer p95 [ms]", "median_ms": lec["answer_p95_ms"],
                     "target_ms": lecture.TARGET_ANSWER_P95_MS,
                     "ok": lec["answer_p95_ms"] <= lecture.TARGET_ANSWER_P95_MS})
        rows.append({"measure": "lecture: histogram updated, worst [s]",
                     "median_ms": lec["histogram_worst_s"],
                     "target_ms": lecture.TARGET_HISTOGRAM_S,
                     "ok": lec["histogram_worst_s"] <= lecture.TARGET_HISTOGRAM_S})
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
