"""The pennylane:<device> backends against the Backend contract (mirrors tests/backends/test_conformance.py)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import NATIVE

from qhybrid_lab.backends import Backend, BackendKind, ExecutionResult, get_backend, list_backends
from qhybrid_lab.backends.pennylane import GATES
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.errors import CircuitTooWide, InvalidJobSpec, UnknownBackend, UnsupportedObject

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


def test_listed_and_described(backend):
    listed = {row["name"]: row for row in list_backends()}
    assert listed[backend.name]["provider"] == "pennylane" and listed[backend.name]["kind"] == "simulator"
    info = backend.describe()
    assert set(info) == {"name", "provider", "kind", "version", "num_qubits"}
    assert (info["provider"], info["kind"]) == ("pennylane", "simulator")
    assert info["version"][0].isdigit() and 20 <= info["num_qubits"] <= 30


def test_unknown_device_lists_the_pennylane_devices():
    with pytest.raises(UnknownBackend, match=r"unknown PennyLane device 'lightning.qbit' in 'pennylane:lightning.qbit'; "
                                             r"did you mean 'pennylane:lightning.qubit'\? qhybrid-lab runs "
                                             r"pennylane:default.qubit, pennylane:lightning.qubit"):
        get_backend("pennylane:lightning.qbit")


def test_target_is_built_once_and_keeps_the_width(backend):
    target = backend.target()
    assert backend.target() is target and "measure" in target.operation_names
    assert set(GATES) <= set(target.operation_names)
    assert transpile_for(ghz(3), backend).circuit.num_qubits == 3


def test_validation(backend):
    from qiskit import QuantumCircuit

    backend.validate(ghz(3), 1000)
    with pytest.raises(CircuitTooWide, match=f"needs {backend.num_qubits + 1} qubits"):
        backend.validate(QuantumCircuit(backend.num_qubits + 1, name="x"), 100)
    for shots in (0, -5, 2.5, True, "100", None, backend.max_shots + 1):
        with pytest.raises(InvalidJobSpec, match="shots"):
            backend.validate(ghz(2), shots)
    with pytest.raises(UnsupportedObject, match="dict"):
        backend.validate({"not": "a circuit"}, 10)
    middle = QuantumCircuit(1, 1, name="mid")
    middle.measure(0, 0)
    middle.x(0)
    with pytest.raises(InvalidJobSpec, match="'x' after a measurement in circuit 'mid'"):
        backend.validate(middle, 10)


def test_bell_distribution_and_seed(backend):
    result = run(backend, ghz(2, "bell"))
    assert isinstance(result, ExecutionResult) and result.shots == SHOTS
    assert set(result.counts) == {"00", "11"} and sum(result.counts.values()) == SHOTS
    assert abs(result.counts["00"] - SHOTS / 2) < 5 * SHOTS**0.5 / 2
    assert result.metadata["qubits_simulated"] == 2 and {"method", "noise"} <= set(result.metadata)
    assert result.seconds > 0
    assert run(backend, ghz(3), seed=5).counts == run(backend, ghz(3), seed=5).counts
    assert run(backend, ghz(3), seed=5).counts != run(backend, ghz(3), seed=6).counts


def test_counts_keys_are_the_circuit_classical_bits(backend):
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    q, a, b = QuantumRegister(3, "q"), ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    circuit = QuantumCircuit(q, a, b, name="keys")
    circuit.x(q[0])
    circuit.x(q[2])
    circuit.measure(q[0], a[1])
    circuit.measure(q[1], a[0])
    circuit.measure(q[2], b[0])
    assert run(backend, circuit, shots=50).counts == {"1 10": 50}


def test_asymmetric_circuit_bit_order(backend):
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(3, name="x0")
    circuit.x(0)
    circuit.measure_all()
    assert run(backend, circuit, shots=20).counts == {"001": 20}


def test_parameter_binds_give_one_result_per_value_set(backend):
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    circuit = QuantumCircuit(1, name="rx")
    circuit.rx(theta, 0)
    circuit.measure_all()
    transpiled = transpile_for(circuit, backend).circuit
    (bound,) = transpiled.parameters
    results = backend.execute([transpiled], shots=500, seed=2, parameter_binds=[{bound: [0.0, np.pi, np.pi / 2]}])
    assert len(results) == 3
    assert results[0].counts == {"0": 500} and results[1].counts == {"1": 500}
    assert 150 < results[2].counts["1"] < 350


def test_pickles_to_the_cached_instance_and_is_free(backend):
    assert pickle.loads(pickle.dumps(backend)) is backend
    assert backend.price_model().is_free and backend.hardware_price_model() is None
    assert backend.calibration() is None and backend.kind is BackendKind.SIMULATOR


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
