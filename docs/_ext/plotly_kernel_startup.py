"""IPython start-up file of the kernels that run the lessons while the site is built.

docs/conf.py copies it into the start-up folder of a temporary IPython profile. It makes every
plotly figure a ``text/html`` output that draws with the page's own plotly.js
(``_static/plotly.min.js``, added by conf.py to the lesson pages): no plotly.js inlined in
each page, and no script from a CDN (plotly's notebook renderers load MathJax from one).
"""
import plotly.io as pio
from plotly.io.base_renderers import MimetypeRenderer

# The figure is drawn while the page is still being read, before the theme's right-hand
# column exists: fit it to its column once the page is complete.
_FIT_WHEN_LOADED = """var fit = function () {
    Plotly.Plots.resize(document.getElementById("{plot_id}"));
};
if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fit); }
else { fit(); }"""


class _SiteRenderer(MimetypeRenderer):
    def to_mimebundle(self, fig_dict):
        html = pio.to_html(fig_dict, include_plotlyjs=False, include_mathjax=False,
                           full_html=False, default_width="100%", default_height=525,
                           validate=False, config={"responsive": True},
                           post_script=_FIT_WHEN_LOADED)
        return {"text/html": html}


pio.renderers["neuromod_site"] = _SiteRenderer()
pio.renderers.default = "neuromod_site"
