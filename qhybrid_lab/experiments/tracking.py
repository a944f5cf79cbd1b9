"""Experiments: every run of a loop grouped under one name, and each iteration recorded with where the time went.

``with qhybrid_lab.experiment("qaoa-maxcut") as exp:`` makes every ``run()`` (and ``%%qrun``) inside it part of the
experiment (the records' ``experiment`` field); ``exp.record(parameters, value, stderr)`` appends an iteration to
its trace in the run log with the jobs submitted since the previous one, their cost, and the latency breakdown:
the classical side (the time outside the quantum calls) against transpile, submit, queue, run and retrieve of the
jobs. :func:`~qhybrid_lab.experiments.minimize` does all of this for an optimizer loop.
"""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

from ..jobs.context import current_experiment as _current

LATENCY_PARTS = ("transpile", "submit", "queue", "run", "retrieve")
"""The quantum side of an iteration's latency, from its jobs' timings; ``classical`` is the rest of the wall time."""


def current_experiment() -> Experiment | None:
    """The experiment of the ``with experiment(...)`` block this code runs in, if any."""
    return _current.get()  # type: ignore[return-value]


class Experiment:
    """A named group of runs with an ordered trace, kept in the run log (``experiment(name)`` makes one).

    Opening an experiment that exists continues it: its trace goes on from the last iteration.

    Example:
        >>> with experiment("scan") as exp:
        ...     for theta in (0.0, 0.5, 1.0):
        ...         counts = run(ansatz.assign_parameters([theta]), "aer").result()["ansatz"]["aer"]
        ...         exp.record([theta], value=counts.get("1", 0) / 1024)
        >>> exp.best["parameters"]
        [0.0]
    """

    def __init__(self, name: str, *, settings: dict | None = None, log: Any = None) -> None:
        from ..jobs.submission import owner_id
        from ..runlog import open_runlog

        self.log = log if log is not None else open_runlog()
        self.name = name
        self.owner = owner_id()
        self._settings = dict(settings or {})
        self._lock = threading.Lock()
        self._jobs: list[Any] = []
        self._stop: str | None = None
        self._token: contextvars.Token | None = None
        self._mark = time.time()
        self.started = time.time()
        self.open()

    def open(self) -> None:
        """Mark the experiment running (and owned by this process) in the run log."""
        self.log.open_experiment(self.name, owner=self.owner, settings=self._settings)
        self.started = self._mark = time.time()

    def __repr__(self) -> str:
        return f"<Experiment {self.name!r}: {self.iterations} iterations>"

    # -- the context -------------------------------------------------------------------------------------------

    def __enter__(self) -> Experiment:
        self._token = _current.set(self)
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        if error is not None and not isinstance(error, KeyboardInterrupt):
            self.finish("failed", f"{type(error).__name__}: {error}")
        elif self.log.experiment(self.name).get("status") == "running":
            self.finish("stopped" if self._stop or error is not None else "finished", self._stop)

    def finish(self, status: str, message: str | None = None) -> None:
        """Record the experiment's end (finished, stopped or failed) and why."""
        self.log.update_experiment(
            self.name, {"status": status, "message": message, "seconds": time.time() - self.started}
        )

    # -- what happened ---------------------------------------------------------------------------------------

    def note_jobs(self, jobs: list[Any]) -> None:
        """Jobs submitted inside the experiment (``run()`` calls this): they belong to the next iteration."""
        with self._lock:
            self._jobs.extend(jobs)

    def record(
        self, parameters: Any, value: float | None, stderr: float | None = None, *, extra: dict | None = None
    ) -> dict:
        """Append one iteration: its parameters, objective ± standard error, jobs, cost and latency breakdown.

        The jobs are those submitted since the previous iteration (waited for, so their timings are known);
        ``classical`` is the iteration's wall time not spent in them (the optimizer, the user's own code).
        """
        with self._lock:
            jobs, self._jobs = self._jobs, []
        now = time.time()
        records = [job.final().record for job in jobs if job.done()]
        latency = {
            part: sum(float((r.get("timings") or {}).get(part) or 0.0) for r in records) for part in LATENCY_PARTS
        }
        wall = now - self._mark
        quantum_wall = _covered(records)
        latency["classical"] = max(0.0, wall - quantum_wall)
        latency["wall"] = wall
        iteration = {
            "parameters": _plain(parameters),
            "value": None if value is None else float(value),
            "stderr": None if stderr is None else float(stderr),
            "jobs": len(records),
            "job_ids": [r["id"] for r in records],
            "shots": sum(_shots(r) for r in records),
            "cost": sum(_cost(r) for r in records),
            "hardware_equivalent": sum(_hardware(r) for r in records),
            "backends": sorted({r["backend"]["name"] for r in records}),
            "fallbacks": sum(1 for job in jobs if job.final() is not job),
            "seconds": wall,
            "latency": latency,
            "at": now,
            **(extra or {}),
        }
        self._mark = time.time()
        return self.log.add_iteration(self.name, iteration)

    # -- stopping ---------------------------------------------------------------------------------------------

    def stop(self, reason: str = "stopped by the user") -> None:
        """Ask the loop to stop after its current iteration (the cell's Stop button, the sidebar)."""
        self._stop = reason

    @property
    def stop_requested(self) -> str | None:
        """Why the loop should stop now (this process's ``stop()`` or the sidebar's request), else None."""
        if self._stop is None:
            request = self.log.experiment(self.name).get("stop_requested")
            if request:
                self._stop = f"stopped from the {request.get('by', 'sidebar')}"
        return self._stop

    # -- reading ------------------------------------------------------------------------------------------------

    @property
    def trace(self) -> list[dict]:
        """Every iteration recorded so far, in order (from the run log: it survives a kernel restart)."""
        return self.log.iterations(self.name)

    @property
    def iterations(self) -> int:
        """How many iterations are recorded."""
        return int(self.log.experiment(self.name).get("iterations") or 0)

    @property
    def best(self) -> dict | None:
        """The iteration with the lowest value: ``{"n", "value", "stderr", "parameters"}``."""
        return self.log.experiment(self.name).get("best")

    @property
    def summary(self) -> dict:
        """The experiment document: status, best, totals (cost, seconds, jobs, shots), settings, message."""
        return self.log.experiment(self.name)


def experiment(name: str, **settings: Any) -> Experiment:
    """Open (or continue) the experiment ``name``; use it as a context manager around the loop.

    Example:
        >>> with qhybrid_lab.experiment("qaoa-maxcut", layers=2) as exp:
        ...     ...
    """
    return Experiment(name, settings=settings)


def load_experiment(name: str) -> dict:
    """An experiment and its whole trace, as recorded (any kernel, also after a restart)."""
    from ..runlog import open_runlog

    log = open_runlog()
    return {**log.experiment(name), "trace": log.iterations(name)}


def _covered(records: list[dict]) -> float:
    """Seconds of wall time during which at least one of the jobs was in flight (overlaps counted once)."""
    spans = sorted(
        (float(r["created"]), float((r.get("timings") or {}).get("finished_at") or r["created"]))
        for r in records
        if r.get("created")
    )
    total, end = 0.0, float("-inf")
    for start, stop in spans:
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


def _shots(record: dict) -> int:
    points = len((record.get("parameters") or {}).get("values") or [None])
    return int(record.get("shots") or 0) * points


def _cost(record: dict) -> float:
    cost = record.get("cost") or {}
    value = cost.get("actual") if cost.get("actual") is not None else cost.get("estimate")
    return float(value or 0.0)


def _hardware(record: dict) -> float:
    return float((record.get("cost") or {}).get("hardware_equivalent") or 0.0)


def _plain(parameters: Any) -> Any:
    if hasattr(parameters, "tolist"):
        return parameters.tolist()
    if isinstance(parameters, (list, tuple)):
        return [_plain(p) for p in parameters]
    if hasattr(parameters, "item"):
        return parameters.item()
    return parameters


__all__ = ["LATENCY_PARTS", "Experiment", "current_experiment", "experiment", "load_experiment"]
