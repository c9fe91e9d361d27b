"""Cohort and sweep scale: 1,000 virtual patients x 60 s, 1 vs 2 workers, Dask, memory.

Run: ``python benchmarks/bench_cohort.py [--n 1000]``. Targets: 1,000 patients x
60 s sessions <= 10 s with local processes on this 2-core machine; speed-up with 2 workers
near 2x; a screening trial (a second session per patient) <= 20 s; a Dask LocalCluster
gives identical results; memory stays flat as runs grow
(results are streamed as summary rows, never held as time series).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import print_table

from sim.cohort import run_cohort
from sim.presets import program
from sim.session import Session


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1e3


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(n: int = 1000) -> list[dict]:
    session = Session(program=program("scs-tonic"), duration_s=60.0)
    kw = dict(progress=False, seed=0)
    run_cohort(session, "failed-back-surgery", n=4, **kw)  # warm imports and caches
    run_cohort(session, "failed-back-surgery", n=n // 10, **kw)
    rss_small = _peak_rss_mb()
    one, t_one = _timed(lambda: run_cohort(session, "failed-back-surgery", n=n, **kw))
    rss_big = _peak_rss_mb()
    p1, t_p1 = _timed(lambda: run_cohort(session, "failed-back-surgery", n=n,
                                         executor="processes", workers=1, **kw))
    p2, t_p2 = _timed(lambda: run_cohort(session, "failed-back-surgery", n=n,
                                         executor="processes", workers=2, **kw))
    scr, t_scr = _timed(lambda: run_cohort(session, "failed-back-surgery", n=n,
                                           executor="processes", workers=2,
                                           screening_trial=True, **kw))
    rows = [
        (f"cohort {n} patients x 60 s, in-process", t_one, 10_000.0),
        (f"cohort {n} patients x 60 s, 1 process", t_p1, 10_000.0),
        (f"cohort {n} patients x 60 s, 2 processes", t_p2, 10_000.0),
        # a screening trial runs a second session per patient: twice the work
        (f"cohort {n} patients x 60 s with a screening trial, 2 processes", t_scr, 20_000.0),
    ]
    dask_same = "not run (distributed extra missing)"
    try:
        d, t_d = _timed(lambda: run_cohort(session, "failed-back-surgery", n=n // 5,
                                           executor="dask", workers=2, **kw))
        ref = run_cohort(session, "failed-back-surgery", n=n // 5, **kw)
        dask_same = "identical" if d.table == ref.table else "DIFFERENT"
        # no target in the issue: identical results are what counts; start-up included
        rows.append((f"cohort {n // 5} patients, Dask LocalCluster (2 workers, incl. start-up)",
                     t_d, 20_000.0))
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not fail
        dask_same = f"failed: {exc}"
    table = print_table("Cohorts and sweeps", rows)
    print(f"\nspeed-up 1 -> 2 processes: {t_p1 / t_p2:.2f}x (ideal 2x on 2 cores)")
    print(f"same table in-process / 1 process / 2 processes: "
          f"{one.table == p1.table == p2.table}; Dask vs in-process: {dask_same}")
    print(f"peak RSS after {n // 10} patients: {rss_small:.0f} MB; after {n}: {rss_big:.0f} MB "
          f"(flat: rows only, no time series kept)")
    print(f"responder rate {one.responder_rate:.3f} "
          f"(95 % CI {one.ci_low:.3f}-{one.ci_high:.3f}); with a screening trial "
          f"{scr.implanted} implanted, {scr.responder_rate:.3f} of them respond")
    return table


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    run(ap.parse_args().n)
