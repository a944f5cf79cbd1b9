"""Conformance suite: every behaviour of the Backend contract, against every kind of local backend.

Aer, a small and a 127-qubit device emulator, both native PennyLane devices, Braket's two local simulators and
IBM's local testing mode (``ibm:fake_manila``: the IBM adapter's own submission path). A new backend adapter joins
by adding its name to ``BACKENDS`` with the width it must report.
"""

from __future__ import annotations

import hashlib
import math

import pytest
from backend_helpers import ghz

from qhybrid_lab.backends import Backend, BackendKind, ExecutionResult, get_backend
from qhybrid_lab.backends.methods import MPS_MAX_QUBITS
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.errors import CircuitTooWide, InvalidJobSpec, UnsupportedObject

WIDTHS = {
    "aer": (MPS_MAX_QUBITS, MPS_MAX_QUBITS),  # wider than a statevector: stabilizer (Clifford) or MPS
    "fake_manila": (5, 5),
    "fake_sherbrooke": (127, 127),
    "pennylane:default.qubit": (20, 30),  # set from the memory available, capped at 30
    "pennylane:lightning.qubit": (20, 30),
    "braket:local": (26, 26),  # Braket's LocalSimulator braket_sv (amazon-braket-default-simulator's qubitCount)
    "braket:local_dm": (13, 13),  # braket_dm
    "ibm:fake_manila": (5, 5),
}
"""Each backend under test, with the least and most qubits it may report."""
BACKENDS = list(WIDTHS)
SHOTS = 4000


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    return get_backend(request.param)


def run(backend, circuit, shots=SHOTS, seed=11):
    outcome = transpile_for(circuit, backend)
    (result,) = backend.execute([outcome.circuit], shots=shots, seed=seed)
    return result


def test_describe_is_the_record_backend_field(backend):
    info = backend.describe()
    assert set(info) == {"name", "provider", "kind", "version", "num_qubits"}
    assert info["name"] == backend.name
    assert info["kind"] in {k.value for k in BackendKind}
    assert isinstance(info["version"], str) and info["version"]
    assert isinstance(info["num_qubits"], int) and info["num_qubits"] >= 5
    least, most = WIDTHS[backend.name]
    assert least <= info["num_qubits"] <= most


def test_target_is_built_once(backend):
    from qiskit.transpiler import Target

    target = backend.target()
    assert isinstance(target, Target)
    assert backend.target() is target
    assert "measure" in target.operation_names


def test_validate_accepts_a_good_request(backend):
    backend.validate(ghz(3), 1000)


def test_validate_refuses_a_too_wide_circuit(backend):
    from qiskit import QuantumCircuit

    wide = QuantumCircuit(backend.num_qubits + 1, name="x")
    with pytest.raises(CircuitTooWide) as info:
        backend.validate(wide, 100)
    assert str(info.value) == f"circuit 'x' needs {backend.num_qubits + 1} qubits; {backend.name} has {backend.num_qubits}"


@pytest.mark.parametrize("shots", [0, -5, 2.5, True, "100", None])
def test_validate_refuses_bad_shots(backend, shots):
    with pytest.raises(InvalidJobSpec, match="shots"):
        backend.validate(ghz(2), shots)


def test_validate_refuses_shots_above_the_maximum(backend):
    with pytest.raises(InvalidJobSpec, match=f"maximum of {backend.name}"):
        backend.validate(ghz(2), backend.max_shots + 1)


def test_validate_refuses_a_non_circuit(backend):
    with pytest.raises(UnsupportedObject, match="dict"):
        backend.validate({"not": "a circuit"}, 10)


def test_bell_distribution(backend):
    result = run(backend, ghz(2, "bell"))
    assert isinstance(result, ExecutionResult)
    assert result.shots == SHOTS and sum(result.counts.values()) == SHOTS
    good = result.counts.get("00", 0) + result.counts.get("11", 0)
    if backend.kind is BackendKind.SIMULATOR:
        assert good == SHOTS  # ideal: nothing but 00 and 11
        assert abs(result.counts["00"] - SHOTS / 2) < 5 * (SHOTS**0.5) / 2  # within 5 sigma of 50 %
    else:
        assert good / SHOTS > 0.85  # high fidelity, but noisy
        assert good < SHOTS
    assert {"method", "qubits_simulated", "noise"} <= set(result.metadata)
    assert result.metadata["qubits_simulated"] == 2
    assert result.seconds > 0


def test_seed_reproduces_counts(backend):
    circuit = ghz(3)
    assert run(backend, circuit, seed=5).counts == run(backend, circuit, seed=5).counts
    assert run(backend, circuit, seed=5).counts != run(backend, circuit, seed=6).counts


def test_counts_keys_are_the_circuit_classical_bits(backend):
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    q, a, b = QuantumRegister(3, "q"), ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    circuit = QuantumCircuit(q, a, b, name="keys")
    circuit.x(q[0])
    circuit.x(q[2])
    circuit.measure(q[0], a[1])
    circuit.measure(q[1], a[0])
    circuit.measure(q[2], b[0])
    counts = run(backend, circuit).counts
    # Qiskit's format: registers last-added first, separated by a space; bits most significant first.
    assert max(counts, key=counts.get) == "1 10"
    assert all(len(key) == 4 and key[1] == " " for key in counts)


def test_calibration(backend):
    calibration = backend.calibration()
    if backend.kind is BackendKind.SIMULATOR:
        assert calibration is None
        return
    summary, snapshot = calibration["summary"], calibration["snapshot"]
    assert {"hash", "date", "median_2q_error", "median_readout_error", "median_t1_us", "median_t2_us"} <= set(summary)
    assert 0 < summary["median_2q_error"] < 0.1
    assert 0 < summary["median_readout_error"] < 0.2
    assert 10 < summary["median_t1_us"] < 1000 and 1 < summary["median_t2_us"] < 1000
    assert summary["date"].startswith("20")
    assert isinstance(snapshot, bytes)
    assert summary["hash"] == "sha256:" + hashlib.sha256(snapshot).hexdigest()
    assert backend.calibration()["summary"]["hash"] == summary["hash"]


def test_price_models(backend):
    assert backend.price_model().is_free
    hardware = backend.hardware_price_model()
    if backend.kind is BackendKind.EMULATOR:
        assert hardware.provider == "ibm" and hardware.per_second > 0
        assert hardware.source and hardware.date
    else:
        assert hardware is None


def test_parameter_binds_give_one_result_per_value_set(backend):
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    circuit = QuantumCircuit(1, name="rx")
    circuit.rx(theta, 0)
    circuit.measure_all()
    transpiled = transpile_for(circuit, backend).circuit
    (bound_theta,) = transpiled.parameters
    points = [0.0, math.pi, math.pi / 2]
    results = backend.execute([transpiled], shots=500, seed=2, parameter_binds=[{bound_theta: points}])
    assert len(results) == 3
    if backend.kind is BackendKind.SIMULATOR:  # ideal: RX(0) and RX(pi) are exact
        assert results[0].counts == {"0": 500} and results[1].counts == {"1": 500}
    else:
        assert results[0].counts.get("0", 0) > 450 and results[1].counts.get("1", 0) > 450
    assert 150 < results[2].counts.get("1", 0) < 350
