"""Dashboard state: form <-> Session, URL <-> Session, uploads, sliders (no browser, no dash)."""
import base64
import json
import zlib

import pytest

from dashboard import state as S
from sim.params import PARAMETERS, ParameterError
from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS, program
from sim.session import MAX_DOCUMENT_BYTES, Event, ModelOptions, Session


def _sessions():
    yield S.default_session()
    yield Session()
    for prog in PROGRAM_PRESETS.values():
        for pat in list(PATIENT_PRESETS.values())[:2]:
            yield Session(program=prog.program(), patient=pat.patient())
    yield Session(program=program("scs-tonic", shape="custom", custom_shape=(-1, -0.5, 0.25, 0.75),
                                  cycle_on_s=10, cycle_off_s=20, ramp_s=2.5),
                  duration_s=600,
                  events=(Event("touch", 10, 20, 0.5), Event("stimulation", 30, 500),
                          Event("pinch", 100.5, 101.25, 2.0)),
                  options=ModelOptions(mechanism_khz_direct=False, shannon_k_limit=1.5))
    yield Session(events=())


@pytest.mark.parametrize("session", list(_sessions()))
def test_url_round_trip_restores_an_identical_session(session):
    pinned = Session(program=program("scs-10khz"))
    search = S.encode_search(session, pinned=pinned, lecture=True)
    st = S.decode_search(search)
    assert st.error == ""
    assert st.session == session
    assert st.session.to_json() == session.to_json()
    assert st.pinned == pinned and st.lecture is True


def test_url_holds_only_what_differs_from_the_declared_defaults():
    s = Session(program=Session().program.replace(amplitude_mA=4.2))
    assert S.sparse_document(s) == {"schema_version": 1, "program": {"amplitude_mA": 4.2}}
    assert Session.from_dict(S.sparse_document(s)) == s
    # The start-up session (a preset patient) still makes a short link.
    assert len(S.encode_search(S.default_session())) < 250


def test_no_query_means_nothing_to_restore():
    for search in ("", "?", None):
        st = S.decode_search(search)
        assert (st.session, st.pinned, st.lecture, st.error) == (None, None, False, "")


def _token(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize("search, message", [
    ("?s=%%%", "not base64url"),
    ("?s=bm90IGRlZmxhdGVk", "not compressed session data"),
    ("?s=" + S.pack_session(S.default_session())[:-12], "damaged"),
    ("?s=" + _token({"program": {"amplitude_mA": 500}}), "amplitude_mA=500 is outside 0..100 mA"),
    ("?s=" + _token({"schema_version": 99}), "schema_version=99 is not supported"),
    ("?s=" + _token(b"[1, 2"), "not valid JSON"),
    ("?s=" + _token(b" " * (MAX_DOCUMENT_BYTES + 10)), "inflates beyond"),
    ("?s=" + "A" * (S.MAX_URL_TOKEN_CHARS + 1), "characters long"),
    ("?program=nope", "program='nope' is not a program preset"),
])
def test_a_malformed_url_gives_a_message_and_no_session(search, message):
    st = S.decode_search(search)
    assert st.session is None
    assert message in st.error and "default session is shown" in st.error


def test_a_bad_pinned_part_keeps_the_good_session():
    good = Session(program=program("pns"))
    st = S.decode_search(f"?s={S.pack_session(good)}&a=xyz")
    assert st.session == good and st.pinned is None
    assert st.error.startswith("pinned configuration A:")


def test_hand_written_preset_links():
    st = S.decode_search("?program=scs-10khz&patient=crps&lecture=1")
    assert st.session.program == PROGRAM_PRESETS["scs-10khz"].program()
    assert st.session.patient == PATIENT_PRESETS["crps"].patient()
    assert st.lecture


@pytest.mark.parametrize("session", list(_sessions()))
def test_form_round_trip(session):
    assert S.form_to_session(S.session_to_form(session), S.event_rows(session)) == session


@pytest.mark.parametrize("name, raw, message", [
    ("amplitude_mA", "500", "amplitude_mA=500 is outside 0..100 mA"),
    ("amplitude_mA", "abc", "amplitude_mA='abc' is not a number; expected 0..100 mA"),
    ("amplitude_mA", "", "amplitude_mA='' is not a number"),
    ("pulses_per_burst", "2.5", "pulses_per_burst=2.5 must be a whole number"),
    ("contacts", "000000", "contacts='000000' is invalid"),
    ("custom_shape", "1, x", "custom_shape='1, x' must be comma-separated numbers"),
])
def test_a_bad_typed_value_raises_the_declared_message(name, raw, message):
    form = S.session_to_form(S.default_session())
    form[name] = raw
    with pytest.raises(ParameterError) as info:
        S.form_to_session(form, S.event_rows(S.default_session()))
    assert info.value.name == name
    assert message in str(info.value)


def test_a_bad_event_row_names_the_row():
    rows = [*S.event_rows(S.default_session()), {"kind": "pinch", "start_s": "50",
                                                 "stop_s": "40", "intensity": "1"}]
    with pytest.raises(ParameterError) as info:
        S.form_to_session(S.session_to_form(S.default_session()), rows)
    assert str(info.value).startswith("event 2: event_stop_s=40 s must be after")


def test_new_event_rows_fit_any_session_length():
    for duration in (1.0, 15.0, 240.0, 14400.0):
        row = S.new_event_row(duration)
        ev = Event(**{c: S.parse_field(PARAMETERS[p], row[c]) for c, p in S.EVENT_COLUMNS.items()})
        assert 0 <= ev.start_s < ev.stop_s <= duration


def test_every_form_parameter_is_a_declared_session_field():
    fields = set(Session().program.to_dict()) | set(Session().patient.to_dict()) | \
        set(Session().options.to_dict()) | {"duration_s", "stimulation_day"}
    assert set(S.FORM_PARAMS) == fields
    assert S.EVENT_KINDS[:4] == ("stimulation", "touch", "pinch", "injury")  # URL codes stay


def test_log_sliders_span_decades_and_snap_to_readable_values():
    pw = PARAMETERS["pulse_width_us"]
    spec = S.slider_spec(pw)
    assert spec.log and (spec.min, spec.max) == (1.0, 3.0)
    assert spec.marks[2.0] == "100"
    assert S.from_slider(pw, S.to_slider(pw, 210)) == 210
    assert S.from_slider(pw, 2.3297) == 210  # 213.7 µs -> two significant digits
    rate = PARAMETERS["rate_hz"]
    assert S.from_slider(rate, 4.0) == 10000 and S.from_slider(rate, 0.0) == 1


def test_linear_sliders_snap_to_the_declared_step():
    amp = PARAMETERS["amplitude_mA"]
    assert not S.slider_spec(amp).log
    assert S.from_slider(amp, 3.5400001) == 3.5
    assert S.from_slider(PARAMETERS["pulses_per_burst"], 4.6) == 5
    assert isinstance(S.from_slider(PARAMETERS["pulses_per_burst"], 4.6), int)
    for name, p in S.FORM_PARAMS.items():
        if p.kind in ("float", "int") and not p.log:
            assert S.from_slider(p, S.to_slider(p, p.default)) == p.default, name


def _upload(data: bytes) -> str:
    return "data:application/json;base64," + base64.b64encode(data).decode()


def test_upload_of_a_downloaded_document_restores_it():
    s = Session(program=program("scs-burst"), duration_s=300)
    assert S.decode_upload(_upload(s.to_json(indent=2).encode())) == s


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"not json", "not valid JSON"),
    (b'{"program": {"rate_hz": 0}}', "rate_hz=0 is outside 1..10000 Hz"),
    (b'{"programme": {}}', "programme: unknown key"),
    (b"{" + b" " * (MAX_DOCUMENT_BYTES + 1) + b"}", "bytes are accepted"),
])
def test_a_bad_upload_raises_a_clear_message(data, message):
    with pytest.raises(ParameterError) as info:
        S.decode_upload(_upload(data))
    assert message in str(info.value)


def test_irrelevant_settings_follow_the_program():
    tonic = S.irrelevant_params(S.default_session())
    assert {"pulses_per_burst", "burst_rate_hz", "custom_shape", "lead_distance_mm"} <= tonic
    assert "amplitude_mA" not in tonic and "csf_thickness_mm" not in tonic
    burst = S.irrelevant_params(Session(program=program("scs-burst")))
    assert "pulses_per_burst" not in burst and "recharge_ratio" not in burst
    off = S.irrelevant_params(Session(program=program("off")))
    assert "amplitude_mA" in off and "therapy" not in off


def test_presets_are_recognised_and_stepped():
    assert S.matching_program_preset(program("scs-10khz")) == "scs-10khz"
    assert S.matching_program_preset(program("scs-10khz", amplitude_mA=2)) is None
    names = list(PROGRAM_PRESETS)
    assert S.step_preset(names[-1], +1, names) == names[0]
    assert S.step_preset(names[0], -1, names) == names[-1]
    assert S.step_preset(None, +1, names) == names[0]


def test_url_token_keeps_treatments():
    from sim.treatments import Treatment
    s = Session(program=program("scs-tonic"),
                treatments=(Treatment(kind="gabapentin", dose_mg_per_day=1800.0),))
    assert S.unpack_session(S.pack_session(s)) == s
