"""Sessions: a program on a patient for a while, with timed events; one JSON document.

A :class:`Session` holds everything needed to reproduce a simulation: program, patient,
duration, timed events (stimulation on/off, light touch, pinch, injury), treatments other
than stimulation (nerve blocks, neurolysis, drugs, patches: :class:`~sim.treatments.Treatment`)
and model options (which relief mechanisms are switched on, safety limits). It round-trips
through one schema-versioned JSON document (:meth:`Session.to_json` /
:meth:`Session.from_json`), the format shared by the dashboard URL, downloaded files, the CLI
``--config`` option and notebooks.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from sim.params import (Declared, ParameterError, _fmt, _key, _show, document_fields,
                        param_field, validate_fields)
from sim.patients import Patient
from sim.treatments import MAX_TREATMENTS, Treatment
from sim.waveforms import Program

__all__ = ["Event", "ModelOptions", "Session", "SessionResult", "SessionSummary", "run_session",
           "default_events", "SCHEMA_VERSION", "MAX_EVENTS", "MAX_TREATMENTS",
           "MAX_DOCUMENT_BYTES", "Treatment"]

#: Version of the session JSON document. Bump when a field changes meaning.
SCHEMA_VERSION = 1
#: Most events one session may hold (keeps documents and URLs small).
MAX_EVENTS = 50
#: Largest session document accepted [bytes] (uploads, URLs, --config files).
MAX_DOCUMENT_BYTES = 200_000


@document_fields
@dataclass(frozen=True)
class Event(Declared):
    """A timed event from start to stop: stimulation on, a touch, a pinch, an injury, or a
    bedside test (brush, pinprick series, cold, warm, sustained pressure)."""

    kind: str = param_field("event_kind")
    start_s: float = param_field("event_start_s")
    stop_s: float = param_field("event_stop_s")
    intensity: float = param_field("event_intensity")

    def __post_init__(self) -> None:
        validate_fields(self)
        if self.stop_s <= self.start_s:
            raise ParameterError(
                f"event_stop_s={_fmt(self.stop_s)} s must be after event_start_s="
                f"{_fmt(self.start_s)} s ({self.kind} event)", name="event_stop_s",
                value=self.stop_s)


@document_fields
@dataclass(frozen=True)
class ModelOptions(Declared):
    """Model switches: which hypotheses of pain relief are active, and safety limits."""

    mechanism_segmental: bool = param_field("mechanism_segmental")
    mechanism_khz_direct: bool = param_field("mechanism_khz_direct")
    mechanism_burst_supraspinal: bool = param_field("mechanism_burst_supraspinal")
    mechanism_carryover: bool = param_field("mechanism_carryover")
    mechanism_descending_opioid: bool = param_field("mechanism_descending_opioid")
    shannon_k_limit: float = param_field("shannon_k_limit")
    density_limit_uC_per_cm2: float = param_field("density_limit_uC_per_cm2")

    def __post_init__(self) -> None:
        validate_fields(self)


def default_events(duration_s: float) -> tuple[Event, ...]:
    """Stimulation over the middle half of the session (60-180 s of the default 240 s), so
    that pain is seen before, during and after stimulation."""
    return (Event(kind="stimulation", start_s=0.25 * duration_s, stop_s=0.75 * duration_s),)


@dataclass(frozen=True)
class Session:
    """A program on a patient for ``duration_s`` seconds with timed events.

    Attributes
    ----------
    program : Program
        The stimulation program (used while a ``stimulation`` event is on).
    patient : Patient
        The patient.
    duration_s : float
        Simulated time [s] (declared range 1..14400 s).
    events : tuple of Event, optional
        Timed events, at most :data:`MAX_EVENTS`, each within ``0..duration_s``; ``None``
        (the default) means :func:`default_events` (stimulation over the middle half).
    options : ModelOptions
        Mechanism switches and safety limits.
    treatments : tuple of Treatment
        Nerve blocks, neurolysis, drugs, patches or placebo (at most :data:`MAX_TREATMENTS`),
        each starting within ``0..duration_s``; they act on the same fibres and gate as the
        program, so they combine with it (e.g. gabapentin plus SCS).
    stimulation_day : float
        Days the patient has used this program before the session [days] (0..3650): effects
        that build over days (the kHz state of :mod:`sim.gate`) start where that much daily
        use leaves them.
    """

    program: Program = field(default_factory=Program)
    patient: Patient = field(default_factory=Patient)
    duration_s: float = param_field("duration_s")
    events: tuple[Event, ...] | None = None
    stimulation_day: float = param_field("stimulation_day")
    options: ModelOptions = field(default_factory=ModelOptions)
    treatments: tuple[Treatment, ...] = ()

    def __post_init__(self) -> None:
        validate_fields(self)
        for name, cls in (("program", Program), ("patient", Patient),
                          ("options", ModelOptions)):
            if not isinstance(getattr(self, name), cls):
                raise ParameterError(f"{name} must be a {cls.__name__}", name=name)
        events = default_events(self.duration_s) if self.events is None else tuple(self.events)
        if len(events) > MAX_EVENTS:
            raise ParameterError(f"events has {len(events)} entries; at most {MAX_EVENTS} are "
                                 "allowed", name="events", value=len(events))
        for i, ev in enumerate(events):
            if not isinstance(ev, Event):
                raise ParameterError(f"events[{i}] must be an Event", name="events")
            if ev.stop_s > self.duration_s:
                raise ParameterError(
                    f"events[{i}] ({ev.kind}) event_stop_s={_fmt(ev.stop_s)} s is after the "
                    f"end of the session (duration_s={_fmt(self.duration_s)} s)",
                    name="event_stop_s", value=ev.stop_s)
        object.__setattr__(self, "events", tuple(sorted(events, key=lambda e: e.start_s)))
        treatments = tuple(self.treatments)
        if len(treatments) > MAX_TREATMENTS:
            raise ParameterError(f"treatments has {len(treatments)} entries; at most "
                                 f"{MAX_TREATMENTS} are allowed", name="treatments",
                                 value=len(treatments))
        for i, tr in enumerate(treatments):
            if not isinstance(tr, Treatment):
                raise ParameterError(f"treatments[{i}] must be a Treatment", name="treatments")
            if tr.start_s >= self.duration_s:
                raise ParameterError(
                    f"treatments[{i}] ({tr.kind}) treatment_start_s={_fmt(tr.start_s)} s is "
                    f"not before the end of the session (duration_s={_fmt(self.duration_s)} s)",
                    name="treatment_start_s", value=tr.start_s)
        object.__setattr__(self, "treatments", treatments)

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The session document: ``schema_version``, program, patient, duration, events,
        options, treatments and days on the program, as plain JSON types. (``treatments`` and
        ``stimulation_day`` arrived without a schema change: documents without them still
        load, with no treatments and day 0.)"""
        return {
            "schema_version": SCHEMA_VERSION,
            "program": self.program.to_dict(),
            "patient": self.patient.to_dict(),
            "duration_s": self.duration_s,
            "events": [e.to_dict() for e in self.events],
            "options": self.options.to_dict(),
            "treatments": [t.to_dict() for t in self.treatments],
            "stimulation_day": self.stimulation_day,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Session":
        """Build a session from a document; missing parts take defaults, unknown keys and a
        different ``schema_version`` are rejected with a :class:`ParameterError`."""
        if not isinstance(data, Mapping):
            raise ParameterError("a session document must be a JSON object", name="document",
                                 value=data)
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ParameterError(
                f"schema_version={_show(version)} is not supported; this version of "
                f"neuromod-sim reads schema_version {SCHEMA_VERSION}", name="schema_version",
                value=version)
        known = {"schema_version", "program", "patient", "duration_s", "events", "options",
                 "treatments", "stimulation_day"}
        unknown = [k for k in data if k not in known]
        if unknown:
            raise ParameterError(f"{_key(unknown[0])}: unknown key in the session document; "
                                 f"known keys: {', '.join(sorted(known))}",
                                 name=str(unknown[0]))
        kwargs: dict[str, Any] = {}
        if "program" in data:
            kwargs["program"] = Program.from_dict(data["program"])
        if "patient" in data:
            kwargs["patient"] = Patient.from_dict(data["patient"])
        if "options" in data:
            kwargs["options"] = ModelOptions.from_dict(data["options"])
        for key in ("duration_s", "stimulation_day"):
            if key in data:
                kwargs[key] = data[key]
        if "events" in data:
            evs = data["events"]
            if not isinstance(evs, list):
                raise ParameterError("events must be a list of event objects", name="events",
                                     value=evs)
            if len(evs) > MAX_EVENTS:
                raise ParameterError(f"events has {len(evs)} entries; at most {MAX_EVENTS} "
                                     "are allowed", name="events", value=len(evs))
            kwargs["events"] = tuple(Event.from_dict(e) for e in evs)
        if "treatments" in data:
            trs = data["treatments"]
            if not isinstance(trs, list):
                raise ParameterError("treatments must be a list of treatment objects",
                                     name="treatments", value=trs)
            if len(trs) > MAX_TREATMENTS:
                raise ParameterError(f"treatments has {len(trs)} entries; at most "
                                     f"{MAX_TREATMENTS} are allowed", name="treatments",
                                     value=len(trs))
            kwargs["treatments"] = tuple(Treatment.from_dict(t) for t in trs)
        return cls(**kwargs)

    def to_json(self, *, indent: int | None = None) -> str:
        """The session document as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Session":
        """Parse a session document (at most :data:`MAX_DOCUMENT_BYTES`); JSON only, nothing
        is ever executed."""
        if isinstance(text, bytes):
            if len(text) > MAX_DOCUMENT_BYTES:
                raise ParameterError(_too_big(len(text)), name="document")
            text = text.decode("utf-8", errors="replace")
        if not isinstance(text, str):
            raise ParameterError("a session document must be JSON text", name="document")
        size = len(text.encode("utf-8", "surrogatepass"))  # lone surrogates: JSON rejects them
        if size > MAX_DOCUMENT_BYTES:
            raise ParameterError(_too_big(size), name="document")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # ValueError: also a number of > 4300 digits
            msg = getattr(exc, "msg", "nested too deeply" if isinstance(exc, RecursionError)
                          else str(exc).split(":")[0])
            where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
            raise ParameterError(f"the session document is not valid JSON: {msg}{where}",
                                 name="document") from None
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "Session":
        """A copy with top-level fields replaced and validated."""
        return Session(**{**{k: getattr(self, k) for k in
                             ("program", "patient", "duration_s", "events", "options",
                              "treatments", "stimulation_day")},
                          **changes})


def _too_big(n: int) -> str:
    return (f"the session document is {n} bytes; at most {MAX_DOCUMENT_BYTES} bytes are "
            "accepted")


# ============================================================================================
# Running a session: program -> recruitment -> afferent drive -> gate -> percept
# ============================================================================================
#: Largest number of time samples of one session. Up to 30 minutes the grid is the gate's
#: recommended step (``sim.gate.SESSION_DT_S`` = 20 ms); longer sessions use a coarser step so
#: that cost stays linear in duration up to 30 minutes and bounded beyond [A].
MAX_SESSION_SAMPLES = 90_000

#: The kHz field (target of the gate's kHz state, :mod:`sim.gate`) [A]: an empirical,
#: labelled hypothesis. It is the product of a frequency factor h(f) = 1/(1 + (f_½/f)^n),
#: normalised to 1 at 10 kHz, that rises smoothly from nothing at 1 kHz through about a quarter
#: at 5 kHz (Lee et al. 2020 Neuroscience 428:132 [P]: inhibitory interneurons activated at
#: 10 kHz, not at 1 or 5 kHz; slice imaging: activity rising steadily from 1 to 10 kHz,
#: Biomedicines 2024 12:1346 [S]), and a charge factor q = C/(C + C_½) of the charge the
#: program delivers per second, normalised to a clinical 10 kHz program (3 mA, 30 µs: 900 µC/s,
#: the SENZA amplitude range 1-5 mA, Kapural et al. 2015 [P]), with C scaled by the inverse
#: square of the effective distance dCSF + 1 mm [A]. SCS only.
KHZ_HALF_RATE_HZ = 7000.0
#: Steepness n of the frequency factor [1] [A].
KHZ_RATE_EXPONENT = 4.0
#: Rate at which the frequency factor is normalised to 1 [Hz] (the clinical 10 kHz program).
KHZ_REFERENCE_RATE_HZ = 10000.0
#: Charge per second at which the charge factor is half its maximum [µC/s] [A].
KHZ_HALF_CHARGE_RATE_UC_PER_S = 450.0
#: Charge per second of the reference 10 kHz program (3 mA × 30 µs × 10 kHz) [µC/s].
KHZ_REFERENCE_CHARGE_RATE_UC_PER_S = 900.0
#: Dorsal CSF thickness at which the distance factor is 1 [mm] (the presets' 3 mm).
KHZ_REFERENCE_CSF_MM = 3.0
#: Pinch: a strong noxious mechanical stimulus activates Aδ and C nociceptors; its drive per
#: unit intensity [1] (a_δ = a_C = 1.5 × intensity) so that a pinch of intensity 1 is clearly
#: painful in a healthy patient (SCIENCE.md 8.14 uses a_C ≈ 1.5-3 for pinch) [A].
PINCH_DRIVE_PER_INTENSITY = 1.5
#: Injury: injury-level C drive per unit intensity [1]; 2 = the injury of the gate tests,
#: which builds central sensitisation over two minutes [A].
INJURY_C_DRIVE_PER_INTENSITY = 2.0

# Bedside examination (SCIENCE.md 9.2: brush → Aβ; pinprick → Aδ; cold → Aδ cool fibres and
# C cold nociceptors; warm → C warm fibres; sustained pressure → deep Aδ/C [T]). Drives per
# unit intensity (1 = the ordinary bedside stimulus) are teaching assumptions [A], set so that
# the healthy preset feels brush, cool and warmth without pain and a pinprick as sharp.
#: Pinprick: pricks are repeated at 1 Hz while the event lasts, the rate of the temporal-
#: summation (wind-up) test of quantitative sensory testing (Rolke et al. 2006 Pain 123:231,
#: DFNS protocol: 10 pricks at 1/s) [P]; a single prick is an event of 1 s or less.
PINPRICK_RATE_HZ = 1.0
#: Duration of one prick's afferent volley on the session grid [s] [A].
PINPRICK_DURATION_S = 0.1
#: Aδ drive of a prick per unit intensity [1]: sharp "first" pain (SCIENCE.md 3.1) [A].
PINPRICK_ADELTA_PER_INTENSITY = 1.0
#: C drive of a prick per unit intensity [1]: the small C share that, repeated, winds up the
#: projection neuron (SCIENCE.md 4.6) [A].
PINPRICK_C_PER_INTENSITY = 0.3
#: Cold: drive of C cold nociceptors per unit intensity [1] [A]. Innocuous cool (intensity
#: ≤ 1) is held silent centrally by Aδ cool-fibre input; losing those fibres (the patient's
#: ``small_fibre_loss``) removes that inhibition and cool burns: cold allodynia as
#: disinhibition (Ochoa & Yarnitsky 1994 Ann Neurol 36:30; Craig & Bushnell 1994 Science
#: 265:252, thermal grill) [S], labelled a model assumption [A]. Colder stimuli (intensity
#: above 1) exceed what the cool input can hold and hurt everyone (noxious cold).
COLD_C_PER_INTENSITY = 0.8
#: Fraction of the C-cold signal the intact Aδ cool input suppresses, up to intensity 1 [A].
COOL_FIBRE_INHIBITION = 1.0
#: Warm: innocuous warmth (intensity ≤ 1) is carried by C warm fibres to warm-specific
#: neurons, not to the pain pathway; above :data:`HEAT_PAIN_INTENSITY` C heat nociceptors
#: fire (drive per unit intensity above it) [T, A]. Small-fibre loss removes warm input
#: (raised warm-detection threshold, a quantitative-sensory-testing sign) [S].
HEAT_C_PER_INTENSITY = 2.0
#: Intensity at which warmth becomes heat pain [1] (about 45 °C) [A].
HEAT_PAIN_INTENSITY = 1.5
#: Sustained deep pressure: deep Aδ and C afferents (muscle, fascia) [T]; drives per unit
#: intensity [1] [A]. Deep afferents are spared by small-fibre loss of the skin [A].
PRESSURE_ADELTA_PER_INTENSITY = 0.1
PRESSURE_C_PER_INTENSITY = 0.15

#: Window before the first stimulation used for "pain before" [s], and at the end of the
#: stimulation period for "pain during" (the last quarter of it, at most this long) [s].
SUMMARY_WINDOW_S = 30.0
#: Recruited share of the painful dermatome (the part of the dorsal horn the gate models):
#: ``share = 1 − exp(−ρ/ρ_d)`` of the recruited fraction ρ of a class's modelled population
#: [A]. The populations of ``sim.recruitment`` span a whole dorsal column, nerve or pad area;
#: the lead is placed so that the painful dermatome's fibres are among the first recruited,
#: so its share grows fastest at low amplitude and keeps growing, ever more slowly, up to and
#: beyond the comfort limit (clinically: relief follows paresthesia coverage of the painful
#: area, which widens with amplitude). ρ_d = 0.1: about 18 % of the dermatome at the
#: perception threshold (ρ = 2 %), 70-75 % at the tonic preset (1.3 × perception), about 85 %
#: at the discomfort threshold.
DERMATOME_SHARE_FRACTION = 0.18
#: Least pain before stimulation for a percent reduction to mean anything [NRS]: below 1/10
#: there is no pain to relieve (trials enrol patients with at least 4-5/10) [A].
MIN_BASELINE_PAIN_NRS = 1.0
#: Responder: >= 50 % reduction of pain from baseline, as in the trials (SCIENCE.md 6, 7).
RESPONDER_REDUCTION_PCT = 50.0


@dataclass(frozen=True)
class SessionSummary:
    """What a session did, in the terms of a clinical trial.

    Attributes
    ----------
    pain_before_nrs : float
        Mean pain before the first stimulation (the last ``SUMMARY_WINDOW_S``) [0-10].
    pain_during_nrs : float
        Mean pain over the last quarter of the stimulation period (steady state) [0-10];
        NaN without stimulation.
    pain_after_nrs : float
        Mean pain over the last ``SUMMARY_WINDOW_S`` of the session, after stimulation ended
        [0-10]; NaN if stimulation runs to the end.
    pain_reduction_pct : float
        100 · (before − during) / before [%]; NaN without stimulation or when pain before is
        below ``MIN_BASELINE_PAIN_NRS`` (nothing to relieve).
    responder : bool
        Reduction >= 50 %.
    paresthesia : float
        Mean paresthesia intensity during stimulation [0-10].
    paresthesia_felt : bool
        Whether the recruited Aβ activity reaches the perception threshold.
    charge_per_hour_uC : float
        Stimulating charge delivered per hour of stimulation, cycling included [µC/h].
    battery_days : float
        Estimated battery life at this program [days].
    numbness : float
        Mean loss of touch in the treated territory over the "during" window [0-10]
        (10 × the blocked Aβ fraction [A]); 0 without blocks.
    side_effect_burden : str
        Highest qualitative side-effect burden of the session's treatments: ``none``,
        ``low``, ``moderate`` or ``high`` (a labelled teaching output [A], sim.drugs).
    wdr_pct_of_baseline : float
        Output of the wide-dynamic-range neuron during stimulation (the "during" window) as a
        percentage of its rate without stimulation at the same moments (and without the
        effects days of use carry over) [%]: below 100 the stimulation inhibits it, above 100
        its Aβ excitation wins (which is felt as paresthesia, not pain); NaN without
        stimulation.
    discomfort : float
        Mean discomfort during stimulation [0-10]: 0 below the comfort limit.

    Notes
    -----
    With treatments (:attr:`Session.treatments`), "before" is the window before the first
    therapy starts (stimulation or treatment). Without stimulation, "during" is read where the
    treatments act fully: at the peak of a block (start + peak time), or at the end of the
    session for drugs, patches and neurolysis; "after" is the end of a session that runs on
    past that point (a block wearing off).
    """

    pain_before_nrs: float
    pain_during_nrs: float
    pain_after_nrs: float
    pain_reduction_pct: float
    responder: bool
    paresthesia: float
    paresthesia_felt: bool
    charge_per_hour_uC: float
    battery_days: float
    numbness: float = 0.0
    side_effect_burden: str = "none"
    wdr_pct_of_baseline: float = math.nan
    discomfort: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict; NaN and infinity become ``None``."""
        out = {}
        for k in self.__dataclass_fields__:
            v = getattr(self, k)
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            out[k] = v
        return out


#: Units of the series of a :class:`SessionResult`.
SERIES_UNITS: dict[str, str] = {
    "pain_nrs": "NRS 0-10",
    "paresthesia": "0-10",
    "discomfort": "0-10",
    "nociceptive_hz": "Hz",
    "lamina1_hz": "Hz",
    "projection_hz": "Hz",
    "wdr_noci_hz": "Hz",
    "inhibitory_hz": "Hz",
    "excitatory_hz": "Hz",
    "abeta_drive": "1",
    "adelta_drive": "1",
    "c_drive": "1",
    "sensitisation": "1",
    "windup": "1",
    "carryover": "1",
    "khz_state": "1",
    "stim_on": "1",
    "conduction_abeta": "1",
    "conduction_adelta": "1",
    "conduction_c": "1",
    "numbness": "0-10",
}

#: Units of the fields of a :class:`SessionSummary` (``1``: dimensionless, ``""``: a flag or
#: a label).
SUMMARY_UNITS: dict[str, str] = {
    "pain_before_nrs": "NRS 0-10",
    "pain_during_nrs": "NRS 0-10",
    "pain_after_nrs": "NRS 0-10",
    "pain_reduction_pct": "%",
    "responder": "",
    "paresthesia": "0-10",
    "paresthesia_felt": "",
    "charge_per_hour_uC": "µC/h",
    "battery_days": "days",
    "numbness": "0-10",
    "side_effect_burden": "",
    "wdr_pct_of_baseline": "%",
    "discomfort": "0-10",
}


@dataclass(frozen=True)
class SessionResult:
    """Everything a session produced.

    Attributes
    ----------
    session : Session
        The input.
    t_s : ndarray
        Time axis [s].
    series : dict of str to ndarray
        Time series on ``t_s`` (units in :data:`SERIES_UNITS`): the percept (``pain_nrs``,
        ``paresthesia``, ``discomfort``), the dorsal horn (``nociceptive_hz``, what pain is
        read from; ``lamina1_hz``, the nociceptive-specific neurons; ``projection_hz``, the WDR
        neuron with all its input; ``wdr_noci_hz``, its nociceptive share;
        ``inhibitory_hz``, ``excitatory_hz``), ``abeta_drive``, ``adelta_drive``, ``c_drive``
        (total afferent drives into the gate, natural + evoked + ongoing), ``sensitisation``,
        ``windup``, ``carryover``, ``khz_state``, ``stim_on`` (stimulation amplitude fraction
        0-1, ramp and cycling included), and from the
        treatments: ``conduction_abeta``, ``conduction_adelta``, ``conduction_c`` (fraction of
        the treated nerve's fibres of each class that conduct past blocks and lesions, 1
        without) and ``numbness`` (loss of touch, 0-10).
    units : dict of str to str
        Unit of each series.
    summary : SessionSummary
    recruitment : RecruitmentResult
        What the program recruits at full amplitude.
    safety : SafetyReport
    gate : GateResult
        The full gate simulation.
    treatment_report : tuple of TreatmentReport
        One per treatment: dose, qualitative side-effect burden, teaching notes and warnings
        (e.g. a PNS lead beyond a complete block).
    percept : sim.percept.Percept
        What the patient feels (pain, paresthesia, discomfort, the burst affective factor).
    """

    session: Session
    t_s: np.ndarray
    series: dict
    units: dict
    summary: SessionSummary
    recruitment: Any
    safety: Any
    gate: Any
    treatment_report: tuple = ()
    percept: Any = None

    def to_records(self) -> list[dict[str, float]]:
        """Tidy table: one row per time sample with ``t_s`` and every series."""
        cols = {"t_s": self.t_s, **self.series}
        names = list(cols)
        return [dict(zip(names, map(float, row))) for row in zip(*cols.values())]

    def metadata(self) -> dict[str, Any]:
        """The JSON sidecar of :meth:`to_csv` (:mod:`sim.tables`): the columns and the unit of
        each, the session document and its summary."""
        from sim import tables
        names = ["t_s", *self.series]
        return tables.metadata("session-series", [tables.column_name(n) for n in names],
                               tables.column_units(names), session=self.session.to_dict(),
                               summary=self.summary.to_dict())

    def to_csv(self, path: str | None = None) -> str:
        """The tidy table as CSV text: one header row with the unit in each name (``t_s``,
        ``pain_nrs``, ``paresthesia_0to10``, ``nociceptive_hz``; :mod:`sim.tables`), numbers
        to 12 significant digits. Written to ``path`` if given, with the metadata (units,
        session, summary: :meth:`metadata`) in the JSON sidecar ``<path>.json``."""
        from sim.tables import SIGNIFICANT_DIGITS, column_name, write_csv
        names = ["t_s", *self.series]
        data = np.column_stack([self.t_s, *self.series.values()])
        # One %-format over the whole table: the same text as np.savetxt(fmt="%.12g"), faster.
        row = ",".join([f"%.{SIGNIFICANT_DIGITS}g"] * data.shape[1])
        text = (",".join(column_name(n) for n in names) + "\n"
                + "\n".join([row] * data.shape[0]) % tuple(data.ravel().tolist()) + "\n")
        if path is not None:
            write_csv(path, text, self.metadata())
        return text

    def to_dict(self) -> dict[str, Any]:
        """``{"session", "summary", "units", "series": {"t_s": [...], ...}}`` as JSON types
        (plus ``treatments``, the treatment reports, when the session has treatments)."""
        out = {
            "session": self.session.to_dict(),
            "summary": self.summary.to_dict(),
            "units": {"t_s": "s", **self.units},
            "series": {"t_s": self.t_s.tolist(),
                       **{k: v.tolist() for k, v in self.series.items()}},
        }
        if self.treatment_report:
            out["treatments"] = [r.to_dict() for r in self.treatment_report]
        return out

    def to_dataframe(self):
        """The tidy table as a pandas DataFrame (needs pandas: the ``data`` extra)."""
        import pandas as pd
        return pd.DataFrame({"t_s": self.t_s, **self.series})


def session_grid(duration_s: float) -> np.ndarray:
    """Sample times of a session [s]: 20 ms steps, coarser beyond 30 minutes."""
    from sim.gate import SESSION_DT_S
    dt = max(SESSION_DT_S, duration_s / MAX_SESSION_SAMPLES)
    n = int(math.ceil(duration_s / dt - 1e-9))
    return np.arange(n + 1) * (duration_s / n)


def gate_params(patient: Patient):
    """The gate constants of a patient (SCIENCE.md 4.2 defaults, patient fields on top).

    The descending drive is the patient's own plus the shift that anxiety and depression
    cause (:func:`sim.mood.mood_descending_drive`).
    """
    from sim.gate import GateParams
    from sim.mood import mood_descending_drive
    return GateParams(g_inh=patient.inhibition_efficacy, u=patient.abeta_unmasking,
                      a_C_ongoing=patient.ongoing_c_drive, kappa=patient.sensitisation_gain,
                      sensitisation_gain=patient.central_sensitisation_gain,
                      b_desc=patient.descending_drive
                      + mood_descending_drive(patient.anxiety, patient.depression))


@functools.lru_cache(maxsize=4096)
def resting_pain_nrs(patient: Patient) -> float:
    """The patient's untreated pain at rest [NRS]: the gate's steady state with no input but
    the patient's own (ongoing C drive, descending drive, mood), read by the percept."""
    from sim.gate import steady_state_rates
    from sim.percept import pain_nrs
    return float(pain_nrs(steady_state_rates(gate_params(patient)).nociceptive_hz))


def mechanisms(options: ModelOptions) -> frozenset:
    """The gate mechanisms switched on in ``options``."""
    from sim.gate import Mechanism
    table = {
        Mechanism.SEGMENTAL_AB_INHIBITION: options.mechanism_segmental,
        Mechanism.KHZ_DIRECT_INHIBITORY: options.mechanism_khz_direct,
        Mechanism.BURST_SUPRASPINAL: options.mechanism_burst_supraspinal,
        Mechanism.DESCENDING_OPIOID: options.mechanism_descending_opioid,
        Mechanism.INHIBITORY_CARRYOVER: options.mechanism_carryover,
    }
    return frozenset(m for m, on in table.items() if on)


@functools.lru_cache(maxsize=256)
def _recruitment(program: Program, csf_thickness_mm: float, nerve_depth_mm: float):
    from sim.recruitment import recruit
    return recruit(program, csf_thickness_mm=csf_thickness_mm, nerve_depth_mm=nerve_depth_mm)


def dermatome_share(fraction: Any) -> Any:
    """Recruited share of the painful dermatome for a recruited population fraction [1].

    ``1 − exp(−ρ/DERMATOME_SHARE_FRACTION)`` (see :data:`DERMATOME_SHARE_FRACTION`).

    Examples
    --------
    >>> round(float(dermatome_share(0.1)), 3)
    0.632
    """
    return 1.0 - np.exp(-np.asarray(fraction, dtype=float) / DERMATOME_SHARE_FRACTION)


def khz_field(program: Program, csf_thickness_mm: float) -> float:
    """The kHz field of a program at the dorsal horn [1], 0..1 (see :data:`KHZ_HALF_RATE_HZ`).

    Smooth in rate, pulse width and amplitude: nothing at tonic rates, a trace at 1 kHz, about
    a quarter at 5 kHz and 1 for a clinical 10 kHz program at 3 mA over 3 mm of CSF.

    Examples
    --------
    >>> from sim.presets import program
    >>> round(khz_field(program("scs-10khz"), 3.0), 2)
    1.0
    >>> khz_field(program("scs-tonic"), 3.0) < 1e-3
    True
    """
    if program.therapy != "scs" or not program.is_active:
        return 0.0
    f = program.rate_hz

    def h(rate: float) -> float:
        return 1.0 / (1.0 + (KHZ_HALF_RATE_HZ / rate) ** KHZ_RATE_EXPONENT)

    pulses = (program.pulses_per_burst * program.burst_rate_hz if program.pattern == "burst"
              else f)
    charge_rate = program.amplitude_mA * program.pulse_width_us * 1e-3 * pulses  # µC/s
    distance = ((KHZ_REFERENCE_CSF_MM + 1.0) / (csf_thickness_mm + 1.0)) ** 2
    c = charge_rate * distance

    def q(x: float) -> float:
        return x / (x + KHZ_HALF_CHARGE_RATE_UC_PER_S)

    value = h(f) / h(KHZ_REFERENCE_RATE_HZ) * q(c) / q(KHZ_REFERENCE_CHARGE_RATE_UC_PER_S)
    return float(np.clip(value, 0.0, 1.0))


def khz_washin(stimulation_day: float, tau_khz_s: float) -> float:
    """Fraction of the kHz effect present after ``stimulation_day`` days of daily use [1]:
    ``1 − exp(−day/τ_k)`` (:attr:`sim.gate.GateParams.tau_khz_s`)."""
    return 1.0 - math.exp(-stimulation_day * 86400.0 / tau_khz_s)


@dataclass(frozen=True)
class _StimLevel:
    """Afferent effect of the program at one amplitude (memoised per amplitude level)."""

    a_beta_stim_I: float
    a_beta_stim_P: float
    a_delta_stim: float = 0.0
    opioid_drive: float = 0.0
    c_stim: float = 0.0
    khz_field: float = 0.0
    burst_drive: float = 0.0
    paresthesia: float = 0.0
    amplitude_mA: float = 0.0
    rho_abeta: float = 0.0
    rho_adelta: float = 0.0
    rho_c: float = 0.0
    abeta_rate_hz: float = 0.0
    adelta_rate_hz: float = 0.0
    c_rate_hz: float = 0.0


@functools.lru_cache(maxsize=1024)
def _stim_level(program: Program, patient: Patient, fraction: float) -> _StimLevel:
    """What the program at ``fraction`` of its amplitude sends into the dorsal horn."""
    from sim.fibers import FiberClass
    from sim.gate import stim_drives_burst, stim_drives_tonic
    from sim.percept import paresthesia_intensity
    from sim.synapses import tonic_drive

    if not program.is_active or fraction <= 0:
        return _StimLevel(0.0, 0.0)
    prog = program if fraction >= 1 else program.replace(
        amplitude_mA=program.amplitude_mA * fraction)
    rec = _recruitment(prog, patient.csf_thickness_mm, patient.nerve_depth_mm)
    gp = gate_params(patient)
    ab, ad, c = rec[FiberClass.ABETA], rec[FiberClass.ADELTA], rec[FiberClass.C]
    share = {k: float(dermatome_share(r.active_fraction)) for k, r in
             (("ab", ab), ("ad", ad), ("c", c))}
    burst = program.pattern == "burst"
    if burst and ab.active_fraction > 0:
        per_burst = int(np.clip(round(ab.firing_rate_hz / program.burst_rate_hz), 1,
                                program.pulses_per_burst))
        drives = stim_drives_burst(program.rate_hz, per_burst, program.burst_rate_hz,
                                   share["ab"], gp)
    else:
        drives = stim_drives_tonic(ab.firing_rate_hz, share["ab"], gp)
    return _StimLevel(
        a_beta_stim_I=float(drives.a_beta_stim_I), a_beta_stim_P=float(drives.a_beta_stim_P),
        # Recruited thin fibres carry their own (painful) signal through depressing synapses.
        a_delta_stim=float(tonic_drive(ad.firing_rate_hz, share["ad"], gp.U_delta,
                                       gp.tau_rec_delta_s, gp.k_delta)),
        opioid_drive=share["ad"],
        c_stim=float(tonic_drive(c.firing_rate_hz, share["c"], gp.U_C, gp.tau_rec_C_s,
                                 gp.k_C)),
        khz_field=khz_field(prog, patient.csf_thickness_mm),
        burst_drive=float(drives.a_beta_stim_I) if burst and program.therapy == "scs" else 0.0,
        paresthesia=float(paresthesia_intensity(ab.active_fraction, ab.firing_rate_hz)),
        amplitude_mA=float(prog.amplitude_mA),
        rho_abeta=float(ab.active_fraction), rho_adelta=float(ad.active_fraction),
        rho_c=float(c.active_fraction), abeta_rate_hz=float(ab.firing_rate_hz),
        adelta_rate_hz=float(ad.firing_rate_hz), c_rate_hz=float(c.firing_rate_hz),
    )


def _stimulation_level(session: Session, t: np.ndarray) -> np.ndarray:
    """Stimulation amplitude fraction (0-1) at each sample: events x cycling x ramp."""
    level = np.zeros_like(t)
    prog = session.program
    for ev in session.events:
        if ev.kind != "stimulation":
            continue
        on = (t >= ev.start_s) & (t < ev.stop_s)
        since = t - ev.start_s
        frac = np.ones_like(t)
        if prog.duty_cycle < 1:
            frac = np.where(np.mod(since, prog.cycle_on_s + prog.cycle_off_s)
                            < prog.cycle_on_s, 1.0, 0.0)
            since = np.mod(since, prog.cycle_on_s + prog.cycle_off_s)
        if prog.ramp_s > 0:
            frac = frac * np.clip(since / prog.ramp_s, 0.0, 1.0)
        level = np.where(on, np.maximum(level, frac), level)
    return level


#: Amplitude levels at which a ramp is resolved (fractions of the amplitude): 20 steps [A].
_RAMP_LEVELS = 20


def natural_input(events: tuple[Event, ...], patient: Patient, t: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Natural afferent input of the session's events (everything but stimulation).

    Returns ``(a_beta, a_delta, a_C, c_volley_rate_hz)`` on the grid ``t``: touch and brush →
    a_β = intensity; pinch → a_δ = a_C = 1.5 × intensity; injury → a_C = 2 × intensity;
    pinprick → 1 Hz pricks of a_δ = 1 × intensity and a_C = 0.3 × intensity from the
    surviving thin fibres (1 − ``small_fibre_loss``), whose C volleys (1/s × min(I, 1) × the
    surviving fraction, an effective volley rate [A]) wind up the gate; cold →
    a_C = 0.8 · max(0, I − (1 − small_fibre_loss) · min(I, 1)) (cool-fibre disinhibition);
    warm → heat-pain C drive 2 · (I − 1.5) above intensity 1.5 only; pressure → a_δ = 0.1 I,
    a_C = 0.15 I. Constants and sources are the module constants above.
    """
    a_beta = np.zeros_like(t)
    a_delta = np.zeros_like(t)
    a_C = np.zeros_like(t)
    volleys = np.zeros_like(t)
    thin = 1.0 - patient.small_fibre_loss
    dt = float(t[1] - t[0]) if t.size > 1 else 0.0
    for ev in events:
        on = ((t >= ev.start_s) & (t < ev.stop_s)).astype(float)
        i = ev.intensity
        if ev.kind in ("touch", "brush"):
            a_beta = a_beta + on * i
        elif ev.kind == "pinch":
            a_delta = a_delta + on * PINCH_DRIVE_PER_INTENSITY * i
            a_C = a_C + on * PINCH_DRIVE_PER_INTENSITY * i
        elif ev.kind == "injury":
            a_C = a_C + on * INJURY_C_DRIVE_PER_INTENSITY * i
        elif ev.kind == "pinprick":
            if dt <= PINPRICK_DURATION_S:
                since = t - ev.start_s
                prick = on * (np.mod(since, 1.0 / PINPRICK_RATE_HZ) < PINPRICK_DURATION_S - 1e-9)
            else:   # coarse grid (sessions beyond 30 min): the mean of the pricks
                prick = on * PINPRICK_DURATION_S * PINPRICK_RATE_HZ
            a_delta = a_delta + prick * PINPRICK_ADELTA_PER_INTENSITY * i * thin
            a_C = a_C + prick * PINPRICK_C_PER_INTENSITY * i * thin
            volleys = volleys + on * PINPRICK_RATE_HZ * min(i, 1.0) * thin
        elif ev.kind == "cold":
            held = COOL_FIBRE_INHIBITION * thin * min(i, 1.0)
            a_C = a_C + on * COLD_C_PER_INTENSITY * max(0.0, i - held)
        elif ev.kind == "warm":
            a_C = a_C + on * HEAT_C_PER_INTENSITY * max(0.0, i - HEAT_PAIN_INTENSITY) * thin
        elif ev.kind == "pressure":
            a_delta = a_delta + on * PRESSURE_ADELTA_PER_INTENSITY * i
            a_C = a_C + on * PRESSURE_C_PER_INTENSITY * i
    return a_beta, a_delta, a_C, volleys


@dataclass(frozen=True)
class GateDrive:
    """What reaches the dorsal-horn gate during a session, before the gate runs.

    Attributes
    ----------
    inputs : sim.gate.GateInputs
        Drives on the session grid (natural events, stimulation, treatments, expectation).
    params : sim.gate.GateParams
        The patient's gate constants (:func:`gate_params`, mood included).
    initial : sim.gate.GateState
        The gate's state at the start: the kHz state after ``stimulation_day`` days of use.
    effects : sim.treatments.TreatmentEffects or None
        The treatments' effects on the grid (None without treatments).
    level : ndarray
        Stimulation level λ(t) in [0, 1].
    paresthesia : ndarray
        Paresthesia (0-10) from the recruited Aβ activity that reaches the cord.
    discomfort : ndarray
        Discomfort (0-10) of stimulation above the comfort limit.
    burst_drive : ndarray
        Aβ drive of a burst program (the burst supraspinal hypothesis reads it) [1].
    total_C : ndarray
        All C input to the dorsal horn, ongoing included [1].
    """

    inputs: Any
    params: Any
    initial: Any
    effects: Any
    level: np.ndarray
    paresthesia: np.ndarray
    discomfort: np.ndarray
    burst_drive: np.ndarray
    total_C: np.ndarray


def gate_drive(session: Session, t: np.ndarray) -> GateDrive:
    """Steps 1-5 of :func:`run_session`: the gate's inputs on the grid ``t`` (shared with the
    days-to-weeks course of :mod:`sim.mood`, which evaluates them at steady state)."""
    from sim.gate import GateInputs, GateState
    from sim.percept import discomfort_intensity, paresthesia_intensity

    prog, pat = session.program, session.patient
    level = _stimulation_level(session, t)
    # Resolve the amplitude in discrete steps (exact for on/off; 1/20 steps during a ramp).
    q = np.round(level * _RAMP_LEVELS) / _RAMP_LEVELS
    levels = {float(v): _stim_level(prog, pat, float(v)) for v in np.unique(q)}
    idx = np.searchsorted(np.array(sorted(levels)), q)
    table = [levels[v] for v in sorted(levels)]

    def col(name: str) -> np.ndarray:
        return np.array([getattr(s, name) for s in table])[idx]

    a_beta, a_delta, a_C, volleys = natural_input(session.events, pat, t)
    stim_I, stim_P = col("a_beta_stim_I"), col("a_beta_stim_P")
    stim_ad, stim_c, opioid = col("a_delta_stim"), col("c_stim"), col("opioid_drive")
    paresthesia, burst = col("paresthesia"), col("burst_drive")
    gp = gate_params(pat)
    ongoing = gp.a_C_ongoing
    b_desc = 0.0
    fx = None
    if session.treatments:
        from sim.blocks import PERIPHERAL_ECTOPIC_FRACTION as phi
        from sim.treatments import treatment_effects
        fx = treatment_effects(session.treatments, session.duration_s)
        if prog.therapy in ("pns", "tens") and fx.blocks_stimulation:
            stim_I, stim_P, stim_ad, stim_c, opioid, paresthesia = _blocked_stimulation(
                col, fx, gp, stim_I, stim_P, paresthesia_intensity)
        a_beta = a_beta * fx.conduction_abeta
        a_delta = a_delta * fx.conduction_adelta
        a_C = a_C * fx.conduction_c * fx.natural_c
        volleys = volleys * fx.conduction_c * fx.natural_c
        ongoing_now = (ongoing * (1.0 - pat.sympathetic_fraction * fx.sympathetic_block)
                       * (phi * fx.conduction_c * fx.ectopic_peripheral
                          + (1.0 - phi) * fx.ectopic_central))
        total_C = fx.c_transmission * (ongoing_now + a_C + stim_c + fx.extra_c)
        a_C_input = total_C - ongoing
        b_desc = fx.b_desc
    else:
        total_C = ongoing + a_C + stim_c
        a_C_input = a_C + stim_c
    if pat.placebo_response > 0:
        expect = _therapy_on(session, t)
        if fx is not None:
            expect = np.maximum(expect, fx.treated)
        b_desc = b_desc - pat.placebo_response * expect
    inputs = GateInputs(
        t_s=t, a_beta=a_beta, a_beta_stim_I=stim_I, a_beta_stim_P=stim_P, a_delta=a_delta,
        a_delta_stim=stim_ad, a_C=a_C_input, c_volley_rate_hz=volleys,
        khz_field=col("khz_field"), opioid_drive=opioid, b_desc=b_desc)
    full = levels.get(1.0) or _stim_level(prog, pat, 1.0)
    initial = GateState(khz=full.khz_field * khz_washin(session.stimulation_day, gp.tau_khz_s))
    rec = _recruitment(prog, pat.csf_thickness_mm, pat.nerve_depth_mm)
    discomfort = np.asarray(discomfort_intensity(col("amplitude_mA"),
                                                 rec.discomfort_threshold_mA), dtype=float)
    return GateDrive(inputs, gp, initial, fx, level, paresthesia, discomfort, burst,
                     np.asarray(total_C, dtype=float))


def run_session(session: Session) -> SessionResult:
    """Run a session: which fibres fire, what the gate does, what the patient feels.

    Parameters
    ----------
    session : Session
        Program, patient, duration, events, treatments and model options.

    Returns
    -------
    SessionResult
        Series on a 20 ms grid (coarser beyond 30 minutes) and the summary.

    Notes
    -----
    The chain, per sample (cost independent of the pulse rate):

    1. stimulation level λ(t) ∈ [0, 1] from the ``stimulation`` events, the program's cycling
       and its ramp (resolved in 1/20 amplitude steps);
    2. recruitment at λ·amplitude (:func:`sim.recruitment.recruit`, memoised): active Aβ, Aδ
       and C fractions and their following firing rates;
    3. Aβ drive through depressing synapses (:func:`sim.gate.stim_drives_tonic` /
       ``stim_drives_burst``), Aδ and C recruited fractions as drives, the kHz field for
       >= 1 kHz SCS, the burst indicator;
    4. natural events (:func:`natural_input`): touch → a_β = intensity; pinch → a_δ = a_C =
       1.5 × intensity; injury → evoked a_C = 2 × intensity; the bedside tests brush,
       pinprick (1 Hz pricks whose C volleys wind up the gate), cold (cool-fibre
       disinhibition), warm and pressure (constants above, [A]);
    5. treatments (:func:`sim.treatments.treatment_effects`), on the same drives:

       * natural input from the treated territory × the conducting fraction of its class;
       * PNS/TENS-evoked activity, when a block or lesion lies between the lead and the cord:
         of the recruited fraction ρ, min(ρ, f) conducts past a local-anaesthetic block
         (thin fibres block first, thick ones are recruited first) and ρ·f past a lesion;
         SCS is central and never blocked;
       * ongoing C drive a_C,0 · (1 − f_sym·B_sym) · [φ·f_C·k_per + (1 − φ)·k_DRG] + extra,
         with φ = :data:`sim.blocks.PERIPHERAL_ECTOPIC_FRACTION` the peripheral share of
         ectopic firing, f_C the conducting C fraction, k the drug/patch multipliers, f_sym the
         patient's sympathetically maintained fraction and B_sym the ganglion block;
       * all C input to the dorsal horn × the transmission factor (gabapentin); descending
         drive + the drugs' share (antidepressants);
       * expectation: while the patient knowingly receives a therapy (a stimulation event of
         an active program, or any treatment from its start) the descending drive is lowered
         by the patient's ``placebo_response`` (0 in presets; drawn per patient in cohorts).

       The sensitisation state is driven by the net evoked C input (evoked minus any ongoing
       drive a treatment removes), a simplification of the gate's single C input;
    6. the gate (:func:`sim.gate.simulate_gate`) with the patient's constants (anxiety and
       depression shift the descending drive, :func:`sim.mood.mood_descending_drive`) and the
       enabled mechanisms → projection rate → pain NRS; paresthesia from the recruited Aβ activity
       that reaches the cord.
    """
    from sim.gate import simulate_gate
    from sim.percept import perceive
    from sim.safety import safety_report

    if not isinstance(session, Session):
        raise ParameterError("run_session needs a Session", name="session")
    prog, pat = session.program, session.patient
    t = session_grid(session.duration_s)
    d = gate_drive(session, t)
    inputs, gp, fx, level = d.inputs, d.params, d.effects, d.level
    gate = simulate_gate(inputs, gp, mechanisms(session.options), initial=d.initial)
    feel = perceive(gate, paresthesia=d.paresthesia, discomfort=d.discomfort,
                    burst_drive=d.burst_drive)
    if fx is None:
        cond = (_ones(t.size),) * 3
    else:
        cond = (fx.conduction_abeta, fx.conduction_adelta, fx.conduction_c)
    numbness = NUMBNESS_SCALE * (1.0 - cond[0])
    series = {
        "pain_nrs": feel.pain_nrs,
        "paresthesia": feel.paresthesia,
        "discomfort": feel.discomfort,
        "nociceptive_hz": gate.nociceptive_hz,
        "lamina1_hz": gate.N_hz,
        "projection_hz": gate.P_hz,
        "wdr_noci_hz": gate.P_noci_hz,
        "inhibitory_hz": gate.I_hz,
        "excitatory_hz": gate.E_hz,
        "abeta_drive": inputs.a_beta + inputs.a_beta_stim_P,
        "adelta_drive": inputs.a_delta + inputs.a_delta_stim,
        "c_drive": d.total_C,
        "sensitisation": gate.sensitisation,
        "windup": gate.z,
        "carryover": gate.carryover,
        "khz_state": gate.khz,
        "stim_on": level,
        "conduction_abeta": cond[0],
        "conduction_adelta": cond[1],
        "conduction_c": cond[2],
        "numbness": numbness,
    }
    safety = safety_report(prog, shannon_k_limit=session.options.shannon_k_limit,
                           density_limit_uC_per_cm2=session.options.density_limit_uC_per_cm2)
    rec = _recruitment(prog, pat.csf_thickness_mm, pat.nerve_depth_mm)
    untreated, baseline = gate, feel.pain_nrs
    if d.initial.khz > 0:
        # Days of use carry the kHz effect into the session: "before" is the patient's pain
        # without it (the same session from a first day), so the reduction is against the
        # untreated pain, as a trial measures it; so is the WDR reference.
        untreated = simulate_gate(inputs, gp, mechanisms(session.options),
                                  initial=replace(d.initial, khz=0.0))
        baseline = perceive(untreated, burst_drive=d.burst_drive).pain_nrs
    summary = _summarise(session, t, feel, gate, level, safety, rec, numbness, baseline,
                         untreated.P_off_hz)
    report = _treatment_report(session, fx, rec) if session.treatments else ()
    return SessionResult(session, t, series, dict(SERIES_UNITS), summary, rec, safety, gate,
                         report, feel)


#: Numbness (0-10) per unit of blocked Aβ fraction in the treated territory [A]: all touch
#: fibres blocked = 10 ("completely numb").
NUMBNESS_SCALE = 10.0


@functools.lru_cache(maxsize=8)
def _ones(n: int) -> np.ndarray:
    out = np.ones(n)
    out.setflags(write=False)
    return out


def _blocked_stimulation(col, fx, gp, stim_I, stim_P, paresthesia_intensity):
    """PNS/TENS-evoked drives that still reach the cord past proximal blocks and lesions."""
    from sim.synapses import tonic_drive

    def conducting(rho: np.ndarray, cls: str) -> np.ndarray:
        return (np.minimum(rho, getattr(fx, f"stim_ordered_{cls}"))
                * getattr(fx, f"stim_random_{cls}"))

    rho_ab = col("rho_abeta")
    ab = conducting(rho_ab, "abeta")
    share_full = dermatome_share(rho_ab)
    ratio = np.divide(dermatome_share(ab), share_full, out=np.zeros_like(share_full),
                      where=share_full > 0)
    ad = dermatome_share(conducting(col("rho_adelta"), "adelta"))
    c = dermatome_share(conducting(col("rho_c"), "c"))
    a_delta = tonic_drive(col("adelta_rate_hz"), ad, gp.U_delta, gp.tau_rec_delta_s, gp.k_delta)
    a_c = tonic_drive(col("c_rate_hz"), c, gp.U_C, gp.tau_rec_C_s, gp.k_C)
    pares = np.asarray(paresthesia_intensity(ab, col("abeta_rate_hz")), dtype=float)
    return stim_I * ratio, stim_P * ratio, a_delta, a_c, ad, pares


def _therapy_on(session: Session, t: np.ndarray) -> np.ndarray:
    """1 while a stimulation event of an active program runs, else 0."""
    on = np.zeros_like(t)
    if session.program.is_active:
        for ev in session.events:
            if ev.kind == "stimulation":
                on = np.maximum(on, (t >= ev.start_s) & (t < ev.stop_s))
    return on


def _treatment_report(session: Session, fx, rec) -> tuple:
    """Per-treatment reports: dose, side-effect burden and teaching notes."""
    from sim.treatments import TreatmentReport, side_effect_profile

    prog, pat = session.program, session.patient
    out = []
    for tr in session.treatments:
        notes: list[str] = []
        cat = tr.info.category
        if cat in ("local-anaesthetic", "neurolysis"):
            if prog.therapy in ("pns", "tens") and prog.is_active:
                where = "PNS lead lies" if prog.therapy == "pns" else "TENS pads lie"
                if tr.block_site == "proximal":
                    if float(np.min(fx.stim_ordered_abeta * fx.stim_random_abeta)) < 0.05:
                        notes.append(
                            f"The {where} distal to a complete block: the Aβ activity "
                            "evoked there cannot pass the block to reach the spinal cord, so "
                            "stimulation does nothing there: no paresthesia, no gate, no "
                            "relief.")
                    else:
                        notes.append(f"The block lies between the {where.split()[0]} "
                                     f"{where.split()[1]} and the cord: only "
                                     "stimulation-evoked activity in fibres that still "
                                     "conduct reaches the dorsal horn.")
                else:
                    notes.append(f"The {where} between the block and the cord: "
                                 "stimulation still reaches the dorsal horn.")
            elif prog.therapy == "scs" and prog.is_active:
                notes.append("SCS acts on the dorsal columns, central to any peripheral "
                             "block: the block does not stop it.")
        if cat == "local-anaesthetic":
            notes.append("Differential block: thin fibres (C, Aδ: burning and sharp pain, "
                         "temperature) fail before thick Aβ (touch); motor fibres, thicker "
                         f"still, would fail last. Small-fibre order: {tr.block_order} "
                         "(sources disagree).")
        if cat == "ganglion" and pat.sympathetic_fraction == 0:
            notes.append("This patient has no sympathetically maintained pain "
                         "(sympathetic_fraction = 0): the block cannot relieve it.")
        if cat == "neurolysis" and tr.deafferentation_risk:
            notes.append("Deafferentation pain shown (labelled assumption): over the weeks "
                         "after a neurolysis, ectopic and central hyperactivity proximal to "
                         "the lesion can make neuropathic pain worse than before.")
        if pat.placebo_response > 0:
            notes.append(f"Includes this patient's placebo (expectation) response "
                         f"({pat.placebo_response:g}).")
        out.append(TreatmentReport(tr.kind, tr.info.title, tr.dose_text,
                                   side_effect_profile(tr), tuple(notes)))
    return tuple(out)


def _summarise(session: Session, t: np.ndarray, feel, gate, level: np.ndarray, safety, rec,
               numbness: np.ndarray, baseline: np.ndarray,
               wdr_reference: np.ndarray) -> SessionSummary:
    nrs, paresthesia = feel.pain_nrs, feel.paresthesia
    stims = [e for e in session.events if e.kind == "stimulation"]
    active = session.program.is_active and bool(stims)

    def mean_between(t0: float, t1: float, x: np.ndarray = nrs) -> float:
        m = (t >= t0) & (t < t1)
        return float(x[m].mean()) if m.any() else math.nan

    during_window = None
    if session.treatments:
        from sim.treatments import assessment_time_s
        drive = stims if session.program.is_active else []
        first = min([e.start_s for e in drive] + [tr.start_s for tr in session.treatments])
        before = mean_between(max(0.0, first - SUMMARY_WINDOW_S), first, baseline) \
            if first > 0 else math.nan
        end = session.duration_s
        if drive:
            last = max(e.stop_s for e in drive)
            span = last - min(e.start_s for e in drive)
            after_from = last
        else:
            times = [assessment_time_s(tr) for tr in session.treatments]
            last = min(end, max(end if x is None else x for x in times))
            span = last - first
            after_from = last + SUMMARY_WINDOW_S
        during_window = (last - min(SUMMARY_WINDOW_S, 0.25 * span), last)
        during = mean_between(*during_window)
        after = mean_between(max(after_from, end - SUMMARY_WINDOW_S), end) \
            if end - after_from > 1e-9 else math.nan
        active = True
    elif stims:
        first, last = min(e.start_s for e in stims), max(e.stop_s for e in stims)
        before = mean_between(max(0.0, first - SUMMARY_WINDOW_S), first, baseline) \
            if first > 0 else math.nan
        span = last - first
        during_window = (last - min(SUMMARY_WINDOW_S, 0.25 * span), last)
        during = mean_between(*during_window)
        end = session.duration_s
        after = mean_between(max(last, end - SUMMARY_WINDOW_S), end) if end - last > 1e-9 \
            else math.nan
    else:
        before, during, after = float(nrs.mean()), math.nan, math.nan
    if active and math.isfinite(before) and before >= MIN_BASELINE_PAIN_NRS \
            and math.isfinite(during):
        reduction = 100.0 * (before - during) / before
    else:
        reduction = math.nan
    on = level > 0
    pares = float(paresthesia[on].mean()) if on.any() else 0.0
    discomfort = float(feel.discomfort[on].mean()) if on.any() else 0.0
    stim_active = session.program.is_active and bool(stims)
    wdr_pct = math.nan
    if stim_active and stims:
        last = max(e.stop_s for e in stims)
        span = last - min(e.start_s for e in stims)
        window = (last - min(SUMMARY_WINDOW_S, 0.25 * span), last)
        off = mean_between(*window, x=wdr_reference)
        if math.isfinite(off) and off > 1e-9:
            wdr_pct = 100.0 * mean_between(*window, x=gate.P_hz) / off
    duty = session.program.duty_cycle if stim_active else 0.0
    numb = mean_between(*during_window, x=numbness) if during_window else 0.0
    burden = "none"
    if session.treatments:
        from sim.drugs import BURDEN_LEVELS
        from sim.treatments import side_effect_profile
        burden = max((side_effect_profile(tr).burden for tr in session.treatments),
                     key=BURDEN_LEVELS.index)
    return SessionSummary(
        pain_before_nrs=before, pain_during_nrs=during, pain_after_nrs=after,
        pain_reduction_pct=reduction,
        responder=bool(math.isfinite(reduction) and reduction >= RESPONDER_REDUCTION_PCT),
        # a block between a PNS lead and the cord can silence the paresthesia
        paresthesia=pares, paresthesia_felt=bool(stim_active and rec.paresthesia
                                                 and (pares > 0 or not session.treatments)),
        charge_per_hour_uC=safety.charge_rate_uC_per_s * 3600.0 * duty,
        battery_days=safety.battery_life_days,
        numbness=0.0 if not math.isfinite(numb) else numb, side_effect_burden=burden,
        wdr_pct_of_baseline=wdr_pct, discomfort=discomfort)
