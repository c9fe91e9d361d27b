"""Citations a reader can follow: every ``docs/science.md §x.y`` cited in the code, the tests,
the notebooks and the docs names a section (or checklist item) that exists, and nothing
points at a document outside the repository."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCIENCE = ROOT / "docs" / "science.md"
SOURCES = [p for d in ("sim", "dashboard", "notebooks", "benchmarks", "tests")
           for p in (ROOT / d).rglob("*.py")] + [ROOT / "README.md", ROOT / "ARCHITECTURE.md",
                                                 *sorted((ROOT / "docs").glob("*.md"))]
CITATION = re.compile(r"docs/science\.md ((?:§[\d.]+(?:-[\d.]+)?(?:,? (?:and )?)?)+)")
_SELF = Path(__file__).name


def _sections() -> set[str]:
    text = SCIENCE.read_text(encoding="utf-8")
    heads = re.findall(r"^#{2,4} (\d+(?:\.\d+)*)\.? ", text, re.MULTILINE)
    items = re.findall(r"^\* \*\*(\d+\.\d+) ", text, re.MULTILINE)
    return set(heads) | set(items)


def _cited() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in SOURCES:
        if path.name == _SELF:
            continue
        for m in CITATION.finditer(path.read_text(encoding="utf-8")):
            for ref in re.findall(r"§([\d.]+(?:-[\d.]+)?)", m.group(1)):
                for part in ref.split("-"):
                    out.setdefault(part.rstrip("."), set()).add(path.name)
    return out


def test_every_cited_section_exists():
    sections = _sections()
    cited = _cited()
    assert len(cited) > 20  # the code does cite the document
    missing = {ref: sorted(files) for ref, files in cited.items() if ref not in sections}
    assert not missing, missing


def test_nothing_points_outside_the_repository():
    # the design notes and reference folder kept beside the repository, never inside it
    names = ("SCIENCE" + r"\.md", r"\.\./" + "shared", "shared" + "/reference")
    outside = re.compile("|".join(names))
    found = [f"{p.relative_to(ROOT)}" for p in SOURCES
             if p.name != _SELF and outside.search(p.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_reference_data_ships_its_readme():
    readme = ROOT / "sim" / "data" / "README.md"
    assert readme.is_file()
    text = readme.read_text(encoding="utf-8")
    for name in ("fiber_thresholds_train.csv", "fiber_following.csv"):
        assert name in text
