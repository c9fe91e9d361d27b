"""The dashboard's components, generated from the parameter declarations of :mod:`sim.params`.

Every form control comes from a declaration (:data:`dashboard.state.FORM_PARAMS`): its label,
unit, range, step and help text (shown as a tooltip). Numbers get a slider (logarithmic for
``log=True`` declarations) and a text box that accepts any typed value, validated on commit;
choices get radio items, booleans a switch. A field added to ``Program``, ``Patient`` or
``ModelOptions`` appears here without editing this module (in the "More" part of its group).

Component ids used by :mod:`dashboard.callbacks`: pattern ids ``{"type": T, "name": param}``
with T in ``slider``, ``field``, ``msg``, ``row``; sections ``{"type": T, "name": key}`` with
T in ``section``, ``section-head``, ``section-body`` (see :func:`_sections`); event rows
``{"type": "ev", "row": i, "col": column}`` and ``{"type": "ev-del", "row": i}``; treatment
rows ``{"type": "tr", "row": i, "col": column or option}`` and ``{"type": "tr-del", "row": i}``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from dash import dcc, html

from dashboard import diagnosis, figures as F, placement, state as S
from sim.params import PARAMETERS, Param
from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS
from sim.session import MAX_DOCUMENT_BYTES
from sim.therapies import THERAPIES

__all__ = ["build_layout", "control_row", "CLOSED",
           "event_rows_children", "treatment_rows_children", "summary_cards", "warnings_list",
           "SECTIONS", "SECTION_PARAMS", "EAGER_SECTION", "NUMERIC_PARAMS", "GRAPHS"]

#: Control sections: (title, parameter names, open by default). Parameters of the form that no
#: section names are appended to a "More settings" section, so nothing declared is hidden.
SECTIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Therapy and pulse", ("therapy", "amplitude_mA", "pulse_width_us", "rate_hz", "shape",
                           "pattern", "pulses_per_burst", "burst_rate_hz", "interphase_gap_us",
                           "cathodic_first", "recharge_ratio", "custom_shape"), True),
    ("Contacts and placement", ("contacts", "contact_area_mm2", "lead_distance_mm",
                                "lateral_offset_mm", "lead_level", "loop_mode", "drg_roots"),
     False),
    ("Cycling and ramp", ("cycle_on_s", "cycle_off_s", "ramp_s"), False),
    ("Device and battery", ("impedance_ohm", "battery_capacity_mAh", "overhead_current_uA"),
     False),
    ("Patient", tuple(n for n, s in S.SECTION_OF.items() if s == "patient"), False),
    ("Session length", ("duration_s", "stimulation_day"), True),
    ("Mechanisms of relief", tuple(n for n, p in S.FORM_PARAMS.items()
                                   if S.SECTION_OF[n] == "options" and p.kind == "bool"), False),
    ("Safety limits", ("shannon_k_limit", "density_limit_uC_per_cm2"), False),
)

#: Form parameters with a slider.
NUMERIC_PARAMS: tuple[str, ...] = tuple(n for n, p in S.FORM_PARAMS.items()
                                        if p.kind in ("float", "int"))

#: Graph id -> PNG file name of its modebar download.
GRAPHS = {"fig-wave": "neuromod-waveform", "fig-safety": "neuromod-safety",
          "fig-session": "neuromod-session", "fig-fibres": "neuromod-fibres",
          "fig-gate": "neuromod-gate", "fig-rate": "neuromod-rate-response"}

_CHOICE_LABELS = {t.value: s.label for t, s in THERAPIES.items()}


def _label(p: Param) -> html.Label:
    """Label with unit (:func:`dashboard.state.shown_label`, also the name validation messages
    use); the declaration's help and allowed range are its tooltip (a "?" marker is drawn by
    CSS; the label is focusable so the tooltip also shows from the keyboard)."""
    return html.Label(S.shown_label(p), className="param-label", tabIndex="0",
                      title=f"{p.help} Allowed: {p.range_text}.")


def _switch(cid: Any, value: Any) -> dcc.Checklist:
    """An on/off switch: value ``["on"]`` or ``[]`` (:func:`dashboard.state.display_value`)."""
    return dcc.Checklist(id=cid, value=value, className="switch",
                         options=[{"label": " on", "value": "on"}])


def control_row(p: Param, value: Any, *, irrelevant: bool = False) -> html.Div:
    """The control of one declared parameter: label + tooltip, input(s), message slot.

    Kept to a handful of Dash components per row: the renderer's cost per update grows with
    the number of components on the page.

    Parameters
    ----------
    p : Param
        The declaration.
    value : object
        The current value (a validated parameter value).
    irrelevant : bool
        Dim the row (the setting has no effect on the current program).
    """
    name = p.name
    shown = S.display_value(p, value)
    field_id = {"type": "field", "name": name}
    if p.kind in ("float", "int"):
        spec = S.slider_spec(p)
        inputs = [
            dcc.Slider(id={"type": "slider", "name": name}, min=spec.min, max=spec.max,
                       step=spec.step, value=S.to_slider(p, value), marks=spec.marks,
                       updatemode="mouseup", included=True, allow_direct_input=False,
                       className="param-slider"),
            dcc.Input(id=field_id, type="text", value=shown, debounce=True,
                      # HTML's "decimal" (digits and a decimal point on phones), which Dash's
                      # type hints leave out; Dash passes it to the browser unchanged
                      inputMode="decimal",  # type: ignore[arg-type]
                      className="param-input", autoComplete="off", name=name),
        ]
        kind = "num"
    elif p.kind == "choice":
        inputs = [dcc.RadioItems(id=field_id, value=shown, inline=True, className="choice",
                                 options=[{"label": _CHOICE_LABELS.get(c, c.capitalize()),
                                           "value": c} for c in p.choices])]
        kind = "other"
    elif p.kind == "bool":
        inputs = [_switch(field_id, shown)]
        kind = "other"
    else:  # pattern, samples: free text validated on commit
        inputs = [dcc.Input(id=field_id, type="text", value=shown, debounce=True,
                            className="param-input wide", autoComplete="off",
                            placeholder=p.pattern_help if p.kind == "pattern" else
                            "comma-separated samples, e.g. -1, -1, 0.5, 0.5", name=name)]
        kind = "other"
    return html.Div(
        [_label(p), *inputs,
         html.Div(id={"type": "msg", "name": name}, className="param-msg", role="alert")],
        id={"type": "row", "name": name},
        className=f"param-row {kind}" + (" irrelevant" if irrelevant else ""))


def _section_key(title: str) -> str:
    """The id ``name`` of a control section (its title's first word, lower case)."""
    return title.split()[0].lower()


def _section_list() -> list[tuple[str, tuple[str, ...], bool]]:
    listed = {n for _, names, _ in SECTIONS for n in names}
    extra = tuple(n for n in S.FORM_PARAMS if n not in listed)
    return list(SECTIONS) + ([("More settings", extra, False)] if extra else [])


#: Section key -> (parameter names, open by default).
SECTION_PARAMS: dict[str, tuple[tuple[str, ...], bool]] = {
    _section_key(t): (names, is_open) for t, names, is_open in _section_list()}
#: The section with the events and treatments editors: always mounted (see :func:`_sections`).
EAGER_SECTION = "session"


#: Value of a section's ``section-body`` tabs while the section is closed (no tab has it;
#: ``sectionToggle`` in ``assets/neuromod.js`` writes the same text).
CLOSED = "closed"


def _sections(session) -> list[html.Details]:
    """The control sections.

    A closed section's rows are in the layout but not mounted: they sit in the only tab of a
    ``dcc.Tabs`` (``section-body``, tab strip hidden by CSS) whose value is :data:`CLOSED`
    while the section is closed, and ``dcc.Tabs`` renders the selected tab's children only.
    Every mounted component costs the renderer time on each store update of a slider
    release; a component in the layout costs nothing until mounted, and the loader still
    writes its value, so a section opened later shows the current settings. Clicking the title
    toggles the section in the browser (``sectionToggle``). The session section, which holds
    the events and treatments editors, is a plain always-mounted body.
    """
    values = _values(session)
    irrelevant = S.irrelevant_params(session)
    out = []
    for title, names, is_open in _section_list():
        key = _section_key(title)
        rows = [control_row(S.FORM_PARAMS[n], values[n], irrelevant=n in irrelevant)
                for n in names if n in S.FORM_PARAMS]
        if key == EAGER_SECTION:
            head = html.Summary("Session and events")
            body: Any = html.Div([*rows, _events_editor(session), _treatments_editor(session)],
                                 className="section-body")
        else:
            head = html.Summary(title, id={"type": "section-head", "name": key}, n_clicks=0)
            body = dcc.Tabs([dcc.Tab(rows, value=key, label=title)],
                            id={"type": "section-body", "name": key},
                            value=key if is_open else CLOSED, className="section-tabs",
                            parent_className="section-body")
        out.append(html.Details([head, body], open=is_open, className="section",
                                id={"type": "section", "name": key}))
    return out


def _values(session) -> dict[str, Any]:
    parts = {"program": session.program, "patient": session.patient,
             "options": session.options}
    return {n: getattr(session if s == "session" else parts[s], n)
            for n, s in S.SECTION_OF.items()}


def _preset_dropdown(kind: str) -> html.Div:
    presets = PROGRAM_PRESETS if kind == "program" else PATIENT_PRESETS
    default = S.DEFAULT_PROGRAM_PRESET if kind == "program" else S.DEFAULT_PATIENT_PRESET
    return html.Div([
        html.Label(f"{kind.capitalize()} preset", className="preset-label"),
        dcc.Dropdown(id=f"{kind}-preset", value=default, clearable=False, searchable=False,
                     className="preset-dropdown", placeholder=f"custom {kind}",
                     options=[{"label": p.title, "value": p.name, "title": p.description}
                              for p in presets.values()]),
        html.Span(id=f"{kind}-preset-note", className="preset-note"),
    ], className="preset", title="Load a preset; your other settings are kept")


# --------------------------------------------------------------------------------------------
# Events editor
# --------------------------------------------------------------------------------------------
def event_rows_children(rows: Sequence[Mapping[str, Any]]) -> list[html.Div]:
    """One editable row per event: kind, start, stop, intensity and a remove button."""
    out = []
    for i, row in enumerate(rows):
        cells: list[Any] = [dcc.Dropdown(id={"type": "ev", "row": i, "col": "kind"},
                                         value=row["kind"],
                              options=[{"label": k, "value": k} for k in S.EVENT_KINDS],
                              clearable=False, searchable=False, className="ev-kind")]
        for col in ("start_s", "stop_s", "intensity"):
            p = PARAMETERS[S.EVENT_COLUMNS[col]]
            cells.append(dcc.Input(id={"type": "ev", "row": i, "col": col}, type="text",
                                   value=row.get(col), debounce=True, className="ev-num",
                                   placeholder=p.label, name=f"event-{i + 1}-{col}"))
        cells.append(html.Button("✕", id={"type": "ev-del", "row": i}, className="ev-del",
                                 title="remove this event", n_clicks=0))
        out.append(html.Div(cells, className="ev-row"))
    return out


def _treatment_option(i: int, name: str, value: Any) -> html.Label:
    """One option of treatment ``i`` (see :data:`dashboard.state.TREATMENT_OPTIONS`)."""
    p = PARAMETERS[name]
    cid = {"type": "tr", "row": i, "col": name}
    if p.kind == "choice":
        control: Any = dcc.Dropdown(id=cid, value=value, clearable=False, searchable=False,
                                    options=[{"label": c, "value": c} for c in p.choices],
                                    className="tr-choice")
    elif p.kind == "bool":
        control = _switch(cid, value)
    else:
        control = dcc.Input(id=cid, type="text", value=value, debounce=True,
                            className="ev-num tr-num", name=f"treatment-{i + 1}-{name}")
    return html.Label([S.shown_label(p), control], className="tr-option",
                      title=f"{p.help} Allowed: {p.range_text}.")


def treatment_rows_children(rows: Sequence[Mapping[str, Any]]) -> list[html.Div]:
    """One editable row per treatment: kind, dose, start, day on treatment, remove button;
    under it, the options its kind takes (block site and order, lesion completeness,
    deafferentation risk, patch application time), blank ones at their defaults."""
    from sim.treatments import TREATMENT_KINDS
    out = []
    for i, row in enumerate(rows):
        k = TREATMENT_KINDS.get(str(row.get("kind")))
        dose_unit = PARAMETERS[k.dose_param].unit if k and k.dose_param else ""
        cells: list[Any] = [dcc.Dropdown(id={"type": "tr", "row": i, "col": "kind"},
                                         value=row.get("kind"),
                              options=[{"label": t.title, "value": t.name}
                                       for t in TREATMENT_KINDS.values()],
                              clearable=False, searchable=False, className="ev-kind",
                              placeholder="choose a treatment…")]
        for col, holder in (("dose", dose_unit if dose_unit else "no dose" if k else "dose"),
                            ("start_s", "start [s]"), ("treatment_day", "day")):
            cells.append(dcc.Input(id={"type": "tr", "row": i, "col": col}, type="text",
                                   value=row.get(col), debounce=True, className="ev-num",
                                   placeholder=holder, name=f"treatment-{i + 1}-{col}"))
        cells.append(html.Button("✕", id={"type": "tr-del", "row": i}, className="ev-del",
                                 title="remove this treatment", n_clicks=0))
        out.append(html.Div(cells, className="ev-row"))
        options = [_treatment_option(i, name, row.get(name, S.display_value(
            PARAMETERS[name], PARAMETERS[name].default))) for name in
            S.treatment_options(row.get("kind"))]
        if options:
            out.append(html.Div(options, className="tr-options"))
    return out


def _treatments_editor(session) -> html.Div:
    head = [html.Span("Treatment", title=PARAMETERS["treatment_kind"].help),
            html.Span("Dose", title="Concentration [%] or dose [mg/day]; blank = usual dose"),
            html.Span("Start [s]", title=PARAMETERS["treatment_start_s"].help),
            html.Span("Day", title=PARAMETERS["treatment_day"].help)]
    return html.Div([
        html.Label("Treatments: blocks and drugs", className="param-label", tabIndex="0",
                   title=PARAMETERS["treatment_kind"].help),
        html.Div([*head, html.Span("")], className="ev-row ev-head"),
        html.Div(treatment_rows_children(S.treatment_rows(session)), id="treatments-list"),
        html.Button("+ add treatment", id="tr-add", n_clicks=0, className="small-button"),
    ], className="events")


def _events_editor(session) -> html.Div:
    head = [html.Span(S.shown_label(PARAMETERS[S.EVENT_COLUMNS[c]]),
                      title=PARAMETERS[S.EVENT_COLUMNS[c]].help) for c in S.EVENT_COLUMNS]
    return html.Div([
        html.Label("Events", className="param-label", tabIndex="0",
                   title=PARAMETERS["event_kind"].help),
        html.Div([*head, html.Span("")], className="ev-row ev-head"),
        html.Div(event_rows_children(S.event_rows(session)), id="events-list"),
        html.Button("+ add event", id="ev-add", n_clicks=0, className="small-button"),
        html.Div(id="events-msg", className="param-msg", role="alert"),
    ], className="events")


# --------------------------------------------------------------------------------------------
# Summary and warnings
# --------------------------------------------------------------------------------------------
def summary_cards(cards: Sequence[tuple[str, str, str | None, str]]) -> str:
    """Summary cards, ``(title, value of B, value of A or None, note)`` each, as HTML text.

    Text, not components: a callback that returns new components makes Dash re-index the
    whole page, which costs more than redrawing a figure.
    Each card keeps its height whatever its values (one line per value, two for the note;
    the whole text in its tooltip), so that the figures below never move.
    """
    out = []
    for title, b, a, note in cards:
        if a is None:
            values = f'<div class="card-value">{escape(b)}</div>'
        else:
            values = (f'<div class="card-value card-a"><span class="tag tag-a">A</span> '
                      f'{escape(a)}</div><div class="card-value"><span class="tag tag-b">B'
                      f'</span> {escape(b)}</div>')
        tip = escape(f"{title}: {b if a is None else f'A {a}, B {b}'}. {note or ''}".strip())
        out.append(f'<div class="card" title="{tip}"><div class="card-title">{escape(title)}'
                   f'</div>{values}<div class="card-note">{escape(note)}</div></div>')
    return '<div class="cards">' + "".join(out) + "</div>"


def warnings_list(warnings: Sequence[str], pinned_warnings: Sequence[str] = ()) -> str:
    """Plain-language safety warnings (B's, then A's when pinned) as HTML text; a calm line
    when no limit is crossed."""
    items = [f"<li>{escape(w)}</li>" for w in warnings]
    items += [f'<li class="warn-a">A: {escape(w)}</li>' for w in pinned_warnings]
    if not items:
        return '<div class="ok-line">No safety limit is crossed.</div>'
    return ('<div class="warn-box" role="alert"><strong>Safety warnings</strong><ul>'
            + "".join(items) + "</ul></div>")


# --------------------------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------------------------
def _graph(graph_id: str, figure: Any, classes: str = "") -> html.Div:
    config: Any = {**F.GRAPH_CONFIG, "toImageButtonOptions": {
        **F.GRAPH_CONFIG["toImageButtonOptions"], "filename": GRAPHS[graph_id]}}
    return html.Div(dcc.Graph(id=graph_id, figure=figure, config=config,
                              className="graph"), className="panel " + classes)


def build_layout(session, figures: Mapping[str, Any], summary: Sequence, warnings: Any,
                 stores: Mapping[str, Any] | None = None) -> html.Div:
    """The whole page for ``session`` with pre-rendered ``figures`` (graph id -> figure).

    The page is the same for every visitor (built once at start-up); a visitor's own state
    arrives from the URL through the callbacks. ``stores`` gives the initial data of
    ``fig-keys`` (the figures' skip keys, so that the first action does not redraw what is
    already right) and of ``form-state``.
    """
    # Stores never start empty: a dcc.Store mounted with data=None reports a change of its
    # data on load, which would fire every figure callback once for nothing.
    stores = stores or {}
    # What the browser needs to sync sliders and text boxes (mirrors state.from_slider).
    meta = {n: {"log": S.slider_spec(p).log, "unit": p.unit, "int": p.kind == "int",
                "step": p.step, "min": p.minimum, "max": p.maximum, "label": p.label}
            for n, p in S.FORM_PARAMS.items() if n in NUMERIC_PARAMS}
    toolbar = html.Div([
        _preset_dropdown("program"),
        _preset_dropdown("patient"),
        html.Div([
            html.Button("Pin as A", id="btn-pin", n_clicks=0,
                        title="Keep this configuration as A and compare your next changes (B) "
                              "against it"),
            html.Button("Clear A", id="btn-unpin", n_clicks=0, title="Stop comparing",
                        disabled=True),
            html.Button("Lecture mode", id="btn-lecture", n_clicks=0,
                        title="Large fonts and high contrast for a projector (key: L)"),
            html.Button("Reset", id="btn-reset", n_clicks=0,
                        title="Back to the start-up session (the pinned A is kept)"),
        ], className="button-group"),
        html.Div([
            html.Button("Download JSON", id="btn-json", n_clicks=0,
                        title="The whole configuration as a session document"),
            dcc.Upload(html.Button("Import JSON", id="btn-upload-face", n_clicks=0),
                       id="upload", accept=".json,application/json", multiple=False,
                       max_size=4 * MAX_DOCUMENT_BYTES, className="upload"),
            html.Button("Download CSV", id="btn-csv", n_clicks=0,
                        title="The session's time series as CSV"),
            dcc.Clipboard(id="copy-link", title="Copy a link to this exact state",
                          className="copy-link"),
            html.Span("copy link", className="copy-label"),
        ], className="button-group"),
    ], className="toolbar")
    return html.Div([
        dcc.Location(id="url", refresh=False),
        dcc.Store(id="store-session", data=session.to_dict()),
        dcc.Store(id="store-pinned", data={}),
        dcc.Store(id="store-view", data={"lecture": False}),
        dcc.Store(id="fig-keys", data=stores.get("fig-keys") or {}),
        dcc.Store(id="param-meta", data=meta),
        dcc.Store(id="form-state", data=stores.get("form-state") or {}),
        # A value committed in a text box, choice or switch that its slider cannot carry to the
        # server (see dashboard.callbacks: fieldCommit); written by the browser only.
        dcc.Store(id="form-commit", data={}),
        # A therapy the user picked: a load of that therapy's program, not a form edit (the
        # contacts, pads and amplitude follow the therapy); written by the browser only.
        dcc.Store(id="therapy-commit", data={}),
        dcc.Store(id="url-search", data=""),
        # The waveform's zooms, without its resizes (see dashboard.callbacks: waveZoom).
        dcc.Store(id="wave-zoom", data={}),
        html.Div(id="url-sync", className="hidden"),
        dcc.Download(id="download-json"),
        dcc.Download(id="download-csv"),
        html.Button(id="btn-next-preset", n_clicks=0, className="hidden", tabIndex="-1"),
        html.Button(id="btn-prev-preset", n_clicks=0, className="hidden", tabIndex="-1"),
        html.Header([
            html.H1("Neuromodulation session simulator"),
            html.Div("SCS, PNS and TENS for neuropathic pain: change a setting, watch the "
                     "curves respond. Teaching model, not clinical advice.",
                     className="subtitle"),
            toolbar,
            html.Div([html.Span(id="ab-status"), html.Span(id="export-msg")],
                     className="status-line"),
            html.Div(id="global-msg", className="global-msg", role="alert"),
        ]),
        html.Div([
            html.Aside(_sections(session), id="controls", className="controls"),
            html.Main([
                dcc.Markdown(summary, id="summary", dangerously_allow_html=True,
                             className="summary"),
                dcc.Markdown(warnings, id="warnings", dangerously_allow_html=True),
                html.Div([
                    _graph("fig-wave", figures.get("fig-wave")),
                    _graph("fig-session", figures.get("fig-session")),
                ], className="graphs"),
                # One of these at a time: a hidden tab is not drawn, so a slider release
                # redraws three figures, not five (the others are drawn when shown).
                dcc.Tabs([
                    dcc.Tab(_graph("fig-safety", figures.get("fig-safety")),
                            label="Safety and energy", value="safety"),
                    dcc.Tab(_graph("fig-fibres", figures.get("fig-fibres")),
                            label="Fibres", value="fibres"),
                    dcc.Tab([_graph("fig-gate", figures.get("fig-gate")),
                             _graph("fig-rate", figures.get("fig-rate"))],
                            label="The gate", value="gate"),
                    dcc.Tab(diagnosis.panel(), label="Diagnosis", value=diagnosis.TAB_VALUE),
                    dcc.Tab(placement.panel(), label="Placement", value=placement.TAB_VALUE),
                ], id="fig-tabs", value="safety", className="fig-tabs"),
            ], className="main"),
        ], className="body"),
        html.Footer("Keys: → / PageDown next program preset · ← / PageUp previous · L lecture "
                    "mode. Zoom the waveform by dragging; double-click to reset. Every figure "
                    "has a camera button for a PNG.", className="footer"),
    ], id="root", className="app")
