"""Circuit content hash, OpenQASM 3 text and metrics."""

from __future__ import annotations

import re

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.circuit import Parameter
from qiskit.circuit.library import CXGate, DiagonalGate, HGate, QAOAAnsatz, RYGate, grover_operator
from qiskit.quantum_info import SparsePauliOp

from qhybrid_lab.circuits import circuit_hash, circuit_metrics, circuit_qasm
from qhybrid_lab.errors import UnsupportedObject


def bell(name=None):
    qc = QuantumCircuit(2, name=name)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_equal_circuits_built_separately_hash_equal():
    a, b = bell(), bell()
    assert a.name != b.name  # Qiskit generated two different names
    assert circuit_hash(a) == circuit_hash(b)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", circuit_hash(a))


def test_name_does_not_matter_but_content_does():
    assert circuit_hash(bell("one")) == circuit_hash(bell("two"))
    other = bell()
    other.x(0)
    assert circuit_hash(other) != circuit_hash(bell())
    a, b = QuantumCircuit(1), QuantumCircuit(1)
    a.rz(0.1, 0)
    b.rz(0.2, 0)
    assert circuit_hash(a) != circuit_hash(b)


def test_parameterized_circuits_hash_by_parameter_name():
    def ansatz(name):
        qc = QuantumCircuit(1)
        qc.ry(Parameter(name), 0)
        return qc

    assert circuit_hash(ansatz("theta")) == circuit_hash(ansatz("theta"))
    assert circuit_hash(ansatz("theta")) != circuit_hash(ansatz("phi"))


def test_qasm_is_openqasm3():
    text = circuit_qasm(bell())
    assert text.startswith("OPENQASM 3.0;") and "cx q[0], q[1];" in text


def test_metrics_count_two_qubit_gates_without_barriers():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.barrier(0, 1)
    qc.cz(1, 2)
    qc.ccx(0, 1, 2)
    qc.measure_all()
    metrics = circuit_metrics(qc)
    assert metrics["two_qubit"] == 2
    assert metrics["num_qubits"] == 3
    assert metrics["ops"] == {"h": 1, "cx": 1, "barrier": 2, "cz": 1, "ccx": 1, "measure": 3}
    assert metrics["size"] == 7  # barriers are not operations that count
    assert metrics["depth"] == 5


@pytest.mark.parametrize("gates", [0, 1, 4])
def test_metrics_of_a_ghz(gates):
    qc = QuantumCircuit(gates + 1)
    for i in range(gates):
        qc.cx(i, i + 1)
    assert circuit_metrics(qc)["two_qubit"] == gates


# --- the canonical form: equal circuits built two ways share a hash; any real difference changes it --------------

def _custom_twice():
    def build():
        entangler = QuantumCircuit(2, name="entangler")
        entangler.h(0)
        entangler.cx(0, 1)
        qc = QuantumCircuit(3)
        qc.append(entangler.to_gate(), [0, 1])
        qc.append(entangler.to_gate(), [1, 2])
        return qc

    return build(), build()


def _reordered():
    a = QuantumCircuit(3)
    a.h([0, 1, 2])
    a.cx(0, 1)
    a.rz(0.3, 2)
    a.measure_all()
    b = QuantumCircuit(3)  # the same DAG: commuting (disjoint) instructions appended in another order, other API
    b.h(2)
    b.rz(0.3, 2)
    b.append(HGate(), [0])
    b.h(1)
    b.append(CXGate(), [0, 1])
    b.measure_all()
    return a, b


def _from_qpy():
    import io

    from qiskit import qpy

    qaoa = QAOAAnsatz(SparsePauliOp(["ZZI", "IZZ"]), reps=2)
    qaoa.measure_all()
    bound = qaoa.assign_parameters([0.1, 0.2, 0.3, 0.4])
    buffer = io.BytesIO()
    qpy.dump(bound, buffer)
    buffer.seek(0)
    (loaded,) = qpy.load(buffer)
    return bound, loaded


def _feedback(target=1):
    qc = QuantumCircuit(QuantumRegister(2, "q"), ClassicalRegister(2, "c"))
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((qc.clbits[0], target)):
        qc.x(1)
    qc.measure(1, 1)
    return qc


EQUAL_PAIRS = {
    "reordered": _reordered,
    "copy": lambda: (_feedback(), _feedback().copy()),
    "rebuilt from QPY": _from_qpy,
    "custom gates defined twice": _custom_twice,
    "library gate built twice": lambda: tuple(_with(DiagonalGate([1, 1j, -1, 1])) for _ in range(2)),
    "parameters of one name": lambda: tuple(_with(RYGate(2 * Parameter("t") + 1)) for _ in range(2)),
}


def _with(operation, width=None):
    qc = QuantumCircuit(width or operation.num_qubits)
    qc.append(operation, range(operation.num_qubits))
    return qc


@pytest.mark.parametrize("pair", sorted(EQUAL_PAIRS))
def test_equal_circuits_built_two_ways_share_a_hash(pair):
    a, b = EQUAL_PAIRS[pair]()
    assert circuit_hash(a) == circuit_hash(b)


def _variant(change):
    """A base circuit (registers, a custom gate, an angle, phase, control flow) and one changed in ``change``."""
    def build(angle=0.3, phase=0.0, gate="x", layout=("q", 3), target=(0, 1), definition="h", condition=1):
        qregs = [QuantumRegister(layout[1], layout[0])] if layout[0] == "q" else [QuantumRegister(2, "a"),
                                                                                  QuantumRegister(1, "b")]
        qc = QuantumCircuit(*qregs, ClassicalRegister(2, "c"), global_phase=phase)
        sub = QuantumCircuit(1)
        getattr(sub, definition)(0)
        qc.append(sub.to_gate(), [2])
        getattr(qc, gate)(0)
        qc.rz(angle, 1)
        qc.measure(0, target[0])
        with qc.if_test((qc.clbits[0], condition)):
            qc.x(1)
        qc.measure(1, target[1])
        return qc

    changes = {"gate": {"gate": "y"}, "angle": {"angle": 0.3000001}, "global phase": {"phase": 0.5},
               "register layout": {"layout": ("ab", 3)}, "measurement target": {"target": (1, 0)},
               "custom gate definition": {"definition": "x"}, "condition": {"condition": 0}}
    return build(), build(**changes[change])


@pytest.mark.parametrize("change", ["gate", "angle", "global phase", "register layout", "measurement target",
                                    "custom gate definition", "condition"])
def test_circuits_differing_in_one_thing_do_not_share_a_hash(change):
    base, changed = _variant(change)
    assert circuit_hash(base) != circuit_hash(changed)
    assert circuit_hash(base) == circuit_hash(_variant(change)[0])  # and the base is stable


def test_the_hash_is_the_same_in_another_process():
    import subprocess
    import sys

    code = ("from qiskit import QuantumCircuit; from qiskit.circuit import Parameter; "
            "from qhybrid_lab.circuits import circuit_hash; qc = QuantumCircuit(2); "
            "qc.ry(2 * Parameter('a') + Parameter('b'), 0); qc.cx(0, 1); print(circuit_hash(qc))")
    here = QuantumCircuit(2)
    here.ry(2 * Parameter("a") + Parameter("b"), 0)
    here.cx(0, 1)
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**__import__("os").environ, "PYTHONHASHSEED": seed})
        assert out.stdout.strip() == circuit_hash(here)


def test_circuits_the_openqasm3_exporter_refuses_are_hashed_and_recorded_with_a_reason():
    from qhybrid_lab.circuits import qasm_or_reason

    oracle = QuantumCircuit(3)
    oracle.append(DiagonalGate([1] * 7 + [-1]), [0, 1, 2])
    grover = QuantumCircuit(3)
    grover.h([0, 1, 2])
    grover.compose(grover_operator(oracle), inplace=True)
    text, reason = qasm_or_reason(grover)
    assert text is None and reason.startswith("Qiskit's OpenQASM 3 exporter cannot write it ('diagonal' (DiagonalGate))")
    assert "circuit-" not in reason  # no generated names
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", circuit_hash(grover))
    with pytest.raises(UnsupportedObject, match="cannot be written as OpenQASM 3"):
        circuit_qasm(grover)


def test_recording_a_circuit_does_not_change_its_hash():
    # QPY and the exporter make gates compute and cache things (an Isometry caches its inverse): not content
    import numpy as np
    from qiskit.circuit.library import Isometry
    from qiskit.quantum_info import random_unitary

    from qhybrid_lab.circuits.record import circuit_record

    qc = QuantumCircuit(3)
    qc.append(Isometry(np.asarray(random_unitary(8, seed=4).data)[:, :2], 0, 0), [0, 1, 2])
    qc.measure_all()
    before = circuit_hash(qc)
    fields = circuit_record(qc, lambda data: "sha256:" + "0" * 64, inline_limit=8192)
    assert fields["hash"] == before == circuit_hash(qc)
