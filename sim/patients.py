"""Patients: the state of the nervous system a program acts on, and the patient presets.

A :class:`Patient` sets the dorsal-horn gate (disinhibition, Aβ unmasking, wind-up gain,
central sensitisation, descending drive), the afferent input (ongoing ectopic C firing) and the
anatomy that shapes the stimulating field (dorsal CSF thickness for SCS, nerve depth for TENS).

Preset values (SCIENCE.md section 4.3 and the sources below). The model is a teaching model:
where no measured value exists the number is a labelled assumption [A], chosen so that the
behaviours listed in SCIENCE.md section 8 appear; a student may change every one of them.

============================  =====  =====  =======  =====  =====  =====  ====================
preset                        g_inh  u      a_C      κ      CS     dCSF   source / rationale
============================  =====  =====  =======  =====  =====  =====  ====================
healthy                       1.0    0      0        1      0      3.0    normal preset [S]
painful-diabetic-neuropathy   0.55   0.45   0.9      1.5    0.3    3.0    length-dependent
                                                                          axonal loss, ectopic
                                                                          C firing [A]
failed-back-surgery           0.6    0.35   1.0      1.5    0.4    4.0    radicular neuropathic
                                                                          pain, thoracic CSF
                                                                          4-5 mm at T8-T10 [A/T]
crps                          0.5    0.55   0.9      2.0    0.6    3.0    CRPS I: allodynia,
                                                                          marked central
                                                                          sensitisation [A]
post-surgical-neuropathy      0.6    0.4    1.0      1.5    0.3    3.0    focal nerve injury
                                                                          (post-thoracotomy /
                                                                          mastectomy) [A]
============================  =====  =====  =======  =====  =====  =====  ====================

Mild neuropathic state g_inh 0.6, u 0.3 and ongoing a_C 0.5-1 follow SCIENCE.md 4.3 (Prescott
2006: anion-gradient shift undermines inhibition); the severe state (g_inh 0.3, u 1) gives touch
allodynia through the unmasked Aβ → lamina I path (Medlock 2023). Dorsal CSF thickness by level:
He, Barolat, Holsheimer & Struijk 1994 (Pain 59:55) [P], typical 2-6 mm [T].
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from sim.params import Declared, ParameterError, document_fields, param_field, validate_fields

__all__ = ["Patient", "PatientPreset", "PATIENT_PRESETS", "patient", "patient_names"]


@document_fields
@dataclass(frozen=True)
class Patient(Declared):
    """A patient: gate state, ongoing afferent input and field anatomy (frozen, validated)."""

    inhibition_efficacy: float = param_field("inhibition_efficacy")
    abeta_unmasking: float = param_field("abeta_unmasking")
    ongoing_c_drive: float = param_field("ongoing_c_drive")
    sensitisation_gain: float = param_field("sensitisation_gain")
    central_sensitisation: float = param_field("central_sensitisation")
    descending_drive: float = param_field("descending_drive")
    csf_thickness_mm: float = param_field("csf_thickness_mm")
    nerve_depth_mm: float = param_field("nerve_depth_mm")

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class PatientPreset:
    """A named patient (settings that differ from the healthy defaults) with its rationale."""

    name: str
    title: str
    description: str
    source: str
    settings: Mapping[str, Any]

    def patient(self, **overrides: Any) -> Patient:
        """The validated patient, with ``overrides`` on top of the preset."""
        return Patient.from_dict({**self.settings, **overrides})


_PRESETS = (
    PatientPreset(
        "healthy", "Healthy volunteer",
        "Intact inhibition, no ongoing C firing: no pain at rest, touch is just touch.",
        "SCIENCE.md 4.3 (normal)", {}),
    PatientPreset(
        "painful-diabetic-neuropathy", "Painful diabetic neuropathy",
        "Length-dependent small-fibre damage: burning feet from ectopic C firing, partial "
        "disinhibition, touch allodynia in some.",
        "SCIENCE.md 4.3 mild-moderate state [A]; Prescott 2006 [P]",
        dict(inhibition_efficacy=0.55, abeta_unmasking=0.45, ongoing_c_drive=0.9,
             sensitisation_gain=1.5, central_sensitisation=0.3, nerve_depth_mm=8.0)),
    PatientPreset(
        "failed-back-surgery", "Failed back surgery syndrome",
        "Persistent radicular leg pain after spine surgery: ongoing C drive from the injured "
        "root, disinhibition; the classic SCS indication (PROCESS trial).",
        "SCIENCE.md 4.3 [A]; Kumar 2007 [P]; dCSF at T8-T10 He 1994 [P]",
        dict(inhibition_efficacy=0.6, abeta_unmasking=0.35, ongoing_c_drive=1.0,
             sensitisation_gain=1.5, central_sensitisation=0.4, csf_thickness_mm=4.0,
             nerve_depth_mm=15.0)),
    PatientPreset(
        "crps", "Complex regional pain syndrome",
        "CRPS type I: burning pain, marked allodynia and central sensitisation out of "
        "proportion to the inciting event.",
        "SCIENCE.md 4.3 [A]; Kemler 2000 [P]",
        dict(inhibition_efficacy=0.5, abeta_unmasking=0.55, ongoing_c_drive=0.9,
             sensitisation_gain=2.0, central_sensitisation=0.6, nerve_depth_mm=8.0)),
    PatientPreset(
        "post-surgical-neuropathy", "Post-surgical neuropathic pain",
        "Focal nerve injury after thoracotomy or mastectomy: a painful territory supplied by "
        "one nerve, a good target for peripheral nerve stimulation.",
        "SCIENCE.md 4.3 [A]; Gilmore 2019 [P]",
        dict(inhibition_efficacy=0.6, abeta_unmasking=0.4, ongoing_c_drive=1.0,
             sensitisation_gain=1.5, central_sensitisation=0.3, nerve_depth_mm=10.0)),
)

#: Patient presets by name, in display order (read-only).
PATIENT_PRESETS: Mapping[str, PatientPreset] = MappingProxyType({p.name: p for p in _PRESETS})


def patient_names() -> list[str]:
    """Names of the patient presets, in display order."""
    return list(PATIENT_PRESETS)


def patient(name: str, **overrides: Any) -> Patient:
    """Build the patient preset ``name`` with optional field ``overrides``."""
    try:
        preset = PATIENT_PRESETS[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"patient={name!r} is not a patient preset; choose one of "
            f"{', '.join(PATIENT_PRESETS)}", name="patient", value=name) from None
    return preset.patient(**overrides)
