"""Virtual cohorts: draws, titration, statistics, determinism and executors."""
import json

import numpy as np
import pytest

from sim import ParameterError
from sim.cli import main
from sim.cohort import (
    ENROLMENT_MIN_NRS,
    PERCEPTION_FACTOR,
    run_cohort,
    virtual_patients,
    wilson_interval,
)
from sim.presets import program
from sim.recruitment import recruit
from sim.session import Session


def test_wilson_interval_hand_values():
    # Wilson 95 % interval for 5/10: 0.2366..0.7634 (standard tables)
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    # 0/20: lower bound 0, upper 0.1611
    assert wilson_interval(0, 20) == pytest.approx((0.0, 0.1611), abs=1e-4)
    with pytest.raises(ParameterError):
        wilson_interval(0, 0)


def test_virtual_patients_are_seeded_and_within_documented_ranges():
    a = virtual_patients("crps", 500, seed=3)
    assert a == virtual_patients("crps", 500, seed=3)
    assert a != virtual_patients("crps", 500, seed=4)
    g = np.array([p["inhibition_efficacy"] for p in a])
    csf = np.array([p["csf_thickness_mm"] for p in a])
    assert g.min() >= 0.3 and g.max() <= 1.0 and abs(np.mean(g) - 0.9) < 0.03
    assert csf.min() >= 2.0 and csf.max() <= 6.0
    assert np.allclose(csf / 0.25, np.round(csf / 0.25))   # 0.25 mm anatomy grid
    assert all("lateral_offset_mm" in p for p in a)        # SCS placement varies
    assert all("lead_distance_mm" in p for p in virtual_patients("crps", 5, therapy="pns"))


def test_titration_programs_each_patient_at_its_own_threshold():
    res = run_cohort(Session(program=program("scs-tonic"), duration_s=20), "crps", n=6,
                     progress=False)
    for row in res.table:
        pt = recruit(program("scs-tonic", lateral_offset_mm=row["lateral_offset_mm"]),
                     csf_thickness_mm=row["csf_thickness_mm"]).perception_threshold_mA
        assert row["programmed_amplitude_mA"] == pytest.approx(
            min(PERCEPTION_FACTOR * pt, 25.5), abs=1e-3)


def test_statistics_follow_the_table():
    res = run_cohort(Session(program=program("scs-tonic"), duration_s=30), "failed-back-surgery",
                     n=40, seed=1, progress=False)
    # responders are counted on the trial measurement: baseline assessment (pain before
    # therapy + the enrolment fluctuation) against follow-up (pain during + fluctuation)
    red = []
    for r in res.table:
        base = min(10.0, max(0.0, r["pain_before_nrs"] + r["pain_flare_nrs"]))
        follow = min(10.0, max(0.0, r["pain_during_nrs"] + r["pain_fluctuation_nrs"]))
        red.append(100.0 * (base - follow) / base)
        assert r["trial_reduction_pct"] == pytest.approx(red[-1])
    red = np.array(red)
    k = int(np.sum(red >= 50))
    assert res.responder_rate == k / 40
    assert (res.ci_low, res.ci_high) == pytest.approx(wilson_interval(k, 40))
    assert res.mean_reduction_pct == pytest.approx(red.mean())


def test_healthy_cohort_has_no_responders():
    # no pain before stimulation: nothing to relieve, and no chronic pain to fluctuate
    res = run_cohort(Session(program=program("scs-tonic"), duration_s=20), "healthy", n=10,
                     progress=False)
    assert res.responder_rate == 0 and res.mean_reduction_pct == 0


def test_enrolment_selects_moderate_pain_at_baseline():
    # Trials enrol at least moderate pain (PROCESS VAS >= 50 mm, SENZA >= 5/10): every enrolled
    # virtual patient's baseline assessment is at least 5, although some usually hurt less.
    res = run_cohort(Session(program=program("off"), duration_s=20), "failed-back-surgery",
                     n=60, seed=2, progress=False)
    base = np.array([r["baseline_nrs"] for r in res.table])
    usual = np.array([r["pain_before_nrs"] for r in res.table])
    assert np.all(base >= ENROLMENT_MIN_NRS)
    assert np.any(usual < ENROLMENT_MIN_NRS)


def test_untreated_pain_regresses_toward_the_mean_after_enrolment():
    # Whitney & Von Korff 1992: selected at a bad spell, pain is lower at follow-up on average
    # even without therapy; the control arm's responders come from that and from expectation.
    res = run_cohort(Session(program=program("off"), duration_s=20), "failed-back-surgery",
                     n=200, seed=3, progress=False)
    flare = np.array([r["pain_flare_nrs"] for r in res.table])
    assert flare.mean() > 0.1           # selected on a noisy measurement: above usual
    base = np.mean([r["baseline_nrs"] for r in res.table])
    follow = np.mean([r["follow_up_nrs"] for r in res.table])
    assert follow < base - 0.1          # lower at follow-up, with no therapy
    assert 0.0 < res.responder_rate < 0.15


def test_process_executor_gives_identical_numbers():
    s = Session(program=program("scs-tonic"), duration_s=20)
    a = run_cohort(s, "crps", n=12, seed=5, progress=False)
    b = run_cohort(s, "crps", n=12, seed=5, executor="processes", workers=2, progress=False)
    assert a.table == b.table and a.responder_rate == b.responder_rate


def test_cli_cohort_json_same_seed_same_numbers(capsys):
    argv = ["cohort", "--patient", "crps", "--preset", "scs-tonic", "--n", "8", "--seed", "2",
            "--duration-s", "20", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert set(first) >= {"n", "responder_rate", "ci_low", "ci_high", "mean_reduction_pct"}
    assert first["n"] == 8
    assert 0 <= first["ci_low"] <= first["responder_rate"] <= first["ci_high"] <= 1


def test_cli_cohort_needs_a_patient(capsys):
    assert main(["cohort", "--preset", "scs-tonic"]) == 2
    assert "--patient is required" in capsys.readouterr().err
