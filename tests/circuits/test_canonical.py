"""Circuit content hash, OpenQASM 3 text and metrics."""

from __future__ import annotations

import re

import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qhybrid_lab.circuits import circuit_hash, circuit_metrics, circuit_qasm


def bell(name=None):
    qc = QuantumCircuit(2, name=name)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_equal_circuits_built_separately_hash_equal():
    a, b = bell(), bell()
    assert a.name != b.name  # Qiskit generated two different names
    assert circuit_hash(a) == circuit_hash(b)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", circuit_hash(a))


def test_name_does_not_matter_but_content_does():
    assert circuit_hash(bell("one")) == circuit_hash(bell("two"))
    other = bell()
    other.x(0)
    assert circuit_hash(other) != circuit_hash(bell())
    a, b = QuantumCircuit(1), QuantumCircuit(1)
    a.rz(0.1, 0)
    b.rz(0.2, 0)
    assert circuit_hash(a) != circuit_hash(b)


def test_parameterized_circuits_hash_by_parameter_name():
    def ansatz(name):
        qc = QuantumCircuit(1)
        qc.ry(Parameter(name), 0)
        return qc

    assert circuit_hash(ansatz("theta")) == circuit_hash(ansatz("theta"))
    assert circuit_hash(ansatz("theta")) != circuit_hash(ansatz("phi"))


def test_qasm_is_openqasm3():
    text = circuit_qasm(bell())
    assert text.startswith("OPENQASM 3.0;") and "cx q[0], q[1];" in text


def test_metrics_count_two_qubit_gates_without_barriers():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.barrier(0, 1)
    qc.cz(1, 2)
    qc.ccx(0, 1, 2)
    qc.measure_all()
    metrics = circuit_metrics(qc)
    assert metrics["two_qubit"] == 2
    assert metrics["num_qubits"] == 3
    assert metrics["ops"] == {"h": 1, "cx": 1, "barrier": 2, "cz": 1, "ccx": 1, "measure": 3}
    assert metrics["size"] == 7  # barriers are not operations that count
    assert metrics["depth"] == 5


@pytest.mark.parametrize("gates", [0, 1, 4])
def test_metrics_of_a_ghz(gates):
    qc = QuantumCircuit(gates + 1)
    for i in range(gates):
        qc.cx(i, i + 1)
    assert circuit_metrics(qc)["two_qubit"] == gates
