"""Shared circuits and a registry snapshot for the backend tests."""

from __future__ import annotations

import pytest


def ghz(n: int, name: str | None = None):
    """An n-qubit GHZ circuit with measure_all."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n, name=name or f"ghz{n}")
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qc


@pytest.fixture
def clean_registry():
    """Restore the backend registry (registrations and cached instances) after the test."""
    from qhybrid_lab.backends import registry

    registry._ensure_builtins()
    saved = (list(registry._registrations), dict(registry._instances))
    yield registry
    registry._registrations[:] = saved[0]
    registry._instances.clear()
    registry._instances.update(saved[1])
