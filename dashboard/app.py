"""Build the Dash app: ``app`` (the :class:`dash.Dash` instance) and ``server`` (WSGI).

Run it with ``neuromod dashboard`` (see :mod:`dashboard.cli`), or under any WSGI server:
``gunicorn -w 2 -b 127.0.0.1:8050 dashboard.app:server``.

Every asset (React, Dash renderer, components, plotly.js, the local CSS/JS in ``assets/``)
is served by the app itself: it works with no internet access. Debug mode is never on.
"""
from __future__ import annotations

from pathlib import Path

import dash

from dashboard import callbacks, layout
from dashboard import state as S
from sim.session import MAX_DOCUMENT_BYTES

__all__ = ["create_app", "app", "server", "initial_view"]

ASSETS = Path(__file__).resolve().parent / "assets"


def initial_view(session=None) -> dict:
    """Pre-rendered figures, summary, warnings and skip keys for ``session`` (the start-up
    session by default): the first page shows results without waiting for a callback."""
    session = session or S.default_session()
    out = callbacks.figures_update(session.to_dict(), {}, {"lecture": False})
    return dict(
        figures={k: out[k] for k in ("fig-wave", "fig-safety", "fig-session", "fig-fibres",
                                     "fig-gate")},
        summary=out["summary"], warnings=out["warnings"],
        stores={"fig-keys": out["fig-keys"], "form-state": callbacks.form_state(session)},
    )


def create_app() -> dash.Dash:
    """A new, fully wired dashboard app (same page for every visitor; no server-side state)."""
    app = dash.Dash(
        __name__, title="neuromod-sim dashboard", assets_folder=str(ASSETS),
        update_title=None, serve_locally=True, compress=False,
    )
    # Uploads are session documents: refuse huge request bodies before they are parsed.
    app.server.config["MAX_CONTENT_LENGTH"] = 8 * MAX_DOCUMENT_BYTES
    session = S.default_session()
    app.layout = layout.build_layout(session, **initial_view(session))
    callbacks.register(app)
    return app


app = create_app()
#: WSGI entry point (``dashboard.app:server``).
server = app.server
