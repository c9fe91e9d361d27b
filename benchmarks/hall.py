"""Lecture-hall mode of ``benchmarks/load.py``: 200 browsers, slow phones and a hostile client
against one ``neuromod dashboard`` on this computer.

Run: ``python benchmarks/load.py --hall [--browsers 200] [--seconds 90] [--workers 1|2]
[--server dashboard|gthread|before] [--slow 2] [--hostile 1]``.

Targets: every browser gets the page (0 visitors never served), 0 errors, and a slider
release answered within 300 ms at the 95th percentile while the hostile client runs, on the
default server and on ``--workers 2``.

What runs (all from one asyncio client process, so 1,200 connections cost no threads):

* **browsers** (``--browsers``), arriving evenly over the first third of the run (students
  opening the link). Each holds up to :data:`CONNECTIONS` keep-alive connections, as Chrome
  and Firefox do, and loads the page as a browser does on a first visit: ``GET /``, every
  script and stylesheet it names plus the lazily loaded bundles (plotly.js...), spread over
  its connections; then ``/_dash-layout``, ``/_dash-dependencies`` and the loader's initial
  callback. The page-load time runs from the first byte sent to the loader's answer. Then it
  releases a slider every :data:`SLIDER_EVERY_S` seconds (exponential spread) with the
  dashboard's own update request (built from the app's dependency list, with the browser's
  state kept up to date from each answer, as ``load.py`` does). A connection the server
  closed (idle timeout) is reopened, as a browser does.
* **slow clients** (``--slow``, phones on bad wifi): each sends its request a few bytes at a
  time (:data:`SLOW_BYTES` every :data:`SLOW_PAUSE_S`) and reads the answer as slowly, again
  and again, on several connections.
* **hostile client** (``--hostile``): sends oversized callbacks back to back (14,000
  treatment rows, 3,000 event rows, 14,000 sliders, and a body over the request limit).
* **expensive client** (``--expensive``, none by default): sends the most expensive valid
  update back to back (two 4-h sessions, every figure redrawn, no cache hit).

A request counts as an error if it fails, times out (:data:`TIMEOUT_S`) or is answered with
anything but 200/204. A browser whose page load did not complete is a visitor never served.
The client runs on the same two cores as the server, so its own work is part of the figures;
its event-loop lag (how late its timers fire) is printed with the table.

``--server`` chooses what is measured: ``dashboard`` (default: ``neuromod dashboard`` as
users start it, with ``--workers``), ``gthread`` (gunicorn's threaded workers, the
alternative considered for ``--workers N``) or ``before`` (waitress as ``neuromod dashboard``
ran it before it was sized for a hall: 8 threads, waitress's 100-connection limit, 120-s idle
timeout).
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as L  # noqa: E402

from dashboard import state as S  # noqa: E402

#: Keep-alive connections per browser (the HTTP/1.1 per-host limit of Chrome and Firefox).
CONNECTIONS = 6
#: Mean seconds between two slider releases of one browser.
SLIDER_EVERY_S = 10.0
#: Seconds before a request counts as an error (and a page as never served).
TIMEOUT_S = 30.0
#: Slow client: bytes per send, and the pause between sends [s].
SLOW_BYTES, SLOW_PAUSE_S = 64, 0.5
#: Connections per slow client.
SLOW_CONNECTIONS = 3
#: Target: slider release p95 [ms] while the hostile client runs.
TARGET_SLIDER_P95_MS = 300.0


# --------------------------------------------------------------------------------------------
# HTTP/1.1 over asyncio streams
# --------------------------------------------------------------------------------------------
#: First octets of the loopback source addresses of each kind of client: every simulated
#: device connects from an address of its own, as phones on the hall's wifi do (the server
#: shares its CPU per client address, :mod:`dashboard.fairshare`).
SOURCE_NETS = {"browser": (127, 10), "slow": (127, 11), "hostile": (127, 12),
               "expensive": (127, 13)}


def source_address(host: str, kind: str, n: int) -> tuple[str, int] | None:
    """The local address client ``n`` of ``kind`` connects from: its own loopback address
    when the server is on IPv4 loopback (Linux routes all of 127.0.0.0/8 to it), else any."""
    if not host.startswith("127."):
        return None
    a, b = SOURCE_NETS[kind]
    return f"{a}.{b}.{n // 250}.{2 + n % 250}", 0


class Conn:
    """One keep-alive connection; reopened when the server has closed it."""

    def __init__(self, host: str, port: int, source: tuple[str, int] | None = None):
        self.host, self.port, self.source = host, port, source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, limit=2 ** 20, local_addr=self.source)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"",
                      ctype: str = "application/json") -> tuple[int, bytes]:
        """Send one request, return (status, body). A connection the server closed while
        idle is reopened once (a browser retries such a request on a new connection)."""
        for attempt in (0, 1):
            fresh = self.writer is None
            if fresh:
                await self._open()
            head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    "Connection: keep-alive\r\nAccept-Encoding: identity\r\n")
            if method == "POST":
                head += f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            try:
                self.writer.write(head.encode() + b"\r\n" + body)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if fresh or attempt:
                    raise
        raise ConnectionError("unreachable")  # pragma: no cover

    async def _response(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (ln.partition(":") for ln in lines[1:] if ln)}
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                data += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            data = await self.reader.read()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data


@dataclass
class Stats:
    """Latencies [ms] and errors by request kind; page loads; visitors never served."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    served: int = 0
    unserved: int = 0
    hostile_answers: dict[str, int] = field(default_factory=dict)
    hostile_max_bytes: int = 0
    lag_ms: list[float] = field(default_factory=list)

    def add(self, kind: str, ms: float | None, error: str = "") -> None:
        if error:
            self.errors.setdefault(kind, []).append(error)
        else:
            self.times.setdefault(kind, []).append(ms)


# --------------------------------------------------------------------------------------------
# Browsers
# --------------------------------------------------------------------------------------------
class Browser:
    """One student's browser: up to :data:`CONNECTIONS` keep-alive connections."""

    def __init__(self, n: int, host: str, port: int, model: L.AppModel, stats: Stats,
                 assets: list[str], deadline: float, rng: random.Random):
        self.n, self.model, self.stats, self.assets = n, model, stats, assets
        self.deadline, self.rng = deadline, rng
        self.pool: asyncio.Queue[Conn] = asyncio.Queue()
        for _ in range(CONNECTIONS):
            self.pool.put_nowait(Conn(host, port, source_address(host, "browser", n)))
        self.values: dict = {}

    async def _call(self, kind: str, method: str, path: str, body: Any = None,
                    record: bool = True) -> bytes | None:
        conn = await self.pool.get()
        t0 = time.perf_counter()
        try:
            raw = json.dumps(body).encode() if body is not None else b""
            status, data = await asyncio.wait_for(conn.request(method, path, raw), TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            conn.close()
            self.stats.add(kind, None, f"{type(exc).__name__}: {exc}"[:160])
            return None
        finally:
            self.pool.put_nowait(conn)
        ms = (time.perf_counter() - t0) * 1e3
        error = "" if status in (200, 204) else f"HTTP {status}: {data[:120]!r}"
        if not error and b"Traceback" in data:
            error = "traceback in the answer"
        if record or error:
            self.stats.add(kind, ms, error)
        return None if error else data

    async def _callback(self, kind: str, dep: dict, cid: Any, prop: str, value: Any) -> None:
        self.values[(L.key(cid), prop)] = value
        body = self.model.request(dep, self.values, L.changed_id(cid, prop))
        data = await self._call(kind, "POST", "/_dash-update-component", body)
        if data:
            try:
                L.apply_response(self.values, json.loads(data))
            except ValueError:
                self.stats.add(kind, None, "answer is not JSON")

    async def load_page(self) -> bool:
        t0 = time.perf_counter()
        page = await self._call("page: GET /", "GET", "/")
        if page is None:
            return False
        got = await asyncio.gather(*[self._call("page: script/CSS bundle", "GET", p)
                                     for p in self.assets])
        ok = all(g is not None for g in got)
        for path in ("/_dash-layout", "/_dash-dependencies"):
            ok = await self._call(f"page: {path}", "GET", path) is not None and ok
        self.values = {}
        n_err = sum(len(v) for v in self.stats.errors.values())
        await self._callback("page: initial loader callback",
                             self.model.dep(input_id="url"), "url", "search", "")
        ok = ok and sum(len(v) for v in self.stats.errors.values()) == n_err
        if ok:
            self.stats.add("page load (first visit, all of it)",
                           (time.perf_counter() - t0) * 1e3)
        return ok

    async def slider(self) -> None:
        name = self.rng.choice(list(L.SLIDERS))
        p = S.FORM_PARAMS[name]
        lo, hi = L.SLIDERS[name]
        value = math.exp(self.rng.uniform(math.log(lo), math.log(hi))) if p.log \
            else self.rng.uniform(lo, hi)
        pos = S.to_slider(p, S.from_slider(p, S.to_slider(p, value)))
        await self._callback("update: slider release", self.model.dep(output="fig-keys"),
                             {"name": name, "type": "slider"}, "value", pos)
        self.values[(L.key({"name": name, "type": "field"}), "value")] = \
            S.display_value(p, S.from_slider(p, pos))

    async def run(self, arrive_s: float) -> None:
        await asyncio.sleep(arrive_s)
        served = await self.load_page()
        if served:
            self.stats.served += 1
        else:
            self.stats.unserved += 1
        while served:
            pause = self.rng.expovariate(1.0 / SLIDER_EVERY_S)
            if time.monotonic() + pause >= self.deadline:
                break
            await asyncio.sleep(pause)
            await self.slider()
        while not self.pool.empty():
            self.pool.get_nowait().close()


# --------------------------------------------------------------------------------------------
# Slow and hostile clients
# --------------------------------------------------------------------------------------------
async def slow_client(host: str, port: int, stats: Stats, deadline: float,
                      n: int = 0) -> None:
    """A phone on bad wifi: requests trickle in, answers trickle out, over and over."""
    async def one_connection(k: int) -> None:
        paths = ["/", "/_dash-layout", "/_dash-component-suites/plotly/package_data/"
                 "plotly.min.js"]
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=source_address(host, "slow", n))
            except OSError as exc:
                stats.add("slow client", None, f"{type(exc).__name__}: {exc}"[:120])
                await asyncio.sleep(1)
                continue
            try:
                req = (f"GET {paths[k % len(paths)]} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                       "User-Agent: slow-phone\r\nConnection: close\r\n\r\n").encode()
                for i in range(0, len(req), SLOW_BYTES):
                    writer.write(req[i:i + SLOW_BYTES])
                    await writer.drain()
                    await asyncio.sleep(SLOW_PAUSE_S)
                got = 0
                while time.monotonic() < deadline:
                    chunk = await reader.read(SLOW_BYTES * 16)
                    if not chunk:
                        break
                    got += len(chunk)
                    await asyncio.sleep(SLOW_PAUSE_S)
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()
            k += 1
    await asyncio.gather(*[one_connection(k) for k in range(SLOW_CONNECTIONS)])


def hostile_bodies(model: L.AppModel) -> dict[str, bytes]:
    """Oversized callback requests: far more rows or components than a page holds, and a body
    over the request limit."""
    dep = model.dep(output="fig-keys")
    cid = {"name": "amplitude_mA", "type": "slider"}
    base = model.request(dep, {(L.key(cid), "value"): 0.7}, L.changed_id(cid, "value"))

    def with_rows(kind: str, rows: list[dict]) -> bytes:
        body = json.loads(json.dumps(base))
        i = next(n for n, d in enumerate(dep["inputs"])
                 if f'"type":"{kind}"' in d["id"].replace(" ", ""))
        body["inputs"][i] = rows
        body["changedPropIds"] = [L.changed_id(rows[0]["id"], rows[0]["property"])]
        return json.dumps(body).encode()

    def cells(kind: str, n: int, cols: dict) -> list[dict]:
        return [{"id": {"col": c, "row": r, "type": kind}, "property": "value", "value": v}
                for r in range(n) for c, v in cols.items()]

    from dashboard.app import MAX_REQUEST_BYTES
    return {
        "14,000 treatment rows": with_rows("tr", cells("tr", 14_000, {"kind": "gabapentin"})),
        "3,000 event rows": with_rows("ev", cells("ev", 3_000, {
            "kind": "touch", "start_s": "1", "stop_s": "2", "intensity": "1"})),
        "14,000 sliders": with_rows("slider", [
            {"id": {"name": f"p{i}", "type": "slider"}, "property": "value", "value": 1}
            for i in range(14_000)]),
        "a body over the limit": b'{"output": "' + b"x" * (MAX_REQUEST_BYTES + 10) + b'"}',
    }


async def hostile_client(host: str, port: int, bodies: dict[str, bytes], stats: Stats,
                         deadline: float, n: int = 0) -> None:
    """Oversized callbacks back to back, on one connection (reopened when refused)."""
    conn = Conn(host, port, source_address(host, "hostile", n))
    names = list(bodies)
    k = 0
    while time.monotonic() < deadline:
        name = names[k % len(names)]
        k += 1
        t0 = time.perf_counter()
        try:
            status, data = await asyncio.wait_for(
                conn.request("POST", "/_dash-update-component", bodies[name]), TIMEOUT_S)
        except Exception:  # noqa: BLE001 - a dropped connection is a refusal too
            conn.close()  # e.g. a body over the limit: answered 413 and closed mid-upload
            stats.hostile_answers["closed or no answer"] = \
                stats.hostile_answers.get("closed or no answer", 0) + 1
            await asyncio.sleep(0.01)
            continue
        stats.add("hostile: oversized callback (answered)", (time.perf_counter() - t0) * 1e3)
        stats.hostile_answers[str(status)] = stats.hostile_answers.get(str(status), 0) + 1
        stats.hostile_max_bytes = max(stats.hostile_max_bytes, len(data))
    conn.close()


async def expensive_client(host: str, port: int, model: L.AppModel, stats: Stats,
                           deadline: float, seed: int, n: int = 0) -> None:
    """The most expensive valid request, back to back: a 4-h 10 kHz session with a 4-h
    burst session pinned as A and the whole train zoomed into view, every figure redrawn;
    a new amplitude each time, so that no cache helps. A 429 (over its share of the
    server) is counted apart, and the next request follows at once (no Retry-After)."""
    from sim.presets import program
    from sim.session import Session

    rng = random.Random(seed)
    conn = Conn(host, port, source_address(host, "expensive", n))
    dep = model.dep(output="fig-keys")
    while time.monotonic() < deadline:
        doc = Session(program=program("scs-10khz", amplitude_mA=round(rng.uniform(1, 6), 1)),
                      duration_s=14400.0).to_dict()
        pin = Session(program=program("scs-burst", amplitude_mA=round(rng.uniform(1, 6), 1)),
                      duration_s=14400.0).to_dict()
        values = {(L.key("store-session"), "data"): doc, (L.key("store-pinned"), "data"): pin,
                  (L.key("fig-keys"), "data"): {},
                  (L.key("wave-zoom"), "data"): {"xaxis.range[0]": 0,
                                                 "xaxis.range[1]": 14400.0 * 1e3}}
        body = json.dumps(model.request(dep, values, "wave-zoom.data")).encode()
        t0 = time.perf_counter()
        try:
            status, _data = await asyncio.wait_for(
                conn.request("POST", "/_dash-update-component", body), TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001
            conn.close()
            stats.add("expensive: 4-h sessions, A pinned", None, f"{type(exc).__name__}")
            continue
        kind = ("expensive: over its share (429)" if status == 429
                else "expensive: 4-h sessions, A pinned")
        stats.add(kind, (time.perf_counter() - t0) * 1e3,
                  "" if status in (200, 429) else f"HTTP {status}")
    conn.close()


async def _lag_probe(stats: Stats, deadline: float) -> None:
    """How late the client's own timers fire [ms] (its share of the two cores)."""
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        await asyncio.sleep(0.1)
        stats.lag_ms.append((time.perf_counter() - t0 - 0.1) * 1e3)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
async def _drive(host: str, port: int, browsers: int, seconds: float, slow: int,
                 hostile: int, seed: int, expensive: int = 0) -> Stats:
    import requests

    url = L.base_url(host, port)
    model = L.AppModel(requests.get(url + "/_dash-layout", timeout=30).json(),
                       requests.get(url + "/_dash-dependencies", timeout=30).json())
    html = requests.get(url + "/", timeout=30).content
    assets = [p.decode() for p in re.findall(rb'(?:src|href)="(/[^"]+)"', html)]
    assets += list(L.LAZY_BUNDLES)
    stats = Stats()
    t0 = time.monotonic()
    deadline = t0 + seconds
    rng = random.Random(seed)
    crowd = [Browser(i, host, port, model, stats, assets, deadline,
                     random.Random(seed * 1000 + i)) for i in range(browsers)]
    arrivals = sorted(rng.uniform(0, seconds / 3) for _ in crowd)
    bodies = hostile_bodies(model)
    tasks = [asyncio.create_task(b.run(a)) for b, a in zip(crowd, arrivals, strict=True)]
    tasks += [asyncio.create_task(slow_client(host, port, stats, deadline, k))
              for k in range(slow)]
    tasks += [asyncio.create_task(hostile_client(host, port, bodies, stats, deadline, k))
              for k in range(hostile)]
    tasks += [asyncio.create_task(expensive_client(host, port, model, stats, deadline,
                                                   seed + k, k)) for k in range(expensive)]
    tasks.append(asyncio.create_task(_lag_probe(stats, deadline)))
    await asyncio.wait(tasks, timeout=seconds + 2 * TIMEOUT_S)
    for t in tasks:
        t.cancel()
    return stats


def start(server: str, port: int, workers: int) -> tuple[subprocess.Popen, float]:
    """Start the server to measure on 127.0.0.1:``port`` (see the module docstring)."""
    if server == "dashboard":
        return L.start_server(port, workers)
    from dashboard import serving
    if server == "gthread":
        argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads",
                str(serving.THREADS), "--worker-connections",
                str(serving.connection_limit()), "--keep-alive",
                str(serving.CHANNEL_TIMEOUT_S), "--preload", "--log-level", "warning",
                "dashboard.app:server"]
    elif server == "before":
        argv = [sys.executable, "-c",
                "from waitress import serve; from dashboard.app import server; "
                f"serve(server, host='127.0.0.1', port={port}, threads=8, "
                "ident='neuromod', _quiet=True, clear_untrusted_proxy_headers=True)"]
    else:
        raise SystemExit(f"error: --server {server!r} is not dashboard, gthread or before")
    return L.start_command(argv, port, workers if server == "gthread" else 0)


def run(browsers: int = 200, seconds: float = 90.0, workers: int = 1, slow: int = 2,
        hostile: int = 1, server: str = "dashboard", seed: int = 0,
        expensive: int = 0) -> dict:
    """Start the server, drive the hall, stop the server; print the table, return a summary
    (page-load p95, slider p95 [ms], errors, visitors never served)."""
    port = L.free_port()
    proc, start_s = start(server, port, workers)
    load0 = os.getloadavg()[0]
    try:
        stats = asyncio.run(_drive("127.0.0.1", port, browsers, seconds, slow, hostile,
                                   seed, expensive))
    finally:
        log = L.stop_server(proc)
    label = {"dashboard": ("neuromod dashboard" + (f" --workers {workers}"
                                                   if workers > 1 else "")),
             "gthread": f"gunicorn gthread, {workers} workers",
             "before": "waitress as before (8 threads, 100 connections)"}[server]
    if expensive:
        label += f", {expensive} client(s) sending the most expensive valid update"
    return report(stats, label, browsers, seconds, slow, hostile, start_s, load0, log)


def report(stats: Stats, label: str, browsers: int, seconds: float, slow: int, hostile: int,
           start_s: float, load0: float, log: str) -> dict:
    kinds = sorted(set(stats.times) | set(stats.errors))
    print(f"\nLecture hall: {browsers} browsers x {CONNECTIONS} connections, slider every "
          f"{SLIDER_EVERY_S:g} s, {slow} slow, {hostile} hostile, {seconds:g} s; {label}; "
          f"started in {start_s:.1f} s; load average {load0:.2f} -> "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"| {'request kind':40s} | {'n':>6s} | {'p50 ms':>8s} | {'p95 ms':>8s} | "
          f"{'p99 ms':>8s} | {'errors':>6s} |")
    print("|" + "|".join("-" * w for w in (42, 8, 10, 10, 10, 8)) + "|")
    for kind in kinds:
        t = stats.times.get(kind, [])
        err = len(stats.errors.get(kind, []))
        print(f"| {kind:40s} | {len(t) + err:6d} | {L.percentile(t, 50):8.1f} | "
              f"{L.percentile(t, 95):8.1f} | {L.percentile(t, 99):8.1f} | {err:6d} |")
    for kind, errs in stats.errors.items():
        print(f"errors in {kind}: {len(errs)}, e.g. {errs[0]}")
    errors = sum(len(v) for k, v in stats.errors.items() if not k.startswith(("slow",
                                                                               "hostile",
                                                                               "expensive")))
    page = L.percentile(stats.times.get("page load (first visit, all of it)", []), 95)
    slider = L.percentile(stats.times.get("update: slider release", []), 95)
    print(f"visitors served {stats.served}, never served {stats.unserved}; hostile answers "
          f"{stats.hostile_answers} (largest {stats.hostile_max_bytes} bytes); client timer "
          f"lag p95 {L.percentile(stats.lag_ms, 95):.0f} ms; server log: "
          f"{log.count('Traceback')} tracebacks")
    ok = (stats.unserved == 0 and errors == 0 and slider <= TARGET_SLIDER_P95_MS)
    summary = {"server": label, "page_p95_ms": page, "slider_p95_ms": slider,
               "slider_n": len(stats.times.get("update: slider release", [])),
               "errors": errors, "unserved": stats.unserved, "served": stats.served,
               "hostile": dict(stats.hostile_answers), "ok": ok}
    print(f"summary: {json.dumps(summary)}")
    return summary
