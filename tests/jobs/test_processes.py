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
from qhybrid_lab.runlog import RunLog, open_runlog
from qhybrid_lab.runlog.owners import pid_alive
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


def tick_gaps(until, period: float = 0.01) -> list[float]:
    """Run a ``period`` timer on this (the main) thread until ``until()`` is true; the gaps between ticks."""
    gaps, last = [], time.perf_counter()
    while not until():
        time.sleep(period)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    return gaps


def test_main_thread_stays_responsive_while_the_workers_are_busy(figures):
    # Given this machine's own timer jitter while idle, and a load made to last longer than it by far
    idle_until = time.perf_counter() + 0.5
    jitter = max(tick_gaps(lambda: time.perf_counter() > idle_until))
    busy = max(2.0, 20 * jitter)  # each job holds its worker (Aer holds the GIL) this long, on any machine
    run(ghz(6), "busy:0.01", shots=10).wait(120)  # warm: workers started
    # When four such jobs keep both workers busy while a 10 ms timer ticks on the main thread
    group = run([ghz(10, f"ghz10-{i}") for i in range(4)], f"busy:{busy:.3f}", shots=1000, seed=1)
    gaps = tick_gaps(group.done)
    # Then the jobs really ran that long, and no tick waited anywhere near as long as a job ran
    assert group.status is JobStatus.DONE
    runs = [j.record["timings"]["run"] for j in group]
    figures(f"idle jitter {jitter * 1000:.0f} ms; 4 jobs of {busy:.2f} s each (run {min(runs):.2f}-{max(runs):.2f} s); "
            f"{len(gaps)} ticks of 10 ms, longest gap {max(gaps) * 1000:.0f} ms")
    assert min(runs) >= busy
    assert max(gaps) < busy / 4  # a kernel running a job on its own thread would stall for the whole job


def test_another_kernels_job_can_be_watched_and_cancelled_through_the_run_log(qhome):
    owner, job_id = start_owner(qhome)
    try:
        handle = JobManager.instance().job(job_id)
        assert handle.local is False and handle.status is JobStatus.RUNNING
        assert handle.cancel() is True  # written as a request; the owner's heartbeat carries it out
        with pytest.raises(JobCancelled):
            handle.result(timeout=60)
        assert owner.stdout.readline().strip() == "cancelled"
    finally:
        owner.kill()
        owner.wait()


def test_a_job_whose_owner_is_killed_becomes_interrupted_and_its_workers_end(qhome, figures):
    log = open_runlog()
    other = run(ghz(2, "other"), "aer", shots=10)[0]  # a job of this kernel, finished before
    other.result(timeout=60)
    owner, job_id = start_owner(qhome)

    def workers_of_owner() -> list[int]:
        beats = [b for b in log.owners() if b["owner"].startswith(f"{owner.pid}@")]
        return beats[0]["workers"] if beats else []

    wait_for(lambda: len(workers_of_owner()) == 2, timeout=10)  # from the owner's heartbeat
    workers = workers_of_owner()
    assert len(workers) == 2 and all(pid_alive(p) for p in workers)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    killed = time.monotonic()
    # Then any reader sees the job interrupted at once (nobody needs to run a housekeeping first)
    record = RunLog(qhome).get(job_id)
    seen = time.monotonic() - killed
    assert record["status"] == "interrupted" and f"pid {owner.pid}" in record["error"]
    with pytest.raises(JobFailed, match="interrupted"):
        JobManager.instance().job(job_id).result(timeout=1)
    ended = wait_for(lambda: not any(pid_alive(p) for p in workers), timeout=30)  # they died with their parent
    assert log.get(other.id)["status"] == "done" and log.count() == 2  # nothing else changed
    figures(f"kernel killed mid-job: a new reader saw its job interrupted {seen * 1000:.0f} ms after the kill; "
            f"its 2 workers ended within {ended:.2f} s; other records intact")


EXITING = LONG_JOB_RUNNING + textwrap.dedent("""
    print(job.id, *[w.pid for w in JobManager.engine().pool.workers], flush=True)
""")  # and the interpreter exits normally: the atexit hook shuts the engine down


def test_a_kernel_exiting_normally_ends_its_workers_and_records_its_jobs_as_interrupted(qhome):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHYBRID_HOME": str(qhome)}
    done = subprocess.run([sys.executable, "-c", EXITING], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    job_id, *workers = done.stdout.split()
    record = open_runlog().get(job_id)
    assert record["status"] == "interrupted" and "exited or restarted" in record["error"]
    assert record["status_history"][-1]["note"] == "engine shutdown"
    assert len(workers) == 2 and not any(pid_alive(int(p)) for p in workers)


def test_shutdown_then_the_next_submission_starts_a_fresh_engine(bell):
    engine = JobManager.engine()
    run(bell, "aer", shots=10).result(timeout=60)
    workers = [w.pid for w in engine.pool.workers]
    JobManager.shutdown()
    assert not engine.thread.is_alive() and not any(pid_alive(p) for p in workers)
    assert run(bell, "aer", shots=10).result(timeout=60)["bell"]["aer"]
    assert JobManager.engine() is not engine
