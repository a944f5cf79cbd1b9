"""Circuits and polling shared by the IBM adapter tests (a unique module name for imports)."""

from __future__ import annotations

import time


def bell(name: str = "bell"):
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2, name=name)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def asymmetric():
    """X on qubit 0 of three: the ideal result is ``"001"`` (qubit 0 is the rightmost bit)."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(3, name="asym")
    circuit.x(0)
    circuit.measure_all()
    return circuit


def two_registers():
    """Registers ``a`` (2 bits) and ``b`` (1 bit); the ideal result is ``"1 10"`` in Qiskit's key format."""
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    q, a, b = QuantumRegister(3, "q"), ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    circuit = QuantumCircuit(q, a, b, name="regs")
    circuit.x(q[0])
    circuit.x(q[2])
    circuit.measure(q[0], a[1])
    circuit.measure(q[1], a[0])
    circuit.measure(q[2], b[0])
    return circuit


def transpiled(circuit, backend):
    from qhybrid_lab.circuits import transpile_for

    return transpile_for(circuit, backend).circuit


def poll_until_final(backend, ref, timeout: float = 120.0, step: float = 0.1) -> list:
    """Every :class:`ProviderStatus` seen until a final one (AssertionError on timeout)."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        status = backend.poll(ref)
        seen.append(status)
        if status.final:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"job {ref.job_id} not final within {timeout} s; states {[s.provider_state for s in seen]}")
        time.sleep(step)


def wait_for(predicate, timeout: float = 120.0, step: float = 0.05) -> None:
    """Poll until ``predicate()`` is true (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)
