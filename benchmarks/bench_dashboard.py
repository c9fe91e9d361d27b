"""Dashboard speed: server callback, payload, cold start and slider-to-redraw in a real browser.

Run: ``python benchmarks/bench_dashboard.py [--rounds 30] [--no-browser]``. Prints a table
(measure | median | p95 | target); targets: a slider answered within a blink, a preset within
300 ms. Timings are wall clock on whatever
else the machine is doing: the load average is printed with the table.

* server callback: POST ``/_dash-update-component`` for a released amplitude slider, through
  the Flask test client (Dash's own dispatch and JSON encoding included, no network), each
  round a new amplitude, so the session model runs every time;
* payload: bytes of those responses, and of the heaviest cases (a 4-hour session with a
  pinned configuration, a whole 30-minute 10 kHz program in view);
* cold start: ``neuromod dashboard`` started as a process until ``/`` answers 200;
* browser: headless Chromium drags the amplitude slider with the mouse and releases it; time
  from the pointer release to the last ``plotly_afterplot`` of the figures it changes
  (waveform, session, and the visible tab: safety), after Dash has settled;
* browser, preset: the → key steps to the next program preset (as a lecturer does); time
  from the key press to the last of those figures redrawn.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import browser_helpers as H  # noqa: E402

TARGETS = {
    "browser": 150.0, "browser_p95": 300.0, "server": 50.0, "payload": 300.0,
    "cold": 5000.0, "preset": 300.0,
}


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


# --------------------------------------------------------------------------------------------
# Server side: a real Dash request built from the app's own dependencies and layout
# --------------------------------------------------------------------------------------------
def _components(node, out):
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "id" in props:
            out.append(props)
        for v in (props or {}).values() if isinstance(props, dict) else node.values():
            _components(v, out)
    elif isinstance(node, list):
        for v in node:
            _components(v, out)
    return out


def _matches(pattern, cid) -> bool:
    if isinstance(pattern, str) or isinstance(cid, str):
        return pattern == cid
    return set(pattern) == set(cid) and all(
        isinstance(v, list) or cid[k] == v for k, v in pattern.items())


def _resolve(dep_ids, comps, values):
    """Inputs/state/outputs of a request: wildcard ids become lists of matching components."""
    out = []
    for dep in dep_ids:
        pattern = json.loads(dep["id"]) if dep["id"].startswith("{") else dep["id"]
        found = [c for c in comps if _matches(pattern, c["id"])]
        items = [{"id": c["id"], "property": dep["property"],
                  "value": values.get((json.dumps(c["id"], sort_keys=True), dep["property"]),
                                      c.get(dep["property"]))} for c in found]
        out.append(items if isinstance(pattern, dict) else items[0])
    return out


class ServerBench:
    """Builds and posts the update callback's request for a slider release."""

    def __init__(self):
        import dashboard.app as app

        self.client = app.server.test_client()
        deps = self.client.get("/_dash-dependencies").get_json()
        # the update callback: the one that owns fig-keys (the loader writes it too, as a
        # duplicate output "fig-keys.data@<hash>")
        self.dep = next(d for d in deps
                        if "fig-keys.data" in d["output"].strip(".").split("..."))
        self.comps = _components(self.client.get("/_dash-layout").get_json(), [])

    def request(self, values: dict, changed: str) -> dict:
        out_ids = [{"id": o.split(".")[0], "property": o.split(".")[1]}
                   for o in self.dep["output"].strip(".").split("...")]
        outputs = []
        for o in out_ids:
            o = {"id": o["id"].split("@")[0], "property": o["property"].split("@")[0]}
            pattern = json.loads(o["id"]) if o["id"].startswith("{") else o["id"]
            if isinstance(pattern, dict):
                outputs.append([{"id": c["id"], "property": o["property"]}
                                for c in self.comps if _matches(pattern, c["id"])])
            else:
                outputs.append({"id": pattern, "property": o["property"]})
        return {"output": self.dep["output"], "outputs": outputs,
                "inputs": _resolve(self.dep["inputs"], self.comps, values),
                "state": _resolve(self.dep["state"], self.comps, values),
                "changedPropIds": [changed]}

    def post(self, body: dict) -> tuple[float, int]:
        t0 = time.perf_counter()
        r = self.client.post("/_dash-update-component", json=body)
        dt = (time.perf_counter() - t0) * 1e3
        assert r.status_code in (200, 204), r.data[:500]
        return dt, len(r.data)


def _slider_key(name: str) -> tuple[str, str]:
    return json.dumps({"name": name, "type": "slider"}, sort_keys=True), "value"


def bench_server(rounds: int) -> tuple[list[float], list[int], dict[str, int]]:
    from dashboard import state as S
    from sim.presets import program
    from sim.session import Session

    sb = ServerBench()
    changed = json.dumps({"name": "amplitude_mA", "type": "slider"},
                         separators=(",", ":")) + ".value"
    times, sizes = [], []
    base = S.default_session()
    for i in range(rounds + 2):
        amp = round(2.0 + 0.1 * i, 1)
        doc = base.to_dict()
        values = {_slider_key("amplitude_mA"): amp,
                  (json.dumps("store-session"), "data"): doc}
        dt, n = sb.post(sb.request(values, changed))
        if i >= 2:  # the first releases warm the caches of a fresh process
            times.append(dt)
            sizes.append(n)
    heavy = {}
    long = Session(program=program("scs-10khz"), duration_s=14400.0)
    pinned = Session(program=program("scs-burst"), duration_s=14400.0)
    for label, doc, pin in (("4 h session, 10 kHz, A pinned", long.to_dict(), pinned.to_dict()),
                            ("30 min 10 kHz, whole train in view",
                             Session(program=program("scs-10khz"), duration_s=1800).to_dict(),
                             {})):
        values = {(json.dumps("store-session"), "data"): doc,
                  (json.dumps("store-pinned"), "data"): pin, (json.dumps("fig-keys"), "data"): {},
                  (json.dumps("wave-zoom"), "data"):
                      {"xaxis.range[0]": 0, "xaxis.range[1]": doc["duration_s"] * 1e3}}
        _, n = sb.post(sb.request(values, "wave-zoom.data"))
        heavy[label] = n
    return times, sizes, heavy


# --------------------------------------------------------------------------------------------
# Cold start
# --------------------------------------------------------------------------------------------
def bench_cold_start(repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        proc, seconds = H.start_dashboard(H.free_port())
        H.stop_dashboard(proc)
        out.append(seconds * 1e3)
    return out


# --------------------------------------------------------------------------------------------
# Browser round trip
# --------------------------------------------------------------------------------------------
_INSTRUMENT = """() => {
    window.__plotted = {};
    document.querySelectorAll('.js-plotly-plot').forEach(gd => {
        const id = gd.closest('[id^="fig-"]').id;
        gd.on('plotly_afterplot', () => { window.__plotted[id] = performance.now(); });
    });
    document.addEventListener('pointerup', () => { window.__up = performance.now(); }, true);
}"""
_AFFECTED = ("fig-wave", "fig-session", "fig-safety")
#: Redrawn by a slider release while the Placement tab is shown (the safety figure's tab is
#: hidden then, and not drawn).
_AFFECTED_PLACEMENT = ("fig-wave", "fig-session", "fig-bodymap", "fig-ecap")


@contextlib.contextmanager
def _dashboard_page() -> Iterator[Any]:
    """A headless-Chromium page on a freshly started ``neuromod dashboard``, instrumented to
    record each figure's last redraw (``window.__plotted``)."""
    from playwright.sync_api import sync_playwright

    exe = H.chromium_path()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    proc, _ = H.start_dashboard(H.free_port())
    port = proc.args[proc.args.index("--port") + 1]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=H.CHROMIUM_ARGS)
            page = browser.new_page(viewport=H.VIEWPORT)
            page.base_url = f"http://127.0.0.1:{port}/"
            H.open_dashboard(page)
            page.evaluate(_INSTRUMENT)
            yield page
            browser.close()
    finally:
        H.stop_dashboard(proc)


def _redraw_ms(page, affected: tuple[str, ...] = _AFFECTED) -> float:
    """Wait for every figure a change redraws, then Dash idle; the time from the user's
    action (``window.__up``) to the last redraw [ms]."""
    page.wait_for_function(
        "(ids) => window.__up && ids.every(id => window.__plotted[id] > window.__up)",
        arg=list(affected), timeout=20000, polling="raf")
    H.settle(page)
    return page.evaluate("(ids) => Math.max(...ids.map(id => window.__plotted[id]))"
                         " - window.__up", list(affected))


def bench_browser(rounds: int, tab: str | None = None) -> list[float]:
    """Slider dragged with the mouse and released: release to the last figure redrawn;
    ``tab="Placement"``: with the Placement tab open (spine, body map and ECAP redrawn too)."""
    times = []
    affected = _AFFECTED if tab is None else _AFFECTED_PLACEMENT
    with _dashboard_page() as page:
        if tab is not None:
            H.show_tab(page, tab)
            page.wait_for_selector("#fig-ecap .main-svg", timeout=30000)
            page.evaluate(_INSTRUMENT)  # its graphs exist now
        slider = page.locator(H.pid("slider", "amplitude_mA"))
        thumb = slider.locator("[role=slider]")
        for i in range(rounds + 2):
            track = slider.bounding_box()
            box = thumb.bounding_box()
            x0, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            # alternate between about 3 and 9 mA on the 0..100 mA track
            frac = 0.03 + 0.06 * (i % 2) + 0.002 * (i % 7)
            x1 = track["x"] + frac * track["width"]
            page.evaluate("() => { window.__plotted = {}; window.__up = null; }")
            page.mouse.move(x0, y)
            page.mouse.down()
            page.mouse.move((x0 + x1) / 2, y, steps=3)
            page.mouse.move(x1, y, steps=3)
            page.mouse.up()
            done = _redraw_ms(page, affected)
            if i >= 2:
                times.append(done)
            time.sleep(0.2)
    return times


_KEY_INSTRUMENT = """() => {
    document.addEventListener('keydown', () => { window.__up = performance.now(); }, true);
}"""


def bench_browser_preset(rounds: int) -> list[float]:
    """Stepping program presets with the → key as a lecturer does: time from the key press
    to the last figure redrawn (waveform, session, safety) with Dash idle again [ms]."""
    times = []
    with _dashboard_page() as page:
        page.evaluate(_KEY_INSTRUMENT)
        for i in range(rounds + 2):
            page.evaluate("() => { window.__plotted = {}; window.__up = null; }")
            page.locator("body").press("ArrowRight")
            done = _redraw_ms(page)
            if i >= 2:
                times.append(done)
            time.sleep(0.2)
    return times


# --------------------------------------------------------------------------------------------
def _row(name: str, values: list[float], target: float | None, unit: str = "ms") -> dict:
    med = statistics.median(values)
    p95 = _p95(values)
    return {"measure": name, "median": med, "p95": p95, "target": target, "unit": unit}


def print_rows(rows: list[dict]) -> None:
    print(f"\nDashboard; load average {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores")
    print(f"| {'measure':56s} | {'median':>9s} | {'p95':>9s} | {'target':>14s} |")
    print("|" + "-" * 58 + "|" + "-" * 11 + "|" + "-" * 11 + "|" + "-" * 16 + "|")
    for r in rows:
        target = r["target"] if isinstance(r["target"], str) else (
            "" if r["target"] is None else f"<= {r['target']:g} {r['unit']}")
        print(f"| {r['measure']:56s} | {r['median']:7.1f}{r['unit'][:2]:>2s} | "
              f"{r['p95']:7.1f}{r['unit'][:2]:>2s} | {target:>14s} |")


def run(rounds: int = 30, browser: bool = True) -> list[dict]:
    rows = []
    times, sizes, heavy = bench_server(rounds)
    rows.append(_row("server: slider release -> stores + all figures", times,
                     TARGETS["server"]))
    rows.append(_row("payload per update (slider release)", [s / 1e3 for s in sizes],
                     TARGETS["payload"], "KB"))
    for label, n in heavy.items():
        rows.append(_row(f"payload: {label}", [n / 1e3], TARGETS["payload"], "KB"))
    rows.append(_row("cold start: neuromod dashboard -> first page (3 runs)",
                     bench_cold_start(), TARGETS["cold"]))
    if browser:
        t = bench_browser(rounds)
        row = _row(f"browser: slider released -> 3 figures redrawn ({len(t)} runs)", t,
                   TARGETS["browser"])
        row["target"] = "150 / p95 300"
        rows.append(row)
        t = bench_browser(rounds, tab="Placement")
        row = _row(f"browser, Placement tab open: slider released -> 4 figures redrawn "
                   f"({len(t)} runs)", t, TARGETS["browser"])
        row["target"] = "150 / p95 300"
        rows.append(row)
        t = bench_browser_preset(max(10, rounds // 2))
        rows.append(_row(f"browser: program preset (→ key) -> 3 figures redrawn ({len(t)} runs)",
                         t, TARGETS["preset"]))
    print_rows(rows)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--no-browser", action="store_true")
    a = ap.parse_args()
    run(a.rounds, browser=not a.no_browser)
