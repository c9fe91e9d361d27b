"""Dorsal-horn gate: afferent drive in, firing of the dorsal horn's output neurons out.

Structure (Melzack & Wall 1965 [P structure], with the cell types later work resolved):
large afferents (Aβ) excite the wide-dynamic-range (WDR) projection neuron of the deep dorsal
horn and the inhibitory interneurons; small afferents (Aδ, C) excite the WDR neuron, the
nociceptive-specific (NS) projection neurons of lamina I, excitatory interneurons (which relay
C input polysynaptically, and, once inhibition fails, Aβ input too: the unmasked allodynia path,
Torsney & MacDermott 2006 J Neurosci 26:1833; Lu et al. 2013 J Clin Invest 123:4050 [P]) and
inhibitory "islet" interneurons (a monosynaptic C input, Lu & Perl 2003 J Neurosci 23:8752 [P]:
feed-forward inhibition). The inhibitory interneurons (GABA/glycine) inhibit the excitatory
interneurons and both projection neurons. Descending control adds to both projection neurons.

This module stops at the neurons. What a person feels is read from them in
:mod:`sim.percept`: pain from the nociceptive output (lamina I NS plus the nociceptive share of
the WDR output), paresthesia from the stimulated Aβ fibres themselves.

Populations and states
----------------------
========================  ===========================================  =============  =====
symbol (result field)     meaning                                      time constant  tag
========================  ===========================================  =============  =====
P  (``P_hz``)             WDR projection neuron, all of its input       τ_P = 1 ms     [S]
P_n (``P_noci_hz``)       its nociceptive share (no Aβ excitation)      τ_P            [A]
N  (``N_hz``)             lamina I nociceptive-specific neurons         τ_N = 1 ms     [A]
E  (``E_hz``)             excitatory interneurons                       τ_E = 20 ms    [S]
I  (``I_hz``)             inhibitory (GABA/glycine) interneurons        τ_I = 20 ms    [S,P]
z  (``z``)                wind-up (NMDA/NK1)                            τ_z = 3 s      [A,P]
s  (``sensitisation``)    central sensitisation                        τ_s = 300 s    [A]
m  (``carryover``)        relief carried over after stimulation         τ_m = 300 s    [A]
o  (``opioid``)           descending/opioid inhibition                 τ_o = 600 s    [A]
k  (``khz``)              kilohertz-induced inhibitory drive            τ_k = 1 day    [A]
========================  ===========================================  =============  =====

Equations (every constant is a field of :class:`GateParams` with its source)::

    I = F_I( b_I + w_βI·(a_β + a_β,stim,I) + w_CI·a_C )
    E = F_E( w_CE·G·a_C + u·w_βE·a_β − g·w_IE·I )
    x = w_δP·(a_δ + a_δ,stim) + w_CP·G·a_C + w_EP·E − g·(w_IP·I + w_k·k) + b_desc + g_s·s − w_o·o
    P̂ = F_P( x + w_βP·(a_β + a_β,stim,P) ),      P̂_n = F_P( x )
    N̂ = F_N( w_δN·(a_δ + a_δ,stim) + w_CN·G·a_C + w_EN·E − g·(w_IN·I + w_k·k) + b_desc
             + g_s·s − w_o·o )
    Ŝ = N̂ + λ·P̂_n                                   (the nociceptive output)
    (P, P_n, N) = (P̂, P̂_n, N̂)·(1 − χ·max(m − r, 0)),   r = clip(1 − Ŝ/S_off, 0, 1)
    F_X(c) = (R_X/2)·[1 + tanh((c − θ_X)/σ_X)],      G = 1 + κ·z
    dz/dt = −z/τ_z + Δz·(1 − z/z_max)·[r_C(t) + Σ_k δ(t − t_k)]
    ds/dt = k_s·max(a_C,evoked, 0)·(1 − s) − s/τ_s
    τ_o do/dt = d_o − o (recruited Aδ share),    τ_k dk/dt = k_field − k,    τ_m dm/dt = r − m

a_C is the patient's ongoing C drive (:attr:`GateParams.a_C_ongoing`) plus the evoked C drive of
the inputs; b_desc adds :attr:`GateParams.b_desc` to the input series. S_off is Ŝ with the fast
stimulation inputs (a_β,stim,I, a_β,stim,P, a_δ,stim) removed and the same slow states, so r
is the share of the nociceptive output that stimulation currently removes.

Why the percept does not read P: stimulated Aβ fibres excite the WDR neuron directly, and at
high rates that excitation exceeds the inhibition they recruit (the WDR output rises above its
baseline, as in the biophysical network of Zhang, Janik & Grill 2014 [P]); that activity is what
the patient feels as paresthesia, not as pain. The nociceptive share P_n is the WDR output with
the Aβ excitation left out and every inhibition kept.

Frequency response (the protocol of Zhang, Janik & Grill 2014: a healthy dorsal horn with
ongoing C input, every dorsal-column fibre under the lead recruited and following every pulse):
the Aβ→I synapse depresses early (U = 0.5, τ_rec = 100 ms: the inhibition saturates at tens of
Hz) while the Aβ→WDR synapse depresses late (U = 0.1, τ_rec = 20 ms), so P falls deepest at tens
of Hz, returns to its baseline near 80-100 Hz and rises above it at higher rates. With weaker
GABA/glycine (g < 1) the tonic inhibition of the excitatory interneurons fails, the ongoing C
input reaches P through them, and stimulation-driven inhibition silences them again: much of the
inhibition remains, the deepest point moves to lower rates and the return to baseline to higher
rates, as in Zhang et al.'s network.

Mechanisms of relief (:class:`Mechanism`) are switchable hypotheses; a disabled mechanism's term
is zero: SEGMENTAL_AB_INHIBITION removes a_β,stim,I; KHZ_DIRECT_INHIBITORY removes k;
DESCENDING_OPIOID removes o; INHIBITORY_CARRYOVER removes m; BURST_SUPRASPINAL acts in
:mod:`sim.percept`.

Two solvers, one model
----------------------
:func:`simulate_gate` (sessions of seconds to hours) treats P, P_n, N, E and I as quasi-static:
their time constants (1-20 ms) are two orders of magnitude below the slowest-but-one state
(τ_z = 3 s) and below the time scale on which session inputs change. The fixed point is
explicit because the circuit is feed-forward (I, then E, then P, P_n and N), evaluated
vectorised over all samples. The slow states are linear in themselves with piecewise-constant
coefficients, so each step is an exact exponential update, evaluated for all steps at once with
a parallel prefix scan: cost depends only on the number of grid samples, never on the pulse
rate. :data:`SESSION_DT_S` (20 ms) is the recommended grid.

:func:`simulate_gate_ode` integrates every state with ``scipy.integrate.solve_ivp`` (LSODA) for
short protocols: wind-up (:func:`windup_protocol`) and checks of the quasi-static solver.

References
----------
Melzack R., Wall P.D. (1965) Pain mechanisms: a new theory. Science 150:971-979.
Zhang T.C., Janik J.J., Grill W.M. (2014) Modeling effects of spinal cord stimulation on
wide-dynamic range dorsal horn neurons: influence of stimulation frequency and GABAergic
inhibition. J Neurophysiol 112:552-567 (and its public model code, ModelDB 168414).
Lu Y., Perl E.R. (2003) A specific inhibitory pathway between substantia gelatinosa neurons
receiving direct C-fiber input. J Neurosci 23:8752-8758.
Torsney C., MacDermott A.B. (2006) Disinhibition opens the gate to pathological pain signaling
in superficial neurokinin 1 receptor-expressing neurons in rat spinal cord. J Neurosci
26:1833-1843.
Gilbert J.E. et al. (2022) Surround inhibition mediates pain relief by low amplitude spinal cord
stimulation. eNeuro 9:ENEURO.0058-22.2022.
Medlock L. et al. (2023) J Neurophysiol (unmasked Aβ→lamina I pathway; SCS vs pinch).
Mendell L.M. (1966) Exp Neurol 16:316-332 (wind-up).
Woolf C.J. (1983) Nature 306:686-688 (central sensitisation).
Cui J.G. et al. (1997) Pain 73:87-95 (GABA release with SCS).
Lee K.Y. et al. (2020) Neuroscience 428:132-139 (10 kHz and inhibitory interneurons).
Meuwissen K.P.V. et al. (2020) Pain Pract 20:75-87 (burst and tonic SCS act through GABA).
Sluka K.A. et al. (1999) J Pharmacol Exp Ther 289:840-846 (opioids and TENS).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from sim.params import ParameterError, check_array, format_number as _fmt
from sim.synapses import DRIVE_RATE_SCALE_HZ, burst_drive, tonic_drive

__all__ = [
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
    "stim_drives_tonic",
    "stim_drives_burst",
    "steady_state_rates",
    "steady_nociceptive_hz",
    "steady_outputs",
    "simulate_gate",
    "simulate_gate_ode",
    "windup_protocol",
    "DRIVE_RATE_SCALE_HZ",
    "SESSION_DT_S",
    "MAX_SESSION_SAMPLES",
    "session_grid",
]

_DIMLESS = "(dimensionless)"

#: Recommended session grid step for :func:`simulate_gate` [s] [A]: equal to τ_E, so a fast
#: transient spans at most ~3 samples, and 30 minutes are 90 000 samples.
SESSION_DT_S = 0.02
#: Largest number of time samples of one session. Up to 30 minutes the grid is the gate's
#: recommended step (:data:`SESSION_DT_S` = 20 ms); longer sessions use a coarser step so
#: that cost stays linear in duration up to 30 minutes and bounded beyond [A].
MAX_SESSION_SAMPLES = 90_000


def session_grid(duration_s: float) -> np.ndarray:
    """Sample times of a session [s]: 20 ms steps, coarser beyond 30 minutes."""
    dt = max(SESSION_DT_S, duration_s / MAX_SESSION_SAMPLES)
    n = int(math.ceil(duration_s / dt - 1e-9))
    return np.arange(n + 1) * (duration_s / n)



#: One day [s] (the kHz wash-in time constant is about a day).
_DAY_S = 86400.0


def _pf(default: float, unit: str, lo: float, hi: float, lo_inclusive: bool = True) -> Any:
    """A GateParams field: its default and its allowed range (one declaration per constant)."""
    return field(default=default, metadata={"unit": unit, "range": (lo, hi, lo_inclusive)})


@dataclass(frozen=True)
class GateParams:
    """All constants of the gate model; sources per field (``docs/model.md`` has the table).

    Patients set ``g_inh``, ``u``, ``windup_gain``, ``a_C_ongoing``, ``b_desc`` and
    ``central_sensitisation_gain`` under the same names (see :mod:`sim.patients`); everything
    else is a model constant a student may vary. Drives and weights are dimensionless ([1]); a
    drive of 1 is the afferent activity of a moderate stimulus [A].

    Attributes
    ----------
    w_beta_P, w_delta_P, w_C_P, w_E_P, w_I_P : float
        Inputs of the WDR neuron P: Aβ 0.4, Aδ 0.3 [1], C 0.59 [1], excitatory interneurons
        0.03 and inhibitory interneurons 0.0094 [per Hz]. Aδ from the Sanaz01 course model [S];
        the others [A], fitted together with the Aβ→WDR synapse to three anchors: ongoing C
        drive 1 gives P ≈ 30 Hz (the course model's figure), touch lowers the C response by
        more than half (gate control, Melzack & Wall 1965), and the frequency response of
        Zhang, Janik & Grill 2014 (deepest at tens of Hz, baseline again near 80-100 Hz, with
        half GABA deepest lower and crossover higher).
    w_delta_N, w_C_N, w_E_N, w_I_N : float
        Inputs of the lamina I NS neurons N: Aδ 0.3, C 1.38 [1], E 0.045, I 0.0076 [per Hz]
        [A]; no Aβ input: NS neurons respond to noxious input only until disinhibition
        unmasks the polysynaptic Aβ path through E (Torsney & MacDermott 2006 [P]). Their
        weak Aβ-driven inhibition keeps SCS from abolishing acute pain (Medlock et al. 2023).
    w_beta_I, w_C_I, b_I : float
        Inputs of the inhibitory interneurons I [1]: Aβ 0.4 (natural and stimulated), C 0.13
        (monosynaptic C input to inhibitory islet cells, Lu & Perl 2003 [P]: feed-forward
        inhibition; the Melzack-Wall small-fibre *inhibition* of the gate is not supported by
        that work), and a tonic drive 0.47 that sets their spontaneous firing (about 7 Hz at
        rest) [A].
    w_C_E, w_beta_E, w_I_E : float
        Inputs of the excitatory interneurons E: C 1.48 [1]; the unmasked Aβ path 8.2,
        scaled by ``u`` [1]; inhibition 0.083 [per Hz] [A]: E is silent at rest with normal
        inhibition and active once inhibition fails (g ≲ 0.7) or touch arrives with u ≳ 0.5.
    tau_P_s, tau_N_s, tau_E_s, tau_I_s : float
        Population time constants [s]; 1, 1, 20, 20 ms [S]; τ_I matches the GABA-A decay of
        20 ms [P Zhang 2014 model code].
    R_P_hz, R_N_hz, R_E_hz, R_I_hz : float
        Maximal rates [Hz]; 80, 80, 60, 80 [A; WDR neurons fire well above 50 Hz to strong
        input; E and I from the Sanaz01 course model [S]].
    theta_*, sigma_* : float
        Sigmoid thresholds and widths [1]: P (0.6, 0.4), N (0.9, 0.4) [A]; E (1.2, 0.3) and I
        (1.0, 0.45) [S Sanaz01].
    g_inh : float
        GABA/glycine efficacy [1], 1 = normal (E_anion shift after injury, Prescott 2006
        [P]); 0 = blocked (bicuculline abolishes SCS inhibition, Gilbert et al. 2022 [P]).
    u : float
        Unmasking of the Aβ→E path [1], 0 normal, 1 severe [P Medlock 2023].
    w_wdr_pain : float
        λ, weight of the WDR nociceptive share in the nociceptive output Ŝ = N + λ·P_n [1];
        0.67 [A].
    windup_gain : float
        Wind-up gain: G = 1 + κ·z [1]; 1 [A]; 0 = NMDA block (ketamine).
    tau_z_s, delta_z, z_max : float
        Wind-up decay 3 s ≈ NK1 decay [P Zhang 2014 code]; increment per C volley 0.3 and
        ceiling 3 [A].
    a_C_ongoing : float
        Patient's ongoing (ectopic) C drive [1]; 0 normal, about 1 neuropathic [A].
    b_desc : float
        Patient's descending drive [1]; negative = net inhibition, positive = facilitation.
    k_I, U_I, tau_rec_I_s : float
        Aβ→I synapse: gain 5.2, release fraction 0.5, recovery 100 ms [A: depresses early,
        so the inhibition it drives saturates at tens of Hz; :mod:`sim.synapses`].
    k_P, U_P, tau_rec_P_s : float
        Aβ→WDR synapse: gain 0.82, release fraction 0.1, recovery 20 ms [A: depresses late,
        above a few hundred Hz].
    k_delta, U_delta, tau_rec_delta_s : float
        Aδ synapses (stimulated Aδ fibres): gain 1, U 0.5, τ_rec 1 s [A; depression already
        at 0.5-20 Hz, Wan & Hu 2003 [P]].
    k_C, U_C, tau_rec_C_s : float
        C synapses (stimulated C fibres): gain 1, U 0.3, τ_rec 1 s [A]: slight depression at the
        0.5-2 Hz of wind-up, deep depression at tens of Hz.
    central_sensitisation_gain, sensitisation_rate_per_s, tau_sensitisation_s : float
        Central sensitisation: gain g_s (patient), growth per unit evoked C drive 1/60 s⁻¹,
        decay 300 s [A; Woolf 1983 [P, qualitative]].
    carryover_fraction, tau_carryover_s : float
        χ = 0.8 and τ_m = 300 s [A; Cui 1997 [P] GABA release outlasting SCS].
    w_khz : float
        w_k, GABAergic inhibition of P and N per unit kHz state (KHZ_DIRECT_INHIBITORY) [1]:
        the superficial inhibitory interneurons that sub-sensory 10 kHz activated in rodents
        (Lee et al. 2020 [P]), taken as a population of their own, apart from the Aβ-driven
        interneurons I; value [A], calibrated to the 10 kHz trial outcomes (``docs/model.md``).
    tau_khz_s : float
        τ_k, wash-in and wash-out of the kHz effect [s]; 1 day [A] (relief from 10 kHz builds
        over hours to days, which is why it is programmed with a day or more between changes
        [T]; in rats it was present on the first day, Shechter et al. 2013 [P]).
    w_opioid : float
        w_o, inhibition of P and N per unit opioid state [1]; 0.3 [A].
    tau_opioid_s : float
        τ_o = 600 s [A] (slow onset, long carry-over of acupuncture-like TENS [S Sluka]).
    """

    w_beta_P: float = _pf(0.4, "", 0.0, 10.0)
    w_delta_P: float = _pf(0.3, "", 0.0, 10.0)
    w_C_P: float = _pf(0.59, "", 0.0, 10.0)
    w_E_P: float = _pf(0.03, "per Hz", 0.0, 10.0)
    w_I_P: float = _pf(0.0094, "per Hz", 0.0, 10.0)
    w_delta_N: float = _pf(0.3, "", 0.0, 10.0)
    w_C_N: float = _pf(1.38, "", 0.0, 10.0)
    w_E_N: float = _pf(0.045, "per Hz", 0.0, 10.0)
    w_I_N: float = _pf(0.0076, "per Hz", 0.0, 10.0)
    w_beta_I: float = _pf(0.4, "", 0.0, 10.0)
    w_C_I: float = _pf(0.13, "", 0.0, 10.0)
    b_I: float = _pf(0.47, "", -5.0, 5.0)
    w_C_E: float = _pf(1.48, "", 0.0, 10.0)
    w_beta_E: float = _pf(8.2, "", 0.0, 20.0)
    w_I_E: float = _pf(0.083, "per Hz", 0.0, 10.0)
    tau_P_s: float = _pf(0.001, "s", 0.0, 1.0, False)
    tau_N_s: float = _pf(0.001, "s", 0.0, 1.0, False)
    tau_E_s: float = _pf(0.02, "s", 0.0, 1.0, False)
    tau_I_s: float = _pf(0.02, "s", 0.0, 1.0, False)
    R_P_hz: float = _pf(80.0, "Hz", 0.0, 1000.0, False)
    R_N_hz: float = _pf(80.0, "Hz", 0.0, 1000.0, False)
    R_E_hz: float = _pf(60.0, "Hz", 0.0, 1000.0, False)
    R_I_hz: float = _pf(80.0, "Hz", 0.0, 1000.0, False)
    theta_P: float = _pf(0.6, "", -10.0, 10.0)
    sigma_P: float = _pf(0.4, "", 0.0, 10.0, False)
    theta_N: float = _pf(0.9, "", -10.0, 10.0)
    sigma_N: float = _pf(0.4, "", 0.0, 10.0, False)
    theta_E: float = _pf(1.2, "", -10.0, 10.0)
    sigma_E: float = _pf(0.3, "", 0.0, 10.0, False)
    theta_I: float = _pf(1.0, "", -10.0, 10.0)
    sigma_I: float = _pf(0.45, "", 0.0, 10.0, False)
    g_inh: float = _pf(1.0, "", 0.0, 1.0)
    u: float = _pf(0.0, "", 0.0, 1.0)
    w_wdr_pain: float = _pf(0.67, "", 0.0, 10.0)
    windup_gain: float = _pf(1.0, "", 0.0, 10.0)
    tau_z_s: float = _pf(3.0, "s", 0.0, 600.0, False)
    delta_z: float = _pf(0.3, "", 0.0, 10.0)
    z_max: float = _pf(3.0, "", 0.0, 100.0, False)
    a_C_ongoing: float = _pf(0.0, "", 0.0, 10.0)
    b_desc: float = _pf(0.0, "", -5.0, 5.0)
    k_I: float = _pf(5.2, "", 0.0, 100.0)
    U_I: float = _pf(0.5, "", 0.0, 1.0, False)
    tau_rec_I_s: float = _pf(0.1, "s", 0.0, 10.0)
    k_P: float = _pf(0.82, "", 0.0, 100.0)
    U_P: float = _pf(0.1, "", 0.0, 1.0, False)
    tau_rec_P_s: float = _pf(0.02, "s", 0.0, 10.0)
    k_delta: float = _pf(1.0, "", 0.0, 100.0)
    U_delta: float = _pf(0.5, "", 0.0, 1.0, False)
    tau_rec_delta_s: float = _pf(1.0, "s", 0.0, 10.0)
    k_C: float = _pf(1.0, "", 0.0, 100.0)
    U_C: float = _pf(0.3, "", 0.0, 1.0, False)
    tau_rec_C_s: float = _pf(1.0, "s", 0.0, 10.0)
    central_sensitisation_gain: float = _pf(0.0, "", 0.0, 5.0)
    sensitisation_rate_per_s: float = _pf(1.0 / 60.0, "1/s", 0.0, 10.0)
    tau_sensitisation_s: float = _pf(300.0, "s", 0.0, 1e5, False)
    carryover_fraction: float = _pf(0.8, "", 0.0, 1.0)
    tau_carryover_s: float = _pf(300.0, "s", 0.0, 1e5, False)
    w_khz: float = _pf(0.8, "", 0.0, 10.0)
    tau_khz_s: float = _pf(_DAY_S, "s", 0.0, 1e7, False)
    w_opioid: float = _pf(0.3, "", 0.0, 10.0)
    tau_opioid_s: float = _pf(600.0, "s", 0.0, 1e5, False)

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
    def preset(cls, name: str, **overrides: float) -> GateParams:
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


#: Disinhibition states for the gate lesson, unpacked into :class:`GateParams`: partial loss of
#: inhibition (Prescott 2006 [P]) and an unmasked Aβ→lamina I path (Medlock 2023 [P]); the
#: numbers are teaching choices [A]. The patient presets of :mod:`sim.patients` are separate.
NEUROPATHIC_PRESETS: dict[str, dict[str, float]] = {
    "normal": {"g_inh": 1.0, "u": 0.0, "a_C_ongoing": 0.0, "central_sensitisation_gain": 0.0},
    "mild": {"g_inh": 0.6, "u": 0.3, "a_C_ongoing": 0.75, "central_sensitisation_gain": 0.5},
    "severe": {"g_inh": 0.3, "u": 1.0, "a_C_ongoing": 1.0, "central_sensitisation_gain": 1.0},
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
        "(a_β,stim,I), which inhibit the projection neurons and the excitatory interneurons. "
        "Structure from Melzack & Wall 1965 [P]; the frequency and GABA dependence of SCS in a "
        "biophysical dorsal-horn network, Zhang, Janik & Grill 2014 [P]; surround inhibition "
        "abolished by bicuculline, Gilbert et al. 2022 [P]; SCS raises dorsal-horn GABA release, "
        "Cui et al. 1997 [P]; burst and tonic SCS both lose their effect under GABA antagonists, "
        "Meuwissen et al. 2020 [P]. Needs recruited Aβ fibres: relief grows with the recruited "
        "share of the painful dermatome. Off: stimulation no longer reaches I (natural touch "
        "still does, that is the gate itself)."),
    Mechanism.KHZ_DIRECT_INHIBITORY: _MechanismInfo(
        "10 kHz direct activation of inhibitory interneurons", Evidence.PRELIMINARY_CONTESTED,
        "An empirical term for paresthesia-free kilohertz SCS: below dorsal-column threshold "
        "the kHz field is taken to drive superficial dorsal-horn inhibitory interneurons "
        "directly (term g·w_k·k, inhibiting both projection neurons). The field grows smoothly "
        "with frequency (negligible at 1 kHz, half at about 7 "
        "kHz, full at 10 kHz: rodent work in which sub-sensory 10 kHz, but not 1 or 5 kHz, "
        "activated inhibitory interneurons, Lee et al. 2020 Neuroscience 428:132 [P]; slice "
        "imaging in which dorsal-horn activity rose steadily from 1 to 10 kHz, Biomedicines "
        "2024 12:1346 [S]) and with the charge delivered per second, and its effect washes in "
        "and out over about a day (state k, τ_k). Calibrated to the 10 kHz trials (SENZA-RCT, "
        "Kapural et al. 2015 [P]), not measured; contradicted by the PROCO trial, where 1, 4, "
        "7 and 10 kHz relieved alike once titrated (Thomson et al. 2018 [P]). Off: a kHz field "
        "does nothing beyond its (usually zero) Aβ recruitment."),
    Mechanism.BURST_SUPRASPINAL: _MechanismInfo(
        "Burst SCS: medial (affective) pathway modulation", Evidence.LOW,
        "Proposed for burst SCS (De Ridder et al. 2013 World Neurosurg 80:642; De Ridder & "
        "Vanneste 2016 Neuromodulation 19:47, EEG source localisation [S]): burst modulates the "
        "medial, affective-attentional pain pathway more than tonic does. Modelled in the "
        "percept: the reported pain is scaled by (1 − r_b·(1 − exp(−D_b/D_½·ln 2))), with D_b "
        "the burst's Aβ drive, so nothing happens below recruitment and the effect grows with "
        "amplitude. Burst also acts spinally through GABA like tonic (Meuwissen et al. 2020 "
        "Pain Pract 20:75 [P]): that part is the segmental mechanism. Calibrated to the pooled "
        "burst-vs-tonic data (Chakravarthy et al. 2019 [P], industry funded, not head to head). "
        "Off: burst helps only through its spinal (segmental) part."),
    Mechanism.DESCENDING_OPIOID: _MechanismInfo(
        "Aδ-driven descending/opioid inhibition (acupuncture-like TENS)", Evidence.LOW,
        "Strong low-rate stimulation that recruits Aδ (acupuncture-like TENS, 2-4 Hz with "
        "muscle twitch) engages PAG-RVM descending control and spinal opioid release: a slow "
        "state o (onset and wash-out τ_o = 10 min) that inhibits the projection neurons. In "
        "arthritic rats, spinal naloxone blocked the antihyperalgesia of 4 Hz TENS (μ "
        "receptors) and naltrindole that of 100 Hz TENS (δ receptors) (Sluka et al. 1999 J "
        "Pharmacol Exp Ther 289:840 [P]); RVM opioid block prevented both (Kalra et al. 2001 "
        "[P]). Moderate in animals, low clinically (EFNS 2007 [S]). Off: Aδ stimulation only "
        "excites the projection neurons."),
    Mechanism.INHIBITORY_CARRYOVER: _MechanismInfo(
        "Carry-over of relief after stimulation stops", Evidence.LOW,
        "Relief that outlasts stimulation, then washes out: a slow memory m (τ_m = 5 min) of "
        "the relief r (the share of the nociceptive output that stimulation removes) scales "
        "the outputs by (1 − χ·max(m − r, 0)). During steady stimulation m = r, so nothing "
        "changes; after stimulation stops the relief decays over minutes, never exceeding the "
        "relief seen during stimulation. Phenomenological, motivated by sustained dorsal-horn "
        "GABA release with SCS (Cui et al. 1997 Pain 73:87 [P]) and by reports of residual "
        "relief after SCS is switched off [S]; the time constant is an assumption [A]. Off: "
        "relief ends within ~60 ms of stopping."),
}

#: Every mechanism enabled (the default for simulations).
ALL_MECHANISMS: frozenset[Mechanism] = frozenset(Mechanism)


def check_mechanisms(mechanisms: Iterable[Any] | None) -> frozenset[Mechanism]:
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
# Stimulation drives through the gate's synapses
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StimDrives:
    """Stimulation-evoked Aβ drives for :class:`GateInputs`.

    Attributes
    ----------
    a_beta_stim_I : float or ndarray
        Drive of stimulation-evoked Aβ activity onto inhibitory interneurons [1].
    a_beta_stim_P : float or ndarray
        Drive of the same activity onto the WDR neuron [1].
    """

    a_beta_stim_I: Any
    a_beta_stim_P: Any


def stim_drives_tonic(rate_hz: Any, fraction: Any,
                      params: GateParams | None = None) -> StimDrives:
    """Both stimulation drives of a tonic Aβ train (:func:`sim.synapses.tonic_drive`).

    Parameters
    ----------
    rate_hz : float or array
        Firing rate the active Aβ fibres follow [Hz].
    fraction : float or array
        Active share of the segment's Aβ fibres [1], 0..1.
    params : GateParams, optional
        Source of k_I, U_I, τ_rec,I, k_P, U_P, τ_rec,P.

    Returns
    -------
    StimDrives
    """
    p = params or GateParams()
    return StimDrives(tonic_drive(rate_hz, fraction, p.U_I, p.tau_rec_I_s, p.k_I),
                      tonic_drive(rate_hz, fraction, p.U_P, p.tau_rec_P_s, p.k_P))


def stim_drives_burst(intra_burst_rate_hz: float, spikes_per_burst: int, burst_rate_hz: float,
                      fraction: Any, params: GateParams | None = None) -> StimDrives:
    """Both stimulation drives of a burst Aβ train (:func:`sim.synapses.burst_drive`).

    Parameters
    ----------
    intra_burst_rate_hz : float
        Rate inside the burst that the fibres follow [Hz].
    spikes_per_burst : int
        Spikes per burst [1].
    burst_rate_hz : float
        Bursts per second [Hz].
    fraction : float or array
        Active share of the segment's Aβ fibres [1], 0..1.
    params : GateParams, optional
        Source of the synapse constants.

    Returns
    -------
    StimDrives
    """
    p = params or GateParams()
    return StimDrives(
        burst_drive(intra_burst_rate_hz, spikes_per_burst, burst_rate_hz, fraction, p.U_I,
                    p.tau_rec_I_s, p.k_I),
        burst_drive(intra_burst_rate_hz, spikes_per_burst, burst_rate_hz, fraction, p.U_P,
                    p.tau_rec_P_s, p.k_P))


# ------------------------------------------------------------------------------------------
# Inputs, states, results
# ------------------------------------------------------------------------------------------
#: Input series of GateInputs: (unit, minimum, maximum). Drives are calibrated around a = 1
#: (a moderate stimulus); the cap of 100 only rejects nonsense [A].
_INPUT_RANGES: dict[str, tuple[str, float, float]] = {
    "a_beta": (_DIMLESS, 0.0, 100.0),
    "a_beta_stim_I": (_DIMLESS, 0.0, 100.0),
    "a_beta_stim_P": (_DIMLESS, 0.0, 100.0),
    "a_delta": (_DIMLESS, 0.0, 100.0),
    "a_delta_stim": (_DIMLESS, 0.0, 100.0),
    "a_C": (_DIMLESS, -10.0, 100.0),
    "c_volley_rate_hz": ("Hz", 0.0, 100.0),
    "khz_field": (_DIMLESS, 0.0, 1.0),
    "opioid_drive": (_DIMLESS, 0.0, 1.0),
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
        Stimulation-evoked Aβ drive after the Aβ→WDR synapse [1].
    a_delta : float or array
        Natural Aδ drive (pinprick, pinch) [1].
    a_delta_stim : float or array
        Stimulation-evoked Aδ drive (after its synapse) [1]; excites P and N.
    a_C : float or array
        Evoked C drive added to :attr:`GateParams.a_C_ongoing` [1], -10..100; may be negative
        down to -a_C_ongoing (a block silencing ectopic firing); its positive part drives the
        sensitisation state.
    c_volley_rate_hz : float or array
        Rate of synchronous C volleys that wind up the projection neurons [Hz], 0..100.
    khz_field : float or array
        Target of the kHz state k: the kHz field at the dorsal horn relative to a clinical
        10 kHz program [1], 0..1.
    opioid_drive : float or array
        Target of the opioid state o: the recruited share of the segment's Aδ fibres [1],
        0..1 (strong stimulation that recruits Aδ engages descending/opioid inhibition,
        whatever its rate: Sluka et al. 1999 found it at 4 and at 100 Hz [P]).
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
    opioid_drive: Any = 0.0
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


#: Slow states of the gate, in the order the solvers keep them.
_SLOW = ("z", "sensitisation", "opioid", "khz")


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
    khz : float
        kHz state k [1], 0..1 (a session after days of 10 kHz starts washed in).
    P_hz, P_noci_hz, N_hz, E_hz, I_hz : float or None
        Fast rates [Hz]; used only by :func:`simulate_gate_ode`; None = start at the
        quasi-static fixed point of the first inputs.
    """

    z: float = 0.0
    sensitisation: float = 0.0
    carryover: float = 0.0
    opioid: float = 0.0
    khz: float = 0.0
    P_hz: float | None = None
    P_noci_hz: float | None = None
    N_hz: float | None = None
    E_hz: float | None = None
    I_hz: float | None = None

    def __post_init__(self) -> None:
        for name, unit, lo, hi in (("z", _DIMLESS, 0.0, 100.0),
                                   ("sensitisation", _DIMLESS, 0.0, 1.0),
                                   ("carryover", _DIMLESS, 0.0, 1.0),
                                   ("opioid", _DIMLESS, 0.0, 1.0),
                                   ("khz", _DIMLESS, 0.0, 1.0),
                                   ("P_hz", "Hz", 0.0, 1000.0), ("P_noci_hz", "Hz", 0.0, 1000.0),
                                   ("N_hz", "Hz", 0.0, 1000.0), ("E_hz", "Hz", 0.0, 1000.0),
                                   ("I_hz", "Hz", 0.0, 1000.0)):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, float(check_array(name, v, unit, lo, hi)))


@dataclass(frozen=True)
class GateRates:
    """Fixed-point rates of the fast populations.

    Attributes
    ----------
    P_hz, P_noci_hz, N_hz, E_hz, I_hz : float or ndarray
        WDR (all input and nociceptive share), lamina I NS, excitatory and inhibitory
        interneuron rates [Hz].
    nociceptive_hz : float or ndarray
        Nociceptive output S = N + λ·P_n [Hz].
    """

    P_hz: Any
    P_noci_hz: Any
    N_hz: Any
    E_hz: Any
    I_hz: Any
    nociceptive_hz: Any


@dataclass(frozen=True)
class GateResult:
    """Time series of one gate simulation; sample k belongs to t_s[k].

    Attributes
    ----------
    t_s : ndarray
        Sample times [s].
    P_hz : ndarray
        WDR projection neuron, all input [Hz].
    P_noci_hz : ndarray
        Its nociceptive share: the same neuron without the Aβ excitation [Hz].
    P_off_hz : ndarray
        The WDR output without the fast stimulation inputs, same slow states [Hz] (the
        reference of ``wdr_pct_of_baseline``).
    N_hz : ndarray
        Lamina I nociceptive-specific neurons [Hz].
    E_hz, I_hz : ndarray
        Excitatory- and inhibitory-interneuron rates [Hz].
    nociceptive_hz : ndarray
        Nociceptive output S = N + λ·P_n [Hz], what :mod:`sim.percept` reads as pain.
    z, gain, sensitisation, carryover, opioid, khz : ndarray
        Slow states [1]: wind-up, C gain G = 1 + κ·z, sensitisation, carried-over relief,
        opioid state, kHz state.
    P_spikes : ndarray
        Cumulative WDR spikes since t_s[0], ∫P dt [spikes].
    mechanisms : frozenset of Mechanism
        Mechanisms that were enabled.
    method : str
        ``"quasi-static"`` or ``"ode"``.
    """

    t_s: np.ndarray
    P_hz: np.ndarray
    P_noci_hz: np.ndarray
    P_off_hz: np.ndarray
    N_hz: np.ndarray
    E_hz: np.ndarray
    I_hz: np.ndarray
    nociceptive_hz: np.ndarray
    z: np.ndarray
    gain: np.ndarray
    sensitisation: np.ndarray
    carryover: np.ndarray
    opioid: np.ndarray
    khz: np.ndarray
    P_spikes: np.ndarray
    mechanisms: frozenset
    method: str

    @property
    def final_state(self) -> GateState:
        """State at the last sample (pass as ``initial`` to continue)."""
        return GateState(z=float(self.z[-1]), sensitisation=float(self.sensitisation[-1]),
                         carryover=float(self.carryover[-1]), opioid=float(self.opioid[-1]),
                         khz=float(self.khz[-1]), P_hz=float(self.P_hz[-1]),
                         P_noci_hz=float(self.P_noci_hz[-1]), N_hz=float(self.N_hz[-1]),
                         E_hz=float(self.E_hz[-1]), I_hz=float(self.I_hz[-1]))


@dataclass(frozen=True)
class WindupResult:
    """Responses of the WDR neuron to a train of C volleys (:func:`windup_protocol`).

    Attributes
    ----------
    volley_rate_hz : float
        Volley repetition rate [Hz].
    responses_spikes : ndarray
        Evoked WDR spikes per volley, above the resting rate, in a window of
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


def _I_rate(p: GateParams, mech: frozenset, d: dict[str, Any], a_C_total: Any) -> Any:
    ab = d["a_beta"]
    if Mechanism.SEGMENTAL_AB_INHIBITION in mech:
        ab = ab + d["a_beta_stim_I"]
    c = p.b_I + p.w_beta_I * ab + p.w_C_I * a_C_total
    return _sig(c, p.R_I_hz, p.theta_I, p.sigma_I)


def _E_rate(p: GateParams, G: Any, a_C_total: Any, a_beta: Any, I: Any) -> Any:
    return _sig(p.w_C_E * G * a_C_total + p.u * p.w_beta_E * a_beta - p.g_inh * p.w_I_E * I,
                p.R_E_hz, p.theta_E, p.sigma_E)


def _outputs(p: GateParams, mech: frozenset, d: dict[str, Any], G: Any, a_C_total: Any,
             E: Any, I: Any, sens: Any, opioid: Any, khz: Any) -> tuple[Any, Any, Any]:
    """P̂, P̂_n and N̂ for given interneuron rates (quasi-static or dynamic E and I)."""
    common = d["b_desc_total"] + p.central_sensitisation_gain * sens
    if Mechanism.DESCENDING_OPIOID in mech:
        common = common - p.w_opioid * opioid
    if Mechanism.KHZ_DIRECT_INHIBITORY in mech:
        common = common - p.g_inh * p.w_khz * khz
    a_delta = d["a_delta"] + d["a_delta_stim"]
    x = (p.w_delta_P * a_delta + p.w_C_P * G * a_C_total + p.w_E_P * E
         - p.g_inh * p.w_I_P * I + common)
    P = _sig(x + p.w_beta_P * (d["a_beta"] + d["a_beta_stim_P"]), p.R_P_hz, p.theta_P,
             p.sigma_P)
    Pn = _sig(x, p.R_P_hz, p.theta_P, p.sigma_P)
    N = _sig(p.w_delta_N * a_delta + p.w_C_N * G * a_C_total + p.w_E_N * E
             - p.g_inh * p.w_I_N * I + common, p.R_N_hz, p.theta_N, p.sigma_N)
    return P, Pn, N


def _fast(p: GateParams, mech: frozenset, d: dict[str, Any], z: Any, sens: Any, opioid: Any,
          khz: Any) -> tuple[Any, ...]:
    """Quasi-static P̂, P̂_n, N̂, E, I (explicit: I, then E, then the outputs)."""
    a_C_total = p.a_C_ongoing + d["a_C"]
    G = 1.0 + p.windup_gain * z
    I = _I_rate(p, mech, d, a_C_total)
    E = _E_rate(p, G, a_C_total, d["a_beta"], I)
    P, Pn, N = _outputs(p, mech, d, G, a_C_total, E, I, sens, opioid, khz)
    return P, Pn, N, E, I


#: Fast stimulation inputs, removed for the "no stimulation" counterfactual (the kHz effect
#: is a slow state with its own wash-out, so it stays).
_STIM_INPUTS = ("a_beta_stim_I", "a_beta_stim_P", "a_delta_stim")


def _off(d: dict[str, Any]) -> dict[str, Any]:
    return {**d, **{n: 0.0 for n in _STIM_INPUTS}}


def _relief(S_hat: Any, S_off: Any) -> Any:
    """r: share of the no-stimulation nociceptive output that stimulation removes, 0..1."""
    S_hat, S_off = np.broadcast_arrays(np.asarray(S_hat, dtype=float),
                                       np.asarray(S_off, dtype=float))
    ratio = np.divide(S_hat, S_off, out=np.ones_like(S_off), where=S_off > 1e-12)
    return np.clip(1.0 - ratio, 0.0, 1.0)


def _carry_factor(p: GateParams, mech: frozenset, relief: Any, carry: Any) -> Any:
    """1 − χ·max(m − r, 0): only relief beyond the current one is added."""
    if Mechanism.INHIBITORY_CARRYOVER in mech:
        return 1.0 - p.carryover_fraction * np.maximum(carry - relief, 0.0)
    return 1.0


def _with_totals(p: GateParams, raw: dict[str, Any]) -> dict[str, Any]:
    return {**raw, "b_desc_total": p.b_desc + raw["b_desc"]}


def steady_state_rates(params: GateParams | None = None,
                       mechanisms: Iterable[Any] | None = None, *, a_beta: Any = 0.0,
                       a_beta_stim_I: Any = 0.0, a_beta_stim_P: Any = 0.0, a_delta: Any = 0.0,
                       a_delta_stim: Any = 0.0, a_C: Any = 0.0, khz: Any = 0.0,
                       b_desc: Any = 0.0, z: Any = 0.0, sensitisation: Any = 0.0,
                       carryover: Any = 0.0, opioid: Any = 0.0) -> GateRates:
    """Fixed point of the fast populations for constant drives and slow states (vectorised).

    Parameters
    ----------
    params : GateParams, optional
        Model constants (default :class:`GateParams`: a healthy dorsal horn).
    mechanisms : iterable of Mechanism, optional
        Enabled mechanisms (default all).
    a_beta, a_beta_stim_I, a_beta_stim_P, a_delta, a_delta_stim, a_C, b_desc
        Drives as in :class:`GateInputs` [1]; arrays broadcast together (frequency sweeps).
    khz : float or array
        kHz state k [1], 0..1.
    z, sensitisation, carryover, opioid : float or array
        Slow states [1] (default 0: a rested patient).

    Returns
    -------
    GateRates

    Notes
    -----
    The long-time limit of the fast ODEs: the circuit is feed-forward (I → E → P, P_n, N) with
    decaying self-terms, so the fixed point is unique and stable. The carry-over factor uses
    the relief r of these inputs against the same inputs without fast stimulation.

    Examples
    --------
    Ongoing C drive of 1 in a healthy dorsal horn drives the WDR neuron at about 30 Hz:

    >>> round(float(steady_state_rates(a_C=1.0).P_hz))
    30
    """
    p = params or GateParams()
    mech = check_mechanisms(mechanisms)
    raw = {"a_beta": a_beta, "a_beta_stim_I": a_beta_stim_I, "a_beta_stim_P": a_beta_stim_P,
           "a_delta": a_delta, "a_delta_stim": a_delta_stim, "a_C": a_C, "b_desc": b_desc}
    d = _with_totals(p, {name: check_array(name, v, *_INPUT_RANGES[name])
                         for name, v in raw.items()})
    _check_total_C(p, d["a_C"])
    zz = check_array("z", z, _DIMLESS, 0.0, p.z_max)
    ss = check_array("sensitisation", sensitisation, _DIMLESS, 0.0, 1.0)
    cc = check_array("carryover", carryover, _DIMLESS, 0.0, 1.0)
    oo = check_array("opioid", opioid, _DIMLESS, 0.0, 1.0)
    kk = check_array("khz", khz, _DIMLESS, 0.0, 1.0)
    P, Pn, N, E, I = _fast(p, mech, d, zz, ss, oo, kk)
    S = N + p.w_wdr_pain * Pn
    _, Pn_off, N_off, _, _ = _fast(p, mech, _off(d), zz, ss, oo, kk)
    c = _carry_factor(p, mech, _relief(S, N_off + p.w_wdr_pain * Pn_off), cc)

    def out(x: Any) -> Any:
        return float(x) if np.ndim(x) == 0 else x
    return GateRates(out(P * c), out(Pn * c), out(N * c), out(E), out(I), out(S * c))


def steady_outputs(inputs: GateInputs, index: int, params: GateParams | None = None,
                   mechanisms: Iterable[Any] | None = None, *, b_desc_extra: Any = 0.0,
                   khz: float | None = None, stimulation: bool = True) -> GateRates:
    """The gate's output once the drives of sample ``index`` have held long enough for the
    slow states to settle (wind-up, sensitisation, opioid tone and carry-over at their
    targets; the kHz state at ``khz`` if given, else at its target too).

    Used where one step lasts hours (the days-to-weeks course of :mod:`sim.mood`, whose kHz
    state is still washing in during the first days) and for rate responses
    (:mod:`sim.rate_response`), where only the steady state matters.

    Parameters
    ----------
    inputs : GateInputs
        Drives on some grid; only sample ``index`` is used.
    index : int
        The sample whose drives are held.
    params, mechanisms
        As in :func:`simulate_gate`.
    b_desc_extra : float or array
        Descending drive added to the sample's [1] (mood shifts to interpolate between).
    khz : float, optional
        kHz state to hold [1], 0..1.
    stimulation : bool
        False removes the fast stimulation inputs (the same moment without stimulation).

    Returns
    -------
    GateRates
        Rates [Hz] for each value of ``b_desc_extra`` (arrays of its shape).
    """
    p = params or GateParams()
    mech = check_mechanisms(mechanisms)
    d = {name: float(getattr(inputs, name)[index]) for name in _INPUT_RANGES}
    extra = np.atleast_1d(np.asarray(b_desc_extra, dtype=float))
    targets = [t for _, t in _slow_rates(p, mech, d["c_volley_rate_hz"], d["a_C"],
                                         d["opioid_drive"], d["khz_field"])]
    if khz is not None:
        targets[3] = float(check_array("khz", khz, _DIMLESS, 0.0, 1.0))
    d = _with_totals(p, {**d, "b_desc": d["b_desc"] + extra})
    if not stimulation:
        d = _off(d)
    # At steady state the carry-over equals the current relief: it adds nothing.
    P, Pn, N, E, I = (np.broadcast_to(x, extra.shape).astype(float)
                      for x in _fast(p, mech, d, *(float(t) for t in targets)))
    return GateRates(P, Pn, N, E, I, N + p.w_wdr_pain * Pn)


def steady_nociceptive_hz(inputs: GateInputs, index: int, params: GateParams | None = None,
                          mechanisms: Iterable[Any] | None = None, *, b_desc_extra: Any = 0.0,
                          khz: float | None = None) -> np.ndarray:
    """The nociceptive output of :func:`steady_outputs` [Hz], one per ``b_desc_extra``."""
    return steady_outputs(inputs, index, params, mechanisms, b_desc_extra=b_desc_extra,
                          khz=khz).nociceptive_hz


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
                opioid_drive: Any, khz_field: Any) -> tuple[tuple[Any, Any], ...]:
    """(loss rate λ [1/s], target) of z, s, o and k: dx/dt = λ·(target − x).

    Shared by both solvers so that they integrate the same equations. (The carry-over m has
    λ = 1/τ_m and target = current relief; it is handled by the callers.)
    """
    lam_z = 1.0 / p.tau_z_s + p.delta_z * r_c_hz / p.z_max
    tgt_z = p.delta_z * r_c_hz / lam_z
    drive_s = p.sensitisation_rate_per_s * np.maximum(a_C_evoked, 0.0)
    lam_s = drive_s + 1.0 / p.tau_sensitisation_s
    tgt_s = drive_s / lam_s
    tgt_o = opioid_drive if Mechanism.DESCENDING_OPIOID in mech else 0.0 * opioid_drive
    tgt_k = khz_field if Mechanism.KHZ_DIRECT_INHIBITORY in mech else 0.0 * khz_field
    return ((lam_z, tgt_z), (lam_s, tgt_s), (1.0 / p.tau_opioid_s, tgt_o),
            (1.0 / p.tau_khz_s, tgt_k))


def _inputs_dict(p: GateParams, inputs: GateInputs) -> dict[str, np.ndarray]:
    return _with_totals(p, {name: getattr(inputs, name) for name in _INPUT_RANGES})


def _initial_slow(init: GateState, mech: frozenset) -> np.ndarray:
    return np.array([init.z, init.sensitisation,
                     init.opioid if Mechanism.DESCENDING_OPIOID in mech else 0.0,
                     init.khz if Mechanism.KHZ_DIRECT_INHIBITORY in mech else 0.0])


def simulate_gate(inputs: GateInputs, params: GateParams | None = None,
                  mechanisms: Iterable[Any] | None = None,
                  initial: GateState | None = None) -> GateResult:
    """Session-scale gate simulation: quasi-static fast populations, exact slow states.

    Parameters
    ----------
    inputs : GateInputs
        Drive series on the session grid (recommended step :data:`SESSION_DT_S`).
    params : GateParams, optional
        Patient and model constants (default: healthy).
    mechanisms : iterable of Mechanism or str, optional
        Enabled mechanisms of relief (default :data:`ALL_MECHANISMS`).
    initial : GateState, optional
        Slow states at t_s[0] (default all zero). Its fast rates are ignored.

    Returns
    -------
    GateResult
        ``method="quasi-static"``.

    Notes
    -----
    Over each interval [t_k, t_{k+1}) the inputs are constant, so each slow state obeys
    dx/dt = λ_k·(x̄_k − x) (:func:`_slow_rates`) and is advanced exactly:
    x_{k+1} = x̄_k + (x_k − x̄_k)·exp(−λ_k·Δt_k). z, s, o and k do not depend on the fast
    populations, so they are computed first; then the fast fixed points with and without the
    fast stimulation inputs; then m from the relief r; then the carry-over factor. Wind-up from
    individual volleys needs the event form of z: use :func:`simulate_gate_ode` with
    ``c_volley_times_s``; here volleys enter as a mean rate.

    Examples
    --------
    Tonic 50 Hz SCS for 30 s, then off, with ongoing C drive: the WDR nociceptive share falls
    during stimulation and recovers (slowly, by the carry-over) after it:

    >>> t = np.arange(0.0, 60.0, SESSION_DT_S)
    >>> stim = stim_drives_tonic(np.where(t < 30, 50.0, 0.0), 1.0)
    >>> res = simulate_gate(GateInputs(t, a_beta_stim_I=stim.a_beta_stim_I,
    ...                                a_beta_stim_P=stim.a_beta_stim_P),
    ...                     GateParams(a_C_ongoing=1.0))
    >>> bool(res.P_noci_hz[0] < 0.5 * res.P_off_hz[0])
    True
    """
    p = params or GateParams()
    mech = check_mechanisms(mechanisms)
    init = initial or GateState()
    _check_total_C(p, inputs.a_C)
    d = _inputs_dict(p, inputs)
    t = inputs.t_s
    dt = np.diff(t)
    rates = _slow_rates(p, mech, d["c_volley_rate_hz"], d["a_C"], d["opioid_drive"],
                        d["khz_field"])
    lam = np.stack([np.broadcast_to(r[0], t.shape)[:-1] for r in rates])
    tgt = np.stack([np.broadcast_to(r[1], t.shape)[:-1] for r in rates])
    decay = np.exp(-lam * dt)
    z, sens, opioid, khz = _affine_scan(decay, tgt * (1.0 - decay), _initial_slow(init, mech))
    P, Pn, N, E, I = _fast(p, mech, d, z, sens, opioid, khz)
    P_off, Pn_off, N_off, _, _ = _fast(p, mech, _off(d), z, sens, opioid, khz)
    S = N + p.w_wdr_pain * Pn
    if Mechanism.INHIBITORY_CARRYOVER in mech:
        relief = _relief(S, N_off + p.w_wdr_pain * Pn_off)
        decay_m = np.exp(-dt / p.tau_carryover_s)
        carry = _affine_scan(decay_m, relief[:-1] * (1.0 - decay_m), np.array(init.carryover))
        c = _carry_factor(p, mech, relief, carry)
        P, Pn, N, S = P * c, Pn * c, N * c, S * c
        P_off = P_off * c
    else:
        carry = np.zeros_like(t)
    spikes = np.concatenate([[0.0], np.cumsum(P[:-1] * dt)])
    return GateResult(t_s=t, P_hz=P, P_noci_hz=Pn, P_off_hz=np.asarray(P_off, dtype=float),
                      N_hz=N, E_hz=E, I_hz=I, nociceptive_hz=S, z=z, gain=1.0 + p.windup_gain * z,
                      sensitisation=sens, carryover=carry, opioid=opioid, khz=khz,
                      P_spikes=spikes, mechanisms=mech, method="quasi-static")


# ------------------------------------------------------------------------------------------
# Full dynamic ODE (short protocols, validation)
# ------------------------------------------------------------------------------------------
#: State vector of the ODE: fast rates, slow states, cumulative WDR spikes.
_ODE_STATES = ("P", "Pn", "N", "E", "I", "z", "sensitisation", "carryover", "opioid", "khz",
               "spikes")


def simulate_gate_ode(inputs: GateInputs, params: GateParams | None = None,
                      mechanisms: Iterable[Any] | None = None,
                      initial: GateState | None = None, *, c_volley_times_s: Any = (),
                      rtol: float = 1e-6, atol: float = 1e-6) -> GateResult:
    """Full dynamic gate model with ``scipy.integrate.solve_ivp`` (short protocols).

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
        Δz·(1 − z/z_max) at each. A state sampled at the time of a volley is reported after
        the jump.
    rtol, atol : float
        Tolerances of the LSODA integrator [1] and [Hz].

    Returns
    -------
    GateResult
        ``method="ode"``.

    Notes
    -----
    τ·dX/dt = F_X(...)·c − X for X in P, P_n, N (c the carry-over factor) and for E and I
    without it, with the dynamic E and I inside the outputs; the slow states as in
    :func:`simulate_gate` (relief r against the quasi-static no-stimulation output, r = 0 while
    no fast stimulation input is present); and dN_spikes/dt = P. LSODA switches between stiff
    and non-stiff methods; integration restarts at every input change and volley.
    """
    p = params or GateParams()
    mech = check_mechanisms(mechanisms)
    init = initial or GateState()
    _check_total_C(p, inputs.a_C)
    check_array("rtol", rtol, _DIMLESS, 0.0, 0.1, include_minimum=False)
    check_array("atol", atol, _DIMLESS, 0.0, 1.0, include_minimum=False)
    t = inputs.t_s
    volleys = np.sort(check_array("c_volley_times_s", c_volley_times_s, "s", float(t[0]),
                                  float(t[-1])).ravel())
    names = list(_INPUT_RANGES)
    U = np.stack([getattr(inputs, n) for n in names], axis=1)  # (N, n_inputs)
    slow0 = _initial_slow(init, mech)
    carry0 = init.carryover if Mechanism.INHIBITORY_CARRYOVER in mech else 0.0
    row0 = _with_totals(p, dict(zip(names, U[0], strict=True)))
    P0, Pn0, N0, E0, I0 = _fast(p, mech, row0, slow0[0], slow0[1], slow0[2], slow0[3])
    S0 = N0 + p.w_wdr_pain * Pn0
    _, Pn_o, N_o, _, _ = _fast(p, mech, _off(row0), *slow0)
    c0 = _carry_factor(p, mech, _relief(S0, N_o + p.w_wdr_pain * Pn_o), carry0)
    fast0 = [init.P_hz if init.P_hz is not None else float(P0 * c0),
             init.P_noci_hz if init.P_noci_hz is not None else float(Pn0 * c0),
             init.N_hz if init.N_hz is not None else float(N0 * c0),
             init.E_hz if init.E_hz is not None else float(E0),
             init.I_hz if init.I_hz is not None else float(I0)]
    y = np.array([*fast0, slow0[0], slow0[1], carry0, slow0[2], slow0[3], 0.0])

    def jump(y: np.ndarray, t_now: float) -> np.ndarray:
        for _ in range(int(np.count_nonzero(volleys == t_now))):
            y[5] += p.delta_z * (1.0 - y[5] / p.z_max)
        return y

    change = np.flatnonzero(np.any(U[1:] != U[:-1], axis=1)) + 1
    bounds = np.unique(np.concatenate([[t[0], t[-1]], t[change], volleys]))
    out = np.empty((t.size, len(_ODE_STATES)))
    y = jump(y, float(t[0]))
    for b0, b1 in itertools.pairwise(bounds):
        u = U[np.searchsorted(t, b0, side="right") - 1]
        row = _with_totals(p, dict(zip(names, u, strict=True)))
        idx = np.flatnonzero((t >= b0) & (t < b1))
        t_eval = np.concatenate([t[idx], [b1]])
        sol = solve_ivp(_ode_rhs, (float(b0), float(b1)), y, method="LSODA", t_eval=t_eval,
                        rtol=rtol, atol=atol, args=(p, mech, row))
        if not sol.success:  # pragma: no cover - LSODA does not fail on this smooth system
            raise RuntimeError(f"gate ODE failed between {b0} and {b1} s: {sol.message}")
        out[idx] = sol.y[:, :-1].T
        y = jump(sol.y[:, -1].copy(), float(b1))
    out[-1] = y
    P, Pn, N, E, I, z, sens, carry, opioid, khz, spikes = out.T
    d = _inputs_dict(p, inputs)
    P_off = _fast(p, mech, _off(d), z, sens, opioid, khz)[0]
    return GateResult(t_s=t, P_hz=P, P_noci_hz=Pn, P_off_hz=P_off, N_hz=N, E_hz=E, I_hz=I,
                      nociceptive_hz=N + p.w_wdr_pain * Pn, z=z, gain=1.0 + p.windup_gain * z,
                      sensitisation=sens, carryover=carry, opioid=opioid, khz=khz,
                      P_spikes=spikes, mechanisms=mech, method="ode")


def _ode_rhs(_t: float, y: np.ndarray, p: GateParams, mech: frozenset,
             row: dict[str, float]) -> np.ndarray:
    P, Pn, N, E, I, z, sens, carry, opioid, khz, _ = y
    a_C_total = p.a_C_ongoing + row["a_C"]
    G = 1.0 + p.windup_gain * z
    I_inf = _I_rate(p, mech, row, a_C_total)
    E_inf = _E_rate(p, G, a_C_total, row["a_beta"], I)
    P_inf, Pn_inf, N_inf = _outputs(p, mech, row, G, a_C_total, E, I, sens, opioid, khz)
    if Mechanism.INHIBITORY_CARRYOVER in mech:
        # Without fast stimulation input r = 0 by definition; this keeps the dynamic
        # transients of E and the outputs from being read as relief.
        stim = any(row[n] != 0.0 for n in _STIM_INPUTS)
        if stim:
            _, Pn_o, N_o, _, _ = _fast(p, mech, _off(row), z, sens, opioid, khz)
            relief = float(_relief(N_inf + p.w_wdr_pain * Pn_inf, N_o + p.w_wdr_pain * Pn_o))
        else:
            relief = 0.0
        dcarry = (relief - carry) / p.tau_carryover_s
        c = _carry_factor(p, mech, relief, carry)
    else:
        dcarry, c = 0.0, 1.0
    (lz, tz), (ls, ts), (lo, to), (lk, tk) = _slow_rates(
        p, mech, row["c_volley_rate_hz"], row["a_C"], row["opioid_drive"], row["khz_field"])
    return np.array([(P_inf * c - P) / p.tau_P_s, (Pn_inf * c - Pn) / p.tau_P_s,
                     (N_inf * c - N) / p.tau_N_s, (E_inf - E) / p.tau_E_s,
                     (I_inf - I) / p.tau_I_s, lz * (tz - z), ls * (ts - sens), dcarry,
                     lo * (to - opioid), lk * (tk - khz), P])


#: Rest before the first volley of :func:`windup_protocol` [s]: the resting rate is read there.
_WINDUP_REST_S = 1.0


def windup_protocol(volley_rate_hz: float, *, n_volleys: int = 16, volley_a_C: float = 0.85,
                    volley_duration_s: float = 0.1, params: GateParams | None = None,
                    mechanisms: Iterable[Any] | None = None) -> WindupResult:
    """Wind-up: WDR responses to a train of C volleys (full ODE).

    Parameters
    ----------
    volley_rate_hz : float
        Volley repetition rate [Hz], 0.01..10 (experiments use 0.5-1 Hz).
    n_volleys : int
        Number of volleys [1], 2..100 (16 is the classic protocol).
    volley_a_C : float
        C drive during a volley [1], 0..10; 0.85 is a moderate, sub-saturating volley [A].
    volley_duration_s : float
        Duration of the C drive of one volley [s]; 0.1 s [A] reflects the temporal dispersion
        of a C volley (conduction 0.5-2 m/s over ~0.1 m: 50-200 ms [T]).
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
    increments z at the end of the volley: the slow NMDA/NK1 depolarisation (NK1 rise
    100-200 ms [P Zhang 2014 code]) potentiates the following volleys, not the one that caused
    it. The C synapse's depression at 0.5-2 Hz is slight (x = 1/(1 + U·f·τ_rec) ≥ 0.6 with
    the defaults), so the volley drive is used as given. Response = spikes in
    min(0.5 s, period) after volley onset minus the resting rate times that window.
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
