"""PennyLane tapes no single measurement basis answers: Hamiltonians and non-commuting observables, split into
qubit-wise-commuting groups (one circuit each), run, and recombined as PennyLane's split_non_commuting does."""

from __future__ import annotations

import numpy as np
import pytest

from qhybrid_lab import run
from qhybrid_lab.circuits import as_circuits
from qhybrid_lab.circuits.pennylane import bind, measurement_specs
from qhybrid_lab.circuits.pennylane_results import (
    errors_from_counts,
    measurement_errors,
    measurement_values,
    sample_from_counts,
)
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


def correlated_energy():
    """<H> of H = 0.5 Z0Z1 - 1.2 X0 + 0.3 Y1 (groups {Z0Z1, probs(0)} and {X0, Y1}: X0 and Y1 are measured on the same
    shots and correlated in this state), and probs(0); with PennyLane's analytic variances of each group's sum."""
    import pennylane as qml

    terms = [qml.PauliZ(0) @ qml.PauliZ(1), qml.PauliX(0), qml.PauliY(1)]
    hamiltonian = qml.Hamiltonian([0.5, -1.2, 0.3], terms)

    def state():
        qml.RX(0.3, 0)
        qml.RY(0.7, 1)
        qml.CNOT([0, 1])
        qml.RY(0.28, 0)

    @qml.qnode(qml.device("default.qubit", wires=2))
    def energy():
        state()
        return qml.expval(hamiltonian), qml.probs(wires=[0])

    @qml.qnode(qml.device("default.qubit", wires=2))
    def variance(observable):
        state()
        return qml.var(observable)

    return energy, hamiltonian, variance


def test_standard_errors_of_a_split_hamiltonian_count_the_covariance_of_terms_on_the_same_shots(qhome):
    import pennylane as qml

    energy, _, variance = correlated_energy()
    exact_h, exact_probs = energy()
    # Each group is an independent run; within the {X0, Y1} group the two terms share shots
    var_zz = float(variance(qml.PauliZ(0) @ qml.PauliZ(1)))
    var_xy = float(variance(-1.2 * qml.PauliX(0) + 0.3 * qml.PauliY(1)))
    independent = 1.44 * float(variance(qml.PauliX(0))) + 0.09 * float(variance(qml.PauliY(1)))
    assert abs(var_xy - independent) > 0.05 * var_xy  # in this state the covariance matters (by about 10 %)
    exact_se = ((0.25 * var_zz + var_xy) / SHOTS) ** 0.5

    group = run(energy, BACKENDS, shots=SHOTS, seed=3, wait=True)
    values, errors = measurement_values(group, energy), measurement_errors(group, energy)
    assert list(errors) == ["energy"] and sorted(errors["energy"]) == sorted(BACKENDS)
    for backend in BACKENDS:
        (h, probs), (h_error, probs_errors) = values["energy"][backend], errors["energy"][backend]
        # Then the standard error of <H> is the shot noise of its estimate: within 3 % of PennyLane's analytic one
        assert h_error == pytest.approx(exact_se, rel=0.03), (backend, h_error, exact_se)
        assert abs(h - float(exact_h)) < 5 * h_error, (backend, h, float(exact_h), h_error)
        # And probs come with their binomial errors, entry by entry
        binomial = [(p * (1 - p) / SHOTS) ** 0.5 for p in exact_probs]
        assert probs_errors == pytest.approx(binomial, rel=0.05), (backend, probs_errors, binomial)
        assert np.all(np.abs(np.asarray(probs) - exact_probs) < 5 * np.asarray(probs_errors))


def test_errors_of_expval_var_probs_and_shots_from_counts():
    # A +-1 observable with mean m: SE(<O>) = sqrt((1 - m^2) / N), and SE(var) = 2 |m| SE(<O>) (delta method)
    counts = {"00": 700, "01": 100, "10": 50, "11": 150}  # qubit 0 is the right-hand bit
    z0 = {"qubits": [0], "eigvals": [1.0, -1.0]}
    specs = [
        {"type": "expval", **z0},
        {"type": "var", **z0},
        {"type": "probs", "qubits": [1, 0], "eigvals": None},
        {"type": "counts", "qubits": [0], "eigvals": None},
        {"type": "sample", "qubits": [0], "eigvals": None},
    ]
    expval_error, var_error, probs_errors, counts_error, sample_error = errors_from_counts(counts, specs)
    m = (750 - 250) / 1000
    assert expval_error == pytest.approx(((1 - m**2) / 1000) ** 0.5)
    assert var_error == pytest.approx(2 * abs(m) * expval_error)
    assert probs_errors == pytest.approx([(p * (1 - p) / 1000) ** 0.5 for p in (0.7, 0.1, 0.05, 0.15)])
    assert counts_error is None and sample_error is None
    # And a measurement without eigenvalues has no mean to give an error of
    with pytest.raises(Exception, match="no observable eigenvalues"):
        errors_from_counts(counts, [{"type": "expval", "qubits": [0], "eigvals": None}])


def test_a_broadcast_hamiltonian_has_an_error_per_point(qhome):
    energy, coefficients = energy_qnode()
    points = np.array([0.1, 0.9, 2.0])
    group = run(bind(energy, points, 0.7), "aer", shots=SHOTS, seed=4, wait=True)
    errors = measurement_errors(group, bind(energy, points, 0.7))
    assert list(errors) == ["energy[0]", "energy[1]", "energy[2]"]
    for label, by_backend in errors.items():
        h_error, var_error, probs_errors = by_backend["aer"]
        assert 0 < h_error <= bound(coefficients), (label, h_error)
        assert 0 <= var_error <= 2 / SHOTS**0.5 and len(probs_errors) == 2


def test_a_split_hamiltonian_on_an_emulator_matches_plain_aer_with_the_device_noise_model(qhome):
    """The emulator's <H> (each group transpiled and run with fake_manila's noise) against Qiskit's BackendEstimatorV2
    on AerSimulator.from_backend, term by term on the physical qubits each group's job ran on."""
    import pennylane as qml
    from qiskit import QuantumCircuit
    from qiskit.primitives import BackendEstimatorV2
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qhybrid_lab.circuits.pennylane import measurement_plan
    from qhybrid_lab.runlog import open_runlog

    energy, hamiltonian, _ = correlated_energy()
    exact_h = float(energy()[0])
    group = run(energy, "fake_manila", shots=SHOTS, seed=8, wait=True)
    (h, _), (h_error, _) = (
        measurement_values(group, energy)["energy"]["fake_manila"],
        measurement_errors(group, energy)["energy"]["fake_manila"],
    )

    # The same state as a Qiskit circuit (PennyLane wire i is qubit i), and which job measured each term
    state = QuantumCircuit(2)
    state.rx(0.3, 0)
    state.ry(0.7, 1)
    state.cx(0, 1)
    state.ry(0.28, 0)
    specs = measurement_plan(energy, None).specs
    layouts = {
        r["circuit"]["name"]: r["transpile"]["physical_qubits"] for r in open_runlog(qhome).query(group=group.id)
    }
    plain = AerSimulator.from_backend(FakeManilaV2())
    estimator = BackendEstimatorV2(backend=plain, options={"default_precision": SHOTS**-0.5, "seed_simulator": 9})
    reference, variance = 0.0, 0.0
    for coefficient, term in zip(*hamiltonian.terms()):
        label = next(
            name for name, group_specs in specs.items() if any(s["observable"] == str(term) for s in group_specs)
        )
        word = qml.pauli.pauli_word_to_string(term, wire_map={0: 0, 1: 1})[::-1]  # Qiskit: qubit 0 on the right
        isa = generate_preset_pass_manager(1, backend=plain, initial_layout=layouts[label], seed_transpiler=1).run(
            state
        )
        pub = estimator.run([(isa, SparsePauliOp(word).apply_layout(isa.layout))]).result()[0]
        reference += float(coefficient) * float(pub.data.evs)
        variance += (float(coefficient) * float(pub.data.stds)) ** 2
    assert abs(h - reference) <= 5 * (h_error**2 + variance) ** 0.5, (h, reference, h_error, variance**0.5)
    assert abs(h - exact_h) > 0  # the noisy device, not an ideal simulation


def test_the_record_keeps_each_circuits_observables_as_pauli_terms_and_their_values_with_errors(qhome):
    import pennylane as qml

    from qhybrid_lab.runlog import open_runlog

    # Given a QNode whose Hamiltonian needs two measurement bases, and a broadcast over three angles
    energy, _ = energy_qnode()
    dev = qml.device("default.qubit", wires=2)

    @qml.qnode(dev)
    def tilt(theta):
        qml.RY(theta, 0)
        qml.CNOT([0, 1])
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1)), qml.expval(0.5 * qml.PauliZ(1))

    angles = np.array([0.3, 1.1, 2.0])
    for backend in BACKENDS:
        group = run([bind(energy, 0.3, 0.7), bind(tilt, angles)], backend, shots=SHOTS, seed=11)
        group.wait(300)
        records = {r["circuit"]["name"]: r for r in (open_runlog().get(job.id) for job in group.jobs)}
        # Then every circuit's record names the expvals it measured, as Pauli strings with coefficients (Qiskit's
        # order, qubit 0 rightmost), and keeps their values ± shot noise beside the counts: a split Hamiltonian's
        # parts each measure their terms (the coefficients weigh them when PennyLane's recombination adds them up)
        parts = sorted(name for name in records if name.startswith("energy#"))
        assert len(parts) >= 2, records.keys()
        measured = [t for name in parts for o in records[name]["observables"] or [] for t in o["terms"]]
        assert sorted(measured) == [["IX", 1.0], ["YI", 1.0], ["ZZ", 1.0]], backend
        for name in parts:
            record = records[name]
            if record["observables"] is None:
                continue
            assert all(o["measurement"] == "expval" for o in record["observables"])
            result = record["result"]
            assert result["ev_method"] == "shots"
            assert len(result["expectation_values"]) == len(result["standard_errors"]) == len(record["observables"])
            assert all(0 < e < 0.02 for e in result["standard_errors"])
        # And a broadcast keeps one value per point and observable, within 5 standard errors of default.qubit's
        sweep = records["tilt"]
        assert [o["terms"] for o in sweep["observables"]] == [[["ZZ", 1.0]], [["ZI", 0.5]]]
        values, errors = sweep["result"]["expectation_values"], sweep["result"]["standard_errors"]
        exact = [[float(v) for v in tilt(theta)] for theta in angles]
        assert np.shape(values) == np.shape(errors) == (3, 2)
        for got, err, want in zip(values, errors, exact):
            assert np.all(np.abs(np.subtract(got, want)) <= 5 * np.maximum(err, 1e-3)), (backend, got, want)
