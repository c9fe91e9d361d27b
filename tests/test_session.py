"""Session documents: JSON round trip, schema version, events and bad documents."""
import json

import pytest

from sim import ParameterError
from sim.patients import Patient, patient
from sim.presets import program
from sim.session import MAX_DOCUMENT_BYTES, SCHEMA_VERSION, Event, Session
from sim.waveforms import Program


def test_json_round_trip_is_exact():
    s = Session(program=program("scs-burst"), patient=patient("crps"), duration_s=600,
                events=(Event(kind="stimulation", start_s=100, stop_s=400),
                        Event(kind="touch", start_s=20, stop_s=25, intensity=0.5)))
    doc = json.loads(s.to_json())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert Session.from_json(s.to_json()) == s
    assert [e["kind"] for e in doc["events"]] == ["touch", "stimulation"]  # sorted by start


def test_partial_document_takes_defaults():
    s = Session.from_json('{"duration_s": 100}')
    assert s.program == Program() and s.patient == Patient()
    assert [(e.start_s, e.stop_s) for e in s.events] == [(25.0, 75.0)]


@pytest.mark.parametrize("doc, message", [
    ("{", "not valid JSON"),
    ("[]", "must be a JSON object"),
    ('{"schema_version": 99}', "schema_version=99 is not supported"),
    ('{"colour": "red"}', "colour: unknown key"),
    ('{"program": {"rate_hz": -5}}', "rate_hz=-5 is outside 1..10000 Hz"),
    ('{"events": [{"kind": "dance"}]}', "event_kind='dance' is not one of"),
    ('{"events": {"kind": "touch"}}', "events must be a list"),
    ('{"duration_s": 10, "events": [{"start_s": 5, "stop_s": 20}]}', "after the end"),
    ('{"events": [{"kind": "touch", "start_s": 9, "stop_s": 3}]}', "must be after"),
    ('{"duration_s": 1e9}', "duration_s=1e+09 is outside 1..14400 s"),
    ("[" * 50000 + "]" * 50000, "not valid JSON"),
])
def test_bad_documents_raise_parameter_error(doc, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace("+", r"\+")):
        Session.from_json(doc)


def test_oversized_and_too_many_events_rejected():
    with pytest.raises(ParameterError, match="at most"):
        Session.from_json(" " * (MAX_DOCUMENT_BYTES + 1))
    evs = [{"kind": "touch", "start_s": i, "stop_s": i + 0.5} for i in range(60)]
    with pytest.raises(ParameterError, match="at most 50"):
        Session.from_json(json.dumps({"duration_s": 100, "events": evs}))
