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
    mitigation: str | None = None
    """Error mitigation to apply after the run, on the same backend (``"readout"``), or None."""
    basis_circuits: tuple = ()
    """Transpiled basis-change circuits of the job's observables (one per measurement basis), run after it."""
    run_circuit: bool = True
    """Whether ``circuit`` itself runs (False when only expectation values were asked of an unmeasured circuit)."""
    exact_circuit: Any = None
    """The logical circuit whose exact expectation values of ``observables`` are computed (statevector)."""
    observables: list | None = None
    """The record's ``observables`` (for ``exact_circuit``)."""


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
    mitigation: dict[str, Any] | None = None
    """The record's ``mitigation`` field when mitigation was asked for (applied, or why not)."""
    mitigated: dict[str, Any] | None = None
    """``result["mitigated"]``: the mitigated quasi-probabilities beside the raw counts."""
    error_type: str | None = None
    message: str | None = None
    transient: bool = False
    traceback: str | None = None
    basis_counts: list | None = None
    """Per basis-change circuit, its counts (a list per point for a sweep)."""
    exact_values: list | None = None
    """Exact expectation values: one per observable, or one such list per sweep point."""

    @classmethod
    def failure(cls, job_id: str, error: BaseException, **extra: Any) -> ExecutionReply:
        """The reply for an exception raised while executing (its type, message, traceback, transience)."""
        from ..errors import TransientBackendError

        return cls(
            job_id=job_id,
            ok=False,
            error_type=type(error).__name__,
            message=str(error) or repr(error),
            transient=isinstance(error, TransientBackendError),
            traceback=traceback.format_exc(),
            **extra,
        )


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
    return ExecutionReply(
        job_id=request.job_id,
        ok=True,
        counts=counts_for(results, request.parameters),
        shots=int(results[0].shots),
        seconds=float(sum(r.seconds for r in results)),
        wall=time.time() - started,
        started_at=started,
        metadata=dict(results[0].metadata or {}),
    )


def with_mitigation(reply: ExecutionReply, request: ExecutionRequest, backend: Any) -> ExecutionReply:
    """``reply`` with the mitigation its request asked for, calibrated on ``backend`` in this process.

    The raw counts are never changed. When mitigation cannot be applied (a circuit without final measurements,
    a failed calibration run), the job keeps its raw result and ``reply.mitigation`` says why nothing was applied.
    """
    if not request.mitigation or not reply.ok:
        return reply
    from ..mitigation import mitigate_readout

    try:
        if reply.counts is None:  # an ok reply always carries its counts
            raise ValueError("the reply has no counts to mitigate")
        outcome = mitigate_readout(backend, request.circuit, reply.counts, seed=request.seed)
    except Exception as error:  # noqa: BLE001 - the raw result stands; the record says why it is not mitigated
        reply.mitigation = {
            "method": request.mitigation,
            "applied": False,
            "reason": f"{type(error).__name__}: {error}",
        }
        return reply
    reply.mitigation, reply.mitigated = outcome.record, outcome.mitigated
    return reply


def observable_results(observables: dict, reply: ExecutionReply, shots: int, sweep: bool) -> dict:
    """The record's ``result`` fields for a job's observables from its reply (:func:`result_fields`)."""
    from ..circuits.observables import result_fields

    return result_fields(
        observables["observables"],
        observables["bases"],
        reply.basis_counts,
        shots=shots,
        sweep=sweep,
        exact_values=reply.exact_values,
    )


def _results_of(backend: Any, circuit: Any, request: ExecutionRequest) -> list:
    if request.parameters is None:
        return backend.execute([circuit], shots=request.shots, seed=request.seed)
    return run_sweep(backend, circuit, request.parameters, request.shots, request.seed)


def _exact_values(request: ExecutionRequest) -> list:
    """Exact EVs of the request's observables: one list, or one per sweep point (parameters bound by name)."""
    from ..circuits.observables import exact_expectation_values

    circuit, parameters = request.exact_circuit, request.parameters
    if parameters is None:
        return exact_expectation_values(circuit, request.observables or [])
    present = {p.name: p for p in circuit.parameters}
    out = []
    for row in parameters["values"]:
        binds = {present[n]: v for n, v in zip(parameters["names"], row) if n in present}
        out.append(exact_expectation_values(circuit.assign_parameters(binds), request.observables or []))
    return out


def execute(request: ExecutionRequest) -> ExecutionReply:
    """Run ``request`` in this process and return its reply; never raises (an error is a failed reply)."""
    started = time.time()
    try:
        for module in request.modules:
            importlib.import_module(module)
        from ..backends import get_backend

        backend = get_backend(request.backend)
        results = _results_of(backend, request.circuit, request) if request.run_circuit else []
        basis = [_results_of(backend, circuit, request) for circuit in request.basis_circuits]
        first = results or (basis[0] if basis else [])
        if first:
            reply = reply_of(request, first, started)
        else:
            reply = ExecutionReply(
                job_id=request.job_id,
                ok=True,
                shots=0,
                started_at=started,
                metadata={"method": "statevector", "exact": True},
            )
        if not results:
            reply.counts = None
        if basis:
            reply.basis_counts = [counts_for(r, request.parameters) for r in basis]
            reply.seconds += float(sum(x.seconds for r in basis for x in r)) - (
                0.0 if results else float(sum(x.seconds for x in first))
            )
        if request.exact_circuit is not None:
            reply.exact_values = _exact_values(request)
        reply.wall = time.time() - started
        return with_mitigation(reply, request, backend)
    except Exception as error:  # noqa: BLE001 - the engine records it on the job; nothing is swallowed
        return ExecutionReply.failure(request.job_id, error, started_at=started, wall=time.time() - started)


__all__ = [
    "ExecutionReply",
    "ExecutionRequest",
    "counts_for",
    "counts_of",
    "execute",
    "observable_results",
    "reply_of",
    "run_sweep",
    "sweep_binds",
    "sweep_inputs",
    "with_mitigation",
]
