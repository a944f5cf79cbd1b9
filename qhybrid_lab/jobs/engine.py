"""The engine: one thread per process that transpiles, records, dispatches to warm workers, retries, times out, cancels.

Local jobs run in :mod:`~qhybrid_lab.jobs.workers` processes; jobs of non-local backends and Dask jobs run
:func:`~qhybrid_lab.jobs.execution.execute` on a short-lived thread each. Every state change goes through the task's
:class:`~qhybrid_lab.jobs.recorder.Recorder` (the run log, or memory while it cannot be written), then to the task's
``on_record`` callback. Whatever fails, a job ends in a final state with the reason: the engine never waits on it
forever.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import pickle
import socket
import subprocess
import threading
import time
from collections import deque
from multiprocessing.connection import wait as wait_any
from typing import Any

from ..backends.base import BackendKind
from ..errors import RunLogError
from ..status import JobStatus
from .execution import ExecutionReply, execute, observable_results
from .provider_jobs import ProviderJobs, is_provider_task
from .task import Task
from .workers import Worker, WorkerPool

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""Attempts per job when the backend raises TransientBackendError."""
BACKOFF = 0.2
"""Seconds before the first retry; doubled for each further one (0.2, 0.4, 0.8 ...)."""
MAX_BOOT_FAILURES = 3
"""Workers dying before they are ready this many times in a row fail the waiting jobs instead of looping."""
CANCEL_WAIT = 10.0
"""Seconds ``cancel()`` waits for the engine to end a running job."""
_CONNECTION_ERRORS = (EOFError, OSError, pickle.UnpicklingError)


class Engine:
    """Process-wide executor shared by every :class:`~qhybrid_lab.jobs.JobManager` (one per run-log home)."""

    def __init__(self, workers: int | None = None) -> None:
        self.pool = WorkerPool(workers)
        self._lock = threading.RLock()
        self._tasks: dict[str, Task] = {}
        self._incoming: deque[Task] = deque()
        self._ready: deque[Task] = deque()
        self._timers: list[tuple[float, int, Task]] = []
        self._deadlines: list[tuple[float, int, Task]] = []
        self._adopted: deque[Task] = deque()
        self._provider_cancels: deque[Task] = deque()
        self._want_workers = False
        self._seq = itertools.count()
        self._remote_results: deque[tuple[Task, ExecutionReply]] = deque()
        self._calibrations: dict[str, dict | None] = {}
        self._boot_failures = 0
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._stopping = threading.Event()
        self.providers = ProviderJobs(self)
        self._thread = threading.Thread(target=self._run, name="qhybrid-engine", daemon=True)
        self._thread.start()

    # -- called from any thread --------------------------------------------------------------------------------

    @property
    def thread(self) -> threading.Thread:
        """The engine thread."""
        return self._thread

    def wake(self) -> None:
        """Make the engine thread look at its queues now."""
        try:
            self._wake_w.send(b"x")
        except (BlockingIOError, OSError):
            pass  # the wake socket is full (already woken) or closed (shutting down): nothing to add

    def submit(self, tasks: list[Task]) -> None:
        """Queue pending jobs (already recorded as pending)."""
        with self._lock:
            for task in tasks:
                self._add(task)
                self._incoming.append(task)
                self._want_workers = self._want_workers or task.runs_in_worker
        self.wake()

    def follow(self, tasks: list[Task]) -> None:
        """Take over provider jobs recorded by another process (adoption): poll them, or find their submission."""
        with self._lock:
            for task in tasks:
                self._add(task)
                self._adopted.append(task)
        self.wake()

    def _add(self, task: Task) -> None:
        self._tasks[task.id] = task
        if task.deadline is not None:
            heapq.heappush(self._deadlines, (task.deadline, next(self._seq), task))

    def active_count(self, recorder: Any = None) -> int:
        """Jobs this process still has to finish (of one run log's recorder, or of all)."""
        with self._lock:
            return sum(1 for t in self._tasks.values() if recorder is None or t.recorder is recorder)

    def owns(self, job_id: str) -> bool:
        """Whether the job is active in this engine."""
        with self._lock:
            return job_id in self._tasks

    def cancel(self, job_id: str) -> bool:
        """Cancel an active job of this engine; True when it ends cancelled."""
        with self._lock:
            task = self._tasks.get(job_id)
            if task is None:
                return False
            queued = self._remove_queued(task)
            in_flight = not queued and task.dispatched_at is not None
            provider = in_flight and is_provider_task(task)
            if in_flight and not task.runs_in_worker and not provider:
                return False  # a thread (Dask, a blocking backend) cannot be stopped from here
            if not queued:
                task.cancel_requested = True
        if provider:
            self._provider_cancels.append(task)
            self.wake()
            if threading.current_thread() is not self._thread:
                task.finished.wait(CANCEL_WAIT)
            return task.record["status"] == JobStatus.CANCELLED.value
        if queued:
            self._finish(task, {}, JobStatus.CANCELLED, note="cancelled while waiting")
            return True
        self.wake()
        if threading.current_thread() is not self._thread:
            task.finished.wait(CANCEL_WAIT)
        return task.record["status"] == JobStatus.CANCELLED.value or threading.current_thread() is self._thread

    def _remove_queued(self, task: Task) -> bool:
        for queue in (self._incoming, self._ready):
            if task in queue:
                queue.remove(task)
                return True
        for i, (_, _, timed) in enumerate(self._timers):
            if timed is task:
                self._timers.pop(i)
                heapq.heapify(self._timers)
                return True
        return False

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the engine thread and its workers; jobs still active are recorded as interrupted."""
        self._stopping.set()
        self.wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    # -- the engine thread -------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._step()
                except Exception:  # every task-level failure is handled where it happens; this keeps the loop alive
                    logger.exception("qhybrid-lab engine step failed")
                    time.sleep(0.1)
        finally:
            self._stop_all()

    def _step(self) -> None:
        self._start_workers()
        self._do_cancels()
        self._expire_deadlines()
        self._release_timers()
        self._take_adopted()
        self._transpile_one()
        self._dispatch()
        self._collect_remote()
        self.providers.step()
        with self._lock:
            busy = bool(self._incoming) or (bool(self._ready) and self.pool.idle() is not None)
            due = min(
                [
                    heap[0][0] - now
                    for heap, now in ((self._timers, time.monotonic()), (self._deadlines, time.time()))
                    if heap
                ]
                + [d for d in (self.providers.next_due(),) if d is not None],
                default=None,
            )
        timeout = 0.0 if busy else min(1.0, max(0.0, due)) if due is not None else 1.0
        workers = self.pool.workers
        for ready in wait_any([self._wake_r, *(worker.conn for worker in workers)], timeout):
            if ready is self._wake_r:
                self._wake_r.recv(4096)
                continue
            for worker in workers:
                if ready is worker.conn:
                    self._on_worker(worker)

    def warm(self) -> None:
        """Start the worker processes now (they import Aer while the kernel does other things)."""
        self._want_workers = True
        self.wake()

    def _start_workers(self) -> None:
        if not self._want_workers:
            return  # a process that only follows provider jobs (the Jupyter server) never starts workers
        try:
            self.pool.ensure_started()  # workers warm up (import Aer) while the first jobs transpile
        except OSError as error:  # cannot start processes now (out of memory, process limit): say so, retry later
            self._boot_failures += 1
            logger.warning("qhybrid-lab could not start a worker process: %s", error)
            if self._boot_failures >= MAX_BOOT_FAILURES:
                self._fail_waiting(f"worker processes cannot be started: {error}")

    def _take_adopted(self) -> None:
        with self._lock:
            adopted, self._adopted = list(self._adopted), deque()
        for task in adopted:
            if task.provider_ref is None:
                self.providers.find(task)
            else:
                self.providers.follow(task)

    def _do_cancels(self) -> None:
        with self._lock:
            provider, self._provider_cancels = list(self._provider_cancels), deque()
            wanted = [
                t
                for t in self._tasks.values()
                if t.cancel_requested and t.dispatched_at is not None and t.runs_in_worker
            ]
        for task in provider:
            if not task.finished.is_set():
                self.providers.cancel(task)
        for task in wanted:
            worker = self.pool.running(task.id)
            if worker is not None:
                self.pool.replace(worker)
                self._finish(task, {}, JobStatus.CANCELLED, note="cancelled while running; worker replaced")

    def _expire_deadlines(self) -> None:
        """Jobs that outlived their ``timeout`` (queue included): end them, or mark them and let them run."""
        now = time.time()
        while True:
            with self._lock:
                if not self._deadlines or self._deadlines[0][0] > now:
                    return
                task = heapq.heappop(self._deadlines)[2]
                if task.finished.is_set() or task.timed_out:
                    continue
                task.timed_out = True
                cancel = task.options.on_timeout == "cancel"
                queued = self._remove_queued(task) if cancel else False
            seconds = task.options.timeout
            timeout = {"seconds": seconds, "action": "cancelled" if cancel else "kept", "expired_at": now}
            if not cancel:
                self._record(
                    task,
                    {"timeout": timeout},
                    JobStatus(task.record["status"]),
                    note=f"timed out after {seconds:g} s; kept running as asked",
                )
                continue
            if is_provider_task(task) and not queued and task.dispatched_at is not None:
                self._record(
                    task,
                    {"timeout": timeout},
                    JobStatus(task.record["status"]),
                    note=f"timed out after {seconds:g} s; cancelling at the provider",
                )
                self.providers.cancel(task)  # the provider's CANCELLED ends it as failed (timed out)
                continue
            worker = self.pool.running(task.id)
            if worker is not None:
                self.pool.replace(worker)
            where = "while waiting" if queued or task.dispatched_at is None else "while running"
            self._finish(
                task,
                {
                    "timeout": timeout,
                    "error": f"timed out after {seconds:g} s (queue included); it was cancelled {where}",
                },
                JobStatus.FAILED,
                note="timed out",
            )

    def _release_timers(self) -> None:
        now = time.monotonic()
        with self._lock:
            while self._timers and self._timers[0][0] <= now:
                task = heapq.heappop(self._timers)[2]
                task.queued_at = time.time()
                self._ready.append(task)

    def _transpile_one(self) -> None:
        with self._lock:
            if not self._incoming:
                return
            task = self._incoming.popleft()
        if task.backend.kind is BackendKind.CLASSICAL:  # a classical solver gets the circuit as submitted
            task.transpiled = task.circuit
            with self._lock:
                task.queued_at = time.time()
                self._ready.append(task)
            self._record(task, {"transpile": None}, JobStatus.QUEUED, note="classical: not transpiled")
            return
        try:
            from ..circuits import transpile_for

            outcome = transpile_for(
                task.circuit, task.backend, optimization_level=task.options.optimization_level, seed=task.options.seed
            )
            basis = self._basis_variants(task, outcome)
            calibration = self._calibration(task)
        except Exception as exc:  # noqa: BLE001 - the job fails with the message; the engine goes on with the others
            self._finish(task, {"error": f"transpile failed: {type(exc).__name__}: {exc}"}, JobStatus.FAILED)
            return
        task.transpiled = outcome.circuit
        task.basis_transpiled = [circuit for circuit, _ in basis]
        fields: dict[str, Any] = {
            "transpile": outcome.as_record(),
            "timings": {"transpile": outcome.seconds + sum(s for _, s in basis)},
        }
        if basis and task.observables is not None:  # basis circuits come only from observables
            fields["transpile"]["basis_circuits"] = [
                {"basis": name, "depth": circuit.depth(), "size": circuit.size(), "seconds": seconds}
                for name, (circuit, seconds) in zip(task.observables["bases"], basis)
            ]
        if calibration is not None:
            fields["calibration"] = self._calibration_fields(task, calibration)
        with self._lock:
            cancel = task.cancel_requested or task.finished.is_set()
            if not cancel:
                task.queued_at = time.time()
                self._ready.append(task)
        if cancel:
            if not task.finished.is_set():
                self._finish(task, fields, JobStatus.CANCELLED, note="cancelled before dispatch")
        else:
            self._record(task, fields, JobStatus.QUEUED, note="transpiled; waiting for a worker")

    @staticmethod
    def _basis_variants(task: Task, outcome: Any) -> list[tuple[Any, float]]:
        """``(circuit, seconds)`` per measurement basis of the task's observables: the one transpiled circuit (from
        the transpile cache) with its measurements replaced by the basis change, on the same physical qubits."""
        if not task.observables or not task.observables["bases"]:
            return []
        from ..circuits.observables import basis_variant

        target = task.backend.target()
        out = []
        for basis in task.observables["bases"]:
            started = time.perf_counter()
            circuit = basis_variant(outcome.circuit, basis, target, task.circuit.num_qubits)
            out.append((circuit, time.perf_counter() - started))
        return out

    def _calibration(self, task: Task) -> dict | None:
        key = f"{task.backend.name}@{task.backend.version}"
        if key not in self._calibrations:
            self._calibrations[key] = task.backend.calibration()
        return self._calibrations[key]

    @staticmethod
    def _calibration_fields(task: Task, calibration: dict) -> dict:
        """The record's calibration: the summary, and the snapshot stored as a blob when the disk allows it."""
        try:
            ref: str | None = task.recorder.log.put_blob(calibration["snapshot"])
            note = None
        except (RunLogError, OSError) as error:
            ref, note = None, f"snapshot not stored: {error}"
        out = {"hash": calibration["summary"].get("hash") or ref, **calibration["summary"], "ref": ref}
        if note:
            out["note"] = note
        return out

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                if not self._ready:
                    return
                task = self._ready[0]
                worker = None
                provider = is_provider_task(task)
                if not task.cancel_requested and task.runs_in_worker:
                    worker = self.pool.idle()
                    if worker is None:
                        return
                self._ready.popleft()
                if task.cancel_requested:
                    cancelled = True
                else:
                    cancelled = False
                    task.attempt += 1
                    task.dispatched_at = time.time()
                    task.queue_seconds += task.dispatched_at - (task.queued_at or task.dispatched_at)
            if cancelled:
                self._finish(task, {}, JobStatus.CANCELLED, note="cancelled before dispatch")
                continue
            if provider:
                self.providers.submit(task)
                continue
            self._record(
                task,
                {
                    "attempts": task.attempt,
                    "timings": {
                        "submitted_at": task.created,
                        "started_at": task.dispatched_at,
                        "queue": task.queue_seconds,
                    },
                },
                JobStatus.RUNNING,
                note=f"attempt {task.attempt}",
            )
            if worker is None:
                threading.Thread(
                    target=self._execute_elsewhere, args=(task,), daemon=True, name=f"qhybrid-remote-{task.id[:8]}"
                ).start()
                continue
            worker.job_id = task.id
            try:
                worker.send(task.request())
            except (OSError, ValueError, TypeError, pickle.PicklingError) as exc:
                worker.job_id = None
                self._finish(task, {"error": f"could not send the job to a worker process: {exc}"}, JobStatus.FAILED)

    def _execute_elsewhere(self, task: Task) -> None:
        """A non-local backend's or a Dask job's execution, on its own thread (it waits on the network)."""
        request = task.request()
        if task.options.executor == "dask":
            from .dask_executor import execute_on_cluster

            reply = execute_on_cluster(request)
        else:
            reply = execute(request)
        with self._lock:
            self._remote_results.append((task, reply))
        self.wake()

    def _collect_remote(self) -> None:
        while True:
            with self._lock:
                if not self._remote_results:
                    return
                task, reply = self._remote_results.popleft()
            if not task.finished.is_set():
                self._on_reply(task, reply)

    def _on_worker(self, worker: Worker) -> None:
        replies: list[Any] = []
        died = False
        try:
            while worker.conn.poll():
                replies.append(worker.conn.recv())
        except _CONNECTION_ERRORS:
            died = True
        for reply in replies:
            if isinstance(reply, dict) and reply.get("kind") == "ready":
                worker.ready = True
                continue
            worker.job_id = None
            with self._lock:
                task = self._tasks.get(reply.job_id)
            if task is not None and not task.finished.is_set():
                self._on_reply(task, reply)
        if died:
            self._on_worker_died(worker)

    def _on_worker_died(self, worker: Worker) -> None:
        if worker not in self.pool.workers:
            return
        try:
            code = worker.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        with self._lock:
            task = self._tasks.get(worker.job_id) if worker.job_id else None
        if worker.ready or (code is not None and code < 0):  # ended by a signal, not a failed start
            self._boot_failures = 0
            self.pool.replace(worker)
        else:
            self._boot_failures += 1
            self.pool.discard(worker)
            if self._boot_failures >= MAX_BOOT_FAILURES:
                self._fail_waiting(
                    f"worker processes fail to start (exit code {code}; their error is on the kernel's stderr)"
                )
        if task is not None:
            if task.cancel_requested:
                self._finish(task, {}, JobStatus.CANCELLED, note="cancelled while running")
            else:
                self._finish(
                    task,
                    {"error": f"the worker process running it exited unexpectedly (exit code {code}); it was replaced"},
                    JobStatus.FAILED,
                )

    def _fail_waiting(self, message: str) -> None:
        """Fail every job waiting for a worker (when workers cannot start); later submissions try again."""
        self._boot_failures = 0
        with self._lock:
            waiting = [t for t in self._ready if t.runs_in_worker]
            for task in waiting:
                self._ready.remove(task)
        for task in waiting:
            self._finish(task, {"error": message}, JobStatus.FAILED)

    def _on_reply(self, task: Task, reply: ExecutionReply) -> None:
        now = time.time()
        if reply.ok:
            fields: dict[str, Any] = {
                "result": {"counts": reply.counts, "shots": reply.shots},
                "simulation": reply.metadata,
                "cost": {"actual": (task.record.get("cost") or {}).get("estimate")},
                "timings": {"run": reply.seconds, "retrieve": 0.0, "finished_at": now, "total": now - task.created},
            }
            if reply.metadata.get("value") is not None:  # a classical fallback answered with a value, not counts
                fields["result"]["value"] = reply.metadata["value"]
            if reply.mitigation is not None:  # what was applied (or why not), and the mitigated result beside raw
                fields["mitigation"] = reply.mitigation
            if reply.mitigated is not None:
                fields["result"]["mitigated"] = reply.mitigated
            try:
                if task.observables is not None:
                    fields["result"].update(
                        observable_results(task.observables, reply, task.options.shots, task.parameters is not None)
                    )
                elif reply.counts is not None:  # a converted PennyLane circuit's expvals, from its own counts
                    from ..circuits.pennylane_results import expectation_fields

                    fields["result"].update(
                        expectation_fields(task.circuit, reply.counts, task.parameters is not None) or {}
                    )
            except Exception as exc:  # noqa: BLE001 - the counts stay recorded; the job fails with why no EVs
                fields["error"] = f"expectation values could not be computed: {type(exc).__name__}: {exc}"
                self._finish(task, fields, JobStatus.FAILED)
                return
            job = reply.metadata.get("provider_job")
            if isinstance(job, dict):  # a provider's local mode (ibm:fake_*, braket:local): its own job id
                fields.update(provider_job=job, provider_job_id=job.get("job_id"))
            self._finish(task, fields, JobStatus.DONE)
            return
        self.attempt_failed(
            task, reply.error_type or "Error", reply.message or "", transient=reply.transient, traceback=reply.traceback
        )

    def attempt_failed(
        self, task: Task, error_type: str, message: str, *, transient: bool, traceback: str | None = None
    ) -> None:
        """An attempt failed: retry with backoff if the error is transient and attempts are left, else fail."""
        now = time.time()
        task.errors.append({"at": now, "attempt": task.attempt, "type": error_type, "message": message})
        text = f"{error_type}: {message}"
        if transient and task.attempt < MAX_ATTEMPTS and not task.cancel_requested:
            delay = BACKOFF * 2 ** (task.attempt - 1)
            task.dispatched_at = None
            self._record(
                task,
                {"errors": list(task.errors)},
                JobStatus.QUEUED,
                note=f"attempt {task.attempt} failed ({text}); retry in {delay:.1f} s",
            )
            with self._lock:
                heapq.heappush(self._timers, (time.monotonic() + delay, next(self._seq), task))
            return
        if transient:
            text = f"failed after {task.attempt} attempts; last error {text}"
        logger.debug("job %s failed: %s", task.id, traceback)
        self._finish(
            task,
            {"errors": list(task.errors), "error": text, "timings": {"finished_at": now, "total": now - task.created}},
            JobStatus.FAILED,
        )

    # -- recording ---------------------------------------------------------------------------------------------

    def _record(self, task: Task, fields: dict, status: JobStatus | None = None, note: str | None = None) -> None:
        record = task.recorder.update(task.record, fields, status=status, note=note)
        task.record = record
        task.on_record(record)

    record = _record
    """Record a change of an active task (for the engine's parts: provider jobs)."""

    def _finish(self, task: Task, fields: dict, status: JobStatus, note: str | None = None) -> None:
        """Give the job its final state, whatever happens while recording it."""
        with self._lock:
            self._tasks.pop(task.id, None)
        if status is not JobStatus.DONE and "timings" not in fields:
            now = time.time()
            fields = {**fields, "timings": {"finished_at": now, "total": now - task.created}}
        if status is JobStatus.FAILED and task.fallback is not None and not task.cancel_requested:
            fields = {**fields, "fallback": self._fall_back(task, fields.get("error") or note or "failed")}
        try:
            self._record(task, fields, status, note)
        except Exception as error:  # the fields themselves cannot be recorded (not JSON, ...): record why
            logger.exception("qhybrid-lab could not record job %s as %s", task.id, status.value)
            reason = (
                f"the job ended {status.value}, but its record could not be written: {type(error).__name__}: {error}"
            )
            try:
                self._record(
                    task, {"error": reason, "timings": fields.get("timings")}, JobStatus.FAILED, note="recording failed"
                )
            except Exception:  # last resort: the handle alone learns the final state
                logger.exception("qhybrid-lab could not record job %s at all", task.id)
                record = {**task.record, "status": JobStatus.FAILED.value, "error": reason}
                task.record = record
                task.on_record(record)
        finally:
            task.finished.set()

    def _fall_back(self, task: Task, reason: str) -> dict | None:
        """Start the next job of the task's fallback chain; the link to record (None if that failed too)."""
        try:
            return task.fallback(task, reason)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001 - the failure stands, with why the fallback could not run
            logger.warning("qhybrid-lab could not fall back from job %s: %s", task.id, error)
            return {"to": None, "reason": reason, "error": f"{type(error).__name__}: {error}"}

    finish = _finish
    """Give an active task its final state (for the engine's parts: provider jobs)."""

    def _stop_all(self) -> None:
        with self._lock:
            left = list(self._tasks.values())
            self._incoming.clear()
            self._ready.clear()
            self._timers.clear()
            self._deadlines.clear()
        from .submission import owner_id

        for task in left:
            if is_provider_task(task) and (
                task.provider_ref is not None or (task.record.get("provider_job") or {}).get("submitting_since")
            ):
                self.providers.release(task, owner_id())
                task.finished.set()
                continue
            self._finish(
                task,
                {
                    "error": "the kernel that ran this job exited or restarted before it finished "
                    "(a local simulation cannot be resumed: run it again)"
                },
                JobStatus.INTERRUPTED,
                note="engine shutdown",
            )
        self.providers.close()
        self.pool.shutdown()
        self._wake_r.close()
        self._wake_w.close()
