"""Circuits shared by the backend tests (a unique module name: conftest modules cannot be imported reliably)."""

from __future__ import annotations


def ghz(n: int, name: str | None = None):
    """An n-qubit GHZ circuit with measure_all."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n, name=name or f"ghz{n}")
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qc
