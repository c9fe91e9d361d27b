"""Needle electromyography: spontaneous activity, motor-unit potentials and recruitment.

What is here (docs/science.md §9.5):

* :data:`MUSCLES`, the muscles a needle can examine, with their nerve, root supply (myotome)
  and the distance from each lesion site to the muscle;
* :func:`muscle_condition`, what a :class:`~sim.patients.Patient` does to a muscle: motor
  units lost to a focal lesion (root or nerve) or to a length-dependent neuropathy, the
  fibrillating (denervated, not yet reinnervated) fraction, reinnervation by collateral
  sprouting, muscle-fibre loss in a myopathy;
* :func:`needle_emg`, the examination: spontaneous activity at rest (fibrillations and
  positive sharp waves), the motor-unit potentials (MUPs) at slight effort measured as in
  quantitative EMG, the recruitment pattern, and a trace to plot or listen to
  (:func:`wav_bytes`, :func:`write_wav`).

The model
---------
A MUP is the sum of the potentials of the unit's muscle fibres near the needle, computed by the
same superposition as the sensory nerve action potential (:func:`sim.ncs.compound_potential`):
fibre ``k`` at radial distance ``r_k`` from the electrode (uniform over a disc of radius
:data:`PICKUP_RADIUS_MM`) gives a triphasic potential of peak ``A_SF exp(-r_k / λ)`` and
duration ``D0 + k_D r_k`` (far fibres are seen through more tissue, which smooths their
potential), arriving at a time scattered by the spread of end-plates along the fibres
(s.d. :data:`ENDPLATE_SCATTER_MS`). The unit has :data:`FIBRES_NEAR_NEEDLE` fibres within that
disc, scaled by its size. The MUP's amplitude comes from the few nearest fibres, its duration
from all of them: so a myopathy (fewer fibres per unit) makes MUPs small and short, and
reinnervation (a surviving axon adopts denervated fibres: more fibres per unit, young sprouts
conducting unevenly) makes them large, long and polyphasic, as in the textbooks
(Buchthal & Kamieniecka 1982 [P]; Preston & Shapiro 2013 [T]).

Recruitment follows the motor-unit pool model of Fuglevand, Winter & Patla (1993) [P]:
recruitment thresholds spread exponentially (range :data:`RECRUITMENT_RANGE`), each unit fires
at :data:`MIN_FIRING_HZ` when recruited and faster by :data:`FIRING_GAIN_HZ` per unit of
excitation up to :data:`PEAK_FIRING_HZ`; peak forces spread exponentially over
:data:`FORCE_RANGE`. The excitation is raised until the units make the requested force. Lost
units force the survivors to fire faster before others join (reduced recruitment); weak units
in a myopathy force many units to join early (early recruitment).

References
----------
Buchthal F., Kamieniecka Z. (1982) The diagnostic yield of quantified electromyography and
quantified muscle biopsy in neuromuscular disorders. Muscle Nerve 5:265-280 [P] (mean MUP
duration more than 20 % below / above the normal mean: myopathic / neurogenic).
Fuglevand A.J., Winter D.A., Patla A.E. (1993) Models of recruitment and rate coding
organization in motor-unit pools. J Neurophysiol 70:2470-2488 [P].
Kraft G.H. (1990) Fibrillation potential amplitude and muscle atrophy following peripheral
nerve injury. Muscle Nerve 13:814-821 [P] (fibrillations shrink over months: above 100 µV
early, below 100 µV after a year).
Preston D.C., Shapiro B.E. (2013) Electromyography and Neuromuscular Disorders, 3rd ed. [T]
(fibrillations appear 1-3 weeks after denervation, earlier near the lesion; fibrillations
1-5 ms, 20-200 µV, firing regularly at 0.5-15 Hz; normal MUPs 5-15 ms, 2-4 phases;
recruitment ratio above 10 = reduced recruitment, normal about 5).
Stålberg E., Thiele B. (1975) Motor unit fibre density in the extensor digitorum communis
muscle. J Neurol Neurosurg Psychiatry 38:874-880 [P] (1.5 fibres of one unit within 300 µm
of an electrode in normal muscle; more after reinnervation).
Wilbourn A.J., Aminoff M.J. (1998) The electrodiagnostic examination in patients with
radiculopathies. Muscle Nerve 21:1612-1631 [S] (paraspinal denervation in root lesions).
"""
from __future__ import annotations

import functools
import io
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from sim.lesions import LESION_SITES
from sim.params import PARAMETERS, ParameterError
from sim.patients import Patient

__all__ = ["Muscle", "MUSCLES", "muscle_names", "MuscleCondition", "muscle_condition",
           "MotorUnitPotentials", "Recruitment", "EMGResult", "needle_emg", "wav_bytes",
           "write_wav", "FIBRILLATION_ONSET_MIN_DAYS", "FIBRILLATION_DELAY_DAYS_PER_M",
           "DURATION_CHANGE_LIMIT", "REDUCED_RECRUITMENT_RATIO", "SAMPLE_RATE_HZ"]

# =============================================================================================
# Constants
# =============================================================================================
#: Earliest fibrillations after an axon is cut [days]: Wallerian degeneration has to reach the
#: end-plates first. Preston & Shapiro 2013 [T]: "1-3 weeks", earlier in muscles close to the
#: lesion (paraspinals) than in distal limb muscles.
FIBRILLATION_ONSET_MIN_DAYS = 7.0
#: Further delay per metre of nerve between the lesion and the muscle [days/m] [A]: with it,
#: every muscle in :data:`MUSCLES` starts fibrillating within 7-21 days (paraspinals at 5 cm:
#: day 7.6; the foot at 1.15 m: day 20.8), the textbook 1-3 weeks.
FIBRILLATION_DELAY_DAYS_PER_M = 12.0
#: Fibrillations reach their full density this long after they first appear [days] [A].
FIBRILLATION_RAMP_DAYS = 7.0
#: Fibrillation amplitude: early, late (after a year) and decay time [µV, µV, days] [A; Kraft
#: 1990 P: above 100 µV in the first months, below 100 µV after a year].
FIB_AMPLITUDE_EARLY_UV, FIB_AMPLITUDE_LATE_UV, FIB_AMPLITUDE_DECAY_DAYS = 200.0, 50.0, 240.0
#: Collateral sprouting: starts this many days after the lesion and completes with this time
#: constant [days] [A; Preston & Shapiro 2013 T: unstable, polyphasic MUPs after 1-2 months,
#: large long MUPs after 3-6 months].
REINNERVATION_START_DAYS, REINNERVATION_TAU_DAYS = 28.0, 120.0
#: Fraction of the orphaned muscle fibres the survivors adopt when sprouting is complete [1],
#: and the most a unit can grow [x] [A; surviving units can enlarge several-fold, T].
REINNERVATION_GAIN, MAX_ENLARGEMENT = 1.0, 5.0
#: In a chronic length-dependent neuropathy, the fraction of lost units still fibrillating
#: (axons still dying back, not yet reinnervated) [1] [A].
ONGOING_DENERVATION_SHARE = 0.25
#: ... and sprouting there keeps up with half the loss [1] [A].
DIFFUSE_REINNERVATION = 0.5
#: Motor axons lose this fraction of the patient's (sural, sensory) axonal loss [1] [A:
#: diabetic polyneuropathy is sensory-predominant, T], times the length factor
#: (axon length / 1.05 m)^2 (the same length dependence as the median/sural ratio in
#: :mod:`sim.ncs`) [A].
MOTOR_SHARE_OF_AXONAL_LOSS = 0.5
SURAL_AXON_LENGTH_MM = 1050.0
#: A myopathy involves distal muscles this much of proximal ones [1] [A; most myopathies are
#: proximal, T].
DISTAL_MYOPATHY_INVOLVEMENT = 0.3

#: Model motor units per muscle [1] (a pool; Fuglevand et al. 1993 used 120) [P].
UNITS_PER_MUSCLE = 120
#: Recruitment-threshold range, force range [x], firing at recruitment, gain per excitation
#: unit and peak rate [Hz]: Fuglevand et al. 1993 [P] (RR 30, RP 100, 8 Hz, 1 Hz, 35 Hz).
RECRUITMENT_RANGE, FORCE_RANGE = 30.0, 100.0
MIN_FIRING_HZ, FIRING_GAIN_HZ, PEAK_FIRING_HZ = 8.0, 1.0, 35.0
#: Share of the active units whose potentials the needle picks up clearly [1] [A: a
#: concentric needle records about a handful of units at slight effort, T].
VISIBLE_FRACTION = 0.05
#: Recruitment ratio (fastest firing rate / units firing) above which recruitment is reduced
#: [1] (Preston & Shapiro 2013 [T]: about 5 normal, above 10 reduced).
REDUCED_RECRUITMENT_RATIO = 10.0
#: Units firing at least this multiple of the healthy number at the same effort: early
#: recruitment [x] [A].
EARLY_RECRUITMENT_FACTOR = 1.25
#: Quantitative EMG: this many MUPs are sampled and averaged [1] (Buchthal's 20) [P].
MUPS_SAMPLED = 20
#: Mean MUP duration more than this fraction below/above the muscle's normal mean is
#: myopathic/neurogenic [1] (Buchthal & Kamieniecka 1982 [P]).
DURATION_CHANGE_LIMIT = 0.2

#: Fibre potential: peak at the electrode, decay length, duration at the electrode and its
#: growth with distance [µV, mm, ms, ms/mm] [A]: fibrillations (single fibres) are 1-5 ms and
#: 20-200 µV [T]; together with the scatter and fibre count below they give healthy MUPs of
#: about 9-11 ms and 0.5-1 mV, inside the textbook 5-15 ms and 0.2-3 mV [T].
FIBRE_PEAK_UV, FIBRE_DECAY_MM, FIBRE_DURATION_MS, FIBRE_DURATION_MS_PER_MM = 300.0, 0.5, 1.5, 6.0
#: Radius around the needle within which a unit's fibres contribute [mm] [A; MUP "pick-up" of
#: a concentric needle, T], and the fibres of a normal unit inside it [1] [A; consistent with
#: a fibre density of 1.5 within 300 µm, Stålberg & Thiele 1975 P: 1.5 x (2.0/0.3)^2 ≈ 65
#: over the whole disc for a unit whose territory covers it, about half that on average].
PICKUP_RADIUS_MM, FIBRES_NEAR_NEEDLE = 2.0, 30
#: Reinnervated units' fibres cluster (fibre-type grouping): their distances to the needle
#: shrink as enlargement^-GROUPING_EXPONENT [1] [A; fibre density rises after reinnervation,
#: Stålberg & Thiele 1975 P].
GROUPING_EXPONENT = 0.15
#: Scatter of the fibres' arrival times from the spread of end-plates and terminal branches
#: [ms] [A]; sprouts of a reinnervating unit conduct unevenly, raising it by this share per
#: unit of enlargement [1] [A].
ENDPLATE_SCATTER_MS, SPROUT_SCATTER_SHARE = 0.5, 1.5
#: Myopathy: surviving fibres are smaller and vary in size; their potentials shrink by this
#: share of the myopathy [1] and scatter more [1] [A].
MYOPATHIC_FIBRE_SHRINK, MYOPATHIC_SCATTER_SHARE = 0.8, 0.5
#: A MUP's duration is read where it leaves and returns to within this of baseline [µV]
#: [A: quantitative EMG reads duration at high gain, ~10-20 µV above noise, T]; a phase must
#: exceed the same.
MUP_BASELINE_UV = 20.0
#: Trace sampling rate [Hz] (audio-capable) and length [s].
SAMPLE_RATE_HZ = 10000
TRACE_S = 0.6
#: Spontaneous potentials fire regularly at 0.5-15 Hz [T]; the model draws 1-12 Hz [A]; MUP
#: firing jitters with this interspike coefficient of variation [1] [A; about 0.1-0.2, P].
FIB_RATE_HZ, ISI_CV = (1.0, 12.0), 0.15
#: Spontaneous sources on the screen for fibrillation grades 0..4 [A; grading 1+ to 4+, T].
SOURCES_BY_GRADE = (0, 1, 3, 6, 12)


# =============================================================================================
# Muscles
# =============================================================================================
@dataclass(frozen=True)
class Muscle:
    """A muscle the needle can examine.

    Attributes
    ----------
    name, label : str
        Identifier and human label.
    nerve : str
        Peripheral nerve (or ramus) supplying it.
    roots : Mapping[str, float]
        Share of its motor axons from each root (the myotome) [1].
    from_lesion_mm : Mapping[str, float]
        Lesion sites (:data:`sim.lesions.LESION_SITES`) whose axons reach this muscle, with the
        nerve length from the site to the muscle [mm].
    axon_length_mm : float
        Length of its motor axons from the spinal cord [mm] (length-dependent neuropathy).
    proximal : bool
        A proximal (limb-girdle, trunk) muscle.
    """

    name: str
    label: str
    nerve: str
    roots: Mapping[str, float]
    from_lesion_mm: Mapping[str, float]
    axon_length_mm: float
    proximal: bool


def _m(name: str, label: str, nerve: str, roots: dict[str, float],
       from_lesion_mm: dict[str, float], axon_length_mm: float, proximal: bool) -> Muscle:
    return Muscle(name, label, nerve, MappingProxyType(roots),
                  MappingProxyType(from_lesion_mm), axon_length_mm, proximal)


#: Muscles by name (read-only). Root shares: standard myotome charts [T: Preston & Shapiro 2013;
#: Wilbourn & Aminoff 1998], simplified to the main roots [A]; lengths are adult anatomy
#: rounded to 50 mm [A].
MUSCLES: Mapping[str, Muscle] = MappingProxyType({m.name: m for m in (
    _m("paraspinal-l5", "Lumbar paraspinal (L5 level)", "L5 posterior ramus", {"L5": 1.0},
       {"l5-root": 50.0}, 60.0, True),
    _m("paraspinal-s1", "Lumbosacral paraspinal (S1 level)", "S1 posterior ramus", {"S1": 1.0},
       {"s1-root": 50.0}, 60.0, True),
    _m("gluteus-medius", "Gluteus medius", "superior gluteal",
       {"L4": 0.2, "L5": 0.6, "S1": 0.2}, {"l5-root": 250.0, "s1-root": 250.0}, 300.0, True),
    _m("vastus-lateralis", "Vastus lateralis", "femoral", {"L2": 0.2, "L3": 0.4, "L4": 0.4},
       {}, 450.0, True),
    _m("tibialis-anterior", "Tibialis anterior", "deep peroneal", {"L4": 0.2, "L5": 0.8},
       {"l5-root": 800.0, "peroneal-fibular-head": 100.0}, 800.0, False),
    _m("tibialis-posterior", "Tibialis posterior", "tibial", {"L5": 0.7, "S1": 0.3},
       {"l5-root": 800.0, "s1-root": 800.0}, 800.0, False),
    _m("extensor-digitorum-brevis", "Extensor digitorum brevis", "deep peroneal",
       {"L5": 0.6, "S1": 0.4},
       {"l5-root": 1100.0, "s1-root": 1100.0, "peroneal-fibular-head": 450.0}, 1100.0, False),
    _m("gastrocnemius", "Medial gastrocnemius", "tibial", {"S1": 0.8, "S2": 0.2},
       {"s1-root": 650.0}, 650.0, False),
    _m("abductor-hallucis", "Abductor hallucis", "tibial", {"S1": 0.6, "S2": 0.4},
       {"s1-root": 1150.0}, 1150.0, False),
    _m("deltoid", "Deltoid", "axillary", {"C5": 0.6, "C6": 0.4}, {}, 250.0, True),
    _m("biceps", "Biceps brachii", "musculocutaneous", {"C5": 0.5, "C6": 0.5}, {}, 350.0, True),
    _m("abductor-pollicis-brevis", "Abductor pollicis brevis", "median",
       {"C8": 0.4, "T1": 0.6}, {"median-wrist": 40.0}, 750.0, False),
    _m("first-dorsal-interosseous", "First dorsal interosseous", "ulnar",
       {"C8": 0.5, "T1": 0.5}, {"ulnar-elbow": 350.0}, 780.0, False),
    _m("abductor-digiti-minimi", "Abductor digiti minimi", "ulnar", {"C8": 0.6, "T1": 0.4},
       {"ulnar-elbow": 330.0}, 770.0, False),
)})


def muscle_names() -> list[str]:
    """Names of the muscles a needle can examine, in display order."""
    return list(MUSCLES)


def _muscle(name: Any) -> Muscle:
    return MUSCLES[PARAMETERS["emg_muscle"].validate(name)]


def as_patient(p: Any) -> Patient:
    from sim.ncs import as_patient as ncs_patient
    return ncs_patient(p)


# =============================================================================================
# What the patient does to a muscle
# =============================================================================================
@dataclass(frozen=True)
class MuscleCondition:
    """A patient's muscle: units lost, fibrillating, reinnervated; myopathy.

    Attributes
    ----------
    muscle : str
        Muscle name.
    lost_fraction : float
        Fraction of its motor units whose axons are lost [1].
    focal_lost_fraction : float
        The part of it due to the focal lesion [1].
    lesion_share : float
        Share of the muscle's axons crossing the focal lesion (root share or 1) [1].
    fibrillation_onset_day : float
        Day after the lesion when fibrillations appear (NaN without a focal denervation).
    fibrillating_fraction : float
        Muscle fibres denervated and not yet reinnervated, firing spontaneously [1].
    fibrillation_grade : int
        0 (none) to 4 (screen full), from the fibrillating fraction.
    reinnervation : float
        How far collateral sprouting has come (0 none, 1 complete) [1].
    enlargement : float
        Fibres per surviving unit relative to normal [x].
    myopathy : float
        Fraction of each unit's muscle fibres lost to a myopathy [1].
    silent_fraction : float
        Units the patient cannot fire voluntarily: lost, or blocked at the lesion [1] (a block
        reduces recruitment without denervating: no fibrillations).
    """

    muscle: str
    lost_fraction: float
    focal_lost_fraction: float
    lesion_share: float
    fibrillation_onset_day: float
    fibrillating_fraction: float
    fibrillation_grade: int
    reinnervation: float
    enlargement: float
    myopathy: float
    silent_fraction: float


def fibrillation_onset_day(distance_mm: float) -> float:
    """Day fibrillations appear in a muscle ``distance_mm`` of nerve beyond the lesion [days]:
    ``FIBRILLATION_ONSET_MIN_DAYS + FIBRILLATION_DELAY_DAYS_PER_M x distance / 1000``."""
    return FIBRILLATION_ONSET_MIN_DAYS + FIBRILLATION_DELAY_DAYS_PER_M * distance_mm / 1000.0


def _grade(fraction: float) -> int:
    """Fibrillation grade from the fibrillating fraction [A]: < 2 % none, < 10 % 1+,
    < 25 % 2+, < 50 % 3+, else 4+."""
    return int(sum(fraction >= x for x in (0.02, 0.10, 0.25, 0.50)))


def motor_axonal_loss(patient: Patient, axon_length_mm: float) -> float:
    """Fraction of motor axons of length ``axon_length_mm`` lost to the patient's
    length-dependent ``axonal_loss`` [1] (:data:`MOTOR_SHARE_OF_AXONAL_LOSS` x the length
    factor)."""
    return _motor_loss(patient.axonal_loss, axon_length_mm)


def _motor_loss(axonal_loss: float, axon_length_mm: float) -> float:
    factor = min(1.0, (axon_length_mm / SURAL_AXON_LENGTH_MM) ** 2)
    return float(axonal_loss * MOTOR_SHARE_OF_AXONAL_LOSS * factor)


def muscle_condition(patient: Patient | str, muscle: str) -> MuscleCondition:
    """Motor units lost, fibrillating and reinnervated in ``muscle`` of ``patient``.

    A focal lesion at ``lesion_site`` reaches the muscle if the site is on its nerve's path
    (a root lesion through the root's share of its axons). ``lesion_axonal_loss`` of those
    axons degenerate; the muscle fibres they supplied fibrillate from
    :func:`fibrillation_onset_day` on (rising over :data:`FIBRILLATION_RAMP_DAYS`) until
    collateral sprouts from surviving units adopt them. The length-dependent ``axonal_loss``
    removes :func:`motor_axonal_loss`, treated as chronic (reinnervated, a share still
    fibrillating). ``myopathy`` removes that fraction of every unit's fibres (proximal
    muscles fully, distal ones by :data:`DISTAL_MYOPATHY_INVOLVEMENT`).
    """
    pat = as_patient(patient)
    m = _muscle(muscle)
    return _condition(m.name, pat.axonal_loss, pat.lesion_site, pat.lesion_axonal_loss,
                      pat.lesion_age_days, pat.myopathy, pat.lesion_block)


@functools.lru_cache(maxsize=512)
def _condition(name: str, axonal_loss: float, site_name: str, lesion_loss: float,
               age_days: float, myopathy: float, lesion_block: float = 0.0
               ) -> MuscleCondition:
    m = MUSCLES[name]
    site = LESION_SITES[site_name]
    share = 0.0
    if site_name in m.from_lesion_mm:
        share = m.roots.get(site.root, 0.0) if site.level == "root" else 1.0
    focal = lesion_loss * share
    diffuse = _motor_loss(axonal_loss, m.axon_length_mm)
    lost = 1.0 - (1.0 - focal) * (1.0 - diffuse)
    onset = math.nan
    fib_focal = 0.0
    reinnervation_focal = 0.0
    if focal > 0:
        onset = fibrillation_onset_day(m.from_lesion_mm[site_name])
        ramp = min(1.0, max(0.0, (age_days - onset) / FIBRILLATION_RAMP_DAYS))
        if age_days >= onset:
            ramp = max(ramp, 1e-3)
        reinnervation_focal = 1.0 - math.exp(-max(0.0, age_days - REINNERVATION_START_DAYS)
                                             / REINNERVATION_TAU_DAYS)
        fib_focal = focal * ramp * (1.0 - reinnervation_focal)
    fib = fib_focal + ONGOING_DENERVATION_SHARE * diffuse
    # weight the reinnervation state of the two causes by the units each removed
    reinn = (focal * reinnervation_focal + DIFFUSE_REINNERVATION * diffuse) / (focal + diffuse) \
        if lost > 0 else 0.0
    orphaned = lost / max(1.0 - lost, 1e-6)
    enlargement = min(MAX_ENLARGEMENT, 1.0 + REINNERVATION_GAIN * orphaned * reinn)
    myo = myopathy * (1.0 if m.proximal else DISTAL_MYOPATHY_INVOLVEMENT)
    # units that cannot be driven across the lesion: cut, or blocked among the survivors
    silent = lost + (1.0 - lost) * lesion_block * share
    return MuscleCondition(name, float(lost), float(focal), float(share), float(onset),
                           float(fib), _grade(fib), float(reinn), float(enlargement),
                           float(myo), float(silent))


# =============================================================================================
# Motor units
# =============================================================================================
def _seed(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@functools.cache
def _pool(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(recruitment threshold, peak force, size factor, loss draw) of the muscle's units,
    in recruitment order; read-only."""
    n = UNITS_PER_MUSCLE
    i = np.arange(1, n + 1)
    rte = np.exp(math.log(RECRUITMENT_RANGE) * i / n)
    force = np.exp(math.log(FORCE_RANGE) * i / n)
    rng = np.random.default_rng(_seed(name))
    size = 0.7 + 0.6 * i / n  # larger, later units have more fibres near the needle [A]
    u = rng.random(n)
    for a in (rte, force, size, u):
        a.flags.writeable = False
    return rte, force, size, u


@functools.cache
def _fibre_draws(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per unit, fixed uniform (radius) and normal (arrival) draws for up to the largest
    fibre count, shape (units, MAX_FIBRES)."""
    rng = np.random.default_rng(_seed(name) + 1)
    k = int(FIBRES_NEAR_NEEDLE * 1.3 * MAX_ENLARGEMENT) + 1
    ur = rng.random((UNITS_PER_MUSCLE, k))
    z = rng.standard_normal((UNITS_PER_MUSCLE, k))
    for a in (ur, z):
        a.flags.writeable = False
    return ur, z


_MUP_T0_MS, _MUP_DT_MS, _MUP_N = -15.0, 0.1, 301  # MUP window -15..+15 ms


@functools.lru_cache(maxsize=4096)
def _mup(name: str, unit: int, enlargement: float, myo: float) -> np.ndarray:
    """One unit's MUP on the MUP window [µV] (G1 - reference, negative main phase)."""
    start, amp, dur = _fibres(name, unit, enlargement, myo)
    return _superpose(start, amp, dur)


def _fibres(name: str, unit: int, enlargement: float, myo: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wave start from the window start [ms], peak [µV], duration [ms]) of each fibre of
    ``unit`` near the needle."""
    _, _, size, _ = _pool(name)
    ur, z = _fibre_draws(name)
    n = int(round(FIBRES_NEAR_NEEDLE * size[unit] * enlargement * (1.0 - myo)))
    n = max(1, min(n, ur.shape[1]))
    r = PICKUP_RADIUS_MM * np.sqrt(ur[unit, :n]) * enlargement ** -GROUPING_EXPONENT
    amp = FIBRE_PEAK_UV * (1.0 - MYOPATHIC_FIBRE_SHRINK * myo) * np.exp(-r / FIBRE_DECAY_MM)
    dur = np.round((FIBRE_DURATION_MS + FIBRE_DURATION_MS_PER_MM * r) / _MUP_DT_MS) * _MUP_DT_MS
    scatter = ENDPLATE_SCATTER_MS * (1.0 + SPROUT_SCATTER_SHARE * (enlargement - 1.0)
                                     + MYOPATHIC_SCATTER_SHARE * myo)
    # centre each fibre's wave on its arrival; arrivals measured from the window start
    start = np.clip(-_MUP_T0_MS + scatter * z[unit, :n] - dur / 2.0, 0.05, None)
    return start, amp, dur


def _superpose(start_ms: np.ndarray, amp: np.ndarray, dur_ms: np.ndarray,
               row: np.ndarray | None = None, rows: int = 1) -> np.ndarray:
    """sum_k amp_k w(t - start_k; D_k) on the MUP window, w the triphasic fibre potential of
    :func:`sim.ncs.single_fibre_potential` (the same sum as
    :func:`sim.ncs.compound_potential`), each fibre evaluated only on its own support; with
    ``row`` (fibre -> trace) several traces at once, shape (rows, samples)."""
    dt = _MUP_DT_MS
    row = np.zeros(start_ms.size, dtype=np.int64) if row is None else np.asarray(row)
    out = np.zeros(rows * _MUP_N)
    order = np.argsort(dur_ms, kind="stable")
    for part in np.array_split(order, 4):  # short waves need short windows
        if part.size == 0:
            continue
        st, d, a = start_ms[part], dur_ms[part], amp[part]
        span = int(math.ceil(float(d.max()) / dt)) + 1
        idx = np.ceil(st / dt - 1e-9).astype(np.int64)[:, None] + np.arange(span)[None, :]
        sft = idx * dt - st[:, None]
        c1 = np.cos((2.0 * math.pi / d)[:, None] * sft)
        w = (0.5 * a)[:, None] * (c1 - (2.0 * c1 * c1 - 1.0))  # [cos th - cos 2th] / 2
        keep = (sft >= 0.0) & (sft < d[:, None]) & (idx < _MUP_N)
        flat = idx + (row[part] * _MUP_N)[:, None]
        out += np.bincount(flat[keep], w[keep], minlength=rows * _MUP_N)[:rows * _MUP_N]
    return out.reshape(rows, _MUP_N)[0] if rows == 1 else out.reshape(rows, _MUP_N)


def _measure_mups(waves: np.ndarray) -> tuple[_Mup, ...]:
    """:func:`_measure_mup` of every row of ``waves`` at once (same definitions)."""
    rows, n = waves.shape
    if rows == 0:
        return ()
    mag = np.abs(waves)
    above = mag >= MUP_BASELINE_UV
    has = above.any(axis=1)
    first = np.argmax(above, axis=1)
    last = n - 1 - np.argmax(above[:, ::-1], axis=1)
    j = np.arange(n)[None, :]
    inside = has[:, None] & (j >= first[:, None]) & (j <= last[:, None])
    sign = np.sign(waves)
    new = inside & ((j == first[:, None]) | (sign != np.roll(sign, 1, axis=1)))
    starts = np.flatnonzero(new)
    # segment maxima over the flattened rows: each segment ends at the next start or where
    # its row's inside part ends (masked magnitudes are 0 outside)
    seg_max = np.maximum.reduceat(np.where(inside, mag, 0.0).ravel(), starts) \
        if starts.size else np.zeros(0)
    phases = np.bincount(starts // n, weights=(seg_max >= MUP_BASELINE_UV), minlength=rows)
    dur = np.where(has, (last - first) * _MUP_DT_MS, 0.0)
    amp = waves.max(axis=1) - waves.min(axis=1)
    return tuple(_Mup(float(d), float(a), int(p)) if h else _Mup(0.0, float(a), 0)
                 for d, a, p, h in zip(dur, amp, phases, has, strict=True))


@dataclass(frozen=True)
class _Mup:
    duration_ms: float
    amplitude_uV: float
    phases: int


def _measure_mup(y: np.ndarray) -> _Mup:
    above = np.nonzero(np.abs(y) >= MUP_BASELINE_UV)[0]
    if above.size == 0:
        return _Mup(0.0, float(np.ptp(y)), 0)
    a, b = int(above[0]), int(above[-1])
    seg = y[a:b + 1]
    # phases: runs of one sign between baseline crossings, each exceeding the baseline band
    starts = np.concatenate(([0], np.nonzero(np.diff(np.sign(seg)) != 0)[0] + 1))
    phases = int((np.maximum.reduceat(np.abs(seg), starts) >= MUP_BASELINE_UV).sum())
    return _Mup(float((b - a) * _MUP_DT_MS), float(np.ptp(y)), int(phases))


# =============================================================================================
# Results
# =============================================================================================
@dataclass(frozen=True, eq=False)
class MotorUnitPotentials:
    """Quantitative MUP analysis at slight effort.

    Attributes
    ----------
    mean_duration_ms, mean_amplitude_uV : float
        Mean duration and peak-to-peak amplitude of the sampled MUPs [ms, µV].
    polyphasic_percent : float
        MUPs with more than 4 phases [%] (normal up to about 10-15 %, T).
    normal_duration_ms, normal_amplitude_uV : float
        Means of the same muscle in a healthy subject [ms, µV].
    duration_change_percent : float
        Mean duration relative to the healthy mean [%].
    verdict : {"normal", "neurogenic", "myopathic"}
        By the 20 % duration criterion (Buchthal & Kamieniecka 1982).
    time_ms : ndarray
        Time axis of the MUP waveforms [ms].
    waveforms_uV : ndarray
        The sampled MUPs, shape (MUPs, samples) [µV].
    """

    mean_duration_ms: float
    mean_amplitude_uV: float
    polyphasic_percent: float
    normal_duration_ms: float
    normal_amplitude_uV: float
    duration_change_percent: float
    verdict: str
    time_ms: np.ndarray
    waveforms_uV: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (waveforms left out)."""
        return {"mean_duration_ms": self.mean_duration_ms,
                "mean_amplitude_uV": self.mean_amplitude_uV,
                "polyphasic_percent": self.polyphasic_percent,
                "normal_duration_ms": self.normal_duration_ms,
                "normal_amplitude_uV": self.normal_amplitude_uV,
                "duration_change_percent": self.duration_change_percent,
                "verdict": self.verdict}


@dataclass(frozen=True)
class Recruitment:
    """Motor units firing at the requested effort.

    Attributes
    ----------
    effort : float
        Requested force as a fraction of a healthy maximum [1].
    force_reached : float
        Force made, same unit (less than ``effort`` in a weak muscle) [1].
    units_firing, units_seen : int
        Units active in the muscle, and those the needle shows clearly.
    fastest_rate_hz : float
        Firing rate of the earliest-recruited unit [Hz].
    recruitment_ratio : float
        Fastest rate / units seen [Hz per unit] (about 5 normal, above 10 reduced, T).
    healthy_units_firing : int
        Units a healthy muscle uses for the same force.
    pattern : {"normal", "reduced", "early", "none"}
        Recruitment pattern (``"none"`` at rest or with no units left).
    """

    effort: float
    force_reached: float
    units_firing: int
    units_seen: int
    fastest_rate_hz: float
    recruitment_ratio: float
    healthy_units_firing: int
    pattern: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True, eq=False)
class EMGResult:
    """A needle examination of one muscle.

    Attributes
    ----------
    muscle, muscle_label, nerve : str
        The muscle, its label and its nerve.
    roots : Mapping[str, float]
        Its myotome (root shares).
    patient : str
        Patient label (preset name or ``"custom"``).
    days_since_lesion : float
        The patient's ``lesion_age_days``.
    condition : MuscleCondition
        Units lost, fibrillating, reinnervated; myopathy.
    fibrillations, positive_sharp_waves : bool
        Spontaneous activity at rest (denervated muscle fibres firing on their own).
    fibrillation_grade : int
        0 to 4.
    mups : MotorUnitPotentials
        The motor-unit potentials at slight effort.
    recruitment : Recruitment
        The recruitment pattern at ``effort``.
    normal : bool
        No spontaneous activity, MUPs and recruitment normal.
    findings : tuple of str
        Plain-language findings.
    time_ms : ndarray
        Time axis of the trace [ms].
    trace_uV : ndarray
        What the needle records: spontaneous activity, plus the firing units at ``effort``
        [µV], sampled at :data:`SAMPLE_RATE_HZ`.
    """

    muscle: str
    muscle_label: str
    nerve: str
    roots: Mapping[str, float]
    patient: str
    days_since_lesion: float
    condition: MuscleCondition
    fibrillations: bool
    positive_sharp_waves: bool
    fibrillation_grade: int
    mups: MotorUnitPotentials
    recruitment: Recruitment
    normal: bool
    findings: tuple[str, ...]
    time_ms: np.ndarray
    trace_uV: np.ndarray

    @property
    def neurogenic(self) -> bool:
        """Denervation or reinnervation: fibrillations, neurogenic MUPs or reduced
        recruitment."""
        return (self.fibrillations or self.mups.verdict == "neurogenic"
                or self.recruitment.pattern == "reduced")

    @property
    def myopathic(self) -> bool:
        """Myopathic MUPs (short) without neurogenic features."""
        return self.mups.verdict == "myopathic" and not self.neurogenic

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        """JSON-ready dict; the trace only if ``trace``."""
        c = self.condition
        out: dict[str, Any] = {
            "muscle": self.muscle, "muscle_label": self.muscle_label, "nerve": self.nerve,
            "roots": dict(self.roots), "patient": self.patient,
            "days_since_lesion": self.days_since_lesion,
            "spontaneous": {"fibrillations": self.fibrillations,
                            "positive_sharp_waves": self.positive_sharp_waves,
                            "grade": self.fibrillation_grade,
                            "onset_day": None if math.isnan(c.fibrillation_onset_day)
                            else c.fibrillation_onset_day},
            "motor_unit_potentials": self.mups.to_dict(),
            "recruitment": self.recruitment.to_dict(),
            "condition": {"lost_fraction": c.lost_fraction,
                          "fibrillating_fraction": c.fibrillating_fraction,
                          "reinnervation": c.reinnervation, "enlargement": c.enlargement,
                          "myopathy": c.myopathy, "silent_fraction": c.silent_fraction},
            "normal": self.normal, "neurogenic": self.neurogenic,
            "myopathic": self.myopathic, "findings": list(self.findings),
        }
        if trace:
            out["trace"] = {"sample_rate_hz": SAMPLE_RATE_HZ,
                            "time_ms": self.time_ms.tolist(),
                            "potential_uV": self.trace_uV.tolist(),
                            "convention": "needle minus reference, negative up on EMG screens"}
        return out


# =============================================================================================
# The examination
# =============================================================================================
def _survivors(name: str, lost: float) -> np.ndarray:
    _, _, _, u = _pool(name)
    return u >= lost


@functools.lru_cache(maxsize=512)
def _recruit(name: str, lost: float, enlargement: float, myo: float, effort: float
             ) -> tuple[float, int, float, np.ndarray, np.ndarray]:
    """(force reached, units firing, fastest rate, firing unit indices, their rates)."""
    rte, force, _, _ = _pool(name)
    alive = _survivors(name, lost)
    healthy_max = float(force.sum())
    unit_force = force * enlargement * (1.0 - myo)

    def made(e: float) -> float:
        rate = np.where(alive & (e >= rte),
                        np.minimum(PEAK_FIRING_HZ, MIN_FIRING_HZ + FIRING_GAIN_HZ * (e - rte)),
                        0.0)
        return float((unit_force * rate / PEAK_FIRING_HZ).sum()) / healthy_max

    target = effort
    hi = float(rte[-1] + (PEAK_FIRING_HZ - MIN_FIRING_HZ) / FIRING_GAIN_HZ)
    if made(hi) <= target:
        e = hi
    else:
        lo = 0.0
        for _ in range(32):  # excitation to 1e-8 of its range
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if made(mid) < target else (lo, mid)
        e = hi
    on = alive & (e >= rte)
    idx = np.nonzero(on)[0]
    rates = np.minimum(PEAK_FIRING_HZ, MIN_FIRING_HZ + FIRING_GAIN_HZ * (e - rte[idx]))
    idx.flags.writeable = False
    rates.flags.writeable = False
    fastest = float(rates.max()) if idx.size else 0.0
    return made(e), int(idx.size), fastest, idx, rates


@functools.lru_cache(maxsize=256)
def _mups(name: str, lost: float, enlargement: float, myo: float
          ) -> tuple[np.ndarray, tuple[_Mup, ...]]:
    alive = np.nonzero(_survivors(name, lost))[0][:MUPS_SAMPLED]
    if alive.size:
        parts = [_fibres(name, int(u), enlargement, myo) for u in alive]
        row = np.concatenate([np.full(p[0].size, k) for k, p in enumerate(parts)])
        waves = _superpose(np.concatenate([p[0] for p in parts]),
                           np.concatenate([p[1] for p in parts]),
                           np.concatenate([p[2] for p in parts]), row, alive.size)
    else:
        waves = np.zeros((0, _MUP_N))
    waves.flags.writeable = False
    return waves, _measure_mups(waves)


def _mup_summary(name: str, cond: MuscleCondition) -> MotorUnitPotentials:
    waves, ms = _mups(name, cond.lost_fraction, cond.enlargement, cond.myopathy)
    _, ref = _mups(name, 0.0, 1.0, 0.0)
    ref_d = float(np.mean([m.duration_ms for m in ref]))
    ref_a = float(np.mean([m.amplitude_uV for m in ref]))
    t = _MUP_T0_MS + _MUP_DT_MS * np.arange(_MUP_N)
    t.flags.writeable = False
    if not ms:
        return MotorUnitPotentials(math.nan, math.nan, math.nan, ref_d, ref_a, math.nan,
                                   "none", t, waves)
    d = float(np.mean([m.duration_ms for m in ms]))
    a = float(np.mean([m.amplitude_uV for m in ms]))
    poly = 100.0 * float(np.mean([m.phases > 4 for m in ms]))
    change = 100.0 * (d / ref_d - 1.0)
    verdict = "normal"
    if change < -100 * DURATION_CHANGE_LIMIT:
        verdict = "myopathic"
    elif change > 100 * DURATION_CHANGE_LIMIT:
        verdict = "neurogenic"
    return MotorUnitPotentials(d, a, poly, ref_d, ref_a, change, verdict, t, waves)


def program_recruitment(name: str, cond: MuscleCondition, effort: float) -> Recruitment:
    eff = effort if effort > 0 else float(PARAMETERS["emg_effort"].default)
    force, n, fastest, _, _ = _recruit(name, cond.silent_fraction, cond.enlargement,
                                       cond.myopathy, eff)
    _, n_h, _, _, _ = _recruit(name, 0.0, 1.0, 0.0, eff)
    seen = max(1, int(round(n * VISIBLE_FRACTION))) if n else 0
    ratio = fastest / seen if seen else math.nan
    if n == 0:
        pattern = "none"
    elif ratio > REDUCED_RECRUITMENT_RATIO:
        pattern = "reduced"
    elif n >= EARLY_RECRUITMENT_FACTOR * n_h:
        pattern = "early"
    else:
        pattern = "normal"
    return Recruitment(eff, force, n, seen, fastest, ratio, n_h, pattern)


def _spike_times(rate_hz: float, rng: np.random.Generator, cv: float) -> np.ndarray:
    n = int(TRACE_S * rate_hz) + 3
    isi = np.clip(rng.normal(1.0 / rate_hz, cv / rate_hz, n), 0.2 / rate_hz, None)
    return np.cumsum(isi) - rng.random() / rate_hz


def _psw(n: int, dt_ms: float) -> np.ndarray:
    """Positive sharp wave shape [1]: a brief positive deflection, then a slow negative
    return (peak +1) [A; T: sharp positive, long negative phase]."""
    s = np.arange(n) * dt_ms
    w = np.exp(-s / 0.7) - (0.7 / 6.0) * np.exp(-s / 6.0)
    rise = np.clip(s / 0.3, 0.0, 1.0)
    return w * rise / np.max(w * rise)


def _trace(name: str, cond: MuscleCondition, effort: float, age_days: float
           ) -> tuple[np.ndarray, np.ndarray]:
    dt = 1000.0 / SAMPLE_RATE_HZ
    n = int(round(TRACE_S * SAMPLE_RATE_HZ))
    t = np.arange(n) * dt
    y = np.zeros(n)
    rng = np.random.default_rng(_seed(name) + 7)
    sources = SOURCES_BY_GRADE[cond.fibrillation_grade]
    if sources:
        since = max(0.0, age_days - (cond.fibrillation_onset_day
                                     if math.isfinite(cond.fibrillation_onset_day) else 0.0))
        amp = FIB_AMPLITUDE_LATE_UV + (FIB_AMPLITUDE_EARLY_UV - FIB_AMPLITUDE_LATE_UV) * \
            math.exp(-since / FIB_AMPLITUDE_DECAY_DAYS)
        fib = np.array([0.0, *(-np.asarray(_single_fibre(2.0, dt)))])  # initial positive
        psw = _psw(int(12.0 / dt), dt)
        for k in range(sources):
            shape = fib if k % 2 == 0 else psw
            times = _spike_times(rng.uniform(*FIB_RATE_HZ), rng, 0.02) * 1000.0
            _add(y, times, shape * amp * rng.uniform(0.6, 1.0), dt)
    if effort > 0:
        _, _, _, idx, rates = _recruit(name, cond.silent_fraction, cond.enlargement,
                                       cond.myopathy, effort)
        step = max(1, int(round(_MUP_DT_MS / dt)))
        for u, r in zip(idx[:40], rates[:40], strict=False):
            shape = _mup(name, int(u), cond.enlargement, cond.myopathy)
            if step > 1:
                shape = shape[::step]
            else:
                shape = np.interp(np.arange(0, _MUP_N * _MUP_DT_MS, dt),
                                  np.arange(_MUP_N) * _MUP_DT_MS, shape)
            times = _spike_times(float(r), rng, ISI_CV) * 1000.0
            _add(y, times, shape, dt)
    y.flags.writeable = False
    t.flags.writeable = False
    return t, y


def _single_fibre(duration_ms: float, dt_ms: float) -> np.ndarray:
    from sim.ncs import single_fibre_potential
    return single_fibre_potential(np.arange(0.0, duration_ms, dt_ms), duration_ms)


def _add(y: np.ndarray, times_ms: np.ndarray, shape: np.ndarray, dt: float) -> None:
    """Add ``shape`` starting at each of ``times_ms`` into ``y`` (in place)."""
    n = y.size
    k0 = np.round(times_ms / dt).astype(np.int64)
    idx = k0[:, None] + np.arange(shape.size)[None, :]
    vals = np.broadcast_to(shape, idx.shape)
    ok = (idx >= 0) & (idx < n)
    y += np.bincount(idx[ok], vals[ok], minlength=n)[:n]


def needle_emg(patient: Patient | str, muscle: str = "tibialis-anterior", *,
               effort: float | None = None, trace: bool = True) -> EMGResult:
    """Examine ``muscle`` of ``patient`` with a needle electrode.

    Parameters
    ----------
    patient : Patient or str
        The patient or a preset name; reads the focal lesion (``lesion_site``,
        ``lesion_axonal_loss``, ``lesion_age_days``), ``axonal_loss`` and ``myopathy``.
    muscle : str
        Muscle name (declared ``emg_muscle``; :data:`MUSCLES`).
    effort : float, optional
        Voluntary force as a fraction of a healthy maximum (declared ``emg_effort``, 0..0.5,
        default 0.1); 0 records the muscle at rest. MUPs and recruitment are always reported
        at slight effort (``effort`` or the default when at rest).
    trace : bool
        Build the trace (False leaves ``time_ms`` and ``trace_uV`` empty: the findings only,
        as the localisation screen needs).

    Returns
    -------
    EMGResult
        Spontaneous activity, MUPs, recruitment, findings and the trace.

    Raises
    ------
    ParameterError
        For an unknown muscle or patient or an effort outside its range.

    Examples
    --------
    >>> r = needle_emg("healthy", "deltoid")
    >>> r.normal, r.fibrillations
    (True, False)
    """
    from sim.ncs import patient_label
    pat = as_patient(patient)
    m = _muscle(muscle)
    eff = float(PARAMETERS["emg_effort"].validate(
        PARAMETERS["emg_effort"].default if effort is None else effort))
    cond = muscle_condition(pat, m.name)
    fibs = cond.fibrillation_grade > 0
    mups = _mup_summary(m.name, cond)
    rec = program_recruitment(m.name, cond, eff)
    t, y = _trace(m.name, cond, eff, pat.lesion_age_days) if trace else \
        (np.zeros(0), np.zeros(0))
    findings = _findings(m, cond, mups, rec)
    normal = not fibs and mups.verdict == "normal" and rec.pattern == "normal"
    return EMGResult(m.name, m.label, m.nerve, m.roots, patient_label(pat),
                     float(pat.lesion_age_days), cond, fibs, fibs, cond.fibrillation_grade,
                     mups, rec, normal, findings, t, y)


def _findings(m: Muscle, c: MuscleCondition, mups: MotorUnitPotentials,
              rec: Recruitment) -> tuple[str, ...]:
    out = []
    if c.fibrillation_grade:
        out.append(f"Fibrillation potentials and positive sharp waves ({c.fibrillation_grade}+)"
                   ": muscle fibres that have lost their axon fire on their own (active "
                   "denervation).")
    elif c.focal_lost_fraction > 0 and math.isfinite(c.fibrillation_onset_day):
        faded = " and have faded with reinnervation" if c.reinnervation > 0.9 else ""
        out.append(f"No spontaneous activity yet: fibrillations need about "
                   f"{c.fibrillation_onset_day:.0f} days after the lesion to reach this "
                   f"muscle{faded}.")
    if mups.verdict == "neurogenic":
        out.append(f"Long, large motor-unit potentials ({mups.mean_duration_ms:.1f} ms, "
                   f"{mups.mean_amplitude_uV / 1000:.2f} mV; {mups.duration_change_percent:+.0f}"
                   f" % duration, {mups.polyphasic_percent:.0f} % polyphasic): surviving units "
                   "have adopted denervated fibres (reinnervation).")
    elif mups.verdict == "myopathic":
        out.append(f"Short, small motor-unit potentials ({mups.mean_duration_ms:.1f} ms, "
                   f"{mups.mean_amplitude_uV / 1000:.2f} mV; {mups.duration_change_percent:+.0f}"
                   f" % duration, {mups.polyphasic_percent:.0f} % polyphasic): each unit has "
                   "fewer working muscle fibres (myopathy).")
    if rec.pattern == "reduced":
        out.append(f"Reduced recruitment: {rec.units_seen} unit(s) firing up to "
                   f"{rec.fastest_rate_hz:.0f} Hz (ratio {rec.recruitment_ratio:.0f}, above "
                   f"{REDUCED_RECRUITMENT_RATIO:g}): motor units are missing.")
    elif rec.pattern == "early":
        out.append(f"Early recruitment: {rec.units_firing} units for a force a healthy muscle "
                   f"makes with {rec.healthy_units_firing}: each unit is weak.")
    if not out:
        out.append(f"Normal {m.label.lower()}: no spontaneous activity, normal motor units and "
                   "recruitment.")
    return tuple(out)


# =============================================================================================
# Sound
# =============================================================================================
def wav_bytes(result: EMGResult) -> bytes:
    """The trace as a 16-bit mono WAV file (the loudspeaker of an EMG machine) [bytes]."""
    from scipy.io import wavfile
    y = np.asarray(result.trace_uV, dtype=float)
    peak = float(np.abs(y).max())
    scale = 0.0 if peak == 0 else 0.9 * 32767 / max(peak, 500.0)
    buf = io.BytesIO()
    wavfile.write(buf, SAMPLE_RATE_HZ, np.round(y * scale).astype(np.int16))
    return buf.getvalue()


def write_wav(result: EMGResult, path: str) -> None:
    """Write :func:`wav_bytes` to ``path``."""
    if not isinstance(path, str) or not path:
        raise ParameterError("path must be a file name", name="path", value=path)
    with open(path, "wb") as f:
        f.write(wav_bytes(result))
