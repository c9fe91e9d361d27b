"""The care pathway over weeks to years: surgery, physiotherapy, diabetes control, education.

The days-to-years course (:func:`sim.mood.simulate_course`) reads the constants and closed-form
pieces here. Everything is a teaching model: each time constant below is a labelled
assumption [A] anchored on the clinical observation it reproduces, with the source.

Surgery when a nerve is compressed (carpal tunnel release, discectomy)
----------------------------------------------------------------------
The course's patient's ongoing C drive is taken to come from the compressed nerve or root
[A]. Decompression on day d_s removes the cause: the remaining share of that drive falls as
``R(t) = exp(−(t − d_s)/τ_relief)`` with τ_relief = 14 days (after early surgery for sciatica
the median time to recovery was 4.0 weeks against 12.1 with prolonged conservative care: Peul
et al. 2007 N Engl J Med 356:2245 [P]). Conduction across the segment recovers more slowly,
``exp(−(t − d_s)/τ_cond)`` with τ_cond = 60 days (remyelination over weeks to months after
release: Mackinnon 2002 Hand Clin 18:231 [S]).

Sustained pain sets up central sensitisation, which outlasts its cause (Woolf 2011 Pain
152:S2 [S]). A slow state Z (0..1) rises toward ``min(1, load/0.5)`` with τ = 120 days while
pain is moderate to severe (``load = max(0, NRS − 4)/6``, as in :mod:`sim.mood`) and falls with
τ = 730 days otherwise; after decompression the share Z of the nerve's drive is kept up
centrally: drive = a_C·(R + (1 − R)·Z) [A]. The numbers are chosen so that surgery within a
few months relieves and surgery after a year leaves pain, as the duration of sciatica before
discectomy predicts a poorer outcome beyond 12 months (Ng & Sell 2004 J Bone Joint Surg Br
86:546 [P]).

Movement avoidance, disuse and physiotherapy
--------------------------------------------
Pain and fear lead to avoiding movement, then disuse (Vlaeyen & Linton 2000 Pain 85:317 [S]).
Disuse = 1 − activity (activity from :mod:`sim.mood`). Muscle mass M relaxes toward
``1 − 0.3·disuse``: while it falls with τ = 60 days, so complete disuse loses 0.3/60 = 0.5 %
of muscle a day at first, the rate of the first weeks of immobilisation (Wall, Dirks & van
Loon 2013 Ageing Res Rev 12:898; Bodine 2013 Int J Biochem Cell Biol 45:2200 [S]); while it
rises with τ = 100 days, about 0.1-0.2 % a day, the rate of muscle growth with training
(Wernbom, Augustsson & Thomeé 2007 Sports Med 37:225 [S]). Range of motion relaxes toward
``1 − 0.4·disuse`` with τ = 28 days [A]. Physiotherapy (graded activity) from day d_p acts
with ``P(t) = 0.7·(1 − exp(−(t − d_p)/14 d))`` [A]: the activity and range-of-motion targets
move a fraction P toward normal, and pain-related fear falls by up to half (graded exposure
lowers fear of movement: Vlaeyen et al. 2001 Behav Res Ther 39:151 [P]).

Diabetes over years
-------------------
The yearly rate of large-fibre axonal loss grows linearly with HbA1c above 5.9 %:
``k = 0.08/year × (HbA1c − 5.9)/(9.1 − 5.9)`` [A]. The threshold is where the DCCT ratio falls
out: intensive control (mean HbA1c about 7.2 %) against conventional (about 9.1 %) gives
k ratio (7.2 − 5.9)/(9.1 − 5.9) = 0.41, a 59 % reduction, as the DCCT's about 60 % fewer
cases of clinical neuropathy (DCCT Research Group 1993 N Engl J Med 329:977 [P]). At
conventional control half the large axons are lost in about 9 years, in line with a
neuropathy prevalence rising from 8 % to 42 % over the first ten years of type 2 diabetes
(Partanen et al. 1995 N Engl J Med 333:89 [P]). Axonal loss sets the sural amplitude through
:mod:`sim.ncs`; the ongoing C drive grows with the loss, 1/0.6 per unit (so a loss of 0.6
gives the painful-diabetic-neuropathy preset's drive of 1.0) [A].

Pain neuroscience education
---------------------------
Explaining pain lowers catastrophising and fear (Louw et al. 2016 Physiother Theory Pract
32:332, systematic review [S]). From day d_e, ``Ed(t) = 1 − exp(−(t − d_e)/7 d)`` [A] lowers
the anxiety target by 20 %·Ed, pain-related fear by 30 %·Ed and the descending facilitation
that mood adds by 30 %·Ed [A] (less catastrophising, less facilitation).

Central neuropathic pain
------------------------
See :func:`central_pain_reason`: the ongoing drive of spinal cord injury and central post-stroke
pain arises in the central nervous system (``central_fraction`` of the patient), proximal to
every peripheral nerve.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

__all__ = [
    "SURGERY_RELIEF_TAU_DAYS", "CONDUCTION_RECOVERY_TAU_DAYS", "COMPRESSION_CONDUCTION_DEFICIT",
    "CENTRALISATION_BUILD_TAU_DAYS", "CENTRALISATION_DECAY_TAU_DAYS",
    "CENTRALISATION_FULL_LOAD", "ATROPHY_MAX", "ATROPHY_TAU_DAYS", "REGROWTH_TAU_DAYS",
    "ROM_LOSS_MAX", "ROM_TAU_DAYS", "PHYSIO_EFFECT", "PHYSIO_TAU_DAYS", "PHYSIO_FEAR_EFFECT",
    "HBA1C_THRESHOLD_PCT", "HBA1C_CONVENTIONAL_PCT", "HBA1C_INTENSIVE_PCT",
    "AXONAL_LOSS_PER_YEAR_CONVENTIONAL", "DIABETIC_C_DRIVE_PER_LOSS",
    "EDUCATION_TAU_DAYS", "EDUCATION_ANXIETY_EFFECT", "EDUCATION_FEAR_EFFECT",
    "EDUCATION_FACILITATION_EFFECT", "compression_remaining", "conduction_deficit_remaining",
    "physio_effect", "education_effect", "axonal_loss_rate_per_year", "axonal_loss_at",
    "sural_amplitude_uV", "central_pain_reason", "stimulation_reach", "SCS_CENTRAL_LOSS",
]

#: Decompression: time constant of the fall of the compressed nerve's drive [days]; Peul et al.
#: 2007 N Engl J Med 356:2245: median recovery 4.0 weeks after early surgery [P] -> 14 d [A].
SURGERY_RELIEF_TAU_DAYS = 14.0
#: Recovery of conduction across the released segment [days]: weeks to months of
#: remyelination (Mackinnon 2002 Hand Clin 18:231 [S]); 60 d [A].
CONDUCTION_RECOVERY_TAU_DAYS = 60.0
#: Conduction deficit across the compressed segment before release [1]: 0.3 [A] (a moderate
#: carpal tunnel syndrome slows median conduction across the wrist by about a third [T]).
COMPRESSION_CONDUCTION_DEFICIT = 0.3
#: Central sensitisation builds with τ = 120 d while pain is moderate-severe and fades with
#: τ = 730 d [A] (outlasts its cause: Woolf 2011 Pain 152:S2 [S]; duration of sciatica > 12
#: months predicts a poorer outcome of discectomy: Ng & Sell 2004 J Bone Joint Surg Br 86:546
#: [P]).
CENTRALISATION_BUILD_TAU_DAYS = 120.0
CENTRALISATION_DECAY_TAU_DAYS = 730.0
#: Pain load (``max(0, NRS − 4)/6``) at which central sensitisation becomes complete [1] [A].
CENTRALISATION_FULL_LOAD = 0.5

#: Disuse atrophy: largest fractional muscle loss at complete disuse [1] and its time
#: constant [days] [A]: 0.3/60 d = 0.5 %/day at first (Wall, Dirks & van Loon 2013 Ageing Res
#: Rev 12:898; Bodine 2013 Int J Biochem Cell Biol 45:2200 [S]).
ATROPHY_MAX = 0.3
ATROPHY_TAU_DAYS = 60.0
#: Regrowth of muscle [days]: about 0.1-0.2 %/day with training (Wernbom, Augustsson & Thomeé
#: 2007 Sports Med 37:225 [S]); 100 d [A].
REGROWTH_TAU_DAYS = 100.0
#: Range of motion: largest fractional loss at complete disuse [1] and time constant [days] [A].
ROM_LOSS_MAX = 0.4
ROM_TAU_DAYS = 28.0
#: Physiotherapy (graded activity): largest share of the way back to normal activity and range
#: of motion [1], its onset time constant [days], and the largest fractional fall of
#: pain-related fear [1] [A] (graded exposure: Vlaeyen et al. 2001 Behav Res Ther 39:151 [P]).
PHYSIO_EFFECT = 0.7
PHYSIO_TAU_DAYS = 14.0
PHYSIO_FEAR_EFFECT = 0.5

#: HbA1c without diabetic axonal loss [%] [A], chosen so the DCCT arms give the DCCT ratio.
HBA1C_THRESHOLD_PCT = 5.9
#: Mean HbA1c of the DCCT's conventional and intensive arms [%] (DCCT Research Group 1993 N Engl
#: J Med 329:977 [P]: about 9.1 % and 7.2 %).
HBA1C_CONVENTIONAL_PCT = 9.1
HBA1C_INTENSIVE_PCT = 7.2
#: Yearly fractional loss of large axons at conventional control [1/year] [A] (neuropathy in
#: 8 % -> 42 % over ten years of type 2 diabetes: Partanen et al. 1995 N Engl J Med 333:89 [P]).
AXONAL_LOSS_PER_YEAR_CONVENTIONAL = 0.08
#: Ongoing C drive per unit axonal loss [1] [A]: 1/0.6, so the painful-diabetic-neuropathy
#: preset's loss of 0.6 gives its drive of 1.0.
DIABETIC_C_DRIVE_PER_LOSS = 1.0 / 0.6

#: Pain neuroscience education [A] (Louw et al. 2016 Physiother Theory Pract 32:332 [S]):
#: onset time constant [days] and the largest fractional falls of the anxiety target,
#: pain-related fear and mood's descending facilitation.
EDUCATION_TAU_DAYS = 7.0
EDUCATION_ANXIETY_EFFECT = 0.2
EDUCATION_FEAR_EFFECT = 0.3
EDUCATION_FACILITATION_EFFECT = 0.3


def _since(day: Any, start: float | None) -> np.ndarray:
    """Days since ``start`` (negative before it; −inf without a start)."""
    d = np.asarray(day, dtype=float)
    return d - start if start is not None else np.full_like(d, -np.inf)


def compression_remaining(day: Any, surgery_day: float | None) -> np.ndarray:
    """Share of the compressed nerve's drive still present on ``day`` [1]: 1 before (or
    without) decompression, then ``exp(−(day − surgery_day)/14 d)``.

    >>> float(compression_remaining(28.0, 14.0))   # one time constant: exp(-1)
    0.36787944117144233
    """
    s = _since(day, surgery_day)
    return np.where(s >= 0, np.exp(-np.maximum(s, 0.0) / SURGERY_RELIEF_TAU_DAYS), 1.0)


def conduction_deficit_remaining(day: Any, surgery_day: float | None) -> np.ndarray:
    """Conduction deficit across the compressed segment [1]: 0.3 before decompression, then
    falling with τ = 60 d."""
    s = _since(day, surgery_day)
    return COMPRESSION_CONDUCTION_DEFICIT * np.where(
        s >= 0, np.exp(-np.maximum(s, 0.0) / CONDUCTION_RECOVERY_TAU_DAYS), 1.0)


def physio_effect(day: Any, from_day: float | None) -> np.ndarray:
    """Share P of the way back to normal activity and movement from physiotherapy [1]."""
    s = _since(day, from_day)
    return np.where(s >= 0, PHYSIO_EFFECT * (1.0 - np.exp(-np.maximum(s, 0.0)
                                                         / PHYSIO_TAU_DAYS)), 0.0)


def education_effect(day: Any, from_day: float | None) -> np.ndarray:
    """Onset Ed (0..1) of pain neuroscience education [1]."""
    s = _since(day, from_day)
    return np.where(s >= 0, 1.0 - np.exp(-np.maximum(s, 0.0) / EDUCATION_TAU_DAYS), 0.0)


def axonal_loss_rate_per_year(hba1c_pct: float) -> float:
    """Yearly fractional loss of large axons at a sustained HbA1c [1/year].

    >>> round(axonal_loss_rate_per_year(7.2) / axonal_loss_rate_per_year(9.1), 3)  # DCCT
    0.406
    """
    return AXONAL_LOSS_PER_YEAR_CONVENTIONAL * max(0.0, hba1c_pct - HBA1C_THRESHOLD_PCT) / (
        HBA1C_CONVENTIONAL_PCT - HBA1C_THRESHOLD_PCT)


def axonal_loss_at(day: Any, hba1c_pct: float, initial_loss: float = 0.0) -> np.ndarray:
    """Large-fibre axonal loss after ``day`` days at ``hba1c_pct`` [1], from
    ``initial_loss``: a constant fractional loss of the remaining axons, capped at 0.95 (the
    declared limit of ``axonal_loss``)."""
    k = axonal_loss_rate_per_year(hba1c_pct) / 365.25
    lost = 1.0 - (1.0 - initial_loss) * np.exp(-k * np.asarray(day, dtype=float))
    return np.minimum(lost, 0.95)


#: Axonal-loss grid on which the sural amplitude is computed and interpolated [1].
_LOSS_GRID_STEP = 0.05


@functools.lru_cache(maxsize=64)
def _sural_amplitude_at(loss: float, demyelination: float) -> float:
    from sim.ncs import nerve_conduction_study
    from sim.patients import Patient
    return float(nerve_conduction_study(
        Patient(axonal_loss=loss, demyelination=demyelination), nerve="sural").amplitude_uV)


def sural_amplitude_uV(axonal_loss: Any, demyelination: float = 0.0) -> np.ndarray:
    """Sural sensory amplitude [µV] at each axonal loss, from the conduction study of
    :mod:`sim.ncs` at 0.05 steps of loss, interpolated linearly."""
    x = np.asarray(axonal_loss, dtype=float)
    lo = float(np.floor(np.min(x) / _LOSS_GRID_STEP)) * _LOSS_GRID_STEP
    hi = min(0.95, float(np.ceil(np.max(x) / _LOSS_GRID_STEP)) * _LOSS_GRID_STEP)
    n = max(1, int(round((hi - lo) / _LOSS_GRID_STEP)))
    grid = np.round(np.linspace(lo, lo + n * _LOSS_GRID_STEP, n + 1), 4)
    grid = np.minimum(grid, 0.95)
    amp = np.array([_sural_amplitude_at(float(g), float(demyelination)) for g in grid])
    return np.interp(x, grid, amp)


def central_pain_reason(patient: Any, what: str) -> str:
    """Why a treatment does (not) reach a central pain generator, for the dashboard.

    Parameters
    ----------
    patient : sim.patients.Patient
        Its ``central_fraction`` is the share of the ongoing drive generated centrally.
    what : str
        A therapy (``scs``, ``pns``, ``tens``) or a treatment category (``local-anaesthetic``,
        ``neurolysis``, ``patch``, ``drug``, ``surgery``).

    Returns
    -------
    str
        One sentence, empty when the patient's pain is not central.
    """
    cf = float(getattr(patient, "central_fraction", 0.0))
    if cf <= 0.0:
        return ""
    pct = f"{100 * cf:.0f} %"
    reasons = {
        "local-anaesthetic": f"{pct} of this pain is generated in the spinal cord or brain, "
                             "proximal to the blocked nerve: a peripheral block cannot reach it.",
        "neurolysis": f"{pct} of this pain arises centrally: cutting a peripheral nerve "
                      "leaves the generator untouched (and risks more deafferentation).",
        "patch": f"{pct} of this pain arises centrally: a skin patch acts on peripheral "
                 "terminals only.",
        "pns": f"{pct} of this pain arises above the lesion: stimulation of a nerve distal to "
               "it enters the cord below the generator and cannot gate it.",
        "tens": f"{pct} of this pain arises above the lesion: TENS input enters the cord below "
                "the generator and cannot gate it.",
        "scs": f"{pct} of this pain arises centrally: SCS inhibits only through the dorsal "
               "columns that survive the lesion, so it helps few patients.",
        "drug": "Central pain: drugs that act in the spinal cord and brain (α2δ ligands, "
                "antidepressants, opioids) help partly; those acting on injured peripheral "
                "axons do not.",
        "surgery": f"{pct} of this pain arises centrally: decompressing a peripheral nerve "
                   "removes no cause.",
    }
    return reasons.get(what, "")


#: Share of SCS's inhibition lost per unit central fraction [1]: 0.7 [A]. SCS acts through the
#: dorsal columns, which an incomplete cord lesion spares in part; evidence for SCS in central
#: pain is poor and few patients respond (Finnerup 2015 and reviews [S]).
SCS_CENTRAL_LOSS = 0.7


def stimulation_reach(therapy: str, central_fraction: float) -> float:
    """Share of a program's inhibition that reaches a partly central pain generator [1].

    PNS and TENS enter the cord below (distal to) the lesion: ``1 − f``; SCS inhibits through
    surviving dorsal columns: ``1 − 0.7·f``; f = ``central_fraction`` [A].

    >>> stimulation_reach("pns", 0.9), round(stimulation_reach("scs", 0.9), 2)
    (0.09999999999999998, 0.37)
    """
    if therapy in ("pns", "tens"):
        return 1.0 - central_fraction
    if therapy == "scs":
        return 1.0 - SCS_CENTRAL_LOSS * central_fraction
    return 1.0
