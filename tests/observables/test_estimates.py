"""Expectation values from run(): within 5 standard errors of StatevectorEstimator, on sweeps, and on an emulator
against Qiskit's own BackendEstimatorV2 on AerSimulator.from_backend (the same device noise model)."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import PrimitiveResult, SamplerPubResult, StatevectorEstimator
from qiskit.quantum_info import SparsePauliOp

import qhybrid_lab
from qhybrid_lab.errors import InvalidJobSpec, InvalidObservable

TIMEOUT = 600


def random_op(rng: np.random.Generator, num_qubits: int, terms: int) -> SparsePauliOp:
    labels = ["".join(rng.choice(list("IXYZ"), num_qubits)) for _ in range(terms)]
    return SparsePauliOp(labels, rng.normal(size=terms)).simplify()


def random_state(num_qubits: int, seed: int) -> QuantumCircuit:
    ansatz = efficient_su2(num_qubits, reps=2)
    rng = np.random.default_rng(seed)
    return ansatz.assign_parameters(rng.uniform(-np.pi, np.pi, ansatz.num_parameters))


def within(evs, stds, exact, k: float = 5.0) -> None:
    evs, stds, exact = np.asarray(evs), np.asarray(stds), np.asarray(exact)
    assert np.all(stds > 0), stds
    assert np.all(np.abs(evs - exact) <= k * stds + 1e-9), (evs, exact, stds)


def test_random_sparse_pauli_ops_match_statevector_estimator():
    rng = np.random.default_rng(8)
    qc = random_state(3, seed=1)
    ops = [random_op(rng, 3, terms) for terms in (1, 4, 9)] + ["XYZ", "IIZ"]
    group = qhybrid_lab.run(qc, "aer", observables=ops, shots=4000, seed=11)
    exact = StatevectorEstimator().run([(qc, [SparsePauliOp(o) if isinstance(o, str) else o for o in ops])])
    within(group.expectation_values(timeout=TIMEOUT), group.standard_errors(), exact.result()[0].data.evs)
    record = group[0].record
    assert record["result"]["ev_method"] == "shots"
    assert [o["terms"] for o in record["observables"]][3] == [["XYZ", 1.0]]
    bases = [b["basis"] for b in record["transpile"]["basis_circuits"]]
    assert set(record["result"]["basis_counts"]) == set(bases)
    assert all(sum(c.values()) == 4000 for c in record["result"]["basis_counts"].values())
    assert sum(record["result"]["counts"].values()) == 4000  # the computational-basis counts keep their meaning


def test_every_basis_reuses_the_one_transpiled_circuit_from_the_cache():
    from qhybrid_lab.circuits import clear_transpile_cache, transpile_cache_info

    qc = random_state(2, seed=2)
    clear_transpile_cache()
    first = qhybrid_lab.run(qc, "fake_manila", observables=["XX", "YY", "ZZ"], shots=100, seed=3)
    first.wait(TIMEOUT)
    assert transpile_cache_info()["misses"] == 1  # three bases, one transpilation: the bases are appended to it
    again = qhybrid_lab.run(qc, "fake_manila", observables=["XX", "YY", "ZZ", "XY"], shots=100, seed=3)
    again.wait(TIMEOUT)
    record = again[0].record
    assert record["transpile"]["cached"] is True  # new observables, same circuit: nothing transpiled again
    assert [b["basis"] for b in record["transpile"]["basis_circuits"]] == ["XX", "XY", "YY", "ZZ"]
    assert record["simulation"]["physical_qubits"] == record["transpile"]["physical_qubits"]


def test_sweep_gives_one_value_per_point_and_observable():
    theta, phi = Parameter("theta"), Parameter("phi")
    qc = QuantumCircuit(2)
    qc.ry(theta, 0); qc.cx(0, 1); qc.rx(phi, 1)
    points = [[0.1, 0.0], [1.2, 0.5], [2.5, -1.0], [3.0, 2.0]]
    obs = [SparsePauliOp(["ZZ", "XX"], [1.0, 0.5]), SparsePauliOp("YI"), SparsePauliOp("IZ")]
    group = qhybrid_lab.run(qc, "aer", observables=obs, parameter_values=points, shots=3000, seed=5)
    evs, stds = group.expectation_values(timeout=TIMEOUT), group.standard_errors()
    assert np.shape(evs) == (4, 3)
    reference = StatevectorEstimator().run([(qc.assign_parameters(p), obs) for p in points]).result()
    for point, pub in enumerate(reference):
        for k in range(3):
            if stds[point][k] == 0.0:  # every shot gave the same value: an eigenstate, so the estimate is exact
                assert evs[point][k] == pytest.approx(pub.data.evs[k], abs=1e-9)
            else:
                within([evs[point][k]], [stds[point][k]], [pub.data.evs[k]])
    assert sum(1 for row in stds for s in row if s > 0) >= 8  # most of them carry shot noise


def test_estimator_pubs_and_exact_values():
    theta = Parameter("theta")
    qc = QuantumCircuit(2)
    qc.h(0); qc.cx(0, 1); qc.ry(theta, 1)
    group = qhybrid_lab.run([(qc, ["ZZ", "XX"], [[0.3], [1.1]]), (qc.assign_parameters([0.7]), "YY")], "aer",
                            exact=True)
    (sweep, single) = [job.expectation_values(timeout=TIMEOUT) for job in group]
    reference = [StatevectorEstimator().run([(qc.assign_parameters(p), ["ZZ", "XX"])]).result()[0].data.evs
                 for p in ([0.3], [1.1])]
    assert np.allclose(sweep, reference, atol=1e-12)
    assert group[0].record["parameters"]["values"] == [[0.3], [1.1]]
    assert group[1].record["result"]["ev_method"] == "exact"
    assert group[1].standard_errors() == [0.0]
    assert single[0] == pytest.approx(StatevectorEstimator().run(
        [(qc.assign_parameters([0.7]), "YY")]).result()[0].data.evs, abs=1e-12)


def test_estimator_pubs_with_shot_noise_match_statevector_estimator_on_the_same_pubs():
    # Given PUBs as a Qiskit user writes them for EstimatorV2: a parameterized circuit with observables and points,
    # and a bound circuit with one observable (random states, so every value carries shot noise)
    rng = np.random.default_rng(5)
    ansatz = efficient_su2(3, reps=1)
    points = rng.uniform(-np.pi, np.pi, size=(3, ansatz.num_parameters))
    ops = [random_op(rng, 3, 5), SparsePauliOp("XYZ")]
    bound = random_state(3, seed=9)
    pubs = [(ansatz, ops, points), (bound, random_op(rng, 3, 3))]
    # When run() takes them with shots, and Qiskit's StatevectorEstimator the very same PUBs
    group = qhybrid_lab.run(pubs, "aer", shots=4000, seed=13)
    sweep, single = (np.asarray(job.expectation_values(timeout=TIMEOUT)) for job in group)
    sweep_stds, single_stds = (np.asarray(job.standard_errors()) for job in group)
    exact = StatevectorEstimator().run([(ansatz, [[o] for o in ops], points), pubs[1]]).result()
    # Then each value is within 5 of its standard errors of the exact one, point by point
    assert sweep.shape == (3, 2) and np.shape(single) in {(), (1,)}
    within(sweep, sweep_stds, np.asarray(exact[0].data.evs).T)  # Qiskit broadcasts (2, 1) observables x 3 points
    within(np.atleast_1d(single), np.atleast_1d(single_stds), np.atleast_1d(exact[1].data.evs))
    assert group[0].record["result"]["ev_method"] == "shots"


def test_primitive_style_view_and_one_job_shortcuts():
    bell = QuantumCircuit(2)
    bell.h(0); bell.cx(0, 1)
    group = qhybrid_lab.run(bell, "aer", observables=["ZZ", "XX", "ZI"], shots=500, seed=1)
    counts = group.counts(timeout=TIMEOUT)
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 500
    assert group[0].result() == counts
    results = group.pub_results()
    assert isinstance(results, PrimitiveResult) and isinstance(results[0], SamplerPubResult)
    data = results[0].data
    assert data.meas.get_counts() == counts
    assert list(data.evs[:2]) == [1.0, 1.0] and list(data.stds[:2]) == [0.0, 0.0]
    assert results[0].metadata["ev_method"] == "shots"
    two = qhybrid_lab.run(bell, ["aer", "aer:statevector"], shots=10)
    with pytest.raises(InvalidJobSpec, match="2 jobs"):
        two.counts(timeout=TIMEOUT)
    with pytest.raises(InvalidJobSpec, match="without observables"):
        two[0].expectation_values()


def test_bad_observables_are_refused_before_anything_is_recorded():
    qc = QuantumCircuit(2)
    qc.h(0)
    for bad in ("ZX?", "ZZZ", SparsePauliOp(["XY"], [2j])):
        with pytest.raises(InvalidObservable):
            qhybrid_lab.run(qc, "aer", observables=bad)
    with pytest.raises(InvalidJobSpec, match="ideal simulator"):
        qhybrid_lab.run(qc, "fake_manila", observables="ZZ", exact=True)
    from qhybrid_lab.jobs import JobManager

    assert JobManager.instance().log.count() == 0


def test_emulator_matches_backend_estimator_on_the_device_noise_model():
    from qiskit.primitives import BackendEstimatorV2
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer import AerSimulator
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    qc = random_state(3, seed=4)
    ops = [SparsePauliOp(["ZZI", "IZZ", "XXI"], [1.0, 0.5, -0.7]), SparsePauliOp("YIY"), SparsePauliOp("IZI")]
    group = qhybrid_lab.run(qc, "fake_manila", observables=ops, shots=4000, seed=21)
    evs, stds = np.asarray(group.expectation_values(timeout=TIMEOUT)), np.asarray(group.standard_errors())
    layout = group[0].record["transpile"]["physical_qubits"]
    plain = AerSimulator.from_backend(FakeManilaV2())
    isa = generate_preset_pass_manager(2, backend=plain, initial_layout=layout, seed_transpiler=1).run(qc)
    estimator = BackendEstimatorV2(backend=plain, options={"default_precision": 4000 ** -0.5, "seed_simulator": 9})
    pub = estimator.run([(isa, [op.apply_layout(isa.layout) for op in ops])]).result()[0]
    combined = np.sqrt(stds**2 + np.asarray(pub.data.stds) ** 2)
    assert np.all(np.abs(evs - pub.data.evs) <= 5 * combined), (evs, pub.data.evs, combined)
    ideal = StatevectorEstimator().run([(qc, ops)]).result()[0].data.evs
    assert np.max(np.abs(evs - ideal)) > 0  # it is the noisy device, not an ideal simulation
