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
    captured = capsys.readouterr()
    assert "WARNING: Not charge balanced" in captured.err  # warnings go to stderr
    assert "WARNING" not in captured.out


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


def test_run_json_has_summary_and_series(capsys):
    assert main(["run", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "60",
                 "--json", "--series"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["summary"]) >= {"pain_before_nrs", "pain_during_nrs", "pain_after_nrs",
                                    "pain_reduction_pct", "responder", "paresthesia"}
    assert len(data["series"]["t_s"]) == len(data["series"]["pain_nrs"]) == 3001
    # default events: stimulation over the middle half of the session
    assert data["session"]["events"] == [
        {"kind": "stimulation", "start_s": 15.0, "stop_s": 45.0, "intensity": 1.0}]


def test_run_from_config_file_with_overrides_and_csv(tmp_path, capsys):
    from sim.session import Session
    cfg = tmp_path / "s.json"
    cfg.write_text(Session(duration_s=30).to_json())
    out = tmp_path / "series.csv"
    assert main(["run", "--config", str(cfg), "--set", "rate_hz=60",
                 "--set", "inhibition_efficacy=0.8", "--csv", str(out)]) == 0
    assert "pain reduction" in capsys.readouterr().out
    lines = out.read_text().splitlines()
    assert lines[0].startswith("t_s,") and len(lines) == 1 + 1501


@pytest.mark.parametrize("argv, message", [
    (["run", "--preset", "scs-tonic", "--set", "rate_hz=0"], "rate_hz=0 is outside"),
    (["run", "--preset", "scs-tonic", "--patient", "ghost"], "patient='ghost'"),
    (["run", "--preset", "scs-tonic", "--duration-s", "-5"], "duration_s=-5 is outside"),
    (["run", "--config", "/nonexistent.json"], "No such file"),
    (["recruit", "--preset", "pns", "--set", "lead_distance_mm=100"],
     "lead_distance_mm=100 is outside 0.5..30 mm"),
    (["sweep", "--preset", "scs-tonic", "--vary", "rate_hz=0:10:3", "--out", "x.csv"],
     "rate_hz=0 is outside"),
])
def test_session_commands_reject_bad_input(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_config_document(tmp_path, capsys):
    cfg = tmp_path / "bad.json"
    cfg.write_text('{"program": {"pulse_width_us": 5000}}')
    assert main(["run", "--config", str(cfg)]) == 2
    assert "pulse_width_us=5000 is outside 10..1000 µs" in capsys.readouterr().err


def test_recruit_json(capsys):
    assert main(["recruit", "--preset", "scs-10khz", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # 10 kHz at 3 mA, 30 µs: no dorsal-column fibre reaches threshold (paresthesia-free)
    assert data["classes"]["abeta"]["recruited_fraction"] == 0 and data["paresthesia"] is False
    assert data["perception_threshold_mA"] > 3.0


def test_sweep_command_writes_reloadable_table(tmp_path, capsys):
    from sim.sweep import load_table
    out = tmp_path / "sweep.csv"
    assert main(["sweep", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "20",
                 "--vary", "rate_hz=10:100:log:3", "--vary", "amplitude_mA=0,4.2",
                 "--out", str(out), "--quiet"]) == 0
    rows = load_table(out)
    assert len(rows) == 6 and {r["amplitude_mA"] for r in rows} == {0.0, 4.2}
    # no current, no charge
    assert all(r["charge_per_hour_uC"] == 0 for r in rows if r["amplitude_mA"] == 0)


def test_exam_command_reports_cold_allodynia(capsys):
    assert main(["exam", "--patient", "small-fibre-neuropathy", "--stimulus", "cold",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["finding"].startswith("allodynia") and "trace" not in data
    assert main(["exam", "--patient", "healthy"]) == 0
    out = capsys.readouterr().out
    assert out.count("normal") >= 5 and "pinprick" in out


def test_course_command_json_and_csv(tmp_path, capsys):
    csv_path = tmp_path / "course.csv"
    assert main(["course", "--preset", "scs-tonic", "--patient", "failed-back-surgery",
                 "--days", "56", "--stimulation-from-day", "28", "--json",
                 "--csv", str(csv_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["day"][-1] == 56 and len(data["day"]) == 56 * 2 + 1      # 12 h steps
    i28 = data["day"].index(28)
    assert data["pain_nrs"][i28] < data["pain_nrs"][i28 - 1] - 1        # stimulation on
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("day,pain_nrs") and len(lines) == 56 * 2 + 2


@pytest.mark.parametrize("argv, message", [
    (["exam", "--patient", "crps", "--intensity", "9"], "event_intensity=9 is outside 0..3"),
    (["exam", "--patient", "nobody"], "patient='nobody' is not a patient preset"),
    (["course", "--preset", "off", "--patient", "crps", "--stimulation-from-day", "3"],
     "program's therapy is 'off'"),
    (["course", "--preset", "scs-tonic", "--days", "9999"], "course_days=9999 is outside"),
    (["course", "--preset", "lidocaine-block"], "acts for hours"),
])
def test_diagnosis_commands_reject_bad_input(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_rate_response_without_patient_runs_the_published_protocol(capsys):
    # Zhang, Janik & Grill 2014: deepest at tens of Hz, back to baseline near 80-100 Hz,
    # above it with every fibre following every pulse
    assert main(["rate-response", "--rates", "2,10,30,60,100,300", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["rate_hz"] for r in rows] == [2, 10, 30, 60, 100, 300]
    assert set(rows[0]) == {"rate_hz", "wdr_pct_of_baseline", "pain_reduction_pct",
                            "paresthesia"}
    wdr = {r["rate_hz"]: r["wdr_pct_of_baseline"] for r in rows}
    assert min(wdr, key=wdr.get) in (10, 30, 60)
    assert wdr[60] < 100 < wdr[300]
    assert all(r["pain_reduction_pct"] >= 0 for r in rows)


def test_rate_response_with_reduced_gaba_moves_the_crossover_up(capsys):
    def crossover(argv):
        assert main([*argv, "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        return next(r["rate_hz"] for r in rows if r["rate_hz"] > 30
                    and r["wdr_pct_of_baseline"] >= 100)
    rates = ["--rates", ",".join(str(f) for f in range(40, 200, 5))]
    normal = crossover(["rate-response", *rates])
    reduced = crossover(["rate-response", *rates, "--set", "inhibition_efficacy=0.5"])
    assert reduced > normal


def test_rate_response_for_a_patient_and_its_text_table(capsys):
    assert main(["rate-response", "--patient", "failed-back-surgery", "--preset", "scs-tonic",
                 "--rates", "5,50"]) == 0
    out = capsys.readouterr().out
    assert "rate response (session)" in out and "deepest inhibition" in out
    assert main(["rate-response", "--patient", "crps", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    # the default rates stop where the 210 µs tonic pulse no longer fits its period
    assert rows[0]["rate_hz"] == 2 and rows[-1]["rate_hz"] <= 2000


@pytest.mark.parametrize("argv, message", [
    (["rate-response", "--rates", "2,x"], "rate_hz='x' is not a number; expected 1..10000 Hz"),
    (["rate-response", "--rates", "0"], "rate_hz=0 is outside 1..10000 Hz"),
    (["rate-response", "--preset", "scs-tonic"], "--preset and --config need --patient"),
    (["rate-response", "--patient", "crps", "--rates", "5000"], "does not fit"),
    (["rate-response", "--set", "rate_hz=50"], "rate_hz cannot be set for this command"),
    (["cohort", "--preset", "scs-tonic", "--patient", "crps", "--follow-up-days", "x"],
     "follow_up_days='x' is not a number"),
])
def test_rate_response_and_cohort_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_run_json_summary_has_the_wdr_output_and_discomfort(capsys):
    assert main(["run", "--preset", "scs-tonic", "--patient", "failed-back-surgery",
                 "--duration-s", "60", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert 0 < summary["wdr_pct_of_baseline"] < 100      # tonic 50 Hz inhibits the WDR output
    assert summary["discomfort"] == 0.0
