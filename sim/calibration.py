"""Calibration targets of the model and the model's value beside each (the model card's table).

Every target is a published figure (trial, pooled analysis or biophysical model) with its
source; :func:`calibration_table` runs the model on the same question (virtual cohorts of 1000
patients with a fixed seed, measured as the trials measured: :mod:`sim.cohort`) and returns one
row per target. ``python -m sim.calibration`` prints the table as Markdown;
``python -m sim.calibration --write docs/model.md`` replaces the table in the model card, so
the card never holds a typed number. ``tests/test_calibration.py`` checks that the card's
table is the one the current code prints.
"""
from __future__ import annotations

import argparse
import functools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Target", "TARGETS", "calibration_table", "markdown_table", "main", "N", "SEED"]

#: Patients per cohort and seed of the table.
N = 1000
SEED = 0
#: Session length of the cohort sessions [s] (steady state within seconds).
_DURATION_S = 40.0


@dataclass(frozen=True)
class Target:
    """One calibration target.

    Attributes
    ----------
    label : str
        What is compared.
    source : str
        Where the trial value comes from.
    trial : str
        The published value, as text.
    low, high : float
        The range the model value must fall in to count as matching [same unit as the value].
    unit : str
        Unit of the value (``%``, ``Hz``).
    """

    label: str
    source: str
    trial: str
    low: float
    high: float
    unit: str = "%"


def _cohort(program: str, patient: str, what: str = "responders") -> Callable[[], float]:
    def run() -> float:
        from sim.cohort import run_cohort
        from sim.presets import program as prog
        from sim.session import Session
        r = run_cohort(Session(program=prog(program), duration_s=_DURATION_S), patient, n=N,
                       seed=SEED, progress=False)
        return 100.0 * r.responder_rate if what == "responders" else r.mean_reduction_pct
    return run


@functools.lru_cache(maxsize=8)
def _screened_cohort(program: str, patient: str, loop_mode: str = "open") -> dict[str, float]:
    """A cohort with a screening trial first (:func:`sim.cohort.run_cohort`,
    ``screening_trial=True``): pass rate and responders among the implanted [%] (run once,
    shared by the rows that read it)."""
    from sim.cohort import run_cohort
    from sim.presets import program as prog
    from sim.session import Session
    r = run_cohort(Session(program=prog(program, loop_mode=loop_mode), duration_s=_DURATION_S),
                   patient, n=N, seed=SEED, progress=False, screening_trial=True)
    return {"passed": 100.0 * r.implanted / r.n, "implanted": 100.0 * r.responder_rate}


def _screened(program: str, patient: str, what: str,
              loop_mode: str = "open") -> Callable[[], float]:
    return lambda: _screened_cohort(program, patient, loop_mode)[what]


def _loop_difference() -> float:
    """Responders among the implanted with closed-loop minus open-loop tonic SCS, failed back
    surgery, each arm screened by a trial in its own mode (as Evoke analysed) [points]."""
    return (_screened_cohort("scs-tonic", "failed-back-surgery", "closed")["implanted"]
            - _screened_cohort("scs-tonic", "failed-back-surgery", "open")["implanted"])


def _published_arm(label: str, source: str, k: int, n: int, what: str = "") -> Target:
    """A target that a trial arm reported as ``k`` of ``n`` patients: the model matches when
    it lies inside the arm's 95 % Wilson interval (:func:`sim.cohort.wilson_interval`)."""
    from sim.cohort import wilson_interval
    lo, hi = wilson_interval(k, n)
    text = f"{100 * k / n:.1f} % ({k} of {n}{', ' + what if what else ''}; 95 % CI " \
           f"{100 * lo:.1f}-{100 * hi:.1f})"
    return Target(label, source, text, 100 * lo, 100 * hi)


def _drug(name: str) -> Callable[[], float]:
    def run() -> float:
        from sim.cohort import run_cohort
        from sim.presets import treatment_session
        r = run_cohort(treatment_session(name, duration_s=20), "painful-diabetic-neuropathy",
                       n=N, seed=SEED, progress=False)
        return 100.0 * r.responder_rate
    return run


def _published(what: str, inhibition: float = 1.0) -> Callable[[], float]:
    def run() -> float:
        from sim.patients import Patient
        from sim.rate_response import published_rate_response
        r = published_rate_response(
            [float(f) for f in range(2, 30)] + [float(f) for f in range(30, 300, 2)],
            Patient(inhibition_efficacy=inhibition))
        return r.deepest[0] if what == "deepest" else r.back_to_baseline_hz
    return run


_PROCESS = "PROCESS, Kumar et al. 2007 Pain 132:179"
_KEMLER = "Kemler et al. 2000 N Engl J Med 343:618"
_SENZA = "SENZA-RCT, Kapural et al. 2015 Anesthesiology 123:851; 2016 Neurosurgery 79:667"
_CHAKRA = "Chakravarthy et al. 2019 Pain Med 20(S1):S47 (pooled)"
_FINNERUP = "Finnerup et al. 2015 Lancet Neurol 14:162 (placebo 20 % + 1/NNT)"
_ZHANG = "Zhang, Janik & Grill 2014 J Neurophysiol 112:552"
_EVOKE = "Evoke, Mekhail et al. 2020 Lancet Neurol 19:123"
_ACCURATE = "ACCURATE, Deer et al. 2017 Pain 158:669"

#: The targets, each with the model run that answers it.
TARGETS: tuple[tuple[Target, Callable[[], float]], ...] = (
    (Target("tonic SCS, failed back surgery: responders", _PROCESS, "48 %", 40, 56),
     _cohort("scs-tonic", "failed-back-surgery")),
    (Target("tonic SCS, CRPS: responders", _KEMLER, "39 % much improved", 31, 47),
     _cohort("scs-tonic", "crps")),
    (Target("10 kHz SCS, back pain: responders at 3 months", _SENZA, "84.5 %", 76.5, 92.5),
     _cohort("scs-10khz", "failed-back-surgery")),
    (Target("10 kHz SCS, back pain: mean relief", _SENZA, "about 60-75 %", 60, 77),
     _cohort("scs-10khz", "failed-back-surgery", "mean")),
    (Target("tonic SCS, failed back surgery: mean relief", _CHAKRA,
            "36 % (76.7 → 49.2 on 0-100)", 30, 55),
     _cohort("scs-tonic", "failed-back-surgery", "mean")),
    (Target("burst SCS, failed back surgery: mean relief (at least tonic's)", _CHAKRA,
            "52 % (76.7 → 36.7 on 0-100)", 45, 65),
     _cohort("scs-burst", "failed-back-surgery", "mean")),
    (_published_arm("DRG stimulation, lower-limb CRPS: responders among the implanted",
                    _ACCURATE, 56, 69, "3 months"), _screened("drg", "crps", "implanted")),
    (_published_arm("tonic SCS, lower-limb CRPS: responders among the implanted (DRG's "
                    "comparator)", _ACCURATE, 39, 70, "3 months"),
     _screened("scs-tonic", "crps", "implanted")),
    (_published_arm("tonic SCS, failed back surgery: screening trial passed", _PROCESS,
                    42, 50), _screened("scs-tonic", "failed-back-surgery", "passed")),
    (_published_arm("tonic SCS, failed back surgery: responders among the implanted",
                    _PROCESS, 24, 42, "6 months"),
     _screened("scs-tonic", "failed-back-surgery", "implanted")),
    (_published_arm("tonic SCS, CRPS: screening trial passed", _KEMLER, 24, 36),
     _screened("scs-tonic", "crps", "passed")),
    (_published_arm("open-loop SCS, back and leg pain: responders among the implanted", _EVOKE,
                    36, 59, "12 months"),
     _screened("scs-tonic", "failed-back-surgery", "implanted")),
    (_published_arm("closed-loop SCS, back and leg pain: responders among the implanted",
                    _EVOKE, 49, 59, "12 months"),
     _screened("scs-tonic", "failed-back-surgery", "implanted", "closed")),
    (Target("closed- minus open-loop SCS, back and leg pain: responders among the implanted",
            _EVOKE, "+22.1 points (83.1 % vs 61.0 %)", 14.1, 30.1, "points"),
     _loop_difference),
    (Target("no stimulation (usual care), failed back surgery: responders", _PROCESS,
            "9 % (medical management)", 5, 12),
     _cohort("off", "failed-back-surgery")),
    (Target("no stimulation (usual care), CRPS: responders", _KEMLER,
            "6 % (physiotherapy)", 5, 12),
     _cohort("off", "crps")),
    (Target("PNS, post-surgical neuropathic pain: responders",
            "Gilmore et al. 2019 Reg Anesth Pain Med 44:637 (post-amputation)",
            "58 % (placebo 14 %)", 40, 70),
     _cohort("pns", "post-surgical-neuropathy")),
    (Target("placebo, painful diabetic neuropathy: responders", _FINNERUP, "20-26 %", 12, 28),
     _drug("placebo")),
    (Target("amitriptyline: responders", _FINNERUP, "47.8 % (NNT 3.6)", 39.8, 50),
     _drug("amitriptyline")),
    (Target("venlafaxine: responders", _FINNERUP, "35.6 % (NNT 6.4)", 27.6, 43.6),
     _drug("venlafaxine")),
    (Target("gabapentin: responders", _FINNERUP, "35.9 % (NNT 6.3)", 27.9, 43.9),
     _drug("gabapentin")),
    (Target("pregabalin: responders", _FINNERUP, "33.0 % (NNT 7.7, 6.5-9.4)", 25.0, 41.0),
     _drug("pregabalin")),
    (Target("duloxetine: responders", _FINNERUP, "35.6 % (SNRI NNT 6.4, 5.2-8.4)", 27.6, 43.6),
     _drug("duloxetine")),
    (Target("tramadol: responders", _FINNERUP, "41.3 % (NNT 4.7, 3.6-6.7)", 33.3, 49.3),
     _drug("tramadol")),
    (Target("morphine (strong opioids): responders", _FINNERUP,
            "43.3 % (NNT 4.3, 3.4-5.8)", 35.3, 50), _drug("morphine")),
    (Target("paracetamol: responders (about placebo)",
            "Wiffen et al. 2016 Cochrane Database Syst Rev CD012227 (no evidence of benefit)",
            "placebo (no useful effect)", 12, 28), _drug("paracetamol")),
    (Target("ibuprofen (NSAID): responders (placebo)",
            "Moore et al. 2015 Cochrane Database Syst Rev CD010902 (no evidence of benefit)",
            "placebo (no useful effect)", 12, 28), _drug("ibuprofen")),
    (Target("capsaicin 8 % patch: responders", _FINNERUP, "29.4 % (NNT 10.6)", 21.4, 37.4),
     _drug("capsaicin-patch")),
    (Target("WDR output, published protocol: deepest inhibition", _ZHANG, "tens of Hz",
            10, 60, "Hz"), _published("deepest")),
    (Target("WDR output, published protocol: back to baseline", _ZHANG, "near 80-100 Hz",
            70, 110, "Hz"), _published("crossover")),
    (Target("same, GABA halved: back to baseline (moves higher)", _ZHANG,
            "higher than normal", 0, math.inf, "Hz"), _published("crossover", 0.5)),
)


@dataclass(frozen=True)
class Row:
    """A target with the model's value and whether it matches."""

    target: Target
    model: float

    @property
    def ok(self) -> bool:
        return self.target.low <= self.model <= self.target.high


def calibration_table() -> list[Row]:
    """Run every target (about a minute and a half: 22 cohorts of 1000 patients, 5 of them
    with a screening trial)."""
    rows = [Row(t, float(run())) for t, run in TARGETS]
    # the GABA shift is relative: compare with the normal crossover
    normal = next(r.model for r in rows if r.target.label.startswith("WDR output, published "
                                                                       "protocol: back"))
    return [Row(Target(r.target.label, r.target.source, r.target.trial, normal + 1e-9,
                       math.inf, r.target.unit), r.model)
            if r.target.label.startswith("same, GABA halved") else r for r in rows]


def markdown_table(rows: list[Row]) -> str:
    """The table as Markdown."""
    out = [f"| target | source | published | model (n = {N}, seed {SEED}) | matches |",
           "|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.target.label} | {r.target.source} | {r.target.trial} | "
                   f"{r.model:.1f} {r.target.unit} | {'yes' if r.ok else 'NO'} |")
    return "\n".join(out) + "\n"


#: Markers around the generated table in the model card.
BEGIN, END = "<!-- calibration table: begin -->", "<!-- calibration table: end -->"


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.calibration [--write FILE]``: print the table, or write it into FILE
    between :data:`BEGIN` and :data:`END`."""
    parser = argparse.ArgumentParser(prog="python -m sim.calibration",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="FILE", help="replace the table in this file")
    args = parser.parse_args(argv)
    table = markdown_table(calibration_table())
    if args.write is None:
        sys.stdout.write(table)
        return 0
    path = Path(args.write)
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"error: {path} has no {BEGIN} ... {END} block", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{table}{END}{tail}", encoding="utf-8")
    print(f"table written to {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
