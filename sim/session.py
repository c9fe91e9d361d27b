"""Sessions: a program on a patient for a while, with timed events; one JSON document.

A :class:`Session` holds everything needed to reproduce a simulation: program, patient,
duration, timed events (stimulation on/off, light touch, pinch, injury) and model options
(which relief mechanisms are switched on, safety limits). It round-trips through one
schema-versioned JSON document (:meth:`Session.to_json` / :meth:`Session.from_json`), the format
shared by the dashboard URL, downloaded files, the CLI ``--config`` option and notebooks.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from sim.params import (Declared, ParameterError, _fmt, document_fields, param_field,
                        validate_fields)
from sim.patients import Patient
from sim.waveforms import Program

__all__ = ["Event", "ModelOptions", "Session", "default_events", "SCHEMA_VERSION", "MAX_EVENTS",
           "MAX_DOCUMENT_BYTES"]

#: Version of the session JSON document. Bump when a field changes meaning.
SCHEMA_VERSION = 1
#: Most events one session may hold (keeps documents and URLs small).
MAX_EVENTS = 50
#: Largest session document accepted [bytes] (uploads, URLs, --config files).
MAX_DOCUMENT_BYTES = 200_000


@document_fields
@dataclass(frozen=True)
class Event(Declared):
    """A timed event: stimulation on, a touch, a pinch or an injury, from start to stop."""

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
    """

    program: Program = field(default_factory=Program)
    patient: Patient = field(default_factory=Patient)
    duration_s: float = param_field("duration_s")
    events: tuple[Event, ...] | None = None
    options: ModelOptions = field(default_factory=ModelOptions)

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

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The session document: ``schema_version``, program, patient, duration, events,
        options, as plain JSON types."""
        return {
            "schema_version": SCHEMA_VERSION,
            "program": self.program.to_dict(),
            "patient": self.patient.to_dict(),
            "duration_s": self.duration_s,
            "events": [e.to_dict() for e in self.events],
            "options": self.options.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Session":
        """Build a session from a document; missing parts take defaults, unknown keys and a
        different ``schema_version`` are rejected with a :class:`ParameterError`."""
        if not isinstance(data, Mapping):
            raise ParameterError("a session document must be a JSON object", value=data)
        version = data.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise ParameterError(
                f"schema_version={version!r} is not supported; this version of neuromod-sim "
                f"reads schema_version {SCHEMA_VERSION}", name="schema_version", value=version)
        known = {"schema_version", "program", "patient", "duration_s", "events", "options"}
        unknown = [k for k in data if k not in known]
        if unknown:
            raise ParameterError(f"{unknown[0]}: unknown key in the session document; known "
                                 f"keys: {', '.join(sorted(known))}", name=str(unknown[0]))
        kwargs: dict[str, Any] = {}
        if "program" in data:
            kwargs["program"] = Program.from_dict(data["program"])
        if "patient" in data:
            kwargs["patient"] = Patient.from_dict(data["patient"])
        if "options" in data:
            kwargs["options"] = ModelOptions.from_dict(data["options"])
        if "duration_s" in data:
            kwargs["duration_s"] = data["duration_s"]
        if "events" in data:
            evs = data["events"]
            if not isinstance(evs, list):
                raise ParameterError("events must be a list of event objects", name="events",
                                     value=evs)
            if len(evs) > MAX_EVENTS:
                raise ParameterError(f"events has {len(evs)} entries; at most {MAX_EVENTS} "
                                     "are allowed", name="events", value=len(evs))
            kwargs["events"] = tuple(Event.from_dict(e) for e in evs)
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
        if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
            raise ParameterError(_too_big(len(text.encode("utf-8"))), name="document")
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = getattr(exc, "msg", "nested too deeply")
            where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
            raise ParameterError(f"the session document is not valid JSON: {msg}{where}",
                                 name="document") from None
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "Session":
        """A copy with top-level fields replaced and validated."""
        return Session(**{**{k: getattr(self, k) for k in
                             ("program", "patient", "duration_s", "events", "options")},
                          **changes})


def _too_big(n: int) -> str:
    return (f"the session document is {n} bytes; at most {MAX_DOCUMENT_BYTES} bytes are "
            "accepted")
