"""Focal lesions: where a nerve or root is damaged, and what that does to its fibres.

A patient's focal lesion (``lesion_site``, ``lesion_slowing``, ``lesion_block``,
``lesion_axonal_loss``, ``lesion_age_days``, declared in :mod:`sim.params`) acts on every
study that sends impulses through the damaged segment (docs/science.md §9.4 and §9.6):

* the **sensory** studies of :mod:`sim.ncs`: only when the lesion lies *distal* to the dorsal
  root ganglion. A root is damaged proximal to its ganglion, so the sensory axon and its cell
  body stay connected and the sensory nerve action potential is normal although the patient
  is numb (Wilbourn & Aminoff 1998 [S]; Preston & Shapiro 2013 [T]);
* the **motor** studies of :mod:`sim.motor` and the **needle EMG** of :mod:`sim.emg`: motor
  axons of the root or nerve degenerate beyond the lesion (Wallerian degeneration), are
  slowed across it or blocked at it.

:data:`LESION_SITES` holds each site: its level (root or nerve), the sensory studies whose
path crosses it (segment from the stimulus, in mm) or that lie beyond it, and the motor
segment it lies in. Per-fibre effects use the same fixed random numbers as the fibre
population (:class:`sim.ncs.NervePopulation`): a fibre's slowing is
``s_i = s (0.85 + 0.15 E_i)`` (mean ``s``, as for diffuse demyelination in :mod:`sim.ncs`),
capped at :data:`MAX_FOCAL_SLOWING`; block and loss take the fibres whose uniform number lies
below the fraction [A].

References
----------
Wilbourn A.J., Aminoff M.J. (1998) AAEM minimonograph 32: the electrodiagnostic examination
in patients with radiculopathies. Muscle Nerve 21:1612-1631 [S] (preganglionic lesion: normal
SNAP; paraspinal and myotomal denervation).
Chaudhry V., Cornblath D.R. (1992) Wallerian degeneration in human nerves: serial
electrophysiological studies. Muscle Nerve 15:687-693 [P].
Preston D.C., Shapiro B.E. (2013) Electromyography and Neuromuscular Disorders, 3rd ed. [T]
(anatomy of the studies; carpal tunnel lies 2-5 cm beyond the wrist stimulation site).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = ["LesionSite", "LESION_SITES", "lesion_site_names", "focal_effect", "FocalEffect",
           "MAX_FOCAL_SLOWING", "wallerian_fraction", "MOTOR_WALLERIAN_DAYS",
           "SENSORY_WALLERIAN_DAYS"]

#: Most slowing one fibre can have across a focal lesion and still conduct [1] [A]: focal
#: compression slows conduction across the lesion many-fold before it blocks (Rasminsky &
#: Sears 1972 [P], in docs/science.md §9.1); block itself is ``lesion_block``.
MAX_FOCAL_SLOWING = 0.95
#: Least slowing of any crossing fibre, as a fraction of the mean focal slowing [1] [A]: the
#: same floor as diffuse demyelination (``sim.ncs.DEMYELINATION_FLOOR``; a test keeps the two
#: equal).
FOCAL_SLOWING_FLOOR = 0.85
#: Wallerian degeneration: days from the cut at which responses to stimulation below the
#: lesion start to fall and are gone, motor and sensory [days] [A within Chaudhry & Cornblath
#: 1992 P: CMAPs fall from day 3 and are lost by day 9; SNAPs fall from day 6 and are lost by
#: day 11 (the neuromuscular junction fails before the sensory axon)].
MOTOR_WALLERIAN_DAYS, SENSORY_WALLERIAN_DAYS = (3.0, 9.0), (6.0, 11.0)
#: Seeds of the per-fibre draws of block and loss at a lesion (independent of the population's
#: own draws, so a focal loss does not pick the same fibres a diffuse loss does) [A].
_BLOCK_SEED, _LOSS_SEED, _ROOT_SEED = 31, 47, 53


@dataclass(frozen=True)
class LesionSite:
    """Where a focal lesion lies.

    Attributes
    ----------
    name, label : str
        Identifier (``"median-wrist"``) and human label.
    level : {"root", "nerve", "none"}
        A spinal root (proximal to the dorsal root ganglion) or a peripheral nerve.
    root : str
        The root (``"L5"``) for a root lesion, ``""`` otherwise.
    sensory_segment : Mapping[str, tuple[float, float]]
        Sensory studies whose conduction path crosses the lesion: nerve -> (start, length)
        of the lesioned segment, measured from the stimulating cathode [mm].
    sensory_beyond : tuple of str
        Sensory studies done entirely beyond the lesion: they see its axonal loss only.
    motor_segment : Mapping[str, str]
        Motor studies: nerve -> the segment (:attr:`sim.motor.MotorNerveSpec.segments`) the
        lesion lies in; ``"root"`` when it is proximal to every stimulation site.
    """

    name: str
    label: str
    level: str
    root: str
    sensory_segment: Mapping[str, tuple[float, float]]
    sensory_beyond: tuple[str, ...]
    motor_segment: Mapping[str, str]


def _site(name: str, label: str, level: str, root: str = "",
          sensory_segment: Mapping[str, tuple[float, float]] | None = None,
          sensory_beyond: tuple[str, ...] = (),
          motor_segment: Mapping[str, str] | None = None) -> LesionSite:
    return LesionSite(name, label, level, root, MappingProxyType(dict(sensory_segment or {})),
                      sensory_beyond, MappingProxyType(dict(motor_segment or {})))


#: Lesion sites by name (read-only). The carpal tunnel spans 30-60 mm beyond the wrist
#: stimulation site of the antidromic median study (stimulus 3 cm proximal to the distal
#: wrist crease; tunnel about 3 cm long) [T: Preston & Shapiro 2013]; the ulnar and superficial
#: peroneal sensory studies are done beyond the elbow and the fibular head [T].
LESION_SITES: Mapping[str, LesionSite] = MappingProxyType({s.name: s for s in (
    _site("none", "No focal lesion", "none"),
    _site("median-wrist", "Median nerve at the wrist (carpal tunnel)", "nerve",
          sensory_segment={"median": (30.0, 30.0)}, motor_segment={"median": "wrist"}),
    _site("ulnar-elbow", "Ulnar nerve at the elbow", "nerve", sensory_beyond=("ulnar",),
          motor_segment={"ulnar": "across elbow"}),
    _site("peroneal-fibular-head", "Common peroneal nerve at the fibular head", "nerve",
          sensory_beyond=("superficial-peroneal",),
          motor_segment={"peroneal": "across fibular head"}),
    _site("l5-root", "L5 root (proximal to its dorsal root ganglion)", "root", root="L5",
          motor_segment={"peroneal": "root", "tibial": "root"}),
    _site("s1-root", "S1 root (proximal to its dorsal root ganglion)", "root", root="S1",
          motor_segment={"peroneal": "root", "tibial": "root"}),
)})


def lesion_site_names() -> list[str]:
    """Names of the lesion sites, ``"none"`` first."""
    return list(LESION_SITES)


@dataclass(frozen=True, eq=False)
class FocalEffect:
    """What a focal lesion does to each fibre crossing it (read-only arrays).

    Attributes
    ----------
    lost : ndarray of bool
        Axon degenerated beyond the lesion.
    blocked : ndarray of bool
        Axon conducts up to the lesion, not across it.
    slowing : ndarray
        Fractional slowing of each fibre across the lesion [1].
    """

    lost: np.ndarray
    blocked: np.ndarray
    slowing: np.ndarray

    def extra_delay_ms(self, segment_mm: float, velocity_m_per_s: np.ndarray) -> np.ndarray:
        """Extra conduction time across a lesioned segment of ``segment_mm`` [ms]:
        ``L / (v (1 - s)) - L / v`` (1 m/s = 1 mm/ms)."""
        v = np.asarray(velocity_m_per_s, dtype=float)
        return segment_mm / (v * (1.0 - self.slowing)) - segment_mm / v


def wallerian_fraction(age_days: float, motor: bool) -> float:
    """Share of the axons cut at a lesion whose distal part has degenerated after
    ``age_days`` [1]: motor responses to stimulation below the lesion fall from day
    :data:`MOTOR_WALLERIAN_DAYS` [0] to [1], sensory ones from day
    :data:`SENSORY_WALLERIAN_DAYS` [0] to [1] (linear in between) [A within Chaudhry &
    Cornblath 1992 P]. Until then the cut axons still conduct below the lesion: they behave
    as a conduction block across it."""
    lo, hi = MOTOR_WALLERIAN_DAYS if motor else SENSORY_WALLERIAN_DAYS
    return float(min(1.0, max(0.0, (age_days - lo) / (hi - lo))))


def focal_effect(n: int, spread: np.ndarray, slowing: float, block: float,
                 axonal_loss: float, share: np.ndarray | float = 1.0,
                 degenerated: float = 1.0) -> FocalEffect:
    """Per-fibre loss, block and slowing of ``n`` fibres crossing a lesion.

    Parameters
    ----------
    n : int
        Number of model fibres.
    spread : ndarray
        Each fibre's fixed exponential(1) number (its share of slowing).
    slowing, block, axonal_loss : float
        The patient's ``lesion_slowing``, ``lesion_block`` and ``lesion_axonal_loss``.
    share : float or ndarray
        Probability that each fibre crosses the lesion at all (a root lesion reaches only the
        fibres from that root) [1].
    degenerated : float
        Share of the cut axons already degenerated beyond the lesion
        (:func:`wallerian_fraction`); the others are counted as blocked [1].

    Returns
    -------
    FocalEffect
        Each fibre crosses with probability ``share``; of those, ``lost`` with probability
        ``axonal_loss``, ``blocked`` (among the survivors) with probability ``block``, slowed
        by ``s (0.85 + 0.15 E_i)`` (capped at :data:`MAX_FOCAL_SLOWING`).
    """
    u_loss = np.random.default_rng(_LOSS_SEED).random(n)
    u_block = np.random.default_rng(_BLOCK_SEED).random(n)
    u_root = np.random.default_rng(_ROOT_SEED).random(n)
    sh = np.broadcast_to(np.asarray(share, dtype=float), (n,))
    crosses = u_root < sh
    cut = crosses & (u_loss < axonal_loss)
    lost = cut & (u_loss < axonal_loss * degenerated)
    blocked = crosses & ~lost & (cut | (u_block < block))
    slow = np.where(crosses, np.minimum(
        slowing * (FOCAL_SLOWING_FLOOR + (1.0 - FOCAL_SLOWING_FLOOR) * spread),
        MAX_FOCAL_SLOWING), 0.0)
    for a in (lost, blocked, slow):
        a.flags.writeable = False
    return FocalEffect(lost, blocked, slow)
