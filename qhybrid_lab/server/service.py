"""What the REST API does, without tornado: check arguments, read and write through the run log only."""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from ..backends.base import BackendKind
from ..errors import RunLogError
from ..record import brief
from ..status import ACTIVE_STATES, FINAL_STATES, BudgetPeriod, JobStatus
from . import arguments as args_
from .arguments import QueryArgs
from .errors import BadRequest, Conflict, NotFound
from .operations import OperationsService

logger = logging.getLogger(__name__)

STATUSES = tuple(s.value for s in JobStatus)
KINDS = tuple(k.value for k in BackendKind)
PERIODS = tuple(p.value for p in BudgetPeriod)

FILTERS = ("status", "backend", "kind", "notebook", "tag", "circuit_hash", "group", "experiment", "q")
"""Filters of ``GET jobs`` (``GET table`` takes the same but ``circuit_hash`` and ``group``, and ``finished_after``)."""
REPEATABLE = ("status", "backend", "kind")
TABLE_FILTERS = ("status", "backend", "kind", "notebook", "tag", "experiment", "q")

MAX_ID_CHARS = 128
MAX_BUDGET_LIMIT = 1e12
BUDGET_FIELDS = ("limit", "period", "backend", "currency", "rehearse")
CURRENCY = re.compile(r"[A-Z]{3}")


def _filters(args: QueryArgs, names: tuple[str, ...]) -> dict[str, Any]:
    """The run-log filters named in ``names``, checked (``q`` becomes ``search``)."""
    out: dict[str, Any] = {}
    for name in names:
        if name == "status":
            given: Any = args_.choices(args, name, STATUSES)
        elif name == "kind":
            given = args_.choices(args, name, KINDS)
        elif name in REPEATABLE:
            given = args_.values(args, name)
        else:
            given = args_.one(args, name)
        if given:
            out["search" if name == "q" else name] = given
    return out


def _job_id(job_id: str, what: str = "job") -> str:
    if len(job_id) > MAX_ID_CHARS:
        raise BadRequest(f"a {what} id is at most {MAX_ID_CHARS} characters, got {len(job_id)}")
    return job_id


def _no_body(body: Any, route: str) -> None:
    if body not in (None, {}):
        raise BadRequest(f"{route} takes no body (send none, or {{}})")


class RunLogService(OperationsService):
    """The REST API's operations on the run log (``$QHYBRID_HOME`` at call time).

    Args:
        stale_after: seconds without a heartbeat after which an owner's active jobs become ``interrupted``.
        reap_every: minimum seconds between two such checks.
        max_page: the largest page of jobs a client may ask for (also the most pinned active jobs of the table).
    """

    def __init__(
        self,
        *,
        stale_after: float = 20.0,
        reap_every: float = 5.0,
        max_page: int = 500,
        adopt: Callable[[], Any] | None = None,
    ) -> None:
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

    def root(self, args: QueryArgs, info: dict[str, Any]) -> dict[str, Any]:
        """``GET /``: the extension's name, version and polling hint."""
        args_.check_known(args, "GET /", ())
        return info

    def jobs(self, args: QueryArgs, notebook_paths: dict[str, str] | None = None) -> dict[str, Any]:
        """``GET jobs``: newest first, filtered and paged; ``brief=1`` drops QASM text and counts.

        ``notebook_paths`` (kernel id → the notebook's path now) corrects ``origin.notebook`` for notebooks
        renamed after their kernel started; see :func:`current_notebook`.
        """
        args_.check_known(args, "GET jobs", (*FILTERS, "limit", "offset", "brief"))
        filters = _filters(args, FILTERS)
        limit = args_.integer(args, "limit", 50, lo=1, hi=self.max_page)
        offset = args_.integer(args, "offset", 0)
        short = args_.flag(args, "brief")
        self.reap()
        log = self.log()
        jobs = log.query(**filters, limit=limit, offset=offset)
        jobs = [current_notebook(brief(job) if short else job, notebook_paths or {}) for job in jobs]
        return {"jobs": jobs, "total": log.count(**filters), "limit": limit, "offset": offset}

    def table(self, args: QueryArgs, notebook_paths: dict[str, str] | None = None) -> dict[str, Any]:
        """``GET table``: the Queue's jobs table (see :meth:`qhybrid_lab.runlog.RunLog.table`), records brief."""
        args_.check_known(args, "GET table", (*TABLE_FILTERS, "finished_after", "limit", "offset"))
        filters = _filters(args, TABLE_FILTERS)
        finished_after = args_.epoch(args, "finished_after")
        limit = args_.integer(args, "limit", 50, lo=1, hi=self.max_page)
        offset = args_.integer(args, "offset", 0)
        self.reap()
        view = self.log().table(
            **filters, finished_after=finished_after, limit=limit, offset=offset, active_limit=self.max_page
        )
        for part in ("page", "active"):
            view[part] = [current_notebook(brief(job), notebook_paths or {}) for job in view[part]]
        return view

    def job(
        self, job_id: str, notebook_paths: dict[str, str] | None = None, args: QueryArgs | None = None
    ) -> dict[str, Any]:
        """``GET jobs/<id>``: the full record (an id prefix of at least 4 characters works too)."""
        args_.check_known(args or {}, "GET jobs/<id>", ())
        return current_notebook(self.log().get(_job_id(job_id)), notebook_paths or {})

    def cancel(
        self, job_id: str, *, by: str = "sidebar", args: QueryArgs | None = None, body: Any = None
    ) -> dict[str, Any]:
        """``POST jobs/<id>/cancel``: write a cancel request that the owning kernel's engine carries out."""
        args_.check_known(args or {}, "POST jobs/<id>/cancel", ())
        _no_body(body, "POST jobs/<id>/cancel")
        log = self.log()
        record = log.get(_job_id(job_id))
        if JobStatus(record["status"]) in FINAL_STATES:
            raise Conflict(f"job {record['id'][:8]} is already {record['status']}; there is nothing to cancel")
        request = log.request_cancel(record["id"], by=by)
        return {"requested": True, "job_id": record["id"], "request": request}

    def cancel_group(
        self, group: str, *, by: str = "sidebar", args: QueryArgs | None = None, body: Any = None
    ) -> dict[str, Any]:
        """``POST groups/<id>/cancel``: a cancel request for every unfinished job of one group."""
        args_.check_known(args or {}, "POST groups/<id>/cancel", ())
        _no_body(body, "POST groups/<id>/cancel")
        log = self.log()
        group_id = log.resolve_group(_job_id(group, "group"))
        records = log.group_jobs(group_id)
        active = [r for r in records if JobStatus(r["status"]) in ACTIVE_STATES]
        if not active:
            raise Conflict(
                f"group {group_id[:8]} has no unfinished job ({len(records)} finished); there is nothing to cancel"
            )
        with log.transaction():
            requests = [log.request_cancel(r["id"], by=by) for r in active]
        return {
            "requested": len(requests),
            "group": group_id,
            "job_ids": [r["id"] for r in active],
            "requests": requests,
            "finished": len(records) - len(active),
        }

    def budgets(self, args: QueryArgs | None = None) -> dict[str, Any]:
        """``GET budgets``: each budget with spent/committed/remaining, rehearsal mode, recent blocked jobs."""
        from ..costs.guard import budget_status

        args_.check_known(args or {}, "GET budgets", ())
        log = self.log()
        blocked = [brief(job) for job in log.query(status="blocked", limit=10)]
        return {
            "budgets": budget_status(log),
            "rehearse": bool(log.get_setting("rehearse", False)),
            "blocked": blocked,
        }

    def set_budget(self, body: Any, args: QueryArgs | None = None) -> dict[str, Any]:
        """``PUT budgets`` with ``{"limit", "period"?, "backend"?, "currency"?}`` and/or ``{"rehearse"}``.

        Answers like ``GET budgets``. Everything is checked before anything is written.
        """
        args_.check_known(args or {}, "PUT budgets", ())
        if not isinstance(body, dict):
            raise BadRequest(
                'the body must be a JSON object like {"limit": 5, "period": "day", "backend": null} '
                'or {"rehearse": true}'
            )
        unknown = sorted(set(body) - set(BUDGET_FIELDS))
        if unknown:
            raise BadRequest(
                f"unknown budget field(s) {', '.join(repr(u[:40]) for u in unknown)}; expected "
                f"{', '.join(BUDGET_FIELDS)}"
            )
        budget = _budget(body) if "limit" in body else None
        if budget is None and set(body) & {"period", "backend", "currency"}:
            raise BadRequest("period, backend and currency describe a budget: give its limit too")
        rehearse = body.get("rehearse")
        if "rehearse" in body and not isinstance(rehearse, bool):
            raise BadRequest(f"rehearse must be true or false, got {rehearse!r:.40}")
        if budget is None and rehearse is None:
            raise BadRequest('give a budget ({"limit": 5, "period": "day"}) and/or {"rehearse": true|false}')
        log = self.log()
        with log.transaction():
            if budget is not None:
                log.set_budget(**budget)
            if rehearse is not None:
                log.set_setting("rehearse", rehearse)
        return self.budgets()

    def delete_budget(self, args: QueryArgs) -> dict[str, Any]:
        """``DELETE budgets?period=&backend=``; NotFound (404) when there was no such budget."""
        args_.check_known(args, "DELETE budgets", ("period", "backend"))
        period = args_.one(args, "period")
        if period is None:
            raise BadRequest("period is required: DELETE budgets?period=day|total|job[&backend=NAME]")
        if period not in PERIODS:
            raise BadRequest(f"period must be one of {', '.join(PERIODS)}, got {period[:40]!r}")
        backend = args_.one(args, "backend")
        if not self.log().remove_budget(period=period, backend=backend):
            raise NotFound(f"no {period} budget" + (f" for backend {backend!r}" if backend else " for all backends"))
        return self.budgets()

    def compare(self, args: QueryArgs) -> dict[str, Any]:
        """``GET compare?circuit_hash=&limit=``: runs of one circuit across backends, with metrics."""
        from ..comparison import comparison_groups

        args_.check_known(args, "GET compare", ("circuit_hash", "limit"))
        circuit_hash = args_.one(args, "circuit_hash")
        limit = args_.integer(args, "limit", 20, lo=1, hi=self.max_page)
        return {"groups": comparison_groups(self.log(), limit=limit, circuit_hash=circuit_hash)}

    def compare_pair(self, args: QueryArgs) -> dict[str, Any]:
        """``GET compare/pair?a=&b=``: two runs the user picked (``b`` against the reference ``a``).

        NotComparable (400) says why two runs cannot be compared; UnknownJob (404) names a bad id.
        """
        from ..comparison import compare

        args_.check_known(args, "GET compare/pair", ("a", "b"))
        a, b = args_.one(args, "a"), args_.one(args, "b")
        if not a or not b:
            raise BadRequest("a and b are required: GET compare/pair?a=JOB_ID&b=JOB_ID (ids or unique prefixes)")
        return {"comparison": compare(_job_id(a), _job_id(b), log=self.log()).as_dict()}

    def compare_candidates(self, args: QueryArgs) -> dict[str, Any]:
        """``GET compare/candidates?job=&limit=``: the runs one run can be compared with, best counterpart first."""
        from ..comparison import counterparts

        args_.check_known(args, "GET compare/candidates", ("job", "limit"))
        job = args_.one(args, "job")
        if not job:
            raise BadRequest("job is required: GET compare/candidates?job=JOB_ID")
        limit = args_.integer(args, "limit", 20, lo=1, hi=self.max_page)
        return counterparts(self.log(), _job_id(job), limit=limit)

    def backends(self, args: QueryArgs | None = None) -> dict[str, Any]:
        """``GET backends``: every registered backend (cheap: nothing is loaded)."""
        from ..backends import list_backends

        args_.check_known(args or {}, "GET backends", ())
        return {"backends": list_backends()}


def _budget(body: dict[str, Any]) -> dict[str, Any]:
    """The ``set_budget`` arguments of a PUT budgets body that has a limit, checked."""
    from ..backends.registry import backend_name

    limit = body["limit"]
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 <= limit <= MAX_BUDGET_LIMIT:
        raise BadRequest(f"limit must be a number from 0 to {MAX_BUDGET_LIMIT:.0e}, got {limit!r:.40}")
    period = body.get("period", BudgetPeriod.TOTAL.value)
    if period not in PERIODS:
        raise BadRequest(f"period must be one of {', '.join(PERIODS)}, got {period!r:.40}")
    backend = body.get("backend")
    if backend is not None:
        if not isinstance(backend, str) or not backend.strip() or len(backend) > args_.MAX_VALUE_CHARS:
            raise BadRequest(f"backend must be a backend name or null (all backends), got {backend!r:.40}")
        backend = backend_name(backend)  # UnknownBackend (400) with the registry's did-you-mean
    currency = body.get("currency", "USD")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise BadRequest(f"currency must be a 3-letter code in capitals like USD, got {currency!r:.40}")
    return {"limit": float(limit), "period": period, "backend": backend, "currency": currency}


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
