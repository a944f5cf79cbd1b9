"""What the engine keeps about one active local job: its circuit, backend, options, attempts and cancel flag."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .handles import Job
    from .manager import JobManager


@dataclass(eq=False)
class Task:
    """What the engine knows about one local job while it is active."""

    manager: JobManager
    job: Job
    circuit: Any
    """The logical circuit (measured)."""
    backend: Any
    optimization_level: int
    seed: int | None
    shots: int
    parameters: dict | None = None
    """A sweep's ``{"names": [...], "values": [[...], ...]}``: the circuit is its template, run once per point."""
    executor: str = "local"
    """``dask``: a local backend's job runs on a Dask cluster (from a thread) instead of a worker process."""
    modules: tuple[str, ...] = ()
    """Modules a worker imports before resolving the backend (backends registered at runtime)."""
    transpiled: Any = None
    attempt: int = 0
    errors: list[dict] = field(default_factory=list)
    cancel_requested: bool = False
    dispatched_at: float | None = None
    queued_at: float | None = None
    """When it last started waiting for a worker (after transpiling, or after a retry's backoff)."""
    queue_seconds: float = 0.0
    """Time spent waiting for a worker, over every attempt."""
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def id(self) -> str:
        """The job id."""
        return self.job.id

    def message(self) -> dict:
        """The request a worker (or a remote-execution thread) runs: backend by name, transpiled circuit, options.

        For a sweep, ``parameters`` holds the names and the points; the worker binds them by name to the transpiled
        template's parameters and runs every point in one ``execute`` call (``parameter_binds``).
        """
        return {"kind": "run", "job_id": self.id, "backend": self.backend.name, "modules": self.modules,
                "circuit": self.transpiled, "shots": self.shots, "seed": self.seed, "parameters": self.parameters}
