"""An executed lesson exported to HTML shows its figures, offline.

JupyterLab draws plotly's JSON mimetype, but ``jupyter nbconvert --to html`` (and most
previewers) keep only ``text/html``, so each lesson calls ``dashboard.notebook.offline_figures``
and every figure is saved with an HTML copy, plotly.js written inline once. The quickest lesson
is executed in a fresh kernel and exported as ``jupyter nbconvert --to html`` would.
"""
from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICKEST = ROOT / "notebooks" / "01_waveforms_and_safety.py"
PLOTLY_JSON = "application/vnd.plotly.v1+json"
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//([^\"'\s>]+)",
                             re.IGNORECASE)


def _needs(module: str):
    return pytest.importorskip(
        module, reason=f"{module} is missing: pip install -e '.[test]' (or '.[notebooks]')")


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _newplot_calls(html: str) -> dict[str, list]:
    """``Plotly.newPlot("id", data, ...)`` calls in the page: div id -> the data it draws."""
    decoder = json.JSONDecoder()
    calls = {}
    for m in re.finditer(r"Plotly\.newPlot\(\s*", html):
        div_id, end = decoder.raw_decode(html, m.end())
        end = re.compile(r"\s*,\s*").match(html, end).end()
        data, _ = decoder.raw_decode(html, end)
        calls[div_id] = data
    return calls


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The quickest lesson executed and exported: (notebook, HTML text, HTML file, empty HTML)."""
    jupytext = _needs("jupytext")
    nbclient = _needs("nbclient")
    _needs("ipykernel")
    nbconvert = _needs("nbconvert")
    out = tmp_path_factory.mktemp("export")
    nb = jupytext.read(QUICKEST)
    empty = nbconvert.HTMLExporter().from_notebook_node(nb)[0]   # the template's own page
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(out)}}).execute()
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)     # `--to html`, lab template
    path = out / (QUICKEST.stem + ".html")
    path.write_text(html, encoding="utf-8")
    return nb, html, path, empty


def test_every_figure_is_saved_as_html_too(exported):
    nb, _, _, _ = exported
    figures = [o for o in _outputs(nb) if PLOTLY_JSON in o.get("data", {})]
    assert figures, "the lesson shows no plotly figure"
    missing = [o["data"][PLOTLY_JSON]["layout"].get("title") for o in figures
               if "plotly-graph-div" not in o["data"].get("text/html", "")]
    assert not missing, f"figures saved only as {PLOTLY_JSON}: {missing}"


def test_html_export_holds_each_figures_data(exported):
    nb, html, _, _ = exported
    figures = [o["data"][PLOTLY_JSON] for o in _outputs(nb) if PLOTLY_JSON in o.get("data", {})]
    drawn = _newplot_calls(html)
    assert len(drawn) == len(figures) > 0
    assert html.count('class="plotly-graph-div"') == len(figures)
    for div_id in drawn:
        assert f'id="{div_id}"' in html
    assert sorted(map(json.dumps, drawn.values())) == sorted(json.dumps(f["data"]) for f in figures)


def test_html_export_carries_plotlyjs_inline(exported):
    from plotly.offline import get_plotlyjs

    _, html, _, _ = exported
    plotlyjs = get_plotlyjs()
    assert html.count(plotlyjs) == 1, "plotly.js should be written once, inline"
    # (plotly.js itself names its CDN, as the default address of map outlines: not loaded here)
    assert "cdn.plot.ly" not in html.replace(plotlyjs, "")
    # Nothing the lesson outputs loads a script from elsewhere: the only external scripts
    # (require.js, MathJax for markdown maths) are those nbconvert's template puts on any page.
    template_own = set(EXTERNAL_SCRIPT.findall(exported[3]))
    assert set(EXTERNAL_SCRIPT.findall(html)) <= template_own
    for o in _outputs(exported[0]):
        assert not EXTERNAL_SCRIPT.search(o.get("data", {}).get("text/html", ""))


@pytest.mark.browser
def test_chromium_draws_the_exported_figures_offline(exported):
    """Open the file:// export in headless Chromium with every network request refused."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("the chromium system package is not installed")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing")
    nb, _, path, _ = exported
    n_figures = sum(PLOTLY_JSON in o.get("data", {}) for o in _outputs(nb))
    refused, errors = [], []

    def offline(route):
        url = route.request.url
        if urlparse(url).scheme in ("file", "data", "blob", "about"):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    def draw() -> list:
        # Playwright's sync API needs a thread without a running asyncio loop; the kernels
        # earlier tests ran may have left one running (patched) in the main thread.
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"])
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.route("**/*", offline)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(path.as_uri(), wait_until="load", timeout=60_000)
                page.wait_for_function(
                    "document.querySelectorAll('.plotly-graph-div .main-svg').length"
                    f" >= {n_figures}", timeout=30_000)
                return page.evaluate("""() => Array.from(
                    document.querySelectorAll('.plotly-graph-div'),
                    gd => gd.querySelectorAll('.main-svg').length > 0
                          && (gd._fullData || []).length)""")
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        drawn = pool.submit(draw).result(timeout=180)
    assert len(drawn) == n_figures and all(drawn), drawn
    assert not errors, errors
    # Only what nbconvert's template asks for was refused (require.js, MathJax), no plotly.
    assert not [u for u in refused if "plot" in u.lower()], refused
