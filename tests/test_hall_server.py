"""A lecture hall cannot starve the dashboard server: many idle keep-alive connections (25
browsers' worth) and phones that send half a request (bad wifi) are held open while a fresh
visitor arrives; the visitor gets the page at once, on the default server and on
``--workers 2``.

The server is started as a lecturer starts it (``neuromod dashboard``), on loopback. The
bound of 2 s is the service asked of the server for a fresh visitor (served or not), not a
speed measurement.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402  (server start/stop as users start it)
from processes import children, wait_dead  # noqa: E402

KEEPALIVE_CONNECTIONS = 150  # 25 browsers x 6
FRESH_VISITOR_S = 2.0


def _read_response(sock: socket.socket, timeout_s: float) -> tuple[int, bytes]:
    """Read one HTTP/1.1 response (Content-Length body) from ``sock``; (status, body)."""
    sock.settimeout(timeout_s)
    deadline = time.monotonic() + timeout_s
    data = b""
    while b"\r\n\r\n" not in data:
        if time.monotonic() > deadline:
            raise TimeoutError("no response head")
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (ln.partition(":") for ln in lines[1:])
                  if k.strip().lower() == "content-length")
    while len(body) < length:
        if time.monotonic() > deadline:
            raise TimeoutError("body not complete")
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    return status, body


def _get(port: int, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Connection: keep-alive\r\nAccept: */*\r\n\r\n").encode()


@pytest.fixture(params=[1, 2], ids=["default", "workers-2"])
def server(request):
    port = L.free_port()
    proc, _ = L.start_server(port, request.param)
    yield port, proc
    log = L.stop_server(proc)
    assert "Traceback" not in log


def test_a_fresh_visitor_is_served_while_the_hall_holds_connections_and_phones_stall(server):
    port, proc = server
    held = []
    try:
        for _ in range(KEEPALIVE_CONNECTIONS):  # each browser's kept-alive connections
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(_get(port, "/_dash-dependencies"))
            status, _ = _read_response(s, 30)
            assert status == 200
            held.append(s)
        stalled = []
        for partial in (  # a phone stopped mid-request: header cut, and body cut
                f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: ph",
                f"POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"output\":"):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(partial.encode())
            stalled.append(s)
        held += stalled
        time.sleep(0.5)  # the server has seen them all

        t0 = time.monotonic()
        visitor = socket.create_connection(("127.0.0.1", port), timeout=FRESH_VISITOR_S)
        held.append(visitor)
        visitor.sendall(_get(port, "/"))
        status, page = _read_response(visitor, FRESH_VISITOR_S)
        assert status == 200 and b"_dash-config" in page
        visitor.sendall(_get(port, "/_dash-layout"))
        status, layout = _read_response(visitor, FRESH_VISITOR_S - (time.monotonic() - t0))
        assert status == 200 and b"store-session" in layout
        assert time.monotonic() - t0 < FRESH_VISITOR_S

        for s in stalled:  # the stalled phones were never answered with a wrong page
            s.setblocking(False)
            # closed by the server, or still waiting for the rest of the request
            with contextlib.suppress(BlockingIOError):
                assert s.recv(1) in (b"",)
    finally:
        for s in held:
            s.close()
    assert proc.poll() is None  # still serving


def test_the_start_up_line_says_how_many_browsers_it_is_sized_for():
    port = L.free_port()
    proc, _ = L.start_server(port, 1)
    log = L.stop_server(proc)
    line = next(ln for ln in log.splitlines() if ln.startswith("neuromod dashboard:"))
    assert "sized for 300 browsers" in line and "1800 connections" in line


def test_gunicorn_workers_stop_with_ctrl_c_and_leave_no_process(tmp_path):
    """``--workers 2`` stopped like Ctrl+C in its terminal: master and workers are gone."""
    port = L.free_port()
    proc, _ = L.start_server(port, 2)
    workers = children(proc.pid)
    assert len(workers) == 2
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=15)
    assert wait_dead(workers, 5.0) == []
    L.stop_server(proc)


def _page_scripts() -> list[str]:
    """The script addresses of the dashboard's page (the same files, hence the same
    fingerprints, in every process of this checkout)."""
    import re

    from dashboard.app import app

    page = app.server.test_client().get("/").get_data(as_text=True)
    return [s for s in re.findall(r'<script src="([^"]+)"', page)
            if s.startswith("/_dash-component-suites/")]


@pytest.mark.parametrize("workers", [1, 2], ids=["default", "workers-2"])
def test_the_first_visitors_get_every_script_of_the_page(workers):
    """Dash prepares its scripts' addresses on a process's first request, and serves a script
    only once they are prepared (``Dash._setup_server``): a script asked for by another thread
    meanwhile, or by the worker process that has not yet served a page, was refused with 404
    and the visitor's page stayed blank. The server now prepares them before it serves. Here
    the first requests of a new server (from the moment it accepts connections) all ask for
    the page's scripts at once, each on a new connection (the kernel hands these to both
    workers)."""
    from concurrent.futures import ThreadPoolExecutor

    scripts = _page_scripts()
    assert len(scripts) >= 8
    port = L.free_port()
    argv = [sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port),
            "--workers", str(workers)]
    proc = L.subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                              stdout=L.subprocess.PIPE, stderr=L.subprocess.STDOUT,
                              text=True, start_new_session=True)
    L._drain(proc)
    try:
        deadline = time.monotonic() + 60
        while True:  # listening: not one HTTP request has been made yet
            assert proc.poll() is None, L._output(proc)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port),
                                                                        timeout=1):
                break
            assert time.monotonic() < deadline, "the dashboard never listened"
            time.sleep(0.05)

        def fetch(path: str) -> tuple[str, int]:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(_get(port, path))
                return path, _read_response(s, 30)[0]

        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(fetch, ["/"] + scripts * 8))
    finally:
        log = L.stop_server(proc)
    refused = sorted({p for p, status in answers if status != 200})
    assert not refused, refused
    assert "Traceback" not in log
