"""Sensory nerve conduction study: literature ranges, patient patterns, physics, validation, CLI.

Expected values come from the literature the module cites (normal limits and means), from
hand calculations (latency = distance / fastest velocity) or from physics (a sum of
zero-area potentials loses amplitude as it disperses), not from the model's own output.
"""
import itertools
import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim import ParameterError
from sim.cli import main
from sim.fibers import FiberClass
from sim.ncs import (
    ABSENT_BELOW_UV,
    NERVES,
    SNAP_SCALE_UV_PER_UM2,
    _superpose_direct,
    _superpose_rows,
    calibrate_scale,
    compound_potential,
    fiber_population,
    nerve_conduction_study,
    nerve_state,
    recorded_potential,
    single_fibre_potential,
)
from sim.patients import patient

# Literature anchors (see sim.ncs References).
SURAL_AMP_LLN_UV = 6.0          # Preston & Shapiro 2013; Zamoum & Chaouch 2022: 6.8-7.7 µV
SURAL_CV_LLN = 40.0             # Preston & Shapiro 2013; docs/science.md §9.1
SURAL_PEAK_ULN_MS = 4.4         # at 14 cm, Preston & Shapiro 2013
MEDIAN_AMP_LLN_UV = 20.0        # Preston & Shapiro 2013
MEDIAN_CV_LLN = 50.0
KIM_2022_SURAL_RANGE_UV = (8.3, 35.2)   # men in their 20s, mean 21.7 µV
# Behse & Buchthal 1971: maximum sensory velocity 46.1 ± 3.7 (distal) to 56.5 ± 3.4 m/s
# (proximal) in young adults; a healthy sural onset velocity lies between the distal mean
# - 1 SD and the proximal mean + 2 SD.
SURAL_CV_PLAUSIBLE = (42.0, 63.0)


@pytest.fixture(scope="module")
def healthy():
    return nerve_conduction_study(patient("healthy"))


# ---------------------------------------------------------------------------------------------
# Healthy nerves against normative data
# ---------------------------------------------------------------------------------------------
def test_healthy_sural_within_normative_ranges(healthy):
    r = healthy
    assert r.nerve == "sural" and r.distance_mm == 140.0
    # calibration target: the normal mean of ~20 µV (Kim et al. 2022)
    assert_allclose(r.amplitude_uV, 20.0, rtol=0.02)
    assert KIM_2022_SURAL_RANGE_UV[0] < r.amplitude_uV < KIM_2022_SURAL_RANGE_UV[1]
    assert SURAL_CV_PLAUSIBLE[0] < r.conduction_velocity_m_per_s < SURAL_CV_PLAUSIBLE[1]
    assert r.conduction_velocity_m_per_s > SURAL_CV_LLN
    assert r.peak_latency_ms <= SURAL_PEAK_ULN_MS
    assert r.onset_latency_ms <= 140.0 / SURAL_CV_LLN
    # a SNAP rises from onset to its negative peak in well under 1.5 ms
    assert 0.3 < r.peak_latency_ms - r.onset_latency_ms < 1.5
    assert r.normal and r.abnormal == () and r.response_present
    assert all(m.normal for m in r.measures)


def test_limits_reported_with_the_result(healthy):
    r = healthy
    assert r.amplitude_min_uV == SURAL_AMP_LLN_UV
    assert r.conduction_velocity_min_m_per_s == SURAL_CV_LLN
    assert r.peak_latency_max_ms == SURAL_PEAK_ULN_MS
    assert r.onset_latency_max_ms == pytest.approx(140.0 / SURAL_CV_LLN)
    names = [m.name for m in r.measures]
    assert names == ["onset_latency_ms", "peak_latency_ms", "amplitude_uV",
                     "conduction_velocity_m_per_s"]
    # the same limits keyed by measure, with per-measure verdicts
    assert r.limits["amplitude_uV"] == SURAL_AMP_LLN_UV
    assert r.limits["conduction_velocity_m_per_s"] == SURAL_CV_LLN
    assert all(r.within[n] for n in names)


def test_peak_latency_limit_only_at_the_standard_distance():
    r = nerve_conduction_study(patient("healthy"), distance_mm=100.0)
    assert r.peak_latency_max_ms is None
    assert r.onset_latency_max_ms == pytest.approx(100.0 / SURAL_CV_LLN)
    assert r.normal


def test_healthy_median_within_normative_ranges():
    r = nerve_conduction_study(patient("healthy"), nerve="median")
    assert r.amplitude_uV >= MEDIAN_AMP_LLN_UV
    assert MEDIAN_CV_LLN < r.conduction_velocity_m_per_s < 65.0
    # the median conducts faster than the sural (warmer, larger fibres)
    sural = nerve_conduction_study(patient("healthy"))
    assert r.conduction_velocity_m_per_s > sural.conduction_velocity_m_per_s
    assert r.normal


# ---------------------------------------------------------------------------------------------
# Patients
# ---------------------------------------------------------------------------------------------
def test_diabetic_neuropathy_is_axonal_low_amplitude(healthy):
    r = nerve_conduction_study(patient("painful-diabetic-neuropathy"))
    assert r.amplitude_uV < 0.5 * healthy.amplitude_uV
    assert r.amplitude_uV < SURAL_AMP_LLN_UV
    assert not r.normal
    assert any("amplitude" in f.lower() for f in r.abnormal)
    # axonal pattern: velocity normal or only mildly slowed (above the demyelinating range)
    assert r.conduction_velocity_m_per_s > 0.8 * SURAL_CV_LLN
    assert r.conduction_velocity_m_per_s < healthy.conduction_velocity_m_per_s


def test_demyelinating_neuropathy_slows_and_disperses(healthy):
    r = nerve_conduction_study(patient("demyelinating-neuropathy"))
    # docs/science.md §9.1: marked slowing, often < 70-80 % of the lower limit
    assert r.conduction_velocity_m_per_s < 0.8 * SURAL_CV_LLN
    assert r.onset_latency_ms > 140.0 / SURAL_CV_LLN
    assert r.peak_latency_ms > SURAL_PEAK_ULN_MS
    assert r.amplitude_uV < healthy.amplitude_uV
    # dispersion: a longer rise from onset to negative peak
    assert (r.peak_latency_ms - r.onset_latency_ms
            > healthy.peak_latency_ms - healthy.onset_latency_ms)
    assert not r.normal
    assert any("demyelinating" in f for f in r.abnormal)


def test_severe_demyelination_blocks_conduction():
    mild = nerve_state(patient("healthy", demyelination=0.2))
    severe = nerve_state(patient("healthy", demyelination=0.8))
    assert mild.blocked_fraction() == 0.0
    assert severe.blocked_fraction() > 0.3
    r = nerve_conduction_study(patient("healthy", demyelination=0.8))
    assert not r.normal


def test_small_fibre_neuropathy_normal_study_but_painful():
    from sim.presets import program
    from sim.session import Session, run_session

    pat = patient("small-fibre-neuropathy")
    r = nerve_conduction_study(pat)
    assert r.normal
    assert r.conducting_fraction["c"] < 0.5 and r.conducting_fraction["abeta"] == 1.0
    assert any("small-fibre neuropathy" in n for n in r.notes)
    res = run_session(Session(program=program("off"), patient=pat, duration_s=60))
    assert res.summary.pain_before_nrs > 4.0


def test_small_fibre_loss_leaves_the_snap_unchanged(healthy):
    r = nerve_conduction_study(patient("healthy", small_fibre_loss=1.0))
    assert_allclose(r.amplitude_uV, healthy.amplitude_uV, rtol=0.01)
    assert_allclose(r.onset_latency_ms, healthy.onset_latency_ms, rtol=0.01)


def test_axonal_loss_is_length_dependent():
    """The same patient loses more amplitude in the long sural than in the median nerve."""
    def ratio(nerve):
        ill = nerve_conduction_study(patient("healthy", axonal_loss=0.6), nerve=nerve)
        ok = nerve_conduction_study(patient("healthy"), nerve=nerve)
        return ill.amplitude_uV / ok.amplitude_uV
    assert ratio("sural") < ratio("median") < 1.0


def test_axonal_loss_removes_the_largest_fibres_first():
    pop = fiber_population("sural")
    st = nerve_state(patient("healthy", axonal_loss=0.5))
    big = pop.of_class(FiberClass.ABETA)
    lost = st.lost[big]
    assert_allclose(lost.mean(), 0.5, atol=0.03)          # the fraction asked for
    d = pop.diameter_um[big]
    assert d[lost].mean() > d[~lost].mean() + 0.5          # preferentially the largest


def test_amplitude_decreases_monotonically_with_axonal_loss():
    amps = [nerve_conduction_study(patient("healthy", axonal_loss=f)).amplitude_uV
            for f in (0.0, 0.2, 0.4, 0.6, 0.8)]
    assert all(a > b for a, b in itertools.pairwise(amps))


def test_total_loss_gives_an_absent_response():
    r = nerve_conduction_study(patient("healthy", axonal_loss=0.95))
    assert not r.response_present and not r.normal
    assert r.amplitude_uV < ABSENT_BELOW_UV
    assert math.isnan(r.onset_latency_ms) and math.isnan(r.conduction_velocity_m_per_s)
    assert "No sural SNAP" in r.abnormal[0]
    d = r.to_dict()
    assert d["onset_latency_ms"] is None
    json.dumps(d, allow_nan=False)


# ---------------------------------------------------------------------------------------------
# Physics
# ---------------------------------------------------------------------------------------------
def test_onset_latency_is_distance_over_fastest_fibre_hand_calculation(healthy):
    # largest sural fibre 12 µm (Jacobs & Love 1985 upper mode 9-12 µm), 4.55 m/s per µm
    # (Tackmann et al. 1976): 54.6 m/s; 140 mm / 54.6 m/s = 2.564 ms. The first *visible*
    # deflection comes a little later than the very first fibre's arrival.
    t_fast = 140.0 / (4.55 * 12.0)
    assert t_fast <= healthy.onset_latency_ms <= 1.1 * t_fast


@pytest.mark.parametrize("name", ["painful-diabetic-neuropathy", "demyelinating-neuropathy"])
def test_onset_latency_follows_the_fastest_surviving_fibre(name):
    st = nerve_state(patient(name))
    t_fast = 140.0 / st.max_velocity_m_per_s()
    r = nerve_conduction_study(patient(name))
    assert t_fast <= r.onset_latency_ms <= 1.12 * t_fast


def test_two_site_velocity_matches_fastest_fibres():
    r = nerve_conduction_study(patient("healthy"), record_distances_mm=[70.0, 280.0])
    assert r.velocity_method.startswith("two sites")
    v_max = 4.55 * 12.0  # hand calculation, as above
    assert 0.9 * v_max < r.conduction_velocity_m_per_s <= 1.01 * v_max
    assert [s.distance_mm for s in r.sites] == [70.0, 140.0, 280.0]
    assert r.distance_mm == 140.0


def test_amplitude_falls_with_distance_by_dispersion():
    dists = [70.0, 100.0, 140.0, 200.0, 280.0]
    r = nerve_conduction_study(patient("healthy"), record_distances_mm=dists)
    amps = [s.amplitude_uV for s in r.sites]
    assert all(a > b for a, b in itertools.pairwise(amps))
    # the same fibres conduct at every distance: the loss is phase cancellation. Horowitz &
    # Krarup (1992) found amplitude ~ distance^-(1.4..1.7); allow a wide band around it.
    exponent = math.log(amps[0] / amps[-1]) / math.log(dists[-1] / dists[0])
    assert 1.0 < exponent < 2.2
    # and the response widens: onset-to-peak grows with distance
    rise = [s.peak_latency_ms - s.onset_latency_ms for s in r.sites]
    assert rise[-1] > rise[0]


def test_c_fibres_contribute_less_than_one_percent(healthy):
    st = nerve_state(patient("healthy"))
    t = np.arange(0.0, 600.0, 0.02)  # long enough for every C fibre to pass G1 and G2
    c_only = recorded_potential(st, 140.0, t, classes=[FiberClass.C])
    assert np.abs(c_only).max() < 0.01 * healthy.amplitude_uV
    adelta = recorded_potential(st, 140.0, t, classes=[FiberClass.ADELTA])
    assert np.abs(adelta).max() < 0.05 * healthy.amplitude_uV
    # yet they are part of the sum: the full trace equals the sum of the class traces
    full = recorded_potential(st, 140.0, t)
    abeta = recorded_potential(st, 140.0, t, classes=[FiberClass.ABETA])
    assert_allclose(full, abeta + adelta + c_only, atol=1e-9)


def test_single_fibre_potential_shape():
    d = 1.2
    s = np.linspace(-0.5, 2.0, 2501)
    w = single_fibre_potential(s, d)
    assert w.min() == pytest.approx(-1.0, abs=1e-4)
    assert s[np.argmin(w)] == pytest.approx(d / 2, abs=1e-3)
    assert w.max() == pytest.approx(0.5625, abs=1e-3)     # side lobes 9/16
    ds = s[1] - s[0]
    assert abs(w.sum() * ds) < 1e-6                         # zero area: no net charge
    assert abs((w * s).sum() * ds) < 1e-6                   # zero first moment
    assert (w[(s < 0) | (s >= d)] == 0).all()


def test_compound_potential_scales_with_diameter_squared():
    t = np.arange(0.0, 10.0, 0.02)
    one = compound_potential(t, 100.0, 50.0, 1.0)
    assert -one.min() == pytest.approx(1.0, abs=1e-3)
    pop = fiber_population("sural")
    spec = NERVES["sural"]
    big = np.argmax(pop.diameter_um)
    small = np.argmin(np.where(pop.myelinated, pop.diameter_um, np.inf))
    st = nerve_state(patient("healthy"))
    ratio = st.amplitude_uV[big] / st.amplitude_uV[small] * (
        pop.count[small] / pop.count[big])
    assert ratio == pytest.approx((pop.diameter_um[big] / pop.diameter_um[small]) ** 2)
    assert spec.coupling == 1.0


def test_fast_sum_equals_direct_fibres_by_samples_sum():
    rng = np.random.default_rng(7)
    arrival = rng.uniform(-2.0, 14.0, 400)
    amp = rng.normal(size=400)
    rows = rng.integers(0, 3, 400)
    for dur in (1.2, 4.0, 0.77):
        fast = _superpose_rows(0.0, 0.02, 601, 3, rows, arrival, amp, dur)
        for k in range(3):
            sel = rows == k
            direct = _superpose_direct(0.0, 0.02, 601, arrival[sel], amp[sel], dur)
            assert_allclose(fast[k], direct, atol=1e-10)


def test_calibration_constant_is_current():
    assert_allclose(calibrate_scale(), SNAP_SCALE_UV_PER_UM2, rtol=1e-4)


def test_study_is_deterministic(healthy):
    again = nerve_conduction_study(patient("healthy"))
    assert_allclose(again.potential_uV, healthy.potential_uV, rtol=0, atol=0)


# ---------------------------------------------------------------------------------------------
# Results and validation
# ---------------------------------------------------------------------------------------------
def test_result_is_frozen_and_to_dict_is_json(healthy):
    with pytest.raises(AttributeError):
        healthy.amplitude_uV = 1.0
    d = healthy.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["trace"]["time_ms"][0] == 0.0
    assert len(back["trace"]["time_ms"]) == len(back["trace"]["potential_uV"])
    assert back["limits"]["amplitude_uV"] == SURAL_AMP_LLN_UV
    assert back["limits"]["peak_latency_ms"] == SURAL_PEAK_ULN_MS
    assert back["limits_kind"]["amplitude_uV"] == "min"
    assert back["within"]["conduction_velocity_m_per_s"] is True
    assert back["amplitude_measure"] == "baseline to negative peak"
    assert back["patient"] == "healthy"


@pytest.mark.parametrize("kwargs, name", [
    (dict(nerve="radial"), "ncs_nerve"),
    (dict(nerve=3), "ncs_nerve"),
    (dict(distance_mm=5.0), "ncs_distance_mm"),
    (dict(distance_mm=math.nan), "ncs_distance_mm"),
    (dict(distance_mm="140"), "ncs_distance_mm"),
    (dict(record_distances_mm=[70.0, 1000.0]), "ncs_record_distances_mm"),
    (dict(record_distances_mm="70"), "ncs_record_distances_mm"),
    (dict(record_distances_mm=[20.0 + 10 * i for i in range(9)]), "ncs_record_distances_mm"),
    (dict(sample_interval_ms=0.0), "sample_interval_ms"),
    (dict(window_ms=1e6), "window_ms"),
])
def test_bad_inputs_raise_parameter_error_naming_the_parameter(kwargs, name):
    with pytest.raises(ParameterError) as exc:
        nerve_conduction_study(patient("healthy"), **kwargs)
    assert exc.value.name == name and name in str(exc.value)


def test_bad_patient_raises_parameter_error():
    with pytest.raises(ParameterError, match="patient='ghost'"):
        nerve_conduction_study("ghost")
    with pytest.raises(ParameterError, match="patient="):
        nerve_conduction_study(42)


def test_range_message_has_value_unit_and_range():
    with pytest.raises(ParameterError, match=r"ncs_distance_mm=5 is outside 20..500 mm"):
        nerve_conduction_study(patient("healthy"), distance_mm=5)


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def test_cli_json_keys(capsys):
    assert main(["ncs", "--patient", "painful-diabetic-neuropathy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"conduction_velocity_m_per_s", "amplitude_uV", "onset_latency_ms",
                         "peak_latency_ms", "normal", "trace", "limits", "abnormal"}
    assert set(data["trace"]) >= {"time_ms", "potential_uV"}
    assert data["normal"] is False and data["abnormal"]
    assert data["patient"] == "painful-diabetic-neuropathy"


def test_cli_text_table_and_small_fibre_note(capsys):
    assert main(["ncs", "--patient", "small-fibre-neuropathy", "--nerve", "median"]) == 0
    out = capsys.readouterr().out
    assert "Median sensory" in out and "conduction velocity" in out
    assert "study: normal" in out
    assert "does not rule out small-fibre neuropathy" in out


def test_cli_set_overrides_patient(capsys):
    assert main(["ncs", "--patient", "healthy", "--set", "demyelination=0.5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conduction_velocity_m_per_s"] < SURAL_CV_LLN


@pytest.mark.parametrize("argv, message", [
    (["ncs", "--patient", "ghost"], "patient='ghost'"),
    (["ncs", "--patient", "healthy", "--nerve", "radial"], "ncs_nerve='radial'"),
    (["ncs", "--patient", "healthy", "--distance-mm", "abc"], "ncs_distance_mm='abc'"),
    (["ncs", "--patient", "healthy", "--distance-mm", "1000"], "ncs_distance_mm=1000"),
    (["ncs", "--patient", "healthy", "--set", "rate_hz=5"], "cannot be set"),
])
def test_cli_bad_input_exits_2_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
