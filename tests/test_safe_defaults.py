"""Safe defaults: the dashboard as started without options is private, quiet and offline.

* loopback by default and ``--public`` required for anything else: ``tests/test_dashboard_cli.py``
  (a non-loopback ``--host`` without ``--public`` exits 2; ``--public`` warns);
* debug off: no Werkzeug debugger, no Dash dev tools, no reloader, no traceback in any answer;
* no directory listing: ``/assets/``, ``/_dash-component-suites/`` and any other path than the
  page are 404, never an index; no path escapes the asset folders;
* no server-side file paths from users: ``tests/test_fuzz_callbacks.py`` (upload file names,
  ``?path=`` queries);
* offline: the page names no resource outside this server. The browser test
  ``tests/browser/test_dashboard_browser.py::test_page_works_offline_with_no_external_request``
  routes every request the page makes (document, scripts, CSS, fonts, images, XHR) and
  records any that leaves loopback; Playwright never routes favicon requests (by design,
  microsoft/playwright#7493, #533), so here the HTML (its favicon link included) and the app's
  own CSS/JS are checked for external URLs without a browser.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import dashboard.app as A  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return A.server.test_client()


def test_debug_is_off_and_no_debugger_or_dev_tools_are_reachable(client):
    assert A.server.debug is False
    assert A.server.config["PROPAGATE_EXCEPTIONS"] is False
    assert "DebuggedApplication" not in type(A.server.wsgi_app).__name__
    assert getattr(A.server.wsgi_app, "__self__", A.server) is A.server  # not wrapped
    tools = A.app._dev_tools
    assert not (tools.ui or tools.props_check or tools.hot_reload or tools.serve_dev_bundles)
    for path in ("/console", "/?__debugger__=yes&cmd=resource&f=style.css",
                 "/_reload-hash"):
        r = client.get(path)
        body = r.get_data(as_text=True)
        assert ("Werkzeug" not in body and "__debugger__" not in body and "console" not in \
            body.lower()[:2000]) or r.status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert "dash-debug-menu" not in page and '"ui": true' not in page


def test_no_directory_listing_and_no_path_escapes(client):
    for path in ("/assets/", "/assets", "/_dash-component-suites/",
                 "/_dash-component-suites/dash/", "/_dash-component-suites/dash/dcc/",
                 "/static/", "/sim/", "/tests/", "/../", "/index.html"):
        r = client.get(path)
        body = r.get_data(as_text=True)
        assert r.status_code == 404, (path, r.status_code)
        assert "neuromod.css" not in body and "Index of" not in body and len(body) < 200
    for path in ("/assets/../app.py", "/assets/%2e%2e/app.py", "/assets/..%2fapp.py",
                 "/_dash-component-suites/dash/../../../../etc/passwd",
                 "/_dash-component-suites/plotly/../../plotly/__init__.py",
                 "/static/../dashboard/app.py"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert "import" not in r.get_data(as_text=True)
    assert client.get("/assets/neuromod.css").status_code == 200  # real assets still served
    assert client.get("/").status_code == 200


def test_the_page_names_no_resource_outside_this_server(client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert not re.search(r"https?://", html)
    for asset in (ROOT / "dashboard" / "assets").iterdir():
        text = asset.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"https?://|//fonts\.|@import|@font-face", text), asset.name
        # relative url(...) only, e.g. a local image
        for u in re.findall(r"url\(([^)]+)\)", text):
            assert not re.match(r"['\"]?(https?:)?//", u), (asset.name, u)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the LISTEN sockets on ``port`` (Linux ``/proc/net/tcp*``)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if int(hexport, 16) == port and state == "0A":
                out.add(addr)
    return out


def test_the_command_without_options_listens_on_loopback_only():
    """``neuromod dashboard --port P`` as a user types it (no --host): the listening socket is
    bound to 127.0.0.1, and the server answers without debug or directory listing."""
    import requests

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from browser_helpers import free_port, start_dashboard, stop_dashboard

    port = free_port()
    proc, _ = start_dashboard(port)
    try:
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        url = f"http://127.0.0.1:{port}"
        r = requests.get(url + "/assets/", timeout=10)
        assert r.status_code == 404 and "neuromod.css" not in r.text
        assert requests.get(url + "/console", timeout=10).status_code == 404
        r = requests.get(url + "/", timeout=10)
        assert r.status_code == 200 and "Werkzeug" not in r.headers.get("Server", "")
    finally:
        log = stop_dashboard(proc)
    assert "Traceback" not in log and "WARNING" not in log and "debug" not in log.lower()
