"""How ``neuromod dashboard`` serves a lecture hall: server settings, sized for the hall.

A browser keeps up to :data:`CONNECTIONS_PER_BROWSER` keep-alive connections to one server,
mostly idle; a phone on bad wifi sends its request (or reads its answer) in slow pieces. The
server must therefore hold many idle connections at little cost, and no connection may hold
a thread while it waits for a client. Both server modes use waitress for this: its event loop
reads every request completely and writes every answer (buffered) without a thread, so the
threads only ever run the app on complete requests; an idle connection is closed after
:data:`CHANNEL_TIMEOUT_S` without traffic.

* one process (the default): ``waitress.serve`` with :func:`waitress_settings`;
* ``--workers N``: gunicorn's arbiter starts, watches and replaces N worker processes that
  share the listening socket, and each of them runs the same waitress server on it
  (:class:`WaitressWorker`, ``-k dashboard.serving.WaitressWorker``).

Why not gunicorn's own workers: a ``sync`` worker is one connection at a time (two half-sent
requests froze a two-worker server until gunicorn's 30-s worker timeout), and a ``gthread``
worker reads a request inside one of its threads, so each slow client holds a thread for as
long as it likes (``benchmarks/load.py --hall`` measures both; see the README).
"""
from __future__ import annotations

import os
import threading
from typing import Any

__all__ = ["HALL_BROWSERS", "CONNECTIONS_PER_BROWSER", "THREADS", "CHANNEL_TIMEOUT_S",
           "connection_limit", "raise_open_file_limit", "waitress_settings",
           "gunicorn_argv", "WaitressWorker", "sized_for"]

#: Browsers one server is sized for (a large lecture hall), whatever the worker count.
HALL_BROWSERS = 300
#: Connections a browser keeps open to one server (the HTTP/1.1 limit of Chrome and Firefox).
CONNECTIONS_PER_BROWSER = 6
#: Open files a process needs besides its connections (modules, logs, pipes, temp files).
SPARE_FILES = 200
#: Threads per process that run the app on complete requests. The work is mostly Python
#: (the GIL), so more threads add no speed; they keep a few long answers (an export, a
#: 30-minute session with a pinned comparison, ~100-200 ms) from queueing everyone else.
THREADS = 12
#: An idle connection (no byte in either direction, no request in progress) is closed after
#: this many seconds [s]; a browser simply opens a new one. Short, so that connections left
#: by phones that went away, or opened and never used, do not pile up.
CHANNEL_TIMEOUT_S = 30
#: How often idle connections are looked for [s].
CLEANUP_INTERVAL_S = 5
#: Connections waiting to be accepted (the listen backlog of the kernel).
BACKLOG = 2048


def connection_limit(browsers: int = HALL_BROWSERS) -> int:
    """Connections one process accepts at once: every browser's keep-alive connections."""
    return browsers * CONNECTIONS_PER_BROWSER


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft limit of open files towards ``wanted`` (never above the hard
    limit, never lowered); returns the soft limit now in force. Many systems start programs
    with 1024, fewer than the connections of a lecture hall."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on this platform (Windows)
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # pragma: no cover - refused by the system
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def sized_for(open_files: int) -> int:
    """Browsers a process allowed ``open_files`` files can hold (at most
    :data:`HALL_BROWSERS`)."""
    return max(1, min(HALL_BROWSERS, (open_files - SPARE_FILES) // CONNECTIONS_PER_BROWSER))


def waitress_settings(browsers: int = HALL_BROWSERS, threads: int = THREADS,
                      channel_timeout_s: int = CHANNEL_TIMEOUT_S) -> dict[str, Any]:
    """Keyword arguments of ``waitress.serve`` / ``create_server`` for ``browsers`` browsers.

    ``asyncore_use_poll``: ``select()`` cannot watch descriptors above 1023, a hall has more.
    ``max_request_body_size``: bodies over the dashboard's request limit are refused by
    waitress before they reach the app.
    """
    from dashboard.app import MAX_REQUEST_BYTES

    return dict(threads=threads, connection_limit=connection_limit(browsers),
                channel_timeout=channel_timeout_s, cleanup_interval=CLEANUP_INTERVAL_S,
                backlog=BACKLOG, asyncore_use_poll=True,
                max_request_body_size=MAX_REQUEST_BYTES, ident="neuromod", _quiet=True,
                clear_untrusted_proxy_headers=True)


def gunicorn_argv(python: str, bind: str, workers: int, browsers: int = HALL_BROWSERS,
                  threads: int = THREADS) -> list[str]:
    """The gunicorn command line of ``neuromod dashboard --workers N``: N
    :class:`WaitressWorker` processes, each sized for every browser of the hall (the kernel
    hands each new connection to whichever worker accepts it first)."""
    return [python, "-m", "gunicorn", "--workers", str(workers), "--bind", bind,
            "--worker-class", "dashboard.serving.WaitressWorker",
            "--threads", str(threads),
            "--worker-connections", str(connection_limit(browsers)),
            "--keep-alive", str(CHANNEL_TIMEOUT_S), "--backlog", str(BACKLOG),
            "--graceful-timeout", "10", "--preload", "--log-level", "warning",
            "dashboard.app:server"]


def _base_worker() -> type:
    try:
        from gunicorn.workers.base import Worker
    except ImportError:  # pragma: no cover - gunicorn is a dependency; keep import cheap
        return object
    return Worker


class WaitressWorker(_base_worker()):  # type: ignore[misc]
    """A gunicorn worker process that serves with waitress on the listening socket gunicorn
    opened: ``--threads`` app threads, ``--worker-connections`` connections at most,
    ``--keep-alive`` seconds before an idle connection is closed.

    gunicorn's arbiter still starts and replaces the workers, and stops them on Ctrl+C
    (SIGINT: at once) or SIGTERM (open requests are finished). A heartbeat thread tells the
    arbiter the process is alive and stops the worker when the arbiter has gone.
    """

    alive: bool  # gunicorn's Worker sets it, and clears it to stop the worker

    def run(self) -> None:  # pragma: no cover - runs inside gunicorn's worker processes
        import signal

        from waitress.server import create_server

        cfg = self.cfg
        raise_open_file_limit(cfg.worker_connections + SPARE_FILES)
        settings = waitress_settings(threads=cfg.threads)
        settings.pop("_quiet")  # an argument of waitress.serve, not of the server
        settings.update(connection_limit=cfg.worker_connections,
                        channel_timeout=max(1, int(cfg.keepalive)),
                        sockets=[getattr(s, "sock", s) for s in self.sockets])
        server = create_server(self.wsgi, **settings)
        beat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        beat.start()
        server.run()  # returns on SystemExit / KeyboardInterrupt (Ctrl+C, SIGTERM)
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):  # leaving: no second stop
            signal.signal(sig, signal.SIG_IGN)

    def _heartbeat(self) -> None:  # pragma: no cover - runs inside gunicorn's workers
        import signal
        import time

        period = max(0.5, min(5.0, self.timeout / 4)) if self.timeout else 1.0
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():  # the arbiter is gone: stop serving
                self.alive = False
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(period)

    def handle_quit(self, sig: int, frame: Any) -> None:  # pragma: no cover - in workers
        """SIGINT, SIGQUIT: end the waitress loop in the main thread (it then stops its
        threads). Ctrl+C reaches a worker twice (from the terminal and from the arbiter):
        only the first one stops it."""
        if self._stopping:
            return
        self._stopping = True
        self.alive = False
        raise KeyboardInterrupt

    _stopping = False

    handle_exit = handle_quit  # SIGTERM: the same (the arbiter waits --graceful-timeout)
