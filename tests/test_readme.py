"""The README as a new user reads it: commands that work as written, warnings explained, and
no internal references a reader cannot follow."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Documents a reader of the repository is sent to, and the code, tests, lessons and
#: benchmarks they read beside them.
DOCS = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "CHANGELOG.md",
        *sorted((ROOT / "docs").rglob("*.md")),
        *[p for d in ("sim", "dashboard", "tests", "notebooks", "benchmarks")
          for p in sorted((ROOT / d).rglob("*.py")) if p.name != Path(__file__).name],
        *sorted((ROOT / "benchmarks").glob("*.md"))]


def test_the_cli_examples_come_after_activating_the_virtual_environment():
    """The set-up installs ``neuromod`` into ``.venv``: a bare ``neuromod ...`` line only
    works once it is activated (or called as ``.venv/bin/neuromod``)."""
    first = min(m.start() for m in re.finditer(r"^neuromod ", README, re.MULTILINE))
    assert "source .venv/bin/activate" in README[:first]


def test_the_shannon_warning_of_the_example_is_explained():
    assert "program show scs-tonic --set amplitude_mA=10 --set pulse_width_us=300" in README
    assert "Shannon" in README and "caution" in README and "stderr" in README


def test_nothing_points_at_internal_issue_numbers():
    pattern = re.compile(r"\b[Ii]ssues? ?#?\d+")
    found = {str(p.relative_to(ROOT)): pattern.findall(p.read_text(encoding="utf-8"))
             for p in DOCS}
    assert not any(found.values()), found
