"""The ``neuromod dashboard`` command: serve the dashboard under a production WSGI server.

``neuromod dashboard [--host 127.0.0.1] [--port 8050] [--workers N] [--public]``

* ``--workers 1`` (default): waitress, one process with several threads;
* ``--workers N > 1``: gunicorn with N worker processes (``dashboard.app:server``), each
  serving with waitress (:class:`dashboard.serving.WaitressWorker`); every worker builds the
  same page and keeps no per-user state, so any worker can answer anyone.

Both are sized for a lecture hall (:mod:`dashboard.serving`): every browser's keep-alive
connections are held, idle and slow connections hold no thread, and the start-up line says
how many browsers the server is sized for.

It binds to loopback. Serving a lecture hall (any other interface) takes an explicit
``--public`` (alone it binds 0.0.0.0; with ``--host`` that interface) and prints a warning
that others can reach the server; a non-loopback ``--host`` without ``--public`` is refused
(exit status 2), so a typo never exposes the dashboard. Debug mode is never on.
Registration is cheap: dash is imported only when the command runs.
"""
from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "cmd_dashboard", "is_loopback", "display_url", "listen_problem"]

DEFAULT_HOST = "127.0.0.1"
#: Interface ``--public`` binds when ``--host`` is not given: every IPv4 interface.
PUBLIC_HOST = "0.0.0.0"
DEFAULT_PORT = 8050
#: Most ``--workers``: more processes than cores only add memory and contention.
MAX_WORKERS = 4 * (os.cpu_count() or 1)


def register(subparsers: Any) -> None:
    """Add the ``dashboard`` command to the ``neuromod`` sub-command parsers."""
    p = subparsers.add_parser(
        "dashboard", help="serve the interactive dashboard in a web browser",
        description="Serve the dashboard (no internet needed). Open the printed URL.")
    p.add_argument("--host", default=None,
                   help="interface to bind (default 127.0.0.1: this computer only; any "
                        "other interface needs --public)")
    p.add_argument("--public", action="store_true",
                   help="let others on the network connect (a lecture hall): binds 0.0.0.0 "
                        "unless --host names an interface; prints a warning")
    p.add_argument("--port", type=_port, default=DEFAULT_PORT,
                   help=f"TCP port (default {DEFAULT_PORT})")
    p.add_argument("--workers", type=_workers, default=1,
                   help="worker processes (default 1: waitress with threads; N > 1: "
                        f"gunicorn with N workers; at most {MAX_WORKERS})")
    p.add_argument("--no-client-share", action="store_true",
                   help="do not meter each client address's share of the CPU (needed "
                        "behind a reverse proxy, where every visitor has its address)")
    p.add_argument("--lesson", default=None, metavar="FILE",
                   help="run a lesson in lecture mode: a lesson file, or a shipped lesson's "
                        "name; students answer from their phones (prints the presenter's "
                        "address with its token)")
    p.add_argument("--answers", default=None, metavar="FILE",
                   help="the lecture's answer database (SQLite; default "
                        "lectures/<lesson>-<date>-<time>.sqlite)")
    p.set_defaults(func=cmd_dashboard)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port={text!r} is not a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port={value} is outside 0..65535")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"workers={text!r} is not a whole number") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"workers={value} is outside 1..{MAX_WORKERS} (4 x the {os.cpu_count() or 1} "
            "CPU cores)")
    return value


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def display_url(host: str, port: int) -> str:
    """The URL to open for a server bound to ``host:port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def lan_address() -> str | None:
    """This computer's address on its network (the one students type), or ``None``.

    A UDP socket "connected" to a documentation address (RFC 5737) makes the kernel pick the
    outgoing interface; no packet is sent.
    """
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith(("127.", "0.")) else addr


def students_line(host: str, port: int) -> str:
    """What to tell the students, when the server listens on every interface."""
    if host not in ("0.0.0.0", "", "::"):
        return ""
    lan = lan_address()
    if lan is None:
        return ("students: open http://<this computer's address on the hall's network>:"
                f"{port}/ (no network address found)")
    return f"students: open http://{lan}:{port}/"


def _try_listen(host: str, port: int) -> OSError | None:
    """Bind (and release at once) every address ``host`` names on ``port``, as the server
    will: the error that stops it, or None. ``SO_REUSEADDR`` as waitress and gunicorn set it,
    so a port left in TIME_WAIT by a server just stopped counts as free."""
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return OSError(errno.EADDRNOTAVAIL, f"unknown host ({exc.strerror})")
    for family, kind, proto, _, addr in infos:
        try:
            with socket.socket(family, kind, proto) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(addr)
                s.listen(1)
        except OSError as exc:
            return exc
    return None


def listen_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port``, as one line naming ``--port`` (or
    ``--host``), or None when it can. Checked before the app is built and before gunicorn
    is started (gunicorn would retry a busy port for a while, then exit with a log)."""
    exc = _try_listen(host, port)
    if exc is None:
        return None
    if exc.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + 50, 65535) + 1)
                     if _try_listen(host, p) is None), None)
        choose = f"--port {free}" if free else "--port"
        return (f"port {port} is in use on {host} (another program, maybe another dashboard); "
                f"choose another with {choose}")
    if exc.errno == errno.EACCES:
        return (f"port {port} needs administrator rights on this computer (ports below 1024); "
                f"choose another with --port {DEFAULT_PORT}")
    return f"cannot listen on --host {host} --port {port}: {exc.strerror or exc}"


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Run the dashboard server until interrupted; returns the exit status."""
    port, workers = args.port, args.workers
    public = bool(getattr(args, "public", False))
    host = args.host or (PUBLIC_HOST if public else DEFAULT_HOST)
    if not is_loopback(host):
        if not public:
            print(f"error: --host {host} would let others on the network reach the "
                  "dashboard; add --public to confirm (or leave out --host to keep it on "
                  "this computer)", file=sys.stderr, flush=True)
            return 2
        print(f"WARNING: binding to {host}: the dashboard is reachable by others on the "
              "network. Leave out --public to keep it on this computer.", file=sys.stderr,
              flush=True)
    lecture_lines = _lecture(args, host, port)
    if lecture_lines is None:
        return 2
    problem = listen_problem(host, port)
    if problem:
        print(f"error: {problem}", file=sys.stderr, flush=True)
        return 2
    for line in lecture_lines:
        print(line, flush=True)
    from dashboard import serving
    from dashboard.fairshare import CLIENT_SHARE_ENV

    if getattr(args, "no_client_share", False):
        os.environ[CLIENT_SHARE_ENV] = "off"  # read when the app is built (and by workers)
    files = serving.raise_open_file_limit(serving.connection_limit() + serving.SPARE_FILES)
    browsers = serving.sized_for(files)
    if workers > 1:
        return _run_gunicorn(host, port, workers, browsers)
    from waitress import serve

    from dashboard.app import server  # builds the app (about a second)

    print(f"neuromod dashboard: {display_url(host, port)} (waitress, {serving.THREADS} "
          f"threads; sized for {browsers} browsers, {serving.connection_limit(browsers)} "
          "connections; Ctrl+C to stop)", flush=True)
    if students_line(host, port):
        print(students_line(host, port), flush=True)
    try:
        serve(server, host=host, port=port, **serving.waitress_settings(browsers))
    except OSError as exc:  # taken between the check and now
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"error: {listen_problem(host, port) or f'port {port} is in use'}",
              file=sys.stderr, flush=True)
        return 2
    return 0


def _lecture(args: argparse.Namespace, host: str, port: int) -> list[str] | None:
    """Check ``--lesson`` and ``--answers`` and hand the lecture to the server (and its
    workers) through the environment; the lines to print, or None (error printed)."""
    name = getattr(args, "lesson", None)
    if name is None:
        if getattr(args, "answers", None):
            print("error: --answers needs --lesson", file=sys.stderr, flush=True)
            return None
        return []
    from dashboard.lesson import (
        ENV_DB,
        ENV_JOIN,
        ENV_LESSON,
        ENV_TOKEN,
        JOIN_PATH,
        default_db_path,
        new_token,
    )
    from sim.lesson import lesson_path, load_lesson
    from sim.params import ParameterError

    try:
        lesson = load_lesson(name)
    except ParameterError as exc:
        print(f"error: --lesson {name}: {exc}", file=sys.stderr, flush=True)
        return None
    db = Path(args.answers) if getattr(args, "answers", None) else default_db_path(lesson.name)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        from dashboard.answers import AnswerStore
        AnswerStore(db, lesson.name)
    except (OSError, Exception) as exc:  # noqa: BLE001 - sqlite3 errors and file errors alike
        print(f"error: --answers {db}: cannot open the answer database ({exc})",
              file=sys.stderr, flush=True)
        return None
    token = new_token()
    base = display_url(host, port).rstrip("/")
    lan = lan_address() if host in ("0.0.0.0", "", "::") else None
    join = (f"http://{lan}:{port}" if lan else base) + JOIN_PATH
    os.environ.update({ENV_LESSON: str(lesson_path(name).resolve()), ENV_DB: str(db.resolve()),
                       ENV_TOKEN: token, ENV_JOIN: join})
    return [f"lesson: {lesson.title} ({len(lesson.steps)} steps); answers in {db}",
            f"presenter (keep this address to yourself): {base}/lesson/present?token={token}",
            f"students: open {join} or scan the QR code on the presenter's screen"]


def _run_gunicorn(host: str, port: int, workers: int, browsers: int) -> int:
    from dashboard import serving

    if shutil.which("gunicorn") is None and not _has_module("gunicorn"):
        print("error: --workers > 1 needs gunicorn (pip install gunicorn); or run with "
              "--workers 1 (waitress)", file=sys.stderr)
        return 2
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"neuromod dashboard: {display_url(host, port)} (gunicorn, {workers} workers with "
          f"waitress, {serving.THREADS} threads each; sized for {browsers} browsers, "
          f"{serving.connection_limit(browsers)} connections per worker; Ctrl+C to stop)",
          flush=True)
    if students_line(host, port):
        print(students_line(host, port), flush=True)
    argv = serving.gunicorn_argv(sys.executable, bind, workers, browsers)
    # Replace this process: gunicorn's master then receives Ctrl+C / SIGTERM directly.
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover - execv does not return


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
