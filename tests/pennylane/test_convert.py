"""PennyLane QNodes, bound QNodes and tapes → Qiskit circuits (through OpenQASM), names, metadata, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from pennylane_helpers import ansatz_qnode, asymmetric_qnode

from qhybrid_lab.circuits import as_circuits
from qhybrid_lab.circuits.collect import is_runnable
from qhybrid_lab.circuits.pennylane import bind, measurement_specs
from qhybrid_lab.circuits.pennylane_results import expval_from_counts, probs_from_counts, values_from_counts
from qhybrid_lab.errors import InvalidJobSpec, UnsupportedObject


def statevector_probs(circuit):
    """Exact Qiskit probabilities of a converted circuit (measurements removed), keyed like counts."""
    from qiskit.quantum_info import Statevector

    return Statevector(circuit.remove_final_measurements(inplace=False)).probabilities_dict()


def test_a_qnode_without_arguments_runs_as_it_is_with_qiskit_bit_order():
    ((name, circuit),) = as_circuits(asymmetric_qnode())
    assert name == "flip" and circuit.num_qubits == 2
    assert statevector_probs(circuit) == pytest.approx({"01": 1.0})  # wire 0 is Qiskit's bit 0 (rightmost)
    (spec,) = measurement_specs(circuit)
    assert spec == {"type": "probs", "observable": None, "qubits": [0, 1], "eigvals": None}
    assert probs_from_counts({"01": 10}, spec) == [0.0, 0.0, 1.0, 0.0]  # PennyLane's |10>


def test_a_bound_qnode_and_its_tape_give_the_same_circuit():
    import pennylane as qml

    ansatz = ansatz_qnode()
    theta = np.array([0.3, 1.1, 2.0, 0.4])
    ((bound_name, bound),) = as_circuits(bind(ansatz, theta))
    ((tape_name, from_tape),) = as_circuits(qml.workflow.construct_tape(ansatz)(theta))
    assert (bound_name, tape_name) == ("ansatz", "tape")
    assert bound == from_tape
    assert bound.count_ops() == {"ry": 4, "cx": 3, "measure": 4}


def test_converted_probabilities_equal_pennylane_exactly():
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=3))
    def mixed(a, b):
        qml.Hadamard(0)
        qml.Rot(a, b, 0.3, wires=1)
        qml.IsingXX(b, wires=[1, 2])
        qml.CRY(a, wires=[0, 2])
        qml.GlobalPhase(0.7)
        return qml.probs(wires=[0, 1, 2])

    ((_, circuit),) = as_circuits(bind(mixed, 0.4, 1.3))
    qiskit_probs = statevector_probs(circuit)
    expected = mixed(0.4, 1.3)
    for index, p in enumerate(expected):
        key = format(index, "03b")[::-1]  # PennyLane's wire 0 first → Qiskit's bit 0 last
        assert qiskit_probs.get(key, 0.0) == pytest.approx(p, abs=1e-12)


def test_observables_are_rotated_and_kept_in_metadata():
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=2))
    def bell_x():
        qml.Hadamard(0)
        qml.CNOT([0, 1])
        return qml.expval(qml.PauliX(0) @ qml.PauliX(1)), qml.var(qml.PauliX(0)), qml.probs(op=qml.PauliX(1))

    ((_, circuit),) = as_circuits(bell_x)
    specs = measurement_specs(circuit)
    assert [s["type"] for s in specs] == ["expval", "var", "probs"]
    assert specs[0]["observable"] == "X(0) @ X(1)" and specs[0]["eigvals"] == [1.0, -1.0, -1.0, 1.0]
    exact = {k: round(v * 1000) for k, v in statevector_probs(circuit).items() if v > 1e-9}
    assert exact == {"00": 500, "11": 500}  # H H on both qubits: the Bell state in the X basis
    values = values_from_counts(exact, circuit)
    assert values[0] == pytest.approx(1.0) and values[1] == pytest.approx(1.0) and values[2] == [0.5, 0.5]


def test_a_broadcast_is_one_sweep_whose_points_bind_in_order():
    ansatz = ansatz_qnode()
    thetas = np.linspace(0.1, 3.0, 20).reshape(5, 4)
    ((name, sweep),) = as_circuits(bind(ansatz, thetas))
    assert name == "ansatz" and len(sweep) == 5 and sweep.circuit.metadata["pennylane"]["points"] == 5
    for i in range(5):
        assert [float(inst.operation.params[0]) for inst in sweep.bound(i).data[:4]] == list(thetas[i])
    ((label, _),) = as_circuits(bind(ansatz, thetas), name="sweep")
    assert label == "sweep"


def test_collections_mix_pennylane_objects_and_circuits():
    import pennylane as qml
    from qiskit import QuantumCircuit

    tape = qml.tape.QuantumScript([qml.Hadamard(0)], [qml.expval(qml.PauliZ(0))])
    names = [n for n, _ in as_circuits([tape, tape, QuantumCircuit(1)])]
    assert names == ["circuit[0]", "circuit[1]", "circuit[2]"]
    pairs = as_circuits({"a": tape, "b": bind(ansatz_qnode(), np.zeros((2, 4)))})
    assert [n for n, _ in pairs] == ["a", "b"] and len(pairs[1][1]) == 2  # the broadcast is one 2-point sweep
    assert is_runnable(tape) and is_runnable(bind(ansatz_qnode(), np.zeros(4))) and not is_runnable([tape])
    assert is_runnable(asymmetric_qnode())  # a QNode without arguments
    assert not is_runnable(ansatz_qnode())  # needs theta
    assert not is_runnable(qml.device("default.qubit", wires=1)) and not is_runnable(qml.PauliX(0))


def test_a_qnode_missing_its_arguments_says_how_to_give_them():
    with pytest.raises(InvalidJobSpec, match=r"QNode 'ansatz' needs its argument\(s\) theta; give them with "
                                             r"qhybrid_lab.circuits.pennylane.bind\(ansatz, ...\)"):
        as_circuits(ansatz_qnode())


def test_measurements_counts_cannot_answer_are_refused():
    import pennylane as qml

    def tape(*measurements):
        return qml.tape.QuantumScript([qml.Hadamard(0), qml.CNOT([0, 1])], list(measurements))

    with pytest.raises(UnsupportedObject, match="state.*cannot be estimated from measurement counts"):
        as_circuits(tape(qml.state()))
    with pytest.raises(UnsupportedObject, match="mid-circuit measurement value"):
        as_circuits(tape(qml.expval(qml.measure(0))))
    with pytest.raises(InvalidJobSpec, match="measures nothing"):
        as_circuits(tape())
    ok = as_circuits(tape(qml.expval(qml.PauliX(0)), qml.expval(qml.PauliX(0) @ qml.PauliZ(1))))
    assert len(ok) == 1


def test_other_pennylane_objects_are_refused_by_type():
    import pennylane as qml

    with pytest.raises(UnsupportedObject, match=r"pennylane\..*DefaultQubit: give a QNode, bind"):
        as_circuits(qml.device("default.qubit", wires=1))
    with pytest.raises(UnsupportedObject, match="bind\\(\\) takes a PennyLane QNode, not builtins.int"):
        bind(3)


def test_expval_from_counts_uses_the_observable_eigenvalues():
    spec = {"type": "expval", "qubits": [1, 0], "eigvals": [1.0, -1.0, -1.0, 1.0]}
    assert expval_from_counts({"00": 50, "01": 25, "11": 25}, spec) == pytest.approx(0.5)
    two_registers = {"1 01": 3, "0 00": 1}  # register keys with spaces: the qubit bits are the last two
    assert expval_from_counts(two_registers, {"qubits": [0], "eigvals": [1.0, -1.0]}) == pytest.approx(-0.5)
    with pytest.raises(InvalidJobSpec, match="no observable eigenvalues"):
        expval_from_counts({"0": 1}, {"type": "probs", "qubits": [0], "eigvals": None})


def test_collecting_qiskit_circuits_does_not_import_pennylane():
    code = ("import sys; from qiskit import QuantumCircuit; from qhybrid_lab.circuits import as_circuits; "
            "as_circuits([QuantumCircuit(1)]); print('pennylane' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("reset", [False, True])
def test_a_mid_circuit_measurement_is_refused_by_name_before_anything_runs(reset):
    import pennylane as qml

    from qhybrid_lab.jobs import run
    from qhybrid_lab.runlog import open_runlog

    dev = qml.device("default.qubit", wires=2)

    @qml.qnode(dev)
    def teleport_bit():
        qml.Hadamard(0)
        m = qml.measure(0, reset=reset)
        qml.cond(m, qml.PauliX)(1)
        return qml.probs(wires=[0, 1])

    with pytest.raises(UnsupportedObject) as info:
        run(teleport_bit, "aer")
    message = str(info.value)
    assert message.startswith("PennyLane circuit 'teleport_bit' uses qml.measure (MidMeasure(")
    assert f"reset={reset}" in message and "qml.cond (Conditional(PauliX)" in message and "if_test" in message
    assert open_runlog().count() == 0  # nothing was recorded
