"""``qhybrid cancel``: a cancel request in the run log reaches whichever process follows the job; a finished job, or
one whose kernel died, is refused with the reason; a provider job nobody follows waits for its adopter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from cli_helpers import failed, kernel_env, ok_json, qhybrid
from jobs_helpers import wait_for

from qhybrid_lab.runlog import RunLog

KERNEL = """
    import json, sys
    import engine_backends  # busy:<seconds>
    from jobs_helpers import ghz
    from qhybrid_lab.jobs import run

    job = run(ghz(3, "long"), "busy:600", shots=100, seed=1)[0]
    print(json.dumps({"id": job.id}), flush=True)
    status = job.wait(timeout=540)
    print(json.dumps({"status": status.value}), flush=True)
"""


def test_cancel_reaches_a_job_running_in_another_process(home):
    # Given a kernel running a job that would keep its worker busy for ten minutes
    qhome, _ = home
    kernel = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KERNEL)], env=kernel_env(qhome),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        job_id = json.loads(kernel.stdout.readline())["id"]
        log = RunLog(qhome)
        wait_for(lambda: log.get(job_id)["status"] == "running", timeout=120)
        owner = log.get(job_id)["origin"]["owner"]
        # When the command line cancels it and waits for the outcome
        answer = ok_json(qhybrid("cancel", job_id[:8], "--wait", "120", "--json", timeout=180))
        # Then the kernel's engine carried the request out: cancelled, in the kernel's handle and in the log
        assert answer == {"requested": True, "job_id": job_id, "status": "cancelled", "follower": owner,
                          "message": f"job {job_id[:8]} cancelled"}
        out, err = kernel.communicate(timeout=120)
        assert json.loads(out.splitlines()[-1]) == {"status": "cancelled"}, err
        history = [(h["status"], h["note"]) for h in log.get(job_id)["status_history"]]
        assert history[-1][0] == "cancelled" and log.pending_requests(owner) == []
    finally:
        if kernel.poll() is None:
            kernel.kill()
        kernel.communicate()


def test_cancel_refuses_finished_jobs_and_those_whose_kernel_died(home):
    qhome, ids = home
    assert f"job {ids['aer'][:8]} already finished (done); nothing to cancel" in failed(qhybrid("cancel", ids["aer"]))
    # A running job whose kernel is gone: reading it settles it, so there is nothing left to cancel
    message = failed(qhybrid("cancel", ids["dead_kernel"]))
    assert "already finished (interrupted: the kernel that ran this job exited or restarted" in message
    done = qhybrid("cancel", ids["failed"], "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["requested"] is False
    assert json.loads(done.stdout)["status"] == "failed"
    assert RunLog(qhome).pending_requests(None) == []  # nothing was requested


def test_cancel_of_a_provider_job_nobody_follows_waits_for_the_process_that_adopts_it(home):
    # Given a Braket job queued at the provider whose kernel stopped (released: no process follows it)
    qhome, ids = home
    job_id = ids["released"]
    # When it is cancelled
    answer = ok_json(qhybrid("cancel", job_id[:8], "--json"))
    # Then the request is written, and the answer says that the adopter will carry it out
    assert answer["requested"] is True and answer["follower"] is None and answer["status"] == "queued"
    assert "no process follows it now" in answer["message"] and "the process that adopts it" in answer["message"]
    log = RunLog(qhome)
    [request] = log.pending_requests(None)
    assert request["job_id"] == job_id and request["by"] == "qhybrid cancel"
    # And once a process adopts the job (as JobManager.adopt writes it), the request is that process's
    log.update(job_id, {"handler": {"owner": "4242@elsewhere", "pid": 4242, "host": "elsewhere"}},
               status="queued", note="adopted by 4242@elsewhere")
    assert [r["id"] for r in log.pending_requests("4242@elsewhere")] == [request["id"]]
    # And --wait says it is still queued when nobody carried it out
    message = failed(qhybrid("cancel", job_id, "--wait", "0.5"))
    assert "is still queued at braket (QUEUED) after 0.5 s; the cancel request waits for 4242@elsewhere" in message
