"""Nerve conduction study speed: one simulated SNAP study per patient and nerve.

Run: ``python benchmarks/bench_ncs.py``. Target from the diagnosis issue: one study <= 20 ms
(the fibre population is built once per nerve and cached; the sum over fibres costs
O(fibres + samples)).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim.ncs import nerve_conduction_study
from sim.patients import patient


def run() -> list[dict]:
    t0 = time.perf_counter()
    nerve_conduction_study(patient("healthy"))
    cold = (time.perf_counter() - t0) * 1e3
    rows = [("first NCS in a fresh process (builds the sural population)", cold, 1000.0)]
    for name in ("healthy", "painful-diabetic-neuropathy", "demyelinating-neuropathy"):
        pat = patient(name)
        for nerve in ("sural", "median"):
            rows.append((f"nerve_conduction_study {nerve}, {name}",
                         median_ms(lambda p=pat, n=nerve: nerve_conduction_study(p, nerve=n)),
                         20.0))
    pat = patient("healthy")
    rows.append(("nerve_conduction_study sural, healthy, 4 recording sites",
                 median_ms(lambda: nerve_conduction_study(
                     pat, record_distances_mm=(70.0, 100.0, 200.0))), 20.0))
    return print_table("Nerve conduction study", rows)


if __name__ == "__main__":
    run()
