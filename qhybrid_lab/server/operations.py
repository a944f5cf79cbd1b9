"""What the REST API does for operations metrics and experiments, without tornado (a mixin of the service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..record import brief
from . import arguments as args_
from .arguments import QueryArgs
from .errors import BadRequest, Conflict

METRICS_WINDOWS = ("hour", "day", "all")
LATENCY_PARTS = ("classical", "transpile", "submit", "queue", "run", "retrieve")
"""An experiment's latency breakdown: the optimizer's side, then the phases of its jobs (tracking.LATENCY_PARTS)."""
MAX_NAME_CHARS = 128
MAX_ITERATION = 10**9


def _name(name: str) -> str:
    if len(name) > MAX_NAME_CHARS:
        raise BadRequest(f"an experiment name is at most {MAX_NAME_CHARS} characters, got {len(name)}")
    return name


def _owner_alive(log: Any, owner: Any, stale_after: float) -> bool | None:
    """Whether the process ``pid@host`` that runs an experiment still lives (None when it cannot be told)."""
    if not isinstance(owner, str) or "@" not in owner:
        return None
    pid, _, host = owner.partition("@")
    source = {"origin": {"owner": owner, "pid": int(pid) if pid.isdigit() else None, "host": host}}
    return log.owner_stopped(source, stale_after=stale_after) is None


def latency_totals(iterations: list[dict]) -> dict[str, float]:
    """Seconds per part of the latency breakdown over ``iterations`` (and ``wall``, their wall time)."""
    totals = dict.fromkeys((*LATENCY_PARTS, "wall"), 0.0)
    for iteration in iterations:
        latency = iteration.get("latency") or {}
        for part in totals:
            value = latency.get(part)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                totals[part] += float(value)
    return totals


class OperationsService:
    """``GET metrics``, ``/qhybrid-lab/metrics`` (Prometheus) and the experiments routes of the REST API."""

    stale_after: float
    max_page: int

    if TYPE_CHECKING:  # RunLogService provides it

        @staticmethod
        def log() -> Any: ...

    def metrics(self, args: QueryArgs) -> dict[str, Any]:
        """``GET metrics?window=hour|day|all&backend=``: operations metrics per backend (runlog/metrics.py)."""
        from ..runlog.metrics import operations_metrics

        args_.check_known(args, "GET metrics", ("window", "backend"))
        window = args_.one(args, "window") or "all"
        if window not in METRICS_WINDOWS:
            raise BadRequest(f"window must be one of {', '.join(METRICS_WINDOWS)}, got {window[:40]!r}")
        return operations_metrics(self.log(), window=window, backend=args_.one(args, "backend"))

    def prometheus(self, args: QueryArgs) -> str:
        """``GET /qhybrid-lab/metrics``: every window's metrics in the Prometheus text format."""
        from .prometheus import exposition

        args_.check_known(args, "GET /qhybrid-lab/metrics", ())
        return exposition(self.log())

    def experiments(self, args: QueryArgs) -> dict[str, Any]:
        """``GET experiments?limit=``: experiments, most recently changed first."""
        args_.check_known(args, "GET experiments", ("limit",))
        limit = args_.integer(args, "limit", 50, lo=1, hi=self.max_page)
        log = self.log()
        docs = log.experiments(limit=None)
        return {"experiments": [self._experiment_doc(log, d) for d in docs[:limit]], "total": len(docs)}

    def experiment(self, name: str, args: QueryArgs) -> dict[str, Any]:
        """``GET experiments/<name>?since=&limit=``: the experiment, its trace from ``since``, latency, its jobs."""
        args_.check_known(args, "GET experiments/<name>", ("since", "limit"))
        since = args_.integer(args, "since", 0, lo=0, hi=MAX_ITERATION)
        limit = args_.integer(args, "limit", 100, lo=1, hi=self.max_page)
        log = self.log()
        doc = self._experiment_doc(log, log.experiment(_name(name)))
        trace = log.iterations(name)
        jobs = log.query(experiment=name, limit=limit)
        return {
            "experiment": doc,
            "iterations": trace[since:],
            "since": since,
            "latency": latency_totals(trace),
            "fallbacks": sum(int(i.get("fallbacks") or 0) for i in trace),
            "jobs": [brief(job) for job in jobs],
            "jobs_total": log.count(experiment=name),
        }

    def stop_experiment(
        self, name: str, *, by: str = "sidebar", args: QueryArgs | None = None, body: Any = None
    ) -> dict[str, Any]:
        """``POST experiments/<name>/stop``: ask a running loop to stop after its current iteration."""
        args_.check_known(args or {}, "POST experiments/<name>/stop", ())
        if body not in (None, {}):
            raise BadRequest("POST experiments/<name>/stop takes no body (send none, or {})")
        log = self.log()
        current = log.experiment(_name(name))
        if current.get("status") != "running":
            raise Conflict(f"experiment {name!r} is {current.get('status')}; there is nothing to stop")
        try:
            doc = log.request_stop(name, by=by)
        except InvalidJobSpec as error:  # it finished between the two reads
            raise Conflict(str(error)) from error
        return {"requested": True, "experiment": self._experiment_doc(log, doc)}

    def _experiment_doc(self, log: Any, doc: dict[str, Any]) -> dict[str, Any]:
        """An experiment document as served: ``owner_alive`` says whether a running loop's process lives."""
        alive = _owner_alive(log, doc.get("owner"), self.stale_after) if doc.get("status") == "running" else None
        return {**doc, "owner_alive": alive}


__all__ = ["METRICS_WINDOWS", "OperationsService", "latency_totals"]
