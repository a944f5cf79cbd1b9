"""What the REST API does, without tornado: parse arguments, read and write through the run log only."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..errors import RunLogError
from ..status import FINAL_STATES, BudgetPeriod, JobStatus, budget_period
from .errors import Conflict, NotFound

logger = logging.getLogger(__name__)

QueryArgs = Mapping[str, Sequence[str]]
"""Query arguments as tornado gives them: name → every value given (``?status=a&status=b``)."""

JOB_FILTERS = ("status", "backend", "notebook", "tag", "circuit_hash", "group")


def _values(args: QueryArgs, name: str) -> list[str]:
    """Every non-empty value of ``name``, splitting comma-separated lists (``status=done,failed``)."""
    out: list[str] = []
    for raw in args.get(name, ()):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    return out


def _int_arg(args: QueryArgs, name: str, default: int, *, lo: int = 0, hi: int | None = None) -> int:
    values = _values(args, name)
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {values[-1]!r}") from None
    if value < lo or (hi is not None and value > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its bulky parts (OpenQASM text, counts), for lists polled every second."""
    out = dict(record)
    if isinstance(out.get("circuit"), dict) and "qasm" in out["circuit"]:
        out["circuit"] = {k: v for k, v in out["circuit"].items() if k != "qasm"}
    if isinstance(out.get("result"), dict) and "counts" in out["result"]:
        out["result"] = {k: v for k, v in out["result"].items() if k != "counts"}
    return out


class RunLogService:
    """The REST API's operations on the run log (``$QHYBRID_HOME`` at call time).

    Args:
        stale_after: seconds without a heartbeat after which an owner's active jobs become ``interrupted``.
        reap_every: minimum seconds between two such checks.
        max_page: the largest page of jobs a client may ask for.
    """

    def __init__(self, *, stale_after: float = 20.0, reap_every: float = 5.0, max_page: int = 500,
                 adopt: Callable[[], Any] | None = None) -> None:
        self.adopt = adopt
        """Called by the housekeeping to follow provider jobs that no live process follows (see ``server/__init__``)."""
        self.stale_after = stale_after
        self.reap_every = reap_every
        self.max_page = max_page
        self._last_reap = -math.inf
        self._lock = threading.Lock()
        self._housekeeping_error: str | None = None

    @staticmethod
    def log() -> Any:
        """The run log of the current ``QHYBRID_HOME`` (one cached instance per directory)."""
        from ..runlog import open_runlog

        return open_runlog()

    def reap(self, *, force: bool = False) -> list[str]:
        """Mark the active jobs of owners that stopped beating as interrupted (at most every ``reap_every`` s).

        The same housekeeping compacts the log once most of its lines are obsolete (heartbeats, status changes).
        """
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last_reap < self.reap_every:
                return []
            self._last_reap = now
        log = self.log()
        try:
            reaped = log.reap_interrupted(stale_after=self.stale_after)
            log.maybe_compact()
        except RunLogError as error:  # a read-only or full home: reads still work; say it once per cause
            if self._housekeeping_error != str(error):
                logger.warning("qhybrid-lab housekeeping cannot write the run log: %s", error)
            self._housekeeping_error = str(error)
            return []
        self._housekeeping_error = None
        if self.adopt is not None:
            self.adopt()
        return reaped

    def jobs(self, args: QueryArgs, notebook_paths: dict[str, str] | None = None) -> dict[str, Any]:
        """``GET jobs``: newest first, filtered and paged; ``brief=1`` drops QASM text and counts.

        ``notebook_paths`` (kernel id → the notebook's path now) corrects ``origin.notebook`` for notebooks
        renamed after their kernel started; see :func:`current_notebook`.
        """
        for status in _values(args, "status"):
            if status not in JobStatus._value2member_map_:
                _bad_status(status)
        filters: dict[str, Any] = {}
        for name in JOB_FILTERS:
            values = _values(args, name)
            if values:
                filters[name] = values if name in ("status", "backend") else values[-1]
        limit = _int_arg(args, "limit", 50, lo=1, hi=self.max_page)
        offset = _int_arg(args, "offset", 0)
        self.reap()
        log = self.log()
        jobs = log.query(**filters, limit=limit, offset=offset)
        if _values(args, "brief") and _values(args, "brief")[-1] not in ("0", "false"):
            jobs = [brief(job) for job in jobs]
        jobs = [current_notebook(job, notebook_paths or {}) for job in jobs]
        return {"jobs": jobs, "total": log.count(**filters), "limit": limit, "offset": offset}

    def job(self, job_id: str, notebook_paths: dict[str, str] | None = None) -> dict[str, Any]:
        """``GET jobs/<id>``: the full record (an id prefix of at least 4 characters works too)."""
        return current_notebook(self.log().get(job_id), notebook_paths or {})

    def cancel(self, job_id: str, *, by: str = "sidebar") -> dict[str, Any]:
        """``POST jobs/<id>/cancel``: write a cancel request that the owning kernel's engine carries out."""
        log = self.log()
        record = log.get(job_id)
        if JobStatus(record["status"]) in FINAL_STATES:
            raise Conflict(f"job {record['id'][:8]} is already {record['status']}; there is nothing to cancel")
        request = log.request_cancel(record["id"], by=by)
        return {"requested": True, "job_id": record["id"], "request": request}

    def budgets(self) -> dict[str, Any]:
        """``GET budgets``: each budget with spent/committed/remaining, rehearsal mode, recent blocked jobs."""
        from ..costs.guard import budget_status

        log = self.log()
        blocked = [brief(job) for job in log.query(status="blocked", limit=10)]
        return {
            "budgets": budget_status(log),
            "rehearse": bool(log.get_setting("rehearse", False)),
            "blocked": blocked,
        }

    def set_budget(self, body: Any) -> dict[str, Any]:
        """``PUT budgets`` with ``{"limit", "period", "backend"?, "currency"?}``; answers like ``GET budgets``."""
        if not isinstance(body, dict):
            raise ValueError('the body must be a JSON object like {"limit": 5, "period": "day", "backend": null}')
        unknown = sorted(set(body) - {"limit", "period", "backend", "currency"})
        if unknown:
            raise ValueError(f"unknown budget field(s) {', '.join(unknown)}; expected limit, period, backend, currency")
        limit = body.get("limit")
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit) or limit < 0:
            raise ValueError(f"limit must be a number >= 0, got {limit!r}")
        period = budget_period(body.get("period", BudgetPeriod.TOTAL.value))
        backend = body.get("backend") or None
        if backend is not None and not isinstance(backend, str):
            raise ValueError(f"backend must be a backend name or null, got {backend!r}")
        kwargs: dict[str, Any] = {"limit": float(limit), "period": period, "backend": backend}
        if body.get("currency"):
            kwargs["currency"] = str(body["currency"])
        self.log().set_budget(**kwargs)
        return self.budgets()

    def delete_budget(self, args: QueryArgs) -> dict[str, Any]:
        """``DELETE budgets?period=&backend=``; NotFound (404) when there was no such budget."""
        periods = _values(args, "period")
        if not periods:
            raise ValueError("period is required: DELETE budgets?period=day|total|job[&backend=NAME]")
        backends = _values(args, "backend")
        backend = backends[-1] if backends else None
        if not self.log().remove_budget(period=periods[-1], backend=backend):
            raise NotFound(f"no {periods[-1]} budget" + (f" for backend {backend!r}" if backend else " for all backends"))
        return self.budgets()

    def compare(self, args: QueryArgs) -> dict[str, Any]:
        """``GET compare?circuit_hash=&limit=``: runs of one circuit across backends, with metrics."""
        from ..comparison import comparison_groups

        hashes = _values(args, "circuit_hash")
        limit = _int_arg(args, "limit", 20, lo=1, hi=self.max_page)
        groups = comparison_groups(self.log(), limit=limit, circuit_hash=hashes[-1] if hashes else None)
        return {"groups": groups}

    def backends(self) -> dict[str, Any]:
        """``GET backends``: every registered backend (cheap: nothing is loaded)."""
        from ..backends import list_backends

        return {"backends": list_backends()}


def _bad_status(status: str) -> None:
    allowed = ", ".join(s.value for s in JobStatus)
    raise ValueError(f"unknown status {status!r}; expected one of {allowed}")


def current_notebook(job: dict[str, Any], notebook_paths: dict[str, str]) -> dict[str, Any]:
    """The job as shown: ``origin.notebook`` is the notebook's path now if its kernel is live and it was renamed.

    A kernel learns its notebook's path when it starts; the server's sessions follow renames. The record in the
    run log is not changed; the path at submission stays in the answer as ``origin.notebook_at_submit``.
    """
    origin = job.get("origin") or {}
    now = notebook_paths.get(origin.get("kernel_id") or "")
    if not now or now == origin.get("notebook"):
        return job
    return {**job, "origin": {**origin, "notebook": now, "notebook_at_submit": origin.get("notebook")}}
