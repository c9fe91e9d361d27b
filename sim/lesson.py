"""Lessons for the lecture hall: a sequence of simulator states a lecturer steps through.

A lesson is one JSON document (``lesson_version`` 1)::

    {"lesson_version": 1, "title": "...", "summary": "...", "notebook": "03_gate",
     "steps": [{"title": "...", "caption": "...", "views": ["session", "gate"],
                "session": {<a full session document, sim.session.Session.to_dict>},
                "question": {...}}]}

Each step holds the whole simulator state (a session document), a caption in plain language,
the views to show, and optionally a question the students answer before the model's answer is
revealed. The answer is *computed* by running the model, never typed into the file:

* ``{"kind": "number", "text": "...", "quantity": "pain_during_nrs", "unit": "NRS 0-10",
  "min": 0, "max": 10}``: the value of ``quantity`` (one of :data:`QUANTITIES`) for the step's
  session; ``unit`` must be that quantity's unit, and students answer within ``min..max``;
* ``{"kind": "choice", "text": "...", "quantity": "pain_during_nrs", "pick": "lowest",
  "choices": [{"label": "...", "change": {"program": {"frequency_hz": 10}}}, ...]}``: each
  choice is the step's session with ``change`` merged in; the right choice is the one whose
  ``quantity`` is lowest (or highest).

Quantities read from a cohort (``cohort_``) also need ``cohort_patient`` (a patient preset)
and take ``cohort_n`` virtual patients (default :data:`DEFAULT_COHORT_N`, seed 0).

A bad lesson file is refused with a :class:`LessonError` naming the step (numbered from 1, as
the presenter shows it) and the field, e.g. ``step 3, question.unit: ...``.
"""
from __future__ import annotations

import copy
import functools
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.params import ParameterError
from sim.session import MAX_DOCUMENT_BYTES, SUMMARY_UNITS, Session

__all__ = ["LESSON_VERSION", "LESSON_DIR", "VIEWS", "QUANTITIES", "Quantity", "LessonError",
           "Choice", "Question", "Step", "Lesson", "Answer", "load_lesson", "lesson_names",
           "lesson_path", "quantity_value", "DEFAULT_COHORT_N", "MAX_STEPS", "MAX_CHOICES"]

#: Version of the lesson document. Bump when a field changes meaning.
LESSON_VERSION = 1
#: Where the shipped lessons live (one ``<name>.json`` each).
LESSON_DIR = Path(__file__).resolve().parent / "data" / "lessons"
#: Views a step can ask for: the two main figures (``session``, ``waveform``) and the tabs
#: beside them in the dashboard (``safety``, ``fibres``, ``gate``, ``diagnosis``).
VIEWS = ("session", "waveform", "safety", "fibres", "gate", "diagnosis")
#: Most steps in a lesson, most choices in a question (a lecture, and a phone screen).
MAX_STEPS = 40
MAX_CHOICES = 6
#: Longest caption, question text or choice label [characters].
MAX_TEXT_CHARS = 1200
#: Virtual patients of a cohort question when the lesson does not say (seed 0): enough for a
#: responder rate to the nearest few percent, small enough to compute in about a second.
DEFAULT_COHORT_N = 60
#: Largest lesson document accepted [bytes] (a session document per step and per choice).
MAX_LESSON_BYTES = 60 * MAX_DOCUMENT_BYTES


class LessonError(ParameterError):
    """A lesson document is invalid.

    Attributes
    ----------
    step : int or None
        The step at fault, numbered from 1 (``None``: the lesson as a whole).
    field : str
        The field at fault (``question.unit``, ``session.program.amplitude_mA``, ...).
    """

    def __init__(self, message: str, *, step: int | None = None, field: str = "",
                 value: Any = None):
        where = ", ".join(x for x in (f"step {step}" if step is not None else "", field) if x)
        super().__init__(f"{where}: {message}" if where else message, name=field or "lesson",
                         value=value)
        self.step = step
        self.field = field


# ---------------------------------------------------------------------------------------------
# Quantities the model computes for a question
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quantity:
    """A number the model computes for a session: its name, unit and plain-language label."""

    name: str
    unit: str
    label: str
    compute: Callable[[Session, Question], float]


def _summary(field: str) -> Callable[[Session, Question], float]:
    def get(session: Session, _q: Question) -> float:
        return float(getattr(_run(session).summary, field))
    return get


def _peak_pain(session: Session, _q: Question) -> float:
    return float(_run(session).series["pain_nrs"].max())


def _recruited(cls: str) -> Callable[[Session, Question], float]:
    def get(session: Session, _q: Question) -> float:
        from sim.fibers import FiberClass
        return 100.0 * float(_run(session).recruitment[FiberClass[cls]].recruited_fraction)
    return get


def _ncs(field: str) -> Callable[[Session, Question], float]:
    def get(session: Session, _q: Question) -> float:
        from sim.ncs import nerve_conduction_study
        return float(getattr(nerve_conduction_study(session.patient, nerve="sural"), field))
    return get


def _cohort_responders(session: Session, q: Question) -> float:
    from sim.cohort import run_cohort
    res = run_cohort(session, q.cohort_patient, n=q.cohort_n, seed=0, progress=False)
    return 100.0 * float(res.responder_rate)


@functools.lru_cache(maxsize=64)
def _run_json(doc: str):
    from sim.session import run_session
    return run_session(Session.from_json(doc))


def _run(session: Session):
    return _run_json(session.to_json())


_SUMMARY_LABELS = {
    "pain_before_nrs": "pain before stimulation",
    "pain_during_nrs": "pain during stimulation",
    "pain_after_nrs": "pain after stimulation",
    "pain_reduction_pct": "pain reduction",
    "paresthesia": "paresthesia intensity",
    "discomfort": "discomfort",
    "numbness": "numbness",
    "wdr_pct_of_baseline": "WDR output (% of no stimulation)",
    "charge_per_hour_uC": "charge delivered per hour",
    "battery_days": "battery life",
}

#: Every quantity a question can ask for, by name.
QUANTITIES: dict[str, Quantity] = {
    **{k: Quantity(k, SUMMARY_UNITS[k], label, _summary(k))
       for k, label in _SUMMARY_LABELS.items()},
    "peak_pain_nrs": Quantity("peak_pain_nrs", "NRS 0-10", "highest pain of the session",
                              _peak_pain),
    "abeta_recruited_pct": Quantity("abeta_recruited_pct", "%",
                                    "Aβ fibres recruited at full amplitude", _recruited("ABETA")),
    "adelta_recruited_pct": Quantity("adelta_recruited_pct", "%",
                                     "Aδ fibres recruited at full amplitude",
                                     _recruited("ADELTA")),
    "c_recruited_pct": Quantity("c_recruited_pct", "%", "C fibres recruited at full amplitude",
                                _recruited("C")),
    "sural_snap_uV": Quantity("sural_snap_uV", "µV", "sural SNAP amplitude",
                              _ncs("amplitude_uV")),
    "sural_velocity_m_per_s": Quantity("sural_velocity_m_per_s", "m/s",
                                       "sural conduction velocity",
                                       _ncs("conduction_velocity_m_per_s")),
    "cohort_responder_pct": Quantity("cohort_responder_pct", "%",
                                     "responders (>= 50 % pain reduction) in a virtual cohort",
                                     _cohort_responders),
}


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice question: its label and the session it stands for
    (the step's session with ``change`` merged in)."""

    label: str
    change: str  # the change as JSON text (kept for the document's round trip)
    session: Session


@dataclass(frozen=True)
class Question:
    """A step's question.

    Attributes
    ----------
    kind : str
        ``"number"`` or ``"choice"``.
    text : str
        The question in plain language.
    quantity : str
        What the model computes (a key of :data:`QUANTITIES`).
    unit : str
        Unit of the quantity (number questions; ``""`` for choices).
    min, max : float
        Range of a student's number answer [unit] (number questions).
    pick : str
        ``"lowest"`` or ``"highest"``: which choice's quantity is the right answer (choices).
    choices : tuple of Choice
        The choices (2..:data:`MAX_CHOICES`).
    cohort_patient : str
        Patient preset a ``cohort_`` quantity draws its virtual patients around.
    cohort_n : int
        Virtual patients of a ``cohort_`` quantity.
    """

    kind: str
    text: str
    quantity: str
    unit: str = ""
    min: float = 0.0
    max: float = 0.0
    pick: str = ""
    choices: tuple[Choice, ...] = ()
    cohort_patient: str = ""
    cohort_n: int = DEFAULT_COHORT_N

    def check_answer(self, value: Any) -> float:
        """A student's answer as a number (a choice's index, or the number), or a
        :class:`~sim.params.ParameterError` saying what is allowed."""
        if isinstance(value, bool):
            value = None
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                value = None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParameterError("the answer must be a number", name="answer", value=value)
        if self.kind == "choice":
            if value != int(value) or not 0 <= value < len(self.choices):
                raise ParameterError(f"answer={value!r} is not a choice "
                                     f"(0..{len(self.choices) - 1})", name="answer",
                                     value=value)
            return float(int(value))
        if not self.min <= value <= self.max:
            raise ParameterError(f"answer={value:g} is outside {self.min:g}..{self.max:g} "
                                 f"{self.unit}", name="answer", value=value)
        return float(value)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "quantity": self.quantity}
        if self.kind == "number":
            out.update(unit=self.unit, min=self.min, max=self.max)
        else:
            out.update(pick=self.pick, choices=[{"label": c.label, "change": json.loads(c.change)}
                                                for c in self.choices])
        if self.quantity.startswith("cohort_"):
            out.update(cohort_patient=self.cohort_patient, cohort_n=self.cohort_n)
        return out


@dataclass(frozen=True)
class Answer:
    """The model's answer to a question.

    Attributes
    ----------
    value : float
        The right answer: the number [unit], or the index of the right choice.
    values : tuple of float
        Each choice's quantity [unit of the quantity] (choices); ``(value,)`` for numbers.
    unit : str
        Unit of the quantity.
    text : str
        The answer in words (``"3.2 NRS 0-10"``, ``"B: 10 kHz"``).
    """

    value: float
    values: tuple[float, ...]
    unit: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "values": list(self.values), "unit": self.unit,
                "text": self.text}


@dataclass(frozen=True)
class Step:
    """One step of a lesson: the session shown, its caption, views, and optional question."""

    title: str
    caption: str
    views: tuple[str, ...]
    session: Session
    question: Question | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "caption": self.caption,
                               "views": list(self.views), "session": self.session.to_dict()}
        if self.question is not None:
            out["question"] = self.question.to_dict()
        return out


@dataclass(frozen=True)
class Lesson:
    """A validated lesson: title, summary, the notebook it follows, and its steps."""

    name: str
    title: str
    summary: str
    notebook: str
    steps: tuple[Step, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"lesson_version": LESSON_VERSION, "title": self.title, "summary": self.summary,
                "notebook": self.notebook, "steps": [s.to_dict() for s in self.steps]}

    def answer(self, index: int) -> Answer | None:
        """The model's answer to step ``index``'s question (0-based; ``None`` without one)."""
        step = self.steps[index]
        if step.question is None:
            return None
        return _answer(step.question, step.session)

    @classmethod
    def from_dict(cls, data: Any, *, name: str = "") -> Lesson:
        """Validate a lesson document; a :class:`LessonError` names the step and field."""
        if not isinstance(data, Mapping):
            raise LessonError("a lesson document must be a JSON object", value=data)
        known = {"lesson_version", "title", "summary", "notebook", "steps"}
        for k in data:
            if k not in known:
                raise LessonError(f"unknown key; known keys: {', '.join(sorted(known))}",
                                  field=str(k))
        version = data.get("lesson_version")
        if version != LESSON_VERSION:
            raise LessonError(f"lesson_version={version!r} is not supported; this version "
                              f"reads lesson_version {LESSON_VERSION}", field="lesson_version",
                              value=version)
        title = _text(data.get("title"), "title", None)
        summary = _text(data.get("summary", ""), "summary", None, empty=True)
        notebook = _text(data.get("notebook", ""), "notebook", None, empty=True)
        steps = data.get("steps")
        if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
            raise LessonError(f"must be a list of 1..{MAX_STEPS} steps", field="steps",
                              value=None if not isinstance(steps, list) else len(steps))
        return cls(name, title, summary, notebook,
                   tuple(_step(s, i + 1) for i, s in enumerate(steps)))

    @classmethod
    def from_json(cls, text: str | bytes, *, name: str = "") -> Lesson:
        if len(text) > MAX_LESSON_BYTES:
            raise LessonError(f"the lesson document is {len(text)} bytes; at most "
                              f"{MAX_LESSON_BYTES} are accepted")
        try:
            data = json.loads(text)
        except ValueError as exc:
            where = (f" at line {exc.lineno} column {exc.colno}"
                     if isinstance(exc, json.JSONDecodeError) else "")
            raise LessonError(f"the lesson file is not valid JSON{where}") from None
        return cls.from_dict(data, name=name)


def _text(value: Any, field: str, step: int | None, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise LessonError("must be a non-empty text" if not empty else "must be a text",
                          step=step, field=field, value=value)
    if len(value) > MAX_TEXT_CHARS:
        raise LessonError(f"is {len(value)} characters; at most {MAX_TEXT_CHARS}", step=step,
                          field=field)
    return value


def _session(doc: Any, step: int, field: str) -> Session:
    try:
        return Session.from_dict(doc)
    except ParameterError as exc:
        sub = f"{field}.{exc.name}" if exc.name and exc.name != "document" else field
        raise LessonError(str(exc), step=step, field=sub, value=exc.value) from None


def _merge(base: Any, change: Any) -> Any:
    """``base`` with ``change`` merged in (objects key by key, anything else replaced)."""
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for k, v in change.items():
            out[k] = _merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(change)


def _step(data: Any, n: int) -> Step:
    if not isinstance(data, Mapping):
        raise LessonError("must be an object", step=n, field="step")
    known = {"title", "caption", "views", "session", "question"}
    for k in data:
        if k not in known:
            raise LessonError(f"unknown key; known keys: {', '.join(sorted(known))}", step=n,
                              field=str(k))
    title = _text(data.get("title"), "title", n)
    caption = _text(data.get("caption"), "caption", n)
    views = data.get("views")
    if not isinstance(views, list) or not views:
        raise LessonError(f"must be a non-empty list of views ({', '.join(VIEWS)})", step=n,
                          field="views", value=views)
    for v in views:
        if v not in VIEWS:
            raise LessonError(f"{v!r} is not a view; choose from {', '.join(VIEWS)}", step=n,
                              field="views", value=v)
    if "session" not in data:
        raise LessonError("is missing: each step holds a whole session document", step=n,
                          field="session")
    session = _session(data["session"], n, "session")
    question = None if data.get("question") is None else \
        _question(data["question"], n, data["session"], session)
    return Step(title, caption, tuple(views), session, question)


def _question(q: Any, n: int, doc: Any, session: Session) -> Question:
    if not isinstance(q, Mapping):
        raise LessonError("must be an object", step=n, field="question")
    kind = q.get("kind")
    known = {"kind", "text", "quantity", "cohort_patient", "cohort_n"} | (
        {"unit", "min", "max"} if kind == "number" else {"pick", "choices"})
    if kind not in ("number", "choice"):
        raise LessonError(f"{kind!r} is not a question kind; choose 'number' or 'choice'",
                          step=n, field="question.kind", value=kind)
    for k in q:
        if k not in known:
            raise LessonError(f"unknown key for a {kind} question; known keys: "
                              f"{', '.join(sorted(known))}", step=n, field=f"question.{k}")
    text = _text(q.get("text"), "question.text", n)
    name = q.get("quantity")
    if name not in QUANTITIES:
        raise LessonError(f"{name!r} is not a quantity the model computes; choose from "
                          f"{', '.join(QUANTITIES)}", step=n, field="question.quantity",
                          value=name)
    quantity = QUANTITIES[name]
    extra: dict[str, Any] = {}
    if name.startswith("cohort_"):
        from sim.patients import PATIENT_PRESETS
        patient = q.get("cohort_patient")
        if patient not in PATIENT_PRESETS:
            raise LessonError(f"{patient!r} is not a patient preset; choose from "
                              f"{', '.join(PATIENT_PRESETS)}", step=n,
                              field="question.cohort_patient", value=patient)
        cn = q.get("cohort_n", DEFAULT_COHORT_N)
        if isinstance(cn, bool) or not isinstance(cn, int) or not 10 <= cn <= 400:
            raise LessonError(f"cohort_n={cn!r} is outside 10..400 patients", step=n,
                              field="question.cohort_n", value=cn)
        extra = {"cohort_patient": patient, "cohort_n": cn}
    elif "cohort_patient" in q or "cohort_n" in q:
        raise LessonError("only for a cohort_ quantity", step=n, field="question.cohort_patient")
    if kind == "number":
        unit = q.get("unit")
        if unit != quantity.unit:
            raise LessonError(f"{unit!r} is not the unit of {name} ({quantity.unit!r})", step=n,
                              field="question.unit", value=unit)
        bounds = []
        for key in ("min", "max"):
            v = q.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise LessonError("must be a number (the answer's range)", step=n,
                                  field=f"question.{key}", value=v)
            bounds.append(float(v))
        lo, hi = bounds
        if not lo < hi:
            raise LessonError(f"max={hi:g} must be above min={lo:g}", step=n,
                              field="question.max", value=hi)
        return Question("number", text, name, unit, lo, hi, **extra)
    pick = q.get("pick")
    if pick not in ("lowest", "highest"):
        raise LessonError(f"{pick!r}: choose 'lowest' or 'highest'", step=n,
                          field="question.pick", value=pick)
    raw = q.get("choices")
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_CHOICES:
        raise LessonError(f"must be a list of 2..{MAX_CHOICES} choices", step=n,
                          field="question.choices")
    choices = []
    for i, c in enumerate(raw):
        where = f"question.choices[{i}]"
        if not isinstance(c, Mapping) or set(c) - {"label", "change"}:
            raise LessonError("must be an object with a label and a change", step=n, field=where)
        label = _text(c.get("label"), f"{where}.label", n)
        change = c.get("change", {})
        if not isinstance(change, Mapping):
            raise LessonError("must be an object: the part of the session it changes",
                              step=n, field=f"{where}.change")
        variant = _session(_merge(doc, dict(change)), n, f"{where}.change")
        choices.append(Choice(label, json.dumps(change, sort_keys=True), variant))
    return Question("choice", text, name, pick=pick, choices=tuple(choices), **extra)


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------
def quantity_value(question: Question, session: Session) -> float:
    """``question``'s quantity computed by the model for ``session`` (NaN where the model
    has no value, e.g. a pain reduction without pain to relieve)."""
    return QUANTITIES[question.quantity].compute(session, question)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "no value"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}"


@functools.lru_cache(maxsize=256)
def _answer_cached(question: Question, doc: str) -> Answer:
    session = Session.from_json(doc)
    if question.kind == "number":
        v = quantity_value(question, session)
        return Answer(v, (v,), question.unit, f"{_fmt(v)} {question.unit}")
    unit = QUANTITIES[question.quantity].unit
    values = tuple(quantity_value(question, c.session) for c in question.choices)
    finite = [(v, i) for i, v in enumerate(values) if math.isfinite(v)]
    if not finite:
        raise LessonError("the model gives no value for any choice", field="question.choices")
    best = (min if question.pick == "lowest" else max)(finite)[1]
    label = question.choices[best].label
    return Answer(float(best), values, unit,
                  f"{label} ({QUANTITIES[question.quantity].label}: "
                  f"{_fmt(values[best])} {unit})")


def _answer(question: Question, session: Session) -> Answer:
    # Choices hold sessions (frozen, hashable); a question is hashed through them.
    return _answer_cached(question, session.to_json())


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------
def lesson_names() -> list[str]:
    """Names of the shipped lessons (``sim/data/lessons/<name>.json``), in order."""
    return sorted(p.stem for p in LESSON_DIR.glob("*.json"))


def lesson_path(name_or_path: str | os.PathLike) -> Path:
    """The file of a shipped lesson's name, or the path given."""
    text = str(name_or_path)
    if text in lesson_names():
        return LESSON_DIR / f"{text}.json"
    return Path(text)


def load_lesson(name_or_path: str | os.PathLike) -> Lesson:
    """Read and validate a lesson file (or a shipped lesson by name)."""
    path = lesson_path(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LessonError(f"cannot read the lesson file {str(path)!r}: "
                          f"{exc.strerror or exc}; shipped lessons: "
                          f"{', '.join(lesson_names())}", field="lesson") from None
    return Lesson.from_json(raw, name=path.stem)
