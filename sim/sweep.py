"""Parameter sweeps over sessions: grids, log grids and seeded random samples, run anywhere.

A sweep varies declared parameters of a base :class:`~sim.session.Session` and runs each
variant, producing a tidy table: one row per run with the varied values and the run's summary
metrics. Rows are written to the output file as they complete, so an interrupted sweep (Ctrl-C,
a killed worker, a lost Dask worker) keeps every finished row and :func:`run_sweep` resumes it
without recomputing them. A worker process that dies is replaced and only its unfinished runs
are redone (:data:`POOL_RESTARTS`; Dask does the same for a lost worker); Ctrl-C stops the
queued runs at once.

Executors, chosen by one argument and giving identical tables:

* ``"local"``: in this process;
* ``"processes"``: a local process pool (``concurrent.futures``);
* ``"dask"``: Dask distributed, a ``LocalCluster`` by default or an existing scheduler address
  (``pip install neuromod-sim[distributed]``).

Output files open as data and cannot be corrupted. The streamed CSV holds one header row
and the rows (units in the column names, numbers to 12 significant digits, text escaped
against spreadsheet formulas: :mod:`sim.tables`); its metadata (the sweep's signature, a hash
of the base session and the runs; the base session; the unit of each column; the version) is
in the JSON sidecar ``<file>.json``, written to a temporary file and renamed into place
before the first row. The CSV is locked (``fcntl.flock``) for as long as a sweep writes it,
so a second sweep on the same file stops at once; each row reaches the file in one ``write``
(flush + fsync), so a killed sweep leaves only complete rows; a file is resumed only if its
sidecar holds this sweep's signature and its header names this sweep's columns (a table of
the earlier layout, signed in a ``# neuromod-sweep`` first line, is rewritten in the new one
and resumed); any other existing file, a CSV without a sidecar included, is refused unless
``force`` (``--force``) says to replace it; a ``.parquet`` table is written to a temporary
file and renamed into place, and carries the signature and the sidecar's document in its
schema metadata.

Process pool workers die with the process that started them (SIGINT, SIGTERM or SIGKILL):
on Linux a parent-death signal (``prctl(PR_SET_PDEATHSIG)``), everywhere a thread that
watches the parent (:func:`_die_with_parent`).

Sweep specifications (CLI ``--vary``)::

    rate_hz=2:1000:log:30        30 log-spaced values from 2 to 1000 Hz
    amplitude_mA=0:6:13          13 evenly spaced values from 0 to 6 mA
    amplitude_mA=0:6:random:20   20 seeded uniform random values (log-uniform for log params)
    pulses_per_burst=3,5,7       an explicit list
"""
from __future__ import annotations

import contextlib
import contextvars
import csv
import functools
import hashlib
import io
import itertools
import json
import math
import os
import re
import signal
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.params import PARAMETERS, ParameterError, format_number as _fmt, unknown_name_error
from sim.tables import (
    cell,
    column_name,
    column_units,
    key_name,
    metadata,
    read_sidecar,
    sidecar_path,
    tidy,
    tidy_row,
    unescape_text,
    write_sidecar,
)

__all__ = ["Axis", "parse_vary", "make_runs", "apply_values", "run_sweep", "run_table",
           "load_table", "EXECUTORS", "SWEEPABLE_GROUPS", "POOL_RESTARTS", "MAX_WORKERS",
           "check_workers", "check_scheduler", "grid_size", "replacing_outputs",
           "SCHEDULER_TIMEOUT_S", "rows_on_disk", "table_path"]

#: Executors accepted by :func:`run_sweep`.
EXECUTORS = ("local", "processes", "dask")
#: Declaration groups whose parameters a sweep may vary.
SWEEPABLE_GROUPS = ("program", "patient", "session", "model", "safety", "treatment")
#: Most runs one sweep may hold by default (a 100 x 100 x 100 grid is 1e6; keep sweeps
#: deliberate); ``make_runs(..., max_runs=N)`` / ``--max-runs N`` raises it.
MAX_RUNS = 1_000_000
#: Most worker processes (``processes``) or LocalCluster workers (``dask``): 4 x the cores.
MAX_WORKERS = 4 * (os.cpu_count() or 1)
#: Seconds to wait for a Dask scheduler named by ``scheduler`` before reporting it unreachable.
SCHEDULER_TIMEOUT_S = 5.0
#: Address schemes of a Dask scheduler (``tcp://host:8786``; ``host:port`` means tcp).
SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")
#: Seconds between two looks of a pool worker at its parent (where no parent-death signal).
PARENT_WATCH_S = 0.5
#: How many times the ``processes`` executor replaces a pool whose worker process died (killed
#: by the system's out-of-memory killer or by hand) and carries on with the unfinished runs;
#: rows already written are never recomputed. Dask retries lost tasks itself.
POOL_RESTARTS = 2


@dataclass(frozen=True)
class Axis:
    """One varied parameter and its values (already validated against the declaration)."""

    name: str
    values: tuple

    @property
    def param(self):
        return PARAMETERS[self.name]


#: Program fields that decide which others a program reads (:meth:`Program.unused_params`).
_SELECTORS = frozenset({"therapy", "pattern", "shape", "cycle_on_s"})


def idle_axes(program: Any, axes: Sequence[Axis]) -> list[str]:
    """Names of ``axes`` that change nothing for ``program`` (it leaves them unread, see
    :meth:`sim.waveforms.Program.unused_params`), unless another axis varies what decides
    that (therapy, pattern, shape, cycling)."""
    if any(a.name in _SELECTORS for a in axes):
        return []
    unused = program.unused_params()
    return [a.name for a in axes if a.name in unused]


def parse_vary(text: str, *, seed: int = 0, max_runs: int = MAX_RUNS) -> Axis:
    """Parse one ``--vary`` specification into an :class:`Axis`.

    ``max_runs`` caps the count of a range before any value is computed (a count of 1e10
    would otherwise allocate 75 GiB).

    Raises
    ------
    ParameterError
        Unknown or non-sweepable parameter, malformed or empty range, a count above
        ``max_runs``, or any value outside the parameter's declared range (checked before
        any run starts).
    """
    if "=" not in text:
        raise ParameterError(f"--vary {text!r} must look like name=start:stop:count, "
                             "name=start:stop:log:count, name=start:stop:random:count or "
                             "name=v1,v2,...", value=text)
    name, spec = (s.strip() for s in text.split("=", 1))
    if name not in PARAMETERS or PARAMETERS[name].group not in SWEEPABLE_GROUPS:
        sweepable = [n for n, p in PARAMETERS.items() if p.group in SWEEPABLE_GROUPS]
        if name not in PARAMETERS:
            raise unknown_name_error("--vary", name, spec, sweepable)
        raise ParameterError(f"--vary {name}={spec}: {name} (group {PARAMETERS[name].group}) "
                             "is non-sweepable; a sweep varies the parameters of the groups "
                             f"{', '.join(SWEEPABLE_GROUPS)}", name=name, value=spec)
    p = PARAMETERS[name]
    if ":" in spec:
        parts = spec.split(":")
        if p.kind not in ("float", "int"):
            raise ParameterError(f"--vary {name}: ranges need a numeric parameter; list the "
                                 f"values instead ({p.range_text})", name=name, value=spec)
        try:
            lo, hi = float(parts[0]), float(parts[1])
            mode = "lin" if len(parts) == 3 else parts[2].strip().lower()
            count = int(parts[-1])
        except (ValueError, IndexError):
            raise ParameterError(f"--vary {text!r}: expected start:stop:count, "
                                 "start:stop:log:count or start:stop:random:count",
                                 name=name, value=spec) from None
        if len(parts) not in (3, 4) or mode not in ("lin", "log", "random"):
            raise ParameterError(f"--vary {text!r}: the mode must be 'log' or 'random'",
                                 name=name, value=spec)
        if count < 1:
            raise ParameterError(f"--vary {name}: count={count} gives an empty range; use at "
                                 "least 1", name=name, value=spec)
        if count > max_runs:
            raise ParameterError(f"--vary {name}: count={count} is more runs than the cap of "
                                 f"{max_runs} (1..{max_runs}; raise it with --max-runs)",
                                 name=name, value=spec)
        if lo > hi:
            raise ParameterError(f"--vary {name}: start {_fmt(lo)} is above stop {_fmt(hi)}",
                                 name=name, value=spec)
        for v in (lo, hi):
            p.validate(v)
        if mode == "lin":
            raw = np.linspace(lo, hi, count)
        elif mode == "log":
            if lo <= 0:
                raise ParameterError(f"--vary {name}: a log range needs start > 0 "
                                     f"{p.unit}, got {_fmt(lo)}", name=name, value=spec)
            raw = np.geomspace(lo, hi, count)
        else:
            rng = np.random.default_rng([seed, _stable_int(name)])
            raw = (np.exp(rng.uniform(np.log(lo), np.log(hi), count))
                   if p.log and lo > 0 else rng.uniform(lo, hi, count))
        if p.kind == "int":
            raw = np.unique(np.round(raw))
        # 12 significant digits (sim.tables): the value run is the value the table shows
        values = tuple(p.validate(min(max(tidy(float(v)), lo), hi) if p.kind != "int"
                                  else int(v)) for v in raw)
    else:
        items = [s.strip() for s in spec.split(",") if s.strip()]
        if len(items) > max_runs:
            raise ParameterError(f"--vary {name}: {len(items)} values are more runs than the "
                                 f"cap of {max_runs} (raise it with --max-runs)", name=name,
                                 value=f"<{len(items)} values>")
        if not items:
            raise ParameterError(f"--vary {name}: no values given", name=name, value=spec)
        from sim.params import parse_assignment
        values = tuple(parse_assignment(f"{name}={item}")[1] for item in items)
    return Axis(name, values)


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def grid_size(axes: Sequence[Axis]) -> int:
    """Runs of the cartesian product of ``axes`` (computed, not built)."""
    return math.prod(len(a.values) for a in axes) if axes else 1


def make_runs(axes: Sequence[Axis], *, max_runs: int = MAX_RUNS) -> list[dict[str, Any]]:
    """Cartesian product of the axes: one dict of parameter values per run, in a fixed order.

    Raises
    ------
    ParameterError
        A parameter given twice, or more than ``max_runs`` runs (counted before any is built).
    """
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParameterError(f"--vary {dup} is given twice", name=dup)
    n = grid_size(axes)
    if n > max_runs:
        raise ParameterError(f"the sweep has {n} runs; the cap is 1..{max_runs} runs "
                             "(raise it with --max-runs)", name="vary", value=n)
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(a.values for a in axes))]


def apply_values(session, values: Mapping[str, Any]):
    """A copy of ``session`` with declared parameter ``values`` placed where they belong
    (program, patient, options, the session itself, or every treatment that takes them),
    validated as a whole. A new ``duration_s`` scales event and treatment start times with
    it."""
    from sim.session import Session  # local import: keeps sweep importable alone

    prog: dict[str, Any] = {}
    pat: dict[str, Any] = {}
    opts: dict[str, Any] = {}
    top: dict[str, Any] = {}
    treat: dict[str, Any] = {}
    for name, v in values.items():
        if name not in PARAMETERS:
            raise ParameterError(f"{name}: unknown parameter", name=name, value=v)
        v = PARAMETERS[name].validate(v)
        group = PARAMETERS[name].group
        target = {"program": prog, "patient": pat, "model": opts, "safety": opts,
                  "session": top, "treatment": treat}.get(group)
        if target is None:
            raise ParameterError(f"{name} cannot be varied in a session", name=name)
        target[name] = v
    changes: dict[str, Any] = dict(top)
    if prog:
        changes["program"] = session.program.replace(**prog)
    if pat:
        changes["patient"] = session.patient.replace(**pat)
    if opts:
        changes["options"] = session.options.replace(**opts)
    if "duration_s" in top and session.events is not None:
        # keep events proportional when only the duration changes
        scale = top["duration_s"] / session.duration_s
        from sim.session import Event
        changes["events"] = tuple(Event(kind=e.kind, start_s=e.start_s * scale,
                                        stop_s=e.stop_s * scale, intensity=e.intensity)
                                  for e in session.events)
    trs = session.treatments
    if "duration_s" in top and trs and "treatment_start_s" not in treat:
        # treatments start at the same fraction of the session as before
        scale = top["duration_s"] / session.duration_s
        trs = tuple(tr.replace(start_s=tr.start_s * scale) for tr in trs)
    if treat:
        from sim.treatments import set_treatment_values
        trs = set_treatment_values(trs, treat)
    if trs is not session.treatments:
        changes["treatments"] = trs
    return session.replace(**changes) if isinstance(session, Session) else session


@functools.lru_cache(maxsize=8)
def _base_session(session_json: str):
    """The base session of a sweep, parsed once per process (every run shares it)."""
    from sim.session import Session
    return Session.from_json(session_json)


def _summary_row(session_json: str, values: Mapping[str, Any], run_id: int,
                 runner: Callable[[Any], Mapping[str, Any]] | None) -> dict[str, Any]:
    """Run one variant; return its table row (module-level so process pools can pickle it).

    Values of the ``trial`` group (a virtual patient's natural history, :mod:`sim.cohort`)
    are not part of the session: they go to the runner as keyword arguments."""
    trial = {k: v for k, v in values.items()
             if k in PARAMETERS and PARAMETERS[k].group == "trial"}
    session = apply_values(_base_session(session_json),
                           {k: v for k, v in values.items() if k not in trial})
    if runner is None:
        from sim.session import run_session
        metrics = run_session(session).summary.to_dict()
    else:
        metrics = dict(runner(session, **trial))
    return tidy_row({"run_id": run_id, **values, **metrics})


def _spec_hash(session_json: str, runs: Sequence[Mapping[str, Any]]) -> str:
    h = hashlib.sha256(session_json.encode())
    h.update(json.dumps(list(runs), sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def load_table(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Reload a sweep or cohort table (CSV or Parquet) as a list of row dicts with numbers
    parsed, as :func:`run_table` returned it.

    Columns come back under the row keys :func:`run_table` uses: a header name that adds a
    unit (``paresthesia_0to10``, :data:`sim.tables.COLUMN_NAMES`) is read as its key
    (``paresthesia``), and escaped text loses its leading quote. Tables of the earlier layout
    (a ``# neuromod-sweep`` comment line before the header) load too.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pandas as pd
        df = pd.read_parquet(path)
        df.columns = [key_name(str(c)) for c in df.columns]
        return df.to_dict("records")
    with open(path, newline="", encoding="utf-8") as fh:
        first = fh.readline()
        earlier = first.startswith("#")  # the earlier layout: comment lines, nothing escaped
        lines: Iterable[str] = itertools.chain(() if earlier else (first,), fh)
        if earlier:
            lines = _skip_comments(lines)
        reader = csv.reader(lines)
        header = next(reader, None)
        if header is None:
            return []
        keys = [key_name(h if earlier else unescape_text(h)) for h in header]
        rows = list(csv.DictReader(lines, fieldnames=keys))  # the rows after the header
    return [{k: _parse_cell(v, escaped=not earlier) for k, v in r.items()} for r in rows]


def _skip_comments(lines: Iterable[str]) -> Iterator[str]:
    return (ln for ln in lines if not ln.startswith("#"))


def _parse_cell(v: Any, *, escaped: bool = True) -> Any:
    if v is None or v == "":  # None (an undefined metric, e.g. no pain to reduce) is ""
        return None
    if not isinstance(v, str):
        return v
    if escaped and v.startswith("'"):  # text escaped against formulas (sim.tables)
        return v[1:]
    if v in ("True", "False"):
        return v == "True"
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f


_FORCE: contextvars.ContextVar[bool] = contextvars.ContextVar("neuromod_force_out",
                                                              default=False)


@contextlib.contextmanager
def replacing_outputs(force: bool = True) -> Iterator[None]:
    """Within this block, :func:`run_table` replaces an existing output file that is not its
    own (as ``force=True`` does): for callers that reach ``run_table`` through another
    function (``neuromod cohort --force``)."""
    token = _FORCE.set(bool(force))
    try:
        yield
    finally:
        _FORCE.reset(token)


def table_path(out: str | os.PathLike) -> Path:
    """The CSV a sweep streams its rows to for ``out``: ``out`` itself, or
    ``<name>.partial.csv`` beside a ``.parquet`` table."""
    out = Path(out)
    return out.with_suffix(".partial.csv") if out.suffix == ".parquet" else out


def rows_on_disk(out: str | os.PathLike) -> int:
    """Complete rows in the streamed table of ``out`` (0 if there is none)."""
    try:
        with open(table_path(out), "rb") as fh:
            lines = [ln for ln in fh if ln.endswith(b"\n") and not ln.startswith(b"#")]
    except OSError:
        return 0
    return max(0, len(lines) - 1)  # less the header


def _signature_line(spec: str) -> bytes:
    """First line of a table of the earlier layout, which held the signature in the CSV."""
    return f"# neuromod-sweep {spec}\n".encode()


_SIGNATURE = re.compile(rb"# neuromod-sweep [0-9a-f]{16}\n")


@dataclass
class _Writer:
    """The streamed CSV of one sweep, locked while it runs; each finished row is appended
    with one ``write`` and fsync'd, so nothing finished is lost and no row is half there.

    The CSV holds the header and the rows (:mod:`sim.tables`); the signature and the other
    metadata (``meta``) are in its JSON sidecar ``<file>.json``, written to a temporary file
    and renamed into place before the first row (and again, with the columns and their units,
    just before the header).
    """

    path: Path
    spec: str = ""
    keys: tuple[str, ...] = ()
    force: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    #: Row keys of the columns, in the order of the header (None until there is one).
    columns: list[str] | None = None
    done: dict[int, dict] = field(default_factory=dict)
    fd: int | None = None
    created: bool = False
    wrote_sidecar: bool = False

    def open(self) -> None:
        """Open and lock the file, then check it is this sweep's (resume) or new.

        Raises
        ------
        ParameterError
            The file is not a regular file, is in use by another sweep, or holds something
            else than this sweep's rows (and ``force`` is not set).
        """
        name = str(self.path)
        self.created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | _O_NONBLOCK, 0o644)
        except IsADirectoryError:
            raise ParameterError(f"--out {name} is a directory; name a file",
                                 name="out", value=name) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ParameterError(f"--out {name} is not a regular file", name="out",
                                     value=name)
            _lock(fd, name)
            _LOCKED_FDS.add(fd)
            _set_blocking(fd)
            self.fd = fd
            self._check_or_start()
        except BaseException:
            self.fd = None
            _LOCKED_FDS.discard(fd)
            os.close(fd)
            if self.created:
                _unlink(self.path)
                if self.wrote_sidecar:
                    _unlink(sidecar_path(self.path))
            raise

    def _refuse(self, what: str) -> ParameterError:
        return ParameterError(f"--out {self.path} {what}; choose another --out, or add --force "
                              "to replace it", name="out", value=str(self.path))

    @property
    def _fd(self) -> int:
        """The open file's descriptor (the methods below run only between open and close)."""
        assert self.fd is not None
        return self.fd

    @property
    def _columns(self) -> list[str]:
        """The columns (set before any header or row is written)."""
        assert self.columns is not None
        return self.columns

    def _check_or_start(self) -> None:
        size = os.fstat(self._fd).st_size
        first = _pread(self._fd, 64, 0)
        line = first.split(b"\n", 1)[0] + b"\n" if b"\n" in first else first
        side = read_sidecar(self.path)
        if size == 0:
            self._start()
            return
        if line == _signature_line(self.spec):  # this sweep, in the earlier layout
            self._drop_torn_tail()
            self._rewrite_earlier_layout()
            return
        if side is None or side.get("signature") != self.spec:
            if self.force:
                self._start()
                return
            if _SIGNATURE.fullmatch(line) or (side is not None and side.get("signature")):
                raise self._refuse("holds the results of a different sweep")
            raise self._refuse(f"exists and is not the output of a sweep (no sidecar "
                               f"{sidecar_path(self.path).name} holds a sweep's signature)")
        self._drop_torn_tail()
        header = self._read_header()
        if header is not None:
            self._check_header(header)
            self.columns = header
        for row in load_table(self.path):
            self.done[int(row["run_id"])] = row

    def _start(self) -> None:
        """Begin an empty table (replacing what is there, under ``force``): the sidecar first,
        then no row yet. An existing sidecar name that is not one of ours is not replaced
        without ``force``."""
        side = sidecar_path(self.path)
        if side.exists() and read_sidecar(self.path) is None and not self.force:
            raise ParameterError(
                f"--out {self.path}: {side} exists and is not a table's sidecar; move it, "
                "choose another --out, or add --force to replace it", name="out",
                value=str(self.path))
        if os.fstat(self._fd).st_size:
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)
        self._write_sidecar()

    def _write_sidecar(self) -> None:
        meta = {k: v for k, v in self.meta.items() if k not in ("kind", "columns", "units")}
        meta["signature"] = self.spec
        columns = None if self.columns is None else [column_name(k) for k in self._columns]
        units = None if self.columns is None else column_units(self.columns)
        write_sidecar(self.path, metadata(str(self.meta.get("kind", "sweep")), columns, units,
                                          **meta))
        self.wrote_sidecar = True

    def _read_header(self) -> list[str] | None:
        """Row keys of the header of the file (None if it has none)."""
        with open(self.path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(_skip_comments(fh)), None)
        return None if header is None else [key_name(unescape_text(h)) for h in header]

    def _check_header(self, header: Sequence[str]) -> None:
        if list(header[:1 + len(self.keys)]) != ["run_id", *self.keys]:
            raise self._refuse(f"has this sweep's signature but its header is "
                               f"{','.join(map(column_name, header[:6]))}...")

    def _rewrite_earlier_layout(self) -> None:
        """Bring a table of this sweep in the earlier layout (its signature in a comment line,
        numbers as Python printed them, text unescaped) to the current one: sidecar first,
        then the rows rewritten in place (the file stays locked; if this is interrupted, the
        rows lost are recomputed by the next run)."""
        with open(self.path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(_skip_comments(fh)), None)
        rows = [tidy_row(r) for r in load_table(self.path)]
        if header is not None:
            self._check_header(header)
            self.columns = list(header)
        self._write_sidecar()
        os.ftruncate(self._fd, 0)
        if self.columns is not None:
            self._write(self._lines([self._header_cells(), *(self._cells(r) for r in rows)]))
        os.fsync(self._fd)
        self.done = {int(r["run_id"]): r for r in rows}

    def _drop_torn_tail(self) -> None:
        """Cut a last row that was only partly written (the machine stopped mid-write): it is
        recomputed, never read back as a finished row with missing values."""
        size = os.fstat(self._fd).st_size
        tail = _pread(self._fd, min(size, 1 << 16), max(0, size - (1 << 16)))
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            os.ftruncate(self._fd, max(0, size - len(tail) + cut + 1))

    def _header_cells(self) -> list[str]:
        return [cell(column_name(k)) for k in self._columns]

    def _cells(self, row: Mapping[str, Any]) -> list[str]:
        return [cell(row.get(k)) for k in self._columns]

    @staticmethod
    def _lines(rows: Iterable[Sequence[str]]) -> bytes:
        buf = io.StringIO(newline="")
        csv.writer(buf).writerows(rows)
        return buf.getvalue().encode("utf-8")

    def _write(self, data: bytes) -> None:
        while data:  # one write for a row in practice; a short write is completed
            data = data[os.write(self._fd, data):]

    def append(self, row: dict[str, Any]) -> None:
        lines = []
        if self.columns is None:
            self.columns = list(row)
            self._write_sidecar()  # with the columns and their units, before the header
            lines.append(self._header_cells())
        lines.append(self._cells(row))
        self._write(self._lines(lines))
        os.fsync(self._fd)
        self.done[int(row["run_id"])] = row

    def close(self) -> None:
        """Release the lock; a file this sweep created and wrote no row to is removed, and
        its sidecar with it."""
        if self.fd is None:
            return
        empty = os.fstat(self.fd).st_size == 0
        _LOCKED_FDS.discard(self.fd)
        os.close(self.fd)
        self.fd = None
        if self.created and empty:
            _unlink(self.path)
            if self.wrote_sidecar:
                _unlink(sidecar_path(self.path))


#: Descriptors of the open, locked output files of this process. A forked pool worker closes
#: its copies at once: a lock is held as long as any copy is open, and a worker that outlives
#: an interrupted sweep must not keep the file locked against its resume.
_LOCKED_FDS: set[int] = set()


def _close_locked_fds_in_child() -> None:
    for fd in list(_LOCKED_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCKED_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_locked_fds_in_child)


#: Open without waiting for a writer (a named pipe given as --out is then refused at once).
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _set_blocking(fd: int) -> None:
    if _O_NONBLOCK:
        os.set_blocking(fd, True)


def _pread(fd: int, n: int, offset: int) -> bytes:
    """``n`` bytes of ``fd`` from ``offset`` (``os.pread`` where there is one)."""
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, n)


def _lock(fd: int, name: str) -> None:
    """An exclusive lock on ``fd`` for as long as it is open, or a ParameterError saying the
    file is in use (no waiting)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on this platform (Windows): no lock
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ParameterError(f"--out {name} is in use by another sweep or cohort; wait for it "
                             "to finish, or choose another --out", name="out",
                             value=name) from None


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _check_parquet_target(out: Path, spec: str, force: bool) -> None:
    """Refuse to replace an existing ``out`` that is not this sweep's parquet table."""
    if not out.exists() or force:
        return
    if not out.is_file():
        raise ParameterError(f"--out {out} is not a regular file", name="out", value=str(out))
    try:
        import pyarrow.parquet as pq
        meta = pq.read_schema(out).metadata or {}
    except Exception:  # noqa: BLE001 - not a parquet file at all
        meta = {}
    if meta.get(b"neuromod-sweep") != spec.encode():
        raise ParameterError(f"--out {out} exists and is not this sweep's table; choose "
                             "another --out, or add --force to replace it", name="out",
                             value=str(out))


def _write_parquet(out: Path, table: list[dict[str, Any]], spec: str,
                   meta: Mapping[str, Any]) -> None:
    """Write ``table`` to ``out`` through a temporary file in the same folder, renamed into
    place (``os.replace``): ``out`` is either the old file or the whole new table.

    Its columns are named as in the CSV (:func:`sim.tables.column_name`); its schema metadata
    holds the signature (``neuromod-sweep``) and the sidecar's document (``neuromod``: units,
    version, session, parameters)."""
    import tempfile

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = pd.DataFrame(table)
    keys = [str(c) for c in df.columns]
    df.columns = [column_name(k) for k in keys]
    extra = {k: v for k, v in meta.items()
             if k not in ("kind", "columns", "units", "signature")}
    doc = metadata(str(meta.get("kind", "sweep")), list(df.columns), column_units(keys),
                   **extra, signature=spec)
    t = pa.Table.from_pandas(df, preserve_index=False)
    t = t.replace_schema_metadata({**(t.schema.metadata or {}),
                                   b"neuromod-sweep": spec.encode(),
                                   b"neuromod": json.dumps(doc, ensure_ascii=False).encode()})
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        pq.write_table(t, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        _unlink(Path(tmp))
        raise


def check_workers(workers: int | None) -> None:
    """Raise a ParameterError unless ``workers`` is None or 1..:data:`MAX_WORKERS`."""
    if workers is None:
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or \
            not 1 <= workers <= MAX_WORKERS:
        raise ParameterError(f"workers={workers} is outside 1..{MAX_WORKERS} processes "
                             f"(4 x the {os.cpu_count() or 1} CPU cores)", name="workers",
                             value=workers)


def check_scheduler(address: str | None) -> None:
    """Raise a ParameterError unless ``address`` has the form of a Dask scheduler address:
    ``tcp://host:port`` (or tls, ucx, ws, wss; ``host:port`` means tcp), port 1..65535."""
    if address is None:
        return
    text = str(address)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    host, colon, port = rest.rpartition(":")
    ok = (scheme in SCHEDULER_SCHEMES and colon and host and port.isdigit()
          and 1 <= int(port) <= 65535 and "/" not in host and " " not in host)
    if not ok:
        raise ParameterError(f"scheduler={text!r} is not a Dask scheduler address; expected "
                             f"tcp://host:port (schemes {', '.join(SCHEDULER_SCHEMES)}, port "
                             "1..65535)", name="scheduler", value=text)


def run_sweep(session, axes: Sequence[Axis], **kwargs: Any) -> list[dict[str, Any]]:
    """Run every variant of ``session`` given by ``axes`` (their cartesian product).

    Keyword arguments are those of :func:`run_table`; returns the table sorted by run_id.
    """
    return run_table(session, make_runs(axes), **kwargs)


def run_table(session, runs: Sequence[Mapping[str, Any]], *, executor: str = "local",
              workers: int | None = None, scheduler: str | None = None,
              out: str | os.PathLike | None = None, progress: bool = True,
              runner: Callable[[Any], Mapping[str, Any]] | None = None,
              desc: str = "sweep", force: bool | None = None,
              meta: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run each variant of ``session`` in ``runs``; return the table sorted by run_id.

    Parameters
    ----------
    session : Session
        The base session.
    runs : sequence of mapping
        One mapping of declared parameter values per run (e.g. :func:`make_runs` of the axes
        of :func:`parse_vary`, or the virtual patients of :mod:`sim.cohort`).
    executor : {"local", "processes", "dask"}
        Where runs execute. Results are identical whichever is used.
    workers : int, optional
        Processes (``processes``) or workers of the ``LocalCluster`` (``dask``); default: the
        machine's cores.
    scheduler : str, optional
        Address of an existing Dask scheduler (``tcp://host:8786``) instead of a LocalCluster.
    out : path, optional
        CSV file the rows are streamed to as they finish, locked while this runs, with its
        metadata in the JSON sidecar ``<out>.json`` (:mod:`sim.tables`); a ``.parquet`` path
        is written at the end (to a temporary file, then renamed; metadata in its schema)
        from the streamed CSV (kept beside it as ``<name>.partial.csv``). If the file holds
        rows of the same sweep, they are kept and not recomputed (resume); any other existing
        file is refused (a :class:`ParameterError` naming it), unless ``force``.
    progress : bool
        Show a tqdm progress bar with ETA (the notebook widget inside Jupyter).
    runner : callable, optional
        ``runner(session) -> mapping`` of metrics; default: ``run_session(session).summary``.
        Must be picklable for the process and Dask executors.
    desc : str
        Label of the progress bar.
    force : bool, optional
        Replace an existing ``out`` that is not this sweep's (default: refuse; inside
        :func:`replacing_outputs`, replace).
    meta : mapping, optional
        What else the sidecar (and Parquet metadata) of ``out`` records, as JSON types: its
        ``kind`` (default ``"sweep"``; ``"cohort"``), the seed, the ``--vary`` specifications...
        The signature, the base session, the varied parameters, the number of runs, the
        columns and their units are always recorded.

    Returns
    -------
    list of dict
        One row per run: ``run_id``, the run's values, its metrics; floats to 12 significant
        digits (:func:`sim.tables.tidy`), as the file holds them.
    """
    if executor not in EXECUTORS:
        raise ParameterError(f"executor={executor!r} is not one of {', '.join(EXECUTORS)}",
                             name="executor", value=executor)
    check_workers(workers)
    check_scheduler(scheduler)
    force = _FORCE.get() if force is None else bool(force)
    runs = [dict(r) for r in runs]
    doc = session.to_json()
    spec = _spec_hash(doc, runs)
    keys = tuple(runs[0]) if runs else ()
    info = {"kind": "sweep", **(meta or {}), "varied": list(keys), "runs": len(runs),
            "session": session.to_dict()}
    writer = None
    if out is not None:
        out = Path(out)
        if out.suffix == ".parquet":
            _check_parquet_target(out, spec, force)
        writer = _Writer(table_path(out), spec=spec, keys=keys, force=force, meta=info)
        writer.open()
    try:
        done: dict[int, dict] = dict(writer.done) if writer else {}
        todo = [(i, v) for i, v in enumerate(runs) if i not in done]

        bar = _progress_bar(len(runs), len(done), progress, desc)

        def finish(row: dict[str, Any]) -> None:
            done[int(row["run_id"])] = row
            if writer:
                writer.append(row)
            bar.update(1)

        try:
            if executor == "local":
                for i, v in todo:
                    finish(_summary_row(doc, v, i, runner))
            elif executor == "processes":
                _run_pool(todo, doc, runner, workers, finish)
            else:
                _run_dask(todo, doc, runner, workers, scheduler, finish)
        finally:
            bar.close()
        table = [done[i] for i in sorted(done)]
        if out is not None and out.suffix == ".parquet":
            _write_parquet(out, table, spec, info)
    finally:
        if writer is not None:
            writer.close()
    return table


def _progress_bar(total: int, initial: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm
    return tqdm(total=total, initial=initial, disable=not enabled, unit="run",
                desc=desc, dynamic_ncols=True)


def _summary_rows(session_json: str, chunk: Sequence[tuple[int, Mapping[str, Any]]],
                  runner: Callable[[Any], Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Run a chunk of variants in one task (amortises task overhead in pools and Dask)."""
    return [_summary_row(session_json, v, i, runner) for i, v in chunk]


def _chunks(todo: Sequence, workers: int) -> list[list]:
    """Split ``todo`` into chunks: about 8 per worker, at most 32 runs each, so that rows still
    stream to the table and a lost chunk costs little."""
    size = max(1, min(32, len(todo) // (8 * max(1, workers)) or 1))
    return [list(todo[i:i + size]) for i in range(0, len(todo), size)]


def _run_pool(todo, doc, runner, workers, finish) -> None:
    """Run ``todo`` on a process pool; a pool broken by a dead worker process is replaced (at
    most :data:`POOL_RESTARTS` times) and only the unfinished runs go to the new one."""
    n = workers or os.cpu_count() or 1
    remaining = dict(todo)

    def done(row: dict[str, Any]) -> None:
        remaining.pop(int(row["run_id"]), None)
        finish(row)

    for attempt in range(POOL_RESTARTS + 1):
        try:
            _pool_pass(list(remaining.items()), doc, runner, n, done)
            return
        except BrokenProcessPool as exc:
            if attempt == POOL_RESTARTS:
                raise RuntimeError(
                    f"a worker process died {attempt + 1} times; {len(remaining)} runs are "
                    "unfinished (every finished row is kept: run the same sweep again to "
                    "resume)") from exc
            warnings.warn(f"a worker process died; restarting the pool for the "
                          f"{len(remaining)} unfinished runs", RuntimeWarning, stacklevel=2)


def _pool_pass(todo, doc, runner, n, finish) -> None:
    """One process pool over ``todo``. Rows of every chunk that finished are passed to
    ``finish`` before any error is raised. On an interrupt (Ctrl-C) or an error, queued chunks
    are cancelled at once instead of being run to the end and thrown away."""
    pool = ProcessPoolExecutor(max_workers=n, initializer=_die_with_parent,
                               initargs=(os.getpid(),))
    try:
        pending = {pool.submit(_summary_rows, doc, c, runner) for c in _chunks(todo, n)}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            error = _finish_chunks(finished, finish)
            if error is not None:
                if isinstance(error, BrokenProcessPool):
                    # chunks that completed before the break still hold their rows
                    finished, pending = wait(pending, timeout=30)
                    _finish_chunks(finished, finish)
                raise error
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now. Leaving (Ctrl+C, SIGTERM, an error), the chunks
    they are running would be thrown away anyway, and without this the interpreter's exit
    waits for each running chunk to finish (tens of seconds on a busy machine). Every finished
    row is already on disk."""
    # the worker processes of the pool (``_processes``: there is no public handle before
    # Python 3.14's ``ProcessPoolExecutor.terminate_workers``)
    procs = getattr(pool, "_processes", None) or {}
    for proc in list(procs.values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in list(procs.values()):
        with contextlib.suppress(Exception):
            proc.join(timeout=5)


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: this worker process ends when the process that started the pool
    ends, however it ends (Ctrl+C, SIGTERM, SIGKILL, a crash), so no orphan keeps computing.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread looks at the parent every :data:`PARENT_WATCH_S` seconds and
    ends the worker once it has gone (the worker is re-parented). A parent that died before
    this ran is caught at once.
    """
    _set_parent_death_signal(signal.SIGKILL)
    ppid = os.getppid()
    if ppid != parent_pid and not _pid_alive(parent_pid):
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(ppid, parent_pid), daemon=True,
                     name="parent-watch").start()


def _set_parent_death_signal(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent dies; False elsewhere."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(sig), 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl (macOS, Windows): the watch thread alone
        return False


def _watch_parent(ppid: int, parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_WATCH_S)
        if os.getppid() != ppid or (ppid != parent_pid and not _pid_alive(parent_pid)):
            os._exit(1)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _finish_chunks(futures, finish) -> BaseException | None:
    """Pass the rows of each successful future to ``finish``; return the first error."""
    error = None
    for f in futures:
        exc = f.exception()
        if exc is not None:
            error = error or exc
            continue
        for row in f.result():
            finish(row)
    return error


def _run_dask(todo, doc, runner, workers, scheduler, finish) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ParameterError("executor='dask' needs the distributed extra: pip install "
                             "'neuromod-sim[distributed]'", name="executor",
                             value="dask") from None
    cluster = None
    own = True
    reused = _client_of_this_process(scheduler) if scheduler else None
    if reused is not None:
        # a notebook's own Client of the same scheduler: two clients in one process race
        # when a lost worker's results are rescheduled (an asyncio event bound to the other
        # client's loop), so use it, and leave it open
        client, own = reused, False
    elif scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise ParameterError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                                 f"{SCHEDULER_TIMEOUT_S:g} s ({type(exc).__name__}); is it "
                                 "running, and is the address right?", name="scheduler",
                                 value=scheduler) from None
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        n = workers or len(client.scheduler_info().get("workers", {})) or 1
        # Only the as_completed iterator holds the futures, and each is released once its
        # rows are written: the scheduler then forgets it, so a worker lost later does not
        # make Dask recompute results that are already on disk.
        for fut in as_completed([client.submit(_summary_rows, doc, c, runner, pure=False,
                                               retries=2) for c in _chunks(todo, n)]):
            rows = fut.result()
            fut.release()
            for row in rows:
                finish(row)
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


def _client_of_this_process(scheduler: str) -> Any:
    """This process's default Dask client if it is connected to ``scheduler``, else None."""
    from distributed import default_client
    try:
        client = default_client()
    except ValueError:  # no client in this process
        return None
    try:
        address = client.scheduler.address
    except AttributeError:  # pragma: no cover - a client without a scheduler connection
        return None
    if client.status != "running" or address != scheduler:
        return None
    return client
