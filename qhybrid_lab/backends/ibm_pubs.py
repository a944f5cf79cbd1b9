"""Between our circuits and IBM's Sampler: PUBs in, Qiskit-style counts out, IBM job states and times in ours.

One job per submission: each circuit is one PUB, a sweep (``parameter_binds``) one PUB carrying all its points.
SamplerV2 returns one ``BitArray`` per classical register; :func:`counts_of` joins them the way
``qiskit.result.Result.get_counts`` does (registers separated by a space, the last-added register first, each
register's bits most significant first), so keys look the same as on every other backend.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..status import JobStatus

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

STATE_TABLE: dict[str, JobStatus] = {
    # RuntimeJobV2.status() (cloud): its initial value, then the API's states mapped by the SDK.
    "INITIALIZING": JobStatus.QUEUED,
    "QUEUED": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "DONE": JobStatus.DONE,
    "ERROR": JobStatus.FAILED,
    "CANCELLED": JobStatus.CANCELLED,
    # Qiskit's JobStatus names, which the local testing mode's jobs report.
    "VALIDATING": JobStatus.QUEUED,
    # The API's own words, which RuntimeJobV2 passes through (upper-cased) when it has no mapping for them.
    "COMPLETED": JobStatus.DONE,
    "FAILED": JobStatus.FAILED,
    "CANCELLED - RAN TOO LONG": JobStatus.FAILED,
}
"""IBM job state → :class:`JobStatus` (read through :func:`qhybrid_lab.backends.remote.map_state`)."""

QUEUE_NOTE = "IBM Runtime V2 reports no queue position (removed in qiskit-ibm-runtime 0.42)"


def check_registers(circuit: QuantumCircuit, backend_name: str) -> None:
    """Refuse circuits whose measurements SamplerV2 cannot return (it returns registers, not loose bits)."""
    in_registers = {bit for register in circuit.cregs for bit in register}
    loose = [bit for bit in circuit.clbits if bit not in in_registers]
    if loose:
        raise InvalidJobSpec(
            f"circuit '{circuit.name}' has {len(loose)} classical bit(s) outside any register; "
            f"{backend_name} returns results per ClassicalRegister: add the bits to a register"
        )
    for register in circuit.cregs:
        if register.size == 0 or not register.name.isidentifier():
            raise InvalidJobSpec(
                f"circuit '{circuit.name}': {backend_name} needs non-empty classical registers "
                f"named like Python identifiers, not {register.name!r} (size {register.size})"
            )


def build_pubs(circuits: list[QuantumCircuit], shots: int, parameter_binds: list[dict] | None) -> list[tuple]:
    """``(circuit, parameter values | None, shots)`` per circuit; a sweep's points are rows of its values."""
    import numpy as np

    if parameter_binds is not None and len(parameter_binds) != len(circuits):
        raise InvalidJobSpec(f"{len(parameter_binds)} parameter bindings for {len(circuits)} circuits")
    pubs: list[tuple[Any, Any, int]] = []
    for index, circuit in enumerate(circuits):
        binds = parameter_binds[index] if parameter_binds is not None else None
        if not circuit.parameters:
            pubs.append((circuit, None, shots))
            continue
        if not binds:
            raise InvalidJobSpec(
                f"circuit '{circuit.name}' has free parameters "
                f"{sorted(p.name for p in circuit.parameters)} and no values for them"
            )
        by_name = {getattr(key, "name", key): values for key, values in binds.items()}
        missing = [p.name for p in circuit.parameters if p.name not in by_name]
        if missing:
            raise InvalidJobSpec(f"circuit '{circuit.name}': no values for parameters {missing}")
        columns = [np.asarray(by_name[p.name], dtype=float).reshape(-1) for p in circuit.parameters]
        if len({len(c) for c in columns}) != 1:
            raise InvalidJobSpec(f"circuit '{circuit.name}': parameters have different numbers of values")
        pubs.append((circuit, np.column_stack(columns), shots))
    return pubs


def points_of(pub_result) -> list[tuple]:
    """The indices of a PUB result's parameter points, in order (one ``()`` for a plain circuit)."""
    import numpy as np

    return list(np.ndindex(*pub_result.data.shape))


def counts_of(pub_result, loc: tuple, registers: list[str] | None = None) -> dict[str, int]:
    """Counts of one point of a SamplerV2 PUB result, keyed like ``Result.get_counts``.

    Args:
        pub_result: A ``SamplerPubResult``.
        loc: The point (from :func:`points_of`).
        registers: The circuit's classical register names in ``circuit.cregs`` order, when known; else the
            result's own field order (the order the sampler created them in, which is the circuit's).
    """
    data = pub_result.data
    available = list(data.keys())
    names = [name for name in (registers or available) if name in available]
    arrays = [data[name] for name in names]
    if not arrays:
        return {}
    if len(arrays) == 1:
        return {key: int(value) for key, value in arrays[0].get_counts(loc if loc else None).items()}
    columns = [array.get_bitstrings(loc if loc else None) for array in reversed(arrays)]
    counts: dict[str, int] = {}
    for shot in zip(*columns):
        key = " ".join(shot)
        counts[key] = counts.get(key, 0) + 1
    return counts


def epoch(value: Any) -> float | None:
    """Epoch seconds of an IBM timestamp (ISO 8601 string, UTC when naive, or a datetime)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    return None


def timestamps_of(metrics: dict) -> dict[str, float]:
    """``created`` / ``running`` / ``finished`` (epoch s) from a job's ``metrics()``."""
    raw = (metrics or {}).get("timestamps") or {}
    out = {name: epoch(raw.get(name)) for name in ("created", "running", "finished")}
    return {name: value for name, value in out.items() if value is not None}


def jsonable(value: Any) -> Any:
    """``value`` with datetimes, numpy scalars and other objects made JSON-safe (for the run log)."""
    import json

    return json.loads(json.dumps(value, default=str))
