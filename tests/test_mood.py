"""Mood and pain: anxiety and depression act on descending modulation; sustained
pain raises them over days; relieving pain and treating mood each move both."""
import math

import numpy as np
import pytest

from sim.mood import ANXIETY_PER_PAIN_LOAD, MOOD_DESCENDING_PER_ANXIETY, Course, simulate_course
from sim.params import ParameterError
from sim.patients import patient
from sim.presets import program
from sim.session import Session, run_session
from sim.treatments import Treatment


def _rest_pain(pat):
    r = run_session(Session(program=program("off"), patient=pat, duration_s=30, events=()))
    return float(r.series["pain_nrs"][-200:].mean())


@pytest.mark.parametrize("name", ["painful-diabetic-neuropathy", "crps",
                                  "small-fibre-neuropathy"])
def test_raised_anxiety_raises_pain_in_an_otherwise_identical_session(name):
    calm, anxious = _rest_pain(patient(name)), _rest_pain(patient(name, anxiety=1.0))
    assert anxious > calm + 0.5
    # Mood acts through descending modulation, and only through it: the same as raising
    # the descending drive by the documented amount.
    same = _rest_pain(patient(name, descending_drive=MOOD_DESCENDING_PER_ANXIETY))
    assert anxious == pytest.approx(same, abs=1e-9)


def test_depression_raises_pain_and_mood_does_nothing_without_input():
    assert _rest_pain(patient("crps", depression=1.0)) > _rest_pain(patient("crps")) + 0.5
    # A healthy person at rest has no pain to amplify (below the pain floor).
    assert _rest_pain(patient("healthy", anxiety=1.0, depression=1.0)) < 1.0


def _course(name="failed-back-surgery", prog="scs-tonic", treatments=(), **kw):
    base = Session(program=program(prog), patient=patient(name) if isinstance(name, str)
                   else name, treatments=treatments)
    return simulate_course(Course(base, **kw))


def test_mood_relaxes_exponentially_without_pain():
    # No pain: targets are 0, so A(t) = A0·exp(−t/τ_A), D(t) = D0·exp(−t/τ_D) (hand formula).
    r = _course(patient("healthy", anxiety=0.8, depression=0.6), prog="off", days=42)
    for d in (7, 21, 42):
        assert r.at("anxiety", d) == pytest.approx(0.8 * math.exp(-d / 7.0), rel=1e-6)
        assert r.at("depression", d) == pytest.approx(0.6 * math.exp(-d / 21.0), rel=1e-6)


def test_sustained_pain_raises_mood_states_and_they_raise_pain():
    r = _course(days=84)
    s = r.series
    assert s["anxiety"][0] == 0 and s["depression"][0] == 0
    assert np.all(np.diff(s["anxiety"]) >= -1e-12) and np.all(np.diff(s["depression"]) >= -1e-12)
    assert r.at("anxiety", 84) > 0.2 and r.at("depression", 84) > 0.2
    # the loop: pain at the end is higher than on day 0 and higher than without mood
    assert r.at("pain_nrs", 84) > r.at("pain_nrs", 0) + 0.5
    assert r.summary["pain_from_mood_end_nrs"] > 0.5
    # anxiety settles near its target for the steady pain: A∞ = 0.8·(NRS − 4)/6
    target = ANXIETY_PER_PAIN_LOAD * (r.at("pain_nrs", 84) - 4.0) / 6.0
    assert r.at("anxiety", 84) == pytest.approx(target, abs=0.02)


def test_relieving_pain_lowers_mood_states_and_treating_mood_lowers_pain():
    untreated = _course(days=84)
    scs = _course(days=84, stimulation_from_day=28)
    cbt = _course(days=84, psychological_therapy_from_day=28)
    # stimulation: pain falls at once, mood follows over weeks
    assert scs.at("pain_nrs", 29) < untreated.at("pain_nrs", 29) - 1.0
    assert scs.at("depression", 84) < 0.5 * untreated.at("depression", 84)
    assert scs.at("anxiety", 84) < 0.5 * untreated.at("anxiety", 84)
    # psychological therapy acts on mood only, and pain follows
    assert cbt.at("pain_nrs", 28) == pytest.approx(untreated.at("pain_nrs", 28))
    assert cbt.at("depression", 84) < untreated.at("depression", 84) - 0.05
    assert cbt.at("pain_nrs", 84) < untreated.at("pain_nrs", 84) - 0.2
    assert np.all(cbt.series["pain_without_mood"] == untreated.series["pain_without_mood"])


def test_antidepressant_moves_pain_and_mood_and_antidepressant_doses_do_more_for_mood():
    untreated = _course(days=84)
    low = _course(days=84, treatments=(Treatment(kind="amitriptyline", dose_mg_per_day=25,
                                                 treatment_day=28),))
    high = _course(days=84, treatments=(Treatment(kind="amitriptyline", dose_mg_per_day=125,
                                                  treatment_day=28),))
    assert low.at("pain_nrs", 84) < untreated.at("pain_nrs", 84) - 0.5
    assert low.at("depression", 84) < untreated.at("depression", 84)
    assert high.series["mood_therapy"][-1] > low.series["mood_therapy"][-1]
    # before the drug starts, nothing differs
    assert low.at("pain_nrs", 27) == pytest.approx(untreated.at("pain_nrs", 27))


def test_course_step_does_not_change_the_answer_much():
    coarse, fine = _course(days=56, step_h=24), _course(days=56, step_h=3)
    assert coarse.at("depression", 56) == pytest.approx(fine.at("depression", 56), abs=0.03)
    assert coarse.at("pain_nrs", 56) == pytest.approx(fine.at("pain_nrs", 56), abs=0.1)


def test_course_pain_is_independent_of_pulse_rate_cost_and_uses_the_session_gate():
    # The course's day-0 pain is the session's steady rest pain for the same patient.
    r = _course(days=7)
    assert r.at("pain_nrs", 0) == pytest.approx(_rest_pain(patient("failed-back-surgery")),
                                                abs=0.05)


def test_movement_limitation_grows_with_sustained_pain_only():
    assert _course(days=84).at("movement_limitation", 84) > 0.1
    assert _course(patient("healthy"), prog="off", days=84).at("movement_limitation", 84) == 0


def test_bad_course_inputs_are_rejected():
    base = Session(program=program("off"), patient=patient("crps"))
    with pytest.raises(ParameterError, match="course_days=0"):
        Course(base, days=0)
    with pytest.raises(ParameterError, match="course_step_h=48"):
        Course(base, step_h=48)
    with pytest.raises(ParameterError, match="stimulation_from_day"):
        Course(base, stimulation_from_day=10)          # the program is off
    with pytest.raises(ParameterError, match="psychological_therapy_from_day=-1"):
        Course(base, psychological_therapy_from_day=-1)
    with pytest.raises(ParameterError, match="lidocaine-block"):
        Course(base.replace(treatments=(Treatment(kind="lidocaine-block"),)))
    with pytest.raises(ParameterError, match="anxiety=2"):
        patient("crps", anxiety=2)


def test_weekly_treatment_drives_after_four_weeks_match_daily_ones(monkeypatch):
    import sim.mood as M
    tr = (Treatment(kind="venlafaxine", dose_mg_per_day=150, treatment_day=7),)
    weekly = _course(days=84, treatments=tr)
    monkeypatch.setattr(M, "_DAILY_AFTER_START_DAYS", 1e9)
    daily = _course(days=84, treatments=tr)
    assert np.max(np.abs(weekly.series["pain_nrs"] - daily.series["pain_nrs"])) < 0.05
