"""The "Placement" tab: the spine with the lead, the body map, and the ECAP.

Same shell rules as the Diagnosis tab: figures from :mod:`dashboard.placement_figures` (pure
plotly), layout and glue here, and the tab's callback follows a copy of the session that the
browser makes only while the tab is shown, so a slider release elsewhere costs nothing here.
The lead is moved with the "Lead level" and "Lateral offset" controls of the main form.
"""
from __future__ import annotations

from html import escape
from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from dashboard import figures as F
from dashboard.placement_figures import body_map_figure, coverage_text, ecap_figure
from dashboard.state import user_message
from sim.params import ParameterError

__all__ = ["panel", "register", "placement_update", "TAB_VALUE", "DEMO_POSTURE"]

#: Value of the placement tab in ``fig-tabs``.
TAB_VALUE = "placement"
#: The loops' demonstration: the patient lies supine from 20 to 40 s of a 60 s session.
DEMO_POSTURE = ("supine", 20.0, 40.0)
_LOOP_S = 60.0


def _graph(graph_id: str, filename: str) -> dcc.Graph:
    config: Any = {**F.GRAPH_CONFIG, "toImageButtonOptions": {
        **F.GRAPH_CONFIG["toImageButtonOptions"], "filename": filename}}
    return dcc.Graph(id=graph_id, config=config, className="graph dx-graph",
                     figure=F.make_figure([], F.base_layout(F.FigureOptions(), "")))


def panel() -> html.Div:
    """The tab's content: body map with the spine, the ECAP, and a text."""
    return html.Div([
        html.Div([_graph("fig-bodymap", "neuromod-bodymap"),
                  dcc.Markdown(id="pl-text", dangerously_allow_html=True)],
                 className="panel dx-block"),
        html.Div([_graph("fig-ecap", "neuromod-ecap")], className="panel dx-block"),
        dcc.Store(id="pl-session", data={}),
    ], className="diagnosis")


def _session(doc: Any):
    from dashboard.state import default_session, session_or_none
    return session_or_none(doc) or default_session()


def placement_update(doc: Any, view: Any) -> tuple[Any, Any, str]:
    """(body map, ECAP figure, text) of the session's program on its patient."""
    from sim.drive import stimulation_csf_mm
    from sim.ecap import ecap_trace, simulate_loop
    from sim.motor_fibers import motor_response
    from sim.placement import coverage
    from sim.session import Event
    options = F.FigureOptions(lecture=bool((view or {}).get("lecture")))
    try:
        s = _session(doc)
        prog, pat = s.program, s.patient
        cov = coverage(prog, pat)
        trace = loops = None
        if prog.therapy == "scs" and prog.is_active:
            trace = ecap_trace(prog, csf_thickness_mm=stimulation_csf_mm(prog, pat))
            kind, t0, t1 = DEMO_POSTURE
            ev = (Event(kind=kind, start_s=t0, stop_s=t1),)
            loops = [simulate_loop(prog, pat, mode=m, duration_s=_LOOP_S, events=ev)
                     for m in ("open", "closed")]
    except ParameterError as exc:
        msg = f'<div class="param-msg" role="alert">{escape(user_message(exc))}</div>'
        return dash.no_update, dash.no_update, msg
    offset = prog.lateral_offset_mm if prog.therapy == "scs" else 0.0
    return (body_map_figure(cov, offset, options=options),
            ecap_figure(trace, *(loops or (None, None)), options=options),
            coverage_text(cov, *(loops or (None, None)), therapy=prog.therapy,
                          motor=motor_response(prog)))


#: Browser side: copy the session store into ``pl-session`` only while the tab is shown.
_FOLLOW_SESSION = """function(tab, doc) {
    if (tab !== "%s") { return window.dash_clientside.no_update; }
    return doc;
}""" % TAB_VALUE  # noqa: UP031 - JavaScript: its braces would need doubling in a format string


def register(app: dash.Dash) -> None:
    """Attach the tab's callbacks to ``app`` (they run only while the tab is shown)."""
    app.clientside_callback(_FOLLOW_SESSION, Output("pl-session", "data"),
                            Input("fig-tabs", "value"), Input("store-session", "data"))

    @app.callback(Output("fig-bodymap", "figure"), Output("fig-ecap", "figure"),
                  Output("pl-text", "children"),
                  Input("pl-session", "data"), Input("store-view", "data"),
                  State("fig-tabs", "value"), prevent_initial_call=True)
    def _placement(doc, view, tab):
        if tab != TAB_VALUE:
            return dash.no_update, dash.no_update, dash.no_update
        return placement_update(doc, view)
