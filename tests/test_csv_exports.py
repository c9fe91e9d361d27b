"""Every CSV the project writes opens as data: a plain ``pandas.read_csv(path)`` (or a
spreadsheet) finds one header row, the units in the column names, numbers as numbers without
float noise, and no cell it would run as a formula; the metadata is in a JSON sidecar
(``<file>.json``) or, for Parquet, in the schema.

The exports, all produced here: ``neuromod run --csv``, ``neuromod course --csv``, ``neuromod
sweep --out`` (CSV and Parquet), ``neuromod cohort --out`` and the dashboard's *Download CSV*
(``download_csv``). ``neuromod rate-response`` prints text or JSON and writes no file; the
first test fails if a command or a dashboard download gains a file output that is not here.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard import callbacks as C, state as S
from sim.cli import build_parser, main
from sim.session import SERIES_UNITS, Session
from sim.sweep import load_table
from sim.tables import cell, column_units, sidecar_path, unescape_text

#: Acceptable endings of a column name for each unit a sidecar declares ("1", "" and None:
#: dimensionless, flags, text, indices: no unit in the name).
UNIT_ENDINGS = {
    "s": ("_s",), "Hz": ("_hz",), "mA": ("_mA",), "NRS 0-10": ("_nrs",), "NRS": ("_nrs",),
    "0-10": ("_0to10",), "%": ("_pct", "_pct_of_baseline"), "µC/h": ("_uC",),
    "days": ("_days", "day"), "mm": ("_mm",), "µs": ("_us",), "µV": ("_uV",),
}
#: A float printed with its binary noise (3.4000000000000004, 12851.999999999998).
NOISE = re.compile(r"\d\.\d*(0{6,}|9{6,})\d")


def _check_plain(path: Path, n_rows: int, n_cols: int,
                 units: dict | None = None) -> tuple[pd.DataFrame, dict | None]:
    """Open ``path`` with a plain ``pandas.read_csv`` and check it is a plain table whose
    header names the ``units`` (by default: those of its sidecar, which must be there);
    return the frame and the sidecar."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert not any(ln.startswith("#") for ln in lines), "a comment line"
    assert not NOISE.search(text), NOISE.search(text).group(0)
    df = pd.read_csv(path)
    assert df.shape == (n_rows, n_cols), df.shape
    header = lines[0].split(",")
    assert list(df.columns) == header and len(set(header)) == len(header)
    side = None
    if units is None:
        side = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
        assert side["format"] == "neuromod-table" and side["columns"] == header
        units = side["units"]
    assert set(units) == set(header)
    for col, unit in units.items():
        if unit in ("1", "", None):
            continue
        assert unit in UNIT_ENDINGS, f"{col}: unit {unit!r} has no known suffix"
        assert col.endswith(UNIT_ENDINGS[unit]), f"{col} does not name its unit {unit}"
    for col in df.columns:  # every number is written with at most 12 significant digits
        if pd.api.types.is_float_dtype(df[col]):
            for x in df[col].dropna():
                assert float(f"{x:.12g}") == x, (col, x)
    return df, side


def _numeric(df: pd.DataFrame, columns) -> None:
    for col in columns:
        assert pd.api.types.is_numeric_dtype(df[col]) and \
            not pd.api.types.is_bool_dtype(df[col]), f"{col} is {df[col].dtype}"


def test_these_are_all_the_file_outputs():
    """Each command flag that writes a file, and each dashboard download, is covered here."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    outputs = set()
    for name, p in sub.choices.items():
        for action in p._actions:
            if set(action.option_strings) & {"--csv", "--out"}:
                outputs.add((name, action.option_strings[0]))
    assert outputs == {("run", "--csv"), ("course", "--csv"), ("sweep", "--out"),
                       ("cohort", "--out")}
    from dashboard.app import app
    downloads = {c.id for c in app.layout._traverse() if type(c).__name__ == "Download"}
    assert downloads == {"download-json", "download-csv"}


def test_run_csv(tmp_path, capsys):
    out = tmp_path / "series.csv"
    assert main(["run", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "30",
                 "--set", "amplitude_mA=3.4", "--csv", str(out)]) == 0
    df, side = _check_plain(out, 1501, 22)
    assert f"units and settings in {out}.json" in capsys.readouterr().out
    assert list(df.columns[:4]) == ["t_s", "pain_nrs", "paresthesia_0to10", "discomfort_0to10"]
    _numeric(df, df.columns)
    assert df["t_s"].iloc[3] == 0.06  # not 0.06000000000000001
    assert side["kind"] == "session-series" and side["units"]["t_s"] == "s"
    assert side["session"]["program"]["amplitude_mA"] == 3.4
    assert Session.from_dict(side["session"]).program.amplitude_mA == 3.4


def test_course_csv(tmp_path):
    out = tmp_path / "course.csv"
    assert main(["course", "--preset", "scs-tonic", "--patient", "failed-back-surgery",
                 "--days", "14", "--stimulation-from-day", "7", "--csv", str(out)]) == 0
    df, side = _check_plain(out, 14 * 2 + 1, 21)
    assert list(df.columns[:3]) == ["day", "pain_nrs", "pain_without_mood_nrs"]
    assert {"muscle_mass", "sural_amplitude_uV"} <= set(df.columns)      # care (sim.care)
    _numeric(df, df.columns)
    assert side["kind"] == "course-series" and side["course"]["stimulation_from_day"] == 7


def test_sweep_csv_escapes_text_and_keeps_numbers(tmp_path, capsys):
    """The one user text that reaches a table is a varied contact pattern: ``-+0`` would be a
    formula in a spreadsheet (it starts with ``-``). Negative numbers stay numbers."""
    out = tmp_path / "sweep.csv"
    assert main(["sweep", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "20",
                 "--vary", "amplitude_mA=0:0.3:4", "--vary", "contacts=-+0,+-0,0-+",
                 "--vary", "descending_drive=-0.5,0.25", "--out", str(out), "--quiet"]) == 0
    df, side = _check_plain(out, 4 * 3 * 2, 1 + 3 + 14)   # 14 summary fields (coverage_pct)
    assert f"(metadata in {out}.json)" in capsys.readouterr().out
    assert list(df.columns[:4]) == ["run_id", "amplitude_mA", "contacts", "descending_drive"]
    assert {"paresthesia_0to10", "charge_per_hour_uC", "pain_reduction_pct"} <= set(df.columns)
    _numeric(df, ["run_id", "amplitude_mA", "descending_drive", "charge_per_hour_uC",
                  "battery_days", "paresthesia_0to10"])
    assert sorted(set(df["amplitude_mA"])) == [0.0, 0.1, 0.2, 0.3]  # typed, not 0.0999...
    assert sorted(set(df["descending_drive"])) == [-0.5, 0.25]
    assert set(df["contacts"]) == {"'-+0", "'+-0", "0-+"}
    text = out.read_text()
    assert ",-0.5," in text and ",'-0.5" not in text
    assert side["kind"] == "sweep" and side["varied"] == ["amplitude_mA", "contacts",
                                                          "descending_drive"]
    assert side["vary"][1] == "contacts=-+0,+-0,0-+" and side["runs"] == 24
    assert side["units"]["amplitude_mA"] == "mA" and re.fullmatch(r"[0-9a-f]{16}",
                                                                   side["signature"])
    rows = load_table(out)  # the loader gives the values back as they were
    assert {r["contacts"] for r in rows} == {"-+0", "+-0", "0-+"}
    assert {r["descending_drive"] for r in rows} == {-0.5, 0.25}
    assert "paresthesia" in rows[0] and "paresthesia_0to10" not in rows[0]


def test_sweep_parquet_carries_the_metadata_in_its_schema(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "sweep.parquet"
    assert main(["sweep", "--preset", "scs-tonic", "--duration-s", "20", "--vary",
                 "amplitude_mA=0:0.3:4", "--out", str(out), "--quiet"]) == 0
    _check_plain(tmp_path / "sweep.partial.csv", 4, 2 + 14)  # the streamed table beside it
    meta = pq.read_schema(out).metadata
    doc = json.loads(meta[b"neuromod"])
    df = pd.read_parquet(out)
    assert doc["columns"] == list(df.columns) and "paresthesia_0to10" in df.columns
    assert doc["units"]["charge_per_hour_uC"] == "µC/h"
    assert doc["signature"] == meta[b"neuromod-sweep"].decode()
    assert list(df["amplitude_mA"]) == [0.0, 0.1, 0.2, 0.3]


def test_cohort_csv(tmp_path):
    out = tmp_path / "cohort.csv"
    assert main(["cohort", "--preset", "scs-tonic", "--patient", "crps", "--duration-s", "20",
                 "--n", "6", "--seed", "2", "--out", str(out), "--quiet"]) == 0
    df, side = _check_plain(out, 6, 31)   # the summary has coverage_pct
    _numeric(df, ["descending_drive", "pain_flare_nrs", "programmed_amplitude_mA",
                  "trial_reduction_pct", "baseline_nrs"])
    assert (df["pain_flare_nrs"] < 0).any()  # negative draws, read as numbers
    assert "'-" not in out.read_text()
    assert side["kind"] == "cohort" and side["patient"] == "crps" and side["n"] == 6
    assert side["seed"] == 2 and side["units"]["programmed_amplitude_mA"] == "mA"


def test_dashboard_csv_download(tmp_path):
    doc = S.default_session().to_dict()
    payload, message = C.download_csv(doc)
    assert message == "" and payload["type"] == "text/csv"
    out = tmp_path / payload["filename"]
    out.write_text(payload["content"], encoding="utf-8")
    # the download is the CSV alone (its metadata is the session document, Download JSON):
    # the units to find in its header are those of the session's series
    units = column_units(["t_s", *SERIES_UNITS])
    duration = doc["duration_s"]
    df, _ = _check_plain(out, int(round(duration / 0.02)) + 1, len(units), units)
    _numeric(df, df.columns)
    assert list(df.columns[:3]) == ["t_s", "pain_nrs", "paresthesia_0to10"]
    assert df["t_s"].iloc[-1] == duration


@pytest.mark.parametrize("value, text", [
    ("=1+1", "'=1+1"), ("+33 1", "'+33 1"), ("-+0", "'-+0"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("'quoted", "''quoted"), ("none", "none"),
    (-3, "-3"), (-0.5, "-0.5"), (3.4000000000000004, "3.4"), (12851.999999999998, "12852.0"),
    (1e-15, "1e-15"), (True, "True"), (None, ""),
])
def test_a_cell(value, text):
    assert cell(value) == text
    if isinstance(value, str):
        assert unescape_text(text) == value
