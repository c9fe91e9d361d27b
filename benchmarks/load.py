"""Lecture-hall load: 50 students on one ``neuromod dashboard``, on this computer only.

Run: ``python benchmarks/load.py [--users 50] [--seconds 60] [--workers 2] [--think-s 3]``;
``python benchmarks/load.py --hall`` runs the lecture-hall mode instead (200 browsers with 6
keep-alive connections each, slow phones and a hostile client: see ``benchmarks/hall.py``).
Target: no errors, and a slider update answered within 500 ms at the 95th
percentile, with 50 concurrent users for 60 s.

The server is started as users start it (``neuromod dashboard --port P --workers N``: gunicorn
with N worker processes, waitress for one) on 127.0.0.1 and a free port, and stopped at the
end (its whole process group). Any host that is not loopback is refused: this is never a tool
to load someone else's server. The run is bounded: it stops by itself after ``--seconds`` (plus
one request timeout) or ``--max-requests``, whichever comes first.

Each simulated user is a thread with its own HTTP session (``requests``) and its own browser
state (the dashboard's stores, slider and text-box values), kept up to date from the server's
answers the way the Dash renderer does. A user

1. loads the page: ``GET /``, the scripts and CSS it names (first load only; afterwards they
   are cached, as in a browser), ``/_dash-layout``, ``/_dash-dependencies`` and the loader's
   initial callback;
2. then, with a think time of ``--think-s`` on average between actions (3 s: a release, a
   look at the figures, the next release), releases sliders
   (the real ``POST /_dash-update-component`` request of the update callback, built from the
   app's own dependency list as ``benchmarks/bench_dashboard.py`` does), loads program and
   patient presets (loader callback, then the update callback the new store triggers), pins
   the configuration as A (view callback, then the update), exports JSON and CSV, and now and
   then reloads the page.

Latency is wall time on the client, from sending the request to the parsed answer. The load
generator runs on the same two cores as the server, so the numbers include its share.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_dashboard as B  # noqa: E402  (request building: one implementation)

from dashboard import state as S  # noqa: E402  (pure: no dash import)
from dashboard.cli import is_loopback  # noqa: E402

#: p95 of a slider update under 50 users, and no errors.
TARGET_SLIDER_P95_MS = 500.0
#: Mean pause between one user's actions [s] (exponentially distributed): a student releases
#: a slider, looks at the redrawn figures for a moment and moves on; 50 students then act
#: about 17 times a second between them. ``--think-s 2`` is a harder test (25 a second).
THINK_S = 3.0
#: Seconds a single request may take before it counts as an error.
REQUEST_TIMEOUT_S = 30.0
#: Parameters the simulated students move, with the values they move them between.
SLIDERS = {"amplitude_mA": (0.5, 12.0), "pulse_width_us": (60.0, 450.0),
           "rate_hz": (20.0, 1000.0), "duration_s": (60.0, 600.0)}
#: What a user does next: action -> weight.
ACTIONS = {"slider": 70, "program-preset": 8, "patient-preset": 5, "pin": 5, "json": 5,
           "csv": 5, "reload": 2}
#: Lazily loaded bundles a browser also fetches on the first visit (plotly.js, dcc chunks).
LAZY_BUNDLES = ("/_dash-component-suites/plotly/package_data/plotly.min.js",
                "/_dash-component-suites/dash/dcc/async-graph.js",
                "/_dash-component-suites/dash/dcc/async-slider.js",
                "/_dash-component-suites/dash/dcc/async-dropdown.js",
                "/_dash-component-suites/dash/dcc/async-upload.js")


# --------------------------------------------------------------------------------------------
# The server, started as a user starts it
# --------------------------------------------------------------------------------------------
def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_loopback(host: str) -> None:
    """Refuse any host that is not this computer (``SystemExit`` with status 2)."""
    if not is_loopback(host):
        print(f"error: --host {host} is not a loopback address; the load test only runs "
              "against a dashboard on this computer (127.0.0.1, ::1, localhost)",
              file=sys.stderr)
        raise SystemExit(2)


def start_server(port: int, workers: int, host: str = "127.0.0.1",
                 timeout_s: float = 60.0) -> tuple[subprocess.Popen, float]:
    """``neuromod dashboard --host H --port P --workers N`` in its own process group; returns
    the process and the seconds until ``/`` answered 200."""
    check_loopback(host)
    argv = [sys.executable, "-m", "sim.cli", "dashboard", "--host", host, "--port", str(port),
            "--workers", str(workers)]
    return start_command(argv, port, workers if workers > 1 else 0, host, timeout_s)


def start_command(argv: list[str], port: int, workers: int = 0, host: str = "127.0.0.1",
                  timeout_s: float = 60.0) -> tuple[subprocess.Popen, float]:
    """Start the server command ``argv`` (listening on loopback ``host:port``) in its own
    process group; returns the process and the seconds until ``/`` answered 200 (and, for
    ``workers`` > 0, gunicorn has that many worker processes)."""
    import requests

    check_loopback(host)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    _drain(proc)
    url = base_url(host, port)
    while time.perf_counter() - t0 < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}:\n"
                               f"{_output(proc)}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                elapsed = time.perf_counter() - t0
                _wait_for_workers(proc.pid, workers, timeout_s)
                return proc, elapsed
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"the dashboard did not answer within {timeout_s} s")


def _wait_for_workers(pid: int, n: int, timeout_s: float) -> None:
    """Wait until gunicorn's master ``pid`` has ``n`` worker processes and they had time to
    install their signal handlers (a worker forked during a Ctrl+C would miss it)."""
    t0 = time.perf_counter()
    while n and time.perf_counter() - t0 < timeout_s:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                             text=True).stdout
        if len(out.split()) >= n:
            time.sleep(0.5)
            return
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> str:
    """Stop the server's whole process group (gunicorn's master and workers) as Ctrl+C in its
    terminal would (SIGINT: quick shutdown), then harder if needed; returns its output."""
    for sig, wait_s in ((signal.SIGINT, 10), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
    return _output(proc)


def _drain(proc: subprocess.Popen) -> None:
    """Read the server's output as it comes (a thread), as a terminal does: a server that
    logs more than a pipe holds (64 KB) would otherwise block on its next log line."""
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, name="server-output", daemon=True)
    reader.start()
    proc._drained = (reader, lines)  # type: ignore[attr-defined]


def _output(proc: subprocess.Popen) -> str:
    """The server's output so far (all of it once the server has ended)."""
    reader, lines = getattr(proc, "_drained", (None, []))
    if reader is not None and proc.poll() is not None:
        reader.join(timeout=5)
    return "".join(lines)


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


# --------------------------------------------------------------------------------------------
# Dash requests, built from the app's own dependency list (bench_dashboard's builder)
# --------------------------------------------------------------------------------------------
class AppModel:
    """The app as a browser sees it: the layout's components and the callbacks'
    dependencies, fetched once over HTTP. Builds the request of any callback with
    :class:`bench_dashboard.ServerBench` (``request``), so nothing is duplicated here."""

    def __init__(self, layout: Any, deps: list[dict]):
        self.comps = B._components(layout, [])
        self.deps = [d for d in deps if not d.get("clientside_function")]

    def dep(self, *, input_id: str | None = None, output: str | None = None) -> dict:
        """The callback with ``input_id`` among its inputs, or the one that owns ``output``
        (an output it declares without ``allow_duplicate``; else any that writes it)."""
        for d in self.deps:
            if input_id is not None and any(i["id"] == input_id for i in d["inputs"]):
                return d
        if output is not None:
            def owned(d: dict) -> bool:
                return any(o.startswith(output) and "@" not in o
                           for o in d["output"].strip(".").split("..."))
            for d in sorted(self.deps, key=lambda d: not owned(d)):
                if output in d["output"]:
                    return d
        raise LookupError(f"no callback with input {input_id!r} / output {output!r}")

    def request(self, dep: dict, values: dict, changed: str) -> dict:
        builder = B.ServerBench.__new__(B.ServerBench)  # no Flask client: over HTTP instead
        builder.dep, builder.comps = dep, self.comps
        body = builder.request(values, changed)
        if not dep["output"].startswith(".."):  # one output: the renderer sends it alone
            body["outputs"] = body["outputs"][0]
        if not dep["state"]:  # and leaves out an empty state
            body.pop("state", None)
        return body


def key(cid: Any) -> str:
    """Key of a component id in a values map (``bench_dashboard._resolve`` convention)."""
    return json.dumps(cid, sort_keys=True)


def changed_id(cid: Any, prop: str) -> str:
    """A ``changedPropIds`` entry as the Dash renderer writes it."""
    if isinstance(cid, dict):
        cid = json.dumps(cid, sort_keys=True, separators=(",", ":"))
    return f"{cid}.{prop}"


def apply_response(values: dict, answer: dict) -> None:
    """Store a callback's answer in the browser state, as the renderer does."""
    for cid, props in (answer.get("response") or {}).items():
        parsed = json.loads(cid) if cid.startswith("{") else cid
        for prop, v in props.items():
            values[(key(parsed), prop)] = v


# --------------------------------------------------------------------------------------------
# Simulated users
# --------------------------------------------------------------------------------------------
@dataclass
class Record:
    """Latencies [ms] and errors per request kind, shared by every user (thread-safe)."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0

    def add(self, kind: str, ms: float | None, error: str = "") -> None:
        with self.lock:
            self.count += 1
            if error:
                self.errors.setdefault(kind, []).append(error)
            else:
                self.times.setdefault(kind, []).append(ms)


class User(threading.Thread):
    """One student: loads the page, then acts until the deadline."""

    def __init__(self, n: int, url: str, model: AppModel, rec: Record, deadline: float,
                 think_s: float, budget: Callable[[], bool], seed: int):
        super().__init__(daemon=True, name=f"user-{n}")
        import requests

        self.url, self.model, self.rec = url, model, rec
        self.deadline, self.think_s, self.budget = deadline, think_s, budget
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.values: dict = {}
        self.clicks = 0

    # -- HTTP --------------------------------------------------------------------------------
    def _call(self, kind: str, method: str, path: str, body: dict | None = None,
              check: Callable[[Any], str] | None = None) -> Any:
        if not self.budget():
            raise _Stop
        t0 = time.perf_counter()
        try:
            if method == "GET":
                r = self.http.get(self.url + path, timeout=REQUEST_TIMEOUT_S)
                data = r.content
            else:
                r = self.http.post(self.url + path, data=json.dumps(body),
                                   headers={"Content-Type": "application/json"},
                                   timeout=REQUEST_TIMEOUT_S)
                data = r.json() if r.status_code == 200 else None
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            self.rec.add(kind, None, f"{type(exc).__name__}: {exc}"[:200])
            return None
        ms = (time.perf_counter() - t0) * 1e3
        error = "" if r.status_code in (200, 204) else f"HTTP {r.status_code}: {r.text[:200]}"
        if not error and check is not None and data is not None:
            error = check(data)
        self.rec.add(kind, ms, error)
        return None if error else data

    def _callback(self, kind: str, dep: dict, cid: Any, prop: str, value: Any,
                  check: Callable[[Any], str] | None = None) -> Any:
        self.values[(key(cid), prop)] = value
        body = self.model.request(dep, self.values, changed_id(cid, prop))
        answer = self._call(kind, "POST", "/_dash-update-component", body, check)
        if isinstance(answer, dict):
            apply_response(self.values, answer)
        return answer

    # -- what a student does -----------------------------------------------------------------
    def load_page(self, first: bool) -> None:
        html = self._call("page: GET /", "GET", "/")
        if first and html:
            paths = re.findall(rb'(?:src|href)="(/[^"]+)"', html)
            for p in [p.decode() for p in paths] + list(LAZY_BUNDLES):
                self._call("page: script/CSS bundle (first visit)", "GET", p)
        self._call("page: /_dash-layout", "GET", "/_dash-layout")
        self._call("page: /_dash-dependencies", "GET", "/_dash-dependencies")
        self.values = {}  # a fresh page: every component as the layout has it
        loader = self.model.dep(input_id="url")
        self._callback("page: initial loader callback", loader, "url", "search", "")

    def update_after(self, kind: str, store: str) -> None:
        """The update callback an updated store triggers (figures redrawn)."""
        self._callback(f"update: figures after {kind}", self.model.dep(output="fig-keys"),
                       store, "data", self.values.get((key(store), "data")))

    def slider(self) -> None:
        name = self.rng.choice(list(SLIDERS))
        p = S.FORM_PARAMS[name]
        lo, hi = SLIDERS[name]
        value = math.exp(self.rng.uniform(math.log(lo), math.log(hi))) if p.log \
            else self.rng.uniform(lo, hi)
        pos = S.to_slider(p, S.from_slider(p, S.to_slider(p, value)))
        cid = {"name": name, "type": "slider"}
        self._callback("update: slider release", self.model.dep(output="fig-keys"), cid,
                       "value", pos, check=_no_server_error)
        # the browser's syncSlider writes the text box beside the slider
        self.values[(key({"name": name, "type": "field"}), "value")] = \
            S.display_value(p, S.from_slider(p, pos))

    def preset(self, which: str) -> None:
        from sim.patients import PATIENT_PRESETS
        from sim.presets import PROGRAM_PRESETS

        names = PROGRAM_PRESETS if which == "program-preset" else PATIENT_PRESETS
        loader = self.model.dep(input_id="url")
        answer = self._callback(f"load: {which.replace('-', ' ')}", loader, which, "value",
                                self.rng.choice(sorted(names)), check=_no_server_error)
        if isinstance(answer, dict) and "store-session" in answer.get("response", {}):
            self.update_after("a preset load", "store-session")

    def pin(self) -> None:
        self.clicks += 1
        view = self.model.dep(input_id="btn-pin")
        answer = self._callback("view: pin as A", view, "btn-pin", "n_clicks", self.clicks)
        if isinstance(answer, dict):
            self.update_after("pinning A", "store-pinned")

    def export(self, what: str) -> None:
        self.clicks += 1
        dep = self.model.dep(input_id=f"btn-{what}")
        self._callback(f"export: {what.upper()}", dep, f"btn-{what}", "n_clicks", self.clicks,
                       check=lambda a, w=what: _download_check(a, w))

    def run(self) -> None:
        try:
            time.sleep(self.rng.uniform(0, min(5.0, self.think_s * 2)))  # arrivals spread
            self.load_page(first=True)
            names, weights = zip(*ACTIONS.items(), strict=True)
            while time.monotonic() < self.deadline:
                pause = self.rng.expovariate(1.0 / self.think_s) if self.think_s > 0 else 0.0
                time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))
                if time.monotonic() >= self.deadline:
                    break
                action = self.rng.choices(names, weights)[0]
                if action == "slider":
                    self.slider()
                elif action in ("program-preset", "patient-preset"):
                    self.preset(action)
                elif action == "pin":
                    self.pin()
                elif action in ("json", "csv"):
                    self.export(action)
                else:
                    self.load_page(first=False)
        except _Stop:
            pass
        except Exception as exc:  # noqa: BLE001 - a broken client is an error too
            self.rec.add("client", None, f"{type(exc).__name__}: {exc}"[:200])
        finally:
            self.http.close()


class _Stop(Exception):
    """The request budget is spent."""


def _no_server_error(answer: Any) -> str:
    text = json.dumps(answer)
    return "traceback in the answer" if "Traceback" in text else ""


def _download_check(answer: Any, what: str) -> str:
    resp = answer.get("response", {}) if isinstance(answer, dict) else {}
    data = (resp.get(f"download-{what}") or {}).get("data") or {}
    content = data.get("content") or ""
    if what == "json":
        return "" if '"schema_version"' in content else "no session document in the export"
    head = "\n".join(content.splitlines()[:2])
    return "" if "t_s" in head and "pain_nrs" in head else "no series in the export"


# --------------------------------------------------------------------------------------------
# The run and its table
# --------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """``q``-th percentile (nearest rank on the sorted values)."""
    if not values:
        return math.nan
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(q / 100.0 * len(v)) - 1))]


def drive(url: str, users: int, seconds: float, think_s: float = THINK_S,
          max_requests: int = 200_000, seed: int = 0) -> tuple[Record, float]:
    """Run ``users`` simulated users against the dashboard at ``url`` for ``seconds``."""
    import requests

    model = AppModel(requests.get(url + "/_dash-layout", timeout=30).json(),
                     requests.get(url + "/_dash-dependencies", timeout=30).json())
    rec = Record()
    t0 = time.monotonic()
    deadline = t0 + seconds

    def budget() -> bool:
        return rec.count < max_requests and time.monotonic() < deadline + REQUEST_TIMEOUT_S

    crew = [User(i, url, model, rec, deadline, think_s, budget, seed * 1000 + i)
            for i in range(users)]
    for u in crew:
        u.start()
    for u in crew:
        u.join(timeout=max(0.0, deadline + 2 * REQUEST_TIMEOUT_S - time.monotonic()))
    return rec, time.monotonic() - t0


def table(rec: Record, wall_s: float, title: str) -> list[dict]:
    """Print the table (kind | n | req/s | p50 | p95 | p99 | errors | target); return rows."""
    kinds = sorted(set(rec.times) | set(rec.errors))
    print(f"\n{title}")
    print(f"| {'request kind':44s} | {'n':>6s} | {'req/s':>6s} | {'p50 ms':>8s} | "
          f"{'p95 ms':>8s} | {'p99 ms':>8s} | {'errors':>6s} | {'target':>13s} |")
    print("|" + "|".join("-" * w for w in (46, 8, 8, 10, 10, 10, 8, 15)) + "|")
    rows = []
    for kind in [*kinds, "all requests"]:
        if kind == "all requests":
            t = [x for v in rec.times.values() for x in v]
            err = sum(len(v) for v in rec.errors.values())
        else:
            t, err = rec.times.get(kind, []), len(rec.errors.get(kind, []))
        target = f"p95 <= {TARGET_SLIDER_P95_MS:g} ms" if kind == "update: slider release" \
            else ("0 errors" if kind == "all requests" else "")
        row = {"kind": kind, "n": len(t) + err, "rps": (len(t) + err) / wall_s,
               "p50": percentile(t, 50), "p95": percentile(t, 95), "p99": percentile(t, 99),
               "errors": err, "target": target}
        rows.append(row)
        print(f"| {kind:44s} | {row['n']:6d} | {row['rps']:6.1f} | {row['p50']:8.1f} | "
              f"{row['p95']:8.1f} | {row['p99']:8.1f} | {err:6d} | {target:>13s} |")
    for kind, errs in rec.errors.items():
        print(f"errors in {kind}: {len(errs)}, e.g. {errs[0]}")
    return rows


def run(users: int = 50, seconds: float = 60.0, workers: int = 2, think_s: float = THINK_S,
        host: str = "127.0.0.1", port: int | None = None, max_requests: int = 200_000,
        seed: int = 0) -> list[dict]:
    """Start the dashboard, drive it, stop it; print the table. Returns summary rows in the
    shape of ``benchmarks/_util.print_table`` (measure, median_ms, target_ms, ok)."""
    check_loopback(host)
    port = port or free_port()
    proc, start_s = start_server(port, workers, host)
    try:
        url = base_url(host, port)
        rec, wall = drive(url, users, seconds, think_s, max_requests, seed)
    finally:
        log = stop_server(proc)
    server = f"gunicorn, {workers} workers" if workers > 1 else "waitress, 1 process"
    rows = table(rec, wall, f"Load: {users} users for {seconds:g} s, think time "
                            f"{think_s:g} s, {server}; started in {start_s:.1f} s; "
                            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    tracebacks = log.count("Traceback")
    print(f"server log: {len(log.splitlines())} lines, {tracebacks} tracebacks")
    by = {r["kind"]: r for r in rows}
    slider = by.get("update: slider release", {"p95": math.nan, "p50": math.nan})
    total = by["all requests"]
    label = f"{users} users x {seconds:g} s, {server}"
    return [
        {"measure": f"load: slider update p95 ({label})", "median_ms": slider["p95"],
         "target_ms": TARGET_SLIDER_P95_MS,
         "ok": bool(slider["p95"] <= TARGET_SLIDER_P95_MS)},
        {"measure": f"load: errors + server tracebacks, {total['n']} requests "
                    f"({total['rps']:.0f}/s)",
         "median_ms": float(total["errors"] + tracebacks), "target_ms": 0.0,
         "ok": total["errors"] == 0 and tracebacks == 0},
    ]


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if "--hall" in argv:
        return hall_main([a for a in argv if a != "--hall"])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    ap.add_argument("--seconds", type=float, default=60.0, help="duration (default 60 s)")
    ap.add_argument("--workers", type=int, default=2,
                    help="dashboard worker processes (default 2: gunicorn; 1: waitress)")
    ap.add_argument("--think-s", type=float, default=THINK_S,
                    help=f"mean pause between a user's actions (default {THINK_S:g} s)")
    ap.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    ap.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    ap.add_argument("--max-requests", type=int, default=200_000,
                    help="stop after this many requests (default 200000)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the users' choices")
    a = ap.parse_args(argv)
    if not (1 <= a.users <= 1000 and 0 < a.seconds <= 3600 and 1 <= a.workers <= 64):
        ap.error("--users 1..1000, --seconds 0..3600 and --workers 1..64")
    rows = run(a.users, a.seconds, a.workers, a.think_s, a.host, a.port, a.max_requests,
               a.seed)
    return 0 if all(r["ok"] for r in rows) else 1


def hall_main(argv: list[str]) -> int:
    """``--hall``: the lecture-hall mode (:mod:`hall`)."""
    import hall

    ap = argparse.ArgumentParser(description="lecture hall: " + hall.__doc__.splitlines()[0])
    ap.add_argument("--browsers", type=int, default=200, help="browsers (default 200)")
    ap.add_argument("--seconds", type=float, default=90.0, help="duration (default 90 s)")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (1)")
    ap.add_argument("--server", default="dashboard", choices=("dashboard", "gthread",
                                                               "before"),
                    help="server to measure (default: neuromod dashboard)")
    ap.add_argument("--slow", type=int, default=2, help="slow clients (default 2)")
    ap.add_argument("--hostile", type=int, default=1, help="hostile clients (default 1)")
    ap.add_argument("--expensive", type=int, default=0,
                    help="clients sending the most expensive valid update (default 0)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the browsers' choices")
    a = ap.parse_args(argv)
    if not (0 <= a.expensive <= 4 and 1 <= a.browsers <= 400 and 0 < a.seconds <= 600
            and 1 <= a.workers <= 8 and 0 <= a.slow <= 100 and 0 <= a.hostile <= 4):
        ap.error("--browsers 1..400, --seconds 0..600, --workers 1..8, --slow 0..100, "
                 "--hostile 0..4, --expensive 0..4")
    summary = hall.run(a.browsers, a.seconds, a.workers, a.slow, a.hostile, a.server, a.seed,
                       a.expensive)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
