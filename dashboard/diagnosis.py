"""The "Diagnosis" tab: nerve conduction study, bedside examination, pain and mood over weeks.

Same shell rules as the rest of the dashboard: pure figure builders ``(result, options) ->
go.Figure`` (also used by the notebooks), a layout function, and glue callbacks that read the
session store, so the tab always shows the patient of the main controls. The tab's callbacks
follow a copy of the session that the browser makes only while the tab is shown, so a slider
release elsewhere sends no request for it.
"""
from __future__ import annotations

from html import escape
from typing import Any, Sequence

import dash
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html

from dashboard import figures as F
from dashboard.state import patient_title, user_message
from sim.params import PARAMETERS, ParameterError

__all__ = ["ncs_figure", "exam_figure", "course_figure", "ncs_table", "exam_text",
           "course_text", "panel", "register", "TAB_VALUE", "EXAM_BUTTONS"]

#: Value of the diagnosis tab in ``fig-tabs``.
TAB_VALUE = "diagnosis"
#: Bedside buttons: (button id, stimulus, label).
EXAM_BUTTONS = (("dx-brush", "brush", "Brush"), ("dx-pinprick", "pinprick", "Pinprick ×10"),
                ("dx-cold", "cold", "Cold"), ("dx-warm", "warm", "Warm"),
                ("dx-pressure", "pressure", "Pressure"))
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
    y_top = F._nice_ceil(1.15 * max(peak, lim["amplitude_uV"]))
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
    layout = F._layout(
        options, f"Sensory conduction study ({result.nerve}), {who}: {verdict}",
        xaxis=F._axis(options, title="time after the stimulus [ms]",
                      range=[0, float(t[-1])]),
        yaxis=F._axis(options, title="potential [µV] (negative up)", autorange="reversed",
                      range=[y_top, -y_top]),
        shapes=shapes, annotations=anns, hovermode="x")
    layout["yaxis"].pop("range", None)
    layout["yaxis"]["range"] = [y_top, -y_top]
    layout["yaxis"]["autorange"] = False
    return F._figure(data, layout)


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
    layout = F._layout(
        options, f"Bedside test: {finding.stimulus} → {finding.finding}",
        xaxis=F._axis(options, title="time [s]", range=[0, float(finding.t_s[-1])]),
        yaxis=F._axis(options, title="pain [NRS 0-10]", range=[0, 10.5]),
        shapes=shapes, annotations=anns)
    return F._figure(data, layout)


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
    course's days.

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
    shapes, anns = [], []
    for d0, text in ((c.stimulation_from_day, "stimulation on"),
                     (c.psychological_therapy_from_day, "psychological therapy")):
        if d0 is not None:
            shapes.append(dict(type="line", xref="x", yref="paper", x0=d0, x1=d0, y0=0, y1=1,
                               line=dict(color="#444444", width=1.2, dash="dot")))
            anns.append(dict(text=text, xref="x", yref="paper", x=d0, y=1.0, xanchor="left",
                             yanchor="top", showarrow=False,
                             font=dict(size=options.font_size - 1)))
    for tr in c.session.treatments:
        anns.append(dict(text=f"{tr.kind} from day {tr.treatment_day:g}", xref="x",
                         yref="paper", x=tr.treatment_day, y=0.92, xanchor="left",
                         yanchor="top", showarrow=False, font=dict(size=options.font_size - 1)))
    layout = F._layout(
        options, "Pain and mood over weeks (teaching model)",
        xaxis=F._axis(options, title="day", range=[0, float(day[-1])]),
        yaxis=F._axis(options, title="pain [NRS 0-10]", range=[0, 10.5]),
        yaxis2=dict(F._axis(options, title="mood and movement limitation [0-10]",
                            range=[0, 10.5]), overlaying="y", side="right", showgrid=False),
        shapes=shapes, annotations=anns, hovermode="x",
        margin=F._margin(options, r=90 if options.lecture else 64))
    return F._figure(data, layout)


def course_text(result: Any) -> str:
    """Start and end of the course in one line, as HTML text."""
    s = result.summary
    return (f'<div class="dx-small">Day 0 → day {result.day[-1]:g}: pain '
            f'{s["pain_start_nrs"]:.1f} → {s["pain_end_nrs"]:.1f} NRS '
            f'({s["pain_from_mood_end_nrs"]:+.1f} from mood) · anxiety '
            f'{10 * s["anxiety_start"]:.1f} → {10 * s["anxiety_end"]:.1f} · depression '
            f'{10 * s["depression_start"]:.1f} → {10 * s["depression_end"]:.1f} (0-10)</div>')


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------
def _graph(graph_id: str, filename: str) -> dcc.Graph:
    config = dict(F.GRAPH_CONFIG, toImageButtonOptions=dict(
        F.GRAPH_CONFIG["toImageButtonOptions"], filename=filename))
    return dcc.Graph(id=graph_id, config=config, className="graph dx-graph",
                     figure=F._figure([], F._layout(F.FigureOptions(), "")))


def _block(title: str, controls: list, graph_id: str, filename: str, text_id: str
           ) -> html.Div:
    """One block of the tab: title and controls, a figure, and a text below it."""
    return html.Div([
        html.Div([html.Span(title, className="dx-title"), *controls], className="dx-head"),
        _graph(graph_id, filename),
        dcc.Markdown(id=text_id, dangerously_allow_html=True),
    ], className="panel dx-block")


def panel() -> html.Div:
    """The tab's content: three blocks, each with its controls, figure and text."""
    return html.Div([
        _block("Nerve conduction study", [dcc.Dropdown(id="dx-nerve", options=[
            {"label": "Sural (sensory, leg)", "value": "sural"},
            {"label": "Median (sensory, hand)", "value": "median"}],
            value="sural", clearable=False, className="dx-dropdown")],
            "fig-ncs", "neuromod-ncs", "dx-ncs-table"),
        _block("Bedside examination",
               [html.Button(label, id=bid, n_clicks=0, className="small-button")
                for bid, _, label in EXAM_BUTTONS],
               "fig-exam", "neuromod-exam", "dx-exam-text"),
        _block(f"Pain and mood over {PARAMETERS['course_days'].default / 7:g} weeks",
               [dcc.Checklist(id="dx-course-opts", options=[
            {"label": f" stimulation from day "
                      f"{PARAMETERS['stimulation_from_day'].default:g}", "value": "stim"},
            {"label": f" psychological therapy from day "
                      f"{PARAMETERS['psychological_therapy_from_day'].default:g}",
             "value": "therapy"}],
            value=[], inline=True, className="dx-checks")],
            "fig-course", "neuromod-course", "dx-course-text"),
        dcc.Store(id="dx-exam-last", data="cold"),
        # The session, copied in the browser only while this tab is shown: a slider release
        # elsewhere sends no request for this tab.
        dcc.Store(id="dx-session", data={}),
    ], className="diagnosis")


# --------------------------------------------------------------------------------------------
# Glue
# --------------------------------------------------------------------------------------------
def _options(view: Any) -> F.FigureOptions:
    return F.FigureOptions(lecture=bool((view or {}).get("lecture")))


def _session(doc: Any):
    from dashboard.state import session_or_none as _session_or_none
    from dashboard.state import default_session
    return _session_or_none(doc) or default_session()


def _error(exc: ParameterError) -> str:
    return f'<div class="param-msg" role="alert">{escape(user_message(exc))}</div>'


def ncs_update(doc: Any, nerve: Any, view: Any) -> tuple[Any, str]:
    """(figure, table) of the conduction study of the session's patient."""
    from sim.ncs import nerve_conduction_study
    from sim.patients import patient
    try:
        res = nerve_conduction_study(_session(doc).patient, nerve=nerve or "sural")
        healthy = nerve_conduction_study(patient("healthy"), nerve=nerve or "sural")
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    return ncs_figure(res, healthy, options=_options(view)), ncs_table(res)


def exam_update(stimulus: Any, doc: Any, view: Any) -> tuple[Any, str]:
    """(figure, text) of one bedside test on the session's patient."""
    from sim.exam import examine
    from sim.patients import patient
    try:
        pat = _session(doc).patient
        f = examine(pat, stimulus)
        h = examine(patient("healthy"), stimulus)
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    return exam_figure(f, h, options=_options(view)), exam_text(f)


def course_update(doc: Any, opts: Sequence[str] | None, view: Any) -> tuple[Any, str]:
    """(figure, text) of a 12-week course of the session's patient, program and day-scale
    treatments; other treatments (blocks) act for hours and are left out, with a note."""
    from sim.mood import COURSE_KINDS, Course, simulate_course
    opts = set(opts or ())
    s = _session(doc)
    kept = tuple(tr for tr in s.treatments if tr.info.category in COURSE_KINDS)
    notes = []
    if len(kept) < len(s.treatments):
        notes.append("Nerve blocks act for hours and are left out of the weeks-long course.")
    stim = "stim" in opts
    if stim and s.program.therapy == "off":
        notes.append("The program is off: choose a stimulation program to switch on.")
        stim = False
    try:
        d = {n: PARAMETERS[n].default for n in ("course_days", "course_step_h",
                                                "stimulation_from_day",
                                                "psychological_therapy_from_day")}
        res = simulate_course(Course(
            s.replace(treatments=kept), days=d["course_days"], step_h=d["course_step_h"],
            stimulation_from_day=d["stimulation_from_day"] if stim else None,
            psychological_therapy_from_day=(d["psychological_therapy_from_day"]
                                            if "therapy" in opts else None)))
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    text = course_text(res) + "".join(f'<div class="dx-small">{escape(n)}</div>'
                                      for n in notes)
    return course_figure(res, options=_options(view)), text


#: Browser side: copy the session store into ``dx-session`` only while the tab is shown.
_FOLLOW_SESSION = """function(tab, doc) {
    if (tab !== "%s") { return window.dash_clientside.no_update; }
    return doc;
}""" % TAB_VALUE


def register(app: dash.Dash) -> None:
    """Attach the tab's callbacks to ``app``. They follow ``dx-session``, which the browser
    fills only while the tab is shown; a change of lecture mode while it is hidden returns at
    once."""
    hidden = (dash.no_update, dash.no_update)
    app.clientside_callback(_FOLLOW_SESSION, Output("dx-session", "data"),
                            Input("fig-tabs", "value"), Input("store-session", "data"))

    @app.callback(Output("fig-ncs", "figure"), Output("dx-ncs-table", "children"),
                  Input("dx-session", "data"), Input("dx-nerve", "value"),
                  Input("store-view", "data"), State("fig-tabs", "value"),
                  prevent_initial_call=True)
    def _ncs(doc, nerve, view, tab):
        return ncs_update(doc, nerve, view) if tab == TAB_VALUE else hidden

    @app.callback(Output("fig-exam", "figure"), Output("dx-exam-text", "children"),
                  Output("dx-exam-last", "data"),
                  Input("dx-session", "data"), Input("store-view", "data"),
                  *[Input(bid, "n_clicks") for bid, _, _ in EXAM_BUTTONS],
                  State("fig-tabs", "value"), State("dx-exam-last", "data"),
                  prevent_initial_call=True)
    def _exam(doc, view, *rest):
        tab, last = rest[-2], rest[-1]
        by_id = {bid: stim for bid, stim, _ in EXAM_BUTTONS}
        stimulus = by_id.get(dash.ctx.triggered_id, last or "cold")
        if tab != TAB_VALUE:
            return (*hidden, stimulus)
        return (*exam_update(stimulus, doc, view), stimulus)

    @app.callback(Output("fig-course", "figure"), Output("dx-course-text", "children"),
                  Input("dx-session", "data"), Input("dx-course-opts", "value"),
                  Input("store-view", "data"), State("fig-tabs", "value"),
                  prevent_initial_call=True)
    def _course(doc, opts, view, tab):
        return course_update(doc, opts, view) if tab == TAB_VALUE else hidden
