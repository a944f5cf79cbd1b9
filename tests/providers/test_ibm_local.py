"""``ibm:fake_<device>``: the IBM adapter in IBM's local testing mode, end to end through ``qhybrid_lab.run()``,
and compared with the project's own emulator ``fake_<device>`` and with ideal Aer."""

from __future__ import annotations

import math

import pytest
from ibm_helpers import asymmetric, bell, transpiled, two_registers

from qhybrid_lab.backends import get_backend
from qhybrid_lab.errors import UnknownProviderJob

SHOTS = 20_000


def tvd(a: dict[str, int], b: dict[str, int]) -> float:
    na, nb = sum(a.values()), sum(b.values())
    return 0.5 * sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in set(a) | set(b))


def test_run_end_to_end_gives_a_complete_record(qhome):
    from qhybrid_lab import run

    # Given three circuits whose ideal results tell the bit order apart
    group = run({"bell": bell(), "asym": asymmetric(), "regs": two_registers()}, "ibm:fake_manila", shots=2000,
                seed=7, wait=True)
    # Then each job is done, recorded as an emulator of the IBM provider, with its local provider job
    records = {job.circuit_name: job.record for job in group}
    assert set(records) == {"bell", "asym", "regs"}
    for record in records.values():
        assert record["status"] == "done", record.get("error")
        assert record["backend"] == {"name": "ibm:fake_manila", "provider": "ibm", "kind": "emulator",
                                     "version": record["backend"]["version"], "num_qubits": 5}
        provider_job = record["simulation"]["provider_job"]
        assert provider_job["local"] is True and provider_job["provider"] == "ibm" and len(provider_job["job_id"]) == 36
        assert record["simulation"]["mode"] == "qiskit-ibm-runtime local testing mode"
        assert record["cost"]["estimate"] == 0.0 and record["cost"]["hardware_equivalent"] > 0
        assert record["calibration"]["median_2q_error"] > 0 and record["transpile"]["depth"] > 0
        assert sum(record["result"]["counts"].values()) == 2000
    # And the counts are keyed like Qiskit's: qubit 0 rightmost, registers last-added first
    counts = {name: record["result"]["counts"] for name, record in records.items()}
    assert max(counts["asym"], key=counts["asym"].get) == "001"
    assert max(counts["regs"], key=counts["regs"].get) == "1 10"
    assert counts["bell"].get("00", 0) + counts["bell"].get("11", 0) > 0.85 * 2000


def test_it_has_the_same_target_as_the_projects_emulator():
    ours, ibm = get_backend("fake_manila").target(), get_backend("ibm:fake_manila").target()
    assert ibm.num_qubits == ours.num_qubits and set(ibm.operation_names) == set(ours.operation_names)
    for name in ours.operation_names:
        for qargs, props in ours[name].items():
            other = ibm[name][qargs]
            assert (props is None) == (other is None)
            if props is not None:
                assert (props.error, props.duration) == (other.error, other.duration)
    assert [(q.t1, q.t2) for q in ibm.qubit_properties] == [(q.t1, q.t2) for q in ours.qubit_properties]


def test_its_noise_differs_from_the_projects_emulator_only_in_readout_asymmetry():
    """IBM's local mode builds its noise from the calibration *properties* (readout P(1|0) and P(0|1) apart);
    the project's emulator, like ``AerSimulator.from_backend``, from the *target* (one symmetric readout error,
    their mean). Gate errors are the same."""
    from qhybrid_lab.backends.trimming import noise_model_for_target

    fake = get_backend("ibm:fake_manila").qiskit_backend()
    ibm, ours = fake._get_noise_model_from_backend_v2(), noise_model_for_target(fake.target)
    for q in range(5):
        p10 = ibm._local_readout_errors[(q,)].probabilities[0][1]
        p01 = ibm._local_readout_errors[(q,)].probabilities[1][0]
        symmetric = ours._local_readout_errors[(q,)].probabilities
        assert symmetric[0][1] == pytest.approx(symmetric[1][0])
        assert symmetric[0][1] == pytest.approx((p10 + p01) / 2, abs=1e-9)
        assert p10 != pytest.approx(p01, abs=1e-3)
    assert ibm._local_quantum_errors["cx"] == ours._local_quantum_errors["cx"]


@pytest.mark.parametrize("make", [bell, asymmetric], ids=["bell", "asym"])
def test_its_distributions_are_within_noise_of_the_projects_emulator(make):
    # The same transpiled circuit on both; fixed seeds, so the comparison is reproducible.
    ibm, ours = get_backend("ibm:fake_manila"), get_backend("fake_manila")
    circuit = transpiled(make(), ours)
    a = ibm.execute([circuit], shots=SHOTS, seed=11)[0].counts
    b = ours.execute([circuit], shots=SHOTS, seed=12)[0].counts
    # Bound: two samples of SHOTS over k outcomes differ by about sqrt(k / SHOTS) in TVD (5x for margin), plus
    # what the readout models can change: at most the sum over measured qubits of |P(1|0) - P(0|1)| / 2.
    fake = ibm.qiskit_backend()
    readout = fake._get_noise_model_from_backend_v2()._local_readout_errors
    measured = [circuit.find_bit(i.qubits[0]).index for i in circuit.data if i.operation.name == "measure"]
    asymmetry = sum(abs(readout[(q,)].probabilities[0][1] - readout[(q,)].probabilities[1][0]) / 2 for q in measured)
    k = len(set(a) | set(b))
    assert tvd(a, b) <= asymmetry + 5 * math.sqrt(k / SHOTS)
    assert max(a, key=a.get) == max(b, key=b.get)


def test_it_is_close_to_ideal_aer_where_the_ideal_outcome_dominates():
    ibm, aer = get_backend("ibm:fake_manila"), get_backend("aer")
    for make, ideal in ((asymmetric, {"001"}), (bell, {"00", "11"})):
        noisy = ibm.execute([transpiled(make(), ibm)], shots=SHOTS, seed=3)[0].counts
        exact = aer.execute([transpiled(make(), aer)], shots=SHOTS, seed=3)[0].counts
        assert set(exact) == ideal
        assert 0 < tvd(noisy, exact) < 0.1  # noisy, but only a little
        assert sum(noisy.get(key, 0) for key in ideal) > 0.9 * SHOTS


def test_local_jobs_live_only_in_their_process():
    backend = get_backend("ibm:fake_manila")
    circuit = transpiled(bell(), backend)
    ref = backend.submit([circuit], shots=100, seed=1, idempotency_key="local-key")
    assert ref.local and ref.backend == "ibm:fake_manila"
    assert backend.find_submitted("local-key", since=0).job_id == ref.job_id
    assert backend.find_submitted("other-key", since=0) is None
    assert backend.attach(ref.job_id) == ref
    from qhybrid_lab.backends.ibm_local import IBMLocalBackend

    elsewhere = IBMLocalBackend(backend.device)  # what another process would have: nothing of this job
    with pytest.raises(UnknownProviderJob, match="only in the process that ran them"):
        elsewhere.poll(ref)
    backend.execute([circuit], shots=10, seed=1)
    assert backend.poll(ref).final
    assert backend.cancel(ref) is False
