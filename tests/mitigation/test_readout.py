"""Readout mitigation through mthree: calibrated on the job's own emulator, recorded, better than raw, raw intact."""

from __future__ import annotations

import math

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import hellinger_fidelity

from qhybrid_lab.errors import MitigationUnavailable
from qhybrid_lab.jobs import run
from qhybrid_lab.mitigation import mitigated_probabilities
from qhybrid_lab.mitigation.readout import balanced_matrices
from qhybrid_lab.runlog import open_runlog

SHOTS = 8000
IDEAL_GHZ = {"000": 0.5, "111": 0.5}


def ghz3() -> QuantumCircuit:
    qc = QuantumCircuit(3, 3, name="ghz3")
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure(range(3), range(3))
    return qc


def probabilities(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()}


def margin(fidelity: float) -> float:
    """Three binomial standard errors of a fidelity estimated from SHOTS shots."""
    return 3 * math.sqrt(fidelity * (1 - fidelity) / SHOTS)


@pytest.mark.parametrize("backend", ["fake_manila", "ibm:fake_manila"])
def test_readout_mitigation_improves_an_emulators_fidelity_and_is_recorded(qhome, backend):
    # Given a GHZ circuit on a readout-noisy emulator, run with and without readout mitigation (same seed)
    mitigated_job = run(ghz3(), backend, shots=SHOTS, seed=11, mitigation="readout", wait=True).jobs[0]
    raw_job = run(ghz3(), backend, shots=SHOTS, seed=11, wait=True).jobs[0]
    record, plain = mitigated_job.record, raw_job.record
    assert record["status"] == "done", record["error"]

    # Then the raw counts are exactly those of the unmitigated run: mitigation left them intact
    assert record["result"]["counts"] == plain["result"]["counts"]
    assert sum(record["result"]["counts"].values()) == SHOTS
    assert plain["mitigation"] == {} and "mitigated" not in plain["result"]

    # and the record says what was applied, with the calibration data used
    mitigation = record["mitigation"]
    assert mitigation["method"] == "readout" and mitigation["library"] == "mthree" and mitigation["applied"]
    assert mitigation["version"].startswith("3.")
    assert sorted(mitigation["qubits"]) == sorted(record["transpile"]["physical_qubits"])
    calibration = mitigation["calibration"]
    assert calibration["backend"] == backend and backend in calibration["source"]
    assert calibration["shots"] >= 10_000 and calibration["created"] <= record["timings"]["finished_at"]
    assert len(calibration["data"]) == 3
    for (p00, p01), (p10, p11) in calibration["data"]:
        assert 0.8 < p00 <= 1 and 0.8 < p11 <= 1 and math.isclose(p00 + p10, 1) and math.isclose(p01 + p11, 1)
    assert any(p10 > 0 or p01 > 0 for (_, p01), (p10, _) in calibration["data"])  # the device does misread

    # and mitigation brings the distribution measurably closer to the ideal one
    raw = hellinger_fidelity(probabilities(record["result"]["counts"]), IDEAL_GHZ)
    better = hellinger_fidelity(mitigated_probabilities(record), IDEAL_GHZ)
    assert better > raw + margin(raw), (raw, better)
    assert record["result"]["mitigated"]["mitigation_overhead"] >= 1.0

    # and the run log holds the same as the handle
    assert open_runlog(qhome).get(record["id"])["mitigation"] == mitigation


def test_a_sweep_is_calibrated_once_and_every_point_is_mitigated(qhome):
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    qc = QuantumCircuit(2, 2, name="rx-pair")
    qc.rx(theta, 0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    job = run(qc, "fake_manila", shots=2000, seed=5, mitigation="readout", parameter_values=[[0.0], [math.pi]],
              wait=True).jobs[0]
    record = job.record
    assert record["status"] == "done", record["error"]
    quasi = record["result"]["mitigated"]["quasi_probabilities"]
    assert isinstance(quasi, list) and len(quasi) == 2 == len(record["result"]["counts"])
    assert quasi[0].get("00", 0) > 0.95 and quasi[1].get("11", 0) > 0.9
    assert len(record["mitigation"]["calibration"]["data"]) == 2


@pytest.mark.parametrize("backend, words", [
    ("aer", "not needed on aer: it is an ideal simulator"),
    ("aer:statevector", "not needed"),
    ("braket:local", "noise-free"),
])
def test_a_backend_without_readout_error_refuses_mitigation_with_a_clear_message(qhome, backend, words):
    with pytest.raises(MitigationUnavailable, match=words):
        run(ghz3(), backend, mitigation="readout")
    assert open_runlog(qhome).count() == 0  # refused before anything was recorded


def test_an_ibm_cloud_device_says_why_it_is_not_mitigated():
    from qhybrid_lab.backends import get_backend

    message = get_backend("ibm:ibm_torino").mitigation_refusal("readout")
    assert "SamplerV2 has no measurement mitigation" in message and "resilience.measure_mitigation" in message
    assert get_backend("ibm:fake_manila").mitigation_refusal("readout") is None


def test_a_circuit_that_mitigation_cannot_correct_keeps_its_raw_result_and_says_why(qhome):
    qc = QuantumCircuit(2, 3, name="spare-bit")
    qc.x(0)
    qc.measure([0, 1], [0, 1])  # clbit 2 is never measured
    record = run(qc, "fake_manila", shots=500, seed=3, mitigation="readout", wait=True).jobs[0].record
    assert record["status"] == "done" and sum(record["result"]["counts"].values()) == 500
    assert record["mitigation"]["applied"] is False and "bits [2]" in record["mitigation"]["reason"]
    assert "mitigated" not in record["result"]


def test_unknown_mitigation_is_refused():
    from qhybrid_lab.errors import InvalidJobSpec

    with pytest.raises(InvalidJobSpec, match="mitigation must be one of 'readout'"):
        run(ghz3(), "fake_manila", mitigation="zne")


def test_balanced_matrices_follow_mthrees_estimator():
    # two qubits prepared 00, 01, 10, 11 (mthree's bit arrays: last entry is qubit 0), 100 shots each
    strings = [[0, 0], [0, 1], [1, 0], [1, 1]]
    counts = [{"00": 90, "01": 10}, {"01": 100}, {"10": 80, "11": 20}, {"11": 100}]
    (q0, q1) = balanced_matrices(strings, counts, 400)
    # qubit 0 (rightmost bit): prepared 0 in circuits 0 and 2, read 0 in 90 + 80 of 200
    assert q0 == [[0.85, 0.0], [pytest.approx(0.15), 1.0]]
    assert q1 == [[1.0, 0.0], [0.0, 1.0]]


def test_a_noisy_braket_density_matrix_simulator_is_calibrated_and_corrected(qhome):
    from braket.circuits import Gate
    from braket.circuits.noise_model import GateCriteria, NoiseModel
    from braket.circuits.noises import BitFlip

    from qhybrid_lab.backends.braket import register_braket_noise
    from qhybrid_lab.jobs import JobManager

    # The model is saved in this test's QHYBRID_HOME; worker processes started by earlier tests read another one.
    JobManager.shutdown()
    # an X that fails 10% of the time: the calibration circuits see it as qubit 0 misreading a prepared 1
    name = register_braket_noise("xflip10", NoiseModel().add_noise(BitFlip(0.1), GateCriteria(Gate.X)))
    qc = QuantumCircuit(2, 2, name="x0")
    qc.x(0)
    qc.measure([0, 1], [0, 1])
    record = run(qc, name, shots=4000, seed=9, mitigation="readout", wait=True).jobs[0].record
    assert record["status"] == "done", record["error"]
    raw = record["result"]["counts"]
    assert 0.05 < raw.get("00", 0) / 4000 < 0.15
    (p00, p01), (p10, p11) = record["mitigation"]["calibration"]["data"][0]
    assert 0.05 < p01 < 0.15 and p00 == 1.0  # qubit 0: a prepared 0 always reads 0, a prepared 1 misreads ~10%
    assert mitigated_probabilities(record)["01"] > 0.97 > raw["01"] / 4000
