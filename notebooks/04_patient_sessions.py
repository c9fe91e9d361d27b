# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4: a patient session
#
# A session runs a program on a patient for a while, with timed events (stimulation on and
# off, a light touch, a pinch, an injury), through the whole chain: which fibres fire, what the
# dorsal-horn gate does, and what the patient reports (pain on the 0-10 numeric rating scale,
# paresthesia). Three clinical stories:
#
# 1. PNS versus TENS for a focal post-surgical neuropathy;
# 2. three SCS programs for failed back surgery syndrome;
# 3. pain that outlasts its cause.

# %%
from dashboard import figures
from dashboard.notebook import offline_figures
from sim.patients import patient
from sim.presets import program
from sim.recruitment import recruit
from sim.session import Event, Session, run_session


def show(result, compare=None):
    return figures.session_figure(result, result.session.events, result.session.duration_s,
                                  compare=compare)


def summary_line(name, r):
    s = r.summary
    red = "n/a" if s.pain_reduction_pct != s.pain_reduction_pct else f"{s.pain_reduction_pct:.0f} %"
    return (f"{name:22s} pain {s.pain_before_nrs:.1f} -> {s.pain_during_nrs:.1f} -> "
            f"{s.pain_after_nrs:.1f}  reduction {red:>6s}  paresthesia {s.paresthesia:.1f}/10  "
            f"{'responder' if s.responder else ''}")


# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## 1. PNS or TENS for a focal nerve injury
# After a thoracotomy, one intercostal nerve is injured: burning pain in its territory and
# touch that hurts. A PNS lead sits 5 mm from that nerve; TENS pads sit on the skin over the
# same area. Both at 50 Hz, 100 µs. For each we find the smallest current that relieves at
# least 30 % of the pain.

# %%
pat = patient("post-surgical-neuropathy")


def lowest_effective(prog):
    for amp in [x / 2 for x in range(1, 120)]:
        r = run_session(Session(program=prog.replace(amplitude_mA=amp), patient=pat))
        if r.summary.pain_reduction_pct >= 30:
            return r
    return None


pns = lowest_effective(program("pns", rate_hz=50))
tens = lowest_effective(program("tens-conventional", rate_hz=50))
for name, r in (("PNS", pns), ("TENS", tens)):
    rec = r.recruitment
    print(f"{name}: {r.session.program.amplitude_mA:.1f} mA,"
          f" Aβ {100 * rec.classes[0].recruited_fraction:.0f} %,"
          f" Aδ {100 * rec.classes[1].recruited_fraction:.1f} %,"
          f" C {100 * rec.classes[2].recruited_fraction:.1f} %")
    print(summary_line(name, r))

# %% [markdown]
# PNS needs a fraction of the current because the lead is next to the nerve, while TENS must
# push current through the skin, exciting many cutaneous fibres on the way. Overlay them:

# %%
show(pns, compare=tens)

# %% [markdown]
# ## 2. SCS programs for failed back surgery syndrome
# Tonic SCS (programmed at 1.3 x this patient's paresthesia threshold), burst (just below it)
# and 10 kHz. Watch the paresthesia trace: tonic tingles, burst and 10 kHz do not. Each
# program's relief comes from a *named* mechanism that you can switch off in `ModelOptions`.
# The 10 kHz effect builds over about a day of use (`stimulation_day`): a first session shows
# only its start, so it is run here as it would be after three months.

# %%
fbss = patient("failed-back-surgery")
pt = recruit(program("scs-tonic"), csf_thickness_mm=fbss.csf_thickness_mm).perception_threshold_mA
results = {
    "tonic 1.3 x PT": run_session(Session(program=program("scs-tonic",
                                                          amplitude_mA=round(1.3 * pt, 2)),
                                          patient=fbss)),
    "burst": run_session(Session(program=program("scs-burst"), patient=fbss)),
    "10 kHz, first day": run_session(Session(program=program("scs-10khz"), patient=fbss)),
    "10 kHz, day 90": run_session(Session(program=program("scs-10khz"), patient=fbss,
                                          stimulation_day=90)),
}
for name, r in results.items():
    print(summary_line(name, r))

# %%
show(results["tonic 1.3 x PT"], compare=results["10 kHz, day 90"])

# %% [markdown]
# Switch off the hypothesis that 10 kHz fields act directly on dorsal-horn inhibitory
# interneurons, and 10 kHz does nothing in this model: the model is honest that its relief is
# a hypothesis, not settled science.

# %%
from sim.session import ModelOptions

no_khz = run_session(Session(program=program("scs-10khz"), patient=fbss, stimulation_day=90,
                             options=ModelOptions(mechanism_khz_direct=False)))
print(summary_line("10 kHz, hypothesis off", no_khz))

# %% [markdown]
# ## 3. Pain that outlasts its cause
# An injury (two minutes of strong C-fibre input) in two people: one healthy, one with central
# sensitisation (an LTP-like state that builds with C input and decays over minutes). The
# healthy person's pain stops within a minute of the injury ending; the sensitised one's
# persists for minutes.

# %%
events = (Event(kind="injury", start_s=30, stop_s=150),)
healthy = run_session(Session(program=program("off"), patient=patient("healthy"),
                              duration_s=600, events=events))
sensitised = run_session(Session(program=program("off"), duration_s=600, events=events,
                                 patient=patient("healthy", central_sensitisation_gain=1.0)))
show(sensitised, compare=healthy)
