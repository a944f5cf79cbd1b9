"""The EV computation as a pure function of counts per basis group: labels, groups, estimates, errors."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector

from qhybrid_lab.circuits.observables import (as_observables, basis_circuit, expectation_values,
                                              measurement_groups, result_fields, split_pubs)
from qhybrid_lab.errors import InvalidJobSpec, InvalidObservable


def test_labels_paulis_and_sums_become_recorded_terms():
    recorded = as_observables(["ZZ", Pauli("-XI"), SparsePauliOp(["XX", "YY"], [0.5, -0.25]), "z"], 3)
    assert recorded[0] == {"label": "ZZ", "terms": [["IZZ", 1.0]]}  # narrower: acts on the lowest qubits
    assert recorded[1]["terms"] == [["IXI", -1.0]]
    assert recorded[2]["terms"] == [["IXX", 0.5], ["IYY", -0.25]]
    assert recorded[3]["terms"] == [["IIZ", 1.0]]


@pytest.mark.parametrize("bad, words", [
    ("ZQ", ["not a Pauli label", "'Q'"]),
    ("", ["not a Pauli label"]),
    ("ZZZZ", ["acts on 4 qubits", "has 3"]),
    (SparsePauliOp(["XY"], [1j]), ["not Hermitian"]),
    (SparsePauliOp(["XY", "YX"], [1, 1j]), ["not Hermitian"]),
    (1.5, ["float", "SparsePauliOp"]),
    ([], ["empty"]),
])
def test_bad_observables_are_typed_errors(bad, words):
    with pytest.raises(InvalidObservable) as info:
        as_observables(bad, 3)
    assert isinstance(info.value, InvalidJobSpec)
    for word in words:
        assert word in str(info.value)


def test_qubit_wise_commuting_terms_share_a_basis():
    recorded = as_observables([SparsePauliOp(["ZZ", "ZI", "IZ", "XX", "XI", "II"]), "YY"], 2)
    bases = measurement_groups(recorded)
    assert sorted(bases) == ["XX", "YY", "ZZ"]
    assert measurement_groups(as_observables("II", 2)) == []


def _exact_counts(circuit: QuantumCircuit) -> dict[str, float]:
    """The exact distribution of the obs register of a basis circuit (as quasi-probabilities)."""
    probabilities = Statevector(circuit.remove_final_measurements(inplace=False)).probabilities_dict()
    measured = [circuit.find_bit(i.qubits[0]).index for i in circuit.data if i.operation.name == "measure"]
    out: dict[str, float] = {}
    for key, p in probabilities.items():
        bits = "".join(key[len(key) - 1 - q] for q in reversed(measured))
        out[bits] = out.get(bits, 0.0) + p
    return out


def test_expectation_values_from_exact_quasi_probabilities_are_exact():
    qc = QuantumCircuit(3)
    qc.ry(0.9, 0); qc.cx(0, 1); qc.rx(0.4, 2); qc.cz(1, 2); qc.h(1)
    op = SparsePauliOp(["ZZI", "XIX", "YYZ", "IIY", "III"], [0.7, -0.4, 0.3, 1.1, 0.25])
    recorded = as_observables([op, "ZIZ"], 3)
    bases = measurement_groups(recorded)
    counts = [_exact_counts(basis_circuit(qc, basis)) for basis in bases]
    evs, stds = expectation_values(recorded, bases, counts, shots=1000)
    exact = Statevector(qc)
    assert evs[0] == pytest.approx(exact.expectation_value(op).real, abs=1e-9)
    assert evs[1] == pytest.approx(exact.expectation_value(SparsePauliOp("ZIZ")).real, abs=1e-9)
    assert all(s > 0 for s in stds)


def test_standard_error_is_the_binomial_one_for_a_single_term():
    recorded = as_observables("Z", 1)
    (ev,), (std,) = expectation_values(recorded, ["Z"], [{"0": 750, "1": 250}])
    assert ev == pytest.approx(0.5)
    assert std == pytest.approx(math.sqrt((1 - 0.25) / 1000))


def test_sweep_fields_give_one_value_per_point_and_observable():
    recorded = as_observables(["Z", "X"], 1)
    bases = measurement_groups(recorded)
    per_basis = {"Z": [{"0": 10}, {"1": 10}], "X": [{"0": 5, "1": 5}, {"0": 10}]}
    fields = result_fields(recorded, bases, [per_basis[b] for b in bases], shots=10, sweep=True)
    assert fields["ev_method"] == "shots"
    assert fields["expectation_values"] == [[1.0, 0.0], [-1.0, 1.0]]
    assert fields["standard_errors"][0][0] == 0.0 and fields["standard_errors"][0][1] > 0


def test_estimator_pubs_are_split():
    qc = QuantumCircuit(1)
    assert split_pubs((qc, "Z")) == [(qc, "Z", None)]
    assert split_pubs([(qc, "Z", [[0.1]]), (qc, ["X"])]) == [(qc, "Z", [[0.1]]), (qc, ["X"], None)]
    assert split_pubs([qc, qc]) is None and split_pubs(qc) is None
