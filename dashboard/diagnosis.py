"""The "Diagnosis" tab: sensory and motor conduction studies, needle EMG, the localisation
exercise, bedside examination, pain and mood over weeks.

Same shell rules as the rest of the dashboard: the figures come from
:mod:`dashboard.diagnosis_figures` (pure plotly, no Dash: the notebooks use them too); here
are the tab's layout and the glue callbacks that read the session store, so the tab always
shows the patient of the main controls. The tab's callbacks
follow a copy of the session that the browser makes only while the tab is shown, so a slider
release elsewhere sends no request for it.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from dashboard import figures as F
from dashboard.diagnosis_figures import (
    course_figure,
    course_text,
    emg_figure,
    emg_text,
    exam_figure,
    exam_text,
    localisation_text,
    motor_figure,
    motor_table,
    ncs_figure,
    ncs_table,
)
from dashboard.state import user_message
from sim.params import PARAMETERS, ParameterError

__all__ = ["ncs_figure", "exam_figure", "course_figure", "ncs_table", "exam_text",
           "course_text", "motor_figure", "motor_table", "emg_figure", "emg_text",
           "localisation_text", "panel", "register", "TAB_VALUE", "EXAM_BUTTONS",
           "motor_update", "emg_update", "localise_update", "LOCALISE_PROMPT"]

#: Value of the diagnosis tab in ``fig-tabs``.
TAB_VALUE = "diagnosis"
#: Bedside buttons: (button id, stimulus, label).
EXAM_BUTTONS = (("dx-brush", "brush", "Brush"), ("dx-pinprick", "pinprick", "Pinprick ×10"),
                ("dx-cold", "cold", "Cold"), ("dx-warm", "warm", "Warm"),
                ("dx-pressure", "pressure", "Pressure"))
#: Shown in the localisation block until the student asks for the report.
LOCALISE_PROMPT = ("Examine the patient with the studies above (nerves, muscles), decide where "
                   "the lesion is, then press the button to read the report.")

#: Care options of the course: (checklist value, declared course day, label).
CARE_OPTIONS = (("surgery", "decompression_day", "decompression on day"),
                ("physio", "physiotherapy_from_day", "physiotherapy from day"),
                ("education", "education_from_day", "pain education from day"))
#: HbA1c choices of the course: none, or a diabetic course of ten years at that HbA1c.
HBA1C_OPTIONS = [{"label": "no diabetes course", "value": "none"},
                 *[{"label": f"HbA1c {h:g} % over 10 years", "value": f"{h:g}"}
                   for h in (6.5, 7.2, 8.0, 9.1, 10.5)]]
#: Length and step of the diabetic course [days, h].
DIABETES_COURSE_DAYS, DIABETES_COURSE_STEP_H = 3650.0, 24.0


def _graph(graph_id: str, filename: str) -> dcc.Graph:
    config: Any = {**F.GRAPH_CONFIG, "toImageButtonOptions": {
        **F.GRAPH_CONFIG["toImageButtonOptions"], "filename": filename}}
    return dcc.Graph(id=graph_id, config=config, className="graph dx-graph",
                     figure=F.make_figure([], F.base_layout(F.FigureOptions(), "")))


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
            {"label": "Median (sensory, hand)", "value": "median"},
            {"label": "Ulnar (sensory, hand)", "value": "ulnar"},
            {"label": "Superficial peroneal (sensory, foot)", "value": "superficial-peroneal"}],
            value="sural", clearable=False, className="dx-dropdown")],
            "fig-ncs", "neuromod-ncs", "dx-ncs-table"),
        _block("Motor conduction study", [dcc.Dropdown(id="dx-motor-nerve", options=[
            {"label": "Median (thumb, APB)", "value": "median"},
            {"label": "Ulnar (little finger, ADM)", "value": "ulnar"},
            {"label": "Peroneal (foot, EDB)", "value": "peroneal"},
            {"label": "Tibial (foot, AH)", "value": "tibial"}],
            value="median", clearable=False, className="dx-dropdown")],
            "fig-motor", "neuromod-motor", "dx-motor-table"),
        _block("Needle EMG", [
            dcc.Dropdown(id="dx-muscle", options=[
                {"label": m.label, "value": m.name} for m in _muscles()],
                value=PARAMETERS["emg_muscle"].default, clearable=False,
                className="dx-dropdown"),
            dcc.RadioItems(id="dx-emg-effort", options=[
                {"label": " at rest", "value": "rest"},
                {"label": " slight effort", "value": "slight"}],
                value="rest", inline=True, className="dx-checks"),
            html.Audio(id="dx-emg-audio", controls=True, className="dx-audio")],
            "fig-emg", "neuromod-emg", "dx-emg-text"),
        html.Div([
            html.Div([html.Span("Finding the lesion", className="dx-title"),
                      html.Button("Show the report", id="dx-localise", n_clicks=0,
                                  className="small-button")], className="dx-head"),
            dcc.Markdown(LOCALISE_PROMPT, id="dx-localise-text",
                         dangerously_allow_html=True),
        ], className="panel dx-block"),
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
             "value": "therapy"},
            *[{"label": f" {label} {PARAMETERS[name].default:g}", "value": value}
              for value, name, label in CARE_OPTIONS]],
            value=[], inline=True, className="dx-checks"),
            dcc.Dropdown(id="dx-course-hba1c", options=HBA1C_OPTIONS, value="none",
                         clearable=False, className="dx-dropdown",
                         placeholder=PARAMETERS["hba1c_pct"].label)],
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
    from dashboard.state import default_session, session_or_none as _session_or_none
    return _session_or_none(doc) or default_session()


def central_pain_notes(session: Any, surgery: bool = False) -> list[str]:
    """Why the session's program, treatments (and a decompression) do or do not reach a
    central pain generator (:func:`sim.care.central_pain_reason`); empty for peripheral
    pain."""
    from sim.care import central_pain_reason
    pat = session.patient
    what = [session.program.therapy] if session.program.is_active else []
    what += [tr.info.category for tr in session.treatments]
    what += ["surgery"] if surgery else []
    out: list[str] = []
    for w in what:
        why = central_pain_reason(pat, w)
        if why and why not in out:
            out.append(why)
    return out


def _number(value: Any) -> Any:
    """A dropdown's text as a number when it reads as one (validation names the rest)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _error(exc: ParameterError) -> str:
    return f'<div class="param-msg" role="alert">{escape(user_message(exc))}</div>'


def ncs_update(doc: Any, nerve: Any, view: Any) -> tuple[Any, str]:
    """(figure, table) of the conduction study of the session's patient."""
    from sim.ncs import NERVES, nerve_conduction_study
    from sim.patients import patient
    try:
        name = nerve if nerve in NERVES else "sural"
        d = NERVES[name].limits.standard_distance_mm  # the limits' own distance
        res = nerve_conduction_study(_session(doc).patient, nerve=name, distance_mm=d)
        healthy = nerve_conduction_study(patient("healthy"), nerve=name, distance_mm=d)
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    return ncs_figure(res, healthy, options=_options(view)), ncs_table(res)


def _muscles() -> list:
    from sim.emg import MUSCLES
    return list(MUSCLES.values())


def motor_update(doc: Any, nerve: Any, view: Any) -> tuple[Any, str]:
    """(figure, table) of the motor conduction study of the session's patient."""
    from sim.motor import motor_conduction_study
    try:
        res = motor_conduction_study(_session(doc).patient, nerve or "median")
        healthy = motor_conduction_study("healthy", nerve or "median")
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    return motor_figure(res, healthy, options=_options(view)), motor_table(res)


def emg_update(doc: Any, muscle: Any, effort: Any, view: Any) -> tuple[Any, str, Any]:
    """(figure, text, sound as a data URL) of the needle EMG of the session's patient."""
    import base64

    from sim.emg import needle_emg, wav_bytes
    try:
        res = needle_emg(_session(doc).patient, muscle or PARAMETERS["emg_muscle"].default,
                         effort=0.0 if effort != "slight" else None)
    except ParameterError as exc:
        return dash.no_update, _error(exc), dash.no_update
    sound = "data:audio/wav;base64," + base64.b64encode(wav_bytes(res)).decode("ascii")
    return emg_figure(res, options=_options(view)), emg_text(res), sound


def localise_update(doc: Any, asked: bool) -> str:
    """The localisation report of the session's patient, or the prompt until ``asked``."""
    from sim.localise import localise
    if not asked:
        return LOCALISE_PROMPT
    try:
        return localisation_text(localise(_session(doc).patient))
    except ParameterError as exc:
        return _error(exc)


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


def course_update(doc: Any, opts: Sequence[str] | None, view: Any,
                  hba1c: Any = None) -> tuple[Any, str]:
    """(figure, text) of a 12-week course of the session's patient, program and day-scale
    treatments; other treatments (blocks) act for hours and are left out, with a note. With
    an HbA1c (``hba1c``, text or number; ``"none"`` or None for none) the course runs ten
    years of diabetes at that control."""
    from sim.mood import COURSE_KINDS, Course, simulate_course
    chosen = set(opts or ())
    s = _session(doc)
    kept = tuple(tr for tr in s.treatments if tr.info.category in COURSE_KINDS)
    notes = []
    if len(kept) < len(s.treatments):
        notes.append("Nerve blocks act for hours and are left out of the weeks-long course.")
    stim = "stim" in chosen
    if stim and s.program.therapy == "off":
        notes.append("The program is off: choose a stimulation program to switch on.")
        stim = False
    try:
        d = {n: PARAMETERS[n].default for n in ("course_days", "course_step_h",
                                                "stimulation_from_day",
                                                "psychological_therapy_from_day")}
        h = None if hba1c in (None, "", "none") else PARAMETERS["hba1c_pct"].validate(
            _number(hba1c))
        days, step = ((DIABETES_COURSE_DAYS, DIABETES_COURSE_STEP_H) if h is not None
                      else (d["course_days"], d["course_step_h"]))
        care: dict[str, Any] = {name: PARAMETERS[name].default if value in chosen else None
                for value, name, _ in CARE_OPTIONS}
        res = simulate_course(Course(
            s.replace(treatments=kept), days=days, step_h=step,
            stimulation_from_day=d["stimulation_from_day"] if stim else None,
            psychological_therapy_from_day=(d["psychological_therapy_from_day"]
                                            if "therapy" in chosen else None),
            hba1c_pct=h, **care))
    except ParameterError as exc:
        return dash.no_update, _error(exc)
    notes += central_pain_notes(s, "surgery" in chosen)
    text = course_text(res) + "".join(f'<div class="dx-small">{escape(n)}</div>'
                                      for n in notes)
    return course_figure(res, options=_options(view)), text


#: Browser side: copy the session store into ``dx-session`` only while the tab is shown.
_FOLLOW_SESSION = """function(tab, doc) {
    if (tab !== "%s") { return window.dash_clientside.no_update; }
    return doc;
}""" % TAB_VALUE  # noqa: UP031 - JavaScript: its braces would need doubling in a format string


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

    @app.callback(Output("fig-motor", "figure"), Output("dx-motor-table", "children"),
                  Input("dx-session", "data"), Input("dx-motor-nerve", "value"),
                  Input("store-view", "data"), State("fig-tabs", "value"),
                  prevent_initial_call=True)
    def _motor(doc, nerve, view, tab):
        return motor_update(doc, nerve, view) if tab == TAB_VALUE else hidden

    @app.callback(Output("fig-emg", "figure"), Output("dx-emg-text", "children"),
                  Output("dx-emg-audio", "src"),
                  Input("dx-session", "data"), Input("dx-muscle", "value"),
                  Input("dx-emg-effort", "value"), Input("store-view", "data"),
                  State("fig-tabs", "value"), prevent_initial_call=True)
    def _emg(doc, muscle, effort, view, tab):
        return emg_update(doc, muscle, effort, view) if tab == TAB_VALUE else \
            (*hidden, dash.no_update)

    @app.callback(Output("dx-localise-text", "children"),
                  Input("dx-session", "data"), Input("dx-localise", "n_clicks"),
                  State("fig-tabs", "value"), prevent_initial_call=True)
    def _localise(doc, _clicks, tab):
        if tab != TAB_VALUE:
            return dash.no_update
        return localise_update(doc, dash.ctx.triggered_id == "dx-localise")

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
                  Input("store-view", "data"), Input("dx-course-hba1c", "value"),
                  State("fig-tabs", "value"), prevent_initial_call=True)
    def _course(doc, opts, view, hba1c, tab):
        return course_update(doc, opts, view, hba1c) if tab == TAB_VALUE else hidden
