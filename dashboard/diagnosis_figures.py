"""Figures of the diagnosis stage: the sensory and motor nerve conduction studies, the needle
EMG, the localisation report, the bedside examination and pain and mood over weeks, as
plotly figures and short HTML texts.

Pure builders ``(result, options) -> go.Figure`` that import no Dash: the dashboard's
Diagnosis tab (:mod:`dashboard.diagnosis`), the notebooks and the docs draw with them.
"""
from __future__ import annotations

from html import escape
from typing import Any

import plotly.graph_objects as go

from dashboard import figures as F
from dashboard.state import patient_title

__all__ = ["ncs_figure", "exam_figure", "course_figure", "ncs_table", "exam_text",
           "course_text", "motor_figure", "motor_table", "emg_figure", "emg_text",
           "localisation_text", "NORMAL_FILL", "STIMULUS_FILL", "COLOR_HEALTHY", "COLOR_ANXIETY",
           "COLOR_DEPRESSION"]

#: Shading of normal ranges and of the stimulus window.
NORMAL_FILL = "rgba(0,158,115,0.13)"
STIMULUS_FILL = "rgba(86,180,233,0.22)"
COLOR_HEALTHY = "#777777"
#: Mood colours (Okabe-Ito): anxiety, depression.
COLOR_ANXIETY, COLOR_DEPRESSION = "#E69F00", "#CC79A7"


# --------------------------------------------------------------------------------------------
# Figure builders (pure)
# --------------------------------------------------------------------------------------------
def ncs_figure(result: Any, healthy: Any = None, *,
               options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """The recorded sensory nerve action potential with its normal limits shaded.

    The title names the nerve, the patient (the patient preset's title, or "custom patient")
    and the verdict.

    Parameters
    ----------
    result : sim.ncs.NCSResult
        The patient's study (its ``patient`` is a preset name or ``"custom"``).
    healthy : sim.ncs.NCSResult, optional
        A healthy study of the same nerve and distance, drawn dashed for comparison.
    options : FigureOptions
        Lecture mode.
    """
    lim = result.limits
    t, v = result.time_ms, result.potential_uV
    data = []
    if healthy is not None:
        data.append(dict(type="scatter", x=list(healthy.time_ms), y=list(healthy.potential_uV),
                         mode="lines", name="healthy", hoverinfo="skip",
                         line=dict(color=COLOR_HEALTHY, width=options.line_width * 0.7,
                                   dash="dash")))
    data.append(dict(type="scatter", x=list(t), y=list(v), mode="lines", name="patient",
                     line=dict(color=F.COLOR_B, width=options.line_width),
                     hovertemplate="%{x:.2f} ms<br>%{y:.1f} µV<extra></extra>"))
    peak = max([abs(x) for x in v] + [abs(x) for x in (healthy.potential_uV
                                                       if healthy is not None else [])] + [1.0])
    y_top = F.nice_ceil(1.15 * max(peak, lim["amplitude_uV"]))
    shapes = [
        # latency: the normal window for the onset, up to the upper limit
        dict(type="rect", xref="x", yref="paper", x0=0.0, x1=lim["onset_latency_ms"], y0=0,
             y1=1, fillcolor=NORMAL_FILL, line=dict(width=0), layer="below"),
        # amplitude: the lower limit of normal, as a band above which a SNAP must reach
        dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=-lim["amplitude_uV"],
             y1=-lim["amplitude_uV"], line=dict(color=F.WARN, width=1.5, dash="dot")),
    ]
    anns = [dict(text=f"normal onset ≤ {lim['onset_latency_ms']:.1f} ms", xref="x",
                 yref="paper", x=lim["onset_latency_ms"], y=1.0, xanchor="right",
                 yanchor="top", showarrow=False, font=dict(size=options.font_size - 1)),
            dict(text=f"lower limit of amplitude {lim['amplitude_uV']:.0f} µV", xref="paper",
                 yref="y", x=1.0, y=-lim["amplitude_uV"], xanchor="right", yanchor="top",
                 showarrow=False, font=dict(size=options.font_size - 1, color=F.WARN))]
    verdict = "normal study" if result.normal else "abnormal study"
    who = patient_title(getattr(result, "patient", None))
    layout = F.base_layout(
        options, f"Sensory conduction study ({result.nerve}), {who}: {verdict}",
        xaxis=F.axis_style(options, title="time after the stimulus [ms]",
                      range=[0, float(t[-1])]),
        yaxis=F.axis_style(options, title="potential [µV] (negative up)", autorange="reversed",
                      range=[y_top, -y_top]),
        shapes=shapes, annotations=anns, hovermode="x")
    layout["yaxis"].pop("range", None)
    layout["yaxis"]["range"] = [y_top, -y_top]
    layout["yaxis"]["autorange"] = False
    return F.make_figure(data, layout)


def ncs_table(result: Any) -> str:
    """The study's numbers against their normal limits, as HTML text."""
    rows = []
    for label, key, unit, fmt in (
            ("Onset latency", "onset_latency_ms", "ms", ".2f"),
            ("Peak latency", "peak_latency_ms", "ms", ".2f"),
            ("Amplitude", "amplitude_uV", "µV", ".1f"),
            ("Conduction velocity", "conduction_velocity_m_per_s", "m/s", ".1f")):
        value = getattr(result, key)
        limit = result.limits.get(key)
        ok = result.within.get(key, True)
        sign = "≤" if key.endswith("latency_ms") else "≥"
        lim_text = f"{sign} {limit:{fmt}} {unit}" if limit is not None else "–"
        cls = "ok" if ok else "bad"
        rows.append(f'<tr><td>{escape(label)}</td><td>{value:{fmt}} {unit}</td>'
                    f'<td>{escape(lim_text)}</td><td class="{cls}">'
                    f'{"normal" if ok else "abnormal"}</td></tr>')
    notes = "".join(f"<li>{escape(x)}</li>" for x in result.findings)
    return ('<table class="dx-table"><tr><th>measure</th><th>value</th><th>normal</th>'
            '<th></th></tr>' + "".join(rows) + "</table>"
            + (f'<ul class="dx-notes">{notes}</ul>' if notes else ""))


def exam_figure(finding: Any, healthy: Any = None, *,
                options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """Pain during one bedside test (stimulus window shaded), with the healthy response."""
    from sim.exam import REST_S, STIMULUS_S
    data = []
    if healthy is not None:
        data.append(dict(type="scatter", x=healthy.t_s.tolist(), y=healthy.pain_nrs.tolist(),
                         mode="lines", name="healthy", hoverinfo="skip",
                         line=dict(color=COLOR_HEALTHY, width=options.line_width * 0.7,
                                   dash="dash")))
    data.append(dict(type="scatter", x=finding.t_s.tolist(), y=finding.pain_nrs.tolist(),
                     mode="lines", name="patient",
                     line=dict(color=F.COLOR_B, width=options.line_width),
                     hovertemplate="%{x:.1f} s<br>pain %{y:.1f}<extra></extra>"))
    shapes = [dict(type="rect", xref="x", yref="paper", x0=REST_S, x1=REST_S + STIMULUS_S,
                   y0=0, y1=1, fillcolor=STIMULUS_FILL, line=dict(width=0), layer="below")]
    anns = [dict(text=f"{finding.stimulus} ({finding.fibres})", xref="x", yref="paper",
                 x=REST_S + STIMULUS_S / 2, y=1.0, yanchor="top", showarrow=False,
                 font=dict(size=options.font_size - 1))]
    layout = F.base_layout(
        options, f"Bedside test: {finding.stimulus} → {finding.finding}",
        xaxis=F.axis_style(options, title="time [s]", range=[0, float(finding.t_s[-1])]),
        yaxis=F.axis_style(options, title="pain [NRS 0-10]", range=[0, 10.5]),
        shapes=shapes, annotations=anns)
    return F.make_figure(data, layout)


def exam_text(finding: Any) -> str:
    """The finding in a sentence, with detection and evoked pain, as HTML text (no ``<br>``
    or ``<strong>``: dcc.Markdown drops an HTML block holding them)."""
    wur = (f" · wind-up ratio {finding.windup_ratio:.1f}" if finding.windup_ratio is not None
           else "")
    return (f'<div class="dx-finding"><b>{escape(finding.finding.capitalize())}.</b> '
            f'{escape(finding.explanation)}</div><div class="dx-small">felt '
            f'{100 * finding.detected:.0f} % of normal · pain {finding.pain_before_nrs:.1f} → '
            f'{finding.pain_during_nrs:.1f} NRS (healthy: +{finding.healthy_evoked_nrs:.1f})'
            f'{escape(wur)}</div>')


def course_figure(result: Any, *, options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """Pain (left axis) and anxiety, depression and movement limitation (right axis) over the
    course's days; with a care option (surgery, physiotherapy, education, HbA1c) a lower panel
    shows muscle mass, range of motion, conduction and the sural amplitude as % of normal.

    Both axes run 0-10, and every legend entry states its scale and axis: pain as NRS 0-10
    (left); anxiety, depression and movement limitation, which the model keeps as 0-1
    (the patient's settings), are drawn as 0-10 (10 = severe) on the right.
    """
    day = result.day.tolist()
    s = result.series
    w = options.line_width
    data = [
        dict(type="scatter", x=day, y=s["pain_nrs"].tolist(), name="pain (NRS 0-10, left)",
             mode="lines", line=dict(color=F.COLOR_B, width=w),
             hovertemplate="day %{x:.1f}<br>pain %{y:.1f} NRS<extra></extra>"),
        dict(type="scatter", x=day, y=s["pain_without_mood"].tolist(),
             name="pain if mood stayed calm (NRS 0-10, left)", mode="lines", hoverinfo="skip",
             line=dict(color=F.COLOR_B, width=w * 0.6, dash="dot")),
        dict(type="scatter", x=day, y=(10 * s["anxiety"]).tolist(),
             name="anxiety (0-10, right)", mode="lines",
             line=dict(color=COLOR_ANXIETY, width=w), yaxis="y2",
             hovertemplate="day %{x:.1f}<br>anxiety %{y:.1f}/10<extra></extra>"),
        dict(type="scatter", x=day, y=(10 * s["depression"]).tolist(),
             name="depression (0-10, right)", mode="lines",
             line=dict(color=COLOR_DEPRESSION, width=w), yaxis="y2",
             hovertemplate="day %{x:.1f}<br>depression %{y:.1f}/10<extra></extra>"),
        dict(type="scatter", x=day, y=(10 * s["movement_limitation"]).tolist(),
             name="movement limitation (0-10, right; qualitative)", mode="lines", yaxis="y2",
             line=dict(color="#009E73", width=w * 0.6, dash="dash"), hoverinfo="skip"),
    ]
    c = result.course
    care = _has_care(c)
    if care:
        data += _care_traces(result, w)
    shapes, anns = [], []
    # Care labels sit lower, one row each, so that labels of the same day do not overlap.
    for d0, text, y in ((c.stimulation_from_day, "stimulation on", 1.0),
                        (c.psychological_therapy_from_day, "psychological therapy", 1.0),
                        (c.decompression_day, "decompression", 0.85),
                        (c.physiotherapy_from_day, "physiotherapy", 0.79),
                        (c.education_from_day, "pain education", 0.73)):
        if d0 is not None:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=d0, x1=d0, y0=0, y1=1,
                               line=dict(color="#444444", width=1.2, dash="dot")))
            anns.append(dict(text=text, xref="x", yref="paper", x=d0, y=y, xanchor="left",
                             yanchor="top", showarrow=False,
                             font=dict(size=options.font_size - 1)))
    for tr in c.session.treatments:
        anns.append(dict(text=f"{tr.kind} from day {tr.treatment_day:g}", xref="x",
                         yref="paper", x=tr.treatment_day, y=0.92, xanchor="left",
                         yanchor="top", showarrow=False, font=dict(size=options.font_size - 1)))
    title = "Pain and mood over weeks (teaching model)"
    if c.hba1c_pct is not None:
        title = f"Diabetes over {float(day[-1]) / 365.25:.0f} years at HbA1c {c.hba1c_pct:g} % " \
                "(teaching model)"
    panel: dict = {}
    if care:  # a lower panel for the body: muscle, movement, nerve
        panel = dict(xaxis=F.axis_style(options, title="day", range=[0, float(day[-1])],
                                   anchor="y3"),
                     yaxis=F.axis_style(options, title="pain [NRS 0-10]", range=[0, 10.5],
                                   domain=[CARE_PANEL_TOP + 0.08, 1.0]),
                     yaxis3=F.axis_style(options, title="% of normal", range=[_care_floor(data),
                                                                          103],
                                    domain=[0.0, CARE_PANEL_TOP]))
    axes = dict(xaxis=F.axis_style(options, title="day", range=[0, float(day[-1])]),
                yaxis=F.axis_style(options, title="pain [NRS 0-10]", range=[0, 10.5]))
    axes.update(panel)
    layout = F.base_layout(
        options, title,
        yaxis2=dict(F.axis_style(options, title="mood and movement limitation [0-10]",
                            range=[0, 10.5]), overlaying="y", side="right", showgrid=False),
        **axes,
        shapes=shapes, annotations=anns, hovermode="x",
        margin=F.margins(options, r=90 if options.lecture else 64))
    return F.make_figure(data, layout)


#: Top of the lower panel of the course figure (body: muscle, movement, nerve) [paper].
CARE_PANEL_TOP = 0.3


def _care_floor(data: list[dict]) -> float:
    """Lower end of the lower panel [%]: 10 below its lowest value, in steps of 10, so that a
    few per cent of muscle lost over weeks can be seen."""
    low = min((min(d["y"]) for d in data if d.get("yaxis") == "y3"), default=0.0)
    return float(max(0.0, 10.0 * (low // 10.0) - 10.0))


def _has_care(course: Any) -> bool:
    """Whether a course uses any care option (surgery, physiotherapy, education, HbA1c)."""
    return any(getattr(course, n) is not None for n in (
        "decompression_day", "physiotherapy_from_day", "education_from_day", "hba1c_pct"))


def _care_traces(result: Any, w: float) -> list[dict]:
    """Lower panel of the course figure: muscle mass, range of motion, conduction across a
    compressed segment and the sural amplitude, each as % of normal (of day 0 for the
    amplitude)."""
    day = result.day.tolist()
    s = result.series
    amp = s["sural_amplitude_uV"]
    rows = [("muscle mass", 100 * s["muscle_mass"], "#009E73", "solid"),
            ("range of motion", 100 * s["range_of_motion"], "#56B4E9", "dot")]
    c = result.course
    if c.decompression_day is not None:
        rows.append(("conduction across the compression", 100 * s["nerve_conduction"],
                     "#D55E00", "dash"))
    if c.hba1c_pct is not None:
        rows.append(("sural amplitude (% of day 0)", 100 * amp / max(float(amp[0]), 1e-9),
                     "#8C564B", "solid"))
    return [dict(type="scatter", x=day, y=y.tolist(), name=f"{name} (%, lower panel)",
                 mode="lines", yaxis="y3", line=dict(color=color, width=w * 0.8, dash=dash),
                 hovertemplate=f"day %{{x:.0f}}<br>{name} %{{y:.0f}} %<extra></extra>")
            for name, y, color, dash in rows]


def course_text(result: Any) -> str:
    """Start and end of the course in one line, as HTML text."""
    s = result.summary
    return (f'<div class="dx-small">Day 0 → day {result.day[-1]:g}: pain '
            f'{s["pain_start_nrs"]:.1f} → {s["pain_end_nrs"]:.1f} NRS '
            f'({s["pain_from_mood_end_nrs"]:+.1f} from mood) · anxiety '
            f'{10 * s["anxiety_start"]:.1f} → {10 * s["anxiety_end"]:.1f} · depression '
            f'{10 * s["depression_start"]:.1f} → {10 * s["depression_end"]:.1f} (0-10) · '
            f'muscle {100 * float(s["muscle_mass_end"] or 0):.0f} %, range of motion '
            f'{100 * float(s["range_of_motion_end"] or 0):.0f} %, pain-related fear '
            f'{10 * float(s["fear_end"] or 0):.1f}/10</div>' + _diabetes_text(result))


def _diabetes_text(result: Any) -> str:
    """One line on the diabetic course: HbA1c, axonal loss, sural amplitude, pain onset."""
    c, s = result.course, result.summary
    if c.hba1c_pct is None:
        return ""
    onset = s["pain_onset_day"]
    when = (f"moderate pain from year {onset / 365.25:.1f}" if onset is not None
            else "no moderate pain")
    return (f'<div class="dx-small">HbA1c {c.hba1c_pct:g} %: '
            f'{100 * float(s["axonal_loss_end"] or 0):.0f} % of large axons lost, sural '
            f'amplitude {s["sural_amplitude_start_uV"]:.1f} → '
            f'{s["sural_amplitude_end_uV"]:.1f} µV, {when} (DCCT: intensive control, about '
            '60 % less neuropathy)</div>')


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Motor conduction, needle EMG, localisation
# --------------------------------------------------------------------------------------------
#: Colours of the stimulation sites, distal first (Okabe-Ito).
SITE_COLORS = ("#0072B2", "#D55E00", "#009E73")


def motor_figure(result: Any, healthy: Any = None, *,
                 options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """The CMAP from each stimulation site (distal first), negative up, with the healthy
    distal response dashed and the distal-latency limit shaded.

    Parameters
    ----------
    result : sim.motor.MotorResult
        The patient's motor study.
    healthy : sim.motor.MotorResult, optional
        A healthy study of the same nerve.
    options : FigureOptions
        Lecture mode.
    """
    t = [float(x) for x in result.time_ms]
    data = []
    if healthy is not None:
        data.append(dict(type="scatter", x=t, y=healthy.sites[0].potential_mV.tolist(),
                         mode="lines", name=f"healthy, {healthy.sites[0].site}",
                         hoverinfo="skip", line=dict(color=COLOR_HEALTHY, dash="dash",
                                                     width=options.line_width * 0.7)))
    for k, site in enumerate(result.sites):
        data.append(dict(type="scatter", x=t, y=site.potential_mV.tolist(), mode="lines",
                         name=f"stimulus at {site.site}" + (" (block)" if site.block else ""),
                         line=dict(color=SITE_COLORS[k % len(SITE_COLORS)],
                                   width=options.line_width),
                         hovertemplate="%{x:.2f} ms<br>%{y:.2f} mV<extra></extra>"))
    limit = next(m.limit for m in result.measures if m.name == "distal_latency_ms")
    peak = max([float(abs(s.potential_mV).max()) for s in result.sites] + [1.0])
    y_top = F.nice_ceil(1.15 * peak)
    shapes = [dict(type="rect", xref="x", yref="paper", x0=0.0, x1=limit, y0=0, y1=1,
                   fillcolor=NORMAL_FILL, line=dict(width=0), layer="below")]
    anns = [dict(text=f"normal distal latency ≤ {limit:g} ms", xref="x", yref="paper",
                 x=limit, y=1.0, xanchor="left", yanchor="top", showarrow=False,
                 font=dict(size=options.font_size - 1))]
    verdict = "normal study" if result.normal else "abnormal study"
    who = patient_title(getattr(result, "patient", None))
    layout = F.base_layout(
        options, f"Motor conduction study ({result.nerve}, {result.muscle}), {who}: {verdict}",
        xaxis=F.axis_style(options, title="time after the stimulus [ms]", range=[0, t[-1]]),
        yaxis=F.axis_style(options, title="CMAP [mV] (negative up)"),
        shapes=shapes, annotations=anns, hovermode="x")
    layout["yaxis"]["range"] = [y_top, -y_top]
    layout["yaxis"]["autorange"] = False
    return F.make_figure(data, layout)


def motor_table(result: Any) -> str:
    """Sites, then the measures against their limits and the findings, as HTML text."""
    rows = []
    for s in result.sites:
        lat = "absent" if s.onset_latency_ms != s.onset_latency_ms else \
            f"{s.onset_latency_ms:.2f} ms"
        cv = "" if s.segment_velocity_m_per_s != s.segment_velocity_m_per_s else \
            f"{s.segment_velocity_m_per_s:.1f} m/s"
        block = f" · amplitude −{100 * s.amplitude_drop:.0f} %" if s.amplitude_drop else ""
        rows.append(f"<tr><td>{escape(s.site)}</td><td>{lat}</td>"
                    f"<td>{s.amplitude_mV:.1f} mV</td><td>{escape(cv + block)}</td></tr>")
    meas = []
    for m in result.measures:
        value = "absent" if m.value != m.value else f"{m.value:.2f} {m.unit}"
        sign = "≥" if m.kind == "min" else "≤"
        cls = "ok" if m.normal else "bad"
        meas.append(f'<tr><td>{escape(m.label)}</td><td>{escape(value)}</td>'
                    f'<td>{sign} {m.limit:g} {escape(m.unit)}</td><td class="{cls}">'
                    f'{"normal" if m.normal else "abnormal"}</td></tr>')
    notes = "".join(f"<li>{escape(x)}</li>" for x in result.abnormal)
    return ('<table class="dx-table"><tr><th>stimulus at</th><th>latency</th><th>amplitude'
            '</th><th>segment</th></tr>' + "".join(rows) + "</table>"
            '<table class="dx-table"><tr><th>measure</th><th>value</th><th>normal</th><th>'
            '</th></tr>' + "".join(meas) + "</table>"
            + (f'<ul class="dx-notes">{notes}</ul>' if notes else ""))


def emg_figure(result: Any, *, options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """What the needle records (negative up, as on an EMG screen): spontaneous activity at
    rest, or the firing motor units at the chosen effort."""
    t = result.time_ms.tolist()
    data = [dict(type="scatter", x=t, y=(result.trace_uV / 1000.0).tolist(), mode="lines",
                 name="needle", line=dict(color=F.COLOR_B, width=options.line_width * 0.6),
                 hovertemplate="%{x:.1f} ms<br>%{y:.3f} mV<extra></extra>")]
    what = "at rest" if result.recruitment.effort == 0 or not result.trace_uV.any() \
        else "slight effort"
    peak = max(float(abs(result.trace_uV).max()) / 1000.0, 0.2)
    y_top = F.nice_ceil(1.1 * peak)
    verdict = "normal" if result.normal else ("myopathic" if result.myopathic else
                                             "neurogenic" if result.neurogenic else "abnormal")
    layout = F.base_layout(
        options, f"Needle EMG, {result.muscle_label} ({what}): {verdict}",
        xaxis=F.axis_style(options, title="time [ms]", range=[0, t[-1] if t else 1.0]),
        yaxis=F.axis_style(options, title="potential [mV] (negative up)"), hovermode="x")
    layout["yaxis"]["range"] = [y_top, -y_top]
    layout["yaxis"]["autorange"] = False
    return F.make_figure(data, layout)


def emg_text(result: Any) -> str:
    """Spontaneous activity, motor units and recruitment with their reference, as HTML."""
    u, r = result.mups, result.recruitment
    spont = (f"fibrillations and positive sharp waves {result.fibrillation_grade}+"
             if result.fibrillations else "none")
    rows = [("Spontaneous activity", spont),
            ("Motor-unit duration", f"{u.mean_duration_ms:.1f} ms (normal mean "
             f"{u.normal_duration_ms:.1f} ms, {u.duration_change_percent:+.0f} %)"),
            ("Motor-unit amplitude", f"{u.mean_amplitude_uV / 1000:.2f} mV (normal mean "
             f"{u.normal_amplitude_uV / 1000:.2f} mV)"),
            ("Polyphasic units", f"{u.polyphasic_percent:.0f} %"),
            ("Recruitment", f"{r.pattern}: {r.units_seen} unit(s) seen, fastest "
             f"{r.fastest_rate_hz:.0f} Hz, ratio {r.recruitment_ratio:.1f}")]
    body = "".join(f"<tr><td>{escape(a)}</td><td>{escape(b)}</td></tr>" for a, b in rows)
    notes = "".join(f"<li>{escape(x)}</li>" for x in result.findings)
    roots = ", ".join(f"{k} {100 * v:.0f} %" for k, v in result.roots.items())
    return (f'<div class="dx-small">{escape(result.nerve)} nerve; roots {escape(roots)}'
            f'</div><table class="dx-table">{body}</table>'
            f'<ul class="dx-notes">{notes}</ul>')


def localisation_text(result: Any) -> str:
    """The electrodiagnostic report: the conclusion, then the findings it rests on."""
    why = "".join(f"<li>{escape(x)}</li>" for x in result.reasoning)
    return (f'<div class="dx-finding"><b>Lesion site: {escape(result.site)}.</b> '
            f'{escape(result.conclusion)}</div><ul class="dx-notes">{why}</ul>')
