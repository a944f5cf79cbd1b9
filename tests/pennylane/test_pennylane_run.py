"""PennyLane objects through qhybrid_lab.run and %%qrun on PennyLane devices, Aer and an emulator, recorded like any run."""

from __future__ import annotations

import numpy as np
import pytest
from pennylane_helpers import ALL_BACKENDS, NATIVE, ansatz_qnode, asymmetric_qnode

from qhybrid_lab import run
from qhybrid_lab.circuits.pennylane import bind
from qhybrid_lab.circuits.pennylane_results import measurement_values

SHOTS = 20_000
THETAS = np.array([[0.3, 1.1, 2.0, 0.4], [2.6, 0.2, 1.4, 3.0], [1.2, 1.9, 0.7, 2.2]])


@pytest.fixture
def log(qhome):
    from qhybrid_lab.runlog import open_runlog

    return open_runlog(qhome)


def sigma(shots: int = SHOTS) -> float:
    return 1 / shots**0.5


def test_a_broadcast_qnode_agrees_with_pennylane_on_every_backend(log):
    ansatz = ansatz_qnode()
    exact = np.asarray(ansatz(THETAS))  # PennyLane's own broadcast, analytic
    group = run(bind(ansatz, THETAS), ALL_BACKENDS, shots=SHOTS, seed=3, wait=True)
    values = measurement_values(group, bind(ansatz, THETAS))
    assert list(values) == ["ansatz[0]", "ansatz[1]", "ansatz[2]"]
    for i, label in enumerate(values):
        for backend in ALL_BACKENDS:
            (expval,) = values[label][backend]
            tolerance = 5 * sigma() if backend != "fake_manila" else 0.3  # device noise: measured up to 0.25
            assert abs(expval - exact[i]) < tolerance, (label, backend, expval, exact[i])
    records = log.query(group=group.id, limit=None)  # ONE sweep job per backend, its points in order
    assert len(records) == len(ALL_BACKENDS) and {r["status"] for r in records} == {"done"}
    assert all(np.allclose(r["parameters"]["values"], THETAS) and len(r["result"]["counts"]) == 3 for r in records)
    native = [r for r in records if r["backend"]["provider"] == "pennylane"]
    assert {r["backend"]["name"] for r in native} == set(NATIVE)
    assert all(r["backend"]["kind"] == "simulator" and r["simulation"]["method"].startswith("pennylane ")
               for r in native)
    assert all(r["circuit"]["qasm"].startswith("OPENQASM 3.0") and r["circuit"]["ops"]["ry"] == 4 for r in records)
    assert len({r["circuit"]["hash"] for r in records}) == 1  # one template, shared by the backends


def test_probabilities_match_pennylane_with_many_shots():
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=3))
    def uneven():
        qml.RY(0.9, wires=0)
        qml.CRX(2.1, wires=[0, 1])
        qml.Hadamard(2)
        qml.CZ([1, 2])
        return qml.probs(wires=[0, 1, 2])

    exact = uneven()
    shots = 200_000
    group = run(uneven, ["pennylane:lightning.qubit", "aer"], shots=shots, seed=9, wait=True)
    for backend, values in measurement_values(group, uneven)["uneven"].items():
        (probs,) = values
        assert np.allclose(probs, exact, atol=5 * (0.25 / shots) ** 0.5), backend


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_bit_order_on_an_asymmetric_circuit(backend):
    counts = run(asymmetric_qnode(), backend, shots=400, seed=1, wait=True).result()["flip"][backend]
    assert max(counts, key=counts.get) == "01"  # wire 0 flipped: Qiskit's rightmost bit
    if backend != "fake_manila":
        assert counts == {"01": 400}


def test_a_tape_runs_and_is_recorded(log):
    import pennylane as qml

    tape = qml.tape.QuantumScript([qml.Hadamard(0), qml.CNOT([0, 1])], [qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))])
    group = run(tape, "pennylane:default.qubit", shots=300, seed=4, name="bell", wait=True)
    assert group.result()["bell"]["pennylane:default.qubit"].keys() <= {"00", "11"}
    (record,) = log.query(group=group.id)
    assert record["circuit"]["name"] == "bell" and record["shots"] == 300 and record["seed"] == 4
    assert record["backend"]["name"] == "pennylane:default.qubit" and record["result"]["shots"] == 300
    assert measurement_values(group, tape, name="bell")["bell"]["pennylane:default.qubit"] == [1.0]


# --- %%qrun through a real IPython shell ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ip():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    return shell


CELL = """\
import numpy as np
import pennylane as qml
from qhybrid_lab.circuits.pennylane import bind

@qml.qnode(qml.device("lightning.qubit", wires=3))
def ansatz(theta):
    for i in range(3):
        qml.RY(theta[..., i], wires=i)
    qml.CNOT([0, 1])
    qml.CNOT([1, 2])
    return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))

thetas = np.array([[0.1, 0.2, 0.3], [1.5, 2.5, 0.5]])
{"ansatz": bind(ansatz, thetas)}
"""


def test_qrun_runs_a_broadcast_qnode_on_pennylane_and_aer(ip, log):
    ip.run_cell_magic("qrun", f"-b pennylane:lightning.qubit -b aer --shots {SHOTS} --seed 5 --name grp --wait", CELL)
    group = ip.user_ns["grp"]
    assert len(group) == 2  # one sweep per backend
    exact = ip.user_ns["ansatz"](ip.user_ns["thetas"])
    values = measurement_values(group, {"ansatz": bind(ip.user_ns["ansatz"], ip.user_ns["thetas"])})
    for i in range(2):
        for backend in ("pennylane:lightning.qubit", "aer"):
            assert abs(values[f"ansatz[{i}]"][backend][0] - exact[i]) < 5 * sigma()
    records = log.query(group=group.id, limit=None)
    assert {r["backend"]["name"] for r in records} == {"pennylane:lightning.qubit", "aer"}
    assert all(r["status"] == "done" and r["origin"]["pid"] for r in records)


def test_qrun_reports_a_qnode_missing_its_arguments(ip):
    from IPython.core.error import UsageError

    cell = CELL.replace('{"ansatz": bind(ansatz, thetas)}', '[ansatz]')
    with pytest.raises(UsageError, match=r"QNode 'ansatz' needs its argument\(s\) theta"):
        ip.run_cell_magic("qrun", "-b pennylane:default.qubit", cell)
