"""Cohorts with a screening trial: only patients whose temporary trial succeeds are implanted.

The expectations are independent of the code: a trial that selects on a measure correlated
with the outcome raises the responder rate among those selected (PROCESS: 48 % of everyone,
57 % of the implanted, Kumar et al. 2007 Pain 132:179); the responder counts are recounted by
hand from the per-patient table; the draws that exist without a trial are not disturbed.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import ParameterError
from sim.cli import main
from sim.cohort import (
    SCREENING_PASS_PCT,
    SCREENING_TRIAL_DAYS,
    TRIAL_EXPECTATION,
    TRIAL_FLUCTUATION_SD_NRS,
    run_cohort,
    screening_outcome,
    virtual_patients,
)
from sim.patients import patient
from sim.presets import program
from sim.session import Session, run_session

FBSS = "failed-back-surgery"


def _tonic(**kw) -> Session:
    return Session(program=program("scs-tonic", **kw), duration_s=40.0)


def test_a_screening_trial_adds_its_own_draw_and_leaves_the_others_alone():
    plain = virtual_patients(FBSS, 2000, seed=5)
    screened = virtual_patients(FBSS, 2000, seed=5, screening=True)
    assert [{k: v for k, v in d.items() if k != "trial_fluctuation_nrs"}
            for d in screened] == plain
    x = np.array([d["trial_fluctuation_nrs"] for d in screened])
    follow = np.array([d["pain_fluctuation_nrs"] for d in screened])
    # normal(0, 1.1 NRS): the SD within 5 % at n = 2000, independent of the follow-up's draw
    assert x.std() == pytest.approx(TRIAL_FLUCTUATION_SD_NRS, rel=0.05)
    assert abs(x.mean()) < 0.08
    assert abs(np.corrcoef(x, follow)[0, 1]) < 0.06
    assert screened == virtual_patients(FBSS, 2000, seed=5, screening=True)


def test_the_trial_assessment_by_hand():
    pat = patient(FBSS).replace(placebo_response=0.2)
    s = _tonic().replace(patient=pat)
    flare, fluct = 0.7, -0.4
    got = screening_outcome(s, flare, fluct)
    # by hand: the trial is the same program a week in, expectation 0.2 + 0.3
    trial = run_session(s.replace(patient=pat.replace(placebo_response=0.2 + TRIAL_EXPECTATION),
                                  stimulation_day=SCREENING_TRIAL_DAYS)).summary
    base = min(10.0, max(0.0, trial.pain_before_nrs + flare))
    after = min(10.0, max(0.0, trial.pain_during_nrs + fluct))
    assert got["screening_nrs"] == pytest.approx(after)
    assert got["screening_reduction_pct"] == pytest.approx(100 * (base - after) / base)
    assert got["implanted"] == (100 * (base - after) / base >= SCREENING_PASS_PCT)
    # the trial's expectation only lowers the pain the patient reports there
    plain = run_session(s.replace(stimulation_day=SCREENING_TRIAL_DAYS)).summary
    assert trial.pain_during_nrs < plain.pain_during_nrs
    # a worse day at the trial can only make the implant less likely
    verdicts = [screening_outcome(s, flare, f)["implanted"] for f in np.linspace(-3, 3, 13)]
    assert verdicts == sorted(verdicts, reverse=True)
    assert verdicts[0] and not verdicts[-1]


def test_outcomes_are_counted_among_the_implanted_and_over_everyone():
    plain = run_cohort(_tonic(), FBSS, n=200, seed=2, progress=False)
    r = run_cohort(_tonic(), FBSS, n=200, seed=2, progress=False, screening_trial=True)
    rows = r.table
    implanted = [bool(x["implanted"]) for x in rows]
    responder = [x["trial_reduction_pct"] >= 50 for x in rows]
    m = sum(implanted)
    k = sum(i and q for i, q in zip(implanted, responder, strict=True))
    assert 0 < m < 200 and r.n == 200 and r.implanted == m
    assert r.responder_rate == pytest.approx(k / m)
    assert r.responder_rate_itt == pytest.approx(k / 200)
    assert len(r.reductions_pct) == m
    assert r.ci_low < r.responder_rate < r.ci_high
    # the same patients, the same follow-up: the trial only decides who is counted
    assert [x["trial_reduction_pct"] for x in rows] == pytest.approx(
        [x["trial_reduction_pct"] for x in plain.table])
    # selection on a measure correlated with the outcome: a higher rate among the implanted,
    # and no more responders than without a trial (failures are never implanted)
    assert r.responder_rate > plain.responder_rate + 0.03
    assert r.responder_rate_itt <= plain.responder_rate
    d = r.to_dict()
    assert d["implanted"] == m and d["implanted_fraction"] == pytest.approx(m / 200)
    assert "implanted" not in plain.to_dict() and plain.implanted == 200


def test_a_resumed_table_gives_the_same_screened_result(tmp_path):
    out = tmp_path / "screened.csv"
    a = run_cohort(_tonic(), "crps", n=40, seed=1, progress=False, screening_trial=True,
                   out=out)
    b = run_cohort(_tonic(), "crps", n=40, seed=1, progress=False, screening_trial=True,
                   out=out)   # every row read back from the file
    assert (b.implanted, b.responder_rate, b.responder_rate_itt) == (
        a.implanted, a.responder_rate, a.responder_rate_itt)


@pytest.mark.parametrize("preset", ["pns", "tens-conventional", "off"])
def test_therapies_without_an_implant_trial_are_refused(preset):
    with pytest.raises(ParameterError, match=r"screening_trial.*scs, drg") as e:
        run_cohort(Session(program=program(preset), duration_s=20.0), "crps", n=5,
                   progress=False, screening_trial=True)
    assert e.value.name == "screening_trial"


def test_cli_reports_the_implanted_and_both_rates(capsys):
    assert main(["cohort", "--preset", "drg", "--patient", "crps", "--n", "30",
                 "--screening-trial", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "screening trial passed, implanted:" in out
    assert "intention to treat" in out and "among the implanted" in out
    assert main(["cohort", "--preset", "pns", "--patient", "crps", "--n", "5",
                 "--screening-trial", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "screening_trial" in err and "'pns'" in err
