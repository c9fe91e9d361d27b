"""Recruitment of fibre populations by programs: calibration targets of docs/science.md §3.3,
§3.4."""
import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim import ParameterError, recruitment as R
from sim.fibers import FiberClass
from sim.waveforms import Program

AB, AD, C = FiberClass.ABETA, FiberClass.ADELTA, FiberClass.C

SCS = Program(therapy="scs", pattern="tonic", shape="biphasic", amplitude_mA=3.5,
              pulse_width_us=210.0, rate_hz=50.0, interphase_gap_us=20.0, contacts="000-+000")
SCS_10K = Program(therapy="scs", pattern="tonic", shape="biphasic", amplitude_mA=5.0,
                  pulse_width_us=30.0, rate_hz=10000.0, interphase_gap_us=20.0,
                  contacts="000-+000")
BURST = Program(therapy="scs", pattern="burst", shape="asymmetric", amplitude_mA=1.0,
                pulse_width_us=1000.0, rate_hz=500.0, pulses_per_burst=5, burst_rate_hz=40.0,
                recharge_ratio=1.5, contacts="000-+000")
PNS = Program(therapy="pns", pattern="tonic", shape="biphasic", amplitude_mA=3.0,
              pulse_width_us=100.0, rate_hz=50.0, contacts="-+", contact_area_mm2=10.0,
              lead_distance_mm=5.0)
TENS = Program(therapy="tens", pattern="tonic", shape="biphasic", amplitude_mA=15.0,
               pulse_width_us=100.0, rate_hz=80.0, contacts="-+", contact_area_mm2=2500.0)


def _pt(program, **kw):
    return R.recruit(program, **kw).perception_threshold_mA


# ------------------------------------------------------------------------------------------
# Calibration targets
# ------------------------------------------------------------------------------------------
def test_tonic_scs_perception_threshold_and_window():
    res = R.recruit(SCS, csf_thickness_mm=3.0)
    print(f"\ntonic SCS PT {res.perception_threshold_mA:.2f} mA, "
          f"DT {res.discomfort_threshold_mA:.2f} mA")
    assert 2.0 <= res.perception_threshold_mA <= 5.0                 # docs/science.md §3.3
    assert 1.4 <= res.discomfort_threshold_mA / res.perception_threshold_mA <= 1.6
    # PT is where 2 % of Aβ fibres are recruited
    at_pt = R.recruit(dataclasses.replace(SCS, amplitude_mA=round(res.perception_threshold_mA,
                                                                   2) + 0.01))
    assert at_pt[AB].recruited_fraction >= R.PERCEPTION_FRACTION and at_pt.paresthesia
    below = R.recruit(dataclasses.replace(SCS, amplitude_mA=0.8 * res.perception_threshold_mA))
    assert below[AB].recruited_fraction < R.PERCEPTION_FRACTION and not below.paresthesia


@pytest.mark.parametrize("program", [SCS, PNS], ids=["scs", "pns"])
def test_only_abeta_inside_the_therapeutic_window(program):
    dt = R.recruit(program).discomfort_threshold_mA
    res = R.recruit(dataclasses.replace(program, amplitude_mA=round(dt, 1)))
    assert res[AB].recruited_fraction > R.PERCEPTION_FRACTION
    assert res[AD].recruited_fraction == 0 and res[C].recruited_fraction == 0


def test_tens_window_is_abeta_until_its_painful_top():
    # TENS pads: strong comfortable tingling (twice the sensory threshold) recruits only Aβ;
    # the window's top is the pain threshold, several times the sensory one (Hughes et al.
    # 2013), where cutaneous Aδ fibres (pricking) begin to be recruited.
    rec = R.recruit(TENS)
    strong = R.recruit(dataclasses.replace(TENS, amplitude_mA=2 * rec.perception_threshold_mA))
    assert strong[AB].recruited_fraction > R.PERCEPTION_FRACTION
    assert strong[AD].recruited_fraction < R.PERCEPTION_FRACTION / 10   # no pricking yet
    assert strong[C].recruited_fraction == 0
    top = R.recruit(dataclasses.replace(TENS, amplitude_mA=rec.discomfort_threshold_mA))
    assert top[AD].recruited_fraction >= R.PERCEPTION_FRACTION          # pricking: pain
    assert top[C].recruited_fraction == 0


@pytest.mark.parametrize("program", [SCS, TENS, PNS], ids=["scs", "tens", "pns"])
def test_recruitment_order(program):
    k = int(R.PERCEPTION_FRACTION * R.DEFAULT_N_FIBERS)
    th = [R.fiber_thresholds_mA(program, fc)[k] for fc in FiberClass]
    assert th[0] < th[1] < th[2]
    assert th[2] > 10 * th[0]                     # C needs far larger currents


def test_threshold_rises_with_csf_thickness():
    pts = [_pt(SCS, csf_thickness_mm=c) for c in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)]
    assert np.all(np.diff(pts) > 0)               # He et al. 1994


def test_threshold_falls_with_lateral_offset():
    # Lateral leads reach the dorsal roots, whose thresholds are lower: He et al. 1994 (Pain
    # 59:55) found lower perception thresholds for lateral than for medial thoracic leads.
    pts = [_pt(dataclasses.replace(SCS, lateral_offset_mm=o)) for o in (0, 1, 2, 3, 4, 5)]
    assert np.all(np.diff(pts) < 0)
    assert pts[-1] < 0.8 * pts[0]


@pytest.mark.parametrize("csf", [2.5, 3.0, 4.0, 6.0])
def test_10khz_is_paresthesia_free(csf):
    for amp in (1.0, 3.0, 5.0):
        res = R.recruit(dataclasses.replace(SCS_10K, amplitude_mA=amp), csf_thickness_mm=csf)
        assert res[AB].recruited_fraction == 0 and not res.paresthesia
        assert res[AB].blocked_fraction == 0      # also below the block threshold


def test_pns_recruits_abeta_at_a_few_mA():
    pt = _pt(PNS)
    assert 1.0 <= pt <= 5.0
    assert R.recruit(dataclasses.replace(PNS, amplitude_mA=5.0))[AB].recruited_fraction > 0.1
    # closer lead, lower threshold (roughly with distance squared or faster)
    near = _pt(dataclasses.replace(PNS, lead_distance_mm=2.0))
    far = _pt(dataclasses.replace(PNS, lead_distance_mm=10.0))
    assert near < pt < far
    assert far / pt > (11.5 / 6.5) ** 2           # distance to the nerve centre squared


def test_anodic_pns_lead_needs_several_times_the_current():
    """Monophasic anodic stimulation excites at virtual cathodes: 3-7 x cathodic [S Ranck]."""
    mono = dataclasses.replace(PNS, shape="monophasic")
    ratio = _pt(dataclasses.replace(mono, contacts="+-")) / _pt(mono)
    assert 3.0 <= ratio <= 8.0


def test_tens_is_less_focal_than_pns_and_deep_nerves_need_more():
    assert _pt(TENS) > 2 * _pt(PNS)
    shallow = R.fiber_thresholds_mA(TENS, AB, nerve_depth_mm=5.0)
    deep = R.fiber_thresholds_mA(TENS, AB, nerve_depth_mm=30.0)
    assert np.median(deep) > np.median(shallow)
    # acupuncture-like TENS (40 mA, 200 us) reaches Aδ, conventional TENS does not
    acu = dataclasses.replace(TENS, amplitude_mA=40.0, pulse_width_us=200.0, rate_hz=2.0)
    assert R.recruit(acu)[AD].recruited_fraction > 0.05
    assert R.recruit(TENS)[AD].recruited_fraction < 0.005


# ------------------------------------------------------------------------------------------
# Firing rates: following and block
# ------------------------------------------------------------------------------------------
def test_tonic_rate_is_followed():
    res = R.recruit(dataclasses.replace(SCS, amplitude_mA=2 * _pt(SCS)))
    ab = res[AB]
    assert_allclose(ab.firing_rate_hz, 50.0)
    assert_allclose(ab.population_rate_hz, 50.0 * ab.recruited_fraction)
    assert res.pulses_per_second_hz == 50.0


def test_burst_rate_is_pulses_per_burst_times_burst_rate():
    res = R.recruit(dataclasses.replace(BURST, amplitude_mA=3 * _pt(BURST)))
    assert res.pulses_per_second_hz == 200.0
    # 5 x 40 Hz for fibres well above threshold; those just above it (a < 1.1) cannot
    # follow 500 Hz (2 ms < 0.8 + 0.5 ln(a / (a - 1)) ms) and fire every other pulse
    assert 190.0 <= res[AB].firing_rate_hz < 200.0
    assert R.recruit(BURST)[AB].recruited_fraction == 0                # 1 mA: sub-perception


def test_kilohertz_rates_are_not_followed_one_to_one():
    prog = dataclasses.replace(SCS, rate_hz=1000.0)
    res = R.recruit(dataclasses.replace(prog, amplitude_mA=1.2 * _pt(prog)))
    assert 0 < res[AB].firing_rate_hz < 1000.0


def test_monophasic_10khz_depolarisation_block():
    prog = Program(therapy="scs", pattern="tonic", shape="monophasic", amplitude_mA=30.0,
                   pulse_width_us=100.0, rate_hz=10000.0, interphase_gap_us=0.0,
                   contacts="000-+000")
    ab = R.recruit(prog)[AB]
    assert ab.blocked_fraction > 0.5 and ab.active_fraction < ab.recruited_fraction
    assert ab.onset_spikes >= 1


def test_charge_balanced_khfac_block_far_above_threshold():
    ab = R.recruit(dataclasses.replace(SCS_10K, amplitude_mA=100.0), csf_thickness_mm=2.0)[AB]
    assert ab.blocked_fraction > 0
    assert ab.active_fraction == pytest.approx(ab.recruited_fraction - ab.blocked_fraction)


def test_off_and_zero_amplitude_recruit_nothing():
    for prog in (Program(therapy="off", amplitude_mA=0.0), dataclasses.replace(SCS,
                                                                               amplitude_mA=0)):
        res = R.recruit(prog)
        for c in res.classes:
            assert c.recruited_fraction == 0 and c.firing_rate_hz == 0
        assert not res.paresthesia
    assert math.isnan(R.recruit(Program(therapy="off", amplitude_mA=0.0))
                      .perception_threshold_mA)


# ------------------------------------------------------------------------------------------
# Curves
# ------------------------------------------------------------------------------------------
def test_recruitment_curve():
    amps = np.linspace(0, 20, 50)
    curve = R.recruitment_curve(SCS, amps)
    for c in curve.curves:
        assert np.all(np.diff(c.recruited_fraction) >= 0)
        assert c.recruited_fraction[0] == 0
    res = R.recruit(SCS)
    assert curve[AB].operating_fraction == res[AB].recruited_fraction
    assert curve.perception_threshold_mA == res.perception_threshold_mA
    assert curve.operating_amplitude_mA == 3.5
    default = R.recruitment_curve(SCS)
    assert default.amplitude_mA.size == 50 and default.amplitude_mA[-1] >= 3 * 2.0


def test_strength_duration_curve():
    sd = R.strength_duration_curve(SCS)
    th = np.array([c.threshold_mA for c in sd.curves])
    assert np.all(np.diff(th, axis=1) < 0)        # falls with pulse width
    assert np.all(th[0] < th[1]) and np.all(th[1] < th[2])
    for c in sd.curves:
        assert c.chronaxie_us > 0 and 0 <= c.rheobase_mA < c.threshold_mA[-1]
    assert sd[C].chronaxie_us > sd[AB].chronaxie_us
    # 30 us needs several times the 210 us amplitude (why 10 kHz stays sub-perception)
    ab = sd[AB]
    t30, t210 = np.interp([30, 210], sd.pulse_width_us, ab.threshold_mA)
    assert t30 > 2.5 * t210


# ------------------------------------------------------------------------------------------
# Populations: seeded, cached, read-only
# ------------------------------------------------------------------------------------------
def test_population_reproducible_and_cached():
    a = R.population("scs", AB, n_fibers=1000, seed=3)
    b = R.population("scs", "abeta", n_fibers=1000, seed=3)
    assert a is b
    c = R.population("scs", AB, n_fibers=1000, seed=4)
    assert not np.array_equal(a.diameter_um, c.diameter_um)
    with pytest.raises(ValueError):
        a.diameter_um[0] = 1.0
    for fc in FiberClass:
        p = R.population("pns", fc, n_fibers=2000)
        props = fc.properties
        assert p.diameter_um.min() >= props.diameter_min_um
        assert p.diameter_um.max() <= props.diameter_max_um
        assert np.all(np.hypot(p.x_mm, p.y_mm) <= 1.5)
    dc = R.population("scs", AB)
    # dorsal-column fibres inside the cord; dorsal-root fibres in the CSF just outside it
    assert np.all(np.hypot(dc.x_mm, dc.y_mm)[~dc.root] <= 4.0)
    assert np.all(np.hypot(dc.x_mm, dc.y_mm)[dc.root] > 4.0)
    assert np.all(np.abs(dc.x_mm[dc.root]) > np.abs(dc.x_mm[~dc.root]).max() - 0.5)
    r1 = R.recruit(SCS, seed=1)
    assert R.recruit(SCS, seed=1) == r1


def test_stand_in_program_gives_the_same_result():
    names = ("therapy", "pattern", "shape", "amplitude_mA", "pulse_width_us", "rate_hz",
             "interphase_gap_us", "recharge_ratio", "pulses_per_burst", "burst_rate_hz",
             "contacts", "contact_area_mm2", "lead_distance_mm", "lateral_offset_mm")
    stand_in = SimpleNamespace(**{k: getattr(SCS, k) for k in names})
    assert R.recruit(stand_in) == R.recruit(SCS)


# ------------------------------------------------------------------------------------------
# Bad inputs
# ------------------------------------------------------------------------------------------
def _stand_in(**changes):
    names = ("therapy", "pattern", "shape", "amplitude_mA", "pulse_width_us", "rate_hz",
             "interphase_gap_us", "recharge_ratio", "pulses_per_burst", "burst_rate_hz",
             "contacts", "contact_area_mm2", "lead_distance_mm", "lateral_offset_mm")
    d = {k: getattr(SCS, k) for k in names}
    d.update(changes)
    return SimpleNamespace(**d)


@pytest.mark.parametrize("changes, name", [
    ({"amplitude_mA": -1.0}, "amplitude_mA"),
    ({"pulse_width_us": 0.0}, "pulse_width_us"),
    ({"rate_hz": float("nan")}, "rate_hz"),
    ({"contacts": "000"}, "contacts"),
    ({"amplitude_mA": "3"}, "amplitude_mA"),
    ({"therapy": "dbs"}, "therapy"),
])
def test_bad_program_values(changes, name):
    with pytest.raises(ParameterError) as exc:
        R.recruit(_stand_in(**changes))
    assert exc.value.name == name and name in str(exc.value)


def test_bad_anatomy_and_options():
    with pytest.raises(ParameterError, match="csf_thickness_mm"):
        R.recruit(SCS, csf_thickness_mm=-2.0)
    with pytest.raises(ParameterError, match="nerve_depth_mm"):
        R.recruit(TENS, nerve_depth_mm=float("nan"))
    with pytest.raises(ParameterError, match="n_fibers"):
        R.recruit(SCS, n_fibers=2.5)
    with pytest.raises(ParameterError, match="amplitudes_mA"):
        R.recruitment_curve(SCS, [1.0, -1.0])
    with pytest.raises(ParameterError, match="lateral_offset_mm"):
        R.recruit(_stand_in(lateral_offset_mm=-1.0))
    with pytest.raises(ParameterError):
        R.recruit(SimpleNamespace(therapy="scs"))                        # missing attributes
    with pytest.raises(ParameterError, match="therapy"):
        R.fiber_thresholds_mA(Program(therapy="off", amplitude_mA=0.0), AB)
