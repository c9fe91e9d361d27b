"""Stimulation programs and the pulse trains they emit.

A :class:`Program` is what a clinician programmer sets (docs/science.md §1.1): therapy,
pattern, pulse shape, amplitude, pulse width, rate, burst structure, contacts, cycling and ramp.
:func:`pulse_train` turns it into a :class:`PulseTrain`: a *repeating unit* (one pulse for tonic
programs, one burst plus its recharge for burst programs) described by its phases, a unit
period, and the cycling/ramp envelope. Pulses are events, never samples: a 30-minute 10 kHz
program (18 million pulses) costs the same as a 1-second one until :func:`render` is asked for
the dense current of a visible window.

Sign convention: current at the active (cathode) contact; cathodic = negative.

References
----------
Caylor J. et al. (2019) Spinal cord stimulation in chronic pain: evidence and theory for
mechanisms of action. Bioelectron Med 5:12 (modalities, rates, burst structure).
De Ridder D. et al. (2010) Burst spinal cord stimulation: toward paresthesia-free pain
suppression. Neurosurgery 66:986 (5 pulses of 1 ms at 500 Hz, 40 Hz bursts, passive recharge).
Kapural L. et al. (2015) Anesthesiology 123:851 (10 kHz, 30 µs).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.params import (
    PARAMETERS,
    Declared,
    ParameterError,
    document_fields,
    format_number as _fmt,
    param_field,
    validate_fields,
)
from sim.therapies import THERAPIES, Therapy, therapy_spec

__all__ = [
    "Program",
    "Phase",
    "PulseTrain",
    "RenderedWaveform",
    "pulse_train",
    "render",
    "MAX_RENDER_SAMPLES",
    "load_custom_shape_csv",
    "WaveVertices",
    "waveform_vertices",
    "MAX_WAVE_POINTS",
    "ENVELOPE_BINS",
]

#: Largest number of samples :func:`render` produces for one window. One million float64
#: samples (8 MB per array) keeps a render well under 100 ms and a plot payload bounded; a
#: dashboard downsamples far below this.
MAX_RENDER_SAMPLES = 1_000_000

#: Largest number of pulse events :meth:`PulseTrain.phase_edges` lists for one window.
MAX_WINDOW_PULSES = 200_000

@document_fields
@dataclass(frozen=True)
class Program(Declared):
    """A stimulation program as set on a clinician programmer (frozen, validated).

    Construction validates every field against its declaration in :mod:`sim.params` and then
    the combination (a pulse must fit in its period, a burst in its burst period, ...); any
    problem raises :class:`~sim.params.ParameterError` naming the parameter, value, unit and
    allowed range.
    """

    therapy: str = param_field("therapy")
    pattern: str = param_field("pattern")
    shape: str = param_field("shape")
    amplitude_mA: float = param_field("amplitude_mA")
    pulse_width_us: float = param_field("pulse_width_us")
    rate_hz: float = param_field("rate_hz")
    interphase_gap_us: float = param_field("interphase_gap_us")
    cathodic_first: bool = param_field("cathodic_first")
    recharge_ratio: float = param_field("recharge_ratio")
    pulses_per_burst: int = param_field("pulses_per_burst")
    burst_rate_hz: float = param_field("burst_rate_hz")
    cycle_on_s: float = param_field("cycle_on_s")
    cycle_off_s: float = param_field("cycle_off_s")
    ramp_s: float = param_field("ramp_s")
    contacts: str = param_field("contacts")
    contact_area_mm2: float = param_field("contact_area_mm2")
    custom_shape: tuple = param_field("custom_shape")
    impedance_ohm: float = param_field("impedance_ohm")
    battery_capacity_mAh: float = param_field("battery_capacity_mAh")
    overhead_current_uA: float = param_field("overhead_current_uA")
    lead_distance_mm: float = param_field("lead_distance_mm")
    lateral_offset_mm: float = param_field("lateral_offset_mm")
    lead_level: str = param_field("lead_level")
    drg_roots: str = param_field("drg_roots")
    loop_mode: str = param_field("loop_mode")

    def __post_init__(self) -> None:
        validate_fields(self)
        _check_consistency(self)

    # Derived, read-only quantities ------------------------------------------------------
    def unused_params(self) -> frozenset[str]:
        """Declared parameters that have no effect on this program (its pattern, shape,
        cycling and therapy leave them unread): program fields, and the patient's placement
        fields that only another therapy reads. The dashboard dims them, the CLI and sweeps
        say when a ``--set`` or ``--vary`` names one.

        Examples
        --------
        >>> sorted(Program(pattern="tonic").unused_params() & {"pulses_per_burst", "rate_hz"})
        ['pulses_per_burst']
        """
        out = set()
        if self.pattern != "burst":
            out |= {"pulses_per_burst", "burst_rate_hz"}
        if self.shape != "asymmetric":
            out.add("recharge_ratio")
        if self.shape != "custom":
            out.add("custom_shape")
        if self.shape in ("monophasic", "custom"):
            out |= {"interphase_gap_us", "cathodic_first"}
        if self.cycle_on_s <= 0:
            out.add("cycle_off_s")
        own = set(therapy_spec(self.therapy).placement_params)
        out |= {n for s in THERAPIES.values() for n in s.placement_params} - own
        if self.therapy == Therapy.OFF:
            out |= {n for n, p in PARAMETERS.items() if p.group == "program" and n != "therapy"}
        return frozenset(out)

    @property
    def is_active(self) -> bool:
        """Whether the program delivers any current (therapy on and amplitude > 0)."""
        return self.therapy != "off" and self.amplitude_mA > 0

    @property
    def pulse_duration_us(self) -> float:
        """Duration of one whole pulse, all phases and gaps included [µs]."""
        return _pulse_duration_us(self)

    @property
    def pulses_per_second(self) -> float:
        """Mean pulse rate while stimulation is on [Hz] (bursts: pulses_per_burst × burst
        rate)."""
        if self.pattern == "burst":
            return self.pulses_per_burst * self.burst_rate_hz
        return self.rate_hz

    @property
    def duty_cycle(self) -> float:
        """Fraction of time stimulation is on under cycling (1 when not cycling)."""
        if self.cycle_on_s <= 0 or self.cycle_off_s <= 0:
            return 1.0
        return self.cycle_on_s / (self.cycle_on_s + self.cycle_off_s)


def _pulse_duration_us(p: Program) -> float:
    pw, gap = p.pulse_width_us, p.interphase_gap_us
    if p.shape == "biphasic":
        return 2 * pw + gap
    if p.shape == "asymmetric" and p.pattern == "tonic":
        return pw + gap + p.recharge_ratio * pw
    # monophasic, custom, and the cathodic pulses of an asymmetric (passively recharged) burst
    return pw


def _burst_recharge_us(p: Program) -> float:
    """Burst with asymmetric shape: one passive-recharge phase after the last pulse [µs]."""
    return p.recharge_ratio * p.pulses_per_burst * p.pulse_width_us


def _check_consistency(p: Program) -> None:
    """Reject physically inconsistent combinations with a ParameterError."""
    if p.shape == "custom" and len(p.custom_shape) < 2:
        raise ParameterError(
            f"custom_shape has {len(p.custom_shape)} samples; shape='custom' needs at least 2 "
            "samples in -1..1 × amplitude (negative = cathodic)", name="custom_shape",
            value=list(p.custom_shape))
    if p.shape != "custom" and p.custom_shape:
        raise ParameterError(
            f"custom_shape is given but shape={p.shape!r}; set shape='custom' to use it",
            name="custom_shape", value=list(p.custom_shape))
    if p.cycle_off_s > 0 and p.cycle_on_s <= 0:
        raise ParameterError(
            f"cycle_off_s={_fmt(p.cycle_off_s)} s needs cycle_on_s > 0 s (cycling is on-time "
            "then off-time); set cycle_on_s or make cycle_off_s 0", name="cycle_off_s",
            value=p.cycle_off_s)
    if therapy_spec(p.therapy).single_channel and (len(p.contacts) != 2
                                                   or p.contacts.count("-") != 1):
        raise ParameterError(
            f"contacts={p.contacts!r} is invalid for therapy={p.therapy!r}: PNS and TENS have "
            "one channel, write '-+' (cathode then anode) or '+-'", name="contacts",
            value=p.contacts)
    dur_us = _pulse_duration_us(p)
    slot_us = 1e6 / p.rate_hz
    if dur_us > slot_us * (1 + 1e-9):
        raise ParameterError(
            f"pulse_width_us={_fmt(p.pulse_width_us)} µs does not fit: one {p.shape} pulse "
            f"lasts {_fmt(dur_us)} µs but the period at rate_hz={_fmt(p.rate_hz)} Hz is "
            f"{_fmt(slot_us)} µs; shorten the pulse or lower the rate", name="pulse_width_us",
            value=p.pulse_width_us)
    if p.pattern == "burst":
        burst_us = (p.pulses_per_burst - 1) * slot_us + dur_us
        if p.shape == "asymmetric":
            burst_us += p.interphase_gap_us + _burst_recharge_us(p)
        period_us = 1e6 / p.burst_rate_hz
        if burst_us > period_us * (1 + 1e-9):
            raise ParameterError(
                f"pulses_per_burst={p.pulses_per_burst} does not fit: the burst (with its "
                f"recharge) lasts {_fmt(burst_us)} µs but the period at burst_rate_hz="
                f"{_fmt(p.burst_rate_hz)} Hz is {_fmt(period_us)} µs; use fewer pulses, a "
                "higher rate_hz or a lower burst_rate_hz", name="pulses_per_burst",
                value=p.pulses_per_burst)


# --------------------------------------------------------------------------------------------
# Pulse trains: events, not samples
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Phase:
    """One constant-current segment of the repeating unit.

    Attributes
    ----------
    start_s : float
        Start relative to the unit onset [s].
    width_s : float
        Duration [s].
    amplitude_mA : float
        Current at the active contact [mA]; negative = cathodic.
    """

    start_s: float
    width_s: float
    amplitude_mA: float


@dataclass(frozen=True)
class PulseTrain:
    """Event description of a program's output current.

    The output is a repetition of one *unit* (a pulse, or a burst with its recharge) every
    ``unit_period_s`` from t = 0 to ``duration_s``, kept only while cycling is on, and scaled
    by a linear ramp of ``ramp_s`` at the start of each on-period.

    Attributes
    ----------
    phases : tuple of Phase
        Non-overlapping, time-ordered segments of the unit (gaps are implicit zeros).
    unit_period_s : float
        Repetition period of the unit [s].
    pulses_per_unit : int
        Stimulating pulses in one unit (1 for tonic trains).
    duration_s : float
        Length of the train [s].
    cycle_on_s, cycle_off_s : float
        Cycling on/off times [s]; ``cycle_on_s == 0`` or ``cycle_off_s == 0`` = continuous.
    ramp_s : float
        Ramp-up time at the start of each on-period [s].
    """

    phases: tuple[Phase, ...]
    unit_period_s: float
    pulses_per_unit: int
    duration_s: float
    cycle_on_s: float = 0.0
    cycle_off_s: float = 0.0
    ramp_s: float = 0.0

    @property
    def cycling(self) -> bool:
        return self.cycle_on_s > 0 and self.cycle_off_s > 0

    @property
    def unit_charges_uC(self) -> np.ndarray:
        """Charge of each phase of the unit [µC] (mA × µs = nC; /1000 → µC)."""
        return np.array([ph.amplitude_mA * ph.width_s * 1e3 for ph in self.phases])

    @property
    def net_charge_per_unit_uC(self) -> float:
        """Net charge of one unit [µC]; zero for a charge-balanced program."""
        return float(self.unit_charges_uC.sum()) if self.phases else 0.0

    def n_units(self) -> int:
        """Number of units emitted over the whole train (computed, not enumerated)."""
        n_all = int(np.ceil(self.duration_s / self.unit_period_s - 1e-12))
        if not self.phases:
            return 0
        if not self.cycling:
            return n_all
        cyc = self.cycle_on_s + self.cycle_off_s
        per_on = int(np.ceil(self.cycle_on_s / self.unit_period_s - 1e-12))
        full, rest = divmod(self.duration_s, cyc)
        last = int(np.ceil(min(rest, self.cycle_on_s) / self.unit_period_s - 1e-12))
        return int(full) * per_on + last

    def n_pulses(self) -> int:
        """Number of stimulating pulses over the whole train."""
        return self.n_units() * self.pulses_per_unit

    def unit_onsets_s(self, t_start_s: float, t_stop_s: float) -> np.ndarray:
        """Onset times [s] of the units that start in ``[t_start_s, t_stop_s)`` (or that
        started earlier and are still running at ``t_start_s``), cycling applied."""
        if not self.phases:
            return np.empty(0)
        T = self.unit_period_s
        unit_len = self.phases[-1].start_s + self.phases[-1].width_s
        k0 = max(0, int(np.floor((t_start_s - unit_len) / T)))
        k1 = int(np.ceil(min(t_stop_s, self.duration_s) / T))
        if k1 - k0 > MAX_WINDOW_PULSES:
            raise ParameterError(
                f"window {_fmt(t_start_s)}..{_fmt(t_stop_s)} s holds {k1 - k0} pulse units; at "
                f"most {MAX_WINDOW_PULSES} can be listed at once: choose a shorter window",
                name="window_s", value=(t_start_s, t_stop_s))
        onsets = np.arange(k0, max(k0, k1)) * T
        onsets = onsets[(onsets < self.duration_s) & (onsets + unit_len > t_start_s)
                        & (onsets < t_stop_s)]
        return onsets[self.cycling_on(onsets, tol_s=1e-12)]

    def cycling_on(self, t_s: np.ndarray, tol_s: float = 0.0) -> np.ndarray:
        """Whether cycling lets stimulation run at times ``t_s`` [s] (all True without
        cycling): the on-time opens each on+off cycle. ``tol_s`` [s] keeps a unit that would
        start within it of the end of the on-time out.

        >>> PulseTrain((), 0.01, 1, 30.0, cycle_on_s=2.0, cycle_off_s=3.0).cycling_on(
        ...     np.array([0.0, 1.9, 2.0, 4.9, 5.0]))
        array([ True,  True, False, False,  True])
        """
        t = np.asarray(t_s, dtype=float)
        if not self.cycling:
            return np.ones(t.shape, dtype=bool)
        return np.mod(t, self.cycle_on_s + self.cycle_off_s) < self.cycle_on_s - tol_s

    def envelope(self, t_s: np.ndarray) -> np.ndarray:
        """Amplitude scale in 0..1 at times ``t_s`` [s] from the ramp (1 without a ramp)."""
        t = np.asarray(t_s, dtype=float)
        if self.ramp_s <= 0:
            return np.ones_like(t)
        since_on = np.mod(t, self.cycle_on_s + self.cycle_off_s) if self.cycling else t
        return np.clip(since_on / self.ramp_s, 0.0, 1.0)


def pulse_train(program: Program, duration_s: float) -> PulseTrain:
    """Build the event description of ``program`` over ``duration_s`` seconds.

    Parameters
    ----------
    program : Program
        The validated program.
    duration_s : float
        Train length [s], > 0.

    Returns
    -------
    PulseTrain
        Phases of one unit (cathodic = negative current) and the repetition rules. An inactive
        program (therapy 'off' or 0 mA) gives a train without phases.

    Notes
    -----
    Unit phases by shape, with I = amplitude_mA, PW = pulse_width_us, g = interphase gap,
    r = recharge_ratio:

    * biphasic: −I for PW, gap g, +I for PW (order reversed if not cathodic-first);
    * asymmetric, tonic: −I for PW, gap g, +I/r for r·PW (equal charge);
    * asymmetric, burst: N cathodic pulses −I for PW at rate_hz, then after the last pulse one
      passive recharge +I/r lasting r·N·PW (charge-balanced per burst, as in burst SCS);
    * monophasic: −I for PW (not charge-balanced; the safety report flags the net charge);
    * custom: the samples × I, each lasting PW / n_samples.
    """
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise ParameterError(f"duration_s={_fmt(duration_s)} must be a positive number of "
                             "seconds", name="duration_s", value=duration_s)
    n_per_unit = program.pulses_per_burst if program.pattern == "burst" else 1
    period = 1.0 / (program.burst_rate_hz if program.pattern == "burst" else program.rate_hz)
    common: dict[str, Any] = dict(unit_period_s=period, pulses_per_unit=n_per_unit,
                                  duration_s=duration_s, cycle_on_s=program.cycle_on_s,
                                  cycle_off_s=program.cycle_off_s, ramp_s=program.ramp_s)
    if not program.is_active:
        return PulseTrain(phases=(), **common)
    single = _single_pulse_phases(program)
    if program.pattern == "burst":
        slot = 1.0 / program.rate_hz
        phases = [Phase(ph.start_s + k * slot, ph.width_s, ph.amplitude_mA)
                  for k in range(n_per_unit) for ph in single]
        if program.shape == "asymmetric":
            end = phases[-1].start_s + phases[-1].width_s + program.interphase_gap_us * 1e-6
            r = program.recharge_ratio
            sign = 1.0 if program.cathodic_first else -1.0
            phases.append(Phase(end, r * n_per_unit * program.pulse_width_us * 1e-6,
                                sign * program.amplitude_mA / r))
    else:
        phases = single
    return PulseTrain(phases=tuple(phases), **common)


def _single_pulse_phases(p: Program) -> list[Phase]:
    I, pw, gap = p.amplitude_mA, p.pulse_width_us * 1e-6, p.interphase_gap_us * 1e-6
    sign = 1.0 if p.cathodic_first else -1.0
    if p.shape == "custom":
        s = np.asarray(p.custom_shape)
        w = pw / len(s)
        return [Phase(i * w, w, float(v) * I) for i, v in enumerate(s) if v != 0.0]
    lead = Phase(0.0, pw, -sign * I)
    if p.shape == "monophasic":
        return [Phase(0.0, pw, -I)]
    if p.shape == "biphasic":
        return [lead, Phase(pw + gap, pw, sign * I)]
    if p.pattern == "burst":  # asymmetric burst: cathodic pulses, recharge after the burst
        return [Phase(0.0, pw, -sign * I)]
    r = p.recharge_ratio
    return [lead, Phase(pw + gap, r * pw, sign * I / r)]


@dataclass(frozen=True)
class RenderedWaveform:
    """Dense samples of a pulse train over a window.

    Attributes
    ----------
    t_s : ndarray
        Sample times [s].
    current_mA : ndarray
        Current at the active contact [mA]; cathodic negative.
    sample_rate_hz : float
        Sampling rate [Hz].
    """

    t_s: np.ndarray
    current_mA: np.ndarray
    sample_rate_hz: float


def render(train: PulseTrain, t_start_s: float, t_stop_s: float,
           sample_rate_hz: float) -> RenderedWaveform:
    """Dense current waveform of ``train`` over ``[t_start_s, t_stop_s)``.

    Only the units overlapping the window are touched, so the cost depends on the window and
    the sample rate, never on the train's length.

    Parameters
    ----------
    train : PulseTrain
        Event description from :func:`pulse_train`.
    t_start_s, t_stop_s : float
        Window [s], ``0 <= t_start_s < t_stop_s``.
    sample_rate_hz : float
        Samples per second [Hz], > 0. Choose at least 2 / (shortest phase) to see every phase.

    Raises
    ------
    ParameterError
        If the window is empty or negative, or holds more than :data:`MAX_RENDER_SAMPLES`
        samples.
    """
    for name, v in (("t_start_s", t_start_s), ("t_stop_s", t_stop_s),
                    ("sample_rate_hz", sample_rate_hz)):
        if not (isinstance(v, (int, float, np.floating)) and np.isfinite(v)):
            raise ParameterError(f"{name}={v!r} must be a finite number", name=name, value=v)
    if t_start_s < 0 or t_stop_s <= t_start_s:
        raise ParameterError(
            f"t_stop_s={_fmt(t_stop_s)} s must be greater than t_start_s={_fmt(t_start_s)} s "
            ">= 0 s", name="t_stop_s", value=t_stop_s)
    if sample_rate_hz <= 0:
        raise ParameterError(f"sample_rate_hz={_fmt(sample_rate_hz)} must be > 0 Hz",
                             name="sample_rate_hz", value=sample_rate_hz)
    n = int(np.floor((t_stop_s - t_start_s) * sample_rate_hz + 1e-9))
    if n > MAX_RENDER_SAMPLES:
        raise ParameterError(
            f"window of {_fmt(t_stop_s - t_start_s)} s at {_fmt(sample_rate_hz)} Hz needs {n} "
            f"samples; at most {MAX_RENDER_SAMPLES} are rendered at once: shorten the window "
            "or lower sample_rate_hz", name="sample_rate_hz", value=sample_rate_hz)
    idx_n = np.arange(max(n, 0))
    t = t_start_s + idx_n / sample_rate_hz
    current = np.zeros_like(t)
    if not train.phases or n == 0:
        return RenderedWaveform(t, current, float(sample_rate_hz))
    T = train.unit_period_s
    starts = np.round([ph.start_s for ph in train.phases], 12)
    ends = np.round(starts + np.array([ph.width_s for ph in train.phases]), 12)
    amps = np.array([ph.amplitude_mA for ph in train.phases])
    # Work with small offsets from the window's first unit, not with absolute times: late in a
    # 30-minute train t/T loses the precision needed to place 30 µs phases. Offsets are snapped
    # to 1 ps so that samples falling exactly on a phase edge land on the right side of it.
    k_first = np.floor(t_start_s / T)
    rel = np.round((t_start_s - k_first * T) + idx_n / sample_rate_hz, 12)
    # A unit may outlast its period only by rounding; look back one unit to be safe.
    for back in (0, 1):
        k_rel = np.floor(np.round(rel / T, 9)) - back
        k = k_first + k_rel
        onset = k * T
        offset = np.round(rel - k_rel * T, 12)
        ok = (k >= 0) & (onset < train.duration_s) & (offset < ends[-1])
        ok &= train.cycling_on(onset, tol_s=1e-12)
        idx = np.clip(np.searchsorted(starts, offset, side="right") - 1, 0, len(starts) - 1)
        inside = ok & (offset >= starts[idx]) & (offset < ends[idx])
        current = np.where(inside, amps[idx] * train.envelope(onset), current)
    return RenderedWaveform(t, current, float(sample_rate_hz))


def load_custom_shape_csv(path: str, *, column: int = -1, max_bytes: int = 200_000) -> tuple:
    """Read a custom pulse shape from a CSV file: one current sample per row.

    The last (or ``column``-th) numeric column is taken; a header row is skipped. Samples are
    in units of the program's amplitude (−1..1), negative = cathodic at the active contact.
    Values are read as numbers only (no code is ever evaluated) and validated against the
    ``custom_shape`` declaration.
    """
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ParameterError(f"custom_shape file {path!r} is larger than {max_bytes} bytes",
                             name="custom_shape", value=path)
    values = []
    for line_no, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        cells = [c.strip() for c in line.split(",") if c.strip()]
        if not cells:
            continue
        try:
            values.append(float(cells[column]))
        except (ValueError, IndexError):
            if values or line_no > 1:
                raise ParameterError(
                    f"custom_shape file {path!r} line {line_no}: {line.strip()[:40]!r} is not "
                    "a number", name="custom_shape", value=line) from None
    return PARAMETERS["custom_shape"].validate(values)


# ============================================================================================
# Drawable vertices of a window (the dashboard's waveform, the notebooks)
# ============================================================================================
#: Most vertices drawn for one waveform trace; beyond, the window is drawn as an envelope.
MAX_WAVE_POINTS = 3000
#: Bins of the waveform envelope drawn when a window holds too many pulses to draw.
ENVELOPE_BINS = 600


def _unit_template(train: PulseTrain) -> tuple[np.ndarray, np.ndarray]:
    """Step vertices (t relative to the unit onset [s], current [mA]) of one unit."""
    tx: list[float] = []
    ty: list[float] = []
    phases = train.phases
    for i, ph in enumerate(phases):
        start, end = ph.start_s, ph.start_s + ph.width_s
        prev_end = phases[i - 1].start_s + phases[i - 1].width_s if i > 0 else None
        touches_prev = prev_end is not None and abs(start - prev_end) < 1e-12
        touches_next = i + 1 < len(phases) and abs(phases[i + 1].start_s - end) < 1e-12
        if not touches_prev:
            tx.append(start)
            ty.append(0.0)
        tx += [start, end]
        ty += [ph.amplitude_mA, ph.amplitude_mA]
        if not touches_next:
            tx.append(end)
            ty.append(0.0)
    return np.asarray(tx), np.asarray(ty)


@dataclass(frozen=True)
class WaveVertices:
    """Drawable waveform of one window.

    Attributes
    ----------
    t_s, current_mA : ndarray
        Step vertices (``mode="exact"``) or envelope bin centres (``mode="envelope"``).
    lower_mA : ndarray or None
        Lower edge of the envelope (``None`` in exact mode).
    mode : {"exact", "envelope", "empty"}
    n_units : int
        Pulse units (pulses, or bursts) overlapping the window.
    n_pulses : int
        Stimulating pulses overlapping the window.
    onsets_s : ndarray
        Unit onsets in the window (exact mode only; empty otherwise).
    """

    t_s: np.ndarray
    current_mA: np.ndarray
    lower_mA: np.ndarray | None
    mode: str
    n_units: int
    n_pulses: int
    onsets_s: np.ndarray


def waveform_vertices(train: PulseTrain, t0_s: float, t1_s: float, *,
                      max_points: int = MAX_WAVE_POINTS) -> WaveVertices:
    """Vertices of the current over ``[t0_s, t1_s]``; cost and size depend on the window only.

    Exact mode tiles one unit's step template over the unit onsets in the window (the same
    phases, cycling and ramp as :func:`sim.waveforms.render`, without sampling). When that
    would exceed ``max_points``, the window is drawn as the envelope of the current per
    display bin (upper = largest phase current, lower = most cathodic), with cycling and ramp.
    """
    if not train.phases or t1_s <= t0_s:
        z = np.array([t0_s, t1_s])
        return WaveVertices(z, np.zeros(2), None, "empty", 0, 0, np.empty(0))
    tx, ty = _unit_template(train)
    T = train.unit_period_s
    n_est = int(math.ceil((min(t1_s, train.duration_s) - t0_s) / T)) + 2
    if n_est * len(tx) <= max_points:
        onsets = train.unit_onsets_s(t0_s, t1_s)
        env = train.envelope(onsets)
        x = (onsets[:, None] + tx[None, :]).ravel()
        y = (env[:, None] * ty[None, :]).ravel()
        x = np.concatenate(([t0_s], x, [t1_s]))
        y = np.concatenate(([0.0], y, [0.0]))
        return WaveVertices(x, y, None, "exact", len(onsets),
                            len(onsets) * train.pulses_per_unit, onsets)
    nb = max(2, min(ENVELOPE_BINS, n_est // 2))
    edges = np.linspace(t0_s, t1_s, nb + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    on = centres < train.duration_s
    on &= train.cycling_on(centres)
    env = train.envelope(centres) * on
    amps = np.array([ph.amplitude_mA for ph in train.phases])
    upper = env * max(0.0, float(amps.max()))
    lower = env * min(0.0, float(amps.min()))
    n_units = _units_between(train, t0_s, t1_s)
    return WaveVertices(centres, upper, lower, "envelope", n_units,
                        n_units * train.pulses_per_unit, np.empty(0))


def _units_between(train: PulseTrain, t0_s: float, t1_s: float) -> int:
    """Units emitted in ``[t0_s, t1_s)`` (closed form, cycling included)."""
    def upto(t: float) -> int:
        t = min(max(t, 0.0), train.duration_s)
        if t <= 0:
            return 0
        return PulseTrain(train.phases, train.unit_period_s, train.pulses_per_unit, t,
                          train.cycle_on_s, train.cycle_off_s, train.ramp_s).n_units()
    return max(0, upto(t1_s) - upto(t0_s))
