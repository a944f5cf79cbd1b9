"""Provider jobs in the engine: submit once, record the reference before waiting, poll with backoff, fetch, cancel.

A job on a :class:`~qhybrid_lab.backends.remote.RemoteBackend` (``is_local = False``) lives at the provider. The
engine thread decides and records every step; the network calls (submit, poll, result, cancel) run on a small pool
of threads and come back as events, so one scheduler polls every provider job (never one thread per job). The
reference (``provider_job_id``, ``provider_job``) is in the run log before anything waits on it, so another process
can follow the job: a retry after a transient failure first asks the provider whether the submission arrived
(:meth:`RemoteBackend.find_submitted`), never submitting twice.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from ..errors import TransientBackendError
from ..status import JobStatus
from .execution import counts_for, counts_of, sweep_inputs

if TYPE_CHECKING:
    from ..backends.remote import ProviderJobRef, ProviderStatus, RemoteBackend, RemoteResult
    from .engine import Engine
    from .task import Task

logger = logging.getLogger(__name__)

POLL_FIRST = 0.5
"""Seconds before the first poll after a submission (and after a state change)."""
POLL_FACTOR = 1.6
POLL_MAX = 20.0
"""The longest pause between two polls of one job."""
NETWORK_THREADS = 4
UNREACHABLE_NOTE_AFTER = 3
"""Consecutive failed polls after which the record says the provider is unreachable (once)."""


def is_provider_task(task: Task) -> bool:
    """Whether the engine drives this task's provider-job lifecycle (a non-local remote backend)."""
    from ..backends.remote import RemoteBackend

    return isinstance(task.backend, RemoteBackend) and not task.backend.is_local


def _remote(task: Task) -> RemoteBackend:
    """The task's backend as the remote backend it is (the engine only gives this class provider tasks)."""
    return cast("RemoteBackend", task.backend)


class ProviderJobs:
    """The provider-job half of the :class:`~qhybrid_lab.jobs.engine.Engine` (used from its thread only)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pool = ThreadPoolExecutor(NETWORK_THREADS, thread_name_prefix="qhybrid-provider")
        self._lock = threading.Lock()
        self._events: deque[tuple[Task, str, Any]] = deque()
        self._polls: list[tuple[float, int, Task]] = []
        self._seq = itertools.count()

    # -- scheduling ---------------------------------------------------------------------------------------------

    def _call(self, task: Task, kind: str, fn: Any, *args: Any) -> None:
        """Run a network call on the pool; its outcome comes back as the event ``kind`` (or ``kind + "_failed"``)."""

        def work() -> None:
            started = time.monotonic()
            try:
                outcome: Any = (fn(*args), time.monotonic() - started)
                event = kind
            except Exception as error:  # noqa: BLE001 - each outcome is an event the engine records
                outcome, event = error, kind + "_failed"
            with self._lock:
                self._events.append((task, event, outcome))
            self._engine.wake()

        self._pool.submit(work)

    def _schedule_poll(self, task: Task, delay: float) -> None:
        heapq.heappush(self._polls, (time.monotonic() + delay, next(self._seq), task))

    def next_due(self) -> float | None:
        """Seconds until the next poll is due (None when none is scheduled)."""
        return self._polls[0][0] - time.monotonic() if self._polls else None

    def step(self) -> None:
        """Handle the events of finished network calls, then start the polls that are due."""
        while True:
            with self._lock:
                if not self._events:
                    break
                task, event, outcome = self._events.popleft()
            if not task.finished.is_set():
                getattr(self, f"_on_{event}")(task, outcome)
        now = time.monotonic()
        while self._polls and self._polls[0][0] <= now:
            task = heapq.heappop(self._polls)[2]
            if not task.finished.is_set():
                self._call(task, "polled", _remote(task).poll, task.provider_ref)

    # -- submission ---------------------------------------------------------------------------------------------

    def submit(self, task: Task) -> None:
        """Hand a transpiled task to its provider (on the pool); a retry first looks for the earlier submission."""
        backend = task.backend
        pending = {
            "provider": backend.provider,
            "backend": backend.name,
            "job_id": None,
            "local": False,
            "submitting_since": time.time(),
        }
        self._engine.record(
            task,
            {"attempts": task.attempt, "provider_job": pending},
            JobStatus(task.record["status"]),
            note=f"submitting to {backend.provider} (attempt {task.attempt})",
        )
        circuits, binds = sweep_inputs(task.transpiled, task.parameters)
        key = task.record["idempotency_key"]
        self._call(task, "submitted", self._submit_once, task, circuits, binds, key, task.attempt > 1)

    @staticmethod
    def _submit_once(task: Task, circuits: list, binds: list | None, key: str, look_first: bool) -> Any:
        backend = _remote(task)
        if look_first:  # an earlier attempt may have reached the provider although its answer was lost
            found = backend.find_submitted(key, since=task.created)
            if found is not None:
                return found
        try:
            return backend.submit(
                circuits,
                shots=task.options.shots,
                seed=task.options.seed,
                parameter_binds=binds,
                idempotency_key=key,
                tags=list(task.options.tags),
                mode=task.options.mode,
            )
        except TransientBackendError:
            found = backend.find_submitted(key, since=task.created)
            if found is not None:
                return found
            raise

    def _on_submitted(self, task: Task, outcome: tuple[ProviderJobRef, float]) -> None:
        ref, seconds = outcome
        task.provider_ref = ref
        now = time.time()
        self._engine.record(
            task,
            {
                "provider_job_id": ref.job_id,
                "provider_job": ref.as_record(),
                "timings": {"submit": seconds, "started_at": now, "queue": task.queue_seconds},
            },
            JobStatus.QUEUED,
            note=f"accepted by {ref.provider} as {ref.job_id}",
        )
        task.poll_interval = POLL_FIRST
        if task.cancel_requested:
            self._call(task, "cancel_sent", _remote(task).cancel, ref)
        else:
            self._schedule_poll(task, POLL_FIRST)

    def _on_submitted_failed(self, task: Task, error: BaseException) -> None:
        self._engine.attempt_failed(
            task, type(error).__name__, str(error), transient=isinstance(error, TransientBackendError)
        )

    # -- following ----------------------------------------------------------------------------------------------

    def follow(self, task: Task) -> None:
        """Follow a task that already has a provider reference (adopted from the run log): poll it now."""
        task.poll_interval = POLL_FIRST
        self._schedule_poll(task, 0.0)

    def find(self, task: Task) -> None:
        """Follow a task whose submitting process died before its reference was recorded: ask the provider."""
        self._call(task, "found", self._find_submitted, task)

    @staticmethod
    def _find_submitted(task: Task) -> ProviderJobRef | None:
        return _remote(task).find_submitted(task.record["idempotency_key"], since=task.created)

    def _on_found(self, task: Task, outcome: tuple[ProviderJobRef | None, float]) -> None:
        ref, _ = outcome
        if ref is None:
            self._engine.finish(
                task,
                {
                    "error": "the process that submitted this job stopped before the provider "
                    "accepted it; nothing runs there"
                },
                JobStatus.INTERRUPTED,
                note="never reached the provider",
            )
            return
        task.provider_ref = ref
        self._engine.record(
            task,
            {"provider_job_id": ref.job_id, "provider_job": ref.as_record()},
            JobStatus(task.record["status"]),
            note=f"found at {ref.provider} as {ref.job_id}",
        )
        self.follow(task)

    def _on_found_failed(self, task: Task, error: BaseException) -> None:
        self._retry_later(task, error, "looking for the submission")

    def _on_polled(self, task: Task, outcome: tuple[ProviderStatus, float]) -> None:
        status, _ = outcome
        task.unreachable = 0
        previous = task.record.get("provider_status") or {}
        changed = (
            previous.get("provider_state") != status.provider_state
            or previous.get("queue_position_text") != status.queue_position_text
        )
        if status.status is JobStatus.DONE:
            self._record_status(task, status, JobStatus.RUNNING, changed)
            self._call(task, "fetched", _remote(task).result, task.provider_ref)
            return
        if status.final:
            self._end(task, status)
            return
        self._record_status(task, status, status.status, changed)
        task.poll_interval = POLL_FIRST if changed else min(POLL_MAX, task.poll_interval * POLL_FACTOR)
        self._schedule_poll(task, task.poll_interval)

    def _record_status(self, task: Task, status: ProviderStatus, mapped: JobStatus, changed: bool) -> None:
        if not changed and task.record.get("status") == mapped.value:
            return
        fields: dict[str, Any] = {"provider_status": status.as_record()}
        if mapped is JobStatus.RUNNING and task.record.get("status") != JobStatus.RUNNING.value:
            fields["timings"] = {"running_at": status.timestamps.get("running", time.time())}
        self._engine.record(task, fields, mapped, note=f"{task.provider_ref.provider}: {status.provider_state}")

    def _end(self, task: Task, status: ProviderStatus) -> None:
        """A provider job that ended without a result: failed or cancelled there."""
        fields: dict[str, Any] = {"provider_status": status.as_record()}
        message = status.message or status.provider_state
        if status.status is JobStatus.CANCELLED and task.timed_out:
            fields["error"] = (
                f"timed out after {task.options.timeout:g} s (queue included); it was cancelled at "
                f"{task.provider_ref.provider}"
            )
            self._engine.finish(task, fields, JobStatus.FAILED, note="timed out")
        elif status.status is JobStatus.CANCELLED:
            self._engine.finish(task, fields, JobStatus.CANCELLED, note=f"cancelled at {task.provider_ref.provider}")
        else:
            fields["error"] = f"{task.provider_ref.provider} reports the job {status.provider_state}: {message}"
            self._engine.finish(task, fields, JobStatus.FAILED, note=status.provider_state)

    def _on_polled_failed(self, task: Task, error: BaseException) -> None:
        self._retry_later(task, error, "polling")

    def _retry_later(self, task: Task, error: BaseException, doing: str) -> None:
        if not isinstance(error, TransientBackendError):
            self._engine.finish(task, {"error": f"{doing} failed: {type(error).__name__}: {error}"}, JobStatus.FAILED)
            return
        task.unreachable += 1
        if task.unreachable == UNREACHABLE_NOTE_AFTER:
            self._engine.record(
                task,
                {
                    "errors": [
                        *task.record.get("errors", []),
                        {
                            "at": time.time(),
                            "attempt": task.attempt,
                            "type": type(error).__name__,
                            "message": str(error),
                        },
                    ]
                },
                JobStatus(task.record["status"]),
                note=f"the provider cannot be reached ({doing}); still trying",
            )
        task.poll_interval = min(POLL_MAX, max(POLL_FIRST, task.poll_interval) * POLL_FACTOR)
        if task.provider_ref is None:
            self._call(task, "found", self._find_submitted, task)
        else:
            self._schedule_poll(task, task.poll_interval)

    def _on_fetched(self, task: Task, outcome: tuple[RemoteResult, float]) -> None:
        result, seconds = outcome
        now = time.time()
        stamps = result.timestamps
        timings: dict[str, Any] = {"retrieve": seconds, "finished_at": now, "total": now - task.created}
        if stamps.get("created") and stamps.get("running"):
            timings["queue"] = max(0.0, stamps["running"] - stamps["created"])
        if stamps.get("running") and stamps.get("finished"):
            timings["run"] = max(0.0, stamps["finished"] - stamps["running"])
        elif result.results:
            timings["run"] = sum(r.seconds for r in result.results)
        cost = {"actual": result.actual_cost} if result.actual_cost is not None else {}
        several = task.parameters is None and len(result.results) > 1  # an attached job of several circuits
        counts = [counts_of(r) for r in result.results] if several else counts_for(result.results, task.parameters)
        self._engine.finish(
            task,
            {
                "result": {"counts": counts, "shots": int(result.results[0].shots)},
                "provider_metrics": result.metrics,
                "usage": result.usage,
                "simulation": dict(result.results[0].metadata or {}),
                "cost": cost,
                "timings": timings,
            },
            JobStatus.DONE,
        )

    def _on_fetched_failed(self, task: Task, error: BaseException) -> None:
        if isinstance(error, TransientBackendError):
            self._schedule_poll(task, min(POLL_MAX, task.poll_interval * POLL_FACTOR))  # poll, then fetch again
            return
        self._engine.finish(
            task,
            {
                "error": f"the provider finished the job but its result could not be read: "
                f"{type(error).__name__}: {error}"
            },
            JobStatus.FAILED,
        )

    # -- cancel and timeout -------------------------------------------------------------------------------------

    def cancel(self, task: Task) -> None:
        """Cancel at the provider (once the reference is known); the job ends when the provider says it did."""
        task.cancel_requested = True
        if task.provider_ref is not None:
            self._call(task, "cancel_sent", _remote(task).cancel, task.provider_ref)

    def _on_cancel_sent(self, task: Task, outcome: tuple[bool, float]) -> None:
        accepted, _ = outcome
        if accepted:
            self._engine.record(
                task, {}, JobStatus(task.record["status"]), note=f"cancel sent to {task.provider_ref.provider}"
            )
        self._schedule_poll(task, 0.0)  # the provider's own state decides: cancelled, or already done

    def _on_cancel_sent_failed(self, task: Task, error: BaseException) -> None:
        self._engine.record(
            task,
            {},
            JobStatus(task.record["status"]),
            note=f"the cancel did not reach the provider: {type(error).__name__}: {error}",
        )
        self._schedule_poll(task, task.poll_interval or POLL_FIRST)

    # -- shutdown ---------------------------------------------------------------------------------------------

    def release(self, task: Task, owner: str | None) -> None:
        """At shutdown: the provider job goes on; leave it to be adopted (the Jupyter server follows it)."""
        self._engine.record(
            task,
            {"handler": {"owner": None, "released_at": time.time(), "previous": owner}},
            JobStatus(task.record["status"]),
            note="the kernel exited; the provider job goes on and waits to be adopted",
        )

    def close(self) -> None:
        """Stop the network threads (calls in flight finish; their events are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


__all__ = ["ProviderJobs", "is_provider_task"]
