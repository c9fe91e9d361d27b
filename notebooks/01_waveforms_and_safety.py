# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1: waveforms and charge safety
#
# A stimulator does not deliver "electricity", it delivers **charge**, one phase at a time.
# In this lesson you compare the four programs used for neuropathic pain (tonic, burst and
# 10 kHz spinal cord stimulation, and an asymmetric, passively recharged pulse) and ask three
# questions of each:
#
# 1. How much charge does one phase carry, and how densely is it packed on the contact?
# 2. Is it safe by the Shannon criterion?
# 3. What does it cost the battery?
#
# Everything comes from the same core the dashboard uses (`sim`), and the figures are the
# dashboard's own (`dashboard.figures`).

# %%
from dashboard import figures
from dashboard.notebook import offline_figures
from sim.presets import program
from sim.safety import safety_report
from sim.waveforms import Program, pulse_train, render

programs = {
    "tonic 50 Hz": program("scs-tonic", amplitude_mA=3.5),
    "burst 40 Hz": program("scs-burst"),
    "10 kHz": program("scs-10khz"),
    "asymmetric": Program(shape="asymmetric", amplitude_mA=3.5, pulse_width_us=210,
                          rate_hz=50, recharge_ratio=4),
}

# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## Pulses are events, not samples
# A 30-minute 10 kHz program is 18 million pulses. The simulator never stores them: a
# `PulseTrain` is one repeating unit (a pulse, or a burst with its recharge) plus a period.
# Only the window you look at is rendered.

# %%
train = pulse_train(programs["10 kHz"], duration_s=1800)
print(f"{train.n_pulses():,} pulses, described by {len(train.phases)} phases")
window = render(train, 900.0, 900.0005, sample_rate_hz=1e6)   # half a millisecond
print(f"rendered {window.t_s.size} samples; peak {window.current_mA.min():.1f} mA")
assert train.n_pulses() == 10_000 * 1800  # 10 kHz for 30 minutes, counted, not enumerated

# %% [markdown]
# Look at each waveform. The cathodic (negative) phase stimulates; the positive phase puts
# the charge back so that nothing is left in the tissue. The figure marks **Q = I × PW**.

# %%
figures.waveform_figure(programs["tonic 50 Hz"], duration_s=1.0)

# %%
figures.waveform_figure(programs["burst 40 Hz"], duration_s=1.0)

# %% [markdown]
# ## Charge, density and the Shannon criterion
# Shannon (1992) found tissue damage when log10(D) + log10(Q) = k >= 1.85, with D the charge
# density per phase (µC/cm²) and Q the charge per phase (µC). On a 12.25 mm² percutaneous
# contact, 10 mA × 300 µs = 3 µC gives D = 24.5 µC/cm² and k = 1.87: over the line.

# %%
risky = Program(amplitude_mA=10, pulse_width_us=300, rate_hz=50)
r = safety_report(risky)
print(f"Q = {r.charge_per_phase_uC:.2f} µC, D = {r.charge_density_uC_per_cm2:.1f} µC/cm², "
      f"k = {r.shannon_k:.2f}")
for w in r.warnings:
    print("WARNING:", w)
# by hand: Q = 10 mA × 300 µs = 3 µC; k = log10(3 / 0.1225) + log10(3) = 1.87 > 1.85
assert abs(r.charge_per_phase_uC - 3.0) < 1e-9 and round(r.shannon_k, 2) == 1.87 and r.warnings
figures.safety_figure(r, contact_area_mm2=risky.contact_area_mm2)

# %% [markdown]
# ## Energy and the battery
# Charge per phase is small for 10 kHz (30 µs pulses), but there are 200 times more of them:
# the charge delivered per second and the power are about 20-25 times those of tonic SCS,
# which is why 10 kHz devices are recharged often.

# %%
print(f"{'program':14s} {'Q/phase µC':>10s} {'µC per s':>9s} {'power mW':>9s} {'battery d':>9s}"
      f" {'balanced':>8s}")
for name, p in programs.items():
    s = safety_report(p)
    print(f"{name:14s} {s.charge_per_phase_uC:10.3f} {s.charge_rate_uC_per_s:9.1f} "
          f"{s.power_mW:9.3f} {s.battery_life_days:9.1f} {s.charge_balanced!s:>8s}")

# %% [markdown]
# **Try it:** raise the amplitude of the tonic program until the Shannon warning appears,
# or halve the contact area. Then switch the shape to `"monophasic"` and read the warning
# about charge balance: a monophasic pulse leaves its charge in the tissue every time.

# %%
print(safety_report(Program(shape="monophasic", amplitude_mA=3.5)).warnings[0])
