"""Process hygiene and output files of ``neuromod sweep``, run as a user runs it (a process of
its own, a process pool of two workers):

* the pool workers end with the sweep however it ends: SIGKILL (no chance to clean up),
  SIGTERM, SIGINT; none is alive 5 s later (once, 2 of 2 were, and ``--workers 100000`` left
  5,933 orphans);
* Ctrl+C and SIGTERM print one line saying how many runs are saved and how to resume;
* a killed sweep leaves a file in which every row is complete;
* a second sweep on the same ``--out`` stops at once (exit 2, the file named as in use), and
  the file ends with each run once (two sweeps once wrote 108 lines for 60 runs).
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import children, wait_dead

from sim.cli import main
from sim.sweep import load_table

ROOT = Path(__file__).resolve().parents[1]
#: Long enough to be running when signalled (1800-s sessions, ~45 ms each, on 2 workers).
N_RUNS = 400


def _argv(out: Path, n: int = N_RUNS, executor: str = "processes") -> list[str]:
    return ["sweep", "--preset", "scs-tonic", "--duration-s", "1800", "--vary",
            f"amplitude_mA=1:8:{n}", "--executor", executor, "--workers", "2",
            "--out", str(out), "--quiet"]


def _start(out: Path, n: int = N_RUNS, executor: str = "processes") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim.cli", *_argv(out, n, executor)],
                            cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _rows(out: Path) -> list[list[str]]:
    with open(out, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))  # one header row, no comment lines


def _wait_for_rows(out: Path, n: int, timeout_s: float = 60.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if out.exists() and len(_rows(out)) > n:  # header + n rows
            return
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} rows in {out} after {timeout_s} s")


def _clean_up(proc: subprocess.Popen) -> None:
    """Whatever a failed test left running: the sweep's group, then its children."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for p in children(proc.pid):
        os.kill(p, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_pool_workers_die_with_the_sweep_and_every_row_on_disk_is_complete(sig, tmp_path):
    out = tmp_path / "sweep.csv"
    proc = _start(out)
    try:
        _wait_for_rows(out, 4)
        workers = children(proc.pid)
        assert len(workers) == 2
        os.kill(proc.pid, sig)  # the sweep's process only, not its group
        _, err = proc.communicate(timeout=30)
        assert wait_dead(workers, 5.0) == [], "pool workers outlived the sweep"
    finally:
        _clean_up(proc)
    assert "Traceback" not in err
    rows = _rows(out)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["run_id", "amplitude_mA"] and 0 < len(body) < N_RUNS
    assert all(len(r) == len(header) for r in body)  # no row cut short
    assert out.read_bytes().endswith(b"\n")
    if sig != signal.SIGKILL:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1, err
        assert f"{len(body)} of {N_RUNS} runs are saved in {out}" in lines[0]
        assert "run the same command again to resume" in lines[0]
        assert proc.returncode == (143 if sig == signal.SIGTERM else 130)


def test_a_second_sweep_on_the_same_out_stops_and_no_row_is_duplicated(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    n = 120
    first = _start(out, n)
    try:
        _wait_for_rows(out, 2)
        assert first.poll() is None, "the first sweep ended before the second started"
        assert main(_argv(out, n)) == 2  # the same sweep, started again meanwhile
        err = capsys.readouterr().err
        assert f"--out {out} is in use by another sweep or cohort" in err
        _, first_err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert first.returncode == 0, first_err
    ids = [r["run_id"] for r in load_table(out)]
    assert sorted(ids) == list(range(n))  # each run exactly once
    assert main(_argv(out, n)) == 0  # afterwards, the same sweep resumes (nothing to do)
    assert sorted(r["run_id"] for r in load_table(out)) == list(range(n))


def test_dask_workers_of_a_local_cluster_die_with_a_killed_sweep(tmp_path):
    """The same for ``--executor dask`` without a scheduler: the local cluster's worker
    processes (and Python's helper processes) end within 5 s of a SIGKILL of the sweep."""
    pytest.importorskip("distributed")
    out = tmp_path / "sweep.csv"
    proc = _start(out, executor="dask")
    try:
        _wait_for_rows(out, 4, timeout_s=120.0)
        workers = children(proc.pid)
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert wait_dead(workers, 5.0) == [], "Dask workers outlived the sweep"
    finally:
        _clean_up(proc)
    rows = _rows(out)
    assert all(len(r) == len(rows[0]) for r in rows[1:])
