"""The words the dashboard shows: messages name controls by their labels, a decimal comma gets
a hint, legends say what they show (no "current" for a session, scales stated, A and B named),
the conduction study names its patient, battery life only where it means something."""
import base64
import re
from types import SimpleNamespace

import numpy as np
import pytest

from dashboard import callbacks as C, diagnosis as D, figures as F, layout as L, state as S
from sim.params import PARAMETERS, ParameterError
from sim.patients import PATIENT_PRESETS, patient
from sim.presets import program
from sim.session import Event, Session

NO = C.NO


def _typed(name: str, text: str, session: Session | None = None) -> C.FormInput:
    """The browser state after ``text`` was typed into ``name``'s text box."""
    session = session or S.default_session()
    fields = S.session_to_form(session)
    fields[name] = text
    sliders = {n: S.to_slider(S.FORM_PARAMS[n], S.parse_field(S.FORM_PARAMS[n],
                                                              S.session_to_form(session)[n]))
               for n in L.NUMERIC_PARAMS}
    return C.FormInput(doc=session.to_dict(), fields=fields, sliders=sliders,
                       events=S.event_rows(session))


def _row_label(name: str) -> str:
    """The text of the label the layout draws beside ``name``'s control."""
    p = S.FORM_PARAMS[name]
    row = L.control_row(p, p.default)
    return row.children[0].children


# --------------------------------------------------------------------------------------------
# Messages in the words of the controls
# --------------------------------------------------------------------------------------------
def test_an_out_of_range_amplitude_is_reported_under_its_label():
    out = C.control(("field", "amplitude_mA"), _typed("amplitude_mA", "500"))
    msg = out["form"]["messages"]["amplitude_mA"]
    assert "Amplitude [mA]" in msg and "amplitude_mA" not in msg
    assert msg.startswith(_row_label("amplitude_mA"))  # the layout's label, one source
    assert "500" in msg and "0..100 mA" in msg  # value, unit and allowed range stay
    assert "“Amplitude [mA]”" in out["global_msg"] and "amplitude_mA" not in out["global_msg"]


@pytest.mark.parametrize("name", [n for n, p in S.FORM_PARAMS.items()
                                  if p.kind in ("float", "int")])
def test_every_numeric_control_is_named_by_its_label(name):
    p = S.FORM_PARAMS[name]
    out = C.control(("field", name), _typed(name, f"{p.maximum * 10 + 1:g}"))
    msg = out["form"]["messages"][name]
    assert msg.startswith(_row_label(name) + " = ")
    assert name not in msg and p.range_text in msg


def test_a_combination_error_names_both_settings_by_their_labels():
    inp = _typed("rate_hz", "10000")  # 10 kHz with 210 µs biphasic pulses do not fit
    out = C.control(("field", "rate_hz"), inp)
    messages = out["form"]["messages"]
    assert "Pulse width [µs] = 210 µs does not fit" in messages["pulse_width_us"]
    assert messages["rate_hz"].startswith("Not applied: Pulse width [µs]")
    for msg in messages.values():
        assert not re.search(r"\b[a-z]+_[a-zA-Z_]+\b", msg), msg  # no internal name left


def test_an_event_row_error_counts_rows_from_one_and_uses_the_column_labels():
    inp = _typed("amplitude_mA", "3.5")
    inp.events = [dict(inp.events[0], stop_s="500")]  # after the end of a 240 s session
    out = C.control(("ev",), inp)
    msg = out["form"]["events"]
    assert msg.startswith("event 1 (stimulation): Event stop [s] = 500 s")
    assert "Session length [s] = 240 s" in msg
    assert "event_stop_s" not in msg and "events[0]" not in msg


def test_an_imported_file_names_the_setting_and_its_key_in_the_file():
    doc = b'{"program": {"amplitude_mA": 500}}'
    url = "data:application/json;base64," + base64.b64encode(doc).decode()
    out = C.control(("upload",), C.FormInput(doc=S.default_session().to_dict(),
                                             upload_contents=url, upload_filename="x.json"))
    assert out["global_msg"] == ("Could not import x.json: Amplitude [mA] = 500 is outside "
                                 "0..100 mA (key “amplitude_mA” in the file). Nothing was "
                                 "changed.")


def test_words_that_are_also_names_keep_their_meaning_in_a_sentence():
    text = S.user_message("contacts='000' is invalid: 2 to 16 contacts with one '-'")
    assert text == "Contacts = '000' is invalid: 2 to 16 contacts with one '-'"


def test_a_diagnosis_error_uses_the_labels():
    html = D._error(ParameterError("axonal_loss=2 is outside 0..0.95", name="axonal_loss"))
    assert "Large-fibre axonal loss = 2" in html and "axonal_loss" not in html


# --------------------------------------------------------------------------------------------
# Decimal comma
# --------------------------------------------------------------------------------------------
def test_a_decimal_comma_gets_a_hint_and_is_not_applied():
    out = C.control(("field", "amplitude_mA"), _typed("amplitude_mA", "2,5"))
    msg = out["form"]["messages"]["amplitude_mA"]
    assert "use a decimal point: 2.5" in msg
    assert msg.startswith("Amplitude [mA] = '2,5'") and "0..100 mA" in msg
    assert out["doc"] is NO  # not silently read as 2.5 (nor as 25)
    # a list of samples keeps its commas as separators
    assert S.parse_field(PARAMETERS["custom_shape"], "-1,0.5") == (-1.0, 0.5)


def test_a_comma_before_three_digits_offers_both_readings():
    with pytest.raises(ParameterError) as info:
        S.parse_field(PARAMETERS["rate_hz"], "10,000")
    msg = S.user_message(info.value)
    assert "use a decimal point: 10.000" in msg and "no thousands separator: 10000" in msg


def test_a_decimal_comma_in_an_event_cell_gets_the_hint():
    inp = _typed("amplitude_mA", "3.5")
    inp.events = [dict(inp.events[0], start_s="10,5")]
    out = C.control(("ev",), inp)
    assert "use a decimal point: 10.5" in out["form"]["events"]



# --------------------------------------------------------------------------------------------
# Legends and titles
# --------------------------------------------------------------------------------------------
def _fake_result(duration_s: float = 240.0):
    t = np.linspace(0, duration_s, 200)
    return SimpleNamespace(t_s=t, series={"pain_nrs": 6 + 0 * t, "paresthesia": 0.5 + 0 * t},
                           units={"paresthesia": "1"})


def _legend_names(fig) -> list[str]:
    return [t.name for t in fig.data if t.showlegend is not False and t.name]


def test_the_session_figure_has_no_legend_entry_named_current():
    events = S.default_session().events
    alone = F.session_figure(_fake_result(), events, 240.0)
    assert _legend_names(alone) == ["this session"]
    ab = F.session_figure(_fake_result(), events, 240.0, compare=_fake_result())
    assert _legend_names(ab) == ["A (pinned)", "B (this session)"]
    for fig in (alone, ab):
        assert not any("current" in (t.name or "") for t in fig.data)


def test_the_waveform_names_a_and_b_as_the_session_figure_does():
    wave = F.waveform_figure(program("scs-burst"), duration_s=240,
                             compare=(program("scs-tonic"), 240))
    assert {"A (pinned)", "B (this session)"} <= set(_legend_names(wave))
    assert not any("current" in (t.name or "") for t in wave.data)


def test_the_conduction_study_title_names_the_patient():
    doc = Session(patient=patient("small-fibre-neuropathy")).to_dict()
    fig, _ = D.ncs_update(doc, "sural", {})
    assert PATIENT_PRESETS["small-fibre-neuropathy"].title in fig.layout.title.text
    assert "sural" in fig.layout.title.text
    custom = Session(patient=patient("crps", anxiety=0.4)).to_dict()
    fig, _ = D.ncs_update(custom, "median", {})
    assert "custom patient" in fig.layout.title.text


def test_the_course_legend_and_axes_state_their_scale():
    doc = Session(program=program("scs-tonic"), patient=patient("failed-back-surgery")).to_dict()
    fig, _ = D.course_update(doc, ["stim"], {})
    names = [t.name for t in fig.data]
    assert all("0-10" in n for n in names), names
    assert not any("×10" in n for n in names), names
    assert "NRS 0-10" in names[0]
    assert all("right" in t.name for t in fig.data if t.yaxis == "y2")
    assert "NRS 0-10" in fig.layout.yaxis.title.text
    assert "0-10" in fig.layout.yaxis2.title.text


# --------------------------------------------------------------------------------------------
# Battery life
# --------------------------------------------------------------------------------------------
def _shown(session: Session, pinned: Session | None = None) -> tuple[str, str]:
    """Summary cards' HTML and the safety figure's title for ``session``."""
    pinned_doc = pinned.to_dict() if pinned else {}
    _, _, cards, _ = C.session_update(session.to_dict(), pinned_doc, {}, None)
    fig, _, _ = C.safety_update(session.to_dict(), pinned_doc, {}, None)
    return cards, fig.layout.title.text


@pytest.mark.parametrize("prog", ["tens-conventional", "tens-acupuncture", "off"])
def test_battery_life_is_shown_for_scs_not_for_tens_or_no_stimulation(prog):
    cards, title = _shown(S.default_session())  # SCS tonic: an implanted generator
    assert "Battery life" in cards and "battery" in title
    cards, title = _shown(S.default_session().replace(program=program(prog)))
    assert "Battery life" not in cards and "battery" not in title


def test_battery_life_is_not_shown_for_a_session_without_stimulation():
    quiet = S.default_session().replace(events=(Event(kind="touch", start_s=10, stop_s=20),))
    cards, title = _shown(quiet)
    assert "Battery life" not in cards and "battery" not in title


def test_battery_card_in_ab_mode_shows_a_dash_for_the_side_without_one():
    tens = S.default_session().replace(program=program("tens-conventional"))
    cards = C._summary(tens, None, S.default_session(), None)
    battery = next(c for c in cards if c[0] == "Battery life")
    assert battery[1] == "—" and battery[2] != "—"


# --------------------------------------------------------------------------------------------
# Legend entries in A/B mode and for the recruitment band
# --------------------------------------------------------------------------------------------
def _fibre_view(scale: float = 1.0):
    amps = np.logspace(-1, 2, 50)
    return F.FibreView(
        classes=("Aβ", "Aδ", "C"), amplitude_mA=amps,
        fraction={"Aβ": np.clip(amps / 5 / scale, 0, 1), "Aδ": np.clip(amps / 30, 0, 1),
                  "C": np.clip(amps / 90, 0, 1)},
        pulse_width_us=np.logspace(1, 3, 20),
        threshold_mA={c: 2 * (1 + tau / np.logspace(1, 3, 20)) for c, tau in
                      (("Aβ", 100), ("Aδ", 250), ("C", 1000))},
        operating_amplitude_mA=2.5, operating_pulse_width_us=210.0,
        perception_mA=1.2, discomfort_mA=1.8)


def test_the_recruitment_band_has_a_legend_entry():
    fig = F.fibre_figure(_fibre_view())
    band = next(s for s in fig.layout.shapes if s.type == "rect")
    assert band.showlegend and "therapeutic window" in band.name
    F.go.Figure(fig.to_dict())  # plotly's schema accepts a shape with a legend entry


def test_b_curves_carry_legend_entries_in_ab_mode():
    fig = F.fibre_figure(_fibre_view(), compare=_fibre_view(2.0))
    names = _legend_names(fig)
    for cls in ("Aβ", "Aδ", "C"):
        assert f"{cls} (A)" in names and f"{cls} (B)" in names
    band = next(s for s in fig.layout.shapes if s.type == "rect")
    assert band.showlegend and band.name.endswith("(B)")
    # A and B of one class toggle apart
    groups = {t.legendgroup for t in fig.data if t.legendgroup}
    assert {"Aβ (A)", "Aβ (B)"} <= groups
    alone = F.fibre_figure(_fibre_view())
    assert "Aβ" in _legend_names(alone) and not any("(B)" in n for n in _legend_names(alone))


def test_a_and_b_operating_points_carry_legend_entries_on_the_safety_plane():
    doc, pinned = S.default_session(), S.default_session().replace(program=program("scs-burst"))
    fig, _, _ = C.safety_update(doc.to_dict(), pinned.to_dict(), {}, None)
    points = [t for t in fig.data if t.type == "scatter" and t.mode == "markers"]
    assert {t.name.split(":")[0] for t in points if t.showlegend} == {"A", "B"}
