"""Simulation methods: Aer accepts the widths its methods handle; emulators pick by width, depth and entanglement."""

from __future__ import annotations

import numpy as np
import pytest
from backend_helpers import ghz
from qiskit import QuantumCircuit

from qhybrid_lab.backends import get_backend
from qhybrid_lab.backends.methods import (MPS_MAX_QUBITS, choose_method, density_matrix_max_qubits,
                                          entanglement_bound, statevector_max_qubits)
from qhybrid_lab.errors import CircuitTooWide
from qhybrid_lab.jobs import JobManager, run


@pytest.fixture(scope="module", autouse=True)
def engine():
    get_backend("fake_sherbrooke").target()  # built before the engine thread imports (see test_library_sweep)
    yield
    JobManager.shutdown()


def all_to_all(n: int, layers: int, name: str = "entangled") -> QuantumCircuit:
    """Random rotations and CX between every pair, ``layers`` times: entangled across every cut."""
    rng = np.random.default_rng(3)
    qc = QuantumCircuit(n, name=name)
    for _ in range(layers):
        for q in range(n):
            qc.ry(rng.uniform(0, 3), q)
        for a in range(n):
            for b in range(a + 1, n):
                qc.cx(a, b)
    qc.measure_all()
    return qc


def test_the_entanglement_bound_counts_gates_across_each_cut():
    assert entanglement_bound(ghz(10)) == 1  # a chain: one CX across each cut
    assert entanglement_bound(all_to_all(8, 1)) == 4  # capped by the smaller side of the middle cut
    swaps = QuantumCircuit(4)
    swaps.swap(0, 3)  # crosses every cut, two ebits each (capped by the sides)
    assert entanglement_bound(swaps) == 2
    assert entanglement_bound(QuantumCircuit(1)) == 0


def test_wide_low_entanglement_picks_mps_and_entangled_or_narrow_ones_do_not():
    wide = choose_method(ghz(40), noisy=True, shots=1000)
    assert wide.method == "matrix_product_state"
    assert "40 qubits" in wide.reason and "entanglement bound 1 ebit" in wide.reason
    entangled = choose_method(all_to_all(16, 3), noisy=True, shots=1000)  # as wide, but entangled: statevector
    assert entangled.method == "statevector" and "entanglement bound 8 ebits" in entangled.reason
    narrow = choose_method(all_to_all(8, 10), noisy=True, shots=1000)  # narrow and deep: not MPS
    assert narrow.method in ("density_matrix", "statevector") and narrow.method != "matrix_product_state"
    assert choose_method(ghz(5), noisy=True, shots=1000).method == "automatic"  # small: Aer decides


def test_a_method_that_cannot_simulate_an_instruction_is_left_out():
    qc = ghz(12)
    qc.store(qc.add_var("flag", False), True)  # density matrix has no store
    choice = choose_method(qc, noisy=True, shots=100)
    assert "density_matrix" not in choice.estimates or "density_matrix cannot simulate store" in choice.reason
    assert choice.method != "density_matrix"


def test_the_100_qubit_ghz_runs_on_aer_mps_and_on_aer():
    # Given the 100-qubit GHZ
    circuit = ghz(100, "ghz100")
    # When it runs on aer:mps and on aer (a Clifford circuit: stabilizer), end to end
    group = run(circuit, ["aer:mps", "aer"], shots=4000, seed=7)
    result = group.result(timeout=300)["ghz100"]
    # Then only all-zeros and all-ones come out, about half each
    for backend in ("aer:mps", "aer"):
        counts = result[backend]
        assert set(counts) == {"0" * 100, "1" * 100} and sum(counts.values()) == 4000
        assert abs(counts["0" * 100] - 2000) < 5 * np.sqrt(4000 * 0.25)
    methods = {job.backend: job.record["simulation"] for job in group}
    assert methods["aer:mps"]["method"] == "matrix_product_state"
    assert methods["aer"]["method"] == "stabilizer" and "Clifford" in methods["aer"]["method_reason"]
    assert group.jobs[0].record["backend"]["num_qubits"] == MPS_MAX_QUBITS


def test_a_wide_non_clifford_circuit_on_aer_runs_on_mps():
    circuit = ghz(40, "ghz40t")
    circuit.t(0)  # no longer Clifford, and wider than a statevector fits
    job = run(circuit, "aer", shots=200, seed=3).jobs[0]
    job.result(timeout=300)
    simulation = job.record["simulation"]
    assert simulation["method"] == "matrix_product_state" and "not a Clifford circuit (t)" in simulation["method_reason"]


@pytest.mark.parametrize("backend, limit", [("aer:statevector", statevector_max_qubits),
                                            ("aer:density_matrix", density_matrix_max_qubits)])
def test_dense_methods_refuse_what_does_not_fit_in_memory_with_the_numbers(backend, limit):
    target = get_backend(backend)
    assert target.num_qubits == limit()
    target.validate(QuantumCircuit(limit(), name="fits"), 10)
    with pytest.raises(CircuitTooWide) as info:
        target.validate(QuantumCircuit(limit() + 1, name="wide"), 10)
    message = str(info.value)
    assert f"circuit 'wide' needs {limit() + 1} qubits" in message and "half this machine's memory" in message
    assert f"at most {limit()} qubits" in message and "aer:mps" in message


def test_the_emulator_records_why_it_chose_mps_for_a_wide_ghz_and_not_for_a_narrow_deep_circuit():
    # Given a 20-qubit GHZ (wide, one ebit per cut) and a deep 6-qubit circuit entangled everywhere
    group = run({"wide": ghz(20), "deep": all_to_all(7, 4)}, "fake_sherbrooke", shots=200, seed=5)
    group.result(timeout=600)
    simulation = {job.circuit_name: job.record["simulation"] for job in group}
    # Then the wide one ran on MPS and the record says why (its width, gates and entanglement bound)
    wide = simulation["wide"]
    assert wide["method"] == wide["method_requested"] == "matrix_product_state"
    assert wide["qubits_simulated"] >= 20 and "estimated cost matrix_product_state" in wide["method_reason"]
    assert "statevector" in wide["method_reason"]  # the alternative it was weighed against
    # and the narrow deep one did not
    deep = simulation["deep"]
    assert deep["method_requested"] != "matrix_product_state" and deep["method"] != "matrix_product_state"
    assert "entanglement bound" in deep["method_reason"]
