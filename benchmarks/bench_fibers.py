"""Fibre thresholds and recruitment: cost of the calls a dashboard makes.

Run: ``python benchmarks/bench_fibers.py``. Prints a table (median of repeats, not pass/fail).

"warm" = populations and thresholds cached (an amplitude or rate change); "cold thresholds" =
the threshold cache cleared before every call (a pulse-width, contact or anatomy change; the
seeded fibre populations stay cached).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _util import median_ms, print_table

from sim import fibers as F, recruitment as R
from sim.waveforms import Program

SCS = Program(therapy="scs", pattern="tonic", shape="biphasic", amplitude_mA=3.5,
              pulse_width_us=210.0, rate_hz=50.0, contacts="000-+000")
PNS = Program(therapy="pns", pattern="tonic", shape="biphasic", amplitude_mA=3.0,
              pulse_width_us=100.0, rate_hz=50.0, contacts="-+", contact_area_mm2=10.0,
              lead_distance_mm=5.0)
TENS = Program(therapy="tens", pattern="tonic", shape="biphasic", amplitude_mA=15.0,
               pulse_width_us=100.0, rate_hz=80.0, contacts="-+", contact_area_mm2=2500.0)


def _cold(fn):
    def run():
        R._class_thresholds.cache_clear()
        return fn()
    return run


def run() -> list[dict]:
    rng = np.random.default_rng(0)
    d = rng.uniform(1.0, 20.0, 10_000)
    r = rng.uniform(0.1, 30.0, 10_000)
    pw = rng.uniform(10.0, 1000.0, 10_000)
    rows = [
        ("threshold_mA, 10,000 myelinated fibres",
         median_ms(lambda: F.threshold_mA(d, r, pw)), 5.0),
        ("threshold_mA, 10,000 C fibres",
         median_ms(lambda: F.threshold_mA(d / 13.0, r, pw, myelinated=False)), 5.0),
        ("following, 5,000 fibres",
         median_ms(lambda: F.following(50.0, rng.uniform(1, 5, 5000))), 5.0),
    ]
    amps = np.linspace(0.0, 10.0, 50)
    R.recruit(SCS)  # builds populations and the offset-kernel table once
    rows += [
        ("recruitment curve SCS, 50 amps x 3 x 5,000, warm",
         median_ms(lambda: R.recruitment_curve(SCS, amps)), 50.0),
        ("recruitment curve SCS, 50 amps x 3 x 5,000, cold",
         median_ms(_cold(lambda: R.recruitment_curve(SCS, amps))), 50.0),
    ]
    k = iter(range(10**9))
    for name, prog in (("SCS", SCS), ("PNS", PNS), ("TENS", TENS)):
        R.recruit(prog)
        rows.append((f"recruit {name}, amplitude change (warm)",
                     median_ms(lambda p=prog: R.recruit(
                         p.replace(amplitude_mA=p.amplitude_mA * (1 + next(k) % 7 / 10))
                     )), 10.0))
        rows.append((f"recruit {name}, pulse-width change (cold thresholds)",
                     median_ms(_cold(lambda p=prog: R.recruit(
                         p.replace(pulse_width_us=90.0 + next(k) % 50)))), 10.0))
    rows.append(("strength-duration curve SCS, 25 PW x 3 x 1,000, cold",
                 median_ms(_cold(lambda: R.strength_duration_curve(SCS)), repeat=5), 500.0))
    return print_table("Fibres and recruitment", rows)


if __name__ == "__main__":
    run()
