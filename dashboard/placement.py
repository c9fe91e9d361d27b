"""The "Placement" tab: the spine with the lead, the body map, and the ECAP.

Figures from :mod:`dashboard.placement_figures` (pure plotly), layout and their update
here. The update runs inside the dashboard's one update callback while the tab is shown
(:func:`dashboard.callbacks.figures_update`), so a slider release redraws the spine, body map
and ECAP in the same round trip as the waveform and the session; hidden, it costs nothing.
The lead is moved with the "Lead level" and "Lateral offset" controls of the main form.
"""
from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import dash
from dash import dcc, html

from dashboard import figures as F
from dashboard.placement_figures import body_map_figure, coverage_text, ecap_figure
from dashboard.state import skip_key, user_message
from sim.params import ParameterError

__all__ = ["panel", "placement_update", "TAB_VALUE", "DEMO_POSTURE"]

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
    ], className="diagnosis")


def _session(doc: Any):
    from dashboard.state import default_session, session_or_none
    return session_or_none(doc) or default_session()


def placement_update(doc: Any, view: Any, keys: Mapping[str, Any] | None = None
                     ) -> tuple[Any, Any, Any, dict[str, Any]]:
    """(body map, ECAP figure, text, skip keys) of the session's program on its patient.

    ``keys`` are the skip keys of the figures on screen (``None``: draw everything). What
    they show is unchanged: ``dash.no_update`` for it. The body map changes only when the
    dermatomes it colours (or the lead's place) do, so an amplitude step between two
    recruitment thresholds redraws the ECAP alone. A bad session: no update, and the text
    says why.
    """
    from sim.drive import stimulation_csf_mm
    from sim.ecap import ecap_trace, simulate_loop
    from sim.motor_fibers import motor_response
    from sim.placement import coverage
    from sim.session import Event
    keys = dict(keys or {})
    no = dash.no_update
    options = F.FigureOptions(lecture=bool((view or {}).get("lecture")))
    try:
        s = _session(doc)
        prog, pat = s.program, s.patient
        key = skip_key(prog.to_dict(), pat.to_dict(), options.lecture)
        if key == keys.get("all"):
            return no, no, no, keys
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
        return no, no, msg, keys
    offset = prog.lateral_offset_mm if prog.therapy == "scs" else 0.0
    map_key = skip_key([d.label for d in cov.pain], [d.label for d in cov.paresthesia],
                   cov.coverage_pct, cov.lead_level, cov.csf_thickness_mm, prog.therapy,
                   offset, options.lecture)
    body = no if map_key == keys.get("map") else body_map_figure(cov, offset, options=options)
    return (body, ecap_figure(trace, *(loops or (None, None)), options=options),
            coverage_text(cov, *(loops or (None, None)), therapy=prog.therapy,
                          motor=motor_response(prog)),
            {"all": key, "map": map_key})

