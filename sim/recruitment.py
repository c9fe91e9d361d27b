"""Fibre populations under an electrode and which of them a program recruits.

For a stimulation program (a :class:`sim.waveforms.Program` or any object with the same
attribute names) and the patient's anatomy, :func:`recruit` returns, per fibre class, the
recruited fraction and the mean firing rate (with refractoriness, frequency following and
conduction block), the perception and discomfort thresholds (the therapeutic window) and
whether the patient feels paresthesia. :func:`recruitment_curve` and
:func:`strength_duration_curve` give the curves a dashboard plots.

Populations (:func:`population`) are seeded and cached: a slider change that keeps the
geometry reuses the fibres, and one that keeps the pulse width and geometry also reuses their
thresholds, so an amplitude change only counts thresholds below the new amplitude.

Model summary
-------------
* Per fibre, a single-pulse threshold from the cable-filtered field of the electrode
  (:mod:`sim.electrodes`) and the reduced threshold model of :mod:`sim.fibers`, times the
  charge-balance factor of the pulse shape (:func:`sim.fibers.charge_balance_factor`).
* Recruited fraction = fraction of fibres whose threshold <= amplitude.
* Firing rate from :func:`sim.fibers.following` with amplitude ratio ``I / I_th,i``.
* Perception threshold (PT) = amplitude that recruits :data:`PERCEPTION_FRACTION` (2 %) of
  the Aβ population [T: "first 1-5 % of Aβ", docs/science.md §3.3]; discomfort threshold
  = :data:`DISCOMFORT_RATIO` x PT: 1.5 for SCS and PNS [T: 1.4-1.6 x PT], 4 for TENS
  through skin pads [P: the "current window" from sensory detection to pain threshold spans
  several times the detection threshold, Hughes, Bennett & Johnson 2013 Clin J Pain 29:146].

Populations [A unless tagged]
-----------------------------
* Diameters: log-normal per class (:data:`DIAMETER_DISTRIBUTIONS`), truncated to the class
  range of :data:`sim.fibers.FIBER_PROPERTIES` [S ranges].
* SCS: Aβ dorsal-column fibres in a cylindrical cord (radius 4 mm), within 2.5 mm of the
  midline (Gaussian, SD 1 mm: densest medially) and 0-2 mm deep; Aδ and C fibres in the
  dorsal-root entry zone / Lissauer tract / superficial dorsal horn, 2.5-3.5 mm lateral,
  0.2-2 mm deep (dorsal columns are recruited before roots and Lissauer tract [S]).
* PNS: all classes uniformly in a nerve of radius 1.5 mm; the lead contact (first character of
  ``contacts``) at ``lead_distance_mm`` from the nerve surface, skin return electrode far away.
  A monophasic anodic lead contact (``'+-'``) excites at the virtual cathodes beside it.
* TENS: half the fibres of each class are cutaneous endings under the pad (lateral uniform
  over the pad, depth log-normal around 1 mm for Aβ, 0.6 mm for Aδ, 0.4 mm for C,
  isotropic orientation; excited as sealed ends, polarisation λ·cosθ / (r·(r + λ))), half
  pass in a nerve of radius 1.5 mm
  centred ``nerve_depth_mm`` under the pad centre. The pad is a virtual point source
  (:func:`sim.electrodes.tens_pad`); both pads are alike, so the contact order does not
  matter.
* Burst programs with asymmetric (passive-recharge) pulses: the pulses inside a burst act as
  monophasic (recharge after the burst), but the train is charge-balanced (no DC block).
  ``shape='custom'`` is treated as symmetric biphasic.

References
----------
He J., Barolat G., Holsheimer J., Struijk J.J. (1994) Pain 59:55-63 (PT vs CSF and offset).
Holsheimer J. (2002) Neuromodulation 5:25-31. Feirabend H.K.P. et al. (2002) Brain 125:1137
(dorsal-column fibre diameters). Kapural L. et al. (2015) Anesthesiology 123:851 (10 kHz).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import truncnorm

from sim import electrodes as el, fibers as fb
from sim.fibers import FIBER_PROPERTIES, FiberClass
from sim.params import PARAMETERS, ParameterError, check_array
from sim.therapies import THERAPIES, Therapy

if TYPE_CHECKING:
    from sim.patients import Patient
    from sim.waveforms import Program

__all__ = [
    "PERCEPTION_FRACTION",
    "FibreView",
    "fibre_view",
    "FIBRE_AMPLITUDES_MA",
    "DISCOMFORT_RATIO",
    "discomfort_ratio",
    "SCS_DORSAL_COLUMN_DIAMETERS",
    "SCS_DORSAL_COLUMN_DEPTH_MM",
    "SCS_ROOT_FRACTION",
    "SCS_ROOT_THRESHOLD_FACTOR",
    "DRG_RADIUS_MM",
    "DRG_CONTACT_DISTANCE_MM",
    "fibre_thresholds_unsorted_mA",
    "DEFAULT_N_FIBERS",
    "DiameterDistribution",
    "DIAMETER_DISTRIBUTIONS",
    "FiberPopulation",
    "population",
    "fiber_thresholds_mA",
    "ClassRecruitment",
    "RecruitmentResult",
    "recruit",
    "ClassCurve",
    "RecruitmentCurve",
    "recruitment_curve",
    "ClassStrengthDuration",
    "StrengthDurationCurve",
    "strength_duration_curve",
]

#: Fraction of the Aβ population whose recruitment is first felt (perception threshold)
#: [T: docs/science.md §3.3 "rho(Aβ) >= ~1-5 %"; 2 % chosen].
PERCEPTION_FRACTION = 0.02
#: Discomfort threshold / perception threshold, by therapy
#: (:attr:`sim.therapies.TherapySpec.discomfort_ratio`, with its sources): SCS and PNS 1.5,
#: TENS 4.
DISCOMFORT_RATIO: Mapping[str, float] = MappingProxyType(
    {t.value: s.discomfort_ratio for t, s in THERAPIES.items()})
#: Discomfort/perception ratio of SCS at the reference dorsal CSF thickness [1] (the 1.5 of
#: :data:`DISCOMFORT_RATIO`) and that reference [mm] (the presets' 3 mm).
SCS_WINDOW_REFERENCE_CSF_MM = 3.0


def discomfort_ratio(therapy: str, csf_thickness_mm: float = SCS_WINDOW_REFERENCE_CSF_MM
                     ) -> float:
    """Discomfort threshold / perception threshold (the therapeutic window) [1].

    SCS: the window narrows as the dorsal CSF layer thickens (Holsheimer, Barolat, Struijk &
    He 1995 Acta Neurochir Suppl 64:119 [P], the "usage range"): thicker CSF brings the
    dorsal roots, whose recruitment is uncomfortable, closer in threshold to the dorsal
    columns. The part above 1 scales with the inverse contact-to-cord distance (dCSF + 1 mm)
    and is 0.5 at 3 mm [A]: 1.67 at 2 mm, 1.5 at 3 mm, 1.29 at 6 mm. Other therapies: the
    fixed ratio of :data:`DISCOMFORT_RATIO`.

    Examples
    --------
    >>> round(discomfort_ratio("scs", 6.0), 3)
    1.286
    """
    base = DISCOMFORT_RATIO[therapy]
    if therapy != "scs":
        return base
    ref = SCS_WINDOW_REFERENCE_CSF_MM + el.DURA_EPIDURAL_MM
    return 1.0 + (base - 1.0) * ref / (float(csf_thickness_mm) + el.DURA_EPIDURAL_MM)


#: Fibres per class in a population (sampling error of a fraction <= 0.7 percentage points).
DEFAULT_N_FIBERS = 5000
#: Default seed of the population generator.
DEFAULT_SEED = 0


@dataclass(frozen=True)
class DiameterDistribution:
    """Log-normal diameter distribution, truncated to the class range.

    Attributes
    ----------
    median_um : float
        Median diameter before truncation [µm].
    sigma_ln : float
        Standard deviation of ln(diameter) [1].
    source : str
        Tag and reasoning.
    """

    median_um: float
    sigma_ln: float
    source: str


#: Diameter distributions per class [A within the S ranges of docs/science.md §3.1].
DIAMETER_DISTRIBUTIONS: Mapping[FiberClass, DiameterDistribution] = MappingProxyType({
    FiberClass.ABETA: DiameterDistribution(
        8.5, 0.20, "[A] median 8.5 um in the 6-12 um Aβ range; large dorsal-column fibres are "
        "few (Feirabend 2002 [S])"),
    FiberClass.ADELTA: DiameterDistribution(2.5, 0.35, "[A] median 2.5 um in 1-5 um"),
    FiberClass.C: DiameterDistribution(0.7, 0.35, "[A] median 0.7 um in 0.2-1.5 um"),
})

#: Therapies with an electrode (and so a fibre population of their own).
_THERAPIES = tuple(t.value for t in Therapy if t is not Therapy.OFF)
#: Diameters of the Aβ fibres of the dorsal columns under an SCS lead [P Feirabend et al.
#: 2002 Brain 125:1137]: in the superficial 0.3 mm of the human dorsal columns at T10-T11 only
#: about 0.5 % of the fibres are thicker than 10.7 µm. Median 7.25 µm with SD of ln d 0.15,
#: truncated to the 6-12 µm Aβ range, puts 0.5 % of the modelled fibres above 10.7 µm [A: the
#: shape; their denominator is every myelinated fibre of the layer, ours the Aβ range].
SCS_DORSAL_COLUMN_DIAMETERS = DiameterDistribution(
    7.25, 0.15, "[P] Feirabend 2002: 0.5 % of superficial dorsal-column fibres > 10.7 um")
#: Depth of the dorsal-column fibres the model holds [mm]: Feirabend et al. 2002 [P] give
#: about 0.25 mm as the deepest the largest dorsal-column fibres are activated by SCS, and
#: measured the superficial 0.3 mm; the population spans 0-:data:`SCS_DORSAL_COLUMN_DEPTH_MM`
#: uniformly (deeper fibres have higher thresholds than any clinical amplitude) [A].
SCS_DORSAL_COLUMN_DEPTH_MM = 1.5
#: Share of the SCS Aβ population that are dorsal-root fibres of the segments under the lead
#: (half on each side) [A]. Dorsal-root fibres lie near the lateral edge of the dorsal columns
#: (Holsheimer 2002 Neuromodulation 5:25 [S]) and are recruited before dorsal-column fibres
#: when the lead is lateral: lateral leads have lower perception thresholds (He et al. 1994
#: Pain 59:55 [P]) and narrow, segmental paresthesia.
SCS_ROOT_FRACTION = 0.15
#: Dorsal-root entry zone: arc distance from the midline along the cord surface [mm]
#: (dorsolateral sulcus of a cord of radius 4 mm) [A], and radial position of the rootlets in
#: the CSF just outside the cord surface [mm] [A].
SCS_ROOT_LATERAL_MM = (3.0, 4.0)
SCS_ROOT_RADIAL_MM = (0.1, 0.6)
#: Threshold of a dorsal-root fibre relative to a straight dorsal-column fibre of the same
#: diameter at the same distance [1]: the root's curved path and its entry through the
#: CSF-white-matter boundary lower it (Struijk, Holsheimer & Boom 1993 IEEE TBME 40:632 [P]
#: for the direction; 0.5 is an assumption [A] that keeps a midline lead's first fibres in the
#: dorsal columns at thin CSF while lateral leads reach the roots first).
SCS_ROOT_THRESHOLD_FACTOR = 0.5


#: Radius of a dorsal root ganglion, modelled as a cylinder of cell bodies and stem axons
#: [mm]: lumbar ganglia are about 4-6 mm across [T, anatomy texts] (2.5 mm) [A].
DRG_RADIUS_MM = 2.5
#: Distance from a DRG lead's contact to the ganglion's fibres [mm]: the lead lies on the
#: ganglion in the foramen, outside its dural sleeve and capsule, with no spinal CSF between
#: [T: the implant technique of Deer et al. 2017 Pain 158:669]; 2 mm [A], which puts the
#: perception threshold at about 0.3 mA (300 µs): DRG stimulation is programmed well below
#: 1 mA (Liem et al. 2013 Neuromodulation 16:471 [P]). Thresholds therefore do not depend on
#: the spinal CSF layer, and hardly on posture.
DRG_CONTACT_DISTANCE_MM = 2.0


# =============================================================================================
# Populations
# =============================================================================================
@dataclass(frozen=True, eq=False)
class FiberPopulation:
    """Fibres of one class under one kind of electrode (read-only arrays).

    Attributes
    ----------
    therapy : str
        ``scs``, ``pns`` or ``tens``.
    fiber_class : FiberClass
        Class of all fibres.
    diameter_um : ndarray
        Diameters [µm].
    x_mm, y_mm : ndarray
        Positions [mm]. SCS: transverse plane, cord centre at the origin, y dorsal. PNS:
        transverse plane, nerve centre at the origin, y towards the lead. TENS: x lateral from
        the pad axis, y depth below the skin (nerve fibres: relative to the nerve centre).
    terminal : ndarray of bool
        TENS cutaneous endings (True) versus passing axons (False).
    orientation_cos : ndarray
        TENS endings: ``|cos|`` of the angle between the ending and the local field, uniform on
        [0, 1] (isotropic orientation) [A]; 1 for passing axons.
    root : ndarray of bool
        SCS Aβ: dorsal-root fibres (True) versus dorsal-column fibres (False); all False
        elsewhere.
    """

    therapy: str
    fiber_class: FiberClass
    diameter_um: np.ndarray
    x_mm: np.ndarray
    y_mm: np.ndarray
    terminal: np.ndarray
    orientation_cos: np.ndarray
    root: np.ndarray | None = None

    @property
    def n_fibers(self) -> int:
        """Number of fibres."""
        return int(self.diameter_um.size)


def truncated_lognormal(rng: np.random.Generator, n: int, dist: DiameterDistribution,
                         lo: float, hi: float) -> np.ndarray:
    """A log-normal truncated to [lo, hi] (no clipping lumps), by inverse CDF of
    :data:`scipy.stats.truncnorm` on the log scale."""
    mu = math.log(dist.median_um)
    a, b = (math.log(lo) - mu) / dist.sigma_ln, (math.log(hi) - mu) / dist.sigma_ln
    return np.exp(mu + dist.sigma_ln * truncnorm.ppf(rng.random(n), a, b))


def _truncated_normal(rng: np.random.Generator, n: int, sd: float, lim: float) -> np.ndarray:
    """A normal of spread ``sd`` truncated to [-lim, lim] (:data:`scipy.stats.truncnorm`)."""
    return sd * truncnorm.ppf(rng.random(n), -lim / sd, lim / sd)


def _readonly(*arrays: np.ndarray) -> list[np.ndarray]:
    for a in arrays:
        a.setflags(write=False)
    return list(arrays)


def _check_therapy(therapy: Any) -> str:
    if therapy not in _THERAPIES:
        raise ParameterError(f"therapy={therapy!r} has no fibre population; expected one of "
                             + ", ".join(repr(t) for t in _THERAPIES), name="therapy",
                             value=therapy)
    return therapy


def _check_class(fiber_class: Any) -> FiberClass:
    try:
        return fiber_class if isinstance(fiber_class, FiberClass) else FiberClass(fiber_class)
    except ValueError:
        raise ParameterError(f"fiber_class={fiber_class!r} is not one of "
                             + ", ".join(repr(c.value) for c in FiberClass),
                             name="fiber_class", value=fiber_class) from None


def _check_n_seed(n_fibers: Any, seed: Any) -> tuple[int, int]:
    for name, v, lo, hi in (("n_fibers", n_fibers, 10, 1_000_000), ("seed", seed, 0, 2**63)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) \
                or not lo <= int(v) <= hi:
            raise ParameterError(f"{name}={v!r} must be a whole number in {lo}..{hi}",
                                 name=name, value=v)
    return int(n_fibers), int(seed)


def population(therapy: str, fiber_class: FiberClass, *, n_fibers: int = DEFAULT_N_FIBERS,
               seed: int = DEFAULT_SEED) -> FiberPopulation:
    """The (cached, reproducible) fibre population of one class for one therapy.

    Parameters
    ----------
    therapy : {"scs", "pns", "tens"}
        Electrode type, which sets where the fibres are.
    fiber_class : FiberClass or str
        Fibre class.
    n_fibers : int
        Number of fibres (10..1e6).
    seed : int
        Seed of the numpy Generator; with the therapy and class it fixes every fibre.

    Returns
    -------
    FiberPopulation
    """
    n, s = _check_n_seed(n_fibers, seed)
    return _population(_check_therapy(therapy), _check_class(fiber_class), n, s)


@functools.lru_cache(maxsize=64)
def _population(therapy: str, fc: FiberClass, n: int, seed: int) -> FiberPopulation:
    rng = np.random.default_rng([seed, _THERAPIES.index(therapy), list(FiberClass).index(fc)])
    props = FIBER_PROPERTIES[fc]
    d = truncated_lognormal(rng, n, DIAMETER_DISTRIBUTIONS[fc], props.diameter_min_um,
                             props.diameter_max_um)
    terminal = np.zeros(n, dtype=bool)
    root = np.zeros(n, dtype=bool)
    orient = np.ones(n)
    if therapy == "scs":
        rc = el.CORD_RADIUS_MM
        if fc is FiberClass.ABETA:
            # dorsal columns (Feirabend 2002 diameters and depths) and dorsal roots [A]
            d = truncated_lognormal(rng, n, SCS_DORSAL_COLUMN_DIAMETERS,
                                     props.diameter_min_um, props.diameter_max_um)
            lateral = _truncated_normal(rng, n, 1.0, 2.5)
            depth = SCS_DORSAL_COLUMN_DEPTH_MM * rng.random(n)
            root = rng.random(n) < SCS_ROOT_FRACTION
            side = np.where(rng.random(n) < 0.5, -1.0, 1.0)
            lo, hi = SCS_ROOT_LATERAL_MM
            lateral = np.where(root, side * (lo + (hi - lo) * rng.random(n)), lateral)
            rlo, rhi = SCS_ROOT_RADIAL_MM
            depth = np.where(root, -(rlo + (rhi - rlo) * rng.random(n)), depth)
        else:
            side = np.where(rng.random(n) < 0.5, -1.0, 1.0)       # DREZ / Lissauer [A]
            lateral = side * (2.5 + 1.0 * rng.random(n))
            depth = 0.2 + 1.8 * rng.random(n)
        phi = lateral / rc                                        # arc length on the surface
        rad = rc - depth
        x, y = rad * np.sin(phi), rad * np.cos(phi)
    elif therapy == "drg":
        rad = DRG_RADIUS_MM * np.sqrt(rng.random(n))             # uniform over the ganglion
        ang = 2 * math.pi * rng.random(n)
        x, y = rad * np.cos(ang), rad * np.sin(ang)
    elif therapy == "pns":
        rad = el.NERVE_RADIUS_MM * np.sqrt(rng.random(n))        # uniform over the disc
        ang = 2 * math.pi * rng.random(n)
        x, y = rad * np.cos(ang), rad * np.sin(ang)
    else:  # tens: half cutaneous endings, half in the deep nerve
        terminal = rng.random(n) < 0.5
        med = {FiberClass.ABETA: 1.0, FiberClass.ADELTA: 0.6, FiberClass.C: 0.4}[fc]
        depth = med * np.exp(0.3 * rng.standard_normal(n))        # [A] dermis ~1 mm
        # lateral position uniform over a unit disc, scaled by the pad radius later
        lat = np.sqrt(rng.random(n))
        rad = el.NERVE_RADIUS_MM * np.sqrt(rng.random(n))
        ang = 2 * math.pi * rng.random(n)
        x = np.where(terminal, lat, rad * np.cos(ang))
        y = np.where(terminal, depth, rad * np.sin(ang))
        orient = np.where(terminal, rng.random(n), 1.0)
    d, x, y, terminal, orient, root = _readonly(d, np.asarray(x, float), np.asarray(y, float),
                                                terminal, orient, root)
    return FiberPopulation(therapy, fc, d, x, y, terminal, orient, root)


# =============================================================================================
# Thresholds
# =============================================================================================
def _geometry(therapy: str, p: Mapping[str, Any], csf_thickness_mm: float,
              nerve_depth_mm: float) -> tuple:
    """Hashable description of everything but amplitude/rate/pulse width that sets thresholds."""
    if therapy == "scs":
        return ("scs", p["contacts"], float(csf_thickness_mm), float(p["lateral_offset_mm"]))
    if therapy == "drg":
        return ("drg",)
    if therapy == "pns":
        anodic = p["contacts"][0] == "+" and p["shape"] == "monophasic"
        return ("pns", float(p["lead_distance_mm"]), anodic)
    return ("tens", float(p["contact_area_mm2"]), float(nerve_depth_mm))


def effective_shape(p: Mapping[str, Any]) -> str:
    # pulses inside a passively recharged burst are monophasic until the burst's recharge
    if p["pattern"] == "burst" and p["shape"] == "asymmetric":
        return "monophasic"
    return p["shape"]


@functools.lru_cache(maxsize=512)
def _class_thresholds(geometry: tuple, fc: FiberClass, pulse_width_us: float, shape: str,
                      interphase_gap_us: float, recharge_ratio: float, n: int,
                      seed: int) -> np.ndarray:
    """Sorted single-pulse thresholds [mA] of a population (read-only, cached)."""
    th = np.sort(_fibre_thresholds(geometry, fc, pulse_width_us, shape, interphase_gap_us,
                                   recharge_ratio, n, seed))
    th.setflags(write=False)
    return th


@functools.lru_cache(maxsize=128)
def _fibre_thresholds(geometry: tuple, fc: FiberClass, pulse_width_us: float, shape: str,
                      interphase_gap_us: float, recharge_ratio: float, n: int,
                      seed: int) -> np.ndarray:
    """Single-pulse thresholds [mA] of each fibre of a population, in population order
    (read-only, cached): where a fibre lies tells which dermatome it serves."""
    pop = _population(geometry[0], fc, n, seed)
    props = FIBER_PROPERTIES[fc]
    d, my = pop.diameter_um, props.myelinated
    model = fb.threshold_model(my)
    lam = fb.lambda_mm(model, d, np.float64(pulse_width_us))
    if geometry[0] == "scs":
        _, contacts, csf, offset = geometry
        lead = el.scs_lead(contacts, csf_thickness_mm=csf, lateral_offset_mm=offset)
        r = lead.transverse_distance_mm(pop.x_mm, pop.y_mm)
        pol = el.multipolar_polarization_unchecked(r, lead.contact_z_mm, lead.weights, lam,
                                          lead.cathode_z_mm)
        sigma = lead.sigma_S_per_m
    elif geometry[0] == "drg":
        # one contact on the ganglion, the lead's other contacts far by comparison [A]
        lead = el.Lead(np.zeros(1), np.array([-1.0]),
                       (0.0, DRG_RADIUS_MM + DRG_CONTACT_DISTANCE_MM), el.PNS_SIGMA_S_PER_M)
        r = lead.transverse_distance_mm(pop.x_mm, pop.y_mm)
        pol = fb.polarization_unchecked(r, lam)
        sigma = lead.sigma_S_per_m
    elif geometry[0] == "pns":
        _, dist, anodic = geometry
        lead = el.pns_lead(dist)
        r = lead.transverse_distance_mm(pop.x_mm, pop.y_mm)
        if anodic:
            # monophasic anodic lead contact: excitation at the virtual cathodes beside it,
            # searched along the fibre over offsets up to 3 (r + lambda)
            ks = np.linspace(0.05, 3.0, 30)
            pol = np.max([-fb.polarization_unchecked(r, lam, k * (r + lam)) for k in ks], axis=0)
        else:
            pol = fb.polarization_unchecked(r, lam)
        sigma = lead.sigma_S_per_m
    else:
        _, area, depth = geometry
        pad = el.tens_pad(area)
        term = pop.terminal
        lateral = np.where(term, pop.x_mm * pad.radius_mm, pop.x_mm)
        below = np.where(term, pop.y_mm, depth + pop.y_mm)
        dist = pad.distance_mm(lateral, np.maximum(below, 0.05))
        pol = np.where(term, lam * pop.orientation_cos / (dist * (dist + lam)),
                       fb.polarization_unchecked(dist, lam))
        sigma = pad.sigma_S_per_m
    th = fb.threshold_from_polarization_mA(d, pulse_width_us, pol, myelinated=my,
                                           sigma_S_per_m=sigma)
    th = th * fb.charge_balance_factor(shape, pulse_width_us,
                                       interphase_gap_us=interphase_gap_us,
                                       recharge_ratio=recharge_ratio,
                                       chronaxie_us=props.chronaxie_us)
    if pop.root is not None and pop.root.any():
        th = np.where(pop.root, SCS_ROOT_THRESHOLD_FACTOR * th, th)
    th = np.asarray(th, dtype=float)
    th.setflags(write=False)
    return th


def fiber_thresholds_mA(program: Any, fiber_class: Any, *, csf_thickness_mm: float = 3.0,
                        nerve_depth_mm: float = 10.0, n_fibers: int = DEFAULT_N_FIBERS,
                        seed: int = DEFAULT_SEED) -> np.ndarray:
    """Sorted single-pulse thresholds of one class's population for a program [mA].

    Includes the charge-balance factor of the program's pulse shape; independent of the
    amplitude and rate (cached on the remaining settings). Infinite for fibres the field
    cannot depolarise. Raises :class:`ParameterError` for ``therapy='off'``.
    """
    p = program_values(program)
    therapy = _check_therapy(p["therapy"])
    csf, depth = _check_anatomy(csf_thickness_mm, nerve_depth_mm)
    n, s = _check_n_seed(n_fibers, seed)
    return _thresholds_for(p, therapy, _check_class(fiber_class), csf, depth, n, s,
                           p["pulse_width_us"])


def fibre_thresholds_unsorted_mA(program: Any, fiber_class: Any, *,
                                 csf_thickness_mm: float = 3.0, nerve_depth_mm: float = 10.0,
                                 n_fibers: int = DEFAULT_N_FIBERS,
                                 seed: int = DEFAULT_SEED) -> np.ndarray:
    """Single-pulse thresholds of each fibre of :func:`population`, in population order [mA]
    (read-only): index them with the population's positions (:mod:`sim.placement` maps the
    SCS fibres to dermatomes)."""
    p = program_values(program)
    therapy = _check_therapy(p["therapy"])
    csf, depth = _check_anatomy(csf_thickness_mm, nerve_depth_mm)
    n, s = _check_n_seed(n_fibers, seed)
    return _fibre_thresholds(_geometry(therapy, p, csf, depth), _check_class(fiber_class),
                             float(p["pulse_width_us"]), effective_shape(p),
                             float(p["interphase_gap_us"]), float(p["recharge_ratio"]), n, s)


def _thresholds_for(p: Mapping[str, Any], therapy: str, fc: FiberClass, csf: float,
                    depth: float, n: int, seed: int, pulse_width_us: float) -> np.ndarray:
    return _class_thresholds(_geometry(therapy, p, csf, depth), fc, float(pulse_width_us),
                             effective_shape(p), float(p["interphase_gap_us"]),
                             float(p["recharge_ratio"]), n, seed)


# =============================================================================================
# Program access and validation
# =============================================================================================
_PROGRAM_ATTRS = ("therapy", "pattern", "shape", "amplitude_mA", "pulse_width_us", "rate_hz",
                  "interphase_gap_us", "recharge_ratio", "pulses_per_burst", "burst_rate_hz",
                  "contacts", "contact_area_mm2", "lead_distance_mm", "lateral_offset_mm")


def program_values(program: Any) -> dict[str, Any]:
    """The program attributes this module uses, each validated against its declaration."""
    out = {}
    for name in _PROGRAM_ATTRS:
        if not hasattr(program, name):
            raise ParameterError(f"program has no attribute {name!r}; pass a "
                                 "sim.waveforms.Program", name=name)
        out[name] = PARAMETERS[name].validate(getattr(program, name))
    return out


def _check_anatomy(csf_thickness_mm: Any, nerve_depth_mm: Any) -> tuple[float, float]:
    return (PARAMETERS["csf_thickness_mm"].validate(csf_thickness_mm),
            PARAMETERS["nerve_depth_mm"].validate(nerve_depth_mm))


def _pulses_per_second(p: Mapping[str, Any]) -> float:
    if p["pattern"] == "burst":
        return p["pulses_per_burst"] * p["burst_rate_hz"]
    return p["rate_hz"]


# =============================================================================================
# Recruitment at one amplitude
# =============================================================================================
@dataclass(frozen=True)
class ClassRecruitment:
    """Recruitment of one fibre class.

    Attributes
    ----------
    fiber_class : FiberClass
        The class.
    n_fibers : int
        Population size.
    recruited_fraction : float
        Fibres whose single-pulse threshold is at or below the amplitude [0-1].
    active_fraction : float
        Recruited fibres not in conduction block: they fire in steady state [0-1].
    blocked_fraction : float
        Fibres in depolarisation or kilohertz conduction block [0-1].
    firing_rate_hz : float
        Mean steady-state firing rate of the recruited fibres [Hz] (0 if none).
    population_rate_hz : float
        Mean firing rate over the whole population [Hz] (= drive to the dorsal horn).
    onset_spikes : float
        Mean spikes per blocked fibre fired at train onset before the block [count].
    threshold_min_mA : float
        Threshold of the most excitable fibre [mA].
    threshold_median_mA : float
        Median threshold of the population [mA].
    """

    fiber_class: FiberClass
    n_fibers: int
    recruited_fraction: float
    active_fraction: float
    blocked_fraction: float
    firing_rate_hz: float
    population_rate_hz: float
    onset_spikes: float
    threshold_min_mA: float
    threshold_median_mA: float


@dataclass(frozen=True)
class RecruitmentResult:
    """What a program recruits (one entry per fibre class) and the therapeutic window.

    Attributes
    ----------
    therapy : str
        Therapy of the program.
    amplitude_mA : float
        Program amplitude [mA].
    pulse_width_us : float
        Cathodic phase width [µs].
    pulses_per_second_hz : float
        Mean delivered pulse rate [Hz] (bursts: pulses per burst x burst rate).
    classes : tuple of ClassRecruitment
        Per class, in :class:`FiberClass` order; index with ``result[FiberClass.ABETA]``.
    perception_threshold_mA : float
        Amplitude recruiting :data:`PERCEPTION_FRACTION` of Aβ fibres [mA] (NaN when off).
    discomfort_threshold_mA : float
        :data:`DISCOMFORT_RATIO` of the therapy x perception threshold [mA].
    paresthesia : bool
        Whether the active Aβ fraction reaches :data:`PERCEPTION_FRACTION`.
    perception_fraction : float
        The Aβ fraction used for the perception threshold [0-1].
    """

    therapy: str
    amplitude_mA: float
    pulse_width_us: float
    pulses_per_second_hz: float
    classes: tuple[ClassRecruitment, ...]
    perception_threshold_mA: float
    discomfort_threshold_mA: float
    paresthesia: bool
    perception_fraction: float

    def __getitem__(self, fiber_class: Any) -> ClassRecruitment:
        fc = _check_class(fiber_class)
        for c in self.classes:
            if c.fiber_class is fc:
                return c
        raise KeyError(fc)

    @property
    def in_window(self) -> bool:
        """Amplitude between the perception and discomfort thresholds."""
        return self.perception_threshold_mA <= self.amplitude_mA <= self.discomfort_threshold_mA


def _perception(th_abeta: np.ndarray) -> float:
    k = max(1, math.ceil(PERCEPTION_FRACTION * th_abeta.size - 1e-9))
    return float(th_abeta[k - 1])


def recruit(program: Any, *, csf_thickness_mm: float = 3.0, nerve_depth_mm: float = 10.0,
            n_fibers: int = DEFAULT_N_FIBERS, seed: int = DEFAULT_SEED) -> RecruitmentResult:
    """Fibres recruited by a program, their firing rates and the therapeutic window.

    Parameters
    ----------
    program : Program
        A :class:`sim.waveforms.Program` (or any object with its attribute names).
    csf_thickness_mm : float
        Patient's dorsal CSF thickness [mm] (SCS).
    nerve_depth_mm : float
        Depth of the painful nerve under TENS pads [mm].
    n_fibers : int
        Fibres per class.
    seed : int
        Population seed.

    Returns
    -------
    RecruitmentResult

    Raises
    ------
    ParameterError
        For invalid program attributes or anatomy values.

    Notes
    -----
    ``therapy='off'`` or ``amplitude_mA=0`` recruits nothing. Firing rates follow
    :func:`sim.fibers.following`: ``rate / k`` for tonic trains, ``ceil(n / k)`` spikes per
    burst for bursts, 0 in conduction block (monophasic trains with a large mean current;
    charge-balanced trains >= 5 kHz far above threshold).
    """
    p = program_values(program)
    csf, depth = _check_anatomy(csf_thickness_mm, nerve_depth_mm)
    n, s = _check_n_seed(n_fibers, seed)
    therapy, amp, pw = p["therapy"], p["amplitude_mA"], p["pulse_width_us"]
    pps = _pulses_per_second(p) if therapy != "off" else 0.0
    if therapy == "off":
        empty = tuple(ClassRecruitment(fc, n, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, math.inf, math.inf)
                      for fc in FiberClass)
        return RecruitmentResult("off", amp, pw, 0.0, empty, math.nan, math.nan, False,
                                 PERCEPTION_FRACTION)
    balanced = p["shape"] != "monophasic"
    classes = []
    pt = math.nan
    for fc in FiberClass:
        th = _thresholds_for(p, therapy, fc, csf, depth, n, s, pw)
        if fc is FiberClass.ABETA:
            pt = _perception(th)
        k = int(np.searchsorted(th, amp, side="right")) if amp > 0 else 0
        rate = blocked_n = onset = pop_rate = 0.0
        if k:
            res = fb.following(p["rate_hz"], amp / th[:k], fiber_class=fc, pulse_width_us=pw,
                               charge_balanced=balanced,
                               pulses_per_burst=p["pulses_per_burst"] if p["pattern"] == "burst"
                               else 1, burst_rate_hz=p["burst_rate_hz"])
            rate = float(res.firing_rate_hz.mean())
            blocked_n = float(res.blocked.sum())
            onset = float(res.onset_spikes[res.blocked].mean()) if blocked_n else 0.0
            pop_rate = float(res.firing_rate_hz.sum()) / n
        classes.append(ClassRecruitment(
            fc, n, k / n, (k - blocked_n) / n, blocked_n / n, rate, pop_rate, onset,
            float(th[0]), float(th[n // 2])))
    abeta = classes[0]
    return RecruitmentResult(therapy, amp, pw, pps, tuple(classes), pt,
                             discomfort_ratio(therapy, csf) * pt,
                             bool(abeta.active_fraction >= PERCEPTION_FRACTION),
                             PERCEPTION_FRACTION)


# =============================================================================================
# Curves
# =============================================================================================
@dataclass(frozen=True, eq=False)
class ClassCurve:
    """Recruitment curve of one class.

    Attributes
    ----------
    fiber_class : FiberClass
        The class.
    recruited_fraction : ndarray
        Fraction recruited at each amplitude of the curve [0-1].
    operating_fraction : float
        Fraction recruited at the program's amplitude [0-1].
    """

    fiber_class: FiberClass
    recruited_fraction: np.ndarray
    operating_fraction: float


@dataclass(frozen=True, eq=False)
class RecruitmentCurve:
    """Recruited fraction versus amplitude, per class, with the operating point.

    Attributes
    ----------
    amplitude_mA : ndarray
        Amplitudes [mA].
    curves : tuple of ClassCurve
        Per class (index with ``curve[FiberClass.ABETA]``).
    operating_amplitude_mA : float
        The program's amplitude [mA].
    perception_threshold_mA, discomfort_threshold_mA : float
        Therapeutic window [mA].
    """

    amplitude_mA: np.ndarray
    curves: tuple[ClassCurve, ...]
    operating_amplitude_mA: float
    perception_threshold_mA: float
    discomfort_threshold_mA: float

    def __getitem__(self, fiber_class: Any) -> ClassCurve:
        fc = _check_class(fiber_class)
        return next(c for c in self.curves if c.fiber_class is fc)


def recruitment_curve(program: Any, amplitudes_mA: Any = None, *,
                      csf_thickness_mm: float = 3.0, nerve_depth_mm: float = 10.0,
                      n_fibers: int = DEFAULT_N_FIBERS,
                      seed: int = DEFAULT_SEED) -> RecruitmentCurve:
    """Single-pulse recruitment (fraction of fibres at or below threshold) vs amplitude.

    Parameters
    ----------
    program : Program
        Sets everything but the amplitude (whose value is the operating point).
    amplitudes_mA : array_like, optional
        Amplitudes [mA], 0..100; default 50 points from 0 to
        ``max(2 x amplitude, 3 x perception threshold)`` (at most 100 mA).
    csf_thickness_mm, nerve_depth_mm, n_fibers, seed
        As for :func:`recruit`.

    Returns
    -------
    RecruitmentCurve
    """
    p = program_values(program)
    therapy = _check_therapy(p["therapy"])
    csf, depth = _check_anatomy(csf_thickness_mm, nerve_depth_mm)
    n, s = _check_n_seed(n_fibers, seed)
    ths = {fc: _thresholds_for(p, therapy, fc, csf, depth, n, s, p["pulse_width_us"])
           for fc in FiberClass}
    pt = _perception(ths[FiberClass.ABETA])
    if amplitudes_mA is None:
        top = min(100.0, max(2.0 * p["amplitude_mA"], 3.0 * pt if math.isfinite(pt) else 0.0,
                             1.0))
        amps = np.linspace(0.0, top, 50)
    else:
        amps = check_array("amplitudes_mA", amplitudes_mA, "mA", 0.0, 100.0)
    curves = tuple(
        ClassCurve(fc, np.searchsorted(th, amps, side="right") / n,
                   float(np.searchsorted(th, p["amplitude_mA"], side="right") / n))
        for fc, th in ths.items())
    return RecruitmentCurve(amps, curves, p["amplitude_mA"], pt,
                            discomfort_ratio(p["therapy"], csf) * pt)


@dataclass(frozen=True, eq=False)
class ClassStrengthDuration:
    """Strength-duration curve of one class.

    Attributes
    ----------
    fiber_class : FiberClass
        The class.
    threshold_mA : ndarray
        Amplitude recruiting the criterion fraction of the class at each pulse width [mA].
    rheobase_mA : float
        Criterion amplitude for an infinitely long pulse [mA].
    chronaxie_us : float
        Pulse width at which the criterion amplitude is twice the rheobase [µs].
    """

    fiber_class: FiberClass
    threshold_mA: np.ndarray
    rheobase_mA: float
    chronaxie_us: float


@dataclass(frozen=True, eq=False)
class StrengthDurationCurve:
    """Threshold amplitude versus pulse width per class.

    Attributes
    ----------
    pulse_width_us : ndarray
        Pulse widths [µs].
    curves : tuple of ClassStrengthDuration
        Per class (index with ``curve[FiberClass.C]``).
    criterion_fraction : float
        Fraction of a class that defines its threshold [0-1].
    operating_pulse_width_us : float
        The program's pulse width [µs].
    """

    pulse_width_us: np.ndarray
    curves: tuple[ClassStrengthDuration, ...]
    criterion_fraction: float
    operating_pulse_width_us: float

    def __getitem__(self, fiber_class: Any) -> ClassStrengthDuration:
        fc = _check_class(fiber_class)
        return next(c for c in self.curves if c.fiber_class is fc)


def strength_duration_curve(program: Any, pulse_widths_us: Any = None, *,
                            criterion_fraction: float = PERCEPTION_FRACTION,
                            csf_thickness_mm: float = 3.0, nerve_depth_mm: float = 10.0,
                            n_fibers: int = 1000,
                            seed: int = DEFAULT_SEED) -> StrengthDurationCurve:
    """Amplitude needed to recruit a fraction of each class, versus pulse width.

    Parameters
    ----------
    program : Program
        Sets the electrode, geometry and pulse shape.
    pulse_widths_us : array_like, optional
        Pulse widths [µs], 10..1000 (default 25 log-spaced values).
    criterion_fraction : float
        Fraction of the class that must be recruited (default: the perception fraction).
    csf_thickness_mm, nerve_depth_mm, n_fibers, seed
        As for :func:`recruit` (fewer fibres by default: one population per pulse width).

    Returns
    -------
    StrengthDurationCurve
        With each class's rheobase and chronaxie (computed from the model, not fitted, so a
        C-fibre chronaxie far beyond the plotted widths is still resolved).
    """
    p = program_values(program)
    therapy = _check_therapy(p["therapy"])
    csf, depth = _check_anatomy(csf_thickness_mm, nerve_depth_mm)
    n, s = _check_n_seed(n_fibers, seed)
    frac = float(check_array("criterion_fraction", criterion_fraction, "", 0.0, 1.0,
                             include_minimum=False))
    if pulse_widths_us is None:
        pws = np.geomspace(10.0, 1000.0, 25)
    else:
        pws = check_array("pulse_widths_us", pulse_widths_us, "µs", 10.0, 1000.0).ravel()
    k = max(1, math.ceil(frac * n - 1e-9)) - 1
    geom = _geometry(therapy, p, csf, depth)
    shape, gap, ratio = effective_shape(p), float(p["interphase_gap_us"]), float(
        p["recharge_ratio"])
    uncached = _class_thresholds.__wrapped__
    curves = []
    for fc in FiberClass:
        th = np.array([_thresholds_for(p, therapy, fc, csf, depth, n, s, pw)[k] for pw in pws])

        def crit(pw: float, fc: FiberClass = fc) -> float:
            return float(uncached(geom, fc, pw, shape, gap, ratio, n, s)[k])

        rh = crit(1e9)                     # PW -> infinity: the rheobase
        lo, hi = math.log(0.1), math.log(1e8)
        if math.isfinite(rh):
            for _ in range(24):            # bisection in log PW for 2 x rheobase
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if crit(math.exp(mid)) > 2 * rh else (lo, mid)
            ch = math.exp(0.5 * (lo + hi))
        else:
            ch = math.nan
        curves.append(ClassStrengthDuration(fc, th, rh, ch))
    return StrengthDurationCurve(pws, tuple(curves), frac, p["pulse_width_us"])


# ============================================================================================
# The fibre view: recruitment and strength-duration curves of a program on a patient
# ============================================================================================
#: Amplitudes of the recruitment curves [mA] (log-spaced over the declared range).
FIBRE_AMPLITUDES_MA = tuple(float(a) for a in
                            [0.05 * (100 / 0.05) ** (i / 79) for i in range(80)])

@dataclass(frozen=True)
class FibreView:
    """Recruitment and strength-duration curves of one program on one patient, as drawn by
    the dashboard's fibre figure (any object with these attributes will do).

    Attributes
    ----------
    classes : tuple of str
        Fibre class labels, e.g. ``("Aβ", "Aδ", "C")``.
    amplitude_mA : ndarray
        Amplitudes of the recruitment curves [mA].
    fraction : dict
        Class -> recruited fraction at each amplitude [0-1].
    pulse_width_us : ndarray
        Pulse widths of the strength-duration curves [µs].
    threshold_mA : dict
        Class -> threshold amplitude at each pulse width [mA].
    operating_amplitude_mA, operating_pulse_width_us : float
        The program's amplitude [mA] and pulse width [µs].
    perception_mA, discomfort_mA : float or None
        The therapeutic window: paresthesia (perception) and discomfort thresholds [mA].
    """

    classes: tuple[str, ...]
    amplitude_mA: np.ndarray
    fraction: Mapping[str, np.ndarray]
    pulse_width_us: np.ndarray
    threshold_mA: Mapping[str, np.ndarray]
    operating_amplitude_mA: float
    operating_pulse_width_us: float
    perception_mA: float | None = None
    discomfort_mA: float | None = None


@functools.lru_cache(maxsize=64)
def fibre_view(program: Program, patient: Patient) -> FibreView | None:
    """Recruitment and strength-duration curves of ``program`` on ``patient``'s anatomy
    (what the dashboard's fibre figure and the notebooks draw).

    Returns
    -------
    FibreView or None
        Built from :func:`recruitment_curve` and :func:`strength_duration_curve`; ``None``
        when the therapy has no fibre population (``off``).
    """
    if program.therapy == "off":
        return None
    anatomy = (patient.csf_thickness_mm, patient.nerve_depth_mm)
    # A fixed amplitude grid keeps the plot's axis still while the amplitude slider moves.
    curve = recruitment_curve(
        program, FIBRE_AMPLITUDES_MA, csf_thickness_mm=anatomy[0], nerve_depth_mm=anatomy[1])
    # Normalised so that moving those sliders reuses the cached curves. A burst keeps its own
    # rate inside the burst: at 1 Hz its pulses would not fit into the burst period (and the
    # pattern matters: a passively recharged burst acts as monophasic pulses).
    sd = _strength_duration(program.replace(
        amplitude_mA=1.0, pulse_width_us=10.0,
        rate_hz=program.rate_hz if program.pattern == "burst" else 1.0), *anatomy)

    def finite(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    return FibreView(
        classes=tuple(c.fiber_class.label for c in curve.curves),
        amplitude_mA=curve.amplitude_mA,
        fraction={c.fiber_class.label: c.recruited_fraction for c in curve.curves},
        pulse_width_us=sd.pulse_width_us,
        threshold_mA={c.fiber_class.label: c.threshold_mA for c in sd.curves},
        operating_amplitude_mA=program.amplitude_mA,
        operating_pulse_width_us=program.pulse_width_us,
        perception_mA=finite(curve.perception_threshold_mA),
        discomfort_mA=finite(curve.discomfort_threshold_mA))


@functools.lru_cache(maxsize=32)
def _strength_duration(program: Program, csf_thickness_mm: float, nerve_depth_mm: float) -> Any:
    """Strength-duration curves: independent of the program's amplitude, pulse width and
    rate, which the caller normalises so that moving those sliders reuses this result."""
    return strength_duration_curve(
        program, csf_thickness_mm=csf_thickness_mm, nerve_depth_mm=nerve_depth_mm)
