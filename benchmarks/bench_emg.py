"""Motor conduction, needle EMG and localisation speed.

Run: ``python benchmarks/bench_emg.py``. Target: each computation the Diagnosis tab calls
<= 20 ms (a motor study with all its sites; a needle examination with its trace; the WAV
sound). The localisation report is a screen of 20 studies (4 sensory, 4 motor, 12 muscles);
it is kept per patient, so the figure that matters in the tab is the repeated call, and the
first call for a new patient is shown beside it.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim import localise as L
from sim.emg import needle_emg, wav_bytes
from sim.motor import motor_conduction_study
from sim.patients import patient


def run() -> list[dict]:
    t0 = time.perf_counter()
    motor_conduction_study(patient("healthy"), "median")
    needle_emg(patient("healthy"), "deltoid")
    cold = (time.perf_counter() - t0) * 1e3
    rows = [("first motor study + EMG in a fresh process (builds the pools)", cold, 1000.0)]
    for name in ("healthy", "carpal-tunnel-syndrome", "l5-radiculopathy"):
        pat = patient(name)
        for nerve in ("median", "ulnar", "peroneal", "tibial"):
            rows.append((f"motor_conduction_study {nerve}, {name}",
                         median_ms(lambda p=pat, n=nerve: motor_conduction_study(p, n)), 20.0))
    for name, muscle in (("healthy", "tibialis-anterior"), ("l5-radiculopathy",
                                                            "paraspinal-l5"),
                         ("myopathy", "deltoid")):
        pat = patient(name)
        for effort in (0.0, 0.02, 0.2):
            rows.append((f"needle_emg {muscle}, {name}, effort {effort:g}",
                         median_ms(lambda p=pat, m=muscle, e=effort: needle_emg(p, m,
                                                                                effort=e)),
                         20.0))
    res = needle_emg(patient("l5-radiculopathy"), "tibialis-anterior", effort=0.2)
    rows.append(("wav_bytes of a 0.6 s trace", median_ms(lambda: wav_bytes(res)), 20.0))
    ages = iter(range(100, 10_000))
    new = median_ms(lambda: L.localise(patient("l5-radiculopathy",
                                               lesion_age_days=float(next(ages)))),
                    repeat=7, warmup=1)
    rows.append(("localise, a new patient (20 studies)", new, 20.0))
    pat = patient("l5-radiculopathy")
    rows.append(("localise, the same patient again (kept)", median_ms(lambda: L.localise(pat)),
                 20.0))
    return print_table("Motor conduction, needle EMG, localisation", rows)


if __name__ == "__main__":
    run()
