"""Pure figure builders: ``(result, options) -> go.Figure``; used by the dashboard and notebooks.

Nothing here reads globals, clocks or files; every builder depends only on its arguments (and
pure :mod:`sim` functions), returns a new :class:`plotly.graph_objects.Figure`, and keeps its
payload bounded whatever the session length:

* the waveform draws pulses only inside the visible window, as exact step vertices from the
  pulse events (or, when the window holds more pulses than pixels, as the min/max envelope);
* time series are min/max-downsampled to at most :data:`MAX_SERIES_POINTS` points per trace
  and sent as float32 typed arrays;
* waveform traces longer than :data:`WEBGL_MIN_POINTS` points are drawn with WebGL.

A pinned comparison configuration ("A") is drawn dashed in :data:`COLOR_A` behind the current
one ("B", :data:`COLOR_B`) by every builder that takes ``compare``; their legend entries say
which is which (:data:`NAME_A`, :data:`NAME_B`, and :data:`NAME_ALONE` when nothing is pinned).
"""
from __future__ import annotations

import base64
import contextlib
import contextvars
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from sim.recruitment import FibreView
from sim.safety import SafetyReport, safety_report
from sim.waveforms import (  # noqa: F401
    ENVELOPE_BINS,
    MAX_WAVE_POINTS,
    Program,
    PulseTrain,
    WaveVertices,
    pulse_train,
    waveform_vertices,
)

__all__ = [
    "FigureOptions", "FibreView", "waveform_figure", "default_window_s", "waveform_vertices",
    "safety_figure", "session_figure", "fibre_figure", "gate_figure", "downsample_minmax",
    "GRAPH_CONFIG", "MAX_WAVE_POINTS", "MAX_SERIES_POINTS", "WEBGL_MIN_POINTS", "COLOR_A",
    "COLOR_B", "NAME_A", "NAME_B", "NAME_ALONE",
    "plain_figures", "twitch_trace", "TWITCH_COLOR",
]

#: Most points per time-series trace after downsampling.
MAX_SERIES_POINTS = 1000
#: Waveform traces with more points than this are drawn with WebGL (``scattergl``): plotly's
#: SVG path costs grow with the points, WebGL's hardly (3000 points: ~39 vs ~22 ms per redraw
#: in headless Chromium on the 2-core test machine); shorter traces stay SVG, which is
#: cheaper for a few points and sharper in PNG exports. Session series are downsampled to
#: :data:`MAX_SERIES_POINTS` and stay SVG.
WEBGL_MIN_POINTS = 1000

# Okabe-Ito palette: distinguishable with colour-vision deficiencies and on a projector.
COLOR_B = "#0072B2"
COLOR_A = "#D55E00"
FIBRE_COLORS = {"Aβ": "#0072B2", "Aδ": "#E69F00", "C": "#CC79A7"}
EVENT_COLORS = {"stimulation": "rgba(0,158,115,0.14)", "touch": "rgba(86,180,233,0.25)",
                "pinch": "rgba(230,159,0,0.28)", "injury": "rgba(213,94,0,0.30)",
                "brush": "rgba(86,180,233,0.25)", "pinprick": "rgba(230,159,0,0.22)",
                "cold": "rgba(0,114,178,0.20)", "warm": "rgba(213,94,0,0.18)",
                "pressure": "rgba(204,121,167,0.22)",
                # postures: the cord moves under an SCS lead (greys, they are not stimuli)
                "supine": "rgba(120,120,120,0.16)", "prone": "rgba(80,80,80,0.16)",
                "standing": "rgba(160,160,160,0.14)"}
WARN = "#C0392B"
#: Legend names of the pinned configuration A, of the one being edited (B) beside it, and of
#: the one being edited when nothing is pinned ("current" would read as electric current).
NAME_A = "A (pinned)"
NAME_B = "B (this session)"
NAME_ALONE = "this session"

#: ``dcc.Graph`` config: no cloud upload button, no logo, PNG export at 2x.
GRAPH_CONFIG: dict[str, Any] = {"showSendToCloud": False, "displaylogo": False,
                "toImageButtonOptions": {"format": "png", "scale": 2}}


@dataclass(frozen=True)
class FigureOptions:
    """Presentation options shared by all builders.

    Attributes
    ----------
    lecture : bool
        Large fonts, thick lines and high contrast for a projector.
    """

    lecture: bool = False

    @property
    def font_size(self) -> int:
        return 20 if self.lecture else 12

    @property
    def line_width(self) -> float:
        return 3.5 if self.lecture else 1.8


def axis_style(options: FigureOptions, **kw: Any) -> dict:
    ink = "#000000" if options.lecture else "#222222"
    grid = "#BBBBBB" if options.lecture else "#E5E5E5"
    # Fixed margins, no automargin: automargin makes plotly lay a figure out twice.
    ax = dict(showgrid=True, gridcolor=grid, zeroline=False, linecolor=ink, ticks="outside",
              showline=True, automargin=False)
    if isinstance(kw.get("title"), str):
        kw["title"] = dict(text=kw.pop("title"), font=dict(
            size=options.font_size - 2 if options.lecture else options.font_size))
    if kw.get("type") == "log":
        ax["dtick"] = 1  # decades only: plotly's default crowds log axes with 2..9 labels
    ax.update(kw)
    return ax


def margins(options: FigureOptions, **overrides: float) -> dict:
    """Fixed plot margins [px], wider in lecture mode (large tick labels and titles)."""
    m: dict[str, float] = dict(l=100 if options.lecture else 64, r=20,
                               t=64 if options.lecture else 48, b=90 if options.lecture else 52)
    m.update(overrides)
    return m


def base_layout(options: FigureOptions, title: str, **kw: Any) -> dict:
    """A small self-contained layout (no template: keeps every payload a few KB smaller)."""
    layout = dict(
        template={},
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=options.font_size + 3)),
        font=dict(size=options.font_size, family="Helvetica, Arial, sans-serif",
                  color="#000000" if options.lecture else "#222222"),
        paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        margin=margins(options),
        legend=dict(orientation="h", x=0, y=-0.2, yanchor="top"),
        hovermode="closest", annotations=[], shapes=[],
    )
    layout.update(kw)
    return layout


_PLAIN = contextvars.ContextVar("neuromod_plain_figures", default=False)


@contextlib.contextmanager
def plain_figures() -> Iterator[None]:
    """Within this block every builder returns its figure as a plain JSON-ready dict
    (``{"data": [...], "layout": {...}}``, arrays as plotly's base64 typed-array specs)
    instead of a :class:`go.Figure`: the same figure, minus the graph-object wrapping and
    unwrapping that costs the dashboard server more than building the figure itself.
    Per thread/context (a :mod:`contextvars` flag), so concurrent requests do not interfere.
    """
    token = _PLAIN.set(True)
    try:
        yield
    finally:
        _PLAIN.reset(token)


def make_figure(data: list, layout: dict) -> go.Figure:
    """Wrap a plain figure spec without plotly's per-property validation (~50x faster: the
    builders' specs are checked against the schema by the test suite instead); inside
    :func:`plain_figures`, return the spec itself (what ``go.Figure.to_plotly_json`` gives)."""
    if _PLAIN.get():
        spec = {"data": data, "layout": layout}
        _to_typed_arrays(spec)  # numpy arrays -> {"dtype", "bdata"}, as go.Figure does
        return spec
    return go.Figure(dict(data=data, layout=layout), _validate=False)


#: Keys whose arrays plotly leaves as they are (``_plotly_utils.utils.is_skipped_key``).
_UNTYPED_KEYS = frozenset(("geojson", "layer", "layers", "range"))
#: numpy dtype -> plotly.js typed-array code, for the arrays encoded here directly.
_TYPED_CODES = {np.dtype(t): c for t, c in (
    ("int8", "i1"), ("uint8", "u1"), ("int16", "i2"), ("uint16", "u2"), ("int32", "i4"),
    ("uint32", "u4"), ("float32", "f4"), ("float64", "f8"))}


def _to_typed_arrays(obj: Any) -> None:
    """In place, what ``_plotly_utils.utils.convert_to_base64`` does to the builders' specs:
    every numpy array in a dict becomes plotly's typed-array spec. Its version tests every
    value of the spec for array-likeness (pandas, narwhals) and costs ~1.5 ms per figure;
    the builders only put numpy arrays in, so this walk checks for those alone (the same
    JSON, tested against ``go.Figure``)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in _UNTYPED_KEYS:
                continue
            if isinstance(value, np.ndarray):
                obj[key] = _typed_array(value)
            elif isinstance(value, (dict, list, tuple)):
                _to_typed_arrays(value)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            if isinstance(value, (dict, list, tuple)):
                _to_typed_arrays(value)


def _typed_array(v: np.ndarray) -> Any:
    code = _TYPED_CODES.get(v.dtype)
    if code is None or v.ndim != 1 or v.size == 0 or v.dtype.byteorder == ">":
        from _plotly_utils.utils import to_typed_array_spec
        return to_typed_array_spec(v)  # int64, 2-D, empty ...: plotly's own rules
    raw = np.ascontiguousarray(v).tobytes()
    return {"dtype": code, "bdata": base64.b64encode(raw).decode("ascii")}


def nice_ceil(x: float) -> float:
    """Smallest of 1, 2, 2.5, 5 x 10^n at or above ``x``: axis ranges that do not move with
    every small change (plotly then restyles the traces instead of redrawing the axes)."""
    if not (x > 0 and math.isfinite(x)):
        return 1.0
    base = 10.0 ** math.floor(math.log10(x))
    return next(m * base for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * base >= x * (1 - 1e-12))


def _note(text: str, options: FigureOptions) -> dict:
    return dict(text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                font=dict(size=options.font_size + 1, color="#555555"),
                bgcolor="rgba(255,255,255,0.85)")


def _title_ann(text: str, x: float, y: float, options: FigureOptions) -> dict:
    return dict(text=text, xref="paper", yref="paper", x=x, y=y, xanchor="center",
                yanchor="bottom", showarrow=False, font=dict(size=options.font_size + 1))


# --------------------------------------------------------------------------------------------
# Waveform
# --------------------------------------------------------------------------------------------
def default_window_s(program: Program, duration_s: float) -> tuple[float, float]:
    """The window shown before any zoom: three repeating units (pulses or bursts) [s]."""
    period = 1.0 / (program.burst_rate_hz if program.pattern == "burst" else program.rate_hz)
    return 0.0, float(min(duration_s, 3.0 * period))


def _charge_text(program: Program, q_uC: float, lecture: bool = False) -> str:
    """The charge per phase as the waveform's second title line (above the plot: it never
    covers the trace). Shorter in lecture mode, where the panel is narrow for its font."""
    if program.shape == "custom":
        return f"Q = {q_uC:.3g} µC per phase"
    if lecture:
        return (f"Q = {program.amplitude_mA:g} mA × {program.pulse_width_us:g} µs"
                f" = {q_uC:.3g} µC per phase")
    return (f"Q = I × PW = {program.amplitude_mA:g} mA × {program.pulse_width_us:g} µs"
            f" = {q_uC:.3g} µC per phase")


def waveform_figure(program: Program, *, duration_s: float,
                    window_s: tuple[float, float] | None = None,
                    compare: tuple[Program, float] | None = None,
                    report: SafetyReport | None = None,
                    options: FigureOptions = FigureOptions()) -> go.Figure:
    """The output current over a window, with the charge per phase marked.

    Parameters
    ----------
    program : Program
        The current program (B).
    duration_s : float
        Length of the pulse train (the session) [s].
    window_s : (float, float), optional
        Visible window [s]; default :func:`default_window_s`. Clipped to the train.
    compare : (Program, float), optional
        Pinned program A and its session duration [s], drawn dashed in the same window.
    report : SafetyReport, optional
        B's safety report (for the charge per phase); computed when omitted.
    options : FigureOptions

    Returns
    -------
    go.Figure
        Time axis in ms. ``layout.meta`` holds ``charge_per_phase_uC``, ``mode``
        (exact/envelope/empty), ``window_s`` and ``pulses_in_window``.
    """
    t0, t1 = window_s if window_s is not None else default_window_s(program, duration_s)
    t1 = float(min(max(t1, 1e-6), duration_s))
    t0 = float(min(max(t0, 0.0), t1 - 1e-6)) if t1 > 1e-6 else 0.0
    train = pulse_train(program, duration_s)
    verts = waveform_vertices(train, t0, t1)
    q = (report or safety_report(program)).charge_per_phase_uC
    lw = options.line_width
    data: list[dict] = []
    if compare is not None:
        prog_a, dur_a = compare
        va = waveform_vertices(pulse_train(prog_a, dur_a), t0, t1)
        data += _wave_traces(va, NAME_A, COLOR_A, lw, dash="dash")
    data += _wave_traces(verts, NAME_B if compare is not None else NAME_ALONE, COLOR_B, lw)
    annotations = []
    # Charge per phase: shade the first stimulating (cathodic) phase in view; its value is
    # the title's second line.
    cath = next((ph for ph in train.phases if ph.amplitude_mA < 0), None)
    if verts.mode == "exact" and cath is not None:
        visible = [o for o in verts.onsets_s if t0 <= o + cath.start_s < t1]
        if visible:
            onset = visible[0]
            a = cath.amplitude_mA * float(train.envelope(np.array([onset]))[0])
            s, e = (onset + cath.start_s) * 1e3, (onset + cath.start_s + cath.width_s) * 1e3
            data.append(dict(type="scatter", x=[s, s, e, e], y=[0, a, a, 0], fill="toself",
                             mode="lines", line=dict(width=0), hoverinfo="skip",
                             fillcolor="rgba(0,114,178,0.30)", name="charge per phase",
                             showlegend=False))
    if verts.mode == "envelope":
        annotations.append(dict(
            text=f"{verts.n_pulses:,} pulses in view: envelope shown, zoom in to see pulses",
            xref="paper", yref="paper", x=0.01, y=0.02, showarrow=False, xanchor="left",
            yanchor="bottom", font=dict(size=options.font_size - 1, color="#555555")))
    elif verts.mode == "empty":
        annotations.append(_note("no stimulation (therapy off or 0 mA)", options))
    n = verts.n_pulses
    peak = max([abs(ph.amplitude_mA) for ph in train.phases] +
               [abs(ph.amplitude_mA) for ph in (pulse_train(compare[0], compare[1]).phases
                                                 if compare is not None else ())] + [0.1])
    title = (f"{'Waveform' if options.lecture else 'Stimulation waveform'}: {n:,} "
             f"pulse{'s' * (n != 1)} in view")
    layout = base_layout(
        options, title,
        xaxis=axis_style(options, title="time [ms]", range=[t0 * 1e3, t1 * 1e3]),
        yaxis=axis_style(options, title="current at cathode [mA]", fixedrange=True,
                    range=[-nice_ceil(1.1 * peak), nice_ceil(1.1 * peak)]),
        showlegend=compare is not None, uirevision="waveform", annotations=annotations,
        shapes=[dict(type="line", xref="paper", x0=0, x1=1, y0=0, y1=0,
                     line=dict(color="#888888", width=1))],
        meta=dict(charge_per_phase_uC=q, mode=verts.mode, window_s=[t0, t1],
                  pulses_in_window=n),
        margin=margins(options, t=92 if options.lecture else 70),
    )
    layout["title"].update(y=1.0, yref="container", yanchor="top", pad=dict(t=8))
    # The charge per phase just above the plot area, under the title: never on the trace.
    layout["annotations"].append(dict(
        text=_charge_text(program, q, options.lecture), xref="paper", yref="paper", x=0,
        y=1.0, xanchor="left", yanchor="bottom", yshift=6, showarrow=False,
        xshift=8 - layout["margin"]["l"],  # from the panel's left edge, under the title
        font=dict(size=options.font_size - (2 if options.lecture else 0), color=COLOR_B)))
    return make_figure(data, layout)


def _wave_traces(v: WaveVertices, name: str, color: str, width: float,
                 dash: str = "solid") -> list[dict]:
    x_ms = v.t_s * 1e3
    line = dict(color=color, width=width, dash=dash)
    kind = "scattergl" if len(x_ms) > WEBGL_MIN_POINTS else "scatter"
    if v.mode == "envelope" and v.lower_mA is not None:
        thin = dict(line, width=width / 2, shape="hvh")
        return [dict(type=kind, x=x_ms, y=v.lower_mA.astype(np.float32), mode="lines",
                     line=thin, name=name, legendgroup=name, showlegend=False,
                     hoverinfo="skip"),
                dict(type=kind, x=x_ms, y=v.current_mA.astype(np.float32), mode="lines",
                     line=thin, fill="tonexty", name=name, legendgroup=name, hoverinfo="skip")]
    return [dict(type=kind, x=x_ms, y=v.current_mA.astype(np.float32), mode="lines",
                 line=line, name=name,
                 hovertemplate="%{x:.4f} ms<br>%{y:.3g} mA<extra>" + name + "</extra>")]


# --------------------------------------------------------------------------------------------
# Safety and energy
# --------------------------------------------------------------------------------------------
def safety_figure(report: SafetyReport, *, contact_area_mm2: float,
                  compare: tuple[SafetyReport, float] | None = None, battery: bool = True,
                  options: FigureOptions = FigureOptions()) -> go.Figure:
    """Charge density and Shannon k against their limits, with the energy in the title.

    Left: the Shannon plane (charge per phase Q vs charge density D, log-log) with the limit
    line ``log10(D) + log10(Q) = k`` and the unsafe region above it, the density cap, the
    line of operating points of this contact (D = Q / A) and the program's point (and, for a
    burst that accumulates charge before its recharge, the per-burst point beside it). Right:
    how close the program is to each limit, as a percentage: D / cap, and D·Q / 10^k (which
    is 100 % exactly when k reaches its limit), with A beside B when a configuration is
    pinned.

    Parameters
    ----------
    report : SafetyReport
        The current program's report (B).
    contact_area_mm2 : float
        B's contact area [mm²] (for the contact line).
    compare : (SafetyReport, float), optional
        A's report and contact area [mm²]. A's and B's operating points then have legend
        entries of their own.
    battery : bool
        State B's battery life in the title (the dashboard does so only for an implanted
        program that stimulates: not for an external TENS unit or a session without
        stimulation); the power delivered is stated either way.
    options : FigureOptions

    Returns
    -------
    go.Figure
        ``layout.meta`` holds B's ``charge_density_uC_per_cm2``, ``shannon_k`` and
        ``battery_life_days`` (None when not finite).
    """
    lw = options.line_width
    k_lim, cap = report.shannon_k_limit, report.density_limit_uC_per_cm2
    q = np.logspace(-3, 2, 30)
    d_line = 10 ** k_lim / q
    data: list[dict] = [
        dict(type="scatter", x=np.concatenate([q, [q[-1], q[0]]]),
             y=np.concatenate([d_line, [1e4, 1e4]]), fill="toself", mode="none",
             fillcolor="rgba(192,57,43,0.12)", hoverinfo="skip",
             name=f"k ≥ {k_lim:g}: tissue damage risk"),
        dict(type="scatter", x=q, y=d_line, mode="lines", line=dict(color=WARN, width=lw),
             name=f"Shannon limit k = {k_lim:g}"),
        dict(type="scatter", x=[q[0], q[-1]], y=[cap, cap], mode="lines",
             line=dict(color=WARN, width=lw, dash="dot"), name=f"density cap {cap:g} µC/cm²"),
    ]
    entries = [("B" if compare else NAME_ALONE, report, contact_area_mm2, COLOR_B)]
    if compare is not None:
        entries.insert(0, ("A", compare[0], compare[1], COLOR_A))
    for label, rep, area, color in entries:
        data.append(dict(type="scatter", x=[q[0], q[-1]], y=[q[0] / (area / 100.0),
                                                             q[-1] / (area / 100.0)],
                         mode="lines", line=dict(color=color, width=lw / 2, dash="dash"),
                         hoverinfo="skip", name=f"{label}: contact of {area:g} mm²"))
        if rep.charge_per_phase_uC > 0:
            data.append(dict(
                type="scatter", x=[rep.charge_per_phase_uC],
                y=[rep.charge_density_uC_per_cm2], mode="markers",
                showlegend=compare is not None,
                name=f"{label}: Q = {rep.charge_per_phase_uC:.3g} µC, "
                     f"D = {rep.charge_density_uC_per_cm2:.3g} µC/cm²",
                marker=dict(size=14 if options.lecture else 11, color=color,
                            symbol="diamond" if label == "A" else "circle",
                            line=dict(color="#000000", width=1))))
        if _accumulates(rep):
            data.append(dict(
                type="scatter", x=[rep.charge_per_burst_uC],
                y=[rep.burst_charge_density_uC_per_cm2], mode="markers+text",
                text=["per burst"], textposition="middle right", showlegend=False,
                name=f"{label}: {rep.charge_per_burst_uC:.3g} µC per burst before its "
                     "recharge",
                marker=dict(size=16 if options.lecture else 13, color=color,
                            symbol="circle-open", line=dict(color=color, width=2))))
    # Right panel: per limit, one bar per configuration (A first), as % of the limit.
    rows, pct, texts, colors = [], [], [], []
    for label, rep, _, color in entries:
        dens = 100 * rep.charge_density_uC_per_cm2 / cap
        shannon = 100 * 10 ** (rep.shannon_k - k_lim) if math.isfinite(rep.shannon_k) else 0.0
        k_text = f"k = {rep.shannon_k:.2f}" if math.isfinite(rep.shannon_k) else "no charge"
        suffix = f" ({label})" if compare is not None else ""
        rows += [f"density{suffix}", f"Shannon{suffix}"]
        pct += [dens, shannon]
        texts += [f"{rep.charge_density_uC_per_cm2:.3g} µC/cm²", k_text]
        colors += [WARN if dens > 100 else color, WARN if not rep.shannon_ok else color]
        if _accumulates(rep):
            rows.append(f"Shannon, burst{suffix}")
            pct.append(100 * 10 ** (rep.burst_shannon_k - k_lim))
            texts.append(f"k = {rep.burst_shannon_k:.2f}")
            colors.append(WARN if rep.burst_shannon_k >= k_lim else color)
    order = sorted(range(len(rows)), key=lambda i: (rows[i].startswith("Shannon"), i))
    data.append(dict(type="bar", orientation="h", y=[rows[i] for i in order],
                     x=[min(pct[i], 400.0) for i in order], text=[texts[i] for i in order],
                     textposition="outside", textangle=0, cliponaxis=False, showlegend=False,
                     hoverinfo="skip", marker=dict(color=[colors[i] for i in order]),
                     xaxis="x2", yaxis="y2"))
    if report.charge_per_phase_uC <= 0:
        energy = "no stimulation"
    elif battery:
        energy = f"battery {days_text(report.battery_life_days)}, {report.power_mW:.3g} mW"
    else:
        energy = f"{report.power_mW:.3g} mW delivered"
    layout = base_layout(
        options, f"Safety and energy: {energy}",
        xaxis=axis_style(options, type="log", range=[-3, 2], domain=[0, 0.5],
                    title="charge per phase Q [µC]"),
        yaxis=axis_style(options, type="log", range=[-3, 3], title="charge density D [µC/cm²]"),
        xaxis2=axis_style(options, range=[0, max(160.0, min(400.0, max(pct)) * 1.45)],
                     domain=[0.7, 1.0], anchor="y2", title="% of limit"),
        yaxis2=axis_style(options, anchor="x2", showgrid=False, autorange="reversed",
                     domain=[0.0, 1.0]),
        legend=dict(orientation="h", x=0.0, y=-0.2, yanchor="top",
                    font=dict(size=options.font_size - 1)),
        margin=margins(options, b=150 if options.lecture else 110),
        bargap=0.3,
        shapes=[dict(type="line", xref="x2", yref="y2 domain", x0=100, x1=100, y0=0, y1=1,
                     line=dict(color=WARN, width=lw))],
        annotations=[_title_ann("100 % = limit", 0.85, 1.0, options)],
        meta=dict(charge_density_uC_per_cm2=report.charge_density_uC_per_cm2,
                  shannon_k=report.shannon_k if math.isfinite(report.shannon_k) else None,
                  battery_life_days=report.battery_life_days
                  if math.isfinite(report.battery_life_days) else None),
    )
    return make_figure(data, layout)


def _accumulates(rep: SafetyReport) -> bool:
    """Whether charge accumulates over a burst before its recharge (passive-recharge bursts)."""
    return rep.charge_per_burst_uC > rep.charge_per_phase_uC * (1 + 1e-9)


def days_text(days: float) -> str:
    if not math.isfinite(days):
        return "no drain"
    if days >= 365:
        return f"{days / 365:.1f} years"
    return f"{days:.3g} days" if days >= 1 else f"{days * 24:.2g} hours"


# --------------------------------------------------------------------------------------------
# Session time series
# --------------------------------------------------------------------------------------------
def downsample_minmax(t: npt.ArrayLike, y: npt.ArrayLike,
                      max_points: int = MAX_SERIES_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a series to at most ``max_points`` points keeping every bucket's min and max.

    Peaks (a pinch, an injury) survive any session length; the result is float32. Vectorised:
    the buckets (``max_points // 2`` of nearly equal length) are rows of one padded matrix.
    """
    t_arr = np.asarray(t, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    n = t_arr.size
    if n <= max_points:
        return t_arr.astype(np.float32), y_arr.astype(np.float32)
    nb = max(1, max_points // 2)
    edges = np.linspace(0, n, nb + 1).astype(int)
    start, stop = edges[:-1], edges[1:]
    keep = stop > start
    start, stop = start[keep], stop[keep]
    width = int((stop - start).max())
    rows = start[:, None] + np.arange(width)[None, :]
    inside = rows < stop[:, None]
    rows = np.minimum(rows, n - 1)
    vals = y_arr[rows]
    # argmin/argmax return the first extreme of each bucket (a NaN counts as extreme, as in
    # np.argmin on the bucket itself); padding can never win.
    i_min = start + np.argmin(np.where(inside, vals, np.inf), axis=1)
    i_max = start + np.argmax(np.where(inside, vals, -np.inf), axis=1)
    idx = np.unique(np.concatenate([i_min, i_max]))
    return t_arr[idx].astype(np.float32), y_arr[idx].astype(np.float32)


#: Series drawn by :func:`session_figure`, top to bottom: (series name, axis title).
SESSION_ROWS = (("pain_nrs", "pain [NRS]"), ("paresthesia", "paresthesia"))


#: Colour of the muscle-twitch marker on the session figure (Okabe-Ito vermillion).
TWITCH_COLOR = "#D55E00"


def twitch_trace(result: Any, motor: Any, y: float, options: FigureOptions) -> dict | None:
    """The visible-contraction marker of a PNS or TENS program above its motor threshold: a
    row of marks at the top of the sensation panel while stimulation is on (one per second,
    each standing for the twitches of that second), or a bar for a fused contraction.

    ``motor`` is a :class:`sim.motor_fibers.MotorResponse`; ``None`` or no visible
    contraction draws nothing.
    """
    if motor is None or result is None or not getattr(motor, "visible", False) \
            or "stim_on" not in result.series:
        return None
    t = np.asarray(result.t_s, dtype=float)
    on = np.asarray(result.series["stim_on"], dtype=float) > 0.5
    if not on.any():
        return None
    if motor.contraction == "twitches":
        marks = np.arange(math.ceil(t[0]), math.floor(t[-1]) + 1, 1.0)
        marks = marks[on[np.clip(np.searchsorted(t, marks), 0, t.size - 1)]]
        xs, ys, mode = marks, np.full(marks.size, y), "markers"
        what = f"visible twitches, {motor.twitch_rate_hz:g} per second"
    else:  # a fused (tetanic) contraction: a bar while stimulation is on
        xs, level = downsample_minmax(t, on.astype(float))
        ys = np.where(np.asarray(level) > 0.5, y, np.nan)
        mode = "lines"
        what = "sustained (fused) contraction"
    name = f"muscle: {what} (above the {motor.motor_threshold_mA:.1f} mA motor threshold)"
    return dict(type="scatter", x=xs.astype(np.float32), y=ys.astype(np.float32), mode=mode,
                name=name, xaxis="x", yaxis="y2", legendgroup="twitch",
                marker=dict(symbol="triangle-down", size=options.font_size - 2,
                            color=TWITCH_COLOR),
                line=dict(color=TWITCH_COLOR, width=3 * options.line_width),
                hovertemplate="%{x:.0f} s: " + what + "<extra></extra>")


def session_figure(result: Any, events: Sequence[Any], duration_s: float, *,
                   compare: Any = None, cursor_s: float | None = None, motor: Any = None,
                   options: FigureOptions = FigureOptions()) -> go.Figure:
    """Pain (NRS) and paresthesia over the session, with the events marked.

    Parameters
    ----------
    result : SessionResult or None
        Needs ``t_s`` [s], ``series`` (name -> ndarray, with ``pain_nrs`` and ``paresthesia``)
        and ``units`` (name -> unit). ``None`` draws the event timeline only, with a note.
    events : sequence of Event
        The session's events (``kind``, ``start_s``, ``stop_s``), shaded by kind.
    duration_s : float
        Session length [s].
    compare : SessionResult, optional
        Pinned configuration A's result, drawn dashed. The legend names the runs
        :data:`NAME_A` and :data:`NAME_B`, or :data:`NAME_ALONE` without ``compare``.
    cursor_s : float, optional
        Time of the gate snapshot [s], drawn as a vertical line.
    motor : MotorResponse, optional
        The muscle's response to ``result``'s program (:func:`sim.motor_fibers.motor_response`,
        PNS and TENS): above the motor threshold the twitches are marked while stimulation is
        on (:func:`twitch_trace`).
    options : FigureOptions
    """
    lw = options.line_width
    data: list[dict] = []
    runs = [(NAME_A, compare, COLOR_A, "dash"),
            (NAME_B if compare is not None else NAME_ALONE, result, COLOR_B, "solid")]
    for name, res, color, dash in runs:
        if res is None:
            continue
        for row, (key, _) in enumerate(SESSION_ROWS, start=1):
            if key not in res.series:
                continue
            t, y = downsample_minmax(res.t_s, res.series[key])
            data.append(dict(type="scatter", x=t, y=y, mode="lines", name=name,
                             legendgroup=name, showlegend=row == 1,
                             xaxis="x", yaxis="y" if row == 1 else f"y{row}",
                             line=dict(color=color, width=lw, dash=dash),
                             hovertemplate="%{x:.1f} s: %{y:.2f}<extra>" + name + "</extra>"))
    shapes, annotations = [], []
    for ev in events:
        shapes.append(dict(type="rect", xref="x", yref="paper", x0=ev.start_s, x1=ev.stop_s,
                           y0=0, y1=1, fillcolor=EVENT_COLORS.get(ev.kind, "#EEEEEE"),
                           line=dict(width=0), layer="below"))
        annotations.append(dict(text=ev.kind, x=(ev.start_s + ev.stop_s) / 2, xref="x",
                                y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                                font=dict(size=options.font_size - 1, color="#333333")))
    if cursor_s is not None:
        shapes.append(dict(type="line", xref="x", yref="paper", x0=cursor_s, x1=cursor_s,
                           y0=0, y1=1, line=dict(color="#444444", width=1, dash="dot")))
    if result is None:
        annotations.append(_note("Pain and paresthesia appear here once the session model "
                                 "(sim.session.run_session) is installed.<br>The shaded bands "
                                 "are this session's events.", options))
    tops = [float(np.nanmax(t["y"])) for t in data if t["yaxis"] == "y2" and len(t["y"])]
    para_top = nice_ceil(1.05 * max([*tops, 1.0]))
    twitch = twitch_trace(result, motor, 0.93 * para_top, options)
    if twitch is not None:
        data.append(twitch)
    units = getattr(result, "units", None) or {}
    unit = units.get("paresthesia", "")
    layout = base_layout(
        options, "Pain and paresthesia over the session",
        xaxis=axis_style(options, range=[0, duration_s], title="time in session [s]", anchor="y2"),
        yaxis=axis_style(options, range=[0, 10.3], domain=[0.52, 1.0], title=SESSION_ROWS[0][1]),
        yaxis2=axis_style(options, range=[0, para_top], domain=[0.0, 0.44],
                     title=SESSION_ROWS[1][1] + (f" [{unit}]" if unit else "")),
        shapes=shapes, annotations=annotations, uirevision="session",
        margin=margins(options, t=80 if options.lecture else 72),
    )
    return make_figure(data, layout)


# --------------------------------------------------------------------------------------------
# Fibres
# --------------------------------------------------------------------------------------------


def fibre_figure(view: Any, *, compare: Any = None,
                 options: FigureOptions = FigureOptions()) -> go.Figure:
    """Recruitment and strength-duration curves per fibre class, with the operating point.

    Parameters
    ----------
    view : FibreView or None
        The curves (see :class:`FibreView`); ``None`` draws a note instead (recruitment model
        not installed, or therapy off).
    compare : object, optional
        A's view (same attributes), drawn dashed. Every curve's legend entry then says whose
        it is (``Aβ (A)``, ``Aβ (B)``).
    options : FigureOptions

    Notes
    -----
    The therapeutic window (perception to discomfort threshold) is a shaded band with a
    legend entry of its own; B's, when A is pinned.
    """
    lw = options.line_width
    data: list[dict] = []
    shapes: list[dict] = []
    annotations = [_title_ann("Recruitment", 0.21, 1.0, options),
                   _title_ann("Strength-duration", 0.79, 1.0, options)]
    b_suffix = " (B)" if compare is not None else ""
    for v, dash, suffix in ((compare, "dash", " (A)"), (view, "solid", b_suffix)):
        if v is None:
            continue
        for cls in v.classes:
            color = FIBRE_COLORS.get(cls, "#555555")
            data.append(dict(type="scatter", x=np.asarray(v.amplitude_mA, dtype=np.float32),
                             y=(100 * np.asarray(v.fraction[cls])).astype(np.float32),
                             mode="lines", name=cls + suffix, legendgroup=cls + suffix,
                             line=dict(color=color, width=lw, dash=dash)))
            data.append(dict(type="scatter", x=np.asarray(v.pulse_width_us, dtype=np.float32),
                             y=np.asarray(v.threshold_mA[cls], dtype=np.float32),
                             mode="lines", name=cls + suffix, legendgroup=cls + suffix,
                             showlegend=False, xaxis="x2", yaxis="y2",
                             line=dict(color=color, width=lw, dash=dash)))
    if view is None:
        annotations.append(_note("No fibre recruitment to show: stimulation is off,<br>or the "
                                 "recruitment model (sim.recruitment) is not installed.",
                                 options))
    else:
        if view.perception_mA is not None and view.discomfort_mA is not None:
            shapes.append(dict(type="rect", xref="x", yref="y domain", x0=view.perception_mA,
                               x1=view.discomfort_mA, y0=0, y1=1, layer="below",
                               fillcolor="rgba(0,158,115,0.15)", line=dict(width=0),
                               showlegend=True,
                               name="therapeutic window: perception to discomfort" + b_suffix))
        amp = view.operating_amplitude_mA
        if amp > 0:
            shapes.append(dict(type="line", xref="x", yref="y domain", x0=amp, x1=amp, y0=0,
                               y1=1, line=dict(color="#000000", width=lw / 2, dash="dot")))
            for cls in view.classes:
                frac = float(np.interp(amp, view.amplitude_mA, view.fraction[cls]))
                data.append(dict(type="scatter", x=[amp], y=[100 * frac], mode="markers",
                                 showlegend=False,
                                 marker=dict(size=10, color=FIBRE_COLORS.get(cls, "#555555"),
                                             line=dict(color="#000000", width=1)),
                                 hovertemplate=f"{cls}: %{{y:.0f}} %<extra>operating point"
                                               "</extra>"))
            data.append(dict(type="scatter", x=[view.operating_pulse_width_us], y=[amp],
                             mode="markers", name="this program" + b_suffix, xaxis="x2",
                             yaxis="y2", marker=dict(size=14, symbol="x", color="#000000")))
    ranges = {}
    if view is not None:
        amps = np.asarray(view.amplitude_mA, dtype=float)
        amps = amps[amps > 0]
        pws = np.asarray(view.pulse_width_us, dtype=float)
        ths = np.concatenate([np.asarray(view.threshold_mA[c], dtype=float) for c in view.classes])
        ths = ths[np.isfinite(ths) & (ths > 0)]
        if amps.size:
            ranges["x"] = [math.log10(amps.min()), math.log10(amps.max())]
        if pws.size:
            ranges["x2"] = [math.log10(pws.min()), math.log10(pws.max())]
        if ths.size:
            ranges["y2"] = [math.log10(ths.min()) - 0.1, math.log10(ths.max()) + 0.1]
    layout = base_layout(
        options, "Fibres: who fires at this program",
        xaxis=axis_style(options, type="log", title="amplitude [mA]", domain=[0, 0.42],
                    **({"range": ranges["x"]} if "x" in ranges else {})),
        yaxis=axis_style(options, range=[0, 105], title="recruited [%]"),
        xaxis2=axis_style(options, type="log", title="pulse width [µs]", domain=[0.58, 1.0],
                     anchor="y2", **({"range": ranges["x2"]} if "x2" in ranges else {})),
        yaxis2=axis_style(options, type="log", title="threshold [mA]", anchor="x2",
                     **({"range": ranges["y2"]} if "y2" in ranges else {})),
        shapes=shapes, annotations=annotations,
        margin=margins(options, t=80 if options.lecture else 72),
    )
    return make_figure(data, layout)


# --------------------------------------------------------------------------------------------
# The gate
# --------------------------------------------------------------------------------------------
#: Nodes of the dorsal-horn schematic: key -> (label, x, y, activity at full colour, unit).
GATE_NODES = {
    "stim_on": ("Stimulator", 0.0, 3.3, 1.0, ""),
    "abeta_drive": ("Aβ afferents<br>(touch)", 1.4, 3.3, 2.0, ""),
    "adelta_drive": ("Aδ afferents", 1.4, 1.65, 2.0, ""),
    "c_drive": ("C afferents<br>(burning)", 1.4, 0.0, 2.0, ""),
    "inhibitory_hz": ("Inhibitory<br>interneuron", 3.0, 2.55, 80.0, "Hz"),
    "excitatory_hz": ("Excitatory<br>interneuron", 3.0, 0.75, 60.0, "Hz"),
    "projection_hz": ("WDR neuron<br>(lamina V)", 4.6, 2.4, 80.0, "Hz"),
    "lamina1_hz": ("Lamina I<br>NS neuron", 4.6, 0.6, 80.0, "Hz"),
    "descending": ("Descending<br>control", 3.8, 4.3, 1.0, ""),
    "paresthesia": ("Brain:<br>tingling", 6.0, 3.3, 10.0, "/10"),
    "pain_nrs": ("Brain:<br>pain", 6.0, 1.2, 10.0, "NRS"),
}
#: Connections: (from, to, sign, mechanism switch that gates it or ''). Pain is read from
#: lamina I and the WDR neuron's nociceptive share; the stimulated Aβ activity reaches the
#: brain as tingling through the dorsal columns (sim.percept).
GATE_EDGES = (
    ("stim_on", "abeta_drive", +1, ""),
    ("abeta_drive", "inhibitory_hz", +1, "mechanism_segmental"),
    ("abeta_drive", "projection_hz", +1, ""),
    ("abeta_drive", "excitatory_hz", +1, ""),
    ("abeta_drive", "paresthesia", +1, ""),
    ("adelta_drive", "projection_hz", +1, ""),
    ("adelta_drive", "lamina1_hz", +1, ""),
    ("c_drive", "lamina1_hz", +1, ""),
    ("c_drive", "excitatory_hz", +1, ""),
    ("c_drive", "inhibitory_hz", +1, ""),
    ("excitatory_hz", "projection_hz", +1, ""),
    ("excitatory_hz", "lamina1_hz", +1, ""),
    ("inhibitory_hz", "projection_hz", -1, ""),
    ("inhibitory_hz", "lamina1_hz", -1, ""),
    ("inhibitory_hz", "excitatory_hz", -1, ""),
    ("descending", "projection_hz", -1, "mechanism_descending_opioid"),
    ("descending", "lamina1_hz", -1, "mechanism_descending_opioid"),
    ("projection_hz", "pain_nrs", +1, ""),
    ("lamina1_hz", "pain_nrs", +1, ""),
)


def gate_figure(activity: Mapping[str, float] | None, *,
                mechanisms: Mapping[str, bool] | None = None,
                options: FigureOptions = FigureOptions()) -> go.Figure:
    """Schematic of the dorsal-horn gate whose elements show their current activity.

    Parameters
    ----------
    activity : mapping or None
        Node key (see :data:`GATE_NODES`: the ``SessionResult.series`` names, plus
        ``descending``) -> value at one moment, and optionally ``t_s``. Colour saturates at
        the node's reference activity. ``None`` draws the circuit in grey with a note.
    mechanisms : mapping, optional
        Mechanism switches (``mechanism_*`` -> bool); a connection whose switch is off is
        drawn faint and labelled "off".
    options : FigureOptions
    """
    mechanisms = mechanisms or {}
    value = {k: (None if activity is None else activity.get(k)) for k in GATE_NODES}
    level = {k: (None if v is None else float(np.clip(abs(v) / GATE_NODES[k][3], 0.0, 1.0)))
             for k, v in value.items()}
    # Edges as line traces with an arrow (excitation) or a bar (inhibition) at the end, one
    # trace per style and width step: plotly draws a few traces much faster than annotation
    # arrows. Width grows with the activity of the source node.
    styles: dict[tuple, dict] = {}
    annotations = []
    for src, dst, sign, switch in GATE_EDGES:
        _, x0, y0, _, _ = GATE_NODES[src]
        _, x1, y1, _, _ = GATE_NODES[dst]
        off = bool(switch) and mechanisms.get(switch) is False
        given = level[src]
        strength = 0.3 if given is None else given
        width = 1.0 if off else 1.0 + 4.0 * round(strength * 3) / 3
        color = "#BBBBBB" if off else (COLOR_B if sign < 0 else "#333333")
        dx, dy = x1 - x0, y1 - y0
        gap = 0.36 / math.hypot(dx, dy)  # stop short of the node markers
        style = styles.setdefault((color, width, sign), dict(x=[], y=[], size=[]))
        style["x"] += [x0 + gap * dx, x1 - gap * dx, None]
        style["y"] += [y0 + gap * dy, y1 - gap * dy, None]
        style["size"] += [0, 13 if sign > 0 else 16, 0]
        if off:
            annotations.append(dict(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text="switched off",
                                    showarrow=False, xref="x", yref="y",
                                    font=dict(color="#888888", size=options.font_size - 1)))
    data: list[dict] = [
        dict(type="scatter", x=st["x"], y=st["y"], mode="lines+markers", hoverinfo="skip",
             showlegend=False, line=dict(color=color, width=width),
             marker=dict(symbol="arrow" if sign > 0 else "line-ew", size=st["size"],
                         angleref="previous", color=color,
                         line=dict(color=color, width=0 if sign > 0 else 4)))
        for (color, width, sign), st in styles.items()]
    texts, hover = [], []
    for key, (label, _, _, _, unit) in GATE_NODES.items():
        v = value[key]
        v = None if v is None else (0.0 if abs(v) < 0.01 else v)   # no 9.3e-07 Hz on screen
        shown = "" if v is None else f"<br><b>{v:.3g}{' ' + unit if unit else ''}</b>"
        texts.append(label + shown)
        hover.append(label.replace("<br>", " ") + ("" if v is None else f": {v:.3g} {unit}"))
    data.append(dict(
        type="scatter", x=[n[1] for n in GATE_NODES.values()],
        y=[n[2] for n in GATE_NODES.values()], mode="markers+text", text=texts,
        textposition="bottom center", hovertext=hover, hoverinfo="text", showlegend=False,
        marker=dict(size=46 if options.lecture else 38,
                    color=[-1.0 if lv is None else lv for lv in level.values()],
                    cmin=0, cmax=1, line=dict(color="#000000", width=1.5),
                    colorscale=[[0, "#F2F2F2"], [0.5, "#F5B041"], [1, "#C0392B"]],
                    colorbar=dict(title=dict(text="activity"), tickvals=[0, 1],
                                  ticktext=["rest", "max"], len=0.6, thickness=12))))
    title = "The gate: dorsal-horn circuit"
    if activity is not None and "t_s" in activity:
        title += f" at t = {activity['t_s']:.0f} s (click the session plot to move)"
    if activity is None:
        annotations.append(dict(_note("Activity appears here once the gate model (sim.gate) "
                                      "is installed.", options), y=0.0, yanchor="bottom"))
    layout = base_layout(options, title, annotations=annotations,
                     xaxis=dict(visible=False, range=[-0.6, 6.6], fixedrange=True),
                     yaxis=dict(visible=False, range=[-1.3, 4.9], fixedrange=True),
                     margin=dict(l=10, r=10, t=64 if options.lecture else 48, b=10))
    return make_figure(data, layout)


# --------------------------------------------------------------------------------------------
# Rate response
# --------------------------------------------------------------------------------------------
def rate_response_figure(published: Any, *, reduced: Any = None, patient: Any = None,
                         current_rate_hz: float | None = None,
                         options: FigureOptions = FigureOptions()) -> go.Figure:
    """The dorsal horn's answer to the pulse rate: WDR output and the patient's relief.

    Parameters
    ----------
    published : sim.rate_response.RateResponse
        The published protocol (Zhang, Janik & Grill 2014) with normal inhibition: left panel,
        WDR output as % of its rate without stimulation.
    reduced : RateResponse, optional
        The same protocol with the patient's weaker inhibition, drawn dashed.
    patient : RateResponse, optional
        The patient on their own program at each rate: right panel, pain reduction [%].
    current_rate_hz : float, optional
        The program's rate, marked on the right panel.
    options : FigureOptions
    """
    lw = options.line_width
    data: list[dict] = []
    annotations = [_title_ann("WDR output (published protocol)", 0.21, 1.0, options),
                   _title_ann("This patient: pain relief", 0.79, 1.0, options)]
    shapes = [dict(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=100, y1=100,
                   line=dict(color="#555555", width=1, dash="dot"))]
    for r, dash, name in ((published, "solid", "normal inhibition"),
                          (reduced, "dash", "this patient's inhibition")):
        if r is None:
            continue
        data.append(dict(type="scatter", x=np.asarray(r.rates_hz, dtype=np.float32),
                         y=np.asarray(r.wdr_pct_of_baseline, dtype=np.float32), mode="lines",
                         name=name, line=dict(color=COLOR_B, width=lw, dash=dash),
                         hovertemplate="%{x:.0f} Hz: %{y:.0f} % of baseline<extra>" + name
                                       + "</extra>"))
    annotations.append(dict(text="above 100 %: the stimulated Aβ activity itself<br>(every "
                                 "fibre following every pulse), felt as tingling",
                            xref="x domain", yref="y domain", x=0.02, y=0.98, showarrow=False,
                            xanchor="left", yanchor="top", align="left",
                            font=dict(size=options.font_size - 2, color="#555555")))
    if patient is not None and len(patient.rates_hz):
        red = np.nan_to_num(np.asarray(patient.pain_reduction_pct, dtype=float))
        data.append(dict(type="scatter", x=np.asarray(patient.rates_hz, dtype=np.float32),
                         y=red.astype(np.float32), mode="lines+markers", xaxis="x2",
                         yaxis="y2", name="pain relief", line=dict(color=COLOR_A, width=lw),
                         marker=dict(size=5), hovertemplate="%{x:.0f} Hz: %{y:.0f} % "
                                                            "relief<extra></extra>"))
        if current_rate_hz:
            y = float(np.interp(math.log(current_rate_hz), np.log(patient.rates_hz), red))
            data.append(dict(type="scatter", x=[current_rate_hz], y=[y], mode="markers",
                             xaxis="x2", yaxis="y2", name="this program",
                             marker=dict(size=14, symbol="x", color="#000000")))
    else:
        annotations.append(dict(_note("No relief to show: stimulation is off or the patient "
                                      "has no pain at rest.", options), x=0.79))
    top = 100.0
    if patient is not None and len(patient.rates_hz):
        top = max(10.0, nice_ceil(float(np.nanmax(np.nan_to_num(
            patient.pain_reduction_pct))) * 1.1))
    layout = base_layout(
        options, "Rate response of the dorsal horn",
        xaxis=axis_style(options, type="log", title="pulse rate [Hz]", domain=[0, 0.42]),
        yaxis=axis_style(options, title="WDR output [% of baseline]", rangemode="tozero"),
        xaxis2=axis_style(options, type="log", title="pulse rate [Hz]", domain=[0.58, 1.0],
                     anchor="y2"),
        yaxis2=axis_style(options, title="pain reduction [%]", anchor="x2", range=[0, top]),
        shapes=shapes, annotations=annotations,
        margin=margins(options, t=80 if options.lecture else 72),
    )
    return make_figure(data, layout)
