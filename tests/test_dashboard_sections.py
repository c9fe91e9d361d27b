"""Control sections mounted on demand, and requests fired by several inputs at once.

A closed section's rows are in the layout but not mounted (mounted components cost the
renderer time on every update; ``dashboard.layout._sections``). These tests pin what that
must not change: every declared parameter has a control in the layout, a request that leaves
controls out keeps their stored values (not the declared defaults), a slider batched with a
zoom applies both, and resizes send nothing. That closed rows are absent from the page and
show the current settings when opened is tested in the browser
(``tests/browser/test_dashboard_browser.py``). Requests go through the Flask test client,
built from the app's own dependency list as the browser builds them.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as LD  # noqa: E402

import dashboard.app as A  # noqa: E402
from dashboard import (  # noqa: E402
    layout as L,
    state as S,
)
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


def test_every_parameter_has_a_control_and_closed_sections_select_no_tab(client):
    layout = client.get("/_dash-layout").get_json()
    ids = _ids(layout)
    assert _control_names(ids) == set(S.FORM_PARAMS)
    bodies = {c["id"]["name"]: c for c in LD.B._components(layout, [])
              if isinstance(c["id"], dict) and c["id"].get("type") == "section-body"}
    for key, (_names, is_open) in L.SECTION_PARAMS.items():
        if key == L.EAGER_SECTION:
            assert key not in bodies  # always mounted
            continue
        tab_values = [t["props"]["value"] for t in bodies[key]["children"]]
        assert tab_values == [key]  # one tab, holding the rows
        assert bodies[key]["value"] == (key if is_open else L.CLOSED)
    assert not L.SECTION_PARAMS["patient"][1] and L.SECTION_PARAMS["therapy"][1]


def _post_slider(client, model, doc, changed_extra=(), values=None, drop=()):
    p = S.FORM_PARAMS["amplitude_mA"]
    body = model.request(model.dep(output="fig-keys"),
                         {(LD.key(SLIDER), "value"): S.to_slider(p, 6.4),
                          (LD.key("store-session"), "data"): doc, **(values or {})},
                         LD.changed_id(SLIDER, "value"))
    body["changedPropIds"] = [*changed_extra, *body["changedPropIds"]]
    for group in (*body["inputs"], *body["state"]):  # controls the request leaves out
        if isinstance(group, list):
            group[:] = [d for d in group if d["id"].get("name") not in drop]
    r = client.post(UPDATE, json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_json()["response"]


def test_a_request_without_some_controls_keeps_their_stored_values(client, model):
    """Not the declared defaults: the stored session's own values."""
    s = S.default_session()
    doc = s.to_dict()
    doc["program"].update(impedance_ohm=2345.0, cycle_on_s=30.0, cycle_off_s=90.0)
    doc["patient"]["csf_thickness_mm"] = 4.4
    doc["options"]["shannon_k_limit"] = 1.6
    for name in ("impedance_ohm", "cycle_on_s", "csf_thickness_mm", "shannon_k_limit"):
        assert PARAMETERS[name].default not in (2345.0, 30.0, 4.4, 1.6)
    left_out = {"impedance_ohm", "cycle_on_s", "cycle_off_s", "csf_thickness_mm",
                "shannon_k_limit"}
    stored = _post_slider(client, model, doc, drop=left_out)["store-session"]["data"]
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
