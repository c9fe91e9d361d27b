"""Building and rendering a 30-minute 10 kHz program: cost independent of program length.

Run: ``python benchmarks/bench_waveforms.py``. Prints a table; targets: render a
window in milliseconds, independent of the train length.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim.presets import program
from sim.safety import safety_report
from sim.waveforms import pulse_train, render


def run() -> list[dict]:
    hf = program("scs-10khz")
    rows = []
    for dur in (1.0, 60.0, 1800.0):
        rows.append((f"build 10 kHz train, {dur:g} s ({int(dur * 1e4):,} pulses)",
                     median_ms(lambda d=dur: pulse_train(hf, d)), 5.0))
    train = pulse_train(hf, 1800.0)
    rows.append(("render 10 ms window at 1 MHz, start of 30 min train",
                 median_ms(lambda: render(train, 0.0, 0.01, 1e6)), 10.0))
    rows.append(("render 10 ms window at 1 MHz, end of 30 min train",
                 median_ms(lambda: render(train, 1799.99, 1800.0, 1e6)), 10.0))
    rows.append(("render 1 s window at 200 kHz (200k samples), mid-train",
                 median_ms(lambda: render(train, 900.0, 901.0, 2e5)), 50.0))
    rows.append(("safety report of the 10 kHz program",
                 median_ms(lambda: safety_report(hf)), 5.0))
    return print_table("Waveforms", rows)


if __name__ == "__main__":
    run()
