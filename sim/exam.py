"""The bedside examination: brush, pinprick, cold, warm and pressure, and what each evokes.

Each test is a short session (:func:`sim.session.run_session`, stimulator off): 10 s at rest,
the stimulus for 10 s, 10 s after. The stimulus is a session event of the same kind, so the
dashboard, the notebooks and the CLI see the same fibres and the same gate (docs/science.md §9.2):

===========  ==================================  ======================================
stimulus     fibres (docs/science.md §9.2 [T])         what a neuropathic patient can show
===========  ==================================  ======================================
brush        Aβ                                  dynamic mechanical allodynia (unmasking)
pinprick     Aδ (and some C), 10 pricks at 1/s   hyperalgesia; wind-up of the series
cold         Aδ cool fibres, C cold nociceptors  cold allodynia (loss of cool inhibition)
warm         C warm fibres (heat: nociceptors)   loss of warmth (small-fibre loss)
pressure     deep Aδ/C                           pressure hyperalgesia (sensitisation)
===========  ==================================  ======================================

Findings use the words of the clinical examination. Allodynia: pain from a stimulus that does
not normally hurt; hyperalgesia: more pain than normal from one that does; hypoaesthesia:
reduced sensation (IASP terminology, Loeser & Treede 2008 Pain 137:473 [P]). The thresholds
that turn numbers into findings are teaching assumptions [A], stated with each constant.
The pinprick series yields the wind-up ratio of quantitative sensory testing, here the pain
evoked above rest by the last prick over that of the first (Rolke et al. 2006 Pain 123:231,
DFNS protocol: a series of 10 pricks at 1/s against a single prick [P]).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.params import PARAMETERS, ParameterError

__all__ = ["STIMULI", "ExamFinding", "examine", "bedside_exam"]

#: Bedside stimuli: (fibres, default intensity, plain description).
#: Pinprick defaults to a light pin (0.3): in the neuropathic presets a full-strength pin
#: already hurts near the top of the scale, which hides the rise of a series [A].
STIMULI: dict[str, tuple[str, float, str]] = {
    "brush": ("Aβ", 1.0, "a soft brush stroked over the skin"),
    "pinprick": ("Aδ (and some C)", 0.3, "ten pricks with a pin, one per second"),
    "cold": ("Aδ cool fibres and C cold nociceptors", 1.0,
             "a cool object (about 20 °C) held on the skin"),
    "warm": ("C warm fibres", 1.0, "a warm object (about 40 °C) held on the skin"),
    "pressure": ("deep Aδ and C", 1.0, "firm, sustained pressure with a thumb"),
}
#: Timing of every test [s]: rest, stimulus, after.
REST_S, STIMULUS_S, AFTER_S = 10.0, 10.0, 10.0
#: Evoked pain (NRS above rest) from an innocuous stimulus that counts as allodynia [A].
ALLODYNIA_NRS = 1.0
#: Evoked pain above the healthy response that counts as hyperalgesia [NRS] [A].
HYPERALGESIA_NRS = 2.0
#: Detection below this fraction of normal counts as hypoaesthesia / hypoalgesia [1] [A].
HYPOAESTHESIA_FRACTION = 0.7
#: Wind-up ratio above which the series counts as enhanced temporal summation [1] [A]
#: (healthy ratios in this model: about 1.1 at the default pin).
WINDUP_RATIO = 1.5


@dataclass(frozen=True)
class ExamFinding:
    """One bedside test: what was done, what the patient felt, and the clinical word for it.

    Attributes
    ----------
    stimulus : str
        brush, pinprick, cold, warm or pressure.
    intensity : float
        Event intensity used [1].
    fibres : str
        The fibres the stimulus activates.
    detected : float
        Sensation relative to a healthy person [0-1] (surviving fraction of those fibres).
    pain_before_nrs, pain_during_nrs, evoked_nrs : float
        Pain at rest, during the stimulus (the last prick for a pinprick series), and the
        difference [NRS].
    healthy_evoked_nrs : float
        What the same stimulus evokes in the healthy preset [NRS].
    windup_ratio : float or None
        Pinprick only: pain evoked above rest by the last prick / by the first [1].
    finding : str
        normal, allodynia, hyperalgesia, hypoaesthesia, hypoalgesia or wind-up (several
        joined by " + ").
    explanation : str
        One plain-language sentence for students.
    t_s, pain_nrs : ndarray
        The pain trace of the test (0 to 30 s).
    """

    stimulus: str
    intensity: float
    fibres: str
    detected: float
    pain_before_nrs: float
    pain_during_nrs: float
    evoked_nrs: float
    healthy_evoked_nrs: float
    windup_ratio: float | None
    finding: str
    explanation: str
    t_s: np.ndarray = field(repr=False)
    pain_nrs: np.ndarray = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (the trace as lists)."""
        out = {k: getattr(self, k) for k in (
            "stimulus", "intensity", "fibres", "detected", "pain_before_nrs", "pain_during_nrs",
            "evoked_nrs", "healthy_evoked_nrs", "windup_ratio", "finding", "explanation")}
        out["trace"] = {"t_s": self.t_s.tolist(), "pain_nrs": self.pain_nrs.tolist()}
        return out


def _check_stimulus(stimulus: Any) -> str:
    if stimulus not in STIMULI:
        raise ParameterError(f"stimulus={stimulus!r} is not a bedside test; choose one of "
                             f"{', '.join(STIMULI)}", name="stimulus", value=stimulus)
    return stimulus


def _detected(patient: Any, stimulus: str) -> float:
    """Surviving fraction of the fibres that carry the stimulus [1]."""
    if stimulus == "brush":
        return 1.0 - patient.axonal_loss
    if stimulus in ("pinprick", "cold", "warm"):
        return 1.0 - patient.small_fibre_loss
    return 1.0          # deep afferents: spared by a skin small-fibre loss [A]


def _trace(patient: Any, stimulus: str, intensity: float, options: Any):
    from sim.presets import program
    from sim.session import Event, ModelOptions, Session, run_session
    ev = Event(kind=stimulus, start_s=REST_S, stop_s=REST_S + STIMULUS_S, intensity=intensity)
    r = run_session(Session(program=program("off"), patient=patient,
                            duration_s=REST_S + STIMULUS_S + AFTER_S, events=(ev,),
                            options=options or ModelOptions()))
    t, p = r.t_s, r.series["pain_nrs"]
    before = float(p[(t >= REST_S / 2) & (t < REST_S)].mean())
    if stimulus == "pinprick":   # the first and the last prick of the series (peak each)
        first = float(p[(t >= REST_S) & (t < REST_S + 0.5)].max())
        last = float(p[(t >= REST_S + STIMULUS_S - 1.0)
                       & (t < REST_S + STIMULUS_S - 0.5)].max())
        return t, p, before, first, last
    during = float(p[(t >= REST_S + 2.0) & (t < REST_S + STIMULUS_S)].mean())
    return t, p, before, during, during


@functools.lru_cache(maxsize=64)
def _healthy_trace(stimulus: str, intensity: float, options: Any):
    """The healthy preset's response: the reference every finding is compared with."""
    from sim.patients import patient
    return _trace(patient("healthy"), stimulus, intensity, options)


def examine(patient: Any, stimulus: str, intensity: float | None = None, *,
            options: Any = None) -> ExamFinding:
    """Run one bedside test on ``patient`` and name the finding.

    Parameters
    ----------
    patient : sim.patients.Patient
        The patient examined.
    stimulus : {"brush", "pinprick", "cold", "warm", "pressure"}
        The test.
    intensity : float, optional
        Event intensity [1] (declared range of ``event_intensity``); default per
        :data:`STIMULI`.
    options : sim.session.ModelOptions, optional
        Model options (default all mechanisms on).

    Returns
    -------
    ExamFinding

    Raises
    ------
    ParameterError
        Unknown stimulus, intensity out of range, or not a Patient.
    """
    from sim.patients import Patient
    if not isinstance(patient, Patient):
        raise ParameterError("patient must be a Patient", name="patient")
    stimulus = _check_stimulus(stimulus)
    fibres, default_i, _ = STIMULI[stimulus]
    i = default_i if intensity is None else float(PARAMETERS["event_intensity"].validate(
        intensity))
    t, p, before, first, during = _trace(patient, stimulus, i, options)
    _, _, h_before, _, h_during = _healthy_trace(stimulus, i, options)
    evoked, healthy = during - before, h_during - h_before
    detected = _detected(patient, stimulus)
    ratio = None
    words: list[str] = []
    if stimulus == "pinprick":
        ratio = evoked / (first - before) if first - before > 1e-6 else 1.0
    innocuous = stimulus in ("brush", "cold", "warm") and i <= 1.0
    if innocuous and evoked >= ALLODYNIA_NRS and healthy < ALLODYNIA_NRS:
        words.append("allodynia")
    elif not innocuous and evoked >= healthy + HYPERALGESIA_NRS:
        words.append("hyperalgesia")
    if detected < HYPOAESTHESIA_FRACTION:
        words.append("hypoalgesia" if stimulus == "pinprick" and not words
                     else "hypoaesthesia")
    if ratio is not None and ratio >= WINDUP_RATIO:
        words.append("wind-up")
    finding = " + ".join(words) or "normal"
    return ExamFinding(stimulus, i, fibres, detected, before, during, evoked, healthy, ratio,
                       finding, _explain(stimulus, words, evoked, detected, ratio), t, p)


def _explain(stimulus: str, words: list[str], evoked: float, detected: float,
             ratio: float | None) -> str:
    """One sentence a student can read next to the result."""
    parts = []
    if "allodynia" in words and stimulus == "brush":
        parts.append(f"light touch hurts (+{evoked:.1f} NRS): Aβ input reaches the pain "
                     "pathway through unmasked dorsal-horn circuits")
    elif "allodynia" in words and stimulus == "cold":
        parts.append(f"cool burns (+{evoked:.1f} NRS): with the Aδ cool fibres lost, their "
                     "central inhibition of C cold nociceptors is gone")
    elif "allodynia" in words:
        parts.append(f"a normally painless stimulus hurts (+{evoked:.1f} NRS)")
    if "hyperalgesia" in words:
        parts.append(f"it hurts far more than in a healthy person (+{evoked:.1f} NRS)")
    if "hypoaesthesia" in words or "hypoalgesia" in words:
        parts.append(f"it is felt less ({100 * detected:.0f} % of normal): the fibres that "
                     "carry it are lost")
    if "wind-up" in words and ratio is not None:
        parts.append(f"pain builds over the series ({ratio:.1f}× from the first to the last "
                     "prick): wind-up of a sensitised dorsal horn")
    if not parts:
        return "Normal response."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def bedside_exam(patient: Any, *, options: Any = None) -> tuple[ExamFinding, ...]:
    """All five bedside tests at their default intensities, in the order of :data:`STIMULI`."""
    return tuple(examine(patient, s, options=options) for s in STIMULI)
