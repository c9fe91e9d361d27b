"""Helpers for the real-browser tests, the screenshot script and the dashboard benchmark.

Start the dashboard as a subprocess, find components by their pattern ids, wait for Dash to
settle, read a figure's state from the browser.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
VIEWPORT = {"width": 1600, "height": 1000}


def chromium_path() -> str | None:
    """The system Chromium (never a downloaded browser)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dashboard(port: int, *, timeout_s: float = 30.0) -> tuple[subprocess.Popen, float]:
    """Start ``neuromod dashboard --port PORT``; return the process and seconds to first 200."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port)],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    url = f"http://127.0.0.1:{port}/"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard exited with {proc.returncode}:\n{proc.stdout.read()}")
        if time.perf_counter() - t0 > timeout_s:
            stop_dashboard(proc)
            raise RuntimeError(f"dashboard did not answer within {timeout_s} s")
        time.sleep(0.05)


def stop_dashboard(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


# --------------------------------------------------------------------------------------------
# Helpers shared by the tests, the screenshots script and the benchmark
# --------------------------------------------------------------------------------------------
def pid(kind: str, name: str) -> str:
    """CSS selector of a pattern-matching component ``{"type": kind, "name": name}``."""
    return "[id='" + json.dumps({"name": name, "type": kind}, separators=(",", ":")) + "']"


_IDLE_JS = """() => {
    const s = window.store && window.store.getState();
    if (!s) { return false; }
    const queues = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed',
                    'stored'];
    return !s.isLoading && queues.every(k => !(s.callbacks[k] || []).length)
        && !document.querySelector('[data-dash-is-loading="true"]');
}"""


def settle(page, timeout_ms: float = 20000) -> None:
    """Wait until Dash has no callback queued or in flight (read from the renderer's store),
    twice, one animation frame apart (a callback's outputs may trigger the next one)."""
    for _ in range(2):
        page.wait_for_function(_IDLE_JS, timeout=timeout_ms, polling="raf")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")


def open_dashboard(page, query: str = "") -> None:
    """Load the page (optionally with a URL query) and wait for the figures and callbacks."""
    page.goto(page.base_url + query)
    page.wait_for_selector("#fig-wave .main-svg", timeout=30000)
    page.wait_for_selector("#fig-session .main-svg", timeout=30000)
    settle(page)


def figure_meta(page, graph_id: str) -> dict:
    return page.evaluate(
        "(id) => document.querySelector('#' + id + ' .js-plotly-plot').layout.meta", graph_id)


def trace_names(page, graph_id: str) -> list:
    return page.evaluate(
        "(id) => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => t.name)",
        graph_id)


def field(page, name: str):
    return page.locator(pid("field", name))


def message(page, name: str):
    return page.locator(pid("msg", name))


def type_value(page, name: str, text: str) -> None:
    """Type into a parameter's text box and commit it (Tab blurs: Dash commits on blur)."""
    box = field(page, name)
    box.fill(text)
    box.press("Tab")


def choose(page, dropdown_id: str, option: str) -> None:
    """Pick ``option`` (its visible label) in the dropdown ``dropdown_id`` and let Dash settle."""
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def section_rows(page, key: str):
    """The mounted control rows of section ``key`` (see ``dashboard.layout.SECTION_PARAMS``)."""
    return page.locator(pid("section", key) + " .param-row")


def open_section(page, key: str) -> None:
    """Open the closed control section ``key`` and wait for its rows: they are mounted only
    while it is open."""
    page.locator(pid("section-head", key)).click()
    section_rows(page, key).first.wait_for(timeout=20000)
    settle(page)


def show_tab(page, label: str) -> None:
    """Open the figure tab labelled ``label`` and let Dash settle."""
    page.locator("#fig-tabs").get_by_text(label, exact=True).click()
    settle(page)


def offline_only(ctx, external: list) -> None:
    """Route every request of browser context ``ctx``: loopback, ``data:``, ``blob:`` and
    ``about:`` pass; anything else is aborted and its URL appended to ``external`` (the
    dashboard must work with no network)."""
    def guard(route):
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            route.continue_()
        else:
            external.append(url)
            route.abort()
    ctx.route("**/*", guard)
