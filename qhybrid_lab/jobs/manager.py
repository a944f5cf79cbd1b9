"""JobManager: validates and records submissions (with the budget guard), hands them to the engine, beats a heartbeat.

There is one manager per run-log home in a process (tests switch ``QHYBRID_HOME`` per test), and one
:class:`~qhybrid_lab.jobs.engine.Engine` (thread + warm workers) shared by all of them.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from ..errors import InvalidJobSpec, QHybridError, RunLogError, UnknownJob
from ..status import FINAL_STATES, JobStatus
from .engine import Engine
from .handles import Job, JobGroup
from .options import RunOptions, backend_names
from .recorder import Recorder
from .submission import circuit_fields, guarded, make_origin, new_record, owner_id
from .task import Task

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 2.0
"""Seconds between heartbeats (and checks for cancel requests from the server)."""
REAP_EVERY = 5
"""Look for other kernels' interrupted jobs every this many heartbeats."""

_worker_modules: set[str] = set()


def register_worker_module(module: str) -> None:
    """Have every worker import ``module`` before running a job (it registers backends added at runtime)."""
    _worker_modules.add(module)


class _Shared:
    """Process-wide state: the managers by home, the engine, the heartbeat thread."""

    lock = threading.RLock()
    pid: int | None = None
    managers: dict[str, JobManager] = {}
    engine: Engine | None = None
    heartbeat: threading.Thread | None = None
    stop = threading.Event()
    atexit_registered = False

    @classmethod
    def reset_after_fork(cls) -> None:
        if cls.pid != os.getpid():
            cls.pid, cls.managers, cls.engine, cls.heartbeat = os.getpid(), {}, None, None
            cls.stop = threading.Event()


class JobManager:
    """Submits jobs to the engine and keeps this process's job handles, for one run log.

    Example:
        >>> manager = JobManager.instance()
        >>> group = manager.submit(bell, ["aer", "fake_manila"], shots=2000)
        >>> group.result(timeout=60)["bell"]["aer"]
        {'00': 1003, '11': 997}
    """

    def __init__(self, log: Any) -> None:
        self.log = log
        self.recorder = Recorder(log)
        """Writes the engine's changes of this log's jobs (kept in memory while the log cannot be written)."""
        self.owner = owner_id()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"JobManager({str(self.log.directory)!r})"

    # -- the manager for a home, the engine, shutdown -----------------------------------------------------------

    @classmethod
    def instance(cls, home: str | Path | None = None) -> JobManager:
        """The manager bound to ``open_runlog(home)`` (default: the current ``home_dir()``)."""
        from ..config import home_dir
        from ..runlog import open_runlog

        directory = Path(home) if home is not None else home_dir()
        key = str(directory.resolve())
        with _Shared.lock:
            _Shared.reset_after_fork()
            manager = _Shared.managers.get(key)
            if manager is None:
                manager = _Shared.managers[key] = cls(open_runlog(directory))
            return manager

    @staticmethod
    def engine() -> Engine:
        """The process's engine (started on first use), with its heartbeat thread."""
        with _Shared.lock:
            _Shared.reset_after_fork()
            if _Shared.engine is None or not _Shared.engine.thread.is_alive():
                _Shared.engine = Engine()
                _Shared.stop = threading.Event()
                _Shared.heartbeat = threading.Thread(target=_heartbeat_loop, args=(_Shared.stop,),
                                                     name="qhybrid-heartbeat", daemon=True)
                _Shared.heartbeat.start()
                if not _Shared.atexit_registered:
                    atexit.register(JobManager.shutdown)
                    _Shared.atexit_registered = True
            return _Shared.engine

    @staticmethod
    def shutdown(timeout: float = 10.0) -> None:
        """End the engine, its workers and the heartbeat (active jobs are recorded as interrupted).

        The next submission starts them again. Registered with :mod:`atexit`.
        """
        with _Shared.lock:
            engine, heartbeat = _Shared.engine, _Shared.heartbeat
            _Shared.engine, _Shared.heartbeat = None, None
            _Shared.stop.set()
        if engine is not None:
            engine.shutdown(timeout)
        if heartbeat is not None and heartbeat is not threading.current_thread():
            heartbeat.join(timeout)

    # -- submission ---------------------------------------------------------------------------------------------

    def submit(self, circuits: Any, backend: str | list[str] = "aer", options: RunOptions | None = None, *,
               name: str | None = None, origin: dict | None = None, parameter_values: Any = None) -> JobGroup:
        """Validate, record (through the budget guard) and queue every circuit × backend; returns at once.

        A :class:`~qhybrid_lab.circuits.Sweep` (or one circuit with ``parameter_values``) is one job per backend:
        one record with ``parameters`` and one counts dict per point; its cost counts points × shots.

        Raises:
            InvalidJobSpec: bad circuits (CircuitTooWide, UnsupportedObject, NoCircuits ...).
            UnknownBackend: a backend name is not registered.
            BackendError: a backend failed while checking or describing the request (named in the message).
            BudgetExceeded: a budget refused it; the jobs were recorded as ``blocked`` and nothing runs.
            RunLogError: the run log cannot be written; nothing was submitted.
        """
        from ..backends import get_backend
        from ..circuits import ensure_measured
        from ..circuits.collect import runnables
        from ..costs import check_and_reserve, estimate_cost

        options = options or RunOptions()
        backends = [get_backend(n) for n in backend_names(backend)]
        named = runnables(circuits, name=name, parameter_values=parameter_values)
        measured = [(cname, *ensure_measured(circuit), sweep) for cname, circuit, sweep in named]
        for _, circuit, _, _ in measured:
            for target in backends:
                guarded(target, "check the circuit", target.validate, circuit, options.shots)
        group, meta = uuid.uuid4().hex, make_origin(origin)
        records, specs = [], []
        for cname, circuit, added, sweep in measured:
            fields = circuit_fields(self.log, cname, circuit, added)
            parameters = sweep.as_record() if sweep is not None else None
            total_shots = options.shots * (len(sweep) if sweep is not None else 1)
            for target in backends:
                cost = guarded(target, "estimate the cost", estimate_cost, target, circuit, total_shots)
                records.append(new_record(group=group, circuit=fields, backend=target, options=options, cost=cost,
                                          origin=meta, parameters=parameters))
                specs.append((circuit, target, parameters))
        with self.log.transaction():
            check_and_reserve(self.log, records)
            self.log.insert_many(records)
            stored = [self.log.get(r["id"]) for r in records]
        jobs = [Job(self, record) for record in stored]
        with self._lock:
            self._jobs.update((job.id, job) for job in jobs)
        modules = tuple(sorted(_worker_modules))
        tasks = [Task(record=job.record, recorder=self.recorder, on_record=job._update, circuit=circuit,
                      backend=target, options=options, parameters=parameters, modules=modules + _module_of(target))
                 for job, (circuit, target, parameters) in zip(jobs, specs)]
        self.engine().submit(tasks)
        return JobGroup(group, jobs)

    # -- handles and cancel ------------------------------------------------------------------------------------

    def job(self, job_id: str) -> Job:
        """The handle of a job: this process's own, or a read-only one built from the run log (UnknownJob)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            return job
        record = self.log.get(job_id)
        with self._lock:
            return self._jobs.get(record["id"]) or Job(self, record, local=False)

    def handle(self, record: dict) -> Job:
        """This process's handle of a job it follows from now on (adoption, attach)."""
        with self._lock:
            job = self._jobs.get(record["id"])
            if job is None or not job.local:
                job = self._jobs[record["id"]] = Job(self, record)
            return job

    def adopt(self, job_id: str) -> Job:
        """Follow a provider job that no live process follows (see :mod:`~qhybrid_lab.jobs.adoption`)."""
        from .adoption import adopt

        return adopt(self, job_id)

    def adopt_released(self) -> list[str]:
        """Adopt every provider job no live process follows; returns their ids."""
        from .adoption import adopt_released

        return adopt_released(self)

    def attach(self, provider_job_id: str, backend: str, **kwargs: Any) -> Job:
        """Bring a provider job submitted elsewhere into the run log and follow it."""
        from .adoption import attach

        return attach(self, provider_job_id, backend, **kwargs)

    def group(self, group_id: str) -> JobGroup:
        """The handles of one submission, from the run log (UnknownJob when no job has that group id)."""
        records = self.log.query(group=group_id, limit=None)
        if not records:
            raise UnknownJob(f"no jobs of group {group_id!r} in {self.log.file}")
        return JobGroup(group_id, [self.job(r["id"]) for r in sorted(records, key=lambda r: r["created"])])

    def cancel_job(self, job_id: str) -> bool:
        """Cancel one job. Local active jobs are cancelled here; another kernel's job gets a cancel request.

        Returns:
            False when the job is already finished.
        """
        record = self.log.get(job_id)
        if JobStatus(record["status"]) in FINAL_STATES:
            return False
        engine = _Shared.engine
        if engine is not None and engine.owns(record["id"]):
            return engine.cancel(record["id"])
        if (record.get("origin") or {}).get("owner") == self.owner:
            raise InvalidJobSpec(f"job {record['id'][:8]} is {record['status']} but this process no longer runs "
                                 "it (its engine was shut down)")
        self.log.request_cancel(record["id"], by=self.owner)
        return True

    # -- heartbeat ---------------------------------------------------------------------------------------------

    def beat(self, reap: bool = False) -> None:
        """Write what the engine kept in memory, record the heartbeat, carry out cancel requests, reap others.

        A run log that cannot be written is said once (a warning, by the recorder), not at every beat; so is its
        recovery.
        """
        engine = _Shared.engine
        if not self.recorder.flush():
            return  # the recorder already said why; the next beat tries again
        try:
            self.log.heartbeat(self.owner, {"active": engine.active_count(self.recorder) if engine else 0,
                                            "workers": [w.pid for w in engine.pool.workers] if engine else [],
                                            "kernel_id": os.environ.get("QHYBRID_KERNEL_ID")})
            requests = self.log.pending_requests(self.owner)
        except RunLogError as error:
            self.recorder.note_failure(error)  # said once, with the engine's own failures to write
            return
        self.recorder.note_success()
        for request in requests:
            if request.get("kind") == "cancel" and engine is not None and engine.owns(request["job_id"]):
                engine.cancel(request["job_id"])
            self.log.complete_request(request["id"])
        if reap:
            self.log.reap_interrupted()


def _module_of(backend: Any) -> tuple[str, ...]:
    module = type(backend).__module__
    return () if module.startswith("qhybrid_lab.") else (module,)


def _beating(current: str) -> list[JobManager]:
    """The managers to beat for: the current home's, and any other with jobs still active here."""
    with _Shared.lock:
        engine, managers = _Shared.engine, dict(_Shared.managers)
    return [m for key, m in managers.items()
            if key == current or m.recorder.pending or (engine is not None and engine.active_count(m.recorder) > 0)]


def _heartbeat_loop(stop: threading.Event) -> None:
    from ..config import home_dir

    beats = 0
    while not stop.is_set():
        try:
            managers = _beating(str(home_dir().resolve()))
        except OSError:  # the home cannot be created right now; beat again next time
            logger.exception("qhybrid home directory unavailable for the heartbeat")
            managers = []
        for manager in managers:
            try:
                manager.beat(reap=beats % REAP_EVERY == 0)
            except QHybridError as error:  # e.g. a damaged log: said once by the recorder or the beat itself
                logger.debug("heartbeat for %s failed: %s", manager.log.directory, error)
            except Exception:  # a failing beat must not end the heartbeat thread; logged with its traceback
                logger.exception("heartbeat for %s failed", manager.log.directory)
        beats += 1
        stop.wait(HEARTBEAT_INTERVAL)
