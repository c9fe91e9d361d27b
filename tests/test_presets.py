"""Program presets: valid, sourced, and carrying docs/science.md §1.1 values."""
import pytest

from sim import ParameterError
from sim.presets import PROGRAM_PRESETS, program, program_names
from sim.recruitment import recruit


def test_required_presets_present():
    assert set(program_names()) >= {"scs-tonic", "scs-burst", "scs-10khz", "pns",
                                    "tens-conventional", "tens-acupuncture", "off"}


@pytest.mark.parametrize("name", list(PROGRAM_PRESETS))
def test_presets_are_documented(name):
    p = PROGRAM_PRESETS[name]
    assert p.title and p.description and p.source


def test_clinical_values_from_science_table():
    assert program("scs-tonic").rate_hz == 50 and 200 <= program("scs-tonic").pulse_width_us <= 500
    b = program("scs-burst")
    assert (b.pulses_per_burst, b.rate_hz, b.burst_rate_hz, b.pulse_width_us) == (5, 500, 40, 1000)
    hf = program("scs-10khz")
    assert (hf.rate_hz, hf.pulse_width_us) == (10000, 30) and 1 <= hf.amplitude_mA <= 5
    assert 12 <= program("pns").rate_hz <= 100 and 50 <= program("pns").pulse_width_us <= 200
    conv, acu = program("tens-conventional"), program("tens-acupuncture")
    assert conv.rate_hz > 50 and 50 <= conv.pulse_width_us <= 100 and 10 <= conv.amplitude_mA <= 30
    assert 1 <= acu.rate_hz <= 5 and 100 <= acu.pulse_width_us <= 250
    # "Strong but tolerable": well above the sensory threshold, below the pain threshold, which
    # for TENS pads lies several times above it (Hughes, Bennett & Johnson 2013). Real units
    # reach 30-80 mA; the model's skin thresholds are lower, so the preset sits in the same
    # place of the model's window rather than at the same milliamperes.
    rec = recruit(acu)
    assert 3 * rec.perception_threshold_mA <= acu.amplitude_mA < rec.discomfort_threshold_mA
    assert not program("off").is_active


def test_overrides_are_validated():
    assert program("scs-tonic", rate_hz=60).rate_hz == 60
    with pytest.raises(ParameterError, match=r"rate_hz=0 is outside 1..10000 Hz"):
        program("scs-tonic", rate_hz=0)
    with pytest.raises(ParameterError, match="preset='dbs' is not a program preset"):
        program("dbs")


def test_switching_therapy_brings_the_fields_that_depend_on_it():
    from sim.presets import THERAPY_FIELDS, THERAPY_PRESETS, therapy_program
    scs = program("scs-tonic", rate_hz=80.0, ramp_s=2.0)
    for therapy, ref_name in THERAPY_PRESETS.items():
        if therapy == "scs":
            assert therapy_program(scs, "scs") == scs        # no switch, nothing changes
            continue
        new, ref = therapy_program(scs, therapy), program(ref_name)
        assert new.therapy == therapy
        for f in THERAPY_FIELDS:
            assert getattr(new, f) == getattr(ref, f), f
        if therapy != "off":
            assert (new.rate_hz, new.ramp_s) == (80.0, 2.0)  # the rest is kept
    # a kept setting that no longer fits the new pulse: the therapy's standard program
    # (10 kHz keeps 10 000 Hz, whose 100 us period has no room for TENS's 100 us biphasic pulse)
    assert therapy_program(program("scs-10khz"), "tens") == program("tens-conventional")
    with pytest.raises(ParameterError, match="therapy='dbs' is not one of"):
        therapy_program(scs, "dbs")
