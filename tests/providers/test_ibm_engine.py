"""``ibm:<device>`` driven by the engine (``run()``), against the loopback IBM Quantum service: the record of each
step, the provider's failure message, cancel while queued, a lost answer without a second job, and adoption of a
released job by another process."""

from __future__ import annotations

import pytest
from ibm_helpers import asymmetric, wait_for

from qhybrid_lab.errors import JobCancelled, JobFailed
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import RunLog, open_runlog
from qhybrid_lab.status import JobStatus


def statuses(record: dict) -> list[str]:
    return [h["status"] for h in record["status_history"]]


def test_queued_running_done_with_usage_and_actual_cost(ibm_account):
    ibm_account.script(queue_seconds=1.0, run_seconds=1.0)
    job = run(asymmetric(), "ibm:ibmq_manila", shots=1000)[0]
    counts = job.result(timeout=180)
    record = open_runlog().get(job.id)
    assert statuses(record)[0] == "pending" and statuses(record)[-1] == "done"
    assert "queued" in statuses(record) and "running" in statuses(record)
    service_job = ibm_account.job(record["provider_job_id"])
    assert record["idempotency_key"] in service_job["tags"]
    assert record["provider_job"]["sdk"] == "qiskit-ibm-runtime" and record["provider_job"]["instance"]
    assert record["provider_status"]["provider_state"] in ("RUNNING", "DONE")
    assert max(counts, key=counts.get) == "001" and sum(counts.values()) == 1000
    assert record["usage"]["qpu_seconds"] == service_job["usage_seconds"]
    assert record["cost"]["estimate"] > 0 and record["cost"]["actual"] == pytest.approx(1.6 * service_job["usage_seconds"])


def test_a_failed_ibm_job_fails_with_ibms_message(ibm_account):
    ibm_account.script(fail="qubit 3 is not calibrated")
    group = run(asymmetric(), "ibm:ibmq_manila", shots=100)
    with pytest.raises(JobFailed, match="qubit 3 is not calibrated"):
        group[0].result(timeout=180)
    assert open_runlog().get(group[0].id)["provider_status"]["provider_state"] == "ERROR"


def test_cancel_while_queued_reaches_ibm(ibm_account):
    ibm_account.script(hold=True)
    job = run(asymmetric(), "ibm:ibmq_manila", shots=100)[0]
    wait_for(lambda: job.record.get("provider_job_id") and job.status is JobStatus.QUEUED)
    assert job.cancel() is True
    with pytest.raises(JobCancelled):
        job.result(timeout=120)
    assert ibm_account.job(job.record["provider_job_id"])["status"] == "Cancelled"


def test_a_lost_answer_makes_no_second_job(ibm_account):
    ibm_account.script(drop_create_response=1)
    job = run(asymmetric(), "ibm:ibmq_manila", shots=100)[0]
    assert sum(job.result(timeout=180).values()) == 100
    mine = ibm_account.jobs(job.record["idempotency_key"])
    assert [j["id"] for j in mine] == [job.record["provider_job_id"]]


def test_a_released_ibm_job_is_adopted_and_its_result_recorded(ibm_account, qhome):
    ibm_account.script(queue_seconds=2.0, run_seconds=0.5)
    job = run(asymmetric(), "ibm:ibmq_manila", shots=200)[0]
    wait_for(lambda: job.record.get("provider_job_id"))
    JobManager.shutdown()
    log = RunLog(qhome)
    assert log.get(job.id)["handler"]["owner"] is None
    assert JobManager.instance().adopt_released() == [job.id]
    wait_for(lambda: log.get(job.id)["status"] == "done")
    assert sum(log.get(job.id)["result"]["counts"].values()) == 200
