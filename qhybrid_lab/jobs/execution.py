"""Running one job's transpiled circuit on its backend: the request and reply shared by every executor.

A worker process, a thread for a non-local backend and a Dask task all run :func:`execute` on an
:class:`ExecutionRequest` and hand back an :class:`ExecutionReply`; the engine reads only replies. A sweep runs as
one ``execute`` call with ``parameter_binds`` (:func:`sweep_binds`), its reply's ``counts`` a list, one per point.
"""

from __future__ import annotations

import importlib
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

Counts = dict[str, int]


@dataclass(frozen=True)
class ExecutionRequest:
    """What to run: the backend by name (resolved in the executing process), the transpiled circuit, options."""

    job_id: str
    backend: str
    circuit: Any
    """The transpiled circuit (a sweep's template with free parameters)."""
    shots: int
    seed: int | None = None
    parameters: dict | None = None
    """A sweep's ``{"names": [...], "values": [[...], ...]}``, bound by name to the template's parameters."""
    modules: tuple[str, ...] = ()
    """Modules to import first (they register backends added at runtime)."""


@dataclass
class ExecutionReply:
    """What came of a request. ``ok`` with counts, or the error's type, message and whether it is transient."""

    job_id: str
    ok: bool
    counts: Counts | list[Counts] | None = None
    shots: int | None = None
    seconds: float = 0.0
    """Execution seconds the backend reports (summed over circuits and points)."""
    wall: float = 0.0
    """Wall-clock seconds of the whole request, in the executing process."""
    started_at: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    """The record's ``simulation`` field: method, qubits simulated, noise, executor details, provider job."""
    error_type: str | None = None
    message: str | None = None
    transient: bool = False
    traceback: str | None = None

    @classmethod
    def failure(cls, job_id: str, error: BaseException, **extra: Any) -> ExecutionReply:
        """The reply for an exception raised while executing (its type, message, traceback, transience)."""
        from ..errors import TransientBackendError

        return cls(job_id=job_id, ok=False, error_type=type(error).__name__, message=str(error) or repr(error),
                   transient=isinstance(error, TransientBackendError), traceback=traceback.format_exc(), **extra)


def counts_of(result: Any) -> Counts:
    """A plain ``{bitstring: int}`` from an :class:`~qhybrid_lab.backends.base.ExecutionResult`."""
    return {str(k): int(v) for k, v in result.counts.items()}


def sweep_binds(circuit: QuantumCircuit, parameters: dict) -> dict[Any, list[float]]:
    """``{parameter: [value per point]}`` for the transpiled template ``circuit`` (``parameter_binds`` entry).

    The transpiler may drop a parameter whose gates cancel out; such names are skipped (an empty result means the
    template has no parameter left and runs once per point).

    Raises:
        BackendError: The template has a parameter the sweep gives no values for.
    """
    from ..errors import BackendError

    names, points = parameters["names"], parameters["values"]
    present = {p.name: p for p in circuit.parameters}
    unknown = sorted(set(present) - set(names))
    if unknown:
        raise BackendError(f"the transpiled template has parameters {unknown} the sweep gives no values for")
    return {present[name]: [row[i] for row in points] for i, name in enumerate(names) if name in present}


def sweep_inputs(circuit: QuantumCircuit, parameters: dict | None) -> tuple[list, list[dict] | None]:
    """``(circuits, parameter_binds)`` to hand a backend for one job: the circuit alone, or a sweep's template with
    the values of every point (one copy per point when the transpiler left it no parameter)."""
    if parameters is None:
        return [circuit], None
    binds = sweep_binds(circuit, parameters)
    if binds:
        return [circuit], [binds]
    return [circuit] * len(parameters["values"]), None


def counts_for(results: list, parameters: dict | None) -> Counts | list[Counts]:
    """A job's counts from its results: one dict, or one per sweep point."""
    return [counts_of(r) for r in results] if parameters is not None else counts_of(results[0])


def run_sweep(backend: Any, circuit: QuantumCircuit, parameters: dict, shots: int, seed: int | None) -> list:
    """Every point of a sweep in one batched ``execute``: one ExecutionResult per point, in order."""
    from ..errors import BackendError

    points = parameters["values"]
    circuits, binds = sweep_inputs(circuit, parameters)
    results = backend.execute(circuits, shots=shots, seed=seed, parameter_binds=binds)
    if len(results) != len(points):
        raise BackendError(f"{backend.name} returned {len(results)} results for {len(points)} sweep points")
    return results


def reply_of(request: ExecutionRequest, results: list, started: float) -> ExecutionReply:
    """The successful reply for ``results`` of ``request`` (a list of counts for a sweep)."""
    return ExecutionReply(job_id=request.job_id, ok=True, counts=counts_for(results, request.parameters), shots=int(results[0].shots),
                          seconds=float(sum(r.seconds for r in results)), wall=time.time() - started,
                          started_at=started, metadata=dict(results[0].metadata or {}))


def execute(request: ExecutionRequest) -> ExecutionReply:
    """Run ``request`` in this process and return its reply; never raises (an error is a failed reply)."""
    started = time.time()
    try:
        for module in request.modules:
            importlib.import_module(module)
        from ..backends import get_backend

        backend = get_backend(request.backend)
        if request.parameters is None:
            results = backend.execute([request.circuit], shots=request.shots, seed=request.seed)
        else:
            results = run_sweep(backend, request.circuit, request.parameters, request.shots, request.seed)
        return reply_of(request, results, started)
    except Exception as error:  # noqa: BLE001 - the engine records it on the job; nothing is swallowed
        return ExecutionReply.failure(request.job_id, error, started_at=started, wall=time.time() - started)


__all__ = ["ExecutionReply", "ExecutionRequest", "counts_for", "counts_of", "execute", "reply_of", "run_sweep",
           "sweep_binds", "sweep_inputs"]
