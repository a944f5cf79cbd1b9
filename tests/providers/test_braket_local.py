"""Braket's local modes: gate semantics, distributions against Aer, bit order, noise models, the engine, no SDK."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from qhybrid_lab.backends import get_backend, list_backends
from qhybrid_lab.backends.braket_convert import QISKIT_TO_BRAKET, to_braket_program
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.errors import InvalidJobSpec, MissingDependency

SHOTS = 4000


def run_on(name, circuit, shots=SHOTS, seed=7):
    backend = get_backend(name)
    (result,) = backend.execute([transpile_for(circuit, backend).circuit], shots=shots, seed=seed)
    return result.counts


def homogeneity_p(a: dict, b: dict) -> float:
    """p-value of a chi-square test that two count samples come from one distribution."""
    keys = sorted(set(a) | set(b))
    table = np.array([[a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]])
    return 1.0 if len(keys) == 1 else float(chi2_contingency(table)[1])


def entangler(theta: float = 0.7):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3, name="entangler")
    qc.ry(theta, 0)
    qc.h(1)
    qc.cx(0, 2)
    qc.rz(0.4, 2)
    qc.ry(1.1, 2)
    qc.cx(1, 0)
    qc.measure_all()
    return qc


@pytest.mark.parametrize("gate", sorted(QISKIT_TO_BRAKET))
def test_each_braket_gate_is_the_qiskit_gate(gate):
    # Given: the Qiskit gate between random rotations on 3 qubits (so phases and qubit order matter)
    from braket.devices import LocalSimulator
    from braket.ir.openqasm import Program
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import get_standard_gate_name_mapping
    from qiskit.quantum_info import Statevector

    operation = get_standard_gate_name_mapping()[gate]
    rng = np.random.default_rng(abs(hash(gate)) % 2**32)
    operation = operation.base_class(*rng.uniform(-math.pi, math.pi, len(operation.params)))
    qc = QuantumCircuit(3)
    for q in range(3):
        qc.ry(rng.uniform(0, math.pi), q)
        qc.rz(rng.uniform(0, math.pi), q)
    qc.append(operation, [2, 0, 1][:operation.num_qubits])
    for q in range(3):
        qc.rx(rng.uniform(0, math.pi), q)
    # When: Braket simulates the emitted program exactly
    source = to_braket_program(qc).source + "#pragma braket result probability q[0], q[1], q[2]\n"
    (probabilities,) = LocalSimulator("braket_sv").run(Program(source=source), shots=0).result().values
    # Then: its probabilities (q[0] most significant) are Qiskit's (qubit 0 least significant)
    expected = Statevector(qc).probabilities()
    reordered = [expected[int(format(i, "03b")[::-1], 2)] for i in range(8)]
    assert np.allclose(probabilities, reordered, atol=1e-9)


@pytest.mark.parametrize("name", ["braket:local", "braket:local_dm"])
def test_distribution_agrees_with_aer(name):
    braket_counts = run_on(name, entangler(), seed=3)
    aer_counts = run_on("aer", entangler(), seed=4)
    assert sum(braket_counts.values()) == SHOTS
    assert homogeneity_p(braket_counts, aer_counts) > 1e-4
    # the same test tells a different circuit apart (it has the power to fail)
    assert homogeneity_p(braket_counts, run_on("aer", entangler(theta=1.2), seed=4)) < 1e-4


@pytest.mark.parametrize("name", ["braket:local", "braket:local_dm"])
def test_bit_order_with_an_asymmetric_circuit(name):
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    qc = QuantumCircuit(3, name="x0")
    qc.x(0)
    qc.measure_all()
    assert run_on(name, qc, shots=50) == {"001": 50}
    q, low, high = QuantumRegister(3, "q"), ClassicalRegister(1, "low"), ClassicalRegister(2, "high")
    split = QuantumCircuit(q, low, high, name="split")
    split.x(q[0])
    split.x(q[1])
    split.measure(q[0], high[1])
    split.measure(q[1], low[0])
    split.measure(q[2], high[0])
    assert run_on(name, split, shots=50) == {"10 1": 50}


def test_a_saved_noise_model_runs_on_local_dm():
    from braket.circuits import Gate
    from braket.circuits.noise_model import GateCriteria, NoiseModel
    from braket.circuits.noises import BitFlip

    from qhybrid_lab.backends.braket import register_braket_noise
    from qiskit import QuantumCircuit

    name = register_braket_noise("flip20", NoiseModel().add_noise(BitFlip(0.2), GateCriteria(Gate.X)))
    assert name == "braket:local_dm:flip20"
    assert name in {row["name"] for row in list_backends()}
    qc = QuantumCircuit(3, name="x0")
    qc.x(0)
    qc.measure_all()
    backend = get_backend(name)
    (result,) = backend.execute([transpile_for(qc, backend).circuit], shots=SHOTS, seed=9)
    assert set(result.counts) == {"001", "000"}  # only the flipped qubit is noisy
    flipped = result.counts["000"] / SHOTS
    assert abs(flipped - 0.2) < 5 * math.sqrt(0.2 * 0.8 / SHOTS)
    assert "flip20" in result.metadata["noise"] and "sha256:" in backend.version
    with pytest.raises(InvalidJobSpec, match="NoiseModel"):
        register_braket_noise("bad", {"not": "a model"})


def test_run_end_to_end_through_the_engine():
    import qhybrid_lab
    from qhybrid_lab.runlog import open_runlog

    job = qhybrid_lab.run(entangler(), "braket:local", shots=1000, seed=5, wait=True)[0]
    record = open_runlog().get(job.id)
    assert record["status"] == "done" and sum(record["result"]["counts"].values()) == 1000
    assert record["backend"]["provider"] == "braket" and record["backend"]["kind"] == "simulator"
    assert record["cost"]["estimate"] == 0.0 and record["cost"]["actual"] == 0.0
    assert record["cost"]["price_model"]["provider"] == "braket"
    provider_job = record["simulation"]["provider_job"]
    assert provider_job["local"] is True and provider_job["sdk"] == "amazon-braket-sdk"
    assert provider_job["job_id"] in record["simulation"]["braket_task_ids"]
    assert record["transpile"]["two_qubit"] == 2 and record["simulation"]["qubits_simulated"] == 3


def test_listing_is_cheap_and_names_every_braket_backend():
    code = ("import sys; from qhybrid_lab.backends import list_backends; rows = list_backends(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('braket', 'boto3', 'botocore')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    names = {row["name"]: row for row in list_backends()}
    assert {"braket:local", "braket:local_dm", "braket:sv1", "braket:iqm_garnet", "braket:ionq_forte"} <= set(names)
    assert names["braket:iqm_garnet"]["kind"] == "hardware" and names["braket:sv1"]["kind"] == "simulator"


BLOCKER = """
import sys
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('braket', 'boto3', 'botocore'):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Blocker())
"""


def test_without_the_sdk_names_are_listed_unavailable_with_the_install_line():
    code = BLOCKER + """
from qhybrid_lab.backends import get_backend, list_backends
from qhybrid_lab.errors import MissingDependency
rows = {r['name']: r for r in list_backends()}
print(rows['braket:local']['description'])
print(rows['braket:sv1']['description'])
for name in ('braket:local', 'braket:sv1', 'braket:arn:aws:braket:::device/quantum-simulator/amazon/sv1'):
    try:
        get_backend(name)
    except MissingDependency as exc:
        print('MissingDependency:', exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    line = 'pip install "qhybrid-lab[braket]"'
    assert len(out) == 5 and all(line in row for row in out), out
    assert all(row.startswith("MissingDependency:") for row in out[2:])
    assert "unavailable" in out[0] and "unavailable" in out[1]
    assert issubclass(MissingDependency, ImportError)
