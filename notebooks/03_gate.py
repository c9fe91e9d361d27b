# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 3: the gate
#
# Melzack and Wall (1965) proposed that large, touch-carrying Aβ fibres excite inhibitory
# interneurons in the dorsal horn that "close a gate" on pain signals carried by small Aδ and
# C fibres. This lesson runs the simulator's firing-rate version of that circuit (`sim.gate`;
# equations and sources in `docs/model.md`) and asks:
#
# 1. Does Aβ input close the gate?
# 2. How does the dorsal horn answer the pulse rate of spinal cord stimulation, and why does
#    a high rate not hurt?
# 3. What does loss of inhibition (disinhibition after nerve injury) do to all this?
#
# Two output neurons matter: the wide-dynamic-range (WDR) neuron of the deep dorsal horn,
# which answers touch and pain alike, and the nociceptive-specific neurons of lamina I. Pain
# (`sim.percept`) is read from lamina I plus the WDR neuron's *nociceptive share*; the
# stimulated Aβ activity itself reaches the brain through the dorsal columns as tingling.

# %%
import dataclasses

import numpy as np
import plotly.graph_objects as go

from dashboard import figures
from dashboard.notebook import offline_figures
from sim.gate import GateParams, steady_state_rates, windup_protocol
from sim.patients import Patient, patient
from sim.percept import pain_nrs
from sim.presets import program
from sim.rate_response import published_rate_response, session_rate_response
from sim.session import Session

# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## 1. Aβ input closes the gate
# Ongoing C-fibre input (a_C = 1, as in a neuropathic patient's burning pain) drives the WDR
# neuron to about 30 Hz. Add touch (a_β = 1) at the same time and its nociceptive output falls
# by more than half. Touch alone makes the WDR neuron fire a little (it is a wide-dynamic-range
# neuron) but leaves lamina I silent and does not hurt.

# %%
p = GateParams()
cases = {"C input alone": dict(a_C=1.0), "C input + touch": dict(a_C=1.0, a_beta=1.0),
         "touch alone": dict(a_beta=1.0), "nothing": {}}
for name, drive in cases.items():
    r = steady_state_rates(p, **drive)
    print(f"{name:16s} WDR {r.P_hz:5.1f} Hz (nociceptive share {r.P_noci_hz:5.1f})  "
          f"lamina I {r.N_hz:5.1f} Hz  inhibitory {r.I_hz:5.1f} Hz  "
          f"pain {pain_nrs(r.nociceptive_hz):4.1f}/10")

# %% [markdown]
# The dashboard draws the same circuit; each element's colour shows its activity.

# %%
r = steady_state_rates(p, a_C=1.0, a_beta=1.0)
figures.gate_figure({"projection_hz": r.P_hz, "lamina1_hz": r.N_hz, "inhibitory_hz": r.I_hz,
                     "excitatory_hz": r.E_hz, "abeta_drive": 1.0, "c_drive": 1.0,
                     "adelta_drive": 0.0, "pain_nrs": pain_nrs(r.nociceptive_hz)})

# %% [markdown]
# ## 2. The rate response of the dorsal horn
# Zhang, Janik & Grill (2014, J Neurophysiol 112:552) simulated a biophysical dorsal-horn
# network with every dorsal-column fibre under the lead recruited and following every pulse,
# and ongoing C input. `published_rate_response` runs that protocol on this model. The
# stimulated Aβ spikes reach the inhibitory interneurons and the WDR neuron through
# *depressing* synapses (Tsodyks-Markram): the one onto the inhibitory interneurons depresses
# early (its inhibition saturates at tens of Hz), the one onto the WDR neuron late, so:
#
# * the WDR output is inhibited most at tens of Hz,
# * it is back at its baseline somewhere near 80-100 Hz,
# * above that the stimulated Aβ excitation wins and the WDR output rises above baseline.
#
# That last part assumes every fibre follows every pulse, and it is the stimulation's own Aβ
# activity: felt as tingling, not as pain. The right panel shows a patient's relief, which
# never turns into extra pain.

# %%
normal = published_rate_response()
half = published_rate_response(patient=Patient(inhibition_efficacy=0.5))
print(f"normal GABA: deepest {normal.deepest[1]:.0f} % at {normal.deepest[0]:.0f} Hz, back to "
      f"baseline at {normal.back_to_baseline_hz:.0f} Hz")
print(f"half GABA:   deepest {half.deepest[1]:.0f} % at {half.deepest[0]:.0f} Hz, back to "
      f"baseline at {half.back_to_baseline_hz:.0f} Hz")
# Zhang, Janik & Grill 2014: with less GABA the return to baseline moves to a higher rate
assert half.back_to_baseline_hz > normal.back_to_baseline_hz
for row in normal.rows():
    if row["rate_hz"] in (10, 40, 80, 300):
        print(f"  {row['rate_hz']:5.0f} Hz: WDR {row['wdr_pct_of_baseline']:5.0f} % of baseline, "
              f"pain reduced by {row['pain_reduction_pct']:4.0f} %")

# %%
fbss = Session(program=program("scs-tonic"), patient=patient("failed-back-surgery"))
figures.rate_response_figure(normal, reduced=half, patient=session_rate_response(fbss),
                             current_rate_hz=50.0)

# %% [markdown]
# ## 3. Disinhibition
# After nerve injury, GABA/glycine inhibition weakens (a shift of the chloride gradient,
# Prescott 2006): g_inh falls below 1. With half of it (dashed curve above) the tonic
# inhibition of the excitatory interneurons fails: the ongoing C input now reaches the WDR
# neuron through them, and stimulation-driven inhibition silences them again. So much of the
# inhibition remains, the deepest point moves to lower rates and the return to baseline to
# higher rates, as in Zhang et al.'s network. Only when inhibition is blocked entirely
# (bicuculline) does stimulation stop inhibiting. The same loss makes touch hurt once the
# polysynaptic Aβ → lamina I path is unmasked (u > 0): allodynia.

# %%
for name, params in {"healthy": GateParams(), "mild": GateParams.preset("mild"),
                     "severe": GateParams.preset("severe")}.items():
    touch = steady_state_rates(dataclasses.replace(params, a_C_ongoing=0.0), a_beta=1.0)
    print(f"{name:8s} touch alone -> lamina I {touch.N_hz:5.1f} Hz, "
          f"pain {pain_nrs(touch.nociceptive_hz):4.1f}/10")

# %% [markdown]
# ## 4. Wind-up
# Repeated C volleys at 0.5-2 Hz make each WDR response larger than the last (NMDA-dependent
# wind-up, Mendell 1966); at 0.1-0.2 Hz nothing builds up. κ = 0 (an NMDA antagonist such as
# ketamine) abolishes it. The C synapses depress at high rates but hardly at 0.5-2 Hz, so
# wind-up is kept.

# %%
fig = go.Figure()
for f in (0.2, 0.5, 1.0, 2.0):
    w = windup_protocol(f)
    fig.add_scatter(x=np.arange(1, len(w.responses_spikes) + 1),
                    y=w.responses_spikes / w.responses_spikes[0],
                    name=f"{f:g} Hz (x{w.ratio:.1f})")
w0 = windup_protocol(1.0, params=GateParams(windup_gain=0.0))
fig.add_scatter(x=np.arange(1, 17), y=w0.responses_spikes / w0.responses_spikes[0],
                name="1 Hz, κ = 0",
                line_dash="dash")
fig.update_layout(xaxis_title="volley", yaxis_title="response / first response",
                  title="Wind-up")
fig
