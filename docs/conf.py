"""Sphinx configuration of the documentation site.

Build it (offline, warnings as errors) into a directory outside the sources::

    python -m sphinx -W --keep-going -b html docs /tmp/neuromod-docs

The lessons (``docs/lessons/*.py``, links to ``notebooks/*.py``) are jupytext percent
scripts, executed at build time by myst-nb; their plotly figures draw with a local copy of
plotly.js, so that the pages work without a network.
"""
import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the packages, when they are not installed

import plotly.offline  # noqa: E402

import sim  # noqa: E402

# Plotly offline. Everything generated goes to a temporary folder, never next to the sources:
# - static/plotly.min.js, the plotly.js of the installed plotly, served as _static/plotly.min.js
#   and loaded by the lesson pages only (see _add_plotly_js);
# - an IPython profile whose start-up file (_ext/plotly_kernel_startup.py) makes the lessons'
#   figures HTML that draws with that file; the kernels find it through IPYTHONDIR.
_TMP = Path(tempfile.mkdtemp(prefix="neuromod-docs-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
(_TMP / "static").mkdir()
(_TMP / "static" / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
_startup = _TMP / "ipython" / "profile_default" / "startup"
_startup.mkdir(parents=True)
shutil.copy(Path(__file__).with_name("_ext") / "plotly_kernel_startup.py",
            _startup / "00-plotly-renderer.py")
os.environ["IPYTHONDIR"] = str(_TMP / "ipython")
os.environ.pop("PLOTLY_RENDERER", None)  # a renderer set by the user would override ours

project = "neuromod-sim"
author = "neuromod-sim contributors"
copyright = "neuromod-sim contributors"
version = release = sim.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",  # also loads myst_parser for the Markdown pages
]

# Only the lessons are .py sources; conf.py is not one of them.
exclude_patterns = ["_build", "_ext", "conf.py", "**/.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}

# Executing the lessons: every build runs them afresh, in a temporary directory (nothing is
# written next to the sources) and stops on the first error in a cell.
nb_execution_mode = "force"
nb_execution_in_temp = True
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# Markdown: GitHub-style heading anchors, so that model.md#section links resolve.
myst_heading_anchors = 4

# API pages: written by hand (docs/api/*.rst); autosummary only draws the summary table and
# generates no files.
autosummary_generate = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc shows the types of the docstrings
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# No network: no intersphinx; no page uses math, so MathJax (from a CDN) is never loaded.
html_theme = "pydata_sphinx_theme"
html_title = f"neuromod-sim {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 4,
}
html_static_path = [str(_TMP / "static")]


# Links out of the documentation folder: the README names files by their path in the
# repository, science.md links to sim/data/README.md. In the site they become the pages that
# hold them (data.md includes sim/data/README.md), or plain paths when no page holds them.
_PAGES = ("model.md", "science.md", "data.md")


def _rewrite_link(match):
    text, target = match.group(1), match.group(2)
    target = target.replace("../sim/data/README.md", "data.md")
    if target.startswith("docs/"):
        target = target[len("docs/"):]
    if target.startswith(("http:", "https:", "#", "screenshots/")) or \
            target.split("#")[0] in _PAGES:
        return f"[{text}]({target})"
    return text  # e.g. benchmarks/RESULTS.md: shown as its path


def _rewrite_links(text):
    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", _rewrite_link,
                  text.replace("](docs/screenshots/", "](screenshots/"))


def _on_source_read(app, docname, source):
    if docname in ("model", "science"):
        source[0] = _rewrite_links(source[0])


def _on_include_read(app, relative_path, parent_docname, content):
    content[0] = _rewrite_links(content[0])


def _add_plotly_js(app, pagename, templatename, context, doctree):
    if pagename.startswith("lessons/") and pagename != "lessons/index":
        app.add_js_file("plotly.min.js")


def setup(app):
    app.connect("html-page-context", _add_plotly_js)
    app.connect("source-read", _on_source_read)
    app.connect("include-read", _on_include_read)
