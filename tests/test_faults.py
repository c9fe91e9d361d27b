"""Faults lose nothing: sweeps and cohorts interrupted by a killed worker process, a lost Dask
worker or Ctrl-C keep every row already written, resume without recomputing those rows, and end
with the same table as an uninterrupted run.

Every computation is logged (process id and run key, one ``O_APPEND`` line per run, from
whichever process ran it), so the tests count recomputations instead of trusting timings.
"""
from __future__ import annotations

import csv
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim.cohort
import sim.sweep
from sim.presets import program
from sim.session import Session, run_session
from sim.sweep import load_table, parse_vary, run_sweep

ROOT = Path(__file__).resolve().parents[1]
BASE = Session(program=program("scs-tonic"), duration_s=20)
AXES = [parse_vary("amplitude_mA=1:8:36")]
N_RUNS = 36

fork_only = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                               reason="counts computations through a fork-inherited patch")


@dataclass(frozen=True)
class LoggingRunner:
    """The default metrics (the session summary), slowed down and logged per computation.
    Module-level and frozen: picklable for process pools and Dask."""

    log: str
    delay_s: float = 0.04

    def __call__(self, session):
        _record(self.log, repr(session.program.amplitude_mA))
        time.sleep(self.delay_s)
        return run_session(session).summary.to_dict()


def _record(log: str, key: str) -> None:
    with open(log, "a", encoding="utf-8") as fh:  # O_APPEND: one whole line per write
        fh.write(f"{os.getpid()} {key}\n")


def _computed(log: Path) -> list[tuple[int, str]]:
    if not log.exists():
        return []
    return [(int(p), k) for p, k in (ln.split(" ", 1) for ln in log.read_text().splitlines())]


def _rows_on_disk(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))  # one header row, no comment lines


def _wait_for_rows(path: Path, n: int, timeout_s: float = 60.0) -> list[dict]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        rows = _rows_on_disk(path)
        if len(rows) >= n:
            return rows
        time.sleep(0.005)
    raise AssertionError(f"fewer than {n} rows in {path} after {timeout_s} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class Killer(threading.Thread):
    """Kill one worker process (SIGKILL) once ``out`` holds ``after`` rows; remember which
    rows were on disk at that moment."""

    def __init__(self, out: Path, log: Path, after: int = 4, pids=None):
        super().__init__(daemon=True)
        self.out, self.log, self.after, self.pids = out, log, after, pids
        self.on_disk: set[str] = set()
        self.killed: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            rows = _wait_for_rows(self.out, self.after)
            candidates = self.pids() if self.pids else [
                p for p, _ in _computed(self.log) if p != os.getpid()]
            victim = next(p for p in reversed(candidates) if _alive(p))
            rows = _rows_on_disk(self.out)  # at the moment of the kill
            os.kill(victim, signal.SIGKILL)
            self.killed = victim
            self.on_disk = {r["run_id"] for r in rows}
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


def _check_no_row_on_disk_recomputed(on_disk: set[str], table: list[dict], log: Path) -> None:
    key_of = {str(r["run_id"]): repr(float(r["amplitude_mA"])) for r in table}
    counts: dict[str, int] = {}
    for _, key in _computed(log):
        counts[key] = counts.get(key, 0) + 1
    assert on_disk, "the kill came before any row was written"
    for run_id in on_disk:
        assert counts[key_of[run_id]] == 1, f"run {run_id} was written, then recomputed"
    assert set(counts) == set(key_of.values())  # every run was computed


def _on_disk_table(path: Path) -> list[dict]:
    """The streamed table as it is on disk (rows in completion order), sorted by run."""
    return sorted(load_table(path), key=lambda r: r["run_id"])


@pytest.fixture(scope="module")
def reference() -> list[dict]:
    """The uninterrupted table (in-process, no file)."""
    return run_sweep(BASE, AXES, progress=False)


# --------------------------------------------------------------------------------------------
# A killed worker process
# --------------------------------------------------------------------------------------------
def test_sweep_survives_a_killed_worker_and_recomputes_only_the_lost_runs(tmp_path, reference):
    out, log = tmp_path / "sweep.csv", tmp_path / "log"
    killer = Killer(out, log)
    killer.start()
    with pytest.warns(RuntimeWarning, match="worker process died"):
        table = run_sweep(BASE, AXES, executor="processes", workers=2, out=out,
                          progress=False, runner=LoggingRunner(str(log)))
    killer.join()
    assert killer.error is None and killer.killed is not None
    assert table == reference
    assert _on_disk_table(out) == reference  # every row is on disk, once
    _check_no_row_on_disk_recomputed(killer.on_disk, table, log)
    extra = len(_computed(log)) - N_RUNS
    assert 0 <= extra <= 8  # only the chunks in flight on the broken pool (2 runs each)


def test_sweep_stopped_by_a_dead_worker_resumes_without_recomputing(tmp_path, reference,
                                                                    monkeypatch):
    out, log = tmp_path / "sweep.csv", tmp_path / "log"
    monkeypatch.setattr(sim.sweep, "POOL_RESTARTS", 0)  # give up at the first dead worker
    killer = Killer(out, log)
    killer.start()
    with pytest.raises(RuntimeError, match="run the same sweep again to resume"):
        run_sweep(BASE, AXES, executor="processes", workers=2, out=out, progress=False,
                  runner=LoggingRunner(str(log)))
    killer.join()
    assert killer.error is None
    kept = {r["run_id"] for r in _rows_on_disk(out)}
    assert killer.on_disk <= kept and len(kept) < N_RUNS
    before = len(_computed(log))
    table = run_sweep(BASE, AXES, executor="processes", workers=2, out=out, progress=False,
                      runner=LoggingRunner(str(log), delay_s=0.0))
    assert len(_computed(log)) - before == N_RUNS - len(kept)  # only the missing runs
    assert table == reference and _on_disk_table(out) == reference
    _check_no_row_on_disk_recomputed(kept, table, log)


@fork_only
def test_cohort_survives_a_killed_worker(tmp_path, monkeypatch):
    s = Session(program=program("scs-tonic"), duration_s=20)
    reference = sim.cohort.run_cohort(s, "crps", n=40, seed=3, progress=False)
    out, log = tmp_path / "cohort.csv", tmp_path / "log"

    def logged(session):  # inherited by the forked pool workers
        _record(str(log), session.patient.to_json())
        time.sleep(0.03)
        return run_session(session)

    monkeypatch.setattr(sim.cohort, "run_session", logged)
    killer = Killer(out, log)
    killer.start()
    with pytest.warns(RuntimeWarning, match="worker process died"):
        res = sim.cohort.run_cohort(s, "crps", n=40, seed=3, executor="processes", workers=2,
                                    out=out, progress=False)
    killer.join()
    assert killer.error is None and killer.killed is not None
    assert res.table == reference.table and res.responder_rate == reference.responder_rate
    assert _on_disk_table(out) == reference.table
    computed = [k for _, k in _computed(log)]
    assert len(set(computed)) == 40 and len(computed) - 40 <= 8


# --------------------------------------------------------------------------------------------
# Ctrl-C
# --------------------------------------------------------------------------------------------
def test_ctrl_c_of_the_sweep_command_keeps_its_rows_and_resume_recomputes_none(tmp_path):
    """``neuromod sweep --executor processes`` in its own process group, interrupted like a
    terminal's Ctrl-C (SIGINT to the whole group) once rows exist."""
    from sim.cli import _session_from_args, build_parser

    out = tmp_path / "cli.csv"
    argv = ["sweep", "--preset", "scs-tonic", "--duration-s", "900",
            "--vary", "amplitude_mA=1:8:48", "--executor", "processes", "--workers", "2",
            "--out", str(out), "--quiet"]
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *argv], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _wait_for_rows(out, 1)
        os.killpg(proc.pid, signal.SIGINT)
        t0 = time.monotonic()
        _, err = proc.communicate(timeout=30)
        stopped_s = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and "interrupted" in err
    assert "Traceback" not in err
    assert stopped_s < 5  # queued runs are cancelled, not run to the end
    kept = _rows_on_disk(out)
    assert 0 < len(kept) < 48

    args = build_parser().parse_args(argv)
    session = _session_from_args(args)
    axes = [parse_vary(v, seed=args.seed) for v in args.vary]
    calls = []

    def counting(s):
        calls.append(s.program.amplitude_mA)
        return run_session(s).summary.to_dict()

    resumed = run_sweep(session, axes, out=out, progress=False, runner=counting)
    assert len(calls) == 48 - len(kept)
    assert {repr(float(r["amplitude_mA"])) for r in kept}.isdisjoint(map(repr, calls))
    fresh = run_sweep(session, axes, progress=False)
    assert resumed == fresh and _on_disk_table(out) == fresh


def test_ctrl_c_of_a_process_pool_cohort_stops_at_once_and_resumes(tmp_path, monkeypatch):
    s = Session(program=program("scs-tonic"), duration_s=20)
    reference = sim.cohort.run_cohort(s, "failed-back-surgery", n=60, seed=1, progress=False)
    out = tmp_path / "cohort.csv"
    real_wait = sim.sweep.wait

    def interrupted_wait(*args, **kwargs):  # Ctrl-C while the parent waits for chunks
        if len(_rows_on_disk(out)) >= 4:
            raise KeyboardInterrupt
        return real_wait(*args, **kwargs)

    monkeypatch.setattr(sim.sweep, "wait", interrupted_wait)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        sim.cohort.run_cohort(s, "failed-back-surgery", n=60, seed=1, executor="processes",
                              workers=2, out=out, progress=False)
    assert time.monotonic() - t0 < 10
    monkeypatch.setattr(sim.sweep, "wait", real_wait)
    kept = sorted(load_table(out), key=lambda r: r["run_id"])
    assert 4 <= len(kept) < 60
    assert kept == [r for r in reference.table if r["run_id"] in {k["run_id"] for k in kept}]

    calls = []
    real_run = sim.cohort.run_session
    monkeypatch.setattr(sim.cohort, "run_session", lambda x: calls.append(1) or real_run(x))
    res = sim.cohort.run_cohort(s, "failed-back-surgery", n=60, seed=1, out=out,
                                progress=False)
    assert len(calls) == 60 - len(kept)
    assert res.table == reference.table and _on_disk_table(out) == reference.table


def test_ctrl_c_of_an_in_process_sweep_keeps_rows(tmp_path, reference):
    out = tmp_path / "local.csv"
    calls = []

    def interrupted_after_five(session):
        if len(calls) == 5:
            raise KeyboardInterrupt
        calls.append(session.program.amplitude_mA)
        return run_session(session).summary.to_dict()

    with pytest.raises(KeyboardInterrupt):
        run_sweep(BASE, AXES, out=out, progress=False, runner=interrupted_after_five)
    assert _on_disk_table(out) == reference[:5]
    calls.clear()
    table = run_sweep(BASE, AXES, out=out, progress=False,
                      runner=lambda s: calls.append(1) or run_session(s).summary.to_dict())
    assert len(calls) == N_RUNS - 5 and table == reference


def test_a_row_torn_by_a_crash_mid_write_is_recomputed_not_trusted(tmp_path, reference):
    out = tmp_path / "torn.csv"
    run_sweep(BASE, AXES, out=out, progress=False)
    text = out.read_text()
    out.write_text(text[: text.rstrip("\n").rfind("\n") + 1 + 12])  # half of the last row
    calls = []
    table = run_sweep(BASE, AXES, out=out, progress=False,
                      runner=lambda s: calls.append(1) or run_session(s).summary.to_dict())
    assert len(calls) == 1 and table == reference and _on_disk_table(out) == reference


# --------------------------------------------------------------------------------------------
# A lost Dask worker
# --------------------------------------------------------------------------------------------
def _local_cluster(distributed):
    """A 2-worker LocalCluster. Its start is retried once: on this 2-core machine a worker
    process has (once, under load) missed its start-up deadline, which raises "Cluster failed
    to start" or "Nanny failed to start worker process"; that is Dask's start-up, not the
    fault this test injects."""
    for attempt in (1, 2):
        try:
            return distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                            processes=True, dashboard_address=None)
        except RuntimeError as exc:
            if attempt == 2 or "failed to start" not in str(exc):
                raise


def test_sweep_survives_a_lost_dask_worker(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    out, log = tmp_path / "dask.csv", tmp_path / "log"
    with _local_cluster(distributed) as cluster, distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        killer = Killer(out, log, pids=lambda: pids)
        killer.start()
        table = run_sweep(BASE, AXES, executor="dask", scheduler=cluster.scheduler_address,
                          out=out, progress=False, runner=LoggingRunner(str(log)))
        killer.join()
    assert killer.error is None and killer.killed in pids
    assert table == reference and _on_disk_table(out) == reference
    _check_no_row_on_disk_recomputed(killer.on_disk, table, log)
