"""Where the SCS lead sits: vertebral level, posture, dermatomes and paresthesia coverage.

Clinicians program spinal cord stimulation by where the paresthesia lands on the body. This
module maps the fibres :mod:`sim.recruitment` recruits under an SCS lead to dermatomes and
compares them with the patient's painful area (``Patient.pain_area``):

* the dorsal CSF thickness under the lead from the patient's value (at the reference level
  T9, sitting), the vertebral level (MRI profile) and the posture (:func:`csf_under_lead_mm`);
* the spinal segment under each vertebra (:data:`SEGMENT_AT_LEVEL`);
* which dermatome each Aβ fibre under the lead serves (:func:`fibre_dermatomes`): the dorsal
  columns at a level carry the segments within reach below it (:data:`DC_REACH_SEGMENTS`),
  laminated with the most caudal segments medially; the dorsal-root fibres near the lateral
  edge belong to the segments entering there;
* paresthesia dermatomes, coverage of the painful area and the placement factor by which
  tonic relief depends on coverage (:func:`coverage`).

Tags as in ``docs/science.md``: [P] published measurement, [S] secondary source or textbook,
[T] clinical practice, [A] modelling assumption.

References
----------
Holsheimer J., den Boer J.A., Struijk J.J., Rozeboom A.R. (1994) MR assessment of the normal
position of the spinal cord in the spinal canal. AJNR Am J Neuroradiol 15:951-959.
He J., Barolat G., Holsheimer J., Struijk J.J. (1994) Perception threshold and electrode
position for spinal cord stimulation. Pain 59:55-63.
Olin J.C., Kidd D.H., North R.B. (1998) Postural changes in spinal cord stimulation perceptual
thresholds. Neuromodulation 1:171-175.
Feirabend H.K.P., Choufoer H., Ploeger S., Holsheimer J., van Gool J.D. (2002) Morphometry of
human superficial dorsal and dorsolateral column fibres: significance to spinal cord
stimulation. Brain 125:1137-1149.
Standring S. (ed.) Gray's Anatomy, 41st ed. (2016), vertebral and spinal segmental levels.
Smith M.C., Deacon P. (1984) Topographical anatomy of the posterior columns of the spinal cord
in man: the long ascending fibres. Brain 107:671-698.
Barolat G., Massaro F., He J., Zeme S., Ketcik B. (1993) Mapping of sensory responses to
epidural stimulation of the intraspinal neural structures in man. J Neurosurg 78:233-239.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.params import PARAMETERS, ParameterError

if TYPE_CHECKING:
    from sim.patients import Patient
    from sim.waveforms import Program

__all__ = [
    "SEGMENTS",
    "SIDES",
    "VERTEBRAL_LEVELS",
    "SEGMENT_AT_LEVEL",
    "CSF_PROFILE_MM",
    "CSF_REFERENCE_LEVEL",
    "POSTURES",
    "POSTURE_CSF_SHIFT_MM",
    "ROOT_SEGMENTS_UNDER_LEAD",
    "DC_REACH_SEGMENTS",
    "Dermatome",
    "parse_pain_area",
    "csf_under_lead_mm",
    "FibreDermatomes",
    "fibre_dermatomes",
    "Coverage",
    "coverage",
    "POSTURE_ORDER",
    "posture_series",
]

#: Spinal segments whose dermatomes the body map draws, rostral to caudal.
SEGMENTS: tuple[str, ...] = tuple(
    [f"C{i}" for i in range(2, 9)] + [f"T{i}" for i in range(1, 13)]
    + [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)])
#: Body sides. Positive lateral positions in :mod:`sim.recruitment` (and a positive
#: ``lateral_offset_mm``) are the patient's left [convention].
SIDES = ("left", "right")
#: Vertebral levels a lead can sit at (the ``lead_level`` declaration).
VERTEBRAL_LEVELS: tuple[str, ...] = PARAMETERS["lead_level"].choices or ()


def _segment_at(level: str) -> str:
    """Spinal segment under a vertebral body, by the rule of thumb of the anatomy texts
    [S Standring, Gray's Anatomy]: cervical vertebra + 1, T1-T6 + 2, T7-T9 + 3; the T10
    vertebra lies over L1, T11 over L3, T12 over L5 and L1 over the sacral cord (conus)."""
    region, k = level[0], int(level[1:])
    if region == "C":
        return f"C{k + 1}"
    if region == "L":
        return "S2"
    if k <= 6:
        return f"T{k + 2}"
    if k <= 9:
        return f"T{k + 3}"
    return {10: "L1", 11: "L3", 12: "L5"}[k]


#: Spinal segment under each vertebral level [S].
SEGMENT_AT_LEVEL: Mapping[str, str] = MappingProxyType(
    {lv: _segment_at(lv) for lv in VERTEBRAL_LEVELS})

#: Typical dorsal CSF thickness by vertebral level [mm] (sitting), the shape of the MRI
#: measurements of Holsheimer et al. 1994 [P]: about 2-6 mm at T11 and 4-8.5 mm at T5-T6,
#: thin in the mid-cervical canal (He et al. 1994 [P]: level differences in perception
#: threshold come mainly from the CSF layer). Values between those anchors are interpolated
#: [A]. Only the ratio to :data:`CSF_REFERENCE_LEVEL` is used.
CSF_PROFILE_MM: Mapping[str, float] = MappingProxyType({
    "C2": 2.6, "C3": 2.4, "C4": 2.3, "C5": 2.3, "C6": 2.4, "C7": 2.6,
    "T1": 3.2, "T2": 4.0, "T3": 4.8, "T4": 5.6, "T5": 6.2, "T6": 6.2, "T7": 5.8,
    "T8": 5.2, "T9": 4.7, "T10": 4.3, "T11": 4.0, "T12": 3.5, "L1": 3.0})
#: Level at which the patient's ``csf_thickness_mm`` is given: the T8-T10 leads of He et al.
#: 1994 and of the presets [P].
CSF_REFERENCE_LEVEL = "T9"
#: Postures of a session (sitting unless a posture event says otherwise).
POSTURES = ("sitting", "standing", "supine", "prone")
#: Change of the dorsal CSF layer with posture [mm]: the cord follows gravity within the
#: canal, towards the dorsal dura lying supine and away from it prone (Holsheimer et al.
#: 1994 MRI [P], direction); perception thresholds are lowest supine (Olin, Kidd & North 1998
#: [P]), which is why paresthesia jumps when a patient lies down. Sizes are assumptions [A]
#: (sitting, where leads are programmed, is the reference).
POSTURE_CSF_SHIFT_MM: Mapping[str, float] = MappingProxyType(
    {"sitting": 0.0, "standing": 0.2, "supine": -1.0, "prone": 1.0})
#: Segments whose roots the lead's lateral field reaches: the segment under the cathode and
#: the next caudal one (a lead's active contacts span about 1-2 segments) [A].
ROOT_SEGMENTS_UNDER_LEAD = 2
#: Caudal segments whose dorsal-column fibres a lead can reach, counted from the segment under
#: it [A]. A segment's fibres join the dorsal column at its dorsolateral surface; the fibres
#: of each segment entering above push them medially and deeper, and many give off their
#: collaterals and end within a few segments (the lamination of the long ascending fibres in
#: man, Smith & Deacon 1984 Brain 107:671 [S]), while SCS activates only the superficial
#: 0.25 mm of the column (Feirabend et al. 2002 [P]). So the dermatomes of a lead's
#: paresthesia lie within some segments below it: mid-cervical leads give paresthesia in the
#: hand and arm and not in the legs, leads at T8-T12 in the legs and feet, and the foot is
#: rarely reached from mid-thoracic levels (the mapping of Barolat et al. 1993 J Neurosurg
#: 78:233 [P]). Ten segments puts a lead over the T5 vertebra (the T7 segment) just short of
#: S1, the foot, and keeps the dermatomes of the presets' T9 lead (L1-S5) whole.
DC_REACH_SEGMENTS = 10
#: Least dorsal CSF thickness [mm] (the declared minimum of ``csf_thickness_mm``).
_CSF_MIN_MM = float(PARAMETERS["csf_thickness_mm"].minimum)
_CSF_MAX_MM = float(PARAMETERS["csf_thickness_mm"].maximum)


@dataclass(frozen=True)
class Dermatome:
    """One dermatome on one side of the body.

    Attributes
    ----------
    segment : str
        Spinal segment, ``C2`` .. ``S5``.
    side : str
        ``left`` or ``right``.
    """

    segment: str
    side: str

    @property
    def label(self) -> str:
        """E.g. ``L5 left``."""
        return f"{self.segment} {self.side}"


def parse_pain_area(pain_area: str) -> tuple[Dermatome, ...]:
    """The dermatomes of a ``pain_area`` text, e.g. ``'L5-S1:left'`` or ``'L4-S1:both'``.

    Examples
    --------
    >>> [d.label for d in parse_pain_area("L5-S1:left")]
    ['L5 left', 'S1 left']
    >>> len(parse_pain_area("L4-S1:both"))
    6
    """
    text = PARAMETERS["pain_area"].validate(pain_area)
    out: list[Dermatome] = []
    for token in text.split():
        span, side = token.split(":")
        a, _, b = span.partition("-")
        i, j = SEGMENTS.index(a), SEGMENTS.index(b or a)
        if j < i:
            raise ParameterError(f"pain_area={text!r}: {span} runs from caudal to rostral; "
                                 f"write {b}-{a}", name="pain_area", value=text)
        sides = SIDES if side == "both" else (side,)
        for seg in SEGMENTS[i:j + 1]:
            for sd in sides:
                d = Dermatome(seg, sd)
                if d not in out:
                    out.append(d)
    return tuple(out)


def csf_under_lead_mm(csf_thickness_mm: float, lead_level: str = CSF_REFERENCE_LEVEL,
                      posture: str = "sitting") -> float:
    """Dorsal CSF thickness under the lead [mm].

    The patient's thickness at :data:`CSF_REFERENCE_LEVEL` scaled by the level profile
    (:data:`CSF_PROFILE_MM`), plus the posture shift (:data:`POSTURE_CSF_SHIFT_MM`), kept
    within the declared 1-8 mm and rounded to 0.05 mm (so sessions share cached fibres).

    Examples
    --------
    >>> csf_under_lead_mm(3.0)
    3.0
    >>> csf_under_lead_mm(3.0, "T9", "supine")
    2.0
    >>> csf_under_lead_mm(3.0, "T5") > 3.5          # thicker CSF mid-thoracic
    True
    """
    csf = PARAMETERS["csf_thickness_mm"].validate(csf_thickness_mm)
    level = PARAMETERS["lead_level"].validate(lead_level)
    if posture not in POSTURE_CSF_SHIFT_MM:
        raise ParameterError(f"posture={posture!r} is not one of {', '.join(POSTURES)}",
                             name="posture", value=posture)
    value = (csf * CSF_PROFILE_MM[level] / CSF_PROFILE_MM[CSF_REFERENCE_LEVEL]
             + POSTURE_CSF_SHIFT_MM[posture])
    return float(np.clip(round(value / 0.05) * 0.05, _CSF_MIN_MM, _CSF_MAX_MM))


@dataclass(frozen=True, eq=False)
class FibreDermatomes:
    """Which dermatome each fibre of the SCS Aβ population serves (read-only arrays).

    Attributes
    ----------
    dermatomes : tuple of Dermatome
        The dermatomes fibres under this lead level serve (index space of ``index``).
    index : ndarray of int
        Per fibre of :func:`sim.recruitment.population`, its dermatome's index.
    counts : ndarray of int
        Fibres per dermatome.
    """

    dermatomes: tuple[Dermatome, ...]
    index: np.ndarray
    counts: np.ndarray


@functools.lru_cache(maxsize=32)
def fibre_dermatomes(lead_level: str = CSF_REFERENCE_LEVEL, n_fibers: int | None = None,
                     seed: int | None = None) -> FibreDermatomes:
    """Dermatome of each Aβ fibre under an SCS lead at ``lead_level``.

    Dorsal-column fibres carry the :data:`DC_REACH_SEGMENTS` segments caudal to the one under
    the lead (fewer at the caudal end of the cord); their mediolateral lamination puts the
    most caudal segments medially and adds each entering segment laterally [S: the
    dorsal-column somatotopy of the anatomy texts]: fibres are assigned to those segments by
    their rank in distance from the midline, equal numbers each [A]. Dorsal-root fibres belong
    to the :data:`ROOT_SEGMENTS_UNDER_LEAD` segments entering under the lead. Side: positive
    lateral position is the left.
    """
    from sim import recruitment as R
    from sim.fibers import FiberClass
    level = PARAMETERS["lead_level"].validate(lead_level)
    pop = R.population("scs", FiberClass.ABETA,
                       n_fibers=R.DEFAULT_N_FIBERS if n_fibers is None else n_fibers,
                       seed=R.DEFAULT_SEED if seed is None else seed)
    s0 = SEGMENTS.index(SEGMENT_AT_LEVEL[level])
    caudal = SEGMENTS[s0 + 1:s0 + 1 + DC_REACH_SEGMENTS] or SEGMENTS[-1:]
    roots = SEGMENTS[s0:s0 + ROOT_SEGMENTS_UNDER_LEAD]
    root = pop.root if pop.root is not None else np.zeros(pop.n_fibers, dtype=bool)
    lateral = np.abs(pop.x_mm)
    seg_of = np.empty(pop.n_fibers, dtype=object)
    dc = np.flatnonzero(~root)
    rank = np.empty(dc.size)
    rank[np.argsort(lateral[dc], kind="stable")] = np.arange(dc.size) / dc.size
    medial_first = caudal[::-1]
    seg_of[dc] = [medial_first[int(q * len(medial_first))] for q in rank]
    rt = np.flatnonzero(root)
    seg_of[rt] = [roots[i % len(roots)] for i in range(rt.size)]
    side = np.where(pop.x_mm >= 0, "left", "right")
    derms = tuple(Dermatome(s, sd) for s in SEGMENTS[s0:] for sd in SIDES)
    lookup = {(d.segment, d.side): i for i, d in enumerate(derms)}
    index = np.array([lookup[(s, sd)] for s, sd in zip(seg_of, side, strict=True)])
    counts = np.bincount(index, minlength=len(derms))
    index.setflags(write=False)
    counts.setflags(write=False)
    return FibreDermatomes(derms, index, counts)


@dataclass(frozen=True)
class Coverage:
    """Paresthesia on the body and its overlap with the painful area.

    Attributes
    ----------
    lead_level : str
        Vertebral level of the lead.
    csf_thickness_mm : float
        Dorsal CSF thickness under the lead [mm] (level and posture applied).
    paresthesia : tuple of Dermatome
        Dermatomes in which the patient feels paresthesia: the program is above the
        perception threshold and at least the perception fraction of the dermatome's fibres
        is recruited (the whole-population rule of
        :data:`sim.recruitment.PERCEPTION_FRACTION`, per dermatome).
    pain : tuple of Dermatome
        The painful area.
    covered : tuple of Dermatome
        Painful dermatomes with paresthesia.
    coverage_pct : float
        Painful dermatomes with paresthesia [%]; NaN without a painful area.
    placement_factor : float
        How much of the recruited drive reaches the painful dermatomes [0-1]: the mean over
        the painful dermatomes of their recruited fraction relative to the whole
        population's, capped at 1 (1 = the painful area gets at least its share, as when
        the lead sits over it; 1 without a painful area or without recruitment).
    """

    lead_level: str
    csf_thickness_mm: float
    paresthesia: tuple[Dermatome, ...]
    pain: tuple[Dermatome, ...]
    covered: tuple[Dermatome, ...]
    coverage_pct: float
    placement_factor: float


def coverage(program: Program, patient: Patient, *, posture: str = "sitting",
             amplitude_mA: float | None = None) -> Coverage:
    """Paresthesia dermatomes of an SCS program on a patient and their coverage of the pain.

    Parameters
    ----------
    program : Program
        The program (its ``lead_level``, ``lateral_offset_mm`` and contacts place the lead).
    patient : Patient
        The patient (``csf_thickness_mm`` at T9 sitting, ``pain_area``).
    posture : str
        One of :data:`POSTURES`.
    amplitude_mA : float, optional
        Amplitude to evaluate (default the program's).

    Returns
    -------
    Coverage
        DRG: paresthesia in the dermatomes of the ganglia with a lead (``drg_roots``) once the
        program is felt; the placement factor is the share of the painful dermatomes among
        them. PNS and TENS: the painful area counts as covered once the stimulation is felt
        (the lead or pads sit on the painful territory) [A].
    """
    amp = program.amplitude_mA if amplitude_mA is None else float(amplitude_mA)
    return _coverage(program.replace(amplitude_mA=amp) if amp != program.amplitude_mA
                     else program, patient.csf_thickness_mm, patient.pain_area, posture)


@functools.lru_cache(maxsize=1024)
def _coverage(program: Program, csf_mm: float, pain_area: str, posture: str) -> Coverage:
    from sim import recruitment as R
    from sim.fibers import FiberClass
    pain = parse_pain_area(pain_area)
    level = program.lead_level
    csf = csf_under_lead_mm(csf_mm, level, posture)
    if program.therapy == "drg" and program.is_active:
        # a lead on each named ganglion: paresthesia in those roots' dermatomes only
        roots = parse_pain_area(program.drg_roots)
        felt = R.recruit(program, csf_thickness_mm=csf).paresthesia
        par = roots if felt else ()
        covered = tuple(d for d in pain if d in par)
        pct = 100.0 * len(covered) / len(pain) if pain else math.nan
        factor = (sum(d in roots for d in pain) / len(pain)) if pain else 1.0
        return Coverage(level, csf, par, pain, covered, pct, factor)
    if program.therapy != "scs" or not program.is_active:
        felt = program.is_active and R.recruit(program, csf_thickness_mm=csf).paresthesia
        cov = (100.0 if felt else 0.0) if pain else math.nan
        return Coverage(level, csf, pain if felt else (), pain, pain if felt else (), cov, 1.0)
    th = R.fibre_thresholds_unsorted_mA(program, FiberClass.ABETA, csf_thickness_mm=csf)
    fd = fibre_dermatomes(level)
    recruited = th <= program.amplitude_mA
    per = np.bincount(fd.index[recruited], minlength=len(fd.dermatomes))
    frac = np.divide(per, fd.counts, out=np.zeros(len(fd.dermatomes)), where=fd.counts > 0)
    perceived = R.recruit(program, csf_thickness_mm=csf).paresthesia
    felt_d = tuple(d for d, f in zip(fd.dermatomes, frac, strict=True)
                   if perceived and f >= R.PERCEPTION_FRACTION)
    if not pain:
        return Coverage(level, csf, felt_d, pain, (), math.nan, 1.0)
    pos = {d: i for i, d in enumerate(fd.dermatomes)}
    covered = tuple(d for d in pain if d in felt_d)
    overall = recruited.mean()
    if overall > 0:
        rel = [min(1.0, frac[pos[d]] / overall) if d in pos else 0.0 for d in pain]
        factor = float(np.mean(rel))
    else:
        factor = 1.0
    return Coverage(level, csf, felt_d, pain, covered, 100.0 * len(covered) / len(pain),
                    factor)


#: Postures in the order of their codes in :func:`posture_series` (sitting = 0, the default).
POSTURE_ORDER = ("sitting", "standing", "supine", "prone")


def posture_series(events: Any, t: np.ndarray) -> np.ndarray:
    """The patient's posture at each sample as an index into :data:`POSTURE_ORDER`: sitting
    unless a ``supine``, ``prone`` or ``standing`` event runs (the later event wins)."""
    code = np.zeros(t.shape, dtype=int)
    for ev in events:
        if ev.kind in POSTURE_ORDER:
            on = (t >= ev.start_s) & (t < ev.stop_s)
            code = np.where(on, POSTURE_ORDER.index(ev.kind), code)
    return code
