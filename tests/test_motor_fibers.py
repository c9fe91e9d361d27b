"""Motor fibres under PNS leads and TENS pads.

Expectations: paresthesia comes before muscle contraction (the motor threshold lies above the
sensory one); conventional TENS is given below the motor threshold and acupuncture-like TENS
at an intensity that makes the muscle twitch visibly at each pulse (Sluka & Walsh 2003 J Pain
4:109); single twitches fuse into a sustained contraction at higher rates (muscle physiology).
"""
from __future__ import annotations

import math

import pytest

from sim import motor_fibers as M, recruitment as R
from sim.params import ParameterError
from sim.presets import program


@pytest.mark.parametrize("name", ["pns", "tens-conventional", "tens-acupuncture"])
def test_motor_threshold_lies_above_the_sensory_one(name):
    prog = program(name)
    mt = M.motor_response(prog).motor_threshold_mA
    assert mt > R.recruit(prog).perception_threshold_mA


def test_conventional_tens_below_and_acupuncture_like_tens_at_its_motor_threshold():
    conv = M.motor_response(program("tens-conventional"))
    acu = M.motor_response(program("tens-acupuncture"))
    assert not conv.visible and conv.recruited_fraction == 0.0
    assert acu.contraction == "twitches" and acu.twitch_rate_hz == 2.0
    assert program("tens-acupuncture").amplitude_mA >= acu.motor_threshold_mA


def test_pns_preset_stays_below_the_motor_response():
    res = M.motor_response(program("pns"))
    assert not res.visible
    assert program("pns").amplitude_mA < res.motor_threshold_mA
    # the motor response sets the top of the PNS amplitude: above it the muscle contracts,
    # fused at 50 Hz (above the fusion rate)
    over = M.motor_response(program("pns", amplitude_mA=1.2 * res.motor_threshold_mA))
    assert over.contraction == "tetanic"


def test_twitch_fraction_defines_the_threshold():
    prog = program("tens-acupuncture")
    th = M.motor_thresholds_mA(prog)
    mt = M.motor_response(prog).motor_threshold_mA
    assert float((th <= mt).mean()) == pytest.approx(M.TWITCH_FRACTION, abs=1e-3)
    # thresholds fall with pulse width (strength-duration)
    wide = M.motor_response(program("tens-acupuncture", pulse_width_us=400.0))
    assert wide.motor_threshold_mA < mt


def test_no_motor_fibres_in_reach_of_spinal_and_ganglion_leads():
    for name in ("scs-tonic", "drg", "off"):
        res = M.motor_response(program(name))
        assert math.isnan(res.motor_threshold_mA) and not res.visible
    with pytest.raises(ParameterError, match="therapy"):
        M.motor_thresholds_mA(program("scs-tonic"))
