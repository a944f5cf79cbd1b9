"""Provider jobs through the engine, against the loopback Braket service: the lifecycle, recorded step by step.

The reference is recorded before anything waits on it, states map through the provider's table with its own words
kept, cancel and timeouts reach the provider, a dropped answer never makes a second task, and a job whose kernel
stopped is adopted by another process, which records its result.
"""

from __future__ import annotations

import pytest
from braket_helpers import wait_for

from qhybrid_lab.backends.braket_remote import client_token
from qhybrid_lab.errors import JobCancelled, JobFailed
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import RunLog, open_runlog
from qhybrid_lab.status import JobStatus


def asymmetric():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3, name="asym")
    qc.x(0)
    qc.h(1)
    qc.cx(1, 2)
    qc.measure_all()
    return qc


def statuses(record: dict) -> list[str]:
    return [h["status"] for h in record["status_history"]]


def test_queued_running_done_recorded_step_by_step(braket_service, aws_env):
    # Given the service keeps tasks CREATED, QUEUED and RUNNING for a while
    braket_service.script(created=0.2, queued=1.0, running=1.0)
    # When a circuit runs on a Braket device through run()
    job = run(asymmetric(), "braket:sv1", shots=500)[0]
    counts = job.result(timeout=120)
    # Then the record went pending → queued (the task ARN recorded with it) → running → done, with the result
    record = open_runlog().get(job.id)
    assert statuses(record)[0] == "pending" and statuses(record)[-1] == "done"
    assert "queued" in statuses(record) and "running" in statuses(record)
    accepted = next(h for h in record["status_history"] if (h["note"] or "").startswith("accepted by braket"))
    assert accepted["status"] == "queued" and record["provider_job_id"] in accepted["note"]
    assert record["provider_job"]["sdk"] == "amazon-braket-sdk" and record["provider_job"]["region"]
    assert record["provider_status"]["provider_state"] in ("RUNNING", "COMPLETED")
    assert set(counts) <= {"001", "011", "101", "111"} and sum(counts.values()) == 500
    # and the money: the estimate before, the actual after
    assert record["cost"]["estimate"] > 0 and record["cost"]["actual"] is not None
    timings = record["timings"]
    assert timings["submit"] is not None and timings["retrieve"] is not None and timings["total"] > 0


def test_a_provider_failure_fails_the_job_with_the_providers_message(braket_service, aws_env):
    braket_service.script(fail="the device rejected the program: qubit 3 is disabled")  # every new task fails
    try:
        group = run(asymmetric(), "braket:sv1", shots=100)
        with pytest.raises(JobFailed, match="qubit 3 is disabled"):
            group[0].result(timeout=120)
    finally:
        braket_service.script()  # back to the default behaviour
    assert open_runlog().get(group[0].id)["provider_status"]["provider_state"] == "FAILED"


def test_cancel_while_queued_reaches_the_provider(braket_service, aws_env):
    braket_service.script(queued=600)
    try:
        job = run(asymmetric(), "braket:sv1", shots=100)[0]
        wait_for(lambda: job.record.get("provider_job_id") and job.status is JobStatus.QUEUED, timeout=60)
        assert job.cancel() is True
        with pytest.raises(JobCancelled):
            job.result(timeout=60)
    finally:
        braket_service.script()
    task = next(t for t in braket_service.tasks() if t["arn"] == job.record["provider_job_id"])
    assert task["status"] == "CANCELLED"
    assert any(r["method"] == "PUT" and r["path"].endswith("/cancel") for r in braket_service.requests())


def test_a_timeout_cancels_at_the_provider_and_fails_the_job(braket_service, aws_env):
    braket_service.script(queued=600)
    try:
        job = run(asymmetric(), "braket:sv1", shots=100, timeout=2)[0]
        with pytest.raises(JobFailed, match=r"timed out after 2 s .*cancelled at braket"):
            job.result(timeout=120)
    finally:
        braket_service.script()
    task = next(t for t in braket_service.tasks() if t["arn"] == job.record["provider_job_id"])
    assert task["status"] == "CANCELLED" and job.record["timeout"]["action"] == "cancelled"


def test_a_dropped_answer_is_retried_without_a_second_task(braket_service, aws_env):
    # Given the service drops every answer to CreateQuantumTask (the task is created all the same)
    braket_service.script(drop_create=3)  # botocore retries 3 times: all lost
    try:
        job = run(asymmetric(), "braket:sv1", shots=100)[0]
        wait_for(lambda: job.record.get("provider_job_id"), timeout=120)
    finally:
        braket_service.script()
    # Then the engine found the task it had created, and the provider holds exactly one for this job
    assert sum(job.result(timeout=120).values()) == 100
    token = client_token(job.record["idempotency_key"])
    mine = [t for t in braket_service.tasks() if t["clientToken"] == token]
    assert len(mine) == 1 and mine[0]["arn"] == job.record["provider_job_id"]


def test_a_released_provider_job_is_adopted_by_another_process_which_records_its_result(braket_service, aws_env,
                                                                                        qhome):
    # Given a provider job queued at the provider, whose kernel released it (the engine shut down)
    braket_service.script(queued=3.0, running=0.5)
    try:
        job = run(asymmetric(), "braket:sv1", shots=200)[0]
        wait_for(lambda: job.record.get("provider_job_id"), timeout=60)
        JobManager.shutdown()
    finally:
        braket_service.script()
    log = RunLog(qhome)
    released = log.get(job.id)
    assert released["status"] in ("queued", "running") and released["handler"]["owner"] is None
    # When another process adopts the jobs nobody follows (the Jupyter server's housekeeping does this)
    adopted = JobManager.instance().adopt_released()
    # Then it follows the job to its end and records the result
    assert adopted == [job.id]
    wait_for(lambda: log.get(job.id)["status"] == "done", timeout=120)
    done = log.get(job.id)
    assert sum(done["result"]["counts"].values()) == 200
    assert done["handler"]["owner"] == JobManager.instance().owner


def test_qattach_brings_a_job_submitted_elsewhere_into_the_run_log_and_follows_it(braket_service, aws_env):
    import json
    import uuid

    import boto3
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    # Given a task created outside qhybrid-lab (a script, the console) with the plain SDK
    braket_service.script(queued=1.0)
    try:
        source = "OPENQASM 3.0;\nbit[2] c;\nqubit[2] q;\nx q[1];\nc[0] = measure q[0];\nc[1] = measure q[1];\n"
        action = json.dumps({"braketSchemaHeader": {"name": "braket.ir.openqasm.program", "version": "1"},
                             "source": source, "inputs": {}})
        arn = boto3.client("braket", region_name="us-east-1").create_quantum_task(
            clientToken=uuid.uuid4().hex, deviceArn="arn:aws:braket:::device/quantum-simulator/amazon/sv1",
            shots=64, action=action, outputS3Bucket="my-results", outputS3KeyPrefix="elsewhere")["quantumTaskArn"]
        # When it is attached with %qattach
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "qhybrid_lab")
        job = ip.run_line_magic("qattach", f"{arn} -b braket:sv1 --name console-task")
    finally:
        braket_service.script()
    # Then it is a job of the run log, followed to its end, with the provider's result
    assert job.result(timeout=120) == {"10": 64}
    record = open_runlog().get(job.id)
    assert record["provider_job_id"] == arn and record["attached"] is True
    assert record["circuit"]["name"] == "console-task" and record["status"] == "done"
    # and attaching it again, or attaching something that is not a task, is refused clearly
    with pytest.raises(UsageError, match="already in the run log"):
        ip.run_line_magic("qattach", f"{arn} -b braket:sv1")
    with pytest.raises(UsageError, match="not a Braket quantum-task ARN"):
        ip.run_line_magic("qattach", "nonsense -b braket:sv1")
    with pytest.raises(UsageError, match="not a provider's device"):
        ip.run_line_magic("qattach", f"{arn} -b aer")
