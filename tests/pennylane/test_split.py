"""PennyLane tapes no single measurement basis answers: Hamiltonians and non-commuting observables, split into
qubit-wise-commuting groups (one circuit each), run, and recombined as PennyLane's split_non_commuting does."""

from __future__ import annotations

import numpy as np
import pytest

from qhybrid_lab import run
from qhybrid_lab.circuits import as_circuits
from qhybrid_lab.circuits.pennylane import bind, measurement_specs
from qhybrid_lab.circuits.pennylane_results import measurement_values, sample_from_counts
from qhybrid_lab.errors import UnsupportedObject

SHOTS = 20_000
BACKENDS = ["aer", "pennylane:default.qubit"]  # converted to Qiskit, and natively on a PennyLane device


def energy_qnode():
    """A 2-qubit QNode returning <H> of a 3-term Hamiltonian, var(X1) (which does not commute with Y1) and probs."""
    import pennylane as qml

    hamiltonian = qml.Hamiltonian([0.5, -1.2, 0.3], [qml.PauliZ(0) @ qml.PauliZ(1), qml.PauliX(0), qml.PauliY(1)])

    @qml.qnode(qml.device("default.qubit", wires=2))
    def energy(a, b):
        qml.RX(a, 0)
        qml.RY(b, 1)
        qml.CNOT([0, 1])
        qml.RY(0.4 * b, 0)
        return qml.expval(hamiltonian), qml.var(qml.PauliX(1)), qml.probs(wires=[0])

    return energy, [0.5, 1.2, 0.3]


def random_hamiltonian(rng: np.random.Generator, wires: int, terms: int):
    """A sum of ``terms`` random Pauli words on ``wires`` wires with coefficients in [-1, 1], and the coefficients."""
    import pennylane as qml

    letters = {"X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}
    words, coefficients = [], []
    for _ in range(terms):
        word = [(w, rng.choice(["I", "X", "Y", "Z"])) for w in range(wires)]
        factors = [letters[c](w) for w, c in word if c != "I"] or [qml.PauliZ(0)]
        words.append(qml.prod(*factors) if len(factors) > 1 else factors[0])
        coefficients.append(float(rng.uniform(-1, 1)))
    return qml.Hamiltonian(coefficients, words), coefficients


def bound(coefficients: list[float], shots: int = SHOTS) -> float:
    """An upper bound of the standard error of a sum of ±1 terms' averages (correlated or not): sum |c| / sqrt(shots)."""
    return sum(abs(c) for c in coefficients) / shots**0.5


def test_a_hamiltonian_and_non_commuting_observables_run_split_and_recombined(qhome):
    from qhybrid_lab.runlog import open_runlog

    energy, coefficients = energy_qnode()
    exact_h, exact_var, exact_probs = energy(0.3, 0.7)  # PennyLane, analytic
    pairs = as_circuits(bind(energy, 0.3, 0.7))
    assert [name for name, _ in pairs] == ["energy#0", "energy#1", "energy#2"]  # one circuit per measurement basis
    assert all(measurement_specs(circuit) for _, circuit in pairs)
    group = run(bind(energy, 0.3, 0.7), BACKENDS, shots=SHOTS, seed=5, wait=True)
    values = measurement_values(group, bind(energy, 0.3, 0.7))
    assert list(values) == ["energy"] and sorted(values["energy"]) == sorted(BACKENDS)
    for backend in BACKENDS:
        h, var, probs = values["energy"][backend]
        assert abs(h - exact_h) < 5 * bound(coefficients), (backend, h, float(exact_h))
        assert abs(var - exact_var) < 5 * 2 / SHOTS**0.5, (backend, var, exact_var)  # var = 1 - m², |d var| <= 2 |dm|
        assert np.allclose(probs, exact_probs, atol=5 * 0.5 / SHOTS**0.5) and sum(probs) == pytest.approx(1)
    records = open_runlog(qhome).query(group=group.id, limit=None)
    assert sorted(r["circuit"]["name"] for r in records) == sorted(f"energy#{k}" for k in range(3) for _ in BACKENDS)
    assert {r["status"] for r in records} == {"done"}


def test_random_hamiltonians_match_default_qubit_within_five_standard_errors(qhome):
    import pennylane as qml

    rng = np.random.default_rng(11)
    for trial in range(3):
        hamiltonian, coefficients = random_hamiltonian(rng, wires=3, terms=6)
        angles = rng.uniform(0, np.pi, size=6)

        @qml.qnode(qml.device("default.qubit", wires=3))
        def circuit():
            for w in range(3):
                qml.RY(angles[w], w)
            qml.CNOT([0, 1])
            qml.CNOT([1, 2])
            for w in range(3):
                qml.RX(angles[3 + w], w)
            return qml.expval(hamiltonian)

        exact = float(circuit())
        group = run(circuit, "aer", shots=SHOTS, seed=trial, wait=True)
        (value,) = measurement_values(group, circuit)["circuit"]["aer"]
        assert abs(value - exact) < 5 * bound(coefficients), (trial, str(hamiltonian), value, exact)


def test_a_broadcast_hamiltonian_is_one_sweep_per_group_recombined_per_point(qhome):
    energy, coefficients = energy_qnode()
    points = np.array([0.1, 0.9, 2.0])
    exact_h, exact_var, _ = energy(points, 0.7)
    pairs = as_circuits(bind(energy, points, 0.7))
    assert [name for name, _ in pairs] == ["energy#0", "energy#1", "energy#2"]
    assert all(len(sweep) == 3 for _, sweep in pairs)  # each group is one 3-point sweep
    group = run(bind(energy, points, 0.7), "aer", shots=SHOTS, seed=2, wait=True)
    values = measurement_values(group, bind(energy, points, 0.7))
    assert list(values) == ["energy[0]", "energy[1]", "energy[2]"]
    for i, label in enumerate(values):
        h, var, _ = values[label]["aer"]
        assert abs(h - exact_h[i]) < 5 * bound(coefficients), (label, h, exact_h[i])
        assert abs(var - exact_var[i]) < 5 * 2 / SHOTS**0.5


def test_counts_and_samples_come_back_with_every_shot(qhome):
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=2))
    def bell():
        qml.Hadamard(0)
        qml.CNOT([0, 1])
        return qml.sample(wires=[0, 1]), qml.sample(qml.PauliZ(1)), qml.counts(wires=[0, 1])

    group = run(bell, ["aer", "pennylane:default.qubit"], shots=1000, seed=1, wait=True)
    for backend, (bits, signs, counts) in measurement_values(group, bell)["bell"].items():
        assert len(bits) == len(signs) == 1000 == sum(counts.values()), backend
        assert {tuple(b) for b in bits} == {(0, 0), (1, 1)} and set(signs) == {1.0, -1.0}
        assert bits.count([1, 1]) == counts["11"] == signs.count(-1.0)  # the same shots, read three ways
    spec = {"type": "sample", "qubits": [1], "eigvals": [1.0, -1.0]}
    assert sample_from_counts({"10": 2, "00": 1}, spec) == [1.0, -1.0, -1.0]


def test_what_pennylane_cannot_split_is_refused_with_the_reason():
    import pennylane as qml

    tape = qml.tape.QuantumScript([qml.Hadamard(0)], [qml.var(qml.PauliX(0) + qml.PauliZ(0))])
    with pytest.raises(UnsupportedObject, match=r"measures a sum of terms.*cannot split it"):
        as_circuits(tape)
