"""The spinal cord's evoked compound action potential (ECAP) and closed-loop SCS.

Each SCS pulse that recruits dorsal-column fibres sends a volley along them; the lead's other
contacts record it as the ECAP. This module sums it from the recruited fibres with the
single-fibre potentials of the conduction study (:func:`sim.ncs.compound_potential`), gives
its growth curve (ECAP amplitude against stimulus amplitude), and simulates open- and
closed-loop stimulation while the cord moves under the lead with posture and heartbeat
(:func:`simulate_loop`): open loop keeps the current, so the ECAP, and the paresthesia, jump
when the patient lies down; closed loop adjusts the current to hold the ECAP at its target.

Model [A unless tagged]
-----------------------
* Recorded fibres: the recruited dorsal-column fibres of :mod:`sim.recruitment` (the roots
  leave the cord laterally and are not in the recorded volley).
* Each fibre's peak potential at the recording contact: ``K d² / r`` (d diameter, r its
  distance from the lead axis): the ``d²`` of the conduction study's fibre potentials
  (:data:`sim.ncs.SNAP_SCALE_UV_PER_UM2`) and the ``1/r`` fall-off of a line source near
  the fibre; ``K`` = :data:`ECAP_SCALE_UV_MM_PER_UM2`.
* Velocity ``6 d`` m/s (:func:`sim.fibers.conduction_velocity_m_per_s`), recording
  :data:`RECORDING_DISTANCE_MM` from the cathode, fibre wave duration
  :data:`sim.ncs.SFAP_DURATION_MS`. Amplitude: N1-P2 (negative peak to the positive peak
  after it), as ECAPs are reported (Parker et al. 2012 Pain 153:593 [P]).
* The cord's movement: posture events change the dorsal CSF
  (:func:`sim.placement.csf_under_lead_mm`), and the heartbeat moves the cord by
  :data:`HEARTBEAT_CSF_MM` at :data:`HEART_RATE_HZ`.
* Closed loop: every :data:`CONTROL_INTERVAL_S` (each pulse of a 50 Hz program) the device
  scales its current by ``(target / measured)^(g / s)``, g = :data:`LOOP_GAIN` and s the
  log-log slope of its growth curve at the start (a proportional controller on the log
  scale), within the device range.

References
----------
Parker J.L., Karantonis D.M., Single P.S., Obradovic M., Cousins M.J. (2012) Compound action
potentials recorded in the human spinal cord during neurostimulation for pain relief. Pain
153:593-601.
Mekhail N., Levy R.M., Deer T.R., et al. (2020) Long-term safety and efficacy of closed-loop
spinal cord stimulation to treat chronic back and leg pain (Evoke): a double-blind,
randomised, controlled trial. Lancet Neurol 19:123-134.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from sim import recruitment as R
from sim.fibers import FiberClass
from sim.params import PARAMETERS, ParameterError, check_array

__all__ = [
    "held_current_mA",
    "RECORDING_DISTANCE_MM",
    "ECAP_SCALE_UV_MM_PER_UM2",
    "ECAP_DETECTION_UV",
    "HEARTBEAT_CSF_MM",
    "HEART_RATE_HZ",
    "CONTROL_INTERVAL_S",
    "LOOP_GAIN",
    "POSTURE_TRANSITION_S",
    "SPIKE_FACTOR",
    "DAILY_POSTURES",
    "daily_time_in_window",
    "EcapTrace",
    "ecap_trace",
    "GrowthCurve",
    "growth_curve",
    "LoopResult",
    "simulate_loop",
]

#: Distance along the cord from the cathode to the recording contact [mm]: a contact three
#: to four contacts away on an 8-contact lead (4 mm spacing) [A; Parker et al. 2012 recorded
#: on the lead's non-stimulating contacts].
RECORDING_DISTANCE_MM = 16.0
#: Scale of a fibre's peak potential at the recording contact [µV·mm/µm²] [A]: chosen so that
#: the ECAP of a tonic program at 1.3 x the perception threshold over 3 mm of CSF is some
#: tens of µV, the range of ECAPs recorded at comfortable stimulation (Parker et al. 2012
#: [P]: from the detection level to several hundred µV).
ECAP_SCALE_UV_MM_PER_UM2 = 0.004
#: Smallest ECAP the device resolves above its noise [µV] [A]: the ECAP threshold of the
#: growth curve.
ECAP_DETECTION_UV = 4.0
#: Peak change of the dorsal CSF layer with each heartbeat [mm] [A]: the cord pulsates with
#: the cardiac cycle by a fraction of a millimetre (cine MRI, e.g. Figley & Stroman 2007
#: [S]).
HEARTBEAT_CSF_MM = 0.15
#: Heart rate [Hz] (72 beats per minute) [T].
HEART_RATE_HZ = 1.2
#: Interval at which a closed-loop device updates its current [s]: every pulse of a 50 Hz
#: program (the Evoke device measures the ECAP of every pulse, Mekhail et al. 2020 [P]).
CONTROL_INTERVAL_S = 0.02
#: Loop gain [1]: the exponent of the multiplicative correction per update [A].
LOOP_GAIN = 0.8
#: An ECAP this many times its target is felt as a paresthesia spike (a jolt) [1] [A].
SPIKE_FACTOR = 1.5
#: Time over which the cord moves to its new position when the posture changes [s] [A]:
#: sitting up or lying down takes a second or two.
POSTURE_TRANSITION_S = 1.0
#: Largest current of an implanted SCS generator [mA] (as :data:`sim.cohort.DEVICE_MAX_MA`).
DEVICE_MAX_MA = 25.5
#: Dorsal-CSF grid on which the loop tabulates thresholds and ECAP sizes [mm].
_CSF_STEP_MM = 0.05


def _check_scs(program: Any) -> dict[str, Any]:
    p = R.program_values(program)
    if p["therapy"] != "scs":
        raise ParameterError(f"therapy={p['therapy']!r}: the ECAP is recorded from an SCS "
                             "lead; expected 'scs'", name="therapy", value=p["therapy"])
    return p


def _at_unit_amplitude(program: Any) -> Any:
    """The program at 1 mA: the cache key of what does not depend on the amplitude."""
    return program if program.amplitude_mA == 1.0 else program.replace(amplitude_mA=1.0)


@functools.lru_cache(maxsize=256)
def _fibre_table(program: Any, csf_mm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dorsal-column fibres sorted by threshold: thresholds [mA], peak potentials [µV] and
    velocities [m/s] (read-only)."""
    from sim import electrodes as el
    pop = R.population("scs", FiberClass.ABETA)
    th = R.fibre_thresholds_unsorted_mA(program, FiberClass.ABETA, csf_thickness_mm=csf_mm)
    dc = ~pop.root if pop.root is not None else np.ones(pop.n_fibers, dtype=bool)
    lead = el.scs_lead(program.contacts, csf_thickness_mm=csf_mm,
                       lateral_offset_mm=program.lateral_offset_mm)
    r = lead.transverse_distance_mm(pop.x_mm[dc], pop.y_mm[dc])
    d = pop.diameter_um[dc]
    amp = ECAP_SCALE_UV_MM_PER_UM2 * d * d / r
    order = np.argsort(th[dc], kind="stable")
    out = (th[dc][order], amp[order], 6.0 * d[order])
    for a in out:
        a.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class EcapTrace:
    """The ECAP of one pulse at the recording contact.

    Attributes
    ----------
    time_ms : ndarray
        Time after the pulse [ms].
    potential_uV : ndarray
        Recorded potential [µV] (negative N1 first).
    n1_latency_ms : float
        Latency of the negative peak N1 [ms] (NaN without a response).
    amplitude_uV : float
        N1-P2 amplitude [µV].
    recruited_fibres : int
        Dorsal-column fibres in the volley.
    """

    time_ms: np.ndarray
    potential_uV: np.ndarray
    n1_latency_ms: float
    amplitude_uV: float
    recruited_fibres: int


def ecap_trace(program: Any, *, csf_thickness_mm: float = 3.0,
               amplitude_mA: float | None = None) -> EcapTrace:
    """The ECAP of an SCS program's pulse, summed from the recruited dorsal-column fibres.

    Examples
    --------
    >>> from sim.presets import program
    >>> tr = ecap_trace(program("scs-tonic"))
    >>> 0.2 < tr.n1_latency_ms < 1.5 and tr.amplitude_uV > 0
    True
    """
    from sim.ncs import SFAP_DURATION_MS, compound_potential
    p = _check_scs(program)
    csf = float(PARAMETERS["csf_thickness_mm"].validate(csf_thickness_mm))
    amp = p["amplitude_mA"] if amplitude_mA is None else float(
        PARAMETERS["amplitude_mA"].validate(amplitude_mA))
    th, a, v = _fibre_table(_at_unit_amplitude(program), csf)
    k = int(np.searchsorted(th, amp, side="right"))
    t = np.linspace(0.0, 3.0, 601)
    if k == 0:
        return EcapTrace(t, np.zeros_like(t), math.nan, 0.0, 0)
    # each fibre's wave is negative at its centre: the volley's N1 is negative
    y = compound_potential(t, RECORDING_DISTANCE_MM, v[:k], a[:k], SFAP_DURATION_MS)
    i1 = int(np.argmin(y))
    p2 = float(np.max(y[i1:])) if i1 < y.size else 0.0
    return EcapTrace(t, y, float(t[i1]), p2 - float(y[i1]), k)


@functools.lru_cache(maxsize=64)
def _dispersion(program: Any, csf_mm: float) -> float:
    """N1-P2 amplitude per µV of summed fibre peaks at the program's operating point [1]
    (temporal dispersion makes it a little under 2)."""
    th, a, _ = _fibre_table(_at_unit_amplitude(program), csf_mm)
    amp = max(float(program.amplitude_mA), float(th[max(0, th.size // 50)]))
    tr = ecap_trace(program, csf_thickness_mm=csf_mm, amplitude_mA=amp)
    total = float(a[:tr.recruited_fibres].sum())
    return tr.amplitude_uV / total if total > 0 else 0.0


def _ecap_amplitude(program: Any, csf_mm: float, amps: np.ndarray) -> np.ndarray:
    """N1-P2 ECAP amplitude at each stimulus amplitude [µV] (cumulative fibre sum)."""
    th, a, _ = _fibre_table(_at_unit_amplitude(program), csf_mm)
    cum = np.concatenate([[0.0], np.cumsum(a)])
    k = np.searchsorted(th, amps, side="right")
    return _dispersion(program, csf_mm) * cum[k]


@dataclass(frozen=True, eq=False)
class GrowthCurve:
    """ECAP amplitude against stimulus amplitude.

    Attributes
    ----------
    amplitude_mA : ndarray
        Stimulus amplitudes [mA].
    ecap_uV : ndarray
        N1-P2 ECAP amplitude at each [µV].
    ecap_threshold_mA : float
        Least amplitude whose ECAP reaches :data:`ECAP_DETECTION_UV` [mA].
    perception_threshold_mA : float
        The program's perception threshold at this CSF [mA], for comparison.
    """

    amplitude_mA: np.ndarray
    ecap_uV: np.ndarray
    ecap_threshold_mA: float
    perception_threshold_mA: float


def growth_curve(program: Any, *, csf_thickness_mm: float = 3.0,
                 amplitudes_mA: Any = None) -> GrowthCurve:
    """The ECAP growth curve of an SCS program (default 200 amplitudes up to 2 x PT)."""
    _check_scs(program)
    csf = float(PARAMETERS["csf_thickness_mm"].validate(csf_thickness_mm))
    pt = R.recruit(program, csf_thickness_mm=csf).perception_threshold_mA
    amps = (np.linspace(0.0, 2.0 * pt, 200) if amplitudes_mA is None
            else check_array("amplitudes_mA", amplitudes_mA, "mA", 0.0, 100.0))
    e = _ecap_amplitude(program, csf, amps)
    fine = np.linspace(0.0, 3.0 * pt, 3001)
    above = np.flatnonzero(_ecap_amplitude(program, csf, fine) >= ECAP_DETECTION_UV)
    et = float(fine[above[0]]) if above.size else math.nan
    return GrowthCurve(amps, e, et, pt)


@dataclass(frozen=True, eq=False)
class LoopResult:
    """Open- or closed-loop SCS while the cord moves.

    Attributes
    ----------
    mode : str
        ``open`` or ``closed``.
    t_s : ndarray
        Control times [s].
    csf_mm : ndarray
        Dorsal CSF under the lead [mm] (posture and heartbeat).
    amplitude_mA : ndarray
        Delivered current [mA].
    ecap_uV : ndarray
        ECAP amplitude of each pulse [µV].
    target_uV : float
        The ECAP the loop holds (open loop: the ECAP at the start) [µV].
    perception_mA, discomfort_mA : ndarray
        The therapeutic window at each moment [mA].
    time_in_window_pct : float
        Time with the current inside the window [%].
    paresthesia_spikes : int
        Episodes in which the ECAP rises above :data:`SPIKE_FACTOR` x its target: the
        sudden, stronger paresthesia patients feel when the cord moves towards the lead.
    max_ecap_error_pct : float
        Largest deviation of the ECAP from the target after the first second [%].
    """

    mode: str
    t_s: np.ndarray
    csf_mm: np.ndarray
    amplitude_mA: np.ndarray
    ecap_uV: np.ndarray
    target_uV: float
    perception_mA: np.ndarray
    discomfort_mA: np.ndarray
    time_in_window_pct: float
    paresthesia_spikes: int
    max_ecap_error_pct: float


class _LevelTables(NamedTuple):
    """What a loop needs at each CSF level, none of it dependent on the amplitude."""

    perception_mA: np.ndarray  # perception threshold at each level [mA]
    discomfort_mA: np.ndarray  # discomfort threshold at each level [mA]
    thresholds: list[np.ndarray]  # dorsal-column fibres' sorted thresholds [mA]
    cum_potential: list[np.ndarray]  # their cumulative peak potentials, from 0 [µV]
    threshold_lists: list[list[float]]  # ``thresholds`` as lists (the closed loop's bisect)


@functools.lru_cache(maxsize=16)
def _level_tables(program: Any, levels: tuple[float, ...]) -> _LevelTables:
    """The tables of :class:`_LevelTables` at each CSF level (``program`` at 1 mA)."""
    pts = np.array([R.recruit(program, csf_thickness_mm=c).perception_threshold_mA
                    for c in levels])
    dts = np.array([R.discomfort_ratio("scs", c) for c in levels]) * pts
    tables = [_fibre_table(program, c) for c in levels]
    ths = [th for th, _, _ in tables]
    cums = [np.concatenate([[0.0], np.cumsum(a)]) for _, a, _ in tables]
    return _LevelTables(pts, dts, ths, cums, [th.tolist() for th in ths])


def _closed_loop(amp0: float, target: float, idx: np.ndarray, th_l: list[list[float]],
                 cums: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The controller, one step per :data:`CONTROL_INTERVAL_S`: the current [mA] and the
    ECAP [µV] it measured at each step. Plain Python per step (bisect on lists): a step is a
    few microseconds, where numpy's per-call overhead made it tens."""
    import bisect

    cum_l = [cum.tolist() for cum in cums]
    up, down = (cum_l[int(idx[0])][bisect.bisect_right(th_l[int(idx[0])], amp0 * f)]
                for f in (1.1, 0.9))
    # the device knows its growth curve's steepness at the start: the log-log slope
    slope = (math.log(up / down) / math.log(1.1 / 0.9)) if down > 0 else 10.0
    exponent = LOOP_GAIN / max(slope, 1.0)
    n = idx.size
    amps, ecap = [0.0] * n, [0.0] * n
    cur, floor = amp0, 0.05 * target
    for k, level in enumerate(idx.tolist()):
        e = cum_l[level][bisect.bisect_right(th_l[level], cur)]
        amps[k], ecap[k] = cur, e
        if target > 0:
            cur = min(max(cur * (target / max(e, floor)) ** exponent, 0.0), DEVICE_MAX_MA)
    return np.array(amps), np.array(ecap)


def simulate_loop(program: Any, patient: Any, *, mode: str = "closed",
                  duration_s: float = 60.0, events: Any = ()) -> LoopResult:
    """Stimulate for ``duration_s`` while posture events and the heartbeat move the cord.

    Parameters
    ----------
    program : Program
        An SCS program; its amplitude is the starting current.
    patient : Patient
        Gives the CSF at the lead's level (:func:`sim.placement.csf_under_lead_mm`).
    mode : {"open", "closed"}
        Open loop keeps the current; closed loop holds the ECAP at the starting ECAP.
    duration_s : float
        Simulated time [s] (1..3600).
    events : sequence of Event
        Posture events (``supine``, ``prone``, ``standing``); others are ignored.
    """
    from sim.placement import POSTURE_ORDER, csf_under_lead_mm, posture_series
    p = _check_scs(program)
    if mode not in ("open", "closed"):
        raise ParameterError(f"mode={mode!r} is not 'open' or 'closed'", name="mode",
                             value=mode)
    dur = float(check_array("duration_s", duration_s, "s", 1.0, 3600.0))
    t = np.arange(0.0, dur, CONTROL_INTERVAL_S)
    codes = posture_series(tuple(events or ()), t)
    base = np.array([csf_under_lead_mm(patient.csf_thickness_mm, program.lead_level, pos)
                     for pos in POSTURE_ORDER])
    # the cord settles into a new posture over POSTURE_TRANSITION_S (a moving average)
    w = max(1, int(round(POSTURE_TRANSITION_S / CONTROL_INTERVAL_S)))
    still = base[codes]
    padded = np.concatenate([np.full(w - 1, still[0]), still])
    settled = np.convolve(padded, np.ones(w) / w, mode="valid")
    csf = settled + HEARTBEAT_CSF_MM * np.sin(2 * math.pi * HEART_RATE_HZ * t)
    lo, hi = (float(PARAMETERS["csf_thickness_mm"].minimum),
              float(PARAMETERS["csf_thickness_mm"].maximum))
    csf = np.clip(csf, lo, hi)
    grid = np.round(csf / _CSF_STEP_MM) * _CSF_STEP_MM
    levels = np.unique(grid)
    idx = np.searchsorted(levels, grid)
    tab = _level_tables(_at_unit_amplitude(program), tuple(float(c) for c in levels))
    # the ECAP at each level: the fibres' summed potentials scaled by the dispersion at the
    # program's operating point (which depends on its amplitude)
    cums = [_dispersion(program, float(c)) * base for c, base in zip(levels, tab.cum_potential,
                                                                     strict=True)]
    amp0 = p["amplitude_mA"]
    th0, cum0 = tab.thresholds[int(idx[0])], cums[int(idx[0])]
    target = float(cum0[np.searchsorted(th0, amp0, side="right")])
    if mode == "open":  # the current never changes: one lookup per CSF level
        amps = np.full(t.size, amp0)
        per_level = np.array([cum[np.searchsorted(th, amp0, side="right")]
                              for th, cum in zip(tab.thresholds, cums, strict=True)])
        ecap = per_level[idx]
    else:
        amps, ecap = _closed_loop(amp0, target, idx, tab.threshold_lists, cums)
    pt_t, dt_t = tab.perception_mA[idx], tab.discomfort_mA[idx]
    inside = (amps >= pt_t) & (amps <= dt_t)
    over = ecap > SPIKE_FACTOR * target if target > 0 else np.zeros(t.size, dtype=bool)
    spikes = int(np.sum(over[1:] & ~over[:-1]) + (1 if over[0] else 0))
    after = t >= 1.0
    err = (100.0 * float(np.max(np.abs(ecap[after] - target))) / target
           if target > 0 and after.any() else math.nan)
    return LoopResult(mode, t, csf, amps, ecap, target, pt_t, dt_t,
                      100.0 * float(inside.mean()), spikes, err)


# =============================================================================================
# A day of postures: how long each loop keeps the patient in the therapeutic window
# =============================================================================================
#: Share of a day spent in each posture [1] [A]: about 10-11 h lying (night and rest, mostly
#: supine), the rest sitting or standing. With it an open-loop program titrated sitting stays
#: in the window 55 % of the day, a closed loop about all of it (Evoke reported more time in
#: the therapeutic window with closed loop, Mekhail et al. 2020 [P]).
DAILY_POSTURES = {"sitting": 0.35, "standing": 0.20, "supine": 0.35, "prone": 0.10}


def _current_for(program: Any, csf_mm: float, target_uV: float) -> float:
    """The current whose ECAP is ``target_uV`` at this CSF [mA] (the closed loop's steady
    state; the device maximum if it cannot reach it)."""
    th, a, _ = _fibre_table(_at_unit_amplitude(program), csf_mm)
    cum = _dispersion(program, csf_mm) * np.concatenate([[0.0], np.cumsum(a)])
    k = int(np.searchsorted(cum, target_uV, side="left"))
    return float(th[min(k, th.size) - 1]) if k >= 1 else 0.0


@functools.lru_cache(maxsize=4096)
def held_current_mA(program: Any, csf_thickness_mm: float, posture: str) -> float:
    """The current a closed loop settles at in ``posture`` [mA]: the one that gives the ECAP
    the program gives sitting, where it was programmed (the loop's steady state, reached
    within a fraction of a second, :func:`simulate_loop`), at most the device maximum.

    ``csf_thickness_mm`` is the patient's (at T9, sitting). Sitting, or with a sitting ECAP
    of zero (below the ECAP threshold: nothing to hold), it is the programmed current.
    """
    from sim.placement import csf_under_lead_mm
    _check_scs(program)
    if posture == "sitting":
        return float(program.amplitude_mA)
    sit = csf_under_lead_mm(csf_thickness_mm, program.lead_level, "sitting")
    target = float(_ecap_amplitude(program, sit, np.array([program.amplitude_mA]))[0])
    if target <= 0:
        return float(program.amplitude_mA)
    csf = csf_under_lead_mm(csf_thickness_mm, program.lead_level, posture)
    return min(_current_for(program, csf, target), DEVICE_MAX_MA)


@functools.lru_cache(maxsize=4096)
def daily_time_in_window(program: Any, csf_thickness_mm: float, mode: str = "open") -> float:
    """Fraction of a day (:data:`DAILY_POSTURES`) in which the current lies inside the
    therapeutic window [0-1], for an SCS program titrated sitting.

    Open loop keeps the programmed current in every posture: lying supine (thinner CSF) can
    push it above the discomfort threshold, prone or standing below perception. Closed loop
    holds the sitting ECAP, so the current follows the cord.
    """
    from sim.placement import csf_under_lead_mm
    _check_scs(program)
    if mode not in ("open", "closed"):
        raise ParameterError(f"mode={mode!r} is not 'open' or 'closed'", name="mode",
                             value=mode)
    total = 0.0
    for posture, share in DAILY_POSTURES.items():
        csf = csf_under_lead_mm(csf_thickness_mm, program.lead_level, posture)
        pt = R.recruit(program, csf_thickness_mm=csf).perception_threshold_mA
        dt = R.discomfort_ratio("scs", csf) * pt
        amp = (held_current_mA(program, csf_thickness_mm, posture) if mode == "closed"
               else program.amplitude_mA)
        total += share * float(pt <= amp <= dt)
    return total
