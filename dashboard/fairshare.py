"""Each client's share of the server's CPU, so that one client cannot slow the hall down.

Every callback request is bounded in cost (:mod:`dashboard.app` checks its budgets before any
work), but a client is not bounded in how many of them it sends: one browser (or script)
sending the most expensive valid update back to back kept one of the server's cores busy and
raised everyone else's slider p95 from about 180 ms to 360-580 ms
(``benchmarks/load.py --hall --expensive 1``).

:class:`ClientShare` meters the CPU each client address uses for callbacks, as a token
bucket: a client may spend up to :data:`BURST_CPU_S` seconds of CPU at once (a page load
costs ~0.1-0.3 s, a slider move ~15 ms, the most expensive update ~0.5 s), and its bucket
refills at its fair share of one core, ``1 / (clients active in the last`` :data:`ACTIVE_S`
``s)``, never below :data:`MIN_SHARE`. It is work-conserving: a client alone on the server
is never held back, and a hall of 200 students gives each the share that 200 need. A client
whose bucket is empty waits (once, at most :data:`MAX_WAIT_S`) before its next callback
runs; a second request while one already waits, a wait longer than that, or a wait while
:data:`MAX_WAITING` callbacks already wait (each holds a server thread), is answered at once
with a short 429 and ``Retry-After``.

The client is the peer address of the connection (proxy headers are not trusted, see
:func:`dashboard.serving.waitress_settings`). Behind a reverse proxy every visitor has the
proxy's address; turn the share off there (``neuromod dashboard --no-client-share``).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ClientShare", "BURST_CPU_S", "MIN_SHARE", "ACTIVE_S", "MAX_WAIT_S",
           "MAX_CLIENTS", "MAX_WAITING", "CLIENT_SHARE_ENV"]

#: CPU a client may spend at once before its share applies [s].
BURST_CPU_S = 2.0
#: The least share of one core a client is refilled at, however many are active [-].
MIN_SHARE = 0.05
#: A client counts as active for this long after its last callback [s].
ACTIVE_S = 30.0
#: The longest a callback is held back before it runs [s]; longer: refused (429).
MAX_WAIT_S = 10.0
#: Callbacks held back at once, from all clients (each holds one of the server's threads while
#: it waits, :data:`dashboard.serving.THREADS` = 12); more are refused (429) at once.
MAX_WAITING = 4
#: Clients remembered at most (the oldest idle ones are forgotten first).
MAX_CLIENTS = 10_000
#: Environment variable that turns the share off (``off``), read when the app is built; set
#: by ``neuromod dashboard --no-client-share`` (and so seen by every server worker).
CLIENT_SHARE_ENV = "NEUROMOD_CLIENT_SHARE"


@dataclass
class _Bucket:
    tokens: float  # CPU the client may still spend [s]; negative: in debt
    refilled: float  # clock time of the last refill [s]
    seen: float  # clock time of its last callback [s]
    waiting: bool = False


class ClientShare:
    """Token buckets of CPU time per client address (thread-safe).

    >>> t = [0.0]
    >>> share = ClientShare(clock=lambda: t[0])
    >>> share.admit("10.0.0.1")               # a full bucket: run now
    0.0
    >>> share.charge("10.0.0.1", 5.0)         # 5 s of CPU, 3 s over the burst...
    >>> share.admit("10.0.0.1")               # ...but alone on the server: no debt kept
    0.0
    >>> share.admit("10.0.0.2")
    0.0
    >>> share.charge("10.0.0.1", 1.0)         # now 1 s in debt, with another client active
    >>> share.admit("10.0.0.1")               # refilled at 1/2 core: wait 2 s
    2.0
    """

    def __init__(self, burst_cpu_s: float = BURST_CPU_S, min_share: float = MIN_SHARE,
                 active_s: float = ACTIVE_S, max_wait_s: float = MAX_WAIT_S,
                 max_clients: int = MAX_CLIENTS, max_waiting: int = MAX_WAITING,
                 clock: Callable[[], float] = time.monotonic):
        self.burst_cpu_s, self.min_share = burst_cpu_s, min_share
        self.active_s, self.max_wait_s, self.max_clients = active_s, max_wait_s, max_clients
        self.max_waiting = max_waiting
        self._clock = clock
        self._waiting = 0
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def share(self) -> float:
        """The share of one core each active client is refilled at [-]."""
        now = self._clock()
        active = sum(now - b.seen <= self.active_s for b in self._buckets.values())
        return max(self.min_share, 1.0 / max(active, 1))

    def _bucket(self, client: str, now: float) -> _Bucket:
        b = self._buckets.get(client)
        if b is None:
            if len(self._buckets) >= self.max_clients:
                self._forget(now)
            b = self._buckets[client] = _Bucket(self.burst_cpu_s, now, now)
        return b

    def _forget(self, now: float) -> None:
        """Drop the clients that have been idle longest (half of them at most)."""
        idle = sorted(self._buckets, key=lambda k: self._buckets[k].seen)
        for k in idle[: max(1, len(idle) // 2)]:
            if not self._buckets[k].waiting:
                del self._buckets[k]

    def admit(self, client: str) -> float | None:
        """Seconds ``client``'s callback must wait before it runs (0.0: now), or ``None``
        when it is refused: one of its callbacks already waits, or the wait would be longer
        than ``max_wait_s``. A returned wait must be followed by :meth:`done_waiting`."""
        with self._lock:
            now = self._clock()
            b = self._bucket(client, now)
            others = any(k != client and now - o.seen <= self.active_s
                         for k, o in self._buckets.items())
            rate = self.share()
            b.tokens = min(self.burst_cpu_s, b.tokens + (now - b.refilled) * rate)
            b.refilled = b.seen = now
            if not others:  # alone: nobody to be fair to, and no debt kept for later
                b.tokens = max(b.tokens, 0.0)
                return 0.0
            if b.tokens >= 0.0:
                return 0.0
            if b.waiting or self._waiting >= self.max_waiting:
                return None
            wait = -b.tokens / rate
            if wait > self.max_wait_s:
                return None
            b.waiting = True
            self._waiting += 1
            return wait

    def done_waiting(self, client: str) -> None:
        with self._lock:
            b = self._buckets.get(client)
            if b is not None and b.waiting:
                b.waiting = False
                self._waiting -= 1

    def retry_after(self, client: str) -> int:
        """Whole seconds after which ``client``'s bucket is out of debt (at least 1)."""
        with self._lock:
            b = self._buckets.get(client)
            debt = 0.0 if b is None else max(0.0, -b.tokens)
            return max(1, int(-(-debt // self.share())))

    def charge(self, client: str, cpu_s: float) -> None:
        """Take ``cpu_s`` seconds of CPU, spent on one of ``client``'s callbacks."""
        with self._lock:
            self._bucket(client, self._clock()).tokens -= max(0.0, cpu_s)
