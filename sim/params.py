"""Declared parameters: one declaration per user-settable quantity.

Every quantity a user can set (in the dashboard, the CLI, a JSON document or a notebook) is
declared exactly once here, with its unit, range, default, step and a one-line help text for
students. That declaration drives

* validation (:meth:`Param.validate`, raising :class:`ParameterError`),
* the CLI ``--set key=value`` parser (:func:`parse_assignment`),
* the JSON schema of programs, patients and sessions (:func:`json_schema`),
* the dashboard controls and their tooltips.

Nothing else in the code base restates a range or a default: dataclasses take their defaults from
:func:`default` and validate through :func:`validate_fields`.

The ranges are the span of what the devices and the teaching models accept, not clinical advice;
their sources are given in the modules that use the quantities (``waveforms``, ``safety``,
``patients``) and in docs/science.md §1.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from sim.therapies import THERAPY_NAMES

__all__ = [
    "ParameterError",
    "Param",
    "PARAMETERS",
    "declared",
    "default",
    "validate_fields",
    "check_array",
    "parse_assignment",
    "close_names",
    "unknown_name_error",
    "RENAMED_PARAMETERS",
    "current_names",
    "LIST_PARAMETERS_COMMAND",
    "json_schema",
    "Declared",
    "Preset",
    "document_fields",
    "param_field",
    "TREATMENT_KIND_NAMES",
]


class ParameterError(ValueError):
    """A value a user supplied is invalid.

    The message always names the parameter, the offending value, the unit and the allowed range
    (or the allowed choices), e.g. ``pulse_width_us=5000 is outside 10..1000 µs``.

    Attributes
    ----------
    name : str
        The parameter's declared name (``""`` when the error concerns a whole document).
    value : object
        The rejected value.
    """

    def __init__(self, message: str, *, name: str = "", value: Any = None):
        super().__init__(message)
        self.name = name
        self.value = value


def format_number(x: Any) -> str:
    """Short, human formatting of a number (``5000``, ``0.03``, ``1e+04``)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return repr(x)
    try:
        return f"{x:g}"
    except OverflowError:  # an integer beyond the float range: its order of magnitude
        return f"{'-' if x < 0 else ''}~1e{int(abs(int(x)).bit_length() * 0.30103)}"



_fmt = format_number  # the short name used in this module's messages

@dataclass(frozen=True)
class Param:
    """The declaration of one user-settable quantity.

    Parameters
    ----------
    name : str
        Identifier with its unit as suffix (``amplitude_mA``, ``pulse_width_us``).
    unit : str
        Unit as shown to users (``mA``, ``µs``); ``""`` for dimensionless quantities.
    minimum, maximum : float
        Inclusive allowed range (ignored for ``bool``/``choice``/``pattern`` kinds).
    default : object
        Default value.
    step : float
        Natural increment for sliders and sweeps.
    help : str
        One line for students: what the quantity is and what changing it does.
    kind : {"float", "int", "bool", "choice", "pattern", "samples"}
        Value type. ``pattern`` is a string that must match ``pattern``; ``samples`` is a
        sequence of floats within ``minimum..maximum``.
    choices : tuple of str, optional
        Allowed values for ``kind="choice"``.
    pattern : str, optional
        Regular expression for ``kind="pattern"``, with ``pattern_help`` saying it in words.
    log : bool
        Whether a slider or sweep should use a logarithmic scale.
    group : str
        Which object the quantity belongs to (``program``, ``patient``, ``session``, ``model``).
    label : str
        Short human label for controls.
    """

    name: str
    unit: str
    minimum: float
    maximum: float
    default: Any
    step: float
    help: str
    kind: str = "float"
    choices: tuple[str, ...] = ()
    pattern: str = ""
    pattern_help: str = ""
    log: bool = False
    group: str = "program"
    label: str = ""

    @property
    def range_text(self) -> str:
        """The allowed values in words, e.g. ``10..1000 µs`` or ``one of 'scs', 'pns'``."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "pattern":
            return self.pattern_help
        unit = f" {self.unit}" if self.unit else ""
        return f"{_fmt(self.minimum)}..{_fmt(self.maximum)}{unit}"

    def _error(self, value: Any, why: str) -> ParameterError:
        return ParameterError(f"{self.name}={_show(value)} {why}", name=self.name, value=value)

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise :class:`ParameterError`.

        Rejects wrong types (strings for numbers, floats for booleans...), NaN and infinities,
        values outside ``minimum..maximum`` and non-integers for ``kind="int"``.
        """
        kind = self.kind
        if kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise self._error(value, f"must be true or false ({self.help})")
        if kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise self._error(value, f"is not {self.range_text}")
        if kind == "pattern":
            if isinstance(value, str) and re.fullmatch(self.pattern, value):
                return value
            raise self._error(value, f"is invalid: {self.pattern_help}")
        if kind == "samples":
            return self._validate_samples(value)
        return self._validate_number(value)

    def _validate_number(self, value: Any) -> float | int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise self._error(value, f"is not a number; expected {self.range_text}")
        try:
            x = float(value)
        except OverflowError:
            raise self._error(value, f"is outside {self.range_text}") from None
        if not math.isfinite(x):
            raise self._error(value, f"is not a finite number; expected {self.range_text}")
        if self.kind == "int":
            if x != round(x):
                raise self._error(value, f"must be a whole number in {self.range_text}")
            x = int(round(x))
        if not (self.minimum <= x <= self.maximum):
            raise self._error(value, f"is outside {self.range_text}")
        return x

    def _validate_samples(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise self._error(value, f"must be a list of numbers, each in {self.range_text}")
        out = []
        for i, v in enumerate(value):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise self._error(value, f"has a non-number at index {i}: {_show(v)}")
            try:
                x = float(v)
            except OverflowError:
                x = math.inf
            if not math.isfinite(x) or not (self.minimum <= x <= self.maximum):
                raise self._error(
                    value, f"has {_show(v)} at index {i}, outside {self.range_text}"
                )
            out.append(x)
        if len(out) > MAX_CUSTOM_SAMPLES:
            raise self._error(
                f"<{len(out)} samples>", f"has more than {MAX_CUSTOM_SAMPLES} samples"
            )
        return tuple(out)

    def to_schema(self) -> dict[str, Any]:
        """JSON-schema fragment for this parameter (used by :func:`json_schema`)."""
        base: dict[str, Any] = {"description": f"{self.help} [{self.unit or '1'}]"}
        if self.kind == "bool":
            base["type"] = "boolean"
        elif self.kind == "choice":
            base.update(type="string", enum=list(self.choices))
        elif self.kind == "pattern":
            base.update(type="string", pattern=f"^{self.pattern}$")
        elif self.kind == "samples":
            base.update(
                type="array",
                maxItems=MAX_CUSTOM_SAMPLES,
                items={"type": "number", "minimum": self.minimum, "maximum": self.maximum},
            )
        else:
            base.update(
                type="integer" if self.kind == "int" else "number",
                minimum=self.minimum,
                maximum=self.maximum,
            )
        base["default"] = list(self.default) if self.kind == "samples" else self.default
        return base


#: Largest custom pulse shape accepted, in samples (keeps uploads and JSON documents small).
MAX_CUSTOM_SAMPLES = 1000


def format_rejected(value: Any) -> str:
    """Format a rejected value for an error message, truncating huge inputs."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        text = _fmt(value)
    else:
        text = _safe_repr(value)
    return text if len(text) <= 60 else text[:57] + "..."



_show = format_rejected  # the short name used in this module's messages

def _safe_repr(value: Any) -> str:
    """``repr(value)``, or a depth-limited one for values nested too deeply to repr (a
    crafted document): an error message must never fail to build."""
    try:
        return repr(value)
    except RecursionError:
        import reprlib
        return reprlib.Repr().repr(value)


_P: dict[str, Param] = {}


def _declare(**kw: Any) -> Param:
    p = Param(**kw)
    if p.name in _P:  # pragma: no cover - guards the declaration table itself
        raise RuntimeError(f"parameter {p.name} declared twice")
    if p.kind in ("float", "int"):
        assert p.minimum <= p.default <= p.maximum, p.name
    _P[p.name] = p
    return p


# --------------------------------------------------------------------------------------------
# Program: what a clinician programmer sets (docs/science.md §1.1).
# --------------------------------------------------------------------------------------------
_declare(name="therapy", unit="", minimum=0, maximum=0, default="scs", step=0,
         kind="choice", choices=THERAPY_NAMES, label="Therapy",
         help="Where the current goes: spinal cord (SCS), a peripheral nerve (PNS), skin pads "
              "(TENS), dorsal root ganglia (DRG), or no stimulation.")
_declare(name="pattern", unit="", minimum=0, maximum=0, default="tonic", step=0,
         kind="choice", choices=("tonic", "burst"), label="Pattern",
         help="Tonic: evenly spaced pulses at rate_hz. Burst: groups of pulses_per_burst pulses "
              "at rate_hz, repeated at burst_rate_hz.")
_declare(name="shape", unit="", minimum=0, maximum=0, default="biphasic", step=0,
         kind="choice", choices=("biphasic", "asymmetric", "monophasic", "custom"),
         label="Pulse shape",
         help="Biphasic: equal and opposite phases (charge balanced). Asymmetric: short strong "
              "phase, long weak recharge. Monophasic: one phase, NOT charge balanced. Custom: "
              "your own samples.")
_declare(name="amplitude_mA", unit="mA", minimum=0.0, maximum=100.0, default=3.5, step=0.1,
         label="Amplitude",
         help="Peak current of the stimulating (cathodic) phase. More current recruits more and "
              "smaller fibres.")
_declare(name="pulse_width_us", unit="µs", minimum=10.0, maximum=1000.0, default=210.0,
         step=10.0, log=True, label="Pulse width",
         help="Duration of one (cathodic) phase. Longer pulses lower the current needed to fire "
              "a fibre (strength-duration curve).")
_declare(name="rate_hz", unit="Hz", minimum=1.0, maximum=10000.0, default=50.0, step=1.0,
         log=True, label="Rate",
         help="Pulses per second (tonic) or the pulse rate inside a burst.")
_declare(name="interphase_gap_us", unit="µs", minimum=0.0, maximum=100.0, default=20.0,
         step=5.0, label="Interphase gap",
         help="Pause between the cathodic and the charge-balancing phase of a biphasic pulse.")
_declare(name="cathodic_first", unit="", minimum=0, maximum=0, default=True, step=0,
         kind="bool", label="Cathodic first",
         help="Whether the stimulating (negative) phase comes before the recharge phase.")
_declare(name="recharge_ratio", unit="", minimum=1.0, maximum=20.0, default=4.0, step=0.5,
         label="Recharge ratio",
         help="Asymmetric pulses: the recharge phase is this many times longer and this many "
              "times weaker than the cathodic phase (same charge).")
_declare(name="pulses_per_burst", unit="", minimum=1, maximum=20, default=5, step=1,
         kind="int", label="Pulses per burst",
         help="Burst pattern: how many pulses make one burst.")
_declare(name="burst_rate_hz", unit="Hz", minimum=1.0, maximum=500.0, default=40.0, step=1.0,
         label="Burst rate",
         help="Burst pattern: bursts per second.")
_declare(name="cycle_on_s", unit="s", minimum=0.0, maximum=3600.0, default=0.0, step=1.0,
         label="Cycling on",
         help="Cycling: stimulation on-time per cycle; 0 means continuous stimulation.")
_declare(name="cycle_off_s", unit="s", minimum=0.0, maximum=3600.0, default=0.0, step=1.0,
         label="Cycling off",
         help="Cycling: stimulation off-time per cycle (used when cycle_on_s > 0).")
_declare(name="ramp_s", unit="s", minimum=0.0, maximum=60.0, default=0.0, step=0.5,
         label="Ramp-up",
         help="Time over which the amplitude rises from 0 to amplitude_mA when stimulation "
              "starts (softens the onset).")
_declare(name="contacts", unit="", minimum=0, maximum=0, default="000-+000", step=0,
         kind="pattern", pattern=r"(?=[-+0]*-)(?=[-+0]*\+)[-+0]{2,16}", label="Contacts",
         pattern_help="one character per lead contact, '-' cathode, '+' anode, '0' off; "
                      "2 to 16 contacts with at least one '-' and one '+'",
         help="Polarity of each lead contact from tip to tail: '-' cathode (stimulates), "
              "'+' anode (returns current), '0' off.")
_declare(name="contact_area_mm2", unit="mm²", minimum=0.1, maximum=10000.0, default=12.25,
         step=0.25, log=True, label="Contact area",
         help="Geometric area of one active contact; charge density = charge / area. A "
              "percutaneous SCS contact (1.3 mm x 3 mm) is 12.25 mm², a TENS pad 5 x 5 cm is "
              "2500 mm².")
_declare(name="custom_shape", unit="× amplitude", minimum=-1.0, maximum=1.0, default=(),
         step=0.0, kind="samples", label="Custom shape",
         help="Custom pulse: current samples spread evenly over the pulse, in units of "
              "amplitude_mA; negative = cathodic at the active contact.")
_declare(name="impedance_ohm", unit="Ω", minimum=100.0, maximum=5000.0, default=1000.0,
         step=50.0, label="Impedance",
         help="Electrode-tissue load impedance; sets the voltage and power the device needs.")
_declare(name="battery_capacity_mAh", unit="mAh", minimum=10.0, maximum=10000.0,
         default=300.0, step=10.0, log=True, label="Battery capacity",
         help="Usable battery charge of the pulse generator or stimulator.")
_declare(name="overhead_current_uA", unit="µA", minimum=0.0, maximum=1000.0, default=10.0,
         step=1.0, label="Device overhead",
         help="Current the device electronics draw when not stimulating (telemetry, clock).")

_declare(name="lead_distance_mm", unit="mm", minimum=0.5, maximum=30.0, default=5.0, step=0.5,
         log=True, label="Lead-to-nerve distance",
         help="PNS: distance from the lead's active contact to the target nerve. Closer leads "
              "need less current (threshold grows roughly with distance squared).")
_declare(name="lateral_offset_mm", unit="mm", minimum=0.0, maximum=5.0, default=0.0, step=0.25,
         label="Lateral offset",
         help="SCS: how far the lead lies from the physiological midline. Even < 1 mm raises the "
              "dorsal-column threshold and shifts paresthesia to one side.")

_declare(name="lead_level", unit="", minimum=0, maximum=0, default="T9", step=0,
         kind="choice", choices=tuple([f"C{i}" for i in range(2, 8)]
                                      + [f"T{i}" for i in range(1, 13)] + ["L1"]),
         label="Lead level",
         help="SCS: the vertebra over which the lead's cathode lies. The dorsal columns there "
              "carry the dermatomes of the ten segments below it; the roots entering there, a "
              "few. T8-T10 for legs and feet, C5-C7 for the hands.")

_declare(name="loop_mode", unit="", minimum=0, maximum=0, default="open", step=0,
         kind="choice", choices=("open", "closed"), label="Loop",
         help="SCS: open loop delivers the programmed current; closed loop measures the "
              "spinal cord's evoked response (ECAP) at every pulse and adjusts the current to "
              "hold it, so moving or lying down does not change what the patient feels.")
_declare(name="drg_roots", unit="", minimum=0, maximum=0, default="L5:left", step=0,
         kind="pattern",
         pattern=r"(C[2-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5])(-(C[2-8]|T([1-9]|1[0-2])|L[1-5]"
                 r"|S[1-5]))?:(left|right|both)",
         pattern_help="the ganglia's roots and side, e.g. 'L5:left' or 'L4-S1:left'",
         label="DRG leads",
         help="DRG: the dorsal root ganglia with a lead on them (one lead per ganglion), by "
              "root and side. Paresthesia stays in those roots' dermatomes.")

# --------------------------------------------------------------------------------------------
# Patient anatomy that shapes the field (docs/science.md §3.3).
# --------------------------------------------------------------------------------------------
_declare(name="csf_thickness_mm", unit="mm", minimum=1.0, maximum=8.0, default=3.0, step=0.1,
         group="patient", label="Dorsal CSF thickness",
         help="SCS: cerebrospinal fluid between dura and dorsal columns (2-6 mm by level). "
              "Thicker CSF shunts current and raises the perception threshold.")
_declare(name="pain_area", unit="", minimum=0, maximum=0, default="", step=0,
         kind="pattern", group="patient",
         pattern=r"((C[2-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5])(-(C[2-8]|T([1-9]|1[0-2])|L[1-5]"
                 r"|S[1-5]))?:(left|right|both)( (C[2-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5])"
                 r"(-(C[2-8]|T([1-9]|1[0-2])|L[1-5]|S[1-5]))?:(left|right|both))*)?",
         pattern_help="dermatomes and side, e.g. 'L5-S1:left' or 'L4-S1:both T10:right'; "
                      "empty for no painful area",
         label="Painful area",
         help="The painful area as dermatomes (C2 to S5) and side. Stimulation relieves the "
              "pain where its paresthesia covers it.")
_declare(name="nerve_depth_mm", unit="mm", minimum=1.0, maximum=40.0, default=10.0, step=0.5,
         group="patient", label="Nerve depth",
         help="TENS: depth of the painful nerve under the skin pads. Skin afferents lie at "
              "about 1 mm; deep nerves need far more current from the surface.")

# --------------------------------------------------------------------------------------------
# Safety limits (docs/science.md §2): settable, because the limit to apply is a judgement.
# --------------------------------------------------------------------------------------------
_declare(name="shannon_k_limit", unit="", minimum=1.0, maximum=2.5, default=1.85, step=0.05,
         group="safety", label="Shannon k limit",
         help="Shannon (1992) criterion: damage was seen at k >= 1.85; 1.5 is a conservative "
              "choice. Programs with k above this limit are flagged.")
_declare(name="density_limit_uC_per_cm2", unit="µC/cm²", minimum=1.0, maximum=100.0,
         default=30.0, step=1.0, group="safety", label="Charge-density cap",
         help="Manufacturer-style cap on charge density per phase (about 30 µC/cm²).")

# --------------------------------------------------------------------------------------------
# Patient: the state of the nervous system (docs/science.md §4.3; sources in sim.patients).
# --------------------------------------------------------------------------------------------
_declare(name="inhibition_efficacy", unit="", minimum=0.0, maximum=1.0, default=1.0,
         step=0.05, group="patient", label="GABA/glycine inhibition",
         help="Strength of dorsal-horn inhibition (g_inh): 1 = healthy, lower = disinhibition "
              "after nerve injury, which weakens the gate and SCS relief.")
_declare(name="abeta_unmasking", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Aβ→pain unmasking",
         help="Opening of the polysynaptic Aβ → pain pathway (u): above ~0.5 light touch "
              "starts to hurt (allodynia).")
_declare(name="ongoing_c_drive", unit="", minimum=0.0, maximum=2.0, default=0.0, step=0.05,
         group="patient", label="Ongoing C-fibre firing",
         help="Spontaneous (ectopic) firing of injured C fibres, as afferent drive: 1 ≈ a "
              "moderate, constant burning input.")
_declare(name="windup_gain", unit="", minimum=0.0, maximum=5.0, default=1.0, step=0.1,
         group="patient", label="Wind-up gain (NMDA)",
         help="How strongly repeated C input amplifies the projection neuron (κ); 0 mimics an "
              "NMDA antagonist such as ketamine.")
_declare(name="central_sensitisation_gain", unit="", minimum=0.0, maximum=5.0, default=0.0,
         step=0.1, group="patient", label="Central sensitisation",
         help="How strongly a lasting (LTP-like) sensitisation, built by injury-level C input, "
              "amplifies pain: above 0, pain outlasts its cause for minutes.")
_declare(name="descending_drive", unit="", minimum=-1.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Descending modulation",
         help="Net descending drive from brainstem to dorsal horn: negative = inhibition "
              "(e.g. noradrenaline/serotonin), positive = facilitation.")

# --------------------------------------------------------------------------------------------
# Session: duration and timed events.
# --------------------------------------------------------------------------------------------
_declare(name="duration_s", unit="s", minimum=1.0, maximum=14400.0, default=240.0, step=10.0,
         group="session", label="Session length",
         help="Simulated time. Pain and stimulation effects build and wash out over minutes.")
_declare(name="stimulation_day", unit="days", minimum=0.0, maximum=3650.0, default=0.0,
         step=1.0, group="session", label="Days on this program",
         help="How many days the patient has used this program before the session: the "
              "10 kHz effect builds over about a day of stimulation, so a first session shows "
              "only its start (about 90 days is a trial's 3-month follow-up).")
_declare(name="event_kind", unit="", minimum=0, maximum=0, default="stimulation", step=0,
         kind="choice", choices=("stimulation", "touch", "pinch", "injury", "brush",
                                 "pinprick", "cold", "warm", "pressure", "supine", "prone",
                                 "standing"), group="event",
         label="Event",
         help="What happens during the event: the stimulator is on, a light touch, a painful "
              "pinch, an injury (strong C-fibre input), or a bedside test: brush, pinprick "
              "(repeated at 1/s), cold, warm, sustained pressure; or the patient lies "
              "supine or prone or stands (otherwise sitting), which moves the spinal cord "
              "under an SCS lead.")
_declare(name="event_start_s", unit="s", minimum=0.0, maximum=14400.0, default=0.0, step=1.0,
         group="event", label="Event start",
         help="When the event starts, from the beginning of the session.")
_declare(name="event_stop_s", unit="s", minimum=0.0, maximum=14400.0, default=60.0, step=1.0,
         group="event", label="Event stop",
         help="When the event ends (after its start).")
_declare(name="event_intensity", unit="", minimum=0.0, maximum=3.0, default=1.0, step=0.1,
         group="event", label="Intensity",
         help="Strength of a touch, pinch, injury or bedside stimulus as afferent drive (1 = "
              "the ordinary stimulus, e.g. cool not cold; above 1.5 warm is hot); ignored for "
              "stimulation events.")

# --------------------------------------------------------------------------------------------
# Model options: hypotheses of pain relief, each switchable (see sim.gate.Mechanism).
# --------------------------------------------------------------------------------------------
_declare(name="mechanism_segmental", unit="", minimum=0, maximum=0, default=True, step=0,
         kind="bool", group="model", label="Aβ segmental inhibition (gate control)",
         help="Paresthesia-based relief: stimulation-evoked Aβ activity drives inhibitory "
              "interneurons that close the gate (moderate evidence).")
_declare(name="mechanism_khz_direct", unit="", minimum=0, maximum=0, default=True, step=0,
         kind="bool", group="model", label="10 kHz direct dorsal-horn effect",
         help="Hypothesis: kHz fields act directly on dorsal-horn inhibitory interneurons "
              "without firing Aβ fibres (preliminary, contested evidence).")
_declare(name="mechanism_burst_supraspinal", unit="", minimum=0, maximum=0, default=True,
         step=0, kind="bool", group="model", label="Burst supraspinal/affective effect",
         help="Hypothesis: burst SCS modulates medial (affective) pain pathways and descending "
              "control (low evidence).")
_declare(name="mechanism_carryover", unit="", minimum=0, maximum=0, default=True, step=0,
         kind="bool", group="model", label="Carry-over after stimulation",
         help="Hypothesis: relief outlasts stimulation for minutes (slow inhibitory plasticity); "
              "switch off to see pain return at once (low evidence).")
_declare(name="mechanism_descending_opioid", unit="", minimum=0, maximum=0, default=True,
         step=0, kind="bool", group="model", label="Descending opioid inhibition",
         help="Acupuncture-like TENS recruits Aδ fibres that engage brainstem opioid "
              "inhibition: slow onset, long carry-over (moderate animal evidence).")

# --------------------------------------------------------------------------------------------
# Virtual cohorts and random draws.
# --------------------------------------------------------------------------------------------
_declare(name="cohort_n", unit="", minimum=1, maximum=100000, default=200, step=1, kind="int",
         group="cohort", label="Virtual patients",
         help="How many virtual patients a cohort draws; the confidence interval narrows as "
              "1/sqrt(n).")
_declare(name="follow_up_days", unit="days", minimum=0.0, maximum=3650.0, default=90.0,
         step=1.0, group="cohort", label="Follow-up",
         help="When a cohort's outcome is assessed, in days on the program: 90 days is the "
              "3-month primary end point of the 10 kHz trial (SENZA-RCT); PROCESS used 6 "
              "months. Effects that build over days are complete by then.")
_declare(name="pain_flare_nrs", unit="NRS", minimum=-10.0, maximum=10.0, default=0.0,
         step=0.1, group="trial",
         label="Pain at enrolment minus usual pain",
         help="Natural history in a cohort: how far a virtual patient's pain at the baseline "
              "assessment lies above their usual level (patients enrol when their pain is "
              "bad, so it regresses toward the mean afterwards).")
_declare(name="pain_fluctuation_nrs", unit="NRS", minimum=-10.0, maximum=10.0, default=0.0,
         step=0.1, group="trial", label="Pain fluctuation at follow-up",
         help="Natural history in a cohort: month-to-month fluctuation of a virtual patient's "
              "pain at the follow-up assessment.")
_declare(name="trial_fluctuation_nrs", unit="NRS", minimum=-10.0, maximum=10.0, default=0.0,
         step=0.1, group="trial", label="Pain fluctuation at the screening trial",
         help="Natural history in a cohort with a screening trial: how far a virtual "
              "patient's pain at the trial assessment lies from their usual level (drawn "
              "independently of the follow-up's fluctuation).")
_declare(name="seed", unit="", minimum=0, maximum=2**32 - 1, default=0, step=1, kind="int",
         group="cohort", label="Seed",
         help="Seed of the random draw: the same seed gives the same patients and numbers.")


# --------------------------------------------------------------------------------------------
# Treatments other than stimulation: nerve blocks, neurolysis, drugs, patches.
# Per-kind ranges and defaults (e.g. 0.25..2 % for a lidocaine block) live in the kind table of
# sim.treatments, which validates each treatment against its kind; the declarations below give
# the widest span any kind accepts. Sources: sim.blocks, sim.drugs, docs/science.md §5.
# --------------------------------------------------------------------------------------------
#: The names of the treatment kinds, in display order (the choices of ``treatment_kind``; one
#: preset of the same name each, sim.presets). Each kind's table entry, with its ranges and
#: sources, is :data:`sim.treatments.TREATMENT_KINDS`.
TREATMENT_KIND_NAMES = ("lidocaine-block", "bupivacaine-block", "ganglion-block", "phenol",
                        "cryoneurolysis", "radiofrequency", "amitriptyline", "venlafaxine",
                        "gabapentin", "pregabalin", "duloxetine", "tramadol", "morphine",
                        "paracetamol", "ibuprofen", "capsaicin-patch", "lidocaine-patch",
                        "placebo")
_declare(name="treatment_kind", unit="", minimum=0, maximum=0, default="lidocaine-block",
         step=0, kind="choice", choices=TREATMENT_KIND_NAMES, group="treatment", label="Treatment",
         help="Which treatment: a local-anaesthetic nerve block, a sympathetic ganglion block, "
              "a neurolysis (phenol, cryo, radiofrequency), a drug, a skin patch, or a placebo.")
_declare(name="concentration_pct", unit="%", minimum=0.01, maximum=20.0, default=1.0,
         step=0.05, log=True, group="treatment", label="Concentration",
         help="Blocks, phenol and patches: drug concentration of the injected solution or "
              "patch (each kind has its own clinical range, e.g. lidocaine 0.25-2 %).")
_declare(name="dose_mg_per_day", unit="mg/day", minimum=1.0, maximum=5000.0, default=25.0,
         step=5.0, log=True, group="treatment", label="Daily dose",
         help="Oral drugs: total daily dose (each drug has its own range, e.g. gabapentin "
              "300-3600 mg/day). Effects build over days of treatment.")
_declare(name="application_min", unit="min", minimum=5.0, maximum=120.0, default=60.0,
         step=5.0, group="treatment", label="Application time",
         help="Capsaicin 8 % patch: how long the patch stays on (30 min on the feet, 60 min "
              "elsewhere); it burns while applied.")
_declare(name="treatment_start_s", unit="s", minimum=0.0, maximum=14400.0, default=60.0,
         step=1.0, group="treatment", label="Start",
         help="When in the session the block is injected or the patch applied; for drugs and "
              "neurolysis, where the session cuts from the untreated patient to the chosen "
              "treatment day.")
_declare(name="treatment_day", unit="days", minimum=0.0, maximum=365.0, default=0.0,
         step=1.0, group="treatment", label="Treatment day",
         help="Days since the drug was started, the patch applied or the nerve lesioned: drug "
              "effects build over days to weeks, nerves regrow over weeks to months.")
_declare(name="block_site", unit="", minimum=0, maximum=0, default="proximal", step=0,
         kind="choice", choices=("proximal", "distal"), group="treatment",
         label="Block site",
         help="Where a block or lesion lies relative to a PNS lead or TENS pads: proximal = "
              "between them and the spinal cord (stimulation-evoked activity cannot pass), "
              "distal = beyond the lead (the lead still reaches the cord).")
_declare(name="block_order", unit="", minimum=0, maximum=0, default="c-first", step=0,
         kind="choice", choices=("c-first", "adelta-first"), group="treatment",
         label="Small-fibre block order",
         help="Local anaesthetic: which pain fibres fail first. Sources disagree: clinical "
              "texts put C (and sympathetic) fibres first, rat recordings Aδ.")
_declare(name="lesion_fraction", unit="", minimum=0.0, maximum=1.0, default=1.0, step=0.05,
         group="treatment", label="Lesion completeness",
         help="Neurolysis: fraction of the treated nerve's axons the lesion interrupts "
              "(1 = complete; lesions often miss some fibres).")
_declare(name="deafferentation_risk", unit="", minimum=0, maximum=0, default=False, step=0,
         kind="bool", group="treatment", label="Deafferentation pain",
         help="Neurolysis: show the known risk that cutting off input makes neuropathic pain "
              "worse over the following weeks (a labelled modelling assumption).")

# Patient properties that only treatments read.
_declare(name="sympathetic_fraction", unit="", minimum=0.0, maximum=1.0, default=0.0,
         step=0.05, group="patient", label="Sympathetically maintained pain",
         help="Fraction of the ongoing C-fibre drive kept up by sympathetic activity (high in "
              "some CRPS); a sympathetic ganglion block removes it for hours.")
_declare(name="placebo_response", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Placebo (expectation) response",
         help="Descending inhibition that expecting relief adds while the patient knowingly "
              "receives a therapy; 0 in a single session, drawn per patient in cohorts.")


# Patient properties for diagnosis and mood (sources in sim.ncs and sim.mood).
_declare(name="axonal_loss", unit="", minimum=0.0, maximum=0.95, default=0.0, step=0.05,
         group="patient", label="Large-fibre axonal loss",
         help="Fraction of large myelinated sensory axons lost where the nerve is tested "
              "(axonal neuropathy, e.g. diabetic): the conduction-study amplitude falls.")
_declare(name="demyelination", unit="", minimum=0.0, maximum=0.8, default=0.0, step=0.05,
         group="patient", label="Demyelination (slowing)",
         help="Mean fractional slowing of myelinated conduction (demyelinating neuropathy): "
              "velocity falls, latencies lengthen and the response disperses.")
_declare(name="small_fibre_loss", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Small-fibre (Aδ/C) loss",
         help="Fraction of thin Aδ and C fibres lost (skin-biopsy fibre density): invisible to "
              "a conduction study; losing Aδ cool fibres unmasks cold pain (cold allodynia).")
_declare(name="anxiety", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Anxiety",
         help="Anxiety as a slow state (0 = none, 1 = severe): shifts descending modulation "
              "from inhibition toward facilitation, so the same input hurts more.")
_declare(name="depression", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Depression",
         help="Low mood as a slow state (0 = none, 1 = severe): weakens descending "
              "inhibition; sustained pain raises it over days to weeks.")
_declare(name="central_fraction", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Central pain share",
         help="Share of the ongoing pain drive generated in the spinal cord or brain (central "
              "neuropathic pain: spinal cord injury, stroke): peripheral blocks, patches and "
              "nerve stimulation distal to the lesion cannot reach it.")

# Course: days to weeks of pain and mood (model and sources in sim.mood).
_declare(name="course_days", unit="days", minimum=1.0, maximum=3650.0, default=84.0, step=1.0,
         group="course", label="Course length",
         help="Simulated days: mood changes over days to weeks, so the loop between pain and "
              "mood needs weeks to show; diabetic neuropathy needs years (up to 10).")
_declare(name="course_step_h", unit="h", minimum=1.0, maximum=24.0, default=12.0, step=1.0,
         group="course", label="Course time step",
         help="Step of the days-to-weeks simulation; pain at each step is the gate's steady "
              "state, so the cost does not depend on the pulse rate.")
_declare(name="anxiety_tau_days", unit="days", minimum=1.0, maximum=60.0, default=7.0,
         step=1.0, group="course", label="Anxiety time constant",
         help="How fast anxiety follows sustained pain (and relief): days.")
_declare(name="depression_tau_days", unit="days", minimum=1.0, maximum=120.0, default=21.0,
         step=1.0, group="course", label="Depression time constant",
         help="How fast low mood follows sustained pain (and relief): weeks.")
_declare(name="stimulation_from_day", unit="days", minimum=0.0, maximum=365.0, default=28.0,
         step=1.0, group="course", label="Stimulation from day",
         help="Course day the stimulation program is switched on (and then left on).")
_declare(name="psychological_therapy_from_day", unit="days", minimum=0.0, maximum=365.0,
         default=28.0, step=1.0, group="course", label="Psychological therapy from day",
         help="Course day a psychological therapy for mood (e.g. CBT) starts; it acts on "
              "anxiety and depression only.")

# Care over weeks to years (model and sources in sim.care).
_declare(name="decompression_day", unit="days", minimum=0.0, maximum=3650.0, default=28.0,
         step=1.0, group="course", label="Decompression on day",
         help="Course day of surgery that frees a compressed nerve or root (carpal tunnel "
              "release, discectomy): its drive fades over weeks, conduction over months; pain "
              "kept up by central sensitisation stays.")
_declare(name="physiotherapy_from_day", unit="days", minimum=0.0, maximum=3650.0,
         default=28.0, step=1.0, group="course", label="Physiotherapy from day",
         help="Course day graded activity and physiotherapy start: activity, muscle and range "
              "of motion recover, pain-related fear falls.")
_declare(name="education_from_day", unit="days", minimum=0.0, maximum=3650.0, default=28.0,
         step=1.0, group="course", label="Pain education from day",
         help="Course day pain neuroscience education starts: less catastrophising and fear, "
              "less descending facilitation (a labelled assumption).")
_declare(name="hba1c_pct", unit="%", minimum=4.5, maximum=14.0, default=9.1, step=0.1,
         group="course", label="HbA1c",
         help="Glycaemic control of a diabetic patient, held over the course: it sets the "
              "yearly rate of axonal loss (7.2 % vs 9.1 %: about 60 % slower, as in the "
              "DCCT).")

# --------------------------------------------------------------------------------------------
# Sensory nerve conduction study (sources in sim.ncs, docs/science.md §9.1).
# --------------------------------------------------------------------------------------------
_declare(name="ncs_nerve", unit="", minimum=0, maximum=0, default="sural", step=0,
         kind="choice", choices=("sural", "median", "ulnar", "superficial-peroneal"),
         group="ncs", label="Nerve tested",
         help="Sensory nerve of the conduction study: sural (leg, the longest nerve tested, "
              "first affected by length-dependent neuropathy), median or ulnar (hand), "
              "superficial peroneal (foot).")
_declare(name="ncs_distance_mm", unit="mm", minimum=20.0, maximum=500.0, default=140.0,
         step=5.0, group="ncs", label="Conduction distance",
         help="Distance from the stimulating cathode to the active recording electrode; the "
              "standard studies use 140 mm. Longer distances disperse the response.")
_declare(name="ncs_record_distances_mm", unit="mm", minimum=20.0, maximum=500.0, default=(),
         step=5.0, kind="samples", group="ncs", label="Extra recording sites",
         help="Further recording sites along the nerve (distances from the stimulus); with "
              "two or more sites velocity is measured between them.")

# --------------------------------------------------------------------------------------------
# Motor conduction and needle EMG (sources in sim.lesions, sim.motor and sim.emg,
# docs/science.md §9.4-9.6).
# --------------------------------------------------------------------------------------------
_declare(name="lesion_site", unit="", minimum=0, maximum=0, default="none", step=0,
         kind="choice", choices=("none", "median-wrist", "ulnar-elbow",
                                 "peroneal-fibular-head", "l5-root", "s1-root"),
         group="patient", label="Focal lesion site",
         help="Where one nerve or root is damaged (carpal tunnel, ulnar at the elbow, peroneal "
              "at the fibular head, an L5 or S1 root); 'none' for no focal lesion.")
_declare(name="lesion_slowing", unit="", minimum=0.0, maximum=0.9, default=0.0, step=0.05,
         group="patient", label="Focal slowing at the lesion",
         help="Mean fractional slowing of conduction in the damaged segment (focal "
              "demyelination, e.g. compression): latencies across it lengthen.")
_declare(name="lesion_block", unit="", minimum=0.0, maximum=1.0, default=0.0, step=0.05,
         group="patient", label="Conduction block at the lesion",
         help="Fraction of axons that conduct up to the lesion but not across it: the "
              "response to stimulation above the lesion is smaller than below it.")
_declare(name="lesion_axonal_loss", unit="", minimum=0.0, maximum=1.0, default=0.0,
         step=0.05, group="patient", label="Axons lost at the lesion",
         help="Fraction of the axons crossing the lesion that degenerate beyond it: "
              "responses fall and the muscles they supply are denervated.")
_declare(name="lesion_age_days", unit="days", minimum=0.0, maximum=3650.0, default=0.0,
         step=1.0, group="patient", label="Days since the lesion",
         help="Time since the focal lesion began: fibrillations appear 1-3 weeks after "
              "denervation, large reinnervated motor units after months.")
_declare(name="myopathy", unit="", minimum=0.0, maximum=0.9, default=0.0, step=0.05,
         group="patient", label="Myopathy (muscle-fibre loss)",
         help="Fraction of muscle fibres lost from every motor unit (proximal muscles most): "
              "motor-unit potentials become small and short, nerves conduct normally.")
_declare(name="emg_muscle", unit="", minimum=0, maximum=0, default="tibialis-anterior",
         step=0, kind="choice",
         choices=("paraspinal-l5", "paraspinal-s1", "gluteus-medius", "vastus-lateralis",
                  "tibialis-anterior", "tibialis-posterior", "extensor-digitorum-brevis",
                  "gastrocnemius", "abductor-hallucis", "deltoid", "biceps",
                  "abductor-pollicis-brevis", "first-dorsal-interosseous",
                  "abductor-digiti-minimi"),
         group="emg", label="Muscle examined",
         help="Muscle the needle electrode is placed in.")
_declare(name="emg_effort", unit="", minimum=0.0, maximum=0.5, default=0.02, step=0.01,
         group="emg", label="Voluntary effort",
         help="Force the patient makes, as a fraction of a healthy maximum: 0 = at rest "
              "(spontaneous activity), 0.02 = slight effort (motor units, recruitment).")
_declare(name="motor_nerve", unit="", minimum=0, maximum=0, default="median", step=0,
         kind="choice", choices=("median", "ulnar", "peroneal", "tibial"), group="motor",
         label="Motor nerve tested",
         help="Motor nerve of the conduction study, recorded over a muscle it supplies: "
              "median (thumb), ulnar (little finger), peroneal and tibial (foot).")


def declared(group: str | None = None) -> dict[str, Param]:
    """Return the declarations, all or those of one ``group``, in declaration order."""
    return {n: p for n, p in _P.items() if group is None or p.group == group}


#: All declarations by name (read-only view; declare new ones in this module only).
PARAMETERS: Mapping[str, Param] = _P


def default(name: str) -> Any:
    """The declared default of ``name`` (for dataclass field defaults)."""
    return _P[name].default


def param_field(name: str) -> Any:
    """A dataclass field whose default comes from the declaration of ``name``."""
    d = _P[name].default
    if isinstance(d, (list, tuple)):
        return dataclasses.field(default=tuple(d), metadata={"param": name})
    return dataclasses.field(default=d, metadata={"param": name})


def validate_fields(obj: Any) -> None:
    """Validate (and normalise in place) every declared field of a frozen dataclass.

    Fields created with :func:`param_field` are checked against their declaration; the
    normalised value (e.g. ``int`` for integer parameters, ``tuple`` for samples) is written
    back with ``object.__setattr__`` so that instances stay frozen and hashable.
    """
    for f in dataclasses.fields(obj):
        pname = f.metadata.get("param")
        if pname:
            value = _P[pname].validate(getattr(obj, f.name))
            object.__setattr__(obj, f.name, value)


def check_array(
    name: str,
    values: Any,
    unit: str,
    minimum: float,
    maximum: float = math.inf,
    *,
    include_minimum: bool = True,
) -> np.ndarray:
    """Convert ``values`` to a float array and check every element lies in the allowed range.

    Used at the boundary of vectorised model functions (e.g. fibre thresholds), whose array
    arguments are not single declared settings.

    Raises
    ------
    ParameterError
        Naming ``name``, the first bad value, ``unit`` and the range, if any element is NaN,
        infinite or out of range, or if ``values`` is not numeric.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name}={_show(values)} is not numeric; expected {unit} values", name=name,
            value=values) from None
    lo_ok = arr >= minimum if include_minimum else arr > minimum
    bad = ~(np.isfinite(arr) & lo_ok & (arr <= maximum))
    if bad.any():
        v = arr[bad].flat[0] if arr.ndim else float(arr)
        lo = "" if include_minimum else " (exclusive)"
        hi = "" if math.isinf(maximum) else _fmt(maximum)
        raise ParameterError(
            f"{name}={_fmt(float(v))} is outside {_fmt(minimum)}{lo}..{hi or '∞'} {unit}",
            name=name, value=float(v))
    return arr


#: Parameters renamed since an earlier release: old name -> current name. Documents, links
#: and ``--set`` overrides written with an old name still load (the patient's wind-up gain was
#: called ``sensitisation_gain`` in 0.2, a name the gate used for central sensitisation).
RENAMED_PARAMETERS: Mapping[str, str] = {"sensitisation_gain": "windup_gain"}


def current_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with renamed parameters under their current names (:data:`RENAMED_PARAMETERS`;
    a current name already present wins).

    >>> current_names({"sensitisation_gain": 0.5})
    {'windup_gain': 0.5}
    """
    out = {k: v for k, v in data.items() if k not in RENAMED_PARAMETERS}
    for old, new in RENAMED_PARAMETERS.items():
        if old in data and new not in out:
            out[new] = data[old]
    return out


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a CLI ``key=value`` override into ``(name, validated value)``.

    The value is converted according to the declaration (number, integer, boolean, choice,
    contact pattern, or a comma-separated list of samples).
    """
    if "=" not in text:
        raise ParameterError(f"--set {text!r} must have the form key=value", value=text)
    key, raw = (s.strip() for s in text.split("=", 1))
    key = RENAMED_PARAMETERS.get(key, key)
    if key not in _P:
        raise unknown_name_error("--set", key, raw, _P)
    p = _P[key]
    value: Any = raw
    if p.kind in ("float", "int"):
        try:
            value = float(raw)
        except ValueError:
            raise p._error(raw, f"is not a number; expected {p.range_text}") from None
    elif p.kind == "bool":
        low = raw.lower()
        if low in ("true", "1", "yes", "on"):
            value = True
        elif low in ("false", "0", "no", "off"):
            value = False
    elif p.kind == "samples":
        try:
            value = [float(s) for s in raw.split(",") if s.strip()]
        except ValueError:
            raise p._error(raw, "must be comma-separated numbers") from None
    return key, p.validate(value)


#: The command that lists every declared name (named in unknown-name messages).
LIST_PARAMETERS_COMMAND = "neuromod params"


def close_names(name: str, names: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``names`` a user who typed ``name`` probably meant, best first: those
    that start with it (``amplitude`` -> ``amplitude_mA``: the unit suffix left out), then
    the closest spellings (:func:`difflib.get_close_matches`); case is ignored."""
    import difflib

    by_lower = {str(k).lower(): str(k) for k in names}
    typed = name.strip().lower()
    if not typed:
        return []
    found = [k for low, k in by_lower.items() if len(typed) >= 3 and low.startswith(typed)]
    found += [by_lower[low] for low in difflib.get_close_matches(typed, by_lower, n=n,
                                                                 cutoff=0.6)]
    return list(dict.fromkeys(found))[:n]


def unknown_name_error(flag: str, key: str, raw: Any, names: Iterable[str],
                       what: str = "parameter") -> ParameterError:
    """The one-line error for an unknown parameter name typed after ``flag`` (``--set``,
    ``--vary``): the flag, the text typed, the closest names, and where to see them all."""
    near = close_names(key, names)
    hint = (f"did you mean {' or '.join(near)}?" if near else "no similar name")
    return ParameterError(f"{flag} {key}={_short_text(raw)}: unknown {what} {key!r}; {hint} "
                          f"(`{LIST_PARAMETERS_COMMAND}` lists every name with its unit and "
                          "range)", name=key, value=raw)


def _short_text(raw: Any) -> str:
    text = str(raw)
    return text if len(text) <= 40 and text.isprintable() else _short(raw)


def document_fields(cls: type) -> type:
    """Append each declared field's help, unit and range to the class docstring."""
    lines = ["", "", "Parameters", "----------"]
    for f in dataclasses.fields(cls):
        p = PARAMETERS[f.metadata["param"]]
        lines.append(f"{f.name} : {p.kind}")
        lines.append(f"    {p.help} [{p.unit or '1'}; {p.range_text}; default {p.default!r}]")
    cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n".join("    " + s if s else s for s in lines)
    return cls


class Declared:
    """Mixin: dict/JSON round trip for frozen dataclasses of declared parameters."""

    # Every class using the mixin is a dataclass (this tells the type checker so).
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-compatible dict of every field (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """Build from a dict, rejecting unknown keys; missing keys take declared defaults."""
        if not isinstance(data, Mapping):
            raise ParameterError(
                f"{cls.__name__.lower()} must be a JSON object of parameters, "
                f"not {type(data).__name__}", name=cls.__name__.lower(), value=data)
        names = {f.name for f in dataclasses.fields(cls)}
        data = current_names(data)
        unknown = [k for k in data if k not in names]
        if unknown:
            raise ParameterError(
                f"{_key(unknown[0])}={_short(data[unknown[0]])}: unknown {cls.__name__.lower()} "
                f"parameter; known: {', '.join(sorted(names))}", name=str(unknown[0]),
                value=data[unknown[0]])
        return cls(**dict(data))

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied and validated (like :func:`dataclasses.replace`)."""
        bad = [k for k in changes if k not in {f.name for f in dataclasses.fields(self)}]
        if bad:
            raise ParameterError(f"{bad[0]}: unknown {type(self).__name__.lower()} parameter",
                                 name=bad[0])
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def format_key(k: Any) -> str:
    """A document key as shown in a message: itself, or its repr when it would not show
    (empty, blank or unprintable, e.g. ``''``)."""
    return k if isinstance(k, str) and k.strip() and k.isprintable() else _short(k)



_key = format_key  # the short name used in this module's messages

def _short(v: Any) -> str:
    text = _safe_repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named set of declared values: the fields that differ from the defaults.

    Program, patient and treatment presets are subclasses that name their builder
    (``program()``, ``patient()``, ``treatment()``), each a call of :meth:`build`.

    Attributes
    ----------
    name : str
        Preset identifier used everywhere (CLI, dashboard, JSON).
    title : str
        Human title.
    description : str
        What it is and what to look at.
    source : str
        Where the values come from.
    settings : Mapping[str, Any]
        Fields that differ from the declared defaults.
    """

    name: str
    title: str
    description: str
    source: str
    settings: Mapping[str, Any]

    def build(self, cls: type[Declared], **overrides: Any) -> Any:
        """``cls.from_dict`` of the settings with ``overrides`` on top (validated)."""
        return cls.from_dict({**self.settings, **overrides})


def json_schema(group: str) -> dict[str, Any]:
    """JSON schema (draft 2020-12 style) of the declared parameters of ``group``."""
    params = declared(group)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {n: p.to_schema() for n, p in params.items()},
    }
