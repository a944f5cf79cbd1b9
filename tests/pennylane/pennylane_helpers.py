"""PennyLane test circuits: the 6-qubit ansatz (RY layer + CX chain) and an asymmetric circuit.

A unique module name: conftest modules cannot be imported reliably from tests in several folders.
"""

from __future__ import annotations

NATIVE = ["pennylane:default.qubit", "pennylane:lightning.qubit"]
ALL_BACKENDS = [*NATIVE, "aer", "fake_manila"]


def ansatz_qnode(device: str = "default.qubit", wires: int = 4):
    """RY on every wire, a CX chain, <Z0 Z1>; ``theta`` has shape (wires,) or (points, wires)."""
    import pennylane as qml

    @qml.qnode(qml.device(device, wires=wires))
    def ansatz(theta):
        for i in range(wires):
            qml.RY(theta[..., i], wires=i)
        for i in range(wires - 1):
            qml.CNOT(wires=[i, i + 1])
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))

    return ansatz


def asymmetric_qnode():
    """X on wire 0 only, no arguments: the answer is |10> in PennyLane's order, '01' in Qiskit's."""
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=2))
    def flip():
        qml.PauliX(wires=0)
        return qml.probs(wires=[0, 1])

    return flip
