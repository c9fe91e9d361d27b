"""Virtual cohorts: the same program on many simulated patients, measured as a trial.

A cohort enrols N virtual patients drawn around a patient preset from documented
distributions (:data:`VARIABILITY`), programs each one as a clinician would (amplitude
titrated to that patient's own perception threshold for paresthesia-based programs, just below
it for burst, the program's own for 10 kHz), runs a session on each at the follow-up day
(``follow_up_days``, 90 by default: the 3-month end point) and measures it as the trials did:
a baseline assessment and a follow-up assessment, responder = >= 50 % reduction, with a 95 %
Wilson confidence interval and the distribution of relief.

Runs go through :func:`sim.sweep.run_table`, so cohorts share the sweep executors (in-process,
process pool, Dask), streaming to a resumable table, progress bars and deterministic seeds: the
same seed gives the same patients and the same numbers, whichever executor runs them.

Distributions (:data:`VARIABILITY`) [A unless tagged]
------------------------------------------------------
* inhibition efficacy g_inh: normal around the preset, SD 0.08, clipped to 0.3..1;
* Aβ unmasking u: normal around the preset, SD 0.15, clipped to 0..1;
* ongoing C drive: log-normal around the preset, SD 15 %;
* descending drive: normal, mean 0, SD 0.1 (mood and arousal differ between patients);
* dorsal CSF thickness: normal, mean 3 mm, SD 0.7 mm, clipped 2..6 mm (2-6 mm by level;
  He et al. 1994 Pain 59:55 [P]);
* SCS lead lateral offset from the midline: ``|normal(0, 0.7 mm)|`` clipped to 0..3 mm [A]
  (He et al. 1994: < 1 mm already changes the threshold [P]);
* PNS lead-to-nerve distance: log-normal around 5 mm, SD 40 % (0.5-3 cm placements,
  Rauck 2014 [P]);
* nerve depth under TENS pads: log-normal around the preset, SD 30 %;
* placebo (expectation) response: ``|normal(0, 0.3)|``, clipped to 0..1, whatever the preset
  (presets hold 0);
* sympathetically maintained fraction: log-normal around the preset, SD 50 % (0 stays 0);
* natural history: ``pain_flare_nrs`` and ``pain_fluctuation_nrs``, normal(0, 1.1 NRS), the
  deviation of a patient's pain from their usual level at the baseline and the follow-up
  assessments (within-person SD of daily pain about 1.6 NRS, Harris et al. 2005 Arthritis
  Rheum [P]; an assessment averages several days, so less).

Natural history, enrolment and expectation (every arm)
-------------------------------------------------------
* **Enrolment**: a candidate enters when the baseline assessment (usual pain + flare) is at
  least :data:`ENROLMENT_MIN_NRS` (5/10: PROCESS VAS >= 50 mm, SENZA >= 5/10 [T]). Selecting
  on a noisy measurement makes pain regress toward the mean afterwards, even untreated (Whitney
  & Von Korff 1992 Pain 50:281 [P]).
* **Expectation**: descending inhibition while the patient knowingly receives a therapy
  (:func:`sim.session.run_session`), in drug, block and device cohorts alike (the device trials
  compared SCS with medical management, not a sham). A cohort with no therapy is a usual-care
  control arm (:func:`usual_care`): expectation at :data:`USUAL_CARE_EXPECTATION` of a
  placebo's.
* **Measurement** (:func:`trial_outcome`): reduction = (baseline − follow-up) / baseline of
  the two assessments, each clipped to 0-10.
* **Screening trial** (optional, ``screening_trial=True``; SCS and DRG): before the permanent
  implant each patient has a temporary trial of :data:`SCREENING_TRIAL_DAYS` days on the same
  program, assessed against the same baseline with its own fluctuation
  (``trial_fluctuation_nrs``) and with the extra expectation of an open trial
  (:data:`TRIAL_EXPECTATION`); only patients with at least :data:`SCREENING_PASS_PCT` % relief
  are implanted. The cohort then reports its outcome among the implanted (as Evoke and
  ACCURATE analysed) and counts trial failures as non-responders in the intention-to-treat
  rate (as PROCESS did).

The spreads and factors are calibrated together [A] so that the control arms reach the 5-12 %
responders of PROCESS (9 %) and Kemler (6 %), the placebo arm about 20 %, the drugs placebo +
1/NNT (:mod:`sim.drugs`), and the device arms their trials; ``docs/model.md`` prints the
table (``python -m sim.calibration``), each value beside its source.

Anatomy is drawn on a 0.25 mm grid: finer than anyone measures it in a patient, and coarse
enough that fibre thresholds are computed once per distinct geometry and reused.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from sim.params import PARAMETERS, ParameterError, format_number as _fmt
from sim.patients import patient as patient_preset
from sim.session import RESPONDER_REDUCTION_PCT, Session, run_session
from sim.tables import register_units
from sim.therapies import THERAPIES, Therapy, therapy_spec

__all__ = ["VARIABILITY", "CohortResult", "virtual_patients", "run_cohort", "wilson_interval",
           "TitratedRunner", "DEVICE_MAX_MA", "PERCEPTION_FACTOR", "SUBPERCEPTION_FACTOR",
           "TITRATIONS", "ENROLMENT_MIN_NRS", "USUAL_CARE_EXPECTATION", "trial_outcome",
           "default_titration", "usual_care", "TRIAL_UNITS", "screening_outcome",
           "SCREENING_TRIAL_DAYS", "SCREENING_PASS_PCT", "TRIAL_EXPECTATION",
           "TRIAL_FLUCTUATION_SD_NRS"]

#: Units of the columns a cohort adds to the session summary (``""``: a flag).
TRIAL_UNITS: dict[str, str] = {
    "programmed_amplitude_mA": "mA", "baseline_nrs": "NRS 0-10", "follow_up_nrs": "NRS 0-10",
    "trial_reduction_pct": "%", "trial_responder": "",
    "screening_nrs": "NRS 0-10", "screening_reduction_pct": "%", "implanted": "",
}
register_units(TRIAL_UNITS)

#: Spread of each patient parameter around its preset value: (kind, spread, lo, hi).
#: ``normal``: absolute SD; ``lognormal``: relative SD; ``abs_normal``: ``|N(0, SD)|``.
VARIABILITY: dict[str, tuple[str, float, float, float]] = {
    "inhibition_efficacy": ("normal", 0.08, 0.3, 1.0),
    "abeta_unmasking": ("normal", 0.15, 0.0, 1.0),
    "ongoing_c_drive": ("lognormal", 0.15, 0.0, 2.0),
    "descending_drive": ("normal", 0.10, -1.0, 1.0),
    "csf_thickness_mm": ("normal", 0.7, 2.0, 6.0),
    "nerve_depth_mm": ("lognormal", 0.30, 1.0, 40.0),
    "lateral_offset_mm": ("abs_normal", 0.7, 0.0, 3.0),
    "lead_distance_mm": ("lognormal", 0.40, 0.5, 30.0),
    "placebo_response": ("abs_normal", 0.3, 0.0, 1.0),
    "sympathetic_fraction": ("lognormal", 0.50, 0.0, 1.0),
    "pain_flare_nrs": ("normal", 1.1, -10.0, 10.0),
    "pain_fluctuation_nrs": ("normal", 1.1, -10.0, 10.0),
}
#: Enrolment: the least pain at the baseline assessment for a virtual patient to enter a
#: cohort [NRS] (trials enrol at least moderate pain: PROCESS leg pain VAS >= 50 mm, Kumar
#: 2007; SENZA-RCT >= 5/10, Kapural 2015 [P]). Because the baseline assessment includes the
#: patient's fluctuation (``pain_flare_nrs``), screening on it selects patients who were having
#: a bad spell, and their later assessments regress toward their usual pain even untreated
#: (Whitney & Von Korff 1992 Pain 50:281 [P]).
ENROLMENT_MIN_NRS = 5.0
#: Spread of the pain fluctuation at the screening trial's assessment [NRS]: as at the
#: baseline and follow-up assessments (``pain_flare_nrs``, ``pain_fluctuation_nrs``), and
#: independent of them [A].
TRIAL_FLUCTUATION_SD_NRS = 1.1
#: Days of stimulation through the temporary lead before the screening trial is assessed: about
#: a week (trial periods of 3-10 days, e.g. PROCESS, Kumar et al. 2007 Pain 132:179; Evoke,
#: Mekhail et al. 2020 Lancet Neurol 19:123) [T].
SCREENING_TRIAL_DAYS = 7.0
#: Least relief at the screening trial for a permanent implant [%]: at least 50 % (PROCESS
#: required 50 % leg-pain relief with 80 % paresthesia overlap, Kumar et al. 2007 [P]; the
#: overlap acts in the model through the coverage of the pain).
SCREENING_PASS_PCT = 50.0
#: Expectation added during the screening trial [placebo-response units, 0-1]: an open,
#: short trial that decides about an implant the patient hopes for. Calibrated [A] so that 84 %
#: of a tonic-SCS cohort with failed back surgery pass (PROCESS: 42 of 50 passed, Kumar et
#: al. 2007 [P]); a patient's trial expectation is their placebo response plus this, capped
#: at 1. The responders among the implanted (PROCESS 24 of 42) and the pass rate in CRPS
#: (Kemler et al. 2000 N Engl J Med 343:618: 24 of 36) are then predictions, printed in the
#: model card's calibration table.
TRIAL_EXPECTATION = 0.3
#: Centres of the draws that are not patient fields [NRS].
_CENTRES = {"pain_flare_nrs": 0.0, "pain_fluctuation_nrs": 0.0}
#: Parameters drawn on a 0.25 mm grid (see module notes).
_ANATOMY_GRID_MM = 0.25
_ANATOMY = ("csf_thickness_mm", "nerve_depth_mm", "lateral_offset_mm", "lead_distance_mm")

#: Amplitude a clinician programs for paresthesia-based stimulation, as a multiple of the
#: patient's perception threshold: in the therapeutic window of 1-1.5 x PT [T].
PERCEPTION_FACTOR = 1.3
#: Largest amplitude a device delivers [mA] (:attr:`sim.therapies.TherapySpec.device_max_mA`):
#: implanted pulse generators about 25 mA, PNS about 30 mA, TENS units about 100 mA [T].
DEVICE_MAX_MA: Mapping[str, float] = MappingProxyType(
    {t.value: s.device_max_mA for t, s in THERAPIES.items()})


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion k/n (95 % by default; ``z`` the normal
    quantile of the two-sided level), from :func:`scipy.stats.binomtest`.

    Wilson E.B. (1927) Probable inference, the law of succession, and statistical inference.
    J Am Stat Assoc 22:209-212.

    >>> [round(x, 4) for x in wilson_interval(8, 10)]  # by hand: 0.7167 -+ 0.2266
    [0.4902, 0.9433]
    """
    from scipy.special import ndtr
    from scipy.stats import binomtest

    if n <= 0:
        raise ParameterError(f"n={n} must be at least 1 patient", name="n", value=n)
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=2 * ndtr(z) - 1,
                                                  method="wilson")
    return max(0.0, float(ci.low)), min(1.0, float(ci.high))


def _draw(rng: np.random.Generator, base: Any, n: int, placement: tuple[str, ...]
          ) -> list[dict[str, Any]]:
    """``n`` draws of every :data:`VARIABILITY` entry around ``base`` (one dict each)."""
    from sim.waveforms import Program
    defaults = Program()
    cols: dict[str, np.ndarray] = {}
    for name, (kind, spread, lo, hi) in VARIABILITY.items():
        if name in ("lateral_offset_mm", "lead_distance_mm") and name not in placement:
            continue
        centre = _CENTRES.get(name, getattr(base, name, getattr(defaults, name, 0.0)))
        if kind == "normal":
            x = rng.normal(centre, spread, n)
        elif kind == "lognormal":
            x = centre * np.exp(rng.normal(-0.5 * spread ** 2, spread, n)) if centre > 0 \
                else np.zeros(n)
        else:
            x = np.abs(rng.normal(0.0, spread, n))
        x = np.clip(x, lo, hi)
        if name in _ANATOMY:
            x = np.clip(np.round(x / _ANATOMY_GRID_MM) * _ANATOMY_GRID_MM, lo, hi)
        cols[name] = np.round(x, 4)
    return [{k: float(v[i]) for k, v in cols.items()} for i in range(n)]


def _usual_pain_nrs(base: Any, draw: Mapping[str, Any]) -> float:
    """A drawn patient's untreated resting pain [NRS]."""
    from sim.drive import resting_pain_nrs
    fields = {k: v for k, v in draw.items() if k in base.__dataclass_fields__}
    return resting_pain_nrs(base.replace(**fields))


#: Most screening rounds (of n candidates each) before a cohort gives up enrolling.
_MAX_SCREENING_ROUNDS = 50


def _with_trial_fluctuation(draws: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """``draws`` with a ``trial_fluctuation_nrs`` each, from a stream of its own, so that a
    screening trial leaves every other draw of the seed as it was."""
    rng = np.random.default_rng([seed, _TRIAL_STREAM])
    x = np.round(rng.normal(0.0, TRIAL_FLUCTUATION_SD_NRS, len(draws)), 4)
    return [{**d, "trial_fluctuation_nrs": float(v)} for d, v in zip(draws, x, strict=True)]


#: Second word of the seed of the screening trial's draws ("tria" in ASCII).
_TRIAL_STREAM = 0x74726961


def virtual_patients(patient: str, n: int, *, seed: int = 0, therapy: str = "scs",
                     enrol: bool = True, screening: bool = False) -> list[dict[str, Any]]:
    """Draw ``n`` virtual patients around the preset ``patient``, enrolled as a trial would.

    Returns one dict of declared parameter values per patient: patient fields, the placement
    fields ``lateral_offset_mm`` / ``lead_distance_mm`` that vary with the anatomy, and the
    natural-history draws ``pain_flare_nrs`` / ``pain_fluctuation_nrs``. The same ``seed``
    gives the same patients.

    With ``enrol`` (and a preset that is in pain at rest), candidates are screened as the trials
    screened them: a candidate enrols when their pain at the baseline assessment, their usual
    pain plus ``pain_flare_nrs``, is at least :data:`ENROLMENT_MIN_NRS`. Selecting on a noisy
    measurement is what makes pain regress toward the mean afterwards.

    With ``screening``, each patient also gets ``trial_fluctuation_nrs``, the fluctuation at a
    screening trial's assessment, drawn from a separate stream: the other draws stay those of
    a cohort without a trial.
    """
    n = int(PARAMETERS["cohort_n"].validate(n))
    seed = int(PARAMETERS["seed"].validate(seed))
    base = patient_preset(patient)
    rng = np.random.default_rng(seed)
    # where the lead lies varies between patients; TENS pads go where the pain is, and the
    # CSF layer and the nerve's depth are drawn as anatomy (_ANATOMY) for every therapy
    placement = therapy_spec(therapy).varying_placement
    from sim.drive import resting_pain_nrs
    from sim.session import MIN_BASELINE_PAIN_NRS
    if not enrol or resting_pain_nrs(base) < MIN_BASELINE_PAIN_NRS:
        draws = _draw(rng, base, n, placement)
        return _with_trial_fluctuation(draws, seed) if screening else draws
    out: list[dict[str, Any]] = []
    for _ in range(_MAX_SCREENING_ROUNDS):
        for d in _draw(rng, base, n, placement):
            if _usual_pain_nrs(base, d) + d["pain_flare_nrs"] >= ENROLMENT_MIN_NRS:
                out.append(d)
                if len(out) == n:
                    return _with_trial_fluctuation(out, seed) if screening else out
    raise ParameterError(
        f"patient={patient!r}: fewer than {n} of {n * _MAX_SCREENING_ROUNDS} virtual "
        f"candidates reach the enrolment pain of {_fmt(ENROLMENT_MIN_NRS)} NRS",
        name="patient", value=patient)


#: Amplitude of sub-perception burst SCS as a multiple of the patient's perception
#: threshold for the burst program: burst is titrated just below paresthesia [T De Ridder
#: 2010; Deer et al. 2018 SUNBURST programmed it sub-perception]; 0.95 [A] (the modelled
#: dorsal-column recruitment is steep near threshold: at 0.9 x it recruits almost nothing).
SUBPERCEPTION_FACTOR = 0.95
#: Titration modes: amplitude as a multiple of the patient's perception threshold, or the
#: program's own amplitude (``fixed``).
TITRATIONS = {"perception": PERCEPTION_FACTOR, "subperception": SUBPERCEPTION_FACTOR,
              "fixed": None}


#: A control arm with neither stimulation nor a treatment stands for usual care (the
#: conventional medical management of PROCESS, the physiotherapy of Kemler's control arm):
#: its patients know they are being treated, so expectation acts, at this fraction of a
#: patient's (blinded) placebo response [A], calibrated with the natural history to the 5-12 %
#: responders of those control arms (PROCESS 9 %, Kemler 6 % [P]).
USUAL_CARE_EXPECTATION = 0.75


def usual_care(session: Session) -> Session:
    """The control-arm version of a session without therapy: a placebo (expectation only) at
    :data:`USUAL_CARE_EXPECTATION` of the patient's placebo response, from where stimulation
    would start (a quarter into the session without a stimulation event)."""
    from sim.treatments import Treatment
    stims = [e.start_s for e in session.events or () if e.kind == "stimulation"]
    start = min(stims) if stims else 0.25 * session.duration_s
    pat = session.patient
    return session.replace(
        patient=pat.replace(placebo_response=pat.placebo_response * USUAL_CARE_EXPECTATION),
        treatments=(Treatment(kind="placebo", start_s=start),))


def trial_outcome(summary: Mapping[str, Any], pain_flare_nrs: float = 0.0,
                  pain_fluctuation_nrs: float = 0.0) -> dict[str, Any]:
    """A session's summary as a trial would measure it (natural history on top).

    The baseline assessment is the pain before therapy plus the patient's enrolment flare;
    the follow-up is the pain during therapy (before it, for a control arm with no therapy)
    plus a month-to-month fluctuation; both are clipped to 0-10. Reduction and responder
    (>= 50 %) are computed from the two assessments, as the trials did. A patient without
    pain at rest (below :data:`sim.session.MIN_BASELINE_PAIN_NRS`) has no fluctuating pain to
    measure: no reduction, no responder.

    Returns
    -------
    dict
        ``baseline_nrs``, ``follow_up_nrs``, ``trial_reduction_pct`` (NaN when the baseline is
        below :data:`sim.session.MIN_BASELINE_PAIN_NRS`) and ``trial_responder``.
    """
    from sim.session import MIN_BASELINE_PAIN_NRS
    before = summary["pain_before_nrs"]
    during = summary["pain_during_nrs"]
    if not _finite(before) or before < MIN_BASELINE_PAIN_NRS:
        # no chronic pain to fluctuate (a healthy volunteer): nothing to measure
        return {"baseline_nrs": before, "follow_up_nrs": during,
                "trial_reduction_pct": math.nan, "trial_responder": False}
    follow = during if _finite(during) else before
    base = min(10.0, max(0.0, before + pain_flare_nrs))
    after = min(10.0, max(0.0, follow + pain_fluctuation_nrs))
    red = 100.0 * (base - after) / base if base >= MIN_BASELINE_PAIN_NRS else math.nan
    return {"baseline_nrs": base, "follow_up_nrs": after, "trial_reduction_pct": red,
            "trial_responder": bool(_finite(red) and red >= RESPONDER_REDUCTION_PCT)}


def screening_outcome(session: Session, pain_flare_nrs: float = 0.0,
                      trial_fluctuation_nrs: float = 0.0) -> dict[str, Any]:
    """A patient's screening trial: ``session`` (titrated already) after
    :data:`SCREENING_TRIAL_DAYS` days, with the trial's extra expectation
    (:data:`TRIAL_EXPECTATION`), measured against the enrolment baseline.

    Returns
    -------
    dict
        ``screening_nrs`` (the trial assessment, NRS 0-10), ``screening_reduction_pct`` and
        ``implanted`` (relief at least :data:`SCREENING_PASS_PCT` %).
    """
    pat = session.patient
    trial = session.replace(
        patient=pat.replace(placebo_response=min(1.0, pat.placebo_response
                                                 + TRIAL_EXPECTATION)),
        stimulation_day=SCREENING_TRIAL_DAYS)
    m = trial_outcome(run_session(trial).summary.to_dict(), pain_flare_nrs,
                      trial_fluctuation_nrs)
    red = m["trial_reduction_pct"]
    return {"screening_nrs": m["follow_up_nrs"], "screening_reduction_pct": red,
            "implanted": bool(_finite(red) and red >= SCREENING_PASS_PCT)}


@dataclass(frozen=True)
class TitratedRunner:
    """Run a virtual patient's session with the amplitude a clinician would program.

    ``mode`` is a key of :data:`TITRATIONS`: ``perception`` programs 1.3 × the patient's own
    perception threshold, ``subperception`` 0.95 × (burst), ``fixed`` the program's amplitude
    (10 kHz programs are set without reference to paresthesia); capped at the device maximum.
    The natural-history draws of the patient (``trial`` parameters) turn the session's
    summary into a trial measurement (:func:`trial_outcome`); with ``screening`` the patient
    also has a screening trial first (:func:`screening_outcome`). Module-level and frozen so
    process pools and Dask can pickle it.
    """

    mode: str = "perception"
    screening: bool = False

    def __call__(self, session: Session, pain_flare_nrs: float = 0.0,
                 pain_fluctuation_nrs: float = 0.0,
                 trial_fluctuation_nrs: float = 0.0) -> Mapping[str, Any]:
        prog, pat = session.program, session.patient
        if not prog.is_active and not session.treatments:
            session = usual_care(session)
        factor = TITRATIONS[self.mode]
        if factor is not None and prog.is_active:
            from sim.drive import program_recruitment
            pt = program_recruitment(prog, pat.csf_thickness_mm,
                              pat.nerve_depth_mm).perception_threshold_mA
            amp = min(factor * pt, DEVICE_MAX_MA[prog.therapy])
            session = session.replace(program=prog.replace(amplitude_mA=round(amp, 3)))
        summary = run_session(session).summary.to_dict()
        screening = (screening_outcome(session, pain_flare_nrs, trial_fluctuation_nrs)
                     if self.screening else {})
        return {"programmed_amplitude_mA": session.program.amplitude_mA, **summary,
                **trial_outcome(summary, pain_flare_nrs, pain_fluctuation_nrs), **screening}


def default_titration(session: Session) -> str:
    """``perception`` for paresthesia-based tonic programs below 1 kHz, ``subperception`` for
    burst SCS, else ``fixed``."""
    p = session.program
    if not p.is_active:
        return "fixed"
    if p.pattern == "burst" and p.therapy == Therapy.SCS:
        return "subperception"
    return "perception" if p.pattern == "tonic" and p.rate_hz < 1000 else "fixed"


@dataclass(frozen=True)
class CohortResult:
    """Outcome of a virtual cohort, measured as a trial would.

    Attributes
    ----------
    patient : str
        Patient preset the cohort was drawn around.
    n : int
        Number of virtual patients enrolled (with a screening trial: all who had the trial).
    seed : int
        Seed of the draw.
    responder_rate : float
        Fraction with >= 50 % pain reduction between the trial's baseline and follow-up
        assessments [0-1] (natural history included); with a screening trial, among the
        implanted patients (NaN if none was implanted).
    ci_low, ci_high : float
        95 % Wilson interval of the responder rate [0-1].
    mean_reduction_pct : float
        Mean trial pain reduction [%] (patients without baseline pain count as 0); with a
        screening trial, among the implanted.
    reductions_pct : ndarray
        Each patient's trial pain reduction [%] (with a screening trial: each implanted
        patient's).
    mean_physiological_reduction_pct : float
        Mean reduction the model itself produces, before natural history [%] (same patients
        as ``mean_reduction_pct``).
    table : list of dict
        One row per patient: drawn parameters, programmed amplitude, session summary and trial
        measurement (with a screening trial: its assessment and ``implanted``).
    screening_trial : bool
        Whether a screening trial decided who was implanted.
    implanted : int
        Patients implanted (``n`` without a screening trial).
    responder_rate_itt : float
        Responders among all ``n`` patients, trial failures counted as non-responders
        (intention to treat, as PROCESS reported) [0-1]; ``responder_rate`` without a
        screening trial.
    """

    patient: str
    n: int
    seed: int
    responder_rate: float
    ci_low: float
    ci_high: float
    mean_reduction_pct: float
    reductions_pct: np.ndarray
    mean_physiological_reduction_pct: float
    table: list[dict[str, Any]]
    screening_trial: bool = False
    implanted: int = -1
    responder_rate_itt: float = math.nan

    def __post_init__(self) -> None:
        if self.implanted < 0:  # no screening trial: everyone is analysed
            object.__setattr__(self, "implanted", self.n)
            object.__setattr__(self, "responder_rate_itt", self.responder_rate)

    def to_dict(self, *, rows: bool = False) -> dict[str, Any]:
        """JSON-compatible summary (``n``, ``responder_rate``, ``ci_low``, ``ci_high``,
        ``mean_reduction_pct``, quartiles of relief; with a screening trial also
        ``implanted``, ``implanted_fraction`` and ``responder_rate_itt``; the rows too if
        ``rows``)."""
        q = (np.percentile(self.reductions_pct, [25, 50, 75]) if len(self.reductions_pct)
             else [math.nan] * 3)
        out = {"patient": self.patient, "n": self.n, "seed": self.seed,
               "responder_rate": self.responder_rate, "ci_low": self.ci_low,
               "ci_high": self.ci_high, "mean_reduction_pct": self.mean_reduction_pct,
               "mean_physiological_reduction_pct": self.mean_physiological_reduction_pct,
               "reduction_quartiles_pct": [float(v) for v in q]}
        if self.screening_trial:
            out.update(screening_trial=True, implanted=self.implanted,
                       implanted_fraction=self.implanted / self.n if self.n else math.nan,
                       responder_rate_itt=self.responder_rate_itt)
        if rows:
            out["rows"] = self.table
        return out


def run_cohort(session: Session, patient: str, *, n: int = 200, seed: int = 0,
               titration: str | None = None, follow_up_days: float | None = None,
               executor: str = "local", workers: int | None = None,
               scheduler: str | None = None, out: str | os.PathLike | None = None,
               progress: bool = True, screening_trial: bool = False) -> CohortResult:
    """Run ``session`` (its program, duration and events) on ``n`` virtual patients.

    Parameters
    ----------
    session : Session
        Program, duration, events and options; its patient is replaced by each virtual one.
    patient : str
        Patient preset the cohort is drawn around.
    n : int
        Number of virtual patients (declared ``cohort_n``: 1..100000).
    seed : int
        Seed of the draw; the same seed gives the same numbers.
    titration : {"perception", "subperception", "fixed"}, optional
        How each patient's amplitude is programmed (default: :func:`default_titration`).
    follow_up_days : float, optional
        Days on the program at the assessment (declared ``follow_up_days``, default 90):
        stimulation effects that build over days are assessed there.
    executor, workers, scheduler, out, progress
        As for :func:`sim.sweep.run_table`.
    screening_trial : bool
        Implant only the patients whose screening trial succeeds (SCS and DRG;
        :func:`screening_outcome`) and report the outcome among them
        (:attr:`CohortResult.responder_rate`) and over everyone who had the trial
        (:attr:`CohortResult.responder_rate_itt`).
    """
    from sim.sweep import run_table

    mode = titration or default_titration(session)
    if mode not in TITRATIONS:
        raise ParameterError(f"titration={mode!r} is not one of "
                             f"{', '.join(map(repr, TITRATIONS))}", name="titration",
                             value=mode)
    seed = int(PARAMETERS["seed"].validate(seed))
    follow = float(PARAMETERS["follow_up_days"].validate(
        PARAMETERS["follow_up_days"].default if follow_up_days is None else follow_up_days))
    screening = bool(screening_trial)
    therapy = session.program.therapy
    if screening and not (therapy_spec(therapy).screening_trial and session.program.is_active):
        with_trial = ", ".join(t.value for t, s in THERAPIES.items() if s.screening_trial)
        raise ParameterError(
            f"screening_trial=True: a screening trial precedes a permanent implant "
            f"({with_trial} with an active program); therapy={therapy!r} has none",
            name="screening_trial", value=screening_trial)
    runs = virtual_patients(patient, n, seed=seed, therapy=therapy, screening=screening)
    base = session.replace(patient=patient_preset(patient), stimulation_day=follow)
    meta = {"kind": "cohort", "patient": patient, "n": len(runs), "seed": seed,
            "titration": mode, "follow_up_days": follow}
    if screening:
        meta["screening_trial"] = True
    table = run_table(base, runs, executor=executor, workers=workers, scheduler=scheduler,
                      out=out, progress=progress, runner=TitratedRunner(mode, screening),
                      desc=f"cohort {patient}", meta=meta)
    red = np.array([r["trial_reduction_pct"] if _finite(r["trial_reduction_pct"]) else 0.0
                    for r in table], dtype=float)
    phys = np.array([r["pain_reduction_pct"] if _finite(r["pain_reduction_pct"]) else 0.0
                     for r in table], dtype=float)
    # without a screening trial everyone is implanted (analysed)
    implanted = np.array([_flag(r["implanted"]) if screening else True for r in table],
                         dtype=bool)
    m = int(implanted.sum())
    k = int(np.sum((red >= RESPONDER_REDUCTION_PCT) & implanted))
    lo, hi = wilson_interval(k, m) if m else (math.nan, math.nan)
    return CohortResult(patient, len(table), seed, k / m if m else math.nan, lo, hi,
                        float(red[implanted].mean()) if m else math.nan, red[implanted],
                        float(phys[implanted].mean()) if m else math.nan, table,
                        screening_trial=screening, implanted=m,
                        responder_rate_itt=k / len(table))


def _flag(v: Any) -> bool:
    """A yes/no column of a table row (a resumed CSV may give it back as text)."""
    return v is True or (isinstance(v, str) and v.strip().lower() in ("true", "1"))


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
