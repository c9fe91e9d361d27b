"""Patient dataclass and presets."""
import pytest

from sim import ParameterError
from sim.patients import PATIENT_PRESETS, Patient, patient


def test_required_presets():
    assert set(PATIENT_PRESETS) >= {"healthy", "painful-diabetic-neuropathy",
                                    "failed-back-surgery", "crps", "post-surgical-neuropathy"}


def test_healthy_is_the_normal_gate_of_science_4_3():
    h = patient("healthy")
    assert (h.inhibition_efficacy, h.abeta_unmasking, h.ongoing_c_drive) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize("name", [n for n in PATIENT_PRESETS if n != "healthy"])
def test_neuropathic_presets_are_disinhibited_with_ongoing_c_drive(name):
    p = patient(name)
    # docs/science.md §4.3: neuropathic states lose inhibition (g_inh < 1) and have ongoing C drive
    assert p.inhibition_efficacy < 1.0 and p.ongoing_c_drive > 0
    assert PATIENT_PRESETS[name].source and PATIENT_PRESETS[name].description


def test_round_trip_and_validation():
    p = patient("crps", csf_thickness_mm=5.0)
    assert Patient.from_dict(p.to_dict()) == p
    with pytest.raises(ParameterError, match=r"inhibition_efficacy=1.5 is outside 0..1"):
        Patient(inhibition_efficacy=1.5)
    with pytest.raises(ParameterError, match=r"csf_thickness_mm=0.5 is outside 1..8 mm"):
        patient("healthy", csf_thickness_mm=0.5)
    with pytest.raises(ParameterError, match="patient='zombie' is not a patient preset"):
        patient("zombie")
