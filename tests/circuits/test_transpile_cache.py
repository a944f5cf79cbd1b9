"""Transpiling for a backend target, once per content (or structure, for freshly bound loops) and options."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from qhybrid_lab.backends import Backend, get_backend
from qhybrid_lab.circuits import clear_transpile_cache, transpile_cache_info, transpile_for
from qhybrid_lab.errors import InvalidJobSpec


def ghz(n, name="ghz"):
    qc = QuantumCircuit(n, name=name)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qc


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_transpile_cache()
    yield
    clear_transpile_cache()


def test_resubmitting_an_equal_circuit_does_not_transpile_again():
    first = transpile_for(ghz(3), "fake_sherbrooke")
    again = transpile_for(ghz(3, name="same content"), "fake_sherbrooke")
    assert transpile_cache_info() == {"hits": 1, "misses": 1, "size": 1}
    assert not first.cached and again.cached
    assert again.circuit.name == "same content"
    assert again.physical_qubits == first.physical_qubits and len(first.physical_qubits) == 3
    assert again.metrics == first.metrics


@pytest.mark.parametrize("change", [{"seed": 99}, {"optimization_level": 1}, {"backend": "fake_manila"}])
def test_different_options_are_different_entries(change):
    transpile_for(ghz(3), "fake_sherbrooke")
    options = {"seed": None, "optimization_level": 2} | {k: v for k, v in change.items() if k != "backend"}
    outcome = transpile_for(ghz(3), change.get("backend", "fake_sherbrooke"), **options)
    assert not outcome.cached
    assert transpile_cache_info()["misses"] == 2


def test_transpiled_for_the_device_target():
    backend = get_backend("fake_sherbrooke")
    outcome = transpile_for(ghz(4), backend)
    assert outcome.circuit.num_qubits == 127
    assert set(outcome.circuit.count_ops()) <= set(backend.target().operation_names) | {"barrier"}
    assert outcome.metrics["two_qubit"] >= 3  # ecr gates, plus any routing
    assert outcome.settings == {
        "optimization_level": 2, "layout_method": None, "routing_method": None, "seed": 1234,
        "qiskit_version": outcome.settings["qiskit_version"],
    }
    record = outcome.as_record()
    assert record["cached"] is False and record["physical_qubits"] == outcome.physical_qubits
    assert {"depth", "size", "two_qubit", "ops", "seconds"} <= set(record)


def test_default_seed_gives_reproducible_layouts():
    first = transpile_for(ghz(6), "fake_torino").physical_qubits
    clear_transpile_cache()
    assert transpile_for(ghz(6), "fake_torino").physical_qubits == first


@pytest.mark.parametrize(("options", "fragment"), [({"optimization_level": 4}, "optimization_level"),
                                                   ({"optimization_level": True}, "optimization_level"),
                                                   ({"seed": 1.5}, "seed")])
def test_bad_options_are_refused(options, fragment):
    with pytest.raises(InvalidJobSpec, match=fragment):
        transpile_for(ghz(2), "aer", **options)


# -- reuse by structure: a loop binding new angles each iteration ---------------------------------------------------

def ansatz(angles, n=4, name="ansatz"):
    """RY layers with a CX ladder between them, bound to ``angles`` (``n`` per layer), measured."""
    qc = QuantumCircuit(n, name=name)
    for start in range(0, len(angles), n):
        for q, angle in enumerate(angles[start:start + n]):
            qc.ry(float(angle), q)
        if start + n < len(angles):
            for q in range(n - 1):
                qc.cx(q, q + 1)
    qc.rz(float(angles[0]) / 3, 0)
    qc.measure_all()
    return qc


def exact_distribution(circuit: QuantumCircuit) -> np.ndarray:
    """Exact probabilities of the circuit's classical bits (clbit 0 least significant), final measurements only."""
    from qhybrid_lab.backends.trimming import active_qubits, remap_to_qubits

    measured = {}
    unitary = circuit.copy_empty_like()
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            measured[circuit.find_bit(instruction.clbits[0]).index] = circuit.find_bit(instruction.qubits[0]).index
        else:
            unitary._append(instruction)
    qubits = sorted(set(active_qubits(unitary)) | set(measured.values()))
    small = remap_to_qubits(unitary, qubits)
    position = {q: i for i, q in enumerate(qubits)}
    order = [position[measured[c]] for c in range(circuit.num_clbits)]
    return Statevector(small).probabilities(order)


def test_a_loop_of_freshly_bound_circuits_transpiles_one_template():
    rng = np.random.default_rng(3)
    angles = [rng.uniform(-np.pi, np.pi, 8) for _ in range(20)]
    outcomes = [transpile_for(ansatz(a), "fake_manila") for a in angles]
    # Given the first circuit transpiled as it is and the second (other angles) making the symbolic template,
    # then every later iteration only binds its angles: 2 transpilations for 20 iterations.
    assert transpile_cache_info() == {"hits": 18, "misses": 2, "size": 2}
    assert [o.reuse for o in outcomes[:3]] == [None, None, "structure"] and outcomes[2].cached
    assert all(o.reuse == "structure" and not o.circuit.parameters for o in outcomes[2:])
    assert outcomes[5].as_record()["reuse"] == "structure"
    assert transpile_for(ansatz(angles[0]), "fake_manila").reuse == "exact"  # the same angles again
    assert transpile_for(ansatz(angles[0], n=3), "fake_manila").reuse is None  # another structure


def test_structure_reuse_gives_the_counts_of_plain_qiskit_on_fixed_seeds():
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    simulator = AerSimulator()
    rng = np.random.default_rng(5)
    for index in range(6):
        circuit = ansatz(rng.uniform(-np.pi, np.pi, 8))
        ours = transpile_for(circuit, "aer").circuit
        plain = transpile(circuit, simulator, optimization_level=2, seed_transpiler=1234)
        counts = [simulator.run(c, shots=2000, seed_simulator=17 + index).result().get_counts() for c in (ours, plain)]
        assert counts[0] == counts[1]
    assert transpile_cache_info()["hits"] == 4


@pytest.mark.parametrize("backend", ["aer", "fake_manila", "fake_sherbrooke"])
def test_structure_reuse_keeps_exact_distributions(backend):
    rng = np.random.default_rng(11)
    for _ in range(5):
        circuit = ansatz(rng.uniform(-np.pi, np.pi, 8))
        outcome = transpile_for(circuit, backend)
        expected = exact_distribution(circuit)
        assert np.allclose(exact_distribution(outcome.circuit), expected, atol=1e-9)
        clear_transpile_cache()  # plain path: this circuit transpiled by itself
        assert np.allclose(exact_distribution(transpile_for(circuit, backend).circuit), expected, atol=1e-9)
        transpile_for(ansatz(rng.uniform(-np.pi, np.pi, 8)), backend)  # so the next one reuses a template
        if backend == "fake_manila":
            assert not outcome.circuit.parameters and set(outcome.circuit.count_ops()) <= {
                "rz", "sx", "x", "cx", "measure", "barrier"}
    assert outcome.reuse == "structure"


def test_circuits_that_cannot_be_reduced_use_the_exact_cache():
    from qiskit.circuit import Parameter

    def feedback(angle):  # control flow: not reduced to a structure
        qc = QuantumCircuit(1, 1)
        qc.ry(angle, 0)
        qc.measure(0, 0)
        with qc.if_test((qc.clbits[0], 1)):
            qc.x(0)
        return qc

    outcomes = [transpile_for(feedback(a), "aer") for a in (0.1, 0.2, 0.3, 0.1)]
    assert [o.reuse for o in outcomes] == [None, None, None, "exact"]
    theta = Parameter("theta")  # free parameters (a sweep's template): cached by content, left symbolic
    template = QuantumCircuit(1)
    template.ry(theta, 0)
    template.measure_all()
    first, again = transpile_for(template, "aer"), transpile_for(template.copy(), "aer")
    assert (first.reuse, again.reuse) == (None, "exact") and set(again.circuit.parameters) == {theta}
    assert transpile_cache_info()["misses"] == 4


class AngleBoundedSimulator(Backend):
    """A simulator whose target accepts RZZ only for angles in [0, π/2] (like fractional gates on Heron)."""

    name = "angle-bounded"

    def _build_target(self):
        from qiskit.circuit import Measure, Parameter
        from qiskit.circuit.library import CXGate, RZGate, RZZGate, SXGate, XGate
        from qiskit.transpiler import Target

        target = Target(num_qubits=3)
        theta = Parameter("theta")
        for gate in (RZGate(theta), SXGate(), XGate(), Measure()):
            target.add_instruction(gate, {(q,): None for q in range(3)})
        target.add_instruction(CXGate(), {pair: None for pair in ((0, 1), (1, 0), (1, 2), (2, 1))})
        target.add_instruction(RZZGate(theta), {pair: None for pair in ((0, 1), (1, 2))},
                               angle_bounds=[(0.0, np.pi / 2)])
        return target

    def execute(self, circuits, *, shots, seed, parameter_binds=None):
        from qiskit_aer import AerSimulator

        from qhybrid_lab.backends import ExecutionResult

        result = AerSimulator().run(circuits, shots=shots, seed_simulator=seed).result()
        return [ExecutionResult(counts=dict(result.get_counts(i)), shots=shots, seconds=0.0,
                                metadata={"method": "automatic", "qubits_simulated": c.num_qubits, "noise": "none"})
                for i, c in enumerate(circuits)]


def test_targets_with_angle_bounds_transpile_each_circuit_with_its_angles():
    backend = AngleBoundedSimulator()
    outcomes = []
    for angle in (0.3, 2.5, -1.0):
        qc = QuantumCircuit(2)
        qc.rzz(angle, 0, 1)
        qc.measure_all()
        outcomes.append(transpile_for(qc, backend))
        assert np.allclose(exact_distribution(outcomes[-1].circuit), exact_distribution(qc), atol=1e-9)
    assert [o.reuse for o in outcomes] == [None, None, None]
    (result,) = backend.execute([outcomes[0].circuit], shots=100, seed=1)
    assert sum(result.counts.values()) == 100 and set(result.counts) == {"00"}  # RZZ alone leaves |00>


def library_ansatz(kind: str):
    """A QAOAAnsatz (one "QAOA" gate of PauliEvolutionGates) or an n_local circuit (RY layers and CZ rings)."""
    from qiskit.circuit.library import QAOAAnsatz, n_local
    from qiskit.quantum_info import SparsePauliOp

    if kind == "QAOA":
        ansatz = QAOAAnsatz(SparsePauliOp(["ZZII", "IZZI", "IIZZ", "ZIIZ"]), reps=2)
    else:
        ansatz = n_local(4, "ry", "cz", entanglement="circular", reps=3)
        ansatz.name = kind
    ansatz.measure_all()
    return ansatz


@pytest.mark.parametrize("kind", ["QAOA", "nlocal"])
def test_a_library_ansatz_optimizer_loop_through_run_reuses_its_transpiled_template(capsys, kind):
    from qhybrid_lab.jobs import JobManager, run

    # Given a library ansatz bound anew in each of 50 iterations
    ansatz = library_ansatz(kind)
    rng = np.random.default_rng(8)
    reuse, names = [], set()
    try:
        for iteration in range(50):
            bound = ansatz.assign_parameters(rng.uniform(-np.pi, np.pi, ansatz.num_parameters))
            job = run(bound, "aer", shots=128).jobs[0]  # no seed: a seed is also the transpiler seed (a key)
            job.result(timeout=120)
            reuse.append(job.record["transpile"]["reuse"])
            names.add(job.record["circuit"]["name"])
    finally:
        JobManager.shutdown()
    # Then the first iteration is transpiled as it is, the second makes the template, the other 48 bind into it
    hits = sum(r == "structure" for r in reuse)
    with capsys.disabled():
        print(f"\n[structure reuse] 50-iteration {kind} loop through run() on aer: {hits}/50 iterations reused "
              f"the transpiled template ({hits / 50:.0%}); transpile cache {transpile_cache_info()}")
    assert reuse[:2] == [None, None] and hits == 48
    assert names == {kind}  # the name the user knows, not Qiskit's "QAOA-<n>" of each bound copy


def test_the_deprecated_blueprint_ansatz_loop_reuses_its_template_on_an_emulator():
    from qiskit.circuit.library import RealAmplitudes

    with pytest.warns(DeprecationWarning):
        ansatz = RealAmplitudes(4, reps=2)  # one "RealAmplitudes" gate wrapping the layers
    ansatz.measure_all()
    rng = np.random.default_rng(2)
    outcomes = [transpile_for(ansatz.assign_parameters(rng.uniform(-3, 3, ansatz.num_parameters)), "fake_manila")
                for _ in range(6)]
    assert [o.reuse for o in outcomes] == [None, None] + ["structure"] * 4
