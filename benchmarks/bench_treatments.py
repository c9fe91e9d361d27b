"""Cost of treatments in run_session, and of a 1000-patient drug cohort.

Run: ``python benchmarks/bench_treatments.py``. Target: adding a drug or block to
a session slows ``run_session`` by at most 20 %. Each row times the same tonic SCS session
(60 s and 30 min, failed back surgery patient) without and with one treatment of each kind;
the treatment's time series are memoised per (treatments, duration), as in a cohort or a
dashboard redraw, and the first (cold) call is reported separately.

The machine is shared, so timings are the *best* of interleaved repeats (baseline and
treatment alternate; the minimum is the least disturbed run), with the median beside it.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


from sim.cohort import run_cohort
from sim.patients import patient
from sim.presets import program, treatment, treatment_session, treatment_start_s
from sim.session import Session, run_session
from sim.treatments import TREATMENT_KINDS, _effects


def best_ms(fns: dict, repeat: int = 25) -> dict:
    """Best and median wall time [ms] of each callable, interleaving them ``repeat`` times."""
    times: dict = {k: [] for k in fns}
    for f in fns.values():
        f()
    for _ in range(repeat):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t0) * 1e3)
    return {k: (min(v), sorted(v)[len(v) // 2]) for k, v in times.items()}


def run() -> list[dict]:
    pat = patient("failed-back-surgery")
    rows = []
    print("\nrun_session with one treatment (tonic SCS, failed back surgery): best (median) "
          "of 25 interleaved runs [ms]")
    print(f"| {'treatment':18s} | {'60 s none':>15s} | {'60 s with':>15s} | {'vs':>7s} | "
          f"{'1800 s none':>15s} | {'1800 s with':>15s} | {'vs':>7s} | {'cold':>6s} | ok |")
    print("|" + "|".join("-" * w for w in (20, 17, 17, 9, 17, 17, 9, 8, 4)) + "|")
    for kind in TREATMENT_KINDS:
        got, cold = {}, 0.0
        for dur in (60.0, 1800.0):
            base = Session(program=program("scs-tonic"), patient=pat, duration_s=dur)
            s = base.replace(treatments=(treatment(kind, start_s=treatment_start_s(dur)),))
            if dur == 1800.0:
                _effects.cache_clear()
                t0 = time.perf_counter()
                run_session(s)
                cold = (time.perf_counter() - t0) * 1e3
            got[dur] = best_ms({"none": lambda b=base: run_session(b),
                                "with": lambda s=s: run_session(s)},
                               repeat=25 if dur == 60.0 else 7)
        rel = {d: 100.0 * (g["with"][0] / g["none"][0] - 1.0) for d, g in got.items()}
        ok = "yes" if max(rel.values()) <= 20.0 else "NO"

        def cell(x: tuple) -> str:
            return f"{x[0]:6.1f} ({x[1]:6.1f})"
        print(f"| {kind:18s} | {cell(got[60.0]['none'])} | {cell(got[60.0]['with'])} | "
              f"{rel[60.0]:+6.1f}% | {cell(got[1800.0]['none'])} | "
              f"{cell(got[1800.0]['with'])} | {rel[1800.0]:+6.1f}% | {cold:6.0f} | {ok:3s}|")
        rows.append({"treatment": kind, "rel_60s_pct": rel[60.0],
                     "rel_1800s_pct": rel[1800.0], "cold_1800s_ms": cold})
    for name, n in (("gabapentin", 1000),):
        s = treatment_session(name, duration_s=60.0)
        t0 = time.perf_counter()
        r = run_cohort(s, "painful-diabetic-neuropathy", n=n, progress=False)
        el = time.perf_counter() - t0
        print(f"\ncohort {name}, {n} x 60 s in-process: {el:.1f} s "
              f"(responders {100 * r.responder_rate:.1f} %)")
    s = Session(program=program("scs-tonic"), duration_s=60.0)
    t0 = time.perf_counter()
    run_cohort(s, "failed-back-surgery", n=1000, progress=False)
    print(f"cohort scs-tonic, 1000 x 60 s in-process: {time.perf_counter() - t0:.1f} s")
    return rows


if __name__ == "__main__":
    run()
