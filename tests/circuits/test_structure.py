"""Structure keys: equal for circuits that differ in angles only, refused where abstracting angles is not valid."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Gate, Parameter
from qiskit.circuit.library import RXGate, RYGate, XXPlusYYGate
from qiskit.quantum_info import Operator

from qhybrid_lab.circuits import structure_of
from qhybrid_lab.circuits.structure import placeholders


def layer(angles, *, phase=0.0):
    qc = QuantumCircuit(3, 3, name="layer", global_phase=phase)
    qc.ry(angles[0], 0)
    qc.u(angles[1], angles[2], angles[3], 1)
    qc.rzz(angles[4], 1, 2)
    qc.cx(0, 1)
    qc.append(XXPlusYYGate(angles[5], angles[6]), [0, 2])
    qc.barrier()
    qc.measure([0, 1, 2], [0, 1, 2])
    return qc


def test_circuits_differing_in_angles_share_a_key_and_keep_their_values():
    a = structure_of(layer(np.arange(7) / 10, phase=0.3))
    b = structure_of(layer(np.arange(7) / 5))
    assert a.key == b.key and hash(a.key) == hash(b.key)
    assert a.values == tuple(np.arange(7) / 10) + (0.3,)
    assert b.values == tuple(np.arange(7) / 5) + (0.0,)


@pytest.mark.parametrize("change", ["qubit", "clbit", "gate", "register", "extra"])
def test_a_different_structure_is_a_different_key(change):
    base = layer(np.zeros(7))
    other = layer(np.zeros(7))
    if change == "qubit":
        other.data[0] = other.data[0].replace(qubits=(other.qubits[2],))
    elif change == "clbit":
        other.data[-1] = other.data[-1].replace(clbits=(other.clbits[0],))
    elif change == "gate":
        other.data[0] = other.data[0].replace(operation=RXGate(0.0))
    elif change == "register":
        other = QuantumCircuit(QuantumRegister(3, "q"), ClassicalRegister(2, "a"), ClassicalRegister(1, "b"))
        other.compose(layer(np.zeros(7)), inplace=True)
    else:
        other.h(0)
    assert structure_of(base).key != structure_of(other).key


def test_only_safe_circuits_are_reduced():
    free = QuantumCircuit(1)
    free.ry(Parameter("t"), 0)
    custom = QuantumCircuit(1)
    custom.append(Gate("mine", 1, [0.5]), [0])

    class LookAlike(RYGate):
        """A user subclass named like a standard gate: its definition may differ."""

    look_alike = QuantumCircuit(1)
    look_alike.append(LookAlike(0.5), [0])
    control_flow = QuantumCircuit(1, 1)
    control_flow.measure(0, 0)
    with control_flow.if_test((control_flow.clbits[0], 1)):
        control_flow.x(0)
    matrix = QuantumCircuit(1)
    matrix.unitary(np.array([[0, 1], [1, 0]]), [0])
    for circuit in (free, custom, look_alike, control_flow, matrix):
        assert structure_of(circuit) is None


def test_a_delay_keeps_its_duration_in_the_key():
    short, long = QuantumCircuit(1), QuantumCircuit(1)
    short.delay(10, 0)
    long.delay(20, 0)
    assert structure_of(short).key != structure_of(long).key


def test_the_template_bound_with_the_values_is_the_same_operator():
    rng = np.random.default_rng(7)
    circuit = layer(rng.uniform(-np.pi, np.pi, 7), phase=0.9)
    circuit.remove_final_measurements()
    structure = structure_of(circuit)
    template = structure.template(circuit)
    assert set(template.parameters) == set(placeholders(len(structure.values)))
    rebuilt = template.assign_parameters(structure.bindings())
    assert Operator(rebuilt) == Operator(circuit)  # global phase included


def library_loop_circuits():
    """Circuits users bind in optimizer loops, built from qiskit.circuit.library, and their parameter counts."""
    from qiskit.circuit.library import QAOAAnsatz, RealAmplitudes, efficient_su2, n_local
    from qiskit.quantum_info import SparsePauliOp

    qaoa = QAOAAnsatz(SparsePauliOp(["ZZII", "IZZI", "IIZZ", "ZIIZ"]), reps=2)
    open_control = QuantumCircuit(2)
    open_control.cry(Parameter("t"), 0, 1, ctrl_state=0)
    sub = QuantumCircuit(2, name="block")
    sub.ry(Parameter("a"), 0)
    sub.cx(0, 1)
    composed = QuantumCircuit(3)
    composed.append(sub.to_gate(), [0, 1])
    composed.append(sub.to_instruction(), [1, 2])
    with pytest.warns(DeprecationWarning):
        wrapped = RealAmplitudes(3, reps=1)  # the deprecated class: one "RealAmplitudes" gate
    return {"qaoa": qaoa, "n_local": n_local(3, "ry", "cx", reps=2), "efficient_su2": efficient_su2(3, reps=1),
            "RealAmplitudes": wrapped, "open_control": open_control, "composed": composed}


@pytest.mark.parametrize("kind", ["qaoa", "n_local", "efficient_su2", "RealAmplitudes", "open_control", "composed"])
def test_library_and_custom_gates_are_reduced_through_their_definitions(kind):
    # Given a library (or composed) circuit bound twice with different values
    circuit = library_loop_circuits()[kind]
    rng = np.random.default_rng(5)
    first, second = (circuit.assign_parameters(rng.uniform(-np.pi, np.pi, circuit.num_parameters))
                     for _ in range(2))
    # When both are reduced, then they share a structure and differ in their values
    a, b = structure_of(first), structure_of(second)
    assert a is not None and a.key == b.key and a.values != b.values
    # and the template bound with the values is the circuit's operator, global phase included
    for bound, structure in ((first, a), (second, b)):
        rebuilt = structure.template(bound).assign_parameters(structure.bindings())
        assert Operator(rebuilt) == Operator(bound)
