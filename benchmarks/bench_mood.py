"""Speed of the days-to-weeks course and of the bedside examination.

Run: ``python benchmarks/bench_mood.py``. Prints a table (median of repeated runs, after a
warm-up). The issue asks that a long simulation's cost not depend on the pulse rate: the
tonic (50 Hz) and 10 kHz rows show it. Targets are this project's own: a dashboard view
should answer within about a tenth of a second ("within a blink").
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_ms, print_table

from sim.exam import examine
from sim.mood import Course, simulate_course
from sim.patients import patient
from sim.presets import program
from sim.session import Session
from sim.treatments import Treatment


def run() -> list[dict]:
    pat = patient("failed-back-surgery")

    def course(prog: str, treatments=(), days=84.0, step_h=12.0):
        c = Course(Session(program=program(prog), patient=pat, treatments=treatments),
                   days=days, step_h=step_h, stimulation_from_day=28)
        return lambda: simulate_course(c)

    drug = (Treatment(kind="amitriptyline", dose_mg_per_day=25, treatment_day=28),)
    rows = [
        ("course 12 weeks, 12 h steps, tonic SCS 50 Hz from day 28",
         median_ms(course("scs-tonic")), 50.0),
        ("course 12 weeks, 12 h steps, 10 kHz SCS from day 28",
         median_ms(course("scs-10khz")), 50.0),
        ("course 1 year, 1 h steps, tonic SCS 50 Hz from day 28",
         median_ms(course("scs-tonic", days=365, step_h=1), repeat=5), 200.0),
        ("course 12 weeks, 12 h steps, SCS + amitriptyline from day 28",
         median_ms(course("scs-tonic", drug), repeat=5), 200.0),
    ]
    # Care over weeks to years (sim.care): each a new computation the dashboard calls.
    def care(name: str, days: float, **kw):
        c = Course(Session(program=program("off"), patient=patient(name)), days=days,
                   step_h=24.0 if days > 365 else 12.0, **kw)
        return lambda: simulate_course(c)

    rows += [
        ("course 12 weeks: decompression on day 28 (surgery)",
         median_ms(care("failed-back-surgery", 84, decompression_day=28)), 20.0),
        ("course 12 weeks: physiotherapy from day 28 (muscle, range of motion)",
         median_ms(care("failed-back-surgery", 84, physiotherapy_from_day=28)), 20.0),
        ("course 12 weeks: pain education from day 28",
         median_ms(care("failed-back-surgery", 84, education_from_day=28)), 20.0),
        ("course 12 weeks: surgery + physiotherapy + education",
         median_ms(care("failed-back-surgery", 84, decompression_day=28,
                        physiotherapy_from_day=28, education_from_day=28)), 20.0),
        ("course 10 years, 24 h steps: diabetes at HbA1c 9.1 %",
         median_ms(care("early-diabetes", 3650, hba1c_pct=9.1)), 20.0),
        ("course 10 years, 24 h steps: diabetes at HbA1c 7.2 %",
         median_ms(care("early-diabetes", 3650, hba1c_pct=7.2)), 20.0),
    ]
    for stim in ("brush", "pinprick", "cold"):
        rows.append((f"bedside test: {stim} (patient and healthy comparison)",
                     median_ms(lambda s=stim: examine(pat, s)), 50.0))
    return print_table("Course (pain and mood over weeks) and bedside examination", rows)


if __name__ == "__main__":
    run()
