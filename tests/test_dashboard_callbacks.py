"""Dashboard callbacks, called directly (no browser): what one user action does to the state."""
import base64
from types import SimpleNamespace

import numpy as np
import pytest

from dashboard import callbacks as C, results as R, state as S
from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS, program
from sim.session import Session

NO = C.NO


def _inp(session: Session | None = None, **changes) -> C.FormInput:
    """The browser state showing ``session`` (default: the start-up session)."""
    s = session or S.default_session()
    inp = C.FormInput(
        doc=s.to_dict(), pinned={}, view={"lecture": False}, search="",
        sliders={n: S.to_slider(S.FORM_PARAMS[n], getattr(s.program, n, None)
                                if n in s.program.to_dict() else
                                getattr(s.patient, n, None) if n in s.patient.to_dict() else
                                getattr(s.options, n, None) if n in s.options.to_dict() else
                                s.duration_s)
                 for n in C.L.NUMERIC_PARAMS},
        fields=S.session_to_form(s), events=S.event_rows(s),
        program_preset=S.matching_program_preset(s.program),
        patient_preset=S.matching_patient_preset(s.patient))
    for key, value in changes.items():
        setattr(inp, key, value)
    return inp


def _typed(name: str, text: str, session: Session | None = None) -> C.FormInput:
    inp = _inp(session)
    inp.fields = {**inp.fields, name: text}
    return inp


def _text(component) -> str:
    """All text inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def _figures_after(doc, keys):
    """What the figure callbacks send for store contents ``doc`` given their skip keys."""
    return C.figures_update(doc, {}, {"lecture": False}, keys=keys)


def test_out_of_range_typed_value_shows_the_message_and_keeps_the_figures():
    inp = _typed("amplitude_mA", "500")
    out = C.control(("field", "amplitude_mA"), inp)
    assert out["form"]["messages"] == {"amplitude_mA": "Amplitude [mA] = 500 is outside 0..100 mA"}
    assert out["form"]["invalid"] == ["amplitude_mA"]
    assert "Not applied" in out["global_msg"] and "“Amplitude [mA]”" in out["global_msg"]
    # The stores and the URL are untouched, so no figure is redrawn: last good results stay.
    assert out["doc"] is NO and out["search"] is NO
    keys = _figures_after(inp.doc, {})["fig-keys"]
    assert all(v is NO for v in _figures_after(inp.doc, keys).values())


def test_a_tampered_store_never_breaks_a_figure():
    bad = {"program": {"amplitude_mA": -1}}
    assert C.waveform_update(bad, {}, {}, None, None) == (NO, NO)
    assert C.safety_update(bad, {}, {}, None) == (NO, NO, NO)
    assert C.session_update(bad, {}, {}, None) == (NO, NO, NO, NO)
    assert C.fibre_update(bad, {}, {}, None) == (NO, NO)


def test_a_valid_typed_value_updates_store_slider_and_url():
    out = C.control(("field", "amplitude_mA"), _typed("amplitude_mA", " 5.2 "))
    new = Session.from_dict(out["doc"])
    assert new.program.amplitude_mA == 5.2
    assert S.decode_search(out["search"]).session == new
    assert out["form"]["messages"] == {} and out["global_msg"] == ""
    assert out["program_note"] == "modified"  # no longer the scs-tonic preset
    assert out["patient_note"] == ""


def test_a_slider_release_on_a_log_scale_writes_a_readable_value():
    inp = _inp()
    inp.sliders = {**inp.sliders, "rate_hz": np.log10(61.7)}
    out = C.control(("slider", "rate_hz"), inp)
    assert Session.from_dict(out["doc"]).program.rate_hz == 62  # 61.7 Hz -> 62 Hz


def test_a_slider_placed_by_a_load_keeps_the_exact_typed_value():
    # 12.25 mm² sits between log-slider snaps (12, 13): a slider positioned to match the text
    # box must not round the value.
    s = Session(program=program("scs-tonic", contact_area_mm2=12.25))
    out = C.control(("slider", "contact_area_mm2"), _inp(s))
    assert out["doc"] is NO


def test_a_combination_error_is_shown_where_it_is_named_and_where_it_was_made():
    inp = _inp()
    inp.sliders = {**inp.sliders, "rate_hz": 4.0}  # 10 kHz with 210 µs biphasic pulses
    out = C.control(("slider", "rate_hz"), inp)
    assert out["doc"] is NO
    messages = out["form"]["messages"]
    assert "Pulse width [µs] = 210 µs does not fit" in messages["pulse_width_us"]
    assert messages["rate_hz"].startswith("Not applied: Pulse width [µs] = 210")
    assert out["form"]["invalid"] == ["pulse_width_us", "rate_hz"]


def test_the_form_stays_sticky_until_the_bad_value_is_fixed():
    inp = _typed("amplitude_mA", "500")
    inp.fields["pulse_width_us"] = "100"
    out = C.control(("field", "pulse_width_us"), inp)
    assert out["doc"] is NO
    assert "Amplitude [mA] = 500" in out["form"]["messages"]["amplitude_mA"]
    inp.fields["amplitude_mA"] = "5"
    out = C.control(("field", "amplitude_mA"), inp)
    new = Session.from_dict(out["doc"])
    assert (new.program.amplitude_mA, new.program.pulse_width_us) == (5, 100)


def test_a_program_preset_loads_every_control_and_keeps_the_patient():
    inp = _inp(program_preset="scs-10khz")
    out = C.control(("program-preset",), inp)
    new = Session.from_dict(out["doc"])
    assert new.program == PROGRAM_PRESETS["scs-10khz"].program()
    assert new.patient == S.default_session().patient
    assert out["fields"]["rate_hz"] == "10000" and out["fields"]["pulse_width_us"] == "30"
    assert out["sliders"]["rate_hz"] == pytest.approx(4.0)
    assert S.decode_search(out["search"]).session == new


def test_a_patient_preset_keeps_the_program():
    out = C.control(("patient-preset",), _inp(patient_preset="crps"))
    new = Session.from_dict(out["doc"])
    assert new.patient == PATIENT_PRESETS["crps"].patient()
    assert new.program == S.default_session().program


def test_keyboard_steps_through_program_presets_cyclically():
    names = list(PROGRAM_PRESETS)
    out = C.control(("next-preset",), _inp())
    assert out["program_preset"] == names[names.index(S.DEFAULT_PROGRAM_PRESET) + 1]
    first = _inp(Session(program=PROGRAM_PRESETS[names[0]].program()))
    assert C.control(("prev-preset",), first)["program_preset"] == names[-1]


def test_pin_lecture_and_unpin_live_in_the_stores_and_the_url():
    inp = _inp()
    out = C.control(("pin",), inp)
    assert out["pinned"] == inp.doc and out["doc"] is NO
    st = S.decode_search(out["search"])
    assert st.pinned == S.default_session() and st.session == S.default_session()
    inp.pinned = out["pinned"]
    out = C.control(("lecture",), inp)
    assert out["view"] == {"lecture": True} and S.decode_search(out["search"]).lecture
    inp.view = out["view"]
    out = C.control(("unpin",), inp)
    assert out["pinned"] == {}
    assert S.decode_search(out["search"]).pinned is None


def test_opening_a_shared_link_restores_everything():
    shared = Session(program=program("scs-burst", amplitude_mA=1.4), duration_s=300)
    pinned = Session(program=program("scs-tonic"))
    search = S.encode_search(shared, pinned=pinned, lecture=True)
    out = C.control(("init",), _inp(search=search))
    assert Session.from_dict(out["doc"]) == shared
    assert Session.from_dict(out["pinned"]) == pinned
    assert out["view"] == {"lecture": True}
    assert out["fields"]["amplitude_mA"] == "1.4" and out["fields"]["duration_s"] == "300"
    assert out["search"] is NO  # the URL already says it
    assert out["global_msg"] == ""


def test_a_malformed_link_shows_a_message_and_keeps_the_defaults():
    out = C.control(("init",), _inp(search="?s=not-a-session"))
    assert "could not be read" in out["global_msg"]
    assert out["doc"] is NO  # the start-up session stays
    assert C.control(("init",), _inp(search=""))["global_msg"] is NO  # nothing to restore


def _upload(text: str) -> str:
    return "data:application/json;base64," + base64.b64encode(text.encode()).decode()


def test_import_of_a_configuration_json():
    s = Session(program=program("pns"), duration_s=120)
    out = C.control(("upload",), _inp(upload_contents=_upload(s.to_json()),
                                      upload_filename="mine.json"))
    assert Session.from_dict(out["doc"]) == s
    assert out["global_msg"] == "Imported mine.json."
    assert out["upload_contents"] is None
    bad = C.control(("upload",), _inp(upload_contents=_upload('{"duration_s": 0}'),
                                      upload_filename="bad.json"))
    assert bad["doc"] is NO
    assert bad["global_msg"] == ("Could not import bad.json: Session length [s] = 0 is outside "
                                 "1..14400 s (key “duration_s” in the file). Nothing was "
                                 "changed.")


def test_events_can_be_added_removed_and_are_validated():
    inp = _inp()
    out = C.control(("ev-add",), inp)
    events = Session.from_dict(out["doc"]).events
    assert [e.kind for e in events] == ["stimulation", "touch"]
    assert len(out["events_children"]) == 2
    inp = _inp(Session.from_dict(out["doc"]))
    out = C.control(("ev-del", 0), inp)
    assert [e.kind for e in Session.from_dict(out["doc"]).events] == ["touch"]
    inp = _inp()
    inp.events = [dict(inp.events[0], stop_s="500")]  # beyond the 240 s session
    out = C.control(("ev",), inp)
    assert out["doc"] is NO
    assert "Event stop [s] = 500 s is after the end of the session" in out["form"]["events"]


def test_waveform_zoom_renders_the_new_window_and_a_double_click_resets_it():
    doc = Session(program=program("scs-10khz"), duration_s=1800).to_dict()
    fig, state = C.waveform_update(doc, {}, {}, None, None)
    assert fig.layout.meta["window_s"] == [0.0, pytest.approx(3e-4)]
    zoom = {"xaxis.range[0]": 900_000.0, "xaxis.range[1]": 900_010.0}  # ms
    fig, state = C.waveform_update(doc, {}, {}, zoom, state, zoomed=True)
    assert fig.layout.meta["window_s"] == pytest.approx([900.0, 900.01])
    assert fig.layout.meta["pulses_in_window"] == 100
    # A program change keeps the zoom while the pulse period is unchanged...
    doc2 = Session(program=program("scs-10khz", amplitude_mA=4), duration_s=1800).to_dict()
    fig, state = C.waveform_update(doc2, {}, {}, zoom, state)
    assert fig.layout.meta["window_s"] == pytest.approx([900.0, 900.01])
    assert C.waveform_update(doc2, {}, {}, zoom, state) == (NO, NO)
    fig, state = C.waveform_update(doc2, {}, {}, {"xaxis.autorange": True}, state, zoomed=True)
    assert fig.layout.meta["window_s"] == [0.0, pytest.approx(3e-4)]
    assert C.waveform_update(doc2, {}, {}, {"dragmode": "pan"}, state, zoomed=True) == (NO, NO)


def test_safety_warnings_are_plain_language():
    doc = Session(program=program("scs-tonic", amplitude_mA=10, pulse_width_us=300)).to_dict()
    _fig, warnings, _key = C.safety_update(doc, {}, {}, None)
    assert "Shannon k = 1.87 is at or above the limit 1.85" in _text(warnings)
    ok = C.safety_update(S.default_session().to_dict(), {}, {}, None)[1]
    assert "No safety limit is crossed" in _text(ok)


def _fake_core(monkeypatch, reduction=60.0):
    """Install a stand-in for the session model (a test double of ``run_session``)."""
    calls = []

    def run_session(session):
        calls.append(session)
        t = np.linspace(0, session.duration_s, 2401)
        stim = np.zeros_like(t)
        for e in session.events:
            stim[(t >= e.start_s) & (t < e.stop_s)] = 1.0
        series = {"pain_nrs": 6 - 3 * stim, "paresthesia": 0.5 * stim, "stim_on": stim,
                  "projection_hz": 30 - 15 * stim, "inhibitory_hz": 20 + 30 * stim,
                  "excitatory_hz": 10 + 0 * t, "abeta_drive": stim, "adelta_drive": 0 * t,
                  "c_drive": 1 + 0 * t, "sensitisation": 0 * t}
        summary = SimpleNamespace(pain_before_nrs=6.0, pain_during_nrs=3.0, pain_after_nrs=5.0,
                                  pain_reduction_pct=reduction, responder=reduction >= 50,
                                  paresthesia=0.5, charge_per_hour_uC=1e5, battery_days=120.0)
        return SimpleNamespace(t_s=t, series=series, units={"paresthesia": "1"},
                               summary=summary, to_csv=lambda: "t_s,pain_nrs\n0,6\n")

    monkeypatch.setattr(R, "run_session", run_session)
    R._run.cache_clear()
    return calls


def test_session_figures_and_summary_use_the_model_hook(monkeypatch):
    calls = _fake_core(monkeypatch)
    doc = S.default_session().to_dict()
    pinned = Session(program=program("off")).to_dict()
    fig, gate, cards, _ = C.session_update(doc, pinned, {}, {"points": [{"x": 100.0}]})
    assert [t.name for t in fig.data if t.showlegend] == ["A (pinned)", "B (this session)"]
    assert "t = 100 s" in gate.layout.title.text
    text = _text(cards)
    assert "60 %" in text and "6.0 → 3.0 → 5.0" in text and "120 days" in text
    C.session_update(doc, pinned, {}, None)
    assert len(calls) == 2  # memoised: one run per distinct session
    payload, msg = C.download_csv(doc)
    assert payload["content"].startswith("t_s,pain_nrs") and msg == ""
    R._run.cache_clear()


def test_json_download_round_trips():
    s = Session(program=program("tens-conventional"), duration_s=90)
    payload = C.download_json(s.to_dict())
    assert payload["filename"] == "neuromod-session.json"
    assert Session.from_json(payload["content"]) == s


def test_pinned_status_names_what_is_pinned():
    doc = Session(program=program("scs-10khz"), patient=PATIENT_PRESETS["crps"].patient())
    assert C.pinned_status(doc.to_dict()).startswith(
        "A pinned: SCS 10 kHz on Complex regional pain syndrome")
    assert C.pinned_status({}) == ""


def test_an_edit_keeps_the_sessions_treatments():
    from sim.treatments import Treatment
    s = S.default_session().replace(
        treatments=(Treatment(kind="gabapentin", dose_mg_per_day=1800.0),))
    out = C.control(("field", "amplitude_mA"), _typed("amplitude_mA", "5", s))
    new = Session.from_dict(out["doc"])
    assert new.program.amplitude_mA == 5 and new.treatments == s.treatments


def test_treatment_rows_add_edit_and_remove():
    from sim.treatments import TREATMENT_KINDS
    s = S.default_session()
    inp = _inp(s)
    out = C.control(("tr-add",), inp)
    # a new row waits for its kind: drawn, but nothing added to the simulation
    assert out["doc"] is NO and len(out["treatments_children"]) == 1
    rows = [S.new_treatment_row(s.duration_s)]
    assert rows[0]["kind"] is None
    rows[0]["kind"] = "gabapentin"
    out = C.control(("tr",), _inp(s, treatments=rows))
    new = Session.from_dict(out["doc"])
    assert [t.kind for t in new.treatments] == ["gabapentin"]
    assert new.treatments[0].start_s == pytest.approx(0.25 * s.duration_s)
    # edit: a lidocaine block at 1 %; its dose column now reads in %
    rows = S.treatment_rows(new)
    rows[0].update(kind="lidocaine-block", dose="1", treatment_day="")
    out = C.control(("tr",), _inp(new, treatments=rows))
    blocked = Session.from_dict(out["doc"])
    assert blocked.treatments[0].kind == "lidocaine-block"
    assert blocked.treatments[0].concentration_pct == 1.0
    assert TREATMENT_KINDS["lidocaine-block"].dose_param == "concentration_pct"
    # a concentration above the documented maximum shows the message, keeps the session
    rows[0].update(dose="5")
    out = C.control(("tr",), _inp(blocked, treatments=rows))
    assert out["doc"] is NO
    assert "Concentration [%] = 5 is outside 0.25..2 %" in _text(out["global_msg"]) + str(
        out["form"])
    out = C.control(("tr-del", 0), _inp(blocked, treatments=S.treatment_rows(blocked)))
    assert Session.from_dict(out["doc"]).treatments == ()


def _option_treatments():
    from sim.treatments import Treatment
    return (Treatment(kind="lidocaine-block", concentration_pct=1.0, block_site="distal",
                      block_order="adelta-first", start_s=60.0),
            Treatment(kind="phenol", lesion_fraction=0.6, deafferentation_risk=True,
                      block_site="distal"),
            Treatment(kind="capsaicin-patch", application_min=30.0))


def test_an_edit_keeps_every_treatment_option_shown_in_the_rows():
    """The rows the browser shows carry each kind's options, so a slider release (which sends
    the rows back) keeps a distal adelta-first block, a 60 % lesion with its risk flag and a
    30-minute patch instead of resetting them to their defaults."""
    s = S.default_session().replace(treatments=_option_treatments())
    rows = S.treatment_rows(s)
    assert set(rows[0]) >= {"block_site", "block_order"} and "lesion_fraction" not in rows[0]
    assert set(rows[1]) >= {"lesion_fraction", "deafferentation_risk", "block_site"}
    assert "application_min" in rows[2] and "block_site" not in rows[2]
    p = S.FORM_PARAMS["amplitude_mA"]
    out = C.control(("slider", "amplitude_mA"),
                    _inp(s, treatments=rows, sliders={"amplitude_mA": S.to_slider(p, 5.0)}))
    new = Session.from_dict(out["doc"])
    assert new.program.amplitude_mA == 5.0 and new.treatments == s.treatments


def test_treatment_options_are_edited_in_their_rows():
    s = S.default_session().replace(treatments=_option_treatments())
    rows = S.treatment_rows(s)
    rows[0]["block_site"] = "proximal"
    rows[1].update(lesion_fraction="0.8", deafferentation_risk=[])
    rows[2]["application_min"] = "45"
    new = Session.from_dict(C.control(("tr",), _inp(s, treatments=rows))["doc"])
    block, lesion, patch = new.treatments
    assert (block.block_site, block.block_order) == ("proximal", "adelta-first")
    assert (lesion.lesion_fraction, lesion.deafferentation_risk) == (0.8, False)
    assert patch.application_min == 45.0
    # out of range: the message names the option, its value and its range; nothing applies
    rows[1]["lesion_fraction"] = "1.5"
    out = C.control(("tr",), _inp(new, treatments=rows))
    assert out["doc"] is NO
    assert "Lesion completeness = 1.5 is outside 0..1" in _text(out["global_msg"])


def test_a_new_kind_shows_its_own_options_at_their_defaults():
    from dash import dcc
    rows = [dict(S.new_treatment_row(240.0), kind="cryoneurolysis")]
    children = C.L.treatment_rows_children(rows)
    ids = {c.id["col"]: c for row in children for cell in row.children
           for c in [cell, *(getattr(cell, "children", []) or [])]
           if "col" in (getattr(c, "id", None) or {})}
    assert {"lesion_fraction", "deafferentation_risk", "block_site"} <= set(ids)
    assert "block_order" not in ids and "application_min" not in ids
    assert ids["lesion_fraction"].value == "1" and ids["deafferentation_risk"].value == []
    assert isinstance(ids["block_site"], dcc.Dropdown) and ids["block_site"].value == "proximal"


@pytest.mark.parametrize("name", [n for n in PROGRAM_PRESETS if n != "off"])
@pytest.mark.parametrize("pattern_change", [{}, {"pattern": "burst", "pulses_per_burst": 20,
                                                 "rate_hz": 1000.0, "burst_rate_hz": 40.0}])
def test_the_fibre_tab_draws_every_program(name, pattern_change):
    """The strength-duration curves are computed for a normalised program; for a burst, the
    normalisation must keep the pulses inside the burst period (20 pulses at 1 Hz would last
    19 s against a 25-ms period), or the whole update callback fails while the Fibres tab is
    shown."""
    prog = PROGRAM_PRESETS[name].program()
    s = S.default_session().replace(program=prog.replace(**pattern_change, pulse_width_us=100.0)
                                    if pattern_change else prog)
    out = C.figures_update(s.to_dict(), {}, {"lecture": False}, tab="fibres")
    fig = out["fig-fibres"]
    assert fig is not NO
    ops = [t for t in fig.data if t.mode == "markers"]
    assert ops  # the operating point is drawn


def test_the_gate_tab_draws_the_rate_response_only_while_shown():
    s = S.default_session()
    hidden = C.figures_update(s.to_dict(), {}, {"lecture": False}, tab="safety")
    assert hidden["fig-rate"] is NO
    shown = C.figures_update(s.to_dict(), {}, {"lecture": False}, tab="gate")
    fig = shown["fig-rate"]
    assert fig is not NO and "rate" in shown["fig-keys"]
    marker = next(t for t in fig.data if t.name == "this program")
    assert marker.x == (s.program.rate_hz,)
    # unchanged settings: nothing redrawn
    again = C.figures_update(s.to_dict(), {}, {"lecture": False}, tab="gate",
                             keys=shown["fig-keys"])
    assert again["fig-rate"] is NO


def test_days_on_the_program_reach_the_session_the_url_and_the_summary():
    s = S.default_session().replace(program=PROGRAM_PRESETS["scs-10khz"].program(),
                                    stimulation_day=90.0)
    assert S.sparse_document(s)["stimulation_day"] == 90.0
    assert S.session_from_doc(S.sparse_document(s)) == s
    first = R.session_result(s.replace(stimulation_day=0.0)).summary.pain_reduction_pct
    later = R.session_result(s).summary.pain_reduction_pct
    assert first < 5.0 < 50.0 < later            # 10 kHz washes in over about a day
    assert "stimulation_day" in S.session_to_form(s)


def test_a_first_10khz_session_says_why_it_does_not_relieve_yet():
    # 10 kHz relief builds over about a day (SENZA-RCT reported relief after days, not at
    # switch-on): day 0 shows none, and the pain-reduction card says why and what to set
    s = S.default_session().replace(program=PROGRAM_PRESETS["scs-10khz"].program())
    cards = {t: note for t, _, _, note in C._summary(s, R.session_result(s), None, None)}
    assert "builds over a day" in cards["Pain reduction"]
    assert "Days on this program" in cards["Pain reduction"]
    later = s.replace(stimulation_day=90.0)
    cards = {t: note for t, _, _, note in C._summary(later, R.session_result(later), None,
                                                      None)}
    assert cards["Pain reduction"] == "during vs before stimulation"
    tonic = S.default_session()
    assert "kHz" not in C._summary(tonic, R.session_result(tonic), None, None)[0][3]


def test_picking_a_therapy_loads_its_program_into_every_control():
    from sim.presets import therapy_program
    s = S.default_session()
    out = C.control(("therapy",), C.FormInput(doc=s.to_dict(), therapy="tens"))
    expected = therapy_program(s.program, "tens")
    assert S.session_from_doc(out["doc"]).program == expected
    assert out["fields"]["contacts"] == "-+" and out["fields"]["therapy"] == "tens"
    assert out["global_msg"] == "" and not out["form"]["messages"]
    # an unknown therapy is ignored (nothing changes)
    same = C.control(("therapy",), C.FormInput(doc=s.to_dict(), therapy="dbs"))
    assert same["doc"] is NO and same["fields"] is NO


def test_a_preset_load_sends_only_the_controls_it_changes():
    """Every control sent is re-rendered by the browser: a program preset sends the program
    fields that differ (burst vs tonic: pattern, pulse width, rate...), not the patient's."""
    s = S.default_session()
    out = C.control(("program-preset",), _inp(s, program_preset="scs-burst",
                                              form=C.form_state(s)))
    burst = program("scs-burst")
    changed = {n for n, v in S.session_to_form(s.replace(program=burst)).items()
               if v != S.session_to_form(s)[n]}
    assert set(out["fields"]) == changed
    assert {"pattern", "pulse_width_us", "rate_hz"} <= changed
    assert not any(n in out["fields"] for n in s.patient.to_dict())
    assert set(out["sliders"]) <= changed
    assert out["events_children"] is NO and out["treatments_children"] is NO
    # a control showing a message (a rejected value on screen) is redrawn with the preset's
    form = C.form_state(s, messages={"impedance_ohm": "impedance_ohm=9e9 is outside ..."})
    out = C.control(("program-preset",), _inp(s, program_preset="scs-burst", form=form))
    assert out["fields"]["impedance_ohm"] == S.session_to_form(s)["impedance_ohm"]
    # without the form state (unknown screen), every control is drawn
    out = C.control(("program-preset",), _inp(s, program_preset="scs-burst"))
    assert set(out["fields"]) == set(S.session_to_form(s))
