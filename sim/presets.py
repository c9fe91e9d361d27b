"""Named presets: stimulation programs (and, from :mod:`sim.patients`, patients) as data.

One table, used by the dashboard dropdowns, the notebooks, the CLI (``neuromod presets``) and
the tests alike. Each entry holds only the settings that differ from the declared defaults,
a one-line description and its source; :func:`program` builds the validated
:class:`~sim.waveforms.Program`.

Values are the clinical ones of docs/science.md §1.1:

* SCS tonic 50 Hz, 210 µs, 4.7 mA (about 1.3 x the modelled perception threshold of 3.65 mA
  at dCSF 3 mm; docs/science.md §3.3 puts it at 2-5 mA); 40-60 Hz typical [S Caylor 2019];
  200-500 µs [T].
* SCS burst: 5 pulses of 1000 µs at 500 Hz every 25 ms (40 Hz), passive recharge after each
  burst [T De Ridder 2010; S Caylor 2019]; just below the perception threshold (1.85 mA, 0.95 x
  the modelled 1.95 mA at dCSF 3 mm) [T: programmed sub-perception].
* SCS 10 kHz: 30 µs, 3 mA [T; P Kapural 2015].
* PNS: percutaneous lead 5 mm from the nerve, 50 Hz (12-100 Hz), 100 µs, 3.3 mA (about
  1.3 x the modelled paresthesia threshold) [T; P Gilmore 2019; Rauck 2014].
* TENS conventional: 60 Hz (> 50 Hz; 80-150 Hz in some protocols), 100 µs, sensory "strong but
  comfortable" 15 mA (10-30 mA) on 5 x 5 cm pads [S Sluka & Walsh 2003; docs/science.md §1.1].
* Rates: in the gate model, rates above ~100 Hz stop helping a disinhibited dorsal horn
  (docs/science.md §4.4), so the PNS and TENS presets use rates in the lower part of their
  clinical ranges.
* TENS acupuncture-like: 2 Hz, 200 µs, 18 mA: strong, near the tolerable maximum (the
  model's discomfort threshold is 19 mA at 200 µs; clinical units reach 30-80 mA because real
  skin thresholds are higher than the model's) [S Sluka & Walsh 2003].
* Every preset runs below the model's discomfort threshold for every patient preset.

Treatment presets (:data:`TREATMENT_PRESETS`): one per treatment kind, named after it
(``lidocaine-block``, ``gabapentin``, ``cryoneurolysis``...), plus ``lidocaine-block-adelta-
first`` for the other small-fibre block order. A treatment preset stands for a session with
stimulation off and that treatment (:func:`treatment_session`), long enough to see it act;
every command that takes a program preset takes a treatment preset too. Doses are the usual
clinical ones (sources in :data:`sim.treatments.TREATMENT_KINDS`, :mod:`sim.blocks`,
:mod:`sim.drugs`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sim.params import ParameterError, Preset
from sim.therapies import THERAPIES
from sim.waveforms import Program

__all__ = ["ProgramPreset", "PROGRAM_PRESETS", "program", "program_names", "THERAPY_PRESETS",
           "THERAPY_FIELDS", "therapy_program", "TreatmentPreset",
           "TREATMENT_PRESETS", "treatment", "treatment_names", "treatment_session",
           "preset_names", "is_treatment_preset", "treatment_start_s"]


@dataclass(frozen=True)
class ProgramPreset(Preset):
    """A named program: the :class:`Program` fields that differ from the declared defaults."""

    def program(self, **overrides: Any) -> Program:
        """The validated program, with ``overrides`` applied on top of the preset."""
        return self.build(Program, **overrides)


_TENS_PADS = dict(contacts="-+", contact_area_mm2=2500.0, impedance_ohm=1000.0,
                  battery_capacity_mAh=2000.0)

_PRESETS = (
    ProgramPreset(
        "scs-tonic", "SCS tonic 50 Hz",
        "Conventional paresthesia-based spinal cord stimulation: one bipole on a percutaneous "
        "lead, 50 Hz, 210 µs, about 1.3 × the perception threshold.",
        "docs/science.md §1.1, §1.3; Caylor 2019 [S]; Kumar 2007 (PROCESS)",
        dict(therapy="scs", pattern="tonic", shape="biphasic", amplitude_mA=4.7,
             pulse_width_us=210.0, rate_hz=50.0, contacts="000-+000")),
    ProgramPreset(
        "scs-burst", "SCS burst (40 Hz bursts of 5 × 500 Hz)",
        "Burst SCS: 5 pulses of 1 ms at 500 Hz every 25 ms with passive recharge after each "
        "burst, set just below the paresthesia threshold.",
        "De Ridder 2010 [T]; Caylor 2019 [S]",
        dict(therapy="scs", pattern="burst", shape="asymmetric", amplitude_mA=1.85,
             pulse_width_us=1000.0, rate_hz=500.0, pulses_per_burst=5, burst_rate_hz=40.0,
             recharge_ratio=1.5, contacts="000-+000")),
    ProgramPreset(
        "scs-10khz", "SCS 10 kHz",
        "High-frequency, paresthesia-free SCS: 10 kHz, 30 µs biphasic pulses at 3 mA.",
        "Kapural 2015 (SENZA-RCT) [P]; docs/science.md §1.3 worked example",
        dict(therapy="scs", pattern="tonic", shape="biphasic", amplitude_mA=3.0,
             pulse_width_us=30.0, rate_hz=10000.0, interphase_gap_us=20.0,
             contacts="000-+000")),
    ProgramPreset(
        "pns", "Percutaneous PNS 50 Hz",
        "Peripheral nerve stimulation: a fine-wire lead 5 mm from the injured nerve, 50 Hz, "
        "100 µs, about 1.3 × the paresthesia threshold, with a skin return electrode.",
        "Rauck 2014; Gilmore 2019 [P]; docs/science.md §1.1 [T]",
        dict(therapy="pns", pattern="tonic", shape="biphasic", amplitude_mA=3.3,
             pulse_width_us=100.0, rate_hz=50.0, contacts="-+", contact_area_mm2=10.0,
             lead_distance_mm=5.0)),
    ProgramPreset(
        "tens-conventional", "TENS conventional 60 Hz",
        "Conventional (high-frequency, low-intensity) TENS: 60 Hz, 100 µs, strong but "
        "comfortable tingling under 5 × 5 cm pads.",
        "docs/science.md §1.1 [S]; Sluka & Walsh 2003",
        dict(therapy="tens", pattern="tonic", shape="biphasic", amplitude_mA=15.0,
             pulse_width_us=100.0, rate_hz=60.0, **_TENS_PADS)),
    ProgramPreset(
        "tens-acupuncture", "TENS acupuncture-like 2 Hz",
        "Acupuncture-like (low-frequency, high-intensity) TENS: 2 Hz, 200 µs, strong but "
        "tolerable (a visible muscle twitch in patients).",
        "docs/science.md §1.1 [S]; Sluka & Walsh 2003",
        dict(therapy="tens", pattern="tonic", shape="biphasic", amplitude_mA=18.0,
             pulse_width_us=200.0, rate_hz=2.0, **_TENS_PADS)),
    ProgramPreset(
        "drg", "DRG stimulation 20 Hz",
        "Dorsal root ganglion stimulation: a lead on each ganglion of the painful foot's roots "
        "(L4, L5, S1 left), 20 Hz, 300 µs, at about 1.3 x the perception threshold (0.28 mA): "
        "focal paresthesia, low amplitudes, little change with posture.",
        "Deer et al. 2017 (ACCURATE) [P]; Liem et al. 2013 [P]",
        dict(therapy="drg", pattern="tonic", shape="biphasic", amplitude_mA=0.37,
             pulse_width_us=300.0, rate_hz=20.0, contacts="0-+0", contact_area_mm2=3.9,
             drg_roots="L4-S1:left")),
    ProgramPreset(
        "off", "No stimulation",
        "Stimulator off: the patient's untreated pain.",
        "-",
        dict(therapy="off", amplitude_mA=0.0)),
)

#: Program presets by name, in display order (read-only).
PROGRAM_PRESETS: Mapping[str, ProgramPreset] = MappingProxyType({p.name: p for p in _PRESETS})


def program_names() -> list[str]:
    """Names of the program presets, in display order."""
    return list(PROGRAM_PRESETS)


def program(name: str, **overrides: Any) -> Program:
    """Build the program preset ``name`` with optional field ``overrides``.

    Raises
    ------
    ParameterError
        If ``name`` is not a preset or an override is invalid.
    """
    try:
        preset = PROGRAM_PRESETS[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"preset={name!r} is not a program preset; choose one of "
            f"{', '.join(PROGRAM_PRESETS)}", name="preset", value=name) from None
    return preset.program(**overrides)


#: The standard program of each therapy (its preset): what a switch of therapy starts from.
THERAPY_PRESETS: Mapping[str, str] = MappingProxyType(
    {t.value: s.preset for t, s in THERAPIES.items()})
#: Program fields that depend on where the current goes (lead or pads, contact size, load,
#: battery, the amplitude range and pulse that recruit the target fibres, the placement):
#: they follow the therapy when it changes.
THERAPY_FIELDS = ("contacts", "contact_area_mm2", "impedance_ohm", "battery_capacity_mAh",
                  "amplitude_mA", "pulse_width_us", "lead_distance_mm", "lateral_offset_mm",
                  "drg_roots")


def therapy_program(current: Program, therapy: str) -> Program:
    """``current`` switched to ``therapy``: the fields of :data:`THERAPY_FIELDS` take the
    values of the therapy's standard program (:data:`THERAPY_PRESETS`), the others (rate,
    pattern, cycling, ramp...) are kept; if the kept ones do not fit the new pulse, the
    standard program itself.

    Examples
    --------
    >>> tens = therapy_program(program("scs-tonic", rate_hz=80.0), "tens")
    >>> tens.contacts, tens.amplitude_mA, tens.rate_hz
    ('-+', 15.0, 80.0)
    """
    if therapy not in THERAPY_PRESETS:
        raise ParameterError(f"therapy={therapy!r} is not one of "
                             f"{', '.join(map(repr, THERAPY_PRESETS))}", name="therapy",
                             value=therapy)
    ref = program(THERAPY_PRESETS[therapy])
    if current.therapy == therapy:
        return current
    try:
        return current.replace(therapy=therapy,
                               **{f: getattr(ref, f) for f in THERAPY_FIELDS})
    except ParameterError:
        return ref


# ============================================================================================
# Treatment presets
# ============================================================================================
@dataclass(frozen=True)
class TreatmentPreset(Preset):
    """A named treatment: the :class:`~sim.treatments.Treatment` fields that differ from the
    kind's defaults (``kind`` included), and ``duration_s`` [s], the session length that
    shows it acting."""

    duration_s: float = 240.0

    def treatment(self, **overrides: Any):
        """The validated :class:`~sim.treatments.Treatment`, with ``overrides`` on top."""
        from sim.treatments import Treatment
        return self.build(Treatment, **overrides)


def _tp(name: str, description: str, source: str, duration_s: float | None = None,
        title: str | None = None, **settings: Any) -> TreatmentPreset:
    from sim.treatments import TREATMENT_KINDS
    kind = settings.setdefault("kind", name)
    info = TREATMENT_KINDS[kind]
    return TreatmentPreset(name, title or info.title, description, source, settings,
                           duration_s or info.preset_duration_s)


_TREATMENTS = (
    _tp("lidocaine-block",
        "Lidocaine 1 % injected around the nerve of the painful territory: pain fibres (C, Aδ) "
        "fail within minutes, touch (Aβ) a little later; it wears off in reverse over about an "
        "hour. Watch the conduction series and the numbness.",
        "docs/science.md §5.1; Popitz-Bergez 1995 [P]; sim.blocks"),
    _tp("lidocaine-block-adelta-first",
        "The same lidocaine block with the other small-fibre order: Aδ before C, as in rat "
        "sciatic recordings (Gokin 2001). Compare the conduction series.",
        "Gokin 2001 [P]; docs/science.md §5.1 (sources disagree)",
        title="Lidocaine nerve block (Aδ first)", kind="lidocaine-block",
        block_order="adelta-first"),
    _tp("bupivacaine-block",
        "Bupivacaine 0.25 %: slower onset, hours of block. Try 0.125 % for pain relief that "
        "spares most touch.",
        "sim.blocks; anaesthesia texts [T]"),
    _tp("ganglion-block",
        "Stellate/lumbar sympathetic ganglion block with bupivacaine 0.25 %: removes the "
        "sympathetically maintained share of the ongoing pain (try the CRPS patient); no "
        "numbness.",
        "sim.blocks [A]; Stanton 2013 Cochrane [S]"),
    _tp("phenol",
        "Phenol 6 % neurolysis of the painful nerve, seen one week later: conduction lost in "
        "every fibre class; it recovers over months (vary treatment_day).",
        "sim.blocks.NEUROLYSIS [T]"),
    _tp("cryoneurolysis",
        "Cryoneurolysis of the painful nerve, one week later: axons regrow within weeks to "
        "months (vary treatment_day; switch on deafferentation_risk).",
        "sim.blocks.NEUROLYSIS; Hsu & Stevenson 2015 [P]"),
    _tp("radiofrequency",
        "Radiofrequency ablation of the painful nerve, one week later: relief for months.",
        "sim.blocks.NEUROLYSIS [S]"),
    _tp("amitriptyline",
        "Amitriptyline 50 mg/day after 8 weeks: more descending inhibition and less ectopic "
        "firing (NNT 3.6).", "Finnerup 2015 [P]; sim.drugs"),
    _tp("venlafaxine",
        "Venlafaxine 150 mg/day after 8 weeks: descending inhibition (NNT 6.4).",
        "Finnerup 2015 [P]; sim.drugs"),
    _tp("gabapentin",
        "Gabapentin 1800 mg/day after 8 weeks: less transmitter release from C-fibre "
        "terminals (NNT 6.3).", "Finnerup 2015 [P]; sim.drugs"),
    _tp("pregabalin",
        "Pregabalin 300 mg/day after 8 weeks: less transmitter release from C-fibre "
        "terminals, more with 600 mg/day (NNT 7.7, NNH 13.9).", "Finnerup 2015 [P]; sim.drugs"),
    _tp("duloxetine",
        "Duloxetine 60 mg/day after 8 weeks: descending inhibition (SNRI, NNT 6.4, NNH 11.8).",
        "Finnerup 2015 [P]; sim.drugs"),
    _tp("tramadol",
        "Tramadol 200 mg/day after 8 weeks: a weak opioid and reuptake inhibitor (NNT 4.7, "
        "NNH 12.6); second line.", "Finnerup 2015 [P]; sim.drugs"),
    _tp("morphine",
        "Morphine 120 mg/day after 8 weeks, standing for the strong opioids (NNT 4.3, NNH "
        "11.7): effective, but third line for tolerance, dependence and misuse.",
        "Finnerup 2015 [P]; sim.drugs"),
    _tp("paracetamol",
        "Paracetamol 4 g/day after 8 weeks: a simple analgesic for nociceptive pain that does "
        "little for neuropathic pain (compare with placebo).",
        "Wiffen 2016 Cochrane [S]; sim.drugs"),
    _tp("ibuprofen",
        "Ibuprofen 1200 mg/day after 8 weeks: an NSAID quietens inflamed tissue, not injured "
        "nerve; no better than placebo for neuropathic pain. Add an injury event to see what "
        "it does relieve.", "Moore 2015 Cochrane [S]; sim.drugs"),
    _tp("capsaicin-patch",
        "Capsaicin 8 % patch for 60 min, 4 weeks later: C-fibre terminals defunctionalised "
        "(NNT 10.6). Set treatment_day=0 to feel it burn.", "Finnerup 2015 [P]; sim.drugs"),
    _tp("lidocaine-patch",
        "Lidocaine 5 % plaster after 4 weeks: ectopic firing under the plaster quietened, no "
        "numbness (weak evidence).", "Finnerup 2015 [P]; sim.drugs"),
    _tp("placebo",
        "An inert treatment: only the patient's expectation acts (placebo_response; drawn per "
        "patient in cohorts).", "docs/science.md §5.2 [T]; sim.drugs.PLACEBO_RESPONDER_RATE"),
)

#: Treatment presets by name, in display order (read-only).
TREATMENT_PRESETS: Mapping[str, TreatmentPreset] = MappingProxyType(
    {p.name: p for p in _TREATMENTS})


def treatment_names() -> list[str]:
    """Names of the treatment presets, in display order."""
    return list(TREATMENT_PRESETS)


def preset_names() -> list[str]:
    """Every preset a command accepts as ``--preset``: programs, then treatments."""
    return program_names() + treatment_names()


def is_treatment_preset(name: str) -> bool:
    """Whether ``name`` is a treatment preset."""
    return isinstance(name, str) and name in TREATMENT_PRESETS


def treatment_start_s(duration_s: float) -> float:
    """Where a preset treatment starts in a session [s]: after a quarter of it (as the
    default stimulation event), at most 5 minutes, so there is an untreated baseline."""
    return min(0.25 * float(duration_s), 300.0)


def treatment(name: str, **overrides: Any):
    """Build the treatment preset ``name`` with optional field ``overrides``.

    Raises
    ------
    ParameterError
        If ``name`` is not a treatment preset or an override is invalid.
    """
    try:
        preset = TREATMENT_PRESETS[name]
    except (KeyError, TypeError):
        raise ParameterError(
            f"treatment={name!r} is not a treatment preset; choose one of "
            f"{', '.join(TREATMENT_PRESETS)}", name="treatment", value=name) from None
    return preset.treatment(**overrides)


def treatment_session(name: str, *, duration_s: float | None = None, program_name: str = "off",
                      patient=None, **overrides: Any):
    """A session with the treatment preset ``name`` (stimulation off unless ``program_name``).

    The treatment starts at :func:`treatment_start_s` of the session length (the preset's own
    length unless ``duration_s`` is given); ``overrides`` go to the treatment.
    """
    from sim.session import Session
    if name not in TREATMENT_PRESETS:
        treatment(name)  # raises the message naming the presets
    duration = TREATMENT_PRESETS[name].duration_s if duration_s is None else duration_s
    tr = treatment(name, **{"start_s": treatment_start_s(duration), **overrides})
    kwargs: dict[str, Any] = {"program": program(program_name), "duration_s": duration,
                              "treatments": (tr,)}
    if patient is not None:
        kwargs["patient"] = patient
    return Session(**kwargs)
