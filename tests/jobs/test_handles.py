"""Job handles behave like futures: callbacks, timeouts, exceptions, and read-only handles from the run log."""

from __future__ import annotations

import threading

import pytest
from jobs_helpers import LONG, long_circuit, wait_for

from qhybrid_lab.errors import JobFailed, UnknownJob
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import open_runlog
from qhybrid_lab.status import JobStatus


def test_status_and_done_callbacks_run_on_the_engine_thread(bell):
    seen, threads, done = [], set(), threading.Event()
    job = run(bell, "aer", shots=50)[0]
    job.add_status_callback(lambda j: (seen.append(j.status.value), threads.add(threading.current_thread().name)))
    job.add_done_callback(lambda j: done.set())
    job.result(timeout=60)
    assert done.wait(5)
    assert seen and seen[-1] == "done" and set(seen) <= {"queued", "running", "done"}
    assert threads == {"qhybrid-engine"}
    late = []
    job.add_done_callback(late.append)  # already done: called at once
    assert late == [job]


def test_a_failing_callback_does_not_stop_the_engine(bell):
    job = run(bell, "aer", shots=50)[0]
    job.add_status_callback(lambda j: 1 / 0)
    assert sum(job.result(timeout=60).values()) == 50
    assert sum(run(bell, "aer", shots=20)[0].result(timeout=60).values()) == 20


def test_result_timeout_then_cancel():
    job = run(long_circuit(), **LONG)[0]
    with pytest.raises(TimeoutError, match="still"):
        job.result(timeout=0.2)
    with pytest.raises(TimeoutError):
        job.exception(timeout=0.05)
    assert not job.done() and job.status in (JobStatus.RUNNING, JobStatus.QUEUED, JobStatus.PENDING)
    assert job.cancel() is True
    assert job.exception(timeout=1).__class__.__name__ == "JobCancelled"


def test_manager_job_returns_the_local_handle_or_a_read_only_one(bell):
    manager = JobManager.instance()
    group = run(bell, "aer", shots=10)
    group.result(timeout=60)
    assert manager.job(group[0].id[:8]) is group[0]
    assert manager.group(group.id)[0] is group[0]
    # a job recorded by another kernel: only in the run log
    foreign = dict(group[0].record, id="f" * 32, group="other", origin={"owner": "1@elsewhere", "pid": 1,
                                                                          "host": "elsewhere"})
    foreign.pop("status_history")
    open_runlog().insert(foreign)
    handle = manager.job("ffff")
    assert handle.local is False and handle.status is JobStatus.DONE and handle.result() == group[0].result()
    assert handle.cancel() is False  # finished
    with pytest.raises(UnknownJob):
        manager.job("0123456789")


def test_failed_handle_reports_the_error(bell, token):
    job = run(bell, f"broken:{token}", shots=10)[0]
    error = job.exception(timeout=60)
    assert isinstance(error, JobFailed) and "the device is retired" in str(error)
    assert "failed" in repr(job) and "the device is retired" in job._repr_html_()
