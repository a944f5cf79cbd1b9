"""What the engine keeps about one active job: its circuit, backend, options, attempts, and where its changes go.

A task knows no job handle and no manager: its state changes go to its run log's
:class:`~qhybrid_lab.jobs.recorder.Recorder`, and each new record is handed to the ``on_record`` callback (the
handle's update).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .execution import ExecutionRequest
from .options import RunOptions

if TYPE_CHECKING:
    from ..backends import Backend
    from .recorder import Recorder


@dataclass(eq=False)
class Task:
    """One job while it is active in this process's engine."""

    record: dict
    """The job's latest record (the base of changes kept in memory while the run log cannot be written)."""
    recorder: Recorder
    """Where the job's state changes are written (its run log's recorder)."""
    on_record: Callable[[dict], None]
    """Called with every new record of the job (from the engine thread, or the thread that cancelled it)."""
    circuit: Any
    """The logical circuit (measured)."""
    backend: Backend
    options: RunOptions
    parameters: dict | None = None
    """A sweep's ``{"names": [...], "values": [[...], ...]}``: the circuit is its template, run once per point."""
    modules: tuple[str, ...] = ()
    """Modules a worker imports before resolving the backend (backends registered at runtime)."""
    observables: dict | None = None
    """``{"observables", "bases", "exact", "counts"}`` when the job estimates expectation values (else None)."""
    basis_transpiled: list = field(default_factory=list)
    """The transpiled basis-change circuits, one per measurement basis of ``observables``."""
    transpiled: Any = None
    attempt: int = 0
    errors: list[dict] = field(default_factory=list)
    cancel_requested: bool = False
    dispatched_at: float | None = None
    queued_at: float | None = None
    """When it last started waiting for a worker (after transpiling, or after a retry's backoff)."""
    queue_seconds: float = 0.0
    """Time spent waiting for a worker, over every attempt."""
    timed_out: bool = False
    """Its timeout expired (and it was kept running, as its options asked, or it is being ended)."""
    fallback: Callable[[Task, str], dict] | None = None
    """Called when the job fails for good: runs the next job of its chain and returns the ``fallback`` link."""
    provider_ref: Any = None
    """The :class:`~qhybrid_lab.backends.remote.ProviderJobRef` once the provider accepted the job."""
    poll_interval: float = 0.0
    unreachable: int = 0
    """Consecutive failed calls to the provider."""
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def id(self) -> str:
        """The job id."""
        return self.record["id"]

    @property
    def created(self) -> float:
        """When the job was submitted (epoch seconds)."""
        return float(self.record["created"])

    @property
    def deadline(self) -> float | None:
        """When its timeout expires (epoch seconds), or None without a timeout."""
        return None if self.options.timeout is None else self.created + self.options.timeout

    @property
    def runs_in_worker(self) -> bool:
        """Whether it executes in one of the engine's worker processes (a local backend, the local executor)."""
        return self.backend.is_local and self.options.executor == "local"

    def request(self) -> ExecutionRequest:
        """What a worker (or a thread, or Dask) runs: backend by name, the transpiled circuit, its options."""
        return ExecutionRequest(
            job_id=self.id,
            backend=self.backend.name,
            circuit=self.transpiled,
            shots=self.options.shots,
            seed=self.options.seed,
            parameters=self.parameters,
            modules=self.modules,
            mitigation=self.options.mitigation,
            basis_circuits=tuple(self.basis_transpiled),
            run_circuit=self.observables is None or self.observables["counts"],
            exact_circuit=self.circuit if self.observables and self.observables["exact"] else None,
            observables=self.observables["observables"] if self.observables else None,
        )
