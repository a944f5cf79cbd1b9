"""Sweep: the accepted forms of parameter values, their validation, and Sweeps among plain circuits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector

from qhybrid_lab.circuits import Sweep
from qhybrid_lab.circuits.collect import runnables
from qhybrid_lab.errors import InvalidJobSpec, NoCircuits, UnsupportedObject


def two_parameter_circuit(name="rot"):
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(2, name=name)
    qc.ry(b, 0)
    qc.rx(a, 1)
    return qc, a, b


def test_rows_follow_the_circuit_parameter_order():
    qc, a, b = two_parameter_circuit()
    sweep = Sweep(qc, [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    assert sweep.parameter_names == ["a", "b"] and len(sweep) == 3
    assert sweep.values == [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    assert sweep.binds() == {a: [0.1, 0.3, 0.5], b: [0.2, 0.4, 0.6]}
    assert sweep.as_record() == {"names": ["a", "b"], "values": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]}
    bound = sweep.bound(1)
    assert not bound.parameters and bound.data[0].params == [0.4] and bound.data[1].params == [0.3]


def test_mapping_by_parameter_or_name_and_arrays_give_the_same_points():
    qc, a, b = two_parameter_circuit()
    expected = [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert Sweep(qc, {b: [4, 5, 6], a: [1, 2, 3]}).values == expected
    assert Sweep(qc, {"a": np.array([1, 2, 3]), "b": (4, 5, 6)}).values == expected
    assert Sweep(qc, np.array(expected)).values == expected
    assert all(isinstance(v, float) for row in Sweep(qc, np.array(expected)).values for v in row)


def test_one_parameter_takes_a_flat_sequence_and_vectors_keep_their_order():
    theta = Parameter("theta")
    qc = QuantumCircuit(1)
    qc.rz(theta, 0)
    assert Sweep(qc, np.linspace(0, 1, 3)).values == [[0.0], [0.5], [1.0]]
    vector = ParameterVector("v", 11)
    wide = QuantumCircuit(1)
    for p in vector:
        wide.rz(p, 0)
    sweep = Sweep(wide, [list(range(11))])
    assert sweep.parameter_names == [f"v[{i}]" for i in range(11)]  # v[10] after v[9], not after v[1]
    assert sweep.values == [[float(i) for i in range(11)]]


@pytest.mark.parametrize("values, message", [
    ({"c": [1.0], "a": [1.0], "b": [1.0]}, "has no parameter 'c'"),
    ({"a": [1.0]}, r"no values for parameter\(s\) b"),
    ({"a": [1.0, 2.0], "b": [1.0]}, "different numbers of values"),
    ([[0.1, 0.2], [0.3]], "point 1 of 'rot' has 1 values; the circuit has 2 parameters"),
    ([[0.1, math.nan]], "must be finite"),
    ([[0.1, math.inf]], "must be finite"),
    ([[0.1, "x"]], "must be a real number"),
    ([[0.1, 1j]], "must be a real number"),
    ([], "hold no points"),
    ({"a": [], "b": []}, "hold no points"),
    (3.0, "points × parameters"),
    ([0.1, 0.2], "point 0 of 'rot' must be a sequence of 2 values"),
])
def test_bad_values_are_refused_with_what_to_fix(values, message):
    qc, _, _ = two_parameter_circuit()
    with pytest.raises(InvalidJobSpec, match=message):
        Sweep(qc, values)


def test_a_parameter_of_another_circuit_with_the_same_name_is_refused():
    qc, _, _ = two_parameter_circuit()
    with pytest.raises(InvalidJobSpec, match="has no parameter"):
        Sweep(qc, {Parameter("a"): [1.0], "b": [1.0]})


def test_circuits_without_parameters_and_non_circuits_are_refused():
    with pytest.raises(InvalidJobSpec, match="no parameters to sweep"):
        Sweep(QuantumCircuit(1, name="plain"), [[1.0]])
    with pytest.raises(UnsupportedObject, match="builtins.str"):
        Sweep("qc", [[1.0]])


def test_runnables_mix_sweeps_and_circuits_with_names():
    qc, _, _ = two_parameter_circuit()
    plain = QuantumCircuit(1, name="plain")
    sweep = Sweep(qc, [[0.0, 0.0]], name="scan")
    out = runnables([sweep, plain, Sweep(qc, [[1.0, 1.0]])])
    assert [(name, s is not None) for name, _, s in out] == [("scan", True), ("plain", False), ("rot", True)]
    # the job's circuit is named as the user knows the job ("scan", not the circuit's own "rot"), a copy that
    # keeps the same parameter objects, so the sweep's values still bind
    assert out[0][1].name == "scan" and qc.name == "rot" and out[0][2] is sweep
    assert list(out[0][1].parameters) == list(qc.parameters) and out[0][1] == qc
    assert out[1][1] is plain  # already named as its label: not copied
    by_key = runnables({"x": sweep, "y": plain})
    assert [(name, s) for name, _, s in by_key] == [("x", sweep), ("y", None)]
    (single,) = runnables(qc, parameter_values={"a": [1, 2], "b": [3, 4]})
    assert single[0] == "rot" and single[2].values == [[1.0, 3.0], [2.0, 4.0]]


def test_runnables_refuse_ambiguous_or_unbound_requests():
    qc, _, _ = two_parameter_circuit()
    with pytest.raises(InvalidJobSpec, match="unbound parameters \\(a, b\\)"):
        runnables([qc])
    with pytest.raises(InvalidJobSpec, match="single parameterized QuantumCircuit"):
        runnables([qc, qc], parameter_values=[[1.0, 2.0]])
    with pytest.raises(InvalidJobSpec, match="either in the Sweep or as parameter_values"):
        runnables(Sweep(qc, [[1.0, 2.0]]), parameter_values=[[1.0, 2.0]])
    with pytest.raises(NoCircuits):
        runnables([])
