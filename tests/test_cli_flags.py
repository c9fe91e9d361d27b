"""Every flag of ``neuromod sweep`` and ``neuromod cohort`` is checked before any work: a bad
one gets one line naming the flag, the value and the allowed range, exit status 2 and no
traceback. ``--config`` accepts only a regular file (a named pipe once hung forever). The grid
is counted before it is built (``--vary amplitude_mA=2:6:10000000000`` once tried to allocate
74.5 GiB)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.sweep
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
CAP = 4 * (os.cpu_count() or 1)
SWEEP = ["sweep", "--preset", "scs-tonic", "--duration-s", "20", "--vary",
         "amplitude_mA=1:4:2", "--quiet"]
COHORT = ["cohort", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "20",
          "--n", "4", "--quiet"]


def _one_line_error(capsys, code) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _run(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse
        return exc.code


BAD_FLAGS = [
    (["--workers", "0"], f"workers=0 is outside 1..{CAP}"),
    (["--workers", "-1"], f"workers=-1 is outside 1..{CAP}"),
    (["--workers", "100000"], f"workers=100000 is outside 1..{CAP}"),
    (["--workers", "two"], "workers='two' is not a whole number"),
    (["--seed", "-1"], "seed=-1 is outside 0.."),
    (["--scheduler", "bogus://x"], "scheduler='bogus://x' is not a Dask scheduler address"),
    (["--scheduler", "tcp://host:99999"], "is not a Dask scheduler address"),
    (["--executor", "processes", "--scheduler", "tcp://127.0.0.1:8786"],
     "--scheduler tcp://127.0.0.1:8786 needs --executor dask"),
]


@pytest.mark.parametrize("extra, message", BAD_FLAGS)
@pytest.mark.parametrize("command", ["sweep", "cohort"])
def test_bad_flags_exit_2_with_one_line(command, extra, message, tmp_path, capsys):
    out = tmp_path / "t.csv"
    argv = [*(SWEEP if command == "sweep" else COHORT), "--out", str(out), *extra]
    line = _one_line_error(capsys, _run(argv))
    assert message in line, line
    assert not out.exists()  # nothing was started


@pytest.mark.parametrize("vary, extra, message", [
    (["amplitude_mA=2:6:10000000000"], [],
     "count=10000000000 is more runs than the cap of 1000000"),
    (["amplitude_mA=2:6:10000", "rate_hz=10:100:1000"], [],
     "the sweep has 10000000 runs; the cap is 1..1000000 runs"),
    (["amplitude_mA=2:6:100", "rate_hz=10:100:100"], ["--max-runs", "1000"],
     "the sweep has 10000 runs; the cap is 1..1000 runs"),
    (["amplitude_mA=2:6:3"], ["--max-runs", "0"], "max-runs=0 is outside 1.."),
])
def test_the_grid_is_counted_before_it_is_built(vary, extra, message, tmp_path, capsys):
    argv = ["sweep", "--preset", "scs-tonic", "--out", str(tmp_path / "t.csv"), *extra]
    for v in vary:
        argv += ["--vary", v]
    line = _one_line_error(capsys, _run(argv))
    assert message in line and "--max-runs" in line, line


def test_max_runs_raises_the_cap(tmp_path, capsys):
    argv = ["sweep", "--preset", "scs-tonic", "--duration-s", "20", "--vary",
            "amplitude_mA=1:4:3", "--max-runs", "3", "--out", str(tmp_path / "t.csv"),
            "--quiet"]
    assert main(argv) == 0
    argv[argv.index("3")] = "2"
    assert "the cap of 2" in _one_line_error(capsys, _run(argv))


def test_an_unreachable_scheduler_is_reported_in_one_line(tmp_path, capsys, monkeypatch):
    import socket

    pytest.importorskip("distributed")
    monkeypatch.setattr(sim.sweep, "SCHEDULER_TIMEOUT_S", 1.0)
    with socket.socket() as s:  # a port on this computer that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "t.csv"
    argv = [*SWEEP, "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
            "--out", str(out)]
    t0 = time.monotonic()
    line = _one_line_error(capsys, _run(argv))
    assert f"--scheduler tcp://127.0.0.1:{port}: no Dask scheduler answered within 1 s" in line
    assert time.monotonic() - t0 < 30
    assert not out.exists()  # no empty table left behind


@pytest.mark.parametrize("command", [["run"], ["recruit"], ["course"], SWEEP[:1]])
def test_config_that_is_a_named_pipe_is_refused_at_once(command, tmp_path, capsys):
    fifo = tmp_path / "session.json"
    os.mkfifo(fifo)
    argv = [*command, "--config", str(fifo)]
    if command == SWEEP[:1]:
        argv += ["--vary", "amplitude_mA=1,2", "--out", str(tmp_path / "t.csv")]
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert f"--config {fifo} is a named pipe, not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a device"), ("DIR", "a directory")])
def test_config_that_is_not_a_file_is_refused(path, kind, tmp_path, capsys):
    path = str(tmp_path) if path == "DIR" else path
    line = _one_line_error(capsys, _run(["run", "--config", path]))
    assert f"--config {path} is {kind}, not a regular file" in line


def test_an_argparse_error_is_one_line(capsys):
    line = _one_line_error(capsys, _run(["sweep", "--preset", "scs-tonic"]))
    assert "the following arguments are required" in line and "--help" in line
