"""The remote lifecycle of ``ibm:<device>`` through the adapter, against the loopback IBM Quantum service.

The real qiskit-ibm-runtime client talks HTTP to the loopback service (its own process), which runs the PUBs
with Aer and the device's noise. Jobs are scripted per tag (queue and run times, failure, hold, a lost answer).
"""

from __future__ import annotations

import json
import math
import time

import pytest
from ibm_helpers import bell, poll_until_final, transpiled, two_registers

from qhybrid_lab.errors import ProviderError, ProviderUnreachable, UnknownProviderJob
from qhybrid_lab.status import JobStatus

SHOTS = 2000


def distinct(states):
    out = []
    for state in states:
        if not out or out[-1] != state:
            out.append(state)
    return out


def test_a_job_goes_queued_running_done_with_a_real_result(manila, ibm_account):
    # Given a job scripted to wait in the queue and then run
    ibm_account.script("life-1", queue_seconds=0.5, run_seconds=0.5)
    # When it is submitted and polled until final
    ref = manila.submit([transpiled(bell(), manila)], shots=SHOTS, seed=None, idempotency_key="life-1")
    seen = poll_until_final(manila, ref)
    # Then every state was reported, in order, in IBM's words and ours
    assert distinct(s.provider_state for s in seen) == ["QUEUED", "RUNNING", "DONE"]
    assert distinct(s.status for s in seen) == [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE]
    queued = seen[0]
    assert queued.queue_position is None and "no queue position" in queued.queue_note
    assert set(seen[-1].timestamps) == {"created", "running", "finished"}
    # And the result is the device-noise sample Aer made at the service: mostly 00/11, not only
    outcome = manila.result(ref)
    (result,) = outcome.results
    assert result.shots == SHOTS and sum(result.counts.values()) == SHOTS
    good = result.counts.get("00", 0) + result.counts.get("11", 0)
    assert 0.85 * SHOTS < good < SHOTS
    # And the service holds one job, tagged with the key, from the SDK's sampler
    (job,) = ibm_account.jobs("life-1")
    assert job["id"] == ref.job_id and job["program_id"] == "sampler" and job["num_pubs"] == 1
    assert ref.backend == "ibm:ibmq_manila" and ref.instance.startswith("crn:v1:") and not ref.local


def test_many_circuits_and_a_sweep_go_as_one_job(manila, ibm_account):
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    rotation = QuantumCircuit(1, name="rx")
    rotation.rx(theta, 0)
    rotation.measure_all()
    template = transpiled(rotation, manila)
    (bound,) = template.parameters
    points = [0.0, math.pi, math.pi / 2]
    ref = manila.submit([transpiled(bell(), manila), template], shots=SHOTS, seed=None,
                        parameter_binds=[{}, {bound: points}], idempotency_key="one-job")
    assert poll_until_final(manila, ref)[-1].status is JobStatus.DONE
    results = manila.result(ref).results
    # One result for the circuit, then one per sweep point, in order
    assert len(results) == 4
    assert [r.metadata.get("point") for r in results] == [None, [0], [1], [2]]
    assert results[1].counts.get("0", 0) > 0.9 * SHOTS and results[2].counts.get("1", 0) > 0.9 * SHOTS
    assert 0.35 * SHOTS < results[3].counts.get("1", 0) < 0.65 * SHOTS
    (job,) = ibm_account.jobs("one-job")
    assert job["num_pubs"] == 2 and job["executions"] == SHOTS * (1 + len(points))


def test_counts_join_two_registers_like_qiskit(manila, ibm_account):
    ref = manila.submit([transpiled(two_registers(), manila)], shots=SHOTS, seed=None, idempotency_key="regs")
    poll_until_final(manila, ref)
    counts = manila.result(ref).results[0].counts
    assert max(counts, key=counts.get) == "1 10"
    assert all(len(key) == 4 and key[1] == " " for key in counts)


def test_counts_of_another_process_join_registers_in_the_same_order(manila, ibm_account):
    from qhybrid_lab.backends.ibm import IBMBackend
    from qhybrid_lab.backends.remote import ProviderJobRef

    ref = manila.submit([transpiled(two_registers(), manila)], shots=500, seed=None, idempotency_key="regs-2")
    poll_until_final(manila, ref)
    # A fresh adapter knows nothing of the circuit: only the reference from the run log
    elsewhere = IBMBackend("ibmq_manila")
    counts = elsewhere.result(ProviderJobRef.from_record(json.loads(json.dumps(ref.as_record())))).results[0].counts
    assert max(counts, key=counts.get) == "1 10"


def test_a_failed_job_keeps_its_message(manila, ibm_account):
    ibm_account.script("bad", fail="calibration drift: qubit 3 unusable", fail_code=1517)
    ref = manila.submit([transpiled(bell(), manila)], shots=100, seed=None, idempotency_key="bad")
    final = poll_until_final(manila, ref)[-1]
    assert final.status is JobStatus.FAILED and final.provider_state == "ERROR"
    assert "calibration drift: qubit 3 unusable" in final.message and "1517" in final.message
    with pytest.raises(ProviderError, match="calibration drift"):
        manila.result(ref)


def test_cancel_while_queued_reaches_the_service(manila, ibm_account):
    ibm_account.script("held", hold=True)
    ref = manila.submit([transpiled(bell(), manila)], shots=100, seed=None, idempotency_key="held")
    assert manila.poll(ref).status is JobStatus.QUEUED
    assert manila.cancel(ref) is True
    assert ibm_account.job(ref.job_id)["status"] == "Cancelled"
    assert any(r["method"] == "POST" and r["path"] == f"/api/v1/jobs/{ref.job_id}/cancel" and r["status"] == 204
               for r in ibm_account.requests())
    assert manila.poll(ref).status is JobStatus.CANCELLED
    # A second cancel meets IBM's 409 for a final job: False, not an error
    from qhybrid_lab.backends.ibm import IBMBackend

    assert IBMBackend("ibmq_manila").cancel(ref) is False


def test_a_lost_answer_is_found_by_its_tag_and_not_submitted_twice(manila, ibm_account):
    # Given the service creates the job, then closes the connection instead of answering
    key = "sha256:" + "ab" * 32
    ibm_account.script(key, drop_create_response=1)
    since = time.time()
    with pytest.raises(ProviderUnreachable):
        manila.submit([transpiled(bell(), manila)], shots=SHOTS, seed=None, idempotency_key=key)
    # When the engine asks before any resubmission
    found = manila.find_submitted(key, since=since)
    # Then it is the one job the service holds for the key, and the SDK did not retry the POST itself
    (job,) = ibm_account.jobs(key)
    assert found is not None and found.job_id == job["id"]
    creates = [r for r in ibm_account.requests()
               if r["method"] == "POST" and r["path"] == "/api/v1/jobs" and r["at"] >= since]
    assert [r["status"] for r in creates] == ["dropped"]
    assert poll_until_final(manila, found)[-1].status is JobStatus.DONE
    assert sum(manila.result(found).results[0].counts.values()) == SHOTS
    # And a key that was never submitted is not found
    assert manila.find_submitted("sha256:" + "cd" * 32, since=since) is None


def test_attach_a_job_created_directly_with_the_sdk(manila, ibm_account):
    import warnings

    from qiskit_ibm_runtime import QiskitRuntimeService, SamplerV2

    service = QiskitRuntimeService()
    device = service.backend("ibmq_manila")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        job = SamplerV2(mode=device).run([transpiled(bell(), manila)], shots=300)
    ref = manila.attach(job.job_id())
    assert ref.job_id == job.job_id() and ref.backend == "ibm:ibmq_manila"
    assert poll_until_final(manila, ref)[-1].status is JobStatus.DONE
    assert sum(manila.result(ref).results[0].counts.values()) == 300
    with pytest.raises(UnknownProviderJob):
        manila.attach("d0000000000000000000")


def test_metrics_usage_and_actual_cost(manila, ibm_account):
    from qhybrid_lab.costs.prices import estimate_cost

    circuit = transpiled(bell(), manila)
    estimate = estimate_cost(manila, circuit, 4000)
    assert estimate["estimate"] > 0 and estimate["qpu_seconds"] > 3
    ref = manila.submit([circuit], shots=4000, seed=None, idempotency_key="cost")
    poll_until_final(manila, ref)
    outcome = manila.result(ref)
    job = ibm_account.job(ref.job_id)
    assert outcome.usage["qpu_seconds"] == job["usage_seconds"] > 0
    assert outcome.actual_cost == pytest.approx(1.6 * job["usage_seconds"])
    assert outcome.timestamps["created"] <= outcome.timestamps["running"] <= outcome.timestamps["finished"]
    assert outcome.metrics["usage"]["status"] == "complete"
    json.dumps({"metrics": outcome.metrics, "usage": outcome.usage, "timestamps": outcome.timestamps})


@pytest.mark.parametrize(("mode", "ibm_mode"), [("batch", "batch"), ("session", "dedicated")])
def test_batch_and_session_keep_one_for_several_submissions(manila, ibm_account, mode, ibm_mode):
    refs = [manila.submit([transpiled(bell(), manila)], shots=100, seed=None, idempotency_key=f"{mode}-{i}",
                          mode=mode) for i in range(2)]
    sessions = {ibm_account.job(ref.job_id)["session_id"] for ref in refs}
    assert len(sessions) == 1 and None not in sessions
    (session_id,) = sessions
    assert ibm_account.state.read(f"sessions/{session_id}.json")["mode"] == ibm_mode
    manila.close_modes()
    assert ibm_account.state.read(f"sessions/{session_id}.json")["accepting_jobs"] is False
    later = manila.submit([transpiled(bell(), manila)], shots=100, seed=None, idempotency_key=f"{mode}-2", mode=mode)
    assert ibm_account.job(later.job_id)["session_id"] not in (None, session_id)
    assert all(poll_until_final(manila, r)[-1].status is JobStatus.DONE for r in [*refs, later])


def test_an_unknown_mode_is_refused_before_anything_is_sent(manila, ibm_account):
    from qhybrid_lab.errors import InvalidJobSpec

    with pytest.raises(InvalidJobSpec, match="mode"):
        manila.submit([transpiled(bell(), manila)], shots=10, seed=None, idempotency_key="turbo", mode="turbo")
    assert ibm_account.jobs("turbo") == []
