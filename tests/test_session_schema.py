"""The session document's published JSON schema (``sim/data/session.schema.json``): in step
with the declarations, met by every preset's document, and refusing what the session refuses
value by value (rules between fields stay with ``Session.from_dict``)."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from sim.params import ParameterError
from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS, TREATMENT_PRESETS, treatment_session
from sim.session import MAX_EVENTS, Session, session_schema

jsonschema = pytest.importorskip("jsonschema")
FILE = Path(__file__).resolve().parents[1] / "sim" / "data" / "session.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_published_file_is_the_declarations_schema():
    """Regenerate with ``session_schema()`` when a declaration changes (this test says so)."""
    assert json.loads(FILE.read_text(encoding="utf-8")) == session_schema()


def test_every_preset_document_meets_the_schema(validator):
    docs = [Session(program=PROGRAM_PRESETS[a].program(),
                    patient=PATIENT_PRESETS[b].patient()).to_dict()
            for a, b in itertools.product(PROGRAM_PRESETS, PATIENT_PRESETS)]
    docs += [treatment_session(name).to_dict() for name in TREATMENT_PRESETS]
    for doc in docs:
        assert not list(validator.iter_errors(doc)), doc


@pytest.mark.parametrize("change", [
    {"program": {"amplitude_mA": 500.0}},                        # above its declared 100 mA
    {"program": {"therapy": "dbs"}},                             # not a therapy
    {"patient": {"csf_thickness_mm": -1.0}},                     # below its range
    {"duration_s": 0.0},                                         # below its range
    {"bogus": 1},                                                # not a field
    {"events": [{"kind": "touch", "start_s": 1.0, "stop_s": 2.0}] * (MAX_EVENTS + 1)},
])
def test_what_the_schema_refuses_the_session_refuses(validator, change):
    doc = Session().to_dict()
    for key, value in change.items():
        doc[key] = {**doc[key], **value} if isinstance(value, dict) else value
    assert list(validator.iter_errors(doc))
    with pytest.raises(ParameterError):
        Session.from_dict(doc)


def test_a_document_with_a_renamed_parameter_still_loads():
    """0.2 documents named the patient's wind-up gain ``sensitisation_gain``: the same value
    lands in ``windup_gain`` (and reaches the gate's G = 1 + windup_gain * z)."""
    doc = Session().to_dict()
    doc["patient"]["sensitisation_gain"] = doc["patient"].pop("windup_gain") * 0 + 0.25
    assert Session.from_dict(doc).patient.windup_gain == 0.25
