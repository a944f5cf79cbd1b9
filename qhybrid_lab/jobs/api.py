"""``run()``: the one-call entry point (``qhybrid_lab.run``) on the current home's JobManager."""

from __future__ import annotations

from typing import Any

from .handles import JobGroup
from .manager import JobManager


def run(circuits: Any, backend: str | list[str] = "aer", *, shots: int = 1024, seed: int | None = None,
        optimization_level: int = 2, tags: list[str] | tuple[str, ...] = (), name: str | None = None,
        origin: dict | None = None, wait: bool = False, parameter_values: Any = None,
        executor: str = "local") -> JobGroup:
    """Run circuits on one or more backends, asynchronously; every circuit × backend is one recorded job.

    Args:
        circuits: a QuantumCircuit, a :class:`~qhybrid_lab.circuits.Sweep`, or a list/tuple/dict of them.
        backend: a registered backend name ("aer", "fake_torino", ...) or a list of names.
        shots: shots per job (a positive integer).
        seed: simulator and transpiler seed, for reproducible counts.
        optimization_level: Qiskit transpiler level, 0 to 3.
        tags: labels stored on every record.
        name: the circuit's name when ``circuits`` is a single circuit.
        origin: what the caller knows of where the run comes from (notebook, cell_id, kernel_id).
        wait: wait until every job has finished before returning.
        parameter_values: sweep a single parameterized circuit over these points (see
            :class:`~qhybrid_lab.circuits.Sweep`): one job per backend, transpiled once, run as one batch.
        executor: "local" (the engine's worker processes) or "dask": a sweep's points in chunks on a Dask cluster
            (``$QHYBRID_DASK_SCHEDULER``, else a LocalCluster started once per process), identical counts.

    Returns:
        The JobGroup (awaitable in asyncio code); ``group.result()`` gives ``{circuit: {backend: counts}}``, with a
        list of counts (one per point) for a sweep.

    Raises:
        InvalidJobSpec, UnknownBackend, BudgetExceeded: before anything runs (see :meth:`JobManager.submit`).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2); bell.h(0); bell.cx(0, 1)
        >>> run(bell, ["aer", "fake_manila"], shots=2000).result(timeout=60)["circuit-0"]["aer"]
        {'00': 1012, '11': 988}
        >>> theta = Parameter("theta"); qc = QuantumCircuit(1); qc.ry(theta, 0)
        >>> run(qc, "aer", parameter_values=[[0.0], [3.14159]]).result()["circuit"]["aer"]
        [{'0': 1024}, {'1': 1024}]
    """
    group = JobManager.instance().submit(circuits, backend, shots=shots, seed=seed,
                                         optimization_level=optimization_level, tags=tags, name=name, origin=origin,
                                         parameter_values=parameter_values, executor=executor)
    if wait:
        group.wait()
    return group
