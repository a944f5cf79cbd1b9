"""``run()``: the one-call entry point (``qhybrid_lab.run``) on the current home's JobManager."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import InvalidJobSpec
from .context import caller_origin, current_experiment
from .handles import JobGroup
from .manager import JobManager
from .options import RunOptions

_SETTINGS = tuple(f.name for f in dataclasses.fields(RunOptions))


def run(
    circuits: Any,
    backend: str | list[str] = "aer",
    *,
    options: RunOptions | None = None,
    name: str | None = None,
    origin: dict | None = None,
    wait: bool = False,
    parameter_values: Any = None,
    observables: Any = None,
    exact: bool = False,
    **settings: Any,
) -> JobGroup:
    """Run circuits on one or more backends, asynchronously; every circuit × backend is one recorded job.

    Args:
        circuits: a QuantumCircuit, a :class:`~qhybrid_lab.circuits.Sweep`, a PennyLane tape, QNode or
            ``bind(qnode, ...)``, or a list/tuple/dict of them.
        backend: a registered backend name ("aer", "fake_torino", ...) or a list of names.
        options: a :class:`~qhybrid_lab.jobs.options.RunOptions`; ``settings`` override its fields.
        name: the circuit's name when ``circuits`` is a single circuit.
        origin: what the caller knows of where the run comes from (notebook, cell_id, kernel_id); by default what
            the kernel knows (:func:`~qhybrid_lab.jobs.context.caller_origin`), so jobs run from a notebook name it.
        wait: wait until every job has finished before returning.
        parameter_values: sweep a single parameterized circuit over these points (see
            :class:`~qhybrid_lab.circuits.Sweep`): one job per backend, transpiled once, run as one batch.
        observables: estimate expectation values of these on every circuit: a Pauli label ("ZZ", qubit 0
            rightmost), a ``Pauli``, a ``SparsePauliOp``, or a list of them (one value each). Qubit-wise-commuting
            terms share one basis-change circuit; standard errors come from shot noise.
        exact: compute the expectation values exactly (statevector; an ideal simulator only; errors 0.0).
        **settings: any field of :class:`~qhybrid_lab.jobs.options.RunOptions`: ``shots`` (1024), ``seed``,
            ``optimization_level`` (2), ``tags``, ``executor`` ("local" or "dask"), ``timeout`` (seconds, queue
            included) and ``on_timeout`` ("cancel" or "keep"), ``mode``, ``fallback``, ``experiment``,
            ``mitigation``.

    Returns:
        The JobGroup (awaitable in asyncio code); ``group.result()`` gives ``{circuit: {backend: counts}}``, with a
        list of counts (one per point) for a sweep.

    Raises:
        InvalidJobSpec, UnknownBackend, BudgetExceeded: before anything runs (see :meth:`JobManager.submit`);
        InvalidObservable (an InvalidJobSpec) for a bad label, a too-wide or non-Hermitian observable.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2); bell.h(0); bell.cx(0, 1)
        >>> run(bell, ["aer", "fake_manila"], shots=2000).result(timeout=60)["circuit"]["aer"]
        {'00': 1012, '11': 988}
        >>> theta = Parameter("theta"); qc = QuantumCircuit(1); qc.ry(theta, 0)
        >>> run(qc, "aer", parameter_values=[[0.0], [3.14159]]).result()["circuit"]["aer"]
        [{'0': 1024}, {'1': 1024}]
    """
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise InvalidJobSpec(
            f"run() got unknown setting(s) {', '.join(unknown)}; the settings are {', '.join(_SETTINGS)}"
        )
    if options is not None and not isinstance(options, RunOptions):
        raise InvalidJobSpec(f"options must be a RunOptions, not {type(options).__name__}")
    options = (options or RunOptions()).with_(**settings) if settings else (options or RunOptions())
    experiment = current_experiment.get()
    if experiment is not None and options.experiment in (None, experiment.name):
        options = options.with_(experiment=experiment.name)
    else:
        experiment = None
    if origin is None:
        origin = caller_origin()
    group = JobManager.instance().submit(
        circuits,
        backend,
        options,
        name=name,
        origin=origin,
        parameter_values=parameter_values,
        observables=observables,
        exact=exact,
    )
    if experiment is not None:
        experiment.note_jobs(list(group))
    if wait:
        group.wait()
    return group
