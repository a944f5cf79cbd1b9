"""The budget guard: checks a submission against the run log's budgets and reserves its cost, in one atomic step.

A budget is ``{"limit", "period": "day" | "total" | "job", "backend": name or None}``. For each record the guard
sets ``cost.counted`` (what budgets count: the real-money ``estimate``, or in rehearsal mode the
``hardware_equivalent`` of emulator jobs) and ``cost.rehearsal``. *Spent* is the counted cost of done jobs (their
``actual`` cost when known), *committed* that of active jobs, both within the period (a day starts at local
midnight) and the budget's backend. Because the check runs inside ``log.transaction()`` together with the insert of
the new records (which then count as committed), two kernels racing for the last of a budget cannot both pass.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from typing import TYPE_CHECKING, Any

from ..errors import BudgetExceeded, InvalidJobSpec, UnknownBudget
from ..status import ACTIVE_STATES, BudgetPeriod, JobStatus

if TYPE_CHECKING:
    from ..runlog import RunLog

REHEARSE_SETTING = "rehearse"
"""Run-log setting: when true, emulator jobs count their real device's cost against budgets."""

EPSILON = 1e-9


def period_start(period: BudgetPeriod | str, now: float | None = None) -> float | None:
    """Epoch seconds where a budget period starts: local midnight for "day", None (all time) otherwise."""
    if BudgetPeriod(period) is not BudgetPeriod.DAY:
        return None
    moment = _dt.datetime.now() if now is None else _dt.datetime.fromtimestamp(now)
    return _dt.datetime.combine(moment.date(), _dt.time.min).timestamp()


def counted_cost(record: dict[str, Any], *, rehearse: bool) -> tuple[float, bool]:
    """What budgets count for a record and whether that is a rehearsal (hardware-equivalent) figure."""
    cost = record.get("cost") or {}
    kind = (record.get("backend") or {}).get("kind")
    if rehearse and kind == "emulator" and cost.get("hardware_equivalent") is not None:
        return float(cost["hardware_equivalent"]), True
    return float(cost.get("estimate") or 0.0), False


def _charged(record: dict[str, Any]) -> float:
    """What a recorded job counts now: its actual cost once known (unless a rehearsal), else what was reserved."""
    cost = record.get("cost") or {}
    if record.get("status") == JobStatus.DONE.value and cost.get("actual") is not None and not cost.get("rehearsal"):
        return float(cost["actual"])
    if cost.get("counted") is not None:
        return float(cost["counted"])
    return float(cost.get("estimate") or 0.0)


def _applies(budget: dict[str, Any], record: dict[str, Any]) -> bool:
    return budget.get("backend") is None or budget["backend"] == (record.get("backend") or {}).get("name")


class _DoneLedger:
    """What each done job of one run log was charged, kept between checks.

    ``done`` is final, so the set of done jobs only grows: when the run log's count of done jobs equals what the
    ledger knows, nothing is read; otherwise only the newly done jobs are looked up (newest first, in growing pages).
    This keeps a check in the lock cheap with thousands of jobs (reading them all took 250-500 ms at 5,000;
    with the ledger 2-3 ms). A done job's charge is read once: a provider's later change of ``cost.actual``
    on a done record is seen by a new process (or after ``_ledgers.clear()``), not by this one.
    """

    FIRST_PAGE = 32

    def __init__(self) -> None:
        self.charged: dict[str, tuple[float, str | None, float]] = {}
        """id → (created, backend name, charged)."""

    def refresh(self, log: RunLog) -> None:
        total = log.count(status=JobStatus.DONE.value)
        if total < len(self.charged):  # records were removed: start over
            self.charged.clear()
        offset, page = 0, self.FIRST_PAGE
        while len(self.charged) < total:
            records = log.query(status=JobStatus.DONE.value, limit=page, offset=offset)
            if not records:
                break
            for r in records:
                if r["id"] not in self.charged:
                    self.charged[r["id"]] = (
                        float(r.get("created") or 0.0),
                        (r.get("backend") or {}).get("name"),
                        _charged(r),
                    )
            offset, page = offset + len(records), page * 2

    def spent(self, since: float | None, backend: str | None) -> float:
        return sum(
            c
            for created, name, c in self.charged.values()
            if (since is None or created >= since) and (backend is None or name == backend)
        )


_ledgers: weakref.WeakKeyDictionary[RunLog, _DoneLedger] = weakref.WeakKeyDictionary()


def _usage(log: RunLog, budget: dict[str, Any], now: float | None = None) -> tuple[float, float]:
    """(spent, committed) against one day/total budget. Call inside ``log.transaction()``."""
    since = period_start(budget["period"], now)
    backend = budget.get("backend")
    ledger = _ledgers.get(log)
    if ledger is None:
        ledger = _ledgers[log] = _DoneLedger()
    ledger.refresh(log)
    active = log.query(status=[s.value for s in ACTIVE_STATES], backend=backend, since=since, limit=None)
    return ledger.spent(since, backend), sum(_charged(r) for r in active)


def _describe(budget: dict[str, Any]) -> str:
    scope = f"backend {budget['backend']}" if budget.get("backend") else "all backends"
    return f"the {BudgetPeriod(budget['period']).adjective} budget for {scope}"


def _raise_hint(budget: dict[str, Any], needed: float) -> str:
    backend = f" --backend {budget['backend']}" if budget.get("backend") else ""
    return f"raise it with `%qbudget --limit {needed:.2f} --per {budget['period']}{backend}`"


def _refusal(log: RunLog, records: list[dict[str, Any]], rehearse: bool) -> str | None:
    """Why the submission must be refused, or None when every budget allows it."""
    mode = " (rehearsal mode: emulator jobs count their real device's price)" if rehearse else ""
    for budget in log.budgets():
        limit = float(budget["limit"])
        mine = [r for r in records if _applies(budget, r)]
        if not mine:
            continue
        if BudgetPeriod(budget["period"]) is BudgetPeriod.JOB:
            worst = max(mine, key=lambda r: r["cost"]["counted"])
            cost = worst["cost"]["counted"]
            if cost > limit + EPSILON:
                return (
                    f"{_describe(budget)} is ${limit:.2f}; job {worst['circuit']['name']} on "
                    f"{worst['backend']['name']} would cost ${cost:.2f}{mode}; {_raise_hint(budget, cost)}"
                )
            continue
        spent, committed = _usage(log, budget)
        cost = sum(r["cost"]["counted"] for r in mine)
        if spent + committed + cost > limit + EPSILON:
            needed = spent + committed + cost
            return (
                f"{_describe(budget)} is ${limit:.2f}: ${spent:.2f} spent, ${committed:.2f} committed to "
                f"active jobs, and this submission would cost ${cost:.2f}{mode} "
                f"(${max(0.0, limit - spent - committed):.2f} remaining); {_raise_hint(budget, needed)}"
            )
    return None


def check_and_reserve(log: RunLog, records: list[dict[str, Any]]) -> None:
    """Set ``cost.counted``/``cost.rehearsal`` on each record and check them against every budget.

    Call it inside ``log.transaction()`` and insert the records (as pending) in the same transaction: that insert
    is the reservation. When a budget is exceeded, the records are marked ``blocked`` with a ``blocked_reason``,
    inserted, and :class:`~qhybrid_lab.errors.BudgetExceeded` is raised; nothing may then be executed.

    Raises:
        BudgetExceeded: the message names the budget, its limit, what is spent and committed, this submission's
            cost, and the ``%qbudget`` command that raises it.
    """
    with log.transaction():
        rehearse = bool(log.get_setting(REHEARSE_SETTING, False))
        for record in records:
            counted, rehearsal = counted_cost(record, rehearse=rehearse)
            record.setdefault("cost", {}).update({"counted": counted, "rehearsal": rehearsal})
        reason = _refusal(log, records, rehearse)
        if reason is None:
            return
        for record in records:
            record["status"] = JobStatus.BLOCKED.value
            record["blocked_reason"] = reason
            record["error"] = f"blocked: {reason}"
        log.insert_many(records)
    raise BudgetExceeded(f"submission refused, nothing was run: {reason}")


def budget_status(log: RunLog) -> list[dict[str, Any]]:
    """Every budget with ``spent``, ``committed``, ``remaining`` and the ``rehearsal`` flag (for magics and server).

    Per-job budgets report 0 spent/committed and their limit as remaining (they bound each job, not a sum).
    """
    rehearse = bool(log.get_setting(REHEARSE_SETTING, False))
    out = []
    with log.transaction():
        for budget in log.budgets():
            spent, committed = (0.0, 0.0) if BudgetPeriod(budget["period"]) is BudgetPeriod.JOB else _usage(log, budget)
            remaining = float(budget["limit"]) - spent - committed
            out.append(
                {
                    **budget,
                    "spent": spent,
                    "committed": committed,
                    "remaining": max(0.0, remaining),
                    "rehearsal": rehearse,
                    "since": period_start(budget["period"]),
                }
            )
    return out


def _amount(text: str | float) -> float:
    try:
        amount = float(text)
    except (TypeError, ValueError):
        raise InvalidJobSpec(f"--limit must be an amount of money, got {text!r}") from None
    if not amount >= 0 or amount == float("inf"):
        raise InvalidJobSpec(f"--limit must be a finite amount ≥ 0, got {text!r}")
    return amount


def change_budgets(
    log: RunLog,
    *,
    limit: str | float | None = None,
    period: BudgetPeriod | str | None = None,
    backend: str | None = None,
    remove: bool = False,
    rehearse: bool | None = None,
) -> None:
    """Set or remove one budget, and switch rehearsal mode: what ``%qbudget`` and ``qhybrid budget`` do.

    Args:
        limit: set the budget of ``period`` (default total) and ``backend`` (default all) to this amount (text is
            parsed).
        period: day, total or job.
        backend: the budget applies to this backend only.
        remove: remove the budget of ``period`` and ``backend`` instead.
        rehearse: True/False switches rehearsal mode on/off (emulators count their real device's price).

    Raises:
        InvalidJobSpec: options that do not go together, or a bad amount or period; nothing was changed.
        UnknownBudget: ``remove`` of a budget that does not exist; nothing was changed.
    """
    if remove and limit is not None:
        raise InvalidJobSpec("use either --limit or --remove, not both")
    if limit is not None:
        log.set_budget(limit=_amount(limit), period=period or BudgetPeriod.TOTAL, backend=backend)
    elif remove:
        if not period:
            raise InvalidJobSpec("--remove needs --per day|total|job (and --backend for a backend's budget)")
        if not log.remove_budget(period=period, backend=backend):
            scope = f"backend {backend!r}" if backend else "all backends"
            raise UnknownBudget(f"there is no {period} budget for {scope}")
    elif period or backend:
        raise InvalidJobSpec("--per and --backend go with --limit AMOUNT or --remove")
    if rehearse is not None:
        log.set_setting(REHEARSE_SETTING, bool(rehearse))
