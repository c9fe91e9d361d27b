"""Checks and signal handling of the ``neuromod`` command line (used by :mod:`sim.cli`).

Every flag is checked before any work starts, and a bad one is one line on stderr naming the
flag, the value and the allowed range, with exit status 2 (never a traceback):

* :class:`OneLineParser`: argparse errors in one line (and the same class for sub-commands);
* :func:`count_arg`: a whole number in a range (``--workers`` 1..4 x the cores,
  ``--max-runs``);
* :func:`scheduler_arg`: the form of a Dask scheduler address;
* :func:`read_regular_file`: ``--config`` reads only a regular file (a named pipe would block
  the command forever, a device would never end);
* :func:`stopped_by_signals`: Ctrl+C and SIGTERM stop a sweep or cohort with one line saying
  how many runs are saved and that the same command resumes them.

No numpy or dash import here: building the parser stays cheap.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterator

from sim.params import ParameterError

__all__ = ["EXIT_BAD_INPUT", "OneLineParser", "count_arg", "scheduler_arg",
           "add_executor_flags", "check_run_flags", "read_regular_file", "stopped_by_signals",
           "max_workers"]

EXIT_BAD_INPUT = 2
#: Exit status after Ctrl+C (128 + SIGINT) and after SIGTERM (128 + SIGTERM).
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def max_workers() -> int:
    """Most ``--workers``: 4 x the CPU cores (more only adds memory and contention)."""
    return 4 * (os.cpu_count() or 1)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (which flag, what is wrong, where to
    look) and exit with status 2; its sub-command parsers are of the same class."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def count_arg(flag: str, lo: int, hi: int, unit: str = "") -> Callable[[str], int]:
    """argparse type: a whole number in ``lo..hi`` [``unit``], named ``flag`` in messages."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag}={text!r} is not a whole number "
                                             f"({lo}..{hi}{unit})") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{flag}={value} is outside {lo}..{hi}{unit}")
        return value
    parse.__name__ = flag
    return parse


def scheduler_arg(text: str) -> str:
    """argparse type: a Dask scheduler address (:func:`sim.sweep.check_scheduler`)."""
    from sim.sweep import check_scheduler
    try:
        check_scheduler(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_executor_flags(p: argparse.ArgumentParser) -> None:
    """``--executor``, ``--workers``, ``--scheduler`` and ``--force`` of sweep and cohort."""
    cap = max_workers()
    p.add_argument("--executor", choices=("local", "processes", "dask"), default="local",
                   help="where runs execute (default: local)")
    p.add_argument("--workers", default=None,
                   type=count_arg("workers", 1, cap,
                                  f" processes (4 x the {os.cpu_count() or 1} CPU cores)"),
                   help=f"processes or Dask workers, 1..{cap} (default: the cores)")
    p.add_argument("--scheduler", type=scheduler_arg, metavar="ADDRESS",
                   help="existing Dask scheduler (tcp://host:8786) instead of a LocalCluster")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --out file that is not this run's output")


def check_run_flags(args: argparse.Namespace) -> None:
    """Flags of ``sweep`` and ``cohort`` that argparse cannot check one at a time."""
    if args.scheduler is not None and args.executor != "dask":
        raise ParameterError(f"--scheduler {args.scheduler} needs --executor dask (it is "
                             f"{args.executor})", name="scheduler", value=args.scheduler)


def read_regular_file(path: str, limit: int, flag: str = "--config") -> bytes:
    """At most ``limit`` + 1 bytes of the regular file at ``path``; anything else (a named
    pipe, a device, a directory, a socket) is refused without waiting for it.

    Raises
    ------
    ParameterError
        ``path`` is not a regular file.
    OSError
        It cannot be opened (the CLI prints that in one line too).
    """
    nonblock = getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, os.O_RDONLY | nonblock)  # a FIFO opens without a writer
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a directory"
                    if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or
                    stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else
                    "not a file")
            raise ParameterError(f"{flag} {path} is {kind}, not a regular file; give a "
                                 "session document (.json) saved from the dashboard",
                                 name=flag.lstrip("-"), value=path)
        if nonblock:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            return fh.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)


class _Stopped(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl+C is: finished rows kept, one line, exit 128 + 15."""


@contextlib.contextmanager
def stopped_by_signals(out: str | None, total: int) -> Iterator[None]:
    """Within: SIGTERM stops the command as Ctrl+C does; either prints one line saying how
    many of ``total`` runs are saved in ``out`` and that the same command resumes them, and
    exits with 130 (Ctrl+C) or 143 (SIGTERM)."""
    def on_term(signum, frame):
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except KeyboardInterrupt as exc:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        from sim.sweep import rows_on_disk
        how = "stopped (SIGTERM)" if isinstance(exc, _Stopped) else "interrupted"
        if out:
            print(f"{how}: {rows_on_disk(out)} of {total} runs are saved in {out}; run the "
                  "same command again to resume", file=sys.stderr, flush=True)
        else:
            print(f"{how}: nothing saved (no --out)", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_TERMINATED if isinstance(exc, _Stopped)
                         else EXIT_INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
