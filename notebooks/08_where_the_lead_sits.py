# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 7: where the lead sits
#
# Clinicians program spinal cord stimulation (SCS) by where the paresthesia lands on the body.
# The rule of thumb is simple: tonic SCS relieves pain where its tingling covers the painful
# area. This lesson follows that rule from the fibres up:
#
# 1. the painful area as **dermatomes**, and the dermatomes a lead at one vertebral level
#    reaches (`sim.placement`);
# 2. the **geometry under the lead**: dorsal-column and dorsal-root fibres, moving the lead
#    sideways, the CSF layer by level and by posture, and the therapeutic window;
# 3. **DRG stimulation**: a lead on the ganglion of each painful root;
# 4. **motor fibres** under PNS leads and TENS pads: the visible twitch;
# 5. the spinal **ECAP** and **closed-loop SCS**, which holds it steady while the cord moves.

# %%
import numpy as np
import plotly.graph_objects as go

from dashboard.notebook import offline_figures
from dashboard.placement_figures import body_map_figure, ecap_figure
from sim.ecap import ecap_trace, growth_curve, simulate_loop
from sim.motor_fibers import motor_response
from sim.patients import patient
from sim.placement import coverage, csf_under_lead_mm
from sim.presets import program
from sim.recruitment import recruit
from sim.session import Event, Session, run_session

SCS = program("scs-tonic")
FBSS = patient("failed-back-surgery")     # radicular leg pain: L5-S1 on the left


def pt(prog, csf=3.0):
    """Perception threshold [mA]."""
    return recruit(prog, csf_thickness_mm=csf).perception_threshold_mA


# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## 1. The painful area and the lead
# The failed-back-surgery patient has leg pain in the L5 and S1 dermatomes on the left. The
# standard lead sits over the T9 vertebra, on the midline. Under it the dorsal columns carry
# the ten segments below: the most caudal (sacral) fibres medially, each entering segment added
# laterally. At 1.3 × the perception threshold the tingling spreads over both legs.

# %%
cov = coverage(SCS, FBSS)
print(f"lead at {cov.lead_level}: paresthesia in {len(cov.paresthesia)} dermatomes, "
      f"covering {cov.coverage_pct:.0f} % of the painful area")
assert cov.coverage_pct == 100.0
body_map_figure(cov, SCS.lateral_offset_mm)

# %% [markdown]
# ### Moving the lead up the spine
# Fibres from far below are pushed medially and deeper by those entering above them, and many
# end within a few segments, so a lead reaches only the dermatomes of some segments below it.
# The paresthesia maps of Barolat et al. (1993) show it: a mid-cervical lead tingles in the
# hand and arm, a lead at T10 in the thigh, leg and foot. Each level below is programmed at
# 1.3 × its own perception threshold (thresholds rise where the CSF is thick, mid-thoracic).

# %%
from sim.drive import stimulation_csf_mm

for level in ("C4", "C7", "T5", "T9", "T10"):
    prog = program("scs-tonic", lead_level=level)
    p = pt(prog, stimulation_csf_mm(prog, FBSS))
    c = coverage(prog, FBSS, amplitude_mA=1.3 * p)
    segs = [d.segment for d in c.paresthesia if d.side == "left"]
    print(f"lead at {level:3s}: threshold {p:4.1f} mA, paresthesia {segs[0]}-{segs[-1]}, "
          f"L5-S1 leg pain covered {c.coverage_pct:3.0f} %")
    if level.startswith("C"):
        assert c.coverage_pct == 0.0      # the arms, not the legs
assert c.coverage_pct == 100.0            # T10: the legs and feet

# %% [markdown]
# ## 2. Geometry under the lead
# ### Moving the lead sideways
# Dorsal-root fibres lie near the lateral edge of the dorsal columns, and they are easier to
# excite than dorsal-column fibres of the same size. A lateral lead therefore has a **lower**
# perception threshold (He et al. 1994 measured this in 136 patients), but its tingling stays in
# the one or two segments whose roots it reaches.

# %%
rows = []
for off in (0.0, 1.0, 2.0, 3.0):
    prog = program("scs-tonic", lateral_offset_mm=off)
    p = pt(prog)
    c = coverage(prog, FBSS, amplitude_mA=1.3 * p)
    rows.append((off, p, len(c.paresthesia), c.coverage_pct))
    print(f"offset {off:.0f} mm: threshold {p:.2f} mA, paresthesia in {len(c.paresthesia):2d} "
          f"dermatomes, coverage {c.coverage_pct:.0f} %")
assert rows[-1][1] < rows[0][1]          # lateral: lower threshold (He et al. 1994)
assert rows[-1][2] < rows[0][2]          # ... and narrower paresthesia
lateral = program("scs-tonic", lateral_offset_mm=3.0)
body_map_figure(coverage(lateral, FBSS, amplitude_mA=1.3 * pt(lateral)), 3.0)

# %% [markdown]
# ### The CSF layer: level, posture and the therapeutic window
# The dorsal CSF is thickest mid-thoracic (4-8.5 mm at T5-T6 on MRI) and thinner lower down
# (2-6 mm at T11). Thicker CSF raises the perception threshold and **narrows** the window
# between perception and discomfort: the dorsal roots, uncomfortable to stimulate, come closer
# in threshold to the dorsal columns.

# %%
for csf in (2.0, 3.0, 4.0, 6.0):
    r = recruit(SCS, csf_thickness_mm=csf)
    print(f"dCSF {csf:.0f} mm: perception {r.perception_threshold_mA:5.2f} mA, window "
          f"{r.discomfort_threshold_mA / r.perception_threshold_mA:.2f} x")
print("a 3 mm patient's CSF at T5:", csf_under_lead_mm(3.0, "T5"), "mm; lying supine at T9:",
      csf_under_lead_mm(3.0, "T9", "supine"), "mm")

# %% [markdown]
# Lying down moves the cord towards the back of the canal: the CSF under the lead thins and
# the same current suddenly recruits many more fibres. That is the familiar jump in
# paresthesia when a patient lies down.

# %%
events = (Event(kind="stimulation", start_s=0.0, stop_s=120.0),
          Event(kind="supine", start_s=60.0, stop_s=120.0))
res = run_session(Session(program=SCS, patient=FBSS, duration_s=120.0, events=events))
t, par = res.t_s, res.series["paresthesia"]
sitting, supine = par[(t > 40) & (t < 60)].mean(), par[t > 100].mean()
print(f"paresthesia sitting {sitting:.1f}/10, supine {supine:.1f}/10")
assert supine > sitting
go.Figure(go.Scatter(x=t, y=par, name="paresthesia"),
          layout=dict(title="Open loop: lying down at 60 s", xaxis_title="time [s]",
                      yaxis_title="paresthesia [0-10]"))

# %% [markdown]
# ## 3. DRG stimulation
# A lead on each dorsal root ganglion of the painful foot's roots (L4, L5, S1) gives tingling
# in those dermatomes only, at a fraction of a milliampere, and no spinal CSF lies between lead
# and ganglion: posture hardly matters. Stimulating the ganglion is also thought to filter
# the painful roots' own C activity at the ganglion (a modelling study, Kent et al. 2018),
# which the model includes; in lower-limb CRPS, DRG relieved more patients than tonic SCS
# (ACCURATE).

# %%
crps = patient("crps")
drg = program("drg")
c = coverage(drg, crps)
print(f"DRG: threshold {pt(drg):.2f} mA, paresthesia in "
      f"{', '.join(d.label for d in c.paresthesia)}")
assert pt(drg) < 1.0 and len(c.paresthesia) == 3
body_map_figure(c)

# %% [markdown]
# ## 4. Motor fibres: the twitch
# Peripheral nerves are mixed. Conventional TENS stays below the motor threshold. Acupuncture-
# like TENS is turned up until the muscle twitches at each pulse.

# %%
for name in ("pns", "tens-conventional", "tens-acupuncture"):
    prog = program(name)
    m = motor_response(prog)
    print(f"{name:18s} sensory {pt(prog):5.1f} mA, motor {m.motor_threshold_mA:5.1f} mA, at "
          f"{prog.amplitude_mA:g} mA: {m.contraction}")
assert motor_response(program("tens-acupuncture")).contraction == "twitches"

# %% [markdown]
# ## 5. The ECAP and closed-loop SCS
# Each pulse sends a volley up the recruited dorsal-column fibres; the lead's other contacts
# record it as the evoked compound action potential (ECAP). Its growth curve starts near the
# perception threshold. A closed-loop device measures it at every pulse and adjusts its
# current to hold it at a target. When the patient lies down, the open-loop ECAP jumps, and
# the closed loop turns the current down.

# %%
g = growth_curve(SCS)
print(f"ECAP threshold {g.ecap_threshold_mA:.2f} mA, perception threshold "
      f"{g.perception_threshold_mA:.2f} mA")
assert 0.75 < g.ecap_threshold_mA / g.perception_threshold_mA < 1.1
lie = (Event(kind="supine", start_s=20.0, stop_s=40.0),)
open_loop = simulate_loop(SCS, FBSS, mode="open", events=lie)
closed_loop = simulate_loop(SCS, FBSS, mode="closed", events=lie)
for r in (open_loop, closed_loop):
    held = np.mean(np.abs(r.ecap_uV[r.t_s >= 1] - r.target_uV) <= 0.2 * r.target_uV)
    print(f"{r.mode:6s} loop: ECAP within ±20 % of target {100 * held:.0f} % of the time, "
          f"{r.paresthesia_spikes} paresthesia spikes")
ecap_figure(ecap_trace(SCS), open_loop, closed_loop)

# %% [markdown]
# **Honesty box.** Published sources give the directions and several sizes: the
# dorsal-column fibre diameters (Feirabend et al. 2002), lower thresholds for lateral leads
# (He et al. 1994), the CSF range by level (Holsheimer et al. 1994), the narrowing window
# (Holsheimer et al. 1995), ECAP thresholds near perception (Parker et al. 2012). The
# following are teaching assumptions: the share and excitability of the dorsal-root fibres,
# the equal dermatome shares of the dorsal-column lamination, the posture shifts, the
# DRG contact distance and its filtering of C activity at the ganglion (sized so that a DRG
# cohort lands at ACCURATE's responder rate), the motor-fascicle position, the ECAP scale and
# the controller, and the day of postures that sizes closed loop's advantage in a trial
# (calibrated to the responder difference of Evoke).
