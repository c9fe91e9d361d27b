"""Bedside examination: allodynia to touch and cold, pinprick wind-up, and the
fibres each stimulus tests (docs/science.md §9.2)."""
import itertools

import numpy as np
import pytest

from sim.exam import STIMULI, bedside_exam, examine
from sim.params import ParameterError
from sim.patients import patient
from sim.presets import program
from sim.session import Event, Session, run_session

NEUROPATHIC_WITH_SMALL_FIBRE_LOSS = ["painful-diabetic-neuropathy", "small-fibre-neuropathy",
                                     "crps"]


def test_healthy_patient_feels_every_bedside_stimulus_without_pain():
    for f in bedside_exam(patient("healthy")):
        assert f.finding == "normal", f
        assert f.detected == 1.0
        assert f.pain_during_nrs < 1.0              # brush, cool, warm, pressure: no pain


@pytest.mark.parametrize("name", NEUROPATHIC_WITH_SMALL_FIBRE_LOSS)
def test_cold_allodynia_in_neuropathy_and_not_in_health(name):
    cold = examine(patient(name), "cold")
    assert "allodynia" in cold.finding
    assert cold.evoked_nrs >= 1.0                    # cool hurts: at least 1 NRS above rest
    assert examine(patient("healthy"), "cold").evoked_nrs < 0.1


def test_cold_allodynia_follows_cool_fibre_loss_not_ongoing_pain():
    # Same ongoing pain, no small-fibre loss: cool does not hurt (failed back surgery).
    assert examine(patient("failed-back-surgery"), "cold").finding == "normal"
    # The disinhibition grows with the fraction of cool fibres lost (monotone).
    evoked = [examine(patient("failed-back-surgery", small_fibre_loss=x), "cold").evoked_nrs
              for x in (0.0, 0.3, 0.6, 0.9)]
    assert all(b > a for a, b in itertools.pairwise(evoked))


def test_noxious_cold_hurts_everyone():
    # Cold beyond what the cool input can hold (intensity 3) hurts the healthy too.
    assert examine(patient("healthy"), "cold", 3.0).pain_during_nrs > 1.0


@pytest.mark.parametrize("name", ["painful-diabetic-neuropathy", "crps",
                                  "post-surgical-neuropathy"])
def test_brush_allodynia_in_neuropathy(name):
    f = examine(patient(name), "brush")
    assert "allodynia" in f.finding and f.evoked_nrs > 1.0


@pytest.mark.parametrize("name", ["painful-diabetic-neuropathy", "small-fibre-neuropathy",
                                  "crps", "post-surgical-neuropathy"])
def test_repeated_pinprick_winds_up_in_a_sensitised_patient(name):
    f = examine(patient(name), "pinprick")
    healthy = examine(patient("healthy"), "pinprick")
    assert f.windup_ratio >= 1.5 and "wind-up" in f.finding
    assert healthy.windup_ratio < 1.3 and f.windup_ratio > healthy.windup_ratio
    # NMDA block (κ = 0) abolishes wind-up (docs/science.md §8.12)
    blocked = examine(patient(name, windup_gain=0.0), "pinprick")
    assert blocked.windup_ratio == pytest.approx(1.0, abs=0.02)


def test_pinprick_series_is_ten_pricks_at_one_per_second():
    ev = Event(kind="pinprick", start_s=10, stop_s=20, intensity=1.0)
    r = run_session(Session(program=program("off"), patient=patient("healthy"),
                            duration_s=30, events=(ev,)))
    d = r.series["adelta_drive"]
    onsets = np.flatnonzero((d[1:] > 0) & (d[:-1] == 0)) + 1
    assert len(onsets) == 10
    assert np.allclose(np.diff(r.t_s[onsets]), 1.0)


def test_small_fibre_loss_reduces_pinprick_cold_and_warm_detection_only():
    f = {x.stimulus: x for x in bedside_exam(patient("small-fibre-neuropathy"))}
    assert f["pinprick"].detected == f["cold"].detected == f["warm"].detected == \
        pytest.approx(1 - 0.7)
    assert f["brush"].detected == 1.0 and f["pressure"].detected == 1.0
    assert "hypoaesthesia" in f["warm"].finding


def test_heat_above_the_pain_threshold_hurts():
    assert examine(patient("healthy"), "warm", 1.0).pain_during_nrs < 0.1
    assert examine(patient("healthy"), "warm", 2.0).pain_during_nrs > 2.0


def test_every_stimulus_names_its_fibres_as_in_science_9_2():
    assert STIMULI["brush"][0] == "Aβ"
    assert "Aδ" in STIMULI["pinprick"][0] and "cool" in STIMULI["cold"][0]
    assert "C warm" in STIMULI["warm"][0] and "deep" in STIMULI["pressure"][0]


def test_bad_exam_inputs_are_rejected():
    with pytest.raises(ParameterError, match="stimulus='tickle'"):
        examine(patient("healthy"), "tickle")
    with pytest.raises(ParameterError, match="event_intensity=9"):
        examine(patient("healthy"), "cold", 9)
    with pytest.raises(ParameterError, match="patient"):
        examine("healthy", "cold")


def test_finding_is_json_ready():
    import json
    d = examine(patient("crps"), "cold").to_dict()
    json.dumps(d)
    assert d["finding"].startswith("allodynia") and len(d["trace"]["t_s"]) > 100
