"""Tests of sim.gate: the dorsal horn's neurons against the published behaviours.

Expected shapes come from primary sources named in each test (Zhang, Janik & Grill 2014 for
the frequency response and its GABA dependence; Melzack & Wall 1965 and the gate-control
literature; Mendell 1966 for wind-up; Lu & Perl 2003, Torsney & MacDermott 2006 for the
cells) or from exact solutions of the model's own linear parts (stated where used); none is
copied from this code's output. ``docs/model.md`` gives the equations and the evidence level of
every constant.
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.gate as gate
from sim.gate import (
    ALL_MECHANISMS,
    NEUROPATHIC_PRESETS,
    Evidence,
    GateInputs,
    GateParams,
    GateState,
    Mechanism,
    simulate_gate,
    simulate_gate_ode,
    steady_state_rates,
    stim_drives_tonic,
    windup_protocol,
)
from sim.params import ParameterError
from sim.percept import pain_nrs


def without(*mechs: Mechanism) -> frozenset:
    return ALL_MECHANISMS - set(mechs)


def scs(rate_hz, fraction=1.0, params=None, a_C=1.0, mechanisms=None, **kw):
    """Steady rates under tonic SCS with every dorsal-column fibre under the lead following
    every pulse (the protocol of Zhang, Janik & Grill 2014)."""
    p = params or GateParams()
    d = stim_drives_tonic(rate_hz, fraction, p)
    return steady_state_rates(p, mechanisms, a_C=a_C, a_beta_stim_I=d.a_beta_stim_I,
                              a_beta_stim_P=d.a_beta_stim_P, **kw)


RATES = np.logspace(np.log10(2.0), np.log10(1200.0), 400)


def frequency_response(params=None):
    """WDR output under SCS as % of its rate without SCS; deepest point; return to baseline."""
    p = params or GateParams()
    base = steady_state_rates(p, a_C=1.0).P_hz
    pct = 100.0 * scs(RATES, params=p).P_hz / base
    i = int(np.argmin(pct))
    back = RATES[i:][np.flatnonzero(pct[i:] >= 100.0)[0]]
    return pct, RATES[i], pct[i], back


# ------------------------------------------------------------------------------------------
# Gate control with the defaults (a healthy dorsal horn)
# ------------------------------------------------------------------------------------------
def test_ongoing_C_alone_drives_the_wdr_neuron_at_about_30_hz():
    # the course model's figure for a unit ongoing C drive (kept as the calibration anchor)
    assert_allclose(steady_state_rates(a_C=1.0).P_hz, 30.0, atol=1.5)


def test_concurrent_touch_lowers_the_response_to_C_input():
    # Melzack & Wall 1965: large-fibre input closes the gate on small-fibre input
    alone = steady_state_rates(a_C=1.0)
    touched = steady_state_rates(a_C=1.0, a_beta=1.0)
    assert touched.P_noci_hz < 0.5 * alone.P_noci_hz
    assert touched.nociceptive_hz < 0.75 * alone.nociceptive_hz


def test_touch_alone_is_not_pain_and_leaves_lamina_I_silent():
    # WDR neurons answer touch (that is their "wide dynamic range"), nociceptive-specific
    # lamina I neurons do not (Torsney & MacDermott 2006), and touch does not hurt.
    r, rest = steady_state_rates(a_beta=1.0), steady_state_rates()
    assert r.P_hz > rest.P_hz
    assert r.N_hz < 1.0
    assert pain_nrs(r.nociceptive_hz) == 0.0


def test_inhibitory_interneurons_fire_at_rest_and_C_input_drives_them():
    # spontaneous firing (a few Hz) and the monosynaptic C input to inhibitory islet cells
    # (Lu & Perl 2003): feed-forward inhibition grows with C input
    rest, c = steady_state_rates().I_hz, steady_state_rates(a_C=1.0).I_hz
    assert 2.0 <= rest <= 10.0
    assert c > rest


# ------------------------------------------------------------------------------------------
# Frequency response of the WDR output (Zhang, Janik & Grill 2014)
# ------------------------------------------------------------------------------------------
def test_wdr_output_is_inhibited_most_at_tens_of_hz_and_back_to_baseline_near_80_100_hz():
    pct, f_min, depth, back = frequency_response()
    assert 10.0 <= f_min <= 60.0          # deepest at tens of Hz
    assert depth <= 70.0                  # a clear inhibition
    assert 70.0 <= back <= 110.0          # back to baseline "somewhere near 80-100 Hz"
    # above that the Aβ excitation wins (labelled: every fibre follows every pulse)
    assert np.interp(300.0, RATES, pct) > 120.0


def test_weaker_gaba_keeps_much_of_the_inhibition_deepest_lower_crossover_higher():
    _, f1, d1, b1 = frequency_response(GateParams(g_inh=1.0))
    _, f5, d5, b5 = frequency_response(GateParams(g_inh=0.5))
    assert f5 < f1                        # the deepest point moves to lower rates
    assert b5 > b1                        # the return to baseline moves to higher rates
    assert (100.0 - d5) >= 0.5 * (100.0 - d1)   # much of the inhibition remains


def test_blocked_gaba_leaves_no_inhibition():
    # bicuculline abolishes the dorsal-horn inhibition by SCS (Gilbert et al. 2022)
    pct, *_ = frequency_response(GateParams(g_inh=0.0))
    assert pct.min() >= 98.0


def test_stimulated_abeta_excitation_is_never_read_as_nociceptive_output():
    # at 300 Hz the WDR neuron fires above its baseline, but its nociceptive share and the
    # lamina I output fall: the extra firing is the stimulation's own Aβ activity
    base = steady_state_rates(a_C=1.0)
    hi = scs(300.0)
    assert hi.P_hz > base.P_hz
    assert hi.P_noci_hz < base.P_noci_hz and hi.N_hz < base.N_hz
    assert np.all(scs(RATES).nociceptive_hz <= base.nociceptive_hz + 1e-9)


# ------------------------------------------------------------------------------------------
# Allodynia, disinhibition presets
# ------------------------------------------------------------------------------------------
def test_allodynia_graded_by_disinhibition_and_unmasking():
    touch = {"a_beta": 1.0}
    normal = pain_nrs(steady_state_rates(GateParams(), **touch).nociceptive_hz)
    mild = pain_nrs(steady_state_rates(GateParams(g_inh=0.6, u=0.3), **touch).nociceptive_hz)
    severe = pain_nrs(steady_state_rates(GateParams(g_inh=0.3, u=1.0), **touch).nociceptive_hz)
    assert normal == 0.0
    assert mild < 1.5                     # mild: intentionally near the allodynia threshold
    assert severe > 7.0                   # unmasked Aβ → lamina I path: touch hurts
    # the path runs through the excitatory interneurons to lamina I (Medlock 2023)
    assert steady_state_rates(GateParams(g_inh=0.3, u=1.0), **touch).N_hz > 30.0


def test_presets_hold_their_table_values():
    assert NEUROPATHIC_PRESETS["normal"]["g_inh"] == 1.0
    assert NEUROPATHIC_PRESETS["mild"]["g_inh"] == 0.6 and NEUROPATHIC_PRESETS["mild"]["u"] == 0.3
    sev = GateParams.preset("severe")
    assert (sev.g_inh, sev.u, sev.a_C_ongoing) == (0.3, 1.0, 1.0)
    assert pain_nrs(steady_state_rates(GateParams.preset("normal")).nociceptive_hz) == 0.0
    assert pain_nrs(steady_state_rates(GateParams.preset("severe")).nociceptive_hz) > 5.0


def test_disinhibition_unmasks_the_excitatory_interneurons():
    # silent at rest with normal inhibition, active once it fails (Baba et al. 2003;
    # Torsney & MacDermott 2006): the polysynaptic path that weaker GABA opens
    assert steady_state_rates(GateParams(), a_C=1.0).E_hz < 2.0
    assert steady_state_rates(GateParams(g_inh=0.5), a_C=1.0).E_hz > 5.0


# ------------------------------------------------------------------------------------------
# Wind-up (full dynamic ODE; Mendell 1966)
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rate_hz", [1.0, 2.0])
def test_windup_at_1_to_2_hz_grows_responses_several_fold(rate_hz):
    assert 2.5 <= windup_protocol(rate_hz).ratio <= 6.0


def test_windup_at_half_hz_at_least_doubles_responses():
    assert windup_protocol(0.5).ratio >= 1.8


@pytest.mark.parametrize("rate_hz", [0.1, 0.2])
def test_no_windup_at_slow_volley_rates(rate_hz):
    assert windup_protocol(rate_hz).ratio <= 1.3


def test_windup_grows_with_volley_rate_and_nmda_block_abolishes_it():
    ratios = [windup_protocol(f).ratio for f in (0.1, 0.5, 1.0, 2.0)]
    assert np.all(np.diff(ratios) > 0)
    blocked = windup_protocol(1.0, params=GateParams(windup_gain=0.0))
    assert_allclose(blocked.responses_spikes, blocked.responses_spikes[0], rtol=0.02)
    assert blocked.responses_spikes[0] > 0


# ------------------------------------------------------------------------------------------
# Intensity dependence, pinch
# ------------------------------------------------------------------------------------------
def test_no_recruitment_means_no_inhibition_and_inhibition_grows_with_recruitment():
    base = steady_state_rates(a_C=1.0).nociceptive_hz
    assert scs(50.0, fraction=0.0).nociceptive_hz == base
    S = scs(50.0, fraction=np.array([0.0, 0.05, 0.1, 0.25, 0.5, 1.0])).nociceptive_hz
    assert np.all(np.diff(S) < 0)


def test_pinch_is_only_partly_reduced_by_scs():
    # SCS does not abolish acute pain (Medlock et al. 2023)
    ongoing = 1 - scs(40.0).nociceptive_hz / steady_state_rates(a_C=1.0).nociceptive_hz
    pinch0 = steady_state_rates(a_C=1.5, a_delta=1.5).nociceptive_hz
    pinch = 1 - scs(40.0, a_C=1.5, a_delta=1.5).nociceptive_hz / pinch0
    assert 0.0 < pinch < ongoing
    assert pain_nrs(scs(40.0, a_C=1.5, a_delta=1.5).nociceptive_hz) > 4.0


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
    base = steady_state_rates(a_C=1.0).nociceptive_hz
    S = scs(RATES, mechanisms=without(Mechanism.SEGMENTAL_AB_INHIBITION)).nociceptive_hz
    assert_allclose(S, base)


def test_khz_state_relieves_only_through_its_hypothesis():
    p = GateParams(a_C_ongoing=1.0)
    base = steady_state_rates(p).nociceptive_hz
    on = steady_state_rates(p, khz=1.0).nociceptive_hz
    off = steady_state_rates(p, without(Mechanism.KHZ_DIRECT_INHIBITORY), khz=1.0)
    assert off.nociceptive_hz == base
    assert on < 0.6 * base


def test_khz_state_washes_in_and_out_with_its_time_constant():
    # dk/dt = (field − k)/τ_k from k = 0: k(t) = 1 − exp(−t/τ_k) exactly (one day = τ_k)
    p = GateParams(a_C_ongoing=1.0)
    t = np.linspace(0.0, 2 * p.tau_khz_s, 49)
    on = simulate_gate(GateInputs(t, khz_field=1.0), p)
    assert_allclose(on.khz, 1 - np.exp(-t / p.tau_khz_s), rtol=1e-9, atol=1e-12)
    off = simulate_gate(GateInputs(t, khz_field=0.0), p, initial=GateState(khz=0.8))
    assert_allclose(off.khz, 0.8 * np.exp(-t / p.tau_khz_s), rtol=1e-9)


def test_mechanisms_accept_strings_and_reject_unknown_names():
    r = steady_state_rates(GateParams(a_C_ongoing=1.0), ["khz_direct_inhibitory"], khz=1.0)
    assert r.nociceptive_hz < steady_state_rates(GateParams(a_C_ongoing=1.0)).nociceptive_hz
    with pytest.raises(ParameterError, match=r"mechanisms.*'placebo'"):
        steady_state_rates(None, ["placebo"])


def test_acupuncture_like_tens_slow_onset_long_carry_over():
    # descending/opioid inhibition with onset and wash-out τ_o = 10 min (Sluka et al. 1999)
    dt = 0.05
    t = np.arange(0.0, 3600.0, dt)
    on_stim = t < 1200.0
    inputs = GateInputs(t, a_delta_stim=np.where(on_stim, 0.05, 0.0),
                        opioid_drive=np.where(on_stim, 1.0, 0.0))    # 20 min of ALTENS
    p = GateParams(a_C_ongoing=1.0)
    on = simulate_gate(inputs, p)
    off = simulate_gate(inputs, p, without(Mechanism.DESCENDING_OPIOID))
    base = pain_nrs(steady_state_rates(p).nociceptive_hz)

    def at(r, ts):
        return pain_nrs(r.nociceptive_hz[int(round(ts / dt))])
    assert at(on, 60.0) > base - 0.5           # first minute: no relief yet
    assert at(on, 1260.0) < base - 1.0         # 1 min after stopping: clear relief
    assert at(on, 1800.0) < base - 0.3         # still there 10 min later
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
    S0 = steady_state_rates(p).nociceptive_hz
    assert_allclose(on.nociceptive_hz[:i_stop], off.nociceptive_hz[:i_stop])  # no effect during
    during = on.nociceptive_hz[i_stop - 1]
    assert during <= on.nociceptive_hz[i_stop + 1] < S0                 # persists, never deeper
    assert abs(on.nociceptive_hz[int(round(3590.0 / dt))] - S0) < 0.01 * S0   # washed out
    assert abs(off.nociceptive_hz[i_stop + 1] - S0) < 1e-6 * S0         # without it: gone
    assert np.all(np.diff(on.nociceptive_hz[i_stop + 1:]) >= -1e-9)    # monotonic wash-out
    # After 20 min (4 τ_m) a fraction χ of the relief seen during stimulation persists: the
    # carry-over memory m is an exact first-order filter of the relief r.
    relief_during = 1 - during / S0
    relief_after = 1 - on.nociceptive_hz[i_stop + 1] / S0
    assert_allclose(relief_after, p.carryover_fraction * relief_during * (1 - np.exp(-4)),
                    rtol=0.01)


# ------------------------------------------------------------------------------------------
# Central sensitisation: pain that outlasts its cause
# ------------------------------------------------------------------------------------------
def _injury_session(gain):
    dt = 0.05
    t = np.arange(0.0, 1800.0, dt)
    injury = np.where((t >= 60.0) & (t < 180.0), 2.0, 0.0)  # 2 min of injury-level C drive
    res = simulate_gate(GateInputs(t, a_C=injury), GateParams(central_sensitisation_gain=gain))
    return lambda ts: pain_nrs(res.nociceptive_hz[int(round(ts / dt))])


def test_healthy_pain_returns_to_baseline_within_a_minute_after_injury():
    nrs = _injury_session(0.0)
    assert nrs(170.0) > 7.0
    assert nrs(240.0) < 0.5


def test_sensitised_pain_stays_raised_for_minutes_then_decays():
    nrs = _injury_session(1.0)
    assert nrs(240.0) > 3.0          # 1 min after the injury ended
    assert nrs(360.0) > 1.0          # 3 min after
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
    khz = drives.get("khz_field", 0.0)
    t = np.linspace(0.0, 1.0, 11)
    init = GateState(khz=khz, P_hz=0.0, P_noci_hz=0.0, N_hz=0.0, E_hz=0.0, I_hz=0.0)
    ode = simulate_gate_ode(GateInputs(t, **drives), p, initial=init)
    fixed = steady_state_rates(p, **{k: v for k, v in drives.items() if k != "khz_field"},
                               khz=khz)
    assert_allclose([ode.P_hz[-1], ode.P_noci_hz[-1], ode.N_hz[-1], ode.E_hz[-1],
                     ode.I_hz[-1]],
                    [fixed.P_hz, fixed.P_noci_hz, fixed.N_hz, fixed.E_hz, fixed.I_hz],
                    atol=0.05)


def test_quasi_static_session_agrees_with_full_ode_at_session_time_scale():
    dt = 0.05
    t = np.arange(0.0, 30.0, dt)
    stim_on = (t >= 5.0) & (t < 15.0)
    d = stim_drives_tonic(np.where(stim_on, 40.0, 0.0), 0.5)
    inputs = GateInputs(t, a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P,
                        a_C=np.where(t < 20.0, 1.0, 0.5),
                        c_volley_rate_hz=np.where((t >= 2.0) & (t < 10.0), 1.0, 0.0),
                        a_delta_stim=np.where(t >= 22.0, 0.5, 0.0),
                        opioid_drive=np.where(t >= 22.0, 0.5, 0.0))
    qs, ode = simulate_gate(inputs), simulate_gate_ode(inputs)
    changes = np.array([2.0, 5.0, 10.0, 15.0, 20.0, 22.0])
    settled = ~np.any((t[:, None] >= changes) & (t[:, None] < changes + 0.2), axis=1)
    assert settled.sum() > 0.8 * t.size
    # Residual quasi-static error ≈ τ_E·|dX/dt| while z winds up (τ_E/τ_z ≈ 0.7 % in z,
    # amplified by the steep sigmoids): 3 % plus 0.5 Hz.
    for name in ("P_hz", "P_noci_hz", "N_hz", "nociceptive_hz"):
        assert_allclose(getattr(qs, name)[settled], getattr(ode, name)[settled], rtol=0.03,
                        atol=0.5, err_msg=name)
    for name in ("z", "sensitisation", "carryover", "opioid", "khz"):
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
              a_C=np.where(t < 30, 1.5, 0.0), c_volley_rate_hz=0.5, a_delta_stim=0.3,
              opioid_drive=0.3, khz_field=np.where(t < 90, 0.7, 0.0))
    p = GateParams.preset("mild")
    whole = simulate_gate(GateInputs(t, **kw), p)
    k = 3000
    first = simulate_gate(GateInputs(t[:k + 1], **{n: v[:k + 1] if np.ndim(v) else v
                                                  for n, v in kw.items()}), p)
    second = simulate_gate(GateInputs(t[k:], **{n: v[k:] if np.ndim(v) else v
                                               for n, v in kw.items()}), p,
                           initial=first.final_state)
    for name in ("P_hz", "N_hz", "nociceptive_hz"):
        assert_allclose(getattr(second, name), getattr(whole, name)[k:], rtol=1e-9, atol=1e-9)
    for name in ("sensitisation", "khz", "carryover"):
        assert_allclose(getattr(second, name), getattr(whole, name)[k:], rtol=1e-9, atol=1e-12)


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
    with pytest.raises(ParameterError, match=r"c_volley_rate_hz=-1 .*Hz"):
        GateInputs(np.arange(3.0), c_volley_rate_hz=-1.0)
    with pytest.raises(ParameterError, match="a_C=-1 would make the total C drive negative"):
        simulate_gate(GateInputs(np.arange(3.0), a_C=-1.0), GateParams(a_C_ongoing=0.5))
    with pytest.raises(ParameterError, match=r"khz=1\.5 is outside 0\.\.1"):
        steady_state_rates(khz=1.5)


def test_scalar_in_scalar_out_and_array_in_array_out():
    assert isinstance(steady_state_rates(a_C=1.0).P_hz, float)
    r = steady_state_rates(a_C=np.array([0.0, 1.0]))
    assert r.P_hz.shape == (2,) and r.nociceptive_hz.shape == (2,)


def test_docstring_examples_run():
    result = doctest.testmod(gate, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 3 and result.failed == 0
