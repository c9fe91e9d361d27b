"""run_session speed: 60 s and 30-minute sessions, linear in duration, independent of rate.

Run: ``python benchmarks/bench_session.py``. Targets: 60 s <= 20 ms, 30 min
<= 300 ms, cost at most linear in duration and independent of the pulse rate.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim.patients import patient
from sim.presets import program
from sim.session import Session, run_session


def run() -> list[dict]:
    pat = patient("failed-back-surgery")
    t0 = time.perf_counter()
    run_session(Session(program=program("scs-tonic"), patient=pat, duration_s=60))
    cold = (time.perf_counter() - t0) * 1e3
    rows = [("first session in a fresh process (builds fibre populations)", cold, 5000.0)]
    for name in ("scs-tonic", "scs-10khz", "scs-burst"):
        for dur, target in ((60.0, 20.0), (600.0, 100.0), (1800.0, 300.0)):
            s = Session(program=program(name), patient=pat, duration_s=dur)
            rows.append((f"run_session {name}, {dur:g} s", median_ms(lambda s=s: run_session(s),
                                                                    repeat=7), target))
    return print_table("Sessions", rows)


if __name__ == "__main__":
    run()
