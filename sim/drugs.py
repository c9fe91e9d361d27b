"""Drugs for neuropathic pain, each acting where its pharmacology says, on the same gate.

The five that patient guides name (docs/science.md §5.2, Finnerup et al. 2015): amitriptyline (a
tricyclic, TCA), venlafaxine (an SNRI), gabapentin (an α2δ ligand), the capsaicin 8 % patch
and the lidocaine 5 % plaster; and the other drugs of that meta-analysis (pregabalin,
duloxetine, tramadol, morphine for the strong opioids) with the simple analgesics paracetamol
and ibuprofen (an NSAID), which do little for neuropathic pain. Each drug has an effect
E(dose, day) >= 0 and acts through one or more documented routes into the dorsal-horn model
(:mod:`sim.gate`):

==================  ================================================  =======================
route               what changes                                      drugs
==================  ================================================  =======================
descending          descending drive b_desc −= g_desc·E (more         amitriptyline,
                    noradrenaline/serotonin in the dorsal horn)       venlafaxine
ectopic             ongoing (ectopic) C drive × (1 − g_ect·E):        amitriptyline
                    Na-channel block of ectopic firing, systemic      (all ectopic sites)
                    (all sites) or local (peripheral share only)      lidocaine patch (local)
transmission        C → dorsal-horn transmission × (1 − g_tr·E):      gabapentin
                    less presynaptic transmitter release (α2δ-1),
                    less C-driven sensitisation
defunctionalise     peripheral C activity (ectopic share and          capsaicin patch
                    natural C input) × (1 − g_def·D(day)), with
                    burning C drive while the patch is on (day 0)
natural             tissue-evoked C input × (1 − g_nat·E)             ibuprofen (NSAID)
==================  ================================================  =======================

Effect over dose and time [A form, T/S numbers]::

    E(dose, day) = [d^h/(d^h + ED50^h)] / [d_ref^h/(d_ref^h + ED50^h)] · (1 − exp(−day/τ))

normalised to 1 at the trial (reference) dose once titration is complete; τ is the
titration/onset time constant. Capsaicin: D(day) = (1 − exp(−day/τ_on))·S(day)/S(0) with a
logistic re-innervation S (t50 = 90 days) and an application factor A(t_app) = (1 −
exp(−t_app/30 min))/(1 − exp(−2)), 1 at the labelled 60 min. Lidocaine plaster: E = 1 from
day 1 (on day 0 it builds in the session with τ = 1 h).

Gains (``g_*``) are calibrated [A] so that a virtual cohort drawn around the painful diabetic
neuropathy preset and measured as a trial (:mod:`sim.cohort`: enrolment, natural history and
each patient's placebo response) reaches the responder rate placebo + 1/NNT (Finnerup 2015
NNTs, :data:`PLACEBO_RESPONDER_RATE`); see ``tests/test_drugs.py``. NNTs are for >= 50 % relief
against placebo; no drug helps more than half of patients. Calibration result (1000 virtual
patients, seed 0, drug at its reference dose on day 56 (patches day 28); target = 20 % +
1/NNT; ``docs/model.md`` prints the current figures):

=================  ==========  =========  ===========================================
cohort             responders  target      gain(s) [A]
=================  ==========  =========  ===========================================
placebo            18.9 %      20 %        (placebo spread, sim.cohort.VARIABILITY)
amitriptyline      47.8 %      47.8 %      g_desc 0.195, g_ect 0.03 (Na block, fixed)
venlafaxine        35.7 %      35.6 %      g_desc 0.159
gabapentin         35.8 %      35.9 %      g_tr 0.105
capsaicin 8 %      29.4 %      29.4 %      g_def 0.087
lidocaine 5 %      23.8 %      placebo+5   g_ect 0.041 (target placebo + 5 pp [A])
pregabalin         33.0 %      33.0 %      g_tr 0.090
duloxetine         35.5 %      35.6 %      g_desc 0.158
tramadol           41.3 %      41.3 %      g_desc 0.111, g_tr 0.056 (split 2:1 [A])
morphine           43.1 %      43.3 %      g_tr 0.095, g_desc 0.064 (split 3:2 [A])
paracetamol        21.9 %      placebo+2   g_desc 0.026 (target placebo + 2 pp [A])
ibuprofen          18.9 %      placebo     g_nat 0.5 on tissue-evoked C input only [A]
=================  ==========  =========  ===========================================

Against the placebo arm on the same patients these give NNTs of 7.1 (pregabalin), 6.0
(duloxetine), 4.5 (tramadol) and 4.1 (morphine), each inside Finnerup's 95 % interval
(``tests/test_more_drugs.py``). Routes of the later drugs: pregabalin transmission (α2δ-1, as
gabapentin); duloxetine descending (SNRI); tramadol descending and transmission (weak μ-opioid
plus reuptake inhibition); morphine, standing for the strong opioids, transmission (spinal
μ-receptors) and descending (periaqueductal grey); paracetamol a little descending
inhibition; ibuprofen only tissue-evoked (natural) C input ("natural" route: g_nat), so it
eases an injury and leaves ectopic, neuropathic pain alone (Moore et al. 2015 Cochrane
CD010902; Wiffen et al. 2016 Cochrane CD012227 [S]: no evidence of benefit).

The gains are small because the gate is steep around the neuropathic presets: a few per cent
less C input or a little more descending inhibition is what separates a responder from a
non-responder.

Side effects are a labelled qualitative output (:func:`side_effects`): the common adverse
effects of each drug (NNH from Finnerup 2015 where given) and a burden level (low, moderate,
high) by dose [A thresholds].

References
----------
Finnerup N.B. et al. (2015) Pharmacotherapy for neuropathic pain in adults: a systematic
review and meta-analysis. Lancet Neurol 14:162-173 [P] (NNT, NNH, recommended doses).
Ossipov M.H., Dussor G.O., Porreca F. (2010) Central modulation of pain. J Clin Invest
120:3779-3787 [S] (descending noradrenergic/serotonergic inhibition).
Field M.J. et al. (2006) Identification of the α2-δ-1 subunit of voltage-dependent calcium
channels as a molecular target for pain mediating the analgesic actions of pregabalin. PNAS
103:17537-17542 [P].
Anand P., Bley K. (2011) Topical capsaicin for pain management: therapeutic potential and
mechanisms of action of the new high-concentration capsaicin 8 % patch. Br J Anaesth
107:490-502 [S].
Devor M., Wall P.D., Catalan N. (1992) Systemic lidocaine silences ectopic neuroma and DRG
discharge without blocking nerve conduction. Pain 48:261-268 [P].
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from sim.params import ParameterError, check_array

__all__ = [
    "Drug",
    "DRUGS",
    "drug_effect",
    "capsaicin_defunctionalisation",
    "lidocaine_patch_effect",
    "SideEffects",
    "side_effects",
    "PLACEBO_RESPONDER_RATE",
    "CAPSAICIN_BURNING_C_DRIVE",
    "CAPSAICIN_RECOVERY_T50_DAYS",
]

#: Responder rate (>= 50 % relief) on placebo that the cohorts are calibrated to [1]: 0.20,
#: the low end of the 20-30 % of docs/science.md §5.2 [T], chosen so that the best drug (TCA, NNT
#: 3.6: +28 percentage points) stays below one half of patients, as the issue and Finnerup
#: 2015 ("most patients do not reach 50 % relief") require.
PLACEBO_RESPONDER_RATE = 0.20


@dataclass(frozen=True)
class Drug:
    """One drug: dose range, dose-response, onset, routes of action, evidence.

    Attributes
    ----------
    name : str
        Treatment kind (``amitriptyline``, ...).
    title : str
        Human title.
    dose_range_mg_per_day : tuple of float
        Allowed daily dose [mg/day] (for the patches: not used).
    reference_dose_mg_per_day : float
        Dose at which E = 1 (typical trial dose) [mg/day].
    ed50_mg_per_day : float
        Dose of half-maximal effect [mg/day].
    hill : float
        Steepness of the dose-response [1].
    onset_tau_days : float
        Onset/titration time constant τ [days].
    descending_gain : float
        g_desc: descending inhibition per unit effect [1] (b_desc −= g_desc·E).
    ectopic_gain : float
        g_ect: fraction of ectopic C drive silenced per unit effect [1].
    ectopic_local : bool
        True: acts on the peripheral share of ectopic firing only (a patch); False: all sites.
    transmission_gain : float
        g_tr: fraction of C → dorsal-horn transmission removed per unit effect [1].
    natural_c_gain : float
        g_nat: fraction of natural (tissue-evoked) C input removed per unit effect [1]:
        peripheral anti-inflammatory action (NSAIDs), nothing on ectopic firing.
    nnt : float
        Number needed to treat for >= 50 % relief (NaN: not estimable) [1].
    nnh : float
        Number needed to harm (drop-out for adverse effects; NaN: not given) [1].
    mechanism : str
        Pharmacology in one paragraph.
    adverse_effects : tuple of str
        Common adverse effects.
    burden_doses_mg_per_day : tuple of float
        Doses above which the side-effect burden is moderate, then high [mg/day] [A].
    source : str
        Sources of the numbers.
    """

    name: str
    title: str
    dose_range_mg_per_day: tuple[float, float]
    reference_dose_mg_per_day: float
    ed50_mg_per_day: float
    hill: float
    onset_tau_days: float
    descending_gain: float = 0.0
    ectopic_gain: float = 0.0
    ectopic_local: bool = False
    transmission_gain: float = 0.0
    natural_c_gain: float = 0.0
    nnt: float = math.nan
    nnh: float = math.nan
    mechanism: str = ""
    adverse_effects: tuple[str, ...] = ()
    burden_doses_mg_per_day: tuple[float, float] = (math.inf, math.inf)
    source: str = ""

    @property
    def target_responder_rate(self) -> float:
        """Placebo + 1/NNT: the cohort responder rate this drug is calibrated to [1]."""
        return PLACEBO_RESPONDER_RATE + (1.0 / self.nnt if math.isfinite(self.nnt) else 0.0)


#: Drugs by treatment kind. Gains are the calibration of the module notes [A].
DRUGS: Mapping[str, Drug] = MappingProxyType({
    "amitriptyline": Drug(
        "amitriptyline", "Amitriptyline (tricyclic)", (10.0, 150.0), 50.0, 25.0, 1.0, 7.0,
        descending_gain=0.195, ectopic_gain=0.03, nnt=3.6, nnh=13.4,
        mechanism="Blocks noradrenaline and serotonin reuptake, strengthening descending "
                  "inhibition from the brainstem (at doses below antidepressant doses), and "
                  "blocks Na channels, quietening ectopic firing of injured fibres.",
        adverse_effects=("drowsiness", "dry mouth", "constipation", "dizziness",
                         "weight gain", "cardiac conduction (caution in heart disease)"),
        burden_doses_mg_per_day=(25.0, 75.0),
        source="NNT 3.6, NNH 13.4, 25-150 mg/day (Finnerup 2015 [P]); descending "
               "inhibition (Ossipov 2010 [S], docs/science.md §9.3); onset over 1-2 weeks of "
               "titration, τ = 7 d [A]; ED50 25 mg [A]"),
    "venlafaxine": Drug(
        "venlafaxine", "Venlafaxine (SNRI)", (37.5, 225.0), 150.0, 112.5, 3.0, 10.0,
        descending_gain=0.159, nnt=6.4, nnh=11.8,
        mechanism="Serotonin reuptake inhibition at all doses, noradrenaline reuptake only "
                  "from about 150 mg/day: descending inhibition needs the higher doses.",
        adverse_effects=("nausea", "sweating", "dizziness", "raised blood pressure at high "
                         "doses", "discontinuation symptoms"),
        burden_doses_mg_per_day=(75.0, 150.0),
        source="SNRI NNT 6.4, NNH 11.8, venlafaxine 150-225 mg/day (Finnerup 2015 [P]); "
               "steep dose-response (h = 3, ED50 112.5 mg) for noradrenergic action at "
               ">= 150 mg [A, S]; τ = 10 d titration [A]"),
    "gabapentin": Drug(
        "gabapentin", "Gabapentin (α2δ ligand)", (300.0, 3600.0), 1800.0, 900.0, 1.0, 7.0,
        transmission_gain=0.105, nnt=6.3, nnh=25.6,
        mechanism="Binds the α2δ-1 subunit of presynaptic Ca channels in C-fibre terminals: "
                  "less glutamate and substance P release onto dorsal-horn neurons, so less "
                  "transmission and less C-driven sensitisation.",
        adverse_effects=("dizziness", "somnolence", "peripheral oedema", "gait disturbance"),
        burden_doses_mg_per_day=(900.0, 2400.0),
        source="NNT 6.3, NNH 25.6, 1200-3600 mg/day (Finnerup 2015 [P]); α2δ-1 target "
               "(Field 2006 [P]); saturable absorption flattens the dose-response, ED50 "
               "900 mg [A]; titration over 1-3 weeks, τ = 7 d [A]"),
    "pregabalin": Drug(
        "pregabalin", "Pregabalin (α2δ ligand)", (75.0, 600.0), 300.0, 300.0, 1.0, 5.0,
        transmission_gain=0.090, nnt=7.7, nnh=13.9,
        mechanism="Binds the α2δ-1 subunit of presynaptic Ca channels in C-fibre terminals, "
                  "as gabapentin does, with linear absorption: less transmitter release onto "
                  "dorsal-horn neurons and a dose-response up to 600 mg/day.",
        adverse_effects=("dizziness", "somnolence", "peripheral oedema", "weight gain",
                         "blurred vision", "misuse potential"),
        burden_doses_mg_per_day=(150.0, 450.0),
        source="NNT 7.7 (95 % CI 6.5-9.4), NNH 13.9, 150-600 mg/day with a dose-response "
               "gradient (Finnerup 2015 [P]); α2δ-1 target (Field 2006 [P]); ED50 300 mg, "
               "titration over about a week, τ = 5 d [A]"),
    "duloxetine": Drug(
        "duloxetine", "Duloxetine (SNRI)", (20.0, 120.0), 60.0, 30.0, 1.0, 7.0,
        descending_gain=0.158, nnt=6.4, nnh=11.8,
        mechanism="Balanced serotonin and noradrenaline reuptake inhibition from the usual "
                  "dose: more monoamine in the dorsal horn strengthens descending inhibition.",
        adverse_effects=("nausea", "somnolence", "dizziness", "constipation", "dry mouth",
                         "reduced appetite"),
        burden_doses_mg_per_day=(60.0, 90.0),
        source="SNRI NNT 6.4 (95 % CI 5.2-8.4), NNH 11.8, duloxetine 60-120 mg/day "
               "(Finnerup 2015 [P]); descending inhibition (Ossipov 2010 [S]); ED50 30 mg, "
               "τ = 7 d [A]"),
    "tramadol": Drug(
        "tramadol", "Tramadol (weak opioid + SNRI)", (50.0, 400.0), 200.0, 150.0, 1.0, 7.0,
        descending_gain=0.111, transmission_gain=0.056, nnt=4.7, nnh=12.6,
        mechanism="A weak μ-opioid agonist (through its metabolite) that also inhibits "
                  "serotonin and noradrenaline reuptake: less C transmission at the spinal "
                  "opioid receptors and more descending inhibition.",
        adverse_effects=("nausea", "dizziness", "constipation", "somnolence",
                         "seizures and serotonin syndrome (with other serotonergic drugs)",
                         "dependence"),
        burden_doses_mg_per_day=(100.0, 300.0),
        source="NNT 4.7 (95 % CI 3.6-6.7), NNH 12.6, up to 400 mg/day (Finnerup 2015 [P]); "
               "dual action (Raffa et al. 1992 J Pharmacol Exp Ther 260:275 [P]); split of "
               "the routes 2:1 descending:transmission, ED50 150 mg, τ = 7 d [A]"),
    "morphine": Drug(
        "morphine", "Morphine (strong opioid)", (10.0, 240.0), 120.0, 60.0, 1.0, 7.0,
        descending_gain=0.064, transmission_gain=0.095, nnt=4.3, nnh=11.7,
        mechanism="μ-opioid agonist: presynaptic inhibition of transmitter release from "
                  "C-fibre terminals and hyperpolarisation of dorsal-horn neurons (less C "
                  "transmission), plus descending inhibition from the periaqueductal grey.",
        adverse_effects=("constipation", "nausea", "somnolence", "dizziness",
                         "tolerance and dependence", "respiratory depression in overdose",
                         "opioid-induced hyperalgesia with long use"),
        burden_doses_mg_per_day=(60.0, 120.0),
        source="strong opioids NNT 4.3 (95 % CI 3.4-5.8), NNH 11.7; morphine 90-240 mg/day, "
               "most effect by about 180 mg (Finnerup 2015 [P]); spinal and supraspinal "
               "sites (Ossipov 2010 [S]); split 3:2 transmission:descending, ED50 60 mg, "
               "τ = 7 d [A]"),
    "paracetamol": Drug(
        "paracetamol", "Paracetamol (simple analgesic)", (500.0, 4000.0), 4000.0, 1000.0,
        1.0, 1.0, descending_gain=0.026,
        mechanism="A central analgesic for nociceptive pain (partly through descending "
                  "serotonergic pathways); no action on ectopic firing or on the disinhibited "
                  "dorsal horn of neuropathic pain.",
        adverse_effects=("liver injury in overdose or with alcohol",),
        burden_doses_mg_per_day=(3000.0, 4000.0),
        source="no evidence of benefit in neuropathic pain (Wiffen et al. 2016 Cochrane "
               "Database Syst Rev CD012227 [S]); serotonergic mechanism (Pickering et al. "
               "2006 Clin Pharmacol Ther 79:371 [P]); a small descending gain, target "
               "placebo + 2 pp [A]"),
    "ibuprofen": Drug(
        "ibuprofen", "Ibuprofen (NSAID)", (200.0, 2400.0), 1200.0, 400.0, 1.0, 1.0,
        natural_c_gain=0.5,
        mechanism="Cyclo-oxygenase inhibition: less prostaglandin sensitisation of "
                  "nociceptor terminals in inflamed tissue. It quietens tissue-evoked C input "
                  "(an injury, inflammation), not the ectopic firing of injured axons.",
        adverse_effects=("dyspepsia and gastrointestinal bleeding", "kidney injury",
                         "raised blood pressure, cardiovascular risk"),
        burden_doses_mg_per_day=(1200.0, 1800.0),
        source="no evidence of benefit in neuropathic pain (Moore et al. 2015 Cochrane "
               "Database Syst Rev CD010902 [S]); half of tissue-evoked C input at 1200 "
               "mg/day, ED50 400 mg, τ = 1 d [A]"),
    "capsaicin-patch": Drug(
        "capsaicin-patch", "Capsaicin 8 % patch", (0.0, 0.0), 1.0, 1.0, 1.0, 2.0,
        ectopic_gain=0.087, ectopic_local=True, nnt=10.6,
        mechanism="TRPV1 agonist: burns while applied, then defunctionalises (and retracts) "
                  "C-fibre terminals in the treated skin for weeks, until they regrow.",
        adverse_effects=("burning and redness at the application site",
                         "transient rise in blood pressure during application"),
        source="NNT 10.6 (Finnerup 2015 [P]); 30/60 min application, re-treatment every 90 "
               "days [T label]; defunctionalisation within days and re-innervation over "
               "weeks to months (Anand & Bley 2011 [S]); onset τ = 2 d [A]"),
    "lidocaine-patch": Drug(
        "lidocaine-patch", "Lidocaine 5 % plaster", (0.0, 0.0), 1.0, 1.0, 1.0, 0.0,
        ectopic_gain=0.041, ectopic_local=True,
        mechanism="Low local lidocaine under the plaster quietens ectopic firing of the "
                  "peripheral fibres (Na-channel block of ectopic discharge at concentrations "
                  "too low to block conduction: no numbness).",
        adverse_effects=("local skin reactions",),
        source="NNT not estimable, weak evidence (Finnerup 2015 [P]); ectopic discharge "
               "silenced below conduction-blocking lidocaine (Devor 1992 [P]); up to 3 "
               "plasters 12 h a day [T label]; target placebo + 5 pp [A]"),
})

#: Extra C drive while a capsaicin patch burns on the day of application [1]; 0.8 [A]: a
#: strong burning that patients are pre-treated for (Anand & Bley 2011 [S]).
CAPSAICIN_BURNING_C_DRIVE = 0.8
#: Days until half of the defunctionalised terminals work again [days]; 90 d (re-treatment
#: interval of the label [T]), logistic width 20 d [A].
CAPSAICIN_RECOVERY_T50_DAYS = 90.0
_CAPSAICIN_RECOVERY_WIDTH_DAYS = 20.0
_CAPSAICIN_APP_TAU_MIN = 30.0
#: Build-up of a lidocaine plaster's effect on its first day [s]; 1 h [A].
LIDOCAINE_PATCH_ONSET_TAU_S = 3600.0
#: Lidocaine patch target: NNT not estimable; the cohort is calibrated to placebo + 5
#: percentage points [A].
LIDOCAINE_PATCH_EXTRA_RESPONDERS = 0.05


def _get(name: str) -> Drug:
    try:
        return DRUGS[name]
    except (KeyError, TypeError):
        raise ParameterError(f"drug={name!r} is not one of " + ", ".join(map(repr, DRUGS)),
                             name="drug", value=name) from None


def drug_effect(name: str, dose_mg_per_day: float, day: float) -> float:
    """Effect E of an oral drug at a daily dose after ``day`` days of treatment [1].

    Parameters
    ----------
    name : {"amitriptyline", "venlafaxine", "gabapentin"}
        The drug.
    dose_mg_per_day : float
        Daily dose [mg/day], within the drug's range.
    day : float
        Days since the drug was started [days], >= 0.

    Returns
    -------
    float
        E = dose factor (1 at the reference dose) × (1 − exp(−day/τ)).

    Examples
    --------
    Gabapentin 1800 mg/day after titration (about 5 τ):

    >>> round(drug_effect("gabapentin", 1800.0, 35.0), 3)
    0.993
    """
    drug = _get(name)
    lo, hi = drug.dose_range_mg_per_day
    d = float(check_array("dose_mg_per_day", dose_mg_per_day, "mg/day", lo, hi))
    t = float(check_array("day", day, "days", 0.0, 1e4))
    h, ed = drug.hill, drug.ed50_mg_per_day

    def hill(x: float) -> float:
        return x ** h / (x ** h + ed ** h)
    onset = 1.0 - math.exp(-t / drug.onset_tau_days) if drug.onset_tau_days > 0 else 1.0
    return hill(d) / hill(drug.reference_dose_mg_per_day) * onset


def capsaicin_defunctionalisation(day: float, application_min: float = 60.0) -> float:
    """Fraction D of peripheral C activity removed by a capsaicin 8 % patch [1] (before the
    gain): (1 − exp(−day/2 d)) × re-innervation × application factor (module notes)."""
    t = float(check_array("day", day, "days", 0.0, 1e4))
    app = float(check_array("application_min", application_min, "min", 0.0, 1e3))
    drug = DRUGS["capsaicin-patch"]
    onset = 1.0 - math.exp(-t / drug.onset_tau_days)
    w, t50 = _CAPSAICIN_RECOVERY_WIDTH_DAYS, CAPSAICIN_RECOVERY_T50_DAYS
    regrow = (1.0 / (1.0 + math.exp((t - t50) / w))) * (1.0 + math.exp(-t50 / w))
    a = (1.0 - math.exp(-app / _CAPSAICIN_APP_TAU_MIN)) / (1.0 - math.exp(-2.0))
    return onset * regrow * a


def lidocaine_patch_effect(day: float, t_since_application_s: Any) -> np.ndarray:
    """Effect of a lidocaine 5 % plaster [1]: 1 from day 1; on day 0 it builds in the session
    with τ = 1 h after application (0 before)."""
    t = np.asarray(t_since_application_s, dtype=float)
    if day >= 1.0:
        return np.where(t >= 0, 1.0, 0.0)
    return np.where(t >= 0, 1.0 - np.exp(-np.maximum(t, 0.0) / LIDOCAINE_PATCH_ONSET_TAU_S),
                    0.0)


@dataclass(frozen=True)
class SideEffects:
    """Side-effect burden of a treatment: a labelled, qualitative output.

    Attributes
    ----------
    burden : str
        ``none``, ``low``, ``moderate`` or ``high`` [A thresholds by dose].
    effects : tuple of str
        Common adverse effects or risks.
    nnh : float
        Number needed to harm from Finnerup 2015, NaN where not given.
    note : str
        Label: what the burden level means and where it comes from.
    """

    burden: str
    effects: tuple[str, ...]
    nnh: float
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"burden": self.burden, "effects": list(self.effects),
                "nnh": self.nnh if math.isfinite(self.nnh) else None, "note": self.note}


BURDEN_LEVELS = ("none", "low", "moderate", "high")
_BURDEN_NOTE = ("qualitative teaching label [A]: low/moderate/high by dose relative to the "
                "drug's range; NNH = number needed to harm (drop-outs for adverse effects), "
                "Finnerup 2015 [P]")


def side_effects(name: str, dose_mg_per_day: float | None = None) -> SideEffects:
    """Side-effect burden of a drug or patch at a daily dose (a labelled qualitative output).

    Examples
    --------
    >>> side_effects("amitriptyline", 100).burden
    'high'
    """
    drug = _get(name)
    lo_dose, hi_dose = drug.burden_doses_mg_per_day
    if dose_mg_per_day is None or not math.isfinite(lo_dose) or dose_mg_per_day <= lo_dose:
        burden = "low"
    elif dose_mg_per_day <= hi_dose:
        burden = "moderate"
    else:
        burden = "high"
    return SideEffects(burden, drug.adverse_effects, drug.nnh, _BURDEN_NOTE)
