"""Dorsal-horn gate-control firing-rate model: afferent drive in, projection rate and pain out.

Structure (Melzack & Wall 1965; SCIENCE.md section 4.1) [P structure]: large afferents (Aβ)
excite the projection ("T") cell and inhibitory substantia-gelatinosa interneurons; small
afferents (Aδ, C) excite the projection cell and, through excitatory interneurons, drive it
polysynaptically; the inhibitory interneurons (GABA/glycine) inhibit both; descending control
adds to the projection cell's input. Pain is read from the projection cell's rate.

Populations and states
----------------------
========================  =====================================  ==============  ==========
symbol (result field)     meaning                                time constant   tag
========================  =====================================  ==============  ==========
P  (``P_hz``)             wide-dynamic-range projection (T) cell  τ_P = 1 ms      [S]
E  (``E_hz``)             excitatory interneurons carrying C     τ_E = 20 ms     [S]
I  (``I_hz``)             inhibitory (GABA/glycine) interneurons  τ_I = 20 ms     [S], [P]
z  (``z``)                wind-up (NMDA/NK1) state                τ_z = 3 s       [A], [P]
s  (``sensitisation``)    central sensitisation                  τ_s = 300 s     [A]
m  (``carryover``)        relief carried over after stimulation   τ_m = 300 s     [A]
o  (``opioid``)           descending/opioid inhibition           τ_o = 600 s     [A]
========================  =====================================  ==============  ==========

Equations (SCIENCE.md section 4.2, extended here by the slow states s, m, o and the
mechanism terms; every constant is a field of :class:`GateParams` with its source)::

    τ_P dP/dt = −P + P̂·(1 − χ·max(m − r, 0))
    P̂         = F_P( w_βP·(a_β + a_β,stim,P)·(1+u) + w_δP·(a_δ + a_δ,stim) + w_CP·G·a_C
                     + w_EP·E − g_inh·w_IP·I + b_desc + g_s·s − w_oP·o )
    τ_E dE/dt = −E + F_E( w_CE·G·a_C + u·w_βE·a_β − g_inh·w_IE·I )
    τ_I dI/dt = −I + F_I( w_βI·(a_β + a_β,stim,I) − w_CI·a_C + w_kI·k_field )
    F_X(c)    = (R_X/2)·[1 + tanh((c − θ_X)/σ_X)]
    G         = 1 + κ·z
    dz/dt     = −z/τ_z + Δz·(1 − z/z_max)·[r_C(t) + Σ_k δ(t − t_k)]
    ds/dt     = k_s·max(a_C,evoked, 0)·(1 − s) − s/τ_s
    τ_o do/dt = clip(a_δ,stim, 0, 1) − o
    τ_m dm/dt = r − m,        r = clip(1 − P̂/P_off, 0, 1)  (0 without stimulation input)
    NRS       = 10·clip((P − P_0)/(P_sat − P_0), 0, 1)^γ · (1 − r_b·burst_on)

a_C is the patient's ongoing C drive (:attr:`GateParams.a_C_ongoing`) plus the evoked C drive
of the inputs; b_desc likewise adds :attr:`GateParams.b_desc` to the input series. r_C is a
mean rate of synchronous C volleys (e.g. repeated pinprick) and t_k are explicit volley times
(full ODE only). P_off is the quasi-static P̂ with every stimulation input (a_β,stim,I,
a_β,stim,P, k_field, a_δ,stim) set to zero and the same slow states, so r is the fraction of
the pain signal that the stimulation currently removes, and m a slowly following memory of it.
Under steady stimulation m = r and P = P̂, so the carry-over never changes a steady state;
after stimulation stops P = P_off·(1 − χ·m), which is never below the relief seen during it.

Mechanisms of relief (:class:`Mechanism`) are switchable hypotheses; a disabled mechanism's term
is zero: SEGMENTAL_AB_INHIBITION removes a_β,stim,I (stimulation no longer reaches I; natural
touch still does, that is the gate itself), KHZ_DIRECT_INHIBITORY removes w_kI·k_field,
BURST_SUPRASPINAL removes the (1 − r_b·burst_on) factor, DESCENDING_OPIOID removes o,
INHIBITORY_CARRYOVER removes m (P = P̂).

Frequency dependence
--------------------
Nothing here looks up a frequency. The caller passes the firing rate the recruited fibres
actually follow (fibre refractoriness lives in ``sim.fibers``); depressing Tsodyks-Markram
synapses then turn rate into drive (:func:`effective_drive_tonic`, :func:`effective_drive_burst`,
SCIENCE.md section 4.4). With the defaults, the Aβ→I synapse (U = 0.5, τ_rec = 100 ms)
saturates above ~20 Hz while the Aβ→P synapse (U = 0.2, τ_rec = 2 ms) keeps growing, so the
net inhibition of P peaks at tens of Hz and turns into excitation above ~180 Hz.

Two solvers, one model
----------------------
:func:`simulate_gate` (sessions of seconds to 30 minutes) treats P, E and I as quasi-static.
Their time constants (1 and 20 ms; 95 % settled within 3τ = 60 ms) are two orders of magnitude
below the slowest-but-one state (τ_z = 3 s) and below the time scale on which session inputs
change (ramps, cycling and events of seconds). At each sample the fast populations are at their
fixed point, which is explicit because I depends on neither E nor P and E depends on I only:
I, then E, then P, evaluated vectorised over all samples. The slow states are linear in
themselves with piecewise-constant coefficients over each grid interval, so each step is an exact
exponential update x_{k+1} = a_k·x_k + b_k, evaluated for all steps at once with a parallel
prefix scan (O(N log N) vector operations, no Python loop over time). z, s and o depend on the
inputs only and are scanned first; the fast fixed points and the relief r follow; m is scanned
last. Cost depends only on the number of grid samples, never on pulse rate or pulse count. The
error of the approximation is confined to ~60 ms after each abrupt input change and to about
τ_E·|dP/dt| while a slow state moves P quickly (≤ 2 % during wind-up at 1 Hz volleys).
:data:`SESSION_DT_S` (20 ms) is the recommended grid.

:func:`simulate_gate_ode` integrates the full system (all seven states) with
``scipy.integrate.solve_ivp`` (LSODA, rtol = atol = 1e-6, restarted at every input change and
volley) for short protocols: the wind-up protocol (:func:`windup_protocol`), the response to a
single volley, and to check the quasi-static approximation.

References
----------
Melzack R., Wall P.D. (1965) Pain mechanisms: a new theory. Science 150:971-979.
Britton N.F., Skevington S.M. (1989) A mathematical model of the gate control theory of pain.
J Theor Biol 137:91-105.
Zhang T.C., Janik J.J., Grill W.M. (2014) Modeling effects of spinal cord stimulation on
wide-dynamic range dorsal horn neurons. J Neurophysiol 112:552-567 (and public model code).
Gilbert J.E. et al. (2022) Surround inhibition mediates pain relief by low amplitude spinal cord
stimulation. eNeuro 9:ENEURO.0058-22.2022.
Medlock L. et al. (2023) J Neurophysiol (unmasked Aβ→lamina I pathway; SCS vs pinch).
Tsodyks M.V., Markram H. (1997) The neural code between neocortical pyramidal neurons depends
on neurotransmitter release probability. PNAS 94:719-723.
Tsodyks M., Pawelzik K., Markram H. (1998) Neural networks with dynamic synapses. Neural
Comput 10:821-835.
Mendell L.M. (1966) Physiological properties of unmyelinated fiber projection to the spinal
cord. Exp Neurol 16:316-332.
Woolf C.J. (1983) Evidence for a central component of post-injury pain hypersensitivity.
Nature 306:686-688.
Cui J.G. et al. (1997) Spinal cord stimulation attenuates augmented dorsal horn release of
excitatory amino acids in mononeuropathy via a GABAergic mechanism. Pain 73:87-95.
Lee K.Y. et al. (2020) Low-intensity, kilohertz frequency spinal cord stimulation differently
affects excitatory and inhibitory neurons in the rodent superficial dorsal horn. Neuroscience
428:132-139.
De Ridder D., Vanneste S. (2016) Burst and tonic spinal cord stimulation: different and common
brain mechanisms. Neuromodulation 19:47-59.
Sluka K.A. et al. (1999) Spinal blockade of opioid receptors prevents the analgesia produced by
TENS in arthritic rats. J Pharmacol Exp Ther 289:840-846.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

import numpy as np
from scipy.integrate import solve_ivp

from sim.params import ParameterError, _fmt, check_array

__all__ = [
    "steady_pain_nrs",
    "GateParams",
    "NEUROPATHIC_PRESETS",
    "Mechanism",
    "Evidence",
    "ALL_MECHANISMS",
    "GateInputs",
    "GateState",
    "GateRates",
    "GateResult",
    "StimDrives",
    "WindupResult",
    "effective_drive_tonic",
    "effective_drive_burst",
    "stim_drives_tonic",
    "stim_drives_burst",
    "steady_state_rates",
    "simulate_gate",
    "simulate_gate_ode",
    "windup_protocol",
    "pain_nrs",
    "paresthesia_intensity",
    "DRIVE_RATE_SCALE_HZ",
    "SESSION_DT_S",
    "REFERENCE_P0_HZ",
]

#: Afferent firing rate that gives a unit drive through an undepressed synapse [Hz]: the "/40"
#: of SCIENCE.md section 4.4 [A]. Drive a = 1 is "a moderate stimulus" (section 4.2 table).
DRIVE_RATE_SCALE_HZ = 40.0

_DIMLESS = "(dimensionless)"

#: Recommended session grid step for :func:`simulate_gate` [s] [A]: equal to τ_E, so a fast
#: transient spans at most ~3 samples, and 30 minutes are 90 000 samples.
SESSION_DT_S = 0.02


def _pf(default: float, unit: str, lo: float, hi: float, lo_inclusive: bool = True) -> Any:
    """A GateParams field: its default and its allowed range (one declaration per constant)."""
    return field(default=default, metadata={"unit": unit, "range": (lo, hi, lo_inclusive)})


@dataclass(frozen=True)
class GateParams:
    """All constants of the gate model, with defaults from SCIENCE.md sections 4.2-4.4.

    Patients override ``g_inh``, ``u``, ``kappa``, ``a_C_ongoing``, ``b_desc`` and
    ``sensitisation_gain`` (see :data:`NEUROPATHIC_PRESETS`); everything else is a model constant
    a student may vary. Drives and weights are dimensionless ([1]); a drive of 1 is the afferent
    activity of a moderate stimulus [A].

    Attributes
    ----------
    w_beta_P, w_beta_I, w_delta_P, w_C_P : float
        Aβ→P, Aβ→I, Aδ→P, C→P weights [1]; 0.6, 0.6, 0.3, 0.4 [S Sanaz01 course model].
    w_C_E, w_E_P, w_I_E, w_I_P : float
        C→E, E→P [per Hz], I→E [per Hz], I→P [per Hz] weights; 0.6, 0.4, 0.05, 0.15 [S same].
    w_beta_E : float
        Unmasked Aβ→E polysynaptic path, scaled by ``u`` [1]; 0.9 = 1.5 × w_βP [A, SCIENCE 4.2].
    w_C_I : float
        Melzack-Wall small-fibre inhibition of SG interneurons [1]; default 0 [A, SCIENCE 4.2].
    tau_P_s, tau_E_s, tau_I_s : float
        Population time constants [s]; 1, 20, 20 ms [S]; τ_I matches the GABA-A decay of 20 ms
        [P Zhang 2014 model code].
    R_P_hz, R_E_hz, R_I_hz : float
        Maximal rates [Hz]; 50, 60, 80 [S Sanaz01].
    theta_P, sigma_P, theta_E, sigma_E, theta_I, sigma_I : float
        Sigmoid thresholds and widths [1]; (0.5, 0.4), (1.2, 0.3), (1.0, 0.45) [S Sanaz01].
    g_inh : float
        GABA/glycine efficacy [1], 1 = normal; 0.6 mild, 0.3 severe neuropathy [P Prescott 2006
        E_anion shift, SCIENCE 4.3].
    u : float
        Unmasking of the Aβ→E→P path [1], 0 normal, 1 severe [P Medlock 2023, SCIENCE 4.3].
    kappa : float
        Wind-up gain: G = 1 + κ·z [1]; 1 [A]; 0 = NMDA block (ketamine) [A, Britton NMDA model].
    tau_z_s : float
        Wind-up decay [s]; 3 s ≈ NK1/substance-P decay 3000 ms [P Zhang 2014 code].
    delta_z, z_max : float
        Wind-up increment per C volley and ceiling [1]; 0.3 and 3 [A SCIENCE 4.2].
    a_C_ongoing : float
        Patient's ongoing (ectopic) C drive [1]; 0 normal, 0.5-1 neuropathic [A SCIENCE 4.3].
    b_desc : float
        Patient's descending drive onto P [1]; negative = net descending inhibition, positive =
        facilitation (negative affect, Ossipov 2010 [S]); 0 [A].
    k_I, U_I, tau_rec_I_s : float
        Aβ→I synapse: gain [1], release fraction [1], recovery [s]; 2, 0.5, 0.1 s [A SCIENCE 4.4,
        calibrated to the frequency curve].
    k_P, U_P, tau_rec_P_s : float
        Aβ→P synapse; 0.6, 0.2, 0.002 s [A SCIENCE 4.4].
    sensitisation_gain : float
        g_s, how much the sensitisation state s adds to P's input [1]; 0 = no lasting central
        sensitisation [A]. Patient parameter.
    sensitisation_rate_per_s : float
        k_s, growth of s per unit of evoked C drive [1/s]; 1/60 [A]: sustained injury-level
        drive (a_C = 2) brings s to 0.9 within about a minute.
    tau_sensitisation_s : float
        τ_s, decay of s [s]; 300 s [A], motivated by post-injury hyperexcitability outlasting the
        injury (Woolf 1983 [P, qualitative]); chosen so that pain stays raised for minutes.
    carryover_fraction : float
        χ, fraction of the relief (in projection rate) that persists right after stimulation
        stops, once stimulation has run for several τ_m [1]; 0.8 [A].
    tau_carryover_s : float
        τ_m, build-up and wash-out of the carry-over [s]; 300 s [A], motivated by SCS raising
        dorsal-horn GABA release (Cui 1997 [P]) and by relief that outlasts stimulation for
        minutes to hours in clinical reports [S].
    w_khz_I : float
        w_kI, drive to I per unit kHz field (KHZ_DIRECT_INHIBITORY) [1]; 0.4 [A]: a full field
        gives the inhibition of the best tonic program, without paresthesia.
    w_opioid_P : float
        w_oP, inhibition of P per unit opioid state (DESCENDING_OPIOID) [1]; 0.3 [A].
    tau_opioid_s : float
        τ_o, onset and wash-out of the opioid state [s]; 600 s [A] (slow onset, long carry-over
        of acupuncture-like TENS [S Sluka]).
    burst_affective_reduction : float
        r_b, fractional reduction of reported pain while a burst program runs
        (BURST_SUPRASPINAL) [1]; 0.25 [A], the pooled burst-vs-tonic difference (49.2 → 36.7 on
        0-100, Chakravarthy 2019 [P, SCIENCE 6]) attributed wholly to this hypothesis.
    """

    w_beta_P: float = _pf(0.6, "", 0.0, 10.0)
    w_beta_I: float = _pf(0.6, "", 0.0, 10.0)
    w_delta_P: float = _pf(0.3, "", 0.0, 10.0)
    w_C_P: float = _pf(0.4, "", 0.0, 10.0)
    w_C_E: float = _pf(0.6, "", 0.0, 10.0)
    w_E_P: float = _pf(0.4, "per Hz", 0.0, 10.0)
    w_I_E: float = _pf(0.05, "per Hz", 0.0, 10.0)
    w_I_P: float = _pf(0.15, "per Hz", 0.0, 10.0)
    w_beta_E: float = _pf(0.9, "", 0.0, 10.0)
    w_C_I: float = _pf(0.0, "", 0.0, 10.0)
    tau_P_s: float = _pf(0.001, "s", 0.0, 1.0, False)
    tau_E_s: float = _pf(0.02, "s", 0.0, 1.0, False)
    tau_I_s: float = _pf(0.02, "s", 0.0, 1.0, False)
    R_P_hz: float = _pf(50.0, "Hz", 0.0, 1000.0, False)
    R_E_hz: float = _pf(60.0, "Hz", 0.0, 1000.0, False)
    R_I_hz: float = _pf(80.0, "Hz", 0.0, 1000.0, False)
    theta_P: float = _pf(0.5, "", -10.0, 10.0)
    sigma_P: float = _pf(0.4, "", 0.0, 10.0, False)
    theta_E: float = _pf(1.2, "", -10.0, 10.0)
    sigma_E: float = _pf(0.3, "", 0.0, 10.0, False)
    theta_I: float = _pf(1.0, "", -10.0, 10.0)
    sigma_I: float = _pf(0.45, "", 0.0, 10.0, False)
    g_inh: float = _pf(1.0, "", 0.0, 1.0)
    u: float = _pf(0.0, "", 0.0, 1.0)
    kappa: float = _pf(1.0, "", 0.0, 10.0)
    tau_z_s: float = _pf(3.0, "s", 0.0, 600.0, False)
    delta_z: float = _pf(0.3, "", 0.0, 10.0)
    z_max: float = _pf(3.0, "", 0.0, 100.0, False)
    a_C_ongoing: float = _pf(0.0, "", 0.0, 10.0)
    b_desc: float = _pf(0.0, "", -5.0, 5.0)
    k_I: float = _pf(2.0, "", 0.0, 100.0)
    U_I: float = _pf(0.5, "", 0.0, 1.0, False)
    tau_rec_I_s: float = _pf(0.1, "s", 0.0, 10.0)
    k_P: float = _pf(0.6, "", 0.0, 100.0)
    U_P: float = _pf(0.2, "", 0.0, 1.0, False)
    tau_rec_P_s: float = _pf(0.002, "s", 0.0, 10.0)
    sensitisation_gain: float = _pf(0.0, "", 0.0, 5.0)
    sensitisation_rate_per_s: float = _pf(1.0 / 60.0, "1/s", 0.0, 10.0)
    tau_sensitisation_s: float = _pf(300.0, "s", 0.0, 1e5, False)
    carryover_fraction: float = _pf(0.8, "", 0.0, 1.0)
    tau_carryover_s: float = _pf(300.0, "s", 0.0, 1e5, False)
    w_khz_I: float = _pf(0.4, "", 0.0, 10.0)
    w_opioid_P: float = _pf(0.3, "", 0.0, 10.0)
    tau_opioid_s: float = _pf(600.0, "s", 0.0, 1e5, False)
    burst_affective_reduction: float = _pf(0.25, "", 0.0, 1.0)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            lo, hi, incl = f.metadata["range"]
            value = getattr(self, f.name)
            if isinstance(value, (bool, np.bool_)):
                raise ParameterError(f"{f.name}={value!r} is not a number", name=f.name,
                                     value=value)
            arr = check_array(f.name, value, f.metadata["unit"] or _DIMLESS, lo, hi,
                              include_minimum=incl)
            if arr.ndim != 0:
                raise ParameterError(f"{f.name} must be a single number, got an array",
                                     name=f.name, value=value)
            object.__setattr__(self, f.name, float(arr))

    @classmethod
    def preset(cls, name: str, **overrides: float) -> "GateParams":
        """Parameters of a named :data:`NEUROPATHIC_PRESETS` entry, with optional overrides.

        Examples
        --------
        >>> GateParams.preset("severe").g_inh
        0.3
        """
        if name not in NEUROPATHIC_PRESETS:
            raise ParameterError(
                f"gate preset={name!r} is not one of {', '.join(map(repr, NEUROPATHIC_PRESETS))}",
                name="preset", value=name)
        return cls(**{**NEUROPATHIC_PRESETS[name], **overrides})


#: Neuropathic-state presets (SCIENCE.md section 4.3), unpacked into :class:`GateParams`.
#: g_inh, u, a_C_ongoing from the table [P Prescott 2006; P Medlock 2023; A]; the mild ongoing
#: C drive is the middle of the 0.5-1 range; ``sensitisation_gain`` is [A] (section 4.3:
#: "central sensitisation: raise κ and/or baseline z", here the lasting state s).
NEUROPATHIC_PRESETS: dict[str, dict[str, float]] = {
    "normal": {"g_inh": 1.0, "u": 0.0, "a_C_ongoing": 0.0, "sensitisation_gain": 0.0},
    "mild": {"g_inh": 0.6, "u": 0.3, "a_C_ongoing": 0.75, "sensitisation_gain": 0.5},
    "severe": {"g_inh": 0.3, "u": 1.0, "a_C_ongoing": 1.0, "sensitisation_gain": 1.0},
}


# ------------------------------------------------------------------------------------------
# Mechanisms of relief: named, switchable hypotheses with their evidence
# ------------------------------------------------------------------------------------------
class Evidence(Enum):
    """How well a mechanism of relief is supported (a teaching judgement, see descriptions)."""

    MODERATE = "moderate"
    LOW = "low"
    PRELIMINARY_CONTESTED = "preliminary, contested"


@dataclass(frozen=True)
class _MechanismInfo:
    label: str
    evidence: Evidence
    description: str


class Mechanism(Enum):
    """A hypothesis of how stimulation relieves pain; pass a set of them to enable them.

    Each member has ``label``, ``evidence`` (:class:`Evidence`) and ``description`` (one
    paragraph with sources). Values are strings, so a set of mechanisms serialises to JSON.

    Examples
    --------
    >>> Mechanism.KHZ_DIRECT_INHIBITORY.evidence.value
    'preliminary, contested'
    """

    SEGMENTAL_AB_INHIBITION = "segmental_ab_inhibition"
    KHZ_DIRECT_INHIBITORY = "khz_direct_inhibitory"
    BURST_SUPRASPINAL = "burst_supraspinal"
    DESCENDING_OPIOID = "descending_opioid"
    INHIBITORY_CARRYOVER = "inhibitory_carryover"

    @property
    def label(self) -> str:
        """Short human name."""
        return _MECHANISM_INFO[self].label

    @property
    def evidence(self) -> Evidence:
        """Evidence level."""
        return _MECHANISM_INFO[self].evidence

    @property
    def description(self) -> str:
        """One paragraph: what the term does in the model, why, and how sure we are."""
        return _MECHANISM_INFO[self].description


_MECHANISM_INFO = {
    Mechanism.SEGMENTAL_AB_INHIBITION: _MechanismInfo(
        "Aβ-driven segmental inhibition (gate control)", Evidence.MODERATE,
        "Stimulation-evoked Aβ activity (dorsal columns in SCS, the nerve in PNS, skin afferents "
        "in conventional TENS) excites GABA/glycine interneurons through a depressing synapse "
        "(a_β,stim,I), which inhibit the projection neuron and the excitatory interneurons. "
        "Structure from Melzack & Wall 1965 [P]; the frequency and GABA dependence of SCS in a "
        "biophysical dorsal-horn network, Zhang, Janik & Grill 2014 [P]; surround inhibition "
        "abolished by bicuculline, Gilbert et al. 2022 [P]; SCS raises dorsal-horn GABA release, "
        "Cui et al. 1997 [P]. Needs recruited Aβ fibres, hence paresthesia for tonic programs. "
        "Off: stimulation no longer reaches I (natural touch still does)."),
    Mechanism.KHZ_DIRECT_INHIBITORY: _MechanismInfo(
        "10 kHz direct activation of inhibitory interneurons", Evidence.PRELIMINARY_CONTESTED,
        "Proposed for paresthesia-free 10 kHz SCS: the kHz field, below dorsal-column threshold, "
        "depolarises dorsal-horn inhibitory interneurons directly (term w_kI·k_field in I). "
        "Supported by rodent work in which sub-sensory 10 kHz (not 1 or 5 kHz) SCS selectively "
        "activated inhibitory interneurons (Lee et al. 2020, Neuroscience 428:132 [P]); "
        "contradicted by slice imaging in which 1-10 kHz fields increased dorsal-horn activity "
        "monotonically with frequency (industry study, Biomedicines 2024 12:1346 [S, SCIENCE "
        "4.5]). The clinical superiority of 10 kHz (Kapural 2015 [P]) is not explained by gate "
        "control; the gain here is calibrated, not measured. Off: a kHz field does nothing "
        "beyond what its (usually zero) Aβ recruitment does."),
    Mechanism.BURST_SUPRASPINAL: _MechanismInfo(
        "Burst SCS: medial (affective) pathway modulation", Evidence.LOW,
        "Proposed for burst SCS (De Ridder et al. 2013 World Neurosurg 80:642; De Ridder & "
        "Vanneste 2016 Neuromodulation 19:47, EEG source localisation [S]): burst modulates the "
        "medial, affective-attentional pain pathway (dorsal anterior cingulate) more than tonic "
        "does. Modelled outside the spinal cord: the projection rate is unchanged and the "
        "reported pain is scaled by (1 − r_b·burst_on). Evidence is low and contested: rat work "
        "found burst acts through spinal GABA like tonic (Meuwissen et al. 2020 Pain Pract 20:75 "
        "[P]); the pooled clinical difference (Chakravarthy 2019 [P]) is what r_b is set to. Off: "
        "burst helps only through its own Aβ recruitment (a_β,stim)."),
    Mechanism.DESCENDING_OPIOID: _MechanismInfo(
        "Aδ-driven descending/opioid inhibition (acupuncture-like TENS)", Evidence.LOW,
        "Strong low-rate stimulation that recruits Aδ (acupuncture-like TENS, 2-4 Hz with "
        "muscle twitch) engages PAG-RVM descending control and spinal opioid release: a slow "
        "state o (onset and wash-out τ_o = 10 min) that inhibits P. In arthritic rats, spinal "
        "naloxone blocked the antihyperalgesia of 4 Hz TENS (μ receptors) and naltrindole that "
        "of 100 Hz TENS (δ receptors) (Sluka et al. 1999 J Pharmacol Exp Ther 289:840 [P]); RVM "
        "opioid block prevented both (Kalra et al. 2001 [P]). Moderate in animals, low "
        "clinically (EFNS 2007 [S]). Off: Aδ stimulation only excites P."),
    Mechanism.INHIBITORY_CARRYOVER: _MechanismInfo(
        "Carry-over of relief after stimulation stops", Evidence.LOW,
        "Relief that outlasts stimulation, then washes out: a slow memory m (τ_m = 5 min) of "
        "the relief r (the fraction of the pain signal that stimulation removes) scales P by "
        "(1 − χ·max(m − r, 0)). During steady stimulation m = r, so the frequency curve is "
        "unchanged; after stimulation stops P = P_off·(1 − χ·m) and the relief decays over "
        "minutes, never exceeding the relief seen during stimulation. Phenomenological, "
        "motivated by "
        "sustained dorsal-horn GABA release with SCS (Cui et al. 1997 Pain 73:87 [P]) and by "
        "reports of residual relief after SCS is switched off [S]; the time constant is an "
        "assumption [A]. Off: relief ends within ~60 ms of stopping."),
}

#: Every mechanism enabled (the default for simulations).
ALL_MECHANISMS: frozenset[Mechanism] = frozenset(Mechanism)


def _mechanisms(mechanisms: Iterable[Any] | None) -> frozenset[Mechanism]:
    """Validate a collection of :class:`Mechanism` members (or their string values)."""
    if mechanisms is None:
        return ALL_MECHANISMS
    if isinstance(mechanisms, (str, Mechanism)):
        mechanisms = [mechanisms]
    out = set()
    for m in mechanisms:
        try:
            out.add(m if isinstance(m, Mechanism) else Mechanism(m))
        except ValueError:
            raise ParameterError(
                f"mechanisms contains {m!r}, not one of "
                f"{', '.join(repr(x.value) for x in Mechanism)}",
                name="mechanisms", value=m) from None
    return frozenset(out)


# ------------------------------------------------------------------------------------------
# Synapses: pulse rate -> effective drive
# ------------------------------------------------------------------------------------------
def effective_drive_tonic(rate_hz: Any, recruited_fraction: Any, U: float, tau_rec_s: float,
                          k: float) -> np.ndarray | float:
    """Effective drive of a tonic afferent train through a depressing synapse.

    Parameters
    ----------
    rate_hz : float or array
        Firing rate of the recruited fibres [Hz], i.e. the pulse rate capped by what the fibres
        can follow (the caller applies fibre refractoriness) [Hz], >= 0.
    recruited_fraction : float or array
        Fraction ρ of the fibre population that fires [1], 0..1.
    U : float
        Release fraction per spike [1], 0 (exclusive)..1.
    tau_rec_s : float
        Recovery time constant of synaptic resources [s], >= 0.
    k : float
        Synaptic gain [1], >= 0.

    Returns
    -------
    float or ndarray
        Drive a = k·ρ·f/(1 + U·f·τ_rec)/40 [1] (broadcast shape of the array arguments).

    Notes
    -----
    Tsodyks-Markram depressing synapse without facilitation: a spike releases U·x of the
    resources x, which recover as dx/dt = (1 − x)/τ_rec. For Poisson (irregular) firing at mean
    rate f the mean resource before a spike is exactly 1/(1 + U·f·τ_rec) (Tsodyks, Pawelzik &
    Markram 1998), so the release rate relative to an undepressed first spike is f·x; dividing
    by 40 Hz (:data:`DRIVE_RATE_SCALE_HZ`) makes a = 1 at an undepressed 40 Hz (SCIENCE.md
    section 4.4 [A form, P formalism]). Perfectly regular trains recover a little more between
    spikes, x = (1 − e)/(1 − (1 − U)·e) with e = exp(−1/(f·τ_rec)); that form is what
    :func:`effective_drive_burst` uses with one pulse per burst. The calibrated defaults of
    section 4.4 were fitted with the form here.

    Examples
    --------
    >>> round(float(effective_drive_tonic(40.0, 1.0, U=0.5, tau_rec_s=0.1, k=2.0)), 4)
    0.6667
    """
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6)
    rho = check_array("recruited_fraction", recruited_fraction, _DIMLESS, 0.0, 1.0)
    _check_synapse(U, tau_rec_s, k)
    a = k * rho * (f / (1.0 + U * f * tau_rec_s)) / DRIVE_RATE_SCALE_HZ
    return float(a) if a.ndim == 0 else a


def effective_drive_burst(intra_burst_rate_hz: float, pulses_per_burst: int,
                          burst_rate_hz: float, recruited_fraction: Any, U: float,
                          tau_rec_s: float, k: float) -> np.ndarray | float:
    """Mean effective drive of a burst train through a depressing synapse (periodic state).

    Parameters
    ----------
    intra_burst_rate_hz : float
        Firing rate inside a burst [Hz] (500 Hz for De Ridder burst), > 0.
    pulses_per_burst : int
        Spikes per burst [1], >= 1.
    burst_rate_hz : float
        Bursts per second [Hz], > 0; the burst must fit in its period.
    recruited_fraction : float or array
        Fraction ρ of fibres that fire on every pulse [1], 0..1.
    U, tau_rec_s, k : float
        Release fraction [1], resource recovery time constant [s], gain [1].

    Returns
    -------
    float or ndarray
        Cycle-averaged drive a = k·ρ·f_burst·Σ_n x_n / 40 [1].

    Notes
    -----
    Per-pulse Tsodyks-Markram recursion (Tsodyks & Markram 1997): before pulse n the resource is
    x_n; the pulse releases U·x_n; over the following interval Δ_n the resource recovers
    exponentially, x_{n+1} = 1 − (1 − (1 − U)·x_n)·exp(−Δ_n/τ_rec). The intervals of one cycle
    are (N − 1) intra-burst intervals and the gap to the next burst. The map over one cycle is
    affine, x ↦ A·x + B, so the periodic steady state is x_1 = B/(1 − A), and the other x_n
    follow in one pass: the cost is O(pulses_per_burst), independent of session length and
    pulse count (SCIENCE.md section 4.4: feed the burst pattern itself through the synapse).
    With one pulse per burst this reduces to the regular-train steady state, which is slightly
    larger than the Poisson form of :func:`effective_drive_tonic` (see there).

    Examples
    --------
    De Ridder burst (5 pulses at 500 Hz, 40 bursts/s) through the Aβ→I synapse:

    >>> round(effective_drive_burst(500.0, 5, 40.0, 1.0, U=0.5, tau_rec_s=0.1, k=2.0), 3)
    0.911
    """
    f_in = float(check_array("intra_burst_rate_hz", intra_burst_rate_hz, "Hz", 0.0, 1e6,
                             include_minimum=False))
    f_b = float(check_array("burst_rate_hz", burst_rate_hz, "Hz", 0.0, 1e4,
                            include_minimum=False))
    n_arr = check_array("pulses_per_burst", pulses_per_burst, _DIMLESS, 1.0, 1000.0)
    if n_arr.ndim != 0 or float(n_arr) != round(float(n_arr)):
        raise ParameterError(f"pulses_per_burst={pulses_per_burst!r} must be a whole number "
                             "in 1..1000", name="pulses_per_burst", value=pulses_per_burst)
    n = int(round(float(n_arr)))
    rho = check_array("recruited_fraction", recruited_fraction, _DIMLESS, 0.0, 1.0)
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
    x = _tm_periodic_resources(intervals, U, tau_rec_s)
    a = k * rho * f_b * float(x.sum()) / DRIVE_RATE_SCALE_HZ
    return float(a) if np.ndim(a) == 0 else a


def _tm_periodic_resources(intervals_s: np.ndarray, U: float, tau_rec_s: float) -> np.ndarray:
    """Resources x_n before each pulse in the periodic steady state of a repeating train."""
    e = np.exp(-intervals_s / tau_rec_s) if tau_rec_s > 0 else np.zeros_like(intervals_s)
    # One pulse + interval is the affine map x -> (1-U)·e·x + (1-e); compose over the cycle.
    A, B = 1.0, 0.0
    for ei in e:
        A, B = (1.0 - U) * ei * A, (1.0 - U) * ei * B + (1.0 - ei)
    x = np.empty_like(e)
    x[0] = B / (1.0 - A)  # A <= 1 - U < 1
    for i in range(len(e) - 1):
        x[i + 1] = (1.0 - U) * e[i] * x[i] + (1.0 - e[i])
    return x


def _check_synapse(U: float, tau_rec_s: float, k: float) -> None:
    check_array("U", U, _DIMLESS, 0.0, 1.0, include_minimum=False)
    check_array("tau_rec_s", tau_rec_s, "s", 0.0, 10.0)
    check_array("k", k, _DIMLESS, 0.0, 100.0)


@dataclass(frozen=True)
class StimDrives:
    """Stimulation-conditioned Aβ drives for :class:`GateInputs`.

    Attributes
    ----------
    a_beta_stim_I : float or ndarray
        Drive of stimulation-evoked Aβ activity onto inhibitory interneurons [1].
    a_beta_stim_P : float or ndarray
        Drive of the same activity onto the projection neuron [1].
    """

    a_beta_stim_I: Any
    a_beta_stim_P: Any


def stim_drives_tonic(rate_hz: Any, recruited_fraction: Any,
                      params: GateParams | None = None) -> StimDrives:
    """Both stimulation drives of a tonic train, with the synapse constants of ``params``.

    Parameters
    ----------
    rate_hz : float or array
        Firing rate the recruited Aβ fibres follow [Hz].
    recruited_fraction : float or array
        Recruited Aβ fraction [1], 0..1.
    params : GateParams, optional
        Source of k_I, U_I, τ_rec,I, k_P, U_P, τ_rec,P (defaults: SCIENCE.md section 4.4).

    Returns
    -------
    StimDrives
    """
    p = params or GateParams()
    return StimDrives(
        effective_drive_tonic(rate_hz, recruited_fraction, p.U_I, p.tau_rec_I_s, p.k_I),
        effective_drive_tonic(rate_hz, recruited_fraction, p.U_P, p.tau_rec_P_s, p.k_P))


def stim_drives_burst(intra_burst_rate_hz: float, pulses_per_burst: int, burst_rate_hz: float,
                      recruited_fraction: Any, params: GateParams | None = None) -> StimDrives:
    """Both stimulation drives of a burst train (see :func:`effective_drive_burst`).

    Parameters
    ----------
    intra_burst_rate_hz : float
        Rate inside the burst that the fibres follow [Hz].
    pulses_per_burst : int
        Pulses per burst [1].
    burst_rate_hz : float
        Bursts per second [Hz].
    recruited_fraction : float or array
        Recruited Aβ fraction [1], 0..1.
    params : GateParams, optional
        Source of the synapse constants.

    Returns
    -------
    StimDrives
    """
    p = params or GateParams()
    return StimDrives(
        effective_drive_burst(intra_burst_rate_hz, pulses_per_burst, burst_rate_hz,
                              recruited_fraction, p.U_I, p.tau_rec_I_s, p.k_I),
        effective_drive_burst(intra_burst_rate_hz, pulses_per_burst, burst_rate_hz,
                              recruited_fraction, p.U_P, p.tau_rec_P_s, p.k_P))


# ------------------------------------------------------------------------------------------
# Inputs, states, results
# ------------------------------------------------------------------------------------------
#: Input series of GateInputs: (unit, minimum, maximum). Drives are calibrated around a = 1
#: (a moderate stimulus); the cap of 100 only rejects nonsense (an undepressed Aβ→P synapse
#: at 1 kHz already gives ~10) [A].
_INPUT_RANGES: dict[str, tuple[str, float, float]] = {
    "a_beta": (_DIMLESS, 0.0, 100.0),
    "a_beta_stim_I": (_DIMLESS, 0.0, 100.0),
    "a_beta_stim_P": (_DIMLESS, 0.0, 100.0),
    "a_delta": (_DIMLESS, 0.0, 100.0),
    "a_delta_stim": (_DIMLESS, 0.0, 100.0),
    "a_C": (_DIMLESS, -10.0, 100.0),
    "c_volley_rate_hz": ("Hz", 0.0, 100.0),
    "khz_field": (_DIMLESS, 0.0, 1.0),
    "burst_on": (_DIMLESS, 0.0, 1.0),
    "b_desc": (_DIMLESS, -5.0, 5.0),
}


@dataclass(frozen=True)
class GateInputs:
    """Time series driving the gate, on a common grid; scalars are broadcast to the grid.

    Every series is piecewise constant: its value at sample k holds on [t_k, t_{k+1}).

    Attributes
    ----------
    t_s : array
        Sample times [s], strictly increasing (need not be uniform).
    a_beta : float or array
        Natural Aβ drive (touch, brush) [1], 0..100 (1 = moderate); reaches P, I and (via
        ``u``) E.
    a_beta_stim_I : float or array
        Stimulation-evoked Aβ drive after the Aβ→I synapse [1] (:func:`stim_drives_tonic`).
    a_beta_stim_P : float or array
        Stimulation-evoked Aβ drive after the Aβ→P synapse [1].
    a_delta : float or array
        Natural Aδ drive (pinprick, pinch) [1].
    a_delta_stim : float or array
        Stimulation-evoked Aδ drive (acupuncture-like TENS) [1]; excites P and drives the
        opioid state.
    a_C : float or array
        Evoked C drive added to :attr:`GateParams.a_C_ongoing` [1], -10..100; may be negative
        down to -a_C_ongoing (e.g. a block silencing ectopic firing); its positive part drives
        the sensitisation state.
    c_volley_rate_hz : float or array
        Rate of synchronous C volleys that wind up the projection neuron [Hz], 0..100.
    khz_field : float or array
        kHz field strength at the dorsal horn, relative to a clinical 10 kHz program [1], 0..1.
    burst_on : float or array
        Fraction of time a burst program runs [1], 0..1.
    b_desc : float or array
        Descending drive added to :attr:`GateParams.b_desc` [1], -5..5 (mood, drugs).
    """

    t_s: Any
    a_beta: Any = 0.0
    a_beta_stim_I: Any = 0.0
    a_beta_stim_P: Any = 0.0
    a_delta: Any = 0.0
    a_delta_stim: Any = 0.0
    a_C: Any = 0.0
    c_volley_rate_hz: Any = 0.0
    khz_field: Any = 0.0
    burst_on: Any = 0.0
    b_desc: Any = 0.0

    def __post_init__(self) -> None:
        t = check_array("t_s", self.t_s, "s", -math.inf, math.inf)
        if t.ndim != 1 or t.size == 0:
            raise ParameterError(f"t_s must be a non-empty 1-D array of times in s, got shape "
                                 f"{t.shape}", name="t_s", value=self.t_s)
        if t.size > 1 and not np.all(np.diff(t) > 0):
            i = int(np.argmax(~(np.diff(t) > 0)))
            raise ParameterError(f"t_s must increase strictly; t_s[{i + 1}]={_fmt(t[i + 1])} s "
                                 f"follows t_s[{i}]={_fmt(t[i])} s", name="t_s",
                                 value=float(t[i + 1]))
        t.setflags(write=False)
        object.__setattr__(self, "t_s", t)
        for name, (unit, lo, hi) in _INPUT_RANGES.items():
            arr = check_array(name, getattr(self, name), unit, lo, hi)
            try:
                arr = np.array(np.broadcast_to(arr, t.shape), dtype=float)
            except ValueError:
                raise ParameterError(f"{name} has shape {arr.shape}; expected a number or an "
                                     f"array of the grid's length {t.size}", name=name,
                                     value=getattr(self, name)) from None
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return int(self.t_s.size)


@dataclass(frozen=True)
class GateState:
    """State of the gate at one instant (to start or continue a simulation).

    Attributes
    ----------
    z : float
        Wind-up state [1], 0..z_max.
    sensitisation : float
        Central-sensitisation state s [1], 0..1.
    carryover : float
        Carried-over relief m [1], 0..1.
    opioid : float
        Descending/opioid state o [1], 0..1.
    P_hz, E_hz, I_hz : float or None
        Fast rates [Hz]; used only by :func:`simulate_gate_ode`; None = start at the
        quasi-static fixed point of the first inputs.
    """

    z: float = 0.0
    sensitisation: float = 0.0
    carryover: float = 0.0
    opioid: float = 0.0
    P_hz: float | None = None
    E_hz: float | None = None
    I_hz: float | None = None

    def __post_init__(self) -> None:
        for name, unit, lo, hi in (("z", _DIMLESS, 0.0, 100.0),
                                   ("sensitisation", _DIMLESS, 0.0, 1.0),
                                   ("carryover", _DIMLESS, 0.0, 1.0),
                                   ("opioid", _DIMLESS, 0.0, 1.0),
                                   ("P_hz", "Hz", 0.0, 1000.0), ("E_hz", "Hz", 0.0, 1000.0),
                                   ("I_hz", "Hz", 0.0, 1000.0)):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, float(check_array(name, v, unit, lo, hi)))


@dataclass(frozen=True)
class GateRates:
    """Fixed-point rates of the three fast populations.

    Attributes
    ----------
    P_hz, E_hz, I_hz : float or ndarray
        Projection, excitatory and inhibitory population rates [Hz].
    """

    P_hz: Any
    E_hz: Any
    I_hz: Any


@dataclass(frozen=True)
class GateResult:
    """Time series of one gate simulation; sample k belongs to t_s[k].

    Attributes
    ----------
    t_s : ndarray
        Sample times [s].
    P_hz, E_hz, I_hz : ndarray
        Projection (WDR, "T cell"), excitatory- and inhibitory-interneuron rates [Hz].
    z : ndarray
        Wind-up state [1].
    gain : ndarray
        C-input gain G = 1 + κ·z [1].
    sensitisation : ndarray
        Central-sensitisation state s [1], 0..1.
    carryover : ndarray
        Carried-over relief m [1], the slowly following fraction of the no-stimulation rate
        that stimulation removed (0 when INHIBITORY_CARRYOVER is off).
    opioid : ndarray
        Descending/opioid state o [1] (0 when DESCENDING_OPIOID is off).
    affective_scale : ndarray
        Factor applied to reported pain by BURST_SUPRASPINAL [1] (1 = none).
    nrs : ndarray
        Reported pain, 0-10 numeric rating scale [1], ``pain_nrs(P_hz) · affective_scale``
        (illustrative mapping [A], SCIENCE.md section 7).
    P_spikes : ndarray
        Cumulative projection-neuron spikes since t_s[0], ∫P dt [spikes].
    mechanisms : frozenset of Mechanism
        Mechanisms that were enabled.
    method : str
        ``"quasi-static"`` or ``"ode"``.
    """

    t_s: np.ndarray
    P_hz: np.ndarray
    E_hz: np.ndarray
    I_hz: np.ndarray
    z: np.ndarray
    gain: np.ndarray
    sensitisation: np.ndarray
    carryover: np.ndarray
    opioid: np.ndarray
    affective_scale: np.ndarray
    nrs: np.ndarray
    P_spikes: np.ndarray
    mechanisms: frozenset
    method: str

    @property
    def final_state(self) -> GateState:
        """State at the last sample (pass as ``initial`` to continue)."""
        return GateState(z=float(self.z[-1]), sensitisation=float(self.sensitisation[-1]),
                         carryover=float(self.carryover[-1]),
                         opioid=float(self.opioid[-1]), P_hz=float(self.P_hz[-1]),
                         E_hz=float(self.E_hz[-1]), I_hz=float(self.I_hz[-1]))


@dataclass(frozen=True)
class WindupResult:
    """Responses of the projection neuron to a train of C volleys (:func:`windup_protocol`).

    Attributes
    ----------
    volley_rate_hz : float
        Volley repetition rate [Hz].
    responses_spikes : ndarray
        Evoked projection spikes per volley, above the resting rate, in a window of
        min(0.5 s, volley period) from volley onset [spikes].
    ratio : float
        Last response over first response [1]: > 1 means wind-up.
    result : GateResult
        The full ODE time series.
    """

    volley_rate_hz: float
    responses_spikes: np.ndarray
    ratio: float
    result: GateResult


# ------------------------------------------------------------------------------------------
# Core equations
# ------------------------------------------------------------------------------------------
def _sig(c: Any, R: float, theta: float, sigma: float) -> Any:
    """F_X(c) = (R/2)·[1 + tanh((c − θ)/σ)]."""
    return 0.5 * R * (1.0 + np.tanh((c - theta) / sigma))


def _I_input(p: GateParams, mech: frozenset, a_beta: Any, a_beta_stim_I: Any, a_C_total: Any,
             khz_field: Any) -> Any:
    ab = a_beta + a_beta_stim_I if Mechanism.SEGMENTAL_AB_INHIBITION in mech else a_beta
    c = p.w_beta_I * ab - p.w_C_I * a_C_total
    if Mechanism.KHZ_DIRECT_INHIBITORY in mech:
        c = c + p.w_khz_I * khz_field
    return c


def _E_input(p: GateParams, G: Any, a_C_total: Any, a_beta: Any, I: Any) -> Any:
    return p.w_C_E * G * a_C_total + p.u * p.w_beta_E * a_beta - p.g_inh * p.w_I_E * I


def _P_input(p: GateParams, mech: frozenset, G: Any, E: Any, I: Any, a_beta: Any,
             a_beta_stim_P: Any, a_delta: Any, a_delta_stim: Any, a_C_total: Any,
             b_desc_total: Any, sens: Any, opioid: Any) -> Any:
    c = (p.w_beta_P * (a_beta + a_beta_stim_P) * (1.0 + p.u)
         + p.w_delta_P * (a_delta + a_delta_stim) + p.w_C_P * G * a_C_total + p.w_E_P * E
         - p.g_inh * p.w_I_P * I + b_desc_total + p.sensitisation_gain * sens)
    if Mechanism.DESCENDING_OPIOID in mech:
        c = c - p.w_opioid_P * opioid
    return c


#: Inputs that are stimulation (removed for the "no stimulation" counterfactual P_off).
_STIM_INPUTS = ("a_beta_stim_I", "a_beta_stim_P", "khz_field", "a_delta_stim")


def _fast_fixed_point(p: GateParams, mech: frozenset, d: dict[str, Any], z: Any, sens: Any,
                      opioid: Any) -> tuple[Any, Any, Any, Any]:
    """Quasi-static P̂, E, I and G (explicit: I, then E, then P). Internal, no validation."""
    a_C_total = p.a_C_ongoing + d["a_C"]
    G = 1.0 + p.kappa * z
    I = _sig(_I_input(p, mech, d["a_beta"], d["a_beta_stim_I"], a_C_total, d["khz_field"]),
             p.R_I_hz, p.theta_I, p.sigma_I)
    E = _sig(_E_input(p, G, a_C_total, d["a_beta"], I), p.R_E_hz, p.theta_E, p.sigma_E)
    P = _sig(_P_input(p, mech, G, E, I, d["a_beta"], d["a_beta_stim_P"], d["a_delta"],
                      d["a_delta_stim"], a_C_total, p.b_desc + d["b_desc"], sens, opioid),
             p.R_P_hz, p.theta_P, p.sigma_P)
    return P, E, I, G


def _P_off(p: GateParams, mech: frozenset, d: dict[str, Any], z: Any, sens: Any,
           opioid: Any) -> Any:
    """Counterfactual projection rate without any stimulation input (same slow states)."""
    return _fast_fixed_point(p, mech, {**d, **{n: 0.0 for n in _STIM_INPUTS}}, z, sens,
                             opioid)[0]


def _relief(P_hat: Any, P_off: Any) -> Any:
    """r: fraction of the no-stimulation rate that stimulation currently removes, 0..1."""
    P_hat, P_off = np.broadcast_arrays(np.asarray(P_hat, dtype=float),
                                       np.asarray(P_off, dtype=float))
    ratio = np.divide(P_hat, P_off, out=np.ones_like(P_off), where=P_off > 1e-12)
    return np.clip(1.0 - ratio, 0.0, 1.0)


def _apply_carryover(p: GateParams, mech: frozenset, P_hat: Any, relief: Any,
                     carry: Any) -> Any:
    """P = P̂·(1 − χ·max(m − r, 0)): only relief beyond the current one is added."""
    if Mechanism.INHIBITORY_CARRYOVER in mech:
        return P_hat * (1.0 - p.carryover_fraction * np.maximum(carry - relief, 0.0))
    return P_hat


def steady_state_rates(params: GateParams | None = None,
                       mechanisms: Iterable[Any] | None = None, *, a_beta: Any = 0.0,
                       a_beta_stim_I: Any = 0.0, a_beta_stim_P: Any = 0.0, a_delta: Any = 0.0,
                       a_delta_stim: Any = 0.0, a_C: Any = 0.0, khz_field: Any = 0.0,
                       b_desc: Any = 0.0, z: Any = 0.0, sensitisation: Any = 0.0,
                       carryover: Any = 0.0, opioid: Any = 0.0) -> GateRates:
    """Fixed point of P, E and I for constant drives and given slow states (vectorised).

    Parameters
    ----------
    params : GateParams, optional
        Model constants (default :class:`GateParams`).
    mechanisms : iterable of Mechanism, optional
        Enabled mechanisms (default all).
    a_beta, a_beta_stim_I, a_beta_stim_P, a_delta, a_delta_stim, a_C, khz_field, b_desc
        Drives as in :class:`GateInputs` [1]; arrays broadcast together (frequency sweeps).
    z, sensitisation, carryover, opioid : float or array
        Slow states [1] (default 0: a rested patient).

    Returns
    -------
    GateRates
        P_hz, E_hz, I_hz [Hz].

    Notes
    -----
    I = F_I(w_βI·(a_β + a_β,stim,I) − w_CI·a_C + w_kI·k), E = F_E(w_CE·G·a_C + u·w_βE·a_β −
    g_inh·w_IE·I), P̂ = F_P(...) as in the module equations, with a_C the ongoing plus evoked
    drive, and P = P̂·(1 − χ·max(m − r, 0)). This is the long-time limit of the fast ODEs: the
    system is feed-forward (I → E → P) with decaying self-terms, so the fixed point is unique
    and stable.

    Examples
    --------
    >>> round(float(steady_state_rates(a_C=1.0).P_hz), 1)   # SCIENCE 8.8: ≈ 30 Hz
    29.9
    """
    p = params or GateParams()
    mech = _mechanisms(mechanisms)
    raw = {"a_beta": a_beta, "a_beta_stim_I": a_beta_stim_I, "a_beta_stim_P": a_beta_stim_P,
           "a_delta": a_delta, "a_delta_stim": a_delta_stim, "a_C": a_C,
           "khz_field": khz_field, "b_desc": b_desc}
    d = {name: check_array(name, v, *_INPUT_RANGES[name]) for name, v in raw.items()}
    _check_total_C(p, d["a_C"])
    zz = check_array("z", z, _DIMLESS, 0.0, p.z_max)
    ss = check_array("sensitisation", sensitisation, _DIMLESS, 0.0, 1.0)
    cc = check_array("carryover", carryover, _DIMLESS, 0.0, 1.0)
    oo = check_array("opioid", opioid, _DIMLESS, 0.0, 1.0)
    P_hat, E, I, _ = _fast_fixed_point(p, mech, d, zz, ss, oo)
    P = _apply_carryover(p, mech, P_hat, _relief(P_hat, _P_off(p, mech, d, zz, ss, oo)), cc)

    def out(x: Any) -> Any:
        return float(x) if np.ndim(x) == 0 else x
    return GateRates(out(P), out(E), out(I))


def steady_pain_nrs(inputs: GateInputs, index: int, params: GateParams | None = None,
                    mechanisms: Iterable[Any] | None = None, *, b_desc_extra: Any = 0.0
                    ) -> np.ndarray:
    """Pain NRS once the drives of sample ``index`` have held long enough for every slow
    state to settle (wind-up, sensitisation, opioid tone and carry-over at their targets).

    Used by the days-to-weeks course (:mod:`sim.mood`), where one step lasts hours: pain is
    the gate's steady state, whatever the pulse rate, evaluated at once for every extra
    descending drive in ``b_desc_extra`` (an array: mood shifts to interpolate between).

    Parameters
    ----------
    inputs : GateInputs
        Drives on some grid; only sample ``index`` is used.
    index : int
        The sample whose drives are held.
    params, mechanisms
        As in :func:`simulate_gate`.
    b_desc_extra : float or array
        Descending drive added to the sample's [1].

    Returns
    -------
    ndarray
        NRS (0-10) for each value of ``b_desc_extra``, including the burst affective scale.
    """
    p = params or GateParams()
    mech = _mechanisms(mechanisms)
    d = {name: float(getattr(inputs, name)[index]) for name in _INPUT_RANGES}
    extra = np.atleast_1d(np.asarray(b_desc_extra, dtype=float))
    (lz, tz), (ls, ts), (lo, to) = _slow_rates(p, mech, d["c_volley_rate_hz"], d["a_C"],
                                               d["a_delta_stim"])
    d["b_desc"] = d["b_desc"] + extra
    P_hat, _, _, _ = _fast_fixed_point(p, mech, d, float(tz), float(ts), float(to))
    # At steady state the carry-over equals the current relief: it adds nothing (P = P̂).
    return np.broadcast_to(_nrs(P_hat) * _affective_scale(p, mech, d["burst_on"]),
                           extra.shape).astype(float)


def _check_total_C(p: GateParams, a_C: np.ndarray) -> None:
    total = p.a_C_ongoing + a_C
    if np.any(total < 0):
        v = float(np.asarray(a_C)[total < 0].flat[0]) if np.ndim(a_C) else float(a_C)
        raise ParameterError(
            f"a_C={_fmt(v)} would make the total C drive negative; with "
            f"a_C_ongoing={_fmt(p.a_C_ongoing)} the evoked a_C must be >= "
            f"{_fmt(-p.a_C_ongoing)}", name="a_C", value=v)


# ------------------------------------------------------------------------------------------
# Slow states: exact exponential steps, evaluated for all steps at once
# ------------------------------------------------------------------------------------------
def _affine_scan(a: np.ndarray, b: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """x_{k+1} = a_k·x_k + b_k along the last axis; returns x_0..x_N (N = a.shape[-1]).

    Hillis-Steele parallel prefix over the associative composition of affine maps
    (a2, b2)∘(a1, b1) = (a2·a1, a2·b1 + b2): log2(N) vectorised passes, no Python loop over
    time, and numerically stable because the a_k lie in [0, 1].
    """
    A = np.array(a, dtype=float)
    B = np.array(b, dtype=float)
    n = A.shape[-1]
    s = 1
    while s < n:
        B[..., s:] = A[..., s:] * B[..., :-s] + B[..., s:]
        A[..., s:] = A[..., s:] * A[..., :-s]
        s *= 2
    x0 = np.asarray(x0, dtype=float)[..., None]
    return np.concatenate([x0, A * x0 + B], axis=-1)


def _slow_rates(p: GateParams, mech: frozenset, r_c_hz: Any, a_C_evoked: Any,
                a_delta_stim: Any) -> tuple[tuple[Any, Any], ...]:
    """(loss rate λ [1/s], target) of z, s and o: dx/dt = λ·(target − x).

    Shared by both solvers so that they integrate the same equations. (The carry-over m has
    λ = 1/τ_m and target = current relief; it is handled by the callers.)
    """
    lam_z = 1.0 / p.tau_z_s + p.delta_z * r_c_hz / p.z_max
    tgt_z = p.delta_z * r_c_hz / lam_z
    drive_s = p.sensitisation_rate_per_s * np.maximum(a_C_evoked, 0.0)
    lam_s = drive_s + 1.0 / p.tau_sensitisation_s
    tgt_s = drive_s / lam_s
    lam_o = 1.0 / p.tau_opioid_s
    tgt_o = (np.clip(a_delta_stim, 0.0, 1.0)
             if Mechanism.DESCENDING_OPIOID in mech else 0.0 * a_delta_stim)
    return (lam_z, tgt_z), (lam_s, tgt_s), (lam_o, tgt_o)


def _affective_scale(p: GateParams, mech: frozenset, burst_on: Any) -> Any:
    """Scale on the rated pain from the burst supraspinal (affective) mechanism [1]."""
    if Mechanism.BURST_SUPRASPINAL in mech:
        return 1.0 - p.burst_affective_reduction * burst_on
    return 1.0 + 0.0 * burst_on


def _result(inputs: GateInputs, p: GateParams, mech: frozenset, P: np.ndarray, E: np.ndarray,
            I: np.ndarray, z: np.ndarray, sens: np.ndarray, carry: np.ndarray,
            opioid: np.ndarray, spikes: np.ndarray, method: str) -> GateResult:
    affective = _affective_scale(p, mech, inputs.burst_on)
    return GateResult(
        t_s=inputs.t_s, P_hz=P, E_hz=E, I_hz=I, z=z, gain=1.0 + p.kappa * z,
        sensitisation=sens, carryover=carry, opioid=opioid,
        affective_scale=np.asarray(affective, dtype=float),
        nrs=_nrs(P) * affective, P_spikes=spikes, mechanisms=mech, method=method)


def _inputs_dict(inputs: GateInputs) -> dict[str, np.ndarray]:
    return {name: getattr(inputs, name) for name in _INPUT_RANGES}


def simulate_gate(inputs: GateInputs, params: GateParams | None = None,
                  mechanisms: Iterable[Any] | None = None,
                  initial: GateState | None = None) -> GateResult:
    """Session-scale gate simulation: quasi-static fast populations, exact slow states.

    Parameters
    ----------
    inputs : GateInputs
        Drive series on the session grid (recommended step :data:`SESSION_DT_S`).
    params : GateParams, optional
        Patient and model constants (default: normal preset).
    mechanisms : iterable of Mechanism or str, optional
        Enabled mechanisms of relief (default :data:`ALL_MECHANISMS`).
    initial : GateState, optional
        Slow states at t_s[0] (default all zero: no wind-up, sensitisation, carry-over or
        opioid tone). Its fast rates are ignored.

    Returns
    -------
    GateResult
        ``method="quasi-static"``.

    Notes
    -----
    Over each interval [t_k, t_{k+1}) the inputs are constant, so each slow state obeys
    dx/dt = λ_k·(x̄_k − x) with constant λ_k, x̄_k (z: λ = 1/τ_z + Δz·r_C/z_max,
    x̄ = Δz·r_C/λ; s: λ = k_s·a_C⁺ + 1/τ_s, x̄ = k_s·a_C⁺/λ; o: λ = 1/τ_o,
    x̄ = clip(a_δ,stim, 0, 1); m: λ = 1/τ_m, x̄ = relief r_k) and is advanced exactly:
    x_{k+1} = x̄_k + (x_k − x̄_k)·exp(−λ_k·Δt_k). z, s and o do not depend on the fast
    populations, so they are computed first; then P̂, E, I and P_off at every sample; then m
    from the relief r; then P = P̂·(1 − χ·max(m − r, 0)). See the module notes for the separation
    of time scales. Wind-up from individual volleys needs the event form of z: use
    :func:`simulate_gate_ode` with ``c_volley_times_s``; here volleys enter as a mean rate.

    Examples
    --------
    Tonic 50 Hz SCS for 30 s, then off, in a patient with ongoing C drive:

    >>> t = np.arange(0.0, 60.0, SESSION_DT_S)
    >>> stim = stim_drives_tonic(np.where(t < 30, 50.0, 0.0), 1.0)
    >>> res = simulate_gate(GateInputs(t, a_beta_stim_I=stim.a_beta_stim_I,
    ...                                a_beta_stim_P=stim.a_beta_stim_P),
    ...                     GateParams(a_C_ongoing=1.0))
    >>> round(float(res.nrs[0]), 1), round(float(res.nrs[-1]), 1)
    (0.5, 5.4)
    """
    p = params or GateParams()
    mech = _mechanisms(mechanisms)
    init = initial or GateState()
    _check_total_C(p, inputs.a_C)
    d = _inputs_dict(inputs)
    t = inputs.t_s
    dt = np.diff(t)
    carry_on = Mechanism.INHIBITORY_CARRYOVER in mech
    rates = _slow_rates(p, mech, d["c_volley_rate_hz"], d["a_C"], d["a_delta_stim"])
    lam = np.stack([np.broadcast_to(r[0], t.shape)[:-1] for r in rates])
    tgt = np.stack([np.broadcast_to(r[1], t.shape)[:-1] for r in rates])
    decay = np.exp(-lam * dt)
    x0 = np.array([init.z, init.sensitisation,
                   init.opioid if Mechanism.DESCENDING_OPIOID in mech else 0.0])
    z, sens, opioid = _affine_scan(decay, tgt * (1.0 - decay), x0)
    P_hat, E, I, _ = _fast_fixed_point(p, mech, d, z, sens, opioid)
    if carry_on:
        relief = _relief(P_hat, _P_off(p, mech, d, z, sens, opioid))
        decay_m = np.exp(-dt / p.tau_carryover_s)
        carry = _affine_scan(decay_m, relief[:-1] * (1.0 - decay_m), np.array(init.carryover))
        P = _apply_carryover(p, mech, P_hat, relief, carry)
    else:
        carry, P = np.zeros_like(t), P_hat
    spikes = np.concatenate([[0.0], np.cumsum(P[:-1] * dt)])
    return _result(inputs, p, mech, P, E, I, z, sens, carry, opioid, spikes, "quasi-static")


# ------------------------------------------------------------------------------------------
# Full dynamic ODE (short protocols, validation)
# ------------------------------------------------------------------------------------------
def simulate_gate_ode(inputs: GateInputs, params: GateParams | None = None,
                      mechanisms: Iterable[Any] | None = None,
                      initial: GateState | None = None, *, c_volley_times_s: Any = (),
                      rtol: float = 1e-6, atol: float = 1e-6) -> GateResult:
    """Full dynamic gate model (all seven states) with ``scipy.integrate.solve_ivp``.

    For protocols of up to a few minutes; cost grows with the number of input changes and
    volleys, not with the grid density.

    Parameters
    ----------
    inputs : GateInputs
        Piecewise-constant drive series; states are reported at ``inputs.t_s``.
    params : GateParams, optional
        Model constants.
    mechanisms : iterable of Mechanism or str, optional
        Enabled mechanisms (default all).
    initial : GateState, optional
        Initial state; missing fast rates start at the quasi-static fixed point of the first
        inputs (default: rested patient at equilibrium).
    c_volley_times_s : array of float
        Times of synchronous C volleys [s] within [t_s[0], t_s[-1]]: z jumps by
        Δz·(1 − z/z_max) at each (the δ-terms of SCIENCE.md section 4.2). A state sampled at
        the time of a volley is reported after the jump.
    rtol, atol : float
        Tolerances of the LSODA integrator [1] and [Hz].

    Returns
    -------
    GateResult
        ``method="ode"``.

    Notes
    -----
    τ_P·dP/dt = F_P(...)·(1 − χ·max(m − r, 0)) − P, τ_E·dE/dt = F_E(...) − E,
    τ_I·dI/dt = F_I(...) − I with the dynamic E and I inside F_P and F_E; the slow states as in
    :func:`simulate_gate` (relief r = 1 − F_P(...)/P_off with the dynamic E and I, P_off the
    quasi-static no-stimulation rate, r = 0 while no stimulation input is present); and
    dN/dt = P for the cumulative spike count. LSODA switches between stiff and non-stiff
    methods (τ_P = 1 ms against τ_o = 600 s); integration restarts at every input change and
    volley, so discontinuities never fall inside a step.
    """
    p = params or GateParams()
    mech = _mechanisms(mechanisms)
    init = initial or GateState()
    _check_total_C(p, inputs.a_C)
    check_array("rtol", rtol, _DIMLESS, 0.0, 0.1, include_minimum=False)
    check_array("atol", atol, _DIMLESS, 0.0, 1.0, include_minimum=False)
    t = inputs.t_s
    volleys = np.sort(check_array("c_volley_times_s", c_volley_times_s, "s", float(t[0]),
                                  float(t[-1])).ravel())
    names = list(_INPUT_RANGES)
    U = np.stack([getattr(inputs, n) for n in names], axis=1)  # (N, n_inputs)
    row0 = dict(zip(names, U[0]))
    carry0 = init.carryover if Mechanism.INHIBITORY_CARRYOVER in mech else 0.0
    op0 = init.opioid if Mechanism.DESCENDING_OPIOID in mech else 0.0
    P0, E0, I0, _ = _fast_fixed_point(p, mech, row0, init.z, init.sensitisation, op0)
    P0 = _apply_carryover(p, mech, P0, _relief(P0, _P_off(p, mech, row0, init.z,
                                                           init.sensitisation, op0)), carry0)
    y = np.array([init.P_hz if init.P_hz is not None else float(P0),
                  init.E_hz if init.E_hz is not None else float(E0),
                  init.I_hz if init.I_hz is not None else float(I0),
                  init.z, init.sensitisation, carry0, op0, 0.0])

    def jump(y: np.ndarray, t_now: float) -> np.ndarray:
        for _ in range(int(np.count_nonzero(volleys == t_now))):
            y[3] += p.delta_z * (1.0 - y[3] / p.z_max)
        return y

    change = np.flatnonzero(np.any(U[1:] != U[:-1], axis=1)) + 1
    bounds = np.unique(np.concatenate([[t[0], t[-1]], t[change], volleys]))
    out = np.empty((t.size, 8))
    y = jump(y, float(t[0]))
    for b0, b1 in zip(bounds[:-1], bounds[1:]):
        row = dict(zip(names, U[np.searchsorted(t, b0, side="right") - 1]))
        idx = np.flatnonzero((t >= b0) & (t < b1))
        t_eval = np.concatenate([t[idx], [b1]])
        sol = solve_ivp(_ode_rhs, (float(b0), float(b1)), y, method="LSODA", t_eval=t_eval,
                        rtol=rtol, atol=atol, args=(p, mech, row))
        if not sol.success:  # pragma: no cover - LSODA does not fail on this smooth system
            raise RuntimeError(f"gate ODE failed between {b0} and {b1} s: {sol.message}")
        out[idx] = sol.y[:, :-1].T
        y = jump(sol.y[:, -1].copy(), float(b1))
    out[-1] = y
    P, E, I, z, sens, carry, opioid, spikes = out.T
    return _result(inputs, p, mech, P, E, I, z, sens, carry, opioid, spikes, "ode")


def _ode_rhs(_t: float, y: np.ndarray, p: GateParams, mech: frozenset,
             row: dict[str, float]) -> np.ndarray:
    P, E, I, z, sens, carry, opioid, _ = y
    a_C_total = p.a_C_ongoing + row["a_C"]
    G = 1.0 + p.kappa * z
    I_inf = _sig(_I_input(p, mech, row["a_beta"], row["a_beta_stim_I"], a_C_total,
                          row["khz_field"]), p.R_I_hz, p.theta_I, p.sigma_I)
    E_inf = _sig(_E_input(p, G, a_C_total, row["a_beta"], I), p.R_E_hz, p.theta_E, p.sigma_E)
    P_inf = _sig(_P_input(p, mech, G, E, I, row["a_beta"], row["a_beta_stim_P"],
                          row["a_delta"], row["a_delta_stim"], a_C_total,
                          p.b_desc + row["b_desc"], sens, opioid), p.R_P_hz, p.theta_P,
                 p.sigma_P)
    if Mechanism.INHIBITORY_CARRYOVER in mech:
        # Without stimulation input r = 0 by definition (P̂ = P_off at the fixed point); this
        # keeps the dynamic transients of E and P from being read as relief.
        stim = any(row[n] != 0.0 for n in _STIM_INPUTS)
        relief = float(_relief(P_inf, _P_off(p, mech, row, z, sens, opioid))) if stim else 0.0
        dcarry = (relief - carry) / p.tau_carryover_s
        P_inf = _apply_carryover(p, mech, P_inf, relief, carry)
    else:
        dcarry = 0.0
    (lz, tz), (ls, ts), (lo, to) = _slow_rates(p, mech, row["c_volley_rate_hz"], row["a_C"],
                                               row["a_delta_stim"])
    return np.array([(P_inf - P) / p.tau_P_s, (E_inf - E) / p.tau_E_s, (I_inf - I) / p.tau_I_s,
                     lz * (tz - z), ls * (ts - sens), dcarry, lo * (to - opioid), P])


#: Rest before the first volley of :func:`windup_protocol` [s]: the resting rate is read there.
_WINDUP_REST_S = 1.0


def windup_protocol(volley_rate_hz: float, *, n_volleys: int = 16, volley_a_C: float = 0.85,
                    volley_duration_s: float = 0.1, params: GateParams | None = None,
                    mechanisms: Iterable[Any] | None = None) -> WindupResult:
    """Wind-up: projection responses to a train of C volleys (full ODE).

    Parameters
    ----------
    volley_rate_hz : float
        Volley repetition rate [Hz], 0.01..10 (experiments use 0.5-1 Hz).
    n_volleys : int
        Number of volleys [1], 2..100 (16 in SCIENCE.md section 4.6).
    volley_a_C : float
        C drive during a volley [1], 0..10; 0.85 is a moderate, sub-saturating volley [A].
    volley_duration_s : float
        Duration of the C drive of one volley [s]; 0.1 s [A] reflects the temporal dispersion
        of a C volley (conduction 0.5-2 m/s over ~0.1 m: 50-200 ms [T, SCIENCE 3.1]).
    params : GateParams, optional
        Model constants (κ = 0 models NMDA block).
    mechanisms : iterable of Mechanism, optional
        Enabled mechanisms.

    Returns
    -------
    WindupResult

    Notes
    -----
    Each volley raises the C drive to ``volley_a_C`` for ``volley_duration_s`` and then
    increments z (the δ-term of SCIENCE.md section 4.2) at the end of the volley: the slow
    NMDA/NK1 depolarisation (NK1 rise 100-200 ms [P Zhang 2014 code]) potentiates the following
    volleys, not the one that caused it, so the first response is the unpotentiated one.
    Response = spikes in min(0.5 s, period) after volley onset minus the resting rate times
    that window.
    """
    f = float(check_array("volley_rate_hz", volley_rate_hz, "Hz", 0.01, 10.0))
    n = int(check_array("n_volleys", n_volleys, _DIMLESS, 2, 100))
    d = float(check_array("volley_duration_s", volley_duration_s, "s", 0.0, 10.0,
                          include_minimum=False))
    a = float(check_array("volley_a_C", volley_a_C, _DIMLESS, 0.0, 10.0))
    period = 1.0 / f
    if d >= period:
        raise ParameterError(f"volley_duration_s={_fmt(d)} must be shorter than the volley "
                             f"period {_fmt(period)} s", name="volley_duration_s", value=d)
    win = min(0.5, period)
    onsets = _WINDUP_REST_S + np.arange(n) * period
    t = np.unique(np.concatenate([[0.0], onsets, onsets + d, onsets + win,
                                  [onsets[-1] + period]]))
    a_C = np.zeros_like(t)
    for t0 in onsets:
        a_C[(t >= t0) & (t < t0 + d)] = a
    res = simulate_gate_ode(GateInputs(t, a_C=a_C), params, mechanisms,
                            c_volley_times_s=onsets + d)
    i0 = np.searchsorted(t, onsets)
    i1 = np.searchsorted(t, onsets + win)
    rest = float(res.P_hz[0])  # resting rate before the first volley
    resp = res.P_spikes[i1] - res.P_spikes[i0] - rest * win
    return WindupResult(f, resp, float(resp[-1] / resp[0]), res)


# ------------------------------------------------------------------------------------------
# Percepts
# ------------------------------------------------------------------------------------------
def _nrs(P: Any, p0: float | None = None, psat: float = 50.0, gamma: float = 1.0) -> Any:
    p0 = REFERENCE_P0_HZ if p0 is None else p0
    return 10.0 * np.clip((P - p0) / (psat - p0), 0.0, 1.0) ** gamma


def pain_nrs(P_hz: Any, p0_hz: float | None = None, psat_hz: float = 50.0,
             gamma: float = 1.0) -> Any:
    """Pain on the 0-10 numeric rating scale from the projection rate (illustrative [A]).

    Parameters
    ----------
    P_hz : float or array
        Projection-neuron rate [Hz], >= 0.
    p0_hz : float, optional
        Rate at which pain starts [Hz]; default :data:`REFERENCE_P0_HZ`, the resting projection
        rate of the normal preset (≈ 2 Hz), so a pain-free person at rest reports 0.
    psat_hz : float
        Rate reported as 10 [Hz]; default R_P = 50 Hz.
    gamma : float
        Exponent [1], 0.1..3; 1 = linear, 0.6-1 a compressive, Stevens-like curve.

    Returns
    -------
    float or ndarray
        NRS = 10·clip((P − P_0)/(P_sat − P_0), 0, 1)^γ [0-10].

    Notes
    -----
    No published source maps a projection rate to an NRS score: this mapping is an
    illustrative teaching assumption [A] (SCIENCE.md section 7). "Responder" = >= 50 %
    reduction from baseline, as in the trials. The reported pain of a simulation is this value
    times :attr:`GateResult.affective_scale`.

    Examples
    --------
    >>> round(float(pain_nrs(26.0)), 1)
    5.0
    """
    P = check_array("P_hz", P_hz, "Hz", 0.0, 1e4)
    p0 = REFERENCE_P0_HZ if p0_hz is None else float(check_array("p0_hz", p0_hz, "Hz", 0.0, 1e3))
    psat = float(check_array("psat_hz", psat_hz, "Hz", 0.0, 1e4, include_minimum=False))
    g = float(check_array("gamma", gamma, _DIMLESS, 0.1, 3.0))
    if psat <= p0:
        raise ParameterError(f"psat_hz={_fmt(psat)} must exceed p0_hz={_fmt(p0)} Hz",
                             name="psat_hz", value=psat)
    out = _nrs(P, p0, psat, g)
    return float(out) if np.ndim(out) == 0 else out


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
        ρ at which paresthesia is first felt [1]; 0.02 (perception at ρ ≈ 1-5 %, SCIENCE.md
        section 3.3 [T]).
    saturation_fraction : float
        ρ felt as maximal, about the discomfort threshold [1]; 0.5 [A].
    half_rate_hz : float
        Rate at which the rate factor is one half [Hz]; 5 Hz [A] (single taps below, fused
        tingling above).

    Returns
    -------
    float or ndarray
        10·clip((ρ − ρ_PT)/(ρ_sat − ρ_PT), 0, 1)·f/(f + f_½) [0-10].

    Notes
    -----
    Read from the dorsal-column/nerve activity itself (presynaptic), not from the dorsal-horn
    gate: paresthesia is carried to the brain by the dorsal columns [T]. Sub-perception programs
    (10 kHz at clinical amplitudes, burst below threshold) recruit ρ < ρ_PT and give 0. The
    mapping is illustrative [A]; pulse-to-pulse synchrony, which recent work ties to whether
    high-rate SCS is felt (Sagalajev et al. 2024 Neuron [S]), is not modelled.

    Examples
    --------
    >>> round(float(paresthesia_intensity(0.3, 50.0)), 2)
    5.3
    """
    rho = check_array("recruited_fraction", recruited_fraction, _DIMLESS, 0.0, 1.0)
    f = check_array("rate_hz", rate_hz, "Hz", 0.0, 1e6)
    pt = float(check_array("perception_threshold_fraction", perception_threshold_fraction, "",
                           0.0, 1.0))
    sat = float(check_array("saturation_fraction", saturation_fraction, _DIMLESS, 0.0, 1.0))
    fh = float(check_array("half_rate_hz", half_rate_hz, "Hz", 0.0, 1e4, include_minimum=False))
    if sat <= pt:
        raise ParameterError(f"saturation_fraction={_fmt(sat)} must exceed "
                             f"perception_threshold_fraction={_fmt(pt)}",
                             name="saturation_fraction", value=sat)
    out = 10.0 * np.clip((rho - pt) / (sat - pt), 0.0, 1.0) * f / (f + fh)
    return float(out) if np.ndim(out) == 0 else out


#: Resting projection rate of the normal preset with no input [Hz] (≈ 2.02 Hz): P_0 of the NRS
#: mapping (SCIENCE.md section 7).
REFERENCE_P0_HZ: float = float(
    _fast_fixed_point(GateParams(), ALL_MECHANISMS, {n: 0.0 for n in _INPUT_RANGES},
                      0.0, 0.0, 0.0)[0])
