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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.drive import gate_drive, mechanisms, program_recruitment, stimulation_csf_mm
from sim.gate import session_grid
from sim.params import (
    Declared,
    ParameterError,
    document_fields,
    format_key as _key,
    format_number as _fmt,
    format_rejected as _show,
    param_field,
    validate_fields,
)
from sim.patients import Patient
from sim.tables import register_units
from sim.therapies import Therapy, therapy_spec
from sim.treatments import MAX_TREATMENTS, Treatment
from sim.waveforms import Program

if TYPE_CHECKING:  # types of the result's parts (their modules load when a session runs)
    from sim.gate import GateResult
    from sim.percept import Percept
    from sim.recruitment import RecruitmentResult
    from sim.safety import SafetyReport
    from sim.treatments import TreatmentReport

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
            "events": [e.to_dict() for e in self.events or ()],
            "options": self.options.to_dict(),
            "treatments": [t.to_dict() for t in self.treatments],
            "stimulation_day": self.stimulation_day,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
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
    def from_json(cls, text: str | bytes) -> Session:
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
            where = (f" at line {exc.lineno} column {exc.colno}"
                     if isinstance(exc, json.JSONDecodeError) else "")
            raise ParameterError(f"the session document is not valid JSON: {msg}{where}",
                                 name="document") from None
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> Session:
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
#: Window before the first stimulation used for "pain before" [s], and at the end of the
#: stimulation period for "pain during" (the last quarter of it, at most this long) [s].
SUMMARY_WINDOW_S = 30.0
#: Least pain before stimulation for a percent reduction to mean anything [NRS]: below 1/10
#: there is no pain to relieve (trials enrol patients with at least 4-5/10) [A].
MIN_BASELINE_PAIN_NRS = 1.0
#: Responder: >= 50 % reduction of pain from baseline, as in the trials (docs/science.md §6, §7).
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
    coverage_pct : float
        Share of the painful dermatomes in which the program's paresthesia is felt, sitting
        (:func:`sim.placement.coverage`) [%]; NaN without stimulation or painful area.

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
    coverage_pct: float = math.nan

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
    "coverage_pct": "%",
}
register_units(SERIES_UNITS)
register_units(SUMMARY_UNITS)


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
    series: dict[str, np.ndarray]
    units: dict[str, str]
    summary: SessionSummary
    recruitment: RecruitmentResult
    safety: SafetyReport
    gate: GateResult
    treatment_report: tuple[TreatmentReport, ...] = ()
    percept: Percept | None = None

    def to_records(self) -> list[dict[str, float]]:
        """Tidy table: one row per time sample with ``t_s`` and every series."""
        cols = {"t_s": self.t_s, **self.series}
        names = list(cols)
        return [dict(zip(names, map(float, row), strict=True))
                for row in zip(*cols.values(), strict=True)]

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
        out: dict[str, Any] = {
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
    rec = program_recruitment(prog, stimulation_csf_mm(prog, pat), pat.nerve_depth_mm)
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


def _treatment_report(session: Session, fx, rec) -> tuple:
    """Per-treatment reports: dose, side-effect burden and teaching notes."""
    from sim.treatments import TreatmentReport, side_effect_profile

    prog, pat = session.program, session.patient
    out = []
    for tr in session.treatments:
        notes: list[str] = []
        cat = tr.info.category
        if cat in ("local-anaesthetic", "neurolysis"):
            spec = therapy_spec(prog.therapy)
            if spec.peripheral and prog.is_active:
                where = "PNS lead lies" if prog.therapy == Therapy.PNS else "TENS pads lie"
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
            elif prog.therapy == Therapy.SCS and prog.is_active:
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
        if pat.central_fraction > 0:
            from sim.care import central_pain_reason
            why = central_pain_reason(pat, cat)
            if why:
                notes.append(why)
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
    stims = [e for e in session.events or () if e.kind == "stimulation"]
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
        wdr_pct_of_baseline=wdr_pct, discomfort=discomfort,
        coverage_pct=_coverage_pct(session) if active else math.nan)


def _coverage_pct(session: Session) -> float:
    """Paresthesia coverage of the painful area, sitting, at the program's amplitude [%]."""
    from sim.placement import coverage
    return coverage(session.program, session.patient).coverage_pct


# ============================================================================================
# The session document's JSON schema (published as sim/data/session.schema.json)
# ============================================================================================
def _object_schema(cls: type) -> dict[str, Any]:
    """The schema of a declared dataclass: each field's declaration (``param_field``)."""
    from dataclasses import fields

    from sim.params import PARAMETERS

    return {"type": "object", "additionalProperties": False,
            "properties": {f.name: PARAMETERS[f.metadata["param"]].to_schema()
                           for f in fields(cls) if "param" in f.metadata}}


def session_schema() -> dict[str, Any]:
    """JSON schema (draft 2020-12) of the session document (:meth:`Session.to_dict`).

    Every field's type, unit and range come from its declaration in :mod:`sim.params`; absent
    fields take their declared defaults. The schema checks each value on its own: rules that
    tie fields together (a pulse must fit its period, a burst its burst period, ...) are
    checked by :meth:`Session.from_dict`, which is the authority.

    Examples
    --------
    >>> s = session_schema()
    >>> s["properties"]["program"]["properties"]["amplitude_mA"]["maximum"]
    100.0
    """
    from sim.params import PARAMETERS

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "neuromod-sim session document",
        "description": "A program on a patient for a while, with timed events, treatments "
                       "and model options (sim.session.Session). Values are checked one by "
                       "one here; rules between fields are checked by Session.from_dict.",
        "type": "object", "additionalProperties": False,
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "program": _object_schema(Program),
            "patient": _object_schema(Patient),
            "duration_s": PARAMETERS["duration_s"].to_schema(),
            "events": {"type": "array", "maxItems": MAX_EVENTS, "items": _object_schema(Event)},
            "options": _object_schema(ModelOptions),
            "treatments": {"type": "array", "maxItems": MAX_TREATMENTS,
                           "items": _object_schema(Treatment)},
            "stimulation_day": PARAMETERS["stimulation_day"].to_schema(),
        },
    }
