"""Output files a sweep or cohort cannot corrupt: an existing file that is not this run's
output is left untouched (``--out results.parquet`` once overwrote an unrelated file without a
word) unless ``--force`` says to replace it; a file is resumed only when its signature (in the
JSON sidecar ``<file>.json``) and header are this sweep's; a parquet table appears whole or
not at all; a resumed table is still one plain table (one header row, each run once), and a
table of the earlier layout (signature in a comment line) still loads and resumes."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

import sim.sweep
from sim.cli import main
from sim.params import ParameterError
from sim.session import Session, run_session
from sim.sweep import load_table, parse_vary, run_sweep
from sim.tables import sidecar_path


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
    lines[0] = lines[0].replace("amplitude_mA", "rate_hz")
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "results.parquet", "results.partial.csv", "results.partial.csv.json"]


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


# --------------------------------------------------------------------------------------------
# The plain layout: one header row, the signature in the JSON sidecar <file>.json
# --------------------------------------------------------------------------------------------
def test_an_interrupted_sweep_resumes_into_one_plain_table(tmp_path):
    import pandas as pd

    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=0:0.7:8")]
    calls = []

    def interrupted_after_three(session):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(1)
        return charge_runner(session)

    with pytest.raises(KeyboardInterrupt):
        run_sweep(Session(), axes, out=out, progress=False, runner=interrupted_after_three)
    assert len(pd.read_csv(out)) == 3
    signature = json.loads(sidecar_path(out).read_text())["signature"]
    table = run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    df = pd.read_csv(out)
    assert list(df.columns) == ["run_id", "amplitude_mA", "charge"]
    assert list(df["run_id"]) == list(range(8))  # each run once, in order
    assert list(df["amplitude_mA"]) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    assert not any(ln.startswith("#") for ln in out.read_text().splitlines())
    assert json.loads(sidecar_path(out).read_text())["signature"] == signature
    assert load_table(out) == table


def test_the_sidecar_is_written_atomically_before_the_first_row(tmp_path, monkeypatch):
    import sim.tables

    out = tmp_path / "t.csv"
    renames = []
    real_replace = sim.tables.os.replace
    monkeypatch.setattr(sim.tables.os, "replace",
                        lambda src, dst: renames.append((src, dst)) or real_replace(src, dst))
    seen = []

    def looking(session):
        if not seen:  # the first run: the sidecar is there, no row yet
            seen.append((json.loads(sidecar_path(out).read_text()), out.stat().st_size))
        return charge_runner(session)

    run_sweep(Session(), [parse_vary("amplitude_mA=1,2")], out=out, progress=False,
              runner=looking)
    side, size = seen[0]
    assert size == 0 and side["kind"] == "sweep" and side["runs"] == 2
    assert side["session"] == Session().to_dict() and side["varied"] == ["amplitude_mA"]
    assert all(Path(dst) == sidecar_path(out) and Path(src).parent == tmp_path
               and Path(src).name.endswith(".tmp") for src, dst in renames)
    assert len(renames) == 2  # before the first run; with the columns, before the header
    final = json.loads(sidecar_path(out).read_text())
    assert final["columns"] == ["run_id", "amplitude_mA", "charge"]
    assert final["units"] == {"run_id": "", "amplitude_mA": "mA", "charge": None}


def test_this_sweeps_csv_without_its_sidecar_is_refused_unless_forced(tmp_path):
    out = tmp_path / "t.csv"
    axes = [parse_vary("amplitude_mA=1,2")]
    run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    sidecar_path(out).unlink()
    before = out.read_bytes()
    with pytest.raises(ParameterError,
                       match=r"is not the output of a sweep .no sidecar t.csv.json"):
        run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    assert out.read_bytes() == before and not sidecar_path(out).exists()
    run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner, force=True)
    assert len(load_table(out)) == 2 and sidecar_path(out).exists()


def test_an_unrelated_file_under_the_sidecar_name_is_left_untouched_unless_forced(tmp_path):
    out = tmp_path / "t.csv"
    sidecar_path(out).write_text('{"my": "notes"}')
    axes = [parse_vary("amplitude_mA=1,2")]
    with pytest.raises(ParameterError, match=r"t.csv.json exists and is not a table's sidecar"):
        run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner)
    assert sidecar_path(out).read_text() == '{"my": "notes"}' and not out.exists()
    run_sweep(Session(), axes, out=out, progress=False, runner=charge_runner, force=True)
    assert json.loads(sidecar_path(out).read_text())["format"] == "neuromod-table"


def _earlier_layout(rows: list[dict], spec: str) -> str:
    """A table as the earlier writer wrote it: a signature comment line, then the CSV with the
    row keys as header and numbers as Python prints them."""
    buf = io.StringIO(newline="")
    buf.write(f"# neuromod-sweep {spec}\n")
    w = csv.DictWriter(buf, list(rows[0]))
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()


def test_a_table_of_the_earlier_layout_still_loads_and_resumes_in_the_new_one(tmp_path):
    import pandas as pd

    base = Session(duration_s=20)
    axes = [parse_vary("amplitude_mA=1:4:3")]
    runs = sim.sweep.make_runs(axes)
    full = run_sweep(base, axes, progress=False)
    out = tmp_path / "old.csv"
    noisy = [dict(r, charge_per_hour_uC=r["charge_per_hour_uC"] + 1e-12) for r in full]
    out.write_text(_earlier_layout(noisy[:2], sim.sweep._spec_hash(base.to_json(), runs)))
    old = load_table(out)
    assert [r["run_id"] for r in old] == [0, 1] and "paresthesia" in old[0]
    assert old[0]["charge_per_hour_uC"] == noisy[0]["charge_per_hour_uC"]
    calls = []
    table = run_sweep(base, axes, out=out, progress=False,
                      runner=lambda s: calls.append(1) or run_session(s).summary.to_dict())
    assert len(calls) == 1  # the two rows on disk were kept
    assert table == full  # the kept rows, to 12 significant digits, are the fresh ones
    df = pd.read_csv(out)
    assert df.shape == (3, len(full[0])) and "paresthesia_0to10" in df.columns
    assert list(df["run_id"]) == [0, 1, 2]
    assert json.loads(sidecar_path(out).read_text())["signature"] == \
        sim.sweep._spec_hash(base.to_json(), runs)
    assert load_table(out) == full
