"""Retries with backoff for transient backend errors (counted across processes), permanent failures."""

from __future__ import annotations

import pytest
from engine_backends import attempts_file

from qhybrid_lab.errors import JobFailed
from qhybrid_lab.jobs import run
from qhybrid_lab.status import JobStatus


def attempts(token: str) -> int:
    path = attempts_file(token)
    return len(path.read_text()) if path.exists() else 0


def test_transient_errors_are_retried_with_backoff_then_succeed(bell, token):
    job = run(bell, f"flaky:2:{token}", shots=100, seed=2)[0]
    assert set(job.result(timeout=60)) <= {"00", "11"}
    record = job.record
    assert attempts(token) == 3 and record["attempts"] == 3
    assert [e["attempt"] for e in record["errors"]] == [1, 2]
    assert {e["type"] for e in record["errors"]} == {"TransientBackendError"}
    assert record["errors"][1]["message"] == "simulated outage 2 of 2"
    history = [h["status"] for h in record["status_history"]]
    assert history == ["pending", "queued", "running", "queued", "running", "queued", "running", "done"]
    retries = [h for h in record["status_history"] if "retry in" in (h["note"] or "")]
    assert [r["note"].split("retry in ")[1] for r in retries] == ["0.2 s", "0.4 s"]
    waits = [b["at"] - a["at"] for a, b in zip(record["status_history"], record["status_history"][1:])
             if a in retries]
    assert waits[0] >= 0.2 and waits[1] >= 0.4  # exponential backoff
    assert record["error"] is None and job.exception() is None


def test_a_job_still_failing_after_three_attempts_fails_with_the_last_error(bell, token):
    job = run(bell, f"flaky:5:{token}", shots=100)[0]
    with pytest.raises(JobFailed, match="failed after 3 attempts; last error TransientBackendError: simulated"):
        job.result(timeout=60)
    assert attempts(token) == 3 and job.status is JobStatus.FAILED and len(job.record["errors"]) == 3


def test_a_permanent_error_fails_at_once(bell, token):
    group = run(bell, [f"broken:{token}", "aer"], shots=100)
    group.wait(60)
    broken, fine = group
    assert broken.status is JobStatus.FAILED and fine.status is JobStatus.DONE
    assert attempts(token) == 1 and broken.record["attempts"] == 1
    assert broken.record["error"] == "BackendError: the device is retired"
    assert isinstance(broken.exception(), JobFailed) and group.status is JobStatus.FAILED
    with pytest.raises(JobFailed, match="the device is retired"):
        group.result()
