"""Programs and pulse trains: consistency checks, phases, charge balance, rendering."""
import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim import ParameterError
from sim.presets import PROGRAM_PRESETS, program
from sim.waveforms import MAX_RENDER_SAMPLES, Program, load_custom_shape_csv, pulse_train, render


def test_program_is_frozen_and_hashable():
    p = Program()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.amplitude_mA = 5  # type: ignore[misc]
    assert hash(p) == hash(Program())


def test_json_round_trip_and_unknown_keys():
    p = program("scs-burst")
    assert Program.from_dict(p.to_dict()) == p
    with pytest.raises(ParameterError, match=r"frequency_hz=.*unknown program parameter"):
        Program.from_dict({"frequency_hz": 50})
    with pytest.raises(ParameterError, match="must be a JSON object"):
        Program.from_dict([1, 2])


def test_pulse_longer_than_period_rejected():
    # 2 x 400 + 20 µs = 820 µs > 333 µs period at 3 kHz
    with pytest.raises(ParameterError, match=r"pulse_width_us=400 µs does not fit.*820 µs"):
        Program(pulse_width_us=400, rate_hz=3000)


def test_burst_must_fit_its_period():
    # 5 pulses at 100 Hz span 40 ms + pulse > 25 ms burst period (40 Hz)
    with pytest.raises(ParameterError, match="pulses_per_burst=5 does not fit"):
        Program(pattern="burst", rate_hz=100, burst_rate_hz=40, pulse_width_us=100)


def test_other_inconsistencies():
    with pytest.raises(ParameterError, match="cycle_off_s=10 s needs cycle_on_s > 0"):
        Program(cycle_off_s=10)
    with pytest.raises(ParameterError, match="one channel"):
        Program(therapy="pns", contacts="0-+0")
    with pytest.raises(ParameterError, match="custom_shape has 0 samples"):
        Program(shape="custom")
    with pytest.raises(ParameterError, match="set shape='custom'"):
        Program(custom_shape=(-1.0, 1.0))


def test_biphasic_phases_hand_built():
    t = pulse_train(Program(amplitude_mA=2, pulse_width_us=100, interphase_gap_us=50,
                            rate_hz=100), 1.0)
    got = [(ph.start_s, ph.width_s, ph.amplitude_mA) for ph in t.phases]
    assert_allclose(got, [(0, 100e-6, -2), (150e-6, 100e-6, 2)], atol=1e-12)
    assert t.unit_period_s == pytest.approx(0.01)
    anodic_first = pulse_train(Program(amplitude_mA=2, cathodic_first=False), 1.0)
    assert anodic_first.phases[0].amplitude_mA == 2.0


@pytest.mark.parametrize("name", list(PROGRAM_PRESETS))
def test_every_preset_is_charge_balanced(name):
    t = pulse_train(program(name), 1.0)
    # net charge per unit (pulse, or burst + recharge) is zero: docs/science.md §8.5
    assert abs(t.net_charge_per_unit_uC) < 1e-9


def test_asymmetric_recharge_has_equal_charge():
    t = pulse_train(Program(shape="asymmetric", amplitude_mA=4, pulse_width_us=100,
                            recharge_ratio=4, rate_hz=50), 1.0)
    cath, rech = t.phases
    assert rech.amplitude_mA == pytest.approx(1.0) and rech.width_s == pytest.approx(400e-6)
    assert cath.amplitude_mA * cath.width_s == pytest.approx(-rech.amplitude_mA * rech.width_s)


def test_burst_recharge_after_last_pulse():
    t = pulse_train(program("scs-burst"), 1.0)
    cathodic = [ph for ph in t.phases if ph.amplitude_mA < 0]
    assert len(cathodic) == 5 and t.pulses_per_unit == 5
    # pulses 2 ms apart (500 Hz); recharge begins after the last pulse and its gap
    assert_allclose([ph.start_s for ph in cathodic], [0, 0.002, 0.004, 0.006, 0.008])
    assert t.phases[-1].amplitude_mA > 0 and t.phases[-1].start_s >= 0.009
    assert t.unit_period_s == pytest.approx(0.025)


def test_monophasic_is_not_balanced():
    t = pulse_train(Program(shape="monophasic", amplitude_mA=1, pulse_width_us=100), 1.0)
    assert t.net_charge_per_unit_uC == pytest.approx(-0.1)


def test_pulse_counts_without_enumerating():
    p = program("scs-10khz")
    assert pulse_train(p, 1800.0).n_pulses() == 18_000_000
    burst = pulse_train(program("scs-burst"), 10.0)
    assert burst.n_pulses() == 5 * 40 * 10
    cyc = pulse_train(Program(rate_hz=10, cycle_on_s=2, cycle_off_s=3), 12.0)
    # cycles start at 0, 5, 10 s: on for 2 s each -> 20 + 20 + 20 pulses
    assert cyc.n_pulses() == 60


def test_render_tonic_window_matches_hand_drawn_pulse():
    t = pulse_train(Program(amplitude_mA=2, pulse_width_us=100, interphase_gap_us=50,
                            rate_hz=100), 1.0)
    w = render(t, 0.01, 0.0105, 1e6)  # one pulse starting at 10 ms, 1 µs samples
    assert w.t_s.size == 500
    assert np.all(w.current_mA[0:100] == -2)
    assert np.all(w.current_mA[100:150] == 0)
    assert np.all(w.current_mA[150:250] == 2)
    assert np.all(w.current_mA[250:] == 0)
    # rendered charge equals the phase charge: 2 mA x 100 µs = 0.2 µC each way
    assert np.sum(w.current_mA[w.current_mA < 0]) * 1e-6 * 1e3 == pytest.approx(-0.2)


def test_render_cycling_and_ramp():
    p = Program(amplitude_mA=4, rate_hz=10, pulse_width_us=100, cycle_on_s=1, cycle_off_s=1,
                ramp_s=0.5)
    t = pulse_train(p, 4.0)
    w = render(t, 0.0, 4.0, 20_000)
    onsets = t.unit_onsets_s(0, 4.0)
    assert_allclose(onsets, [0, .1, .2, .3, .4, .5, .6, .7, .8, .9,
                             2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9], atol=1e-9)
    assert np.all(w.current_mA[(w.t_s >= 1.0) & (w.t_s < 2.0)] == 0)
    def peak(t0):
        return -w.current_mA[(w.t_s >= t0) & (w.t_s < t0 + 0.001)].min()
    assert peak(0.0) == 0 and peak(0.2) == pytest.approx(1.6) and peak(0.6) == pytest.approx(4)


def test_render_late_window_of_long_program_costs_nothing_extra():
    t = pulse_train(program("scs-10khz"), 1800.0)
    w = render(t, 1799.999, 1800.0, 1e6)
    # ten 10 kHz pulses in the last millisecond, each ±3 mA for 30 µs
    assert np.sum(w.current_mA == -3.0) == 10 * 30
    assert np.sum(w.current_mA == 3.0) == 10 * 30


def test_render_rejects_bad_windows():
    t = pulse_train(Program(), 10.0)
    with pytest.raises(ParameterError, match="at most 1000000"):
        render(t, 0, 10, 1e6)
    with pytest.raises(ParameterError, match="greater than t_start_s"):
        render(t, 2, 1, 1e3)
    with pytest.raises(ParameterError, match="sample_rate_hz=0 must be > 0"):
        render(t, 0, 1, 0)
    assert MAX_RENDER_SAMPLES == 1_000_000


def test_off_program_renders_zero():
    w = render(pulse_train(program("off"), 1.0), 0, 0.1, 1e4)
    assert not np.any(w.current_mA)


def test_custom_shape_from_csv(tmp_path):
    f = tmp_path / "shape.csv"
    f.write_text("t_us,current\n0,-1\n1,-1\n2,0.5\n3,0.5\n4,0.5\n5,0.5\n")
    samples = load_custom_shape_csv(str(f))
    assert samples == (-1.0, -1.0, 0.5, 0.5, 0.5, 0.5)
    p = Program(shape="custom", custom_shape=samples, amplitude_mA=2, pulse_width_us=600)
    t = pulse_train(p, 1.0)
    assert abs(t.net_charge_per_unit_uC) < 1e-12  # -2*2*100 + 4*1*100 nC = 0
    bad = tmp_path / "bad.csv"
    bad.write_text("-1\nhello\n")
    with pytest.raises(ParameterError, match="line 2"):
        load_custom_shape_csv(str(bad))
    big = tmp_path / "big.csv"
    big.write_text("0.1\n" * 100_000)
    with pytest.raises(ParameterError, match="larger than"):
        load_custom_shape_csv(str(big))


def test_unused_params_follow_pattern_shape_cycling_and_therapy():
    """What each kind of program leaves unread (the dashboard dims these; the CLI names
    them): a tonic biphasic SCS program reads no burst, recharge-ratio, custom-shape,
    cycling-off or TENS/PNS placement field; switched off, it reads nothing of the program."""
    from sim.params import PARAMETERS
    tonic = Program()
    assert {"pulses_per_burst", "burst_rate_hz", "recharge_ratio", "custom_shape",
            "cycle_off_s", "lead_distance_mm", "nerve_depth_mm"} <= tonic.unused_params()
    assert not {"rate_hz", "amplitude_mA", "pulse_width_us", "csf_thickness_mm",
                "interphase_gap_us"} & tonic.unused_params()
    burst = tonic.replace(pattern="burst", pulse_width_us=200.0, rate_hz=500.0,
                          pulses_per_burst=5, burst_rate_hz=40.0)
    assert "pulses_per_burst" not in burst.unused_params()
    assert "rate_hz" not in burst.unused_params()  # the rate inside the burst
    mono = tonic.replace(shape="monophasic")
    assert {"interphase_gap_us", "cathodic_first"} <= mono.unused_params()
    off = tonic.replace(therapy="off")
    program_fields = {n for n, p in PARAMETERS.items() if p.group == "program"}
    assert off.unused_params() >= program_fields - {"therapy"}
