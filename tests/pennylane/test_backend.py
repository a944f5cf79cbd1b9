"""What is particular to the pennylane:<device> backends.

The Backend contract itself is checked for them by tests/backends/test_conformance.py, like every backend.
"""

from __future__ import annotations

import numpy as np
import pytest
from pennylane_helpers import NATIVE

from qhybrid_lab.backends import Backend, BackendKind, get_backend, list_backends
from qhybrid_lab.backends.pennylane import GATES
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.errors import InvalidJobSpec, UnknownBackend

SHOTS = 4000


@pytest.fixture(params=NATIVE)
def backend(request) -> Backend:
    return get_backend(request.param)


def ghz(n: int, name: str = "ghz"):
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=name)
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    circuit.measure_all()
    return circuit


def run(backend, circuit, shots=SHOTS, seed=11):
    (result,) = backend.execute([transpile_for(circuit, backend).circuit], shots=shots, seed=seed)
    return result


def test_listed_as_pennylane_simulators(backend):
    listed = {row["name"]: row for row in list_backends()}
    assert listed[backend.name]["provider"] == "pennylane" and listed[backend.name]["kind"] == "simulator"
    assert (backend.provider, backend.kind) == ("pennylane", BackendKind.SIMULATOR)
    assert backend.version[0].isdigit()


def test_unknown_device_lists_the_pennylane_devices():
    with pytest.raises(UnknownBackend, match=r"unknown PennyLane device 'lightning.qbit' in 'pennylane:lightning.qbit'; "
                                             r"did you mean 'pennylane:lightning.qubit'\? qhybrid-lab runs "
                                             r"pennylane:default.qubit, pennylane:lightning.qubit"):
        get_backend("pennylane:lightning.qbit")


def test_target_has_every_mapped_gate_and_keeps_the_width(backend):
    assert set(GATES) <= set(backend.target().operation_names)
    assert transpile_for(ghz(3), backend).circuit.num_qubits == 3


def test_validation_refuses_what_pennylane_cannot_run(backend):
    from qiskit import QuantumCircuit

    middle = QuantumCircuit(1, 1, name="mid")
    middle.measure(0, 0)
    middle.x(0)
    with pytest.raises(InvalidJobSpec, match="'x' after a measurement in circuit 'mid'"):
        backend.validate(middle, 10)


def test_asymmetric_circuit_bit_order(backend):
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(3, name="x0")
    circuit.x(0)
    circuit.measure_all()
    assert run(backend, circuit, shots=20).counts == {"001": 20}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_each_basis_gate_is_exactly_its_pennylane_operation(gate):
    """Probabilities after a random layer + the gate agree to 1e-12 between Qiskit and PennyLane."""
    import pennylane as qml
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import get_standard_gate_name_mapping
    from qiskit.quantum_info import Statevector

    from qhybrid_lab.backends.pennylane import _operations

    standard = get_standard_gate_name_mapping()[gate]
    rng = np.random.default_rng(sum(map(ord, gate)))
    n = standard.num_qubits
    circuit = QuantumCircuit(n)
    for q in range(n):
        circuit.u(*rng.uniform(0, np.pi, 3), q)
    circuit.append(standard.base_class(*rng.uniform(0.2, 2.5, len(standard.params))), list(range(n)))
    for q in range(n):
        circuit.u(*rng.uniform(0, np.pi, 3), q)
    expected = Statevector(circuit).probabilities()  # Qiskit order: qubit 0 least significant
    tape = qml.tape.QuantumScript(_operations(circuit, None, 1), [qml.probs(wires=list(range(n - 1, -1, -1)))])
    (got,) = qml.execute([tape], qml.device("default.qubit", wires=n))
    assert np.allclose(got, expected, atol=1e-12)


def test_a_sweep_with_parameter_expressions_binds_each_point():
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    from qhybrid_lab.backends import get_backend

    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2)
    qc.ry(a, 0)
    qc.rx(2 * b - a, 1)  # an expression of two swept parameters
    qc.measure_all()
    binds = {a: [0.0, np.pi, np.pi], b: [0.0, np.pi / 2, np.pi]}  # qubit 1 angle: 0, 0, pi
    results = get_backend("pennylane:default.qubit").execute([qc], shots=40, seed=2, parameter_binds=[binds])
    assert [r.counts for r in results] == [{"00": 40}, {"01": 40}, {"11": 40}]
