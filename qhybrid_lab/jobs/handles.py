"""Job and JobGroup handles: they behave like ``concurrent.futures.Future``, are awaitable and show as a table."""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ..errors import InvalidJobSpec, JobCancelled, JobFailed
from ..status import FINAL_STATES, JobStatus
from .results import Counts, counts_of


class RecordSource(Protocol):
    """What a :class:`Job` handle needs: the run log to read its record from, and a way to cancel it."""

    log: Any
    """Has ``get(job_id) -> dict`` (a :class:`~qhybrid_lab.runlog.RunLog`)."""

    def cancel_job(self, job_id: str) -> bool:
        """Cancel the job (this process's, or another's through a request in the run log)."""

    def job(self, job_id: str) -> Job:
        """The handle of another job (the replacement of a job that fell back)."""


logger = logging.getLogger(__name__)

REMOTE_POLL = 0.25
"""Seconds between run-log reads while waiting on a job another process runs."""

_ACTIVITY = (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.PENDING)
_SEVERITY = (JobStatus.FAILED, JobStatus.INTERRUPTED, JobStatus.BLOCKED, JobStatus.CANCELLED, JobStatus.DONE)


def _settle(future: Any) -> None:
    if not future.done():  # an awaiting task that was cancelled already has its future done
        future.set_result(None)


def _error_for(record: dict) -> BaseException | None:
    status = JobStatus(record["status"])
    name = f"job {record['id'][:8]} ({record.get('circuit', {}).get('name')} on {record['backend']['name']})"
    if status is JobStatus.CANCELLED:
        return JobCancelled(f"{name} was cancelled")
    if status is JobStatus.BLOCKED:
        return JobFailed(f"{name} was blocked: {record.get('blocked_reason') or record.get('error')}")
    if status in (JobStatus.FAILED, JobStatus.INTERRUPTED):
        return JobFailed(f"{name} {status.value}: {record.get('error')}")
    return None


class Job:
    """One circuit (or one sweep) on one backend. Behaves like :class:`concurrent.futures.Future`; awaitable.

    Example:
        >>> job = run(bell, "aer", shots=1000)[0]
        >>> job.result(timeout=30)
        {'00': 507, '11': 493}
        >>> await job  # in asyncio code (a notebook cell, an async function): the same counts, no thread blocked
        {'00': 507, '11': 493}
    """

    def __init__(self, source: RecordSource, record: dict, *, local: bool = True) -> None:
        self._source = source
        self._record = record
        self._local = local
        self._cond = threading.Condition()
        self._done_callbacks: list[Callable[[Job], Any]] = []
        self._status_callbacks: list[Callable[[Job], Any]] = []
        self.id: str = record["id"]
        self.backend: str = record["backend"]["name"]
        self.circuit_name: str = record["circuit"]["name"]

    def __repr__(self) -> str:
        return f"<Job {self.id[:8]} {self.circuit_name} on {self.backend}: {self.status.value}>"

    # -- state ----------------------------------------------------------------------------------------------

    @property
    def local(self) -> bool:
        """Whether this process runs the job (False: a read-only view of another kernel's job)."""
        return self._local

    @property
    def record(self) -> dict:
        """The latest run-log record (read again from the run log for another process's job)."""
        if not self._local and JobStatus(self._record["status"]) not in FINAL_STATES:
            self._record = self._source.log.get(self.id)
        return self._record

    @property
    def status(self) -> JobStatus:
        """Where the job is now."""
        return JobStatus(self.record["status"])

    @property
    def parameters(self) -> dict | None:
        """A sweep's ``{"names": [...], "values": [[...], ...]}``, else None."""
        return self._record.get("parameters")

    def _update(self, record: dict) -> None:
        """Engine side: store the new record; wake waiters and call the callbacks on a status change."""
        with self._cond:
            old = self._record["status"]
            if record.get("updated", 0) < self._record.get("updated", 0) or (
                JobStatus(old) in FINAL_STATES and JobStatus(record["status"]) not in FINAL_STATES
            ):
                return  # a stale copy (two threads recorded at once): the newer one is already here
            self._record = record
            changed = record["status"] != old
            finished = changed and JobStatus(record["status"]) in FINAL_STATES
            self._cond.notify_all()
            status_callbacks = list(self._status_callbacks) if changed else []
            done_callbacks = list(self._done_callbacks) if finished else []
        for fn in status_callbacks + done_callbacks:
            self._call(fn)

    def _call(self, fn: Callable[[Job], Any]) -> None:
        try:
            fn(self)
        except Exception:  # a user callback must not stop the engine; it is logged with its traceback
            logger.exception("callback %r of job %s raised", fn, self.id)

    # -- Future interface -------------------------------------------------------------------------------------

    def done(self) -> bool:
        """True when the job is in a final state (done, failed, cancelled, blocked, interrupted)."""
        return self.status in FINAL_STATES

    def running(self) -> bool:
        """True while it executes."""
        return self.status is JobStatus.RUNNING

    def cancelled(self) -> bool:
        """True when it was cancelled."""
        return self.status is JobStatus.CANCELLED

    def cancel(self) -> bool:
        """Cancel the job: pending ones leave the queue, running local ones have their worker ended.

        Returns:
            True if the job is cancelled (or, for another kernel's job, a cancel request was written to the run
            log for that kernel to carry out); False if it had already finished.
        """
        return self._source.cancel_job(self.id)

    def _wait(self, timeout: float | None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                record = self.record
                if JobStatus(record["status"]) in FINAL_STATES:
                    return record
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(f"job {self.id[:8]} still {record['status']} after {timeout} s")
                step = left if self._local else min(REMOTE_POLL, left if left is not None else REMOTE_POLL)
                self._cond.wait(step)

    def wait(self, timeout: float | None = None) -> JobStatus:
        """Wait until the job is final and return its status (TimeoutError after ``timeout`` seconds)."""
        return JobStatus(self._wait(timeout)["status"])

    @property
    def replacement(self) -> Job | None:
        """The job that ran instead of this one when it fell back (``fallback.to``), or None."""
        link = (self.record.get("fallback") or {}).get("to")
        return self._source.job(link) if link else None

    def final(self) -> Job:
        """The last job of this one's fallback chain (itself when it did not fall back)."""
        job = self
        while (replacement := job.replacement) is not None:
            job = replacement
        return job

    def result(self, timeout: float | None = None) -> Counts | list[Counts]:
        """The counts (a list of counts, one per point, for a sweep), waiting up to ``timeout`` seconds.

        Raises:
            JobFailed: it failed, was blocked or interrupted (the message says why).
            JobCancelled: it was cancelled.
            TimeoutError: not finished in time.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        record = self._wait(timeout)
        replacement = self.replacement
        if replacement is not None:  # it fell back: the answer is the replacement's
            return replacement.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
        error = _error_for(record)
        if error is not None:
            raise error
        return counts_of(record)

    def _done_record(self, timeout: float | None) -> dict:
        """The record of the job that answered (itself or its fallback), or its error raised like result()."""
        deadline = None if timeout is None else time.monotonic() + timeout
        record = self._wait(timeout)
        replacement = self.replacement
        if replacement is not None:
            return replacement._done_record(None if deadline is None else max(0.0, deadline - time.monotonic()))
        error = _error_for(record)
        if error is not None:
            raise error
        return record

    def expectation_values(self, timeout: float | None = None) -> list[float] | list[list[float]]:
        """One expectation value per observable (a list of them per point for a sweep); waits like result().

        Raises:
            InvalidJobSpec: the job was run without observables.
            JobFailed, JobCancelled, TimeoutError: as :meth:`result`.
        """
        return _observable_field(self._done_record(timeout), "expectation_values")

    def standard_errors(self, timeout: float | None = None) -> list[float] | list[list[float]]:
        """The standard error of each expectation value (shot noise; 0.0 when computed exactly)."""
        return _observable_field(self._done_record(timeout), "standard_errors")

    def pub_result(self, timeout: float | None = None) -> Any:
        """This job as a Qiskit primitive result: a ``SamplerPubResult`` (``.data.meas.get_counts()``), or with
        observables an EstimatorV2-style ``PubResult`` whose ``.data`` has ``evs`` and ``stds`` too."""
        from .primitives import pub_result

        return pub_result(self._done_record(timeout))

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """The error ``result()`` would raise, or None for a finished job with a result."""
        record = self._wait(timeout)
        replacement = self.replacement
        return replacement.exception(timeout) if replacement is not None else _error_for(record)

    def add_done_callback(self, fn: Callable[[Job], Any]) -> None:
        """Call ``fn(job)`` when the job finishes (at once if it already has)."""
        with self._cond:
            if not self.done():
                self._done_callbacks.append(fn)
                return
        self._call(fn)

    # -- asyncio ------------------------------------------------------------------------------------------------

    def __await__(self):
        """``await job``: its :meth:`result`, without blocking the event loop (no thread waits)."""
        return self._result_async().__await__()

    async def _result_async(self) -> Counts | list[Counts]:
        record = await self._wait_async()
        error = _error_for(record)
        if error is not None:
            raise error
        return counts_of(record)

    async def _wait_async(self) -> dict:
        """Wait for a final state in the running event loop; returns the final record.

        This kernel's jobs wake the loop from their done callback (``call_soon_threadsafe`` from the engine
        thread); another kernel's job is read from the run log every ``REMOTE_POLL`` seconds.
        """
        import asyncio

        if not self._local:
            while not self.done():
                await asyncio.sleep(REMOTE_POLL)
            return self.record
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def wake(_job: Job) -> None:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # the loop was closed meanwhile: nobody awaits this job any more
                logger.debug("event loop closed before job %s finished", self.id)

        self.add_done_callback(wake)
        await future
        return self.record

    def add_status_callback(self, fn: Callable[[Job], Any]) -> None:
        """Call ``fn(job)`` on every status change of this kernel's jobs.

        Called from the engine thread, except for a job cancelled while waiting, whose callback runs on the thread
        that cancelled it. Keep callbacks short: the engine waits for them.
        """
        with self._cond:
            self._status_callbacks.append(fn)

    def _repr_html_(self) -> str:
        return _table([self])


class JobGroup:
    """The jobs of one submission (every circuit × backend). ``result()`` gives ``{circuit: {backend: counts}}``.

    A sweep's entry is a list of counts, one per point. ``await group`` gives the same in asyncio code.
    """

    def __init__(self, group_id: str, jobs: list[Job]) -> None:
        self.id = group_id
        self.jobs = jobs

    def __repr__(self) -> str:
        return f"<JobGroup {self.id[:8]}: {len(self.jobs)} jobs, {self.status.value}>"

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)

    def __len__(self) -> int:
        return len(self.jobs)

    def __getitem__(self, key: int | tuple[str, str]) -> Job:
        if isinstance(key, tuple):
            circuit, backend = key
            for job in self.jobs:
                if job.circuit_name == circuit and job.backend == backend:
                    return job
            raise KeyError(
                f"no job for circuit {circuit!r} on backend {backend!r} in group {self.id[:8]}; "
                f"have {[(j.circuit_name, j.backend) for j in self.jobs]}"
            )
        return self.jobs[key]

    @property
    def status(self) -> JobStatus:
        """The most active member's state (running > queued > pending), else the worst final one."""
        states = {job.final().status for job in self.jobs}
        for status in _ACTIVITY + _SEVERITY:
            if status in states:
                return status
        return JobStatus.DONE

    def done(self) -> bool:
        """True when every job is final (a job that fell back: when its replacement is)."""
        return all(job.final().done() for job in self.jobs)

    def cancel(self) -> bool:
        """Cancel every unfinished job; True if at least one was cancelled."""
        outcomes = [job.cancel() for job in self.jobs if not job.done()]
        return any(outcomes)

    def wait(self, timeout: float | None = None) -> JobStatus:
        """Wait until every job (and every fallback that replaced one) is final; returns the group status.

        TimeoutError after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        for first in self.jobs:
            job: Job | None = first
            while job is not None:
                job.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
                job = job.replacement
        return self.status

    def result(self, timeout: float | None = None) -> dict[str, dict[str, Counts | list[Counts]]]:
        """``{circuit name: {backend: counts}}`` (a list of counts for a sweep); raises the first job's error like
        :meth:`Job.result`."""
        self.wait(timeout)
        out: dict[str, dict[str, Counts | list[Counts]]] = {}
        for job in self.jobs:
            final = job.final()  # a job that fell back is keyed by the backend that answered
            out.setdefault(job.circuit_name, {})[final.backend] = final.result(0)
        return out

    def _by_job(self, read: Callable[[Job], Any], timeout: float | None) -> dict[str, dict[str, Any]]:
        self.wait(timeout)
        out: dict[str, dict[str, Any]] = {}
        for job in self.jobs:
            final = job.final()
            out.setdefault(job.circuit_name, {})[final.backend] = read(final)
        return out

    def _only(self) -> Job:
        if len(self.jobs) != 1:
            raise InvalidJobSpec(
                f"group {self.id[:8]} has {len(self.jobs)} jobs "
                f"({', '.join(f'{j.circuit_name} on {j.backend}' for j in self.jobs)}); use "
                f"group[i].counts() or group.result()[circuit][backend]"
            )
        return self.jobs[0].final()

    def counts(self, timeout: float | None = None) -> Counts | list[Counts]:
        """The counts of the group's one job (one circuit on one backend); InvalidJobSpec when it has several."""
        self.wait(timeout)
        return self._only().result(0)

    def expectation_values(self, timeout: float | None = None) -> Any:
        """With one job, its :meth:`Job.expectation_values`; else ``{circuit: {backend: values}}``."""
        if len(self.jobs) == 1:
            self.wait(timeout)
            return self._only().expectation_values(0)
        return self._by_job(lambda job: job.expectation_values(0), timeout)

    def standard_errors(self, timeout: float | None = None) -> Any:
        """With one job, its :meth:`Job.standard_errors`; else ``{circuit: {backend: errors}}``."""
        if len(self.jobs) == 1:
            self.wait(timeout)
            return self._only().standard_errors(0)
        return self._by_job(lambda job: job.standard_errors(0), timeout)

    def pub_results(self, timeout: float | None = None) -> Any:
        """Every job as Qiskit's ``PrimitiveResult`` of pub results, in the group's order (:meth:`Job.pub_result`)."""
        from qiskit.primitives import PrimitiveResult

        self.wait(timeout)
        return PrimitiveResult(
            [job.final().pub_result(0) for job in self.jobs],
            metadata={"group": self.id, "jobs": [job.final().id for job in self.jobs]},
        )

    def __await__(self):
        """``await group``: its :meth:`result` once every job is final, without blocking the event loop."""
        return self._result_async().__await__()

    async def _result_async(self) -> dict[str, dict[str, Counts | list[Counts]]]:
        import asyncio

        await asyncio.gather(*(job._wait_async() for job in self.jobs))
        return self.result(0)

    def _repr_html_(self) -> str:
        return _table(self.jobs, caption=f"group {self.id[:8]}: {self.status.value}")


def _observable_field(record: dict, key: str) -> Any:
    result = record.get("result") or {}
    if result.get(key) is None:
        raise InvalidJobSpec(
            f"job {record['id'][:8]} has no {key.replace('_', ' ')}: it ran without observables "
            f"(run(circuit, backend, observables=['ZZ', ...]))"
        )
    return result[key]


def _table(jobs: list[Job], caption: str | None = None) -> str:
    rows = []
    for job in jobs:
        record = job.record
        backend = record["backend"]
        counts = (record.get("result") or {}).get("counts") or {}
        if isinstance(counts, list):  # a sweep: one counts dict per point
            top = f"{len(counts)} points"
        else:
            top = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:4])
        if not counts and record.get("error"):
            top = record.get("error") or ""
        cost = record.get("cost") or {}
        seconds = (record.get("timings") or {}).get("total")
        cells = [
            job.id[:8],
            job.circuit_name,
            f"{backend['name']} ({backend.get('kind')})",
            record["status"],
            str(record.get("shots")),
            f"{seconds:.2f} s" if seconds is not None else "",
            f"${cost.get('estimate') or 0:.2f}",
            top,
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("job", "circuit", "backend", "status", "shots", "time", "cost", "result"))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="qh-JobTable">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


__all__ = ["Job", "JobGroup", "RecordSource"]
