"""Nerve blocks (sim.blocks): Hill equation, internode geometry, differential block order,
time courses of local anaesthetics and neurolysis, bad inputs.

Expectations are independent of the code: hand calculations of the Hill equation and of the
truncated log-normal diameter distributions, the MRG internode table (1 and 2 µm fibres:
100 and 200 µm; 10 µm: 1150 µm), the intraneural lidocaine of Popitz-Bergez 1995, clinical
durations from anaesthesia texts and the recovery times reported for each neurolysis.
"""
import math

import numpy as np
import pytest

from sim import ParameterError
from sim.blocks import (
    BLOCK_CRITICAL_FRACTION,
    C_CRITICAL_LENGTH_MM,
    LOCAL_ANAESTHETICS,
    N_NODES,
    NEUROLYSIS,
    SPREAD_SD_MM,
    blocked_fraction,
    blocked_length_mm,
    critical_concentration_uM,
    critical_length_mm,
    deafferentation_c_drive,
    ganglion_block_fraction,
    injected_concentration_uM,
    intraneural_concentration_uM,
    local_anaesthetic_block,
    na_block_fraction,
    neurolysis_conduction_lost,
)
from sim.fibers import FiberClass
from sim.recruitment import DIAMETER_DISTRIBUTIONS

LIDO = LOCAL_ANAESTHETICS["lidocaine"]
BUPI = LOCAL_ANAESTHETICS["bupivacaine"]


def _phi(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _class_cdf(fc, d_um, lo, hi):
    """Truncated log-normal CDF by hand (math.erf), from the recruitment distributions."""
    dist = DIAMETER_DISTRIBUTIONS[fc]
    mu, s = math.log(dist.median_um), dist.sigma_ln
    a, b = _phi((math.log(lo) - mu) / s), _phi((math.log(hi) - mu) / s)
    return (_phi((math.log(d_um) - mu) / s) - a) / (b - a)


# Hill equation and concentrations --------------------------------------------------------
def test_hill_equation_hand_values():
    # b = C^h / (C^h + EC50^h): half block at the EC50 (230 µM, docs/science.md §5.1)
    assert na_block_fraction(230.0) == pytest.approx(0.5)
    assert na_block_fraction(690.0) == pytest.approx(0.75)            # 3 EC50, h = 1
    assert na_block_fraction(460.0, 230.0, 2.0) == pytest.approx(0.8)  # 2^2/(2^2 + 1)
    assert na_block_fraction(0.0) == 0.0


def test_concentrations_match_popitz_bergez():
    # 1 % lidocaine HCl = 10 g/l / 270.8 g/mol = 36.9 mM
    assert injected_concentration_uM(1.0, LIDO) == pytest.approx(36_928, rel=1e-3)
    # intraneural lidocaine at full block after 1 %: equilibrium with 0.7-0.9 mM [P]
    peak = float(intraneural_concentration_uM(LIDO, 1.0, 60 * LIDO.peak_time_min))
    assert 700 <= peak <= 900
    # conduction fails at 0.2-0.3 mM, where deep pain returned [P]
    assert 200 <= critical_concentration_uM(LIDO) <= 300
    assert BLOCK_CRITICAL_FRACTION == 0.5
    # bupivacaine about 4 x as potent
    assert critical_concentration_uM(LIDO) / critical_concentration_uM(BUPI) == \
        pytest.approx(4.0)


def test_blocked_length_of_a_gaussian_profile_by_hand():
    # c(x) = c0 exp(-x²/2s²) >= c_crit over |x| <= s·sqrt(2 ln(c0/c_crit))
    s = 1.0
    assert float(blocked_length_mm(230.0 * math.e ** 0.5, 230.0, s)) == pytest.approx(2.0)
    assert float(blocked_length_mm(230.0 * math.e ** 2, 230.0, s)) == pytest.approx(4.0)
    assert float(blocked_length_mm(100.0, 230.0, s)) == 0.0            # below critical


# Geometry ------------------------------------------------------------------------------------
def test_critical_length_is_three_internodes_of_about_100_d():
    assert N_NODES == 3
    # MRG geometry: 2 µm -> 200 µm internodes, 10 µm -> 1150 µm
    assert float(critical_length_mm(FiberClass.ADELTA, 2.0)) == pytest.approx(0.6)
    assert float(critical_length_mm(FiberClass.ABETA, 10.0)) == pytest.approx(3.45)
    # thin myelinated fibres need a shorter blocked length than thick ones
    d = np.array([1.0, 2.5, 5.0, 6.0, 8.5, 12.0])
    L = critical_length_mm(FiberClass.ABETA, d)
    assert np.all(np.diff(L) > 0)
    assert float(L[0]) == pytest.approx(0.3)                        # 3 x 100 x 1 µm
    # C fibres: a continuous length, growing with sqrt(d) (cable length constant)
    ref = C_CRITICAL_LENGTH_MM["c-first"]
    assert float(critical_length_mm(FiberClass.C, 0.7)) == pytest.approx(ref)
    assert float(critical_length_mm(FiberClass.C, 2.8)) == pytest.approx(2 * ref)


def test_blocked_fraction_follows_the_diameter_distribution():
    # blocked length = 3 internodes of the median Aβ fibre -> the fibres up to the median
    L = float(critical_length_mm(FiberClass.ABETA, 8.5))
    expected = _class_cdf(FiberClass.ABETA, 8.5, 6.0, 12.0)
    assert float(blocked_fraction(FiberClass.ABETA, L)) == pytest.approx(expected, abs=1e-3)
    # Aδ: up to 2 µm (0.6 mm)
    assert float(blocked_fraction(FiberClass.ADELTA, 0.6)) == pytest.approx(
        _class_cdf(FiberClass.ADELTA, 2.0, 1.0, 5.0), abs=1e-3)
    for fc in FiberClass:
        assert float(blocked_fraction(fc, 0.0)) == 0.0
        assert float(blocked_fraction(fc, 10.0)) == pytest.approx(1.0)


# Differential block order --------------------------------------------------------------------
@pytest.mark.parametrize("order", ["c-first", "adelta-first"])
def test_pain_fibres_fail_before_touch_fibres(order):
    L = np.linspace(0.0, 5.0, 501)
    ab, ad, c = (blocked_fraction(fc, L, order) for fc in
                 (FiberClass.ABETA, FiberClass.ADELTA, FiberClass.C))
    # Aδ fully blocked before the first Aβ fibre fails (docs/science.md §8.17)
    assert L[np.argmax(ad >= 0.999)] < L[np.argmax(ab > 0.0)]
    assert np.all(ad >= ab) and np.all(c >= ab - 0.1)
    def first(x):
        return L[np.argmax(x >= 0.5)]
    if order == "c-first":      # clinical texts: C before Aδ
        assert np.all(c >= ad) and first(c) < first(ad)
    else:                       # Gokin 2001: Aδ before C
        assert np.all(ad >= c) and first(ad) < first(c)
    assert first(ad) < first(ab) and first(c) < first(ab)


def test_pain_relief_at_concentrations_that_spare_touch_numbness_as_it_deepens():
    t_peak = 60 * LIDO.peak_time_min
    dilute = local_anaesthetic_block("lidocaine", 0.4, t_peak)
    assert float(dilute.blocked_c) > 0.95 and float(dilute.blocked_adelta) > 0.95
    assert float(dilute.blocked_abeta) < 0.25                    # most touch spared
    dense = local_anaesthetic_block("lidocaine", 1.0, t_peak)
    assert float(dense.blocked_abeta) == pytest.approx(1.0)     # complete block at 1 %
    # touch loss grows with concentration
    fr = [float(local_anaesthetic_block("lidocaine", c, t_peak).blocked_abeta)
          for c in (0.3, 0.4, 0.5, 0.7, 1.0)]
    assert fr == sorted(fr) and fr[0] < fr[-1]
    # 0.25 % never reaches the critical intraneural concentration: no block
    weak = local_anaesthetic_block("lidocaine", 0.25, np.arange(0, 7200, 60.0))
    assert float(np.max(weak.blocked_c)) == 0.0
    # dilute bupivacaine: a sensory-selective block
    b = local_anaesthetic_block("bupivacaine", 0.125, 60 * BUPI.peak_time_min)
    assert float(b.blocked_c) > 0.95 and float(b.blocked_abeta) < 0.3


# Time courses ---------------------------------------------------------------------------------
def _span_min(t_s, x, level):
    on = np.flatnonzero(x >= level)
    return (t_s[on[0]] / 60, t_s[on[-1]] / 60) if on.size else (math.nan, math.nan)


def test_local_anaesthetic_onset_duration_and_recovery_order():
    t = np.arange(0.0, 12 * 3600.0, 15.0)
    for drug, pct, lo_h, hi_h in (("lidocaine", 1.0, 0.75, 2.0), ("lidocaine", 2.0, 1.0, 2.0),
                                  ("bupivacaine", 0.5, 4.0, 8.0)):
        b = local_anaesthetic_block(drug, pct, t)
        c_on, c_off = _span_min(t, b.blocked_c, 0.9)
        ab_on, ab_off = _span_min(t, b.blocked_abeta, 0.5)
        assert c_on < 20                                   # onset within 10-20 min [T]
        assert lo_h <= (c_off - c_on) / 60 <= hi_h          # duration [T]
        # pain goes first and comes back last; touch in between
        assert c_on <= ab_on and ab_off < c_off
    # nothing before the injection
    assert float(local_anaesthetic_block("lidocaine", 2.0, -10.0).blocked_c) == 0.0


def test_ganglion_block_sets_in_and_wears_off():
    f = ganglion_block_fraction(0.25, np.array([-60.0, 600.0, 3600.0, 12 * 3600.0]))
    assert f[0] == 0 and f[1] == pytest.approx(1.0) and f[2] == pytest.approx(1.0)
    assert f[3] == 0.0


def test_neurolysis_recovery_time_courses():
    day = np.arange(0.0, 366.0)
    lost = {k: neurolysis_conduction_lost(k, day) for k in NEUROLYSIS}
    for x in lost.values():
        assert x[0] == pytest.approx(1.0)                  # complete lesion at day 0
        assert np.all(np.diff(x) <= 0)                     # only recovers
        assert x[7] > 0.95                                 # still lesioned after a week
    # cryo: axons regrow within weeks to months; function back by 8 weeks and histology normal
    # by 24 weeks in the rat (Hsu & Stevenson 2015)
    assert 21 <= np.argmax(lost["cryoneurolysis"] < 0.5) <= 90
    assert lost["cryoneurolysis"][24 * 7] < 0.05
    # phenol: typically 2-6 months
    assert 60 <= np.argmax(lost["phenol"] < 0.5) <= 180
    # RF: months, longer than cryo and phenol; most relief gone within about a year or more
    assert np.argmax(lost["radiofrequency"] < 0.5) > 180
    assert lost["radiofrequency"][90] > 0.8
    # order of durations: cryo < phenol < radiofrequency
    half = {k: int(np.argmax(x < 0.5)) for k, x in lost.items()}
    assert half["cryoneurolysis"] < half["phenol"] < half["radiofrequency"]
    # an incomplete lesion spares a share
    assert neurolysis_conduction_lost("phenol", 0.0, 0.6) == pytest.approx(0.6)


def test_deafferentation_drive_builds_over_weeks():
    d = deafferentation_c_drive(np.array([0.0, 7.0, 30.0, 90.0, 365.0]))
    assert d[0] == 0 and np.all(np.diff(d) > 0)
    assert d[2] == pytest.approx(d[-1] * (1 - math.exp(-1)), rel=0.02)   # τ = 30 days
    assert deafferentation_c_drive(365.0, 0.5) == pytest.approx(d[-1] / 2)


# Bad inputs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: na_block_fraction(-1.0), "concentration_uM=-1 is outside 0..1e+07 µM"),
    (lambda: local_anaesthetic_block("lidocaine", -1.0, 0.0), "concentration_pct=-1"),
    (lambda: local_anaesthetic_block("cocaine", 1.0, 0.0), "drug='cocaine' is not one of"),
    (lambda: blocked_fraction(FiberClass.C, 1.0, "b-first"), "block_order='b-first'"),
    (lambda: neurolysis_conduction_lost("laser", 3.0), "technique='laser'"),
    (lambda: neurolysis_conduction_lost("phenol", -3.0), "days_since_lesion=-3"),
    (lambda: neurolysis_conduction_lost("phenol", 3.0, 1.5), "lesion_fraction=1.5"),
])
def test_bad_inputs_raise_parameter_errors(call, message):
    with pytest.raises(ParameterError, match=message.replace("+", r"\+").replace("(", r"\(")):
        call()


def test_spread_constant_is_documented_calibration():
    # the peak of 1 % lidocaine blocks the thickest Aβ (12 µm: 3.86 mm); 0.4 % does not
    L1 = float(blocked_length_mm(float(intraneural_concentration_uM(
        LIDO, 1.0, 60 * LIDO.peak_time_min)), critical_concentration_uM(LIDO)))
    assert L1 >= float(critical_length_mm(FiberClass.ABETA, 12.0))
    assert SPREAD_SD_MM == pytest.approx(1.3)
