"""Motor fibres (Aα) under PNS leads and TENS pads: motor threshold and the visible twitch.

Peripheral nerves are mixed: beside the sensory fibres of :mod:`sim.recruitment` they carry
Aα motor axons. Stimulating them makes the muscle contract: a visible twitch at each pulse at
low rates (the aim of acupuncture-like TENS), a fused (tetanic) contraction at higher rates,
and for PNS the upper limit of a comfortable amplitude. :func:`motor_response` returns the
motor threshold and what the muscle does at the program's amplitude.

Model [A unless tagged]
-----------------------
* Diameters: Aα motor axons are 12-20 µm [S: the fibre classification of the physiology
  texts]; log-normal, median 14 µm, SD of ln d 0.15, truncated to that range.
* PNS: motor axons run in fascicles of their own; the lead is placed on the sensory side of
  the nerve, so the motor axons fill the part of the nerve (radius 1.5 mm) farthest from it
  (:data:`PNS_MOTOR_FASCICLE_Y_MM`).
* TENS: the motor nerve branches of the muscle under the pads (its motor point) lie
  :data:`MOTOR_POINT_DEPTH_MM` under the skin, in a bundle of radius 1.5 mm.
* A visible twitch needs :data:`TWITCH_FRACTION` of the motor axons; the motor threshold is
  the amplitude that recruits that fraction.
* Single twitches are seen as separate up to :data:`FUSION_RATE_HZ`; above it they fuse.

Thresholds use the same reduced threshold model as the sensory fibres
(:func:`sim.fibers.threshold_from_polarization_mA`, with the program's charge-balance factor).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import electrodes as el, fibers as fb, recruitment as R
from sim.fibers import FiberClass
from sim.params import ParameterError

__all__ = [
    "MOTOR_DIAMETERS",
    "MOTOR_DIAMETER_RANGE_UM",
    "MOTOR_POINT_DEPTH_MM",
    "PNS_MOTOR_FASCICLE_Y_MM",
    "TWITCH_FRACTION",
    "FUSION_RATE_HZ",
    "MotorResponse",
    "motor_thresholds_mA",
    "motor_response",
]

#: Diameter range of Aα motor axons [µm] [S: physiology texts, Erlanger-Gasser classes].
MOTOR_DIAMETER_RANGE_UM = (12.0, 20.0)
#: Diameter distribution of the motor axons [A within the S range].
MOTOR_DIAMETERS = R.DiameterDistribution(
    14.0, 0.15, "[A] median 14 um in the 12-20 um Aα range")
#: Depth of the motor nerve branches of the muscle under TENS pads [mm] [A]: motor points of
#: superficial muscles lie a few millimetres under the skin, shallower than the nerve trunks.
MOTOR_POINT_DEPTH_MM = 5.0
#: Fraction of the motor axons whose contraction is visible as a twitch [1] [A].
TWITCH_FRACTION = 0.10
#: Rate above which successive twitches fuse into a sustained (tetanic) contraction [Hz]:
#: unfused twitches at a few Hz, fusion from about 20-30 Hz in human muscle [S: muscle
#: physiology texts]; 20 Hz [A].
FUSION_RATE_HZ = 20.0
#: PNS: the motor fascicles fill the part of the nerve (radius 1.5 mm, lead on the positive
#: side) beyond this distance from the centre, away from the lead [mm] [A]: the lead is
#: placed for paresthesia without contraction, which puts the motor threshold between the
#: preset's amplitude and the discomfort threshold.
PNS_MOTOR_FASCICLE_Y_MM = -0.75
#: Motor axons per population.
_N_MOTOR = 2000
_BUNDLE_RADIUS_MM = el.NERVE_RADIUS_MM


@dataclass(frozen=True)
class MotorResponse:
    """What the muscle does under a PNS or TENS program.

    Attributes
    ----------
    motor_threshold_mA : float
        Amplitude recruiting :data:`TWITCH_FRACTION` of the motor axons [mA] (NaN for
        therapies without motor fibres in reach: SCS, DRG, off).
    recruited_fraction : float
        Motor axons recruited at the program's amplitude [0-1].
    contraction : str
        ``none``, ``twitches`` (separate twitches, one per pulse or burst, at or below
        :data:`FUSION_RATE_HZ`) or ``tetanic`` (fused, above it).
    twitch_rate_hz : float
        Twitches per second when they are separate [Hz]; 0 otherwise.
    """

    motor_threshold_mA: float
    recruited_fraction: float
    contraction: str
    twitch_rate_hz: float

    @property
    def visible(self) -> bool:
        """Whether the muscle visibly contracts."""
        return self.contraction != "none"


@functools.lru_cache(maxsize=4)
def _motor_population(therapy: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray,
                                                             np.ndarray]:
    """Diameters and transverse positions (x, y) of the motor axons [µm, mm] (read-only)."""
    rng = np.random.default_rng([seed, 7, ("pns", "tens").index(therapy)])
    lo, hi = MOTOR_DIAMETER_RANGE_UM
    d = R.truncated_lognormal(rng, _N_MOTOR, MOTOR_DIAMETERS, lo, hi)
    m = 8 * _N_MOTOR
    rad = _BUNDLE_RADIUS_MM * np.sqrt(rng.random(m))
    ang = 2 * math.pi * rng.random(m)
    x, y = rad * np.cos(ang), rad * np.sin(ang)
    if therapy == "pns":      # the motor fascicles, on the side away from the lead
        keep = np.flatnonzero(y <= PNS_MOTOR_FASCICLE_Y_MM)[:_N_MOTOR]
    else:
        keep = np.arange(_N_MOTOR)
    x, y = x[keep].copy(), y[keep].copy()
    for a in (d, x, y):
        a.setflags(write=False)
    return d, x, y


@functools.lru_cache(maxsize=256)
def _sorted_thresholds(therapy: str, distance_mm: float, area_mm2: float,
                       pulse_width_us: float, shape: str, gap_us: float,
                       ratio: float) -> np.ndarray:
    d, x, y = _motor_population(therapy)
    model = fb.threshold_model(True)
    lam = fb.lambda_mm(model, d, np.float64(pulse_width_us))
    if therapy == "pns":
        lead = el.pns_lead(distance_mm)
        pol = fb.polarization_unchecked(lead.transverse_distance_mm(x, y), lam)
        sigma = lead.sigma_S_per_m
    else:
        pad = el.tens_pad(area_mm2)
        depth = np.maximum(MOTOR_POINT_DEPTH_MM + y, 0.05)
        pol = fb.polarization_unchecked(pad.distance_mm(x, depth), lam)
        sigma = pad.sigma_S_per_m
    th = fb.threshold_from_polarization_mA(d, pulse_width_us, pol, myelinated=True,
                                           sigma_S_per_m=sigma)
    th = np.sort(th * fb.charge_balance_factor(
        shape, pulse_width_us, interphase_gap_us=gap_us, recharge_ratio=ratio,
        chronaxie_us=FiberClass.ABETA.properties.chronaxie_us))
    th.setflags(write=False)
    return th


def motor_thresholds_mA(program: Any) -> np.ndarray:
    """Sorted single-pulse thresholds of the motor axons under a PNS or TENS program [mA].

    Raises :class:`ParameterError` for other therapies (no motor axons in reach).
    """
    p = R.program_values(program)
    if p["therapy"] not in ("pns", "tens"):
        raise ParameterError(f"therapy={p['therapy']!r} has no motor fibres in reach; "
                             "expected 'pns' or 'tens'", name="therapy", value=p["therapy"])
    return _sorted_thresholds(p["therapy"], float(p["lead_distance_mm"]),
                              float(p["contact_area_mm2"]), float(p["pulse_width_us"]),
                              R.effective_shape(p), float(p["interphase_gap_us"]),
                              float(p["recharge_ratio"]))


def motor_response(program: Any) -> MotorResponse:
    """Motor threshold and the muscle's response to a program.

    Examples
    --------
    >>> from sim.presets import program
    >>> motor_response(program("tens-acupuncture")).contraction
    'twitches'
    >>> motor_response(program("tens-conventional")).visible
    False
    """
    p = R.program_values(program)
    if p["therapy"] not in ("pns", "tens"):
        return MotorResponse(math.nan, 0.0, "none", 0.0)
    th = motor_thresholds_mA(program)
    k = max(1, math.ceil(TWITCH_FRACTION * th.size - 1e-9))
    mt = float(th[k - 1])
    amp = p["amplitude_mA"]
    frac = float(np.searchsorted(th, amp, side="right") / th.size) if amp > 0 else 0.0
    if amp <= 0 or amp < mt:
        return MotorResponse(mt, frac, "none", 0.0)
    rate = p["burst_rate_hz"] if p["pattern"] == "burst" else p["rate_hz"]
    if rate <= FUSION_RATE_HZ:
        return MotorResponse(mt, frac, "twitches", float(rate))
    return MotorResponse(mt, frac, "tetanic", 0.0)
