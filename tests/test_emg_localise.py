"""Motor conduction, needle EMG and lesion localisation pinned to textbook findings.

Limits: Preston & Shapiro 2013 normal adult values (docs/science.md §9.4); EMG criteria:
Buchthal & Kamieniecka 1982 (mean MUP duration ±20 %), fibrillations 1-3 weeks after
denervation (§9.5); localisation rules (§9.6).
"""
from __future__ import annotations

import json
import math

import pytest

from sim.cli import main
from sim.emg import MUSCLES, needle_emg, wav_bytes
from sim.localise import localise
from sim.motor import motor_conduction_study
from sim.ncs import nerve_conduction_study
from sim.params import ParameterError
from sim.patients import patient

# Preston & Shapiro 2013: (distal latency max ms, amplitude min mV, CV min m/s, F max ms)
PS_MOTOR = {"median": (4.4, 4.0, 49.0, 31.0), "ulnar": (3.3, 6.0, 49.0, 32.0),
            "peroneal": (6.5, 2.0, 44.0, 56.0), "tibial": (5.8, 4.0, 41.0, 56.0)}


@pytest.mark.parametrize("nerve", list(PS_MOTOR))
def test_healthy_motor_studies_within_published_limits(nerve):
    r = motor_conduction_study("healthy", nerve)
    dml, amp, cv, f = PS_MOTOR[nerve]
    assert r.distal_latency_ms <= dml and r.amplitude_mV >= amp
    assert r.conduction_velocity_m_per_s >= cv and r.f_latency_ms <= f
    assert r.normal and not r.conduction_block
    # F wave: impulse to the cord and back, far later than the direct response
    assert r.f_latency_ms > 5 * r.distal_latency_ms


@pytest.mark.parametrize("nerve,distance,limit_uV", [
    ("ulnar", 140.0, 17.0), ("superficial-peroneal", 120.0, 4.0)])
def test_healthy_new_sensory_nerves_within_published_limits(nerve, distance, limit_uV):
    r = nerve_conduction_study("healthy", nerve=nerve, distance_mm=distance)
    assert r.normal and r.amplitude_uV >= limit_uV


def test_carpal_tunnel_prolongs_median_latencies_with_normal_ulnar_and_sural():
    p = patient("carpal-tunnel-syndrome")
    med_m = motor_conduction_study(p, "median")
    med_s = nerve_conduction_study(p, nerve="median")
    assert med_m.distal_latency_ms > 4.4            # distal motor latency, P&S limit
    assert med_s.peak_latency_ms > 3.5              # sensory peak latency at 14 cm
    assert med_m.within["conduction_velocity_m_per_s"]  # forearm normal: focal, at the wrist
    assert motor_conduction_study(p, "ulnar").normal
    assert nerve_conduction_study(p, nerve="ulnar").normal
    assert nerve_conduction_study(p, nerve="sural").normal


def test_radiculopathy_normal_snaps_with_denervated_l5_myotome_and_paraspinals():
    p = patient("l5-radiculopathy")
    # preganglionic lesion: the sensory potentials of the numb foot are normal
    assert nerve_conduction_study(p, nerve="sural").normal
    assert nerve_conduction_study(p, nerve="superficial-peroneal", distance_mm=120.0).normal
    for m in ("paraspinal-l5", "tibialis-anterior", "tibialis-posterior", "gluteus-medius"):
        r = needle_emg(p, m)
        assert r.fibrillations and r.positive_sharp_waves and not r.normal, m
    # outside the L5 myotome: normal
    for m in ("vastus-lateralis", "deltoid", "gastrocnemius"):
        assert needle_emg(p, m).normal, m


def test_myopathy_small_short_units_with_normal_sensory_studies():
    p = patient("myopathy")
    for n in ("sural", "median", "ulnar"):
        assert nerve_conduction_study(p, nerve=n).normal
    for m in ("deltoid", "vastus-lateralis"):
        r = needle_emg(p, m)
        # Buchthal: mean duration > 20 % below the normal mean; amplitude smaller too
        assert r.mups.duration_change_percent < -20.0
        assert r.mups.mean_amplitude_uV < r.mups.normal_amplitude_uV
        assert r.mups.verdict == "myopathic" and r.myopathic and not r.fibrillations


def test_fibrillations_appear_one_to_three_weeks_after_denervation():
    first = {}
    for m, muscle in MUSCLES.items():
        if "l5-root" not in muscle.from_lesion_mm or muscle.roots.get("L5", 0) < 0.5:
            continue
        days = [d for d in range(0, 40)
                if needle_emg(patient("l5-radiculopathy", lesion_age_days=float(d)),
                              m).fibrillations]
        first[m] = days[0]
    assert first and all(7 <= d <= 21 for d in first.values()), first
    # nearer the lesion, sooner: paraspinals before the foot
    assert first["paraspinal-l5"] < first["extensor-digitorum-brevis"]


def test_chronic_reinnervation_gives_long_large_units_and_reduced_recruitment():
    p = patient("healthy", lesion_site="peroneal-fibular-head", lesion_axonal_loss=0.7,
                lesion_age_days=730.0)
    r = needle_emg(p, "tibialis-anterior")
    assert r.mups.duration_change_percent > 20.0
    assert r.mups.mean_amplitude_uV > r.mups.normal_amplitude_uV
    acute = needle_emg(patient("healthy", lesion_site="peroneal-fibular-head",
                               lesion_axonal_loss=0.85, lesion_age_days=21.0),
                       "tibialis-anterior")
    assert acute.recruitment.pattern == "reduced" and acute.recruitment.recruitment_ratio > 10


def test_conduction_block_across_the_fibular_head():
    p = patient("healthy", lesion_site="peroneal-fibular-head", lesion_block=0.7)
    r = motor_conduction_study(p, "peroneal")
    assert r.conduction_block == ("across fibular head",)
    assert r.within["amplitude_mV"]  # distal response normal: the axons below are intact


@pytest.mark.parametrize("name,site", [
    ("healthy", "none"), ("l5-radiculopathy", "L5 root"),
    ("carpal-tunnel-syndrome", "median nerve at the wrist"),
    ("painful-diabetic-neuropathy", "polyneuropathy"), ("myopathy", "muscle"),
    ("small-fibre-neuropathy", "none")])
def test_localisation_from_findings(name, site):
    assert localise(name).site == site


def test_localisation_reads_findings_not_labels():
    # a custom patient with an S1 root lesion: no preset says so
    r = localise(patient("healthy", lesion_site="s1-root", lesion_axonal_loss=0.6,
                         lesion_age_days=40.0))
    assert r.site == "S1 root"


def test_emg_trace_and_wav():
    r = needle_emg("l5-radiculopathy", "tibialis-anterior", effort=0.0)
    assert r.trace_uV.size == r.time_ms.size and abs(r.trace_uV).max() > 20.0
    data = wav_bytes(r)
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    quiet = needle_emg("healthy", "tibialis-anterior", effort=0.0)
    assert abs(quiet.trace_uV).max() == 0.0  # healthy muscle at rest is silent


def test_bad_input_names_the_parameter():
    with pytest.raises(ParameterError, match="emg_muscle"):
        needle_emg("healthy", "nose")
    with pytest.raises(ParameterError, match="motor_nerve"):
        motor_conduction_study("healthy", "radial")
    with pytest.raises(ParameterError, match="emg_effort"):
        needle_emg("healthy", "deltoid", effort=2.0)


def test_cli(capsys):
    assert main(["localise", "--patient", "carpal-tunnel-syndrome", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["site"] == "median nerve at the wrist"
    assert main(["emg", "--patient", "myopathy", "--muscle", "deltoid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["motor_unit_potentials"]["verdict"] == "myopathic"
    assert main(["ncs", "--motor", "--nerve", "peroneal", "--patient", "healthy",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["normal"] and math.isfinite(out["f_latency_ms"])
    assert main(["emg", "--patient", "healthy", "--muscle", "nose"]) == 2
    assert main(["ncs", "--motor", "--nerve", "sural", "--patient", "healthy"]) == 2
    assert main(["ncs", "--motor", "--patient", "healthy", "--record-mm", "200"]) == 2
    err = capsys.readouterr().err
    assert "motor_nerve='sural'" in err and "--record-mm" in err


def test_focal_and_diffuse_slowing_share_one_floor():
    from sim.lesions import FOCAL_SLOWING_FLOOR
    from sim.ncs import DEMYELINATION_FLOOR
    assert FOCAL_SLOWING_FLOOR == DEMYELINATION_FLOOR


def test_mup_sum_equals_the_sensory_superposition():
    """The motor-unit potential is the same sum of fibre potentials as the SNAP
    (sim.ncs.compound_potential), evaluated on each fibre's support only."""
    import numpy as np

    from sim import emg
    from sim.ncs import compound_potential
    rng = np.random.default_rng(3)
    start = rng.uniform(1.0, 20.0, 40)
    amp = rng.uniform(-50.0, 300.0, 40)
    dur = np.round(rng.uniform(1.5, 9.0, 40), 1)
    t = np.arange(emg._MUP_N) * emg._MUP_DT_MS
    ref = compound_potential(t, 1.0, 1.0 / start, amp, dur)
    assert np.allclose(emg._superpose(start, amp, dur), ref, atol=1e-9)


def test_cut_axons_conduct_below_the_lesion_until_wallerian_degeneration():
    """Chaudhry & Cornblath 1992: after a cut the distal CMAP is normal for about 3 days
    (the lesion looks like a conduction block) and lost by about 9."""
    def peroneal(day):
        return motor_conduction_study(patient("healthy", lesion_site="peroneal-fibular-head",
                                              lesion_axonal_loss=1.0,
                                              lesion_age_days=float(day)), "peroneal")
    early, late = peroneal(2), peroneal(14)
    assert early.within["amplitude_mV"] and "across fibular head" in early.conduction_block
    assert late.amplitude_mV < 0.1 * motor_conduction_study("healthy", "peroneal").amplitude_mV


def test_a_pure_block_reduces_recruitment_without_denervation():
    p = patient("healthy", lesion_site="peroneal-fibular-head", lesion_block=0.85,
                lesion_age_days=30.0)
    r = needle_emg(p, "tibialis-anterior")
    assert not r.fibrillations and r.mups.verdict == "normal"
    assert r.recruitment.pattern == "reduced"


def test_the_mup_measures_of_a_batch_equal_one_by_one():
    from sim import emg
    for args in (("tibialis-anterior", 0.4, 1.6, 0.0), ("deltoid", 0.0, 1.0, 0.55),
                 ("extensor-digitorum-brevis", 0.6, 3.0, 0.0)):
        waves, batch = emg._mups(*args)
        assert list(batch) == [emg._measure_mup(w) for w in waves]
