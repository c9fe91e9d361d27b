"""Nerve blocks: local anaesthetic, sympathetic ganglion block and neurolysis, on the fibres
that stimulation recruits.

Everything here returns the fraction of each fibre class of the treated nerve that still
*conducts* (1 = intact, 0 = every fibre blocked or cut), as a function of time in the session
or of days since a lesion. :mod:`sim.session` applies these fractions to the same afferent
drives that stimulation and natural stimuli feed into the dorsal-horn gate: a blocked fibre
carries neither pain nor stimulation-evoked activity past the block (docs/science.md §5.1).

Local anaesthetic (lidocaine, bupivacaine) [A model built on P/S/T facts]
-------------------------------------------------------------------------
1. Intraneural concentration. A fraction ``f_u`` of the injected concentration reaches the
   axons at the peak of uptake; uptake and clearance follow a Bateman (two-exponential) time
   course normalised to peak 1::

       c(t) = f_u · C_inj · [exp(−t/τ_out) − exp(−t/τ_in)] / max(...)

2. Sodium-channel block by the Hill equation b = c^h / (c^h + EC50^h), with the same intrinsic
   EC50 for myelinated and unmyelinated axons (lidocaine 232 vs 228 µM, docs/science.md §5.1 [P]).
   A node or membrane patch fails to conduct where b >= b_crit, i.e. where c >= c_crit =
   EC50·(b_crit/(1 − b_crit))^(1/h).
3. Drug spreads along the nerve as a Gaussian of SD ``s`` around the injection, so the length
   of nerve at or above c_crit is::

       L_b = 2·s·sqrt(2·ln(c/c_crit))   (0 when c < c_crit)

4. Differential block from geometry (docs/science.md §5.1): a myelinated fibre of diameter d fails
   when ``N_NODES`` = 3 consecutive nodes lie in the blocked length, i.e. L_b >= 3·L(d), with
   L(d) the internode length (:func:`sim.fibers.internode_length_mm`, ≈ 100·d [T]). Thin
   myelinated (Aδ) fibres therefore fail before thick (Aβ) ones. A C fibre fails when a
   continuous length L_C(d) = L_C,ref·sqrt(d / 0.7 µm) is blocked (cable length constant
   ∝ sqrt(d)) [A]; L_C,ref is the choice between the two orders the sources report
   (:data:`C_CRITICAL_LENGTH_MM`).
5. Fraction of a class blocked = fraction of its fibres whose critical length is below L_b,
   from the class's diameter distribution (:data:`sim.recruitment.DIAMETER_DISTRIBUTIONS`,
   truncated log-normal; closed form, no sampling).

Clinical order reproduced: C and Aδ (pain, temperature) fail first, then Aβ (touch) as the
concentration rises; on wash-out touch returns before pain. Motor (Aα, 12-20 µm, internodes
up to 2 mm) would fail last; motor fibres are not modelled.

Calibration (see the constants): f_u and b_crit from the intraneural lidocaine measured by
Popitz-Bergez et al. 1995 [P]; s so that the peak of a 1 % lidocaine block blocks every Aβ
fibre (complete sensory block, Popitz-Bergez 1995) while 0.4 % spares most of them.

Sympathetic ganglion block [A]
------------------------------
Local anaesthetic (bupivacaine) at the stellate or lumbar sympathetic chain blocks the thin
myelinated preganglionic B fibres (1-3 µm [T]); the fraction of them blocked, by the same
geometry, removes that fraction of the patient's *sympathetically maintained* ongoing C drive
(:attr:`sim.patients.Patient.sympathetic_fraction`, a labelled assumption: a share of CRPS pain
is kept up by sympathetic activity acting on injured afferents). Somatic fibres are not
touched: no numbness.

Neurolysis (phenol, cryoneurolysis, radiofrequency) [T/S time courses, A form]
--------------------------------------------------------------------------------
The lesion interrupts ``lesion_fraction`` of the treated nerve's axons of every class at once
(none of the three is fibre-selective in practice). Conduction returns as axons regrow:
lost(day) = lesion_fraction · S(day)/S(0) with the logistic S(day) = 1/(1 + exp((day −
t50)/w)); t50 and w per technique in :data:`NEUROLYSIS`. Optional *deafferentation pain*
(``deafferentation_risk``): over the weeks after the lesion, neuroma formation and
deafferentation hyperactivity add ongoing C drive that enters proximal to the lesion and is
not blocked by it (:func:`deafferentation_c_drive`) [A, labelled].

References
----------
Single-axon lidocaine EC50: Anesthesiology 84:1455-1464 (1996), rat dorsal-root axons
(docs/science.md §5.1) [P].
Popitz-Bergez F.A., Leeson S., Strichartz G.R., Thalhammer J.G. (1995) Relation between
functional deficit and intraneural local anesthetic during peripheral nerve block.
Anesthesiology 83:583-592 [P].
Gokin A.P., Philip B., Strichartz G.R. (2001) Preferential block of small myelinated sensory
and motor fibers by lidocaine. Anesthesiology 95:1441-1454 [P].
Franz D.N., Perry R.S. (1974) Mechanisms for differential block among single myelinated and
non-myelinated axons by procaine. J Physiol 236:193-210 [S, the three-node criterion].
Raymond S.A., Steffensen S.C., Gugino L.D., Strichartz G.R. (1989) The role of length of nerve
exposed to local anesthetics in impulse blocking action. Anesth Analg 68:563-570 [S].
Hsu M., Stevenson F.F. (2015) Wallerian degeneration and recovery of motor nerves after
multiple focused cold therapies. Muscle Nerve 51:268-275 [P].
Stanton T.R. et al. (2013) Local anaesthetic sympathetic blockade for complex regional pain
syndrome. Cochrane Database Syst Rev CD004598 [S: evidence for benefit is scarce].
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.special import ndtr

from sim.fibers import FIBER_PROPERTIES, FiberClass, internode_length_mm
from sim.params import ParameterError, check_array
from sim.recruitment import DIAMETER_DISTRIBUTIONS, DiameterDistribution

__all__ = [
    "LocalAnaesthetic",
    "LOCAL_ANAESTHETICS",
    "na_block_fraction",
    "critical_concentration_uM",
    "injected_concentration_uM",
    "intraneural_concentration_uM",
    "blocked_length_mm",
    "critical_length_mm",
    "blocked_fraction",
    "LocalAnaestheticBlock",
    "local_anaesthetic_block",
    "ganglion_block_fraction",
    "Neurolysis",
    "NEUROLYSIS",
    "neurolysis_conduction_lost",
    "deafferentation_c_drive",
    "N_NODES",
    "UPTAKE_FRACTION",
    "BLOCK_CRITICAL_FRACTION",
    "SPREAD_SD_MM",
    "C_CRITICAL_LENGTH_MM",
    "B_FIBRE_DISTRIBUTION",
    "PERIPHERAL_ECTOPIC_FRACTION",
]

#: Consecutive nodes of Ranvier that must be blocked for a myelinated fibre to fail [1]:
#: "~3 consecutive nodes" (docs/science.md §5.1 [S]; Franz & Perry 1974).
N_NODES = 3
#: Fraction of the injected concentration that reaches the axons at the peak of uptake [1].
#: After 0.1 ml of 1 % lidocaine at the rat sciatic nerve, the intraneural lidocaine during
#: full block equalled equilibration with 0.7-0.9 mM (Popitz-Bergez 1995 [P]); 1 % lidocaine
#: hydrochloride is 36.9 mM, so f_u ≈ 0.8 / 36.9 = 0.022 [P-derived]. Used for bupivacaine too
#: [A].
UPTAKE_FRACTION = 0.8 / 36.93
#: Fraction of Na channels blocked at which a node (or C-fibre membrane) fails to conduct [1];
#: 0.5 [A]: with it the critical intraneural lidocaine is the EC50, 0.23 mM, inside the
#: 0.2-0.3 mM at which deep pain returned (Popitz-Bergez 1995 [P]).
BLOCK_CRITICAL_FRACTION = 0.5
#: SD of the Gaussian spread of drug along the nerve [mm]; 1.3 mm [A], calibrated so that the
#: peak of a 1 % lidocaine block blocks every Aβ fibre (critical length ≤ 3.9 mm; complete
#: sensory block at peak, Popitz-Bergez 1995) while 0.4 % blocks all Aδ and C but only about
#: 15 % of the Aβ fibres.
SPREAD_SD_MM = 1.3
#: Continuous blocked length a C fibre of 0.7 µm needs to fail [mm], per block order [A]. The
#: sources disagree (docs/science.md §5.1): clinical texts put C (and B) fibres first [S]; in rat
#: sciatic recordings Aδ fibres were blocked at the lowest lidocaine concentration (threshold
#: 0.03 % vs 0.09-0.1 % for C; Gokin 2001 [P]). ``c-first``: 0.2 mm, below the 0.3 mm of the
#: thinnest Aδ fibre (3 internodes of 0.1 mm); ``adelta-first``: 1.5 mm, above the 1.3 mm of
#: the thickest Aδ fibre and still below the 1.6 mm of the thinnest Aβ fibre (Gokin found C
#: even after Aβ; kept before Aβ here so that pain can be blocked while touch is spared, the
#: clinical observation).
C_CRITICAL_LENGTH_MM: Mapping[str, float] = MappingProxyType({"c-first": 0.2,
                                                              "adelta-first": 1.5})
#: Reference C-fibre diameter for :data:`C_CRITICAL_LENGTH_MM` [µm]: the median of the C
#: distribution of sim.recruitment.
_C_REF_DIAMETER_UM = 0.7
#: Preganglionic sympathetic B fibres: thin myelinated, 1-3 µm [T]; median 2 µm, SD 0.3 of
#: ln(d) [A].
B_FIBRE_DISTRIBUTION = DiameterDistribution(2.0, 0.3, "[T] B fibres 1-3 um; [A] median/spread")
_B_RANGE_UM = (1.0, 3.0)
#: Share of a neuropathic patient's ongoing (ectopic) C drive that arises in the peripheral
#: nerve (neuroma, injured axons, skin terminals) rather than in the dorsal-root-ganglion
#: somata [1]; 0.75 [A]. Both sites fire ectopically after nerve injury (Devor 2009, Exp Brain
#: Res 196:115 [S]); a peripheral block or lesion silences only the peripheral share.
PERIPHERAL_ECTOPIC_FRACTION = 0.75


@dataclass(frozen=True)
class LocalAnaesthetic:
    """Pharmacology of one local anaesthetic.

    Attributes
    ----------
    name : str
        Drug name.
    ec50_uM : float
        Intraneural concentration blocking half the Na channels [µM].
    hill : float
        Hill coefficient of the block [1].
    molar_mass_g_per_mol : float
        Molar mass of the salt the concentration refers to [g/mol].
    tau_in_min, tau_out_min : float
        Uptake into and clearance from the nerve (Bateman time constants) [min].
    source : str
        Where the numbers come from.
    """

    name: str
    ec50_uM: float
    hill: float
    molar_mass_g_per_mol: float
    tau_in_min: float
    tau_out_min: float
    source: str

    @property
    def peak_time_min(self) -> float:
        """Time of peak intraneural concentration after injection [min]."""
        a, b = self.tau_in_min, self.tau_out_min
        return a * b * math.log(b / a) / (b - a)


#: Local anaesthetics (docs/science.md §5.1). Time constants give, at clinical concentrations,
#: onset within 10-20 min and pain block of 1-1.5 h (lidocaine 1-2 %) and 3-6 h (bupivacaine
#: 0.25-0.5 %), the plain-solution peripheral-block ranges of anaesthesia texts [T].
LOCAL_ANAESTHETICS: Mapping[str, LocalAnaesthetic] = MappingProxyType({
    "lidocaine": LocalAnaesthetic(
        "lidocaine", 230.0, 1.0, 270.8, 4.0, 40.0,
        "EC50 232/228 µM myelinated/unmyelinated rat dorsal-root axons [P, Anesthesiology "
        "84:1455 (1996)]; h = 1 [A]; lidocaine HCl 270.8 g/mol; intraneural lidocaine near "
        "steady within 3 min, gone by 70 min in the rat [P Popitz-Bergez 1995]; onset 10-20 "
        "min, duration 1-2 h in patients [T]"),
    "bupivacaine": LocalAnaesthetic(
        "bupivacaine", 230.0 / 4.0, 1.0, 324.9, 10.0, 150.0,
        "about 4 x the potency of lidocaine [T anaesthesia texts], so EC50 = 230/4 µM [A]; "
        "bupivacaine HCl 324.9 g/mol; onset 15-30 min, duration 4-8 h [T]"),
})


# ------------------------------------------------------------------------------------------
# Local anaesthetic: concentration, Na block, blocked length, fibres
# ------------------------------------------------------------------------------------------
def na_block_fraction(concentration_uM: Any, ec50_uM: float = 230.0,
                      hill: float = 1.0) -> Any:
    """Fraction of Na channels blocked, b = c^h / (c^h + EC50^h).

    Parameters
    ----------
    concentration_uM : float or array
        Local anaesthetic concentration at the axon [µM], >= 0.
    ec50_uM : float
        Half-blocking concentration [µM]; 230 µM for lidocaine (docs/science.md §5.1 [P]).
    hill : float
        Hill coefficient [1], 0.1..5.

    Returns
    -------
    float or ndarray
        Blocked fraction [1], 0..1.

    Examples
    --------
    >>> na_block_fraction(230.0)
    0.5
    """
    c = check_array("concentration_uM", concentration_uM, "µM", 0.0, 1e7)
    ec = float(check_array("ec50_uM", ec50_uM, "µM", 0.0, 1e6, include_minimum=False))
    h = float(check_array("hill", hill, "", 0.1, 5.0))
    ch = c ** h
    out = ch / (ch + ec ** h)
    return float(out) if out.ndim == 0 else out


def critical_concentration_uM(drug: LocalAnaesthetic,
                              critical_fraction: float = BLOCK_CRITICAL_FRACTION) -> float:
    """Concentration at which a node fails, EC50·(b/(1 − b))^(1/h) [µM]."""
    b = critical_fraction
    return drug.ec50_uM * (b / (1.0 - b)) ** (1.0 / drug.hill)


def injected_concentration_uM(concentration_pct: float, drug: LocalAnaesthetic) -> float:
    """Molar concentration of an injected solution [µM]: % (g/100 ml) → g/l → mol/l."""
    return concentration_pct * 10.0 / drug.molar_mass_g_per_mol * 1e6


def _bateman(t_min: np.ndarray, tau_in: float, tau_out: float) -> np.ndarray:
    """Two-exponential uptake/clearance normalised to peak 1 (0 before t = 0)."""
    t_min = np.asarray(t_min, dtype=float)
    tp = tau_in * tau_out * math.log(tau_out / tau_in) / (tau_out - tau_in)
    peak = math.exp(-tp / tau_out) - math.exp(-tp / tau_in)
    out = np.zeros_like(t_min)
    on = t_min > 0
    t = t_min[on]
    out[on] = (np.exp(-t / tau_out) - np.exp(-t / tau_in)) / peak
    return out


def intraneural_concentration_uM(drug: LocalAnaesthetic, concentration_pct: float,
                                 t_since_injection_s: Any) -> np.ndarray:
    """Concentration at the axons after an injection [µM] (0 before it).

    c(t) = f_u · C_inj · Bateman(t; τ_in, τ_out), peak-normalised (module notes).
    """
    t = np.asarray(t_since_injection_s, dtype=float) / 60.0
    peak = UPTAKE_FRACTION * injected_concentration_uM(concentration_pct, drug)
    return peak * _bateman(t, drug.tau_in_min, drug.tau_out_min)


def blocked_length_mm(concentration_uM: Any, critical_uM: float,
                      spread_sd_mm: float = SPREAD_SD_MM) -> np.ndarray:
    """Length of nerve at or above the critical concentration, 2·s·sqrt(2·ln(c/c_crit)) [mm].

    Parameters
    ----------
    concentration_uM : float or array
        Peak (centre) concentration along the nerve [µM], >= 0.
    critical_uM : float
        Concentration at which conduction fails [µM], > 0.
    spread_sd_mm : float
        SD of the Gaussian profile of drug along the nerve [mm].

    Examples
    --------
    >>> round(float(blocked_length_mm(230.0 * math.e ** 0.5, 230.0, 1.0)), 6)   # ln u = 1/2
    2.0
    """
    c = np.asarray(concentration_uM, dtype=float)
    ratio = np.maximum(c / critical_uM, 1.0)
    return 2.0 * spread_sd_mm * np.sqrt(2.0 * np.log(ratio))


def critical_length_mm(fiber_class: FiberClass, diameter_um: Any,
                       block_order: str = "c-first") -> np.ndarray:
    """Blocked length that makes a fibre fail [mm].

    Myelinated (Aβ, Aδ): ``N_NODES`` internodes, 3·L(d) with L from
    :func:`sim.fibers.internode_length_mm` (≈ 100·d, MRG geometry [T]). C:
    L_C,ref·sqrt(d / 0.7 µm) with L_C,ref from :data:`C_CRITICAL_LENGTH_MM` [A].

    Examples
    --------
    >>> round(float(critical_length_mm(FiberClass.ADELTA, 2.0)), 3)   # 3 x 0.2 mm
    0.6
    """
    d = np.asarray(diameter_um, dtype=float)
    if FIBER_PROPERTIES[fiber_class].myelinated:
        return N_NODES * internode_length_mm(d)
    return _c_ref_length(block_order) * np.sqrt(d / _C_REF_DIAMETER_UM)


def _c_ref_length(block_order: str) -> float:
    try:
        return C_CRITICAL_LENGTH_MM[block_order]
    except KeyError:
        raise ParameterError(f"block_order={block_order!r} is not one of "
                             + ", ".join(map(repr, C_CRITICAL_LENGTH_MM)),
                             name="block_order", value=block_order) from None


#: Inverse of the internode-length curve: (L [mm], d [µm]) on a fine grid (L increases with d).
_D_GRID = np.geomspace(0.1, 40.0, 4000)
_L_GRID = internode_length_mm(_D_GRID)


def _max_diameter_um(fiber_class: FiberClass | None, length_mm: np.ndarray,
                     block_order: str) -> np.ndarray:
    """Largest diameter whose critical length fits in ``length_mm`` (0 where none)."""
    if fiber_class is FiberClass.C:
        return _C_REF_DIAMETER_UM * (length_mm / _c_ref_length(block_order)) ** 2
    d = np.interp(length_mm / N_NODES, _L_GRID, _D_GRID, left=0.0, right=_D_GRID[-1])
    return np.where(length_mm <= 0, 0.0, d)


def _truncated_lognormal_cdf(d_um: np.ndarray, dist: DiameterDistribution, lo: float,
                             hi: float) -> np.ndarray:
    mu, s = math.log(dist.median_um), dist.sigma_ln
    a, b = ndtr((math.log(lo) - mu) / s), ndtr((math.log(hi) - mu) / s)
    with np.errstate(divide="ignore"):
        z = (np.log(np.clip(d_um, 1e-12, None)) - mu) / s
    return np.clip((ndtr(z) - a) / (b - a), 0.0, 1.0)


def blocked_fraction(fiber_class: FiberClass, length_mm: Any,
                     block_order: str = "c-first") -> np.ndarray:
    """Fraction of a class's fibres that fail when ``length_mm`` of nerve is blocked [1].

    Closed form over the class's truncated log-normal diameter distribution
    (:data:`sim.recruitment.DIAMETER_DISTRIBUTIONS`): the fibres whose critical length
    (:func:`critical_length_mm`) is at most ``length_mm``.
    """
    L = np.asarray(check_array("length_mm", length_mm, "mm", 0.0), dtype=float)
    props = FIBER_PROPERTIES[fiber_class]
    dmax = _max_diameter_um(fiber_class, L, block_order)
    return _truncated_lognormal_cdf(dmax, DIAMETER_DISTRIBUTIONS[fiber_class],
                                    props.diameter_min_um, props.diameter_max_um)


#: Blocked lengths of the lookup tables of :func:`_fraction_table` [mm]: 1 µm steps up to
#: 12 mm, beyond every critical length of the classes (Aβ <= 3.9 mm, C <= 2.2 mm).
_TABLE_L_MM = np.linspace(0.0, 12.0, 12001)


@functools.lru_cache(maxsize=16)
def _fraction_table(fiber_class: FiberClass | None, block_order: str) -> np.ndarray:
    """Blocked fraction of a class (None: B fibres) on :data:`_TABLE_L_MM` (exact values)."""
    if fiber_class is None:
        dmax = _max_diameter_um(None, _TABLE_L_MM, "c-first")
        return _truncated_lognormal_cdf(dmax, B_FIBRE_DISTRIBUTION, *_B_RANGE_UM)
    return blocked_fraction(fiber_class, _TABLE_L_MM, block_order)


def _fast_fraction(fiber_class: FiberClass | None, length_mm: np.ndarray,
                   block_order: str) -> np.ndarray:
    """:func:`blocked_fraction` by linear interpolation in an exact table (session grids of
    90 000 samples; error < 1e-6)."""
    return np.interp(length_mm, _TABLE_L_MM, _fraction_table(fiber_class, block_order))


@dataclass(frozen=True)
class LocalAnaestheticBlock:
    """A local-anaesthetic block over time.

    Attributes
    ----------
    t_s : ndarray
        Time since injection [s] (negative: before it).
    concentration_uM : ndarray
        Intraneural concentration at the injection site [µM].
    na_block : ndarray
        Fraction of Na channels blocked there [1].
    blocked_length_mm : ndarray
        Length of nerve in which conduction fails [mm].
    blocked_abeta, blocked_adelta, blocked_c : ndarray
        Fraction of each class blocked [1].
    """

    t_s: np.ndarray
    concentration_uM: np.ndarray
    na_block: np.ndarray
    blocked_length_mm: np.ndarray
    blocked_abeta: np.ndarray
    blocked_adelta: np.ndarray
    blocked_c: np.ndarray


def local_anaesthetic_block(drug: str, concentration_pct: float, t_since_injection_s: Any,
                            block_order: str = "c-first") -> LocalAnaestheticBlock:
    """Differential block of Aβ, Aδ and C fibres after a perineural injection.

    Parameters
    ----------
    drug : {"lidocaine", "bupivacaine"}
        Local anaesthetic (:data:`LOCAL_ANAESTHETICS`).
    concentration_pct : float
        Concentration of the injected solution [%] (g/100 ml), > 0.
    t_since_injection_s : float or array
        Time since the injection [s]; negative times give no block.
    block_order : {"c-first", "adelta-first"}
        Which small fibres fail first (:data:`C_CRITICAL_LENGTH_MM`).

    Returns
    -------
    LocalAnaestheticBlock

    Examples
    --------
    At the peak of a 1 % lidocaine block every pain and touch fibre is blocked:

    >>> la = LOCAL_ANAESTHETICS["lidocaine"]
    >>> b = local_anaesthetic_block("lidocaine", 1.0, la.peak_time_min * 60)
    >>> float(b.blocked_abeta), float(b.blocked_c)
    (1.0, 1.0)
    """
    la = _drug(drug)
    pct = float(check_array("concentration_pct", concentration_pct, "%", 0.0, 100.0,
                            include_minimum=False))
    t = np.asarray(check_array("t_since_injection_s", t_since_injection_s, "s", -1e9, 1e9))
    c = intraneural_concentration_uM(la, pct, t)
    length = blocked_length_mm(c, critical_concentration_uM(la))
    return LocalAnaestheticBlock(
        t, c, na_block_fraction(c, la.ec50_uM, la.hill) * np.ones_like(c), length,
        *(_fast_fraction(fc, length, block_order) for fc in
          (FiberClass.ABETA, FiberClass.ADELTA, FiberClass.C)))


def _drug(drug: str) -> LocalAnaesthetic:
    try:
        return LOCAL_ANAESTHETICS[drug]
    except (KeyError, TypeError):
        raise ParameterError(f"drug={drug!r} is not one of "
                             + ", ".join(map(repr, LOCAL_ANAESTHETICS)), name="drug",
                             value=drug) from None


def ganglion_block_fraction(concentration_pct: float, t_since_injection_s: Any,
                            drug: str = "bupivacaine") -> np.ndarray:
    """Fraction of sympathetic (preganglionic B) fibres blocked by a ganglion block [1].

    Same geometry as :func:`local_anaesthetic_block`, with the B-fibre diameters of
    :data:`B_FIBRE_DISTRIBUTION` (thin myelinated: they fail early, as sympathetic block
    precedes sensory block clinically [S]).
    """
    la = _drug(drug)
    c = intraneural_concentration_uM(la, concentration_pct, t_since_injection_s)
    length = blocked_length_mm(c, critical_concentration_uM(la))
    return _fast_fraction(None, length, "c-first")


# ------------------------------------------------------------------------------------------
# Neurolysis
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Neurolysis:
    """Recovery of conduction after a neurolytic lesion.

    Attributes
    ----------
    name : str
        Technique.
    recovery_t50_days : float
        Days until half of the interrupted axons conduct again [days].
    recovery_width_days : float
        Spread of recovery times (logistic scale) [days].
    mechanism : str
        What the lesion does to the nerve.
    source : str
        Where the time course comes from.
    """

    name: str
    recovery_t50_days: float
    recovery_width_days: float
    mechanism: str
    source: str


#: Neurolysis techniques and their recovery time courses.
NEUROLYSIS: Mapping[str, Neurolysis] = MappingProxyType({
    "phenol": Neurolysis(
        "phenol", 90.0, 25.0,
        "chemical: 3-10 % aqueous phenol denatures axonal proteins (non-selective, "
        "Wallerian degeneration); an immediate local-anaesthetic-like block, then the lesion",
        "block lasting weeks to months, typically 2-6 months, as axons regrow [T pain-medicine "
        "texts]; t50 = 90 d, w = 25 d [A within T]"),
    "cryoneurolysis": Neurolysis(
        "cryoneurolysis", 45.0, 12.0,
        "cold (-50 to -70 °C probe): axonotmesis with intact endoneurial tubes, Wallerian "
        "degeneration and regrowth at 1-2 mm/day along the preserved tubes",
        "analgesia for weeks to months [S reviews]; rat: function back by 8 weeks, histology "
        "normal by 24 weeks (Hsu & Stevenson 2015 [P]); t50 = 45 d, w = 12 d [A within S]"),
    "radiofrequency": Neurolysis(
        "radiofrequency", 270.0, 60.0,
        "heat (conventional RF, 80-90 °C for 60-90 s): coagulation of a few mm of nerve; "
        "slower recovery than cryo because endoneurial tubes are damaged",
        "relief for months, median about 8-12 months after medial-branch RF [S reviews of "
        "Dreyfuss 2000 and MacVicar 2013]; t50 = 270 d, w = 60 d [A within S]"),
})

#: Deafferentation pain after neurolysis [A, labelled option]: extra ongoing C drive of up to
#: 0.3 × the lesion's completeness, building with τ = 30 days and entering proximal to the
#: lesion (DRG and central hyperactivity), so the lesion cannot block it. With the neuropathic
#: presets' ongoing drive of 1, of which a complete lesion silences the peripheral 0.75, pain
#: creeps back over weeks and exceeds the untreated pain once the nerve regrows. Neurolytic
#: blocks are known to risk neuritis and deafferentation pain, sometimes worse than the
#: original pain [S pain-medicine texts]; size and timing are assumptions.
DEAFFERENTATION_MAX_C_DRIVE = 0.3
DEAFFERENTATION_TAU_DAYS = 30.0


def neurolysis_conduction_lost(technique: str, days_since_lesion: Any,
                               lesion_fraction: float = 1.0) -> Any:
    """Fraction of the treated nerve's axons not conducting, days after a lesion [1].

    lost(day) = lesion_fraction · S(day)/S(0), S(day) = 1/(1 + exp((day − t50)/w)).

    Examples
    --------
    About half the axons of a complete cryo lesion conduct again at its t50 (exactly half of
    S(0) = 0.98):

    >>> t50 = NEUROLYSIS["cryoneurolysis"].recovery_t50_days
    >>> round(float(neurolysis_conduction_lost("cryoneurolysis", t50)), 2)
    0.51
    """
    try:
        n = NEUROLYSIS[technique]
    except (KeyError, TypeError):
        raise ParameterError(f"technique={technique!r} is not one of "
                             + ", ".join(map(repr, NEUROLYSIS)), name="technique",
                             value=technique) from None
    day = check_array("days_since_lesion", days_since_lesion, "days", 0.0, 1e4)
    frac = float(check_array("lesion_fraction", lesion_fraction, "", 0.0, 1.0))
    s0 = 1.0 / (1.0 + math.exp(-n.recovery_t50_days / n.recovery_width_days))
    out = frac / (1.0 + np.exp((day - n.recovery_t50_days) / n.recovery_width_days)) / s0
    return float(out) if np.ndim(out) == 0 else out


def deafferentation_c_drive(days_since_lesion: Any, lesion_fraction: float = 1.0) -> Any:
    """Extra ongoing C drive from deafferentation after neurolysis [1] (labelled [A]).

    ΔC(day) = 0.3·lesion_fraction·(1 − exp(−day/30 d)) (:data:`DEAFFERENTATION_MAX_C_DRIVE`).
    """
    day = check_array("days_since_lesion", days_since_lesion, "days", 0.0, 1e4)
    frac = float(check_array("lesion_fraction", lesion_fraction, "", 0.0, 1.0))
    out = DEAFFERENTATION_MAX_C_DRIVE * frac * (1.0 - np.exp(-day / DEAFFERENTATION_TAU_DAYS))
    return float(out) if np.ndim(out) == 0 else out

