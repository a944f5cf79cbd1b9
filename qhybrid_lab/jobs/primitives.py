"""A job's record as Qiskit's own primitive containers (``SamplerPubResult``, ``DataBin``, ``BitArray``)."""

from __future__ import annotations

from typing import Any


def _bit_array(counts: dict[str, int] | list[dict[str, int]], registers: int) -> list[Any]:
    """One ``BitArray`` per classical register (count keys: registers separated by spaces, the last one first)."""
    import numpy as np
    from qiskit.primitives import BitArray

    points = counts if isinstance(counts, list) else [counts]
    per_register: list[list[Any]] = [[] for _ in range(registers)]
    for point in points:
        split: list[dict[str, int]] = [{} for _ in range(registers)]
        for key, n in point.items():
            words = str(key).split(" ")[::-1]  # register 0 first
            for r in range(registers):
                full = "".join(w for i, w in enumerate(words) if i == r)
                split[r][full] = split[r].get(full, 0) + int(n)
        for r in range(registers):
            width = max((len(k) for k in split[r]), default=0)
            per_register[r].append(BitArray.from_counts(split[r], num_bits=width or None))
    if not isinstance(counts, list):
        return [arrays[0] for arrays in per_register]
    return [BitArray(np.stack([a.array for a in arrays]), arrays[0].num_bits) for arrays in per_register]


def pub_result(record: dict) -> Any:
    """The ``SamplerPubResult`` of a done record: ``.data.meas`` (a ``BitArray``; ``get_counts()``) and, when it
    ran with observables, ``.data.evs`` / ``.data.stds`` (shape ``(observables,)``, or ``(points, observables)``
    for a sweep) as EstimatorV2's ``PubResult`` has them.

    The counts' registers: one register is ``meas``; several (keys with spaces) are ``c0``, ``c1``, ... from the
    first register of the circuit. The metadata names the job, backend, shots and ``ev_method``.
    """
    import numpy as np
    from qiskit.primitives import DataBin, SamplerPubResult

    result = record.get("result") or {}
    counts = result.get("counts")
    fields: dict[str, Any] = {}
    shape: tuple[int, ...] = (len(counts),) if isinstance(counts, list) else ()
    if counts:
        sample = (counts[0] if isinstance(counts, list) else counts) or {"": 0}
        registers = len(str(next(iter(sample))).split(" "))
        arrays = _bit_array(counts, registers)
        names = ["meas"] if registers == 1 else [f"c{i}" for i in range(registers)]
        fields.update(zip(names, arrays))
    if result.get("expectation_values") is not None:
        fields["evs"] = np.asarray(result["expectation_values"], dtype=float)
        fields["stds"] = np.asarray(result["standard_errors"], dtype=float)
        shape = fields["evs"].shape[:-1]
    metadata = {
        "job_id": record.get("id"),
        "backend": (record.get("backend") or {}).get("name"),
        "shots": result.get("shots", record.get("shots")),
        "ev_method": result.get("ev_method"),
        "circuit": (record.get("circuit") or {}).get("name"),
    }
    return SamplerPubResult(DataBin(**fields, shape=shape), metadata=metadata)


__all__ = ["pub_result"]
