"""The other drugs for neuropathic pain: pregabalin, duloxetine, tramadol, strong opioids
(morphine), and the simple analgesics (paracetamol, ibuprofen) that do little for it.

Targets: Finnerup et al. 2015 Lancet Neurol 14:162 (NNT for >= 50 % relief with its 95 %
confidence interval, NNH); Wiffen et al. 2016 Cochrane CD012227 (paracetamol) and Moore et al.
2015 Cochrane CD010902 (NSAIDs): no evidence of benefit in neuropathic pain.
"""
import math

import pytest

from sim.cohort import run_cohort
from sim.drugs import DRUGS, PLACEBO_RESPONDER_RATE, drug_effect, side_effects
from sim.patients import patient
from sim.presets import TREATMENT_PRESETS, treatment, treatment_session
from sim.session import Event, run_session
from sim.treatments import TREATMENT_KINDS, Treatment

PDN = "painful-diabetic-neuropathy"
#: Finnerup 2015: NNT (95 % CI) and NNH for >= 50 % relief.
FINNERUP = {"pregabalin": (7.7, 6.5, 9.4, 13.9), "duloxetine": (6.4, 5.2, 8.4, 11.8),
            "tramadol": (4.7, 3.6, 6.7, 12.6), "morphine": (4.3, 3.4, 5.8, 11.7)}
SIMPLE = ("paracetamol", "ibuprofen")


def test_each_new_drug_is_a_treatment_kind_and_preset_with_finnerup_numbers():
    for name, (nnt, _, _, nnh) in FINNERUP.items():
        assert name in TREATMENT_KINDS and name in TREATMENT_PRESETS
        assert DRUGS[name].nnt == nnt and DRUGS[name].nnh == nnh
        assert side_effects(name).nnh == nnh
    for name in SIMPLE:
        assert name in TREATMENT_KINDS and name in TREATMENT_PRESETS
        assert math.isnan(DRUGS[name].nnt)
        assert treatment(name).info.category == "drug"


def test_routes_follow_pharmacology():
    pg, du, tr, mo = (DRUGS[n] for n in ("pregabalin", "duloxetine", "tramadol", "morphine"))
    assert pg.transmission_gain > 0 and pg.descending_gain == 0       # α2δ-1 like gabapentin
    assert du.descending_gain > 0 and du.transmission_gain == 0       # SNRI
    assert tr.descending_gain > 0 and tr.transmission_gain > 0        # weak μ + SNRI
    assert mo.transmission_gain > 0 and mo.descending_gain > 0        # spinal + PAG
    ib = DRUGS["ibuprofen"]                                           # peripheral COX only
    assert ib.natural_c_gain > 0 and ib.descending_gain == ib.transmission_gain == 0
    assert ib.ectopic_gain == 0


def test_pregabalin_has_a_dose_response_by_hand():
    # Emax with ED50 = reference = 300 mg: 600 mg gives (600/900)/(300/600) = 4/3
    assert drug_effect("pregabalin", 600.0, 1e3) == pytest.approx(4.0 / 3.0)
    assert drug_effect("pregabalin", 150.0, 1e3) == pytest.approx((150 / 450) / 0.5)


@pytest.fixture(scope="module")
def trial():
    """Each arm on the same 1000 virtual patients (seed 0), measured at day 56."""
    kw = dict(n=1000, seed=0, progress=False)
    return {name: run_cohort(treatment_session(name, duration_s=20), PDN, **kw).responder_rate
            for name in ("placebo", *FINNERUP, *SIMPLE)}


def test_drug_cohorts_reach_nnts_inside_finnerups_intervals(trial):
    placebo = trial["placebo"]
    for name, (nnt, lo, hi, _) in FINNERUP.items():
        r = trial[name]
        assert r < 0.5, name                                  # most patients < 50 % relief
        model_nnt = 1.0 / (r - placebo)                       # against the same patients
        assert lo <= model_nnt <= hi, (name, model_nnt)
        assert abs(r - (PLACEBO_RESPONDER_RATE + 1 / nnt)) <= 0.08, name
    # strong opioids and tramadol beat the first-line α2δ ligand and SNRI on NNT
    assert trial["morphine"] > trial["duloxetine"] > trial["pregabalin"]


def test_simple_analgesics_do_little_for_neuropathic_pain(trial):
    placebo = trial["placebo"]
    for name in SIMPLE:
        # within 3 points of placebo: an NNT above 30, no use (Cochrane reviews above)
        assert abs(trial[name] - placebo) <= 0.03, name
        assert trial[name] < min(trial[n] for n in FINNERUP) - 0.08, name


def test_ibuprofen_relieves_injury_pain_but_not_ectopic_pain():
    """An NSAID acts on tissue-evoked (nociceptive) input: an injury hurts less, the resting
    neuropathic pain (ectopic firing) does not change."""
    pat = patient(PDN)
    base = treatment_session("placebo", patient=pat, duration_s=240)
    ib = base.replace(treatments=(Treatment(kind="ibuprofen", start_s=0.0),),
                      events=(Event(kind="injury", start_s=120, stop_s=200),))
    none = base.replace(treatments=(), events=ib.events)
    r_ib, r_none = run_session(ib), run_session(none)
    t = r_ib.t_s
    rest = (t > 60) & (t < 110)
    hurt = (t > 150) & (t < 200)
    assert r_ib.series["pain_nrs"][rest].mean() == pytest.approx(
        r_none.series["pain_nrs"][rest].mean(), abs=1e-9)
    assert r_ib.series["pain_nrs"][hurt].mean() < r_none.series["pain_nrs"][hurt].mean()


@pytest.mark.parametrize("kwargs, message", [
    (dict(kind="pregabalin", dose_mg_per_day=900), "outside 75..600 mg/day for pregabalin"),
    (dict(kind="morphine", dose_mg_per_day=500), "outside 10..240 mg/day for morphine"),
    (dict(kind="paracetamol", dose_mg_per_day=6000), "outside 500..4000 mg/day"),
    (dict(kind="duloxetine", concentration_pct=1.0), "does not apply to duloxetine"),
])
def test_bad_doses_name_the_drug_and_range(kwargs, message):
    from sim import ParameterError
    with pytest.raises(ParameterError, match=message.replace(".", r"\.")):
        Treatment(**kwargs)
