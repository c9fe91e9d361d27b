"""Callbacks: glue between the components, :mod:`dashboard.state` and :mod:`dashboard.figures`.

State flow (the server keeps none of it)::

    URL ?s=..&a=..&lecture=1 ─┐
    presets, upload, reset ───┴► loader ─► every control + store-session (+ pinned, view)
    slider ──(browser)──► its text box           (sliderToField)
    waveform zoom (not a resize) ─(browser)─► wave-zoom               (waveZoom)
    section title ─(browser)─► its rows mounted or unmounted          (sectionToggle)
    typed text box, choice, switch ─(browser)─► its slider, or form-commit   (fieldCommit)
    sliders, form-commit, events, wave-zoom ─┐
    store-session / -pinned / -view ──────┴► update ─► store-session + form-state + url-search
                                                       + every figure whose inputs changed
    pin, clear A, lecture ───► view ─► store-pinned / store-view
    form-state ─(browser)─► messages beside the controls, dimmed/outlined rows
    url-search ─(browser)─► address bar (history.replaceState)

:func:`control` decides what one user action does: it turns the action into a validated
:class:`~sim.session.Session`; a :class:`~sim.params.ParameterError` becomes a message beside
the control (in ``form-state``), in the words of the controls (``Amplitude [mA]``, not
``amplitude_mA``: :func:`dashboard.state.user_message`), and the stores are left alone, so
every figure keeps the last good results. :func:`figures_update` redraws only the figures
whose inputs changed (skip keys in ``fig-keys``) and only the fibre figure's tab when it is
shown.

Why a separate loader: Dash marks every output of a running callback as loading and
re-renders it. Loading a document must write all ~70 controls; a slider release must not, so
it goes through ``update``, which writes a few stores and the figures in one round trip.

Why the text boxes are State of ``update`` and user commits arrive through ``form-commit``:
Dash holds a callback back while any callback still running may write one of its inputs. A
text box that is an input of ``update`` and an output of the slider sync would make every
slider release wait for the sync (one more pass through Dash's queue, ~40 ms) before the
request leaves; as State it does not. So a released slider sends ``update`` at once (the
server reads the slider: see :func:`control`), and :func:`register`'s ``fieldCommit`` (in
``assets/neuromod.js``) turns a typed value into exactly one trigger of ``update``: the
slider set to it, or the ``form-commit`` store when no slider can show it (not a plain
number, out of range, or no slider).

The figures leave the server as plain JSON-ready dicts (:func:`dashboard.figures.plain_figures`);
the functions below return :class:`plotly.graph_objects.Figure` objects when called directly.

Each Dash callback is a thin wrapper around plain functions (:func:`control`,
:func:`figures_update`, :func:`waveform_update`, ...) that tests call directly.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dash
from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, ctx

from dashboard import (
    figures as F,
    layout as L,
    placement as PL,
    results as R,
    state as S,
)
from sim.motor_fibers import motor_response
from sim.params import PARAMETERS, ParameterError
from sim.patients import PATIENT_PRESETS
from sim.presets import PROGRAM_PRESETS, THERAPY_PRESETS, therapy_program
from sim.session import MAX_EVENTS, MAX_TREATMENTS, Session

__all__ = ["register", "FormInput", "control", "form_state", "figures_update", "waveform_update",
           "safety_update", "session_update", "fibre_update", "download_json", "download_csv",
           "window_from_relayout", "pinned_status", "NO"]

NO = dash.no_update

#: Keys of :func:`control`'s result.
OUTPUT_KEYS = ("doc", "pinned", "view", "search", "sliders", "fields", "form",
               "events_children", "treatments_children", "global_msg", "program_preset",
               "patient_preset", "upload_contents", "program_note", "patient_note")
_EVENT_PARAMS = set(S.EVENT_COLUMNS.values()) | {"events"}
_LOADS = ("init", "url", "program-preset", "patient-preset", "next-preset", "prev-preset",
          "upload", "reset")
_VIEW_ACTIONS = ("pin", "unpin", "lecture")


@dataclass
class FormInput:
    """Everything :func:`control` reads: the browser's state at the time of one action.

    Attributes
    ----------
    doc, pinned : dict
        The session document in the store (last valid state) and the pinned one (A);
        ``{}`` for none.
    view : dict
        ``{"lecture": bool}``.
    search : str
        The URL query.
    fields : dict
        Raw control value per form parameter (see :func:`dashboard.state.display_value`).
    sliders : dict
        Slider position per numeric parameter.
    events : list of dict
        Raw event rows.
    treatments : list of dict or None
        Raw treatment rows; ``None``: the stored session's treatments, unchanged.
    program_preset, patient_preset : str or None
        Dropdown values.
    upload_contents, upload_filename : str or None
        ``dcc.Upload`` data URL and file name.
    therapy : str or None
        The therapy the user just picked (the ``therapy-commit`` store).
    form : dict or None
        The ``form-state`` store on screen (messages beside controls); ``None``: unknown,
        so that a load redraws every control.
    """

    doc: dict | None = None
    pinned: dict | None = None
    view: dict = field(default_factory=lambda: {"lecture": False})
    search: str = ""
    fields: dict = field(default_factory=dict)
    sliders: dict = field(default_factory=dict)
    events: list = field(default_factory=list)
    treatments: list | None = None
    program_preset: str | None = None
    patient_preset: str | None = None
    upload_contents: str | None = None
    upload_filename: str | None = None
    therapy: str | None = None
    form: dict | None = None


#: The session of a store's document, or ``None`` (:func:`dashboard.state.session_or_none`).
_session_or_none = S.session_or_none


def form_state(session: Session, messages: Mapping[str, str] | None = None,
               events_msg: str = "", invalid: Sequence[str] = ()) -> dict[str, Any]:
    """The ``form-state`` store: what the browser draws beside the controls.

    ``messages`` (parameter -> message, only non-empty ones), ``events`` (message of the
    events editor), ``invalid`` (rows to outline) and ``irrelevant`` (rows to dim, from
    :func:`dashboard.state.irrelevant_params` of ``session``).
    """
    return {"messages": {k: v for k, v in (messages or {}).items() if v},
            "events": events_msg, "invalid": sorted(invalid),
            "irrelevant": sorted(S.irrelevant_params(session))}


def _label_of(name: str) -> str:
    """The label of ``name``'s control as the user sees it (``Amplitude [mA]``)."""
    p = PARAMETERS.get(name)
    return S.shown_label(p) if p is not None else name


def control(trigger: tuple, inp: FormInput) -> dict[str, Any]:
    """Apply one user action to the browser state.

    Parameters
    ----------
    trigger : tuple
        What happened: ``("init",)`` (page load), ``("url",)``, ``("slider", name)`` (a
        slider released), ``("field", name)`` (a text box, choice or switch committed),
        ``("ev",)`` (an event cell), ``("ev-add",)``,
        ``("ev-del", row)``, ``("program-preset",)``, ``("patient-preset",)``,
        ``("next-preset",)``, ``("prev-preset",)``, ``("upload",)``, ``("reset",)``,
        ``("therapy",)`` (a therapy picked: its program loaded),
        ``("pin",)``, ``("unpin",)``, ``("lecture",)``.
    inp : FormInput
        The browser state.

    Returns
    -------
    dict
        One entry per :data:`OUTPUT_KEYS`; :data:`NO` (``dash.no_update``) where nothing
        changes. ``sliders`` and ``fields`` are dicts keyed by parameter name. ``form`` is the
        ``form-state`` store (:func:`form_state`), ``search`` the URL query to show.
    """
    out: dict[str, Any] = {key: NO for key in OUTPUT_KEYS}
    current = _session_or_none(inp.doc) or S.default_session()
    pinned = _session_or_none(inp.pinned)
    lecture = bool((inp.view or {}).get("lecture"))
    kind = trigger[0]

    if kind in ("init", "url"):
        if kind == "init" and not (inp.search or "").strip("?"):
            return out
        st = S.decode_search(inp.search)
        target = st.session or S.default_session()
        if target != current:
            out.update(_load(target, current, inp))
        pinned_doc = st.pinned.to_dict() if st.pinned else {}
        if pinned_doc != (inp.pinned or {}):
            out["pinned"] = pinned_doc
        if st.lecture != lecture:
            out["view"] = {"lecture": st.lecture}
        out["global_msg"] = f"This link could not be read completely: {st.error}." \
            if st.error else ""
        return out

    if kind in _VIEW_ACTIONS:
        if kind == "pin":
            pinned = current
            out["pinned"] = current.to_dict()
        elif kind == "unpin":
            pinned = None
            out["pinned"] = {}
        else:
            lecture = not lecture
            out["view"] = {"lecture": lecture}
        out["search"] = S.encode_search(current, pinned=pinned, lecture=lecture)
        return out

    preset_loads = {
        "program-preset": lambda: _with_program(current, inp.program_preset),
        "patient-preset": lambda: _with_patient(current, inp.patient_preset),
        "next-preset": lambda: _with_program(current, S.step_preset(
            S.matching_program_preset(current.program) or inp.program_preset, +1,
            PROGRAM_PRESETS)),
        "prev-preset": lambda: _with_program(current, S.step_preset(
            S.matching_program_preset(current.program) or inp.program_preset, -1,
            PROGRAM_PRESETS)),
        "reset": S.default_session,
        "therapy": lambda: _with_therapy(current, inp.therapy),
    }
    if kind in preset_loads:
        loaded = preset_loads[kind]()
        if loaded is not None:
            target = loaded
            out.update(_load(target, current, inp, every_control=False))
            out["search"] = S.encode_search(target, pinned=pinned, lecture=lecture)
            out["global_msg"] = ""
        return out

    if kind == "upload":
        filename = inp.upload_filename or "the file"
        out["upload_contents"] = None  # so that the same file can be imported again
        try:
            target = S.decode_upload(inp.upload_contents)
        except ParameterError as exc:
            out["global_msg"] = f"Could not import {filename}: {_import_message(exc)}. Nothing " \
                                "was changed."
            return out
        out.update(_load(target, current, inp))
        out["search"] = S.encode_search(target, pinned=pinned, lecture=lecture)
        out["global_msg"] = f"Imported {filename}."
        return out

    # A form edit: a released slider, a committed text box, choice, switch or event row.
    # Controls a request leaves out keep the stored values (not the declared defaults).
    fields = {**S.session_to_form(current), **inp.fields}
    rows = [dict(r) for r in inp.events]
    name = str(trigger[1]) if kind in ("slider", "field") else None
    if kind == "slider" and name in S.FORM_PARAMS and inp.sliders.get(name) is not None:
        p = S.FORM_PARAMS[name]
        pos = inp.sliders[name]
        try:  # a slider placed to match its text box (a load) keeps the exact typed value
            moved = abs(S.to_slider(p, S.parse_field(p, fields.get(name))) - pos) > 1e-9
        except ParameterError:
            moved = True
        if moved:
            fields[name] = S.display_value(p, S.from_slider(p, pos))
    trs = S.treatment_rows(current) if inp.treatments is None else [dict(r) for r in
                                                                     inp.treatments]
    for noun, table, limit in (("events", rows, MAX_EVENTS),
                               ("treatments", trs, MAX_TREATMENTS)):
        if len(table) > limit:  # before any row is rendered (a crafted request)
            out.update(_error(ParameterError(
                f"{noun} has {len(table)} entries; at most {limit} are allowed", name=noun,
                value=len(table)), name, kind, current))
            return out
    duration = _duration_or(fields, current.duration_s)
    for prefix, table, limit, new_row, children in (
            ("ev", rows, MAX_EVENTS, S.new_event_row, L.event_rows_children),
            ("tr", trs, MAX_TREATMENTS, S.new_treatment_row, L.treatment_rows_children)):
        if kind == f"{prefix}-add" and len(table) < limit:
            table.append(new_row(duration))
        elif kind == f"{prefix}-del" and 0 <= trigger[1] < len(table):
            table.pop(trigger[1])
        elif kind != "tr" or prefix != "tr":  # a treatment's new kind changes its dose unit
            continue
        out[f"{'events' if prefix == 'ev' else 'treatments'}_children"] = children(table)
    try:
        new = S.form_to_session(fields, rows, trs)
    except ParameterError as exc:
        out.update(_error(exc, name, kind, current))
        return out
    out.update(form=form_state(new), global_msg="")
    if new != current:
        out["doc"] = new.to_dict()
        out["search"] = S.encode_search(new, pinned=pinned, lecture=lecture)
        out.update(_preset_notes(new))
    return out


def _import_message(exc: ParameterError) -> str:
    """Why a file was refused: a rejected setting in the words of its control, with the key
    that holds it in the file; other problems (unknown keys, bad JSON) name the file's keys as
    they are."""
    if exc.name in PARAMETERS:
        return f"{S.user_message(exc)} (key “{exc.name}” in the file)"
    return str(exc)


def _duration_or(fields: Mapping[str, Any], fallback: float) -> float:
    try:
        return float(S.parse_field(S.FORM_PARAMS["duration_s"], fields.get("duration_s")))
    except ParameterError:
        return fallback


def _error(exc: ParameterError, trigger_name: str | None, kind: str,
           current: Session) -> dict[str, Any]:
    """Outputs for a rejected form: the message beside the offending control (and beside the
    control just changed, if different), in the words of the controls; stores untouched."""
    messages: dict[str, str] = {}
    events_msg = ""
    text = S.user_message(exc)
    if kind.startswith("tr") or str(exc).startswith("treatment "):
        # treatment rows have no message box of their own: say it in the banner
        return dict(form=form_state(current, messages, "", ()),
                    global_msg=f"Not applied: {text}. The figures show the last valid "
                               "settings.")
    if exc.name in S.FORM_PARAMS:
        target = exc.name
    elif exc.name in _EVENT_PARAMS or kind.startswith("ev"):
        target = "events"
    else:
        target = trigger_name or "events"
    if target == "events":
        events_msg = text
        where = "the events"
    else:
        messages[target] = text
        where = f"“{_label_of(target)}”"
    if trigger_name and trigger_name != target:
        messages[trigger_name] = f"Not applied: {text}"
    invalid = {n for n in (target, trigger_name) if n in S.FORM_PARAMS}
    return dict(form=form_state(current, messages, events_msg, sorted(invalid)),
                global_msg=f"Not applied: see the message beside {where}. The figures show "
                           "the last valid settings.")


def _with_program(current: Session, name: str | None) -> Session | None:
    if name is None or name not in PROGRAM_PRESETS:
        return None
    return current.replace(program=PROGRAM_PRESETS[name].program())


def _with_therapy(current: Session, therapy: str | None) -> Session | None:
    """A therapy switch is a load: the program's therapy-dependent fields (contacts, pads,
    amplitude, pulse) follow the therapy's standard program (:func:`sim.presets.
    therapy_program`)."""
    if therapy is None or therapy not in THERAPY_PRESETS:
        return None
    return current.replace(program=therapy_program(current.program, therapy))


def _with_patient(current: Session, name: str | None) -> Session | None:
    if name is None or name not in PATIENT_PRESETS:
        return None
    return current.replace(patient=PATIENT_PRESETS[name].patient())


def _preset_notes(session: Session) -> dict[str, str]:
    """"modified" beside a preset dropdown whose preset no longer matches the settings
    (after an edit; a load shows the matching preset or none)."""
    return {"program_note": "" if S.matching_program_preset(session.program) else "modified",
            "patient_note": "" if S.matching_patient_preset(session.patient) else "modified"}


def _load(target: Session, current: Session, inp: FormInput,
          every_control: bool = True) -> dict[str, Any]:
    """Outputs that show ``target`` in every control (clearing messages) and store it.

    With ``every_control=False`` (a preset or therapy picked), only the controls whose value
    differs from the stored session's, or that show a message, are sent: every control sent
    is re-rendered by the browser and re-read by the update callback, and a program preset
    changes a handful of the ~80 controls (a full redraw took most of a second in Chromium).
    """
    form = S.session_to_form(target)
    events, treatments = S.event_rows(target), S.treatment_rows(target)
    send = set(form)
    redraw_rows = True
    if not every_control and inp.doc and inp.form is not None:
        shown = S.session_to_form(current)
        flagged = set((inp.form or {}).get("messages") or {})
        send = {n for n in form if n in flagged or shown.get(n) != form[n]}
        redraw_rows = bool((inp.form or {}).get("events") or (inp.form or {}).get("invalid")
                           or events != S.event_rows(current)
                           or treatments != S.treatment_rows(current))
    prog = S.matching_program_preset(target.program)
    pat = S.matching_patient_preset(target.patient)
    return dict(
        doc=target.to_dict() if target != current or not inp.doc else NO,
        sliders={n: S.to_slider(S.FORM_PARAMS[n], S.parse_field(S.FORM_PARAMS[n], form[n]))
                 for n in L.NUMERIC_PARAMS if n in send},
        fields={n: v for n, v in form.items() if n in send}, form=form_state(target),
        events_children=L.event_rows_children(events) if redraw_rows else NO,
        treatments_children=L.treatment_rows_children(treatments) if redraw_rows else NO,
        # The dropdowns show the loaded preset, or their placeholder for custom settings.
        program_preset=prog if prog != inp.program_preset else NO,
        patient_preset=pat if pat != inp.patient_preset else NO,
        program_note="", patient_note="",
    )


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def _options(view: Mapping[str, Any] | None) -> F.FigureOptions:
    return F.FigureOptions(lecture=bool((view or {}).get("lecture")))


_key = S.skip_key


def window_from_relayout(relayout: Mapping[str, Any] | None) -> Any:
    """The waveform window [s] a zoom asks for: ``(t0, t1)``, ``None`` for "reset to the
    default window" (autorange, double-click), or :data:`NO` for unrelated relayouts."""
    if not relayout:
        return NO
    if relayout.get("xaxis.autorange"):
        return None
    try:
        if "xaxis.range[0]" in relayout and "xaxis.range[1]" in relayout:
            a, b = float(relayout["xaxis.range[0]"]), float(relayout["xaxis.range[1]"])
        elif "xaxis.range" in relayout:
            a, b = (float(v) for v in relayout["xaxis.range"])
        else:
            return NO
    except (TypeError, ValueError):
        return NO
    if not (math.isfinite(a) and math.isfinite(b)) or b <= a:
        return NO
    return (max(a, 0.0) / 1e3, b / 1e3)


def waveform_update(doc: Any, pinned: Any, view: Any, relayout: Any, wave_state: Any,
                    zoomed: bool = False) -> tuple[Any, Any]:
    """The waveform figure and the window state; ``(NO, NO)`` when nothing it shows changed.

    Parameters
    ----------
    doc, pinned, view : store contents
    relayout : dict or None
        The graph's last ``relayoutData``.
    wave_state : dict or None
        ``{"window_s", "period_s", "key"}`` of the figure on screen.
    zoomed : bool
        Whether this call comes from a zoom (``relayout`` is new).
    """
    session = _session_or_none(doc)
    if session is None:
        return NO, NO
    prog = session.program
    period = 1.0 / (prog.burst_rate_hz if prog.pattern == "burst" else prog.rate_hz)
    state = wave_state or {}
    window = state.get("window_s") if state.get("period_s") == period else None
    if zoomed:  # a relayout that is no zoom (autosize) keeps the window
        asked = window_from_relayout(relayout)
        if asked is not NO:
            window = asked
    a = _session_or_none(pinned)
    options = _options(view)
    key = _key(prog.to_dict(), session.duration_s, window,
               a.program.to_dict() if a else None, a.duration_s if a else None, options.lecture)
    if key == state.get("key"):
        return NO, NO
    fig = F.waveform_figure(prog, duration_s=session.duration_s,
                            window_s=tuple(window) if window else None,
                            compare=(a.program, a.duration_s) if a else None,
                            report=R.safety(prog, session.options), options=options)
    return fig, {"window_s": window, "period_s": period, "key": key}


def safety_update(doc: Any, pinned: Any, view: Any, key_state: Any) -> tuple[Any, Any, Any]:
    """Safety figure, warnings panel and skip key; NO for all when nothing changed.

    The figure's title states the battery life only where it means something
    (:func:`dashboard.state.shows_battery_life`)."""
    session = _session_or_none(doc)
    if session is None:
        return NO, NO, NO
    a = _session_or_none(pinned)
    options = _options(view)
    battery = S.shows_battery_life(session)
    key = _key(session.program.to_dict(), session.options.to_dict(),
               a.program.to_dict() if a else None, a.options.to_dict() if a else None,
               options.lecture, battery)
    if key == key_state:
        return NO, NO, NO
    rep = R.safety(session.program, session.options)
    rep_a = R.safety(a.program, a.options) if a else None
    fig = F.safety_figure(rep, contact_area_mm2=session.program.contact_area_mm2,
                          compare=(rep_a, a.program.contact_area_mm2)
                          if a and rep_a else None,
                          battery=battery, options=options)
    return fig, L.warnings_list(rep.warnings, rep_a.warnings if rep_a else ()), key


def _default_cursor(session: Session) -> float:
    stim = [e for e in session.events or () if e.kind == "stimulation"]
    if stim:
        return 0.5 * (stim[0].start_s + stim[0].stop_s)
    return 0.5 * session.duration_s


def _cursor_from_click(click: Any, duration_s: float) -> float | None:
    try:
        x = float(click["points"][0]["x"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    return min(max(x, 0.0), duration_s) if math.isfinite(x) else None


def session_update(doc: Any, pinned: Any, view: Any, click: Any,
                   key_state: Any = None) -> tuple[Any, Any, Any, Any]:
    """Session figure, gate figure, summary cards (B, and A when pinned) and skip key; NO for
    all when nothing they show changed."""
    session = _session_or_none(doc)
    if session is None:
        return NO, NO, NO, NO
    a = _session_or_none(pinned)
    options = _options(view)
    key = _key(session.to_dict(), a.to_dict() if a else None, options.lecture,
               _cursor_from_click(click, session.duration_s))
    if key == key_state:
        return NO, NO, NO, NO
    result = R.session_result(session)
    result_a = R.session_result(a) if a else None
    cursor = _cursor_from_click(click, session.duration_s)
    if cursor is None:
        cursor = _default_cursor(session)
    fig = F.session_figure(result, session.events or (), session.duration_s, compare=result_a,
                           cursor_s=cursor if result is not None else None,
                           motor=motor_response(session.program), options=options)
    activity = R.gate_activity_at(result, cursor)
    if activity is not None:
        activity["descending"] = session.patient.descending_drive
    gate = F.gate_figure(activity, mechanisms=session.options.to_dict(), options=options)
    cards = _summary(session, result, a, result_a)
    return fig, gate, L.summary_cards(cards), key


def _fmt_or_dash(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(value, fmt)


def _paresthesia_text(felt: Any, level: Any, discomfort: Any = None) -> str:
    if felt is None and level is None:
        return "—"
    if felt is None:
        return _fmt_or_dash(level, ".2g")
    if isinstance(discomfort, (int, float)) and discomfort > 0.05:  # felt, and too strong
        return f"uncomfortable ({discomfort:.2g})"
    return ("felt" if felt else "not felt") + \
        (f" ({level:.2g})" if isinstance(level, (int, float)) and felt else "")


def _battery(session: Session, days: Any) -> str | None:
    """The battery life to show for ``session`` (``None``: it has none worth showing, see
    :func:`dashboard.state.shows_battery_life`)."""
    rep = R.safety(session.program, session.options)
    if not S.shows_battery_life(session) or not rep.charge_per_phase_uC > 0:
        return None
    return F.days_text(days if days is not None else rep.battery_life_days)


def _summary(session: Session, result: Any, a: Session | None, result_a: Any) -> list[tuple]:
    """Summary cards ``(title, B, A or None, note)``. The battery-life card appears only when
    B or A is an implanted program that stimulates in its session ("—" for the other)."""
    def values(s: Session, res: Any) -> dict[str, str | None]:
        rep = R.safety(s.program, s.options)
        summ = getattr(res, "summary", None)
        get = (lambda k: getattr(summ, k, None)) if summ is not None else (lambda k: None)
        responder = get("responder")
        return {
            "reduction": _fmt_or_dash(get("pain_reduction_pct"), ".0f") +
            (" %" if get("pain_reduction_pct") is not None else ""),
            "responder": "—" if responder is None else ("yes" if responder else "no"),
            "nrs": "—" if get("pain_before_nrs") is None else
            f"{get('pain_before_nrs'):.1f} → {get('pain_during_nrs'):.1f} → "
            f"{get('pain_after_nrs'):.1f}",
            "paresthesia": _paresthesia_text(get("paresthesia_felt"), get("paresthesia"),
                                             get("discomfort")),
            "battery": _battery(s, get("battery_days")),
            "charge": f"{rep.charge_per_phase_uC:.3g} µC",
        }
    b, va = values(session, result), values(a, result_a) if a is not None else None
    rep = R.safety(session.program, session.options)
    k_text = f"Shannon k = {rep.shannon_k:.2f} (limit {rep.shannon_k_limit:g})" \
        if math.isfinite(rep.shannon_k) else "no charge delivered"
    if rep.charge_per_burst_uC > rep.charge_per_phase_uC * (1 + 1e-9):
        k_text += (f"; {rep.charge_per_burst_uC:.3g} µC per burst before its recharge, "
                   f"k = {rep.burst_shannon_k:.2f}")
    from sim.drive import khz_onset_note
    cards = [
        ("Pain reduction", "reduction",
         khz_onset_note(session, short=True) or "during vs before stimulation"),
        ("Responder", "responder", "≥ 50 % reduction"),
        ("Pain NRS", "nrs", "before → during → after"),
        ("Paresthesia", "paresthesia", "tingling felt during stimulation (not pain)"),
        ("Battery life", "battery", f"{rep.power_mW:.3g} mW delivered"),
        ("Charge per phase", "charge", k_text),
    ]
    if b["battery"] is None and (va is None or va["battery"] is None):
        cards = [c for c in cards if c[1] != "battery"]
    return [(title, b[key] or "—", (va[key] or "—") if va else None, note)
            for title, key, note in cards]


def fibre_update(doc: Any, pinned: Any, view: Any, key_state: Any) -> tuple[Any, Any]:
    """Fibre figure and skip key (depends on program, patient, A and the view only)."""
    session = _session_or_none(doc)
    if session is None:
        return NO, NO
    a = _session_or_none(pinned)
    options = _options(view)
    def anatomy(s: Session) -> tuple:
        return s.patient.csf_thickness_mm, s.patient.nerve_depth_mm

    key = _key(session.program.to_dict(), anatomy(session),
               (a.program.to_dict(), anatomy(a)) if a else None, options.lecture)
    if key == key_state:
        return NO, NO
    view_b = R.fibre_view(session.program, session.patient)
    view_a = R.fibre_view(a.program, a.patient) if a else None
    return F.fibre_figure(view_b, compare=view_a, options=options), key


def rate_update(doc: Any, view: Any, key_state: Any) -> tuple[Any, Any]:
    """Rate-response figure and skip key (program, patient, options, days on the program)."""
    session = _session_or_none(doc)
    if session is None:
        return NO, NO
    options = _options(view)
    key = _key(session.program.to_dict(), session.patient.to_dict(),
               session.options.to_dict(), session.stimulation_day, options.lecture)
    if key == key_state:
        return NO, NO
    rv = R.rate_response_view(session)
    return F.rate_response_figure(rv.published, reduced=rv.reduced, patient=rv.patient,
                                  current_rate_hz=rv.current_rate_hz, options=options), key


#: Outputs of :func:`figures_update`, in the order of the Dash callback.
FIGURE_KEYS = ("fig-wave", "fig-safety", "warnings", "fig-session", "fig-gate", "summary",
               "fig-fibres", "fig-rate", "fig-bodymap", "fig-ecap", "pl-text", "fig-keys")


def figures_update(doc: Any, pinned: Any, view: Any, relayout: Any = None, click: Any = None,
                   keys: Any = None, zoomed: bool = False,
                   tab: str | None = None) -> dict[str, Any]:
    """Every figure for the stores' contents; :data:`NO` for those whose inputs are unchanged.

    Parameters
    ----------
    doc, pinned, view : store contents
    relayout, click : the waveform's zoom (its ``relayoutData`` when it changed the x range,
        from the ``wave-zoom`` store) and the session plot's ``clickData``
    keys : dict
        The ``fig-keys`` store: skip keys of the figures on screen and the waveform window.
    zoomed : bool
        Whether the waveform was just zoomed (``relayout`` is new).
    tab : str, optional
        The visible figure tab (``safety``, ``fibres``, ``gate``, ``placement``); the fibre,
        rate-response and placement figures are only computed while their tab is shown
        (``None``: everything but the placement tab's, which only the tab itself shows).

    Returns
    -------
    dict
        Keyed by :data:`FIGURE_KEYS`; ``fig-keys`` is the new keys store.
    """
    keys = dict(keys or {})
    wave, wave_state = waveform_update(doc, pinned, view, relayout, keys.get("wave"), zoomed)
    safety, warnings, safety_key = safety_update(doc, pinned, view, keys.get("safety"))
    session, gate, summary, session_key = session_update(doc, pinned, view, click,
                                                         keys.get("session"))
    fibres, fibre_key = NO, NO
    if tab in (None, "fibres"):  # its key stays stale until shown, then it is drawn
        fibres, fibre_key = fibre_update(doc, pinned, view, keys.get("fibres"))
    rate, rate_key = NO, NO
    if tab in (None, "gate"):
        rate, rate_key = rate_update(doc, view, keys.get("rate"))
    body_map: Any = NO
    ecap: Any = NO
    pl_text: Any = NO
    pl_key: Any = NO
    if tab == PL.TAB_VALUE:
        body_map, ecap, pl_text, pl_key = PL.placement_update(doc, view, keys.get("placement"))
    out = {"fig-wave": wave, "fig-safety": safety, "warnings": warnings,
           "fig-session": session, "fig-gate": gate, "summary": summary, "fig-fibres": fibres,
           "fig-rate": rate, "fig-bodymap": body_map, "fig-ecap": ecap, "pl-text": pl_text}
    new_keys = dict(keys)
    for name, value in (("wave", wave_state), ("safety", safety_key),
                        ("session", session_key), ("fibres", fibre_key), ("rate", rate_key),
                        ("placement", pl_key)):
        if value is not NO:
            new_keys[name] = value
    out["fig-keys"] = new_keys if new_keys != keys else NO
    return out


def download_json(doc: Any) -> Any:
    """``dcc.Download`` payload of the session document (indented JSON)."""
    session = _session_or_none(doc)
    if session is None:
        return NO
    return dict(content=session.to_json(indent=2), filename="neuromod-session.json",
                type="application/json")


def download_csv(doc: Any) -> tuple[Any, str]:
    """``dcc.Download`` payload of the session's time series, and a status message.

    The CSV alone (one header row, units in the column names: :mod:`sim.tables`); its
    metadata is the session document of :func:`download_json`."""
    session = _session_or_none(doc)
    if session is None:
        return NO, "The current settings are not valid; nothing to export."
    result = R.session_result(session)
    return dict(content=result.to_csv(), filename="neuromod-session.csv", type="text/csv"), ""


def pinned_status(pinned: Any) -> str:
    """The line that says what is pinned as A."""
    a = _session_or_none(pinned)
    if a is None:
        return ""
    prog = S.matching_program_preset(a.program)
    prog_t = PROGRAM_PRESETS[prog].title if prog else f"custom {a.program.therapy.upper()}"
    pat_t = S.patient_title(a.patient)
    return (f"A pinned: {prog_t} on {pat_t}, drawn dashed orange; your changes are B "
            "(solid blue).")


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------
_SIMPLE_TRIGGERS = {
    "url": "url", "program-preset": "program-preset", "patient-preset": "patient-preset",
    "btn-next-preset": "next-preset", "btn-prev-preset": "prev-preset", "upload": "upload",
    "btn-reset": "reset", "btn-pin": "pin", "btn-unpin": "unpin", "btn-lecture": "lecture",
    "ev-add": "ev-add", "tr-add": "tr-add", "therapy-commit": "therapy",
}


def _obj(data: Any) -> dict:
    """A store's data that must be an object: itself, or {} when the browser (or a crafted
    request) sent anything else."""
    return data if isinstance(data, dict) else {}


def _trigger(commit: Any = None) -> tuple:
    """What happened, from Dash's context; ``commit``: the ``form-commit`` store's data.

    Several inputs can fire one request (a slider released while the waveform reports its
    first size): a form edit wins over the others, which need no action of their own here.
    """
    if commit and any(t["prop_id"] == "form-commit.data" for t in ctx.triggered):
        name = commit.get("name") if isinstance(commit, dict) else None
        return ("field", name) if isinstance(name, str) else ("init",)
    found = [_trigger_of(t) for t in ctx.triggered if t.get("prop_id", ".") != "."]
    for action in found:
        if action[0] in _FORM_ACTIONS:
            return action
    return found[0] if found else ("init",)


_FORM_ACTIONS = ("slider", "field", "ev", "ev-del", "ev-add", "tr", "tr-del", "tr-add")


def _trigger_of(item: Mapping[str, Any]) -> tuple:
    """The action of one entry of ``ctx.triggered``."""
    raw = item["prop_id"].rsplit(".", 1)[0]
    try:
        tid = json.loads(raw) if raw.startswith("{") else raw
    except ValueError:
        return ("init",)
    if isinstance(tid, str):
        return (_SIMPLE_TRIGGERS.get(tid, "init"),)
    if not isinstance(tid, dict):
        return ("init",)
    kind = tid.get("type")
    if kind in ("slider", "field") and isinstance(tid.get("name"), str):
        return (kind, tid["name"])
    if kind in ("ev-del", "tr-del"):
        row = tid.get("row")
        if item.get("value") and isinstance(row, int) and not isinstance(row, bool):
            return (kind, row)
        return (kind[:2],)
    return ("tr",) if kind == "tr" else ("ev",) if kind == "ev" else ("init",)


def _by_name(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {item["id"]["name"]: item.get("value") for item in items}


def _event_rows(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for item in items:
        rows.setdefault(item["id"]["row"], {})[item["id"]["col"]] = item.get("value")
    return [rows[i] for i in sorted(rows)]


def _outputs(result: Mapping[str, Any], keys: Sequence[str]) -> list[Any]:
    """``result`` values for ``keys`` in the order of the running callback's outputs; pattern
    outputs become one value per matching component."""
    values = []
    for key, spec in zip(keys, ctx.outputs_list, strict=False):
        value = result[key]
        if isinstance(spec, list):
            value = [NO if value is NO else value.get(o["id"]["name"], NO) for o in spec]
        values.append(value)
    return values


def _out(key: str, dup: bool) -> Output:
    spec: dict[str, tuple[Any, str]] = {
        "doc": ("store-session", "data"), "pinned": ("store-pinned", "data"),
        "view": ("store-view", "data"), "search": ("url-search", "data"),
        "sliders": ({"type": "slider", "name": ALL}, "value"),
        "fields": ({"type": "field", "name": ALL}, "value"),
        "form": ("form-state", "data"), "events_children": ("events-list", "children"),
        "treatments_children": ("treatments-list", "children"),
        "global_msg": ("global-msg", "children"),
        "program_preset": ("program-preset", "value"),
        "patient_preset": ("patient-preset", "value"),
        "upload_contents": ("upload", "contents"),
        "program_note": ("program-preset-note", "children"),
        "patient_note": ("patient-preset-note", "children"),
    }
    component, prop = spec[key]
    return Output(component, prop, allow_duplicate=dup)


#: Outputs of the loader (it owns them), the form and the view callbacks (duplicates).
LOADER_KEYS = ("doc", "pinned", "view", "search", "sliders", "fields", "form",
               "events_children", "treatments_children", "global_msg", "program_preset",
               "patient_preset",
               "upload_contents", "program_note", "patient_note")
FORM_KEYS = ("doc", "search", "form", "events_children", "treatments_children",
             "global_msg", "program_note", "patient_note")
VIEW_KEYS = ("pinned", "view", "search")


def register(app: dash.Dash) -> None:
    """Attach every callback to ``app``."""
    stores = (State("store-session", "data"), State("store-pinned", "data"),
              State("store-view", "data"))

    @app.callback(
        *[_out(k, False) for k in LOADER_KEYS],
        *[Output(k, "data" if k == "fig-keys" else
                 "figure" if k.startswith("fig-") else "children", allow_duplicate=True)
          for k in FIGURE_KEYS],
        Input("url", "search"), Input("program-preset", "value"),
        Input("patient-preset", "value"), Input("btn-next-preset", "n_clicks"),
        Input("btn-prev-preset", "n_clicks"), Input("upload", "contents"),
        Input("btn-reset", "n_clicks"), Input("therapy-commit", "data"),
        State("upload", "filename"), *stores, State("form-state", "data"),
        State("wave-zoom", "data"), State("fig-session", "clickData"),
        State("fig-tabs", "value"), State("fig-keys", "data"),
        prevent_initial_call="initial_duplicate")
    def _loader(search, program_preset, patient_preset, _n1, _n2, upload_contents, _n3,
                therapy, upload_filename, doc, pinned, view, form, relayout, click, tab,
                keys):
        """A load (preset, therapy, link, file, reset): every control it changes, and the
        figures at once, in one round trip (the update callback then finds them drawn)."""
        inp = FormInput(doc=doc, pinned=pinned, view=_obj(view), search=search or "",
                        form=_obj(form) if isinstance(form, dict) else None,
                        program_preset=program_preset, patient_preset=patient_preset,
                        upload_contents=upload_contents, upload_filename=upload_filename,
                        therapy=(therapy or {}).get("therapy") if isinstance(therapy, dict)
                        else None)
        result = control(_trigger(), inp)
        figures = {k: NO for k in FIGURE_KEYS}
        if result["doc"] is not NO:
            with F.plain_figures():
                figures = figures_update(
                    result["doc"], pinned if result["pinned"] is NO else result["pinned"],
                    _obj(view if result["view"] is NO else result["view"]), relayout, click,
                    _obj(keys), tab=tab)
        return _outputs(result, LOADER_KEYS) + [figures[k] for k in FIGURE_KEYS]

    @app.callback(
        *[_out(k, True) for k in FORM_KEYS],
        *[Output(k, "data" if k == "fig-keys" else
                 "figure" if k.startswith("fig-") else "children") for k in FIGURE_KEYS],
        Input({"type": "slider", "name": ALL}, "value"),
        State({"type": "field", "name": ALL}, "value"), Input("form-commit", "data"),
        Input({"type": "ev", "row": ALL, "col": ALL}, "value"),
        Input("ev-add", "n_clicks"), Input({"type": "ev-del", "row": ALL}, "n_clicks"),
        Input({"type": "tr", "row": ALL, "col": ALL}, "value"),
        Input("tr-add", "n_clicks"), Input({"type": "tr-del", "row": ALL}, "n_clicks"),
        Input("store-session", "data"), Input("store-pinned", "data"),
        Input("store-view", "data"), Input("wave-zoom", "data"),
        Input("fig-session", "clickData"), Input("fig-tabs", "value"),
        State("fig-keys", "data"),
        State("form-state", "data"), State("global-msg", "children"),
        State("program-preset-note", "children"), State("patient-preset-note", "children"),
        prevent_initial_call=True)
    def _update(_sliders, _fields, commit, _events, _n, _dels, _trs, _tn, _tdels, doc, pinned,
                view, relayout, click, tab, keys, form, global_msg, program_note,
                patient_note):
        """One server round trip from a released slider to every redrawn figure."""
        changed = {t["prop_id"] for t in ctx.triggered}
        result = {k: NO for k in FORM_KEYS}
        loaded = "store-session.data" in changed  # the loader rewrote every control
        if not loaded and any('"type":"slider"' in t or t.startswith("form-commit")
                              or '"type":"ev' in t or t.startswith("ev-add")
                              or '"type":"tr' in t or t.startswith("tr-add") for t in changed):
            items = [d for group in ctx.args_grouping  # inputs and states, in order
                     if isinstance(group, list) for d in group]

            def of(kind: str) -> list:
                return [d for d in items if d["id"].get("type") == kind]

            inp = FormInput(doc=doc, pinned=pinned, view=_obj(view),
                            sliders=_by_name(of("slider")), fields=_by_name(of("field")),
                            events=_event_rows(of("ev")), treatments=_event_rows(of("tr")))
            result = control(_trigger(commit), inp)
            if result["doc"] is not NO:
                doc = result["doc"]
            # Send only what changed: every output sent is re-rendered by the browser.
            for key, current in (("form", form), ("global_msg", global_msg),
                                 ("program_note", program_note),
                                 ("patient_note", patient_note)):
                if result[key] is not NO and result[key] == current:
                    result[key] = NO
        with F.plain_figures():  # the same figures, without the graph-object round trip
            figures = figures_update(doc, pinned, _obj(view), relayout, click, _obj(keys),
                                     zoomed="wave-zoom.data" in changed, tab=tab)
        return [result[k] for k in FORM_KEYS] + [figures[k] for k in FIGURE_KEYS]

    @app.callback(
        *[_out(k, True) for k in VIEW_KEYS],
        Input("btn-pin", "n_clicks"), Input("btn-unpin", "n_clicks"),
        Input("btn-lecture", "n_clicks"), *stores, prevent_initial_call=True)
    def _view(_n1, _n2, _n3, doc, pinned, view):
        inp = FormInput(doc=doc, pinned=pinned, view=_obj(view))
        return _outputs(control(_trigger(), inp), VIEW_KEYS)

    @app.callback(Output("download-json", "data"), Input("btn-json", "n_clicks"),
                  State("store-session", "data"), prevent_initial_call=True)
    def _json(_n, doc):
        return download_json(doc)

    @app.callback(Output("download-csv", "data"), Output("export-msg", "children"),
                  Input("btn-csv", "n_clicks"), State("store-session", "data"),
                  prevent_initial_call=True)
    def _csv(_n, doc):
        return download_csv(doc)

    @app.callback(Output("ab-status", "children"), Output("btn-unpin", "disabled"),
                  Input("store-pinned", "data"), prevent_initial_call=True)
    def _ab(pinned):
        text = pinned_status(pinned)
        return text, not text

    # In the browser (dashboard/assets/neuromod.js): no server round trip needed.
    def client(name: str, *deps: Any, **kw: Any) -> None:
        app.clientside_callback(ClientsideFunction("neuromod", name), *deps, **kw)

    # slider -> its text box; a user's commit in a text box, choice or switch -> its slider or
    # form-commit (via set_props: no declared output, so nothing waits for it).
    client("sliderToField", Output({"type": "field", "name": MATCH}, "value"),
           Input({"type": "slider", "name": MATCH}, "value"),
           State({"type": "field", "name": MATCH}, "value"),
           State({"type": "slider", "name": MATCH}, "id"), State("param-meta", "data"),
           prevent_initial_call=True)
    client("fieldCommit", Input({"type": "field", "name": MATCH}, "value"),
           State({"type": "field", "name": MATCH}, "id"), State("param-meta", "data"),
           prevent_initial_call=True)
    client("dragPreview", Output({"type": "row", "name": MATCH}, "data-preview"),
           Input({"type": "slider", "name": MATCH}, "drag_value"),
           State({"type": "slider", "name": MATCH}, "value"),
           State({"type": "slider", "name": MATCH}, "id"), State("param-meta", "data"),
           prevent_initial_call=True)
    client("fieldMessages", Output({"type": "msg", "name": ALL}, "children"),
           Input("form-state", "data"), State({"type": "msg", "name": ALL}, "id"),
           State({"type": "msg", "name": ALL}, "children"), prevent_initial_call=True)
    client("rowClasses", Output({"type": "row", "name": ALL}, "className"),
           Input("form-state", "data"), State({"type": "row", "name": ALL}, "id"),
           State({"type": "row", "name": ALL}, "className"), prevent_initial_call=True)
    client("eventsMessage", Output("events-msg", "children"), Input("form-state", "data"),
           prevent_initial_call=True)
    client("writeUrl", Output("url-sync", "title"), Input("url-search", "data"),
           prevent_initial_call=True)
    client("lectureClass", Output("root", "className"), Input("store-view", "data"))
    client("waveZoom", Output("wave-zoom", "data"), Input("fig-wave", "relayoutData"),
           prevent_initial_call=True)
    client("sectionToggle", Output({"type": "section-body", "name": MATCH}, "value"),
           Input({"type": "section-head", "name": MATCH}, "n_clicks"),
           State({"type": "section-body", "name": MATCH}, "value"),
           State({"type": "section-head", "name": MATCH}, "id"), prevent_initial_call=True)
    client("currentUrl", Output("copy-link", "content"), Input("copy-link", "n_clicks"),
           prevent_initial_call=True)
