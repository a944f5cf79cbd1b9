"""``rerun()``: run a recorded job's circuit again, from the run log alone (its QPY blob), on any backend."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidJobSpec
from .api import run
from .handles import JobGroup
from .manager import JobManager

_KEPT = ("shots", "seed", "optimization_level", "tags", "mitigation")
"""The recorded settings a re-run keeps unless it is given others."""


def recorded_circuit(record: dict) -> Any:
    """The circuit (a :class:`~qhybrid_lab.circuits.Sweep` for a sweep) of a run record, read from its QPY blob.

    Works for every circuit Qiskit can hold, also the ones OpenQASM 3 cannot write (the record keeps QPY always).

    Raises:
        InvalidJobSpec: The record has no QPY blob (written by a version that kept none), or it cannot be read.
    """
    from ..circuits import Sweep
    from ..circuits.qpy_store import load_qpy

    circuit_field = record.get("circuit") or {}
    ref = circuit_field.get("qpy_ref")
    if not ref:
        raise InvalidJobSpec(f"job {record['id'][:8]} kept no QPY copy of its circuit, so it cannot be run again")
    log = JobManager.instance().log
    try:
        circuit = load_qpy(log.get_blob(ref))
    except (OSError, ValueError, TypeError) as error:
        raise InvalidJobSpec(f"the circuit of job {record['id'][:8]} cannot be read back: {error}") from error
    circuit.name = circuit_field.get("name") or circuit.name
    parameters = record.get("parameters")
    if not parameters:
        return circuit
    by_name = {p.name: p for p in circuit.parameters}
    names = parameters["names"]
    missing = sorted(set(names) - set(by_name))
    if missing:
        raise InvalidJobSpec(f"the circuit of job {record['id'][:8]} has no parameter(s) {', '.join(missing)}")
    columns = {by_name[n]: [row[i] for row in parameters["values"]] for i, n in enumerate(names)}
    return Sweep(circuit, columns, name=circuit.name)


def rerun(job_id: str, backend: str | list[str] | None = None, *, wait: bool = False, **settings: Any) -> JobGroup:
    """Run job ``job_id``'s circuit again: the same circuit (from its QPY blob), points and observables.

    Args:
        job_id: a job id or a unique prefix of at least 4 characters (see ``%qjobs``).
        backend: where to run it (default: the job's own backend); a list runs it on each.
        wait: wait for the new jobs before returning.
        **settings: RunOptions fields; by default the job's own ``shots``, ``seed``, ``optimization_level``,
            ``tags`` and ``mitigation``.

    Returns:
        The new JobGroup; its records carry the same circuit hash as the original.

    Example:
        >>> group = rerun("3f2a9c", "fake_torino", shots=4000)  # doctest: +SKIP
    """
    record = JobManager.instance().log.get(job_id)
    options = record.get("options") or {}
    kept = {key: options[key] for key in _KEPT if options.get(key) not in (None, [], {})}
    observables = record.get("observables")
    ops = None
    if observables:
        from ..circuits.observables import sparse_pauli_op

        ops = [sparse_pauli_op(o) for o in observables]
    return run(
        recorded_circuit(record),
        backend or record["backend"]["name"],
        observables=ops,
        wait=wait,
        **{**kept, **settings},
    )


__all__ = ["recorded_circuit", "rerun"]
