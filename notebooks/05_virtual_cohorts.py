# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 5: virtual cohorts
#
# One simulated patient tells you what the model does; a trial tells you how often a therapy
# helps. A virtual cohort draws many patients around a preset (each with their own
# inhibition, unmasking, ongoing C firing, CSF thickness and lead position: the distributions
# are documented in `sim.cohort.VARIABILITY`), programs each one as a clinician would, runs a
# session at the 3-month follow-up and measures it as the trials did: patients enrol when their
# pain is at least 5/10, pain fluctuates from month to month (so it regresses toward the mean
# after enrolment, even untreated), expectation acts in every arm, and a **responder** has
# >= 50 % less pain at follow-up than at baseline.
#
# Then we hold the model against the trials and say honestly where it agrees and where it does
# not (`docs/model.md` has the full calibration table).

# %%
import plotly.graph_objects as go

from dashboard.notebook import offline_figures
from sim.cohort import run_cohort
from sim.presets import program
from sim.session import Session

N = 150  # patients per cohort: enough for a ±8 % confidence interval, quick in a lesson
SESSION_S = 60.0


def cohort(program_name, patient_name, **kw):
    s = Session(program=program(program_name), duration_s=SESSION_S)
    return run_cohort(s, patient_name, n=N, seed=1, progress=False, **kw)


# %%
# Every figure is saved twice: for JupyterLab, and as HTML with plotly.js written once, inline,
# here, so that an HTML export of this lesson shows its figures without internet.
offline_figures()

# %% [markdown]
# ## SCS in failed back surgery syndrome and CRPS
# Trial figures: PROCESS (Kumar et al. 2007 Pain 132:179), tonic SCS for FBSS: 48 % of
# patients had >= 50 % leg-pain relief at 6 months, 9 % with medical management alone; Kemler
# et al. 2000 (N Engl J Med 343:618), CRPS: 39 % "much improved", 6 % with physiotherapy;
# SENZA-RCT (Kapural et al. 2015 Anesthesiology 123:851): 10 kHz 84.5 % back-pain responders
# at 3 months versus 43.8 % for tonic; pooled burst data (Chakravarthy et al. 2019): burst
# relieved more than tonic.

# %%
trials = {  # (program, patient): (trial responder rate, source)
    ("scs-tonic", "failed-back-surgery"): (0.48, "PROCESS, Kumar 2007"),
    ("scs-tonic", "crps"): (0.39, "Kemler 2000 ('much improved')"),
    ("scs-10khz", "failed-back-surgery"): (0.845, "SENZA-RCT back pain, Kapural 2015"),
    ("scs-burst", "failed-back-surgery"): (None, "pooled burst vs tonic, Chakravarthy 2019"),
    ("off", "failed-back-surgery"): (0.09, "PROCESS medical management"),
    ("off", "crps"): (0.06, "Kemler physiotherapy"),
}
rows = []
for (prog, pat), (trial, source) in trials.items():
    r = cohort(prog, pat)
    rows.append((prog, pat, r, trial, source))
    trial_txt = "-" if trial is None else f"{100 * trial:.0f} %"
    print(f"{prog:10s} {pat:20s} model {100 * r.responder_rate:5.1f} % "
          f"(95 % CI {100 * r.ci_low:.0f}-{100 * r.ci_high:.0f})   trial {trial_txt:>5s}  {source}")
    # each virtual trial lands within 15 points of the published one
    assert trial is None or abs(r.responder_rate - trial) <= 0.15, (prog, pat)

# %%
fig = go.Figure()
labels = [f"{p}<br>{q}" for p, q, *_ in rows]
fig.add_bar(x=labels, y=[100 * r.responder_rate for _, _, r, _, _ in rows], name="model",
            error_y=dict(type="data", symmetric=False,
                         array=[100 * (r.ci_high - r.responder_rate) for _, _, r, _, _ in rows],
                         arrayminus=[100 * (r.responder_rate - r.ci_low)
                                     for _, _, r, _, _ in rows]))
fig.add_scatter(x=labels, y=[None if t is None else 100 * t for *_, t, _ in rows],
                mode="markers", marker=dict(size=14, symbol="diamond"), name="trial")
fig.update_layout(yaxis_title="responders (>= 50 % relief) [%]", yaxis_range=[0, 100],
                  title="Virtual cohorts against the trials")
fig

# %% [markdown]
# ## The distribution behind a responder rate
# A responder rate hides the spread: many patients improve a little without reaching 50 %.

# %%
r = rows[0][2]
go.Figure(go.Histogram(x=r.reductions_pct, nbinsx=30)).update_layout(
    xaxis_title="pain reduction [%]", yaxis_title="patients",
    title=f"Tonic SCS in FBSS: mean reduction {r.mean_reduction_pct:.0f} %")

# %% [markdown]
# ## Who is counted: the screening trial
# Before a permanent SCS or DRG implant, patients have a temporary trial of about a week, and
# only those with at least 50 % relief are implanted. PROCESS counted the trial failures as
# non-responders (48 % of everyone); Evoke (Mekhail et al. 2020 Lancet Neurol 19:123)
# reported its arms among the implanted: 61.0 % with open-loop and 83.1 % with closed-loop
# SCS at 12 months. `screening_trial=True` adds the trial: the same program a week in, the
# patient's pain that week, and the extra hope of a trial that decides about an implant (sized
# so that 84 % pass, as 42 of 50 did in PROCESS). The patients and their follow-up do not
# change; the trial only decides who is counted.

# %%
arms = {}
for mode, evoke in (("open", 0.610), ("closed", 0.831)):
    s = Session(program=program("scs-tonic", loop_mode=mode), duration_s=SESSION_S)
    r = run_cohort(s, "failed-back-surgery", n=N, seed=1, progress=False,
                   screening_trial=True)
    arms[mode] = r
    print(f"{mode:6s} loop: {100 * r.implanted / r.n:3.0f} % pass the trial; responders "
          f"{100 * r.responder_rate_itt:3.0f} % of everyone, {100 * r.responder_rate:3.0f} % "
          f"of the implanted (95 % CI {100 * r.ci_low:.0f}-{100 * r.ci_high:.0f})   Evoke "
          f"{100 * evoke:.0f} %")
    # selecting on the trial raises the rate among the implanted above the rate of everyone
    assert r.responder_rate > r.responder_rate_itt
    # and each arm lands within 15 points of Evoke's
    assert abs(r.responder_rate - evoke) <= 0.15, mode
assert arms["closed"].responder_rate > arms["open"].responder_rate

# %% [markdown]
# The open arm lands near Evoke's; the closed arm stays about ten points below Evoke's 83 %.
# In the model a closed loop helps only by keeping the patient in the therapeutic window
# through the day, and that alone does not reach Evoke's closed arm (`docs/model.md`, Known
# limits).

# %% [markdown]
# ## Drugs against their numbers-needed-to-treat
# Finnerup et al. 2015 (Lancet Neurol 14:162) pooled the drug trials: a drug's responder rate is the
# placebo rate plus 1/NNT. Every drug cohort below includes each virtual patient's placebo
# (expectation) response, as the trials' drug arms do. No drug helps half of the patients.

# %%
from sim.presets import treatment_session

nnt = {"placebo": None, "amitriptyline": 3.6, "venlafaxine": 6.4, "gabapentin": 6.3,
       "capsaicin-patch": 10.6, "lidocaine-patch": None}
placebo_rate = None
for name, n_nt in nnt.items():
    r = run_cohort(treatment_session(name), "painful-diabetic-neuropathy", n=N, seed=1,
                   progress=False)
    if name == "placebo":
        placebo_rate = r.responder_rate
    target = "" if n_nt is None else f"placebo + 1/NNT = {100 * (placebo_rate + 1 / n_nt):.0f} %"
    print(f"{name:16s} responders {100 * r.responder_rate:5.1f} % "
          f"(95 % CI {100 * r.ci_low:.0f}-{100 * r.ci_high:.0f})  {target}")

# %% [markdown]
# ## Where the model agrees, and where it does not
# * **Ordering**: in the model, 10 kHz beats tonic, as in SENZA-RCT. But the model's 10 kHz
#   relief comes entirely from one *contested* hypothesis (direct kHz effects on inhibitory
#   interneurons, calibrated to SENZA); switch `mechanism_khz_direct` off and it vanishes. The
#   trial result is real; the model's explanation of it is not established, and the PROCO
#   trial found 1-10 kHz equally effective, which the model does not reproduce.
# * **Control arms** respond too (about 5-12 %): with no therapy at all, selection at a bad
#   spell, month-to-month fluctuation and the expectation of usual care are enough.
# * **Tonic SCS** relief depends on how much of the painful dermatome each patient's amplitude
#   covers and on their inhibition; "about half respond" is reproduced because the patient
#   distributions and the natural history are calibrated together, not predicted.
# * **Burst** relieves at least as much as tonic through a spinal (GABA) part and a
#   low-evidence supraspinal (affective) part that both need recruited fibres; the pooled data
#   it is calibrated to favour burst (crossover studies of tonic users, industry funded).
# * **Placebo** acts in every cohort, device cohorts included: the SCS trials compared open
#   label against medical management, so their responder rates include expectation.
# * Device complications, habituation and lead migration are not modelled.
# * Drug effects are small shifts of a steep gate: a few percent less C transmission is a
#   large change in pain. Their cohort rates are *calibrated* to the NNTs, not predicted.
