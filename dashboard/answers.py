"""The answers of a lecture: one SQLite file in WAL mode that every server worker shares.

One file per lecture holds:

* ``answers``: one row per (lesson, step, student), with a UNIQUE constraint: a retried or
  changed answer replaces that student's row, so every student counts once per step;
* ``lecture``: one row, the lecture's state (lesson, current step, whether the answer is
  revealed), so every worker (``--workers N``) serves the same step, and a worker that is
  killed and restarted finds it again.

Each write is one short transaction, committed before the request is answered: an answer
the server acknowledged is in the file, whichever worker took it and whatever happens to that
worker afterwards. WAL mode lets readers (the presenter's histogram, the students' polls) run
while a writer commits; writers wait for each other up to :data:`BUSY_TIMEOUT_MS`.

No Dash import: the handout and the tests read the same store.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.lesson import Lesson

__all__ = ["AnswerStore", "LectureState", "AnswerRow", "BUSY_TIMEOUT_MS", "CSV_COLUMNS",
           "histogram", "answer_bin", "NUMBER_BINS", "student_id"]

#: Bins of a number question's histogram (between the question's min and max).
NUMBER_BINS = 10

#: How long a write waits for another worker's write to finish [ms] before failing.
BUSY_TIMEOUT_MS = 10_000
#: Columns of the answers' CSV export (units in the names; the answer's unit in ``unit``).
CSV_COLUMNS = ("lesson", "step", "student", "answer", "answer_text", "unit",
               "answered_unix_s")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    lesson TEXT NOT NULL,
    step INTEGER NOT NULL,
    student TEXT NOT NULL,
    value REAL NOT NULL,
    answered_unix_s REAL NOT NULL,
    UNIQUE (lesson, step, student)
);
CREATE TABLE IF NOT EXISTS lecture (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    lesson TEXT NOT NULL,
    step INTEGER NOT NULL,
    revealed INTEGER NOT NULL,
    version INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class LectureState:
    """Where the lecture is.

    Attributes
    ----------
    lesson : str
        Name of the lesson shown.
    step : int
        Current step (0-based).
    revealed : bool
        Whether the model's answer (and the simulation) is shown; answers are closed.
    version : int
        Increases with every change (clients redraw when it changes).
    """

    lesson: str
    step: int
    revealed: bool
    version: int


@dataclass(frozen=True)
class AnswerRow:
    """One student's answer to one step (``student``: an anonymous short id)."""

    lesson: str
    step: int
    student: str
    value: float
    answered_unix_s: float


def student_id(cookie: str) -> str:
    """The anonymous id a student's answers are kept under: a hash of their browser's
    random cookie (the cookie itself, which lets them change an answer, is never stored)."""
    return hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()[:16]


class AnswerStore:
    """The lecture's SQLite file (created with its tables if new; WAL mode).

    Connections are per thread (SQLite connections are not shared between threads) and
    opened on first use in each process, so the store may be created before gunicorn forks.
    """

    def __init__(self, path: str | os.PathLike, lesson: str = "") -> None:
        self.path = Path(path)
        self._local = threading.local()
        con = self._con()
        with con:
            con.executescript(_SCHEMA)
            if lesson:
                con.execute("INSERT OR IGNORE INTO lecture VALUES (1, ?, 0, 0, 1)", (lesson,))

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        # a connection opened before gunicorn forked belongs to the parent: never reuse it
        if con is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                  isolation_level=None, check_same_thread=False)
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: a commit survives the death of any process (the pages are
            # in the operating system's cache); only a power cut may lose the last commits.
            con.execute("PRAGMA synchronous = NORMAL")
            self._local.con, self._local.pid = con, os.getpid()
        return con

    def journal_mode(self) -> str:
        return str(self._con().execute("PRAGMA journal_mode").fetchone()[0])

    # -- the lecture's state ------------------------------------------------------------
    def state(self) -> LectureState | None:
        row = self._con().execute(
            "SELECT lesson, step, revealed, version FROM lecture WHERE id = 1").fetchone()
        return None if row is None else LectureState(row[0], int(row[1]), bool(row[2]),
                                                     int(row[3]))

    def set_state(self, lesson: str, step: int, revealed: bool) -> LectureState:
        """Move the lecture (presenter only: the web layer checks the token)."""
        con = self._con()
        with con:
            con.execute("INSERT INTO lecture VALUES (1, ?, ?, ?, 1) ON CONFLICT (id) DO UPDATE "
                        "SET lesson = excluded.lesson, step = excluded.step, "
                        "revealed = excluded.revealed, version = lecture.version + 1",
                        (lesson, int(step), int(bool(revealed))))
        state = self.state()
        assert state is not None
        return state

    # -- answers ---------------------------------------------------------------------------
    def record(self, lesson: str, step: int, student: str, value: float,
               open_step: tuple[str, int] | None = None) -> bool:
        """Store ``student``'s answer (their earlier answer to the step is replaced). With
        ``open_step``, only while the lecture is at that (lesson, step) and not revealed,
        checked in the same transaction. Returns whether it was stored."""
        con = self._con()
        now = time.time()
        with con:
            if open_step is not None:
                cur = con.execute("INSERT INTO answers SELECT ?, ?, ?, ?, ? FROM lecture "
                                  "WHERE id = 1 AND lesson = ? AND step = ? AND revealed = 0 "
                                  "ON CONFLICT (lesson, step, student) DO UPDATE SET "
                                  "value = excluded.value, "
                                  "answered_unix_s = excluded.answered_unix_s",
                                  (lesson, step, student, value, now, *open_step))
            else:
                cur = con.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?) "
                                  "ON CONFLICT (lesson, step, student) DO UPDATE SET "
                                  "value = excluded.value, "
                                  "answered_unix_s = excluded.answered_unix_s",
                                  (lesson, step, student, value, now))
            return cur.rowcount > 0

    def values(self, lesson: str, step: int) -> list[float]:
        """Every student's answer to a step (one per student)."""
        return [float(r[0]) for r in self._con().execute(
            "SELECT value FROM answers WHERE lesson = ? AND step = ?", (lesson, step))]

    def count(self, lesson: str, step: int) -> int:
        return int(self._con().execute("SELECT COUNT(*) FROM answers WHERE lesson = ? AND "
                                       "step = ?", (lesson, step)).fetchone()[0])

    def rows(self) -> list[AnswerRow]:
        """Every answer, by lesson, step and time."""
        return [AnswerRow(r[0], int(r[1]), r[2], float(r[3]), float(r[4]))
                for r in self._con().execute(
                    "SELECT lesson, step, student, value, answered_unix_s FROM answers "
                    "ORDER BY lesson, step, answered_unix_s, student")]

    def to_csv(self, describe=None, path: str | os.PathLike | None = None) -> str:
        """The answers as a plain table in the layout of every export (:mod:`sim.tables`):
        one header row, numbers to 12 significant digits, text escaped against spreadsheet
        formulas; ``step`` counts from 1 as the presenter shows it. ``describe(lesson,
        step, value)`` gives ``(answer_text, unit)``. Written to ``path`` if given, with its
        JSON sidecar."""
        from sim import tables

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in self.rows():
            text, unit = describe(r.lesson, r.step, r.value) if describe else ("", "")
            w.writerow([tables.cell(x) for x in (r.lesson, r.step + 1, r.student, r.value,
                                                 text, unit, r.answered_unix_s)])
        out = buf.getvalue()
        if path is not None:
            units = {"lesson": "", "step": "", "student": "", "answer": None,
                     "answer_text": "", "unit": "", "answered_unix_s": "s"}
            tables.write_csv(path, out, tables.metadata("lecture-answers", CSV_COLUMNS, units,
                                                        database=str(self.path)))
        return out


def histogram(lesson: Lesson, step: int, values: list[float]) -> dict[str, Any]:
    """The class's answers to ``step`` as bars: ``labels`` and ``counts`` (choices: one bar
    each; numbers: :data:`NUMBER_BINS` equal bins from the question's min to max, the max in
    the last), with ``total``."""
    q = lesson.steps[step].question
    if q is None:
        return {"labels": [], "counts": [], "total": 0}
    if q.kind == "choice":
        counts = [0] * len(q.choices)
        for v in values:
            counts[int(v)] += 1
        return {"labels": [c.label for c in q.choices], "counts": counts, "total": len(values)}
    width = (q.max - q.min) / NUMBER_BINS
    counts = [0] * NUMBER_BINS
    for v in values:
        counts[min(NUMBER_BINS - 1, max(0, int((v - q.min) / width)))] += 1
    labels = [f"{q.min + i * width:.3g} to {q.min + (i + 1) * width:.3g}"
              for i in range(NUMBER_BINS)]
    return {"labels": labels, "counts": counts, "total": len(values), "unit": q.unit}


def answer_bin(lesson: Lesson, step: int) -> int | None:
    """The bar of the model's answer (the right choice, or the number's bin)."""
    q, a = lesson.steps[step].question, lesson.answer(step)
    if q is None or a is None or not math.isfinite(a.value):
        return None
    if q.kind == "choice":
        return int(a.value)
    if not q.min <= a.value <= q.max:
        return None
    return min(NUMBER_BINS - 1, int((a.value - q.min) / ((q.max - q.min) / NUMBER_BINS)))
