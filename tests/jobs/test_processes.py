"""Real processes: the kernel stays responsive while emulators run; other kernels' jobs; killed owners."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from jobs_helpers import ghz, wait_for

from qhybrid_lab.errors import JobCancelled, JobFailed
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import open_runlog
from qhybrid_lab.runlog.tables import pid_alive
from qhybrid_lab.status import JobStatus

ROOT = Path(__file__).resolve().parents[2]

LONG_JOB_RUNNING = textwrap.dedent("""
    import time
    from qiskit import QuantumCircuit
    from qhybrid_lab.jobs import JobManager, run
    circuit = QuantumCircuit(12, name="long")
    circuit.h(0)
    for i in range(11):
        circuit.cx(i, i + 1)
    job = run(circuit, "fake_torino", shots=100_000)[0]
    while not job.running():
        time.sleep(0.02)
""")
"""A script prefix: another process submits a long emulator job and waits until it runs."""

OWNER = LONG_JOB_RUNNING + textwrap.dedent("""
    print(job.id, flush=True)
    job.wait(300)
    print(job.status.value, flush=True)
""")


def start_owner(qhome) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHYBRID_HOME": str(qhome)}
    owner = subprocess.Popen([sys.executable, "-c", OWNER], env=env, stdout=subprocess.PIPE, text=True)
    job_id = owner.stdout.readline().strip()
    assert len(job_id) == 32, f"owner process printed {job_id!r}"
    return owner, job_id


def test_main_thread_stays_responsive_while_four_emulator_jobs_run():
    circuits = [ghz(10, f"ghz10-{i}") for i in range(4)]  # GHZ-9 took only 0.3 s each on a quiet machine
    run(circuits, "fake_torino", shots=10, seed=1).wait(120)  # warm: workers started, noise models built
    ticks, gaps = 0, []
    group = run(circuits, "fake_torino", shots=20_000, seed=1)
    started = last = time.perf_counter()
    while not group.done():
        time.sleep(0.01)  # a 10 ms timer on the main thread
        now = time.perf_counter()
        gaps.append(now - last)
        last, ticks = now, ticks + 1
    elapsed = time.perf_counter() - started
    assert group.status is JobStatus.DONE
    runs = [j.record["timings"]["run"] for j in group]
    print(f"\n4 emulator jobs: {elapsed:.2f} s wall, run {min(runs):.2f}-{max(runs):.2f} s each; "
          f"{ticks} ticks of 10 ms, longest gap {max(gaps) * 1000:.0f} ms")
    assert sum(runs) > 1.5 and elapsed > 0.5  # the jobs really kept the workers busy while the timer ticked
    assert max(gaps) < 0.5  # measured 14-52 ms alone on 2 cores; generous for a shared machine


def test_another_kernels_job_can_be_watched_and_cancelled_through_the_run_log(qhome):
    owner, job_id = start_owner(qhome)
    try:
        handle = JobManager.instance().job(job_id)
        assert handle.local is False and handle.status is JobStatus.RUNNING
        assert handle.cancel() is True  # written as a request; the owner's heartbeat carries it out
        with pytest.raises(JobCancelled):
            handle.result(timeout=15)
        assert owner.stdout.readline().strip() == "cancelled"
    finally:
        owner.kill()
        owner.wait()


def test_a_job_whose_owner_is_killed_becomes_interrupted_and_its_workers_end(qhome):
    log = open_runlog()
    owner, job_id = start_owner(qhome)

    def workers_of_owner() -> list[int]:
        beats = [b for b in log.owners() if b["owner"].startswith(f"{owner.pid}@")]
        return beats[0]["workers"] if beats else []

    wait_for(lambda: len(workers_of_owner()) == 2, timeout=10)  # from the owner's heartbeat
    workers = workers_of_owner()
    assert len(workers) == 2 and all(pid_alive(p) for p in workers)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    JobManager.instance().beat(reap=True)  # what this kernel's heartbeat does every few beats
    record = log.get(job_id)
    assert record["status"] == "interrupted" and f"pid {owner.pid}" in record["error"]
    with pytest.raises(JobFailed, match="interrupted"):
        JobManager.instance().job(job_id).result(timeout=1)
    wait_for(lambda: not any(pid_alive(p) for p in workers), timeout=10)  # they died with their parent


EXITING = LONG_JOB_RUNNING + textwrap.dedent("""
    print(job.id, *[w.pid for w in JobManager.engine().pool.workers], flush=True)
""")  # and the interpreter exits normally: the atexit hook shuts the engine down


def test_a_kernel_exiting_normally_ends_its_workers_and_records_its_jobs_as_interrupted(qhome):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHYBRID_HOME": str(qhome)}
    done = subprocess.run([sys.executable, "-c", EXITING], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    job_id, *workers = done.stdout.split()
    record = open_runlog().get(job_id)
    assert record["status"] == "interrupted" and "engine shut down" in record["error"]
    assert len(workers) == 2 and not any(pid_alive(int(p)) for p in workers)


def test_shutdown_then_the_next_submission_starts_a_fresh_engine(bell):
    engine = JobManager.engine()
    run(bell, "aer", shots=10).result(timeout=60)
    workers = [w.pid for w in engine.pool.workers]
    JobManager.shutdown()
    assert not engine.thread.is_alive() and not any(pid_alive(p) for p in workers)
    assert run(bell, "aer", shots=10).result(timeout=60)["bell"]["aer"]
    assert JobManager.engine() is not engine
