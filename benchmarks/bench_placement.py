"""Where the lead sits: speed of recruitment on a placement change, coverage, a session with a
posture change, and a closed-loop session.

Run: ``python benchmarks/bench_placement.py``. Targets: recruitment on a slider change
<= 10 ms, a 60 s session <= 20 ms, a closed-loop 60 s session <= 50 ms. A slider change moves
the lead (a new geometry), so the threshold caches are cleared before each timed call; the
fibre populations stay built (as in a running dashboard).
"""
from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim import recruitment as R
from sim.ecap import simulate_loop
from sim.patients import patient
from sim.placement import coverage
from sim.presets import program
from sim.session import Event, Session, run_session


def _cold(fn):
    def call():
        R._class_thresholds.cache_clear()
        R._fibre_thresholds.cache_clear()
        from sim import placement
        placement._coverage.cache_clear()
        return fn()
    return call


def run() -> list[dict]:
    pat = patient("failed-back-surgery")
    offsets = itertools.cycle([0.25 * k for k in range(13)])
    rows = [("recruit after a lateral-offset change (new geometry)",
             median_ms(_cold(lambda: R.recruit(program("scs-tonic",
                                                       lateral_offset_mm=next(offsets))))),
             10.0),
            ("coverage after a lateral-offset change (new geometry)",
             median_ms(_cold(lambda: coverage(program("scs-tonic",
                                                      lateral_offset_mm=next(offsets)),
                                              pat))), 10.0)]
    levels = itertools.cycle(["T7", "T8", "T9", "T10", "T11"])
    def level_change():
        from sim import placement
        placement._coverage.cache_clear()
        return coverage(program("scs-tonic", lead_level=next(levels)), pat)

    rows.append(("coverage after a lead-level change (thresholds cached)",
                 median_ms(level_change), 10.0))
    ev = (Event(kind="stimulation", start_s=0.0, stop_s=60.0),
          Event(kind="supine", start_s=30.0, stop_s=60.0))
    amps = itertools.cycle([4.0 + 0.05 * k for k in range(20)])
    rows.append(("run_session scs-tonic 60 s with a supine event (new amplitude)",
                 median_ms(lambda: run_session(Session(
                     program=program("scs-tonic", amplitude_mA=next(amps)), patient=pat,
                     duration_s=60.0, events=ev))), 20.0))
    closed_amps = itertools.cycle([4.02 + 0.05 * k for k in range(20)])
    rows.append(("run_session closed loop 60 s with a supine event (new amplitude)",
                 median_ms(lambda: run_session(Session(
                     program=program("scs-tonic", amplitude_mA=next(closed_amps),
                                     loop_mode="closed"), patient=pat,
                     duration_s=60.0, events=ev))), 20.0))
    posture = (Event(kind="supine", start_s=20.0, stop_s=40.0),)
    rows.append(("simulate_loop closed, 60 s with a posture change",
                 median_ms(lambda: simulate_loop(program("scs-tonic"), pat, mode="closed",
                                                 events=posture)), 50.0))
    return print_table("Where the lead sits", rows)


if __name__ == "__main__":
    run()
