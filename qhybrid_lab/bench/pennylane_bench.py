"""P6: a broadcast PennyLane QNode through qhybrid on pennylane:lightning.qubit against PennyLane's own batched run."""

from __future__ import annotations

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
