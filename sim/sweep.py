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

Sweep specifications (CLI ``--vary``)::

    rate_hz=2:1000:log:30        30 log-spaced values from 2 to 1000 Hz
    amplitude_mA=0:6:13          13 evenly spaced values from 0 to 6 mA
    amplitude_mA=0:6:random:20   20 seeded uniform random values (log-uniform for log params)
    pulses_per_burst=3,5,7       an explicit list
"""
from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import json
import math
import os
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from sim.params import PARAMETERS, ParameterError, _fmt

__all__ = ["Axis", "parse_vary", "make_runs", "apply_values", "run_sweep", "run_table",
           "load_table", "EXECUTORS", "SWEEPABLE_GROUPS", "POOL_RESTARTS"]

#: Executors accepted by :func:`run_sweep`.
EXECUTORS = ("local", "processes", "dask")
#: Declaration groups whose parameters a sweep may vary.
SWEEPABLE_GROUPS = ("program", "patient", "session", "model", "safety", "treatment")
#: Most runs one sweep may hold (a 100 x 100 x 100 grid is 1e6; keep sweeps deliberate).
MAX_RUNS = 1_000_000
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


def parse_vary(text: str, *, seed: int = 0) -> Axis:
    """Parse one ``--vary`` specification into an :class:`Axis`.

    Raises
    ------
    ParameterError
        Unknown or non-sweepable parameter, malformed or empty range, or any value outside the
        parameter's declared range (checked before any run starts).
    """
    if "=" not in text:
        raise ParameterError(f"--vary {text!r} must look like name=start:stop:count, "
                             "name=start:stop:log:count, name=start:stop:random:count or "
                             "name=v1,v2,...", value=text)
    name, spec = (s.strip() for s in text.split("=", 1))
    if name not in PARAMETERS or PARAMETERS[name].group not in SWEEPABLE_GROUPS:
        sweepable = [n for n, p in PARAMETERS.items() if p.group in SWEEPABLE_GROUPS]
        raise ParameterError(f"--vary {name}: unknown or non-sweepable parameter; sweepable: "
                             f"{', '.join(sweepable)}", name=name, value=spec)
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
        values = tuple(p.validate(float(v) if p.kind != "int" else int(v)) for v in raw)
    else:
        items = [s.strip() for s in spec.split(",") if s.strip()]
        if not items:
            raise ParameterError(f"--vary {name}: no values given", name=name, value=spec)
        from sim.params import parse_assignment
        values = tuple(parse_assignment(f"{name}={item}")[1] for item in items)
    return Axis(name, values)


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def make_runs(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Cartesian product of the axes: one dict of parameter values per run, in a fixed order."""
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ParameterError(f"--vary {dup} is given twice", name=dup)
    n = math.prod(len(a.values) for a in axes) if axes else 1
    if n > MAX_RUNS:
        raise ParameterError(f"the sweep has {n} runs; at most {MAX_RUNS} are allowed",
                             name="vary", value=n)
    return [dict(zip(names, combo)) for combo in itertools.product(*(a.values for a in axes))]


def apply_values(session, values: Mapping[str, Any]):
    """A copy of ``session`` with declared parameter ``values`` placed where they belong
    (program, patient, options, the session itself, or every treatment that takes them),
    validated as a whole. A new ``duration_s`` scales event and treatment start times with
    it."""
    from sim.session import Session  # local import: keeps sweep importable alone

    prog, pat, opts, top, treat = {}, {}, {}, {}, {}
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
    return {"run_id": run_id, **values, **metrics}


def _spec_hash(session_json: str, runs: Sequence[Mapping[str, Any]]) -> str:
    h = hashlib.sha256(session_json.encode())
    h.update(json.dumps(list(runs), sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def load_table(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Reload a sweep table (CSV or Parquet) as a list of row dicts with numbers parsed."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pandas as pd
        return pd.read_parquet(path).to_dict("records")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(_skip_comments(fh))]
    return [{k: _parse_cell(v) for k, v in r.items()} for r in rows]


def _skip_comments(lines: Iterable[str]) -> Iterator[str]:
    return (ln for ln in lines if not ln.startswith("#"))


def _parse_cell(v: str) -> Any:
    if v == "":  # None (an undefined metric, e.g. no pain to reduce) is written as ""
        return None
    if v in ("True", "False"):
        return v == "True"
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f


@dataclass
class _Writer:
    """Appends finished rows to a CSV immediately (flush + fsync): nothing finished is lost."""

    path: Path
    header: list[str] | None = None
    spec: str = ""
    done: dict[int, dict] = field(default_factory=dict)

    def load_existing(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, newline="", encoding="utf-8") as fh:
            first = fh.readline()
        if first.strip() != f"# neuromod-sweep {self.spec}":
            raise ParameterError(
                f"{self.path} holds the results of a different sweep; choose another --out "
                "or delete it", name="out", value=str(self.path))
        self._drop_torn_tail()
        for row in load_table(self.path):
            self.done[int(row["run_id"])] = row

    def _drop_torn_tail(self) -> None:
        """Cut a last row that was only partly written (the machine stopped mid-write): it is
        recomputed, never read back as a finished row with missing values."""
        with open(self.path, "rb+") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                fh.truncate(data.rfind(b"\n") + 1)

    def append(self, row: dict[str, Any]) -> None:
        new = not self.path.exists()
        if self.header is None:
            self.header = list(row)
        with open(self.path, "a", newline="", encoding="utf-8") as fh:
            if new:
                fh.write(f"# neuromod-sweep {self.spec}\n")
                csv.DictWriter(fh, self.header).writeheader()
            csv.DictWriter(fh, self.header, extrasaction="ignore").writerow(row)
            fh.flush()
            os.fsync(fh.fileno())
        self.done[int(row["run_id"])] = row


def run_sweep(session, axes: Sequence[Axis], **kwargs: Any) -> list[dict[str, Any]]:
    """Run every variant of ``session`` given by ``axes`` (their cartesian product).

    Keyword arguments are those of :func:`run_table`; returns the table sorted by run_id.
    """
    return run_table(session, make_runs(axes), **kwargs)


def run_table(session, runs: Sequence[Mapping[str, Any]], *, executor: str = "local",
              workers: int | None = None, scheduler: str | None = None,
              out: str | os.PathLike | None = None, progress: bool = True,
              runner: Callable[[Any], Mapping[str, Any]] | None = None,
              desc: str = "sweep") -> list[dict[str, Any]]:
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
        CSV file the rows are streamed to as they finish; a ``.parquet`` path is written at the
        end from the streamed CSV (kept beside it as ``<name>.partial.csv``). If the file holds
        rows of the same sweep, they are kept and not recomputed (resume).
    progress : bool
        Show a tqdm progress bar with ETA (the notebook widget inside Jupyter).
    runner : callable, optional
        ``runner(session) -> mapping`` of metrics; default: ``run_session(session).summary``.
        Must be picklable for the process and Dask executors.
    desc : str
        Label of the progress bar.
    """
    if executor not in EXECUTORS:
        raise ParameterError(f"executor={executor!r} is not one of {', '.join(EXECUTORS)}",
                             name="executor", value=executor)
    runs = [dict(r) for r in runs]
    doc = session.to_json()
    spec = _spec_hash(doc, runs)
    writer = None
    if out is not None:
        out = Path(out)
        csv_path = out.with_suffix(".partial.csv") if out.suffix == ".parquet" else out
        writer = _Writer(csv_path, spec=spec)
        writer.load_existing()
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
    if out is not None and Path(out).suffix == ".parquet":
        import pandas as pd
        pd.DataFrame(table).to_parquet(out, index=False)
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
    pool = ProcessPoolExecutor(max_workers=n)
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
        raise
    pool.shutdown(wait=True)


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
    if scheduler:
        client = Client(scheduler)
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
        client.close()
        if cluster is not None:
            cluster.close()
