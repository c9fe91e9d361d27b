"""Each client's share of the server's CPU (``dashboard.fairshare``).

The bucket arithmetic is checked against hand calculations on a fake clock; the server checks
use the app's own callback requests from several client addresses. In the lecture-hall
benchmark (``benchmarks/load.py --hall``), metering every callback request, its parsing
included, took the slider p95 of 200 browsers from 430-580 ms to 72-152 ms while one client
sent the most expensive valid update and another oversized callbacks, back to back.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load as L  # noqa: E402

import dashboard.app as A  # noqa: E402
from dashboard import state as S  # noqa: E402
from dashboard.fairshare import ACTIVE_S, MIN_SHARE, ClientShare  # noqa: E402

UPDATE = "/_dash-update-component"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_client_alone_is_never_held_back_and_keeps_no_debt():
    clock = Clock()
    share = ClientShare(clock=clock)
    for _ in range(50):  # 50 s of CPU in a row: nobody else to be fair to
        assert share.admit("a") == 0.0
        share.charge("a", 1.0)
    share.admit("a")  # the debt is forgiven while alone...
    assert share.admit("b") == 0.0
    assert share.admit("a") == 0.0  # ...so a second visitor does not make a wait now


def test_the_wait_is_the_debt_over_the_fair_share():
    clock = Clock()
    share = ClientShare(burst_cpu_s=2.0, clock=clock)
    for c in "abcd":
        share.admit(c)
    share.charge("a", 3.0)  # 2 s of burst spent, 1 s of debt; 4 active: 1/4 of a core
    assert share.admit("a") == pytest.approx(4.0)  # 1 s / 0.25 s per s
    share.done_waiting("a")
    clock.t += 4.0  # its refill has paid the debt
    assert share.admit("a") == pytest.approx(0.0)


def test_a_full_hall_refills_at_the_floor_share():
    clock = Clock()
    share = ClientShare(burst_cpu_s=2.0, clock=clock)
    for k in range(200):
        share.admit(f"10.0.{k // 250}.{k % 250}")
    assert share.share() == MIN_SHARE  # 1/200 would starve a student; the floor holds
    share.charge("10.0.0.7", 2.25)
    assert share.admit("10.0.0.7") == pytest.approx(0.25 / MIN_SHARE)


def test_clients_gone_quiet_no_longer_count():
    clock = Clock()
    share = ClientShare(clock=clock)
    for c in "abcd":
        share.admit(c)
    assert share.share() == pytest.approx(0.25)
    clock.t += ACTIVE_S + 1
    share.admit("a")
    assert share.share() == pytest.approx(1.0)


def test_one_wait_at_a_time_and_no_wait_longer_than_the_limit():
    clock = Clock()
    share = ClientShare(burst_cpu_s=1.0, max_wait_s=10.0, clock=clock)
    share.admit("b")
    share.admit("a")
    share.charge("a", 2.0)  # 1 s of debt at 1/2 core: 2 s
    assert share.admit("a") == pytest.approx(2.0)
    assert share.admit("a") is None  # a second request while the first waits
    assert share.retry_after("a") == 2
    share.done_waiting("a")
    share.charge("a", 10.0)  # 11 s of debt: 22 s > 10 s
    assert share.admit("a") is None


def test_waiting_callbacks_never_hold_every_server_thread():
    share = ClientShare(burst_cpu_s=0.0, max_waiting=2, clock=Clock())
    for c in "abc":
        share.admit(c)
        share.charge(c, 0.1)
    assert share.admit("a") > 0 and share.admit("b") > 0
    assert share.admit("c") is None  # two already wait
    share.done_waiting("a")
    assert share.admit("c") > 0


def test_memory_stays_bounded():
    share = ClientShare(max_clients=100, clock=Clock())
    for k in range(1000):
        share.admit(f"c{k}")
    assert len(share._buckets) <= 100


# --------------------------------------------------------------------------------------------
# In the server
# --------------------------------------------------------------------------------------------
@pytest.fixture()
def server_share():
    """The app with a fresh share that holds nobody back beyond its burst (restored after);
    its clock stands still, so that no refill hides a charge."""
    old = A.server.extensions.get("neuromod_share")
    share = ClientShare(burst_cpu_s=0.0, max_wait_s=0.0, clock=Clock())
    A.server.extensions["neuromod_share"] = share
    yield share
    A.server.extensions["neuromod_share"] = old


@pytest.fixture(scope="module")
def body():
    client = A.server.test_client()
    model = L.AppModel(client.get("/_dash-layout").get_json(),
                       client.get("/_dash-dependencies").get_json())
    p = S.FORM_PARAMS["amplitude_mA"]
    cid = {"name": "amplitude_mA", "type": "slider"}
    return json.dumps(model.request(model.dep(output="fig-keys"),
                                    {(L.key(cid), "value"): S.to_slider(p, 5.3)},
                                    L.changed_id(cid, "value"))).encode()


def _post(client, raw: bytes, addr: str):
    return client.post(UPDATE, data=raw, content_type="application/json",
                       environ_base={"REMOTE_ADDR": addr})


def test_a_client_over_its_share_is_answered_short_with_retry_after(server_share, body):
    client = A.server.test_client()
    assert _post(client, body, "10.1.0.2").status_code == 200  # another student, active
    assert _post(client, body, "10.1.0.3").status_code == 200  # spends its whole burst
    r = _post(client, body, "10.1.0.3")
    assert r.status_code == 429
    assert len(r.data) < 300 and "try again" in r.get_json()["error"]
    assert int(r.headers["Retry-After"]) >= 1
    assert b"Traceback" not in r.data


def test_a_client_alone_is_always_served(server_share, body):
    client = A.server.test_client()
    for _ in range(5):
        assert _post(client, body, "10.1.0.9").status_code == 200


def test_parsing_a_refused_body_is_charged_to_its_sender(server_share, body):
    """An oversized callback costs the server its parsing even when refused (413)."""
    client = A.server.test_client()
    _post(client, body, "10.1.0.2")
    crafted = json.loads(body)
    crafted["inputs"].append([{"id": {"type": "tr", "row": r, "col": "kind"},
                               "property": "value", "value": "gabapentin"}
                              for r in range(20_000)])
    assert _post(client, json.dumps(crafted).encode(), "10.1.0.4").status_code in (400, 413)
    assert _post(client, body, "10.1.0.4").status_code == 429


def test_the_share_can_be_turned_off_for_a_reverse_proxy(monkeypatch):
    from dashboard.fairshare import CLIENT_SHARE_ENV
    monkeypatch.setenv(CLIENT_SHARE_ENV, "off")
    app = A.create_app()
    assert app.server.extensions["neuromod_share"] is None
