"""Output files a sweep or cohort cannot corrupt: an existing file that is not this run's
output is left untouched (``--out results.parquet`` once overwrote an unrelated file without a
word) unless ``--force`` says to replace it; a file is resumed only when its signature and
header are this sweep's; a parquet table appears whole or not at all."""
from __future__ import annotations

import hashlib

import pytest

import sim.sweep
from sim.cli import main
from sim.params import ParameterError
from sim.session import Session
from sim.sweep import load_table, parse_vary, run_sweep


def charge_runner(session):
    return {"charge": session.program.amplitude_mA * session.program.pulse_width_us}


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sweep_argv(out, *extra) -> list[str]:
    return ["sweep", "--preset", "scs-tonic", "--duration-s", "20", "--vary",
            "amplitude_mA=1:4:3", "--out", str(out), "--quiet", *extra]


def _unrelated_parquet(path) -> None:
    import pandas as pd
    pd.DataFrame({"patient": ["a", "b"], "weight_kg": [71.0, 64.5]}).to_parquet(path)


def test_an_unrelated_parquet_is_left_untouched(tmp_path, capsys):
    out = tmp_path / "results.parquet"
    _unrelated_parquet(out)
    before = _digest(out)
    assert main(_sweep_argv(out)) == 2
    err = capsys.readouterr().err
    assert f"--out {out} exists and is not this sweep's table" in err and "--force" in err
    assert _digest(out) == before
    assert not (tmp_path / "results.partial.csv").exists()


def test_any_file_that_is_not_parquet_under_a_parquet_name_is_left_untouched(tmp_path,
                                                                             capsys):
    out = tmp_path / "results.parquet"
    out.write_text("my notes\n")
    assert main(_sweep_argv(out)) == 2
    assert out.read_text() == "my notes\n"


def test_force_replaces_it_and_the_same_sweep_may_rewrite_its_own_table(tmp_path, capsys):
    out = tmp_path / "results.parquet"
    _unrelated_parquet(out)
    assert main(_sweep_argv(out, "--force")) == 0
    rows = load_table(out)
    assert [r["amplitude_mA"] for r in rows] == [1.0, 2.5, 4.0]
    assert main(_sweep_argv(out)) == 0  # its own table: no --force needed
    assert load_table(out) == rows


def test_an_unrelated_csv_is_left_untouched_unless_forced(tmp_path, capsys):
    out = tmp_path / "results.csv"
    out.write_text("patient,weight_kg\na,71\n")
    assert main(_sweep_argv(out)) == 2
    err = capsys.readouterr().err
    assert "exists and is not the output of a sweep" in err and "--force" in err
    assert out.read_text() == "patient,weight_kg\na,71\n"
    assert main(_sweep_argv(out, "--force")) == 0
    assert len(load_table(out)) == 3


def test_another_sweeps_table_is_refused_and_kept(tmp_path):
    out = tmp_path / "t.csv"
    run_sweep(Session(), [parse_vary("amplitude_mA=1,2")], out=out, progress=False,
              runner=charge_runner)
    before = out.read_bytes()
    with pytest.raises(ParameterError, match="holds the results of a different sweep"):
        run_sweep(Session(), [parse_vary("amplitude_mA=1,3")], out=out, progress=False,
                  runner=charge_runner)
    assert out.read_bytes() == before


def test_a_table_with_this_signature_but_another_header_is_not_resumed(tmp_path):
    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=1,2")]
    run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    lines = out.read_text().splitlines()
    lines[1] = lines[1].replace("amplitude_mA", "rate_hz")
    out.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParameterError, match="header"):
        run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)


def test_a_cohort_refuses_an_unrelated_file_unless_forced(tmp_path, capsys):
    out = tmp_path / "cohort.csv"
    out.write_text("not a cohort\n")
    argv = ["cohort", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "20",
            "--n", "3", "--out", str(out), "--quiet"]
    assert main(argv) == 2
    assert out.read_text() == "not a cohort\n"
    assert main([*argv, "--force"]) == 0
    assert len(load_table(out)) == 3


def test_a_parquet_write_that_fails_leaves_the_old_table_and_no_temporary_file(
        tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    out = tmp_path / "results.parquet"
    axes = [parse_vary("amplitude_mA=1,2")]
    run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    before = _digest(out)

    def half_written(table, where, **kw):  # the disk filled up mid-write
        with open(where, "wb") as fh:
            fh.write(b"PAR1 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", half_written)
    with pytest.raises(OSError):
        run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet",
                                                          "results.partial.csv"]


def test_the_streamed_file_is_locked_while_a_sweep_writes_it(tmp_path):
    """In one process too: a sweep started from inside another one's row callback (the
    same file, still being written) is refused, and the first sweep finishes."""
    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=1:4:4")]
    errors = []

    def nested(session):
        if not errors:
            try:
                run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
            except ParameterError as exc:
                errors.append(str(exc))
        return charge_runner(session)

    table = run_sweep(Session(), axes, out=out, progress=False, runner=nested)
    assert len(table) == 4 and errors and "is in use" in errors[0]
    assert sorted(r["run_id"] for r in load_table(out)) == [0, 1, 2, 3]


def test_workers_out_of_range_are_refused_by_the_api_too():
    for bad in (0, -1, sim.sweep.MAX_WORKERS + 1):
        with pytest.raises(ParameterError, match=f"workers={bad} is outside 1.."):
            run_sweep(Session(), [parse_vary("amplitude_mA=1,2")], executor="processes",
                      workers=bad, progress=False, runner=charge_runner)
