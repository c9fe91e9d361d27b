"""Depressing synapses: the firing of recruited afferents turned into dorsal-horn drive.

Every primary-afferent synapse of the dorsal horn depresses when it is driven repeatedly:
Aδ-evoked EPSCs in substantia gelatinosa neurons depress more the higher the rate, from 0.5 to
20 Hz, and the depression is presynaptic (fewer quanta released; Wan & Hu 2003 Neuroreport
14:197 [P]); synapses made by inhibitory interneurons show target-specific frequency-dependent
depression too (Cathenaut et al. 2022 Pain 163:e675 [P]). The form used here is the
Tsodyks-Markram depressing synapse (Tsodyks & Markram 1997 PNAS 94:719; Tsodyks, Pawelzik &
Markram 1998 Neural Comput 10:821 [P]): each spike releases a fraction U of the available
resources x, which recover with time constant τ_rec.

Steady state for irregular (Poisson) firing at mean rate f: the resource before a spike is
``x = 1/(1 + U·f·τ_rec)``, so the release rate ``f·x`` saturates at ``1/(U·τ_rec)``: above that
rate more pulses add almost nothing. Drive is expressed relative to an undepressed 40 Hz train
(:data:`DRIVE_RATE_SCALE_HZ`), so ``a = k·ρ·f·x/40`` with ρ the active fraction of the fibres
and k the synaptic gain.

No measured U or τ_rec exists for these synapses (the biophysical network of Zhang, Janik &
Grill 2014 J Neurophysiol 112:552 leaves depression off: U = 1, τ_rec = 0.1 ms in its public
model code [P]); the constants in :class:`sim.gate.GateParams` are calibrated assumptions [A],
constrained by the qualitative data above (depression already at 0.5-20 Hz for thin-fibre
synapses) and by the frequency response of the dorsal horn (see ``docs/model.md``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from sim.params import ParameterError, check_array, format_number as _fmt

__all__ = ["DRIVE_RATE_SCALE_HZ", "tonic_drive", "burst_drive", "periodic_resources"]

#: Afferent firing rate that gives a unit drive through an undepressed synapse [Hz] [A]:
#: drive a = 1 is "a moderate stimulus", about a population firing at 40 Hz.
DRIVE_RATE_SCALE_HZ = 40.0

_DIMLESS = "(dimensionless)"


def _check_synapse(U: float, tau_rec_s: float, k: float) -> None:
    check_array("U", U, _DIMLESS, 0.0, 1.0, include_minimum=False)
    check_array("tau_rec_s", tau_rec_s, "s", 0.0, 10.0)
    check_array("k", k, _DIMLESS, 0.0, 100.0)


def tonic_drive(rate_hz: Any, fraction: Any, U: float, tau_rec_s: float,
                k: float) -> np.ndarray | float:
    """Drive of a tonic (steady, irregular) afferent train through a depressing synapse.

    Parameters
    ----------
    rate_hz : float or array
        Firing rate of the active fibres [Hz] (the pulse rate capped by what the fibres follow,
        which :mod:`sim.fibers` decides), >= 0.
    fraction : float or array
        Fraction ρ of the fibres that fire [1], 0..1.
    U : float
        Release fraction per spike [1], 0 (exclusive)..1.
    tau_rec_s : float
        Recovery time constant of the resources [s], 0..10.
    k : float
        Synaptic gain [1], 0..100.

    Returns
    -------
    float or ndarray
        ``a = k·ρ·f/(1 + U·f·τ_rec)/40`` [1] (broadcast shape of the arguments).

    Examples
    --------
    >>> round(float(tonic_drive(40.0, 1.0, U=0.5, tau_rec_s=0.1, k=2.0)), 4)
    0.6667
    """
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6)
    rho = check_array("fraction", fraction, _DIMLESS, 0.0, 1.0)
    _check_synapse(U, tau_rec_s, k)
    a = k * rho * (f / (1.0 + U * f * tau_rec_s)) / DRIVE_RATE_SCALE_HZ
    return float(a) if a.ndim == 0 else a


def periodic_resources(intervals_s: np.ndarray, U: float, tau_rec_s: float) -> np.ndarray:
    """Resources x_n before each spike of a repeating spike pattern, in its periodic state.

    ``intervals_s[n]`` is the interval after spike n; the pattern repeats. One spike plus its
    interval is the affine map ``x ↦ (1 − U)·e·x + (1 − e)`` with ``e = exp(−Δ/τ_rec)``; the
    composition over one cycle is affine too, so its fixed point gives x_1 exactly and the
    other x_n follow in one pass (cost O(spikes per cycle)).
    """
    e = np.exp(-intervals_s / tau_rec_s) if tau_rec_s > 0 else np.zeros_like(intervals_s)
    A, B = 1.0, 0.0
    for ei in e:
        A, B = (1.0 - U) * ei * A, (1.0 - U) * ei * B + (1.0 - ei)
    x = np.empty_like(e)
    x[0] = B / (1.0 - A)  # A <= 1 - U < 1
    for i in range(len(e) - 1):
        x[i + 1] = (1.0 - U) * e[i] * x[i] + (1.0 - e[i])
    return x


def burst_drive(intra_burst_rate_hz: float, spikes_per_burst: int, burst_rate_hz: float,
                fraction: Any, U: float, tau_rec_s: float, k: float) -> np.ndarray | float:
    """Cycle-averaged drive of a burst train through a depressing synapse.

    Parameters
    ----------
    intra_burst_rate_hz : float
        Firing rate inside a burst [Hz] (500 Hz for De Ridder burst), > 0.
    spikes_per_burst : int
        Spikes per burst [1], 1..1000.
    burst_rate_hz : float
        Bursts per second [Hz], > 0; the burst must fit in its period.
    fraction : float or array
        Fraction ρ of fibres that fire every burst [1], 0..1.
    U, tau_rec_s, k : float
        Release fraction [1], recovery time constant [s], gain [1].

    Returns
    -------
    float or ndarray
        ``a = k·ρ·f_burst·Σ_n x_n/40`` [1], with x_n from :func:`periodic_resources` over the
        (N − 1) intra-burst intervals and the gap to the next burst (Tsodyks & Markram 1997).

    Examples
    --------
    De Ridder burst (5 spikes at 500 Hz, 40 bursts/s), U = 0.5, τ_rec = 100 ms, k = 2:

    >>> round(burst_drive(500.0, 5, 40.0, 1.0, U=0.5, tau_rec_s=0.1, k=2.0), 3)
    0.911
    """
    f_in = float(check_array("intra_burst_rate_hz", intra_burst_rate_hz, "Hz", 0.0, 1e6,
                             include_minimum=False))
    f_b = float(check_array("burst_rate_hz", burst_rate_hz, "Hz", 0.0, 1e4,
                            include_minimum=False))
    n_arr = check_array("spikes_per_burst", spikes_per_burst, _DIMLESS, 1.0, 1000.0)
    if n_arr.ndim != 0 or float(n_arr) != round(float(n_arr)):
        raise ParameterError(f"spikes_per_burst={spikes_per_burst!r} must be a whole number "
                             "in 1..1000", name="spikes_per_burst", value=spikes_per_burst)
    n = int(round(float(n_arr)))
    rho = check_array("fraction", fraction, _DIMLESS, 0.0, 1.0)
    _check_synapse(U, tau_rec_s, k)
    burst_len_s = (n - 1) / f_in
    period_s = 1.0 / f_b
    if burst_len_s >= period_s:
        raise ParameterError(
            f"burst_rate_hz={_fmt(f_b)} is too high for {n} pulses at {_fmt(f_in)} Hz: the burst "
            f"lasts {_fmt(burst_len_s * 1e3)} ms but the period is {_fmt(period_s * 1e3)} ms; "
            f"use a burst rate below {_fmt(f_in / (n - 1))} Hz",
            name="burst_rate_hz", value=f_b)
    intervals = np.full(n, 1.0 / f_in)
    intervals[-1] = period_s - burst_len_s
    x = periodic_resources(intervals, U, tau_rec_s)
    a = k * rho * f_b * float(x.sum()) / DRIVE_RATE_SCALE_HZ
    return float(a) if np.ndim(a) == 0 else a
