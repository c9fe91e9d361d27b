"""The Placement tab: spine and body map, ECAP figure, and its update from a session."""
from __future__ import annotations

import dash
import plotly.graph_objects as go

from dashboard import placement as PL, placement_figures as PF
from dashboard.state import default_session, sparse_document
from sim.ecap import ecap_trace, simulate_loop
from sim.patients import patient
from sim.placement import coverage
from sim.presets import program
from sim.session import Event


def _validated(fig: go.Figure) -> go.Figure:
    return go.Figure(fig.to_plotly_json())  # validates every property


def _doc(prog, pat="failed-back-surgery"):
    return sparse_document(default_session().replace(program=prog, patient=patient(pat)))


def test_body_map_colours_pain_paresthesia_and_overlap():
    pa = patient("failed-back-surgery")                 # L5-S1 left
    from sim.recruitment import recruit
    prog = program("scs-tonic", lateral_offset_mm=3.0)  # roots only: T11-T12 left
    prog = prog.replace(amplitude_mA=1.3 * recruit(prog).perception_threshold_mA)
    fig = _validated(PF.body_map_figure(coverage(prog, pa), 3.0))
    heat = next(t for t in fig.data if t.type == "heatmap")
    z = {seg: row for seg, row in zip(heat.y, heat.z, strict=True)}
    assert list(z["L5"]) == [0, 1] and list(z["S1"]) == [0, 1]   # left pain, not covered
    assert z["T12"][1] == 2                             # paresthesia without pain
    lead = next(t for t in fig.data if t.name == "lead")
    assert lead.y == ("T9",) and lead.x == (3.0,)
    full = _validated(PF.body_map_figure(coverage(program("scs-tonic"), pa)))
    heat = next(t for t in full.data if t.type == "heatmap")
    z = {seg: row for seg, row in zip(heat.y, heat.z, strict=True)}
    assert z["L5"][1] == 3 and z["S1"][1] == 3          # covered
    assert "100 %" in full.layout.title.text


def test_ecap_figure_draws_the_pulse_and_both_loops_with_the_band():
    prog, pa = program("scs-tonic"), patient("failed-back-surgery")
    ev = (Event(kind="supine", start_s=20.0, stop_s=40.0),)
    loops = [simulate_loop(prog, pa, mode=m, events=ev) for m in ("open", "closed")]
    fig = _validated(PF.ecap_figure(ecap_trace(prog), *loops))
    assert [t.name for t in fig.data] == ["ECAP", "open loop", "closed loop"]
    band = fig.layout.shapes[0]
    assert band.y1 / band.y0 == 1.2 / 0.8
    assert "ECAP" in _validated(PF.ecap_figure(None)).layout.title.text


def test_update_follows_the_session_and_reports_errors():
    fig_map, fig_ecap, text, _ = PL.placement_update(_doc(program("scs-tonic")), {})
    assert "100 %" in text and "Closed loop" in text
    _validated(fig_map), _validated(fig_ecap)
    _, _, text, _ = PL.placement_update(_doc(program("drg"), "crps"), {"lecture": True})
    assert "3 dermatomes" in text and "Closed loop" not in text and "CSF" not in text
    bad = {"schema_version": 1, "patient": {"pain_area": "nowhere"}}
    out = PL.placement_update(bad, {})
    assert out[0] is dash.no_update or isinstance(out[0], go.Figure)


def test_tab_is_in_the_app():
    from dashboard.app import app
    ids = {c.id for c in app.layout._traverse() if isinstance(getattr(c, "id", None), str)}
    assert {"fig-bodymap", "fig-ecap", "pl-text"} <= ids


def test_twitch_marker_for_acupuncture_like_tens():
    _, _, text, _ = PL.placement_update(_doc(program("tens-acupuncture")), {})
    assert "visible twitches" in text and "2 Hz" in text
    _, _, text, _ = PL.placement_update(_doc(program("tens-conventional")), {})
    assert "no contraction" in text


def test_only_what_changed_is_redrawn():
    """Unchanged session: nothing is sent. A small amplitude step that recruits no new
    dermatome: the ECAP (whose size follows the current) is redrawn, the body map is not. A
    lateral move of the lead narrows the paresthesia: the body map is redrawn too."""
    no = dash.no_update
    prog = program("scs-tonic")
    body, ecap, _, keys = PL.placement_update(_doc(prog), {})
    assert isinstance(body, go.Figure) and isinstance(ecap, go.Figure)
    assert PL.placement_update(_doc(prog), {}, keys) == (no, no, no, keys)
    step = prog.replace(amplitude_mA=prog.amplitude_mA * 1.01)
    body, ecap, _, keys2 = PL.placement_update(_doc(step), {}, keys)
    assert body is no and isinstance(ecap, go.Figure) and keys2["map"] == keys["map"]
    moved = prog.replace(lateral_offset_mm=3.0)
    body, _, _, _ = PL.placement_update(_doc(moved), {}, keys)
    assert isinstance(body, go.Figure)


def test_the_update_callback_draws_the_tab_only_while_it_is_shown():
    from dashboard.callbacks import NO, figures_update

    doc = _doc(program("scs-tonic"))
    hidden = figures_update(doc, {}, {}, tab="safety")
    assert all(hidden[k] is NO for k in ("fig-bodymap", "fig-ecap", "pl-text"))
    shown = figures_update(doc, {}, {}, keys=hidden["fig-keys"], tab=PL.TAB_VALUE)
    assert isinstance(shown["fig-bodymap"], go.Figure) and "%" in shown["pl-text"]
    assert shown["fig-wave"] is NO  # the rest was already drawn: only the tab is sent
    again = figures_update(doc, {}, {}, keys=shown["fig-keys"], tab=PL.TAB_VALUE)
    assert again["fig-bodymap"] is NO and again["fig-ecap"] is NO
