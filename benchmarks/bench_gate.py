"""Timing of the session-scale gate model (``sim.gate.simulate_gate``).

Targets from the design: a 60 s session in <= 20 ms and a 30 min session in <= 300 ms,
independent of pulse rate. The grid step is ``sim.gate.SESSION_DT_S`` (20 ms; 10 ms shown too).
Inputs mimic a real session: tonic, 10 kHz or burst stimulation cycling on and off, ongoing
and evoked C drive, C volleys, the kHz field, opioid drive and a descending drive, so every slow
state is exercised. The timed call includes building and validating
:class:`~sim.gate.GateInputs`.

Run: ``python benchmarks/bench_gate.py``
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim.gate import (
    SESSION_DT_S,
    GateInputs,
    GateParams,
    simulate_gate,
    stim_drives_burst,
    stim_drives_tonic,
)

PARAMS = GateParams.preset("mild")


def _session(duration_s: float, dt_s: float, program: str) -> None:
    t = np.arange(0.0, duration_s, dt_s)
    on = (t % 120.0) < 90.0  # cycling 90 s on, 30 s off
    rho = np.where(on, 0.6, 0.0)
    if program == "tonic 50 Hz":
        d = stim_drives_tonic(50.0, rho, PARAMS)
        khz = 0.0
    elif program == "10 kHz":
        d = stim_drives_tonic(10000.0, 0.0 * rho, PARAMS)  # sub-threshold: no Aβ recruited
        khz = on.astype(float)
    else:
        d = stim_drives_burst(500.0, 5, 40.0, 0.2 * rho, PARAMS)
        khz = 0.0
    injury = np.where((t > 10.0) & (t < 40.0), 1.5, 0.0)
    inputs = GateInputs(t, a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P,
                        a_C=injury, c_volley_rate_hz=np.where(injury > 0, 1.0, 0.0),
                        khz_field=khz, opioid_drive=0.1 * on,
                        b_desc=-0.05 * np.sin(t / 60.0))
    simulate_gate(inputs, PARAMS)


def run() -> list[dict]:
    rows = []
    for duration_s, target_ms, repeats in ((60.0, 20.0, 30), (1800.0, 300.0, 7)):
        for dt_s in (SESSION_DT_S, 0.01):
            for program in ("tonic 50 Hz", "10 kHz", "burst 40x5@500 Hz"):
                ms = median_ms(functools.partial(_session, duration_s, dt_s, program),
                               repeat=repeats)
                n = int(round(duration_s / dt_s))
                rows.append((f"gate {duration_s:g} s, dt {dt_s * 1e3:g} ms ({n} steps), "
                             f"{program}", ms, target_ms))
    return print_table("Gate model", rows)


if __name__ == "__main__":
    run()
