"""The afferent drive: what reaches the dorsal horn from a session's program, patient and events.

The second stage of the data path (``program -> recruitment -> afferent drive -> gate ->
percept``): :func:`gate_drive` turns a :class:`~sim.session.Session` into the gate's inputs on
the session grid (:func:`sim.gate.session_grid`): the stimulated fibres' drive (through the
recruited share of the painful dermatome and depressing synapses, :func:`_stim_level`), the
kHz field,
natural input from touch, pinch, injury and the bedside examination (:func:`natural_input`),
treatments' effects on conduction, and the descending drive of the patient and their mood
(:func:`gate_params`, :func:`mood_descending_drive`). :func:`sim.session.run_session` runs the
gate and the percept on it; the days-to-weeks course of :mod:`sim.mood` evaluates it at
steady state.

Constants are labelled as in ``docs/model.md`` and ``docs/science.md §0.2``: [P] a published
measurement or published model, [T] a clinical trial, clinical practice or typical value, [S]
a secondary source (review, textbook), [A] a modelling assumption.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.patients import Patient
from sim.placement import POSTURE_ORDER, posture_series
from sim.therapies import Therapy, therapy_spec
from sim.waveforms import Program

if TYPE_CHECKING:  # types only: the session imports this module, not the reverse
    from sim.gate import GateInputs, GateParams, GateState
    from sim.session import Event, ModelOptions, Session
    from sim.treatments import TreatmentEffects

#: Descending drive added per unit anxiety [1] (positive = facilitation) [A]: severe anxiety
#: (1) adds 0.2, about +0.6 NRS in the neuropathic presets (Ossipov 2010, Porreca 2002 [S] for
#: the direction; the size is a teaching choice).
MOOD_DESCENDING_PER_ANXIETY = 0.2
#: Descending drive added per unit depression [1] [A], as for anxiety.
MOOD_DESCENDING_PER_DEPRESSION = 0.2


def mood_descending_drive(anxiety: Any, depression: Any) -> Any:
    """Descending drive that anxiety and depression add to the gate (:mod:`sim.mood`).

    Parameters
    ----------
    anxiety, depression : float or array
        Mood states, 0 (none) to 1 (severe).

    Returns
    -------
    float or ndarray
        ``MOOD_DESCENDING_PER_ANXIETY·A + MOOD_DESCENDING_PER_DEPRESSION·D`` (positive:
        toward facilitation).

    Examples
    --------
    >>> round(mood_descending_drive(1.0, 0.5), 3)
    0.3
    """
    return MOOD_DESCENDING_PER_ANXIETY * anxiety + MOOD_DESCENDING_PER_DEPRESSION * depression




#: The kHz field (target of the gate's kHz state, :mod:`sim.gate`) [A]: an empirical,
#: labelled hypothesis. It is the product of a frequency factor h(f) = 1/(1 + (f_½/f)^n),
#: normalised to 1 at 10 kHz, that rises smoothly from nothing at 1 kHz through about a quarter
#: at 5 kHz (Lee et al. 2020 Neuroscience 428:132 [P]: inhibitory interneurons activated at
#: 10 kHz, not at 1 or 5 kHz; slice imaging: activity rising steadily from 1 to 10 kHz,
#: Biomedicines 2024 12:1346 [S]), and a charge factor q = C/(C + C_½) of the charge the
#: program delivers per second, normalised to a clinical 10 kHz program (3 mA, 30 µs: 900 µC/s,
#: the SENZA amplitude range 1-5 mA, Kapural et al. 2015 [P]), with C scaled by the inverse
#: square of the effective distance dCSF + 1 mm [A]. SCS only.
KHZ_HALF_RATE_HZ = 7000.0
#: Steepness n of the frequency factor [1] [A].
KHZ_RATE_EXPONENT = 4.0
#: Rate at which the frequency factor is normalised to 1 [Hz] (the clinical 10 kHz program).
KHZ_REFERENCE_RATE_HZ = 10000.0
#: Charge per second at which the charge factor is half its maximum [µC/s] [A].
KHZ_HALF_CHARGE_RATE_UC_PER_S = 450.0
#: Charge per second of the reference 10 kHz program (3 mA × 30 µs × 10 kHz) [µC/s].
KHZ_REFERENCE_CHARGE_RATE_UC_PER_S = 900.0
#: Dorsal CSF thickness at which the distance factor is 1 [mm] (the presets' 3 mm).
KHZ_REFERENCE_CSF_MM = 3.0
#: Pinch: a strong noxious mechanical stimulus activates Aδ and C nociceptors; its drive per
#: unit intensity [1] (a_δ = a_C = 1.5 × intensity) so that a pinch of intensity 1 is clearly
#: painful in a healthy patient (docs/science.md §8.14) [A].
PINCH_DRIVE_PER_INTENSITY = 1.5
#: Injury: injury-level C drive per unit intensity [1]; 2 = the injury of the gate tests,
#: which builds central sensitisation over two minutes [A].
INJURY_C_DRIVE_PER_INTENSITY = 2.0

# Bedside examination (docs/science.md §9.2: brush → Aβ; pinprick → Aδ; cold → Aδ cool fibres and
# C cold nociceptors; warm → C warm fibres; sustained pressure → deep Aδ/C [T]). Drives per
# unit intensity (1 = the ordinary bedside stimulus) are teaching assumptions [A], set so that
# the healthy preset feels brush, cool and warmth without pain and a pinprick as sharp.
#: Pinprick: pricks are repeated at 1 Hz while the event lasts, the rate of the temporal-
#: summation (wind-up) test of quantitative sensory testing (Rolke et al. 2006 Pain 123:231,
#: DFNS protocol: 10 pricks at 1/s) [P]; a single prick is an event of 1 s or less.
PINPRICK_RATE_HZ = 1.0
#: Duration of one prick's afferent volley on the session grid [s] [A].
PINPRICK_DURATION_S = 0.1
#: Aδ drive of a prick per unit intensity [1]: sharp "first" pain (docs/science.md §3.1) [A].
PINPRICK_ADELTA_PER_INTENSITY = 1.0
#: C drive of a prick per unit intensity [1]: the small C share that, repeated, winds up the
#: projection neuron (docs/science.md §4.6) [A].
PINPRICK_C_PER_INTENSITY = 0.3
#: Cold: drive of C cold nociceptors per unit intensity [1] [A]. Innocuous cool (intensity
#: ≤ 1) is held silent centrally by Aδ cool-fibre input; losing those fibres (the patient's
#: ``small_fibre_loss``) removes that inhibition and cool burns: cold allodynia as
#: disinhibition (Ochoa & Yarnitsky 1994 Ann Neurol 36:30; Craig & Bushnell 1994 Science
#: 265:252, thermal grill) [S], labelled a model assumption [A]. Colder stimuli (intensity
#: above 1) exceed what the cool input can hold and hurt everyone (noxious cold).
COLD_C_PER_INTENSITY = 0.8
#: Fraction of the C-cold signal the intact Aδ cool input suppresses, up to intensity 1 [A].
COOL_FIBRE_INHIBITION = 1.0
#: Warm: innocuous warmth (intensity ≤ 1) is carried by C warm fibres to warm-specific
#: neurons, not to the pain pathway; above :data:`HEAT_PAIN_INTENSITY` C heat nociceptors
#: fire (drive per unit intensity above it) [T, A]. Small-fibre loss removes warm input
#: (raised warm-detection threshold, a quantitative-sensory-testing sign) [S].
HEAT_C_PER_INTENSITY = 2.0
#: Intensity at which warmth becomes heat pain [1] (about 45 °C) [A].
HEAT_PAIN_INTENSITY = 1.5
#: Sustained deep pressure: deep Aδ and C afferents (muscle, fascia) [T]; drives per unit
#: intensity [1] [A]. Deep afferents are spared by small-fibre loss of the skin [A].
PRESSURE_ADELTA_PER_INTENSITY = 0.1
PRESSURE_C_PER_INTENSITY = 0.15


#: Fraction of the ongoing C activity of the painful roots that DRG stimulation stops at the
#: ganglion while it is on [1] [A]. Mechanism: stimulation at the ganglion increases the
#: filtering of action potentials at the T-junction of its neurons (Kent et al. 2018
#: Neuromodulation 21:234, computational model [P]; reduced neuronal excitability under field
#: stimulation, Koopmeiners et al. 2013 Neuromodulation 16:304 [P]); its size is chosen so
#: that a DRG cohort in lower-limb CRPS relieves more than tonic SCS, as in ACCURATE (Deer et
#: al. 2017 Pain 158:669: 81.2 % vs 55.7 % responders at 3 months).
DRG_C_FILTER = 0.34


#: Recruited share of the painful dermatome (the part of the dorsal horn the gate models):
#: ``share = 1 − exp(−ρ/ρ_d)`` of the recruited fraction ρ of a class's modelled population
#: [A]. The populations of ``sim.recruitment`` span a whole dorsal column, nerve or pad area;
#: the lead is placed so that the painful dermatome's fibres are among the first recruited,
#: so its share grows fastest at low amplitude and keeps growing, ever more slowly, up to and
#: beyond the comfort limit (clinically: relief follows paresthesia coverage of the painful
#: area, which widens with amplitude). ρ_d = 0.18: about 10 % of the dermatome at the
#: perception threshold (ρ = 2 %), about half at the tonic preset (1.3 × perception), more
#: still up to the discomfort threshold (``docs/model.md`` §2).
DERMATOME_SHARE_FRACTION = 0.18


def gate_params(patient: Patient):
    """The gate constants of a patient (docs/science.md §4.2 defaults, patient fields on top).

    The descending drive is the patient's own plus the shift that anxiety and depression
    cause (:func:`mood_descending_drive`).
    """
    from sim.gate import GateParams
    return GateParams(g_inh=patient.inhibition_efficacy, u=patient.abeta_unmasking,
                      a_C_ongoing=patient.ongoing_c_drive, windup_gain=patient.windup_gain,
                      central_sensitisation_gain=patient.central_sensitisation_gain,
                      b_desc=patient.descending_drive
                      + mood_descending_drive(patient.anxiety, patient.depression))


@functools.lru_cache(maxsize=4096)
def resting_pain_nrs(patient: Patient) -> float:
    """The patient's untreated pain at rest [NRS]: the gate's steady state with no input but
    the patient's own (ongoing C drive, descending drive, mood), read by the percept."""
    from sim.gate import steady_state_rates
    from sim.percept import pain_nrs
    return float(pain_nrs(steady_state_rates(gate_params(patient)).nociceptive_hz))


def mechanisms(options: ModelOptions) -> frozenset:
    """The gate mechanisms switched on in ``options``."""
    from sim.gate import Mechanism
    table = {
        Mechanism.SEGMENTAL_AB_INHIBITION: options.mechanism_segmental,
        Mechanism.KHZ_DIRECT_INHIBITORY: options.mechanism_khz_direct,
        Mechanism.BURST_SUPRASPINAL: options.mechanism_burst_supraspinal,
        Mechanism.DESCENDING_OPIOID: options.mechanism_descending_opioid,
        Mechanism.INHIBITORY_CARRYOVER: options.mechanism_carryover,
    }
    return frozenset(m for m, on in table.items() if on)


@functools.lru_cache(maxsize=256)
def program_recruitment(program: Program, csf_thickness_mm: float, nerve_depth_mm: float):
    from sim.recruitment import recruit
    return recruit(program, csf_thickness_mm=csf_thickness_mm, nerve_depth_mm=nerve_depth_mm)


def dermatome_share(fraction: Any) -> Any:
    """Recruited share of the painful dermatome for a recruited population fraction [1].

    ``1 − exp(−ρ/DERMATOME_SHARE_FRACTION)`` (see :data:`DERMATOME_SHARE_FRACTION`).

    Examples
    --------
    >>> round(float(dermatome_share(0.1)), 3)  # 1 - exp(-0.1/0.18)
    0.426
    """
    return 1.0 - np.exp(-np.asarray(fraction, dtype=float) / DERMATOME_SHARE_FRACTION)


def khz_field(program: Program, csf_thickness_mm: float) -> float:
    """The kHz field of a program at the dorsal horn [1], 0..1 (see :data:`KHZ_HALF_RATE_HZ`).

    Smooth in rate, pulse width and amplitude: nothing at tonic rates, a trace at 1 kHz, about
    a quarter at 5 kHz and 1 for a clinical 10 kHz program at 3 mA over 3 mm of CSF.

    Examples
    --------
    >>> from sim.presets import program
    >>> round(khz_field(program("scs-10khz"), 3.0), 2)
    1.0
    >>> khz_field(program("scs-tonic"), 3.0) < 1e-3
    True
    """
    if program.therapy != Therapy.SCS or not program.is_active:
        return 0.0
    f = program.rate_hz

    def h(rate: float) -> float:
        return 1.0 / (1.0 + (KHZ_HALF_RATE_HZ / rate) ** KHZ_RATE_EXPONENT)

    pulses = (program.pulses_per_burst * program.burst_rate_hz if program.pattern == "burst"
              else f)
    charge_rate = program.amplitude_mA * program.pulse_width_us * 1e-3 * pulses  # µC/s
    distance = ((KHZ_REFERENCE_CSF_MM + 1.0) / (csf_thickness_mm + 1.0)) ** 2
    c = charge_rate * distance

    def q(x: float) -> float:
        return x / (x + KHZ_HALF_CHARGE_RATE_UC_PER_S)

    value = h(f) / h(KHZ_REFERENCE_RATE_HZ) * q(c) / q(KHZ_REFERENCE_CHARGE_RATE_UC_PER_S)
    return float(np.clip(value, 0.0, 1.0))


def khz_washin(stimulation_day: float, tau_khz_s: float) -> float:
    """Fraction of the kHz effect present after ``stimulation_day`` days of daily use [1]:
    ``1 − exp(−day/τ_k)`` (:attr:`sim.gate.GateParams.tau_khz_s`)."""
    return 1.0 - math.exp(-stimulation_day * 86400.0 / tau_khz_s)


def khz_onset_note(session: Any, *, short: bool = False) -> str | None:
    """A sentence for a session whose kHz program has not yet built up its effect, else None.

    A kHz program's relief builds over about a day of use (:func:`khz_washin`), so a first
    session on it shows little or nothing; the note says how much acts on this day and how
    to see the rest (``stimulation_day``); ``short`` gives two lines' worth for a summary
    card. Programs with no kHz field get None.

    >>> from sim.presets import program
    >>> from sim.session import Session
    >>> khz_onset_note(Session(program=program("scs-10khz"))).split(":")[0]
    'Day 0 on this program'
    >>> khz_onset_note(Session(program=program("scs-10khz"), stimulation_day=90)) is None
    True
    """
    prog, pat = session.program, session.patient
    if not prog.is_active or khz_field(prog, stimulation_csf_mm(prog, pat)) < 0.05:
        return None
    share = khz_washin(session.stimulation_day, gate_params(pat).tau_khz_s)
    if share >= 0.9:
        return None
    if short:
        return (f"kHz relief builds over a day: {100 * share:.0f} % acts on day "
                f"{session.stimulation_day:g}. Set Days on this program (90 = 3 months).")
    return (f"Day {session.stimulation_day:g} on this program: {100 * share:.0f} % of its kHz "
            "effect acts yet. kHz relief builds over about a day of use: set Days on this "
            "program (stimulation_day; a trial's 3-month follow-up is 90) to see it whole.")


@dataclass(frozen=True)
class _StimLevel:
    """Afferent effect of the program at one amplitude (memoised per amplitude level)."""

    a_beta_stim_I: float
    a_beta_stim_P: float
    a_delta_stim: float = 0.0
    opioid_drive: float = 0.0
    c_stim: float = 0.0
    khz_field: float = 0.0
    burst_drive: float = 0.0
    paresthesia: float = 0.0
    amplitude_mA: float = 0.0
    rho_abeta: float = 0.0
    rho_adelta: float = 0.0
    rho_c: float = 0.0
    abeta_rate_hz: float = 0.0
    adelta_rate_hz: float = 0.0
    c_rate_hz: float = 0.0
    placement_factor: float = 1.0


def stimulation_csf_mm(program: Program, patient: Patient, posture: str = "sitting") -> float:
    """Dorsal CSF thickness under an SCS lead [mm]: the patient's (at T9, sitting) moved to
    the lead's level and the posture (:func:`sim.placement.csf_under_lead_mm`); the
    patient's own value for other therapies."""
    if program.therapy != "scs":
        return patient.csf_thickness_mm
    from sim.placement import csf_under_lead_mm
    return csf_under_lead_mm(patient.csf_thickness_mm, program.lead_level, posture)


def _holds_ecap(program: Program) -> bool:
    """A closed-loop SCS program whose ECAP the device holds: tonic below 1 kHz (a kHz or
    burst program evokes no ECAP the device can use, and the loop is not modelled there)."""
    return (program.therapy == "scs" and program.loop_mode == "closed"
            and program.pattern == "tonic" and program.rate_hz < 1000)


@functools.lru_cache(maxsize=1024)
def _stim_level(program: Program, patient: Patient, fraction: float,
                posture: str = "sitting") -> _StimLevel:
    """What the program at ``fraction`` of its amplitude sends into the dorsal horn (SCS:
    through the CSF under the lead in this posture, and only as far as its paresthesia covers
    the painful area, :func:`sim.placement.coverage`)."""
    from sim.fibers import FiberClass
    from sim.gate import stim_drives_burst, stim_drives_tonic
    from sim.percept import paresthesia_intensity
    from sim.synapses import tonic_drive

    if not program.is_active or fraction <= 0:
        return _StimLevel(0.0, 0.0)
    amp = program.amplitude_mA
    if _holds_ecap(program) and posture != "sitting":
        # a closed loop moves the current with the cord, holding the sitting ECAP
        from sim.ecap import held_current_mA
        amp = held_current_mA(program, patient.csf_thickness_mm, posture)
    prog = program if fraction >= 1 and amp == program.amplitude_mA else program.replace(
        amplitude_mA=amp * min(fraction, 1.0))
    csf = stimulation_csf_mm(program, patient, posture)
    rec = program_recruitment(prog, csf, patient.nerve_depth_mm)
    gp = gate_params(patient)
    ab, ad, c = rec[FiberClass.ABETA], rec[FiberClass.ADELTA], rec[FiberClass.C]
    share = {k: float(dermatome_share(r.active_fraction)) for k, r in
             (("ab", ab), ("ad", ad), ("c", c))}
    placement = 1.0
    if program.therapy in ("scs", "drg") and ab.recruited_fraction > 0:
        from sim.placement import coverage
        cov = coverage(prog, patient, posture=posture)
        placement = cov.placement_factor
        share["ab"] *= placement
        if _holds_ecap(program):
            # a closed loop keeps the patient in the window through the day's postures; a
            # target outside the window (above discomfort when sitting) gains nothing, and
            # the loop never takes away the relief the same program gives open loop (its
            # discomfort shows that the target is too high)
            from sim.ecap import daily_time_in_window
            csf0 = stimulation_csf_mm(program, patient)
            gain = (daily_time_in_window(program, csf0, "closed")
                    / max(daily_time_in_window(program, csf0, "open"), 0.05))
            share["ab"] = min(1.0, share["ab"] * max(1.0, gain))
    burst = program.pattern == "burst"
    if burst and ab.active_fraction > 0:
        per_burst = int(np.clip(round(ab.firing_rate_hz / program.burst_rate_hz), 1,
                                program.pulses_per_burst))
        drives = stim_drives_burst(program.rate_hz, per_burst, program.burst_rate_hz,
                                   share["ab"], gp)
    else:
        drives = stim_drives_tonic(ab.firing_rate_hz, share["ab"], gp)
    return _StimLevel(
        a_beta_stim_I=float(drives.a_beta_stim_I), a_beta_stim_P=float(drives.a_beta_stim_P),
        # Recruited thin fibres carry their own (painful) signal through depressing synapses.
        a_delta_stim=float(tonic_drive(ad.firing_rate_hz, share["ad"], gp.U_delta,
                                       gp.tau_rec_delta_s, gp.k_delta)),
        opioid_drive=share["ad"],
        c_stim=float(tonic_drive(c.firing_rate_hz, share["c"], gp.U_C, gp.tau_rec_C_s,
                                 gp.k_C)),
        khz_field=khz_field(prog, csf),
        burst_drive=float(drives.a_beta_stim_I) if burst and program.therapy == Therapy.SCS
        else 0.0,
        paresthesia=float(paresthesia_intensity(ab.active_fraction, ab.firing_rate_hz)),
        amplitude_mA=float(prog.amplitude_mA),
        rho_abeta=float(ab.active_fraction), rho_adelta=float(ad.active_fraction),
        rho_c=float(c.active_fraction), abeta_rate_hz=float(ab.firing_rate_hz),
        adelta_rate_hz=float(ad.firing_rate_hz), c_rate_hz=float(c.firing_rate_hz),
        placement_factor=placement,
    )


def _stimulation_level(session: Session, t: np.ndarray) -> np.ndarray:
    """Stimulation amplitude fraction (0-1) at each sample: events x cycling x ramp."""
    level = np.zeros_like(t)
    prog = session.program
    for ev in session.events or ():
        if ev.kind != "stimulation":
            continue
        on = (t >= ev.start_s) & (t < ev.stop_s)
        since = t - ev.start_s
        frac = np.ones_like(t)
        if prog.duty_cycle < 1:
            frac = np.where(np.mod(since, prog.cycle_on_s + prog.cycle_off_s)
                            < prog.cycle_on_s, 1.0, 0.0)
            since = np.mod(since, prog.cycle_on_s + prog.cycle_off_s)
        if prog.ramp_s > 0:
            # clip before dividing: a ramp of a few femtoseconds must not overflow
            frac = frac * (np.clip(since, 0.0, prog.ramp_s) / prog.ramp_s)
        level = np.where(on, np.maximum(level, frac), level)
    return level


#: Amplitude levels at which a ramp is resolved (fractions of the amplitude): 20 steps [A].
_RAMP_LEVELS = 20


def natural_input(events: tuple[Event, ...], patient: Patient, t: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Natural afferent input of the session's events (everything but stimulation).

    Returns ``(a_beta, a_delta, a_C, c_volley_rate_hz)`` on the grid ``t``: touch and brush →
    a_β = intensity; pinch → a_δ = a_C = 1.5 × intensity; injury → a_C = 2 × intensity;
    pinprick → 1 Hz pricks of a_δ = 1 × intensity and a_C = 0.3 × intensity from the
    surviving thin fibres (1 − ``small_fibre_loss``), whose C volleys (1/s × min(I, 1) × the
    surviving fraction, an effective volley rate [A]) wind up the gate; cold →
    a_C = 0.8 · max(0, I − (1 − small_fibre_loss) · min(I, 1)) (cool-fibre disinhibition);
    warm → heat-pain C drive 2 · (I − 1.5) above intensity 1.5 only; pressure → a_δ = 0.1 I,
    a_C = 0.15 I. Constants and sources are the module constants above.
    """
    a_beta = np.zeros_like(t)
    a_delta = np.zeros_like(t)
    a_C = np.zeros_like(t)
    volleys = np.zeros_like(t)
    thin = 1.0 - patient.small_fibre_loss
    dt = float(t[1] - t[0]) if t.size > 1 else 0.0
    for ev in events:
        on = ((t >= ev.start_s) & (t < ev.stop_s)).astype(float)
        i = ev.intensity
        if ev.kind in ("touch", "brush"):
            a_beta = a_beta + on * i
        elif ev.kind == "pinch":
            a_delta = a_delta + on * PINCH_DRIVE_PER_INTENSITY * i
            a_C = a_C + on * PINCH_DRIVE_PER_INTENSITY * i
        elif ev.kind == "injury":
            a_C = a_C + on * INJURY_C_DRIVE_PER_INTENSITY * i
        elif ev.kind == "pinprick":
            if dt <= PINPRICK_DURATION_S:
                since = t - ev.start_s
                prick = on * (np.mod(since, 1.0 / PINPRICK_RATE_HZ) < PINPRICK_DURATION_S - 1e-9)
            else:   # coarse grid (sessions beyond 30 min): the mean of the pricks
                prick = on * PINPRICK_DURATION_S * PINPRICK_RATE_HZ
            a_delta = a_delta + prick * PINPRICK_ADELTA_PER_INTENSITY * i * thin
            a_C = a_C + prick * PINPRICK_C_PER_INTENSITY * i * thin
            volleys = volleys + on * PINPRICK_RATE_HZ * min(i, 1.0) * thin
        elif ev.kind == "cold":
            held = COOL_FIBRE_INHIBITION * thin * min(i, 1.0)
            a_C = a_C + on * COLD_C_PER_INTENSITY * max(0.0, i - held)
        elif ev.kind == "warm":
            a_C = a_C + on * HEAT_C_PER_INTENSITY * max(0.0, i - HEAT_PAIN_INTENSITY) * thin
        elif ev.kind == "pressure":
            a_delta = a_delta + on * PRESSURE_ADELTA_PER_INTENSITY * i
            a_C = a_C + on * PRESSURE_C_PER_INTENSITY * i
    return a_beta, a_delta, a_C, volleys


@dataclass(frozen=True)
class GateDrive:
    """What reaches the dorsal-horn gate during a session, before the gate runs.

    Attributes
    ----------
    inputs : sim.gate.GateInputs
        Drives on the session grid (natural events, stimulation, treatments, expectation).
    params : sim.gate.GateParams
        The patient's gate constants (:func:`gate_params`, mood included).
    initial : sim.gate.GateState
        The gate's state at the start: the kHz state after ``stimulation_day`` days of use.
    effects : sim.treatments.TreatmentEffects or None
        The treatments' effects on the grid (None without treatments).
    level : ndarray
        Stimulation level λ(t) in [0, 1].
    paresthesia : ndarray
        Paresthesia (0-10) from the recruited Aβ activity that reaches the cord.
    discomfort : ndarray
        Discomfort (0-10) of stimulation above the comfort limit.
    burst_drive : ndarray
        Aβ drive of a burst program (the burst supraspinal hypothesis reads it) [1].
    total_C : ndarray
        All C input to the dorsal horn, ongoing included [1].
    """

    inputs: GateInputs
    params: GateParams
    initial: GateState
    effects: TreatmentEffects | None
    level: np.ndarray
    paresthesia: np.ndarray
    discomfort: np.ndarray
    burst_drive: np.ndarray
    total_C: np.ndarray


def gate_drive(session: Session, t: np.ndarray) -> GateDrive:
    """Steps 1-5 of :func:`run_session`: the gate's inputs on the grid ``t`` (shared with the
    days-to-weeks course of :mod:`sim.mood`, which evaluates them at steady state)."""
    from sim.gate import GateInputs, GateState
    from sim.percept import discomfort_intensity, paresthesia_intensity

    prog, pat = session.program, session.patient
    level = _stimulation_level(session, t)
    # Resolve the amplitude in discrete steps (exact for on/off; 1/20 steps during a ramp),
    # separately in each posture (posture events move the cord under an SCS lead).
    q = np.round(level * _RAMP_LEVELS) / _RAMP_LEVELS
    posture_code = posture_series(session.events or (), t)
    key = posture_code * (_RAMP_LEVELS + 1) + np.round(q * _RAMP_LEVELS).astype(int)
    keys = np.unique(key)
    levels = {int(k): _stim_level(prog, pat, float(k % (_RAMP_LEVELS + 1)) / _RAMP_LEVELS,
                                  POSTURE_ORDER[int(k) // (_RAMP_LEVELS + 1)])
              for k in keys}
    idx = np.searchsorted(keys, key)
    table = [levels[int(k)] for k in keys]

    def col(name: str) -> np.ndarray:
        return np.array([getattr(s, name) for s in table])[idx]

    a_beta, a_delta, a_C, volleys = natural_input(session.events or (), pat, t)
    stim_I, stim_P = col("a_beta_stim_I"), col("a_beta_stim_P")
    stim_ad, stim_c, opioid = col("a_delta_stim"), col("c_stim"), col("opioid_drive")
    paresthesia, burst = col("paresthesia"), col("burst_drive")
    khz_now = col("khz_field")
    reach = 1.0
    if pat.central_fraction > 0 and prog.is_active:
        # Central pain: stimulation's inhibition reaches only part of the generator
        # (sim.care.stimulation_reach); paresthesia is still felt.
        from sim.care import stimulation_reach
        reach = stimulation_reach(prog.therapy, pat.central_fraction)
        stim_I, stim_P, opioid, khz_now = (stim_I * reach, stim_P * reach, opioid * reach,
                                           khz_now * reach)
    gp = gate_params(pat)
    ongoing = gp.a_C_ongoing
    b_desc: Any = 0.0  # a number, or a series once treatments or placebo act
    fx = None
    if session.treatments:
        from sim.blocks import PERIPHERAL_ECTOPIC_FRACTION as phi
        from sim.treatments import treatment_effects
        fx = treatment_effects(session.treatments, session.duration_s)
        if therapy_spec(prog.therapy).peripheral and fx.blocks_stimulation:
            stim_I, stim_P, stim_ad, stim_c, opioid, paresthesia = _blocked_stimulation(
                col, fx, gp, stim_I, stim_P, paresthesia_intensity)
        a_beta = a_beta * fx.conduction_abeta
        a_delta = a_delta * fx.conduction_adelta
        a_C = a_C * fx.conduction_c * fx.natural_c
        volleys = volleys * fx.conduction_c * fx.natural_c
        peripheral = ((1.0 - pat.sympathetic_fraction * fx.sympathetic_block)
                      * (phi * fx.conduction_c * fx.ectopic_peripheral
                         + (1.0 - phi) * fx.ectopic_central))
        # A central generator (sim.care) lies beyond every peripheral block, lesion or patch.
        cf = pat.central_fraction
        ongoing_now = ongoing * (peripheral if cf == 0 else (1.0 - cf) * peripheral + cf)
        total_C = fx.c_transmission * (ongoing_now + a_C + stim_c + fx.extra_c)
        a_C_input = total_C - ongoing
        b_desc = fx.b_desc
    else:
        total_C = ongoing + a_C + stim_c
        a_C_input = a_C + stim_c
    if prog.therapy == "drg" and prog.is_active:
        # DRG stimulation filters the ongoing (ectopic) C activity of the painful roots
        # passing the ganglion's T-junctions, while it is on
        filt = DRG_C_FILTER * col("placement_factor") * (col("rho_abeta") > 0)
        removed = filt * np.minimum(total_C, ongoing)
        total_C = total_C - removed
        a_C_input = a_C_input - removed
    if pat.placebo_response > 0:
        expect = _therapy_on(session, t)
        if fx is not None:
            expect = np.maximum(expect, fx.treated)
        b_desc = b_desc - pat.placebo_response * expect
    inputs = GateInputs(
        t_s=t, a_beta=a_beta, a_beta_stim_I=stim_I, a_beta_stim_P=stim_P, a_delta=a_delta,
        a_delta_stim=stim_ad, a_C=a_C_input, c_volley_rate_hz=volleys,
        khz_field=col("khz_field"), opioid_drive=opioid, b_desc=b_desc)
    full = levels.get(_RAMP_LEVELS) or _stim_level(prog, pat, 1.0)
    initial = GateState(khz=full.khz_field * khz_washin(session.stimulation_day, gp.tau_khz_s))
    # the comfort limit of each posture (thinner CSF supine: a lower discomfort threshold)
    discomfort = np.array([float(discomfort_intensity(
        levels[int(k)].amplitude_mA,
        program_recruitment(prog, stimulation_csf_mm(prog, pat, POSTURE_ORDER[
            int(k) // (_RAMP_LEVELS + 1)]), pat.nerve_depth_mm).discomfort_threshold_mA))
        for k in keys])[idx]
    return GateDrive(inputs, gp, initial, fx, level, paresthesia, discomfort, burst,
                     np.asarray(total_C, dtype=float))


def _blocked_stimulation(col, fx, gp, stim_I, stim_P, paresthesia_intensity):
    """PNS/TENS-evoked drives that still reach the cord past proximal blocks and lesions."""
    from sim.synapses import tonic_drive

    def conducting(rho: np.ndarray, cls: str) -> np.ndarray:
        return (np.minimum(rho, getattr(fx, f"stim_ordered_{cls}"))
                * getattr(fx, f"stim_random_{cls}"))

    rho_ab = col("rho_abeta")
    ab = conducting(rho_ab, "abeta")
    share_full = dermatome_share(rho_ab)
    ratio = np.divide(dermatome_share(ab), share_full, out=np.zeros_like(share_full),
                      where=share_full > 0)
    ad = dermatome_share(conducting(col("rho_adelta"), "adelta"))
    c = dermatome_share(conducting(col("rho_c"), "c"))
    a_delta = tonic_drive(col("adelta_rate_hz"), ad, gp.U_delta, gp.tau_rec_delta_s, gp.k_delta)
    a_c = tonic_drive(col("c_rate_hz"), c, gp.U_C, gp.tau_rec_C_s, gp.k_C)
    pares = np.asarray(paresthesia_intensity(ab, col("abeta_rate_hz")), dtype=float)
    return stim_I * ratio, stim_P * ratio, a_delta, a_c, ad, pares


def _therapy_on(session: Session, t: np.ndarray) -> np.ndarray:
    """1 while a stimulation event of an active program runs, else 0."""
    on = np.zeros_like(t)
    if session.program.is_active:
        for ev in session.events or ():
            if ev.kind == "stimulation":
                on = np.maximum(on, (t >= ev.start_s) & (t < ev.stop_s))
    return on


