"""P6: a broadcast PennyLane QNode through qhybrid on pennylane:lightning.qubit against PennyLane's own batched run."""

from __future__ import annotations

import time
from typing import Any

from .harness import Figure, interleave

QUBITS = 6
POINTS = 100
SHOTS = 1024


def ansatz_qnode(device: str = "lightning.qubit", shots: int | None = None) -> Any:
    """The 6-qubit ansatz: an RY layer and a CX chain, ``expval(Z0 Z1)``; ``theta`` has shape (points, 6)."""
    import pennylane as qml

    @qml.qnode(qml.device(device, wires=QUBITS), shots=shots)
    def ansatz(theta):
        for i in range(QUBITS):
            qml.RY(theta[..., i], wires=i)
        for i in range(QUBITS - 1):
            qml.CNOT(wires=[i, i + 1])
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))

    return ansatz


def thetas(seed: int = 7) -> Any:
    """``POINTS`` parameter points of the ansatz."""
    import numpy as np

    return np.random.default_rng(seed).uniform(0, np.pi, (POINTS, QUBITS))


def pennylane_figure(repeats: int = 5) -> Figure:
    """100 points, 1024 shots: ``run(bind(ansatz, X), "pennylane:lightning.qubit")`` + expvals vs one broadcast call.

    Each call gets new points (as an optimizer would), so neither side profits from a cache of the last call.
    """
    from .. import run
    from ..circuits.pennylane import bind
    from ..circuits.pennylane_results import measurement_values

    ansatz, reference_qnode = ansatz_qnode(), ansatz_qnode(shots=SHOTS)
    calls = {"ours": 0, "reference": 0}  # new points every call, as in an optimizer loop (no cache hits)

    def ours() -> list[float]:
        calls["ours"] += 1
        points = thetas(calls["ours"])
        group = run(bind(ansatz, points), "pennylane:lightning.qubit", shots=SHOTS, seed=1)
        group.result(timeout=600)
        values = measurement_values(group, bind(ansatz, points))
        return [values[f"ansatz[{i}]"]["pennylane:lightning.qubit"][0] for i in range(POINTS)]

    def reference() -> Any:
        calls["reference"] += 1
        return reference_qnode(thetas(calls["reference"]))

    a, b = interleave(ours, reference, repeats, warmup=1)
    return Figure(
        "P6",
        f"{QUBITS}-qubit ansatz, {POINTS} points, {SHOTS} shots via %%qrun path on lightning.qubit "
        "vs PennyLane broadcast",
        a,
        b,
        "<= 1.3",
        note="the broadcast runs as ONE recorded sweep job (template decomposed once, one broadcast tape)",
    )


def pennylane_profile() -> dict[str, float]:
    """Seconds spent in each stage of the qhybrid path for the same 100 points (one run, after a warm-up)."""
    from .. import run
    from ..backends import get_backend
    from ..circuits import as_circuits, transpile_for
    from ..circuits.pennylane import bind
    from ..circuits.pennylane_results import measurement_values

    ansatz, points = ansatz_qnode(), thetas()
    backend = get_backend("pennylane:lightning.qubit")
    run(bind(ansatz, points[:2]), backend.name, shots=SHOTS).result(timeout=600)  # warm workers and imports
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    ((_, sweep),) = as_circuits(bind(ansatz, points))
    out["convert (QNode -> one template + values)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    template = transpile_for(sweep.circuit, backend, seed=99).circuit
    out["transpile the template"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    backend.execute([template], shots=SHOTS, seed=1, parameter_binds=[sweep.binds()])
    out["execute in-process, one sweep (broadcast tape)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    group = run(bind(ansatz, points), backend.name, shots=SHOTS, seed=1)
    out["run(): submit (convert, validate, hash, record)"] = time.perf_counter() - t0
    group.result(timeout=600)
    out["run(): submit to last result"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    measurement_values(group, bind(ansatz, points))
    out["measurement_values (convert again + expvals)"] = time.perf_counter() - t0
    return out
