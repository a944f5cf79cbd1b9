"""Operations metrics from the run log: per backend and time window, submissions, rates, latencies and spend.

Definitions (docs/architecture.md, "Operations metrics"), over the jobs *created* in the window:

- ``submissions``: every record (a blocked job is a refused submission and counts); ``by_status`` splits them.
- ``settled``: those in a final state. ``success_rate`` = done / settled, ``error_rate`` = (failed + interrupted) /
  settled, ``blocked_rate`` = blocked / settled (cancelled jobs make up the rest); None while nothing settled.
- ``fallbacks``: jobs that handed their work on to the next backend of a chain (``fallback.to``);
  ``fallback_rate`` = fallbacks / submissions. ``fallbacks_received``: jobs that ran as someone's fallback.
- ``latency``: median and p95 (linear interpolation) of the phases ``submit`` (submission latency), ``queue`` and
  ``run`` (execution) of the record's ``timings``. A provider job's ``submit`` is its submit call; a local job
  has none, so its submission latency is the time from its creation to its dispatch to a worker that was neither
  transpiling nor waiting in the local queue (``started_at - created - transpile - queue``).
- ``spend``: by currency, the ``actual`` cost of every job that has one (a done job without one: its estimate);
  ``hardware_equivalent``: what the emulated jobs would have cost on their device; ``cost_per_success`` = spend
  (in the backend's first currency) / done.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..status import FINAL_STATES, JobStatus

if TYPE_CHECKING:
    from .log import RunLog

WINDOWS: dict[str, float | None] = {"hour": 3600.0, "day": 86400.0, "all": None}
"""Window name → its length in seconds (None: everything in the run log)."""
PHASES = ("submit", "queue", "run")
"""Latency phases reported: submission latency, queue time, execution time."""
BUCKETS = {"hour": 12, "day": 24, "all": 24}
"""How many time buckets the series of a window has (5 min for an hour, 1 h for a day)."""

_FINAL = frozenset(s.value for s in FINAL_STATES)
_ERRORS = frozenset({JobStatus.FAILED.value, JobStatus.INTERRUPTED.value})
STATUSES = tuple(s.value for s in JobStatus)


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` by linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def phase_seconds(record: dict[str, Any], phase: str) -> float | None:
    """Seconds a record spent in ``phase`` (``submit``, ``queue``, ``run``), None when unknown."""
    timings = record.get("timings") or {}
    if phase != "submit":
        return _number(timings.get(phase))
    submit = _number(timings.get("submit"))
    if submit is not None:
        return submit
    started, created = _number(timings.get("started_at")), _number(record.get("created"))
    if started is None or created is None or (record.get("provider_job") or {}).get("job_id"):
        return None
    spent = (_number(timings.get("transpile")) or 0.0) + (_number(timings.get("queue")) or 0.0)
    return max(0.0, started - created - spent)


def spend(record: dict[str, Any]) -> float:
    """Money a job cost: its actual cost, or the estimate of a done job without one (0 otherwise)."""
    cost = record.get("cost") or {}
    actual = _number(cost.get("actual"))
    if actual is not None:
        return actual
    if record.get("status") == JobStatus.DONE.value:
        return _number(cost.get("estimate")) or 0.0
    return 0.0


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def summarize(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of a set of records (one backend's, or all of them), as a JSON-ready dict."""
    by_status: dict[str | None, int] = dict.fromkeys(STATUSES, 0)  # a record without a status counts under None
    fallbacks = received = 0
    phases: dict[str, list[float]] = {p: [] for p in PHASES}
    spent: dict[str, float] = {}
    hardware = 0.0
    currency: str | None = None
    for record in records:
        status = record.get("status")
        by_status[status] = by_status.get(status, 0) + 1
        link = record.get("fallback") or {}
        fallbacks += bool(link.get("to"))
        received += bool(link.get("from"))
        if status in _FINAL:
            for phase in PHASES:
                seconds = phase_seconds(record, phase)
                if seconds is not None:
                    phases[phase].append(seconds)
        cost = record.get("cost") or {}
        money = cost.get("currency") or "USD"
        currency = currency or money
        spent[money] = spent.get(money, 0.0) + spend(record)
        if status == JobStatus.DONE.value:
            hardware += _number(cost.get("hardware_equivalent")) or 0.0
    submissions = sum(by_status.values())
    settled = sum(n for s, n in by_status.items() if s in _FINAL)
    done = by_status[JobStatus.DONE.value]
    errors = sum(by_status.get(s, 0) for s in _ERRORS)
    currency = currency or "USD"
    return {
        "submissions": submissions,
        "by_status": by_status,
        "settled": settled,
        "done": done,
        "errors": errors,
        "active": submissions - settled,
        "success_rate": _ratio(done, settled),
        "error_rate": _ratio(errors, settled),
        "blocked_rate": _ratio(by_status[JobStatus.BLOCKED.value], settled),
        "fallbacks": fallbacks,
        "fallbacks_received": received,
        "fallback_rate": _ratio(fallbacks, submissions),
        "latency": {
            p: {"median": quantile(v, 0.5), "p95": quantile(v, 0.95), "count": len(v)} for p, v in phases.items()
        },
        "spend": spent or {currency: 0.0},
        "currency": currency,
        "hardware_equivalent": hardware,
        "cost_per_success": spent.get(currency, 0.0) / done if done else None,
    }


def _series(records: list[dict[str, Any]], start: float, now: float, buckets: int) -> dict[str, Any]:
    """Per time bucket from ``start`` to ``now``: submissions, done, errors, fallbacks, spend (first currency)."""
    step = max((now - start) / buckets, 1e-9)
    out = {name: [0] * buckets for name in ("submissions", "done", "errors", "fallbacks")}
    money = [0.0] * buckets
    for record in records:
        i = min(buckets - 1, max(0, int((float(record.get("created") or start) - start) / step)))
        out["submissions"][i] += 1
        status = record.get("status")
        out["done"][i] += status == JobStatus.DONE.value
        out["errors"][i] += status in _ERRORS
        out["fallbacks"][i] += bool((record.get("fallback") or {}).get("to"))
        money[i] += spend(record)
    return {"start": start, "step": step, **out, "spend": money}


def window_start(window: str, now: float, records: list[dict[str, Any]]) -> float:
    """Where a window's series starts: ``now`` minus its length, or the oldest record for ``all``."""
    length = WINDOWS[window]
    if length is not None:
        return now - length
    oldest = min((float(r.get("created") or now) for r in records), default=now - 3600.0)
    return min(oldest, now - 60.0)


def window_metrics(records: list[dict[str, Any]], *, window: str = "all", now: float | None = None) -> dict[str, Any]:
    """Metrics of those ``records`` created in ``window`` (hour, day, all), per backend and overall, with series.

    Returns ``{"window", "since", "now", "overall": summary, "backends": [{"backend", "kind", **summary,
    "series"}], "series": overall series}``; backends sorted by submissions, then name.
    """
    if window not in WINDOWS:
        raise InvalidJobSpec(f"unknown metrics window {window!r}; expected one of {', '.join(WINDOWS)}")
    now = time.time() if now is None else now
    length = WINDOWS[window]
    since = None if length is None else now - length
    if since is not None:
        records = [r for r in records if float(r.get("created") or 0.0) >= since]
    start = window_start(window, now, records)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(record.get("backend") or {}).get("name") or "?"].append(record)
    rows = []
    for name, members in groups.items():
        kinds = [(r.get("backend") or {}).get("kind") for r in members]
        rows.append(
            {
                "backend": name,
                "kind": next((k for k in kinds if k), None),
                **summarize(members),
                "series": _series(members, start, now, BUCKETS[window]),
            }
        )
    rows.sort(key=lambda row: (-row["submissions"], row["backend"]))
    return {
        "window": window,
        "since": since,
        "now": now,
        "overall": summarize(records),
        "backends": rows,
        "series": _series(records, start, now, BUCKETS[window]),
    }


def operations_metrics(
    log: RunLog, *, window: str = "all", now: float | None = None, backend: str | None = None
) -> dict[str, Any]:
    """:func:`window_metrics` of the run log's jobs (of one backend when given), read through ``log``."""
    if window not in WINDOWS:
        raise InvalidJobSpec(f"unknown metrics window {window!r}; expected one of {', '.join(WINDOWS)}")
    now = time.time() if now is None else now
    length = WINDOWS[window]
    records = log.query(since=None if length is None else now - length, backend=backend, limit=None)
    return window_metrics(records, window=window, now=now)


def all_windows(log: RunLog, *, now: float | None = None) -> dict[str, dict[str, Any]]:
    """:func:`window_metrics` of every window, from one read of the run log."""
    now = time.time() if now is None else now
    records = log.query(limit=None)
    return {window: window_metrics(records, window=window, now=now) for window in WINDOWS}


__all__ = [
    "PHASES",
    "WINDOWS",
    "all_windows",
    "operations_metrics",
    "window_metrics",
    "phase_seconds",
    "quantile",
    "spend",
    "summarize",
]
