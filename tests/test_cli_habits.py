"""What a user expects of a command line: --version, the bare command, near-miss names, a busy
port, a small `run --json`, warnings on stderr, day flags inside the course, and no bare "n/a".

Exit statuses: 0 for ``neuromod`` alone (it lists the commands, as ``pip`` does) and for
``--version``; 2 for every bad input (one line on stderr, no traceback).
"""
import json
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

import sim
from sim.cli import build_parser, main
from sim.params import ParameterError

ROOT = Path(__file__).resolve().parents[1]


def _cli(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``neuromod ARGV`` as a process (exit status and both streams as the user sees them)."""
    return subprocess.run([sys.executable, "-m", "sim.cli", *argv], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=timeout)


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# 3. unknown parameter names -----------------------------------------------------------------
@pytest.mark.parametrize("argv, typed", [
    (["run", "--preset", "scs-tonic", "--set", "amplitude=5"], "--set amplitude=5"),
    (["program", "show", "scs-tonic", "--set", "amplitude=5"], "--set amplitude=5"),
    (["recruit", "--preset", "pns", "--set", "Amplitude=5"], "--set Amplitude=5"),
    (["sweep", "--preset", "scs-tonic", "--vary", "amplitude=1:5:3", "--out", "OUT"],
     "--vary amplitude=1:5:3"),
])
def test_an_unknown_name_suggests_the_closest_ones(argv, typed, tmp_path, capsys):
    out = tmp_path / "t.csv"
    argv = [str(out) if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert typed in line                                   # the flag and the value typed
    assert "did you mean amplitude_mA?" in line
    assert "neuromod params" in line                       # where to see every name
    assert "pulse_width_us" not in line and len(line) < 250  # not a list of ~80 names
    assert not out.exists()


def test_an_unknown_name_with_nothing_close_says_where_the_names_are(capsys):
    assert main(["run", "--preset", "scs-tonic", "--set", "xyzzy=1"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "--set xyzzy=1: unknown parameter 'xyzzy'" in line and "neuromod params" in line


def test_params_lists_the_names_with_unit_and_range(capsys):
    assert main(["params", "amplitude"]) == 0
    assert capsys.readouterr().out.split()[:4] == ["amplitude_mA", "program", "0..100", "mA"]
    assert main(["params", "--group", "course", "--json"]) == 0
    names = {p["name"] for p in json.loads(capsys.readouterr().out)}
    assert "stimulation_from_day" in names and "amplitude_mA" not in names
