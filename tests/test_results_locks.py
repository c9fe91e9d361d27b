"""Sessions computed for the dashboard: a lock per session, not one for all. Two different
sessions run side by side on two threads; the same session asked for twice at once is
computed once."""
from __future__ import annotations

import threading
import time

from dashboard import results as R, state as S


def _slow_run(monkeypatch, seconds: float) -> list:
    calls: list = []

    def run(session):
        calls.append(session)
        time.sleep(seconds)
        return ("result", session.duration_s)

    monkeypatch.setattr(R, "_run", run)
    return calls


def _together(sessions) -> float:
    threads = [threading.Thread(target=R.session_result, args=(s,)) for s in sessions]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def test_different_sessions_are_not_serialised(monkeypatch):
    calls = _slow_run(monkeypatch, 0.3)
    a = S.default_session()
    b = a.replace(duration_s=300.0)
    wall = _together([a, b])
    assert len(calls) == 2
    assert wall < 0.5  # side by side (0.3 s), not one after the other (0.6 s)


def test_the_same_session_waits_for_the_first_result(monkeypatch):
    cache = {}

    def run(session):
        if session not in cache:
            time.sleep(0.2)
            cache[session] = object()
        return cache[session]

    monkeypatch.setattr(R, "_run", run)
    seen = []
    s = S.default_session()
    threads = [threading.Thread(target=lambda: seen.append(R.session_result(s)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(x) for x in seen}) == 1  # one computation, shared
    assert R._run_locks._locks == {}  # no lock left behind
