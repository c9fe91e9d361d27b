"""The words the dashboard shows: messages name controls by their labels, a decimal comma gets
a hint."""
import base64
import re

import pytest

from dashboard import callbacks as C
from dashboard import diagnosis as D
from dashboard import layout as L
from dashboard import state as S
from sim.params import PARAMETERS, ParameterError
from sim.session import Session

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
