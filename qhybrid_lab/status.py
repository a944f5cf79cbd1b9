"""The closed vocabularies: job states (with the transitions allowed between them) and budget periods."""

from __future__ import annotations

from enum import Enum


class JobStatus(str, Enum):
    """Where a job is in its life. Values are the strings stored in the run log."""

    PENDING = "pending"
    """Accepted and recorded; waiting in the local queue."""
    QUEUED = "queued"
    """Handed to the provider (or a local worker) and waiting there."""
    RUNNING = "running"
    """Executing."""
    DONE = "done"
    """Finished with a result."""
    FAILED = "failed"
    """Finished with an error (after any retries)."""
    CANCELLED = "cancelled"
    """Cancelled by the user before it finished."""
    BLOCKED = "blocked"
    """Refused before submission (cost guard or validation); nothing was submitted."""
    INTERRUPTED = "interrupted"
    """Its owning process stopped beating before the job finished."""

    def __str__(self) -> str:  # so f-strings and tables show "done", not "JobStatus.DONE"
        return self.value


FINAL_STATES: frozenset[JobStatus] = frozenset(
    {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.BLOCKED, JobStatus.INTERRUPTED}
)
"""States a job never leaves (except ``interrupted``, which a provider job may be re-attached from)."""

ACTIVE_STATES: frozenset[JobStatus] = frozenset({JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING})
"""States in which a job still holds a place in a queue and counts as committed cost."""

ALLOWED_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset(
        {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED}
    ),
    JobStatus.QUEUED: frozenset(
        {JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED}
    ),
    JobStatus.RUNNING: frozenset(
        {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED, JobStatus.QUEUED}
    ),
    JobStatus.INTERRUPTED: frozenset({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE, JobStatus.FAILED}),
    JobStatus.DONE: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
    JobStatus.BLOCKED: frozenset(),
}
"""Which state may follow which. RUNNING → QUEUED is a retry after a transient error."""


def can_transition(old: JobStatus | str, new: JobStatus | str) -> bool:
    """Whether a job may move from ``old`` to ``new``."""
    return JobStatus(new) in ALLOWED_TRANSITIONS[JobStatus(old)]


class BudgetPeriod(str, Enum):
    """What a budget limits. Values are the strings stored in the run log and used by magics and the REST API."""

    DAY = "day"
    """Spending since local midnight."""
    TOTAL = "total"
    """All spending, ever."""
    JOB = "job"
    """The cost of each single job (not a sum)."""

    def __str__(self) -> str:
        return self.value

    @property
    def adjective(self) -> str:
        """How messages name the period: "daily", "total", "per-job"."""
        return {"day": "daily", "total": "total", "job": "per-job"}[self.value]


def budget_period(value: BudgetPeriod | str) -> BudgetPeriod:
    """``value`` as a :class:`BudgetPeriod`.

    Raises:
        InvalidJobSpec: It is not one of day, total, job (the message lists them).
    """
    try:
        return BudgetPeriod(value)
    except ValueError:
        from .errors import InvalidJobSpec

        raise InvalidJobSpec(
            f"budget period must be one of {', '.join(p.value for p in BudgetPeriod)}, not {value!r}"
        ) from None
