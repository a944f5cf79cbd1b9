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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

from ..errors import InvalidJobSpec, QHybridError, RunLogError, UnknownJob
from ..record import CircuitInfo, Origin
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
    managers: ClassVar[dict[str, JobManager]] = {}
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
                _Shared.heartbeat = threading.Thread(
                    target=_heartbeat_loop, args=(_Shared.stop,), name="qhybrid-heartbeat", daemon=True
                )
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

    def submit(
        self,
        circuits: Any,
        backend: str | list[str] = "aer",
        options: RunOptions | None = None,
        *,
        name: str | None = None,
        origin: dict | None = None,
        parameter_values: Any = None,
        observables: Any = None,
        exact: bool = False,
    ) -> JobGroup:
        """Validate, record (through the budget guard) and queue every circuit × backend; returns at once.

        A :class:`~qhybrid_lab.circuits.Sweep` (or one circuit with ``parameter_values``) is one job per backend:
        one record with ``parameters`` and one counts dict per point; its cost counts points × shots. With a
        ``fallback`` chain in the options, a backend that is unavailable or refused by the budget guard is recorded
        as ``blocked`` and the job runs on the next backend of the chain (see :mod:`~qhybrid_lab.jobs.fallback`).
        ``observables`` (or Estimator-style PUBs ``(circuit, observables[, parameter_values])`` as ``circuits``) add
        one basis-change circuit per qubit-wise-commuting group to each job (:mod:`~qhybrid_lab.circuits.observables`)
        and expectation values with standard errors to its result; ``exact`` computes them by statevector.

        Raises:
            InvalidJobSpec: bad circuits (CircuitTooWide, UnsupportedObject, NoCircuits ...).
            UnknownBackend: a backend name is not registered.
            MissingDependency: ``executor="dask"`` without dask.distributed installed (the message has the install line).
            BackendError: a backend failed while checking or describing the request (named in the message).
            BudgetExceeded: a budget refused it (and every fallback); the jobs were recorded as ``blocked``.
            RunLogError: the run log cannot be written; nothing was submitted.
            InvalidObservable: an observable is not a Pauli label/Pauli/SparsePauliOp, is wider than its circuit,
                or is not Hermitian.
        """
        from ..circuits import ensure_measured
        from ..circuits.collect import runnables

        options = options or RunOptions()
        if options.executor == "dask":
            from ..extras import require

            require("dask", "dask", "distributed", what="the dask executor")  # before anything is recorded
        if options.mitigation:
            from ..extras import require

            require("mitigation", "mthree", what=f"{options.mitigation} mitigation")
        from ..circuits.observables import split_pubs

        pubs = split_pubs(circuits)
        if pubs is not None and (observables is not None or parameter_values is not None):
            raise InvalidJobSpec(
                "give observables and parameter values either in the PUBs (circuit, observables, "
                "parameter_values) or as run() arguments, not both"
            )
        if pubs is None:
            pubs = [(circuits, observables, parameter_values)]
        named = [
            (item, obs) for obj, obs, values in pubs for item in runnables(obj, name=name, parameter_values=values)
        ]
        measured = [(cname, *ensure_measured(circuit), sweep, obs) for (cname, circuit, sweep), obs in named]
        work = [
            _Work(
                circuit_fields(self.log, cname, circuit, added), circuit, sweep, _observables_for(obs, circuit, exact)
            )
            for cname, circuit, added, sweep, obs in measured
        ]
        group, meta = uuid.uuid4().hex, make_origin(origin)
        jobs = self._submit(work, backend_names(backend), options, group, meta)
        return JobGroup(group, jobs)

    def _submit(
        self,
        work: list[_Work],
        names: list[str],
        options: RunOptions,
        group: str,
        origin: Origin,
        links: dict[int, dict] | None = None,
    ) -> list[Job]:
        """Record and queue ``work`` × ``names`` in one budget transaction; follow the fallback chain for what is
        blocked. ``links`` (work index → ``fallback`` field) marks the jobs as fallbacks of earlier ones."""
        from ..costs import check_and_reserve, estimate_cost
        from ..errors import BudgetExceeded, MitigationUnavailable
        from .fallback import UNAVAILABLE, placeholder

        backends, unavailable, costs = [], {}, {}
        for backend_name in names:
            try:  # resolving, checking and pricing may each need the provider (an account, the network)
                target = self._resolve(backend_name)
                if options.mitigation:  # before anything is recorded: a clear refusal, not a silent raw result
                    refusal = guarded(target, "check the mitigation", target.mitigation_refusal, options.mitigation)
                    if refusal:
                        raise MitigationUnavailable(refusal)
                for index, item in enumerate(work):
                    guarded(target, "check the circuit", target.validate, item.circuit, options.shots)
                    _check_observables(item, target)
                    total_shots = options.shots * (len(item.sweep) if item.sweep is not None else 1)
                    total_shots *= _circuits_per_point(item)
                    costs[index, target.name] = guarded(
                        target, "estimate the cost", estimate_cost, target, item.circuit, total_shots
                    )
                backends.append(target)
            except UNAVAILABLE as error:
                if not options.fallback:
                    raise
                unavailable[backend_name] = str(error)
        records, specs = [], []
        for index, item in enumerate(work):
            parameters = item.sweep.as_record() if item.sweep is not None else None
            for target in backends:
                cost = costs[index, target.name]
                record = new_record(
                    group=group,
                    circuit=item.fields,
                    backend=target,
                    options=options,
                    cost=cost,
                    origin=origin,
                    parameters=parameters,
                    observables=item.observables or _pennylane_observables(item.circuit),
                )
                records.append(record)
                specs.append((index, target))
            for backend_name, reason in unavailable.items():
                record = placeholder(
                    group=group,
                    circuit=item.fields,
                    backend_name=backend_name,
                    options=options,
                    origin=origin,
                    parameters=parameters,
                    reason=reason,
                )
                records.append(record)
                specs.append((index, None))
        for record, (index, _) in zip(records, specs):
            if links and index in links:
                record["fallback"] = links[index]
        refused: BudgetExceeded | None = None
        runnable = [r for r, (_, target) in zip(records, specs) if target is not None]
        with self.log.transaction():
            try:
                check_and_reserve(self.log, cast("list[dict[str, Any]]", runnable))  # RunRecord: the same dicts, typed
                self.log.insert_many(runnable)
            except BudgetExceeded as error:  # check_and_reserve recorded them as blocked
                if not options.fallback and links is None:
                    raise
                refused = error
            self.log.insert_many([r for r, (_, target) in zip(records, specs) if target is None])
            stored = [self.log.get(r["id"]) for r in records]
        jobs = [self.handle(record) for record in stored]
        tasks = []
        for job, (index, target) in zip(jobs, specs):
            if job.record["status"] == JobStatus.BLOCKED.value:
                continue
            tasks.append(
                Task(
                    record=job.record,
                    recorder=self.recorder,
                    on_record=job._update,
                    circuit=work[index].circuit,
                    backend=target,
                    options=options,
                    parameters=job.record.get("parameters"),
                    modules=_modules_for(target),
                    observables=work[index].observables,
                    fallback=self._fallback_for(work[index]) if options.fallback else None,
                )
            )
        if tasks:
            self.engine().submit(tasks)
        for job, (index, _) in zip(jobs, specs):
            if job.record["status"] == JobStatus.BLOCKED.value and options.fallback:
                reason = job.record.get("blocked_reason") or str(refused)
                self._fall_back(job.record, work[index], options, reason)
        if refused is not None and links is None and all(self._ends_blocked(job.id) for job in jobs):
            raise refused  # every backend of every chain refused: nothing runs
        return jobs

    def _ends_blocked(self, job_id: str) -> bool:
        """Whether the last job of ``job_id``'s fallback chain was refused before submission."""
        record = self.log.get(job_id)
        while (record.get("fallback") or {}).get("to"):
            record = self.log.get(record["fallback"]["to"])
        return record["status"] == JobStatus.BLOCKED.value

    def _resolve(self, backend_name: str) -> Any:
        from ..backends import get_backend

        return get_backend(backend_name)

    def _fall_back(self, record: dict, item: _Work, options: RunOptions, reason: str) -> dict:
        """Run ``item`` on the next backend of the chain instead of job ``record``; link both; the new job's id."""
        from .fallback import register_classical

        entry, rest = options.fallback[0], options.fallback[1:]
        name = entry if isinstance(entry, str) else register_classical(entry)
        link = {"from": record["id"], "backend": record["backend"]["name"], "reason": reason}
        (job,) = self._submit(
            [item], [name], options.with_(fallback=rest), record["group"], record["origin"], links={0: link}
        )
        forward = {"to": job.id, "backend": job.backend, "reason": reason}
        if JobStatus(self.log.get(record["id"])["status"]) in FINAL_STATES:  # blocked at submission: link it now
            self.handle(self.log.update(record["id"], {"fallback": forward}))
        return forward

    def _fallback_for(self, item: _Work) -> Callable[[Task, str], dict]:
        """What the engine calls when a task fails for good: the next job of its chain, as the ``fallback`` link."""

        def fall_back(task: Task, reason: str) -> dict:
            return self._fall_back(task.record, item, task.options, reason)

        return fall_back

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
        """This process's handle of a job it records (a submission, a fallback, an adoption), given its newest record."""
        with self._lock:
            job = self._jobs.get(record["id"])
            if job is None or not job.local:
                job = self._jobs[record["id"]] = Job(self, record)
                return job
        job._update(record)
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

    def cancel_job(self, job_id: str, *, by: str | None = None) -> bool:
        """Cancel one job. Local active jobs are cancelled here; another kernel's job gets a cancel request.

        The request waits in the run log for the process responsible for the job (see
        :func:`~qhybrid_lab.runlog.owners.responsible_owner`): its engine carries it out at its next heartbeat. A
        provider job whose kernel stopped has none until a process adopts it; the adopter carries it out then.

        Args:
            job_id: the id or a unique prefix of at least 4 characters (UnknownJob / AmbiguousJobId otherwise).
            by: who asks, as recorded in the request (default: this process, ``pid@host``).

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
            raise InvalidJobSpec(
                f"job {record['id'][:8]} is {record['status']} but this process no longer runs "
                "it (its engine was shut down)"
            )
        self.log.request_cancel(record["id"], by=by or self.owner)
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
            self.log.heartbeat(
                self.owner,
                {
                    "active": engine.active_count(self.recorder) if engine else 0,
                    "workers": [w.pid for w in engine.pool.workers] if engine else [],
                    "kernel_id": os.environ.get("QHYBRID_KERNEL_ID"),
                },
            )
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


@dataclass
class _Work:
    """One circuit (or sweep) of a submission: its record's ``circuit`` field, the circuit, the sweep."""

    fields: CircuitInfo
    circuit: Any
    sweep: Any
    observables: dict | None = None
    """``{"observables": [...], "bases": [...], "exact": bool, "counts": bool}`` when EVs are asked for."""


def _observables_for(observables: Any, circuit: Any, exact: bool) -> dict | None:
    """What the engine needs to measure ``observables`` on ``circuit`` (``circuits.observables``), or None."""
    if observables is None:
        if exact:
            raise InvalidJobSpec("exact=True computes expectation values: give observables too")
        return None
    from ..circuits.observables import as_observables, measurement_groups

    recorded = as_observables(observables, circuit.num_qubits)
    # the circuit itself runs too (measured as submitted, or measure_all added), so every job keeps its counts
    return {
        "observables": recorded,
        "bases": [] if exact else measurement_groups(recorded),
        "exact": bool(exact),
        "counts": True,
    }


def _pennylane_observables(circuit: Any) -> dict | None:
    """The record's observables of a converted PennyLane circuit (its expvals, measured by the circuit itself)."""
    from ..circuits.pennylane_results import recorded_observables

    recorded = recorded_observables(circuit)
    return {"observables": recorded} if recorded else None


def _circuits_per_point(item: _Work) -> int:
    """How many circuits one point of ``item`` runs (its basis-change circuits, and itself when it measures)."""
    if item.observables is None:
        return 1
    return max(1, len(item.observables["bases"]) + (1 if item.observables["counts"] else 0))


def _check_observables(item: _Work, backend: Any) -> None:
    """Refuse observables a backend cannot measure (provider jobs run one circuit; exact needs a local simulator)."""
    if item.observables is None:
        return
    from ..backends import BackendKind
    from ..backends.remote import RemoteBackend

    if isinstance(backend, RemoteBackend) and not backend.is_local:
        raise InvalidJobSpec(
            f"expectation values are not supported on {backend.name} yet (a provider job runs one "
            f"circuit); measure in the basis yourself, or use a local backend or emulator"
        )
    if item.observables["exact"] and backend.kind is not BackendKind.SIMULATOR:
        raise InvalidJobSpec(
            f"exact expectation values need an ideal simulator; {backend.name} is a "
            f"{backend.kind.value} (leave out exact=True to estimate them from shots)"
        )


def _modules_for(backend: Any) -> tuple[str, ...]:
    return tuple(sorted(_worker_modules)) + _module_of(backend)


def _module_of(backend: Any) -> tuple[str, ...]:
    module = type(backend).__module__
    return () if module.startswith("qhybrid_lab.") else (module,)


def _beating(current: str) -> list[JobManager]:
    """The managers to beat for: the current home's, and any other with jobs still active here."""
    with _Shared.lock:
        engine, managers = _Shared.engine, dict(_Shared.managers)
    return [
        m
        for key, m in managers.items()
        if key == current or m.recorder.pending or (engine is not None and engine.active_count(m.recorder) > 0)
    ]


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
