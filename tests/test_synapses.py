"""Depressing synapses (sim.synapses) against the Tsodyks-Markram recursion done by hand."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.synapses as syn
from sim.params import ParameterError
from sim.synapses import burst_drive, tonic_drive


def test_a_synapse_that_does_not_depress_is_linear_in_rate():
    a = tonic_drive(np.array([10.0, 20.0, 40.0]), 1.0, U=1e-9, tau_rec_s=0.0, k=1.0)
    assert_allclose(a, [0.25, 0.5, 1.0])


def test_a_depressing_synapse_saturates_at_one_release_per_recovery():
    # release rate f·x with x = 1/(1 + U f τ) tends to 1/(U τ): k·ρ/(U·τ·40) as drive
    a_inf = tonic_drive(1e6, 1.0, U=0.5, tau_rec_s=0.1, k=2.0)
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
    assert_allclose(burst_drive(f_in, n, f_b, 1.0, U, tau, k), expected, rtol=1e-9)


def test_one_spike_bursts_equal_the_regular_train_steady_state():
    U, tau, f = 0.5, 0.1, 40.0
    e = np.exp(-1.0 / (f * tau))
    x = (1.0 - e) / (1.0 - (1.0 - U) * e)  # Tsodyks-Markram, regular spikes
    assert_allclose(burst_drive(1000.0, 1, f, 0.7, U, tau, 2.0), 2.0 * 0.7 * f * x / 40.0)


def test_burst_drive_is_linear_in_the_active_fraction():
    rho = np.linspace(0.0, 1.0, 200_000)   # a 30-min series at 10 ms costs one recursion
    a = burst_drive(500.0, 5, 40.0, rho, 0.5, 0.1, 2.0)
    assert a.shape == rho.shape
    assert_allclose(a[-1] * rho, a)


def test_synapse_functions_reject_bad_values():
    with pytest.raises(ParameterError, match=r"fraction=1.2"):
        tonic_drive(50.0, 1.2, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match=r"rate_hz=-5 .*Hz"):
        tonic_drive(-5.0, 1.0, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="burst_rate_hz=200 is too high"):
        burst_drive(500.0, 5, 200.0, 1.0, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="spikes_per_burst"):
        burst_drive(500.0, 2.5, 40.0, 1.0, 0.5, 0.1, 2.0)
    with pytest.raises(ParameterError, match="U=0 "):
        tonic_drive(50.0, 1.0, 0.0, 0.1, 2.0)


def test_scalar_in_scalar_out():
    assert isinstance(tonic_drive(40.0, 1.0, 0.5, 0.1, 2.0), float)
    assert isinstance(burst_drive(500.0, 5, 40.0, 1.0, 0.5, 0.1, 2.0), float)


def test_docstring_examples_run():
    result = doctest.testmod(syn)
    assert result.attempted >= 2 and result.failed == 0
