"""Real-browser fixtures: the dashboard served by ``neuromod dashboard`` and headless Chromium.

The server is started once per session as a subprocess (``python -m sim.cli dashboard``) on
127.0.0.1 and a free port, polled until it answers, and terminated at teardown. Chromium is the
system package (``/usr/bin/chromium``) driven by Playwright, never a downloaded browser. Every
request that leaves the loopback interface is aborted and recorded (``page.external_requests``),
so tests can prove the dashboard works offline.
"""
from __future__ import annotations

import os

import pytest
from browser_helpers import (
    CHROMIUM_ARGS,
    VIEWPORT,
    chromium_path,
    free_port,
    offline_only,
    start_dashboard,
    stop_dashboard,
)


@pytest.fixture(scope="session")
def dashboard_url():
    port = free_port()
    proc, _ = start_dashboard(port)
    yield f"http://127.0.0.1:{port}/"
    log = stop_dashboard(proc)
    assert "Traceback" not in log, log


@pytest.fixture(scope="session")
def browser():
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI"):  # in CI a missing browser is a broken set-up, not a skip
            pytest.fail("the chromium system package is not installed (CI is set)")
        pytest.skip("the chromium system package is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def context(browser):
    """One context for the session: pages share its HTTP cache (plotly.js is 4.8 MB), while
    each test still gets a fresh page, hence fresh Dash stores and a fresh URL state."""
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    external: list[str] = []
    offline_only(ctx, external)
    ctx.external_requests = external
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, dashboard_url):
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.js_errors = errors
    pg.external_requests = context.external_requests
    pg.base_url = dashboard_url
    yield pg
    pg.close()
    assert not errors, errors
