# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 2: which fibres does a pulse fire?
#
# Nerve fibres differ in diameter, myelin and speed: thick myelinated Aβ (touch), thin
# myelinated Aδ (sharp pain, cold) and unmyelinated C (burning pain). An electrode's current
# fires the fibres whose threshold it exceeds. This lesson looks at
#
# 1. the strength-duration curve: shorter pulses need more current;
# 2. distance and diameter: thick fibres near the contact go first;
# 3. recruitment order under an SCS lead: why therapeutic amplitudes recruit only Aβ;
# 4. how far the simulator's fast threshold model is from a compartmental (NEURON) model.

# %%
import numpy as np
import plotly.graph_objects as go

from dashboard import figures
from dashboard.notebook import offline_figures
from sim.fibers import (
    FIBER_PROPERTIES,
    FiberClass,
    conduction_velocity_m_per_s,
    fit_strength_duration,
    model_errors,
    reference_thresholds,
    threshold_mA,
)
from sim.patients import patient
from sim.presets import program
from sim.recruitment import fibre_view

for fc in FiberClass:
    p = FIBER_PROPERTIES[fc]
    cv = float(conduction_velocity_m_per_s(p.typical_diameter_um, myelinated=p.myelinated))
    print(f"{fc.label:3s} {p.diameter_min_um:4.1f}-{p.diameter_max_um:4.1f} µm  "
          f"myelinated={p.myelinated!s:5s}  CV at {p.typical_diameter_um:.1f} µm: "
          f"{cv:5.1f} m/s")

# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## 1. Strength-duration
# For a 10 µm fibre 1 mm from a point contact, threshold falls with pulse width towards the
# rheobase; at a pulse width equal to the chronaxie it is twice the rheobase (Weiss/Lapicque).
# The charge threshold (current × width) instead *rises* with width: short pulses are
# charge-efficient, long pulses current-efficient.

# %%
pw = np.geomspace(10, 1000, 40)
th = threshold_mA(10.0, 1.0, pw)
sd = fit_strength_duration(pw, th)
print(f"rheobase {sd.rheobase_mA:.3f} mA, chronaxie {sd.chronaxie_us:.0f} µs; "
      f"threshold at the chronaxie = "
      f"{float(threshold_mA(10.0, 1.0, sd.chronaxie_us)) / sd.rheobase_mA:.2f} x rheobase")
fig = go.Figure()
fig.add_scatter(x=pw, y=th, name="threshold current [mA]")
fig.add_scatter(x=pw, y=th * pw * 1e-3, name="charge threshold [µC]", yaxis="y2")
fig.update_layout(xaxis=dict(type="log", title="pulse width [µs]"),
                  yaxis=dict(type="log", title="current [mA]"),
                  yaxis2=dict(type="log", title="charge [µC]", overlaying="y", side="right"),
                  title="Strength-duration of a 10 µm fibre at 1 mm")
fig

# %% [markdown]
# ## 2. Distance and diameter
# Threshold grows steeply with distance (roughly with its square far from the contact) and
# falls with diameter. An unmyelinated C fibre needs far more current than an Aβ fibre at the
# same distance.

# %%
dist = np.geomspace(0.2, 10, 40)
fig = go.Figure()
for d in (2.0, 5.7, 10.0, 16.0):
    fig.add_scatter(x=dist, y=threshold_mA(d, dist, 100.0), name=f"{d:g} µm myelinated")
fig.add_scatter(x=dist, y=threshold_mA(1.0, dist, 100.0, myelinated=False), name="1 µm C",
                line_dash="dash")
fig.update_layout(xaxis=dict(type="log", title="distance [mm]"),
                  yaxis=dict(type="log", title="threshold at 100 µs [mA]"),
                  title="Thick and near fibres fire first")
fig

# %% [markdown]
# ## 3. Recruitment under an SCS lead
# The dashboard's fibre view: fraction of each class recruited as the amplitude rises, with the
# therapeutic window from the paresthesia (perception) threshold to discomfort. At therapeutic
# amplitudes only Aβ dorsal-column fibres fire; Aδ and C need several times more current.

# %%
figures.fibre_figure(fibre_view(program("scs-tonic"), patient("failed-back-surgery")))

# %% [markdown]
# Thicker cerebrospinal fluid between the lead and the cord shunts current away: the
# perception threshold rises steeply (He et al. 1994), which is why the same program feels
# different in different patients.

# %%
from sim.recruitment import recruit

thresholds = []
for csf in (2.0, 3.0, 4.0, 5.0):
    r = recruit(program("scs-tonic"), csf_thickness_mm=csf)
    thresholds.append(r.perception_threshold_mA)
    print(f"dorsal CSF {csf:.0f} mm: perception threshold {r.perception_threshold_mA:5.2f} mA")
# farther from the cord, the field is weaker: the threshold rises with every millimetre
assert thresholds == sorted(set(thresholds))  # strictly increasing

# %% [markdown]
# ## 4. The model against the compartmental reference
# `threshold_mA` is a reduced, closed-form model fitted to thresholds computed with NEURON
# (MRG double-cable myelinated axons and a Sundt C fibre; `sim/data/`). Errors are ratios,
# because thresholds span more than two decades.

# %%
ref = reference_thresholds()
rows = []
for myel, name in ((True, "MRG (myelinated)"), (False, "Sundt (C fibre)")):
    err = np.abs(model_errors(ref, myelinated=myel)) * 100
    rows.append((name, err.size, np.median(err), np.percentile(err, 90), err.max()))
print(f"{'model':18s} {'rows':>4s} {'median':>7s} {'p90':>7s} {'max':>7s}")
for name, n, med, p90, mx in rows:
    print(f"{name:18s} {n:4d} {med:6.1f}% {p90:6.1f}% {mx:6.1f}%")

# %%
mono = ref.waveform == "monophasic_cathodic"
myel = ref.model == "MRG_DISCRETE"
pred = np.where(myel, threshold_mA(ref.diameter_um, ref.distance_mm, ref.pulse_width_us),
                threshold_mA(ref.diameter_um, ref.distance_mm, ref.pulse_width_us,
                             myelinated=False))
fig = go.Figure()
for mask, name in ((mono & myel, "myelinated"), (mono & ~myel, "C fibre")):
    fig.add_scatter(x=ref.threshold_mA[mask], y=pred[mask], mode="markers", name=name)
fig.add_scatter(x=[0.01, 100], y=[0.01, 100], mode="lines", name="identity",
                line=dict(dash="dot", color="grey"))
fig.update_layout(xaxis=dict(type="log", title="NEURON threshold [mA]"),
                  yaxis=dict(type="log", title="reduced model [mA]"),
                  title="Reduced model vs compartmental reference")
fig
