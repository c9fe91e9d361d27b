"""Browser-held state of the dashboard: form values, URL, uploaded JSON <-> :class:`Session`.

The server keeps no per-user state. Everything a user has set lives in the browser, in three
forms that all map onto the one schema-versioned session document of :mod:`sim.session`:

* the **form**: the raw values of the controls (text typed in number boxes, dropdown choices,
  checklists, event rows). :func:`form_to_session` validates it into a :class:`Session`
  (raising :class:`~sim.params.ParameterError` naming the offending parameter) and
  :func:`session_to_form` writes a session back into it;
* the **store**: ``Session.to_dict()`` of the last *valid* form (what the figures show);
* the **URL**: ``?s=<token>[&a=<token>][&lecture=1]`` where a token is the base64url of the
  deflated JSON of the session's *sparse* document (only what differs from the declared
  defaults), so a link stays short and survives changes of the dashboard's start-up session.
  ``s`` is the current session, ``a`` the pinned comparison session, ``lecture`` the view.
  ``?program=<preset>&patient=<preset>`` is also accepted, for hand-written links.

Everything here is pure (no dash import) and unit-tested directly.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sim.params import PARAMETERS, Param, ParameterError, parse_assignment
from sim.patients import PATIENT_PRESETS, Patient
from sim.presets import PROGRAM_PRESETS
from sim.session import MAX_DOCUMENT_BYTES, MAX_EVENTS, Event, ModelOptions, Session
from sim.therapies import THERAPIES
from sim.waveforms import Program

__all__ = [
    "skip_key", "FORM_PARAMS", "SECTION_OF", "EVENT_COLUMNS", "EVENT_KINDS", "SliderSpec",
    "DEFAULT_PROGRAM_PRESET", "DEFAULT_PATIENT_PRESET", "default_session",
    "display_value", "parse_field", "session_to_form", "form_to_session", "event_rows",
    "treatment_rows", "new_treatment_row", "TREATMENT_COLUMNS", "TREATMENT_OPTIONS",
    "treatment_options",
    "new_event_row", "slider_spec", "to_slider", "from_slider", "sparse_document",
    "pack_session", "unpack_session", "UrlState", "encode_search", "decode_search",
    "decode_upload", "irrelevant_params", "matching_program_preset",
    "matching_patient_preset", "session_from_doc", "session_or_none", "MAX_URL_TOKEN_CHARS",
    "shown_label",
    "user_message", "patient_title", "IMPLANTED_THERAPIES", "shows_battery_life",
]

#: Program and patient shown when the dashboard opens without a link (a typical SCS case).
DEFAULT_PROGRAM_PRESET = "scs-tonic"
DEFAULT_PATIENT_PRESET = "failed-back-surgery"

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
#: Longest URL token accepted [characters]: base64 of a maximal compressed document.
MAX_URL_TOKEN_CHARS = 4 * MAX_DOCUMENT_BYTES // 3 + 4


def _declared_fields(cls: type) -> list[str]:
    return [f.metadata["param"] for f in dataclasses.fields(cls) if "param" in f.metadata]


#: Which part of the session document each form parameter belongs to. Generated from the
#: dataclasses, so a field added to Program, Patient or ModelOptions appears in the dashboard.
SECTION_OF: dict[str, str] = {
    **{n: "program" for n in _declared_fields(Program)},
    **{n: "patient" for n in _declared_fields(Patient)},
    **{n: "options" for n in _declared_fields(ModelOptions)},
    "duration_s": "session",
    "stimulation_day": "session",
}
#: Declarations of every form control, in document order.
FORM_PARAMS: dict[str, Param] = {n: PARAMETERS[n] for n in SECTION_OF}
#: Event row columns: Event field -> declared parameter.
EVENT_COLUMNS: dict[str, str] = {f.name: f.metadata["param"] for f in dataclasses.fields(Event)}
#: Event kinds, from the ``event_kind`` declaration.
EVENT_KINDS: tuple[str, ...] = PARAMETERS["event_kind"].choices


def default_session() -> Session:
    """The session shown when the dashboard opens: ``scs-tonic`` on ``failed-back-surgery``."""
    return Session(program=PROGRAM_PRESETS[DEFAULT_PROGRAM_PRESET].program(),
                   patient=PATIENT_PRESETS[DEFAULT_PATIENT_PRESET].patient())


# --------------------------------------------------------------------------------------------
# Form <-> Session
# --------------------------------------------------------------------------------------------
def _num_text(x: float) -> str:
    """Shortest readable text of a number: ``3.5``, ``10000``, ``0.3`` (float noise removed)."""
    text = f"{float(x):.10g}"
    return text[:-2] if text.endswith(".0") else text


def display_value(param: Param, value: Any) -> Any:
    """The value a control shows for ``value`` of ``param``.

    Numbers, contact patterns and custom samples are shown as text (the user may type any
    text; it is validated on commit); booleans as a checklist value (``["on"]`` or ``[]``);
    choices as themselves.
    """
    if param.kind == "bool":
        return ["on"] if value else []
    if param.kind in ("float", "int"):
        return _num_text(value)
    if param.kind == "samples":
        return ", ".join(_num_text(v) for v in value)
    return value


def parse_field(param: Param, raw: Any) -> Any:
    """Convert a control's raw value to the validated parameter value.

    A number typed with a decimal comma (``2,5``) is not read as 2.5: the message says to use
    a decimal point (a comma before three digits may be a thousands separator, so both
    readings are offered for ``10,000``).

    Raises
    ------
    ParameterError
        With the declaration's message (parameter, value, unit, allowed range).
    """
    if param.kind == "bool":
        if isinstance(raw, (list, tuple)):
            return bool(raw)
        return param.validate(raw)
    if param.kind == "choice":
        return param.validate(raw)
    text = "" if raw is None else str(raw)
    if param.kind == "samples" and not text.strip():
        return param.validate(())
    if param.kind in ("float", "int"):
        hint = _comma_hint(text.strip())
        if hint:
            raise ParameterError(f"{param.name}={text.strip()!r} {hint} (allowed "
                                 f"{param.range_text})", name=param.name, value=raw)
    return parse_assignment(f"{param.name}={text}")[1]


_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+")


def _comma_hint(text: str) -> str:
    """What to type instead of a number written with a comma ('' when ``text`` is not one):
    ``2,5`` -> use a decimal point: 2.5; ``10,000`` may also mean ten thousand."""
    if _DECIMAL_COMMA.fullmatch(text):
        point = text.replace(",", ".")
        if _THOUSANDS.fullmatch(text):
            return (f"has a comma; use a decimal point: {point}, or no thousands "
                    f"separator: {text.replace(',', '')}")
        return f"has a decimal comma; use a decimal point: {point}"
    if _THOUSANDS.fullmatch(text):
        return f"has thousands separators; leave them out: {text.replace(',', '')}"
    return ""


def session_to_form(session: Session) -> dict[str, Any]:
    """Control values (see :func:`display_value`) of every form parameter of ``session``."""
    parts = {"program": session.program, "patient": session.patient,
             "options": session.options}
    out = {}
    for name, p in FORM_PARAMS.items():
        section = SECTION_OF[name]
        value = getattr(session if section == "session" else parts[section], name)
        out[name] = display_value(p, value)
    return out


def event_rows(session: Session) -> list[dict[str, Any]]:
    """The session's events as editable rows of control values, one dict per event."""
    return [{col: display_value(PARAMETERS[pname], getattr(ev, col))
             for col, pname in EVENT_COLUMNS.items()} for ev in session.events or ()]


def new_event_row(duration_s: float) -> dict[str, Any]:
    """A row for a newly added event: a light touch of 10 s in the middle of the session."""
    start = 0.5 * duration_s
    stop = min(duration_s, start + 10.0)
    ev = Event(kind="touch", start_s=round(start, 3), stop_s=round(stop, 3))
    return {col: display_value(PARAMETERS[p], getattr(ev, col))
            for col, p in EVENT_COLUMNS.items()}


#: Columns of a treatment row: kind, its dose (in the unit of the kind's dose parameter),
#: start in the session [s] and days on the treatment (drugs, patches, neurolysis).
TREATMENT_COLUMNS = ("kind", "dose", "start_s", "treatment_day")
#: Options of a treatment shown under its row when its kind takes them
#: (:meth:`sim.treatments.Treatment.accepts`); each is a declared parameter of that name.
TREATMENT_OPTIONS = ("application_min", "block_site", "block_order", "lesion_fraction",
                     "deafferentation_risk")
#: Kind of a row added by "+ add treatment": none yet. The row waits for the user to choose a
#: kind and changes nothing in the simulation until then.
NEW_TREATMENT_KIND = None


def treatment_rows(session: Session) -> list[dict[str, Any]]:
    """The session's treatments as editable rows (blank dose/day = the kind's default)."""
    from sim.treatments import TREATMENT_KINDS
    rows = []
    for tr in session.treatments:
        k = TREATMENT_KINDS[tr.kind]
        dose = getattr(tr, k.dose_param) if k.dose_param else None
        rows.append({
            "kind": tr.kind,
            "dose": "" if dose is None or not k.dose_param
            else display_value(PARAMETERS[k.dose_param], dose),
            "start_s": display_value(PARAMETERS["treatment_start_s"], tr.start_s),
            "treatment_day": "" if tr.treatment_day is None or k.day_range == (0.0, 0.0)
            else display_value(PARAMETERS["treatment_day"], tr.treatment_day),
            **{name: display_value(PARAMETERS[name], getattr(tr, name))
               for name in treatment_options(tr.kind)},
        })
    return rows


def treatment_options(kind: Any) -> tuple[str, ...]:
    """The :data:`TREATMENT_OPTIONS` that treatments of ``kind`` take (none for an unknown
    kind or a value that is not a kind)."""
    from sim.treatments import TREATMENT_KINDS
    return _treatment_options(kind) if isinstance(kind, str) and kind in TREATMENT_KINDS \
        else ()


@cache
def _treatment_options(kind: str) -> tuple[str, ...]:
    from sim.treatments import Treatment
    probe = Treatment(kind=kind)
    return tuple(n for n in TREATMENT_OPTIONS if probe.accepts(n))


def new_treatment_row(duration_s: float) -> dict[str, Any]:
    """A row for a newly added treatment: no kind yet (nothing is simulated until one is
    chosen), starting a quarter into the session."""
    return {"kind": NEW_TREATMENT_KIND, "dose": "",
            "start_s": display_value(PARAMETERS["treatment_start_s"], 0.25 * duration_s),
            "treatment_day": ""}


def _treatments_from_rows(rows: Sequence[Mapping[str, Any]]) -> tuple:
    """Validate treatment rows into :class:`sim.treatments.Treatment` objects; a row whose
    kind is not chosen yet (just added) is left out."""
    from sim.treatments import TREATMENT_KINDS, Treatment
    out = []
    for i, row in enumerate(rows):
        if row.get("kind") in (None, ""):
            continue
        try:
            kind = PARAMETERS["treatment_kind"].validate(row.get("kind"))
            k = TREATMENT_KINDS[kind]
            kw: dict[str, Any] = {"kind": kind, "start_s": parse_field(
                PARAMETERS["treatment_start_s"], row.get("start_s"))}
            if k.dose_param and str(row.get("dose") or "").strip():
                kw[k.dose_param] = parse_field(PARAMETERS[k.dose_param], row["dose"])
            if k.day_range != (0.0, 0.0) and str(row.get("treatment_day") or "").strip():
                kw["treatment_day"] = parse_field(PARAMETERS["treatment_day"],
                                                  row["treatment_day"])
            for name in treatment_options(kind):  # absent (a new kind): its default
                if name in row and (PARAMETERS[name].kind == "bool"
                                    or str(row[name] if row[name] is not None else "").strip()):
                    kw[name] = parse_field(PARAMETERS[name], row[name])
            out.append(Treatment(**kw))
        except ParameterError as exc:
            raise ParameterError(f"treatment {i + 1}: {exc}", name=exc.name,
                                 value=exc.value) from None
    return tuple(out)


def form_to_session(fields: Mapping[str, Any], events: Sequence[Mapping[str, Any]],
                    treatments: Sequence[Mapping[str, Any]] = ()) -> Session:
    """Validate the form into a :class:`Session`.

    Parameters
    ----------
    fields : mapping
        Raw control value per form parameter (missing ones take the declared default).
    events : sequence of mapping
        Raw event rows with the keys of :data:`EVENT_COLUMNS`.
    treatments : sequence of mapping
        Raw treatment rows with the keys of :data:`TREATMENT_COLUMNS`.

    Raises
    ------
    ParameterError
        The first invalid value, named after its parameter (``event_*`` for event rows, with
        the row number in the message).
    """
    parts: dict[str, dict[str, Any]] = {"program": {}, "patient": {}, "options": {},
                                        "session": {}}
    for name, p in FORM_PARAMS.items():
        if name in fields:
            parts[SECTION_OF[name]][name] = parse_field(p, fields[name])
    if len(events) > MAX_EVENTS:
        raise ParameterError(f"events has {len(events)} entries; at most {MAX_EVENTS} are "
                             "allowed", name="events", value=len(events))
    evs = []
    for i, row in enumerate(events):
        try:
            evs.append(Event(**{col: parse_field(PARAMETERS[pname], row.get(col))
                                for col, pname in EVENT_COLUMNS.items()}))
        except ParameterError as exc:
            raise ParameterError(f"event {i + 1}: {exc}", name=exc.name,
                                 value=exc.value) from None
    return Session(program=Program.from_dict(parts["program"]),
                   patient=Patient.from_dict(parts["patient"]),
                   options=ModelOptions.from_dict(parts["options"]),
                   events=tuple(evs), treatments=_treatments_from_rows(treatments),
                   **parts["session"])


@lru_cache(maxsize=256)
def _session_from_json(text: str) -> Session:
    return Session.from_json(text)


def session_or_none(doc: Any) -> Session | None:
    """The session of a store's document; ``None`` for an empty store ({} or None) or an
    invalid document (a tampered store)."""
    if not doc:
        return None
    try:
        return session_from_doc(doc)
    except ParameterError:
        return None


def session_from_doc(doc: Mapping[str, Any] | None) -> Session | None:
    """The :class:`Session` of a stored document (memoised), ``None`` for ``None``.

    Raises
    ------
    ParameterError
        If the document is invalid (e.g. a tampered store).
    """
    if doc is None:
        return None
    return _session_from_json(json.dumps(doc, sort_keys=True, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# Sliders (log scale for ``log=True`` declarations)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SliderSpec:
    """Slider geometry for a numeric parameter: positions are values, or log10 of values.

    Attributes
    ----------
    min, max, step : float
        Slider position range and increment.
    marks : dict
        Position -> label (range ends; decades on log sliders).
    log : bool
        Whether positions are ``log10(value)``.
    """

    min: float
    max: float
    step: float
    marks: dict
    log: bool


def _is_log(p: Param) -> bool:
    return bool(p.log) and p.minimum > 0


def slider_spec(p: Param) -> SliderSpec:
    """The slider geometry of numeric parameter ``p``."""
    if _is_log(p):
        lo, hi = math.log10(p.minimum), math.log10(p.maximum)
        marks = {lo: _num_text(p.minimum), hi: _num_text(p.maximum)}
        for k in range(math.ceil(lo), math.floor(hi) + 1):
            if min(k - lo, hi - k) > 0.12 * (hi - lo):  # keep labels from overlapping
                marks[float(k)] = _num_text(10.0 ** k)
        return SliderSpec(lo, hi, (hi - lo) / 500, marks, True)
    # The slider's grid runs on whole multiples of the step (duration 10 s steps: 10, 20..
    # not 1, 11, 21..); from_slider clips the ends back into the declared range.
    lo = math.floor(p.minimum / p.step + 1e-9) * p.step
    hi = math.ceil(p.maximum / p.step - 1e-9) * p.step
    marks = {lo: _num_text(p.minimum), hi: _num_text(p.maximum)}
    return SliderSpec(lo, hi, p.step, marks, False)


def to_slider(p: Param, value: float) -> float:
    """Slider position of ``value`` (clipped into the declared range)."""
    v = min(max(float(value), p.minimum), p.maximum)
    return math.log10(v) if _is_log(p) else v


def from_slider(p: Param, position: float) -> float | int:
    """The parameter value at slider ``position``, snapped to a readable value.

    Linear sliders snap to whole multiples of the declared step. Log sliders snap to about
    two significant digits (never finer than the declared step), e.g. 213.7 µs -> 210 µs.
    Values are clipped into the declared range.
    """
    if _is_log(p):
        v = 10.0 ** float(position)
        quantum = max(p.step or 0.0, 10.0 ** (math.floor(math.log10(v)) - 1))
        v = round(v / quantum) * quantum
    else:
        v = round(float(position) / p.step) * p.step
    v = round(min(max(v, p.minimum), p.maximum), 10)
    return int(round(v)) if p.kind == "int" else v


# --------------------------------------------------------------------------------------------
# URL
# --------------------------------------------------------------------------------------------
def sparse_document(session: Session) -> dict[str, Any]:
    """The session document without what equals the declared defaults.

    ``Session.from_dict(sparse_document(s)) == s``: missing parts take the same defaults on
    the way back in (events are kept unless they equal the default events of the duration).
    """
    full = session.to_dict()
    default = Session(duration_s=session.duration_s).to_dict()
    out: dict[str, Any] = {"schema_version": full["schema_version"]}
    for part in ("program", "patient", "options"):
        diff = {k: v for k, v in full[part].items() if default[part][k] != v}
        if diff:
            out[part] = diff
    for key in ("duration_s", "stimulation_day"):
        if full[key] != getattr(Session(), key):
            out[key] = full[key]
    if full["events"] != default["events"]:
        out["events"] = full["events"]
    if full.get("treatments"):
        out["treatments"] = full["treatments"]
    return out


def pack_session(session: Session) -> str:
    """URL token of ``session``: base64url (no padding) of its deflated sparse JSON."""
    text = json.dumps(sparse_document(session), separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode().rstrip("=")


def unpack_session(token: str) -> Session:
    """The :class:`Session` of a URL token made by :func:`pack_session`.

    Raises
    ------
    ParameterError
        If the token is too long, not base64url, not deflated data, inflates beyond
        :data:`sim.session.MAX_DOCUMENT_BYTES` (a decompression bomb), or is not a valid
        session document.
    """
    if not isinstance(token, str) or not token:
        raise ParameterError("the link holds no session", name="url")
    if len(token) > MAX_URL_TOKEN_CHARS:
        raise ParameterError(f"the link's session is {len(token)} characters long; at most "
                             f"{MAX_URL_TOKEN_CHARS} are accepted", name="url")
    try:
        if not _B64URL.fullmatch(token):
            raise ValueError(token)
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise ParameterError("the link's session is damaged (not base64url text); was it "
                             "cut short when copied?", name="url") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_DOCUMENT_BYTES + 1)
    except zlib.error:
        raise ParameterError("the link's session is damaged (not compressed session data); "
                             "was it cut short when copied?", name="url") from None
    if len(raw) > MAX_DOCUMENT_BYTES or inflater.unconsumed_tail:
        raise ParameterError(f"the link's session inflates beyond {MAX_DOCUMENT_BYTES} bytes",
                             name="url")
    if not inflater.eof:
        raise ParameterError("the link's session is damaged (truncated); was it cut short "
                             "when copied?", name="url")
    return Session.from_json(raw)


@dataclass(frozen=True)
class UrlState:
    """What a URL query says.

    Attributes
    ----------
    session : Session or None
        The session to show (``None``: the URL does not set one).
    pinned : Session or None
        The pinned comparison session A.
    lecture : bool
        Lecture mode.
    error : str
        Plain-language message when part of the URL could not be read ('' when fine); the
        parts that could be read are still returned.
    """

    session: Session | None = None
    pinned: Session | None = None
    lecture: bool = False
    error: str = ""


def encode_search(session: Session | None, *, pinned: Session | None = None,
                  lecture: bool = False) -> str:
    """The URL query (``?s=...&a=...&lecture=1``) holding the whole state; '' for none."""
    q = []
    if session is not None:
        q.append(("s", pack_session(session)))
    if pinned is not None:
        q.append(("a", pack_session(pinned)))
    if lecture:
        q.append(("lecture", "1"))
    return "?" + urlencode(q) if q else ""


def decode_search(search: str | None) -> UrlState:
    """Read a URL query made by :func:`encode_search` (or ``?program=..&patient=..``).

    Never raises: unreadable parts are reported in :attr:`UrlState.error` and left out.
    """
    if not search or search == "?":
        return UrlState()
    try:
        pairs = parse_qsl(search.lstrip("?"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=16)
    except ValueError:
        return UrlState(error="the link has too many parameters; the default session is shown")
    q = dict(pairs)
    errors, session, pinned = [], None, None
    try:
        if "s" in q:
            session = unpack_session(q["s"])
        elif "program" in q or "patient" in q:
            session = _preset_session(q.get("program"), q.get("patient"))
    except ParameterError as exc:
        errors.append(f"{exc}; the default session is shown instead")
    try:
        if "a" in q:
            pinned = unpack_session(q["a"])
    except ParameterError as exc:
        errors.append(f"pinned configuration A: {exc}; nothing is pinned")
    lecture = q.get("lecture", "0").lower() in ("1", "true", "yes", "on")
    return UrlState(session, pinned, lecture, "; ".join(errors))


def _preset_session(program_name: str | None, patient_name: str | None) -> Session:
    base = default_session()
    prog, pat = base.program, base.patient
    if program_name is not None:
        if program_name not in PROGRAM_PRESETS:
            raise ParameterError(f"program={program_name!r} is not a program preset; choose "
                                 f"one of {', '.join(PROGRAM_PRESETS)}", name="url")
        prog = PROGRAM_PRESETS[program_name].program()
    if patient_name is not None:
        if patient_name not in PATIENT_PRESETS:
            raise ParameterError(f"patient={patient_name!r} is not a patient preset; choose "
                                 f"one of {', '.join(PATIENT_PRESETS)}", name="url")
        pat = PATIENT_PRESETS[patient_name].patient()
    return base.replace(program=prog, patient=pat)


# --------------------------------------------------------------------------------------------
# Upload
# --------------------------------------------------------------------------------------------
def decode_upload(contents: str | None) -> Session:
    """The session in an uploaded file (a ``dcc.Upload`` data URL), validated.

    Raises
    ------
    ParameterError
        If the file is empty, larger than :data:`sim.session.MAX_DOCUMENT_BYTES`, not JSON, or
        not a valid session document (the message names the offending parameter).
    """
    if not contents or not isinstance(contents, str):
        raise ParameterError("the file is empty", name="document")
    _, _, b64 = contents.partition(",")
    if len(b64) > MAX_URL_TOKEN_CHARS:
        raise ParameterError(f"the file is about {len(b64) * 3 // 4} bytes; at most "
                             f"{MAX_DOCUMENT_BYTES} bytes are accepted", name="document")
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ParameterError("the file could not be read (bad upload encoding)",
                             name="document") from None
    if not raw.strip():
        raise ParameterError("the file is empty", name="document")
    return Session.from_json(raw)


# --------------------------------------------------------------------------------------------
# Presentation helpers
# --------------------------------------------------------------------------------------------
def shown_label(p: Param) -> str:
    """A parameter's label as its control shows it: label and unit, e.g. ``Amplitude [mA]``
    (numbers and sample lists carry their unit; choices, switches and patterns do not)."""
    unit = f" [{p.unit}]" if p.unit and p.kind in ("float", "int", "samples") else ""
    return f"{p.label or p.name}{unit}"


@lru_cache(maxsize=1)
def _declared_names() -> re.Pattern:
    names = sorted(PARAMETERS, key=len, reverse=True)  # longest first: no partial matches
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")\b(\s*=\s*)?")


_ROW_INDEX = re.compile(r"\b(event|treatment)s\[(\d+)\]( \([^()]*\)(?= ))?")


def user_message(message: Any) -> str:
    """A validation message (a :class:`~sim.params.ParameterError` or its text) in the words
    of the controls.

    Each declared parameter name becomes its label as shown beside its control
    (:func:`shown_label`): ``amplitude_mA=500 is outside 0..100 mA`` reads
    ``Amplitude [mA] = 500 is outside 0..100 mA``; the value, unit and allowed range stay.
    Names that are plain words (``therapy``, ``contacts``) are replaced only where a value
    follows (``therapy='x'``), so that the rest of the sentence keeps its words; a row index
    ``events[0] (touch)`` reads ``event 1 (touch):``, counting rows from 1 as the editor shows
    them.
    """
    def label(m: re.Match) -> str:
        name, equals = m.group(1), m.group(2)
        if "_" not in name and not equals:
            return m.group(0)
        shown = shown_label(PARAMETERS[name])
        return f"{shown} = " if equals else shown

    def row(m: re.Match) -> str:
        what = f"{m.group(1)} {int(m.group(2)) + 1}"
        return f"{what}{m.group(3)}:" if m.group(3) else what

    text = _ROW_INDEX.sub(row, str(message))
    return _declared_names().sub(label, text)


def patient_title(patient: Patient | str | None) -> str:
    """The title of the patient preset equal to ``patient`` (a :class:`Patient` or a preset
    name), else ``"custom patient"``."""
    if isinstance(patient, Patient):
        patient = matching_patient_preset(patient)
    preset = PATIENT_PRESETS.get(patient) if isinstance(patient, str) else None
    return preset.title if preset is not None else "custom patient"


#: Therapies whose battery life the dashboard states: those with an implanted lead, SCS and
#: PNS (whose generator is implanted or worn, depending on the system). A TENS unit is
#: external, on skin pads: its batteries are simply swapped.
IMPLANTED_THERAPIES = tuple(t.value for t, s in THERAPIES.items() if s.implanted)


def shows_battery_life(session: Session) -> bool:
    """Whether the dashboard states a battery life for ``session``: an implanted program
    (:data:`IMPLANTED_THERAPIES`) that delivers current in the session (therapy on, an
    amplitude above 0 and at least one stimulation event)."""
    p = session.program
    return (p.therapy in IMPLANTED_THERAPIES and p.is_active
            and any(ev.kind == "stimulation" for ev in session.events or ()))


def irrelevant_params(session: Session) -> frozenset[str]:
    """Form parameters that have no effect on ``session`` (shown dimmed, still editable):
    :meth:`sim.waveforms.Program.unused_params` among the form's controls."""
    return session.program.unused_params() & frozenset(FORM_PARAMS)


@lru_cache(maxsize=1)
def _preset_programs() -> dict[str, Program]:
    return {name: pre.program() for name, pre in PROGRAM_PRESETS.items()}


@lru_cache(maxsize=1)
def _preset_patients() -> dict[str, Patient]:
    return {name: pre.patient() for name, pre in PATIENT_PRESETS.items()}


def matching_program_preset(program: Program) -> str | None:
    """Name of the program preset equal to ``program``, else ``None``."""
    return next((n for n, p in _preset_programs().items() if p == program), None)


def matching_patient_preset(patient: Patient) -> str | None:
    """Name of the patient preset equal to ``patient``, else ``None``."""
    return next((n for n, p in _preset_patients().items() if p == patient), None)


def step_preset(current: str | None, step: int, names: Iterable[str]) -> str:
    """The preset ``step`` places after ``current`` in ``names`` (cyclic)."""
    names = list(names)
    if current not in names:
        return names[0] if step >= 0 else names[-1]
    return names[(names.index(current) + step) % len(names)]


def skip_key(*parts: Any) -> str:
    """A short digest of what a figure shows (JSON of ``parts``): the ``fig-keys`` store keeps
    one per figure on screen, and an update whose digest is unchanged sends nothing."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
