"""What a job's record says of its result: the counts of a done job, or where an unfinished one is and why none.

Shared by ``Job.result()``, ``%qresult`` and ``qhybrid result``, so every front end reads a record the same way.
"""

from __future__ import annotations

from typing import Any

from ..errors import JobCancelled, JobFailed, JobNotFinished
from ..runlog.owners import responsible_owner
from ..status import ACTIVE_STATES, JobStatus

Counts = dict[str, int]
"""One circuit's counts; a sweep's result is a list of them, one per point."""


def counts_of(record: dict) -> Counts | list[Counts] | Any:
    """A copy of a done record's counts: one dict, or one per sweep point in order.

    A classical fallback's job has no counts: its answer is the function's own value (``result.value``).
    """
    result = record["result"]
    if result.get("value") is not None and not result.get("counts"):  # a classical fallback's own answer
        return result["value"]
    counts = result["counts"]
    return [dict(c) for c in counts] if isinstance(counts, list) else dict(counts)


def job_location(record: dict) -> str:
    """Where a job is: its state, and for a provider job the provider's own word (``queued at braket (QUEUED)``)."""
    where = str(record["status"])
    state = (record.get("provider_status") or {}).get("provider_state")
    if state:
        where += f" at {(record.get('provider_job') or {}).get('provider') or 'the provider'} ({state})"
    return where


def follower_note(record: dict) -> str:
    """Who follows an active job, as a clause for messages (read it after ``RunLog.get``, which settles the dead).

    After a read of the run log, the responsible process of an active job is alive, or there is none: a provider
    job whose kernel stopped waits for a process to adopt it (the Jupyter server, ``%qresult`` in a kernel).
    """
    owner = responsible_owner(record)
    if owner is not None:
        return f"; {owner} follows it"
    return "; no process follows it now: the Jupyter server's housekeeping adopts it (or %qresult in a kernel does)"


def unfinished_message(record: dict, *, follower: str = "", hint: str = "") -> str:
    """What asking for the result of an unfinished job says: where it is, who follows it, what to do."""
    text = f"job {record['id'][:8]} is {job_location(record)}; it has no result yet{follower}."
    return f"{text} {hint}" if hint else text


def recorded_counts(record: dict, *, follower: str = "", hint: str = "") -> Counts | list[Counts]:
    """The counts in a job's record (one dict per point for a sweep), or the reason there are none.

    Args:
        record: a run-log record.
        follower: for an unfinished job, a clause saying who follows it (see :func:`follower_note`).
        hint: for an unfinished job, what the reader can do (how to wait in this front end).

    Raises:
        JobNotFinished: it is pending, queued or running (the message says where).
        JobCancelled: it was cancelled.
        JobFailed: it failed, was blocked or interrupted (the message gives the reason).
    """
    status = JobStatus(record["status"])
    if status in ACTIVE_STATES:
        raise JobNotFinished(unfinished_message(record, follower=follower, hint=hint))
    if status is not JobStatus.DONE:
        reason = record.get("blocked_reason") or record.get("error")
        text = f"job {record['id'][:8]} is {status.value}, it has no result" + (f": {reason}" if reason else "")
        replacement = (record.get("fallback") or {}).get("to")
        if replacement:  # a fallback chain moved it on: the answer is the replacement's
            text += f"; it fell back to job {replacement[:8]}, whose result is the answer"
        raise (JobCancelled if status is JobStatus.CANCELLED else JobFailed)(text)
    return counts_of(record)


__all__ = ["Counts", "counts_of", "follower_note", "job_location", "recorded_counts", "unfinished_message"]
