"""Tests of sim.gate against SCIENCE.md sections 4.4, 4.6, 7 and the checklist items 8-14.

Expected numbers come from SCIENCE.md (target shapes from an independent Euler run of the same
equations, so tolerances are a few Hz) or from physical reasoning stated in each test; none is
copied from this code's own output.
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.gate as gate
from sim.gate import (ALL_MECHANISMS, NEUROPATHIC_PRESETS, REFERENCE_P0_HZ, Evidence, GateInputs,
                      GateParams, GateState, Mechanism, effective_drive_burst,
                      effective_drive_tonic, pain_nrs, paresthesia_intensity, simulate_gate,
                      simulate_gate_ode, steady_state_rates, stim_drives_burst,
                      stim_drives_tonic, windup_protocol)
from sim.params import ParameterError

SCS_RATES_HZ = np.array([10, 20, 40, 60, 80, 100, 150, 200, 300], dtype=float)
# SCIENCE.md 4.4 / 8.9: normal preset, ongoing a_C = 1, rho = 1.
SCIENCE_CURVE_HZ = np.array([17, 9, 5, 4, 5, 7, 18, 36, 49], dtype=float)


def without(*mechs: Mechanism) -> frozenset:
    return ALL_MECHANISMS - set(mechs)


def scs_P(rate_hz, rho=1.0, params=None, a_C=1.0, mechanisms=None, **kw):
    """Steady projection rate under tonic SCS (the frequency-curve experiment of SCIENCE 4.4)."""
    p = params or GateParams()
    d = stim_drives_tonic(rate_hz, rho, p)
    return steady_state_rates(p, mechanisms, a_C=a_C, a_beta_stim_I=d.a_beta_stim_I,
                              a_beta_stim_P=d.a_beta_stim_P, **kw).P_hz


# ------------------------------------------------------------------------------------------
# Checklist 8: gate control with the section 4.2 defaults
# ------------------------------------------------------------------------------------------
def test_ongoing_C_alone_gives_about_30_hz():
    assert_allclose(steady_state_rates(a_C=1.0).P_hz, 30.0, atol=1.5)


def test_concurrent_touch_closes_the_gate_on_C_input():
    assert steady_state_rates(a_C=1.0, a_beta=1.0).P_hz < 1.0


def test_touch_alone_barely_activates_projection_neuron():
    P = steady_state_rates(a_beta=1.0).P_hz
    assert P < 1.0
    assert pain_nrs(P) == 0.0


def test_reference_p0_is_resting_rate_of_normal_preset():
    # SCIENCE 7: P_0 = projection rate with no input in the normal preset, ≈ 2 Hz.
    assert_allclose(REFERENCE_P0_HZ, 2.0, atol=0.3)
    assert_allclose(steady_state_rates(GateParams.preset("normal")).P_hz, REFERENCE_P0_HZ)


# ------------------------------------------------------------------------------------------
# Checklist 9 and 10: frequency dependence from depressing synapses
# ------------------------------------------------------------------------------------------
def test_scs_frequency_curve_matches_science_target_shape():
    assert_allclose(scs_P(SCS_RATES_HZ), SCIENCE_CURVE_HZ, atol=2.0)


def test_scs_curve_minimum_in_tens_of_hz_and_reversal_near_180_hz():
    rates = np.linspace(5.0, 400.0, 800)
    P = scs_P(rates)
    baseline = steady_state_rates(a_C=1.0).P_hz
    assert 30.0 <= rates[np.argmin(P)] <= 90.0
    crossing = rates[np.flatnonzero(P > baseline)[0]]
    assert 150.0 <= crossing <= 210.0  # "back to baseline near ~180 Hz"
    assert scs_P(300.0) > baseline + 10.0  # net excitation at high rates


def test_reduced_gaba_weakens_relief_and_reverses_earlier():
    p = GateParams(g_inh=0.6)
    rates = np.linspace(5.0, 400.0, 800)
    P = scs_P(rates, params=p)
    baseline = steady_state_rates(p, a_C=1.0).P_hz
    assert_allclose(P.min(), 21.0, atol=2.0)          # best only ≈ 21 Hz
    assert 20.0 <= rates[np.argmin(P)] <= 60.0         # near 40 Hz
    crossing = rates[np.flatnonzero(P > baseline)[0]]
    assert 80.0 <= crossing <= 120.0                   # reversal from ~100 Hz
    assert crossing < 150.0                            # earlier than with normal GABA


def test_severe_disinhibition_removes_the_benefit():
    p = GateParams(g_inh=0.3)
    P = scs_P(np.logspace(0, 4, 400), params=p)
    baseline = steady_state_rates(p, a_C=1.0).P_hz
    assert P.min() > 0.95 * baseline  # never more than 5 % relief


def test_frequency_dependence_comes_from_synapses_not_a_table():
    # A synapse that does not depress (U -> tiny, no recovery limit) gives drive linear in rate.
    a = effective_drive_tonic(np.array([10.0, 20.0, 40.0]), 1.0, U=1e-9, tau_rec_s=0.0, k=1.0)
    assert_allclose(a, [0.25, 0.5, 1.0])
    # A depressing synapse saturates at k·rho/(U·tau_rec·40) (SCIENCE 4.4 form).
    a_inf = effective_drive_tonic(1e6, 1.0, U=0.5, tau_rec_s=0.1, k=2.0)
    assert_allclose(a_inf, 2.0 / (0.5 * 0.1 * 40.0), rtol=1e-3)


def test_burst_recursion_matches_brute_force_pulse_by_pulse_simulation():
    U, tau, k, f_in, n, f_b = 0.5, 0.1, 2.0, 500.0, 5, 40.0
    x, released = 1.0, []
    times = np.concatenate([c / f_b + np.arange(n) / f_in for c in range(400)])
    for i, t in enumerate(times):
        if i:
            x = 1.0 - (1.0 - x) * np.exp(-(t - times[i - 1]) / tau)
        released.append(x)
        x *= 1.0 - U
    last_cycle = np.array(released[-n:])
    expected = k * 1.0 * f_b * last_cycle.sum() / 40.0
    assert_allclose(effective_drive_burst(f_in, n, f_b, 1.0, U, tau, k), expected, rtol=1e-9)


def test_one_pulse_bursts_equal_the_regular_train_steady_state():
    U, tau, f = 0.5, 0.1, 40.0
    e = np.exp(-1.0 / (f * tau))
    x = (1.0 - e) / (1.0 - (1.0 - U) * e)  # Tsodyks-Markram, regular spikes
    assert_allclose(effective_drive_burst(1000.0, 1, f, 0.7, U, tau, 2.0),
                    2.0 * 0.7 * f * x / 40.0)


def test_burst_drive_cost_is_independent_of_session_length_and_scales_with_rho():
    rho = np.linspace(0.0, 1.0, 200_000)  # a 30-min recruited-fraction series at 10 ms
    d = stim_drives_burst(500.0, 5, 40.0, rho)
    assert d.a_beta_stim_I.shape == rho.shape
    assert_allclose(d.a_beta_stim_I[-1] * rho, d.a_beta_stim_I)


# ------------------------------------------------------------------------------------------
# Checklist 11: allodynia
# ------------------------------------------------------------------------------------------
def test_allodynia_graded_by_disinhibition_and_unmasking():
    touch = {"a_beta": 1.0}
    normal = steady_state_rates(GateParams(), **touch).P_hz
    mild = steady_state_rates(GateParams(g_inh=0.6, u=0.3), **touch).P_hz
    severe = steady_state_rates(GateParams(g_inh=0.3, u=1.0), **touch).P_hz
    assert normal < 0.5                       # ≈ 0 Hz
    assert_allclose(severe, 50.0, atol=2.0)   # ≈ 50 Hz (R_P)
    assert normal < mild < 5.0                # graded, mild intentionally sub-allodynic
    assert pain_nrs(mild) < 1.0 and pain_nrs(severe) > 9.0


def test_presets_hold_science_table_values():
    assert NEUROPATHIC_PRESETS["normal"]["g_inh"] == 1.0
    assert NEUROPATHIC_PRESETS["mild"]["g_inh"] == 0.6 and NEUROPATHIC_PRESETS["mild"]["u"] == 0.3
    assert 0.5 <= NEUROPATHIC_PRESETS["mild"]["a_C_ongoing"] <= 1.0
    sev = GateParams.preset("severe")
    assert (sev.g_inh, sev.u, sev.a_C_ongoing) == (0.3, 1.0, 1.0)
    # Ongoing pain at rest: normal pain-free, neuropathic presets in pain.
    assert pain_nrs(steady_state_rates(GateParams.preset("normal")).P_hz) == 0.0
    assert pain_nrs(steady_state_rates(GateParams.preset("severe")).P_hz) > 5.0


# ------------------------------------------------------------------------------------------
# Checklist 12: wind-up (full dynamic ODE)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate_hz", [1.0, 2.0])
def test_windup_at_1_to_2_hz_grows_responses_several_fold(rate_hz):
    assert 3.0 <= windup_protocol(rate_hz).ratio <= 6.0  # SCIENCE 4.6: ~3-5x


def test_windup_at_half_hz_at_least_doubles_responses():
    assert windup_protocol(0.5).ratio >= 2.0


@pytest.mark.parametrize("rate_hz", [0.1, 0.2])
def test_no_windup_at_slow_volley_rates(rate_hz):
    assert windup_protocol(rate_hz).ratio <= 1.3  # "flat at 0.1-0.2 Hz"


def test_windup_grows_with_volley_rate_and_nmda_block_abolishes_it():
    ratios = [windup_protocol(f).ratio for f in (0.1, 0.5, 1.0, 2.0)]
    assert np.all(np.diff(ratios) > 0)
    blocked = windup_protocol(1.0, params=GateParams(kappa=0.0))
    assert_allclose(blocked.responses_spikes, blocked.responses_spikes[0], rtol=0.02)
    assert blocked.responses_spikes[0] > 0


# ------------------------------------------------------------------------------------------
# Checklist 13 and 14: intensity dependence, pinch
# ------------------------------------------------------------------------------------------
def test_no_recruitment_means_no_inhibition_and_inhibition_grows_with_rho():
    baseline = steady_state_rates(a_C=1.0).P_hz
    assert scs_P(50.0, rho=0.0) == baseline
    P = scs_P(50.0, rho=np.array([0.0, 0.05, 0.1, 0.25, 0.5, 1.0]))
    assert np.all(np.diff(P) < 0)


def test_pinch_is_only_partly_reduced_by_scs():
    ongoing_relief = 1 - scs_P(40.0, a_C=1.0) / steady_state_rates(a_C=1.0).P_hz
    pinch0 = steady_state_rates(a_C=1.5).P_hz
    pinch_relief = 1 - scs_P(40.0, a_C=1.5) / pinch0
    assert ongoing_relief > 0.75
    assert 0.0 < pinch_relief < 0.5
    assert scs_P(40.0, a_C=1.5) > 25.0
    # Strong pinch (a_C = 3, SCIENCE 8.14 "e.g. a_C = 3"): stays near the maximal rate.
    assert scs_P(40.0, a_C=3.0) > 0.9 * steady_state_rates(a_C=3.0).P_hz


# ------------------------------------------------------------------------------------------
# Mechanisms: switchable hypotheses
# ------------------------------------------------------------------------------------------
def test_every_mechanism_documents_evidence_and_sources():
    for m in Mechanism:
        assert isinstance(m.evidence, Evidence)
        assert len(m.description) > 200 and any(c.isdigit() for c in m.description)
    assert Mechanism.KHZ_DIRECT_INHIBITORY.evidence is Evidence.PRELIMINARY_CONTESTED
    assert "contradict" in Mechanism.KHZ_DIRECT_INHIBITORY.description
    assert Mechanism.SEGMENTAL_AB_INHIBITION.evidence is Evidence.MODERATE


def test_segmental_inhibition_off_means_scs_gives_no_relief():
    baseline = steady_state_rates(a_C=1.0).P_hz
    P = scs_P(np.logspace(0, 3, 100), mechanisms=without(Mechanism.SEGMENTAL_AB_INHIBITION))
    assert np.all(P >= baseline)


def test_khz_field_relieves_only_through_its_hypothesis():
    baseline = steady_state_rates(a_C=1.0).P_hz
    on = steady_state_rates(a_C=1.0, khz_field=1.0).P_hz
    off = steady_state_rates(None, without(Mechanism.KHZ_DIRECT_INHIBITORY), a_C=1.0,
                             khz_field=1.0).P_hz
    assert off == baseline
    assert on < 0.5 * baseline


def test_burst_supraspinal_lowers_reported_pain_not_spinal_output():
    t = np.arange(0.0, 10.0, 0.02)
    inputs = GateInputs(t, burst_on=1.0)
    p = GateParams(a_C_ongoing=1.0)
    on, off = simulate_gate(inputs, p), simulate_gate(inputs, p, without(
        Mechanism.BURST_SUPRASPINAL))
    assert_allclose(on.P_hz, off.P_hz)
    assert_allclose(off.nrs, pain_nrs(off.P_hz))
    assert_allclose(on.nrs, off.nrs * (1 - p.burst_affective_reduction))


def test_mechanisms_accept_strings_and_reject_unknown_names():
    r = steady_state_rates(None, ["khz_direct_inhibitory"], a_C=1.0, khz_field=1.0)
    assert r.P_hz < 10.0
    with pytest.raises(ParameterError, match="mechanisms.*'placebo'"):
        steady_state_rates(None, ["placebo"])


def test_acupuncture_like_tens_slow_onset_long_carry_over():
    dt = 0.05
    t = np.arange(0.0, 3600.0, dt)
    inputs = GateInputs(t, a_delta_stim=np.where(t < 1200.0, 1.0, 0.0))  # 20 min of ALTENS
    p = GateParams(a_C_ongoing=1.0)
    on = simulate_gate(inputs, p)
    off = simulate_gate(inputs, p, without(Mechanism.DESCENDING_OPIOID))
    base = pain_nrs(steady_state_rates(p).P_hz)  # the patient's pain without stimulation

    def at(r, ts):
        return r.nrs[int(round(ts / dt))]
    assert at(on, 60.0) > base                 # first minute: Aδ excites, no relief yet
    assert at(on, 1260.0) < base - 2.0         # 1 min after stopping: clear relief
    assert at(on, 1800.0) < base - 0.5         # still there 10 min later
    assert abs(at(on, 3590.0) - base) < 0.3    # washed out after ~40 min
    assert at(off, 1260.0) == pytest.approx(base)


def test_relief_carries_over_after_scs_stops_then_washes_out():
    dt = 0.05
    t = np.arange(0.0, 3600.0, dt)
    d = stim_drives_tonic(np.where(t < 1200.0, 40.0, 0.0), 1.0)
    inputs = GateInputs(t, a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P)
    p = GateParams(a_C_ongoing=1.0)
    on = simulate_gate(inputs, p)
    off = simulate_gate(inputs, p, without(Mechanism.INHIBITORY_CARRYOVER))
    i_stop = int(round(1200.0 / dt))
    base, during = pain_nrs(steady_state_rates(p).P_hz), on.nrs[i_stop - 1]
    assert_allclose(on.nrs[: i_stop], off.nrs[: i_stop])         # no effect during steady SCS
    assert during <= on.nrs[i_stop + 1] < base - 2.0             # relief persists, never deeper
    assert abs(on.nrs[int(round(3590.0 / dt))] - base) < 0.1     # washed out
    assert abs(off.nrs[i_stop + 1] - base) < 1e-6                # without it: gone at once
    assert np.all(np.diff(on.nrs[i_stop + 1:]) >= -1e-9)         # monotonic wash-out
    # After 20 min (4 τ_m) a fraction χ of the relief seen during stimulation persists.
    P_base = steady_state_rates(p).P_hz
    relief_during = 1 - on.P_hz[i_stop - 1] / P_base
    relief_after = 1 - on.P_hz[i_stop + 1] / P_base
    assert_allclose(relief_after, p.carryover_fraction * relief_during * (1 - np.exp(-4)),
                    rtol=0.01)


# ------------------------------------------------------------------------------------------
# Central sensitisation: pain that outlasts its cause
# ------------------------------------------------------------------------------------------
def _injury_session(gain):
    dt = 0.05
    t = np.arange(0.0, 1800.0, dt)
    injury = np.where((t >= 60.0) & (t < 180.0), 2.0, 0.0)  # 2 min of injury-level C drive
    res = simulate_gate(GateInputs(t, a_C=injury), GateParams(sensitisation_gain=gain))
    return lambda ts: res.nrs[int(round(ts / dt))]


def test_healthy_pain_returns_to_baseline_within_a_minute_after_injury():
    nrs = _injury_session(0.0)
    assert nrs(170.0) > 8.0
    assert nrs(240.0) < 0.5


def test_sensitised_pain_stays_raised_for_minutes_then_decays():
    nrs = _injury_session(1.0)
    assert nrs(240.0) > 4.0          # 1 min after the injury ended
    assert nrs(360.0) > 2.0          # 3 min after
    assert nrs(1790.0) < 0.5         # gone within half an hour
    assert nrs(240.0) > nrs(360.0) > nrs(600.0)


# ------------------------------------------------------------------------------------------
# Quasi-static session model vs full ODE
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("drives", [
    {"a_C": 1.0},
    {"a_C": 1.0, "rate": 40.0},
    {"a_C": 1.0, "rate": 200.0},
    {"a_beta": 1.0, "params": {"g_inh": 0.3, "u": 1.0}},
    {"a_C": 1.0, "khz_field": 0.5},
])
def test_ode_settles_on_the_quasi_static_fixed_point(drives):
    drives = dict(drives)
    p = GateParams(**drives.pop("params", {}))
    rate = drives.pop("rate", None)
    if rate is not None:
        d = stim_drives_tonic(rate, 1.0, p)
        drives.update(a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P)
    t = np.linspace(0.0, 1.0, 11)
    init = GateState(P_hz=0.0, E_hz=0.0, I_hz=0.0)  # start far from the fixed point
    ode = simulate_gate_ode(GateInputs(t, **drives), p, initial=init)
    fixed = steady_state_rates(p, **drives)
    assert_allclose([ode.P_hz[-1], ode.E_hz[-1], ode.I_hz[-1]],
                    [fixed.P_hz, fixed.E_hz, fixed.I_hz], atol=0.05)


def test_quasi_static_session_agrees_with_full_ode_at_session_time_scale():
    dt = 0.05
    t = np.arange(0.0, 30.0, dt)
    stim_on = (t >= 5.0) & (t < 15.0)
    d = stim_drives_tonic(np.where(stim_on, 40.0, 0.0), 0.5)
    inputs = GateInputs(t, a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P,
                        a_C=np.where(t < 20.0, 1.0, 0.5),
                        c_volley_rate_hz=np.where((t >= 2.0) & (t < 10.0), 1.0, 0.0),
                        a_delta_stim=np.where(t >= 22.0, 0.5, 0.0))
    qs, ode = simulate_gate(inputs), simulate_gate_ode(inputs)
    changes = np.array([2.0, 5.0, 10.0, 15.0, 20.0, 22.0])
    settled = np.min(np.abs(t[:, None] - changes[None, :] - 0.1), axis=1) > 0.1
    settled &= ~np.any((t[:, None] >= changes) & (t[:, None] < changes + 0.2), axis=1)
    assert settled.sum() > 0.8 * t.size
    # Residual quasi-static error ≈ τ_E·|dP/dt|: P climbs ~25 Hz/s while z winds up, so allow
    # 2 % (τ_E/τ_z ≈ 0.7 % in z, amplified by the steep sigmoid) plus 0.3 Hz.
    assert_allclose(qs.P_hz[settled], ode.P_hz[settled], rtol=0.02, atol=0.3)
    assert_allclose(qs.nrs[settled], ode.nrs[settled], atol=0.1)
    for name in ("z", "sensitisation", "carryover", "opioid"):
        assert_allclose(getattr(qs, name), getattr(ode, name), atol=2e-3, err_msg=name)


def test_slow_state_update_is_exact_on_a_non_uniform_grid():
    # Constant volley rate r from z = 0: z(t) = z_inf·(1 - exp(-λ t)), λ = 1/τ_z + Δz·r/z_max.
    p, r = GateParams(), 2.0
    t = np.concatenate([[0.0], np.cumsum(np.random.default_rng(1).uniform(0.01, 0.5, 200))])
    res = simulate_gate(GateInputs(t, c_volley_rate_hz=r), p)
    lam = 1 / p.tau_z_s + p.delta_z * r / p.z_max
    assert_allclose(res.z, p.delta_z * r / lam * (1 - np.exp(-lam * t)), rtol=1e-10, atol=1e-12)


def test_a_session_split_in_two_continues_exactly():
    t = np.arange(0.0, 120.0, 0.02)
    d = stim_drives_tonic(np.where(t < 60, 50.0, 0.0), 0.8)
    kw = dict(a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P,
              a_C=np.where(t < 30, 1.5, 0.0), c_volley_rate_hz=0.5, a_delta_stim=0.3)
    p = GateParams.preset("mild")
    whole = simulate_gate(GateInputs(t, **kw), p)
    k = 3000
    first = simulate_gate(GateInputs(t[:k + 1], **{n: v[:k + 1] if np.ndim(v) else v
                                                  for n, v in kw.items()}), p)
    second = simulate_gate(GateInputs(t[k:], **{n: v[k:] if np.ndim(v) else v
                                               for n, v in kw.items()}), p,
                           initial=first.final_state)
    assert_allclose(second.P_hz, whole.P_hz[k:], rtol=1e-9, atol=1e-9)
    assert_allclose(second.sensitisation, whole.sensitisation[k:], rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------------------------
# Percepts
# ------------------------------------------------------------------------------------------
def test_pain_nrs_mapping_endpoints_and_shape():
    assert pain_nrs(REFERENCE_P0_HZ) == 0.0
    assert pain_nrs(0.0) == 0.0
    assert pain_nrs(50.0) == 10.0 and pain_nrs(80.0) == 10.0
    mid = (REFERENCE_P0_HZ + 50.0) / 2
    assert_allclose(pain_nrs(mid), 5.0)
    assert pain_nrs(mid, gamma=0.6) > 5.0  # compressive (Stevens-like) curve
    arr = pain_nrs(np.array([0.0, mid, 50.0]))
    assert isinstance(arr, np.ndarray)
    assert_allclose(arr, [0.0, 5.0, 10.0])


def test_paresthesia_needs_recruitment_above_perception_threshold():
    assert paresthesia_intensity(0.0, 10000.0) == 0.0      # 10 kHz, sub-threshold: none
    assert paresthesia_intensity(0.01, 50.0) == 0.0        # below PT (ρ ≈ 2 %)
    levels = paresthesia_intensity(np.array([0.05, 0.2, 0.4, 0.6]), 50.0)
    assert np.all(np.diff(levels[:3]) > 0) and levels[-1] <= 10.0
    assert paresthesia_intensity(0.6, 2.0) < paresthesia_intensity(0.6, 50.0)


# ------------------------------------------------------------------------------------------
# Boundaries: bad input raises ParameterError naming parameter, value, unit and range
# ------------------------------------------------------------------------------------------
def test_gate_params_reject_out_of_range_values():
    with pytest.raises(ParameterError, match=r"g_inh=1\.5 is outside 0\.\.1") as e:
        GateParams(g_inh=1.5)
    assert e.value.name == "g_inh" and e.value.value == 1.5
    with pytest.raises(ParameterError, match=r"tau_z_s=0 .*s"):
        GateParams(tau_z_s=0.0)
    with pytest.raises(ParameterError, match="preset"):
        GateParams.preset("catastrophic")


def test_inputs_reject_bad_grids_and_values():
    with pytest.raises(ParameterError, match="t_s must increase"):
        GateInputs(np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ParameterError, match="a_delta has shape"):
        GateInputs(np.arange(5.0), a_delta=np.ones(4))
    with pytest.raises(ParameterError, match=r"khz_field=2 is outside 0\.\.1"):
        GateInputs(np.arange(3.0), khz_field=2.0)
    with pytest.raises(ParameterError, match="c_volley_rate_hz=-1 .*Hz"):
        GateInputs(np.arange(3.0), c_volley_rate_hz=-1.0)
    with pytest.raises(ParameterError, match="a_C=-1 would make the total C drive negative"):
        simulate_gate(GateInputs(np.arange(3.0), a_C=-1.0), GateParams(a_C_ongoing=0.5))


def test_synapse_functions_reject_bad_values():
    with pytest.raises(ParameterError, match="recruited_fraction=1.2"):
        effective_drive_tonic(50.0, 1.2, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="rate_hz=-5 .*Hz"):
        effective_drive_tonic(-5.0, 1.0, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="burst_rate_hz=200 is too high"):
        effective_drive_burst(500.0, 5, 200.0, 1.0, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="pulses_per_burst"):
        effective_drive_burst(500.0, 2.5, 40.0, 1.0, 0.5, 0.1, 2.0)


def test_scalar_in_scalar_out_and_array_in_array_out():
    assert isinstance(steady_state_rates(a_C=1.0).P_hz, float)
    assert isinstance(effective_drive_tonic(40.0, 1.0, 0.5, 0.1, 2.0), float)
    r = steady_state_rates(a_C=np.array([0.0, 1.0]))
    assert r.P_hz.shape == (2,)


def test_docstring_examples_run():
    result = doctest.testmod(gate, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0
