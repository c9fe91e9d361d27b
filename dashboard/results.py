"""Memoised calls into the :mod:`sim` core.

Every function here is a pure function of frozen, hashable core objects (:class:`Program`,
:class:`Patient`, :class:`Session`), so module-level caches hold results only, never a user's
settings: two users with the same settings share a cached result, nothing else.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from sim import recruitment
from sim.patients import Patient
from sim.safety import SafetyReport, safety_report
from sim.session import ModelOptions, Session, run_session
from sim.waveforms import Program

__all__ = ["safety", "session_result", "fibre_view", "gate_activity_at", "RateView",
           "rate_response_view"]


@lru_cache(maxsize=256)
def safety(program: Program, options: ModelOptions) -> SafetyReport:
    """Safety and energy report of ``program`` under the limits in ``options`` (memoised)."""
    return safety_report(program, shannon_k_limit=options.shannon_k_limit,
                         density_limit_uC_per_cm2=options.density_limit_uC_per_cm2)


class _KeyLocks:
    """One lock per key, alive while someone holds or waits for it (thread-safe)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Any, list] = {}  # key -> [lock, holders and waiters]

    @contextmanager
    def hold(self, key: Any) -> Iterator[None]:
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]


_run_locks = _KeyLocks()


@lru_cache(maxsize=32)
def _run(session: Session) -> Any:
    return run_session(session)


def session_result(session: Session) -> Any:
    """``run_session(session)`` (memoised).

    Requests served by parallel threads may ask for the same session at once (a class on one
    preset): a lock per session makes the later ones wait for the first's cached result
    instead of computing it again, while different sessions run side by side.
    """
    with _run_locks.hold(session):
        return _run(session)


#: Recruitment and strength-duration curves of a program on a patient (memoised in
#: :func:`sim.recruitment.fibre_view`).
fibre_view = recruitment.fibre_view


def gate_activity_at(result: Any, t_s: float) -> dict[str, float] | None:
    """Values of the gate's series at the sample nearest to ``t_s`` [s] (``None`` without a
    result). Keys are the series names of ``SessionResult.series`` plus ``t_s``."""
    if result is None:
        return None
    import numpy as np

    t = np.asarray(result.t_s)
    if t.size == 0:
        return None
    i = int(np.clip(np.searchsorted(t, t_s), 0, t.size - 1))
    out = {name: float(np.asarray(y)[i]) for name, y in result.series.items()}
    out["t_s"] = float(t[i])
    return out


@dataclass(frozen=True)
class RateView:
    """What the rate-response figure draws (:func:`dashboard.figures.rate_response_figure`).

    Attributes
    ----------
    published : sim.rate_response.RateResponse
        The published protocol with normal inhibition.
    reduced : RateResponse or None
        The same protocol with the patient's inhibition, when it is weaker than normal.
    patient : RateResponse or None
        The patient on their own program at each rate (None with stimulation off).
    current_rate_hz : float or None
        The program's rate.
    """

    published: Any
    reduced: Any
    patient: Any
    current_rate_hz: float | None


@lru_cache(maxsize=64)
def _published(inhibition_efficacy: float) -> Any:
    from sim.rate_response import published_rate_response
    return published_rate_response(_RATE_GRID, Patient(inhibition_efficacy=inhibition_efficacy))


#: Rates of the published curves [Hz]: 40 per decade from 2 Hz to 1.2 kHz.
_RATE_GRID = tuple(float(f) for f in np.geomspace(2.0, 1200.0, 112))


@lru_cache(maxsize=64)
def rate_response_view(session: Session) -> RateView:
    """The curves of the rate-response figure for ``session`` (memoised)."""
    from sim.rate_response import session_rate_response
    g = session.patient.inhibition_efficacy
    prog = session.program
    patient = session_rate_response(session) if prog.is_active else None
    return RateView(_published(1.0), _published(g) if g < 1.0 else None, patient,
                    prog.rate_hz if prog.is_active else None)
