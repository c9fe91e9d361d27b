"""No crosstalk: many students at once on one real dashboard server each get their own results.

The server is started as users start it (``neuromod dashboard``; waitress with threads, and
gunicorn with two worker processes). Sixteen clients, each with its own patient preset and
amplitude, post the dashboard's own update requests at the same moment (a barrier releases
them together), round after round: a store load, and a slider release carried by that
client's whole form. Every answer must hold that client's own session, its own summary numbers
and its own pain series, each compared with ``sim.session.run_session`` run here on the
client's own parameters (an independent computation), never another client's.
"""
from __future__ import annotations

import base64
import json
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402  (server start/stop and requests built from the app's deps)

from dashboard import state as S  # noqa: E402
from sim.patients import PATIENT_PRESETS  # noqa: E402
from sim.session import Session, run_session  # noqa: E402

CLIENTS = 16
ROUNDS = 2


def _signature(result) -> np.ndarray:
    """What the summary cards show: pain before, during, after [NRS] and battery life [days]."""
    m = result.summary
    return np.array([m.pain_before_nrs, m.pain_during_nrs, m.pain_after_nrs, m.battery_days])


def _distinct(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two signatures cannot be mistaken for each other on the cards (pain is shown
    to 0.1, battery life to 3 significant digits)."""
    return bool(np.max(np.abs(a[:3] - b[:3])) > 0.15 or abs(a[3] - b[3]) > 0.03 * b[3])


def _sessions() -> list[Session]:
    """One session per client, its own patient and amplitude (on the slider's 0.1 mA grid),
    chosen so that no two clients' results could pass for each other."""
    base = S.default_session()
    chosen: list[tuple[Session, np.ndarray]] = []
    for amp in (3.5, 4.5, 5.5, 6.5, 7.5, 8.5):
        for name in sorted(PATIENT_PRESETS):
            s = base.replace(patient=PATIENT_PRESETS[name].patient(),
                             program=base.program.replace(amplitude_mA=amp))
            r = run_session(s)
            sig = _signature(r)
            if r.summary.pain_before_nrs > 1 and all(_distinct(sig, c) for _, c in chosen):
                chosen.append((s, sig))
            if len(chosen) == CLIENTS:
                return [c[0] for c in chosen]
    raise AssertionError("not enough distinguishable sessions")


SESSIONS = _sessions()


@pytest.fixture(scope="module")
def expected():
    """Each client's results, from run_session in this process."""
    out = []
    for s in SESSIONS:
        r = run_session(s)
        out.append({"doc": s.to_dict(), "t": r.t_s, "pain": r.series["pain_nrs"],
                    "signature": _signature(r)})
    return out


@pytest.fixture(scope="module")
def servers():
    """Both servers, started side by side (start-up is most of this test's time)."""
    with ThreadPoolExecutor(2) as pool:
        started = {w: pool.submit(L.start_server, L.free_port(), w) for w in (1, 2)}
    procs = {}
    try:
        for workers, f in started.items():
            procs[workers] = f.result()[0]
        yield {w: L.base_url("127.0.0.1", int(p.args[p.args.index("--port") + 1]))
               for w, p in procs.items()}
    finally:
        logs = {w: L.stop_server(p) for w, p in procs.items()}
        for f in started.values():  # a server that started after another one failed
            if f.exception() is None and f.result()[0] not in procs.values():
                L.stop_server(f.result()[0])
    for log in logs.values():
        assert "Traceback" not in log, log


@pytest.fixture(params=[1, 2], ids=["waitress-threads", "gunicorn-2-workers"])
def server(request, servers):
    import requests

    url = servers[request.param]
    model = L.AppModel(requests.get(url + "/_dash-layout", timeout=30).json(),
                       requests.get(url + "/_dash-dependencies", timeout=30).json())
    return url, model


def _array(v) -> np.ndarray:
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def _form_values(session: Session, moved: str | None = None, position=None) -> dict:
    """A browser's state showing ``session``: every text box and slider, and the store."""
    values = {(L.key("store-session"), "data"): session.to_dict()}
    for name, text in S.session_to_form(session).items():
        p = S.FORM_PARAMS[name]
        values[(L.key({"name": name, "type": "field"}), "value")] = text
        if p.kind in ("float", "int"):
            values[(L.key({"name": name, "type": "slider"}), "value")] = \
                S.to_slider(p, S.parse_field(p, text))
    if moved is not None:
        values[(L.key({"name": moved, "type": "slider"}), "value")] = position
    return values


def _client(i: int, kind: str, url: str, model: L.AppModel, barrier: threading.Barrier):
    import requests

    own = SESSIONS[i]
    update = model.dep(output="fig-keys")
    if kind == "store":
        body = model.request(update, _form_values(own), "store-session.data")
    else:  # the slider released at the client's amplitude, from 1 mA below it
        p = S.FORM_PARAMS["amplitude_mA"]
        before = own.replace(program=own.program.replace(
            amplitude_mA=round(own.program.amplitude_mA - 1.0, 1)))
        cid = {"name": "amplitude_mA", "type": "slider"}
        body = model.request(update, _form_values(before, "amplitude_mA",
                                                  S.to_slider(p, own.program.amplitude_mA)),
                             L.changed_id(cid, "value"))
    with requests.Session() as http:
        barrier.wait(timeout=60)
        r = http.post(url + "/_dash-update-component", json=body, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.json()["response"]


def _check(i: int, kind: str, response: dict, expected: list[dict]) -> None:
    mine = expected[i]
    if kind == "slider":
        assert response["store-session"]["data"] == mine["doc"], f"client {i}: another session"
    text = re.sub(r"<[^>]+>", " ", json.dumps(response["summary"], ensure_ascii=False))
    num = r"(-?\d+(?:\.\d+)?)"
    nrs = re.findall(rf"{num} → {num} → {num}", text)
    days = re.findall(rf"{num} days", text)
    assert len(nrs) == 1 and len(days) == 1, text
    shown = np.array([*map(float, nrs[0]), float(days[0])])
    want = mine["signature"]
    assert np.max(np.abs(shown[:3] - want[:3])) <= 0.051, (i, shown, want)
    assert abs(shown[3] - want[3]) <= 0.01 * want[3], (i, shown, want)
    traces = response["fig-session"]["figure"]["data"]
    found = False
    for tr in traces:
        x, y = _array(tr["x"]), _array(tr["y"])
        if len(x) and np.max(np.abs(np.interp(x, mine["t"], mine["pain"]) - y)) < 1e-3:
            found = True
    assert found, f"client {i}: no trace of the figure is its own pain series"


def test_concurrent_clients_each_get_only_their_own_results(server, expected):
    url, model = server
    barrier = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS) as pool:
        for _ in range(ROUNDS):
            for kind in ("store", "slider"):
                futures = [pool.submit(_client, i, kind, url, model, barrier)
                           for i in range(CLIENTS)]
                for i, f in enumerate(futures):
                    _check(i, kind, f.result(), expected)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::", "10.0.0.1"])
def test_the_load_tool_refuses_any_host_but_loopback(host, monkeypatch, capsys):
    started = []
    monkeypatch.setattr(L.subprocess, "Popen", lambda *a, **k: started.append(a))
    with pytest.raises(SystemExit) as info:
        L.main(["--host", host, "--users", "1", "--seconds", "1"])
    assert info.value.code == 2 and started == []
    assert "not a loopback address" in capsys.readouterr().err
