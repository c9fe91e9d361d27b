"""Sweeps: specification parsing, validation before work, executors, streaming and resume."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sim import ParameterError
from sim.presets import program
from sim.session import Session
from sim.sweep import apply_values, load_table, make_runs, parse_vary, run_sweep


def test_log_axis_matches_geomspace():
    ax = parse_vary("rate_hz=2:1000:log:30")
    assert len(ax.values) == 30
    assert_allclose(ax.values, np.geomspace(2, 1000, 30))
    assert ax.values[0] == pytest.approx(2) and ax.values[-1] == pytest.approx(1000)


def test_linear_axis_hand_values():
    assert parse_vary("amplitude_mA=0:6:13").values == pytest.approx(
        [0, .5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6])


def test_random_axis_is_seeded_and_in_range():
    a = parse_vary("amplitude_mA=1:5:random:20", seed=7)
    b = parse_vary("amplitude_mA=1:5:random:20", seed=7)
    c = parse_vary("amplitude_mA=1:5:random:20", seed=8)
    assert a == b and a != c
    assert all(1 <= v <= 5 for v in a.values)


def test_list_and_integer_axes():
    assert parse_vary("pulses_per_burst=3,5,7").values == (3, 5, 7)
    assert parse_vary("shape=biphasic,asymmetric").values == ("biphasic", "asymmetric")
    assert parse_vary("pulses_per_burst=1:5:3").values == (1, 3, 5)


@pytest.mark.parametrize("spec, message", [
    ("frequency=1:2:3", "unknown parameter 'frequency'"),
    ("rate_hz=2:1000:log:0", "count=0 gives an empty range"),
    ("rate_hz=0.5:1000:log:5", "rate_hz=0.5 is outside 1..10000 Hz"),
    ("amplitude_mA=0:200:5", "amplitude_mA=200 is outside 0..100 mA"),
    ("rate_hz=100:10:5", "start 100 is above stop 10"),
    ("rate_hz=1:10:cubic:5", "mode must be"),
    ("rate_hz", "must look like"),
    ("event_kind=touch", "non-sweepable"),
])
def test_bad_specs_rejected_before_work(spec, message):
    with pytest.raises(ParameterError, match=message):
        parse_vary(spec)


def test_cartesian_product_and_duplicates():
    runs = make_runs([parse_vary("rate_hz=10,20"), parse_vary("amplitude_mA=1,2,3")])
    assert len(runs) == 6 and runs[0] == {"rate_hz": 10.0, "amplitude_mA": 1.0}
    with pytest.raises(ParameterError, match="given twice"):
        make_runs([parse_vary("rate_hz=10"), parse_vary("rate_hz=20")])


def test_apply_values_routes_each_parameter_to_its_object():
    s = apply_values(Session(program=program("scs-tonic")),
                     {"rate_hz": 80.0, "inhibition_efficacy": 0.5, "duration_s": 120.0,
                      "mechanism_segmental": False})
    assert s.program.rate_hz == 80 and s.patient.inhibition_efficacy == 0.5
    assert s.duration_s == 120 and not s.options.mechanism_segmental
    # events scale with the duration: stimulation over the middle half stays the middle half
    assert [(e.start_s, e.stop_s) for e in s.events] == [(30.0, 90.0)]
    with pytest.raises(ParameterError, match="does not fit"):
        apply_values(Session(), {"rate_hz": 10000.0, "pulse_width_us": 500.0})


def charge_runner(session):
    """Stand-in for run_session: the hand-computable charge per phase and pulse rate."""
    p = session.program
    return {"charge_uC": p.amplitude_mA * p.pulse_width_us * 1e-3, "pps": p.pulses_per_second}


def test_local_sweep_table_and_csv_round_trip(tmp_path):
    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=1:3:3"), parse_vary("pulse_width_us=100,200")]
    table = run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    assert [r["run_id"] for r in table] == list(range(6))
    assert table[5]["charge_uC"] == pytest.approx(3 * 200e-3)
    reloaded = load_table(out)
    assert reloaded == table


def test_process_executor_gives_identical_table(tmp_path):
    axes = [parse_vary("amplitude_mA=1:4:4"), parse_vary("rate_hz=20,40")]
    local = run_sweep(Session(), axes, progress=False, runner=charge_runner)
    procs = run_sweep(Session(), axes, executor="processes", workers=2, progress=False,
                      runner=charge_runner)
    assert procs == local


def test_resume_keeps_finished_rows_and_skips_them(tmp_path):
    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=1:5:5")]
    full = run_sweep(Session(), axes, progress=False, runner=charge_runner)
    # simulate an interrupted sweep: only the first two rows were written
    run_sweep(Session(), [parse_vary("amplitude_mA=1:5:5")], out=out, progress=False,
              runner=charge_runner)
    lines = out.read_text().splitlines()
    out.write_text("\n".join(lines[:3]) + "\n")  # header + 2 rows
    calls = []

    def counting(session):
        calls.append(session.program.amplitude_mA)
        return charge_runner(session)

    resumed = run_sweep(Session(), axes, out=out, progress=False, runner=counting)
    assert calls == [3.0, 4.0, 5.0]  # only the missing runs were computed
    assert resumed == full


def test_out_file_of_another_sweep_is_refused(tmp_path):
    out = tmp_path / "t.csv"
    run_sweep(Session(), [parse_vary("amplitude_mA=1,2")], out=out, progress=False,
              runner=charge_runner)
    with pytest.raises(ParameterError, match="different sweep"):
        run_sweep(Session(), [parse_vary("amplitude_mA=1,3")], out=out, progress=False,
                  runner=charge_runner)


def test_bad_executor():
    with pytest.raises(ParameterError, match="executor='gpu' is not one of"):
        run_sweep(Session(), [], executor="gpu", runner=charge_runner)


def test_dask_local_cluster_gives_the_same_table_as_in_process(tmp_path):
    pytest.importorskip("distributed")
    axes = [parse_vary("rate_hz=20,60"), parse_vary("inhibition_efficacy=0.7,1.0")]
    base = Session(program=program("scs-tonic"), duration_s=20)
    local = run_sweep(base, axes, progress=False)
    out = tmp_path / "dask.csv"
    dask = run_sweep(base, axes, executor="dask", workers=1, progress=False, out=out)
    assert dask == local
    assert load_table(out) == local   # streamed rows reload to the same numbers


def test_treatment_parameters_can_be_swept():
    from sim.patients import patient
    from sim.presets import treatment_session
    from sim.session import run_session
    from sim.sweep import apply_values, parse_vary, run_sweep
    base = treatment_session("gabapentin", duration_s=120).replace(
        patient=patient("painful-diabetic-neuropathy"))
    axis = parse_vary("dose_mg_per_day=300,1800,3600")
    table = run_sweep(base, [axis], progress=False)
    assert [r["dose_mg_per_day"] for r in table] == [300, 1800, 3600]
    # each row is the session with that dose (an independent run gives the same pain)
    for row in table:
        s = base.replace(treatments=(base.treatments[0].replace(
            dose_mg_per_day=row["dose_mg_per_day"]),))
        assert row["pain_during_nrs"] == pytest.approx(run_session(s).summary.pain_during_nrs)
    # more gabapentin, less pain (Finnerup 2015: dose-dependent relief)
    pains = [r["pain_during_nrs"] for r in table]
    assert pains[0] > pains[1] > pains[2]
    # a parameter no treatment of the session takes is refused
    with pytest.raises(ParameterError, match="takes concentration_pct"):
        apply_values(base, {"concentration_pct": 1.0})


def test_a_new_duration_moves_treatment_starts_with_it():
    from sim.presets import treatment_session
    from sim.sweep import apply_values
    base = treatment_session("lidocaine-block", duration_s=400)
    longer = apply_values(base, {"duration_s": 800})
    assert longer.treatments[0].start_s == pytest.approx(2 * base.treatments[0].start_s)
