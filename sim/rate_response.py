"""Rate response: how the dorsal horn and the patient answer a stimulation program's pulse rate.

Two protocols, one table (:class:`RateResponse`: one row per rate with ``rate_hz``,
``wdr_pct_of_baseline``, ``pain_reduction_pct`` and ``paresthesia``):

* :func:`published_rate_response` reproduces the protocol of Zhang, Janik & Grill 2014
  (J Neurophysiol 112:552): a dorsal horn with normal inhibition and ongoing C-fibre input
  (drive 1), every dorsal-column Aβ fibre under the lead recruited and following every pulse.
  Its WDR output falls deepest at tens of Hz, is back at its baseline somewhere near 80-100 Hz
  and rises above it at higher rates. That high-rate excitation is labelled: it assumes every
  fibre follows every pulse, and it is stimulated Aβ activity, felt as paresthesia, so the
  pain reduction never turns negative. With weaker GABA (``inhibition_efficacy`` < 1, their
  reduced-GABA condition) the deepest point moves lower, the return to baseline higher, and
  much of the inhibition remains.
* :func:`session_rate_response` runs a patient's own program at each rate: the recruited
  fibres follow what they can (:mod:`sim.fibers`), only the recruited share of the painful
  dermatome is driven, and the kHz state is at the wash-in of the session's
  ``stimulation_day``.

Both evaluate the gate's steady state (:func:`sim.gate.steady_outputs`), so a row costs well
under a millisecond whatever the rate.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.params import ParameterError, check_array

__all__ = ["RateResponse", "DEFAULT_RATES_HZ", "published_rate_response",
           "session_rate_response", "PUBLISHED_PROTOCOL"]

#: Rates of a rate response when none are given [Hz]: a few Hz to the kilohertz programs
#: (rates a program's pulse does not fit in are left out of a session's response).
DEFAULT_RATES_HZ: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0,
                                       100.0, 150.0, 200.0, 300.0, 500.0, 1000.0, 1200.0,
                                       2000.0, 5000.0, 10000.0)
#: Name of the published protocol.
PUBLISHED_PROTOCOL = "Zhang, Janik & Grill 2014"
#: Ongoing C drive of the published protocol [1] (a moderate ongoing input, as in their
#: simulations with peripheral C input).
_PROTOCOL_C_DRIVE = 1.0


@dataclass(frozen=True)
class RateResponse:
    """One row per rate: the WDR output, the pain reduction and the paresthesia.

    Attributes
    ----------
    protocol : str
        :data:`PUBLISHED_PROTOCOL` or ``"session"``.
    rates_hz : ndarray
        Pulse rates [Hz].
    wdr_pct_of_baseline : ndarray
        WDR output with stimulation as % of its rate without stimulation (nor the effects
        days of use carry over) [%].
    pain_reduction_pct : ndarray
        Reduction of reported pain against no stimulation at all [%].
    paresthesia : ndarray
        Paresthesia intensity [0-10].
    """

    protocol: str
    rates_hz: np.ndarray
    wdr_pct_of_baseline: np.ndarray
    pain_reduction_pct: np.ndarray
    paresthesia: np.ndarray

    def rows(self) -> list[dict[str, float]]:
        """One dict per rate (``rate_hz``, ``wdr_pct_of_baseline``, ``pain_reduction_pct``,
        ``paresthesia``), as plain floats."""
        return [{"rate_hz": float(f), "wdr_pct_of_baseline": float(w),
                 "pain_reduction_pct": float(r), "paresthesia": float(p)}
                for f, w, r, p in zip(self.rates_hz, self.wdr_pct_of_baseline,
                                      self.pain_reduction_pct, self.paresthesia, strict=True)]

    @property
    def deepest(self) -> tuple[float, float]:
        """(rate [Hz], WDR output [% of baseline]) of the deepest inhibition."""
        i = int(np.argmin(self.wdr_pct_of_baseline))
        return float(self.rates_hz[i]), float(self.wdr_pct_of_baseline[i])

    @property
    def back_to_baseline_hz(self) -> float:
        """First rate above the deepest point where the WDR output is back at its baseline,
        interpolated on log rate [Hz]; NaN if it never is."""
        i = int(np.argmin(self.wdr_pct_of_baseline))
        f, w = np.log(self.rates_hz[i:]), self.wdr_pct_of_baseline[i:]
        above = np.flatnonzero(w >= 100.0)
        if above.size == 0 or above[0] == 0:
            return math.nan
        j = above[0]
        x = f[j - 1] + (100.0 - w[j - 1]) * (f[j] - f[j - 1]) / (w[j] - w[j - 1])
        return float(np.exp(x))


def _rates(rates_hz: Sequence[float] | None) -> np.ndarray:
    rates = np.asarray(DEFAULT_RATES_HZ if rates_hz is None else rates_hz, dtype=float)
    rates = np.atleast_1d(check_array("rate_hz", rates, "Hz", 1.0, 10000.0))
    if rates.ndim != 1 or rates.size == 0:
        raise ParameterError("rates must be a non-empty list of rates in Hz", name="rate_hz")
    return np.unique(rates)


def published_rate_response(rates_hz: Sequence[float] | None = None,
                            patient: Any = None) -> RateResponse:
    """The protocol of Zhang, Janik & Grill 2014 (see the module notes).

    Parameters
    ----------
    rates_hz : sequence of float, optional
        Pulse rates [Hz], 1..10000 (default :data:`DEFAULT_RATES_HZ`).
    patient : sim.patients.Patient, optional
        The dorsal horn's state (default: healthy); its ongoing C drive is set to the
        protocol's 1 unless it is larger. Vary ``inhibition_efficacy`` for the reduced-GABA
        condition.

    Returns
    -------
    RateResponse

    Examples
    --------
    >>> r = published_rate_response()
    >>> 10 <= r.deepest[0] <= 60, 70 <= r.back_to_baseline_hz <= 110
    (True, True)
    """
    from sim.drive import gate_params
    from sim.gate import steady_state_rates, stim_drives_tonic
    from sim.patients import Patient
    from sim.percept import nrs_from_output, paresthesia_intensity

    rates = _rates(rates_hz)
    pat = patient if patient is not None else Patient()
    pat = pat.replace(ongoing_c_drive=max(pat.ongoing_c_drive, _PROTOCOL_C_DRIVE))
    p = gate_params(pat)
    off = steady_state_rates(p)
    d = stim_drives_tonic(rates, 1.0, p)
    on = steady_state_rates(p, a_beta_stim_I=d.a_beta_stim_I, a_beta_stim_P=d.a_beta_stim_P)
    pain0 = float(nrs_from_output(off.nociceptive_hz))
    pain = nrs_from_output(on.nociceptive_hz)
    reduction = (100.0 * (1.0 - pain / pain0) if pain0 > 0
                 else np.zeros_like(rates))
    return RateResponse(PUBLISHED_PROTOCOL, rates, 100.0 * on.P_hz / off.P_hz,
                        np.asarray(reduction, dtype=float),
                        np.asarray(paresthesia_intensity(1.0, rates), dtype=float))


#: Length of the probe session whose middle sample gives a rate's drives [s].
_PROBE_S = 2.0


def session_rate_response(session: Any, rates_hz: Sequence[float] | None = None
                          ) -> RateResponse:
    """A patient's steady response to their own program at each rate.

    Parameters
    ----------
    session : sim.session.Session
        Program (its rate is replaced), patient, model options and ``stimulation_day``.
    rates_hz : sequence of float, optional
        Pulse rates [Hz]; default :data:`DEFAULT_RATES_HZ` without the rates the program's
        pulse does not fit in. A given rate that does not fit raises the program's own
        :class:`~sim.params.ParameterError` (naming pulse width, rate and what to change).

    Returns
    -------
    RateResponse
        ``pain_reduction_pct`` against the patient's untreated pain (NaN when the patient has
        none: below :data:`sim.session.MIN_BASELINE_PAIN_NRS`).
    """
    from sim.drive import gate_drive, khz_washin, mechanisms
    from sim.gate import session_grid, steady_outputs
    from sim.percept import burst_affective_scale, nrs_from_output
    from sim.session import MIN_BASELINE_PAIN_NRS, Event, Session

    if not isinstance(session, Session):
        raise ParameterError("a rate response needs a Session", name="session")
    explicit = rates_hz is not None
    rates = _rates(rates_hz)
    programs = []
    for f in rates:
        try:
            programs.append((f, session.program.replace(rate_hz=float(f))))
        except ParameterError:
            if explicit:
                raise
    mech = mechanisms(session.options)
    t = session_grid(_PROBE_S)
    mid = t.size // 2
    out: dict[str, list[float]] = {k: [] for k in ("rate", "wdr", "red", "par")}
    for f, prog in programs:
        probe = Session(program=prog, patient=session.patient, duration_s=_PROBE_S,
                        events=(Event(kind="stimulation", start_s=0.0, stop_s=_PROBE_S),),
                        options=session.options)
        d = gate_drive(probe, t)
        washin = khz_washin(session.stimulation_day, d.params.tau_khz_s)
        khz = float(d.inputs.khz_field[mid]) * washin
        on = steady_outputs(d.inputs, mid, d.params, mech, khz=khz)
        untreated = steady_outputs(d.inputs, mid, d.params, mech, khz=0.0, stimulation=False)
        pain = float(nrs_from_output(on.nociceptive_hz[0])
                     * burst_affective_scale(float(d.burst_drive[mid]), mech))
        pain0 = float(nrs_from_output(untreated.nociceptive_hz[0]))
        out["rate"].append(f)
        out["wdr"].append(100.0 * float(on.P_hz[0]) / float(untreated.P_hz[0])
                          if untreated.P_hz[0] > 1e-9 else math.nan)
        out["red"].append(100.0 * (1.0 - pain / pain0) if pain0 >= MIN_BASELINE_PAIN_NRS
                          else math.nan)
        out["par"].append(float(d.paresthesia[mid]))
    return RateResponse("session", *(np.array(out[k], dtype=float)
                                     for k in ("rate", "wdr", "red", "par")))
