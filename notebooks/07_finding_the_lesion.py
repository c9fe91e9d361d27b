# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 7: finding the lesion
#
# Pain and numbness in a limb can come from a root, a nerve, many nerves at once, or muscle.
# Nerve conduction studies and needle electromyography (EMG) tell them apart, and say *where*
# the injury is. This lesson runs them on the same fibre populations as lesson 6:
#
# 1. the **motor conduction study**: the compound muscle action potential (CMAP), the sum of
#    every motor unit's potential, from stimulation at several sites (`sim.motor`);
# 2. **needle EMG**: fibrillations of denervated muscle fibres, the motor-unit potentials and
#    how units are recruited (`sim.emg`);
# 3. **localisation**: reading all of it as an electromyographer does (`sim.localise`).
#
# The teaching point of the lesson: a root is damaged *proximal* to its dorsal root ganglion,
# so the sensory potentials of a numb foot stay normal in a radiculopathy.

# %%
from dashboard.diagnosis_figures import emg_figure, motor_figure, ncs_figure
from dashboard.notebook import offline_figures
from sim.emg import MUSCLES, needle_emg
from sim.localise import localise
from sim.motor import motor_conduction_study
from sim.ncs import nerve_conduction_study
from sim.patients import patient

offline_figures()

# %% [markdown]
# ## 1. The motor conduction study
# The median nerve is stimulated at the wrist and at the elbow; the response is recorded over
# the thumb muscle (abductor pollicis brevis). The distal motor latency includes the
# neuromuscular junction; the velocity is measured *between* the two sites, which cancels it.
# Published limits (Preston & Shapiro): distal latency ≤ 4.4 ms at 7 cm, amplitude ≥ 4 mV,
# velocity ≥ 49 m/s, F wave ≤ 31 ms.

# %%
healthy = motor_conduction_study("healthy", "median")
cts = motor_conduction_study("carpal-tunnel-syndrome", "median")
for r in (healthy, cts):
    print(f"{r.patient:24s} distal latency {r.distal_latency_ms:.2f} ms, "
          f"amplitude {r.amplitude_mV:.1f} mV, forearm velocity "
          f"{r.conduction_velocity_m_per_s:.1f} m/s, F {r.f_latency_ms:.1f} ms")
assert healthy.normal and cts.distal_latency_ms > 4.4
assert cts.within["conduction_velocity_m_per_s"]  # the forearm conducts normally
motor_figure(cts, healthy).show()

# %% [markdown]
# In carpal tunnel syndrome only the segment *across the wrist* is slow: the distal latency
# is long while the forearm velocity is normal. The median sensory study, which also crosses
# the wrist, is slow too; the ulnar and sural studies are normal.

# %%
for nerve in ("median", "ulnar", "sural"):
    r = nerve_conduction_study("carpal-tunnel-syndrome", nerve=nerve)
    print(f"{nerve:8s} sensory: peak {r.peak_latency_ms:.2f} ms, {r.amplitude_uV:.1f} µV → "
          f"{'normal' if r.normal else 'ABNORMAL'}")
ncs_figure(nerve_conduction_study("carpal-tunnel-syndrome", nerve="median"),
           nerve_conduction_study("healthy", nerve="median")).show()

# %% [markdown]
# ## 2. Needle EMG: fibrillations arrive weeks after the injury
# When an axon is cut, its muscle fibres lose their nerve supply once the distal axon has
# degenerated. Denervated fibres then fire on their own: **fibrillation potentials** and
# **positive sharp waves**, 1-3 weeks after the injury, earlier in muscles close to the lesion.
# An L5 root lesion, examined day by day:

# %%
for muscle in ("paraspinal-l5", "tibialis-anterior", "extensor-digitorum-brevis"):
    days = [d for d in range(0, 35)
            if needle_emg(patient("l5-radiculopathy", lesion_age_days=float(d)),
                          muscle).fibrillations]
    print(f"{MUSCLES[muscle].label:32s} fibrillations from day {days[0]} "
          f"({MUSCLES[muscle].from_lesion_mm['l5-root']:.0f} mm of nerve beyond the root)")
    assert 7 <= days[0] <= 21

# %%
emg_figure(needle_emg("l5-radiculopathy", "paraspinal-l5", effort=0.0)).show()

# %% [markdown]
# ## 3. Motor-unit potentials: nerve or muscle?
# At slight effort the needle records motor-unit potentials (MUPs). After reinnervation the
# surviving units have adopted orphaned fibres: MUPs become **long, large and polyphasic**,
# and too few units fire too fast (**reduced recruitment**). In a myopathy every unit has lost
# fibres: MUPs are **short and small** and many units are needed for a little force
# (**early recruitment**). Quantitative EMG calls a mean duration more than 20 % off the
# normal mean abnormal (Buchthal).

# %%
chronic = patient("healthy", lesion_site="peroneal-fibular-head", lesion_axonal_loss=0.7,
                  lesion_age_days=730.0)
cases = {"healthy": needle_emg("healthy", "tibialis-anterior"),
         "reinnervated (2 years after a peroneal palsy)":
             needle_emg(chronic, "tibialis-anterior"),
         "myopathy (deltoid)": needle_emg("myopathy", "deltoid")}
for label, r in cases.items():
    u = r.mups
    print(f"{label:46s} {u.mean_duration_ms:5.1f} ms ({u.duration_change_percent:+4.0f} %), "
          f"{u.mean_amplitude_uV / 1000:.2f} mV, {u.polyphasic_percent:3.0f} % polyphasic, "
          f"recruitment {r.recruitment.pattern}")
assert cases["reinnervated (2 years after a peroneal palsy)"].mups.verdict == "neurogenic"
assert cases["myopathy (deltoid)"].mups.verdict == "myopathic"
assert cases["myopathy (deltoid)"].recruitment.pattern == "early"
for r in cases.values():
    emg_figure(r).show()

# %% [markdown]
# ## 4. Where is the lesion?
# The report reads only the findings. Try to place each lesion yourself before reading it.

# %%
for name in ("healthy", "l5-radiculopathy", "carpal-tunnel-syndrome",
             "painful-diabetic-neuropathy", "myopathy", "small-fibre-neuropathy"):
    r = localise(name)
    print(f"{name:28s} → {r.site:26s} {r.conclusion}")

# %% [markdown]
# The radiculopathy in detail: the sural and superficial peroneal potentials are normal
# although the foot is numb (the lesion is proximal to the dorsal root ganglion), while the
# L5 muscles of *different nerves* (deep peroneal, tibial, superior gluteal) and the
# paraspinals are denervated.

# %%
report = localise("l5-radiculopathy")
for line in report.reasoning:
    print("-", line)
assert report.sensory["sural"].normal and report.emg["paraspinal-l5"].fibrillations

# %% [markdown]
# The small-fibre neuropathy is the reminder from lesson 6: every study here is normal,
# because conduction studies and EMG test only large myelinated fibres and muscle.
