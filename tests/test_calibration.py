"""The model card's calibration table is the one the current code prints.

``docs/model.md`` holds no typed number for its calibration targets: the table between its
markers is written by ``python -m sim.calibration --write docs/model.md``. This test runs the
calibration (19 cohorts of 1000 virtual patients and the published rate-response protocol,
under a minute) and compares; it also checks that every target is met.
"""
from __future__ import annotations

from pathlib import Path

from sim import calibration as cal

MODEL_CARD = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def test_model_card_table_is_current_and_every_target_is_met():
    rows = cal.calibration_table()
    text = MODEL_CARD.read_text(encoding="utf-8")
    inside = text.split(cal.BEGIN, 1)[1].split(cal.END, 1)[0].strip().splitlines()[2:]
    printed = cal.markdown_table(rows).strip().splitlines()[2:]
    stale = "docs/model.md is out of date: run python -m sim.calibration --write docs/model.md"
    assert len(inside) == len(printed), stale
    for card, now, row in zip(inside, printed, rows, strict=True):
        # same target and source; the value within 1 unit (floating-point differences between
        # numpy builds can move one virtual patient across the 50 % line)
        assert card.split("|")[1:4] == now.split("|")[1:4], stale
        value = float(card.split("|")[4].split()[0])
        assert abs(value - row.model) <= 1.0, stale
    missed = [r.target.label for r in rows if not r.ok]
    assert not missed, missed


def test_write_refuses_a_file_without_the_markers(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cal, "calibration_table", lambda: [])
    f = tmp_path / "card.md"
    f.write_text("no markers here\n", encoding="utf-8")
    assert cal.main(["--write", str(f)]) == 2
    assert "no <!-- calibration table: begin -->" in capsys.readouterr().err
    f.write_text(f"head\n{cal.BEGIN}\nold\n{cal.END}\ntail\n", encoding="utf-8")
    assert cal.main(["--write", str(f)]) == 0
    assert "old" not in f.read_text(encoding="utf-8")
    assert f.read_text(encoding="utf-8").startswith("head\n") and "tail" in f.read_text()
