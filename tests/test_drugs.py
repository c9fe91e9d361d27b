"""Drugs (sim.drugs): dose and time course, where each acts, side effects, bad inputs, and the
cohort responder rates that the numbers needed to treat imply (docs/science.md §5.2, §8.18).

Targets are Finnerup et al. 2015 (NNT for >= 50 % relief: TCA 3.6, SNRI 6.4, gabapentin 6.3,
capsaicin 8 % 10.6, lidocaine plaster not estimable) on top of a placebo responder rate of
20-30 % (docs/science.md §5.2): responder rate = placebo + 1/NNT, and below one half.
"""
import math

import numpy as np
import pytest

from sim import ParameterError
from sim.cohort import run_cohort
from sim.drugs import (
    DRUGS,
    PLACEBO_RESPONDER_RATE,
    capsaicin_defunctionalisation,
    drug_effect,
    side_effects,
)
from sim.patients import patient
from sim.presets import program, treatment, treatment_session
from sim.session import Event, Session, run_session
from sim.treatments import Treatment

NNT = {"amitriptyline": 3.6, "venlafaxine": 6.4, "gabapentin": 6.3, "capsaicin-patch": 10.6}
NNH = {"amitriptyline": 13.4, "venlafaxine": 11.8, "gabapentin": 25.6}
PDN = "painful-diabetic-neuropathy"
#: Documented tolerance of the calibrated cohort responder rates [percentage points].
TOLERANCE_PP = 8.0


def test_nnt_and_nnh_are_finnerup_2015():
    for name, nnt in NNT.items():
        assert DRUGS[name].nnt == nnt
        assert DRUGS[name].target_responder_rate == pytest.approx(
            PLACEBO_RESPONDER_RATE + 1 / nnt)
    for name, nnh in NNH.items():
        assert DRUGS[name].nnh == nnh
    assert math.isnan(DRUGS["lidocaine-patch"].nnt)          # not estimable
    assert 0.20 <= PLACEBO_RESPONDER_RATE <= 0.30              # docs/science.md §5.2


def test_effect_over_dose_and_days_by_hand():
    # complete titration at the reference dose: 1
    assert drug_effect("amitriptyline", 50.0, 1e3) == pytest.approx(1.0)
    # onset: 1 - exp(-day/τ), τ = 7 days for gabapentin
    assert drug_effect("gabapentin", 1800.0, 7.0) == pytest.approx(1 - math.exp(-1))
    assert drug_effect("gabapentin", 1800.0, 0.0) == 0.0
    # Emax dose-response, ED50 900 mg: 900 mg gives (1/2) / (1800/2700) = 0.75 of 1800 mg
    assert drug_effect("gabapentin", 900.0, 1e3) == pytest.approx(0.75)
    # venlafaxine: noradrenergic action only from ~150 mg/day -> 75 mg/day gives < half
    assert drug_effect("venlafaxine", 75.0, 1e3) < 0.5 * drug_effect("venlafaxine", 150.0, 1e3)
    # more drug, more effect
    doses = [10, 25, 50, 100, 150]
    e = [drug_effect("amitriptyline", d, 60.0) for d in doses]
    assert e == sorted(e)


def test_each_drug_acts_where_its_pharmacology_says():
    a, v, g = DRUGS["amitriptyline"], DRUGS["venlafaxine"], DRUGS["gabapentin"]
    # reuptake inhibitors: descending inhibition; the tricyclic also blocks Na channels
    assert a.descending_gain > 0 and v.descending_gain > 0 and g.descending_gain == 0
    assert a.ectopic_gain > 0 and not a.ectopic_local and v.ectopic_gain == 0
    # gabapentin: C transmission only
    assert g.transmission_gain > 0 and a.transmission_gain == v.transmission_gain == 0
    # patches: local (peripheral) ectopic activity only
    for name in ("capsaicin-patch", "lidocaine-patch"):
        assert DRUGS[name].ectopic_local and DRUGS[name].descending_gain == 0


def test_gabapentin_reduces_c_driven_sensitisation():
    # an injury builds central sensitisation through C input; gabapentin reduces that input
    pat = patient("healthy", central_sensitisation_gain=1.0)
    ev = (Event(kind="injury", start_s=30, stop_s=150),)
    base = Session(program=program("off"), patient=pat, duration_s=300, events=ev)
    gaba = base.replace(treatments=(treatment("gabapentin", start_s=1.0),))
    s0 = run_session(base).series["sensitisation"].max()
    s1 = run_session(gaba).series["sensitisation"].max()
    assert s1 < s0


def test_capsaicin_burns_on_the_day_then_relieves_then_wears_off():
    pat = patient(PDN)
    day0 = run_session(treatment_session("capsaicin-patch", patient=pat, duration_s=600,
                                         treatment_day=0, application_min=5))
    t, nrs = day0.t_s, day0.series["pain_nrs"]
    before = nrs[(t > 100) & (t < 150)].mean()                # start at 150 s
    burning = nrs[(t > 200) & (t < 440)].mean()                # patch on for 5 min
    after = nrs[(t > 500)].mean()
    assert burning > before + 1.0
    # after removal the burning fades (C-driven sensitisation makes it linger a little)
    assert after < burning
    # defunctionalisation over days, re-innervation over weeks to months (re-treat at 90 d)
    d = [capsaicin_defunctionalisation(x) for x in (0.0, 1.0, 7.0, 28.0, 90.0, 180.0)]
    assert d[0] == 0 and d[1] < d[2] and d[3] > 0.9 and d[4] < 0.6 * d[3] and d[5] < 0.05
    # a shorter application defunctionalises less
    assert capsaicin_defunctionalisation(28.0, 30.0) < capsaicin_defunctionalisation(28.0, 60.0)


def test_lidocaine_patch_quietens_ectopic_firing_without_numbness():
    r = run_session(treatment_session("lidocaine-patch", patient=patient(PDN)))
    assert r.summary.pain_during_nrs < r.summary.pain_before_nrs
    assert r.summary.numbness == 0 and np.all(r.series["conduction_abeta"] == 1)


def test_side_effect_burden_is_a_labelled_qualitative_output():
    assert [side_effects("amitriptyline", d).burden for d in (10, 50, 150)] == \
        ["low", "moderate", "high"]
    assert [side_effects("gabapentin", d).burden for d in (300, 1800, 3600)] == \
        ["low", "moderate", "high"]
    se = side_effects("amitriptyline", 50)
    assert "dry mouth" in se.effects and se.nnh == 13.4 and "[A]" in se.note
    r = run_session(treatment_session("amitriptyline", patient=patient(PDN)))
    assert r.summary.side_effect_burden == "moderate"
    assert r.treatment_report[0].side_effects.burden == "moderate"


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="gabapentin", dose_mg_per_day=-300),
     "dose_mg_per_day=-300 is outside 300..3600 mg/day for gabapentin"),
    (dict(kind="amitriptyline", dose_mg_per_day=300),
     "dose_mg_per_day=300 is outside 10..150 mg/day for amitriptyline"),
    (dict(kind="venlafaxine", dose_mg_per_day="lots"), "dose_mg_per_day='lots' is not a number"),
    (dict(kind="gabapentin", dose_mg_per_day=math.nan), "is not a number"),
    (dict(kind="gabapentin", concentration_pct=1.0),
     "concentration_pct=1 does not apply to gabapentin"),
    (dict(kind="capsaicin-patch", concentration_pct=12.0),
     "concentration_pct=12 is not allowed: it is fixed at 8 % for capsaicin-patch"),
    (dict(kind="capsaicin-patch", application_min=500.0), "application_min=500 is outside"),
    (dict(kind="gabapentin", treatment_day=-2), "treatment_day=-2 is outside 0..365 days"),
    (dict(kind="amitriptyline", application_min=30.0), "application_min=30 does not apply"),
])
def test_bad_drug_inputs(kwargs, message):
    with pytest.raises(ParameterError, match=message.replace(".", r"\.")):
        Treatment(**kwargs)


def test_a_drug_does_nothing_before_it_is_taken():
    # day 0 of an oral drug: no pharmacological effect, so the cohort is the placebo cohort
    kw = dict(n=40, seed=3, progress=False)
    plac = run_cohort(treatment_session("placebo", duration_s=20), PDN, **kw)
    day0 = run_cohort(treatment_session("amitriptyline", duration_s=20, treatment_day=0),
                      PDN, **kw)
    assert day0.responder_rate == plac.responder_rate
    assert np.allclose(day0.reductions_pct, plac.reductions_pct)


def test_small_cohorts_rank_drugs_by_their_nnt():
    rates = {name: run_cohort(treatment_session(name, duration_s=20), PDN, n=120, seed=7,
                              progress=False).responder_rate
             for name in ("placebo", "amitriptyline", "capsaicin-patch")}
    assert rates["placebo"] < rates["capsaicin-patch"] < rates["amitriptyline"]
    assert 0.10 <= rates["placebo"] <= 0.35


def test_cohort_responder_rates_follow_placebo_plus_one_over_nnt():
    """Calibration (docs/science.md §8.18): each drug within ±8 pp of placebo + 1/NNT, placebo in
    20-30 % ± the same tolerance, and no drug helps half of the patients (500 patients)."""
    kw = dict(n=500, seed=0, progress=False)
    rates = {name: run_cohort(treatment_session(name, duration_s=20), PDN, **kw)
             for name in ("placebo", *NNT, "lidocaine-patch")}
    placebo = rates["placebo"].responder_rate
    assert abs(placebo - PLACEBO_RESPONDER_RATE) <= TOLERANCE_PP / 100
    for name, nnt in NNT.items():
        r = rates[name].responder_rate
        assert abs(r - (PLACEBO_RESPONDER_RATE + 1 / nnt)) <= TOLERANCE_PP / 100, name
        assert r < 0.5, name                                  # fewer than half respond
        assert r > placebo, name                              # better than placebo
    # lidocaine plaster: not estimable, weak evidence: between placebo and placebo + 10 pp
    lp = rates["lidocaine-patch"].responder_rate
    assert placebo <= lp <= placebo + 0.10
