"""Figures of the "Placement" tab: the spine with the lead, the body map, and the ECAP.

Pure plotly (no Dash import): the notebooks draw the same figures. Builders take the results
of :mod:`sim.placement` and :mod:`sim.ecap`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard import figures as F
from sim.placement import SEGMENTS, VERTEBRAL_LEVELS

__all__ = ["body_map_figure", "ecap_figure", "coverage_text", "MAP_COLORS"]

#: Body-map colours: nothing, pain only, paresthesia only, paresthesia over pain.
MAP_COLORS = ("#F2F2F2", "#E69F00", "#56B4E9", "#009E73")
_MAP_LABELS = ("—", "pain, not covered", "paresthesia", "pain covered by paresthesia")


def body_map_figure(coverage: Any, lateral_offset_mm: float = 0.0, *,
                    options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """Left: the spine (vertebral levels) with the lead at its level and lateral offset.
    Right: the dermatomes of both sides coloured by pain, paresthesia and their overlap.

    Parameters
    ----------
    coverage : sim.placement.Coverage
        Paresthesia and painful dermatomes.
    lateral_offset_mm : float
        The lead's offset from the midline [mm] (positive: the patient's left).
    options : FigureOptions
        Lecture mode.
    """
    pain = {(d.segment, d.side) for d in coverage.pain}
    felt = {(d.segment, d.side) for d in coverage.paresthesia}
    sides = ("right", "left")
    z = [[(1 if (seg, sd) in pain else 0) + (2 if (seg, sd) in felt else 0) for sd in sides]
         for seg in SEGMENTS]
    text = [[f"{seg} {sd}: {_MAP_LABELS[v]}" for sd, v in zip(sides, row, strict=True)]
            for seg, row in zip(SEGMENTS, z, strict=True)]
    n = len(MAP_COLORS) - 1
    scale = [[k / n, c] for k, c in enumerate(MAP_COLORS)]
    levels = list(VERTEBRAL_LEVELS)
    lead_y = coverage.lead_level
    data = [
        dict(type="scatter", x=[0.0] * len(levels), y=levels, mode="markers",
             marker=dict(symbol="square", size=options.font_size, color="#BBBBBB"),
             name="vertebrae", hoverinfo="y", showlegend=False, xaxis="x", yaxis="y"),
        dict(type="scatter", x=[lateral_offset_mm], y=[lead_y], mode="markers+text",
             marker=dict(symbol="line-ns-open", size=4 * options.font_size,
                         line=dict(width=options.line_width * 2, color=F.COLOR_B)),
             text=["lead"], textposition="middle right", name="lead", showlegend=False,
             hovertemplate=f"lead at {lead_y}, {lateral_offset_mm:g} mm off the midline"
                           "<extra></extra>", xaxis="x", yaxis="y"),
        dict(type="heatmap", z=z, x=["right", "left"], y=list(SEGMENTS), zmin=0, zmax=n,
             colorscale=scale, showscale=False, text=text, hoverinfo="text", xgap=2, ygap=1,
             xaxis="x2", yaxis="y2"),
    ]
    cov = coverage.coverage_pct
    title = ("Where the lead sits" + (f": {cov:.0f} % of the painful area covered"
                                      if np.isfinite(cov) else ""))
    layout = F.base_layout(options, title)
    layout.update(
        xaxis=F.axis_style(options, domain=[0.0, 0.3], range=[-5.5, 5.5],
                      title="lateral [mm] (+ left)", showgrid=False),
        yaxis=F.axis_style(options, autorange="reversed", type="category", title="vertebra",
                      categoryorder="array", categoryarray=levels),
        xaxis2=F.axis_style(options, domain=[0.45, 1.0], anchor="y2", type="category",
                       showgrid=False, title="side"),
        yaxis2=F.axis_style(options, anchor="x2", autorange="reversed", type="category",
                       title="dermatome", categoryorder="array",
                       categoryarray=list(SEGMENTS), showgrid=False),
        margin=F.margins(options, r=20),
        height=640 if options.lecture else 560,
    )
    return F.make_figure(data, layout)


def ecap_figure(trace: Any, open_loop: Any = None, closed_loop: Any = None, *,
                options: F.FigureOptions = F.FigureOptions()) -> go.Figure:
    """Left: one pulse's ECAP. Right: the ECAP over a session with a posture change, open
    and closed loop, with the ±20 % band around the target.

    Parameters
    ----------
    trace : sim.ecap.EcapTrace or None
        The ECAP of the program's pulse (None: no SCS program).
    open_loop, closed_loop : sim.ecap.LoopResult, optional
        Loop simulations (:func:`sim.ecap.simulate_loop`).
    options : FigureOptions
        Lecture mode.
    """
    data: list = []
    shapes: list = []
    if trace is not None:
        data.append(dict(type="scatter", x=np.asarray(trace.time_ms, dtype=np.float32),
                         y=np.asarray(trace.potential_uV, dtype=np.float32),
                         mode="lines", name="ECAP", line=dict(color=F.COLOR_B,
                                                              width=options.line_width),
                         hovertemplate="%{x:.2f} ms<br>%{y:.1f} µV<extra></extra>",
                         xaxis="x", yaxis="y", showlegend=False))
    for res, color, name in ((open_loop, F.COLOR_A, "open loop"),
                             (closed_loop, F.COLOR_B, "closed loop")):
        if res is None:
            continue
        # at most 400 points per line; each bucket's min and max kept (spikes survive)
        t_ds, e_ds = F.downsample_minmax(res.t_s, res.ecap_uV, 400)
        data.append(dict(type="scatter", x=t_ds, y=e_ds,
                         mode="lines", name=name, line=dict(color=color,
                                                            width=options.line_width * 0.8),
                         xaxis="x2", yaxis="y2"))
    ref = closed_loop or open_loop
    if ref is not None and ref.target_uV > 0:
        shapes.append(dict(type="rect", xref="x2", yref="y2", x0=float(ref.t_s[0]),
                           x1=float(ref.t_s[-1]), y0=0.8 * ref.target_uV,
                           y1=1.2 * ref.target_uV, fillcolor="rgba(0,158,115,0.15)",
                           line=dict(width=0), layer="below"))
    title = "ECAP" if trace is None else (
        f"ECAP {trace.amplitude_uV:.0f} µV, N1 at {trace.n1_latency_ms:.2f} ms")
    if trace is None:
        title = "ECAP: recorded from an SCS lead only"
    layout = F.base_layout(options, title)
    layout.update(
        xaxis=F.axis_style(options, domain=[0.0, 0.4], title="time after the pulse [ms]"),
        yaxis=F.axis_style(options, title="µV"),
        xaxis2=F.axis_style(options, domain=[0.55, 1.0], anchor="y2", title="session time [s]"),
        yaxis2=F.axis_style(options, anchor="x2", title="ECAP [µV]", rangemode="tozero"),
        shapes=shapes, margin=F.margins(options),
        legend=dict(x=0.56, y=1.0, bgcolor="rgba(255,255,255,0.7)"),
        height=420 if options.lecture else 340,
    )
    return F.make_figure(data, layout)


def coverage_text(coverage: Any, open_loop: Any = None, closed_loop: Any = None, *,
                  therapy: str = "scs", motor: Any = None) -> str:
    """A few lines of Markdown under the figures (``motor``: a
    :class:`sim.motor_fibers.MotorResponse` for PNS and TENS, shown as the twitch marker)."""
    lines = []
    if coverage.pain:
        lines.append(f"Painful area: {', '.join(d.label for d in coverage.pain)}; covered: "
                     f"{', '.join(d.label for d in coverage.covered) or 'none'} "
                     f"(**{coverage.coverage_pct:.0f} %**).")
    else:
        lines.append("This patient has no painful area (pain_area is empty).")
    felt = coverage.paresthesia
    lines.append(f"Paresthesia in {len(felt)} dermatome{'s' if len(felt) != 1 else ''}"
                 + (f", {coverage.csf_thickness_mm:g} mm of dorsal CSF under the lead at "
                    f"{coverage.lead_level}." if therapy == "scs" else "."))
    if motor is not None and np.isfinite(motor.motor_threshold_mA):
        what = {"none": "no contraction",
                "twitches": f"⚡ **visible twitches** at {motor.twitch_rate_hz:g} Hz",
                "tetanic": "⚡ **sustained (fused) contraction**"}[motor.contraction]
        lines.append(f"Muscle: {what} (motor threshold {motor.motor_threshold_mA:.1f} mA).")
    for res in (open_loop, closed_loop):
        if res is not None:
            lines.append(f"{res.mode.capitalize()} loop, lying supine from 20 to 40 s: "
                         f"{res.time_in_window_pct:.0f} % of the time in the therapeutic "
                         f"window, {res.paresthesia_spikes} paresthesia spike"
                         f"{'s' if res.paresthesia_spikes != 1 else ''}.")
    return "\n\n".join(lines)
