"""Treatments other than stimulation, as one validated type, and what they do over a session.

A :class:`Treatment` is a nerve block, a neurolysis, a drug, a skin patch or a placebo, with
its dose, when it starts in the session and (for day-scale treatments) which day of treatment
the session shows. A :class:`~sim.session.Session` holds any number of them next to its
stimulation program, so a lecture can compare (or combine, e.g. gabapentin plus SCS) them on
one patient and in one cohort.

Time scales. Local-anaesthetic and ganglion blocks act within the session: injected at
``start_s``, they take minutes to set in and wear off over hours (:mod:`sim.blocks`). Drugs,
patches and neurolysis act over days to months; within a minutes-long session their effect is
constant. For them ``start_s`` is a cut: before it the session shows the untreated patient,
from it the patient on ``treatment_day`` of treatment, so that one session shows "before" and
"on treatment" the way a trial compares baseline with its end point.

:func:`treatment_effects` turns the treatments of a session into time series on the session
grid (:class:`TreatmentEffects`): conducting fraction of each fibre class of the treated nerve,
multipliers on the ectopic and natural C input and on C transmission, extra C drive, and
descending drive. :func:`sim.session.run_session` applies them to the afferent drives of the
gate. Per-kind ranges and defaults are in :data:`TREATMENT_KINDS` (sources in
:mod:`sim.blocks` and :mod:`sim.drugs`).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from sim import drugs as dr
from sim.params import (
    PARAMETERS,
    TREATMENT_KIND_NAMES,
    Declared,
    ParameterError,
    document_fields,
    format_number as _fmt,
    format_rejected as _show,
    param_field,
)

__all__ = ["TreatmentKind", "TREATMENT_KINDS", "Treatment", "TreatmentEffects",
           "treatment_effects", "TreatmentReport", "assessment_time_s", "side_effect_profile",
           "MAX_TREATMENTS", "CATEGORIES", "set_treatment_values"]

#: Most treatments one session may hold.
MAX_TREATMENTS = 8
#: Categories of treatment.
CATEGORIES = ("local-anaesthetic", "ganglion", "neurolysis", "drug", "patch", "placebo")


@dataclass(frozen=True)
class TreatmentKind:
    """What one kind of treatment accepts and how it is shown.

    Attributes
    ----------
    name : str
        Kind (also the name of its preset).
    title : str
        Human title.
    category : str
        One of :data:`CATEGORIES`.
    dose_param : str or None
        ``concentration_pct``, ``dose_mg_per_day`` or None (no dose).
    dose_range : tuple of float
        Allowed dose of this kind, in the unit of ``dose_param`` (equal ends: fixed).
    default_dose : float or None
        Dose when none is given.
    day_range : tuple of float
        Allowed ``treatment_day`` [days]; (0, 0) for blocks that act within the session.
    default_day : float
        ``treatment_day`` when none is given [days]: the usual trial or follow-up time point.
    preset_duration_s : float
        Session length of this kind's preset [s]: long enough to see it act.
    risks : tuple of str
        Risks and side effects (non-drug kinds; drugs take theirs from :mod:`sim.drugs`).
    burden : str
        Qualitative side-effect burden of non-drug kinds [A].
    source : str
        Where the dose ranges come from.
    """

    name: str
    title: str
    category: str
    dose_param: str | None
    dose_range: tuple[float, float]
    default_dose: float | None
    day_range: tuple[float, float]
    default_day: float
    preset_duration_s: float
    risks: tuple[str, ...] = ()
    burden: str = "low"
    source: str = ""


_BLOCK_DAY = (0.0, 0.0)
_LONG = (0.0, 365.0)
_KINDS = (
    TreatmentKind("lidocaine-block", "Lidocaine nerve block", "local-anaesthetic",
                  "concentration_pct", (0.25, 2.0), 1.0, _BLOCK_DAY, 0.0, 5400.0,
                  ("numbness and weakness while it lasts", "local anaesthetic systemic "
                   "toxicity if injected into a vessel (rare)"), "low",
                  "lidocaine 0.5-2 % for nerve blocks [T]; 0.25 % as a dilute lower end"),
    TreatmentKind("bupivacaine-block", "Bupivacaine nerve block", "local-anaesthetic",
                  "concentration_pct", (0.0625, 0.5), 0.25, _BLOCK_DAY, 0.0, 14400.0,
                  ("numbness and weakness for hours", "cardiotoxic in overdose (rare)"),
                  "low", "bupivacaine 0.0625-0.5 % [T]"),
    TreatmentKind("ganglion-block", "Sympathetic ganglion block (stellate/lumbar)", "ganglion",
                  "concentration_pct", (0.125, 0.5), 0.25, _BLOCK_DAY, 0.0, 14400.0,
                  ("Horner's syndrome after a stellate block (expected, confirms the block)",
                   "hoarseness, warm limb"), "low",
                  "bupivacaine 0.125-0.5 % at the stellate or lumbar sympathetic chain [T]"),
    TreatmentKind("phenol", "Phenol neurolysis", "neurolysis", "concentration_pct",
                  (3.0, 10.0), 6.0, _LONG, 7.0, 240.0,
                  ("injection pain, neuritis", "non-selective: motor loss in a mixed nerve",
                   "deafferentation pain"), "moderate",
                  "aqueous phenol 3-10 %, 6 % typical; below about 5 % mainly a reversible "
                  "local-anaesthetic action [T]"),
    TreatmentKind("cryoneurolysis", "Cryoneurolysis", "neurolysis", None, (0.0, 0.0), None,
                  _LONG, 7.0, 240.0,
                  ("temporary weakness in a mixed nerve", "skin injury at the probe site"),
                  "low", "probe at -50 to -70 °C [S]"),
    TreatmentKind("radiofrequency", "Radiofrequency ablation", "neurolysis", None, (0.0, 0.0),
                  None, _LONG, 7.0, 240.0,
                  ("post-procedure neuritis", "deafferentation pain"), "moderate",
                  "conventional RF 80-90 °C [S]"),
    TreatmentKind("amitriptyline", "Amitriptyline", "drug", "dose_mg_per_day", (10.0, 150.0),
                  50.0, _LONG, 56.0, 240.0, source="10-150 mg/day; 25-150 in trials "
                  "(Finnerup 2015 [P])"),
    TreatmentKind("venlafaxine", "Venlafaxine", "drug", "dose_mg_per_day", (37.5, 225.0),
                  150.0, _LONG, 56.0, 240.0, source="37.5-225 mg/day; 150-225 for pain "
                  "(Finnerup 2015 [P])"),
    TreatmentKind("gabapentin", "Gabapentin", "drug", "dose_mg_per_day", (300.0, 3600.0),
                  1800.0, _LONG, 56.0, 240.0, source="300-3600 mg/day; 1200-3600 for pain "
                  "(Finnerup 2015 [P])"),
    TreatmentKind("pregabalin", "Pregabalin", "drug", "dose_mg_per_day", (75.0, 600.0),
                  300.0, _LONG, 56.0, 240.0, source="75-600 mg/day; 150-600 in trials, "
                  "300-600 recommended (Finnerup 2015 [P])"),
    TreatmentKind("duloxetine", "Duloxetine", "drug", "dose_mg_per_day", (20.0, 120.0),
                  60.0, _LONG, 56.0, 240.0, source="20-120 mg/day; 60-120 recommended "
                  "(Finnerup 2015 [P])"),
    TreatmentKind("tramadol", "Tramadol", "drug", "dose_mg_per_day", (50.0, 400.0),
                  200.0, _LONG, 56.0, 240.0, source="up to 400 mg/day (Finnerup 2015 [P])"),
    TreatmentKind("morphine", "Morphine (strong opioid)", "drug", "dose_mg_per_day",
                  (10.0, 240.0), 120.0, _LONG, 56.0, 240.0,
                  source="oral morphine 90-240 mg/day, oxycodone 10-120 mg/day; most effect by "
                         "about 180 mg morphine equivalents (Finnerup 2015 [P])"),
    TreatmentKind("paracetamol", "Paracetamol", "drug", "dose_mg_per_day", (500.0, 4000.0),
                  4000.0, _LONG, 56.0, 240.0, source="0.5-1 g up to four times a day, at most "
                  "4 g/day [T label]"),
    TreatmentKind("ibuprofen", "Ibuprofen (NSAID)", "drug", "dose_mg_per_day",
                  (200.0, 2400.0), 1200.0, _LONG, 56.0, 240.0, source="1200 mg/day over the "
                  "counter, up to 2400 mg/day on prescription [T label]"),
    TreatmentKind("capsaicin-patch", "Capsaicin 8 % patch", "patch", "concentration_pct",
                  (8.0, 8.0), 8.0, _LONG, 28.0, 240.0,
                  source="one 8 % patch, 30 min (feet) or 60 min [T label]"),
    TreatmentKind("lidocaine-patch", "Lidocaine 5 % plaster", "patch", "concentration_pct",
                  (5.0, 5.0), 5.0, _LONG, 28.0, 240.0,
                  source="5 % plaster, up to 3 for 12 h a day [T label]"),
    TreatmentKind("placebo", "Placebo", "placebo", None, (0.0, 0.0), None, _LONG, 56.0, 240.0,
                  source="inert treatment: only the patient's expectation acts"),
)

#: Treatment kinds by name, in display order (read-only).
TREATMENT_KINDS: Mapping[str, TreatmentKind] = MappingProxyType({k.name: k for k in _KINDS})
assert tuple(TREATMENT_KINDS) == TREATMENT_KIND_NAMES  # one order: the declaration's

_NEUROLYSIS = ("phenol", "cryoneurolysis", "radiofrequency")
#: Phenol: fraction of the lesion achieved per % of phenol, saturating at 6 % [A]: below about
#: 5 % phenol acts mainly as a (reversible) local anaesthetic [T].
_PHENOL_FULL_PCT = 6.0


def _optional(name: str) -> Any:
    """A declared field whose ``None`` default means "the kind's default, or not applicable"."""
    return dataclasses.field(default=None, metadata={"param": name})


@document_fields
@dataclass(frozen=True)
class Treatment(Declared):
    """A nerve block, neurolysis, drug, patch or placebo in a session (frozen, validated).

    Fields left as ``None`` take the kind's default (:data:`TREATMENT_KINDS`) when they apply
    to the kind and stay ``None`` when they do not; a value given for a field that does not
    apply (a daily dose for a nerve block) is an error. Doses are checked against the kind's
    own range, e.g. ``concentration_pct=5 is outside 0.25..2 % for lidocaine-block``.
    """

    kind: str = param_field("treatment_kind")
    concentration_pct: float | None = _optional("concentration_pct")
    dose_mg_per_day: float | None = _optional("dose_mg_per_day")
    application_min: float | None = _optional("application_min")
    start_s: float = param_field("treatment_start_s")
    treatment_day: float | None = _optional("treatment_day")
    block_site: str = param_field("block_site")
    block_order: str = param_field("block_order")
    lesion_fraction: float = param_field("lesion_fraction")
    deafferentation_risk: bool = param_field("deafferentation_risk")

    def __post_init__(self) -> None:
        kind = PARAMETERS["treatment_kind"].validate(self.kind)
        info = TREATMENT_KINDS[kind]
        for name in ("concentration_pct", "dose_mg_per_day"):
            value = getattr(self, name)
            if info.dose_param == name:
                value = info.default_dose if value is None else _in_kind_range(
                    name, value, info.dose_range, kind)
            elif value is not None:
                raise _not_applicable(name, value, kind,
                                      f"it takes {info.dose_param}" if info.dose_param
                                      else "it has no dose")
            object.__setattr__(self, name, value)
        app = self.application_min
        if kind == "capsaicin-patch":
            app = 60.0 if app is None else PARAMETERS["application_min"].validate(app)
        elif app is not None:
            raise _not_applicable("application_min", app, kind, "only the capsaicin patch "
                                  "has an application time")
        object.__setattr__(self, "application_min", app)
        day = info.default_day if self.treatment_day is None else _in_kind_range(
            "treatment_day", self.treatment_day, info.day_range, kind,
            why=" (a block acts within the session: set start_s instead)"
            if info.day_range == _BLOCK_DAY else "")
        object.__setattr__(self, "treatment_day", day)
        for name in ("start_s", "block_site", "block_order", "lesion_fraction",
                     "deafferentation_risk"):
            pname = self.__dataclass_fields__[name].metadata["param"]
            object.__setattr__(self, name, PARAMETERS[pname].validate(getattr(self, name)))
        if kind not in _NEUROLYSIS:
            if self.deafferentation_risk:
                raise _not_applicable("deafferentation_risk", True, kind,
                                      "it is a risk of neurolysis (phenol, cryoneurolysis, "
                                      "radiofrequency)")
            if self.lesion_fraction != 1.0:
                raise _not_applicable("lesion_fraction", self.lesion_fraction, kind,
                                      "only a neurolysis makes a lesion")
        object.__setattr__(self, "kind", kind)

    def accepts(self, name: str) -> bool:
        """Whether the field ``name`` applies to this treatment's kind (the CLI routes
        ``--set`` values with it)."""
        info = self.info
        if name in ("concentration_pct", "dose_mg_per_day"):
            return info.dose_param == name
        if name == "application_min":
            return self.kind == "capsaicin-patch"
        if name == "treatment_day":
            return info.day_range != _BLOCK_DAY
        if name == "block_order":
            return info.category == "local-anaesthetic"
        if name == "block_site":
            return info.category in ("local-anaesthetic", "neurolysis")
        if name in ("lesion_fraction", "deafferentation_risk"):
            return self.kind in _NEUROLYSIS
        return name in ("kind", "start_s")

    @property
    def info(self) -> TreatmentKind:
        """This treatment's entry in :data:`TREATMENT_KINDS`."""
        return TREATMENT_KINDS[self.kind]

    @property
    def dose(self) -> float | None:
        """The kind's dose value (concentration or daily dose), None without a dose."""
        return getattr(self, self.info.dose_param) if self.info.dose_param else None

    @property
    def dose_text(self) -> str:
        """The dose with its unit, e.g. ``1 %`` or ``1800 mg/day`` (empty without a dose)."""
        if not self.info.dose_param:
            return ""
        return f"{_fmt(self.dose)} {PARAMETERS[self.info.dose_param].unit}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict; fields that do not apply to the kind are left out."""
        return {k: v for k, v in super().to_dict().items() if v is not None}


def _in_kind_range(name: str, value: Any, rng: tuple[float, float], kind: str,
                   why: str = "") -> float:
    p = PARAMETERS[name]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(_float_or_inf(value)):
        raise ParameterError(f"{name}={_show(value)} is not a number; expected "
                             f"{_fmt(rng[0])}..{_fmt(rng[1])} {p.unit} for {kind}",
                             name=name, value=value)
    x = float(value)
    lo, hi = rng
    if not lo <= x <= hi:
        expected = f"allowed: it is fixed at {_fmt(lo)} {p.unit}" if lo == hi else \
            f"outside {_fmt(lo)}..{_fmt(hi)} {p.unit}"
        verb = "is not" if lo == hi else "is"
        raise ParameterError(f"{name}={_fmt(x)} {verb} {expected} for {kind}{why}", name=name,
                             value=value)
    return p.validate(x)


def _float_or_inf(value: numbers.Real) -> float:
    """``float(value)``; infinity for an integer beyond the float range (not an error here)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _not_applicable(name: str, value: Any, kind: str, why: str) -> ParameterError:
    return ParameterError(f"{name}={_show(value)} does not apply to {kind}: {why}", name=name,
                          value=value)


#: Declared treatment parameters whose Treatment field has another name.
_FIELD_OF = {"treatment_start_s": "start_s", "treatment_kind": "kind"}


def set_treatment_values(treatments: tuple[Treatment, ...], values: Mapping[str, Any]
                         ) -> tuple[Treatment, ...]:
    """``treatments`` with each declared treatment parameter in ``values`` set on every
    treatment whose kind takes it (``--set`` on the command line, a sweep axis).

    Raises
    ------
    ParameterError
        No treatments, or none of them takes one of the parameters, or a bad value.
    """
    trs = list(treatments)
    if values and not trs:
        name = next(iter(values))
        raise ParameterError(f"{name}: this session has no treatment; add one (a treatment "
                             f"preset: {', '.join(TREATMENT_KINDS)})", name=name)
    for pname, value in values.items():
        field_name = _FIELD_OF.get(pname, pname)
        hits = [i for i, tr in enumerate(trs) if tr.accepts(field_name)]
        if not hits:
            raise ParameterError(
                f"{pname}: none of this session's treatments "
                f"({', '.join(t.kind for t in trs)}) takes {pname}", name=pname, value=value)
        for i in hits:
            trs[i] = trs[i].replace(**{field_name: value})
    return tuple(trs)


def assessment_time_s(treatment: Treatment) -> float | None:
    """When in the session relief is read for this treatment [s], or None for the session end.

    Blocks: at the peak of the intraneural concentration (start + peak time); day-scale
    treatments act at once from ``start_s``, so relief is read at the end of the session.
    """
    from sim import blocks as bl

    cat = treatment.info.category
    if cat == "local-anaesthetic":
        drug = "lidocaine" if treatment.kind == "lidocaine-block" else "bupivacaine"
        return treatment.start_s + 60.0 * bl.LOCAL_ANAESTHETICS[drug].peak_time_min
    if cat == "ganglion":
        return treatment.start_s + 60.0 * bl.LOCAL_ANAESTHETICS["bupivacaine"].peak_time_min
    return None


# ------------------------------------------------------------------------------------------
# Effects over a session
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TreatmentEffects:
    """What the treatments of a session do at each sample of its grid (read-only arrays).

    Attributes
    ----------
    conduction_abeta, conduction_adelta, conduction_c : ndarray
        Fraction of the treated nerve's Aβ, Aδ, C fibres that conduct past every block or
        lesion [1]: scales natural input from the treated territory (touch, pinch, injury)
        and the peripheral share of ectopic C firing.
    stim_ordered_abeta, stim_ordered_adelta, stim_ordered_c : ndarray
        Conducting fraction for activity evoked by a PNS lead or TENS pads, from local
        anaesthetic blocks between them and the cord (``block_site="proximal"``) [1]. These
        blocks take the thinnest fibres first, while stimulation recruits the thickest
        first, so of a recruited fraction ρ, min(ρ, f) still conducts [A].
    stim_random_abeta, stim_random_adelta, stim_random_c : ndarray
        The same from proximal lesions, which cut fibres regardless of size: ρ·f conducts.
        SCS is central: never blocked.
    ectopic_peripheral, ectopic_central : ndarray
        Multipliers on the peripheral and dorsal-root-ganglion shares of ongoing ectopic C
        drive from drugs and patches [1].
    natural_c : ndarray
        Multiplier on natural C input from the treated skin (capsaicin) [1].
    sympathetic_block : ndarray
        Fraction of the sympathetic outflow blocked (ganglion block) [1].
    c_transmission : ndarray
        Multiplier on all C input to the dorsal horn (gabapentin) [1].
    extra_c : ndarray
        C drive added by treatments (capsaicin burning, deafferentation) [1].
    b_desc : ndarray
        Descending drive added by drugs [1] (negative = inhibition).
    treated : ndarray
        1 where a treatment is in place (the patient's expectation acts), else 0 [1].
    """

    conduction_abeta: np.ndarray
    conduction_adelta: np.ndarray
    conduction_c: np.ndarray
    stim_ordered_abeta: np.ndarray
    stim_ordered_adelta: np.ndarray
    stim_ordered_c: np.ndarray
    stim_random_abeta: np.ndarray
    stim_random_adelta: np.ndarray
    stim_random_c: np.ndarray
    ectopic_peripheral: np.ndarray
    ectopic_central: np.ndarray
    natural_c: np.ndarray
    sympathetic_block: np.ndarray
    c_transmission: np.ndarray
    extra_c: np.ndarray
    b_desc: np.ndarray
    treated: np.ndarray

    @property
    def blocks_stimulation(self) -> bool:
        """Whether any stimulation-evoked activity is blocked at some time."""
        return any(bool(np.any(getattr(self, f"stim_{k}_{c}") < 1.0))
                   for k in ("ordered", "random") for c in ("abeta", "adelta", "c"))


_ONES = ("conduction_abeta", "conduction_adelta", "conduction_c", "stim_ordered_abeta",
         "stim_ordered_adelta", "stim_ordered_c", "stim_random_abeta", "stim_random_adelta",
         "stim_random_c", "ectopic_peripheral",
         "ectopic_central", "natural_c", "c_transmission")
_ZEROS = ("sympathetic_block", "extra_c", "b_desc", "treated")


def treatment_effects(treatments: tuple[Treatment, ...], duration_s: float
                      ) -> TreatmentEffects:
    """Time series of what ``treatments`` do over a session of ``duration_s`` seconds,
    on its grid (:func:`sim.gate.session_grid`).

    Blocks in series multiply their conducting fractions; multipliers multiply; added drives
    add; the sympathetic block takes the largest. Memoised on (treatments, duration), so a
    cohort computes it once for all its patients.
    """
    return _effects(tuple(treatments), float(duration_s))


@functools.lru_cache(maxsize=128)
def _effects(treatments: tuple[Treatment, ...], duration_s: float) -> TreatmentEffects:
    from sim.gate import session_grid

    t = session_grid(duration_s)
    out = {n: np.ones_like(t) for n in _ONES}
    out.update({n: np.zeros_like(t) for n in _ZEROS})
    for tr in treatments:
        _apply(tr, t, out)
    for v in out.values():
        v.setflags(write=False)
    return TreatmentEffects(**out)


def _given(value: float | None) -> float:
    """A per-kind value that ``Treatment.__post_init__`` has filled in for this kind."""
    assert value is not None
    return value


def _apply(tr: Treatment, t: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """Fold one treatment's effect into the combined series ``out`` (in place)."""
    from sim import blocks as bl

    since = t - tr.start_s
    on = (since >= 0).astype(float)
    out["treated"] = np.maximum(out["treated"], on)
    cat, kind, day = tr.info.category, tr.kind, float(_given(tr.treatment_day))
    proximal = tr.block_site == "proximal"

    def conduct(ab: Any, ad: Any, c: Any, how: str) -> None:
        for name, v in (("abeta", ab), ("adelta", ad), ("c", c)):
            out[f"conduction_{name}"] = out[f"conduction_{name}"] * v
            if proximal:
                out[f"stim_{how}_{name}"] = out[f"stim_{how}_{name}"] * v

    if cat == "local-anaesthetic":
        agent = "lidocaine" if kind == "lidocaine-block" else "bupivacaine"
        b = bl.local_anaesthetic_block(agent, _given(tr.concentration_pct), since,
                                       tr.block_order)
        conduct(1.0 - b.blocked_abeta, 1.0 - b.blocked_adelta, 1.0 - b.blocked_c,
                "ordered")
    elif cat == "ganglion":
        out["sympathetic_block"] = np.maximum(
            out["sympathetic_block"],
            bl.ganglion_block_fraction(_given(tr.concentration_pct), since))
    elif cat == "neurolysis":
        frac = tr.lesion_fraction
        if kind == "phenol":
            frac *= min(1.0, _given(tr.concentration_pct) / _PHENOL_FULL_PCT)
        lost = bl.neurolysis_conduction_lost(kind, day, frac) * on
        conduct(1.0 - lost, 1.0 - lost, 1.0 - lost, "random")
        if tr.deafferentation_risk:
            out["extra_c"] = out["extra_c"] + bl.deafferentation_c_drive(day, frac) * on
    elif cat == "drug":
        drug = dr.DRUGS[kind]
        e = dr.drug_effect(kind, _given(tr.dose_mg_per_day), day) * on
        out["b_desc"] = out["b_desc"] - drug.descending_gain * e
        if drug.ectopic_gain:
            keep = 1.0 - drug.ectopic_gain * e
            out["ectopic_peripheral"] = out["ectopic_peripheral"] * keep
            if not drug.ectopic_local:      # systemic: the DRG fires ectopically too
                out["ectopic_central"] = out["ectopic_central"] * keep
        if drug.transmission_gain:
            out["c_transmission"] = out["c_transmission"] * (1.0 - drug.transmission_gain * e)
        if drug.natural_c_gain:
            out["natural_c"] = out["natural_c"] * (1.0 - drug.natural_c_gain * e)
    elif kind == "capsaicin-patch":
        drug = dr.DRUGS[kind]
        application_min = _given(tr.application_min)
        keep = 1.0 - drug.ectopic_gain * dr.capsaicin_defunctionalisation(
            day, application_min) * on
        out["ectopic_peripheral"] = out["ectopic_peripheral"] * keep
        out["natural_c"] = out["natural_c"] * keep
        if day * 1440.0 < application_min:  # the patch is still on: it burns
            burning = (since >= 0) & (since < application_min * 60.0 - day * 86400.0)
            out["extra_c"] = out["extra_c"] + dr.CAPSAICIN_BURNING_C_DRIVE * burning
    elif kind == "lidocaine-patch":
        e = dr.lidocaine_patch_effect(day, since)
        out["ectopic_peripheral"] = out["ectopic_peripheral"] * (
            1.0 - dr.DRUGS[kind].ectopic_gain * e)
    # placebo: nothing but the expectation (``treated``)


# ------------------------------------------------------------------------------------------
# Reports: side effects and teaching notes
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TreatmentReport:
    """One treatment in a session result: what it is, its burden, and notes for students.

    Attributes
    ----------
    kind, title : str
        Treatment kind and human title.
    dose : str
        Dose with unit (empty without a dose).
    side_effects : SideEffects
        Qualitative side-effect burden (labelled [A]).
    notes : tuple of str
        Teaching notes and warnings (e.g. a PNS lead beyond a complete block).
    """

    kind: str
    title: str
    dose: str
    side_effects: dr.SideEffects
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "dose": self.dose,
                "side_effects": self.side_effects.to_dict(), "notes": list(self.notes)}


def side_effect_profile(tr: Treatment) -> dr.SideEffects:
    """Side-effect burden of a treatment (drugs from :func:`sim.drugs.side_effects`)."""
    if tr.info.category == "drug":
        return dr.side_effects(tr.kind, tr.dose_mg_per_day)
    if tr.kind in dr.DRUGS:
        return dr.side_effects(tr.kind)
    if tr.kind == "placebo":
        return dr.SideEffects("none", (), math.nan, "an inert treatment")
    risks = tr.info.risks + (("deafferentation pain (labelled risk, shown)",)
                             if tr.deafferentation_risk else ())
    return dr.SideEffects(tr.info.burden, risks, math.nan,
                          "qualitative teaching label [A]")
