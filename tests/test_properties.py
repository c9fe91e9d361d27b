"""Property-based tests (Hypothesis): whatever a user types, uploads or scripts, the core either
runs it or refuses it with a :class:`ParameterError` that names the parameter; never another
exception, never NaN in the results, never an unbounded run.

* every declared parameter (strategies generated from ``PARAMETERS``: in range, out of range,
  wrong types, NaN and infinities, huge numbers, strings), set on the dataclass that owns it
  (found from the dataclass fields' ``param`` metadata), which is then run in a session;
* session documents: valid documents from the presets, mutated (keys dropped, types swapped,
  deep nesting, huge numbers, long strings, extra keys), through ``Session.from_dict`` and
  ``Session.from_json``; JSON text damaged byte by byte; URL tokens and uploads of the
  dashboard (``dashboard.state``, pure functions).
"""
from __future__ import annotations

import base64
import dataclasses
import json
import math
import sys
import time
import zlib
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from sim.params import PARAMETERS, ParameterError
from sim.patients import PATIENT_PRESETS, Patient
from sim.presets import PROGRAM_PRESETS, TREATMENT_PRESETS, treatment_session
from sim.session import MAX_EVENTS, Event, ModelOptions, Session, run_session
from sim.treatments import TREATMENT_KINDS, Treatment
from sim.waveforms import Program

#: Longest a single session run may take here [s] (the longest sessions take ~0.3 s alone).
RUN_BOUND_S = 5.0
SETTINGS = dict(deadline=timedelta(seconds=RUN_BOUND_S), derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
#: Names a document-level error may carry instead of a declared parameter's.
DOCUMENT_NAMES = {"document", "events", "treatments", "schema_version", "program", "patient",
                  "modeloptions", "treatment", "event", "session", "url"}


# --------------------------------------------------------------------------------------------
# Who owns each declared parameter
# --------------------------------------------------------------------------------------------
def _owners() -> dict[str, tuple[type, str]]:
    """Declared parameter -> (dataclass, field), from every dataclass of the loaded ``sim``
    modules whose fields carry ``param`` metadata (a new dataclass is found by itself)."""
    out: dict[str, tuple[type, str]] = {}
    classes = [Program, Patient, Session, Event, ModelOptions, Treatment]
    for mod in [m for n, m in sys.modules.items() if n.startswith("sim.") and m]:
        for obj in vars(mod).values():
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == mod.__name__ and obj not in classes):
                classes.append(obj)
    for cls in classes:
        for f in dataclasses.fields(cls):
            if "param" in f.metadata:
                out.setdefault(f.metadata["param"], (cls, f.name))
    return out


OWNERS = _owners()
RUNNABLE = (Program, Patient, Session, Event, ModelOptions, Treatment)


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------
def _nested(depth: int):
    x: object = 1.0
    for _ in range(depth):
        x = [x]
    return x


NONFINITE = st.sampled_from([math.nan, math.inf, -math.inf])
HUGE = st.one_of(st.integers(min_value=10 ** 300, max_value=10 ** 400),
                 st.integers(min_value=-10 ** 400, max_value=-10 ** 300),
                 st.sampled_from([1e308, -1e308, 2 ** 63, 2 ** 64, -2 ** 63]))
STRINGS = st.one_of(st.text(max_size=20), st.sampled_from(["3.5", "1e3", "nan", "", " ",
                                                           "true", "scs", "-+", "x" * 5000]))
# Containers are built afresh for every example (documents are mutated in place).
JUNK = st.one_of(st.none(), STRINGS, st.booleans(), st.binary(max_size=8),
                 st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
                 st.builds(_nested, st.sampled_from([50, 3000])),
                 st.builds(object), st.just((1, 2)), st.builds(set, st.just([1, 2])))


def _mixed(**kinds: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Draw a kind of value by weight, then a value of that kind (``one_of`` alone would
    rarely draw the in-range values that get as far as a run)."""
    names = [k for k, (w, _) in kinds.items() for _ in range(w)]
    return st.sampled_from(names).flatmap(lambda k: kinds[k][1])


def values(p) -> st.SearchStrategy:
    """Any value a user might give for parameter ``p``: half plausible, half wrong."""
    if p.kind in ("float", "int"):
        lo, hi = p.minimum, p.maximum
        inside = (st.integers(int(math.ceil(lo)), int(math.floor(hi))) if p.kind == "int"
                  else st.one_of(st.floats(lo, hi), st.sampled_from([lo, hi, p.default])))
        below = st.floats(max_value=lo, exclude_max=True, allow_nan=False,
                          allow_infinity=False)
        above = st.floats(min_value=hi, exclude_min=True, allow_nan=False,
                          allow_infinity=False)
        numpy = inside.map(lambda v: np.float32(v) if isinstance(v, float) else np.int64(v))
        fraction = st.floats(lo, hi).filter(lambda v: v != round(v))
        return _mixed(inside=(8, inside), numpy=(1, numpy), below=(1, below),
                      above=(1, above), nonfinite=(1, NONFINITE), huge=(1, HUGE),
                      junk=(2, JUNK), fraction=(1 if p.kind == "int" else 0, fraction))
    if p.kind == "bool":
        return _mixed(ok=(4, st.booleans()), numpy=(1, st.just(np.bool_(True))),
                      near=(1, st.sampled_from([0, 1, "true", "on"])), junk=(1, JUNK))
    if p.kind == "choice":
        return _mixed(ok=(4, st.sampled_from(p.choices)),
                      case=(1, st.sampled_from([c.upper() for c in p.choices])),
                      junk=(2, JUNK))
    if p.kind == "pattern":
        return _mixed(ok=(3, st.sampled_from(["-+", "+-", "000-+000", "+-+0", "0-0+0-0+"])),
                      chars=(3, st.text(alphabet="-+0", min_size=0, max_size=20)),
                      junk=(1, JUNK))
    if p.kind == "samples":
        ok = st.lists(st.floats(p.minimum, p.maximum), min_size=2, max_size=40)
        return _mixed(ok=(4, ok), tuple=(1, ok.map(tuple)), array=(1, ok.map(np.array)),
                      bad=(2, st.lists(st.one_of(st.floats(), HUGE, JUNK), max_size=5)),
                      long=(1, st.just([0.5] * 1001)), junk=(1, JUNK))
    raise AssertionError(f"no strategy for kind {p.kind!r}")  # a new kind needs one


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
def _check_result(session: Session) -> None:
    event("ran")  # pytest --hypothesis-show-statistics: how many examples ran a session
    t0 = time.perf_counter()
    result = run_session(session)
    assert time.perf_counter() - t0 < RUN_BOUND_S
    assert np.all(np.diff(result.t_s) > 0)
    for name, series in result.series.items():
        assert series.shape == result.t_s.shape, name
        assert np.all(np.isfinite(series)), f"{name} has NaN or infinity"
    pain = result.series["pain_nrs"]
    assert pain.min() >= 0 and pain.max() <= 10
    for k, v in result.summary.to_dict().items():  # NaN is reported as None, never leaked
        assert v is None or not isinstance(v, float) or math.isfinite(v), k


def _check_error(exc: ParameterError) -> None:
    message = str(exc)
    event("refused")
    # an unknown key that does not show by itself (``''``) is named by its repr
    assert exc.name or message.startswith("''"), f"the error names no parameter: {message}"
    named = exc.name in message or repr(exc.name) in message  # repr: unprintable keys
    assert named or exc.name in DOCUMENT_NAMES, (exc.name, message)
    assert len(message) < 2000  # huge inputs are shortened in messages


def _alone_invalid(name: str, value) -> bool:
    """Whether the declaration alone refuses ``value`` (``None`` is the "kind's default" of
    the optional treatment fields)."""
    owner = OWNERS.get(name)
    if value is None and owner is not None and any(
            f.name == owner[1] and f.default is None for f in dataclasses.fields(owner[0])):
        return False
    try:
        PARAMETERS[name].validate(value)
    except ParameterError:
        return True
    return False


# --------------------------------------------------------------------------------------------
# Every declared parameter
# --------------------------------------------------------------------------------------------
def _build_and_run(name: str, value, data) -> None:
    owner = OWNERS.get(name)
    if owner is None or owner[0] not in RUNNABLE:
        # not a field of a runnable dataclass (cohort size, seed, course settings): the
        # declaration alone must accept or refuse it
        try:
            PARAMETERS[name].validate(value)
        except ParameterError as exc:
            _check_error(exc)
            assert exc.name == name
        if PARAMETERS[name].group == "cohort":
            from sim.cohort import virtual_patients
            try:
                kw = {"n": value, "seed": 0} if name == "cohort_n" else {"n": 3, "seed": value}
                if name == "cohort_n" and not _alone_invalid(name, value):
                    kw["n"] = min(int(value), 200)  # drawing is cheap; keep the test short
                rows = virtual_patients("crps", **kw)
            except ParameterError as exc:
                _check_error(exc)
            else:
                assert all(math.isfinite(v) for r in rows for v in r.values())
        return
    cls, field = owner
    duration = 120.0
    try:
        if cls is Program:
            preset = data.draw(st.sampled_from(sorted(PROGRAM_PRESETS)), label="program")
            extra = {"shape": "custom"} if field == "custom_shape" else {}
            session = Session(program=PROGRAM_PRESETS[preset].program(**extra, **{field: value}),
                              duration_s=duration)
        elif cls is Patient:
            preset = data.draw(st.sampled_from(sorted(PATIENT_PRESETS)), label="patient")
            session = Session(patient=PATIENT_PRESETS[preset].patient(**{field: value}),
                              duration_s=duration)
        elif cls is ModelOptions:
            session = Session(options=ModelOptions(**{field: value}), duration_s=duration)
        elif cls is Event:
            session = Session(events=(Event(**{field: value}),), duration_s=duration)
        elif cls is Treatment:
            kw = {field: value}
            if field != "kind":
                kw["kind"] = data.draw(st.sampled_from(list(TREATMENT_KINDS)), label="kind")
            session = Session(treatments=(Treatment(**kw),), duration_s=duration)
        else:
            session = Session(**{field: value})
    except ParameterError as exc:
        _check_error(exc)
        if _alone_invalid(name, value):
            assert exc.name == name, (exc.name, str(exc))
        return
    assert not _alone_invalid(name, value), f"{name}={value!r} was accepted"
    _check_result(session)


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_parameter_runs_or_is_refused_by_name(name):
    @settings(max_examples=40, **SETTINGS)
    @given(value=values(PARAMETERS[name]), data=st.data())
    def check(value, data):
        _build_and_run(name, value, data)

    check()


# --------------------------------------------------------------------------------------------
# Session documents
# --------------------------------------------------------------------------------------------
def _seed_documents() -> list[dict]:
    docs = [Session().to_dict()]
    for i, name in enumerate(sorted(PROGRAM_PRESETS)):
        patient = sorted(PATIENT_PRESETS)[i % len(PATIENT_PRESETS)]
        docs.append(Session(program=PROGRAM_PRESETS[name].program(),
                            patient=PATIENT_PRESETS[patient].patient(), duration_s=180,
                            events=(Event(kind="stimulation", start_s=40, stop_s=140),
                                    Event(kind="touch", start_s=10, stop_s=20,
                                          intensity=1.5))).to_dict())
    for name in sorted(TREATMENT_PRESETS)[::2]:
        docs.append(treatment_session(name, duration_s=240).to_dict())
    return docs


SEEDS = _seed_documents()
VALUES = st.one_of(JUNK, HUGE, NONFINITE, st.floats(-1e6, 1e6), st.integers(-10 ** 6, 10 ** 6),
                   st.just("y" * 100_000), st.builds(list, st.just(range(5000))),
                   st.builds(lambda: [{"kind": "touch", "start_s": 1, "stop_s": 2}
                                      for _ in range(MAX_EVENTS + 1)]))


def _containers(node, path=(), depth=6):
    """(path, container) of a document down to ``depth`` levels, the document itself first."""
    yield path, node
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for k, v in list(items)[:60]:
        if isinstance(v, (dict, list)) and depth > 0:
            yield from _containers(v, (*path, k), depth - 1)


def _mutate(doc, data) -> object:
    doc = json.loads(json.dumps(doc))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        spots = list(_containers(doc)) if isinstance(doc, (dict, list)) else []
        if not spots:
            break
        _path, node = data.draw(st.sampled_from(spots), label="where")
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        op = data.draw(st.sampled_from(["drop", "replace", "replace", "swap", "extra",
                                        "nest", "whole"]), label="op")
        key = data.draw(st.sampled_from(keys), label="key") if keys else None
        if op == "drop" and key is not None:
            del node[key]
        elif op == "replace" and key is not None:
            node[key] = data.draw(VALUES, label="value")
        elif op == "swap" and key is not None:
            v = node[key]
            node[key] = (str(v) if not isinstance(v, str) else [v]) if not isinstance(
                v, (dict, list)) else (list(v.values()) if isinstance(v, dict)
                                       else {str(i): x for i, x in enumerate(v)})
        elif op == "extra" and isinstance(node, dict):
            node[data.draw(st.sampled_from(["__class__", "!!python/object", "extra",
                                            "__import__", "eval"]), label="k")] = \
                data.draw(VALUES, label="value")
        elif op == "nest" and key is not None:
            node[key] = _nested(data.draw(st.sampled_from([5, 200, 5000]), label="depth"))
        elif op == "whole":
            doc = data.draw(VALUES, label="document")
    return doc


def _load_and_run(load, arg) -> None:
    try:
        session = load(arg)
    except ParameterError as exc:
        _check_error(exc)
        return
    assert isinstance(session, Session)
    assert Session.from_json(session.to_json()) == session  # what loads, round-trips
    _check_result(session)


@settings(max_examples=300, **SETTINGS)
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_mutated_documents_run_or_are_refused_by_name(seed, data):
    doc = _mutate(seed, data)
    _load_and_run(Session.from_dict, doc)
    try:
        text = json.dumps(doc)
    except (ValueError, TypeError, RecursionError):  # not representable as JSON text
        return
    _load_and_run(Session.from_json, text)


@settings(max_examples=200, **SETTINGS)
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_damaged_json_text_runs_or_is_refused(seed, data):
    text = json.dumps(seed).encode()
    op = data.draw(st.sampled_from(["cut", "insert", "flip", "deep", "digits", "bom"]))
    at = data.draw(st.integers(0, len(text)))
    if op == "cut":
        text = text[:at]
    elif op == "insert":
        text = text[:at] + data.draw(st.binary(max_size=12)) + text[at:]
    elif op == "flip":
        i = min(at, len(text) - 1)
        text = text[:i] + bytes([text[i] ^ data.draw(st.integers(1, 255))]) + text[i + 1:]
    elif op == "deep":
        n = data.draw(st.sampled_from([100, 900, 5000, 50_000]))
        text = b'{"duration_s": ' + b"[" * n + b"]" * n + b"}"
    elif op == "digits":
        text = b'{"duration_s": 1' + b"0" * data.draw(st.sampled_from([20, 400, 5000])) + b"}"
    else:
        text = b"\xef\xbb\xbf" + text
    _load_and_run(Session.from_json, text)
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError:
        return
    _load_and_run(Session.from_json, decoded)


def test_documents_that_try_to_run_code_are_plain_data():
    """No pickle, eval or YAML tags: such documents are refused as unknown keys or bad JSON."""
    import pickle

    for bad in ('{"__class__": "os.system", "program": {}}',
                '!!python/object/apply:os.system ["echo pwned"]',
                '{"program": {"therapy": "__import__(\'os\').system(\'echo pwned\')"}}',
                pickle.dumps(Session()).decode("latin-1")):
        with pytest.raises(ParameterError):
            Session.from_json(bad)
    with pytest.raises(ParameterError):
        Session.from_json(pickle.dumps(Session()))


# --------------------------------------------------------------------------------------------
# The dashboard's readers of user text (pure functions)
# --------------------------------------------------------------------------------------------
def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


#: A decompression bomb: a short token that inflates to 10 MB.
BOMB = _token(b"{" + b" " * 10_000_000 + b"}")


@settings(max_examples=150, **SETTINGS)
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_url_tokens_and_uploads_load_or_are_refused(seed, data):
    from dashboard import state as S

    doc = _mutate(seed, data)
    try:
        raw = json.dumps(doc).encode()
    except (ValueError, TypeError, RecursionError):
        raw = b"[" * 5000
    good = _token(raw)
    token = data.draw(st.one_of(st.sampled_from([good, good[:-3], good + "!", BOMB]),
                                st.text(max_size=60)))
    for load, arg in ((S.unpack_session, token),
                      (S.decode_upload, "data:application/json;base64,"
                       + base64.b64encode(raw).decode()),
                      (S.decode_upload, data.draw(st.text(max_size=40)))):
        try:
            session = load(arg)
        except ParameterError as exc:
            _check_error(exc)
        else:
            assert isinstance(session, Session)
    state = S.decode_search("?s=" + token + "&a=" + token[::-1] + "&lecture=x&path=/etc/passwd")
    assert isinstance(state, S.UrlState)  # never raises: what is unreadable is reported
