"""Patients: the state of the nervous system a program acts on, and the patient presets.

A :class:`Patient` sets the dorsal-horn gate (disinhibition, Aβ unmasking, wind-up gain,
central sensitisation, descending drive), the afferent input (ongoing ectopic C firing) and the
anatomy that shapes the stimulating field (dorsal CSF thickness for SCS, nerve depth for TENS).

Preset values. The model is a teaching model: where no measured value exists the number is a
labelled assumption [A], chosen so that each neuropathic preset shows ongoing pain of 5-7 NRS
(the range trials enrol), touch that hurts more than rest (allodynia), and partial relief by
paresthesia-based stimulation (as in the trials, where about half of patients respond,
Kumar 2007). In the gate model (:mod:`sim.gate`) that combination is a phenotype dominated by
*unmasking* of the polysynaptic Aβ → lamina I path (u ≈ 0.7-0.8; Torsney & MacDermott 2006,
Medlock 2023 [P]) with only a mild loss of GABA/glycine efficacy (g_inh 0.9-0.98). The ongoing
C drive sets each preset's resting pain: CRPS the most severe (Kemler's patients rated about
7/10 [T]), failed back surgery about 6 (PROCESS enrolled leg pain >= 5/10 [T]), the
neuropathies about 5-5.5.

============================  =====  =====  =====  ====  =====  =====  ====  ====  ====
preset                        g_inh  u      a_C    κ     g_s    dCSF   ax    dm    sf
============================  =====  =====  =====  ====  =====  =====  ====  ====  ====
healthy                       1.0    0      0      1     0      3.0    0     0     0
painful-diabetic-neuropathy   0.9    0.7    1.0    1.5   0.5    3.0    0.6   0.1   0.5
small-fibre-neuropathy        0.95   0.75   0.95   1.5   0.5    3.0    0     0     0.7
demyelinating-neuropathy      0.95   0.78   0.9    1.5   0.5    3.0    0.2   0.45  0
failed-back-surgery           0.95   0.78   1.1    1.5   0.8    3.0    0     0     0
crps                          0.9    0.8    1.2    2.0   1.0    3.0    0     0     0.3
early-diabetes                0.9    0.7    0.05   1.5   0.5    3.0    0.05  0     0
post-surgical-neuropathy      0.98   0.8    1.0    1.5   0.5    3.0    0     0     0.3
spinal-cord-injury            0.85   0.8    1.1    1.5   0.8    3.0    0     0     0
central-post-stroke-pain      0.9    0.8    1.0    1.5   0.8    3.0    0     0     0
============================  =====  =====  =====  ====  =====  =====  ====  ====  ====

g_inh = inhibition efficacy, u = Aβ unmasking, a_C = ongoing (ectopic) C drive (about 1, a
moderate constant input), κ = wind-up gain, g_s = central-sensitisation gain.
Dorsal CSF thickness by level: He, Barolat, Holsheimer & Struijk 1994 (Pain 59:55) [P]; 2-6 mm
typical [T]. Every preset uses 3 mm, where the tonic preset sits at about 1.3 x the perception
threshold; vary ``csf_thickness_mm`` to see why paresthesia coverage differs between patients.
Painful areas (``pain_area``, dermatomes and side) [T, the typical distribution of each
condition]: failed back surgery L5-S1 on the left (the radicular leg pain PROCESS enrolled;
add ``L1-L3:both`` for axial low-back pain, which a midline thoracic lead covers poorly), CRPS
the left foot (L4-S1 left, as in the ACCURATE trial's lower-limb CRPS), the neuropathies both
feet (L4-S1 both: length-dependent), post-surgical pain the chest wall after mastectomy or
thoracotomy (T3-T5 left). An SCS lead relieves a painful area as far as its paresthesia
covers it (:mod:`sim.placement`).
Virtual cohorts drawn around these presets reproduce the trials' responder rates
(``docs/model.md``).

Treatments read two more fields. ``sympathetic_fraction``: the share of the ongoing C
drive kept up by sympathetic activity, which a sympathetic ganglion block removes; 0.15 in the
CRPS preset, 0 elsewhere [A]: "sympathetically maintained pain" is a subset of CRPS (and of
some other neuropathic pain), and the evidence that sympathetic blocks help is scarce
(Stanton et al. 2013 Cochrane review [S]). ``placebo_response``: the descending inhibition a
patient's expectation adds while receiving a therapy; 0 in every preset (single sessions show
the pharmacology and physiology alone), drawn per patient in cohorts (:mod:`sim.cohort`).

Diagnosis and mood read five more. ax = ``axonal_loss`` (large myelinated axons
lost where the nerve is tested), dm = ``demyelination`` (mean conduction slowing) and sf =
``small_fibre_loss`` (thin Aδ/C fibres lost) shape the nerve conduction study
(:mod:`sim.ncs`) and the bedside examination (:mod:`sim.exam`): diabetic neuropathy is a
length-dependent axonal neuropathy of large and small fibres, with mild slowing [S]
(docs/science.md §9.1); small-fibre neuropathy spares the large fibres, so its conduction study is
normal while the patient hurts [S]; chronic inflammatory demyelinating neuropathy slows
conduction well below the normal limit [T]. The values are teaching choices [A] that put each
study clearly on its side of the normal limits. The gate's touch input ignores
``axonal_loss`` (the test site is distal; the painful territory is the presets' concern) [A].
Central neuropathic pain: ``central_fraction`` is the share of the ongoing drive generated in
the spinal cord or brain, 0.9 in the spinal-cord-injury and central post-stroke presets [A]
(below-level pain after spinal cord injury and central post-stroke pain arise from
hyperexcitable central neurons at and above the lesion: Siddall et al. 2003 Pain 103:249 [P];
Klit, Finnerup & Jensen 2009 Lancet Neurol 8:857 [S]), 0 in the peripheral presets;
peripheral blocks and nerve stimulation distal to the lesion cannot reach it
(:func:`sim.care.central_pain_reason`).
``anxiety`` and ``depression`` act on descending modulation (:mod:`sim.mood`); every preset
starts at 0, so the calibrated pain and cohort numbers above are the physiology alone, and a
course of weeks (:func:`sim.mood.simulate_course`) shows sustained pain raising them.

Localisation reads six more (:mod:`sim.lesions`, :mod:`sim.motor`, :mod:`sim.emg`):
``lesion_site`` with ``lesion_slowing``, ``lesion_block``, ``lesion_axonal_loss`` and
``lesion_age_days`` describe one focal lesion of a root or nerve, and ``myopathy`` the loss of
muscle fibres from every motor unit (docs/science.md §9.4-9.6). Three presets use them, with
teaching values [A] that put each finding clearly on its side of the limits:
``l5-radiculopathy`` (L5 root, half its motor axons cut six weeks ago, mild slowing; the
radicular gate phenotype of the failed-back-surgery preset), ``carpal-tunnel-syndrome``
(median at the wrist: marked focal slowing, 10 % block, 15 % axons lost, a year old) and
``myopathy`` (55 % of muscle fibres lost, proximal muscles most; muscle pain modelled as a
milder ongoing C drive with little disinhibition [A]).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sim.params import (
    Declared,
    ParameterError,
    Preset,
    document_fields,
    param_field,
    validate_fields,
)

__all__ = ["Patient", "PatientPreset", "PATIENT_PRESETS", "patient", "patient_names"]


@document_fields
@dataclass(frozen=True)
class Patient(Declared):
    """A patient: gate state, ongoing afferent input and field anatomy (frozen, validated)."""

    inhibition_efficacy: float = param_field("inhibition_efficacy")
    abeta_unmasking: float = param_field("abeta_unmasking")
    ongoing_c_drive: float = param_field("ongoing_c_drive")
    windup_gain: float = param_field("windup_gain")
    central_sensitisation_gain: float = param_field("central_sensitisation_gain")
    descending_drive: float = param_field("descending_drive")
    csf_thickness_mm: float = param_field("csf_thickness_mm")
    nerve_depth_mm: float = param_field("nerve_depth_mm")
    sympathetic_fraction: float = param_field("sympathetic_fraction")
    placebo_response: float = param_field("placebo_response")
    axonal_loss: float = param_field("axonal_loss")
    demyelination: float = param_field("demyelination")
    small_fibre_loss: float = param_field("small_fibre_loss")
    anxiety: float = param_field("anxiety")
    depression: float = param_field("depression")
    central_fraction: float = param_field("central_fraction")
    lesion_site: str = param_field("lesion_site")
    lesion_slowing: float = param_field("lesion_slowing")
    lesion_block: float = param_field("lesion_block")
    lesion_axonal_loss: float = param_field("lesion_axonal_loss")
    lesion_age_days: float = param_field("lesion_age_days")
    myopathy: float = param_field("myopathy")
    pain_area: str = param_field("pain_area")

    def __post_init__(self) -> None:
        validate_fields(self)


@dataclass(frozen=True)
class PatientPreset(Preset):
    """A named patient (settings that differ from the healthy defaults) with its rationale."""

    def patient(self, **overrides: Any) -> Patient:
        """The validated patient, with ``overrides`` on top of the preset."""
        return self.build(Patient, **overrides)


_PRESETS = (
    PatientPreset(
        "healthy", "Healthy volunteer",
        "Intact inhibition, no ongoing C firing: no pain at rest, touch is just touch.",
        "docs/science.md §4.3 (normal)", {}),
    PatientPreset(
        "painful-diabetic-neuropathy", "Painful diabetic neuropathy",
        "Length-dependent small-fibre damage: burning feet from ectopic C firing, partial "
        "disinhibition, touch allodynia in some.",
        "unmasking phenotype [A]; Medlock 2023 [P]",
        dict(inhibition_efficacy=0.9, abeta_unmasking=0.7, ongoing_c_drive=1.0,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=8.0,
             axonal_loss=0.6, demyelination=0.1, small_fibre_loss=0.5,
             pain_area="L4-S1:both")),
    PatientPreset(
        "small-fibre-neuropathy", "Small-fibre neuropathy",
        "Loss of thin Aδ and C fibres only: burning feet and cold pain, yet the nerve "
        "conduction study is normal because it tests only large fibres (skin biopsy shows the "
        "loss).",
        "unmasking phenotype [A]; docs/science.md §9.1 (normal NCS) [S]; "
        "Ochoa & Yarnitsky 1994 [S]",
        dict(inhibition_efficacy=0.95, abeta_unmasking=0.75, ongoing_c_drive=0.95,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=8.0,
             small_fibre_loss=0.7, pain_area="L4-S1:both")),
    PatientPreset(
        "demyelinating-neuropathy", "Demyelinating neuropathy",
        "Chronic inflammatory demyelinating neuropathy: myelin damage slows conduction and "
        "disperses the nerve's response; some patients have neuropathic pain.",
        "unmasking phenotype [A]; docs/science.md §9.1 (demyelination) [T]",
        dict(inhibition_efficacy=0.95, abeta_unmasking=0.78, ongoing_c_drive=0.9,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=8.0,
             demyelination=0.45, axonal_loss=0.2, pain_area="L4-S1:both")),
    PatientPreset(
        "failed-back-surgery", "Failed back surgery syndrome",
        "Persistent radicular leg pain after spine surgery: ongoing C drive from the injured "
        "root, disinhibition; the classic SCS indication (PROCESS trial).",
        "docs/science.md §4.3 [A]; Kumar 2007 [P]; dCSF at T8-T10 He 1994 [P]",
        dict(inhibition_efficacy=0.95, abeta_unmasking=0.78, ongoing_c_drive=1.1,
             windup_gain=1.5, central_sensitisation_gain=0.8, csf_thickness_mm=3.0,
             nerve_depth_mm=15.0, pain_area="L5-S1:left")),
    PatientPreset(
        "crps", "Complex regional pain syndrome",
        "CRPS type I: burning pain, marked allodynia and central sensitisation out of "
        "proportion to the inciting event.",
        "docs/science.md §4.3 [A]; Kemler 2000 [P]",
        dict(inhibition_efficacy=0.9, abeta_unmasking=0.8, ongoing_c_drive=1.2,
             windup_gain=2.0, central_sensitisation_gain=1.0, nerve_depth_mm=8.0,
             sympathetic_fraction=0.15, small_fibre_loss=0.3, pain_area="L4-S1:left")),
    PatientPreset(
        "early-diabetes", "Diabetes without neuropathy yet",
        "Type 2 diabetes before neuropathy: the dorsal-horn phenotype of the painful diabetic "
        "preset, a trace of ectopic drive and little axonal loss; run a course of years with an "
        "HbA1c to watch the sural amplitude fall and pain begin.",
        "unmasking phenotype of painful-diabetic-neuropathy [A]; sim.care (DCCT 1993 [P])",
        dict(inhibition_efficacy=0.9, abeta_unmasking=0.7, ongoing_c_drive=0.05,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=8.0,
             axonal_loss=0.05)),
    PatientPreset(
        "spinal-cord-injury", "Spinal cord injury (below-level pain)",
        "Central neuropathic pain below an incomplete thoracic cord injury: burning pain "
        "generated by hyperexcitable neurons at and above the lesion; blocks and nerve "
        "stimulation in the painful legs do not reach it, SCS helps few.",
        "central pain [A]; Siddall 2003 Pain 103:249 [P]; Finnerup 2015 [P]; sim.care",
        dict(inhibition_efficacy=0.85, abeta_unmasking=0.8, ongoing_c_drive=1.1,
             windup_gain=1.5, central_sensitisation_gain=0.8, nerve_depth_mm=10.0,
             central_fraction=0.9)),
    PatientPreset(
        "central-post-stroke-pain", "Central post-stroke pain",
        "Pain after a stroke of the thalamus or its pathways: the generator is in the brain; "
        "peripheral treatments do not reach it, drugs help partly.",
        "central pain [A]; Klit, Finnerup & Jensen 2009 Lancet Neurol 8:857 [S]; sim.care",
        dict(inhibition_efficacy=0.9, abeta_unmasking=0.8, ongoing_c_drive=1.0,
             windup_gain=1.5, central_sensitisation_gain=0.8, nerve_depth_mm=10.0,
             central_fraction=0.9)),
    PatientPreset(
        "post-surgical-neuropathy", "Post-surgical neuropathic pain",
        "Focal nerve injury after thoracotomy or mastectomy: a painful territory supplied by "
        "one nerve, a good target for peripheral nerve stimulation.",
        "docs/science.md §4.3 [A]; Gilmore 2019 [P]",
        dict(inhibition_efficacy=0.98, abeta_unmasking=0.8, ongoing_c_drive=1.0,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=10.0,
             small_fibre_loss=0.3, pain_area="T3-T5:left")),
    PatientPreset(
        "l5-radiculopathy", "L5 radiculopathy (disc herniation)",
        "A herniated lumbar disc compresses the L5 root proximal to its dorsal root ganglion "
        "six weeks ago: pain and numbness down the leg into the big toe, weak ankle "
        "dorsiflexion. Sensory potentials stay normal; the L5 myotome and paraspinals are "
        "denervated.",
        "docs/science.md §9.6 [T]; radicular gate phenotype as failed-back-surgery [A]",
        dict(inhibition_efficacy=0.95, abeta_unmasking=0.78, ongoing_c_drive=1.1,
             windup_gain=1.5, central_sensitisation_gain=0.5, nerve_depth_mm=15.0,
             lesion_site="l5-root", lesion_axonal_loss=0.5, lesion_slowing=0.2,
             lesion_age_days=42.0)),
    PatientPreset(
        "carpal-tunnel-syndrome", "Carpal tunnel syndrome",
        "The median nerve is compressed in the carpal tunnel: night-time tingling and pain "
        "of the thumb, index and middle fingers. Median conduction slows across the wrist; "
        "the ulnar and sural nerves are normal.",
        "docs/science.md §9.6 [T]; focal-compression gate phenotype [A]",
        dict(inhibition_efficacy=0.97, abeta_unmasking=0.7, ongoing_c_drive=0.9,
             windup_gain=1.5, central_sensitisation_gain=0.3, nerve_depth_mm=5.0,
             lesion_site="median-wrist", lesion_slowing=0.85, lesion_block=0.1,
             lesion_axonal_loss=0.15, lesion_age_days=365.0)),
    PatientPreset(
        "myopathy", "Myopathy (proximal muscle disease)",
        "Muscle fibres are lost from every motor unit, proximal muscles most: weakness and "
        "aching muscles, nerves intact. Sensory studies are normal; motor units are small, "
        "short and recruited early.",
        "docs/science.md §9.6 [T]; muscle (nociceptive) pain: mild ongoing C drive, mild "
        "disinhibition [A]",
        dict(inhibition_efficacy=0.98, abeta_unmasking=0.2, ongoing_c_drive=0.6,
             windup_gain=1.2, central_sensitisation_gain=0.2, myopathy=0.55)),
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
