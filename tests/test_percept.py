"""The percept (sim.percept): pain, paresthesia, discomfort and the burst affective factor."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sim.percept as percept
from sim.gate import ALL_MECHANISMS, GateInputs, GateParams, Mechanism, simulate_gate
from sim.params import ParameterError
from sim.percept import (
    BURST_AFFECTIVE_HALF_DRIVE,
    BURST_AFFECTIVE_MAX,
    PAIN_SATURATION_HZ,
    REFERENCE_NOCICEPTIVE_HZ,
    burst_affective_scale,
    discomfort_intensity,
    pain_nrs,
    paresthesia_intensity,
    perceive,
)


def test_pain_mapping_endpoints_and_shape():
    # a pain-free person at rest reports 0; the saturating output 10; linear in between
    assert pain_nrs(REFERENCE_NOCICEPTIVE_HZ) == 0.0 and pain_nrs(0.0) == 0.0
    assert pain_nrs(PAIN_SATURATION_HZ) == 10.0 and pain_nrs(2 * PAIN_SATURATION_HZ) == 10.0
    mid = (REFERENCE_NOCICEPTIVE_HZ + PAIN_SATURATION_HZ) / 2
    assert_allclose(pain_nrs(mid), 5.0)
    assert pain_nrs(mid, gamma=0.6) > 5.0          # compressive (Stevens-like) curve
    arr = pain_nrs(np.array([0.0, mid, PAIN_SATURATION_HZ]))
    assert isinstance(arr, np.ndarray)
    assert_allclose(arr, [0.0, 5.0, 10.0])


def test_reference_output_is_a_healthy_dorsal_horn_at_rest():
    res = simulate_gate(GateInputs(np.arange(0.0, 1.0, 0.02)), GateParams())
    assert_allclose(res.nociceptive_hz, REFERENCE_NOCICEPTIVE_HZ)


def test_paresthesia_needs_recruitment_above_perception_threshold():
    assert paresthesia_intensity(0.0, 10000.0) == 0.0      # 10 kHz, sub-threshold: none
    assert paresthesia_intensity(0.01, 50.0) == 0.0        # below PT (ρ ≈ 2 %)
    levels = paresthesia_intensity(np.array([0.05, 0.2, 0.4, 0.6]), 50.0)
    assert np.all(np.diff(levels[:3]) > 0) and levels[-1] <= 10.0
    assert paresthesia_intensity(0.6, 2.0) < paresthesia_intensity(0.6, 50.0)


def test_discomfort_starts_at_the_threshold_and_is_full_at_one_and_a_half_times_it():
    assert discomfort_intensity(3.9, 4.0) == 0.0
    assert discomfort_intensity(5.0, 4.0) == pytest.approx(5.0)
    assert discomfort_intensity(6.0, 4.0) == pytest.approx(10.0)
    assert discomfort_intensity(9.0, 4.0) == 10.0
    assert discomfort_intensity(5.0, float("nan")) == 0.0        # therapy off: no threshold


def test_burst_affective_factor_needs_recruitment_and_saturates():
    assert burst_affective_scale(0.0) == 1.0                      # nothing recruited: nothing
    assert burst_affective_scale(BURST_AFFECTIVE_HALF_DRIVE) == pytest.approx(
        1 - BURST_AFFECTIVE_MAX / 2)
    assert burst_affective_scale(100.0) == pytest.approx(1 - BURST_AFFECTIVE_MAX)
    drives = np.linspace(0.0, 1.0, 50)
    assert np.all(np.diff(burst_affective_scale(drives)) <= 0)   # more drive, more effect
    off = ALL_MECHANISMS - {Mechanism.BURST_SUPRASPINAL}
    assert burst_affective_scale(1.0, off) == 1.0


def test_percept_scales_reported_pain_and_leaves_the_spinal_output_alone():
    t = np.arange(0.0, 10.0, 0.02)
    gate = simulate_gate(GateInputs(t), GateParams(a_C_ongoing=1.0))
    plain = perceive(gate)
    burst = perceive(gate, burst_drive=1.0)
    assert_allclose(plain.pain_nrs, pain_nrs(gate.nociceptive_hz))
    assert_allclose(burst.pain_nrs, plain.pain_nrs * (1 - BURST_AFFECTIVE_MAX), rtol=1e-6)
    assert plain.paresthesia.shape == t.shape and np.all(plain.discomfort == 0)


def test_bad_values_are_refused():
    with pytest.raises(ParameterError, match=r"nociceptive_hz=-1 .*Hz"):
        pain_nrs(-1.0)
    with pytest.raises(ParameterError, match="ssat_hz=1 must exceed"):
        pain_nrs(5.0, s0_hz=2.0, ssat_hz=1.0)
    with pytest.raises(ParameterError, match="burst_drive=-1"):
        burst_affective_scale(-1.0)


def test_docstring_examples_run():
    result = doctest.testmod(percept)
    assert result.attempted >= 4 and result.failed == 0
