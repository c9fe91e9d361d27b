# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 3: the gate
#
# Melzack and Wall (1965) proposed that large, touch-carrying Aβ fibres excite inhibitory
# interneurons in the dorsal horn that "close a gate" on pain signals carried by small Aδ and
# C fibres to the projection (T, wide-dynamic-range) neuron. This lesson runs the simulator's
# firing-rate version of that circuit (`sim.gate`, equations in its docstring and in
# SCIENCE.md section 4) and asks:
#
# 1. Does Aβ input close the gate?
# 2. Why does tonic SCS work best at tens of Hz and stop working at a few hundred?
# 3. What does loss of inhibition (disinhibition after nerve injury) do to all this?

# %%
import dataclasses

import numpy as np
import plotly.graph_objects as go

from dashboard import figures
from sim.gate import (GateParams, pain_nrs, stim_drives_tonic, steady_state_rates,
                      windup_protocol)

# %% [markdown]
# ## 1. Aβ input closes the gate
# Ongoing C-fibre input (a_C = 1, as in a neuropathic patient's burning pain) drives the
# projection neuron to about 30 Hz. Add touch (a_β = 1) at the same time and it falls to about
# 0 Hz. Touch alone barely activates it.

# %%
p = GateParams()
cases = {"C input alone": dict(a_C=1.0), "C input + touch": dict(a_C=1.0, a_beta=1.0),
         "touch alone": dict(a_beta=1.0), "nothing": {}}
for name, drive in cases.items():
    r = steady_state_rates(p, **drive)
    print(f"{name:16s} projection {float(r.P_hz):5.1f} Hz   inhibitory {float(r.I_hz):5.1f} Hz"
          f"   pain {float(pain_nrs(r.P_hz)):4.1f}/10")

# %% [markdown]
# The dashboard draws the same circuit; each element's colour shows its activity.

# %%
r = steady_state_rates(p, a_C=1.0, a_beta=1.0)
figures.gate_figure({"projection_hz": float(r.P_hz), "inhibitory_hz": float(r.I_hz),
                     "excitatory_hz": float(r.E_hz), "abeta_drive": 1.0, "c_drive": 1.0,
                     "adelta_drive": 0.0})

# %% [markdown]
# ## 2. Frequency dependence of tonic SCS
# Stimulation-evoked Aβ spikes reach the inhibitory interneurons and the projection neuron
# through *depressing* synapses (Tsodyks-Markram). The synapse onto the inhibitory
# interneurons (slow recovery, 100 ms) saturates above ~20 Hz; the one onto the projection
# neuron (fast recovery, 2 ms) keeps passing more drive as the rate rises. Nothing here is a
# table of frequencies: the curve comes out of the two synapses.

# %%
rates = np.geomspace(2, 400, 60)


def scs_curve(params):
    d = stim_drives_tonic(rates, 1.0, params)
    return steady_state_rates(params, a_C=1.0, a_beta_stim_I=d.a_beta_stim_I,
                              a_beta_stim_P=d.a_beta_stim_P).P_hz


fig = go.Figure()
for g in (1.0, 0.6, 0.3):
    fig.add_scatter(x=rates, y=scs_curve(GateParams(g_inh=g)), name=f"g_inh = {g}")
baseline = float(steady_state_rates(GateParams(), a_C=1.0).P_hz)
fig.add_hline(y=baseline, line_dash="dot", annotation_text="no stimulation")
fig.update_layout(xaxis_type="log", xaxis_title="SCS rate [Hz]",
                  yaxis_title="projection neuron [Hz]",
                  title="Tonic SCS: relief at tens of Hz, lost at high rates")
fig

# %%
normal = scs_curve(GateParams())
best = rates[np.argmin(normal)]
cross = rates[np.argmax((rates > best) & (normal > baseline))]
print(f"best rate {best:.0f} Hz (projection {normal.min():.1f} Hz vs {baseline:.1f} Hz); "
      f"back above baseline from about {cross:.0f} Hz")

# %% [markdown]
# ## 3. Disinhibition
# After nerve injury, GABA/glycine inhibition weakens (a shift of the chloride gradient,
# Prescott 2006): g_inh falls below 1. In the plot above, at g_inh = 0.6 the best relief is
# weaker and reverses at a lower rate; at 0.3 stimulation never helps. The same loss makes
# touch hurt once the polysynaptic Aβ → lamina I path is unmasked (u > 0): allodynia.

# %%
for name, params in {"healthy": GateParams(), "mild": GateParams.preset("mild"),
                     "severe": GateParams.preset("severe")}.items():
    touch = steady_state_rates(dataclasses.replace(params, a_C_ongoing=0.0), a_beta=1.0)
    print(f"{name:8s} touch alone -> projection {float(touch.P_hz):5.1f} Hz, "
          f"pain {float(pain_nrs(touch.P_hz)):4.1f}/10")

# %% [markdown]
# ## 4. Wind-up
# Repeated C volleys at 0.5-2 Hz make each response larger than the last (NMDA-dependent
# wind-up, Mendell 1966); at 0.1-0.2 Hz nothing builds up. κ = 0 (an NMDA antagonist such as
# ketamine) abolishes it.

# %%
fig = go.Figure()
for f in (0.2, 0.5, 1.0, 2.0):
    w = windup_protocol(f)
    fig.add_scatter(x=np.arange(1, len(w.responses_spikes) + 1), y=w.responses_spikes / w.responses_spikes[0],
                    name=f"{f:g} Hz (x{w.ratio:.1f})")
w0 = windup_protocol(1.0, params=GateParams(kappa=0.0))
fig.add_scatter(x=np.arange(1, 17), y=w0.responses_spikes / w0.responses_spikes[0], name="1 Hz, κ = 0",
                line_dash="dash")
fig.update_layout(xaxis_title="volley", yaxis_title="response / first response",
                  title="Wind-up")
fig
