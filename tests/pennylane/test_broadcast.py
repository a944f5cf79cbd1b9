"""A broadcast PennyLane tape → ONE parameterized template and its values, exact against PennyLane's own states."""

from __future__ import annotations

import numpy as np
import pytest
from pennylane_helpers import ansatz_qnode

from qhybrid_lab.circuits import as_circuits
from qhybrid_lab.circuits.pennylane import bind, measurement_specs
from qhybrid_lab.circuits.pennylane_broadcast import QISKIT_GATES, broadcast_template

POINTS = 4


def every_gate(x):
    """Every gate of QISKIT_GATES (broadcast where it takes an angle) plus gates PennyLane must decompose."""
    import pennylane as qml

    for w in range(3):
        qml.Hadamard(w)
    qml.RX(x[..., 0], 0), qml.RY(x[..., 1], 1), qml.RZ(x[..., 2], 2), qml.PhaseShift(x[..., 3], 0)
    qml.U3(x[..., 0], x[..., 1], x[..., 2], wires=1)
    qml.CRX(x[..., 1], [0, 1]), qml.CRY(x[..., 2], [1, 2]), qml.CRZ(x[..., 3], [2, 0])
    qml.ControlledPhaseShift(x[..., 0], [0, 2])
    qml.IsingXX(x[..., 1], [0, 1]), qml.IsingYY(x[..., 2], [1, 2]), qml.IsingZZ(x[..., 3], [2, 0])
    qml.PauliX(0), qml.PauliY(1), qml.PauliZ(2), qml.S(0), qml.adjoint(qml.S(1)), qml.T(2), qml.adjoint(qml.T(0))
    qml.SX(1), qml.adjoint(qml.SX(2)), qml.Identity(0)
    qml.CNOT([0, 1]), qml.CY([1, 2]), qml.CZ([2, 0]), qml.CH([0, 2]), qml.SWAP([0, 1]), qml.ISWAP([1, 2])
    qml.ECR([2, 0]), qml.Toffoli([0, 1, 2]), qml.CSWAP([2, 0, 1])
    # decomposed by PennyLane, broadcast kept
    qml.Rot(x[..., 0], 0.4, x[..., 3], wires=2), qml.IsingXY(x[..., 2], [0, 1]), qml.QFT(wires=[0, 1, 2])
    qml.MultiRZ(x[..., 1], wires=[0, 1, 2]), qml.GlobalPhase(x[..., 0])


def tape_of(body, wires: int = 3, measurement=None):
    import pennylane as qml

    x = np.random.default_rng(11).uniform(-np.pi, np.pi, (POINTS, 4))
    with qml.queuing.AnnotatedQueue() as queue:
        body(x)
    tape = qml.tape.QuantumScript(queue.queue, [measurement or qml.state()])
    assert tape.batch_size == POINTS
    return tape, qml.wires.Wires(range(wires))


def qiskit_state(circuit, values: dict, point: int) -> np.ndarray:
    """The statevector of point ``point`` in PennyLane's order (wire 0 most significant)."""
    from qiskit.quantum_info import Statevector

    bound = circuit.assign_parameters({p: v[point] for p, v in values.items()})
    bound.remove_final_measurements()
    return Statevector(bound.reverse_bits()).data


def test_every_gate_is_exact_including_the_global_phase():
    import pennylane as qml

    tape, wires = tape_of(every_gate)
    template, values = broadcast_template(tape, wires, "every")
    assert set(template.count_ops()) - {"measure"} <= set(QISKIT_GATES.values())
    assert {len(v) for v in values.values()} == {POINTS} and template.parameters == set(values)
    (states,) = qml.execute([tape], qml.device("default.qubit", wires=3))
    for point in range(POINTS):
        assert np.allclose(qiskit_state(template, values, point), states[point], atol=1e-10), point


def test_only_broadcast_angles_become_parameters_and_every_wire_is_measured():
    import pennylane as qml

    tape, wires = tape_of(lambda x: (qml.RY(x[..., 0], 0), qml.RX(0.25, 1), qml.CNOT([0, 1])), wires=2,
                          measurement=qml.expval(qml.PauliX(0) @ qml.PauliY(1)))
    template, values = broadcast_template(tape, wires, "small")
    assert len(values) == 1 and template.num_parameters == 1
    rx = [i.operation for i in template.data if i.operation.name == "rx"]
    assert [float(op.params[0]) for op in rx] == [0.25]
    measures = [(template.find_bit(i.qubits[0]).index, template.find_bit(i.clbits[0]).index)
                for i in template.data if i.operation.name == "measure"]
    assert measures == [(0, 0), (1, 1)]
    # the observables' diagonalizing rotations come after the gates: X → H, Y → Z S H
    names = [i.operation.name for i in template.data if i.operation.name != "measure"]
    assert names[-4:] == ["h", "z", "s", "h"]


def test_a_broadcast_qnode_is_one_sweep_with_the_points_in_order():
    from qhybrid_lab.circuits import Sweep

    thetas = np.random.default_rng(3).uniform(0, np.pi, (7, 4))
    ((name, sweep),) = as_circuits(bind(ansatz_qnode(), thetas))
    assert name == "ansatz" and isinstance(sweep, Sweep) and len(sweep) == 7
    assert sweep.circuit.count_ops() == {"ry": 4, "cx": 3, "measure": 4}
    assert np.allclose(np.asarray(sweep.values), thetas)  # one row per point, one column per RY angle
    (spec,) = measurement_specs(sweep.circuit)
    assert spec["type"] == "expval" and spec["qubits"] == [0, 1]
    assert sweep.circuit.metadata["pennylane"]["points"] == 7


def test_an_operation_with_no_qiskit_gate_is_a_clear_error():
    import pennylane as qml

    from qhybrid_lab.errors import InvalidJobSpec

    tape, wires = tape_of(lambda x: (qml.RY(x[..., 0], 0), qml.ops.MidMeasure(0)), wires=1)
    with pytest.raises(InvalidJobSpec, match="PennyLane could not decompose 'mcm' into Qiskit gates: .*MidMeasure"):
        broadcast_template(tape, wires, "mcm")


@pytest.mark.parametrize("points", [1, 2])
def test_few_points_still_sweep(points):
    ((_, sweep),) = as_circuits(bind(ansatz_qnode(), np.full((points, 4), 0.5)))
    assert len(sweep) == points
