"""The neuromod CLI: presets, program show, --set validation and exit codes."""
import json
import subprocess
import sys

import pytest

from sim.cli import main


def test_presets_lists_programs(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "scs-tonic" in out and "tens-acupuncture" in out


def test_program_show_json_has_program_and_safety(capsys):
    assert main(["program", "show", "scs-tonic", "--set", "amplitude_mA=10",
                 "--set", "pulse_width_us=300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["program"]["amplitude_mA"] == 10
    assert data["safety"]["charge_per_phase_uC"] == pytest.approx(3.0)
    assert data["safety"]["shannon_ok"] is False


def test_program_show_text_prints_warning(capsys):
    assert main(["program", "show", "scs-tonic", "--set", "shape=monophasic"]) == 0
    assert "WARNING: Not charge balanced" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["program", "show", "scs-tonic", "--set", "pulse_width_us=5000"],
     "pulse_width_us=5000 is outside 10..1000 µs"),
    (["program", "show", "scs-tonic", "--set", "rate=5"], "unknown parameter"),
    (["program", "show", "nope"], "preset='nope' is not a program preset"),
    (["program", "show", "scs-tonic", "--set", "csf_thickness_mm=3"], "cannot be set"),
])
def test_bad_input_exits_2_without_traceback(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_console_script_runs_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "program", "show", "pns",
                           "--set", "rate_hz=abc"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "rate_hz='abc' is not a number" in proc.stderr and "Traceback" not in proc.stderr
