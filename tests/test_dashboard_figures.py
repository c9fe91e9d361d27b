"""Figure builders: pure functions of their inputs, bounded payloads, correct markings."""
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

from dashboard import figures as F
from sim.patients import Patient, patient
from sim.presets import program
from sim.rate_response import published_rate_response, session_rate_response
from sim.safety import safety_report
from sim.session import Event, Session
from sim.waveforms import Program, pulse_train, render

PAYLOAD_LIMIT = 300_000  # bytes per update


def _payload(fig: go.Figure) -> int:
    """Bytes the figure costs on the wire (Dash sends plotly's JSON, arrays base64-typed)."""
    return len(fig.to_json().encode())


def _validated(fig: go.Figure) -> go.Figure:
    """Re-build with plotly's full schema validation (the builders skip it for speed)."""
    return go.Figure(fig.to_dict())


def _trace_x_s(fig, name_contains="this session"):
    xs = [np.asarray(t.x, dtype=float) / 1e3 for t in fig.data
          if t.name and name_contains in t.name and t.fill != "toself"]
    return np.concatenate(xs)


def test_30_minute_10khz_window_holds_only_the_visible_pulses_and_stays_small():
    hf = program("scs-10khz")
    fig = F.waveform_figure(hf, duration_s=1800.0, window_s=(900.0, 900.01))
    meta = fig.layout.meta
    # 10 ms at 10 kHz: 100 pulses, counted independently of the figure.
    assert meta["mode"] == "exact" and meta["pulses_in_window"] == 100
    x = _trace_x_s(fig)
    assert x.min() >= 900.0 - 1e-4 - 1e-9 and x.max() <= 900.01 + 1e-9
    assert _payload(fig) < PAYLOAD_LIMIT
    whole = F.waveform_figure(hf, duration_s=1800.0, window_s=(0.0, 1800.0))
    assert whole.layout.meta["mode"] == "envelope"
    assert whole.layout.meta["pulses_in_window"] == 18_000_000
    assert _payload(whole) < PAYLOAD_LIMIT


@pytest.mark.parametrize("name", ["scs-tonic", "scs-burst", "scs-10khz", "tens-acupuncture"])
@pytest.mark.parametrize("window", [(0.0, 0.2), (59.98, 60.0), (0.0, 60.0), (0.0, 1800.0)])
def test_every_waveform_payload_is_bounded(name, window):
    fig = F.waveform_figure(program(name), duration_s=1800.0, window_s=window,
                            compare=(program("scs-burst"), 1800.0))
    assert _payload(fig) < PAYLOAD_LIMIT


@pytest.mark.parametrize("prog", [
    program("scs-tonic"), program("scs-burst"),
    program("scs-tonic", shape="asymmetric", ramp_s=2.0),  # mid-ramp: 45 % amplitude
    program("scs-tonic", shape="custom", custom_shape=(-1, -1, 0.5, 0.5, 0.0, 0.5, 0.5)),
    program("pns", cycle_on_s=1, cycle_off_s=1),
])
def test_exact_waveform_vertices_agree_with_the_core_renderer(prog):
    """Between its vertices the drawn current equals :func:`sim.waveforms.render`."""
    train = pulse_train(prog, 3.0)
    t0, t1 = 0.9, 1.2 if prog.cycle_on_s else 0.95
    v = F.waveform_vertices(train, t0, t1)
    assert v.mode == "exact"
    # Sample midway between consecutive distinct vertex times: inside a flat step.
    mids = 0.5 * (v.t_s[:-1] + v.t_s[1:])
    keep = (np.diff(v.t_s) > 2e-7) & (mids > t0) & (mids < t1)
    mids, drawn = mids[keep], v.current_mA[:-1][keep]
    flat = np.isclose(v.current_mA[:-1][keep], v.current_mA[1:][keep])
    ref = np.array([render(train, m, m + 1e-7, 1e7).current_mA[0] for m in mids[flat]])
    np.testing.assert_allclose(drawn[flat], ref, atol=1e-9)


def test_charge_per_phase_annotation_equals_amplitude_times_pulse_width():
    prog = Program(amplitude_mA=3.5, pulse_width_us=210.0)
    fig = F.waveform_figure(prog, duration_s=240.0)
    # 3.5 mA × 210 µs = 735 nC = 0.735 µC (a hand calculation).
    assert fig.layout.meta["charge_per_phase_uC"] == pytest.approx(0.735)
    label = [a for a in fig.layout.annotations if a.text and "Q =" in a.text]
    assert [a.text for a in label] == ["Q = I × PW = 3.5 mA × 210 µs = 0.735 µC per phase"]
    # above the plot area (paper y >= 1), not pointing into it: never over the trace
    assert label[0].yref == "paper" and label[0].y >= 1.0 and label[0].yanchor == "bottom"
    assert not label[0].showarrow
    shaded = [t for t in fig.data if t.fill == "toself"]
    assert len(shaded) == 1  # the first cathodic phase in view
    xs, ys = np.asarray(shaded[0].x), np.asarray(shaded[0].y)
    assert (xs.max() - xs.min()) * 1e3 == pytest.approx(210.0)  # ms -> µs
    assert ys.min() == pytest.approx(-3.5)


def test_pinned_program_is_overlaid_dashed():
    fig = F.waveform_figure(program("scs-burst"), duration_s=240,
                            compare=(program("scs-tonic"), 240))
    names = [t.name for t in fig.data]
    assert "A (pinned)" in names and "B (this session)" in names
    a = next(t for t in fig.data if t.name == "A (pinned)")
    assert a.line.dash == "dash" and a.line.color == F.COLOR_A
    assert fig.layout.showlegend


def test_inactive_program_draws_a_flat_line_with_a_note():
    fig = F.waveform_figure(program("off"), duration_s=240)
    assert fig.layout.meta["mode"] == "empty"
    assert any("no stimulation" in (a.text or "") for a in fig.layout.annotations)


def test_safety_figure_marks_limits_and_flags_a_crossing():
    # docs/science.md §2: 10 mA × 300 µs on 12.25 mm² gives k ≈ 1.87 > 1.85.
    prog = program("scs-tonic", amplitude_mA=10, pulse_width_us=300)
    rep = safety_report(prog)
    fig = F.safety_figure(rep, contact_area_mm2=prog.contact_area_mm2)
    assert fig.layout.meta["shannon_k"] == pytest.approx(1.87, abs=0.01)
    bars = next(t for t in fig.data if t.type == "bar")
    pct = dict(zip(bars.y, bars.x, strict=True))
    # D·Q / 10^1.85 = 10^(1.87 - 1.85) ≈ 105 %; D = 3 µC / 0.1225 cm² = 24.5 µC/cm² = 82 %.
    assert pct["Shannon"] == pytest.approx(100 * 10 ** (rep.shannon_k - 1.85))
    assert pct["Shannon"] == pytest.approx(104.6, abs=1.0)
    assert pct["density"] == pytest.approx(100 * 24.49 / 30, abs=0.1)
    colors = dict(zip(bars.y, bars.marker.color, strict=True))
    assert colors["Shannon"] == F.WARN and colors["density"] == F.COLOR_B
    assert any(s.x0 == 100 and s.xref == "x2" for s in fig.layout.shapes)
    limit = next(t for t in fig.data if (t.name or "").startswith("Shannon limit"))
    np.testing.assert_allclose(np.log10(limit.x) + np.log10(limit.y), 1.85)


def test_safety_figure_compares_a_and_b_side_by_side():
    a, b = safety_report(program("scs-tonic")), safety_report(program("scs-10khz"))
    fig = F.safety_figure(b, contact_area_mm2=12.25, compare=(a, 12.25))
    bars = next(t for t in fig.data if t.type == "bar")
    assert list(bars.y) == ["density (A)", "density (B)", "Shannon (A)", "Shannon (B)"]
    assert "battery" in fig.layout.title.text and "days" in fig.layout.title.text


def _fake_result(n: int, duration_s: float = 240.0):
    t = np.linspace(0, duration_s, n)
    pain = 6 + np.sin(t / 10)
    pain[n // 2] = 9.9  # a one-sample spike (a pinch) must survive downsampling
    return SimpleNamespace(t_s=t, series={"pain_nrs": pain, "paresthesia": 0.2 * np.ones(n)},
                           units={"pain_nrs": "NRS", "paresthesia": "1"})


def test_long_sessions_are_downsampled_and_keep_their_peaks():
    res = _fake_result(2_000_000, duration_s=14400.0)
    ev = [Event("stimulation", 100, 7000), Event("pinch", 7200, 7201, 2.0)]
    fig = F.session_figure(res, ev, 14400.0, compare=_fake_result(2_000_000, 14400.0))
    assert all(len(t.x) <= F.MAX_SERIES_POINTS for t in fig.data)
    assert max(float(np.max(t.y)) for t in fig.data) == pytest.approx(9.9)
    assert _payload(fig) < PAYLOAD_LIMIT
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 2


def test_session_figure_without_a_model_shows_the_events_and_a_note():
    fig = F.session_figure(None, [Event("stimulation", 60, 180)], 240.0)
    assert len(fig.data) == 0
    assert [s.x0 for s in fig.layout.shapes] == [60]
    assert any("run_session" in (a.text or "") for a in fig.layout.annotations)


def test_gate_nodes_show_their_activity_and_switched_off_paths():
    activity = {"abeta_drive": 2.0, "c_drive": 1.0, "projection_hz": 40.0, "t_s": 90.0}
    fig = F.gate_figure(activity, mechanisms={"mechanism_segmental": False})
    nodes = fig.data[-1]  # edges first, nodes on top
    level = dict(zip(F.GATE_NODES, nodes.marker.color, strict=True))
    assert level["abeta_drive"] == 1.0 and level["c_drive"] == 0.5
    assert level["projection_hz"] == pytest.approx(0.5)
    assert level["inhibitory_hz"] == -1.0  # not reported: drawn at rest colour
    assert any(a.text == "switched off" for a in fig.layout.annotations)
    assert "t = 90 s" in fig.layout.title.text


def test_fibre_figure_marks_operating_point_and_therapeutic_window():
    amps = np.logspace(-1, 2, 50)
    view = SimpleNamespace(
        classes=("Aβ", "Aδ", "C"), amplitude_mA=amps,
        fraction={"Aβ": np.clip(amps / 5, 0, 1), "Aδ": np.clip(amps / 30, 0, 1),
                  "C": np.clip(amps / 90, 0, 1)},
        pulse_width_us=np.logspace(1, 3, 20),
        threshold_mA={c: 2 * (1 + tau / np.logspace(1, 3, 20)) for c, tau in
                      (("Aβ", 100), ("Aδ", 250), ("C", 1000))},
        operating_amplitude_mA=2.5, operating_pulse_width_us=210.0,
        perception_mA=1.2, discomfort_mA=1.8)
    fig = F.fibre_figure(view, compare=view)
    ops = [t for t in fig.data if t.mode == "markers" and t.xaxis != "x2"]
    assert [round(t.y[0]) for t in ops] == [50, 8, 3]  # 2.5/5, 2.5/30, 2.5/90 recruited
    assert any(s.type == "rect" and (s.x0, s.x1) == (1.2, 1.8) for s in fig.layout.shapes)
    assert any((t.name or "").endswith("(A)") for t in fig.data)
    placeholder = F.fibre_figure(None)
    assert any("sim.recruitment" in (a.text or "") for a in placeholder.layout.annotations)


def test_lecture_mode_enlarges_text_and_lines():
    normal = F.waveform_figure(program("scs-tonic"), duration_s=240)
    big = F.waveform_figure(program("scs-tonic"), duration_s=240,
                            options=F.FigureOptions(lecture=True))
    assert big.layout.font.size > normal.layout.font.size
    assert big.data[0].line.width > normal.data[0].line.width


def test_every_builder_makes_a_schema_valid_figure():
    rep = safety_report(program("scs-tonic"))
    figs = [
        F.waveform_figure(program("scs-burst"), duration_s=240, compare=(program("pns"), 60)),
        F.waveform_figure(program("scs-10khz"), duration_s=1800, window_s=(0, 1800)),
        F.safety_figure(rep, contact_area_mm2=12.25, compare=(rep, 12.25),
                        options=F.FigureOptions(lecture=True)),
        F.session_figure(_fake_result(500), [Event("touch", 1, 2)], 240, cursor_s=30),
        F.gate_figure({"projection_hz": 10.0}), F.gate_figure(None), F.fibre_figure(None),
        F.safety_figure(safety_report(program("scs-burst")), contact_area_mm2=12.25),
        _rate_figure(), F.rate_response_figure(published_rate_response()),
    ]
    for fig in figs:
        _validated(fig)  # raises on any invalid property


def test_plain_figures_are_the_same_json_as_the_graph_objects():
    import json

    import plotly
    import plotly.io as pio

    p = program("scs-burst")
    rep = safety_report(p)
    from dashboard import results as R
    from sim.patients import PATIENT_PRESETS
    view = R.fibre_view(p, PATIENT_PRESETS["crps"].patient())
    tonic = program("scs-tonic")
    builders = [lambda: F.waveform_figure(p, duration_s=600.0),
                lambda: F.waveform_figure(tonic, duration_s=240.0, window_s=(0.0, 5.0),
                                          compare=(p, 600.0)),  # WebGL traces
                lambda: F.safety_figure(rep, contact_area_mm2=p.contact_area_mm2),
                lambda: F.session_figure(_fake_result(5000), [Event("touch", 1, 2)], 240,
                                         cursor_s=30),
                lambda: F.fibre_figure(view, compare=view),
                lambda: F.gate_figure(None), _rate_figure]
    for build in builders:
        fig = build()
        with F.plain_figures():
            spec = build()
        assert isinstance(fig, go.Figure) and isinstance(spec, dict)
        assert json.loads(pio.to_json(fig, validate=False)) == json.loads(
            json.dumps(spec, cls=plotly.utils.PlotlyJSONEncoder))
    assert isinstance(builders[0](), go.Figure)  # the flag ends with the block


def test_every_event_kind_has_its_own_shading():
    from sim.params import PARAMETERS
    kinds = PARAMETERS["event_kind"].choices
    assert set(F.EVENT_COLORS) == set(kinds)


def test_long_waveform_traces_use_webgl_and_short_ones_svg():
    """WebGL for long traces. Tonic 50 Hz pulses are drawn with 8 step vertices each
    (4 edges of the cathodic phase and the recharge), so a 5-s window (250 pulses, ~2000
    points) is long and a 1-s window (50 pulses, ~400 points) is short; the envelope of a whole
    train has ENVELOPE_BINS points per trace and stays SVG."""
    tonic = program("scs-tonic")
    long = F.waveform_figure(tonic, duration_s=240.0, window_s=(0.0, 5.0),
                             compare=(tonic, 240.0))
    assert long.layout.meta["mode"] == "exact" and long.layout.meta["pulses_in_window"] == 250
    big = [t for t in long.data if len(t.x) > F.WEBGL_MIN_POINTS]
    assert len(big) == 2 and all(t.type == "scattergl" for t in big)  # B and pinned A
    assert len(big[0].x) == pytest.approx(250 * 8, abs=10)
    short = F.waveform_figure(tonic, duration_s=240.0, window_s=(0.0, 1.0))
    assert all(len(t.x) <= F.WEBGL_MIN_POINTS and t.type == "scatter" for t in short.data)
    whole = F.waveform_figure(program("scs-10khz"), duration_s=1800.0, window_s=(0.0, 1800.0))
    assert {t.type for t in whole.data} == {"scatter"}
    _validated(long)  # hover template and line settings are valid for scattergl


def _rate_figure():
    s = Session(program=program("scs-tonic"), patient=patient("failed-back-surgery"))
    return F.rate_response_figure(published_rate_response(),
                                  reduced=published_rate_response(
                                      patient=Patient(inhibition_efficacy=0.5)),
                                  patient=session_rate_response(s), current_rate_hz=50.0)


def test_rate_response_figure_draws_both_protocols_and_marks_the_program():
    fig = _rate_figure()
    names = [t.name for t in fig.data]
    assert "normal inhibition" in names and "this patient's inhibition" in names
    marker = next(t for t in fig.data if t.name == "this program")
    assert marker.x == (50.0,) and marker.xaxis == "x2"
    # the 100 % line: above it is the stimulated Aβ activity, labelled as such
    assert any(sh.y0 == 100 for sh in fig.layout.shapes)
    assert any("tingling" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis2.type == "log"


def test_safety_figure_shows_the_charge_a_burst_accumulates_beside_the_phase():
    rep = safety_report(program("scs-burst", amplitude_mA=1.0))
    fig = F.safety_figure(rep, contact_area_mm2=12.25)
    burst = next(t for t in fig.data if (t.name or "").endswith("per burst before its recharge"))
    assert burst.x[0] == pytest.approx(5.0)                   # 5 pulses x 1 µC
    bars = next(t for t in fig.data if t.type == "bar")
    assert any(str(y).startswith("Shannon, burst") for y in bars.y)
    tonic = F.safety_figure(safety_report(program("scs-tonic")), contact_area_mm2=12.25)
    assert not any("per burst" in (t.name or "") for t in tonic.data)


def _muscle_traces(fig):
    return [t for t in fig.data if t.name and t.name.startswith("muscle:")]


def test_acupuncture_like_tens_marks_its_twitches_only_while_stimulating():
    """Acupuncture-like TENS (2 Hz, strong) is given at a visible twitch (Sluka & Walsh 2003):
    the session figure marks the twitches, one mark per second of stimulation, inside the
    stimulation event and nowhere else; conventional TENS (below the motor threshold) has
    no mark."""
    from sim.motor_fibers import motor_response
    from sim.session import run_session

    prog = program("tens-acupuncture")
    s = Session(program=prog, duration_s=60,
                events=(Event("stimulation", 10.0, 40.0),))
    motor = motor_response(prog)
    assert motor.motor_threshold_mA < prog.amplitude_mA  # the preset is above it
    (trace,) = _muscle_traces(F.session_figure(run_session(s), s.events, 60, motor=motor))
    x = np.asarray(trace.x)
    assert trace.mode == "markers" and "2 per second" in trace.name
    assert f"{motor.motor_threshold_mA:.1f} mA" in trace.name
    assert x.min() >= 10.0 and x.max() <= 40.0
    assert 28 <= x.size <= 31  # 30 s of stimulation, one mark per second

    conv = program("tens-conventional")
    s2 = s.replace(program=conv)
    fig = F.session_figure(run_session(s2), s2.events, 60, motor=motor_response(conv))
    assert not _muscle_traces(fig)


def test_a_fused_contraction_is_a_bar_and_scs_has_no_muscle_mark():
    """Above the fusion rate (about 20 Hz) twitches fuse: PNS at 50 Hz far above its motor
    threshold draws a bar over the stimulation period; SCS has no motor fibres in reach."""
    from sim.motor_fibers import motor_response
    from sim.session import run_session

    prog = program("pns", amplitude_mA=30.0)
    s = Session(program=prog, duration_s=60, events=(Event("stimulation", 20.0, 50.0),))
    (trace,) = _muscle_traces(F.session_figure(run_session(s), s.events, 60,
                                               motor=motor_response(prog)))
    x, y = np.asarray(trace.x), np.asarray(trace.y, dtype=float)
    assert trace.mode == "lines" and "fused" in trace.name
    drawn = x[np.isfinite(y)]
    assert drawn.min() >= 19.0 and drawn.max() <= 51.0 and np.ptp(drawn) > 25.0
    assert len(x) <= F.MAX_SERIES_POINTS

    scs = program("scs-tonic")
    s3 = s.replace(program=scs)
    assert not _muscle_traces(F.session_figure(run_session(s3), s3.events, 60,
                                               motor=motor_response(scs)))
