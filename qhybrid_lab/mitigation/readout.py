"""Readout-error mitigation with mthree: calibrate on the job's own backend, correct counts to quasi-probabilities.

The calibration is mthree's *balanced* one (``HadamardGenerator`` bit strings, ``balanced_cal_circuits``): every
measured physical qubit is prepared in 0 and in 1 equally often, the circuits run on the same backend (the same
emulator and noise model, the same provider local mode) in the same process as the job, and the per-qubit
assignment matrices ``A[measured][prepared]`` estimated from them are handed to ``M3Mitigation.cals_from_matrices``.
mthree then solves for the quasi-probabilities of each counts dict (``apply_correction``), with its mitigation
overhead for standard errors. The record keeps the matrices, so what was applied can be read back and re-applied.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from importlib.metadata import version as _version
from typing import TYPE_CHECKING, Any

from ..errors import BackendError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from ..backends import Backend

CALIBRATION_SHOTS = 10_000
"""Shots of the whole balanced calibration (mthree's default ``min(10000, max_shots)``)."""


@dataclass
class ReadoutMitigation:
    """What readout mitigation produced for one job: the record's ``mitigation`` field and ``result["mitigated"]``."""

    record: dict[str, Any]
    """``{"method": "readout", "library": "mthree", "version", "qubits", "calibration": {...}}``."""
    mitigated: dict[str, Any]
    """``{"quasi_probabilities": {...} | [{...} per point], "mitigation_overhead": float | [float]}``."""


def measured_qubits(circuit: QuantumCircuit) -> list[int]:
    """The physical qubit measured into each classical bit of a transpiled circuit, in clbit order (bit 0 first).

    Raises:
        BackendError: a classical bit holds no final measurement (mthree corrects final measurements only).
    """
    from mthree.utils import final_measurement_mapping

    by_clbit = final_measurement_mapping(circuit)  # {clbit: physical qubit} (its docstring says the reverse)
    if sorted(by_clbit) != list(range(circuit.num_clbits)):
        missing = sorted(set(range(circuit.num_clbits)) - set(by_clbit))
        raise BackendError(
            f"readout mitigation needs a final measurement into every classical bit; bits {missing} "
            f"of circuit {circuit.name!r} hold none (mid-circuit or missing measurements)"
        )
    return [int(by_clbit[k]) for k in range(circuit.num_clbits)]


def calibrate(
    backend: Backend, qubits: list[int], *, shots: int = CALIBRATION_SHOTS, seed: int | None = None
) -> dict[str, Any]:
    """Run mthree's balanced calibration circuits for ``qubits`` on ``backend``; the record's ``calibration``.

    Returns:
        ``{"source", "method", "backend", "circuits", "shots", "seed", "created", "data"}``; ``data`` is one
        assignment matrix ``[[P(0|0), P(0|1)], [P(1|0), P(1|1)]]`` (``[measured][prepared]``) per qubit of ``qubits``.
    """
    from mthree.circuits import balanced_cal_circuits
    from mthree.generators import HadamardGenerator

    generator = HadamardGenerator(len(qubits))
    strings = [list(bits) for bits in generator]
    per_circuit = math.ceil(2 * shots / len(strings))
    circuits = balanced_cal_circuits(generator, qubits, backend.num_qubits)
    started = time.time()
    results = backend.execute(circuits, shots=per_circuit, seed=seed)
    matrices = balanced_matrices(strings, [r.counts for r in results], per_circuit * len(strings))
    return {
        "source": f"mthree balanced calibration: {len(circuits)} circuits run on {backend.name}",
        "method": "balanced",
        "backend": backend.name,
        "circuits": len(circuits),
        "shots": per_circuit * len(circuits),
        "seed": seed,
        "created": started,
        "data": matrices,
    }


def balanced_matrices(
    strings: list[list[int]], counts: list[dict[str, int]], total_shots: int
) -> list[list[list[float]]]:
    """Per-qubit assignment matrices from balanced calibration counts (mthree's estimator, in plain floats).

    ``strings[i]`` is the bit array prepared by circuit ``i`` (mthree's order: its last entry is qubit 0). Each qubit
    is prepared in 0 in half of the shots and in 1 in the other half, so P(k|k) is the number of shots where it
    read k while prepared k, over ``total_shots / 2``.
    """
    width = len(strings[0])
    correct = [[0.0, 0.0] for _ in range(width)]
    for prepared, result in zip(strings, counts):
        target = prepared[::-1]
        for key, value in result.items():
            bits = key.replace(" ", "")[::-1]
            for k in range(width):
                if int(bits[k]) == target[k]:
                    correct[k][target[k]] += value
    half = total_shots / 2
    out = []
    for p0, p1 in correct:
        p00, p11 = p0 / half, p1 / half
        out.append([[p00, 1.0 - p11], [1.0 - p00, p11]])
    return out


def mitigate_readout(
    backend: Backend,
    circuit: QuantumCircuit,
    counts: dict[str, int] | list[dict[str, int]],
    *,
    seed: int | None = None,
    calibration_shots: int = CALIBRATION_SHOTS,
) -> ReadoutMitigation:
    """Calibrate ``backend`` on the qubits ``circuit`` measures and correct ``counts`` (one dict, or one per point).

    Args:
        backend: where the job ran (the calibration circuits run there too).
        circuit: the transpiled circuit (physical qubits).
        counts: the raw counts (left untouched).
        seed: the job's seed; the calibration uses ``seed + 1`` so its shots are not the job's.
        calibration_shots: shots of the whole calibration (capped by the backend's shot limit per circuit).
    """
    import mthree
    import numpy as np

    qubits = measured_qubits(circuit)
    if not qubits:
        raise BackendError(f"readout mitigation needs measurements; circuit {circuit.name!r} measures nothing")
    calibration = calibrate(
        backend, qubits, shots=min(calibration_shots, backend.max_shots), seed=None if seed is None else seed + 1
    )
    matrices: list[Any] = [None] * (max(qubits) + 1)
    for qubit, matrix in zip(qubits, calibration["data"]):
        matrices[qubit] = np.asarray(matrix, dtype=np.float32)
    mitigator = mthree.M3Mitigation()
    mitigator.cals_from_matrices(matrices)
    several = isinstance(counts, list)
    quasis = [
        mitigator.apply_correction(
            {k.replace(" ", ""): v for k, v in c.items()}, qubits, return_mitigation_overhead=True
        )
        for c in (counts if isinstance(counts, list) else [counts])
    ]
    probabilities = [{key: float(value) for key, value in sorted(q.items())} for q in quasis]
    overheads = [float(q.mitigation_overhead) for q in quasis]
    record = {
        "method": "readout",
        "library": "mthree",
        "version": _version("mthree"),
        "qubits": qubits,
        "applied": True,
        "calibration": calibration,
    }
    mitigated = {
        "quasi_probabilities": probabilities if several else probabilities[0],
        "mitigation_overhead": overheads if several else overheads[0],
    }
    return ReadoutMitigation(record=record, mitigated=mitigated)


def mitigated_probabilities(record: dict) -> dict[str, float] | list[dict[str, float]] | None:
    """A record's mitigated result as a probability distribution (one per sweep point), or None if unmitigated.

    mthree's quasi-probabilities may be slightly negative; this is the nearest probability distribution to them
    (``QuasiDistribution.nearest_probability_distribution``), the form to compare with other distributions.
    """
    from mthree.classes import QuasiDistribution

    quasi = ((record.get("result") or {}).get("mitigated") or {}).get("quasi_probabilities")
    if quasi is None:
        return None
    several = isinstance(quasi, list)
    out = [
        {k: float(v) for k, v in QuasiDistribution(q).nearest_probability_distribution().items()}
        for q in (quasi if several else [quasi])
    ]
    return out if several else out[0]


__all__ = [
    "CALIBRATION_SHOTS",
    "ReadoutMitigation",
    "balanced_matrices",
    "calibrate",
    "measured_qubits",
    "mitigate_readout",
    "mitigated_probabilities",
]
