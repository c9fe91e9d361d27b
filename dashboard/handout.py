"""A lesson's handout: one self-contained HTML file a student opens later, offline.

For every step: its title and caption, the interactive figures of its views (plotly.js is
inlined once, so the file needs no server and no internet), the question, the model's answer
and, when the lecture's answers are given, the class's answers as a histogram.

No Dash import: it uses the pure figure builders (:mod:`dashboard.figures`,
:mod:`dashboard.diagnosis_figures`) and the answer store (:mod:`dashboard.answers`).

``python -m dashboard.handout LESSON [--answers FILE] [-o handout.html]`` writes one.
"""
from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

import plotly.graph_objects as go

from dashboard import figures as F, results as R
from dashboard.answers import AnswerStore, answer_bin, histogram
from dashboard.notebook import plotlyjs_script
from sim.lesson import Lesson, load_lesson
from sim.motor_fibers import motor_response
from sim.params import ParameterError

__all__ = ["handout_html", "write_handout", "step_figures", "answers_figure", "main"]


def step_figures(lesson: Lesson, index: int) -> list[go.Figure]:
    """The figures of step ``index``'s views, as the dashboard draws them."""
    step = lesson.steps[index]
    s = step.session
    out: list[go.Figure] = []
    for view in step.views:
        if view == "session":
            out.append(F.session_figure(R.session_result(s), s.events or (), s.duration_s,
                                        motor=motor_response(s.program)))
        elif view == "waveform":
            out.append(F.waveform_figure(s.program, duration_s=s.duration_s,
                                         report=R.safety(s.program, s.options)))
        elif view == "safety":
            out.append(F.safety_figure(R.safety(s.program, s.options),
                                       contact_area_mm2=s.program.contact_area_mm2))
        elif view == "fibres":
            out.append(F.fibre_figure(R.fibre_view(s.program, s.patient)))
        elif view == "gate":
            rv = R.rate_response_view(s)
            out.append(F.rate_response_figure(rv.published, reduced=rv.reduced,
                                              patient=rv.patient,
                                              current_rate_hz=rv.current_rate_hz))
        elif view == "diagnosis":
            from dashboard.diagnosis_figures import ncs_figure
            from sim.ncs import nerve_conduction_study
            from sim.patients import patient
            out.append(ncs_figure(nerve_conduction_study(s.patient, nerve="sural"),
                                  nerve_conduction_study(patient("healthy"), nerve="sural")))
    return out


def answers_figure(lesson: Lesson, index: int, values: list[float]) -> go.Figure | None:
    """The class's answers to step ``index`` as bars, the model's answer marked."""
    if lesson.steps[index].question is None:
        return None
    h = histogram(lesson, index, values)
    right = answer_bin(lesson, index)
    colors = ["#2f855a" if i == right else "#2b6cb0" for i in range(len(h["counts"]))]
    unit = f" [{h['unit']}]" if h.get("unit") else ""
    fig = go.Figure(go.Bar(x=h["labels"], y=h["counts"], marker_color=colors,
                           hovertemplate="%{x}: %{y} students<extra></extra>"))
    fig.update_layout(title=f"The class's answers ({h['total']}); green: the model's answer",
                      xaxis_title=f"answer{unit}", yaxis_title="students", height=320,
                      margin=dict(l=60, r=20, t=50, b=60))
    return fig


def _div(fig: go.Figure, div_id: str) -> str:
    from plotly.io import to_html

    return to_html(fig, include_plotlyjs=False, include_mathjax=False, full_html=False,
                   div_id=div_id, config={"displaylogo": False})


def handout_html(lesson: Lesson, store: AnswerStore | None = None) -> str:
    """The handout as one HTML document (plotly.js inlined; nothing loaded from elsewhere)."""
    e = html.escape
    parts = [f"<h1>{e(lesson.title)}</h1>"]
    if lesson.summary:
        parts.append(f"<p class='summary'>{e(lesson.summary)}</p>")
    for i, step in enumerate(lesson.steps):
        parts.append(f"<section id='step-{i + 1}'><h2>Step {i + 1}: {e(step.title)}</h2>"
                     f"<p>{e(step.caption)}</p>")
        for j, fig in enumerate(step_figures(lesson, i)):
            parts.append(_div(fig, f"fig-{i + 1}-{j + 1}"))
        q = step.question
        if q is not None:
            a = lesson.answer(i)
            assert a is not None
            choices = "".join(f"<li>{e(c.label)}</li>" for c in q.choices)
            parts.append(f"<div class='question'><p><b>Question:</b> {e(q.text)}"
                         + (f" [{e(q.unit)}]" if q.unit else "") + "</p>"
                         + (f"<ol type='A'>{choices}</ol>" if choices else "")
                         + f"<p><b>The model's answer:</b> {e(a.text)}</p></div>")
            if store is not None:
                fig = answers_figure(lesson, i, store.values(lesson.name, i))
                if fig is not None:
                    parts.append(_div(fig, f"answers-{i + 1}"))
        parts.append("</section>")
    meta = json.dumps({"lesson": lesson.name, "steps": len(lesson.steps)})
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{e(lesson.title)}: handout</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;"
            "padding:16px;color:#111}section{border-top:1px solid #ccc;margin-top:24px}"
            ".question{background:#f1f5fb;padding:8px 14px;border-radius:8px}"
            ".summary{font-size:1.1em}</style>"
            f"<script type='application/json' id='handout-meta'>{meta}</script>"
            f"{plotlyjs_script()}</head><body>"
            + "\n".join(parts)
            + "<p><small>neuromod-sim: a teaching model, not clinical advice.</small></p>"
              "</body></html>")


def write_handout(lesson: Lesson, path: str | Path, store: AnswerStore | None = None) -> Path:
    """Write :func:`handout_html` to ``path``."""
    from sim.tables import write_text_atomic

    write_text_atomic(path, handout_html(lesson, store))
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard.handout",
                                description="Write a lesson's handout (one offline HTML file).")
    p.add_argument("lesson", help="lesson file or shipped lesson name")
    p.add_argument("--answers", help="the lecture's answer database (SQLite)")
    p.add_argument("-o", "--output", default=None, help="output file (default "
                   "<lesson>-handout.html)")
    args = p.parse_args(argv)
    try:
        lesson = load_lesson(args.lesson)
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.answers and not Path(args.answers).is_file():
        print(f"error: --answers {args.answers}: no such file", file=sys.stderr)
        return 2
    store = AnswerStore(args.answers) if args.answers else None
    out = write_handout(lesson, args.output or f"{lesson.name}-handout.html", store)
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
