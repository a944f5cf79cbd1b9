"""Cancelling: pending jobs leave the queue, running ones lose their worker (replaced), requests via the run log."""

from __future__ import annotations

import pytest
from jobs_helpers import LONG, ghz, long_circuit, wait_for

from qhybrid_lab.errors import JobCancelled
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import open_runlog
from qhybrid_lab.status import JobStatus


def test_cancel_running_ends_its_worker_which_is_replaced_and_the_next_job_runs(bell):
    engine = JobManager.engine()
    job = run(long_circuit(), **LONG)[0]
    wait_for(job.running, timeout=60)
    worker = engine.pool.running(job.id)
    assert worker is not None
    replaced = engine.pool.replaced
    assert job.cancel() is True
    assert job.status is JobStatus.CANCELLED and job.cancelled() and job.done()
    assert not worker.alive() and engine.pool.replaced == replaced + 1
    assert worker.pid not in [w.pid for w in engine.pool.workers]
    with pytest.raises(JobCancelled):
        job.result()
    assert job.record["result"] is None and job.record["status_history"][-1]["note"].startswith("cancelled while")
    assert sum(run(bell, "aer", shots=100).result(timeout=60)["bell"]["aer"].values()) == 100


def test_cancel_pending_removes_it_from_the_queue(bell):
    group = run([long_circuit(), long_circuit().copy(name="long2"), bell], **LONG)
    first, second, waiting = group
    wait_for(lambda: first.running() and second.running(), timeout=60)  # both workers busy
    assert waiting.status in (JobStatus.PENDING, JobStatus.QUEUED)
    assert waiting.cancel() is True
    assert waiting.status is JobStatus.CANCELLED
    assert "running" not in [h["status"] for h in waiting.record["status_history"]]
    assert waiting.record["attempts"] == 0
    assert group.cancel() is True and group.status is JobStatus.CANCELLED


def test_cancel_of_a_finished_job_returns_false(bell):
    job = run(bell, "aer", shots=10)[0]
    job.result(timeout=60)
    assert job.cancel() is False and job.status is JobStatus.DONE


def test_a_cancel_request_written_to_the_run_log_is_carried_out_by_the_heartbeat():
    # Given a running job of this kernel
    log = open_runlog()
    job = run(long_circuit(), **LONG)[0]
    wait_for(job.running, timeout=60)
    # When the server (another process, here the same run log) asks for a cancel
    log.request_cancel(job.id[:6], by="sidebar")
    # Then the heartbeat carries it out (long before the job could finish by itself) and completes the request
    wait_for(job.done, timeout=60)
    assert job.status is JobStatus.CANCELLED and job.record["result"] is None
    assert job.record["status_history"][-1]["note"].startswith("cancelled while running")
    wait_for(lambda: log.pending_requests(JobManager.instance().owner) == [], timeout=5)
    assert log.get(job.id)["status"] == "cancelled"


def test_a_worker_that_dies_fails_its_job_and_is_replaced(bell, figures):
    import os
    import signal

    engine = JobManager.engine()
    job, neighbour = run([long_circuit(), ghz(3, "neighbour")], **LONG)
    wait_for(job.running, timeout=60)
    worker = engine.pool.running(job.id)
    os.kill(worker.pid, signal.SIGKILL)  # e.g. the kernel's OOM killer
    seconds = wait_for(job.done, timeout=30)
    assert sum(neighbour.result(timeout=600).values()) == LONG["shots"]  # the other job of the group is intact
    figures(f"worker killed mid-job: its job failed (recorded) {seconds * 1000:.0f} ms after the kill; "
            "the other job of its group finished")
    assert job.status is JobStatus.FAILED
    assert job.record["error"] == "the worker process running it exited unexpectedly (exit code -9); it was replaced"
    assert worker.pid not in [w.pid for w in engine.pool.workers] and len(engine.pool.workers) == engine.pool.size
    assert run(bell, "aer", shots=30).result(timeout=60)["bell"]["aer"]


def test_a_kernel_interrupt_reaching_the_workers_does_not_fail_their_jobs(bell):
    # Jupyter's interrupt button signals the kernel's whole process group, workers included.
    import os
    import signal

    engine = JobManager.engine()
    job = run(bell, "fake_manila", shots=100_000)[0]
    wait_for(lambda: engine.pool.running(job.id) is not None or job.done(), timeout=60)
    for worker in engine.pool.workers:
        os.kill(worker.pid, signal.SIGINT)
    assert sum(job.result(timeout=60).values()) == 100_000
    assert job.status is JobStatus.DONE and job.record["attempts"] == 1
