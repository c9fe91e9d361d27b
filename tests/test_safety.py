"""Safety and energy figures pinned against hand calculations (docs/science.md §1.3 and §2)."""
import math

import pytest

from sim import ParameterError
from sim.presets import program
from sim.safety import safety_report
from sim.waveforms import Program


def test_charge_per_phase_hand_calculation():
    # 5 mA x 300 µs = 1500 nC = 1.5 µC
    r = safety_report(Program(amplitude_mA=5, pulse_width_us=300, rate_hz=50))
    assert r.charge_per_phase_uC == pytest.approx(1.5)
    # 12.25 mm² = 0.1225 cm² -> 12.24 µC/cm²
    assert r.charge_density_uC_per_cm2 == pytest.approx(1.5 / 0.1225)


def test_shannon_flags_10mA_300us_on_12mm2_contact():
    # docs/science.md §2: Q = 3.0 µC, D = 24.5 µC/cm², k = log10(D·Q) ≈ 1.87 > 1.85
    r = safety_report(Program(amplitude_mA=10, pulse_width_us=300, rate_hz=50))
    assert r.charge_density_uC_per_cm2 == pytest.approx(24.49, abs=0.01)
    assert r.shannon_k == pytest.approx(math.log10(24.4898 * 3.0), abs=1e-3)
    assert r.shannon_k == pytest.approx(1.87, abs=0.005)
    assert not r.shannon_ok and any("Shannon" in w for w in r.warnings)
    # Q_max = sqrt(10^k A): 2.94 µC at k = 1.85, 1.97 µC at the conservative k = 1.5
    assert r.max_safe_charge_uC == pytest.approx(2.94, abs=0.01)
    assert safety_report(Program(), shannon_k_limit=1.5).max_safe_charge_uC == pytest.approx(
        1.97, abs=0.01)


def test_shannon_limit_is_settable_and_validated():
    r = safety_report(Program(amplitude_mA=10, pulse_width_us=300, rate_hz=50),
                      shannon_k_limit=2.0)
    assert r.shannon_ok
    with pytest.raises(ParameterError, match=r"shannon_k_limit=5 is outside 1..2.5"):
        safety_report(Program(), shannon_k_limit=5)


def test_tonic_worked_example():
    # 3.5 mA, 210 µs, 50 Hz, 1000 Ω: Q = 0.735 µC, 36.8 µC/s, P = 2 I² R PW f ≈ 0.26 mW
    r = safety_report(program("scs-tonic", amplitude_mA=3.5))
    assert r.charge_per_phase_uC == pytest.approx(0.735)
    assert r.charge_rate_uC_per_s == pytest.approx(36.75)
    assert r.power_mW == pytest.approx(2 * 3.5e-3 ** 2 * 1000 * 210e-6 * 50 * 1e3)
    assert r.power_mW == pytest.approx(0.26, abs=0.005)
    assert r.charge_balanced and r.dc_current_uA == pytest.approx(0, abs=1e-9)
    assert r.warnings == ()


def test_10khz_worked_example_and_ratio_to_tonic():
    # 3 mA, 30 µs, 10 kHz: Q = 0.09 µC, 900 µC/s, P ≈ 5.4 mW, ~20-25x tonic (docs/science.md §8.6)
    hf = safety_report(program("scs-10khz"))
    tonic = safety_report(program("scs-tonic", amplitude_mA=3.5))
    assert hf.charge_per_phase_uC == pytest.approx(0.09)
    assert hf.charge_rate_uC_per_s == pytest.approx(900)
    assert hf.power_mW == pytest.approx(5.4)
    assert 20 <= hf.power_mW / tonic.power_mW <= 25
    assert 20 <= hf.charge_rate_uC_per_s / tonic.charge_rate_uC_per_s <= 25
    assert hf.battery_life_days < tonic.battery_life_days / 10


def test_rms_and_mean_current_of_biphasic_pulse():
    # ±2 mA for 100 µs each every 10 ms: mean |I| = 2*2*100e-6/0.01 = 0.04 mA,
    # rms = sqrt(2 * 4 * 100e-6 / 0.01) = sqrt(0.08)
    r = safety_report(Program(amplitude_mA=2, pulse_width_us=100, rate_hz=100))
    assert r.mean_abs_current_mA == pytest.approx(0.04)
    assert r.rms_current_mA == pytest.approx(math.sqrt(0.08))


def test_battery_life_hand_calculation():
    # P = 5.4 mW; battery current = 5.4 / (3.6 V * 0.8) + 0.010 mA = 1.885 mA;
    # 300 mAh / 1.885 mA = 159.2 h = 6.63 days
    r = safety_report(program("scs-10khz"))
    assert r.battery_current_mA == pytest.approx(5.4 / (3.6 * 0.8) + 0.01)
    assert r.battery_life_days == pytest.approx(300 / 1.885 / 24, rel=1e-3)


def test_cycling_halves_energy():
    cont = safety_report(Program(amplitude_mA=4))
    half = safety_report(Program(amplitude_mA=4, cycle_on_s=30, cycle_off_s=30))
    assert half.power_mW == pytest.approx(cont.power_mW / 2)
    assert half.charge_per_phase_uC == cont.charge_per_phase_uC


def test_monophasic_is_flagged_not_clipped():
    r = safety_report(Program(shape="monophasic", amplitude_mA=1, pulse_width_us=100,
                              rate_hz=50))
    assert not r.charge_balanced
    assert r.net_charge_per_unit_uC == pytest.approx(-0.1)
    assert r.dc_current_uA == pytest.approx(-5.0)  # -0.1 µC x 50 Hz
    assert any("Not charge balanced" in w for w in r.warnings)


def test_density_cap_and_compliance():
    r = safety_report(Program(amplitude_mA=20, pulse_width_us=300, rate_hz=20))
    assert not r.density_ok and any("Charge density" in w for w in r.warnings)
    assert r.peak_voltage_V == pytest.approx(20.0) and any("compliance" in w for w in r.warnings)


def test_zero_amplitude_limits():
    r = safety_report(Program(amplitude_mA=0))
    assert r.charge_per_phase_uC == 0 and r.shannon_k == -math.inf and r.shannon_ok
    assert r.power_mW == 0
    # only the overhead drains the battery: 300 mAh / 0.01 mA = 30000 h = 1250 days
    assert r.battery_life_days == pytest.approx(1250)
    assert r.to_dict()["shannon_k"] is None


def test_burst_charge_per_phase_is_one_pulse():
    r = safety_report(program("scs-burst", amplitude_mA=1.0))
    assert r.charge_per_phase_uC == pytest.approx(1.0 * 1000e-3)  # 1 mA x 1000 µs = 1 µC
    assert r.charge_rate_uC_per_s == pytest.approx(1.0 * 200)  # 200 pulses/s
    assert r.charge_balanced


def test_passive_recharge_burst_accumulates_its_charge_before_the_recharge():
    # 5 pulses of 1 µC before one passive recharge: 5 µC in the tissue at the end of the burst;
    # on the 12.25 mm² contact D = 5 / 0.1225 = 40.8 µC/cm², k = log10(40.8 x 5) = 2.31.
    r = safety_report(program("scs-burst", amplitude_mA=1.0))
    assert r.charge_per_burst_uC == pytest.approx(5.0)
    assert r.burst_charge_density_uC_per_cm2 == pytest.approx(5.0 / 0.1225)
    assert r.burst_shannon_k == pytest.approx(math.log10(5.0 / 0.1225 * 5.0))
    assert r.shannon_ok and any("accumulates" in w for w in r.warnings)
    # individually balanced pulses never accumulate more than one phase
    tonic = safety_report(program("scs-tonic"))
    assert tonic.charge_per_burst_uC == pytest.approx(tonic.charge_per_phase_uC)
    assert tonic.burst_shannon_k == pytest.approx(tonic.shannon_k)
    biphasic_burst = safety_report(program("scs-burst", amplitude_mA=1.0, shape="biphasic",
                                           pulse_width_us=500.0))
    assert biphasic_burst.charge_per_burst_uC == pytest.approx(0.5)
