"""Collecting circuits from what a cell produced, and adding measurements."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qhybrid_lab.circuits import as_circuits, ensure_measured
from qhybrid_lab.errors import InvalidJobSpec, NoCircuits, UnsupportedObject


def test_single_circuit_uses_the_given_then_its_own_name():
    qc = QuantumCircuit(1, name="mine")
    assert as_circuits(qc) == [("mine", qc)]
    assert as_circuits(qc, name="cell") == [("cell", qc)]
    assert as_circuits(QuantumCircuit(1))[0][0] == "circuit"  # generated names say nothing


def test_sequences_get_unique_names():
    a, b, c = QuantumCircuit(1, name="a"), QuantumCircuit(1), QuantumCircuit(1, name="a")
    assert [n for n, _ in as_circuits([a, b, c])] == ["a", "circuit[1]", "a#2"]
    assert [n for n, _ in as_circuits((a, b), name="sweep")] == ["sweep[0]", "sweep[1]"]


def test_dict_keys_are_names():
    pairs = as_circuits({"bell": QuantumCircuit(2), 3: QuantumCircuit(1)})
    assert [n for n, _ in pairs] == ["bell", "3"]


def test_empty_collection_has_no_circuits():
    with pytest.raises(NoCircuits):
        as_circuits([])
    assert issubclass(NoCircuits, InvalidJobSpec)


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [(42, "builtins.int"), ("qc", "builtins.str"), ([QuantumCircuit(1), 1.5], "builtins.float (element 1)"),
     ({"x": None}, "NoneType (dict entry 'x')")],
)
def test_non_circuits_are_refused_by_type(obj, fragment):
    with pytest.raises(UnsupportedObject) as info:
        as_circuits(obj)
    assert fragment in str(info.value)
    assert isinstance(info.value, TypeError)


def test_ensure_measured_adds_measurements_on_a_copy():
    qc = QuantumCircuit(2)
    qc.h(0)
    measured, added = ensure_measured(qc)
    assert added and measured is not qc
    assert measured.count_ops()["measure"] == 2
    assert "measure" not in qc.count_ops()


def test_ensure_measured_keeps_a_measured_circuit():
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    assert ensure_measured(qc) == (qc, False)


def test_measurement_inside_control_flow_counts():
    qc = QuantumCircuit(1, 1)
    with qc.if_test((qc.clbits[0], 0)):
        qc.measure(0, 0)
    assert ensure_measured(qc)[1] is False


def test_own_names_drop_what_qiskit_generates():
    from qiskit.circuit import Parameter
    from qiskit.circuit.library import QAOAAnsatz
    from qiskit.quantum_info import SparsePauliOp

    from qhybrid_lab.circuits.collect import own_name

    theta = Parameter("theta")
    named = QuantumCircuit(1, name="ghz-5")  # a user's name that ends in a number stays
    named.ry(theta, 0)
    assert own_name(named) == "ghz-5" and own_name(named.assign_parameters([0.1])) == "ghz-5"
    assert own_name(QuantumCircuit(1)) is None and own_name(QuantumCircuit(1).copy()) is None
    qaoa = QAOAAnsatz(SparsePauliOp(["ZZ"]), reps=1)
    bound = qaoa.assign_parameters([0.1, 0.2])
    assert bound.name != "QAOA" and own_name(bound) == "QAOA"
    assert as_circuits([bound, QuantumCircuit(1)])[0][0] == "QAOA"
    assert as_circuits([bound, QuantumCircuit(1)])[1][0] == "circuit[1]"
