"""Exports are re-importable: what the dashboard exports comes back as the same state and the
same numbers.

* JSON: ``download_json`` of a session, uploaded again through the dashboard's upload path
  (the loader: ``control(("upload",), ...)``, i.e. ``dashboard.state.decode_upload``), gives
  the very same :class:`Session`, for sessions that use every part of the document (events,
  treatments, custom pulse shapes, model options, long durations);
* CSV: ``download_csv`` holds one column per series, named with its unit, and each column
  equals a fresh ``run_session`` of the session re-imported from the JSON export (to the 12
  significant digits the CSV keeps).

(``tests/test_dashboard_callbacks.py`` checks the JSON round trip through ``Session.from_json``
and the CSV header; the browser test clicks the buttons. This closes the loop through the
upload path and the numbers.)
"""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest

from dashboard import callbacks as C, state as S
from sim.patients import patient
from sim.presets import program, treatment, treatment_session
from sim.session import SERIES_UNITS, Event, ModelOptions, Session, run_session
from sim.tables import column_name

SESSIONS = {
    "start-up session": S.default_session(),
    "burst on CRPS with events": Session(
        program=program("scs-burst"), patient=patient("crps"), duration_s=300,
        events=(Event(kind="touch", start_s=10, stop_s=20, intensity=1.5),
                Event(kind="stimulation", start_s=60, stop_s=240),
                Event(kind="pinch", start_s=250, stop_s=255))),
    "PNS with a custom pulse and options": Session(
        program=program("pns", shape="custom", custom_shape=(-1.0, -0.5, 0.25, 0.5, 0.75),
                        ramp_s=5.0, cycle_on_s=20.0, cycle_off_s=10.0),
        patient=patient("post-surgical-neuropathy"), duration_s=200,
        options=ModelOptions(mechanism_carryover=False, shannon_k_limit=1.5)),
    "a nerve block": treatment_session("lidocaine-block", duration_s=600),
    "SCS with gabapentin, 2 hours": Session(
        program=program("scs-10khz"), patient=patient("painful-diabetic-neuropathy"),
        duration_s=7200, treatments=(treatment("gabapentin", start_s=600),)),
}


def _reimport(payload: dict) -> Session:
    """Upload an export as the browser does (a data URL) and return the stored session."""
    contents = f"data:{payload['type']};base64," + base64.b64encode(
        payload["content"].encode("utf-8")).decode()
    out = C.control(("upload",), C.FormInput(doc=S.default_session().to_dict(),
                                             upload_contents=contents,
                                             upload_filename=payload["filename"]))
    assert out["global_msg"] == f"Imported {payload['filename']}.", out["global_msg"]
    doc = out["doc"] if out["doc"] is not C.NO else S.default_session().to_dict()
    return Session.from_dict(doc)


@pytest.mark.parametrize("name", list(SESSIONS))
def test_json_export_uploads_back_to_the_same_session(name):
    session = SESSIONS[name]
    payload = C.download_json(session.to_dict())
    assert payload["filename"].endswith(".json") and payload["type"] == "application/json"
    again = _reimport(payload)
    assert again == session
    assert S.decode_upload("data:application/json;base64," + base64.b64encode(
        payload["content"].encode()).decode()) == session
    assert C.download_json(again.to_dict())["content"] == payload["content"]  # a fixed point


def _read_csv(text: str) -> tuple[list[str], np.ndarray]:
    lines = text.splitlines()
    header = lines[0].split(",")
    data = np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=",", ndmin=2)
    return header, data


@pytest.mark.parametrize("name", list(SESSIONS))
def test_csv_export_equals_a_fresh_run_of_the_reimported_session(name):
    session = SESSIONS[name]
    payload, message = C.download_csv(session.to_dict())
    assert message == "" and payload["filename"].endswith(".csv")
    header, data = _read_csv(payload["content"])
    again = _reimport(C.download_json(session.to_dict()))
    fresh = run_session(again)
    keys = ["t_s", *fresh.series]
    assert header == [column_name(k) for k in keys]
    # the unit is in the name (none if it is 1)
    for key, col in zip(keys[1:], header[1:], strict=True):
        unit = SERIES_UNITS[key]
        assert unit == "1" or col.endswith(("_hz", "_nrs", "_0to10")), (col, unit)
    assert data.shape == (fresh.t_s.size, len(header))
    np.testing.assert_allclose(data[:, 0], fresh.t_s, rtol=1e-11, atol=1e-12)
    for k, key in enumerate(keys[1:], start=1):
        np.testing.assert_allclose(data[:, k], fresh.series[key], rtol=1e-11, atol=1e-12,
                                   err_msg=key)


def test_an_invalid_store_exports_nothing_and_says_so():
    assert C.download_json({"schema_version": 1, "duration_s": -1}) is C.NO
    payload, message = C.download_csv({"schema_version": 1, "duration_s": -1})
    assert payload is C.NO and "not valid" in message
