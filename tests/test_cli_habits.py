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


# 1. --version -------------------------------------------------------------------------------
def test_version_prints_the_installed_version():
    proc = _cli("--version")
    assert proc.returncode == 0, proc.stderr
    version = metadata.version("neuromod-sim")
    assert proc.stdout == f"neuromod {version}\n" and proc.stderr == ""
    assert sim.__version__ == version  # the package's own number agrees with its metadata


# 2. the bare command ------------------------------------------------------------------------
def test_the_bare_command_lists_every_command_with_its_help_and_exits_0():
    proc = _cli()
    assert proc.returncode == 0, proc.stderr  # as `pip` alone: a listing, not an error
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("usage: neuromod")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command in sub._choices_actions:  # one line each: name, then its help
        assert any(line.split() and line.split()[0] == command.dest
                   and line.endswith(command.help) for line in lines), command.dest
    assert len(sub._choices_actions) == len(sub.choices)
    assert "--help" in proc.stdout


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


# 4. a busy port -----------------------------------------------------------------------------
@pytest.mark.parametrize("workers", ["1", "2"])  # waitress, and gunicorn before its exec
def test_a_busy_port_is_one_line_naming_the_port_flag(workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        t0 = time.monotonic()
        proc = _cli("dashboard", "--port", str(port), "--workers", workers)
        elapsed = time.monotonic() - t0
    assert proc.returncode == 2, proc.stderr
    line = _one_line(proc.stderr)
    assert f"port {port} is in use" in line and "choose another with --port" in line
    assert proc.stdout == ""   # nothing announced, no server started
    assert elapsed < 15


# 5. run --json ------------------------------------------------------------------------------
def test_run_json_is_the_summary_and_series_come_with_a_flag(capsys):
    argv = ["run", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "60", "--json"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert len(out.encode()) < 20_000
    assert "series" not in data and "units" not in data
    assert data["summary"]["pain_before_nrs"] > 0 and data["session"]["duration_s"] == 60
    assert main([*argv, "--series"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["series"]["t_s"]) == len(data["series"]["pain_nrs"]) == 3001
    assert data["units"]["pain_nrs"] == "NRS 0-10"


def test_series_without_json_is_refused(capsys):
    assert main(["run", "--preset", "scs-tonic", "--series"]) == 2
    assert "--series adds the time series to the --json output" in _one_line(
        capsys.readouterr().err)


# 6. warnings on stderr ----------------------------------------------------------------------
UNSAFE = ["--set", "amplitude_mA=10", "--set", "pulse_width_us=300"]  # 3 µC per phase


@pytest.mark.parametrize("argv", [
    ["program", "show", "scs-tonic", *UNSAFE, "--json"],
    ["run", "--preset", "scs-tonic", "--duration-s", "20", *UNSAFE, "--json"],
    ["program", "show", "scs-tonic", *UNSAFE],
])
def test_the_shannon_warning_goes_to_stderr_and_stdout_stays_clean(argv, capsys):
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "WARNING: Shannon k = 1.87 is at or above the limit 1.85" in captured.err
    assert "WARNING" not in captured.out
    if "--json" in argv:  # the JSON of `program show` still carries it, as data
        json.loads(captured.out)
    else:
        assert "Shannon k =" not in captured.out


def test_a_json_run_as_a_process_keeps_stdout_parseable():
    proc = _cli("run", "--preset", "scs-tonic", "--duration-s", "20", *UNSAFE, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["session"]["program"]["amplitude_mA"] == 10
    assert "Shannon k" in proc.stderr


# 7. day flags inside the course -------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["--stimulation-from-day", "200"],
     "--stimulation-from-day 200 days is outside the course: 0..84 days"),
    (["--therapy-from-day", "85"], "--therapy-from-day 85 days is outside the course: 0..84"),
    (["--days", "28", "--stimulation-from-day", "-1"],
     "--stimulation-from-day -1 days is outside the course: 0..28 days"),
    (["--treatment", "gabapentin", "--treatment-from-day", "90"],
     "--treatment-from-day 90 days is outside the course: 0..84 days"),
    (["--treatment", "gabapentin", "--days", "28"],   # the preset's own day 56
     ("gabapentin starts on course day 56 (its treatment_day), after the end of the 28-day "
      "course; choose --treatment-from-day 0..28 days")),
    (["--treatment-from-day", "3"], "--treatment-from-day 3: there is no treatment to start"),
])
def test_a_course_day_outside_the_course_is_an_error(argv, message, capsys):
    assert main(["course", "--preset", "scs-tonic", "--patient", "crps", *argv]) == 2
    assert message in _one_line(capsys.readouterr().err)
    # the last day is inside the course
    assert main(["course", "--preset", "scs-tonic", "--patient", "crps",
                 "--stimulation-from-day", "84", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stimulation"][-1] == 1


def test_a_course_refuses_a_start_after_its_end():
    from sim.mood import Course
    from sim.presets import program
    from sim.session import Session

    base = Session(program=program("scs-tonic"))
    with pytest.raises(ParameterError, match=r"stimulation_from_day=200 days is after the end "
                                             r"of the course: expected 0..84 days"):
        Course(base, days=84, stimulation_from_day=200)
    with pytest.raises(ParameterError, match="psychological_therapy_from_day=30"):
        Course(base, days=28, psychological_therapy_from_day=30)


# 8. no bare "n/a" in the run summary --------------------------------------------------------
def _config(tmp_path, events) -> str:
    from sim.patients import patient
    from sim.presets import program
    from sim.session import Session

    doc = Session(program=program("scs-tonic"), patient=patient("crps"),
                  duration_s=60).to_dict()
    doc["events"] = events
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _summary(capsys) -> dict[str, str]:
    out = capsys.readouterr().out
    assert "n/a" not in out
    return {line[:22].strip(): line[22:].strip() for line in out.splitlines()
            if line.startswith("pain ")}


def test_a_missing_summary_value_says_why(tmp_path, capsys):
    # a drug acts to the end of the session: there is no "after"
    assert main(["run", "--preset", "gabapentin", "--patient",
                 "painful-diabetic-neuropathy"]) == 0
    s = _summary(capsys)
    assert s["pain after"] == "— (the treatment still acts when the session ends: no time " \
                              "after it)"
    assert s["pain during"].endswith("NRS")
    # stimulation from 0 s to the end: no "before", no "after", so no reduction
    assert main(["run", "--config", _config(tmp_path, [
        {"kind": "stimulation", "start_s": 0, "stop_s": 60, "intensity": 1}])]) == 0
    s = _summary(capsys)
    assert s["pain before"] == "— (the therapy starts at 0 s: no time before it)"
    assert s["pain after"] == "— (stimulation runs to the end of the session: no time after it)"
    assert s["pain reduction"] == "— (no pain before to compare with)"
    # nothing switched on
    assert main(["run", "--config", _config(tmp_path, [])]) == 0
    s = _summary(capsys)
    assert s["pain after"] == s["pain during"] == \
        "— (no stimulation and no treatment in this session)"
    assert main(["run", "--preset", "off", "--patient", "crps"]) == 0
    assert _summary(capsys)["pain reduction"] == \
        "— (the program is off and there is no treatment)"


# Fields a program leaves unread -----------------------------------------------------------
def test_a_set_or_vary_that_changes_nothing_is_named(capsys, tmp_path):
    """Burst fields on a tonic program, CSF thickness on TENS: the run says so on stderr
    (and still runs); a sweep over such a field says it changes nothing."""
    from sim.cli import main

    assert main(["run", "--preset", "scs-tonic", "--set", "pulses_per_burst=3",
                 "--duration-s", "5", "--json"]) == 0
    err = capsys.readouterr().err
    assert "--set pulses_per_burst has no effect on this program (SCS, tonic" in err
    assert main(["run", "--preset", "tens-conventional", "--set", "csf_thickness_mm=4",
                 "--duration-s", "5", "--json"]) == 0
    assert "--set csf_thickness_mm has no effect" in capsys.readouterr().err
    assert main(["run", "--preset", "scs-burst", "--set", "pulses_per_burst=3",
                 "--duration-s", "5", "--json"]) == 0
    assert "no effect" not in capsys.readouterr().err
    out = tmp_path / "s.csv"
    assert main(["sweep", "--preset", "scs-tonic", "--duration-s", "5", "--vary",
                 "burst_rate_hz=20:40:2", "--out", str(out), "--quiet"]) == 0
    assert "--vary burst_rate_hz changes nothing" in capsys.readouterr().err
    out2 = tmp_path / "s2.csv"
    assert main(["sweep", "--preset", "scs-tonic", "--duration-s", "5", "--set", "rate_hz=500",
                 "--set", "pulses_per_burst=2", "--vary", "burst_rate_hz=30:40:2", "--vary",
                 "pattern=tonic,burst", "--out", str(out2), "--quiet"]) == 0
    assert "changes nothing" not in capsys.readouterr().err


def test_python_dash_m_sim_is_the_command_line():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("neuromod ")


def test_run_notes_a_first_khz_session(capsys):
    assert main(["run", "--preset", "scs-10khz", "--patient", "failed-back-surgery",
                 "--duration-s", "20"]) == 0
    out = capsys.readouterr().out
    assert "note: Day 0 on this program: 0 % of its kHz effect acts yet" in out
    assert main(["run", "--preset", "scs-10khz", "--patient", "failed-back-surgery",
                 "--duration-s", "20", "--set", "stimulation_day=90"]) == 0
    assert "kHz effect" not in capsys.readouterr().out
