"""A simulated sensory nerve conduction study: the SNAP of the sural or median nerve.

What is here (docs/science.md §3.1 and §9.1):

* :data:`NERVES`, the registry of testable sensory nerves (fibre-diameter histogram, velocity
  conversion, electrode montage, normal limits), and :func:`fiber_population`, the nerve's
  fixed, quantile-based fibre population (a few thousand Aβ and Aδ fibres and weighted C fibres);
* :func:`nerve_state`, what a :class:`~sim.patients.Patient` does to that population: axonal
  loss of large fibres (length dependent), demyelinating slowing with conduction block, loss of
  thin Aδ/C fibres;
* :func:`single_fibre_potential` and :func:`compound_potential`, the extracellular potential of
  one fibre and the sum over fibres at a recording point;
* :func:`nerve_conduction_study`, the clinical test: stimulate at one site, record the
  compound sensory nerve action potential (SNAP) at one or more sites, measure onset and peak
  latency, amplitude and conduction velocity and compare them with published normal limits
  (:class:`NCSResult`).

The model
---------
The SNAP is the sum of single-fibre action potentials (SFAPs), nothing else. Fibre ``i`` of
diameter ``d_i`` conducts at ``v_i`` and its potential reaches the electrode at distance ``L``
at ``T_i = L / v_i`` (1 m/s = 1 mm/ms)::

    V(t) = sum_i  A_i * w(t - T_i),     A_i = K * c_nerve * n_i * d_i^2             (1)

``n_i`` is how many real fibres model fibre ``i`` stands for, ``c_nerve`` the electrode
coupling of the nerve, ``K`` the one calibrated scale (:data:`SNAP_SCALE_UV_PER_UM2`).
Velocities are Hursh's ``v = 6 d`` (:func:`sim.fibers.conduction_velocity_m_per_s`) times
``velocity_factor``: Hursh's factor comes from cat nerves at body temperature, while in human
sural nerves at limb temperature the fastest fibres conduct 4.55 m/s per µm of (histological)
diameter of the largest fibres (Tackmann et al. 1976), i.e. 54.6 m/s for 12 µm, between the
distal and proximal sural maxima of Behse & Buchthal (1971).

``w`` is the extracellular potential of a travelling action potential: in line-source theory
the potential near an active fibre is proportional to the membrane current, i.e. to the second
derivative of the intracellular action potential, and to the axon's cross-section (``~d^2``)
(Clark & Plonsey 1968). With a smooth, Gaussian-like spike ``V_m(s) = sin^4(pi s / D)`` on
``0 <= s < D`` (a compact-support stand-in for a Gaussian of s.d. ``D / (2 pi)``)::

    w(s) = V_m''(s) / |V_m''(D/2)| = [cos(2 pi s / D) - cos(4 pi s / D)] / 2             (2)

a triphasic positive-negative-positive wave with a negative peak of -1 at ``D / 2``, side lobes
of +0.56, zero area and zero first moment (the fibre's net charge transfer is nil). The
electrodes form the standard bipolar montage: active electrode G1 at ``L`` minus reference G2
one interelectrode distance further along the nerve. Nothing about the compound waveform is
imposed: its latency comes from the fastest conducting fibres, its amplitude and width from how
many fibres arrive together, and its fall with distance from temporal dispersion and phase
cancellation (the positive lobes of slower fibres cancel the negative peaks of faster ones;
Horowitz & Krarup 1992).

Evaluation: (1) with (2) is a sum of two windowed sinusoids per fibre, so at sample times
``t_k`` it equals ``Re[exp(i w t_k) (S(t_k) - S(t_k - D))]`` per frequency, with the prefix
sums ``S(t) = sum_{T_i <= t} A_i exp(-i w T_i)`` taken by one ``bincount`` + ``cumsum`` over
the fibres. That is the same fibres x samples sum, exact to rounding, at O(fibres + samples)
cost; :func:`_superpose_direct` is the literal double loop it is tested against.

Patients
--------
``axonal_loss`` is the fraction of large myelinated (Aβ) axons lost in the sural nerve (the
longest sensory nerve routinely tested, where length-dependent "dying-back" neuropathies show
first); other nerves lose ``axonal_loss * length_factor`` (median 0.5) [A]. Within a nerve the
largest axons go first: the model fibre at diameter quantile ``r`` is lost with probability
``r^((1 - f) / f)``, whose mean over ``r`` is exactly ``f`` [A]. ``demyelination`` ``m`` slows
every myelinated fibre by ``s_i = m (0.85 + 0.15 E_i)``, ``E_i`` a fixed exponential(1) draw:
mean slowing ``m``, a floor (a 14 cm segment crosses ~100 internodes, so diffuse demyelination
slows every fibre) and a tail of fibres crossing worse lesions; a fibre slowed by 75 % or more
blocks [A; block follows severe slowing, Rasminsky & Sears 1972]. ``small_fibre_loss`` removes
that fraction of Aδ and C fibres, which the SNAP cannot see.

Sign convention: ``potential_uV`` is the physical G1 - G2 potential, main phase negative;
clinical screens plot negative upward. Amplitude is baseline to negative peak (as in Kim et al.
2022, the calibration source); peak-to-peak is reported as well.

References
----------
Clark J., Plonsey R. (1968) The extracellular potential field of the single active nerve fiber
in a volume conductor. Biophys J 8:842-864 [P] (line source: potential ~ a^2 d^2V_m/dx^2).
Hursh J.B. (1939) Conduction velocity and diameter of nerve fibers. Am J Physiol 127:131 [T]
(``v = 6 d``, via :func:`sim.fibers.conduction_velocity_m_per_s`).
Tackmann W., Spalke H.J., Oginszus H.J. (1976) Quantitative histometric studies and relation
of number and diameter of myelinated fibres to electrophysiological parameters in normal
sensory nerves of man. J Neurol 212:71-84 [P] (fastest velocity / largest diameter: 4.55
m/s/µm sural, 4.67 radial).
Jacobs J.M., Love S. (1985) Qualitative and quantitative morphology of human sural nerve at
different ages. Brain 108:897-924 [P] (bimodal myelinated diameters: modes 3-5 and 9-12 µm).
Gutrecht J.A., Dyck P.J. (1970) Quantitative teased-fiber and histologic studies of human sural
nerve during postnatal development. J Comp Neurol 138:117-130 [P] (4,000-12,300 myelinated
fibres per nerve; small-fibre mode 2-3 µm).
Ochoa J., Mair W.G.P. (1969) The normal sural nerve in man. I. Acta Neuropathol 13:197-216 [P]
(unmyelinated : myelinated ≈ 3.7 : 1).
Behse F., Buchthal F. (1971) Normal sensory conduction in the nerves of the leg in man. J Neurol
Neurosurg Psychiatry 34:404-414 [P] (maximum sensory velocity 46.1 ± 3.7 m/s distal, 56.5 ±
3.4 m/s proximal, 15-30 years).
Horowitz S.H., Krarup C. (1992) Conduction studies of the normal sural nerve. Muscle Nerve
15:374-383 [P] (amplitude falls with distance as a power law, exponent 1.4-1.7, from
dispersion and phase cancellation).
Kim J.Y. et al. (2022) Reference standards for nerve conduction studies of individual nerves of
lower extremity with expanded uncertainty in healthy Korean adults. Ann Rehabil Med
46(1):9-23 [P] (sural baseline-to-negative-peak amplitude 21.7 µV, range 8.3-35.2 µV, men in
their 20s).
Zamoum M., Chaouch A. (2022) Sural nerve conduction study: reference values in the Algerian
population. J Neurosci Neurol Disord 6:040-044 [P] (sural lower limits 7.7 µV at the 5th
percentile, 6.8 µV by log-SD; velocity 43 m/s; ages 20-60).
Preston D.C., Shapiro B.E. (2013) Electromyography and Neuromuscular Disorders, 3rd ed.,
normal adult values [T] (antidromic sural >= 6 µV, peak latency <= 4.4 ms at 14 cm, >= 40
m/s; antidromic median >= 20 µV, peak latency <= 3.5 ms at 14 cm, >= 50 m/s).
Rasminsky M., Sears T.A. (1972) Internodal conduction in undissected demyelinated nerve
fibres. J Physiol 227:323-350 [P] (slowing, then block, in demyelinated fibres).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy.stats import truncnorm

from sim.fibers import FiberClass, conduction_velocity_m_per_s
from sim.params import PARAMETERS, Param, ParameterError, format_number as _fmt
from sim.patients import Patient

__all__ = [
    "DiameterMode",
    "NormalLimits",
    "NerveSpec",
    "NERVES",
    "nerve_names",
    "NervePopulation",
    "fiber_population",
    "NerveState",
    "nerve_state",
    "single_fibre_potential",
    "compound_potential",
    "recorded_potential",
    "Measure",
    "SiteRecording",
    "NCSResult",
    "nerve_conduction_study",
    "calibrate_scale",
    "SNAP_SCALE_UV_PER_UM2",
    "SFAP_DURATION_MS",
    "C_SFAP_DURATION_MS",
    "ONSET_FRACTION",
    "ABSENT_BELOW_UV",
    "DEMYELINATION_FLOOR",
    "BLOCK_SLOWING",
    "DEMYELINATING_VELOCITY_FRACTION",
    "CALIBRATION_AMPLITUDE_UV",
]


# =============================================================================================
# Constants
# =============================================================================================
#: Peak single-fibre potential per µm² of fibre diameter at the sural recording site [µV/µm²]
#: (the ``K`` of eq. 1). Calibrated, the one free scale of the model: with it the healthy
#: sural SNAP at the standard 140 mm is :data:`CALIBRATION_AMPLITUDE_UV`; re-derived by
#: :func:`calibrate_scale` (a test keeps the two equal).
SNAP_SCALE_UV_PER_UM2 = 5.0288e-4
#: Healthy sural amplitude the scale is calibrated to [µV]: the normal mean of about 20 µV
#: (docs/science.md §9.1; Kim et al. 2022: 21.7 µV, range 8.3-35.2 µV) [P].
CALIBRATION_AMPLITUDE_UV = 20.0
#: Duration ``D`` of a myelinated fibre's extracellular wave [ms] (eq. 2). The underlying spike
#: is 0.36 D = 0.44 ms wide at half height: a human myelinated axon at limb temperature
#: (32-34 °C; spikes of 0.3-0.5 ms at 37 °C [T]) broadened by the skin-to-nerve distance
#: (depth / velocity ≈ 0.1 ms) [A within T]. It sets the SNAP rise time (onset to negative
#: peak about 0.8 ms at 140 mm) and how strongly slower fibres cancel faster ones.
SFAP_DURATION_MS = 1.2
#: Duration of a C fibre's extracellular wave [ms]: unmyelinated spikes last 1-2 ms [T];
#: 4 ms gives a 1.45 ms half-height spike [A].
C_SFAP_DURATION_MS = 4.0
#: Onset latency is read where the trace first leaves the baseline by this fraction of the
#: amplitude [1]: "the first deflection from baseline" [T], 5 % standing for what the eye sees
#: above the noise of an averaged recording (1 µV of a 20 µV SNAP) [A].
ONSET_FRACTION = 0.05
#: Below this baseline-to-peak amplitude no response is distinguishable from noise [µV]: the
#: SNAP is reported absent (latencies and velocity not measurable) [A; averaged surface
#: recordings have ~0.5-1 µV noise, T].
ABSENT_BELOW_UV = 1.0
#: Least slowing of any fibre, as a fraction of the patient's mean demyelinating slowing [1]
#: [A]: see the module notes (a 14 cm segment averages over ~100 internodes).
DEMYELINATION_FLOOR = 0.85
#: A myelinated fibre slowed by this fraction or more fails to conduct (conduction block) [1]
#: [A; in demyelinated fibres conduction slows markedly before it blocks, Rasminsky & Sears
#: 1972 P].
BLOCK_SLOWING = 0.75
#: Velocity below this fraction of the lower limit of normal is in the demyelinating range
#: [1]: "often < 70-80 % of the lower limit" (docs/science.md §9.1) [T]; the upper end is used.
DEMYELINATING_VELOCITY_FRACTION = 0.8
#: Seed of the fixed per-fibre random numbers (which fibres a loss removes, each fibre's
#: share of demyelinating slowing): the population is the same in every run [A].
POPULATION_SEED = 20240609
#: The peak-latency limit is only defined at the standard distance; within this tolerance
#: [mm] of it the limit applies, otherwise velocity is the measure to use [T].
PEAK_LIMIT_TOLERANCE_MM = 5.0
#: Most recording sites one study may have (the stimulation site records nothing).
MAX_SITES = 8
#: Longest automatic recording window [ms].
MAX_AUTO_WINDOW_MS = 100.0

_CLASS_ORDER = (FiberClass.ABETA, FiberClass.ADELTA, FiberClass.C)


# =============================================================================================
# Nerves
# =============================================================================================
@dataclass(frozen=True)
class DiameterMode:
    """One mode of a nerve's fibre-diameter histogram: a truncated normal distribution.

    Attributes
    ----------
    fiber_class : FiberClass
        The class the mode's fibres belong to (Aβ: large myelinated, Aδ: small myelinated,
        C: unmyelinated).
    count : int
        Fibres of this mode in the whole nerve.
    n_model : int
        Model fibres representing them (quantiles of the distribution); each stands for
        ``count / n_model`` real fibres.
    mean_um, sd_um : float
        Mean and standard deviation of the (untruncated) normal [µm].
    min_um, max_um : float
        Truncation bounds [µm]; ``max_um`` of the Aβ mode sets the fastest fibre.
    """

    fiber_class: FiberClass
    count: int
    n_model: int
    mean_um: float
    sd_um: float
    min_um: float
    max_um: float


@dataclass(frozen=True)
class NormalLimits:
    """Published limits of normal for one nerve's sensory study.

    Attributes
    ----------
    amplitude_min_uV : float
        Lower limit of baseline-to-negative-peak amplitude [µV].
    velocity_min_m_per_s : float
        Lower limit of conduction velocity [m/s].
    peak_latency_max_ms : float
        Upper limit of peak latency at ``standard_distance_mm`` [ms].
    standard_distance_mm : float
        Stimulation-to-G1 distance the latency limits refer to [mm].
    source : str
        Where the numbers come from.
    """

    amplitude_min_uV: float
    velocity_min_m_per_s: float
    peak_latency_max_ms: float
    standard_distance_mm: float
    source: str

    def onset_latency_max_ms(self, distance_mm: float) -> float:
        """Upper limit of onset latency at ``distance_mm`` [ms]: distance / velocity limit."""
        return distance_mm / self.velocity_min_m_per_s

    def peak_latency_limit_ms(self, distance_mm: float) -> float | None:
        """Peak-latency limit at ``distance_mm`` [ms], or None away from the standard distance."""
        if abs(distance_mm - self.standard_distance_mm) <= PEAK_LIMIT_TOLERANCE_MM:
            return self.peak_latency_max_ms
        return None


@dataclass(frozen=True)
class NerveSpec:
    """A testable sensory nerve: fibre population, conduction, montage and normal limits.

    Attributes
    ----------
    name, label : str
        Identifier (``"sural"``) and human label.
    modes : tuple of DiameterMode
        The fibre-diameter histogram, one mode per class.
    velocity_factor : float
        Multiplies the Hursh ``v = 6 d`` of :func:`sim.fibers.conduction_velocity_m_per_s`
        for myelinated fibres [1] (human sensory nerves at limb temperature, histological
        diameters: 4.55 or 4.67 m/s per µm, Tackmann et al. 1976).
    coupling : float
        Electrode coupling relative to the sural surface recording [1] [A].
    interelectrode_mm : float
        G1-G2 distance along the nerve [mm].
    length_factor : float
        Fraction of the patient's (sural) ``axonal_loss`` this nerve shows [1] [A].
    limits : NormalLimits
        Normal limits.
    montage : str
        How the study is done, for students.
    source : str
        Where the population and montage numbers come from.
    """

    name: str
    label: str
    modes: tuple[DiameterMode, ...]
    velocity_factor: float
    coupling: float
    interelectrode_mm: float
    length_factor: float
    limits: NormalLimits
    montage: str
    source: str


_SURAL = NerveSpec(
    name="sural", label="Sural sensory",
    modes=(
        DiameterMode(FiberClass.ABETA, 2400, 2400, 9.5, 1.5, 5.5, 12.0),
        DiameterMode(FiberClass.ADELTA, 3600, 1200, 3.5, 1.0, 1.0, 6.0),
        DiameterMode(FiberClass.C, 22200, 4000, 0.9, 0.35, 0.2, 1.5),
    ),
    velocity_factor=4.55 / 6.0, coupling=1.0, interelectrode_mm=30.0, length_factor=1.0,
    limits=NormalLimits(
        amplitude_min_uV=6.0, velocity_min_m_per_s=40.0, peak_latency_max_ms=4.4,
        standard_distance_mm=140.0,
        source="Preston & Shapiro 2013 normal adult values [T] (>= 6 µV, <= 4.4 ms peak at "
               "14 cm, >= 40 m/s); consistent with Zamoum & Chaouch 2022 (6.8-7.7 µV, 43 m/s, "
               "ages 20-60) and Kim et al. 2022 (range from 8.3 µV, 20s) [P]; onset limit = "
               "distance / 40 m/s"),
    montage="antidromic: stimulate the calf, record behind the lateral malleolus (G1) with "
            "G2 3 cm distal",
    source="6,000 myelinated fibres (within 4,000-12,300, Gutrecht & Dyck 1970) [P], 40 % in "
           "the large mode [A]; modes 3.5 and 9.5 µm, largest 12 µm (Jacobs & Love 1985: 3-5 "
           "and 9-12 µm) [P]; C fibres 3.7 per myelinated fibre, ~0.9 µm (Ochoa & Mair "
           "1969) [P]; 4.55 m/s/µm (Tackmann et al. 1976) [P]; 3 cm G1-G2, as in lower-limb "
           "normative data (Am J Phys Med Rehabil 2008, sural interelectrode study) [S]")

_MEDIAN = NerveSpec(
    name="median", label="Median sensory",
    modes=(
        DiameterMode(FiberClass.ABETA, 2400, 2400, 10.0, 1.5, 5.5, 13.0),
        DiameterMode(FiberClass.ADELTA, 3600, 1200, 3.5, 1.0, 1.0, 6.0),
        DiameterMode(FiberClass.C, 22200, 4000, 0.9, 0.35, 0.2, 1.5),
    ),
    velocity_factor=4.67 / 6.0, coupling=1.75, interelectrode_mm=40.0, length_factor=0.5,
    limits=NormalLimits(
        amplitude_min_uV=20.0, velocity_min_m_per_s=50.0, peak_latency_max_ms=3.5,
        standard_distance_mm=140.0,
        source="Preston & Shapiro 2013 normal adult values [T] (antidromic to the index "
               "finger: >= 20 µV, <= 3.5 ms peak at 14 cm, >= 50 m/s); onset limit = "
               "distance / 50 m/s"),
    montage="antidromic: stimulate at the wrist, ring electrodes on the index finger (G1 "
            "over the proximal phalanx, G2 4 cm distal)",
    source="same histogram shape as the sural with the large mode 0.5 µm larger and the "
           "largest fibres 13 µm, giving median sensory velocities of ~55 m/s (adult means "
           "54-56 m/s) [A]; 4.67 m/s/µm (upper-limb value, Tackmann et al. 1976) [P]; ring "
           "electrodes over superficial digital nerves couple 1.75 x the sural surface "
           "recording, putting the healthy SNAP near 35 µV (adult means ~26-37 µV) [A]; "
           "4 cm G1-G2 [S]; axons ~0.75 m long vs ~1.05 m for the sural, half the loss "
           "[A, length-dependent neuropathy]")

_ULNAR = NerveSpec(
    name="ulnar", label="Ulnar sensory",
    modes=_MEDIAN.modes,
    velocity_factor=5.2 / 6.0, coupling=1.5, interelectrode_mm=40.0, length_factor=0.5,
    limits=NormalLimits(
        amplitude_min_uV=17.0, velocity_min_m_per_s=50.0, peak_latency_max_ms=3.1,
        standard_distance_mm=140.0,
        source="Preston & Shapiro 2013 normal adult values [T] (antidromic to the little "
               "finger: >= 17 µV, <= 3.1 ms peak at 14 cm, >= 50 m/s); onset limit = "
               "distance / 50 m/s"),
    montage="antidromic: stimulate the ulnar nerve at the wrist, ring electrodes on the "
            "little finger (G1 over the proximal phalanx, G2 4 cm distal)",
    source="the median's fibre histogram [A]; 5.2 m/s/µm puts the fastest fibres near 68 "
           "m/s and the peak latency below the 3.1 ms limit at 14 cm (ulnar peak latencies "
           "are shorter than the median's in the normative tables) [A]; coupling 1.5 x the sural "
           "puts the healthy SNAP near 30 µV [A]; axons as long as the median's [A]")

_SUPERFICIAL_PERONEAL = NerveSpec(
    name="superficial-peroneal", label="Superficial peroneal sensory",
    modes=_SURAL.modes,
    velocity_factor=4.55 / 6.0, coupling=0.55, interelectrode_mm=30.0, length_factor=0.95,
    limits=NormalLimits(
        amplitude_min_uV=6.0, velocity_min_m_per_s=40.0, peak_latency_max_ms=4.4,
        standard_distance_mm=120.0,
        source="Preston & Shapiro 2013 normal adult values [T] (antidromic, lateral leg to "
               "the ankle: >= 6 µV, <= 4.4 ms peak at 12 cm, >= 40 m/s); onset limit = "
               "distance / 40 m/s"),
    montage="antidromic: stimulate the lateral leg, record at the ankle between the "
            "malleoli (G1) with G2 3 cm distal",
    source="the sural's fibre histogram and velocity [A]; a deeper, smaller nerve: coupling "
           "0.55 x the sural puts the healthy SNAP near 12 µV (adult means 10-15 µV) [A]; "
           "axons nearly as long as the sural's [A]")

#: Testable nerves by name (read-only registry): a nerve added here is accepted everywhere.
NERVES: Mapping[str, NerveSpec] = MappingProxyType(
    {n.name: n for n in (_SURAL, _MEDIAN, _ULNAR, _SUPERFICIAL_PERONEAL)})


def nerve_names() -> list[str]:
    """Names of the nerves a study can test, in display order."""
    return list(NERVES)


# =============================================================================================
# Validation helpers
# =============================================================================================
_SAMPLE_INTERVAL = Param(
    name="sample_interval_ms", unit="ms", minimum=0.005, maximum=0.1, default=0.02,
    step=0.005, help="Sampling interval of the recorded trace.", group="ncs",
    label="Sampling interval")
_WINDOW = Param(
    name="window_ms", unit="ms", minimum=2.0, maximum=1000.0, default=10.0, step=1.0,
    help="Length of the recorded trace after the stimulus.", group="ncs",
    label="Recording window")


def _nerve(name: Any) -> NerveSpec:
    return NERVES[PARAMETERS["ncs_nerve"].validate(name)]


def as_patient(p: Any) -> Patient:
    if isinstance(p, Patient):
        return p
    if isinstance(p, str):
        from sim.patients import patient as _preset
        return _preset(p)
    raise ParameterError(f"patient={p!r} is not a Patient or a patient preset name",
                         name="patient", value=p)


def _sites(distance_mm: Any, record_distances_mm: Any) -> tuple[float, tuple[float, ...]]:
    primary = float(PARAMETERS["ncs_distance_mm"].validate(distance_mm))
    extra = () if record_distances_mm is None else \
        PARAMETERS["ncs_record_distances_mm"].validate(record_distances_mm)
    sites = tuple(sorted({primary, *extra}))
    if len(sites) > MAX_SITES:
        raise ParameterError(
            f"ncs_record_distances_mm has {len(sites)} recording sites; at most {MAX_SITES}",
            name="ncs_record_distances_mm", value=record_distances_mm)
    return primary, sites


# =============================================================================================
# Fibre population
# =============================================================================================
@dataclass(frozen=True, eq=False)
class NervePopulation:
    """A nerve's healthy fibre population of every class, by diameter quantile (read-only
    arrays, one entry per model fibre); the fibres of one class placed under an electrode are
    :class:`sim.recruitment.FiberPopulation`.

    Attributes
    ----------
    nerve : str
        Nerve name.
    fiber_class : ndarray of object
        :class:`~sim.fibers.FiberClass` of each fibre.
    diameter_um : ndarray
        Outer fibre diameter [µm].
    count : ndarray
        Real fibres each model fibre stands for [1].
    myelinated : ndarray of bool
        Myelinated (Aβ, Aδ) or not (C).
    velocity_m_per_s : ndarray
        Healthy conduction velocity [m/s].
    duration_ms : ndarray
        Duration of the fibre's extracellular wave [ms].
    rank : ndarray
        Diameter quantile of the fibre within its mode, in (0, 1) [1].
    u_loss : ndarray
        Fixed uniform(0, 1) number deciding whether a loss of given probability removes it.
    spread : ndarray
        Fixed exponential(1) number: the fibre's share of demyelinating slowing.
    """

    nerve: str
    fiber_class: np.ndarray
    diameter_um: np.ndarray
    count: np.ndarray
    myelinated: np.ndarray
    velocity_m_per_s: np.ndarray
    duration_ms: np.ndarray
    rank: np.ndarray
    u_loss: np.ndarray
    spread: np.ndarray

    def of_class(self, fiber_class: FiberClass) -> np.ndarray:
        """Boolean mask of the fibres of ``fiber_class`` (read-only, cached)."""
        return _class_mask(self.nerve, fiber_class)

    @property
    def size(self) -> int:
        """Number of model fibres."""
        return int(self.diameter_um.size)


def _quantiles(mode: DiameterMode) -> tuple[np.ndarray, np.ndarray]:
    """Diameters at the quantile levels (k + 1/2) / n of the truncated normal, and the levels."""
    q = (np.arange(mode.n_model) + 0.5) / mode.n_model
    a = (mode.min_um - mode.mean_um) / mode.sd_um
    b = (mode.max_um - mode.mean_um) / mode.sd_um
    return truncnorm.ppf(q, a, b, loc=mode.mean_um, scale=mode.sd_um), q


@functools.cache
def _population(name: str) -> NervePopulation:
    spec = NERVES[name]
    cls, dia, cnt, rank, vel, dur, my = [], [], [], [], [], [], []
    for mode in spec.modes:
        d, q = _quantiles(mode)
        myel = mode.fiber_class is not FiberClass.C
        v = conduction_velocity_m_per_s(d, myelinated=myel)
        cls.append(np.full(d.size, mode.fiber_class, dtype=object))
        dia.append(d)
        cnt.append(np.full(d.size, mode.count / mode.n_model))
        rank.append(q)
        vel.append(v * spec.velocity_factor if myel else v)
        dur.append(np.full(d.size, SFAP_DURATION_MS if myel else C_SFAP_DURATION_MS))
        my.append(np.full(d.size, myel))
    n = sum(x.size for x in dia)
    rng = np.random.default_rng(POPULATION_SEED)
    u_loss = rng.random(n)
    spread = -np.log1p(-rng.random(n))
    arrays = [np.concatenate(x) for x in (cls, dia, cnt, my, vel, dur, rank)]
    arrays += [u_loss, spread]
    for a in arrays:
        a.flags.writeable = False
    return NervePopulation(name, *arrays)


@functools.cache
def _class_mask(name: str, fiber_class: FiberClass) -> np.ndarray:
    mask = _population(name).fiber_class == fiber_class
    mask.flags.writeable = False
    return mask


def fiber_population(nerve: str = "sural") -> NervePopulation:
    """The healthy fibre population of ``nerve`` (built once, then cached).

    Parameters
    ----------
    nerve : {"sural", "median"}
        Nerve name (:data:`NERVES`).

    Returns
    -------
    NervePopulation
        Quantile-based fibres of each mode of the nerve's diameter histogram: 2,400 Aβ model
        fibres (one real fibre each), 1,200 Aδ (three each) and 4,000 C (5.55 each), with
        healthy velocities ``v = 6 d x velocity_factor`` (myelinated, Hursh and
        Tackmann et al.) or ``1.7 d`` (C).
    """
    return _population(_nerve(nerve).name)


# =============================================================================================
# What the patient does to the nerve
# =============================================================================================
@dataclass(frozen=True, eq=False)
class NerveState:
    """A patient's nerve: which fibres conduct, how fast, and how strongly they are recorded.

    Attributes
    ----------
    population : NervePopulation
        The healthy population the state is derived from.
    lost : ndarray of bool
        Axon lost (axonal or small-fibre loss).
    blocked : ndarray of bool
        Axon present but not conducting (demyelinating conduction block).
    velocity_m_per_s : ndarray
        Conduction velocity after demyelinating slowing [m/s].
    amplitude_uV : ndarray
        Peak potential each model fibre gives at G1 when it conducts [µV] (``K c n d^2``;
        zero for lost or blocked fibres).
    axonal_loss : float
        Fraction of Aβ axons this nerve loses (patient value x length factor) [1].
    delay_ms : ndarray or None
        Extra conduction time of each fibre across a focal lesion [ms] (:mod:`sim.lesions`),
        added at recording sites at or beyond ``delay_from_mm``; None without a lesion.
    delay_from_mm : float
        Distance from the stimulus where the lesioned segment ends [mm].
    """

    population: NervePopulation
    lost: np.ndarray
    blocked: np.ndarray
    velocity_m_per_s: np.ndarray
    amplitude_uV: np.ndarray
    axonal_loss: float
    delay_ms: np.ndarray | None = None
    delay_from_mm: float = math.inf

    @property
    def conducting(self) -> np.ndarray:
        """Boolean mask of the fibres that carry an action potential past the electrodes."""
        return ~(self.lost | self.blocked)

    def max_velocity_m_per_s(self, fiber_class: FiberClass | None = None) -> float:
        """Fastest conducting fibre [m/s] (of one class if given); NaN if none conducts."""
        mask = self.conducting
        if fiber_class is not None:
            mask = mask & self.population.of_class(fiber_class)
        return float(self.velocity_m_per_s[mask].max()) if mask.any() else math.nan

    @functools.cached_property
    def _fractions(self) -> tuple[Mapping[str, float], float]:
        pop, on = self.population, self.conducting
        by_class = {c.value: float(pop.count[pop.of_class(c) & on].sum()
                                   / pop.count[pop.of_class(c)].sum()) for c in _CLASS_ORDER}
        alive = pop.myelinated & ~self.lost
        blocked = float(pop.count[alive & self.blocked].sum()
                        / max(pop.count[alive].sum(), 1e-12))
        return MappingProxyType(by_class), blocked

    def conducting_fraction(self) -> Mapping[str, float]:
        """Fraction of each class's real fibres that conduct, by class value (``"abeta"``...)."""
        return self._fractions[0]

    def blocked_fraction(self) -> float:
        """Fraction of surviving myelinated fibres in conduction block [1]."""
        return self._fractions[1]


def nerve_state(patient: Patient | str, nerve: str = "sural") -> NerveState:
    """Apply a patient's axonal loss, demyelination and small-fibre loss to a nerve.

    Parameters
    ----------
    patient : Patient or str
        The patient, or a patient preset name.
    nerve : {"sural", "median"}
        Nerve name.

    Returns
    -------
    NerveState
        Conducting fibres, their velocities and recorded amplitudes.

    Notes
    -----
    Axonal loss ``f = axonal_loss x length_factor`` removes Aβ fibre ``i`` when its fixed
    uniform number is below ``rank_i^((1 - f)/f)`` (mean removal exactly ``f``, largest
    first) [A]. Small-fibre loss removes Aδ and C fibres with probability
    ``small_fibre_loss``. Demyelination ``m`` slows myelinated fibres by
    ``s_i = m (DEMYELINATION_FLOOR + (1 - DEMYELINATION_FLOOR) E_i)`` and blocks those with
    ``s_i >= BLOCK_SLOWING`` [A].
    """
    pat = as_patient(patient)
    spec = _nerve(nerve)
    return _lesioned(_state(spec.name, pat.axonal_loss, pat.demyelination,
                            pat.small_fibre_loss), pat)


def _lesioned(state: NerveState, pat: Patient) -> NerveState:
    """``state`` with the patient's focal lesion applied, if it lies on this sensory study's
    path (:mod:`sim.lesions`): beyond the dorsal root ganglion only."""
    from sim.lesions import LESION_SITES, wallerian_fraction
    site = LESION_SITES[pat.lesion_site]
    name = state.population.nerve
    segment = site.sensory_segment.get(name)
    if segment is None and name not in site.sensory_beyond:
        return state
    return _lesioned_cached(state, name, pat.lesion_site, pat.lesion_slowing, pat.lesion_block,
                            pat.lesion_axonal_loss, wallerian_fraction(pat.lesion_age_days,
                                                                       motor=False))


@functools.lru_cache(maxsize=64)
def _lesioned_cached(state: NerveState, name: str, site_name: str, slowing: float,
                     block: float, loss: float, degenerated: float) -> NerveState:
    from sim.lesions import LESION_SITES, focal_effect
    pop = state.population
    segment = LESION_SITES[site_name].sensory_segment.get(name)
    eff = focal_effect(pop.size, pop.spread, slowing if segment else 0.0,
                       block if segment else 0.0, loss, np.where(pop.myelinated, 1.0, 0.0),
                       degenerated)
    lost = state.lost | eff.lost
    # a block (or a cut axon not yet degenerated) silences the fibre only if the lesion lies
    # between the stimulus and the recording; beyond it, the fibre conducts normally here
    blocked = ~lost & (state.blocked | (eff.blocked if segment else False))
    amplitude = np.where(lost | blocked, 0.0, state.amplitude_uV)
    delay = None
    start = math.inf
    if segment is not None:
        delay = eff.extra_delay_ms(segment[1], state.velocity_m_per_s)
        delay.flags.writeable = False
        start = segment[0] + segment[1]
    for a in (lost, blocked, amplitude):
        a.flags.writeable = False
    return NerveState(pop, lost, blocked, state.velocity_m_per_s, amplitude, state.axonal_loss,
                      delay, start)


@functools.lru_cache(maxsize=256)
def _state(name: str, axonal_loss: float, demyelination: float,
           small_fibre_loss: float) -> NerveState:
    spec = NERVES[name]
    pop = _population(name)
    large = pop.of_class(FiberClass.ABETA)
    lost = np.zeros(pop.size, dtype=bool)
    f = axonal_loss * spec.length_factor
    if f > 0:
        p = pop.rank ** ((1.0 - f) / f)
        lost |= large & (pop.u_loss < p)
    if small_fibre_loss > 0:
        lost |= ~large & (pop.u_loss < small_fibre_loss)
    slowing = np.where(pop.myelinated, demyelination * (
        DEMYELINATION_FLOOR + (1.0 - DEMYELINATION_FLOOR) * pop.spread), 0.0)
    blocked = ~lost & (slowing >= BLOCK_SLOWING)
    velocity = pop.velocity_m_per_s * (1.0 - np.minimum(slowing, BLOCK_SLOWING))
    amplitude = np.where(lost | blocked, 0.0,
                         SNAP_SCALE_UV_PER_UM2 * spec.coupling * pop.count * pop.diameter_um ** 2)
    for a in (lost, blocked, velocity, amplitude):
        a.flags.writeable = False
    return NerveState(pop, lost, blocked, velocity, amplitude, f)


# =============================================================================================
# Single-fibre and compound potentials
# =============================================================================================
def single_fibre_potential(time_ms: Any, duration_ms: float = SFAP_DURATION_MS) -> np.ndarray:
    """Normalised extracellular potential of one fibre as its action potential passes [1].

    Parameters
    ----------
    time_ms : array_like
        Time since the wave reaches the electrode [ms].
    duration_ms : float
        Wave duration ``D`` [ms], > 0.

    Returns
    -------
    ndarray
        ``w(s) = [cos(2 pi s/D) - cos(4 pi s/D)] / 2`` on ``0 <= s < D``, 0 elsewhere: +0.56
        initial and final lobes, -1 at ``D / 2``, zero area.

    Notes
    -----
    The second derivative of the spike ``sin^4(pi s / D)``, normalised to its negative peak;
    the potential near an active fibre is proportional to its membrane current, i.e. to the
    second derivative of the transmembrane potential along the fibre (line-source theory,
    Clark & Plonsey 1968), which for a wave travelling at constant speed has the shape of the
    spike's second time derivative [T].
    """
    s = np.asarray(time_ms, dtype=float)
    dur = float(duration_ms)
    if not (dur > 0 and math.isfinite(dur)):
        raise ParameterError(f"duration_ms={_fmt(duration_ms)} must be a positive number of ms",
                             name="duration_ms", value=duration_ms)
    th = 2.0 * math.pi * s / dur
    w = 0.5 * (np.cos(th) - np.cos(2.0 * th))
    return np.where((s >= 0.0) & (s < dur), w, 0.0)


def _grid(time_ms: Any) -> tuple[float, float, int]:
    t = np.asarray(time_ms, dtype=float)
    if t.ndim != 1 or t.size < 2 or not np.isfinite(t).all():
        raise ParameterError("time_ms must be a 1-D array of at least 2 finite, evenly spaced "
                             "times [ms]", name="time_ms")
    dt = (t[-1] - t[0]) / (t.size - 1)
    if not dt > 0 or not np.allclose(np.diff(t), dt, rtol=1e-6, atol=1e-9):
        raise ParameterError("time_ms must be increasing and evenly spaced [ms]",
                             name="time_ms")
    return float(t[0]), float(dt), int(t.size)


def _superpose_rows(t0: float, dt: float, n: int, rows: int, row: np.ndarray,
                    arrival: np.ndarray, amp: np.ndarray, duration: float,
                    phase: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """sum_i amp_i w(t_k - arrival_i) into trace ``row_i`` at t_k = t0 + k dt, exactly.

    Writing w as two windowed cosines, each term is Re[e^{i om t_k} z_i] with
    z_i = amp_i e^{-i om T_i} while T_i <= t_k < T_i + D. The fibres "on" at sample k are those
    with first sample k0_i = ceil((T_i - t0)/dt) <= k and end sample k1_i = ceil((T_i + D -
    t0)/dt) > k, so the window sum is cumsum(bincount(k0, z)) - cumsum(bincount(k1, z)):
    O(fibres + samples) instead of O(fibres x samples). ``phase`` = (cos, sin) of
    om T_i if already known. Returns shape (rows, n).
    """
    out = np.zeros((rows, n))
    if arrival.size == 0:
        return out
    base = row * (n + 1)
    k0 = np.ceil((arrival - t0) / dt).astype(np.int64)
    steps = duration / dt
    if abs(steps - round(steps)) < 1e-9:  # D a whole number of samples: k1 = k0 + D/dt
        k1 = k0 + round(steps)
    else:
        k1 = np.ceil((arrival + duration - t0) / dt).astype(np.int64)
    np.clip(k0, 0, n, out=k0)
    np.clip(k1, 0, n, out=k1)
    idx = np.concatenate((k0 + base, k1 + base))
    size = rows * (n + 1)
    om = 2.0 * math.pi / duration
    c1, s1 = (np.cos(om * arrival), np.sin(om * arrival)) if phase is None else phase
    c2, s2 = 2.0 * c1 * c1 - 1.0, 2.0 * s1 * c1  # the second harmonic, by double angles
    ot = om * (t0 + dt * np.arange(n))
    for (c, sn, mult, sign) in ((c1, s1, 1.0, 0.5), (c2, s2, 2.0, -0.5)):
        zr, zi = amp * c, -amp * sn
        wr = np.bincount(idx, np.concatenate((zr, -zr)), size).reshape(rows, n + 1)
        wi = np.bincount(idx, np.concatenate((zi, -zi)), size).reshape(rows, n + 1)
        wr = np.cumsum(wr[:, :n], axis=1)
        wi = np.cumsum(wi[:, :n], axis=1)
        out += sign * (np.cos(mult * ot) * wr - np.sin(mult * ot) * wi)
    return out


def _superpose_direct(t0: float, dt: float, n: int, arrival: np.ndarray, amp: np.ndarray,
                      duration: float) -> np.ndarray:
    """Reference: the literal fibres x samples sum of :func:`single_fibre_potential` terms."""
    t = t0 + dt * np.arange(n)
    return (amp[:, None] * single_fibre_potential(t[None, :] - arrival[:, None],
                                                  duration)).sum(axis=0)


def compound_potential(time_ms: Any, distance_mm: float, velocity_m_per_s: Any,
                       amplitude_uV: Any, duration_ms: Any = SFAP_DURATION_MS) -> np.ndarray:
    """Potential at a point ``distance_mm`` from the stimulus: the sum of fibre potentials [µV].

    Parameters
    ----------
    time_ms : array_like
        Evenly spaced sample times after the stimulus [ms].
    distance_mm : float
        Conduction distance from the stimulating cathode [mm], > 0.
    velocity_m_per_s : array_like
        Conduction velocity of each fibre [m/s], > 0.
    amplitude_uV : array_like
        Peak (negative) potential each fibre gives at this point [µV]; 0 for silent fibres.
    duration_ms : array_like
        Wave duration of each fibre [ms] (scalar or per fibre), > 0.

    Returns
    -------
    ndarray
        ``sum_i A_i w(t - L / v_i)`` at ``time_ms`` (eq. 1 of the module notes).
    """
    t0, dt, n = _grid(time_ms)
    dist = float(distance_mm)
    if not (dist > 0 and math.isfinite(dist)):
        raise ParameterError(f"distance_mm={_fmt(distance_mm)} must be a positive distance "
                             "in mm", name="distance_mm", value=distance_mm)
    v, a, dur = np.broadcast_arrays(np.asarray(velocity_m_per_s, dtype=float),
                                    np.asarray(amplitude_uV, dtype=float),
                                    np.asarray(duration_ms, dtype=float))
    v, a, dur = v.ravel(), a.ravel(), dur.ravel()
    if not (np.isfinite(v).all() and (v > 0).all()):
        raise ParameterError("velocity_m_per_s must be positive and finite [m/s]",
                             name="velocity_m_per_s")
    if not (np.isfinite(dur).all() and (dur > 0).all()):
        raise ParameterError("duration_ms must be positive and finite [ms]",
                             name="duration_ms")
    if not np.isfinite(a).all():
        raise ParameterError("amplitude_uV must be finite [µV]", name="amplitude_uV")
    out = np.zeros(n)
    t_end = t0 + dt * (n - 1)
    arrival = dist / v
    for d in np.unique(dur[a != 0]):
        sel = (a != 0) & (dur == d) & (arrival <= t_end) & (arrival + d > t0)
        out += _superpose_rows(t0, dt, n, 1, np.zeros(int(sel.sum()), dtype=np.int64),
                               arrival[sel], a[sel], float(d))[0]
    return out


def _recordings(state: NerveState, distances: Sequence[float], t0: float, dt: float, n: int,
                amp: np.ndarray | None = None) -> np.ndarray:
    """Bipolar G1 - G2 traces at each distance, shape (sites, n) [µV]: one vectorised sum.

    The G2 terms reuse the G1 phases: e^{-i om (L + g)/v} = e^{-i om L/v} e^{-i om g/v}.
    """
    pop = state.population
    g = NERVES[pop.nerve].interelectrode_mm
    d = np.asarray(distances, dtype=float)
    amp = state.amplitude_uV if amp is None else amp
    out = np.zeros((d.size, n))
    t_end = t0 + dt * (n - 1)
    on = amp != 0
    rows = np.arange(d.size)
    for dur in np.unique(pop.duration_ms[on]):
        sel = on & (pop.duration_ms == dur)
        inv_v, a = 1.0 / state.velocity_m_per_s[sel], amp[sel]
        om = 2.0 * math.pi / dur
        cg, sg = np.cos(om * g * inv_v), np.sin(om * g * inv_v)
        t1 = d[:, None] * inv_v[None, :]
        if state.delay_ms is not None:  # a focal lesion between stimulus and these sites
            t1 = t1 + np.where(d[:, None] >= state.delay_from_mm,
                               state.delay_ms[sel][None, :], 0.0)
        c1, s1 = np.cos(om * t1), np.sin(om * t1)
        arrival = np.concatenate((t1, t1 + g * inv_v[None, :]))
        cos_all = np.concatenate((c1, c1 * cg - s1 * sg))
        sin_all = np.concatenate((s1, s1 * cg + c1 * sg))
        amps = np.concatenate((np.broadcast_to(a, t1.shape), np.broadcast_to(-a, t1.shape)))
        row = np.concatenate((rows, rows))
        keep = (arrival <= t_end) & (arrival + dur > t0)
        p_idx = np.nonzero(keep)[0]
        out += _superpose_rows(t0, dt, n, d.size, row[p_idx], arrival[keep], amps[keep],
                               float(dur), (cos_all[keep], sin_all[keep]))
    return out


def recorded_potential(state: NerveState, distance_mm: float, time_ms: Any, *,
                       classes: Iterable[FiberClass] | None = None) -> np.ndarray:
    """The bipolar SNAP recording G1 - G2 at ``distance_mm`` from the stimulus [µV].

    Parameters
    ----------
    state : NerveState
        The patient's nerve (:func:`nerve_state`).
    distance_mm : float
        Stimulating cathode to active electrode G1 [mm], > 0; G2 lies one interelectrode
        distance further along the nerve.
    time_ms : array_like
        Evenly spaced sample times after the stimulus [ms].
    classes : iterable of FiberClass, optional
        Sum only these classes' fibres (e.g. to see what C fibres contribute); default all.

    Returns
    -------
    ndarray
        The recorded potential [µV], main phase negative.
    """
    t0, dt, n = _grid(time_ms)
    dist = float(distance_mm)
    if not (dist > 0 and math.isfinite(dist)):
        raise ParameterError(f"distance_mm={_fmt(distance_mm)} must be a positive distance "
                             "in mm", name="distance_mm", value=distance_mm)
    amp = state.amplitude_uV
    if classes is not None:
        keep = np.zeros(amp.size, dtype=bool)
        for c in classes:
            keep |= state.population.of_class(c)
        amp = np.where(keep, amp, 0.0)
    return _recordings(state, [dist], t0, dt, n, amp)[0]


# =============================================================================================
# Measuring a SNAP
# =============================================================================================
@dataclass(frozen=True)
class _Snap:
    onset_ms: float
    peak_ms: float
    amplitude_uV: float
    peak_to_peak_uV: float
    present: bool


def _measure(t: np.ndarray, y: np.ndarray) -> _Snap:
    k = int(np.argmin(y))
    amp = float(-y[k])
    pp = float(y[k:].max() - y[k]) if amp > 0 else float(np.ptp(y))
    if not amp >= ABSENT_BELOW_UV:
        return _Snap(math.nan, math.nan, max(amp, 0.0), pp, False)
    dt = t[1] - t[0]
    peak = t[k]
    if 0 < k < y.size - 1:  # parabolic refinement of the negative peak
        den = y[k - 1] - 2 * y[k] + y[k + 1]
        if den > 0:
            peak += 0.5 * dt * (y[k - 1] - y[k + 1]) / den
    thr = ONSET_FRACTION * amp
    j = int(np.argmax(np.abs(y[:k + 1]) >= thr))
    onset = t[j]
    if j > 0:  # linear interpolation of the threshold crossing
        a0, a1 = abs(y[j - 1]), abs(y[j])
        onset = t[j - 1] + dt * (thr - a0) / (a1 - a0) if a1 > a0 else t[j]
    return _Snap(float(onset), float(peak), amp, pp, True)


@dataclass(frozen=True)
class Measure:
    """One measured quantity against its limit of normal.

    Attributes
    ----------
    name : str
        Key (``"amplitude_uV"``...).
    label : str
        Human label.
    unit : str
        Unit of ``value`` and ``limit``.
    value : float
        Measured value (NaN if not measurable).
    limit : float or None
        Limit of normal, None where none applies.
    kind : {"min", "max"}
        Whether ``limit`` is a lower or an upper limit.
    normal : bool or None
        Within the limit; None when not assessed.
    """

    name: str
    label: str
    unit: str
    value: float
    limit: float | None
    kind: str
    normal: bool | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (NaN as None)."""
        return {"name": self.name, "label": self.label, "unit": self.unit,
                "value": finite_or_none(self.value), "limit": self.limit, "kind": self.kind,
                "normal": self.normal}


def assess_measure(name: str, label: str, unit: str, value: float, limit: float | None,
            kind: str) -> Measure:
    if limit is None:
        return Measure(name, label, unit, value, None, kind, None)
    if not math.isfinite(value):
        return Measure(name, label, unit, value, limit, kind, False)
    ok = value >= limit if kind == "min" else value <= limit
    return Measure(name, label, unit, value, limit, kind, bool(ok))


@dataclass(frozen=True, eq=False)
class SiteRecording:
    """The SNAP recorded at one site.

    Attributes
    ----------
    distance_mm : float
        Stimulating cathode to G1 [mm].
    onset_latency_ms, peak_latency_ms : float
        Latency of the first deflection and of the negative peak [ms] (NaN if absent).
    amplitude_uV : float
        Baseline to negative peak [µV].
    peak_to_peak_uV : float
        Negative peak to the following positive peak [µV].
    response_present : bool
        Amplitude at least :data:`ABSENT_BELOW_UV`.
    potential_uV : ndarray
        The trace G1 - G2 [µV] at the study's ``time_ms``.
    """

    distance_mm: float
    onset_latency_ms: float
    peak_latency_ms: float
    amplitude_uV: float
    peak_to_peak_uV: float
    response_present: bool
    potential_uV: np.ndarray

    def to_dict(self, trace: bool = False) -> dict[str, Any]:
        """Plain dict (NaN as None); the trace only if ``trace``."""
        out = {"distance_mm": self.distance_mm,
               "onset_latency_ms": finite_or_none(self.onset_latency_ms),
               "peak_latency_ms": finite_or_none(self.peak_latency_ms),
               "amplitude_uV": finite_or_none(self.amplitude_uV),
               "peak_to_peak_uV": finite_or_none(self.peak_to_peak_uV),
               "response_present": self.response_present}
        if trace:
            out["potential_uV"] = self.potential_uV.tolist()
        return out


@dataclass(frozen=True, eq=False)
class NCSResult:
    """A sensory nerve conduction study: measures, limits, findings and the trace.

    Attributes
    ----------
    nerve : str
        Nerve name.
    patient : str
        Patient label (preset name or ``"custom"``).
    distance_mm : float
        Stimulation-to-G1 distance of the reported recording [mm].
    onset_latency_ms : float
        Latency of the first deflection from baseline [ms].
    peak_latency_ms : float
        Latency of the negative peak [ms].
    amplitude_uV : float
        Baseline-to-negative-peak amplitude [µV].
    peak_to_peak_uV : float
        Negative peak to the following positive peak [µV].
    conduction_velocity_m_per_s : float
        Distance / onset latency, or between the nearest and farthest recording sites when
        several are given [m/s].
    velocity_method : str
        ``"distance / onset latency"`` or ``"two sites: ..."``.
    onset_latency_max_ms, peak_latency_max_ms : float, float or None
        Upper limits of normal [ms]; the peak-latency limit only at the standard distance.
    amplitude_min_uV : float
        Lower limit of normal amplitude [µV].
    conduction_velocity_min_m_per_s : float
        Lower limit of normal velocity [m/s].
    limits_source : str
        Where the limits come from.
    response_present : bool
        A SNAP was recorded (amplitude >= :data:`ABSENT_BELOW_UV`).
    normal : bool
        Every assessed measure within its limit (and a response present).
    abnormal : tuple of str
        Plain-language findings, empty for a normal study.
    notes : tuple of str
        Teaching notes (e.g. what a normal study does not exclude).
    measures : tuple of Measure
        Each measure with its limit and verdict.
    sites : tuple of SiteRecording
        Every recording site, nearest first.
    time_ms : ndarray
        Sample times after the stimulus [ms].
    potential_uV : ndarray
        The reported recording G1 - G2 [µV], main phase negative.
    conducting_fraction : Mapping[str, float]
        Fraction of each fibre class conducting (``"abeta"``, ``"adelta"``, ``"c"``).
    blocked_fraction : float
        Fraction of surviving myelinated fibres in conduction block.
    """

    nerve: str
    patient: str
    distance_mm: float
    onset_latency_ms: float
    peak_latency_ms: float
    amplitude_uV: float
    peak_to_peak_uV: float
    conduction_velocity_m_per_s: float
    velocity_method: str
    onset_latency_max_ms: float
    peak_latency_max_ms: float | None
    amplitude_min_uV: float
    conduction_velocity_min_m_per_s: float
    limits_source: str
    response_present: bool
    normal: bool
    abnormal: tuple[str, ...]
    notes: tuple[str, ...]
    measures: tuple[Measure, ...]
    sites: tuple[SiteRecording, ...]
    time_ms: np.ndarray
    potential_uV: np.ndarray
    conducting_fraction: Mapping[str, float]
    blocked_fraction: float

    @property
    def limits(self) -> Mapping[str, float | None]:
        """Limit of normal by measure name (``"amplitude_uV"``...): lower limits for amplitude
        and velocity, upper limits for the latencies; None where no limit applies."""
        return MappingProxyType({m.name: m.limit for m in self.measures})

    @property
    def within(self) -> Mapping[str, bool]:
        """Whether each assessed measure lies within its limit, by measure name."""
        return MappingProxyType({m.name: m.normal for m in self.measures
                                 if m.normal is not None})

    @property
    def findings(self) -> tuple[str, ...]:
        """Everything to tell the student: the abnormal findings, then the notes."""
        return self.abnormal + self.notes

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: measures, limits, findings, sites and the trace (NaN as None)."""
        return {
            "nerve": self.nerve,
            "nerve_label": NERVES[self.nerve].label,
            "montage": NERVES[self.nerve].montage,
            "patient": self.patient,
            "distance_mm": self.distance_mm,
            "onset_latency_ms": finite_or_none(self.onset_latency_ms),
            "peak_latency_ms": finite_or_none(self.peak_latency_ms),
            "amplitude_uV": finite_or_none(self.amplitude_uV),
            "amplitude_measure": "baseline to negative peak",
            "peak_to_peak_uV": finite_or_none(self.peak_to_peak_uV),
            "conduction_velocity_m_per_s": finite_or_none(self.conduction_velocity_m_per_s),
            "velocity_method": self.velocity_method,
            "response_present": self.response_present,
            "normal": self.normal,
            "limits": dict(self.limits),
            "limits_kind": {m.name: m.kind for m in self.measures},
            "limits_source": self.limits_source,
            "within": dict(self.within),
            "measures": [m.to_dict() for m in self.measures],
            "abnormal": list(self.abnormal),
            "notes": list(self.notes),
            "conducting_fraction": dict(self.conducting_fraction),
            "blocked_fraction": self.blocked_fraction,
            "sites": [s.to_dict() for s in self.sites],
            "trace": {"time_ms": self.time_ms.tolist(),
                      "potential_uV": self.potential_uV.tolist(),
                      "convention": "G1 - G2, negative main phase (clinical displays plot "
                                    "negative up)"},
        }


def finite_or_none(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


# =============================================================================================
# The study
# =============================================================================================
def _auto_window_ms(state: NerveState, far_mm: float) -> float:
    """Window that holds the whole Aβ response at the farthest G2 [ms] (>= 10, <= 100)."""
    mask = state.conducting & state.population.of_class(FiberClass.ABETA)
    if not mask.any():
        return 10.0
    slow = float(np.percentile(state.velocity_m_per_s[mask], 1.0))
    need = far_mm / slow + SFAP_DURATION_MS + 1.0
    if state.delay_ms is not None:
        need += float(np.percentile(state.delay_ms[mask], 99.0))
    return float(min(MAX_AUTO_WINDOW_MS, max(10.0, 5.0 * math.ceil(need / 5.0))))


def patient_label(pat: Patient) -> str:
    return _preset_names().get(pat, "custom")


@functools.cache
def _preset_names() -> Mapping[Patient, str]:
    """Preset patients -> their names (first name wins), built once."""
    from sim.patients import PATIENT_PRESETS
    out: dict[Patient, str] = {}
    for name, preset in PATIENT_PRESETS.items():
        out.setdefault(preset.patient(), name)
    return MappingProxyType(out)


def nerve_conduction_study(patient: Patient | str, *, nerve: str = "sural",
                           distance_mm: float = 140.0,
                           record_distances_mm: Sequence[float] | None = None,
                           sample_interval_ms: float = 0.02,
                           window_ms: float | None = None) -> NCSResult:
    """Stimulate a sensory nerve and record its SNAP; compare with normal limits.

    Parameters
    ----------
    patient : Patient or str
        The patient (or a patient preset name); reads ``axonal_loss``, ``demyelination`` and
        ``small_fibre_loss``.
    nerve : {"sural", "median"}
        Nerve tested (declared ``ncs_nerve``).
    distance_mm : float
        Stimulating cathode to active electrode G1 [mm] (declared ``ncs_distance_mm``,
        20..500); the standard antidromic study uses 140 mm. Measures and limits refer to this
        recording.
    record_distances_mm : sequence of float, optional
        Further recording sites [mm] (declared ``ncs_record_distances_mm``). With two or more
        sites the velocity is measured between the nearest and farthest (onset latency
        difference), which cancels fixed delays.
    sample_interval_ms : float
        Sampling interval of the trace [ms], 0.005..0.1.
    window_ms : float, optional
        Length of the trace [ms], 2..1000; default long enough for the whole Aβ response at
        the farthest site (at least 10 ms).

    Returns
    -------
    NCSResult
        Onset and peak latency, baseline-to-peak amplitude, velocity, limits, findings, trace.

    Raises
    ------
    ParameterError
        For an unknown nerve or patient, or a distance, site list, interval or window outside
        its range (the message names the parameter, the value, the unit and the range).

    Examples
    --------
    >>> r = nerve_conduction_study("healthy")
    >>> round(r.amplitude_uV), r.normal
    (20, True)
    """
    pat = as_patient(patient)
    spec = _nerve(nerve)
    primary, sites = _sites(distance_mm, record_distances_mm)
    dt = float(_SAMPLE_INTERVAL.validate(sample_interval_ms))
    state = _lesioned(_state(spec.name, pat.axonal_loss, pat.demyelination,
                             pat.small_fibre_loss), pat)
    far = sites[-1] + spec.interelectrode_mm
    win = _auto_window_ms(state, far) if window_ms is None else \
        float(_WINDOW.validate(window_ms))
    t = np.arange(int(round(win / dt)) + 1) * dt

    traces = _recordings(state, sites, 0.0, dt, t.size)
    recs = []
    for d, y in zip(sites, traces, strict=True):
        m = _measure(t, y)
        y.flags.writeable = False
        recs.append(SiteRecording(d, m.onset_ms, m.peak_ms, m.amplitude_uV, m.peak_to_peak_uV,
                                  m.present, y))
    main = next(r for r in recs if r.distance_mm == primary)

    if len(recs) >= 2:
        near, far_rec = recs[0], recs[-1]
        dlat = far_rec.onset_latency_ms - near.onset_latency_ms
        cv = (far_rec.distance_mm - near.distance_mm) / dlat if dlat > 0 else math.nan
        method = (f"two sites: ({_fmt(far_rec.distance_mm)} - {_fmt(near.distance_mm)}) mm / "
                  "onset latency difference")
    else:
        cv = primary / main.onset_latency_ms if main.response_present else math.nan
        method = "distance / onset latency"

    lim = spec.limits
    onset_max = lim.onset_latency_max_ms(primary)
    peak_max = lim.peak_latency_limit_ms(primary)
    measures = (
        assess_measure("onset_latency_ms", "onset latency", "ms", main.onset_latency_ms, onset_max,
                "max"),
        assess_measure("peak_latency_ms", "peak latency", "ms", main.peak_latency_ms, peak_max,
                "max"),
        assess_measure("amplitude_uV", "amplitude (baseline to negative peak)", "µV",
                main.amplitude_uV, lim.amplitude_min_uV, "min"),
        assess_measure("conduction_velocity_m_per_s", "conduction velocity", "m/s", cv,
                lim.velocity_min_m_per_s, "min"),
    )
    abnormal = _findings(spec, main, cv, measures)
    normal = main.response_present and all(m.normal is not False for m in measures)
    notes = _notes(pat, normal)
    return NCSResult(
        nerve=spec.name, patient=patient_label(pat), distance_mm=primary,
        onset_latency_ms=main.onset_latency_ms, peak_latency_ms=main.peak_latency_ms,
        amplitude_uV=main.amplitude_uV, peak_to_peak_uV=main.peak_to_peak_uV,
        conduction_velocity_m_per_s=cv, velocity_method=method,
        onset_latency_max_ms=onset_max, peak_latency_max_ms=peak_max,
        amplitude_min_uV=lim.amplitude_min_uV,
        conduction_velocity_min_m_per_s=lim.velocity_min_m_per_s,
        limits_source=lim.source, response_present=main.response_present, normal=normal,
        abnormal=abnormal, notes=notes, measures=measures, sites=tuple(recs), time_ms=t,
        potential_uV=main.potential_uV,
        conducting_fraction=state.conducting_fraction(),
        blocked_fraction=state.blocked_fraction())


def _findings(spec: NerveSpec, main: SiteRecording, cv: float,
              measures: tuple[Measure, ...]) -> tuple[str, ...]:
    """Plain-language findings of an abnormal study (empty when normal)."""
    lim = spec.limits
    name = spec.label.split()[0].lower()
    if not main.response_present:
        return (f"No {name} SNAP could be recorded (below {_fmt(ABSENT_BELOW_UV)} µV): severe "
                "loss of large sensory axons or conduction block.",)
    out = []
    by = {m.name: m for m in measures}
    demyel = math.isfinite(cv) and cv < DEMYELINATING_VELOCITY_FRACTION * \
        lim.velocity_min_m_per_s
    if by["amplitude_uV"].normal is False:
        out.append(f"Low SNAP amplitude ({main.amplitude_uV:.1f} µV, lower limit "
                   f"{_fmt(lim.amplitude_min_uV)} µV): fewer large sensory axons conduct "
                   + ("(here also dispersion and block from demyelination)." if demyel
                      else "(axonal loss)."))
    if by["conduction_velocity_m_per_s"].normal is False:
        if demyel:
            out.append(f"Markedly slowed conduction ({cv:.1f} m/s, below "
                       f"{100 * DEMYELINATING_VELOCITY_FRACTION:.0f} % of the "
                       f"{_fmt(lim.velocity_min_m_per_s)} m/s lower limit): in the "
                       "demyelinating range.")
        else:
            out.append(f"Slowed conduction ({cv:.1f} m/s, lower limit "
                       f"{_fmt(lim.velocity_min_m_per_s)} m/s): mild slowing, as when the "
                       "fastest axons are lost or myelin is mildly damaged.")
    if by["onset_latency_ms"].normal is False:
        out.append(f"Prolonged onset latency ({main.onset_latency_ms:.2f} ms, upper limit "
                   f"{by['onset_latency_ms'].limit:.2f} ms).")
    if by["peak_latency_ms"].normal is False:
        out.append(f"Prolonged peak latency ({main.peak_latency_ms:.2f} ms, upper limit "
                   f"{by['peak_latency_ms'].limit:.2f} ms).")
    return tuple(out)


def _notes(pat: Patient, normal: bool) -> tuple[str, ...]:
    out = []
    if normal:
        out.append("A normal sensory conduction study tests only large myelinated (Aβ) "
                   "fibres: it does not rule out small-fibre neuropathy, which needs a skin "
                   "biopsy (intraepidermal nerve-fibre density) or quantitative sensory "
                   "testing.")
        if pat.small_fibre_loss > 0:
            out.append(f"This patient has lost {100 * pat.small_fibre_loss:.0f} % of the thin "
                       "Aδ and C fibres, which the study cannot see.")
    return tuple(out)


# =============================================================================================
# Calibration
# =============================================================================================
def calibrate_scale(target_uV: float = CALIBRATION_AMPLITUDE_UV) -> float:
    """Re-derive :data:`SNAP_SCALE_UV_PER_UM2`: healthy sural SNAP at 140 mm = ``target_uV``.

    The compound potential is linear in the scale, so one unscaled study fixes it.
    """
    base = _state("sural", 0.0, 0.0, 0.0)
    t = np.arange(round(10.0 / 0.02) + 1) * 0.02
    amp = _measure(t, recorded_potential(base, 140.0, t)).amplitude_uV
    return float(target_uV * SNAP_SCALE_UV_PER_UM2 / amp)
