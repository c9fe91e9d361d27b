"""The therapies: one registry of what differs between SCS, PNS, TENS and no stimulation.

Every module that treats therapies differently reads it from here (device limits, which
program fields belong to the placement, whether the electrode lies on a peripheral nerve, the
program a switch of therapy starts from), so a new therapy is one entry here plus its field
geometry in :mod:`sim.recruitment` and :mod:`sim.electrodes`.

``Therapy`` is a ``str`` enum: ``Therapy.SCS == "scs"``, so session documents, URLs and the
CLI keep their plain names.

>>> THERAPIES[Therapy.SCS].device_max_mA
25.5
>>> [t.value for t in Therapy if THERAPIES[t].peripheral]
['pns', 'tens']
>>> therapy_spec("tens").compliance_limit_V
80.0

This module imports nothing from the rest of :mod:`sim` (it sits under
:mod:`sim.params`, which declares the therapy choice from :data:`THERAPY_NAMES`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

__all__ = ["Therapy", "TherapySpec", "THERAPIES", "THERAPY_NAMES", "therapy_spec"]


class Therapy(str, Enum):
    """Where the current goes (the ``therapy`` field of a program)."""

    SCS = "scs"
    PNS = "pns"
    TENS = "tens"
    DRG = "drg"
    OFF = "off"

    def __str__(self) -> str:  # "scs", not "Therapy.SCS", in messages and f-strings
        return self.value


@dataclass(frozen=True)
class TherapySpec:
    """What one therapy is and the limits of its devices.

    Attributes
    ----------
    therapy : Therapy
    label : str
        Short label on controls ("SCS").
    title : str
        Full name ("Spinal cord stimulation").
    implanted : bool
        An implanted (or worn) generator whose battery life the dashboard states; a TENS unit
        is external and its batteries are swapped.
    peripheral : bool
        The electrode acts on a peripheral nerve (a lead beside it or pads over it): a
        conduction block between the electrode and the cord stops its evoked activity.
    single_channel : bool
        One channel of two contacts (cathode and anode): PNS leads and TENS pad pairs.
    placement_params : tuple of str
        Program fields that only this therapy reads (where the electrode lies, how it is
        driven).
    varying_placement : tuple of str
        Those of them that differ from patient to patient (a cohort draws them).
    device_max_mA : float
        Largest amplitude its devices deliver [mA]: implanted pulse generators about 25 mA,
        PNS about 30 mA, TENS units about 100 mA [T: device specifications, docs/science.md
        §7.2].
    compliance_limit_V : float
        Output voltage compliance [V]: implanted generators about 10-15 V, external TENS units
        up to about 80 V [T: docs/science.md §1.3].
    discomfort_ratio : float
        Discomfort threshold / perception threshold: SCS and PNS 1.5 [T: 1.4-1.6,
        docs/science.md §3.3]; TENS 4 [P, approximate: the window between sensory detection
        and pain thresholds of TENS is several times the detection threshold, Hughes, Bennett
        & Johnson 2013 Clin J Pain 29:146].
    preset : str
        The program preset a switch to this therapy starts from (:mod:`sim.presets`).
    screening_trial : bool
        A permanent implant follows a temporary screening trial that must succeed (SCS and
        DRG: the trials PROCESS, ACCURATE and Evoke implanted only after one, as guidelines
        advise; docs/science.md §6). PNS leads are themselves temporary or implanted
        directly; TENS needs no implant.
    """

    therapy: Therapy
    label: str
    title: str
    implanted: bool
    peripheral: bool
    single_channel: bool
    placement_params: tuple[str, ...]
    varying_placement: tuple[str, ...]
    device_max_mA: float
    compliance_limit_V: float
    discomfort_ratio: float
    preset: str
    screening_trial: bool = False


#: The registry, one entry per therapy.
THERAPIES: Mapping[Therapy, TherapySpec] = MappingProxyType({
    Therapy.SCS: TherapySpec(
        Therapy.SCS, "SCS", "Spinal cord stimulation", implanted=True, peripheral=False,
        single_channel=False,
        placement_params=("lateral_offset_mm", "csf_thickness_mm", "lead_level", "loop_mode"),
        varying_placement=("lateral_offset_mm",), device_max_mA=25.5,
        compliance_limit_V=12.0, discomfort_ratio=1.5, preset="scs-tonic",
        screening_trial=True),
    Therapy.PNS: TherapySpec(
        Therapy.PNS, "PNS", "Peripheral nerve stimulation", implanted=True, peripheral=True,
        single_channel=True, placement_params=("lead_distance_mm",),
        varying_placement=("lead_distance_mm",), device_max_mA=30.0,
        compliance_limit_V=15.0, discomfort_ratio=1.5, preset="pns"),
    Therapy.TENS: TherapySpec(
        Therapy.TENS, "TENS", "Transcutaneous electrical nerve stimulation", implanted=False,
        peripheral=True, single_channel=True, placement_params=("nerve_depth_mm",),
        varying_placement=(), device_max_mA=100.0, compliance_limit_V=80.0, discomfort_ratio=4.0,
        preset="tens-conventional"),
    # DRG: a lead on one or more dorsal root ganglia, central to any peripheral block; its
    # generator delivers a few mA at most [T; 6 mA an assumption]; compliance as an implanted
    # SCS generator [A]; window as SCS [A]
    Therapy.DRG: TherapySpec(
        Therapy.DRG, "DRG", "Dorsal root ganglion stimulation", implanted=True,
        peripheral=False, single_channel=False, placement_params=("drg_roots",),
        varying_placement=(), device_max_mA=6.0, compliance_limit_V=12.0,
        discomfort_ratio=1.5, preset="drg", screening_trial=True),
    Therapy.OFF: TherapySpec(
        Therapy.OFF, "off", "No stimulation", implanted=False, peripheral=False,
        single_channel=False, placement_params=(), varying_placement=(), device_max_mA=0.0,
        compliance_limit_V=12.0, discomfort_ratio=1.5, preset="off"),
})

#: The therapy names in declaration order (the choices of the ``therapy`` parameter).
THERAPY_NAMES: tuple[str, ...] = tuple(t.value for t in Therapy)


def therapy_spec(therapy: str | Therapy) -> TherapySpec:
    """The registry entry of ``therapy`` (a :class:`Therapy` or its name).

    Raises
    ------
    ValueError
        For a name that is no therapy (programs are validated before they get here).
    """
    return THERAPIES[Therapy(therapy)]
