"""Request budgets: every list and size of a callback request is checked before any simulation
or rendering. A crafted request carrying far more rows than a page can hold (14,000 treatment
rows once produced a 25.8 MB answer after 3.7 s of CPU) is answered with a short message
(< 10 KB) in < 100 ms (the service bounds asked of the server); a request at the budget is
still served.

Requests are built from the app's own dependency list (``benchmarks/load.py``), so the tests
follow the dashboard as it changes.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402

import dashboard.app as A  # noqa: E402
from dashboard import (  # noqa: E402
    callbacks as C,
    state as S,
)
from sim.session import MAX_EVENTS, MAX_TREATMENTS  # noqa: E402

UPDATE = "/_dash-update-component"
SHORT_BYTES = 10_000
FAST_S = 0.100


@pytest.fixture(scope="module")
def client():
    return A.server.test_client()


@pytest.fixture(scope="module")
def model(client):
    return L.AppModel(client.get("/_dash-layout").get_json(),
                      client.get("/_dash-dependencies").get_json())


def _slider_body(model) -> dict:
    p = S.FORM_PARAMS["amplitude_mA"]
    cid = {"name": "amplitude_mA", "type": "slider"}
    return model.request(model.dep(output="fig-keys"), {(L.key(cid), "value"):
                                                        S.to_slider(p, 5.3)},
                         L.changed_id(cid, "value"))


def _with_rows(model, kind: str, rows: list[dict]) -> dict:
    """The update request with the pattern input of ``kind`` replaced by ``rows``."""
    body = _slider_body(model)
    dep = model.dep(output="fig-keys")
    i = next(n for n, d in enumerate(dep["inputs"]) if f'"type":"{kind}"' in
             d["id"].replace(" ", ""))
    body["inputs"][i] = rows
    if rows:
        body["changedPropIds"] = [L.changed_id(rows[0]["id"], rows[0]["property"])]
    return body


def _cells(kind: str, n: int, cols: dict) -> list[dict]:
    return [{"id": {"col": col, "row": r, "type": kind}, "property": "value", "value": v}
            for r in range(n) for col, v in cols.items()]


def _timed(client, raw: bytes) -> tuple[object, float]:
    """The answer to ``raw`` and the median time of five identical posts [s]."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = client.post(UPDATE, data=raw, content_type="application/json")
        times.append(time.perf_counter() - t0)
    return r, statistics.median(times)


def _oversized(model) -> dict[str, dict]:
    treatment = {"kind": "gabapentin"}
    event = {"kind": "touch", "start_s": "10", "stop_s": "20", "intensity": "1"}
    sliders = [{"id": {"name": f"p{i}", "type": "slider"}, "property": "value", "value": 1}
               for i in range(14_000)]
    long_text = _slider_body(model)
    long_text["state"][0][0]["value"] = "1, " * 400_000  # a 1.2 MB "custom shape"
    return {
        "14,000 treatment rows": _with_rows(model, "tr", _cells("tr", 14_000, treatment)),
        "3,000 event rows": _with_rows(model, "ev", _cells("ev", 3_000, event)),
        "14,000 delete buttons": _with_rows(model, "tr-del", [
            {"id": {"row": r, "type": "tr-del"}, "property": "n_clicks", "value": 0}
            for r in range(14_000)]),
        "14,000 sliders": _with_rows(model, "slider", sliders),
        "a 1.2 MB text in a field": long_text,
    }


@pytest.mark.parametrize("name", ["14,000 treatment rows", "3,000 event rows",
                                  "14,000 delete buttons", "14,000 sliders",
                                  "a 1.2 MB text in a field"])
def test_an_oversized_callback_is_answered_short_and_fast(client, model, name):
    raw = json.dumps(_oversized(model)[name]).encode()
    assert client.post(UPDATE, json=_slider_body(model)).status_code == 200  # warm
    r, seconds = _timed(client, raw)
    text = r.get_data(as_text=True)
    assert r.status_code in (400, 413), text[:300]
    assert len(r.get_data()) < SHORT_BYTES
    assert seconds < FAST_S, f"{name}: {seconds * 1e3:.0f} ms"
    assert "Traceback" not in text


def test_the_message_names_what_was_over_and_the_limit(client, model):
    r = client.post(UPDATE, json=_oversized(model)["14,000 treatment rows"])
    message = r.get_json()["error"]
    assert r.status_code == 413
    assert "14000 treatment entries" in message and f"at most {MAX_TREATMENTS} treatments" \
        in message


def test_a_request_at_the_budget_is_served(client, model):
    """A page with the most rows it can hold (every treatment row with every option, every
    event row) is still answered with figures."""
    full_tr = {c: "" for c in (*S.TREATMENT_COLUMNS, *S.TREATMENT_OPTIONS)}
    full_tr.update(kind="gabapentin", start_s="10")
    body = _with_rows(model, "tr", _cells("tr", MAX_TREATMENTS, full_tr))
    r = client.post(UPDATE, json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    event = {"kind": "touch", "start_s": "10", "stop_s": "20", "intensity": "1"}
    r = client.post(UPDATE, json=_with_rows(model, "ev", _cells("ev", MAX_EVENTS, event)))
    assert r.status_code == 200, r.get_data(as_text=True)[:300]


def test_one_row_too_many_is_refused_before_any_row_is_drawn():
    """Within the request budget (a crafted request with short rows) but over the session's
    limit: the banner says so and no row of the table is rendered."""
    session = S.default_session()
    inp = C.FormInput(doc=session.to_dict(), treatments=[{"kind": "gabapentin"}] *
                      (MAX_TREATMENTS + 1))
    out = C.control(("tr",), inp)
    assert out["treatments_children"] is C.NO and out["doc"] is C.NO
    assert f"at most {MAX_TREATMENTS}" in out["global_msg"]
    inp = C.FormInput(doc=session.to_dict(), events=S.event_rows(session) * (MAX_EVENTS + 1))
    out = C.control(("ev",), inp)
    assert out["events_children"] is C.NO and out["doc"] is C.NO
    assert f"at most {MAX_EVENTS}" in out["form"]["events"]


def test_a_client_refused_again_and_again_does_not_flood_the_log(client, model, caplog,
                                                                  monkeypatch):
    """One line for the first refusal, then none until the interval has passed (the rest are
    counted): a hostile client cannot fill the lecturer's terminal."""
    monkeypatch.setattr(A, "_refused", A._RefusalLog())
    raw = json.dumps(_oversized(model)["14,000 sliders"]).encode()
    with caplog.at_level("WARNING", logger="neuromod.dashboard"):
        for _ in range(50):
            assert client.post(UPDATE, data=raw,
                               content_type="application/json").status_code == 413
    lines = [r for r in caplog.records if r.name == "neuromod.dashboard"]
    assert len(lines) == 1 and "14000 entries" in lines[0].getMessage()
