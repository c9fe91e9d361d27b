"""Control sections mounted on demand, and requests fired by several inputs at once.

A closed section's rows are not on the page (they cost the renderer time on every update);
its settings live in the session store. These tests pin what that must not change: every
declared parameter still has a control, an edit elsewhere keeps the closed sections' stored
values (not the declared defaults), and a section opened later shows the stored values and
the messages of the form state. Requests go through the Flask test client, built from the
app's own dependency list as the browser builds them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as LD  # noqa: E402

import dashboard.app as A  # noqa: E402
from dashboard import callbacks as C  # noqa: E402
from dashboard import layout as L  # noqa: E402
from dashboard import state as S  # noqa: E402
from sim.params import PARAMETERS  # noqa: E402

UPDATE = "/_dash-update-component"
SLIDER = {"name": "amplitude_mA", "type": "slider"}


@pytest.fixture(scope="module")
def client():
    return A.server.test_client()


@pytest.fixture(scope="module")
def model(client):
    return LD.AppModel(client.get("/_dash-layout").get_json(),
                       client.get("/_dash-dependencies").get_json())


def _ids(layout_json) -> list:
    return [c["id"] for c in LD.B._components(layout_json, [])]


def _control_names(ids, kind="field") -> set[str]:
    return {i["name"] for i in ids if isinstance(i, dict) and i.get("type") == kind}


def test_closed_sections_are_not_mounted_but_every_parameter_has_a_control(client):
    ids = _ids(client.get("/_dash-layout").get_json())
    mounted = _control_names(ids)
    closed = {n for key, (names, is_open) in L.SECTION_PARAMS.items()
              if not is_open and key != L.EAGER_SECTION for n in names}
    assert closed and not (closed & mounted)
    assert "amplitude_mA" in mounted and "duration_s" in mounted
    lazily = set()
    for key in L.SECTION_PARAMS:
        rows = C.section_update(key, 1, S.default_session().to_dict(), {})
        if rows is not C.NO:
            lazily |= {r.id["name"] for r in rows}
    assert mounted | lazily == set(S.FORM_PARAMS)


def _post_slider(client, model, doc, changed_extra=(), values=None):
    p = S.FORM_PARAMS["amplitude_mA"]
    body = model.request(model.dep(output="fig-keys"),
                         {(LD.key(SLIDER), "value"): S.to_slider(p, 6.4),
                          (LD.key("store-session"), "data"): doc, **(values or {})},
                         LD.changed_id(SLIDER, "value"))
    body["changedPropIds"] = [*changed_extra, *body["changedPropIds"]]
    r = client.post(UPDATE, json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_json()["response"]


def test_an_edit_keeps_the_stored_values_of_closed_sections(client, model):
    """Not the declared defaults: the stored session's own values."""
    s = S.default_session()
    doc = s.to_dict()
    doc["program"].update(impedance_ohm=2345.0, cycle_on_s=30.0, cycle_off_s=90.0)
    doc["patient"]["csf_thickness_mm"] = 4.4
    doc["options"]["shannon_k_limit"] = 1.6
    for name in ("impedance_ohm", "cycle_on_s", "csf_thickness_mm", "shannon_k_limit"):
        assert PARAMETERS[name].default not in (2345.0, 30.0, 4.4, 1.6)
    stored = _post_slider(client, model, doc)["store-session"]["data"]
    assert stored["program"]["amplitude_mA"] == 6.4
    assert stored["program"]["impedance_ohm"] == 2345.0
    assert (stored["program"]["cycle_on_s"], stored["program"]["cycle_off_s"]) == (30.0, 90.0)
    assert stored["patient"]["csf_thickness_mm"] == 4.4
    assert stored["options"]["shannon_k_limit"] == 1.6


def test_a_slider_release_fired_with_a_zoom_applies_both(client, model):
    """The renderer can batch a waveform zoom with a released slider in one request; the
    slider must not be taken for a plain zoom, nor the zoom dropped."""
    doc = S.default_session().to_dict()
    zoom = {"xaxis.range[0]": 0.0, "xaxis.range[1]": 10.0}  # ms
    answer = _post_slider(client, model, doc, changed_extra=("wave-zoom.data",),
                          values={(LD.key("wave-zoom"), "data"): zoom})
    assert answer["store-session"]["data"]["program"]["amplitude_mA"] == 6.4
    meta = answer["fig-wave"]["figure"]["layout"]["meta"]
    pw = doc["program"]["pulse_width_us"]
    assert meta["charge_per_phase_uC"] == pytest.approx(6.4 * pw * 1e-3)  # Q = I x PW
    assert meta["window_s"] == pytest.approx([0.0, 0.01])


def test_a_resize_of_the_waveform_sends_no_request():
    """The waveform's resizes (autosize relayouts) stay in the browser: only its zooms reach
    the update callback (through the wave-zoom store)."""
    deps = A.app.server.test_client().get("/_dash-dependencies").get_json()
    server_inputs = {(i["id"], i["property"]) for d in deps if not d.get("clientside_function")
                     for i in d["inputs"]}
    assert ("fig-wave", "relayoutData") not in server_inputs
    assert ("wave-zoom", "data") in server_inputs


def test_an_opened_section_shows_the_stored_values_and_messages():
    s = S.default_session()
    doc = s.to_dict()
    doc["program"]["impedance_ohm"] = 2345.0
    form = C.form_state(s, {"battery_capacity_mAh": "battery_capacity_mAh must be ..."},
                        invalid=["battery_capacity_mAh"])
    rows = C.section_update("device", 1, doc, form)
    by_name = {r.id["name"]: r for r in rows}
    assert set(by_name) == set(L.SECTION_PARAMS["device"][0])
    impedance = by_name["impedance_ohm"]
    field = next(c for c in impedance.children if getattr(c, "id", {}).get("type") == "field")
    assert float(field.value) == 2345.0
    battery = by_name["battery_capacity_mAh"]
    assert "invalid" in battery.className.split()
    msg = next(c for c in battery.children if getattr(c, "id", {}).get("type") == "msg")
    assert msg.children == "battery_capacity_mAh must be ..."
    # closed again (second click): nothing mounted; an open-by-default section inverts
    assert C.section_update("device", 2, doc, form) == []
    assert C.section_update("therapy", 1, doc, form) == []
    assert len(C.section_update("therapy", 2, doc, form)) == len(L.SECTION_PARAMS["therapy"][0])


def test_section_requests_with_bad_values_change_nothing():
    doc = S.default_session().to_dict()
    for key, clicks in (("nope", 1), (None, 1), (L.EAGER_SECTION, 1), ("device", "x"),
                        ("device", True)):
        out = C.section_update(key, clicks, doc, {})
        assert out is C.NO or out == []
    rows = C.section_update("device", 1, {"program": "tampered"}, "not a dict")
    assert rows and all(r.id["type"] == "row" for r in rows)  # the start-up session's values
    json.dumps([r.to_plotly_json() for r in rows], default=str)
