"""Percept: what the patient feels, read from the dorsal horn's output and the stimulated fibres.

Three sensations, each from its own signal:

* **Pain** (0-10 numeric rating scale) from the *nociceptive output* of the gate
  (:attr:`sim.gate.GateResult.nociceptive_hz`): the lamina I nociceptive-specific neurons plus
  the nociceptive share of the wide-dynamic-range output. Stimulation-driven Aβ activity is not
  part of it: a comfortable program is felt as tingling, not as pain, even in a patient whose
  touch hurts (allodynia comes through the unmasked lamina I path, which natural touch drives).
* **Paresthesia** (0-10) from the stimulated Aβ fibres themselves: the dorsal columns carry it
  to the brain whatever the dorsal horn does.
* **Discomfort** (0-10): stimulation above the comfort limit (the discomfort threshold of
  :mod:`sim.recruitment`) is unpleasant in its own right.

Burst SCS's supraspinal (affective) hypothesis (:class:`sim.gate.Mechanism`
``BURST_SUPRASPINAL``) scales the reported pain, growing with the burst's Aβ drive.

No source maps a neuron's rate onto a 0-10 score: the mapping
``NRS = 10·clip((S − S_0)/(S_sat − S_0), 0, 1)^γ`` is an illustrative assumption [A], with S_0
the nociceptive output of a healthy dorsal horn at rest (so a pain-free person at rest reports
0) and S_sat calibrated so that the neuropathic presets hurt 5-7 at rest (the range trials
enrol). "Responder" is a reduction of at least 50 %, as in the trials.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.gate import GateParams, GateResult, Mechanism, check_mechanisms, steady_state_rates
from sim.params import ParameterError, check_array, format_number as _fmt

__all__ = ["REFERENCE_NOCICEPTIVE_HZ", "PAIN_SATURATION_HZ", "BURST_AFFECTIVE_MAX",
           "BURST_AFFECTIVE_HALF_DRIVE", "pain_nrs", "paresthesia_intensity",
           "discomfort_intensity", "burst_affective_scale", "Percept", "perceive"]

_DIMLESS = "(dimensionless)"

#: Nociceptive output S of a healthy dorsal horn with no input [Hz]: S_0 of the pain mapping.
REFERENCE_NOCICEPTIVE_HZ: float = float(steady_state_rates(GateParams()).nociceptive_hz)
#: Nociceptive output reported as 10/10 [Hz] [A]: calibrated so that ongoing C drive 1 in a
#: dorsal horn with nearly normal inhibition (the neuropathic presets) hurts about 6/10.
PAIN_SATURATION_HZ = 166.0
#: r_b, the largest fractional reduction of reported pain by the burst supraspinal hypothesis
#: [1] [A]: set with the pooled burst-vs-tonic data (pain 76.7 → 49.2 tonic → 36.7 burst on
#: 0-100, Chakravarthy et al. 2019 Pain Med 20(S1):S47 [P]), so that a burst cohort relieves at
#: least as much as a tonic one.
BURST_AFFECTIVE_MAX = 0.5
#: D_½, the burst Aβ drive (after the Aβ→I synapse) at which the affective effect is half its
#: maximum [1] [A]: a burst that recruits a few percent of the segment already acts.
BURST_AFFECTIVE_HALF_DRIVE = 0.05
#: Discomfort rises from 0 at the discomfort threshold to 10 at this multiple of it [1] [A].
DISCOMFORT_FULL_RATIO = 1.5


def pain_nrs(nociceptive_hz: Any, s0_hz: float | None = None,
             ssat_hz: float = PAIN_SATURATION_HZ, gamma: float = 1.0) -> Any:
    """Pain on the 0-10 numeric rating scale from the nociceptive output (illustrative [A]).

    Parameters
    ----------
    nociceptive_hz : float or array
        Nociceptive output S of the gate [Hz], >= 0.
    s0_hz : float, optional
        Output at which pain starts [Hz]; default :data:`REFERENCE_NOCICEPTIVE_HZ`.
    ssat_hz : float
        Output reported as 10 [Hz]; default :data:`PAIN_SATURATION_HZ`.
    gamma : float
        Exponent [1], 0.1..3; 1 = linear, 0.6-1 a compressive, Stevens-like curve.

    Returns
    -------
    float or ndarray
        NRS = 10·clip((S − S_0)/(S_sat − S_0), 0, 1)^γ [0-10].

    Examples
    --------
    >>> pain_nrs(REFERENCE_NOCICEPTIVE_HZ)
    0.0
    >>> pain_nrs(PAIN_SATURATION_HZ)
    10.0
    """
    S = check_array("nociceptive_hz", nociceptive_hz, "Hz", 0.0, 1e4)
    s0 = REFERENCE_NOCICEPTIVE_HZ if s0_hz is None else float(
        check_array("s0_hz", s0_hz, "Hz", 0.0, 1e3))
    ssat = float(check_array("ssat_hz", ssat_hz, "Hz", 0.0, 1e4, include_minimum=False))
    g = float(check_array("gamma", gamma, _DIMLESS, 0.1, 3.0))
    if ssat <= s0:
        raise ParameterError(f"ssat_hz={_fmt(ssat)} must exceed s0_hz={_fmt(s0)} Hz",
                             name="ssat_hz", value=ssat)
    out = nrs_from_output(S, s0, ssat, g)
    return float(out) if np.ndim(out) == 0 else out


def nrs_from_output(S: Any, s0: float = REFERENCE_NOCICEPTIVE_HZ, ssat: float = PAIN_SATURATION_HZ,
         gamma: float = 1.0) -> Any:
    return 10.0 * np.clip((S - s0) / (ssat - s0), 0.0, 1.0) ** gamma


def paresthesia_intensity(recruited_fraction: Any, rate_hz: Any, *,
                          perception_threshold_fraction: float = 0.02,
                          saturation_fraction: float = 0.5,
                          half_rate_hz: float = 5.0) -> Any:
    """Paresthesia (tingling) intensity, 0-10, from stimulation-evoked Aβ activity.

    Parameters
    ----------
    recruited_fraction : float or array
        Fraction ρ of Aβ (dorsal-column or nerve) fibres recruited by stimulation [1], 0..1.
    rate_hz : float or array
        Firing rate of the recruited fibres [Hz], >= 0.
    perception_threshold_fraction : float
        ρ at which paresthesia is first felt [1]; 0.02 (perception at ρ ≈ 1-5 % [T]).
    saturation_fraction : float
        ρ felt as maximal [1]; 0.5 [A].
    half_rate_hz : float
        Rate at which the rate factor is one half [Hz]; 5 Hz [A] (single taps below, fused
        tingling above).

    Returns
    -------
    float or ndarray
        10·clip((ρ − ρ_PT)/(ρ_sat − ρ_PT), 0, 1)·f/(f + f_½) [0-10].

    Notes
    -----
    Read from the dorsal-column/nerve activity itself, not from the dorsal horn: paresthesia is
    carried to the brain by the dorsal columns [T]. Sub-perception programs (10 kHz at clinical
    amplitudes, burst below threshold) recruit ρ < ρ_PT and give 0. The mapping is
    illustrative [A]; pulse-to-pulse synchrony, which recent work ties to whether high-rate SCS
    is felt (Sagalajev et al. 2024 Neuron [S]), is not modelled.

    Examples
    --------
    >>> round(float(paresthesia_intensity(0.3, 50.0)), 2)
    5.3
    """
    rho = check_array("recruited_fraction", recruited_fraction, _DIMLESS, 0.0, 1.0)
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6)
    pt = float(check_array("perception_threshold_fraction", perception_threshold_fraction,
                           _DIMLESS, 0.0, 1.0))
    sat = float(check_array("saturation_fraction", saturation_fraction, _DIMLESS, 0.0, 1.0))
    fh = float(check_array("half_rate_hz", half_rate_hz, "Hz", 0.0, 1e4, include_minimum=False))
    if sat <= pt:
        raise ParameterError(f"saturation_fraction={_fmt(sat)} must exceed "
                             f"perception_threshold_fraction={_fmt(pt)}",
                             name="saturation_fraction", value=sat)
    out = 10.0 * np.clip((rho - pt) / (sat - pt), 0.0, 1.0) * f / (f + fh)
    return float(out) if np.ndim(out) == 0 else out


def discomfort_intensity(amplitude_mA: Any, discomfort_threshold_mA: float) -> Any:
    """Discomfort (0-10) of stimulation above the comfort limit (illustrative [A]).

    Parameters
    ----------
    amplitude_mA : float or array
        Delivered amplitude [mA] (program amplitude × stimulation level), >= 0.
    discomfort_threshold_mA : float
        The program's discomfort threshold for this patient [mA] (NaN: none, e.g. off).

    Returns
    -------
    float or ndarray
        ``10·clip((I/I_DT − 1)/(DISCOMFORT_FULL_RATIO − 1), 0, 1)`` [0-10]: 0 up to the
        threshold, 10 at 1.5 × the threshold.

    Examples
    --------
    >>> discomfort_intensity(4.0, 4.0), discomfort_intensity(5.0, 4.0)
    (0.0, 5.0)
    """
    amp = check_array("amplitude_mA", amplitude_mA, "mA", 0.0, 1e3)
    dt = float(discomfort_threshold_mA)
    if not math.isfinite(dt) or dt <= 0:
        out = np.zeros_like(amp)
    else:
        out = 10.0 * np.clip((amp / dt - 1.0) / (DISCOMFORT_FULL_RATIO - 1.0), 0.0, 1.0)
    return float(out) if np.ndim(out) == 0 else out


def burst_affective_scale(burst_drive: Any, mechanisms: Iterable[Any] | None = None) -> Any:
    """Factor on reported pain from the burst supraspinal hypothesis [1].

    Parameters
    ----------
    burst_drive : float or array
        Aβ drive of a burst program after the Aβ→I synapse [1] (0 for tonic programs and below
        recruitment).
    mechanisms : iterable of Mechanism, optional
        Enabled mechanisms (default all); without ``BURST_SUPRASPINAL`` the factor is 1.

    Returns
    -------
    float or ndarray
        ``1 − r_b·(1 − 2^(−D_b/D_½))`` [1]: 1 without recruitment, falling toward 1 − r_b.

    Examples
    --------
    >>> burst_affective_scale(0.0), round(burst_affective_scale(BURST_AFFECTIVE_HALF_DRIVE), 2)
    (1.0, 0.75)
    """
    D = check_array("burst_drive", burst_drive, _DIMLESS, 0.0, 100.0)
    if Mechanism.BURST_SUPRASPINAL not in check_mechanisms(mechanisms):
        out = np.ones_like(D)
    else:
        out = 1.0 - BURST_AFFECTIVE_MAX * (1.0 - np.exp2(-D / BURST_AFFECTIVE_HALF_DRIVE))
    return float(out) if np.ndim(out) == 0 else out


@dataclass(frozen=True)
class Percept:
    """What the patient feels over a simulation; sample k belongs to the gate's t_s[k].

    Attributes
    ----------
    pain_nrs : ndarray
        Reported pain [0-10]: the nociceptive output mapped by :func:`pain_nrs`, times
        ``affective_scale``.
    paresthesia : ndarray
        Tingling from the stimulated Aβ fibres [0-10].
    discomfort : ndarray
        Unpleasantness of stimulation above the comfort limit [0-10].
    affective_scale : ndarray
        Factor of the burst supraspinal hypothesis on reported pain [1] (1 = none).
    """

    pain_nrs: np.ndarray
    paresthesia: np.ndarray
    discomfort: np.ndarray
    affective_scale: np.ndarray


def perceive(gate: GateResult, *, paresthesia: Any = 0.0, discomfort: Any = 0.0,
             burst_drive: Any = 0.0, mechanisms: Iterable[Any] | None = None) -> Percept:
    """The percept of a gate simulation.

    Parameters
    ----------
    gate : GateResult
        The dorsal horn's output over time.
    paresthesia, discomfort : float or array
        Series (or constants) from the stimulated fibres [0-10] (:func:`paresthesia_intensity`,
        :func:`discomfort_intensity`).
    burst_drive : float or array
        Burst Aβ drive for the affective hypothesis [1].
    mechanisms : iterable of Mechanism, optional
        Enabled mechanisms (default: those of ``gate``).

    Returns
    -------
    Percept
    """
    mech = gate.mechanisms if mechanisms is None else mechanisms
    shape = gate.t_s.shape
    scale = np.broadcast_to(np.asarray(burst_affective_scale(burst_drive, mech), dtype=float),
                            shape)
    pain = nrs_from_output(gate.nociceptive_hz) * scale

    def series(x: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), shape)
    return Percept(pain_nrs=pain, paresthesia=series(paresthesia),
                   discomfort=series(discomfort), affective_scale=scale)
