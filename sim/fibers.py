"""Nerve-fibre classes and their response to extracellular current pulses.

What is here (docs/science.md §3):

* :class:`FiberClass` (Aβ, Aδ, C) and :data:`FIBER_PROPERTIES`, the per-class registry of
  diameters, myelination, conduction velocity, refractoriness and chronaxie;
* :func:`threshold_mA`, a reduced activation-threshold model for a point current source,
  fitted to compartmental reference thresholds (MRG myelinated axon, Sundt C fibre) and frozen
  as documented constants (:data:`MYELINATED_MODEL`, :data:`UNMYELINATED_MODEL`);
* :func:`polarization_per_mm`, the cable-filtered field that the model is built on, also for
  sources offset along the fibre (so several contacts can be superposed);
* strength-duration helpers (:func:`strength_duration_mA`, :func:`charge_threshold_nC`,
  :func:`fit_strength_duration`, :func:`fiber_rheobase_mA`, :func:`fiber_chronaxie_us`);
* the threshold increase caused by a charge-balancing phase (:func:`charge_balance_factor`);
* refractoriness, frequency following, depolarisation block and kilohertz (KHFAC) block as
  closed-form functions of pulse rate and amplitude (:func:`following`).

All functions are pure and vectorised over numpy arrays; their cost never depends on the number
of pulses in a train.

The threshold model
-------------------
A straight fibre with its node (or, for a C fibre, its membrane patch) nearest to a point source
at perpendicular distance ``r``. The extracellular potential is ``V_e = I / (4 pi sigma R)``.
In a passive cable whose inside potential is the exponentially weighted average of ``V_e`` over
a length constant ``lambda``, the membrane polarisation at the node is::

    V_m = <V_e>_lambda - V_e(node) = |I| / (4 pi sigma) * P(r, lambda)            (1)
    P(r, lambda) = 1/r - (pi / (2 lambda)) [H0(r/lambda) - Y0(r/lambda)]        [1/mm]

(H0 Struve, Y0 Bessel; P -> 1/r near the fibre, P -> lambda^2 / r^3 far away, which is the
activating function times lambda^2). The fibre fires when ``V_m`` reaches a Weiss-type
threshold, so::

    I_th = 4 pi sigma * V_th(d) * (1 + tau_ch / PW) / P(r, lambda(d, PW))        (2)
    lambda(d, PW)^2 = lambda_0(d)^2 + lambda_inf(d)^2 * (1 - exp(-PW / tau_s))   (3)

The effective length constant grows with pulse width like a spreading (diffusing) charge cloud
that saturates at the steady-state length constant: short pulses only "see" the field near the
node, long pulses average it over a longer stretch of fibre. This one mechanism reproduces the
reference data's distance-dependent chronaxie, the near-field (I ~ r) to far-field (I ~ r^3)
transition and the diameter dependence through the internode length. Limits: I_th -> rheobase
for PW -> infinity; I_th * PW -> constant (charge threshold) for PW -> 0 because lambda stays
>= lambda_0; I_th is proportional to sigma (for a fixed current the potential is
proportional to 1/sigma).

Diameter scaling: myelinated fibres scale lambda_0 and lambda_inf with the internode length
L(d) (:func:`internode_length_mm`) and V_th with ``(d / 10 um)^-p``. C fibres scale both
lengths with the cable length constant ``sqrt(R_m d / (4 R_i))``, i.e. with ``sqrt(d)``, and
keep V_th (same membrane) -- the reference only has 1.0 um C fibres, so this is the physically
motivated extrapolation to 0.2-1.5 um.

References
----------
McIntyre C.C., Richardson A.G., Grill W.M. (2002) Modeling the excitability of mammalian nerve
fibers: influence of afterpotentials on the recovery cycle. J Neurophysiol 87:995-1006.
Sundt D., Gamper N., Jaffe D.B. (2015) Spike propagation through the dorsal root ganglia in an
unmyelinated sensory neuron: a modeling study. J Neurophysiol 114:3140-3153.
PyFibers 0.13 (wmglab-duke, github.com/wmglab-duke/pyfibers) with NEURON 9.0.2 computed the
reference thresholds in ``sim/data`` (MRG_DISCRETE and SUNDT models, bisection to 1 %).
McNeal D.R. (1976) Analysis of a model for excitation of myelinated nerve. IEEE TBME 23:329.
Rattay F. (1986) Analysis of models for external stimulation of axons. IEEE TBME 33:974.
Ranck J.B. (1975) Which elements are excited in electrical stimulation of mammalian central
nervous system: a review. Brain Res 98:417-440.
Geddes L.A. (2004) Accuracy limitations of chronaxie values. IEEE TBME 51:176-181.
Kilgore K.L., Bhadra N. (2014) Reversible nerve conduction block using kilohertz frequency
alternating current. Neuromodulation 17:242-255.
Bhadra 2020 (KHFAC onset response and time to block), as cited in docs/science.md §3.4.
Gorman P.H., Mortimer J.T. (1983) The effect of stimulus parameters on the recruitment
characteristics of direct nerve stimulation. IEEE TBME 30:407-414 (interphase gap) [S].
"""
from __future__ import annotations

import contextlib
import csv
import enum
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.special import struve, y0

from sim.params import ParameterError, check_array

__all__ = [
    "FiberClass",
    "FiberProperties",
    "FIBER_PROPERTIES",
    "ThresholdModel",
    "MYELINATED_MODEL",
    "UNMYELINATED_MODEL",
    "REFERENCE_SIGMA_S_PER_M",
    "internode_length_mm",
    "conduction_velocity_m_per_s",
    "latency_ms",
    "length_constant_mm",
    "polarization_per_mm",
    "threshold_mA",
    "threshold_from_polarization_mA",
    "StrengthDuration",
    "strength_duration_mA",
    "charge_threshold_nC",
    "fit_strength_duration",
    "fiber_rheobase_mA",
    "fiber_chronaxie_us",
    "class_strength_duration",
    "charge_balance_factor",
    "BIPHASIC_GAIN",
    "BIPHASIC_WIDTH_SCALE",
    "BIPHASIC_GAP_SCALE",
    "FollowingResult",
    "following",
    "khfac_block_ratio",
    "train_spike_count",
    "ReferenceThresholds",
    "reference_thresholds",
    "reference_following",
    "fit_threshold_model",
    "fit_charge_balance",
    "model_errors",
]


# =============================================================================================
# Fibre classes
# =============================================================================================
class FiberClass(enum.Enum):
    """Afferent fibre classes (Erlanger-Gasser letters; Lloyd groups II, III, IV)."""

    ABETA = "abeta"
    ADELTA = "adelta"
    C = "c"

    @property
    def label(self) -> str:
        """Human label with Greek letters (``Aβ``, ``Aδ``, ``C``)."""
        return {"abeta": "Aβ", "adelta": "Aδ", "c": "C"}[self.value]

    @property
    def properties(self) -> FiberProperties:
        """This class's entry in :data:`FIBER_PROPERTIES`."""
        return FIBER_PROPERTIES[self]


@dataclass(frozen=True)
class FiberProperties:
    """Physiological properties of one fibre class (docs/science.md §3.1).

    Attributes
    ----------
    fiber_class : FiberClass
        The class these properties describe.
    diameter_min_um, diameter_max_um : float
        Range of outer fibre diameters [µm].
    myelinated : bool
        Whether the fibre is myelinated (saltatory conduction, MRG-type threshold model).
    velocity_per_diameter_m_per_s_per_um : float
        Conduction velocity per µm of diameter [m/s/µm]: 6 (Hursh) or 1.7 (unmyelinated).
    absolute_refractory_ms : float
        Absolute refractory period [ms]: no second spike can be evoked sooner.
    relative_refractory_ms : float
        Time constant of threshold recovery after the absolute refractory period [ms].
    chronaxie_us : float
        Typical chronaxie of the class [µs] (membrane time scale of the Weiss law).
    role : str
        What the class signals, for students.
    source : str
        Where the numbers come from (docs/science.md §0.2 tags).
    """

    fiber_class: FiberClass
    diameter_min_um: float
    diameter_max_um: float
    myelinated: bool
    velocity_per_diameter_m_per_s_per_um: float
    absolute_refractory_ms: float
    relative_refractory_ms: float
    chronaxie_us: float
    role: str
    source: str

    @property
    def typical_diameter_um(self) -> float:
        """Geometric mean of the diameter range [µm]."""
        return math.sqrt(self.diameter_min_um * self.diameter_max_um)

    @property
    def max_following_rate_hz(self) -> float:
        """Upper bound of the rate a fibre can follow, 1 / absolute refractory period [Hz]."""
        return 1000.0 / self.absolute_refractory_ms

    @property
    def velocity_range_m_per_s(self) -> tuple[float, float]:
        """Conduction velocities at the ends of the diameter range [m/s]."""
        k = self.velocity_per_diameter_m_per_s_per_um
        return (k * self.diameter_min_um, k * self.diameter_max_um)


_PROPS = (
    FiberProperties(
        FiberClass.ABETA, 6.0, 12.0, True, 6.0, 0.8, 0.5, 100.0,
        "touch and vibration; the dorsal-column fibres SCS recruits",
        "diameter/CV [S Erlanger-Gasser/Lloyd tables]; v = 6 d [T Hursh 1939]; absolute "
        "refractory ~0.5-1 ms [T]; relative-refractory recovery 0.5 ms [A, calibrated so a "
        "10 um MRG fibre at 1.5x threshold follows 500 Hz 1:1 and 1 kHz 1:2 "
        "(fiber_following.csv)]; chronaxie 0.1 ms [A within S range 30-200 us, Ranck 1975]"),
    FiberProperties(
        FiberClass.ADELTA, 1.0, 5.0, True, 6.0, 1.0, 1.0, 250.0,
        "sharp first pain and cold",
        "diameter/CV [S]; v = 6 d [T Hursh]; absolute refractory ~1 ms [T]; recovery 1 ms "
        "[A]; chronaxie 0.2-0.3 ms [A]"),
    FiberProperties(
        FiberClass.C, 0.2, 1.5, False, 1.7, 3.0, 5.0, 1000.0,
        "burning second pain and warmth",
        "diameter/CV [S]; v = 1.7 d [S]; absolute refractory ~2-5 ms [T]; recovery 5 ms [A]; "
        "chronaxie 1.0 ms (0.5-1.5) [A within S range]"),
)

#: Fibre-class registry (read-only): a new class added here appears wherever classes are listed.
FIBER_PROPERTIES: Mapping[FiberClass, FiberProperties] = MappingProxyType(
    {p.fiber_class: p for p in _PROPS})


# =============================================================================================
# Geometry and conduction
# =============================================================================================
#: MRG published discrete fibre diameters [µm] and node-to-node (internode) lengths [µm]:
#: 5.7-16 um from McIntyre, Richardson & Grill 2002 [P]; 1 and 2 um from the PyFibers
#: MRG_DISCRETE extension [S]. These are the geometry of the reference fibres.
MRG_DIAMETERS_UM = (1.0, 2.0, 5.7, 7.3, 8.7, 10.0, 11.5, 12.8, 14.0, 15.0, 16.0)
MRG_INTERNODE_UM = (100.0, 200.0, 500.0, 750.0, 1000.0, 1150.0, 1250.0, 1350.0, 1400.0,
                    1450.0, 1500.0)
_MRG_D = np.array(MRG_DIAMETERS_UM)
_MRG_L_MM = np.array(MRG_INTERNODE_UM) / 1000.0
_L_SLOPE_BIG = (_MRG_L_MM[-1] - _MRG_L_MM[-2]) / (_MRG_D[-1] - _MRG_D[-2])


def internode_length_mm(diameter_um: Any) -> np.ndarray:
    """Node-to-node distance of a myelinated fibre [mm].

    Parameters
    ----------
    diameter_um : array_like
        Outer fibre diameter [µm], > 0.

    Returns
    -------
    ndarray
        Internode length [mm].

    Notes
    -----
    Piecewise-linear through the MRG discrete table (:data:`MRG_INTERNODE_UM`); below 1 µm
    ``L = 100 d`` (the classic ratio, which the 1 and 2 µm entries follow [T]); above 16 µm
    continued with the last table slope (50 µm per µm), keeping L increasing with d.
    """
    d = np.asarray(diameter_um, dtype=float)
    out = np.interp(d, _MRG_D, _MRG_L_MM)
    out = np.where(d < _MRG_D[0], 0.1 * d, out)
    return np.where(d > _MRG_D[-1], _MRG_L_MM[-1] + _L_SLOPE_BIG * (d - _MRG_D[-1]), out)


def conduction_velocity_m_per_s(diameter_um: Any, *, myelinated: bool = True) -> np.ndarray:
    """Conduction velocity [m/s] from fibre diameter.

    Parameters
    ----------
    diameter_um : array_like
        Fibre diameter [µm], > 0.
    myelinated : bool
        Myelinated (``v = 6 d``) or unmyelinated (``v = 1.7 d``).

    Notes
    -----
    ``v = 6 d`` [T Hursh 1939, Am J Physiol 127:131]; ``v = 1.7 d`` for C fibres [S]; some
    texts use ``v ~ sqrt(d)`` for unmyelinated fibres (docs/science.md §3.1).
    """
    d = check_array("diameter_um", diameter_um, "µm", 0.0, 100.0, include_minimum=False)
    return d * (6.0 if _check_bool("myelinated", myelinated) else 1.7)


def latency_ms(path_length_mm: Any, diameter_um: Any, *, myelinated: bool = True) -> np.ndarray:
    """Conduction time over a path [ms]: ``t = path / v`` (1 m/s = 1 mm/ms).

    Parameters
    ----------
    path_length_mm : array_like
        Conduction distance [mm], >= 0.
    diameter_um : array_like
        Fibre diameter [µm], > 0.
    myelinated : bool
        Selects the velocity law of :func:`conduction_velocity_m_per_s`.
    """
    path = check_array("path_length_mm", path_length_mm, "mm", 0.0, 1e5)
    return path / conduction_velocity_m_per_s(diameter_um, myelinated=myelinated)


# =============================================================================================
# The cable-filtered field P(r, s, lambda)
# =============================================================================================
_EULER_GAMMA = 0.5772156649015329
_Z_LO, _Z_HI, _NZ = 1e-4, 20.0, 2401


@functools.cache
def _g_table() -> tuple[np.ndarray, np.ndarray]:
    """Tabulate q(ln z) = G(z) (1 + z^2), G(z) = 1 - z (pi/2) [H0(z) - Y0(z)] (exact, scipy)."""
    x = np.linspace(math.log(_Z_LO), math.log(_Z_HI), _NZ)
    z = np.exp(x)
    g = 1.0 - z * (math.pi / 2) * (struve(0, z) - y0(z))
    return x, g * (1.0 + z * z)


def _g(z: np.ndarray) -> np.ndarray:
    """G(z) = r P(r, lambda) at z = r / lambda: 1 near the fibre, ~1/z^2 far away.

    Table + linear interpolation in ln z (relative error < 1e-5) between 1e-4 and 20;
    small-z series ``1 + z (ln(z/2) + gamma)`` below, asymptotic series above:
    ``G ~ sum_k (-1)^(k+1) ((2k-1)!!)^2 / z^(2k)``.
    """
    x_tab, q_tab = _g_table()
    z = np.asarray(z, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lz = np.log(z)
        out = np.interp(lz, x_tab, q_tab) / (1.0 + z * z)
        big = z > _Z_HI
        if big.any():
            u = 1.0 / (z[big] * z[big]) if z.ndim else 1.0 / (z * z)
            series = u * (1.0 - u * (9.0 - u * (225.0 - u * 11025.0)))
            if z.ndim:
                out[big] = series
            else:
                out = series
        small = z < _Z_LO
        if small.any():
            s = 1.0 + z * (np.log(z / 2.0) + _EULER_GAMMA)
            out = np.where(small, s, out)
    return out


def _simpson_graded(fun, rate: np.ndarray, w_max: np.ndarray, n: int) -> np.ndarray:
    """∫_0^w_max fun(w) dw on the graded mesh w = (exp(b v) - 1) / rate, Simpson in v."""
    b = np.log1p(rate * w_max)[..., None]
    v = np.linspace(0.0, 1.0, n + 1)
    e = np.exp(b * v)
    w = (e - 1.0) / rate[..., None]
    f = fun(w) * (b * e / rate[..., None])
    s = f[..., 0] + f[..., -1] + 4 * f[..., 1:-1:2].sum(-1) + 2 * f[..., 2:-1:2].sum(-1)
    return s / (3 * n)


def _kernel_average(rho: np.ndarray, sig: np.ndarray, n: int = 64) -> np.ndarray:
    """a(rho, s) = 1/2 ∫ exp(-|u|) / sqrt((u - s)^2 + rho^2) du (lengths in units of lambda).

    Split at the node (u = 0) and the source foot (u = s), each piece mapped by
    w = rho sinh(y) and integrated on a graded mesh; relative error ~1e-7 (checked against
    adaptive quadrature in the tests).
    """
    rho, sig = np.broadcast_arrays(np.asarray(rho, float), np.abs(np.asarray(sig, float)))
    R = np.hypot(rho, sig)
    Y = np.arcsinh(sig / rho)
    r_, s_, Y_, sY = rho[..., None], sig[..., None], Y[..., None], (sig / rho)[..., None]
    beyond = _simpson_graded(lambda w: np.exp(-r_ * (np.sinh(Y_ + w) - sY)), R,
                             np.arcsinh((sig + 45.0) / rho) - Y, n)
    between = _simpson_graded(lambda w: np.exp(-(s_ - r_ * np.sinh(Y_ - w))), R, Y, n)
    j0 = _simpson_graded(lambda w: np.exp(-r_ * np.sinh(w)), rho, np.arcsinh(45.0 / rho), n)
    return 0.5 * (np.exp(-sig) * j0 + between + beyond)


def _legendre_far(rho: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """R P for R = |(rho, s)| >> lambda: -sum_n (2n)! P_2n(s/R) / R^(2n), n = 1..4."""
    R2 = rho * rho + sig * sig
    mu2 = sig * sig / R2
    p2 = 0.5 * (3 * mu2 - 1)
    p4 = (35 * mu2 * mu2 - 30 * mu2 + 3) / 8
    p6 = (231 * mu2**3 - 315 * mu2**2 + 105 * mu2 - 5) / 16
    p8 = (6435 * mu2**4 - 12012 * mu2**3 + 6930 * mu2**2 - 1260 * mu2 + 35) / 128
    u = 1.0 / R2
    return -u * (2 * p2 + u * (24 * p4 + u * (720 * p6 + u * 40320 * p8)))


_RHO_LO, _RHO_HI, _NRHO, _NV, _V_HI = 1e-4, 20.0, 161, 121, math.asinh(2e5)
_R_FAR = 20.0


@functools.cache
def _offset_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cubic-spline coefficients of h = R P(rho, s) on (ln rho, v = asinh(s / rho)).

    Built once on first use (~0.2 s); spline interpolation error ~1e-5 relative (median).
    """
    from scipy import ndimage

    x = np.linspace(math.log(_RHO_LO), math.log(_RHO_HI), _NRHO)
    v = np.linspace(0.0, _V_HI, _NV)
    rho = np.exp(x)[:, None] * np.ones_like(v)[None, :]
    sig = rho * np.sinh(v)[None, :]
    R = np.hypot(rho, sig)
    h = _legendre_far(rho, sig)
    near = R <= _R_FAR
    h[near] = 1.0 - R[near] * _kernel_average(rho[near], sig[near])
    return x, v, ndimage.spline_filter(h, order=3, mode="nearest")


def _h_offset(rho: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """R P(rho, s) for any rho > 0, s (cubic spline in the table, Legendre series far away)."""
    from scipy.ndimage import map_coordinates

    rho, sig = np.broadcast_arrays(np.asarray(rho, float), np.abs(np.asarray(sig, float)))
    R = np.hypot(rho, sig)
    near = R <= _R_FAR
    out = np.empty(R.shape)
    if not near.all():
        far = ~near
        out[far] = _legendre_far(rho[far], sig[far])
    if near.any():
        x_t, v_t, coef = _offset_table()
        rn = np.clip(rho[near], _RHO_LO, _RHO_HI)
        fx = (np.log(rn) - x_t[0]) / (x_t[1] - x_t[0])
        fv = np.clip(np.arcsinh(sig[near] / rn) / (v_t[1] - v_t[0]), 0, _NV - 1)
        out[near] = map_coordinates(coef, [fx, fv], order=3, mode="nearest", prefilter=False)
    return out


def polarization_per_mm(distance_mm: Any, length_constant_mm: Any,
                        offset_mm: Any = 0.0) -> np.ndarray:
    """Cable-filtered field of a unit cathodic point source at a node [1/mm].

    Multiply by ``|I| / (4 pi sigma)`` (mA, S/m -> V) to get the membrane polarisation of the
    node (positive = depolarising).

    Parameters
    ----------
    distance_mm : array_like
        Perpendicular distance from the source to the fibre axis [mm], > 0.
    length_constant_mm : array_like
        Effective length constant of the fibre [mm], > 0 (:func:`length_constant_mm`).
    offset_mm : array_like, optional
        Distance along the fibre from the node to the foot of the perpendicular from the
        source [mm]; 0 = source over the node.

    Returns
    -------
    ndarray
        ``P = 1/R - (1/(2 lambda)) ∫ exp(-|x|/lambda) / sqrt((x - s)^2 + r^2) dx`` [1/mm].

    Notes
    -----
    The passive-cable steady state with the fibre interior at the exponentially weighted
    average of the outside potential (membrane polarisation = average - local). For ``s = 0``
    closed form ``P = (1/r) G(r/lambda)`` with ``G(z) = 1 - z (pi/2)[H0(z) - Y0(z)]``; for
    ``s != 0`` a precomputed cubic-spline table (~1e-5 relative) and, for ``R >> lambda``, the
    expansion ``P = -sum_n d^(2n)/ds^(2n) (1/R) lambda^(2n)`` (its first term is
    ``lambda^2`` times the activating function). A distant anode can therefore depolarise
    (virtual cathode) or hyperpolarise a node depending on the angle.
    """
    r = check_array("distance_mm", distance_mm, "mm", 0.0, 1e4, include_minimum=False)
    lam = check_array("length_constant_mm", length_constant_mm, "mm", 0.0, 1e4,
                      include_minimum=False)
    s = check_array("offset_mm", offset_mm, "mm", -1e5, 1e5)
    return polarization_unchecked(r, lam, s)


def polarization_unchecked(r: np.ndarray, lam: np.ndarray, s: Any = 0.0) -> np.ndarray:
    """Unchecked :func:`polarization_per_mm`."""
    if np.ndim(s) == 0:
        if float(s) == 0.0:
            return _g(r / lam) / r
        r, lam = np.broadcast_arrays(r, lam)
        return _h_offset(r / lam, float(s) / lam) / np.hypot(r, float(s))
    r, lam, s = np.broadcast_arrays(r, lam, s)
    out = np.empty(r.shape)
    off = s != 0
    on = ~off
    if on.any():
        out[on] = _g(r[on] / lam[on]) / r[on]
    if off.any():
        out[off] = _h_offset(r[off] / lam[off], s[off] / lam[off]) / np.hypot(r[off], s[off])
    return out


# =============================================================================================
# Threshold model
# =============================================================================================
#: Conductivity of the medium in the reference simulations [S/m] (sim/data/README.md).
REFERENCE_SIGMA_S_PER_M = 0.2


@dataclass(frozen=True)
class ThresholdModel:
    """Constants of the reduced threshold model, equations (2)-(3) of the module docstring.

    Attributes
    ----------
    name : str
        Which reference fibre model the constants were fitted to.
    v_threshold_mV : float
        Membrane polarisation needed for a long pulse at the reference diameter [mV].
    diameter_exponent : float
        ``V_th ∝ (d / d_ref)^-p`` (myelinated only; 0 for C fibres) [1].
    reference_diameter_um : float
        Diameter at which the lengths below are given [µm].
    chronaxie_us : float
        Weiss chronaxie of the membrane term ``1 + tau_ch / PW`` [µs].
    lambda0_mm : float
        Length constant seen by a vanishingly short pulse at d_ref [mm].
    lambda_inf_mm : float
        Growth of the length constant for long pulses at d_ref [mm].
    spread_time_constant_ms : float
        Time constant ``tau_s`` of that growth [ms].
    myelinated : bool
        True: lengths scale with the internode length L(d); False: with ``sqrt(d)``.
    """

    name: str
    v_threshold_mV: float
    diameter_exponent: float
    reference_diameter_um: float
    chronaxie_us: float
    lambda0_mm: float
    lambda_inf_mm: float
    spread_time_constant_ms: float
    myelinated: bool

    def length_scale(self, diameter_um: np.ndarray) -> np.ndarray:
        """Factor by which both lengths scale at ``diameter_um`` (1 at d_ref)."""
        if self.myelinated:
            return internode_length_mm(diameter_um) / float(
                internode_length_mm(self.reference_diameter_um))
        return np.sqrt(np.asarray(diameter_um, float) / self.reference_diameter_um)


#: Myelinated fibres, fitted to the 84 monophasic MRG_DISCRETE rows (5.7-16 um, 0.5-3 mm,
#: 30-1000 us) by :func:`fit_threshold_model` (least squares on log ratios), then frozen.
#: Six constants: V_th = 11.5 mV is a membrane depolarisation of textbook size; tau_ch = 88 us
#: matches the Aβ chronaxie of docs/science.md §3.1 (0.1 ms); lambda_0 = 1.66 and lambda_inf = 8.4
#: internodes (L(10 um) = 1.15 mm) with tau_s = 2.4 ms (internodal/myelin time scale); the
#: weak diameter exponent p = 0.077 is the nodal size effect not carried by L(d).
MYELINATED_MODEL = ThresholdModel(
    name="MRG_DISCRETE fit", v_threshold_mV=11.50, diameter_exponent=0.0772,
    reference_diameter_um=10.0, chronaxie_us=88.07, lambda0_mm=1.910, lambda_inf_mm=9.627,
    spread_time_constant_ms=2.407, myelinated=True)

#: C fibres, fitted to the 14 SUNDT rows (1.0 um, 0.5 and 1 mm). Three constants fitted
#: (V_th, tau_ch, lambda_0); lambda_inf and tau_s are the passive cable constants of the Sundt
#: membrane, not fitted: lambda = sqrt(R_m d / (4 R_i)) = 0.5 mm and tau_m = R_m C_m = 10 ms
#: with R_m = 10 kOhm cm^2, R_i = 100 Ohm cm, C_m = 1 uF/cm^2 [P Sundt 2015 via PyFibers code].
#: The fitted tau_ch = 0.94 ms matches the C chronaxie of docs/science.md §3.1 (1.0 ms [A]).
UNMYELINATED_MODEL = ThresholdModel(
    name="SUNDT fit", v_threshold_mV=10.07, diameter_exponent=0.0,
    reference_diameter_um=1.0, chronaxie_us=942.5, lambda0_mm=0.1441, lambda_inf_mm=0.5,
    spread_time_constant_ms=10.0, myelinated=False)


def threshold_model(myelinated: bool) -> ThresholdModel:
    """The fitted threshold model of myelinated (Aβ, Aδ) or unmyelinated (C) fibres."""
    return MYELINATED_MODEL if myelinated else UNMYELINATED_MODEL


def lambda_mm(m: ThresholdModel, d: np.ndarray, pw_us: np.ndarray | float) -> np.ndarray:
    """Unchecked :func:`length_constant_mm` for a model ``m`` (the threshold solvers' fast
    path: arrays already validated) [mm]."""
    grow = -np.expm1(-pw_us / (1000.0 * m.spread_time_constant_ms))
    return m.length_scale(d) * np.sqrt(m.lambda0_mm ** 2 + m.lambda_inf_mm ** 2 * grow)


def _v_needed_mV(m: ThresholdModel, d: np.ndarray, pw_us: np.ndarray) -> np.ndarray:
    v = m.v_threshold_mV * (1.0 + m.chronaxie_us / pw_us)
    if m.diameter_exponent:
        v = v * (d / m.reference_diameter_um) ** (-m.diameter_exponent)
    return v


def _check_fiber_args(diameter_um: Any, pulse_width_us: Any) -> tuple[np.ndarray, np.ndarray]:
    d = check_array("diameter_um", diameter_um, "µm", 0.0, 100.0, include_minimum=False)
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    return d, pw


def _check_sigma(sigma_S_per_m: Any) -> np.ndarray:
    return check_array("sigma_S_per_m", sigma_S_per_m, "S/m", 0.0, 100.0,
                       include_minimum=False)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{name}={value!r} must be true or false", name=name, value=value)
    return bool(value)


def length_constant_mm(diameter_um: Any, pulse_width_us: Any, *,
                       myelinated: bool = True) -> np.ndarray:
    """Effective length constant lambda(d, PW) of equation (3) [mm].

    Parameters
    ----------
    diameter_um : array_like
        Fibre diameter [µm], > 0.
    pulse_width_us : array_like
        Duration of the cathodic phase [µs], > 0.
    myelinated : bool
        Selects :data:`MYELINATED_MODEL` or :data:`UNMYELINATED_MODEL`.

    Notes
    -----
    ``lambda^2 = s(d)^2 [lambda_0^2 + lambda_inf^2 (1 - exp(-PW / tau_s))]`` with ``s(d)`` the
    internode-length ratio ``L(d) / L(10 um)`` (myelinated) or ``sqrt(d / 1 um)`` (C).
    """
    d, pw = _check_fiber_args(diameter_um, pulse_width_us)
    return lambda_mm(threshold_model(_check_bool("myelinated", myelinated)), d, pw)


def threshold_mA(diameter_um: Any, distance_mm: Any, pulse_width_us: Any, *,
                 myelinated: bool = True, sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Activation threshold of a fibre for a monophasic cathodic point-source pulse [mA].

    Point source in an infinite homogeneous medium, perpendicular distance ``distance_mm``
    from a straight fibre, centred over a node; rectangular pulse of ``pulse_width_us``.

    Parameters
    ----------
    diameter_um : array_like
        Fibre diameter [µm], > 0 (myelinated 1-20 µm, C 0.2-1.5 µm are the design ranges).
    distance_mm : array_like
        Source-to-fibre distance [mm], > 0.
    pulse_width_us : array_like
        Pulse width [µs], > 0.
    myelinated : bool, optional
        MRG-type myelinated fibre (default) or C fibre.
    sigma_S_per_m : array_like, optional
        Conductivity of the medium [S/m], > 0. The threshold is proportional to sigma.

    Returns
    -------
    ndarray
        Threshold current magnitude [mA], broadcast over the inputs.

    Raises
    ------
    ParameterError
        For non-numeric, NaN/infinite, zero or negative inputs.

    Notes
    -----
    ``I_th = 4 pi sigma V_th(d) (1 + tau_ch/PW) r / G(r / lambda(d, PW))`` (module docstring,
    equations 1-3), constants :data:`MYELINATED_MODEL` / :data:`UNMYELINATED_MODEL`.
    Absolute relative error on the reference rows: MRG median 3.4 %, 90th percentile 7.5 %,
    max 11 % (leave-one-diameter-out 4.8 % / 13 %, leave-one-distance-out 3.3 % / 9.0 %);
    SUNDT median 0.3 % (two distances only: distance extrapolation of C fibres is unverified).

    Examples
    --------
    >>> float(threshold_mA(10.0, 1.0, 100.0))  # reference 0.121 mA  # doctest: +ELLIPSIS
    0.11...
    """
    d, pw = _check_fiber_args(diameter_um, pulse_width_us)
    r = check_array("distance_mm", distance_mm, "mm", 0.0, 1e4, include_minimum=False)
    sigma = _check_sigma(sigma_S_per_m)
    m = threshold_model(_check_bool("myelinated", myelinated))
    lam = lambda_mm(m, d, pw)
    return (4e-3 * math.pi) * sigma * _v_needed_mV(m, d, pw) * r / _g(r / lam)


def threshold_from_polarization_mA(diameter_um: Any, pulse_width_us: Any,
                                   polarization_per_mm: Any, *, myelinated: bool = True,
                                   sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Threshold [mA] for any electrode whose cable-filtered field per mA is known.

    Parameters
    ----------
    diameter_um : array_like
        Fibre diameter [µm], > 0.
    pulse_width_us : array_like
        Pulse width [µs], > 0.
    polarization_per_mm : array_like
        Field factor P [1/mm] per unit cathodic current at the excitation node (sum over
        contacts of weight x :func:`polarization_per_mm`); values <= 0 mean the fibre is not
        depolarised and give an infinite threshold.
    myelinated : bool, optional
        Fibre model.
    sigma_S_per_m : array_like, optional
        Conductivity [S/m].

    Notes
    -----
    ``I_th = 4 pi sigma V_th(d) (1 + tau_ch / PW) / P``: equation (2) with P from any linear
    superposition of sources (P is linear in the source currents).
    """
    d, pw = _check_fiber_args(diameter_um, pulse_width_us)
    p = np.asarray(polarization_per_mm, dtype=float)
    if np.isnan(p).any():
        raise ParameterError("polarization_per_mm contains NaN", name="polarization_per_mm")
    sigma = _check_sigma(sigma_S_per_m)
    m = threshold_model(_check_bool("myelinated", myelinated))
    with np.errstate(divide="ignore"):
        return np.where(p > 0, (4e-3 * math.pi) * sigma * _v_needed_mV(m, d, pw)
                        / np.where(p > 0, p, 1.0), np.inf)


# =============================================================================================
# Strength-duration
# =============================================================================================
@dataclass(frozen=True, eq=False)
class StrengthDuration:
    """Weiss strength-duration parameters.

    Attributes
    ----------
    rheobase_mA : float or ndarray
        Threshold for an infinitely long pulse [mA].
    chronaxie_us : float or ndarray
        Pulse width at which the threshold is twice the rheobase [µs].
    """

    rheobase_mA: Any
    chronaxie_us: Any


def strength_duration_mA(pulse_width_us: Any, rheobase_mA: Any, chronaxie_us: Any, *,
                         form: str = "weiss") -> np.ndarray:
    """Threshold current from a strength-duration law [mA].

    Parameters
    ----------
    pulse_width_us : array_like
        Pulse width [µs], > 0.
    rheobase_mA : array_like
        Rheobase [mA], > 0.
    chronaxie_us : array_like
        Chronaxie [µs], > 0.
    form : {"weiss", "lapicque"}
        Weiss hyperbola or Lapicque exponential (both give 2 x rheobase at the chronaxie).

    Notes
    -----
    Weiss: ``I = I_rh (1 + tau_ch / PW)``; Lapicque: ``I = I_rh / (1 - exp(-PW ln2 / tau_ch))``
    [P Geddes 2004; T]. Both -> I_rh for PW >> tau_ch; Weiss -> I_rh tau_ch / PW for short
    pulses (constant charge).
    """
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    irh = check_array("rheobase_mA", rheobase_mA, "mA", 0.0, include_minimum=False)
    tau = check_array("chronaxie_us", chronaxie_us, "µs", 0.0, 1e9, include_minimum=False)
    if form == "weiss":
        return irh * (1.0 + tau / pw)
    if form == "lapicque":
        return irh / -np.expm1(-pw * math.log(2.0) / tau)
    raise ParameterError(f"form={form!r} is not one of 'weiss', 'lapicque'", name="form",
                         value=form)


def charge_threshold_nC(pulse_width_us: Any, rheobase_mA: Any, chronaxie_us: Any) -> np.ndarray:
    """Threshold charge per phase under the Weiss law [nC] (1 mA x 1 µs = 1 nC).

    Notes
    -----
    ``Q = I_rh (tau_ch + PW)``: linear in PW, minimum ``I_rh tau_ch`` as PW -> 0 [P Geddes
    2004].
    """
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    return strength_duration_mA(pw, rheobase_mA, chronaxie_us) * pw


def fit_strength_duration(pulse_width_us: Any, threshold_mA: Any) -> StrengthDuration:
    """Fit the Weiss law to thresholds measured at several pulse widths.

    Parameters
    ----------
    pulse_width_us : array_like, shape (n,)
        Pulse widths [µs], > 0, at least two distinct values.
    threshold_mA : array_like, shape (n,) or (n, m)
        Thresholds [mA], > 0; columns are fitted independently.

    Returns
    -------
    StrengthDuration
        Rheobase [mA] and chronaxie [µs] (arrays of shape (m,) for 2-D input).

    Notes
    -----
    The Weiss charge ``Q = I PW = I_rh tau_ch + I_rh PW`` is linear in PW: weighted linear
    least squares of Q on PW (weights 1/Q, i.e. relative errors) gives slope ``I_rh`` and
    intercept ``I_rh tau_ch``, both constrained >= 0 (NNLS). When the pulse widths are all
    far below the chronaxie (C fibres), the rheobase is not resolved: it comes out near 0 and
    the chronaxie very long (infinite if the rheobase is exactly 0).
    """
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    th = check_array("threshold_mA", threshold_mA, "mA", 0.0, include_minimum=False)
    if pw.ndim != 1 or th.shape[0] != pw.size or np.unique(pw).size < 2:
        raise ParameterError("fit_strength_duration needs matching 1-D pulse widths (at least "
                             "two distinct) and thresholds", name="pulse_width_us")
    from scipy.optimize import nnls

    q = th * (pw if th.ndim == 1 else pw[:, None])
    w = 1.0 / q
    a = np.stack([np.ones_like(pw), pw], axis=1)
    cols = q if q.ndim == 2 else q[:, None]
    ww = w if w.ndim == 2 else w[:, None]
    out = []
    for j in range(cols.shape[1]):
        coef, _ = nnls(a * ww[:, j:j + 1], cols[:, j] * ww[:, j])
        out.append((coef[1], coef[0] / coef[1] if coef[1] > 0 else np.inf))
    res = np.array(out)
    if th.ndim == 1:
        return StrengthDuration(float(res[0, 0]), float(res[0, 1]))
    return StrengthDuration(res[:, 0], res[:, 1])


def fiber_rheobase_mA(diameter_um: Any, distance_mm: Any, *, myelinated: bool = True,
                      sigma_S_per_m: Any = 0.2) -> np.ndarray:
    """Rheobase of :func:`threshold_mA`: its limit for an infinitely long pulse [mA].

    Notes
    -----
    ``I_rh = 4 pi sigma V_th(d) r / G(r / lambda_max)``, ``lambda_max^2 = s(d)^2
    (lambda_0^2 + lambda_inf^2)``.
    """
    d = check_array("diameter_um", diameter_um, "µm", 0.0, 100.0, include_minimum=False)
    r = check_array("distance_mm", distance_mm, "mm", 0.0, 1e4, include_minimum=False)
    sigma = _check_sigma(sigma_S_per_m)
    m = threshold_model(_check_bool("myelinated", myelinated))
    lam = m.length_scale(d) * math.hypot(m.lambda0_mm, m.lambda_inf_mm)
    v = m.v_threshold_mV * ((d / m.reference_diameter_um) ** (-m.diameter_exponent))
    return (4e-3 * math.pi) * sigma * v * r / _g(r / lam)


def fiber_chronaxie_us(diameter_um: Any, distance_mm: Any, *,
                       myelinated: bool = True) -> np.ndarray:
    """Chronaxie of :func:`threshold_mA`: the PW where the threshold is 2 x rheobase [µs].

    Solved by bisection in log PW (the threshold falls monotonically with PW). Longer at
    larger distances, because long pulses integrate the field over a longer stretch of fibre.
    """
    d = check_array("diameter_um", diameter_um, "µm", 0.0, 100.0, include_minimum=False)
    r = check_array("distance_mm", distance_mm, "mm", 0.0, 1e4, include_minimum=False)
    my = _check_bool("myelinated", myelinated)
    d, r = np.broadcast_arrays(d, r)
    target = 2.0 * fiber_rheobase_mA(d, r, myelinated=my)
    lo, hi = np.full(d.shape, math.log(0.01)), np.full(d.shape, math.log(1e6))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = threshold_mA(d, r, np.exp(mid), myelinated=my) > target
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.exp(0.5 * (lo + hi))


def class_strength_duration(fiber_class: FiberClass, distance_mm: float, *,
                            diameter_um: float | None = None,
                            sigma_S_per_m: float = 0.2) -> StrengthDuration:
    """Rheobase [mA] and chronaxie [µs] of a typical fibre of a class at a distance.

    Parameters
    ----------
    fiber_class : FiberClass
        The class; its typical (geometric-mean) diameter is used unless ``diameter_um``.
    distance_mm : float
        Source-to-fibre distance [mm].
    diameter_um : float, optional
        Diameter override [µm].
    sigma_S_per_m : float
        Medium conductivity [S/m].
    """
    props = _class_props(fiber_class)
    d = props.typical_diameter_um if diameter_um is None else diameter_um
    return StrengthDuration(
        float(fiber_rheobase_mA(d, distance_mm, myelinated=props.myelinated,
                                sigma_S_per_m=sigma_S_per_m)),
        float(fiber_chronaxie_us(d, distance_mm, myelinated=props.myelinated)))


def _class_props(fiber_class: Any) -> FiberProperties:
    if isinstance(fiber_class, str):
        with contextlib.suppress(ValueError):
            fiber_class = FiberClass(fiber_class)
    if not isinstance(fiber_class, FiberClass):
        raise ParameterError(
            f"fiber_class={fiber_class!r} is not one of "
            + ", ".join(repr(c.value) for c in FiberClass), name="fiber_class",
            value=fiber_class)
    return FIBER_PROPERTIES[fiber_class]


# =============================================================================================
# Charge-balanced pulses
# =============================================================================================
#: Threshold increase of a symmetric biphasic pulse with no gap, extrapolated to PW -> 0
#: [1]. Fitted by :func:`fit_charge_balance` to the 4 biphasic MRG rows (10 um, 1 mm) [A form].
BIPHASIC_GAIN = 0.1564
#: Pulse-width scale of that increase, in units of the fibre class chronaxie [1]
#: (tau_p = 2.28 x 100 us for Aβ): long pulses have fired before the reversal arrives.
BIPHASIC_WIDTH_SCALE = 2.283
#: Interphase-gap scale, in units of the chronaxie [1] (tau_g = 0.46 x 100 us for Aβ): a gap
#: lets the spike escape before the reversal (Gorman & Mortimer 1983) [S].
BIPHASIC_GAP_SCALE = 0.4570


def charge_balance_factor(shape: str, pulse_width_us: Any, *, interphase_gap_us: Any = 0.0,
                          recharge_ratio: Any = 1.0, chronaxie_us: Any = 100.0) -> np.ndarray:
    """Threshold multiplier of a charge-balanced pulse relative to a monophasic one [1].

    Parameters
    ----------
    shape : {"monophasic", "biphasic", "asymmetric", "custom"}
        Pulse shape (``custom`` is treated as symmetric biphasic: charge-balanced by design).
    pulse_width_us : array_like
        Cathodic phase width [µs], > 0.
    interphase_gap_us : array_like, optional
        Gap between the phases [µs], >= 0.
    recharge_ratio : array_like, optional
        Asymmetric pulses: recharge phase is this many times longer and weaker [1], >= 1.
    chronaxie_us : array_like, optional
        Chronaxie of the fibre class [µs] (time unit of the reversal effect).

    Returns
    -------
    ndarray
        ``>= 1``; 1 for monophasic pulses.

    Notes
    -----
    ``f = 1 + (beta / R) exp(-PW / (k_p tau_ch)) exp(-IPG / (k_g tau_ch))`` [A form]: the
    reversing phase pulls back a nascent spike; long pulses and gaps let it escape first; a
    recharge ``R`` times weaker pulls back ``R`` times more slowly (symmetric: R = 1).
    Constants :data:`BIPHASIC_GAIN`, :data:`BIPHASIC_WIDTH_SCALE`,
    :data:`BIPHASIC_GAP_SCALE`, fitted to the MRG biphasic rows (+12 % at 100 µs, +1.5 % at
    500 µs, nearly removed by a 100 µs gap).
    """
    if shape not in ("monophasic", "biphasic", "asymmetric", "custom"):
        raise ParameterError(f"shape={shape!r} is not one of 'monophasic', 'biphasic', "
                             "'asymmetric', 'custom'", name="shape", value=shape)
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    gap = check_array("interphase_gap_us", interphase_gap_us, "µs", 0.0, 1e9)
    ratio = check_array("recharge_ratio", recharge_ratio, "", 1.0, 1e6)
    tau = check_array("chronaxie_us", chronaxie_us, "µs", 0.0, 1e9, include_minimum=False)
    if shape == "monophasic":
        return np.ones(np.broadcast(pw, gap, ratio, tau).shape)
    strength = 1.0 if shape in ("biphasic", "custom") else 1.0 / ratio
    return 1.0 + BIPHASIC_GAIN * strength * np.exp(
        -pw / (BIPHASIC_WIDTH_SCALE * tau) - gap / (BIPHASIC_GAP_SCALE * tau))


# =============================================================================================
# Refractoriness, following and block
# =============================================================================================
#: Mean cathodic (DC) current, in units of the fibre's rheobase, above which a monophasic
#: train holds the membrane depolarised and blocks conduction after an onset response [A,
#: calibrated to fiber_following.csv: 1 kHz (0.3) follows, 2 kHz (0.6) blocks].
DC_BLOCK_RATIO = 0.45
#: Onset spikes before a block when the drive just reaches the block level; fewer when the
#: drive is well above it [A form; P Bhadra 2020 onset smaller at high amplitude; gives the
#: 3 spikes at 2 kHz and 1 spike at 10 kHz of fiber_following.csv].
ONSET_SPIKES_AT_BLOCK = 4.0
#: KHFAC block of charge-balanced trains starts at this rate [Hz] (5-50 kHz tested [P
#: Kilgore & Bhadra 2014]).
KHFAC_MIN_RATE_HZ = 5000.0
#: Block threshold / single-pulse activation threshold per kHz of rate [1/kHz] (block
#: threshold rises ~linearly with frequency [P Kilgore & Bhadra 2014]; slope [A]: 4x the
#: activation threshold at 10 kHz).
KHFAC_SLOPE_PER_KHZ = 0.4


def khfac_block_ratio(rate_hz: Any) -> np.ndarray:
    """Block threshold of a charge-balanced train / single-pulse threshold [1].

    ``KHFAC_SLOPE_PER_KHZ x rate / 1 kHz`` at or above :data:`KHFAC_MIN_RATE_HZ`, infinite
    (no block) below [A form of P Kilgore & Bhadra 2014].
    """
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6, include_minimum=False)
    return np.where(f >= KHFAC_MIN_RATE_HZ, KHFAC_SLOPE_PER_KHZ * f / 1000.0, np.inf)


@dataclass(frozen=True, eq=False)
class FollowingResult:
    """Steady-state response of fibres to a pulse train (arrays broadcast over fibres).

    Attributes
    ----------
    min_interval_ms : ndarray
        Shortest interval after a spike at which a pulse of this amplitude fires again [ms]
        (infinite when the amplitude is below threshold).
    pulses_per_spike : ndarray
        One spike every this many pulses (int; 0 = never fires in steady state).
    fraction_of_pulses : ndarray
        Fraction of pulses that evoke a spike in steady state [1].
    firing_rate_hz : ndarray
        Steady-state firing rate [Hz] (0 when blocked or below threshold).
    blocked : ndarray of bool
        Conduction block (depolarisation block of a monophasic train, or KHFAC block).
    onset_spikes : ndarray
        Spikes fired at train onset before the block sets in (0 if not blocked).
    """

    min_interval_ms: np.ndarray
    pulses_per_spike: np.ndarray
    fraction_of_pulses: np.ndarray
    firing_rate_hz: np.ndarray
    blocked: np.ndarray
    onset_spikes: np.ndarray


def following(rate_hz: Any, amplitude_ratio: Any, *, fiber_class: Any = FiberClass.ABETA,
              pulse_width_us: Any = 100.0, charge_balanced: bool = True,
              pulses_per_burst: int = 1, burst_rate_hz: Any = None) -> FollowingResult:
    """Which pulses of a train make a fibre fire: refractoriness, following and block.

    Parameters
    ----------
    rate_hz : array_like
        Pulse rate [Hz] (intra-burst rate for bursts), > 0.
    amplitude_ratio : array_like
        Pulse amplitude / the fibre's single-pulse threshold [1], >= 0 (one entry per fibre).
    fiber_class : FiberClass
        Sets the refractory periods and chronaxie (:data:`FIBER_PROPERTIES`).
    pulse_width_us : array_like
        Cathodic phase width [µs].
    charge_balanced : bool
        False for monophasic trains, whose mean (DC) current can cause depolarisation block.
    pulses_per_burst : int
        Pulses per burst (1 = tonic).
    burst_rate_hz : float, optional
        Bursts per second [Hz] (needed when ``pulses_per_burst > 1``).

    Returns
    -------
    FollowingResult

    Notes
    -----
    After a spike the threshold is infinite for the absolute refractory period ``t_a`` and
    then recovers as ``I_th(t) = I_th / (1 - exp(-(t - t_a) / t_r))`` [T, classic recovery
    cycle]. A pulse of relative amplitude ``a > 1`` therefore fires again after
    ``dt_min = t_a + t_r ln(a / (a - 1))``, so the fibre fires on every ``k``-th pulse with
    ``k = ceil(dt_min f)``; rate ``f / k`` (bursts: ``ceil(n / k)`` spikes per burst).

    Block, with an onset response of ``max(1, round(N_onset x level / drive))`` spikes:

    * monophasic trains: mean current ``a (1 + tau_ch / PW) PW f`` in rheobase units
      >= :data:`DC_BLOCK_RATIO` (depolarisation block);
    * charge-balanced trains: ``a >=`` :func:`khfac_block_ratio` (KHFAC block, >= 5 kHz).

    Both reverse as soon as the train stops (docs/science.md §3.4).
    """
    props = _class_props(fiber_class)
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6, include_minimum=False)
    a = check_array("amplitude_ratio", amplitude_ratio, "", 0.0, 1e9)
    pw = check_array("pulse_width_us", pulse_width_us, "µs", 0.0, 1e9, include_minimum=False)
    balanced = _check_bool("charge_balanced", charge_balanced)
    n = _check_int("pulses_per_burst", pulses_per_burst, 1, 1000)
    if n > 1:
        if burst_rate_hz is None:
            raise ParameterError("burst_rate_hz is needed when pulses_per_burst > 1",
                                 name="burst_rate_hz")
        fb = check_array("burst_rate_hz", burst_rate_hz, "Hz", 0.0, 1e6, include_minimum=False)
    f, a, pw = np.broadcast_arrays(f, a, pw)

    fires = a >= 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dt_min = np.where(
            fires, props.absolute_refractory_ms
            + props.relative_refractory_ms * np.log(a / np.where(a > 1, a - 1.0, 1e-300)),
            np.inf)
    # k: one spike per k pulses (tiny tolerance so an exact fit counts as following)
    k = np.where(fires, np.maximum(1.0, np.ceil(dt_min * f / 1000.0 - 1e-9)), 0.0)

    if balanced:
        level = khfac_block_ratio(f)
        drive = a
    else:
        level = np.full(f.shape, DC_BLOCK_RATIO)
        duty = np.minimum(pw * f * 1e-6, 1.0)
        drive = a * (1.0 + props.chronaxie_us / pw) * duty
    blocked = drive >= level
    with np.errstate(divide="ignore", invalid="ignore"):
        onset = np.where(blocked & fires,
                         np.maximum(1.0, np.round(ONSET_SPIKES_AT_BLOCK * level / drive)), 0.0)

    with np.errstate(divide="ignore", invalid="ignore"):
        if n > 1:
            spikes_per_burst = np.where(fires, np.ceil(n / np.maximum(k, 1.0)), 0.0)
            rate = spikes_per_burst * fb
            frac = spikes_per_burst / n
        else:
            frac = np.where(fires, 1.0 / np.maximum(k, 1.0), 0.0)
            rate = frac * f
    rate = np.where(blocked, 0.0, rate)
    frac = np.where(blocked, 0.0, frac)
    k = np.where(blocked, 0.0, k)
    return FollowingResult(dt_min, k.astype(int), frac, rate, blocked, onset.astype(int))


def train_spike_count(result: FollowingResult, pulses: Any) -> np.ndarray:
    """Spikes evoked by a tonic train of ``pulses`` pulses [count].

    First pulse fires, then every ``k``-th: ``ceil(N / k)``; blocked fibres fire only their
    onset spikes.
    """
    npulses = check_array("pulses", pulses, "", 0.0, 1e12)
    k = result.pulses_per_spike
    with np.errstate(divide="ignore", invalid="ignore"):
        fired = np.where(k > 0, np.ceil(npulses / np.maximum(k, 1)), 0.0)
    return np.where(result.blocked, np.minimum(result.onset_spikes, npulses),
                    fired).astype(int)


def _check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
            or not lo <= int(value) <= hi:
        raise ParameterError(f"{name}={value!r} must be a whole number in {lo}..{hi}",
                             name=name, value=value)
    return int(value)


# =============================================================================================
# Reference data and the fits that produced the frozen constants
# =============================================================================================
@dataclass(frozen=True, eq=False)
class ReferenceThresholds:
    """Rows of ``sim/data/fiber_thresholds_train.csv`` as arrays (units converted to µs).

    Attributes
    ----------
    model : ndarray of str
        ``MRG_DISCRETE`` or ``SUNDT``.
    diameter_um, distance_mm, pulse_width_us, interphase_gap_us, sigma_S_per_m, threshold_mA :
    ndarray
        Fibre diameter [µm], distance [mm], phase width [µs], gap [µs], conductivity [S/m] and
        threshold [mA].
    waveform : ndarray of str
        ``monophasic_cathodic`` or ``biphasic_symmetric_cathodic_first``.
    """

    model: np.ndarray
    diameter_um: np.ndarray
    distance_mm: np.ndarray
    pulse_width_us: np.ndarray
    waveform: np.ndarray
    interphase_gap_us: np.ndarray
    sigma_S_per_m: np.ndarray
    threshold_mA: np.ndarray

    def select(self, mask: np.ndarray) -> ReferenceThresholds:
        """The rows where ``mask`` is true."""
        return ReferenceThresholds(**{k: getattr(self, k)[mask]
                                      for k in self.__dataclass_fields__})


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("sim").joinpath("data").joinpath(name).open("r", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def reference_thresholds(path: str | None = None) -> ReferenceThresholds:
    """Load the compartmental reference thresholds (package copy unless ``path`` is given)."""
    if path is None:
        rows = _read_csv("fiber_thresholds_train.csv")
    else:
        with open(path, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    col = lambda k: np.array([r[k] for r in rows])  # noqa: E731
    num = lambda k, s=1.0: col(k).astype(float) * s  # noqa: E731
    return ReferenceThresholds(
        model=col("model"), diameter_um=num("fiber_diameter_um"),
        distance_mm=num("distance_mm"), pulse_width_us=num("pulse_width_ms", 1000.0),
        waveform=col("waveform"), interphase_gap_us=num("interphase_gap_ms", 1000.0),
        sigma_S_per_m=num("sigma_S_per_m"), threshold_mA=num("threshold_mA"))


def reference_following() -> dict[str, np.ndarray]:
    """``sim/data/fiber_following.csv`` as a dict of arrays (column name -> values)."""
    rows = _read_csv("fiber_following.csv")
    out: dict[str, np.ndarray] = {}
    for k in rows[0]:
        vals = [r[k] for r in rows]
        try:
            out[k] = np.array(vals, dtype=float)
        except ValueError:
            out[k] = np.array(vals)
    return out


def _monophasic(ref: ReferenceThresholds, model_name: str) -> ReferenceThresholds:
    return ref.select((ref.model == model_name) & (ref.waveform == "monophasic_cathodic"))


def fit_threshold_model(myelinated: bool = True,
                        ref: ReferenceThresholds | None = None) -> ThresholdModel:
    """Re-derive the frozen threshold constants from reference rows (where they came from).

    Parameters
    ----------
    myelinated : bool
        Fit the MRG rows (6 constants) or the SUNDT rows (3 constants; lambda_inf and tau_s
        fixed to the Sundt passive cable values).
    ref : ReferenceThresholds, optional
        Rows to fit (default: the packaged training set); used for cross-validation.

    Returns
    -------
    ThresholdModel
        Unrounded constants.

    Notes
    -----
    ``scipy.optimize.least_squares`` on ``log(model / reference)`` with all scale constants
    in log space, so every row counts by its relative error.
    """
    from scipy.optimize import least_squares

    ref = reference_thresholds() if ref is None else ref
    rows = _monophasic(ref, "MRG_DISCRETE" if myelinated else "SUNDT")
    d, r, pw, sig, y = (rows.diameter_um, rows.distance_mm, rows.pulse_width_us,
                        rows.sigma_S_per_m, rows.threshold_mA)

    def build(p: np.ndarray) -> ThresholdModel:
        if myelinated:
            return ThresholdModel("MRG_DISCRETE fit", math.exp(p[0]), p[1], 10.0,
                                  math.exp(p[2]), math.exp(p[3]), math.exp(p[4]),
                                  math.exp(p[5]), True)
        return ThresholdModel("SUNDT fit", math.exp(p[0]), 0.0, 1.0, math.exp(p[1]),
                              math.exp(p[2]), UNMYELINATED_MODEL.lambda_inf_mm,
                              UNMYELINATED_MODEL.spread_time_constant_ms, False)

    def resid(p: np.ndarray) -> np.ndarray:
        m = build(p)
        pred = (4e-3 * math.pi) * sig * _v_needed_mV(m, d, pw) * r / _g(r / lambda_mm(m, d, pw))
        return np.log(pred / y)

    if myelinated:
        p0 = np.log([10.0, 1.0, 100.0, 2.0, 10.0, 2.0])
        p0[1] = 0.1
    else:
        p0 = np.log([10.0, 1000.0, 0.15])
    sol = least_squares(resid, p0, x_scale=1.0, xtol=1e-12, ftol=1e-12)
    return build(sol.x)


def fit_charge_balance(ref: ReferenceThresholds | None = None) -> tuple[float, float, float]:
    """Re-derive (gain, width scale, gap scale) of :func:`charge_balance_factor`.

    Ratios of the biphasic MRG thresholds to the monophasic ones at the same fibre, distance
    and width (model-free targets); chronaxie unit = Aβ chronaxie (the reference fibre is
    10 µm). Least squares on ``log(ratio - 1)``.
    """
    from scipy.optimize import least_squares

    ref = reference_thresholds() if ref is None else ref
    bi = ref.select((ref.model == "MRG_DISCRETE") & (ref.waveform != "monophasic_cathodic"))
    mono = _monophasic(ref, "MRG_DISCRETE")
    ratio = []
    for i in range(bi.threshold_mA.size):
        j = np.flatnonzero((mono.diameter_um == bi.diameter_um[i])
                           & (mono.distance_mm == bi.distance_mm[i])
                           & (mono.pulse_width_us == bi.pulse_width_us[i]))[0]
        ratio.append(bi.threshold_mA[i] / mono.threshold_mA[j])
    excess = np.array(ratio) - 1.0
    tau = FIBER_PROPERTIES[FiberClass.ABETA].chronaxie_us

    def resid(p: np.ndarray) -> np.ndarray:
        pred = math.exp(p[0]) * np.exp(-bi.pulse_width_us / (math.exp(p[1]) * tau)
                                       - bi.interphase_gap_us / (math.exp(p[2]) * tau))
        return np.log(pred / excess)

    sol = least_squares(resid, np.log([0.2, 2.0, 0.5]))
    g, kp, kg = np.exp(sol.x)
    return float(g), float(kp), float(kg)


def model_errors(ref: ReferenceThresholds | None = None,
                 model: ThresholdModel | None = None, *,
                 myelinated: bool = True) -> np.ndarray:
    """Relative errors ``model / reference - 1`` on the monophasic rows of one fibre model."""
    ref = reference_thresholds() if ref is None else ref
    rows = _monophasic(ref, "MRG_DISCRETE" if myelinated else "SUNDT")
    m = threshold_model(myelinated) if model is None else model
    d, r, pw = rows.diameter_um, rows.distance_mm, rows.pulse_width_us
    pred = (4e-3 * math.pi) * rows.sigma_S_per_m * _v_needed_mV(m, d, pw) * r / _g(
        r / lambda_mm(m, d, pw))
    return pred / rows.threshold_mA - 1.0
