"""Lesion localisation: the electrodiagnostic report a clinician writes from the findings.

:func:`localise` runs a standard screen on a patient (sensory studies of the sural,
superficial peroneal, median and ulnar nerves; motor studies of the median, ulnar, peroneal
and tibial nerves with F waves; needle EMG of :data:`SCREEN_MUSCLES`) and reasons over the
*findings only* (never the patient's lesion parameters), with the textbook rules of
docs/science.md §9.6 (Preston & Shapiro 2013 [T]; Wilbourn & Aminoff 1998 [S]):

1. all normal: no lesion of the large motor and sensory fibres or muscles tested;
2. myopathic motor units (short, small) in several muscles with normal sensory studies and no
   denervation: a **myopathy**;
3. median sensory and motor latencies prolonged across the wrist with normal ulnar and sural
   studies: **median neuropathy at the wrist** (carpal tunnel syndrome);
4. abnormal sural (and superficial peroneal) sensory potentials, worse in the leg than in the
   hand: a **length-dependent polyneuropathy** (axonal or demyelinating by the velocities);
5. neurogenic EMG in muscles of one root but of two or more nerves, with *normal* sensory
   potentials (the lesion lies proximal to the dorsal root ganglion) and abnormal paraspinals:
   a **radiculopathy** of that root;
6. neurogenic EMG confined to the deep peroneal muscles, tibialis posterior normal:
   **peroneal neuropathy**; to the ulnar hand muscles with slowing or block across the elbow:
   **ulnar neuropathy at the elbow**.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sim.emg import MUSCLES, EMGResult, needle_emg
from sim.motor import MotorResult, motor_conduction_study
from sim.ncs import NCSResult, nerve_conduction_study
from sim.patients import Patient

__all__ = ["SCREEN_MUSCLES", "SENSORY_STUDIES", "Localisation", "localise"]

#: Muscles of the screening needle examination (both limbs' common roots and nerves).
SCREEN_MUSCLES = ("paraspinal-l5", "paraspinal-s1", "gluteus-medius", "vastus-lateralis",
                  "tibialis-anterior", "tibialis-posterior", "extensor-digitorum-brevis",
                  "gastrocnemius", "deltoid", "biceps", "abductor-pollicis-brevis",
                  "first-dorsal-interosseous")
#: Sensory studies (nerve, distance [mm]) at their standard distances.
SENSORY_STUDIES = (("sural", 140.0), ("superficial-peroneal", 120.0), ("median", 140.0),
                   ("ulnar", 140.0))
#: A root is blamed when it supplies at least this share of every neurogenic muscle [1] [A]
#: (a muscle with two roots denervates in proportion to the damaged one).
ROOT_SHARE_MIN = 0.2


@dataclass(frozen=True, eq=False)
class Localisation:
    """The electrodiagnostic conclusion.

    Attributes
    ----------
    patient : str
        Patient label.
    site : str
        Where the lesion is: ``"none"``, ``"muscle"``, ``"polyneuropathy"``, a root
        (``"L5 root"``) or a nerve segment (``"median nerve at the wrist"``...).
    level : {"none", "muscle", "polyneuropathy", "root", "nerve", "unlocalised"}
        The level of the lesion.
    conclusion : str
        One sentence, as in a report.
    reasoning : tuple of str
        The findings the conclusion rests on, in order.
    sensory : Mapping[str, NCSResult]
        Sensory studies by nerve.
    motor : Mapping[str, MotorResult]
        Motor studies by nerve.
    emg : Mapping[str, EMGResult]
        Needle findings by muscle.
    """

    patient: str
    site: str
    level: str
    conclusion: str
    reasoning: tuple[str, ...]
    sensory: Mapping[str, NCSResult]
    motor: Mapping[str, MotorResult]
    emg: Mapping[str, EMGResult]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no traces)."""
        return {
            "patient": self.patient, "site": self.site, "level": self.level,
            "conclusion": self.conclusion, "reasoning": list(self.reasoning),
            "sensory": {n: {"normal": r.normal,
                            "amplitude_uV": None if r.amplitude_uV != r.amplitude_uV
                            else r.amplitude_uV,
                            "peak_latency_ms": r.to_dict()["peak_latency_ms"],
                            "abnormal": list(r.abnormal)} for n, r in self.sensory.items()},
            "motor": {n: r.to_dict(trace=False) for n, r in self.motor.items()},
            "emg": {m: {"normal": r.normal, "neurogenic": r.neurogenic,
                        "myopathic": r.myopathic, "fibrillation_grade": r.fibrillation_grade,
                        "mup_verdict": r.mups.verdict, "recruitment": r.recruitment.pattern,
                        "findings": list(r.findings)} for m, r in self.emg.items()},
        }


def _sensory_score(r: NCSResult) -> float:
    """Amplitude as a multiple of the lower limit (0 if absent)."""
    return r.amplitude_uV / r.amplitude_min_uV if r.response_present else 0.0


def localise(patient: Patient | str) -> Localisation:
    """Run the screen on ``patient`` and state where the lesion is, from the findings alone.

    Examples
    --------
    >>> localise("carpal-tunnel-syndrome").site
    'median nerve at the wrist'
    """
    from sim.ncs import as_patient
    return _localise(as_patient(patient))


@functools.lru_cache(maxsize=64)
def _localise(pat: Patient) -> Localisation:
    """:func:`localise` of one (frozen, hashable) patient, kept: a pure result."""
    from sim.ncs import patient_label
    sensory = {n: nerve_conduction_study(pat, nerve=n, distance_mm=d)
               for n, d in SENSORY_STUDIES}
    motor = {n: motor_conduction_study(pat, n) for n in ("median", "ulnar", "peroneal",
                                                            "tibial")}
    emg = {m: needle_emg(pat, m, trace=False) for m in SCREEN_MUSCLES}
    site, level, conclusion, why = _reason(sensory, motor, emg)
    return Localisation(patient_label(pat), site, level, conclusion, tuple(why),
                        MappingProxyType(sensory), MappingProxyType(motor),
                        MappingProxyType(emg))


def _reason(sensory: Mapping[str, NCSResult], motor: Mapping[str, MotorResult],
            emg: Mapping[str, EMGResult]) -> tuple[str, str, str, list[str]]:
    why: list[str] = []
    s_ab = [n for n, r in sensory.items() if not r.normal]
    m_ab = [n for n, r in motor.items() if not r.normal]
    neuro = [m for m, r in emg.items() if r.neurogenic]
    myo = [m for m, r in emg.items() if r.myopathic]
    for n in s_ab:
        why.append(f"{sensory[n].to_dict()['nerve_label']} study abnormal: "
                   + " ".join(sensory[n].abnormal))
    for n in m_ab:
        why.append(f"{motor[n].label} study abnormal: " + " ".join(motor[n].abnormal))
    if neuro:
        why.append("Neurogenic needle findings in " + ", ".join(MUSCLES[m].label
                                                                 for m in neuro) + ".")
    if myo:
        why.append("Myopathic motor units in " + ", ".join(MUSCLES[m].label for m in myo)
                   + ".")
    if not (s_ab or m_ab or neuro or myo):
        why.append("All sensory and motor studies and every muscle examined are normal.")
        return ("none", "none", "Normal study: no electrodiagnostic evidence of a lesion of "
                "the large sensory or motor fibres, roots or muscles tested (small-fibre "
                "neuropathy is not excluded).", why)

    # 2. myopathy
    if len(myo) >= 2 and not neuro and not s_ab:
        why.append("Sensory potentials normal: the sensory nerves are intact.")
        early = any(emg[m].recruitment.pattern == "early" for m in myo)
        return ("muscle", "muscle", "Myopathy: short, small"
                + (", early-recruited" if early else "") + f" motor units in {len(myo)} "
                "muscles with normal sensory studies and no denervation.", why)

    # demyelinating polyneuropathy: motor velocities in the demyelinating range in >= 2 nerves
    slow = [n for n, r in motor.items()
            if r.conduction_velocity_m_per_s < 0.8 * r.limits_velocity]
    if len(slow) >= 2:
        why.append("Motor velocities below 80 % of the lower limit in "
                   + ", ".join(slow) + ": demyelination of many nerves.")
        return ("polyneuropathy", "polyneuropathy", "Demyelinating sensorimotor "
                "polyneuropathy.", why)

    # 3. carpal tunnel
    med_s, med_m = sensory["median"], motor["median"]
    if (not med_s.normal and med_m.within.get("distal_latency_ms") is False
            and sensory["ulnar"].normal and motor["ulnar"].normal and sensory["sural"].normal):
        why.append("Median distal motor latency and sensory latency prolonged across the wrist "
                   "with normal forearm velocity; ulnar and sural normal: focal slowing at "
                   "the wrist.")
        return ("median nerve at the wrist", "nerve", "Median neuropathy at the wrist "
                "(carpal tunnel syndrome).", why)

    # 4. length-dependent polyneuropathy
    if not sensory["sural"].normal and \
            _sensory_score(sensory["sural"]) < _sensory_score(sensory["median"]):
        kind = "axonal"
        why.append("Sural potential lower (relative to its limit) than the median: the "
                   "longest axons are affected most.")
        return ("polyneuropathy", "polyneuropathy", f"Length-dependent sensorimotor {kind} "
                "polyneuropathy.", why)

    # 5. radiculopathy
    if neuro and not any(sensory[n].normal is False for n in ("sural",
                                                              "superficial-peroneal")):
        roots = {r for m in neuro for r in MUSCLES[m].roots}
        for root in sorted(roots):
            if all(MUSCLES[m].roots.get(root, 0.0) >= ROOT_SHARE_MIN for m in neuro):
                nerves = {MUSCLES[m].nerve for m in neuro}
                para = [m for m in neuro if m.startswith("paraspinal")]
                if len(nerves) >= 2:
                    why.append(f"Every neurogenic muscle is supplied by {root}, through "
                               f"{len(nerves)} different nerves: the lesion is at the root.")
                    why.append("Sural and superficial peroneal sensory potentials are normal "
                               "although the patient is numb: the lesion is proximal to the "
                               "dorsal root ganglion.")
                    if para:
                        why.append("Paraspinal denervation: the posterior ramus leaves at "
                                   "the root, so the lesion is at the root itself.")
                    return (f"{root} root", "root", f"{root} radiculopathy (proximal to the "
                            "dorsal root ganglion)" + (", with active denervation."
                                                       if any(emg[m].fibrillations
                                                              for m in neuro) else "."), why)
    # 6. mononeuropathies
    if neuro and set(neuro) <= {"tibialis-anterior", "extensor-digitorum-brevis"} and \
            emg["tibialis-posterior"].normal:
        why.append("Denervation confined to deep peroneal muscles; tibialis posterior (L5, "
                   "tibial) normal.")
        return ("peroneal nerve", "nerve", "Peroneal neuropathy (at or above the fibular "
                "head).", why)
    if "across elbow" in motor["ulnar"].conduction_block or \
            (neuro and set(neuro) <= {"first-dorsal-interosseous"}):
        return ("ulnar nerve at the elbow", "nerve", "Ulnar neuropathy at the elbow.", why)
    return ("unlocalised", "unlocalised", "Abnormal study that these rules do not localise: "
            "see the findings.", why)
