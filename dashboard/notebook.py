"""Figures in the lessons (``notebooks/``): interactive in JupyterLab, and still there, offline,
in an HTML export (``jupyter nbconvert --to html``) or any viewer that shows only HTML.

In a Jupyter kernel plotly's default renderer saves a figure only as its JSON mimetype
(``application/vnd.plotly.v1+json``): JupyterLab draws it, but nbconvert's HTML does not, so
an exported lesson has no figures. Each lesson calls
:func:`offline_figures` once, at the top. From then on every figure is saved twice:

* ``application/vnd.plotly.v1+json``, as before, for JupyterLab (and VS Code);
* ``text/html``: a ``<div>`` and a short script that draws it with the page's ``Plotly``.

and the call itself outputs plotly.js, inline, once per notebook, so the HTML needs nothing from
the internet. Unlike plotly's own ``notebook`` renderer, a figure's HTML never loads MathJax
from a CDN (no figure here uses LaTeX), and plotly.js is written in the cell that calls
:func:`offline_figures`, so re-running a figure's cell cannot remove it. There is no static PNG
fallback: that would need kaleido and a browser at run time, which the project does not depend
on.

``python -m dashboard.notebook setup-jupyterlab`` configures the JupyterLab of this
environment (and only this one) for the lessons: see :func:`setup_jupyterlab`.

Lives in ``dashboard`` (beside the figure builders) because ``sim`` never imports plotly.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["LABCONFIG", "RENDERER", "offline_figures", "plotlyjs_script", "setup_jupyterlab"]

#: Name under which the HTML renderer is registered with ``plotly.io.renderers``.
RENDERER = "neuromod_offline_html"


def plotlyjs_script() -> str:
    """plotly.js as an inline ``<script>`` that defines ``window.Plotly``.

    nbconvert's page loads require.js; plotly.js 2 (plotly < 6) would then register itself as
    an anonymous AMD module and leave ``window.Plotly`` unset, so ``define``, ``module`` and
    ``exports`` are hidden from it.
    """
    from plotly.offline import get_plotlyjs

    return ("<script type=\"text/javascript\">window.PlotlyConfig = {MathJaxConfig: 'local'};"
            "</script>\n<script type=\"text/javascript\">"
            "(function (define, module, exports) {\n" + get_plotlyjs() + "\n}).call(window);"
            "</script>")


def _renderer():
    from plotly.io import to_html
    from plotly.io.base_renderers import MimetypeRenderer

    class OfflineHtmlRenderer(MimetypeRenderer):
        """A figure's ``text/html``: its div and script, without plotly.js or MathJax."""

        def to_mimebundle(self, fig_dict):
            return {"text/html": to_html(fig_dict, include_plotlyjs=False, include_mathjax=False,
                                         full_html=False, default_width="100%",
                                         default_height=525, validate=False)}

    return OfflineHtmlRenderer()


#: The renderer the documentation site's kernels set (``docs/_ext/plotly_kernel_startup.py``):
#: figures that draw with the site's own plotly.js; :func:`offline_figures` leaves it alone.
SITE_RENDERER = "neuromod_site"


def offline_figures() -> None:
    """Save every figure as plotly JSON *and* offline HTML; output plotly.js once, here.

    Call it at the top of a notebook (calling it again is harmless: the cell's output is
    replaced). Sets ``plotly.io.renderers.default`` to ``"plotly_mimetype+" + RENDERER``.
    """
    import plotly.io as pio

    if pio.renderers.default == SITE_RENDERER:  # the documentation site draws its own way
        return
    if RENDERER not in pio.renderers:
        pio.renderers[RENDERER] = _renderer()
    pio.renderers.default = f"plotly_mimetype+{RENDERER}"
    try:
        from IPython import get_ipython
    except ImportError:                                  # plain Python: nothing to output
        return
    if get_ipython() is not None:
        from IPython.display import display_html

        display_html(plotlyjs_script(), raw=True)


#: What :func:`setup_jupyterlab` writes, relative to ``<prefix>/etc/jupyter/labconfig``: one
#: file of ours in each ``.d`` folder that JupyterLab merges, so nothing else is rewritten and
#: deleting the two files undoes it.
LABCONFIG = {
    # A double click opens a .py as a notebook (jupytext's viewer), not as text.
    "default_setting_overrides.d/neuromod-sim.json": {
        "@jupyterlab/docmanager-extension:plugin": {
            "defaultViewers": {"python": "Jupytext Notebook"}}},
    # dash ships an old-style JupyterLab extension (@plotly/dash-jupyterlab) for which
    # JupyterLab offers, at every start, to rebuild itself (which needs Node.js, and fails
    # after minutes without it). The lessons do not use it.
    "page_config.d/neuromod-sim.json": {"buildCheck": False},
}


def setup_jupyterlab(prefix: str | Path = sys.prefix) -> list[Path]:
    """Configure JupyterLab in the environment at ``prefix`` (default: this one) for the
    lessons; returns the files written. User-wide settings (``~/.jupyter``) are not touched,
    and pairing needs nothing here (``notebooks/jupytext.toml``)."""
    labconfig = Path(prefix) / "etc" / "jupyter" / "labconfig"
    written = []
    for name, settings in LABCONFIG.items():
        path = labconfig / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.notebook",
        description="Notebook support for the lessons in notebooks/.")
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser(
        "setup-jupyterlab",
        help="configure this environment's JupyterLab: a double click opens a lesson as a "
             "notebook, and no offer to rebuild JupyterLab for dash's old extension")
    setup.add_argument("--prefix", default=sys.prefix,
                       help="environment to configure (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in setup_jupyterlab(args.prefix):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
