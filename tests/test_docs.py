"""The documentation site builds, offline, with warnings as errors.

``python -m sphinx -W --keep-going -b html docs <tmp>`` (docs/conf.py): the API pages, the
model and science pages, and the eight lessons executed with their plotly figures, which must
draw without a network (plotly.js served from the site, no CDN script).
"""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NEEDS = ("sphinx", "numpydoc", "myst_parser", "myst_nb", "jupytext", "pydata_sphinx_theme")
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.py"))
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\ssrc=[\"']?(?:https?:)?//", re.IGNORECASE)


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = [m for m in NEEDS if importlib.util.find_spec(m) is None]
    if missing:
        reason = (f"the docs dependencies are not installed ({', '.join(missing)}): "
                  'pip install -e ".[docs]"')
        if os.environ.get("CI"):  # they are in the test extra: in CI this is a broken set-up
            pytest.fail(reason)
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("site")
    before = _tree(DOCS)
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(out / ".doctrees"), str(DOCS), str(out / "html")],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, f"sphinx failed:\n{build.stdout[-3000:]}\n{build.stderr[-6000:]}"
    assert _tree(DOCS) == before, "the build wrote into docs/"
    return out / "html"


def test_pages_and_api(site):
    for page in ("index", "readme", "screenshots", "model", "science", "data", "lessons/index",
                 "api/index", "api/dashboard.figures", "api/dashboard.diagnosis_figures"):
        assert (site / f"{page}.html").is_file(), page
    session = (site / "api" / "sim.session.html").read_text(encoding="utf-8")
    assert 'id="sim.session.run_session"' in session
    assert 'id="sim.session.Session"' in session


def test_lessons_show_plotly_figures_offline(site):
    assert len(LESSONS) == 8
    for name in LESSONS:
        html = (site / "lessons" / f"{name}.html").read_text(encoding="utf-8")
        assert 'class="plotly-graph-div"' in html, name
        assert "_static/plotly.min.js" in html, name
        assert "cdn.plot.ly" not in html, name
    assert (site / "_static" / "plotly.min.js").stat().st_size > 1_000_000


def test_no_page_loads_a_script_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not EXTERNAL_SCRIPT.search(html), page.relative_to(site)
        assert "cdn.plot.ly" not in html, page.relative_to(site)


def test_every_module_has_an_api_page():
    """Each public ``sim`` module (and each figure module) has its page, listed in the index
    (a new module cannot be left out of the reference)."""
    index = (DOCS / "api" / "index.rst").read_text(encoding="utf-8")
    modules = [f"sim.{p.stem}" for p in sorted((ROOT / "sim").glob("*.py"))
               if not p.stem.startswith("_")]
    modules += ["dashboard.figures", "dashboard.diagnosis_figures"]
    missing = [m for m in modules if not (DOCS / "api" / f"{m}.rst").is_file()
               or f"   {m}\n" not in index]
    assert not missing, f"modules without an API page in docs/api/index.rst: {missing}"
