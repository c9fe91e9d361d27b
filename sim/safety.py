"""Safety and energy metrics of a stimulation program.

Everything here is computed from the program's repeating unit (:class:`~sim.waveforms.PulseTrain`)
in closed form, so it costs the same for a 1-second and a 30-minute program.

Equations (docs/science.md §1.3 and §2)
-----------------------------------------
* Charge per phase  Q = I · PW            (1 mA × 1 µs = 1 nC = 0.001 µC)
* Charge density    D = Q / A             (A = geometric contact area, cm²)
* Shannon (1992)    k = log10(D) + log10(Q); tissue damage at k ≥ 1.85 [P]
* Charge rate       Q · f                  (Miller et al. 2016) [P]
* Charge per burst  the largest charge accumulated before a recharge: n·Q for a burst of n
                    pulses with passive recharge after the burst, Q for charge-balanced pulses;
                    its density and Shannon k beside the per-phase ones. Shannon's criterion
                    was fitted to single phases, so the burst figure is a conservative reading
                    (the charge sits in the tissue for the whole burst) [A]
* Power             P = I_rms² · R; symmetric biphasic: P = 2 · I² · R · PW · f
* Voltage           V = I · R (stimulator compliance about 10–15 V [T])
* Battery current   I_batt = P / (V_batt · η) + I_overhead; life = capacity / I_batt

References
----------
Shannon R.V. (1992) A model of safe levels for electrical stimulation. IEEE Trans Biomed Eng
39:424-426.
Miller J.P. et al. (2016) Parameters of spinal cord stimulation and their role in electrical
charge delivery: a review. Neuromodulation 19:373-384.
Eldridge P. et al. (2011) Rechargeable IPGs (recharge interval, service life) [S].
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType

import numpy as np

from sim.params import PARAMETERS, format_number as _fmt
from sim.therapies import THERAPIES
from sim.waveforms import Program, PulseTrain, pulse_train

__all__ = ["SafetyReport", "safety_report", "BATTERY_VOLTAGE_V", "CONVERTER_EFFICIENCY",
           "COMPLIANCE_LIMIT_V", "CHARGE_BALANCE_TOLERANCE_UC"]

#: Nominal lithium-ion cell voltage of an implantable pulse generator [V] [T].
BATTERY_VOLTAGE_V = 3.6
#: Efficiency of the output stage from battery energy to delivered energy [1] [A]; real
#: current-source stimulators vary widely, so this is a teaching assumption.
CONVERTER_EFFICIENCY = 0.8
#: Output voltage compliance by therapy [V] (:attr:`sim.therapies.TherapySpec.compliance_limit_V`):
#: implanted pulse generators about 10-15 V [T]; external TENS units drive skin pads with far
#: higher voltages, up to about 80 V [T].
COMPLIANCE_LIMIT_V: Mapping[str, float] = MappingProxyType(
    {t.value: s.compliance_limit_V for t, s in THERAPIES.items()})
#: Net charge per unit below which a program counts as charge-balanced [µC] (numerical
#: rounding only; 1e-9 µC = 1 fC).
CHARGE_BALANCE_TOLERANCE_UC = 1e-9


@dataclass(frozen=True)
class SafetyReport:
    """Safety and energy figures of one program; every field carries its unit in its name.

    Attributes
    ----------
    charge_per_phase_uC : float
        Charge of the stimulating (cathodic) phase [µC].
    charge_density_uC_per_cm2 : float
        Charge per phase over the contact's geometric area [µC/cm²].
    shannon_k : float
        log10(D) + log10(Q) with D in µC/cm² and Q in µC [1]; −inf for zero charge.
    shannon_k_limit : float
        The limit applied [1].
    max_safe_charge_uC : float
        Largest charge per phase within the Shannon limit on this contact, sqrt(10^k · A) [µC].
    density_limit_uC_per_cm2 : float
        Manufacturer-style density cap applied [µC/cm²].
    net_charge_per_unit_uC : float
        Net charge per pulse (per burst for burst programs) [µC]; 0 when charge-balanced.
    charge_balanced : bool
        Whether ``|net charge per unit|`` ≤ 1e-9 µC.
    charge_rate_uC_per_s : float
        Stimulating-phase charge delivered per second while on, Q · pulses/s [µC/s].
    charge_per_burst_uC : float
        Largest charge accumulated before a recharge [µC]: n·Q for a burst with passive
        recharge after it, Q for individually balanced pulses.
    burst_charge_density_uC_per_cm2 : float
        That charge over the contact area [µC/cm²].
    burst_shannon_k : float
        Shannon k of the accumulated charge [1] (equals ``shannon_k`` unless pulses accumulate
        charge before their recharge).
    mean_abs_current_mA : float
        Time-averaged magnitude of the output current, cycling included [mA].
    rms_current_mA : float
        Root-mean-square output current, cycling included [mA].
    dc_current_uA : float
        Time-averaged signed current (net DC), cycling included [µA].
    peak_voltage_V : float
        Largest ``|I| · R`` over the unit [V].
    compliance_limit_V : float
        Stimulator voltage compliance assumed [V].
    power_mW : float
        Mean power delivered into the load impedance, I_rms² · R [mW].
    battery_current_mA : float
        Mean current drawn from the battery, overhead included [mA].
    battery_life_days : float
        Capacity / battery current [days] (time between recharges for a rechargeable device).
    warnings : tuple of str
        Plain-language warnings for every limit crossed (empty when none).
    """

    charge_per_phase_uC: float
    charge_density_uC_per_cm2: float
    shannon_k: float
    shannon_k_limit: float
    max_safe_charge_uC: float
    density_limit_uC_per_cm2: float
    net_charge_per_unit_uC: float
    charge_balanced: bool
    charge_rate_uC_per_s: float
    charge_per_burst_uC: float
    burst_charge_density_uC_per_cm2: float
    burst_shannon_k: float
    mean_abs_current_mA: float
    rms_current_mA: float
    dc_current_uA: float
    peak_voltage_V: float
    compliance_limit_V: float
    power_mW: float
    battery_current_mA: float
    battery_life_days: float
    warnings: tuple[str, ...] = field(default=())

    @property
    def shannon_ok(self) -> bool:
        """Whether k is below the chosen Shannon limit."""
        return self.shannon_k < self.shannon_k_limit

    @property
    def density_ok(self) -> bool:
        """Whether the charge density is within the cap."""
        return self.charge_density_uC_per_cm2 <= self.density_limit_uC_per_cm2

    def to_dict(self) -> dict:
        """JSON-compatible dict (non-finite numbers become ``None``)."""
        d = asdict(self)
        d["warnings"] = list(self.warnings)
        d["shannon_ok"] = self.shannon_ok
        d["density_ok"] = self.density_ok
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in d.items()}


def _cathodic_phase_charge_uC(train: PulseTrain) -> float:
    """Charge of the largest cathodic phase of the unit [µC] (the stimulating phase).

    A custom shape is a run of short samples: its stimulating phase is a whole contiguous run
    of cathodic samples, so consecutive touching cathodic segments are summed.
    """
    best, run, prev_end = 0.0, 0.0, None
    for ph in train.phases:
        if ph.amplitude_mA < 0:
            touching = prev_end is not None and abs(ph.start_s - prev_end) < 1e-12
            run = (run if touching else 0.0) - ph.amplitude_mA * ph.width_s * 1e3
            best = max(best, run)
        else:
            run = 0.0
        prev_end = ph.start_s + ph.width_s
    return best


def _accumulated_charge_uC(train: PulseTrain) -> float:
    """Largest charge accumulated in the tissue before a recharge within the unit [µC]: the
    maximum over the unit of the running cathodic charge minus the anodic charge returned
    (phases in time order, from a balanced start)."""
    best = run = 0.0
    for ph in sorted(train.phases, key=lambda p: p.start_s):
        run = max(0.0, run - ph.amplitude_mA * ph.width_s * 1e3)
        best = max(best, run)
    return best


def safety_report(program: Program, *, shannon_k_limit: float | None = None,
                  density_limit_uC_per_cm2: float | None = None) -> SafetyReport:
    """Charge, charge density, Shannon k, charge balance, currents, power and battery life.

    Parameters
    ----------
    program : Program
        The program to assess.
    shannon_k_limit : float, optional
        Shannon k limit [1]; declared default 1.85 (damage threshold, Shannon 1992); 1.5 is
        conservative.
    density_limit_uC_per_cm2 : float, optional
        Charge-density cap [µC/cm²]; declared default 30 (manufacturer-style) [T].

    Returns
    -------
    SafetyReport

    Examples
    --------
    >>> from sim.waveforms import Program
    >>> r = safety_report(Program(amplitude_mA=10, pulse_width_us=300, rate_hz=50))
    >>> round(r.charge_per_phase_uC, 3), round(r.shannon_k, 2), r.shannon_ok
    (3.0, 1.87, False)
    """
    k_lim = PARAMETERS["shannon_k_limit"].validate(
        PARAMETERS["shannon_k_limit"].default if shannon_k_limit is None else shannon_k_limit)
    d_lim = PARAMETERS["density_limit_uC_per_cm2"].validate(
        PARAMETERS["density_limit_uC_per_cm2"].default if density_limit_uC_per_cm2 is None
        else density_limit_uC_per_cm2)
    train = pulse_train(program, duration_s=1.0)
    area_cm2 = program.contact_area_mm2 / 100.0
    q = _cathodic_phase_charge_uC(train)
    dens = q / area_cm2
    k = math.log10(dens) + math.log10(q) if q > 0 else -math.inf
    q_max = math.sqrt(10 ** k_lim * area_cm2)

    T = train.unit_period_s
    duty = program.duty_cycle if train.phases else 0.0
    widths = np.array([ph.width_s for ph in train.phases])
    amps = np.array([ph.amplitude_mA for ph in train.phases])
    mean_abs = float(np.sum(np.abs(amps) * widths) / T) * duty
    mean_sq = float(np.sum(amps ** 2 * widths) / T) * duty
    rms = math.sqrt(mean_sq)
    net = train.net_charge_per_unit_uC
    dc_uA = net / T * duty  # µC per s = µA
    R = program.impedance_ohm
    power_mW = mean_sq * R * 1e-3  # mA² · Ω = µW → mW
    peak_V = float(np.max(np.abs(amps))) * R * 1e-3 if amps.size else 0.0
    batt_mA = power_mW / (BATTERY_VOLTAGE_V * CONVERTER_EFFICIENCY) \
        + program.overhead_current_uA * 1e-3
    life_days = program.battery_capacity_mAh / batt_mA / 24.0 if batt_mA > 0 else math.inf
    rate_on = program.pulses_per_second if train.phases else 0.0
    q_burst = max(q, _accumulated_charge_uC(train))
    k_burst = math.log10(q_burst / area_cm2) + math.log10(q_burst) if q_burst > 0 else -math.inf
    report = dict(
        charge_per_phase_uC=q, charge_density_uC_per_cm2=dens, shannon_k=k,
        shannon_k_limit=k_lim, max_safe_charge_uC=q_max, density_limit_uC_per_cm2=d_lim,
        net_charge_per_unit_uC=net, charge_balanced=abs(net) <= CHARGE_BALANCE_TOLERANCE_UC,
        charge_rate_uC_per_s=q * rate_on, charge_per_burst_uC=q_burst,
        burst_charge_density_uC_per_cm2=q_burst / area_cm2, burst_shannon_k=k_burst,
        mean_abs_current_mA=mean_abs, rms_current_mA=rms,
        dc_current_uA=dc_uA, peak_voltage_V=peak_V,
        compliance_limit_V=COMPLIANCE_LIMIT_V[program.therapy],
        power_mW=power_mW, battery_current_mA=batt_mA, battery_life_days=life_days,
    )
    return SafetyReport(**report, warnings=tuple(_warnings(report, program)))


def _warnings(r: dict, program: Program) -> list[str]:
    out = []
    if r["shannon_k"] >= r["shannon_k_limit"]:
        out.append(
            f"Shannon k = {r['shannon_k']:.2f} is at or above the limit "
            f"{_fmt(r['shannon_k_limit'])}"
            f": {r['charge_per_phase_uC']:.2f} µC per phase on a {_fmt(program.contact_area_mm2)}"
            f" mm² contact risks tissue damage (keep below {r['max_safe_charge_uC']:.2f} µC).")
    if r["burst_shannon_k"] >= r["shannon_k_limit"] > r["shannon_k"]:
        out.append(
            f"Charge accumulates over each burst: {r['charge_per_burst_uC']:.2f} µC before the "
            f"recharge gives Shannon k = {r['burst_shannon_k']:.2f}, at or above the limit "
            f"{_fmt(r['shannon_k_limit'])} (each phase alone is within it). Shannon's "
            "criterion was fitted to single phases: read this as a caution.")
    if r["charge_density_uC_per_cm2"] > r["density_limit_uC_per_cm2"]:
        out.append(
            f"Charge density {r['charge_density_uC_per_cm2']:.1f} µC/cm² exceeds the "
            f"{_fmt(r['density_limit_uC_per_cm2'])} µC/cm² cap: lower the amplitude or pulse "
            "width, or use a larger contact.")
    if not r["charge_balanced"]:
        out.append(
            f"Not charge balanced: {r['net_charge_per_unit_uC']:.3g} µC is left in the tissue "
            f"every pulse (DC {r['dc_current_uA']:.3g} µA), which corrodes the electrode and "
            "harms tissue. Use a biphasic or asymmetric pulse.")
    if r["peak_voltage_V"] > r["compliance_limit_V"]:
        out.append(
            f"The device would need {r['peak_voltage_V']:.1f} V across "
            f"{_fmt(program.impedance_ohm)} Ω, above its ~{_fmt(r['compliance_limit_V'])} V "
            "compliance: the set current cannot actually be delivered.")
    return out
