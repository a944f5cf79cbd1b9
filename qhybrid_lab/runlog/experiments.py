"""Experiments: named groups of runs with an ordered trace of iterations, beside the runs (a RunLog mixin).

An experiment is one document in the ``experiments`` table, keyed by its name; each iteration of its loop is one
document in ``iterations`` (keyed ``<name>\\x00<number>``), so recording an iteration appends one small line
instead of rewriting a growing trace. Stop requests (from the sidebar) are a field of the experiment that the loop
reads between iterations.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, UnknownExperiment

if TYPE_CHECKING:
    from .database import LogTable
    from .storage import JsonLinesStorage

EXPERIMENT_STATES = ("running", "finished", "stopped", "failed")
MAX_NAME = 128


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME or "\x00" in name:
        raise InvalidJobSpec(f"an experiment name is a non-empty string of at most {MAX_NAME} characters, not {name!r}")
    return name


def _key(name: str, number: int) -> str:
    return f"{name}\x00{number:08d}"


class ExperimentTables:
    """Methods of :class:`~qhybrid_lab.runlog.RunLog` for experiments and their iterations."""

    _storage: JsonLinesStorage

    if TYPE_CHECKING:

        def _table(self, name: str) -> LogTable: ...

    def open_experiment(self, name: str, *, owner: str, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start (or continue) the experiment ``name``: status running, owned by ``owner``; returns it."""
        _check_name(name)
        now = time.time()
        with self._storage.locked(exclusive=True):
            current = self._storage.table("experiments").get(name)
            doc: dict[str, Any] = (
                dict(current)
                if current is not None
                else {"name": name, "created": now, "iterations": 0, "best": None, "totals": {}}
            )
            doc.update(
                status="running",
                owner=owner,
                updated=now,
                stop_requested=None,
                message=None,
                settings={**(doc.get("settings") or {}), **(settings or {})},
            )
            self._table("experiments").put(name, doc)
        return dict(doc)

    def update_experiment(self, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Change top-level fields of an experiment (status one of running, finished, stopped, failed)."""
        if "status" in fields and fields["status"] not in EXPERIMENT_STATES:
            raise InvalidJobSpec(f"experiment status must be one of {', '.join(EXPERIMENT_STATES)}")
        with self._storage.locked(exclusive=True):
            current = self.experiment(name)
            self._table("experiments").merge(name, {**fields, "updated": time.time()})
            return {**current, **fields}

    def add_iteration(self, name: str, iteration: dict[str, Any]) -> dict[str, Any]:
        """Append one iteration (parameters, value, error, jobs, cost, latency) to the trace; returns it numbered.

        The experiment's ``iterations`` count, ``best`` (lowest value) and ``totals`` are updated in the same write.
        """
        with self._storage.locked(exclusive=True):
            experiment = self.experiment(name)
            number = int(experiment.get("iterations") or 0)
            doc = {**iteration, "experiment": name, "n": number, "at": iteration.get("at", time.time())}
            self._table("iterations").put(_key(name, number), doc)
            totals = dict(experiment.get("totals") or {})
            for field in ("cost", "seconds", "jobs", "shots"):
                if isinstance(doc.get(field), (int, float)):
                    totals[field] = totals.get(field, 0) + doc[field]
            best = experiment.get("best")
            value = doc.get("value")
            if isinstance(value, (int, float)) and (best is None or value < best["value"]):
                best = {"n": number, "value": value, "stderr": doc.get("stderr"), "parameters": doc.get("parameters")}
            self._table("experiments").merge(
                name, {"iterations": number + 1, "best": best, "totals": totals, "updated": time.time()}
            )
            return doc

    def experiment(self, name: str) -> dict[str, Any]:
        """The experiment document (UnknownExperiment if there is none)."""
        with self._storage.locked():
            doc = self._storage.table("experiments").get(name)
        if doc is None:
            raise UnknownExperiment(f"no experiment named {name!r} in {self._storage.path}")
        return dict(doc)

    def experiments(self, *, limit: int | None = 50) -> list[dict[str, Any]]:
        """Experiments, most recently changed first."""
        with self._storage.locked():
            docs = [dict(d) for d in self._storage.table("experiments").values()]
        docs.sort(key=lambda d: d.get("updated", 0), reverse=True)
        return docs if limit is None else docs[:limit]

    def iterations(self, name: str, *, since: int = 0) -> list[dict[str, Any]]:
        """The trace of an experiment from iteration ``since`` on, in order."""
        count = int(self.experiment(name).get("iterations") or 0)
        with self._storage.locked():
            table = self._storage.table("iterations")
            return [table[_key(name, n)] for n in range(since, count) if _key(name, n) in table]

    def request_stop(self, name: str, *, by: str = "sidebar") -> dict[str, Any]:
        """Ask a running experiment's loop to stop after its current iteration."""
        experiment = self.experiment(name)
        if experiment.get("status") != "running":
            raise InvalidJobSpec(f"experiment {name!r} is {experiment.get('status')}; there is nothing to stop")
        return self.update_experiment(name, {"stop_requested": {"by": by, "at": time.time()}})


__all__ = ["EXPERIMENT_STATES", "ExperimentTables"]
