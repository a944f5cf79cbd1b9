"""A recorded job's circuit runs again from the run log alone (its QPY copy): %qrerun / rerun(), %qresult and
compare() for circuits OpenQASM 3 cannot write, sweeps and observables kept."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.error import UsageError

import qhybrid_lab
from qhybrid_lab.errors import UnknownJob
from qhybrid_lab.jobs.rerun import recorded_circuit, rerun


@pytest.fixture
def ip(qhome):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    return shell


def grover():
    """Qiskit's Grover operator over a DiagonalGate oracle: OpenQASM 3 cannot write it (the issue's example)."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import DiagonalGate, grover_operator

    oracle = QuantumCircuit(3)
    oracle.append(DiagonalGate([1] * 7 + [-1]), [0, 1, 2])
    circuit = QuantumCircuit(3, name="grover")
    circuit.h([0, 1, 2])
    circuit.compose(grover_operator(oracle), inplace=True)
    circuit.measure_all()
    return circuit


def test_a_circuit_openqasm3_cannot_write_is_read_back_rerun_compared_and_its_result_fetched(ip):
    # Given a Grover circuit run on aer, recorded without OpenQASM 3 text
    first = qhybrid_lab.run(grover(), "aer", shots=2000, seed=3, wait=True)[0]
    assert first.record["circuit"]["qasm"] is None and "DiagonalGate" in first.record["circuit"]["qasm_unavailable"]
    # When it is run again from the run log, on its own backend and on an emulator
    again = ip.run_line_magic("qrerun", f"{first.id[:8]} --wait")[0]
    emulated = ip.run_line_magic("qrerun", f"{first.id[:8]} -b fake_manila --shots 1500 --wait")[0]
    # Then it is the same circuit: same hash and name, the same seed gives the same counts on aer
    for job in (again, emulated):
        assert job.record["circuit"]["hash"] == first.record["circuit"]["hash"]
        assert job.record["circuit"]["name"] == "grover" and job.record["status"] == "done"
    assert again.record["seed"] == 3 and again.result() == first.result()
    assert emulated.record["backend"]["name"] == "fake_manila" and emulated.record["shots"] == 1500
    # And %qresult and compare() work on it like on any circuit
    assert ip.run_line_magic("qresult", emulated.id[:8]) == emulated.result()
    comparison = qhybrid_lab.compare(first.id, emulated.id)
    assert 0.5 < comparison.hellinger_fidelity < 1.0  # the emulator's device noise


def test_a_sweep_with_observables_reruns_with_its_points_and_observables(qhome):
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import SparsePauliOp

    theta = Parameter("theta")
    circuit = QuantumCircuit(2, name="rot")
    circuit.ry(theta, 0)
    circuit.cx(0, 1)
    points = np.linspace(0, np.pi, 4)[:, None]
    observable = SparsePauliOp(["ZZ", "XI"], [0.5, -1.0])
    first = qhybrid_lab.run(circuit, "aer", parameter_values=points, observables=observable, shots=800, seed=5,
                            wait=True)[0]
    sweep = recorded_circuit(first.record)
    assert len(sweep) == 4 and sweep.circuit.name == "rot"
    again = rerun(first.id, wait=True)[0]
    assert again.record["parameters"] == first.record["parameters"]
    assert again.record["observables"] == first.record["observables"]
    assert again.record["circuit"]["hash"] == first.record["circuit"]["hash"]
    assert again.result() == first.result()  # same seed, same points: the same counts per point


def test_rerun_of_an_unknown_job_says_so(ip):
    with pytest.raises(UsageError, match="no job 'feedbeef'"):
        ip.run_line_magic("qrerun", "feedbeef")
    with pytest.raises(UnknownJob):
        rerun("feedbeef")
