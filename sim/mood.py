"""Mood and pain over days to weeks: anxiety and depression as slow states (teaching model).

Clinical guides note that neuropathic pain causes anxiety and depression, which in turn worsen
pain; the relation is bidirectional (Bair, Robinson, Katon & Kroenke 2003 Arch Intern Med
163:2433, review [S]). The mechanism modelled here is descending modulation: the
periaqueductal grey and rostral ventromedial medulla both inhibit and facilitate dorsal-horn
transmission, and chronic pain and negative affect shift the balance toward facilitation
(Ossipov, Dussor & Porreca 2010 J Clin Invest 120:3779; Porreca, Ossipov & Gebhart 2002
Trends Neurosci 25:319 [S]). Serotonin-noradrenaline reuptake inhibitors and tricyclics
strengthen descending inhibition, which is why they relieve pain at doses below their
antidepressant doses (docs/science.md §9.3 [S]).

Everything numeric below is a labelled teaching assumption [A] built on those facts: no
published model gives these constants. The model has three parts.

1. **Mood acts on the gate** (:func:`mood_descending_drive`): anxiety A and depression D,
   each in 0..1, add ``0.2·A + 0.2·D`` to the net descending drive ``b_desc`` (positive =
   less inhibition, more facilitation). Every session reads it through
   :func:`sim.drive.gate_params`, so raising a patient's anxiety raises pain in an
   otherwise identical session (about +0.6 NRS per 0.2 of drive in the neuropathic presets).
2. **Pain acts on mood** (:func:`simulate_course`): over days, A and D relax toward targets
   that grow with sustained pain above the mild range,
   ``load = max(0, NRS − 4) / 6`` (pain of 5 and above counts as moderate to severe: Serlin
   et al. 1995 Pain 61:277 [P]); ``A∞ = min(1, 0.8·load)``, ``D∞ = min(1, 0.7·load)``, with
   time constants of days for anxiety (7) and weeks for depression (21; a depressive episode
   is defined by at least two weeks of symptoms, DSM-5 [T]). Both are adjustable.
3. **Treatments act on either side**: stimulation and drugs lower pain through the gate (the
   session machinery, at steady state); antidepressants at antidepressant doses and a
   psychological therapy (e.g. CBT; small to moderate effects on distress in chronic pain,
   Williams et al. 2020 Cochrane Database Syst Rev CD007407 [S]) lower the mood targets.

Movement avoidance (fear-avoidance model: pain and fear lead to avoiding movement, then to
disuse and disability; Vlaeyen & Linton 2000 Pain 85:317 [S]) is a labelled qualitative
output: ``activity`` follows ``1 − 0.6·load·(0.5 + 0.5·A)`` with a 7-day time constant, and
``movement_limitation`` (deconditioning, muscle wasting) follows ``1 − activity`` with 28
days [A].

Care over weeks to years (:mod:`sim.care`, sources there): decompression surgery on a chosen
day removes a compressed nerve's drive while central sensitisation, built by months of pain,
can keep part of it; physiotherapy from a chosen day reverses disuse (muscle mass, range of
motion) and lowers pain-related fear; pain neuroscience education lowers catastrophising,
fear and the facilitation that mood adds; a diabetic patient's HbA1c sets the yearly rate of
axonal loss, the sural amplitude and the ongoing C drive over a course of up to ten years.
Without these options a course is exactly as before.

The course runs on a coarse grid (hours); at each step pain is the gate's steady state for
that day's drives (:func:`sim.gate.steady_nociceptive_hz`, read by :mod:`sim.percept`), so
its cost does not depend on the pulse rate, and the slow states advance exactly (exponential
steps, stable for any step). A 10 kHz program's effect washes in over its first days
(:func:`sim.drive.khz_washin`), which the course shows and a single session only begins.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim import care as ca
from sim.drive import (
    MOOD_DESCENDING_PER_ANXIETY,
    MOOD_DESCENDING_PER_DEPRESSION,
    mood_descending_drive,
)
from sim.params import (
    PARAMETERS,
    ParameterError,
    format_number as _fmt,
    param_field,
    validate_fields,
)
from sim.tables import register_units

__all__ = ["mood_descending_drive", "Course", "CourseResult", "simulate_course",
           "MOOD_DESCENDING_PER_ANXIETY", "MOOD_DESCENDING_PER_DEPRESSION", "COURSE_KINDS",
           "COURSE_UNITS"]

#: Unit of each series of a :class:`CourseResult` (``1``: dimensionless).
COURSE_UNITS: dict[str, str] = {
    "day": "days", "pain_nrs": "NRS 0-10", "pain_without_mood": "NRS 0-10", "anxiety": "1",
    "depression": "1", "descending_shift": "1", "activity": "1", "movement_limitation": "1",
    "stimulation": "1", "mood_therapy": "1", "fear": "1", "muscle_mass": "1",
    "range_of_motion": "1", "central_sensitisation": "1", "compression": "1",
    "nerve_conduction": "1", "physiotherapy": "1", "education": "1", "axonal_loss": "1",
    "sural_amplitude_uV": "µV", "ongoing_c_drive": "1",
}
register_units(COURSE_UNITS)

#: Pain (NRS) above which sustained pain disturbs mood [NRS]: mild pain is 1-4 (Serlin et al.
#: 1995 Pain 61:277 [P]).
MOOD_PAIN_THRESHOLD_NRS = 4.0
#: Anxiety target per unit pain load [1] [A].
ANXIETY_PER_PAIN_LOAD = 0.8
#: Depression target per unit pain load [1] [A].
DEPRESSION_PER_PAIN_LOAD = 0.7
#: Largest fractional reduction of the mood targets by a psychological therapy [1] [A]
#: (Williams et al. 2020 Cochrane CD007407: small-moderate effects on mood [S]).
PSYCHOLOGICAL_THERAPY_EFFECT = 0.4
#: Onset time constant of a psychological therapy [days] (weekly sessions over 6-12 weeks) [A].
PSYCHOLOGICAL_THERAPY_TAU_DAYS = 21.0
#: Largest fractional reduction of the mood targets by an antidepressant at an antidepressant
#: dose [1] [A].
ANTIDEPRESSANT_MOOD_EFFECT = 0.5
#: Onset of the antidepressant effect on mood [days]: 2-4 weeks [T].
ANTIDEPRESSANT_TAU_DAYS = 14.0
#: Usual antidepressant doses [mg/day]: amitriptyline 75-150 mg/day for depression against
#: 10-75 mg/day for neuropathic pain; venlafaxine from 75 mg/day; duloxetine 60 mg/day, the
#: same dose as for pain (BNF; NICE CG173 [S]). The mood effect scales with dose / this dose,
#: at most 1.
ANTIDEPRESSANT_DOSE_MG_PER_DAY = {"amitriptyline": 125.0, "venlafaxine": 150.0,
                                  "duloxetine": 60.0}
#: Fear-avoidance (qualitative) [A]: activity target per unit pain load, and its time
#: constants [days] (Vlaeyen & Linton 2000 [S]).
AVOIDANCE_PER_PAIN_LOAD = 0.6
ACTIVITY_TAU_DAYS = 7.0
DECONDITIONING_TAU_DAYS = 28.0
#: Length of the probe window whose last sample gives a day's drives [s] [A]: long enough
#: for a few grid samples, short against any treatment's time scale in a course.
_PROBE_S = 2.0
#: Mood shifts at which the steady pain is tabulated per day (then interpolated) [1].
_MOOD_GRID = np.linspace(0.0, MOOD_DESCENDING_PER_ANXIETY + MOOD_DESCENDING_PER_DEPRESSION, 9)
#: Treatment categories that act on a scale of days and may run through a course.
COURSE_KINDS = ("drug", "patch", "placebo", "neurolysis")


#: Optional course days (None = never), each declared in :mod:`sim.params`.
_DAY_OPTIONS = ("stimulation_from_day", "psychological_therapy_from_day", "decompression_day",
                "physiotherapy_from_day", "education_from_day")


def _optional_day(name: str, value: Any) -> float | None:
    if value is None:
        return None
    return float(PARAMETERS[name].validate(value))


@dataclass(frozen=True)
class Course:
    """Days to weeks of one patient: pain, mood, and the treatments started along the way.

    Attributes
    ----------
    session : sim.session.Session
        The template: program (switched on from ``stimulation_from_day``), patient (its
        ``anxiety`` and ``depression`` are the values on day 0), model options, and
        day-scale treatments (drugs, patches, placebo, neurolysis) whose ``treatment_day``
        is the course day each one starts. Its events and duration are not used.
    days : float
        Course length [days], 1..3650 (ten years, for the diabetic course).
    step_h : float
        Time step [h], 1..24.
    stimulation_from_day : float or None
        Course day the program is switched on, 0..``days``; None = never (default).
    psychological_therapy_from_day : float or None
        Course day a psychological therapy starts, 0..``days``; None = never (default).
    anxiety_tau_days, depression_tau_days : float
        Time constants of the mood states [days].
    decompression_day : float or None
        Course day of surgery that frees the compressed nerve whose drive the patient's
        ongoing C drive stands for (:mod:`sim.care`); None = never (default).
    physiotherapy_from_day : float or None
        Course day graded activity / physiotherapy starts; None = never (default).
    education_from_day : float or None
        Course day pain neuroscience education starts; None = never (default).
    hba1c_pct : float or None
        HbA1c of a diabetic patient [%], held over the course: axonal loss progresses at the
        rate it sets (:func:`sim.care.axonal_loss_rate_per_year`); None = no progression
        (default).
    """

    session: Any  # a sim.session.Session (checked in __post_init__)
    days: float = param_field("course_days")
    step_h: float = param_field("course_step_h")
    stimulation_from_day: float | None = None
    psychological_therapy_from_day: float | None = None
    anxiety_tau_days: float = param_field("anxiety_tau_days")
    depression_tau_days: float = param_field("depression_tau_days")
    decompression_day: float | None = None
    physiotherapy_from_day: float | None = None
    education_from_day: float | None = None
    hba1c_pct: float | None = None

    def __post_init__(self) -> None:
        from sim.session import Session
        if not isinstance(self.session, Session):
            raise ParameterError("session must be a Session (the course's template)",
                                 name="session")
        validate_fields(self)
        for name in _DAY_OPTIONS:
            day = _optional_day(name, getattr(self, name))
            if day is not None and day > self.days:  # it would silently never start
                raise ParameterError(f"{name}={_fmt(day)} days is after the end of the course: "
                                     f"expected 0..{_fmt(self.days)} days (the course length)",
                                     name=name, value=day)
            object.__setattr__(self, name, day)
        if self.hba1c_pct is not None:
            object.__setattr__(self, "hba1c_pct",
                               float(PARAMETERS["hba1c_pct"].validate(self.hba1c_pct)))
        if self.stimulation_from_day is not None and self.session.program.therapy == "off":
            raise ParameterError(
                "stimulation_from_day is set but the program's therapy is 'off'; choose a "
                "program to switch on", name="stimulation_from_day",
                value=self.stimulation_from_day)
        for tr in self.session.treatments:
            if tr.info.category not in COURSE_KINDS:
                raise ParameterError(
                    f"treatment_kind={tr.kind!r} acts for hours; a course step is "
                    f"{_fmt(self.step_h)} h or more: run it in a session, or choose one of the "
                    "day-scale kinds (drugs, patches, placebo, neurolysis)",
                    name="treatment_kind", value=tr.kind)


@dataclass(frozen=True)
class CourseResult:
    """A course: series on its grid of days and a short summary.

    Attributes
    ----------
    day : ndarray
        Time [days].
    series : dict of str to ndarray
        ``pain_nrs`` (0-10), ``pain_without_mood`` (the same day with mood at 0),
        ``anxiety`` and ``depression`` (0-1), ``descending_shift`` (descending drive added by
        mood [1]), ``activity`` (1 = normal, qualitative), ``movement_limitation`` (0-1,
        qualitative), ``stimulation`` (0/1), ``mood_therapy`` (0-1: fractional reduction of
        the mood targets by therapy); care (:mod:`sim.care`): ``fear`` (pain-related fear,
        0-1), ``muscle_mass`` and ``range_of_motion`` (1 = normal), ``central_sensitisation``
        (0-1), ``compression`` (share of the compressed nerve's drive left, 1 before surgery),
        ``nerve_conduction`` (1 = normal across the compressed segment), ``physiotherapy``
        and ``education`` (their onsets, 0-1), ``axonal_loss`` (large fibres lost, 0-1),
        ``sural_amplitude_uV`` [µV] and ``ongoing_c_drive`` (the drive the gate sees [1]).
    course : Course
        What was run.
    """

    day: np.ndarray
    series: Mapping[str, np.ndarray]
    course: Course = field(repr=False)

    def at(self, name: str, day: float) -> float:
        """The value of series ``name`` at the last grid point not after ``day``."""
        i = int(np.searchsorted(self.day, day, side="right")) - 1
        return float(self.series[name][max(i, 0)])

    @property
    def summary(self) -> dict[str, float | None]:
        """Pain and mood on day 0 and at the end, the care states at the end, and the first
        day of moderate pain (None if it never comes)."""
        s = self.series
        return {"pain_start_nrs": float(s["pain_nrs"][0]), "pain_end_nrs": float(s["pain_nrs"][-1]),
                "anxiety_start": float(s["anxiety"][0]), "anxiety_end": float(s["anxiety"][-1]),
                "depression_start": float(s["depression"][0]),
                "depression_end": float(s["depression"][-1]),
                "pain_from_mood_end_nrs": float(s["pain_nrs"][-1] - s["pain_without_mood"][-1]),
                "movement_limitation_end": float(s["movement_limitation"][-1]),
                "muscle_mass_end": float(s["muscle_mass"][-1]),
                "range_of_motion_end": float(s["range_of_motion"][-1]),
                "fear_end": float(s["fear"][-1]),
                "central_sensitisation_end": float(s["central_sensitisation"][-1]),
                "axonal_loss_end": float(s["axonal_loss"][-1]),
                "sural_amplitude_start_uV": float(s["sural_amplitude_uV"][0]),
                "sural_amplitude_end_uV": float(s["sural_amplitude_uV"][-1]),
                "pain_onset_day": (None if math.isnan(self.pain_onset_day)
                                   else self.pain_onset_day)}

    @property
    def pain_onset_day(self) -> float:
        """First day pain reaches moderate (> 4 NRS), NaN if it never does [days]."""
        above = np.flatnonzero(self.series["pain_nrs"] > MOOD_PAIN_THRESHOLD_NRS)
        return float(self.day[above[0]]) if above.size else math.nan

    def metadata(self) -> dict[str, Any]:
        """The JSON sidecar of :meth:`to_csv` (:mod:`sim.tables`): the columns and the unit of
        each, the course's settings, its session document and its summary."""
        from sim import tables
        c = self.course
        names = ["day", *self.series]
        return tables.metadata(
            "course-series", [tables.column_name(n) for n in names], tables.column_units(names),
            course={"days": c.days, "step_h": c.step_h,
                    "stimulation_from_day": c.stimulation_from_day,
                    "psychological_therapy_from_day": c.psychological_therapy_from_day,
                    "anxiety_tau_days": c.anxiety_tau_days,
                    "depression_tau_days": c.depression_tau_days,
                    "decompression_day": c.decompression_day,
                    "physiotherapy_from_day": c.physiotherapy_from_day,
                    "education_from_day": c.education_from_day, "hba1c_pct": c.hba1c_pct},
            session=c.session.to_dict(), summary=self.summary)

    def to_csv(self, path: str | None = None) -> str:
        """The series as CSV text: one header row (``day`` first, units in the names as in
        :mod:`sim.tables`), numbers to 12 significant digits. Written to ``path`` if given,
        with the metadata (:meth:`metadata`) in the JSON sidecar ``<path>.json``."""
        from sim.tables import SIGNIFICANT_DIGITS, column_name, write_csv
        names = ["day", *self.series]
        data = np.column_stack([self.day, *self.series.values()])
        row = ",".join([f"%.{SIGNIFICANT_DIGITS}g"] * data.shape[1])
        text = (",".join(column_name(n) for n in names) + "\n"
                + "\n".join([row] * data.shape[0]) % tuple(data.ravel().tolist()) + "\n")
        if path is not None:
            write_csv(path, text, self.metadata())
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: ``day``, each series as a list, and the summary."""
        return {"day": self.day.tolist(),
                **{k: v.tolist() for k, v in self.series.items()},
                "summary": self.summary}


def _day_pain_table(course: Course, calm: Any, day: float, stim_on: bool,
                    khz_level: float) -> np.ndarray:
    """Steady pain on ``day`` at each mood shift of :data:`_MOOD_GRID` (``calm``: the
    course's patient with mood at 0; the shift is added on top). ``khz_level`` is the share of
    the kHz effect washed in by that day (:func:`sim.drive.khz_washin`)."""
    from sim.drive import gate_drive, mechanisms
    from sim.gate import session_grid, steady_nociceptive_hz
    from sim.percept import burst_affective_scale, nrs_from_output
    from sim.session import Event, Session

    base = course.session
    started = tuple(tr.replace(treatment_day=day - tr.treatment_day, start_s=0.0)
                    for tr in base.treatments if day >= tr.treatment_day)
    events = (Event(kind="stimulation", start_s=0.0, stop_s=_PROBE_S),) if stim_on else ()
    probe = Session(program=base.program, patient=calm, duration_s=_PROBE_S, events=events,
                    options=base.options, treatments=started)
    t = session_grid(_PROBE_S)
    d = gate_drive(probe, t)
    # The middle of the probe: events cover [start, stop), so the last sample is after them.
    mid = t.size // 2
    mech = mechanisms(base.options)
    S = steady_nociceptive_hz(d.inputs, mid, d.params, mech, b_desc_extra=_MOOD_GRID,
                              khz=float(d.inputs.khz_field[mid]) * khz_level)
    return nrs_from_output(S) * burst_affective_scale(float(d.burst_drive[mid]), mech)


def _antidepressant_factor(course: Course, day: float) -> float:
    """Fractional reduction of the mood targets by antidepressants on ``day`` [1]."""
    effect = 0.0
    for tr in course.session.treatments:
        ref = ANTIDEPRESSANT_DOSE_MG_PER_DAY.get(tr.kind)
        if ref is None or day < tr.treatment_day:
            continue
        dose = min(1.0, float(tr.dose_mg_per_day) / ref)
        onset = 1.0 - math.exp(-(day - tr.treatment_day) / ANTIDEPRESSANT_TAU_DAYS)
        effect = max(effect, ANTIDEPRESSANT_MOOD_EFFECT * dose * onset)
    return effect


def _therapy_factor(course: Course, day: float) -> float:
    """Fractional reduction of the mood targets by psychological therapy on ``day`` [1]."""
    d0 = course.psychological_therapy_from_day
    if d0 is None or day < d0:
        return 0.0
    return PSYCHOLOGICAL_THERAPY_EFFECT * (1.0 - math.exp(-(day - d0)
                                                          / PSYCHOLOGICAL_THERAPY_TAU_DAYS))


#: Treatments' drives are evaluated once a day for this long after a treatment starts (drug
#: onsets have τ ≤ 10 days, so 28 days is near their plateau), then once a week [days] [A].
_DAILY_AFTER_START_DAYS = 28.0


def _table_day(course: Course, day: float) -> float:
    """The day whose treatment drives stand for ``day``: the whole day while a treatment is
    settling (first four weeks after its start), then the start of the week."""
    starts = [tr.treatment_day for tr in course.session.treatments if tr.treatment_day <= day]
    if not starts or day - max(starts) < _DAILY_AFTER_START_DAYS:
        return float(math.floor(day + 1e-9))
    return float(7 * math.floor(day / 7 + 1e-9))


def simulate_course(course: Course) -> CourseResult:
    """Run a course: pain and mood influence each other over days to weeks.

    Parameters
    ----------
    course : Course
        Patient, program, treatments, length and step.

    Returns
    -------
    CourseResult
        Series on the grid ``0, step, 2·step, …, days`` (in days).

    Notes
    -----
    Per step k (Δ = step in days): pain_k = steady gate pain for day k's drives with the mood
    shift ``mood_descending_drive(A_k, D_k)`` (tabulated per day at 9 shifts and
    interpolated linearly; treatments' drives once a day for four weeks after a start, then
    once a week); load_k = max(0, pain_k − 4)/6; targets A∞ = min(1, 0.8·load)·(1 −
    m_k), D∞ = min(1, 0.7·load)·(1 − m_k) with m_k the larger of the antidepressant and
    psychological-therapy reductions; then each state x moves exactly toward its target:
    x_{k+1} = x∞ + (x_k − x∞)·exp(−Δ/τ). Pain tables are shared between steps whose drives
    are the same, so a course without treatments costs a few milliseconds and one with them
    a few milliseconds per distinct day.
    """
    if not isinstance(course, Course):
        raise ParameterError("simulate_course needs a Course", name="course")
    step_d = course.step_h / 24.0
    n = int(math.floor(course.days / step_d + 1e-9)) + 1
    day = np.arange(n) * step_d
    pat = course.session.patient
    calm = pat.replace(anxiety=0.0, depression=0.0)
    stim_from = course.stimulation_from_day
    changing = bool(course.session.treatments)
    cache: dict[tuple, list[float]] = {}
    names = ("pain_nrs", "pain_without_mood", "anxiety", "depression", "descending_shift",
             "activity", "movement_limitation", "stimulation", "mood_therapy", "fear",
             "muscle_mass", "range_of_motion", "central_sensitisation", "ongoing_c_drive")
    rows: list[tuple[float, ...]] = []
    care = _care_series(course, day)
    dynamic = course.decompression_day is not None or course.hba1c_pct is not None
    A, D = float(pat.anxiety), float(pat.depression)
    F, Z, M, R = A, 0.0, 1.0, 1.0
    act, limit = 1.0, 0.0
    decay_a = math.exp(-step_d / course.anxiety_tau_days)
    decay_d = math.exp(-step_d / course.depression_tau_days)
    decay_act = math.exp(-step_d / ACTIVITY_TAU_DAYS)
    decay_lim = math.exp(-step_d / DECONDITIONING_TAU_DAYS)
    decay_rom = math.exp(-step_d / ca.ROM_TAU_DAYS)
    decay_m_loss = math.exp(-step_d / ca.ATROPHY_TAU_DAYS)
    decay_m_gain = math.exp(-step_d / ca.REGROWTH_TAU_DAYS)
    decay_z_up = math.exp(-step_d / ca.CENTRALISATION_BUILD_TAU_DAYS)
    decay_z_down = math.exp(-step_d / ca.CENTRALISATION_DECAY_TAU_DAYS)
    from sim.drive import gate_params, khz_field, khz_washin
    tau_khz = gate_params(calm).tau_khz_s
    washing_in = stim_from is not None and khz_field(course.session.program,
                                                     calm.csf_thickness_mm) > 0
    relief_all = _relief_series(course, day).tolist()
    edu_all = care["education"].tolist()
    phys_all = care["physiotherapy"].tolist()
    rem_all = care["compression"].tolist()
    base_all = care["c_base"].tolist()
    a_c = float(calm.ongoing_c_drive)
    c_top = float(PARAMETERS["ongoing_c_drive"].maximum)
    c_cells = int(round(c_top / _C_GRID_STEP))
    pairs: dict[tuple, tuple[list[float], list[float]]] = {}
    dx = float(_MOOD_GRID[1] - _MOOD_GRID[0])
    last = len(_MOOD_GRID) - 1
    for k, d in enumerate(day.tolist()):
        stim_on = stim_from is not None and d >= stim_from
        # The kHz effect washes in over days (tabulated in steps of 1 %).
        level = round(khz_washin(d - stim_from, tau_khz), 2) if stim_on and washing_in else 1.0
        tday = _table_day(course, d) if changing else None
        edu = edu_all[k]
        shift = (MOOD_DESCENDING_PER_ANXIETY * A + MOOD_DESCENDING_PER_DEPRESSION * D) * (
            1.0 - ca.EDUCATION_FACILITATION_EFFECT * edu)
        x = min(max(shift / dx, 0.0), float(last))
        i = min(int(x), last - 1)
        f = x - i
        if dynamic:
            rem = rem_all[k]
            a_c = base_all[k] * (rem + (1.0 - rem) * Z)
            xc = min(max(a_c, 0.0), c_top) / _C_GRID_STEP
            j = min(int(xc + 1e-9), c_cells - 1)
            w = xc - j
            pair_key = (tday, stim_on, level, j)
            pair = pairs.get(pair_key)
            if pair is None:
                pair = pairs[pair_key] = _grid_tables(cache, course, calm, tday, stim_on,
                                                      level, j)
            t0, t1 = pair
            p0 = t0[i] + (t0[i + 1] - t0[i]) * f
            p1 = t1[i] + (t1[i + 1] - t1[i]) * f
            pain = p0 + (p1 - p0) * w
            calm_pain = t0[0] + (t1[0] - t0[0]) * w
        else:
            key = (tday, stim_on, level)
            if key not in cache:
                cache[key] = _day_pain_table(course, calm, float(tday or 0.0), stim_on,
                                             level).tolist()
            t0 = cache[key]
            pain = t0[i] + (t0[i + 1] - t0[i]) * f
            calm_pain = t0[0]
        load = max(0.0, pain - MOOD_PAIN_THRESHOLD_NRS) / (10.0 - MOOD_PAIN_THRESHOLD_NRS)
        relief = relief_all[k]
        phys = phys_all[k]
        rows.append((pain, calm_pain, A, D, shift, act, limit, float(stim_on), relief, F, M, R,
                     Z, a_c))
        a_raw = min(1.0, ANXIETY_PER_PAIN_LOAD * load) * (1.0 - relief)
        a_inf = a_raw * (1.0 - ca.EDUCATION_ANXIETY_EFFECT * edu)
        d_inf = min(1.0, DEPRESSION_PER_PAIN_LOAD * load) * (1.0 - relief)
        # Pain-related fear follows anxiety (the same state without physiotherapy or
        # education); graded exposure and education lower it.
        f_inf = a_raw * (1.0 - ca.EDUCATION_FEAR_EFFECT * edu) * (
            1.0 - ca.PHYSIO_FEAR_EFFECT * phys / ca.PHYSIO_EFFECT)
        act_inf = 1.0 - AVOIDANCE_PER_PAIN_LOAD * load * (0.5 + 0.5 * F)
        act_inf += phys * (1.0 - act_inf)
        disuse = 1.0 - act
        m_inf = 1.0 - ca.ATROPHY_MAX * disuse
        r_inf = 1.0 - ca.ROM_LOSS_MAX * disuse
        r_inf += phys * (1.0 - r_inf)
        z_inf = min(1.0, load / ca.CENTRALISATION_FULL_LOAD)
        M = m_inf + (M - m_inf) * (decay_m_loss if m_inf < M else decay_m_gain)
        R = r_inf + (R - r_inf) * decay_rom
        Z = z_inf + (Z - z_inf) * (decay_z_up if z_inf > Z else decay_z_down)
        A = a_inf + (A - a_inf) * decay_a
        D = d_inf + (D - d_inf) * decay_d
        F = f_inf + (F - f_inf) * decay_a
        limit = (1.0 - act) + (limit - (1.0 - act)) * decay_lim
        act = act_inf + (act - act_inf) * decay_act
    table = np.array(rows, dtype=float).reshape(n, len(names))
    out = {name: np.ascontiguousarray(table[:, j]) for j, name in enumerate(names)}
    for name in ("compression", "nerve_conduction", "physiotherapy", "education",
                 "axonal_loss", "sural_amplitude_uV"):
        out[name] = care[name]
    for series in out.values():
        series.setflags(write=False)
    day.setflags(write=False)
    return CourseResult(day, out, course)


def _relief_series(course: Course, day: np.ndarray) -> np.ndarray:
    """Fractional reduction of the mood targets on each day: the larger of the
    antidepressant and psychological-therapy reductions [1]."""
    return np.array([max(_antidepressant_factor(course, d), _therapy_factor(course, d))
                     for d in day.tolist()])


def _care_series(course: Course, day: np.ndarray) -> dict[str, np.ndarray]:
    """The closed-form care series on the course grid (:mod:`sim.care`): compression left,
    conduction, physiotherapy and education onsets, axonal loss, sural amplitude, and the
    ongoing C drive before central sensitisation (``c_base``)."""
    pat = course.session.patient
    comp = ca.compression_remaining(day, course.decompression_day)
    if course.decompression_day is not None:
        conduction = 1.0 - ca.conduction_deficit_remaining(day, course.decompression_day)
    else:
        conduction = np.ones_like(day)
    if course.hba1c_pct is not None:
        loss = ca.axonal_loss_at(day, course.hba1c_pct, pat.axonal_loss)
    else:
        loss = np.full_like(day, pat.axonal_loss)
    c_base = pat.ongoing_c_drive + ca.DIABETIC_C_DRIVE_PER_LOSS * (loss - pat.axonal_loss)
    return {"compression": np.asarray(comp, dtype=float), "nerve_conduction": conduction,
            "physiotherapy": ca.physio_effect(day, course.physiotherapy_from_day),
            "education": ca.education_effect(day, course.education_from_day),
            "axonal_loss": loss, "sural_amplitude_uV": ca.sural_amplitude_uV(
                loss, pat.demyelination), "c_base": c_base}


#: Step of the ongoing-C-drive grid on which pain tables are computed when the drive changes
#: over a course (surgery, diabetes), interpolated linearly between grid points [1].
_C_GRID_STEP = 0.1


def _grid_tables(cache: dict, course: Course, calm: Any, tday: float | None, stim_on: bool,
                 level: float, j: int) -> tuple[list[float], list[float]]:
    """The pain tables (over mood shifts) at ongoing C drives j·0.1 and (j + 1)·0.1, each
    computed once per course."""
    tabs = []
    for m in (j, j + 1):
        key = (tday, stim_on, level, m)
        if key not in cache:
            cache[key] = _day_pain_table(course, calm.replace(
                ongoing_c_drive=round(m * _C_GRID_STEP, 6)), float(tday or 0.0), stim_on,
                level).tolist()
        tabs.append(cache[key])
    return tabs[0], tabs[1]
