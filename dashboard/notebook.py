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

Lives in ``dashboard`` (beside the figure builders) because ``sim`` never imports plotly.
"""
from __future__ import annotations

__all__ = ["RENDERER", "offline_figures", "plotlyjs_script"]

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


def offline_figures() -> None:
    """Save every figure as plotly JSON *and* offline HTML; output plotly.js once, here.

    Call it at the top of a notebook (calling it again is harmless: the cell's output is
    replaced). Sets ``plotly.io.renderers.default`` to ``"plotly_mimetype+" + RENDERER``.
    """
    import plotly.io as pio

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
