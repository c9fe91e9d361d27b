"""Motor nerve conduction: the CMAP of the median, ulnar, peroneal and tibial nerves.

What is here (docs/science.md §9.4):

* :data:`MOTOR_NERVES`, the motor studies (recording muscle, stimulation sites, segments,
  normal limits) and :func:`motor_conduction_study`, which stimulates at each site, sums the
  compound muscle action potential (CMAP) from the nerve's motor units and measures distal
  motor latency, amplitude, segment velocities, conduction block and the F-wave latency.

The model
---------
The nerve's motor axons are a quantile population of one diameter mode (as the sensory
fibres of :mod:`sim.ncs`), conducting at ``v = 6 d x velocity_factor`` (Hursh 1939); each
axon drives one motor unit of :data:`sim.emg.UNITS_PER_MUSCLE`, larger axons larger units
(size principle). A unit's surface potential over the end-plate is a negative-first biphasic
wave (the first derivative of the ``sin^4`` spike of :mod:`sim.ncs`: negative peak at D/3,
zero area). Its latency from stimulation site ``s`` is the conduction time over every segment
between ``s`` and the muscle plus a fixed residual latency (terminal axon slowing and
neuromuscular transmission; Kraft & Halvorson 1983). The patient acts through:

* ``axonal_loss`` (length dependent, :func:`sim.emg.motor_axonal_loss`), ``demyelination``
  (every segment slowed, block above 75 % slowing, as in :mod:`sim.ncs`);
* the focal lesion (:mod:`sim.lesions`): its segment is slowed and blocked; its axonal loss
  removes units from every site; a root lesion lies proximal to every site and shows only in
  the F-wave (and through lost units);
* reinnervation and myopathy from :func:`sim.emg.muscle_condition` (surviving units enlarge;
  muscle fibres are lost).

The F wave is the same units' response after the impulse has travelled to the spinal cord
and back: latency = 2 x (cord distance) / v + the distal latency + 1 ms turnaround at the
motor neuron [T], reported for the fastest conducting unit.

References
----------
Preston D.C., Shapiro B.E. (2013) Electromyography and Neuromuscular Disorders, 3rd ed.,
normal adult values [T]: median (APB) >= 4.0 mV, distal latency <= 4.4 ms at 7 cm, >= 49 m/s,
F <= 31 ms; ulnar (ADM) >= 6.0 mV, <= 3.3 ms at 7 cm, >= 49 m/s, F <= 32 ms; peroneal (EDB)
>= 2.0 mV, <= 6.5 ms at 9 cm, >= 44 m/s, F <= 56 ms; tibial (AH) >= 4.0 mV, <= 5.8 ms at 9 cm,
>= 41 m/s, F <= 56 ms.
Olney R.K. (1999) Consensus criteria for the diagnosis of partial motor conduction block.
Muscle Nerve Suppl 8:S225-S229 [S] (amplitude falls by 50 % or more across a segment).
Kraft G.H., Halvorson G.A. (1983) Median nerve residual latency: normal value and use in
diagnosis of carpal tunnel syndrome. Arch Phys Med Rehabil 64:221-226 [P].
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.stats import truncnorm

from sim.emg import MUSCLES, UNITS_PER_MUSCLE, motor_axonal_loss, muscle_condition
from sim.fibers import conduction_velocity_m_per_s
from sim.lesions import LESION_SITES, focal_effect, wallerian_fraction
from sim.ncs import BLOCK_SLOWING, DEMYELINATION_FLOOR, Measure, assess_measure, finite_or_none
from sim.params import PARAMETERS
from sim.patients import Patient

__all__ = ["MotorLimits", "MotorNerveSpec", "MOTOR_NERVES", "motor_nerve_names",
           "MotorSite", "MotorResult", "motor_conduction_study", "CONDUCTION_BLOCK_DROP",
           "CMAP_DURATION_MS", "F_TURNAROUND_MS", "ROOT_SEGMENT_MM"]

#: Duration of one motor unit's surface potential [ms] [A]: its negative phase lasts D/2 =
#: 6 ms and peaks D/3 = 4 ms after onset, as the negative phase of a normal CMAP (5-6 ms) [T].
CMAP_DURATION_MS = 12.0
#: Proximal / distal amplitude below 1 - this = conduction block [1] (Olney 1999 [S]: 50 %).
CONDUCTION_BLOCK_DROP = 0.5
#: Time for the antidromic impulse to re-excite the motor neuron [ms] [T].
F_TURNAROUND_MS = 1.0
#: Length of root a root lesion slows [mm] [A].
ROOT_SEGMENT_MM = 50.0
#: Onset latency is read where the CMAP first leaves baseline by this fraction of its
#: amplitude [1] [A: the first deflection the eye sees, T]; below ABSENT_BELOW_MV [mV] no
#: response is recorded [A].
ONSET_FRACTION, ABSENT_BELOW_MV = 0.02, 0.05
#: Seed of the units' fixed exponential draws (their share of slowing) [A].
_SPREAD_SEED = 20240610
#: Largest unit's surface potential relative to the smallest [x] [A; surface MUP amplitudes
#: span more than an order of magnitude, T].
UNIT_SIZE_RANGE = 30.0
#: Sampling interval of the CMAP [ms] (onsets are interpolated between samples).
SAMPLE_INTERVAL_MS = 0.1
WINDOW_MS = 40.0


@dataclass(frozen=True)
class MotorLimits:
    """Published normal limits of one motor study (Preston & Shapiro 2013 [T])."""

    distal_latency_max_ms: float
    amplitude_min_mV: float
    velocity_min_m_per_s: float
    f_latency_max_ms: float
    source: str


@dataclass(frozen=True)
class MotorNerveSpec:
    """A motor nerve study.

    Attributes
    ----------
    name, label, muscle : str
        Nerve, label, recording muscle (:data:`sim.emg.MUSCLES`).
    sites : tuple of (str, float)
        Stimulation sites, distal first, with their distance from the recording electrode
        along the nerve [mm].
    segments : tuple of str
        Segment names: ``segments[0]`` from the distal site to the muscle, ``segments[k]``
        between sites ``k - 1`` and ``k``.
    cord_mm : float
        Distal site to the spinal cord [mm] (F wave).
    max_velocity_m_per_s : float
        Fastest healthy axon [m/s] [A, from the normative means].
    residual_ms : float
        Residual latency: terminal slowing and neuromuscular transmission [ms] [A].
    cmap_mV : float
        Healthy distal CMAP amplitude the units sum to [mV] [A, normative means].
    limits : MotorLimits
        Normal limits.
    montage : str
        How the study is done.
    """

    name: str
    label: str
    muscle: str
    sites: tuple[tuple[str, float], ...]
    segments: tuple[str, ...]
    cord_mm: float
    max_velocity_m_per_s: float
    residual_ms: float
    cmap_mV: float
    limits: MotorLimits
    montage: str


_PS = "Preston & Shapiro 2013 normal adult values [T]"
MOTOR_NERVES: Mapping[str, MotorNerveSpec] = MappingProxyType({n.name: n for n in (
    MotorNerveSpec("median", "Median motor", "abductor-pollicis-brevis",
                   (("wrist", 70.0), ("elbow", 300.0)), ("wrist", "forearm"), 650.0, 62.0,
                   1.35, 10.0, MotorLimits(4.4, 4.0, 49.0, 31.0, _PS + " (APB, 7 cm)"),
                   "record over abductor pollicis brevis; stimulate at the wrist (7 cm) and "
                   "the antecubital fossa"),
    MotorNerveSpec("ulnar", "Ulnar motor", "abductor-digiti-minimi",
                   (("wrist", 70.0), ("below elbow", 290.0), ("above elbow", 390.0)),
                   ("wrist", "forearm", "across elbow"), 650.0, 64.0, 0.7, 10.0,
                   MotorLimits(3.3, 6.0, 49.0, 32.0, _PS + " (ADM, 7 cm)"),
                   "record over abductor digiti minimi; stimulate at the wrist (7 cm), below "
                   "and 10 cm above the elbow"),
    MotorNerveSpec("peroneal", "Peroneal motor", "extensor-digitorum-brevis",
                   (("ankle", 90.0), ("below fibular head", 390.0),
                    ("popliteal fossa", 490.0)),
                   ("ankle", "leg", "across fibular head"), 1000.0, 52.0, 1.95, 6.0,
                   MotorLimits(6.5, 2.0, 44.0, 56.0, _PS + " (EDB, 9 cm)"),
                   "record over extensor digitorum brevis; stimulate at the ankle (9 cm), "
                   "below the fibular head and in the lateral popliteal fossa"),
    MotorNerveSpec("tibial", "Tibial motor", "abductor-hallucis",
                   (("ankle", 90.0), ("popliteal fossa", 490.0)), ("ankle", "leg"), 1000.0,
                   50.0, 1.5, 12.0, MotorLimits(5.8, 4.0, 41.0, 56.0, _PS + " (AH, 9 cm)"),
                   "record over abductor hallucis; stimulate behind the medial malleolus "
                   "(9 cm) and in the popliteal fossa"),
)})


def motor_nerve_names() -> list[str]:
    """Names of the motor studies, in display order."""
    return list(MOTOR_NERVES)


@functools.cache
def _units(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(velocity, relative size, spread) of the nerve's motor units, read-only."""
    spec = MOTOR_NERVES[name]
    n = UNITS_PER_MUSCLE
    q = (np.arange(n) + 0.5) / n
    mean, sd, lo, hi = 12.0, 2.0, 7.0, 16.0  # motor axon diameters [µm] [T: 9-20 µm range]
    d = truncnorm.ppf(q, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)
    v = conduction_velocity_m_per_s(d, myelinated=True)
    v = v * spec.max_velocity_m_per_s / float(v.max())
    size = np.exp(math.log(UNIT_SIZE_RANGE) * q)
    size = size / size.sum()
    spread = -np.log1p(-np.random.default_rng(_SPREAD_SEED).random(n))
    for a in (v, size, spread):
        a.flags.writeable = False
    return v, size, spread


def _unit_wave(s: np.ndarray) -> np.ndarray:
    """Negative-first biphasic surface potential, peak -1 [1]: -(sin 2x - sin 4x / 2) / 1.299
    with x = pi s / D on 0 <= s < D."""
    x2 = (2.0 * math.pi / CMAP_DURATION_MS) * s
    s2 = np.sin(x2)
    w = s2 * (np.cos(x2) - 1.0) * (1.0 / (math.sqrt(3) / 2 + math.sqrt(3) / 4))
    w[(s < 0) | (s >= CMAP_DURATION_MS)] = 0.0  # sin 4x / 2 = sin 2x cos 2x
    return w


def _cmap(amp: np.ndarray, arrival_ms: np.ndarray, n: int) -> np.ndarray:
    """sum_i amp_i w(t - arrival_i) on t_k = k SAMPLE_INTERVAL_MS, k < n: each unit's wave is
    evaluated only on the samples of its support (exact, not interpolated)."""
    dt = SAMPLE_INTERVAL_MS
    span = int(math.ceil(CMAP_DURATION_MS / dt)) + 1
    k0 = np.ceil(arrival_ms / dt).astype(np.int64)
    idx = k0[:, None] + np.arange(span)[None, :]
    vals = amp[:, None] * _unit_wave(idx * dt - arrival_ms[:, None])
    keep = (idx >= 0) & (idx < n)
    return np.bincount(idx[keep], vals[keep], minlength=n)[:n]


@dataclass(frozen=True, eq=False)
class MotorSite:
    """The CMAP from one stimulation site.

    Attributes
    ----------
    site : str
        Site name.
    distance_mm : float
        Distance from the recording electrode along the nerve [mm].
    onset_latency_ms : float
        Latency of the first deflection [ms] (NaN if absent).
    amplitude_mV : float
        Baseline to negative peak [mV].
    segment : str
        Segment between this site and the previous (more distal) one; the distal segment for
        the first site.
    segment_velocity_m_per_s : float
        Conduction velocity over that segment (NaN for the distal site).
    amplitude_drop : float
        Fall of amplitude from the previous site [1] (0 for the distal site).
    block : bool
        Conduction block across the segment (drop >= :data:`CONDUCTION_BLOCK_DROP`).
    potential_mV : ndarray
        The CMAP [mV], main phase negative.
    """

    site: str
    distance_mm: float
    onset_latency_ms: float
    amplitude_mV: float
    segment: str
    segment_velocity_m_per_s: float
    amplitude_drop: float
    block: bool
    potential_mV: np.ndarray

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """Plain dict (NaN as None); the trace only if ``trace``."""
        out = {"site": self.site, "distance_mm": self.distance_mm,
               "onset_latency_ms": finite_or_none(self.onset_latency_ms),
               "amplitude_mV": finite_or_none(self.amplitude_mV), "segment": self.segment,
               "segment_velocity_m_per_s": finite_or_none(self.segment_velocity_m_per_s),
               "amplitude_drop": self.amplitude_drop, "block": self.block}
        if trace:
            out["potential_mV"] = self.potential_mV.tolist()
        return out


@dataclass(frozen=True, eq=False)
class MotorResult:
    """A motor nerve conduction study.

    Attributes
    ----------
    nerve, label, muscle : str
        The nerve, its label and the recording muscle.
    patient : str
        Patient label.
    distal_latency_ms : float
        Distal motor latency [ms].
    amplitude_mV : float
        Distal CMAP amplitude, baseline to negative peak [mV].
    conduction_velocity_m_per_s : float
        Slowest segment velocity above the distal site [m/s].
    f_latency_ms : float
        Minimal F-wave latency [ms] (NaN if no unit reaches the cord and back).
    conduction_block : tuple of str
        Segments with conduction block.
    measures : tuple of Measure
        Distal latency, amplitude, velocity and F latency against their limits.
    normal : bool
        Every measure within its limit and no block.
    abnormal : tuple of str
        Plain-language findings.
    sites : tuple of MotorSite
        Every stimulation site, distal first.
    time_ms : ndarray
        Sample times after the stimulus [ms].
    limits_source : str
        Where the limits come from.
    """

    nerve: str
    label: str
    muscle: str
    patient: str
    distal_latency_ms: float
    amplitude_mV: float
    conduction_velocity_m_per_s: float
    f_latency_ms: float
    conduction_block: tuple[str, ...]
    measures: tuple[Measure, ...]
    normal: bool
    abnormal: tuple[str, ...]
    sites: tuple[MotorSite, ...]
    time_ms: np.ndarray
    limits_source: str

    @property
    def limits_velocity(self) -> float:
        """Lower limit of normal conduction velocity [m/s]."""
        return MOTOR_NERVES[self.nerve].limits.velocity_min_m_per_s

    @property
    def within(self) -> Mapping[str, bool]:
        """Verdict of each assessed measure, by name."""
        return MappingProxyType({m.name: m.normal for m in self.measures
                                 if m.normal is not None})

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        """JSON-ready dict (NaN as None); the traces only if ``trace``."""
        return {"nerve": self.nerve, "label": self.label, "muscle": self.muscle,
                "patient": self.patient,
                "distal_latency_ms": finite_or_none(self.distal_latency_ms),
                "amplitude_mV": finite_or_none(self.amplitude_mV),
                "conduction_velocity_m_per_s": finite_or_none(self.conduction_velocity_m_per_s),
                "f_latency_ms": finite_or_none(self.f_latency_ms),
                "conduction_block": list(self.conduction_block),
                "measures": [m.to_dict() for m in self.measures], "normal": self.normal,
                "abnormal": list(self.abnormal), "limits_source": self.limits_source,
                "sites": [s.to_dict(trace) for s in self.sites],
                **({"time_ms": self.time_ms.tolist()} if trace else {})}


def motor_conduction_study(patient: Patient | str, nerve: str = "median") -> MotorResult:
    """Stimulate a motor nerve at each of its sites and record the CMAP; measure and compare.

    Parameters
    ----------
    patient : Patient or str
        The patient or a preset name.
    nerve : {"median", "ulnar", "peroneal", "tibial"}
        Declared ``motor_nerve``.

    Returns
    -------
    MotorResult
        Distal latency, amplitude, segment velocities, block, F latency, limits, findings.

    Raises
    ------
    ParameterError
        For an unknown nerve or patient.

    Examples
    --------
    >>> r = motor_conduction_study("healthy", "median")
    >>> r.normal
    True
    """
    from sim.ncs import as_patient, patient_label
    pat = as_patient(patient)
    spec = MOTOR_NERVES[PARAMETERS["motor_nerve"].validate(nerve)]
    v, size, spread = _units(spec.name)
    n = v.size
    cond = muscle_condition(pat, spec.muscle)
    site = LESION_SITES[pat.lesion_site]
    where = site.motor_segment.get(spec.name)
    share = 0.0
    if where is not None:
        share = MUSCLES[spec.muscle].roots.get(site.root, 0.0) if site.level == "root" \
            else 1.0
    eff = focal_effect(n, spread, pat.lesion_slowing, pat.lesion_block, pat.lesion_axonal_loss,
                       share, wallerian_fraction(pat.lesion_age_days, motor=True))
    u_loss = np.random.default_rng(_SPREAD_SEED + 1).random(n)
    diffuse = motor_axonal_loss(pat, MUSCLES[spec.muscle].axon_length_mm)
    lost = eff.lost | (u_loss < diffuse)
    slowing = pat.demyelination * (DEMYELINATION_FLOOR + (1 - DEMYELINATION_FLOOR) * spread)
    dm_block = slowing >= BLOCK_SLOWING
    vel = v * (1.0 - np.minimum(slowing, BLOCK_SLOWING))
    amp = size * spec.cmap_mV * cond.enlargement * (1.0 - cond.myopathy)
    t = np.arange(int(round(WINDOW_MS / SAMPLE_INTERVAL_MS)) + 1) * SAMPLE_INTERVAL_MS

    # segment lengths, distal first
    dist = [d for _, d in spec.sites]
    seg_len = [dist[0]] + [dist[k] - dist[k - 1] for k in range(1, len(dist))]
    focal_seg = spec.segments.index(where) if where in spec.segments else None
    sites = []
    prev = None
    for k, (sname, d) in enumerate(spec.sites):
        time = sum(seg_len[j] for j in range(k + 1)) / vel + spec.residual_ms
        conducting = ~lost & ~dm_block
        if focal_seg is not None and focal_seg <= k:
            time = time + eff.extra_delay_ms(min(seg_len[focal_seg], 30.0), vel)
            conducting &= ~eff.blocked
        y = _cmap(amp[conducting], time[conducting], t.size)
        a = float(-y.min()) if y.size else 0.0
        onset = math.nan
        if a >= ABSENT_BELOW_MV:
            thr = ONSET_FRACTION * a
            j = int(np.argmax(np.abs(y) >= thr))
            onset = float(t[j])
            if j > 0:  # linear interpolation of the threshold crossing
                a0, a1 = abs(y[j - 1]), abs(y[j])
                onset = float(t[j - 1] + SAMPLE_INTERVAL_MS * (thr - a0) / (a1 - a0))
        y.flags.writeable = False
        if prev is None:
            sites.append(MotorSite(sname, d, onset, a, spec.segments[0], math.nan, 0.0, False,
                                   y))
        else:
            dl = onset - prev.onset_latency_ms
            cv = (d - prev.distance_mm) / dl if dl > 0 else math.nan
            drop = 1.0 - a / prev.amplitude_mV if prev.amplitude_mV > 0 else 0.0
            sites.append(MotorSite(sname, d, onset, a, spec.segments[k], cv, max(drop, 0.0),
                                   drop >= CONDUCTION_BLOCK_DROP, y))
        prev = sites[-1]
    distal = sites[0]
    cvs = [s.segment_velocity_m_per_s for s in sites[1:]]
    cv = min(cvs) if cvs and all(math.isfinite(c) for c in cvs) else math.nan
    # F wave: fastest unit conducting to the cord and back
    f_ok = ~lost & ~dm_block
    f_time = 2 * spec.cord_mm / vel + dist[0] / vel + spec.residual_ms + F_TURNAROUND_MS
    if where == "root":
        f_time = f_time + 2 * eff.extra_delay_ms(ROOT_SEGMENT_MM, vel)
        f_ok &= ~eff.blocked
    elif focal_seg is not None:
        f_time = f_time + 2 * eff.extra_delay_ms(min(seg_len[focal_seg], 30.0), vel)
        f_ok &= ~eff.blocked
    f_lat = float(f_time[f_ok].min()) if f_ok.any() else math.nan
    lim = spec.limits
    measures = (
        assess_measure("distal_latency_ms", "distal motor latency", "ms", distal.onset_latency_ms,
                lim.distal_latency_max_ms, "max"),
        assess_measure("amplitude_mV", "CMAP amplitude (baseline to negative peak)", "mV",
                distal.amplitude_mV, lim.amplitude_min_mV, "min"),
        assess_measure("conduction_velocity_m_per_s", "conduction velocity (slowest segment)",
                "m/s", cv, lim.velocity_min_m_per_s, "min"),
        assess_measure("f_latency_ms", "minimal F-wave latency", "ms", f_lat, lim.f_latency_max_ms,
                "max"),
    )
    blocks = tuple(s.segment for s in sites[1:] if s.block)
    abnormal = _findings(spec, measures, blocks)
    normal = not blocks and all(m.normal is not False for m in measures)
    t.flags.writeable = False
    return MotorResult(spec.name, spec.label, spec.muscle, patient_label(pat),
                       distal.onset_latency_ms, distal.amplitude_mV, cv, f_lat, blocks,
                       measures, normal, abnormal, tuple(sites), t, lim.source)


def _findings(spec: MotorNerveSpec, measures: tuple[Measure, ...], blocks: tuple[str, ...]
              ) -> tuple[str, ...]:
    by = {m.name: m for m in measures}
    out = []
    if by["distal_latency_ms"].normal is False:
        out.append(f"Prolonged distal motor latency ({by['distal_latency_ms'].value:.2f} ms, "
                   f"upper limit {by['distal_latency_ms'].limit:g} ms): slowing between the "
                   "distal site and the muscle.")
    if by["amplitude_mV"].normal is False:
        out.append(f"Low CMAP amplitude ({by['amplitude_mV'].value:.1f} mV, lower limit "
                   f"{by['amplitude_mV'].limit:g} mV): fewer motor axons or muscle fibres "
                   "respond.")
    if by["conduction_velocity_m_per_s"].normal is False:
        out.append(f"Slowed motor conduction ({by['conduction_velocity_m_per_s'].value:.1f} "
                   f"m/s, lower limit {by['conduction_velocity_m_per_s'].limit:g} m/s).")
    if by["f_latency_ms"].normal is False:
        out.append(f"Prolonged or absent F wave (upper limit {by['f_latency_ms'].limit:g} ms):"
                   " slowing or block somewhere between the distal site and the cord.")
    for seg in blocks:
        out.append(f"Conduction block {seg} (amplitude falls by >= "
                   f"{100 * CONDUCTION_BLOCK_DROP:.0f} % across it).")
    return tuple(out)
