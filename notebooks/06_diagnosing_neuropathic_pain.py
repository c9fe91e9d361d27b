# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 6: diagnosing neuropathic pain
#
# Clinical guides diagnose neuropathic pain from the symptoms, the likelihood of a nerve
# injury, the **bedside examination** and, where needed, **nerve conduction studies**. They
# also warn that neuropathic pain causes anxiety and depression, which in turn worsen pain.
#
# This lesson runs all three on the same fibres and the same dorsal-horn gate as the earlier
# lessons:
#
# 1. a sensory nerve conduction study, where the compound potential is the sum of every fibre's
#    own action potential (`sim.ncs`);
# 2. the bedside tests: brush, pinprick, cold, warm and pressure (`sim.exam`);
# 3. mood and pain over weeks (`sim.mood`).
#
# The three neuropathy types are **axonal** (painful diabetic neuropathy), **demyelinating**
# and **small-fibre**. The lesson ends on the teaching point: a normal conduction study does
# not rule out neuropathic pain.

# %%
import numpy as np
import plotly.graph_objects as go

from dashboard.diagnosis_figures import course_figure, exam_figure, ncs_figure
from dashboard.notebook import offline_figures
from sim.exam import bedside_exam, examine
from sim.fibers import FiberClass
from sim.mood import Course, simulate_course
from sim.ncs import nerve_conduction_study, nerve_state, recorded_potential
from sim.patients import patient
from sim.presets import program
from sim.session import Session, run_session
from sim.treatments import Treatment

PATIENTS = ["healthy", "painful-diabetic-neuropathy", "demyelinating-neuropathy",
            "small-fibre-neuropathy"]


def rest_pain(pat):
    """Pain at rest with the stimulator off [NRS]."""
    r = run_session(Session(program=program("off"), patient=pat, duration_s=30, events=()))
    return float(r.series["pain_nrs"][-100:].mean())


# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## 1. The sural sensory conduction study
# The sural nerve is stimulated at the calf and its response recorded 14 cm away at the ankle.
# Each fibre conducts at a speed set by its diameter (about 4.5 m/s per µm in the sural nerve)
# and adds a small triphasic potential whose size grows with the square of its diameter. The
# sum of all of them is the sensory nerve action potential (SNAP).

# %%
studies = {name: nerve_conduction_study(patient(name)) for name in PATIENTS}
print(f"{'patient':30s} {'onset ms':>9s} {'peak ms':>8s} {'amp µV':>7s} {'CV m/s':>7s}  "
      f"study  {'pain at rest':>12s}")
for name, r in studies.items():
    print(f"{name:30s} {r.onset_latency_ms:9.2f} {r.peak_latency_ms:8.2f} "
          f"{r.amplitude_uV:7.1f} {r.conduction_velocity_m_per_s:7.1f}  "
          f"{'normal' if r.normal else 'ABNORMAL':8s} {rest_pain(patient(name)):8.1f} NRS")

# %% [markdown]
# Read the table as a neurophysiologist would (limits: sural velocity ≥ 40 m/s, amplitude
# ≥ 6 µV, peak latency ≤ 4.4 ms at 14 cm):
#
# * **axonal** (diabetic): the amplitude is far below the lower limit, the velocity only a
#   little slower (the fastest, largest axons die back first);
# * **demyelinating**: conduction is markedly slow (below 80 % of the lower limit), the
#   latencies long, the response dispersed and small;
# * **small-fibre**: a normal study, in a patient in pain.

# %%
healthy = studies["healthy"]
for name in PATIENTS[1:]:
    ncs_figure(studies[name], healthy).show()

# %% [markdown]
# ### Where do dispersion and amplitude come from?
# Nothing in the model sets the SNAP's amplitude directly. Move the recording electrode away
# from the stimulus: fast and slow fibres drift apart and their phases cancel, so the
# amplitude falls steeply with distance (a power law with exponent 1.4-1.7; Horowitz & Krarup
# 1992).

# %%
distances = [70, 100, 140, 200, 280]
amps = [nerve_conduction_study(patient("healthy"), distance_mm=d).amplitude_uV
        for d in distances]
slope = np.polyfit(np.log(distances), np.log(amps), 1)[0]
print("amplitude [µV] by distance [mm]:",
      ", ".join(f"{d}: {a:.1f}" for d, a in zip(distances, amps, strict=True)))
print(f"power-law exponent: {-slope:.2f} (Horowitz & Krarup 1992: 1.4-1.7)")
assert 1.4 <= -slope <= 1.7  # the SNAP falls with distance as Horowitz & Krarup measured

# %% [markdown]
# ### Why a normal study does not rule out neuropathic pain
# Count who contributes to the SNAP. Record the same study summing one fibre class at a time.
# Thin fibres are many, but each adds a potential about d² smaller. They are also slow, so
# their contributions arrive spread out over tens of milliseconds and cancel.

# %%
state = nerve_state(patient("healthy"), "sural")
t_ms = np.arange(0.0, 60.0, 0.02)
whole = recorded_potential(state, 140.0, t_ms)
for cls in FiberClass:
    part = recorded_potential(state, 140.0, t_ms, classes=[cls])
    n_fibres = state.population.count[state.population.of_class(cls)].sum()
    print(f"{cls.name:6s} fibres {n_fibres:7.0f}"
          f"   largest deflection {np.max(np.abs(part)):7.3f} µV "
          f"({100 * np.max(np.abs(part)) / np.max(np.abs(whole)):5.1f} % of the SNAP's)")
sfn = studies["small-fibre-neuropathy"]
print("\n".join(sfn.notes))

# %% [markdown]
# The study tests only the large myelinated fibres. Small-fibre neuropathy needs a skin biopsy
# (intraepidermal nerve-fibre density) or quantitative sensory testing. The bedside
# examination is a first, crude version of the second.

# %% [markdown]
# ## 2. The bedside examination
# Each test is a short session: ten seconds at rest, ten with the stimulus, ten after.
# Brush tests Aβ fibres; pinprick tests Aδ (ten pricks at one per second, the temporal
# summation test); cold tests Aδ cool fibres and C cold nociceptors; warm tests C warm fibres;
# sustained pressure tests deep afferents.

# %%
for name in PATIENTS:
    print(f"\n{name}")
    for f in bedside_exam(patient(name)):
        print(f"  {f.stimulus:9s} felt {100 * f.detected:4.0f} %  pain "
              f"{f.pain_before_nrs:4.1f} → {f.pain_during_nrs:4.1f}   {f.finding}")

# %% [markdown]
# ### Cold allodynia is a loss of inhibition
# Cool is carried by thin myelinated Aδ "cool" fibres, which centrally hold back the C-fibre
# cold nociceptors (Ochoa & Yarnitsky 1994; Craig's thermal-grill experiments). When the cool
# fibres are lost, that inhibition goes and a cool object burns. The model shows the same in
# a patient whose only change is the fraction of thin fibres lost.

# %%
losses = [0.0, 0.2, 0.4, 0.6, 0.8]
evoked = [examine(patient("failed-back-surgery", small_fibre_loss=x), "cold").evoked_nrs
          for x in losses]
go.Figure(go.Scatter(x=losses, y=evoked, mode="lines+markers"),
          layout=dict(title="Cold allodynia grows with cool-fibre loss",
                      xaxis_title="fraction of thin fibres lost",
                      yaxis_title="pain evoked by a cool stimulus [NRS]")).show()
cold = examine(patient("small-fibre-neuropathy"), "cold")
exam_figure(cold, examine(patient("healthy"), "cold")).show()

# %% [markdown]
# ### Wind-up: repeated pinprick in a sensitised dorsal horn
# The pricks' C-fibre volleys wind up the projection neuron through NMDA receptors (lesson 3).
# Blocking NMDA (κ = 0, as ketamine does) abolishes it.

# %%
for label, pat in [("healthy", patient("healthy")),
                   ("diabetic neuropathy", patient("painful-diabetic-neuropathy")),
                   ("diabetic, NMDA blocked", patient("painful-diabetic-neuropathy",
                                                      windup_gain=0.0))]:
    f = examine(pat, "pinprick")
    print(f"{label:24s} wind-up ratio {f.windup_ratio:.2f}   ({f.finding})")
exam_figure(examine(patient("painful-diabetic-neuropathy"), "pinprick"),
            examine(patient("healthy"), "pinprick")).show()

# %% [markdown]
# ## 3. Mood and pain
# Anxiety and depression are modelled as slow states that shift descending modulation from
# the brainstem toward facilitation (Ossipov, Dussor & Porreca 2010). The size of the shift is
# a labelled teaching assumption. The same session, only more anxious:

# %%
for a in (0.0, 0.5, 1.0):
    print(f"anxiety {a:.1f}: pain at rest {rest_pain(patient('crps', anxiety=a)):.1f} NRS")

# %% [markdown]
# ### The loop over weeks
# Sustained pain raises anxiety (over days) and depression (over weeks), and they raise pain.
# The course runs on a coarse grid (12 h). At each step, pain is the gate's steady state, so
# the cost does not depend on the pulse rate.
#
# Four courses of the same patient:
#
# * untreated;
# * spinal cord stimulation from day 28;
# * a psychological therapy for mood from day 28;
# * amitriptyline 25 mg/day from day 28.

# %%
base = Session(program=program("scs-tonic"), patient=patient("failed-back-surgery"))
courses = {
    "untreated": Course(base),
    "SCS from day 28": Course(base, stimulation_from_day=28),
    "psychological therapy from day 28": Course(base, psychological_therapy_from_day=28),
    "amitriptyline 25 mg/day from day 28": Course(base.replace(treatments=(
        Treatment(kind="amitriptyline", dose_mg_per_day=25, treatment_day=28),))),
}
results = {k: simulate_course(c) for k, c in courses.items()}
print(f"{'course':38s} {'pain d28':>8s} {'pain d84':>8s} {'anxiety d84':>11s} "
      f"{'depression d84':>14s}")
for k, r in results.items():
    print(f"{k:38s} {r.at('pain_nrs', 28):8.1f} {r.at('pain_nrs', 84):8.1f} "
          f"{10 * r.at('anxiety', 84):11.1f} {10 * r.at('depression', 84):14.1f}")

# %%
course_figure(results["untreated"]).show()
course_figure(results["SCS from day 28"]).show()

# %% [markdown]
# Each treatment moves both:
#
# * **Stimulation** relieves pain at once, and mood follows over weeks.
# * **Psychological therapy** does not touch the gate, yet pain falls as mood recovers.
# * **Amitriptyline** at this low dose mainly strengthens descending inhibition. Pain falls,
#   and with it the mood burden: it relieves pain below antidepressant doses.
#
# The dotted line in the figures ("pain if mood stayed calm") separates what mood adds.
#
# **Honesty box.** The following are teaching assumptions, chosen to show the direction the
# literature describes, not fitted to data:
#
# * the mood gains and time constants;
# * the finding thresholds of the bedside tests;
# * the drive of each bedside stimulus.
#
# The conduction study's normal limits and the shape of its dispersion come from published
# studies (see `sim.ncs`).
