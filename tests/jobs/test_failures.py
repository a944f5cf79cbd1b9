"""No job ever hangs: a full disk, a damaged or read-only run log, a backend that breaks, a timeout, a restart.

Each case gives the job handle a final state with the real reason, loses nothing already recorded, and says what
happened once. Real processes where the failure needs one (a file-size limit, dropped privileges, a kernel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from jobs_helpers import dropped_privileges, ghz, wait_for

from qhybrid_lab.backends import register_backend
from qhybrid_lab.backends.aer import AerBackend
from qhybrid_lab.errors import BackendError, JobFailed, RunLogCorrupt
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import RunLog, open_runlog
from qhybrid_lab.status import JobStatus

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def python(script: str, home: Path, *, prefix: list[str] = (), timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter with this home and the engine tests' backends importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]), "QHYBRID_HOME": str(home)}
    return subprocess.run([*prefix, sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True,
                          text=True, timeout=timeout)


DISK_FILLS = """
    import json, resource, signal, sys, time
    import engine_backends  # busy:<seconds>
    from jobs_helpers import ghz
    from qhybrid_lab.jobs import run
    from qhybrid_lab.runlog import RunLog, open_runlog

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    log = open_runlog()
    job = run(ghz(3, "bell3"), "busy:2", shots=100, seed=1)[0]
    while not job.running():
        time.sleep(0.02)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (log.file.stat().st_size, hard))  # no byte more fits: the disk is full
    counts = job.result(timeout=120)            # the job still finishes, with its counts, from memory
    in_log_while_full = RunLog(log.directory).get(job.id)["status"]
    time.sleep(5)                               # two heartbeats fail meanwhile
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # room again
    deadline = time.monotonic() + 60
    while RunLog(log.directory).get(job.id)["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    record = RunLog(log.directory).get(job.id)
    print(json.dumps({"counts": counts, "handle": job.status.value, "while_full": in_log_while_full,
                      "after": record["status"], "history": [h["status"] for h in record["status_history"]],
                      "result": record["result"]}))
"""


def test_a_full_disk_neither_hangs_the_job_nor_loses_it(qhome):
    # Given a running job, when no byte more can be written to the run log (a file-size limit: EFBIG, like ENOSPC)
    done = python(DISK_FILLS, qhome)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    # Then the handle finishes with the real counts while the run log still says running
    assert out["handle"] == "done" and sum(out["counts"].values()) == 100
    assert out["while_full"] == "running"
    # and once there is room again the run log catches up, with every step and the same result
    assert out["after"] == "done" and out["history"] == ["pending", "queued", "running", "done"]
    assert out["result"]["counts"] == out["counts"]
    # and the failure and the recovery were each said once, not at every heartbeat
    assert done.stderr.count("job states are kept in memory") == 1, done.stderr
    assert done.stderr.count("can be written again") == 1, done.stderr


DISK_FILLS_WHILE_TRANSPILING = """
    import json, resource, signal, time
    import qhybrid_lab.circuits
    from jobs_helpers import ghz
    from qhybrid_lab.jobs import run
    from qhybrid_lab.runlog import RunLog, open_runlog

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    log = open_runlog()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    real_transpile = qhybrid_lab.circuits.transpile_for

    def transpile_then_fill_the_disk(*args, **kwargs):
        # the job's pending record is written; from here on no byte more fits in the run log
        outcome = real_transpile(*args, **kwargs)
        resource.setrlimit(resource.RLIMIT_FSIZE, (log.file.stat().st_size, hard))
        return outcome

    qhybrid_lab.circuits.transpile_for = transpile_then_fill_the_disk  # the fault, injected at that moment
    job = run(ghz(3, "bell3"), "fake_manila", shots=200, seed=1)[0]
    counts = job.result(timeout=120)            # queued, run and done, all kept in memory
    in_log_while_full = RunLog(log.directory).get(job.id)["status"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # room again
    deadline = time.monotonic() + 60
    while RunLog(log.directory).get(job.id)["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    record = RunLog(log.directory).get(job.id)
    print(json.dumps({"counts": counts, "handle": job.status.value, "while_full": in_log_while_full,
                      "after": record["status"], "history": [h["status"] for h in record["status_history"]],
                      "transpiled": record["transpile"] is not None and record["transpile"].get("depth") is not None}))
"""


def test_a_disk_that_fills_while_a_job_is_transpiled_neither_hangs_nor_loses_it(qhome):
    # Given a job whose run log fills up (EFBIG) right after its circuit is transpiled, before "queued" is written
    done = python(DISK_FILLS_WHILE_TRANSPILING, qhome)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    # Then the handle still finishes with its counts, while the run log still says pending
    assert out["handle"] == "done" and sum(out["counts"].values()) == 200
    assert out["while_full"] == "pending"
    # and once there is room again the log catches up: every step, the transpile fields included
    assert out["after"] == "done" and out["history"] == ["pending", "queued", "running", "done"]
    assert out["transpiled"] is True
    assert done.stderr.count("job states are kept in memory") == 1, done.stderr


HOME_TURNS_READ_ONLY = """
    import json, time
    from pathlib import Path
    import engine_backends  # busy:<seconds>
    from jobs_helpers import ghz
    from qhybrid_lab.jobs import run
    from qhybrid_lab.runlog import RunLog, open_runlog

    log = open_runlog()
    home = Path(log.directory)
    job = run(ghz(3, "bell3"), "busy:2", shots=100, seed=1)[0]
    while not job.running():
        time.sleep(0.02)
    paths = [home, *home.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    for p in paths:                             # the home turns read-only under the running job
        p.chmod(0o555 if p.is_dir() else 0o444)
    counts = job.result(timeout=120)            # the job still finishes, with its counts, from memory
    in_log_while_read_only = RunLog(home).get(job.id)["status"]
    time.sleep(5)                               # two heartbeats fail meanwhile
    for p, mode in modes.items():               # writable again
        p.chmod(mode)
    deadline = time.monotonic() + 60
    while RunLog(home).get(job.id)["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.1)
    record = RunLog(home).get(job.id)
    print(json.dumps({"counts": counts, "handle": job.status.value, "while_read_only": in_log_while_read_only,
                      "after": record["status"], "history": [h["status"] for h in record["status_history"]],
                      "result": record["result"]}))
"""


def test_a_home_that_turns_read_only_under_a_running_job_neither_hangs_nor_loses_it(qhome):
    # Given a running job, when its home (directory, log, lock and blobs) turns read-only
    done = python(HOME_TURNS_READ_ONLY, qhome, prefix=dropped_privileges())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    # Then the handle finishes with the real counts, while the run log still says running
    assert out["handle"] == "done" and sum(out["counts"].values()) == 100
    assert out["while_read_only"] == "running"
    # and once the home is writable again the log catches up, with every step and the same result
    assert out["after"] == "done" and out["history"] == ["pending", "queued", "running", "done"]
    assert out["result"]["counts"] == out["counts"]
    # and the failure and the recovery were each said once, naming the cause
    assert done.stderr.count("job states are kept in memory") == 1, done.stderr
    assert "read-only" in done.stderr or "ermission" in done.stderr, done.stderr
    assert done.stderr.count("can be written again") == 1, done.stderr


def test_a_log_damaged_while_a_job_runs_ends_the_job_and_is_left_as_it_is(qhome):
    # Given a running job
    log = open_runlog(qhome)
    job = run(ghz(3, "bell3"), "busy:2", shots=100, seed=1)[0]
    wait_for(job.running, timeout=120)
    # When someone damages a line the engine already read (in place: the file does not grow)
    data = bytearray(log.file.read_bytes())
    second = data.index(b"\n") + 1
    data[second] = ord("#")
    log.file.write_bytes(bytes(data))
    # Then the job still finishes with its counts (kept in memory), and readers get the damage, named
    assert sum(job.result(timeout=120).values()) == 100 and job.status is JobStatus.DONE
    with pytest.raises(RunLogCorrupt, match=r"line 2 "):
        log.get(job.id)
    assert log.file.read_bytes() == bytes(data)  # never rewritten or repaired
    # When the user moves the damaged file aside as the message says, the job is recorded anew in the new log
    shutil.move(log.file, log.file.with_name("runlog.jsonl.broken"))
    wait_for(lambda: RunLog(qhome).count() == 1, timeout=30)
    record = RunLog(qhome).get(job.id)
    assert record["status"] == "done" and record["result"]["counts"] == job.result()
    assert "recorded again" in record["status_history"][-1]["note"]


READ_ONLY = """
    import json
    from qiskit import QuantumCircuit
    from IPython.core.interactiveshell import InteractiveShell
    from qhybrid_lab import run
    from qhybrid_lab.errors import RunLogError
    from qhybrid_lab.runlog import RunLog

    log = RunLog()
    out = {"count": log.count(), "statuses": sorted(r["status"] for r in log.query(limit=None))}
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "qhybrid_lab")
    out["qresult"] = ip.run_line_magic("qresult", log.query(limit=1)[0]["id"][:8])
    bell = QuantumCircuit(2); bell.h(0); bell.cx(0, 1)
    try:
        run(bell, "aer", shots=10)
    except RunLogError as error:
        out["submit"] = str(error)
    print(json.dumps(out))
"""


def test_a_read_only_home_can_be_read_and_refuses_submissions_clearly(qhome, bell):
    # Given a home with a finished job, made read-only
    counts = run(bell, "aer", shots=50, seed=3).result(timeout=60)["bell"]["aer"]
    paths = [qhome, *qhome.rglob("*")]
    modes = {p: p.stat().st_mode for p in paths}
    try:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        # When another process reads and submits there
        done = python(READ_ONLY, qhome, prefix=dropped_privileges())
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    # Then it reads everything, and a submission says the home is read-only and what to do
    assert out["count"] == 1 and out["statuses"] == ["done"] and out["qresult"] == counts
    assert "read-only" in out["submit"] and "QHYBRID_HOME" in out["submit"]


class _Undescribable(AerBackend):
    """Ideal Aer whose describe() breaks, as a buggy adapter or an SDK failure would."""

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        self.name = name

    def describe(self):
        raise RuntimeError("the SDK returned no configuration")


def test_a_backend_that_breaks_while_describing_itself_is_named_and_nothing_is_recorded(bell):
    register_backend("undescribable:", _Undescribable)
    with pytest.raises(BackendError, match=r"backend 'undescribable:x' could not describe itself: RuntimeError: "
                                           r"the SDK returned no configuration"):
        run(bell, "undescribable:x")
    assert open_runlog().count() == 0
    # and from %%qrun it is the same one-line message, not a traceback
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    cell = "from qiskit import QuantumCircuit\nqc = QuantumCircuit(1)\nqc.x(0)\nqc.measure_all()\n"
    with pytest.raises(UsageError, match=r"backend 'undescribable:y' could not describe itself: RuntimeError"):
        shell.run_cell_magic("qrun", "-b undescribable:y", cell)
    assert open_runlog().count() == 0


def test_a_job_that_outlives_its_timeout_is_cancelled_and_failed_with_the_reason(bell):
    engine = JobManager.engine()
    job = run(bell, "busy:600", shots=10, timeout=1.0)[0]
    with pytest.raises(JobFailed, match=r"timed out after 1 s \(queue included\)"):
        job.result(timeout=120)
    record = job.record
    assert record["status"] == "failed" and record["timeout"]["action"] == "cancelled"
    assert record["timeout"]["seconds"] == 1.0 and record["result"] is None
    assert engine.pool.running(job.id) is None  # its worker was ended (and replaced)
    assert open_runlog().get(job.id)["timeout"]["action"] == "cancelled"


def test_a_timeout_with_keep_marks_the_job_and_lets_it_finish(bell):
    job = run(bell, "busy:2", shots=10, timeout=0.2, on_timeout="keep")[0]
    assert sum(job.result(timeout=120).values()) == 10
    record = open_runlog().get(job.id)
    assert record["status"] == "done" and record["timeout"]["action"] == "kept"
    assert any((h["note"] or "").startswith("timed out after 0.2 s; kept running") for h in record["status_history"])


def test_qrun_timeout_flags_reach_the_job(qhome):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    cell = "from qiskit import QuantumCircuit\nqc = QuantumCircuit(1)\nqc.x(0)\nqc.measure_all()\n"
    shell.run_cell_magic("qrun", "-b busy:600 --shots 10 --timeout 1", cell)
    (cancelled,) = shell.user_ns["_"]
    with pytest.raises(JobFailed, match=r"timed out after 1 s \(queue included\)"):
        cancelled.result(timeout=120)
    shell.run_cell_magic("qrun", "-b busy:2 --shots 10 --timeout 0.2 --on-timeout keep", cell)
    (kept,) = shell.user_ns["_"]
    assert kept.result(timeout=120) == {"1": 10}
    assert open_runlog().get(cancelled.id)["timeout"]["action"] == "cancelled"
    assert open_runlog().get(kept.id)["timeout"]["action"] == "kept"


RESTART = """
    import sys
    sys.path.insert(0, {here!r})
    import engine_backends
    from jobs_helpers import ghz
    from qhybrid_lab.jobs import run
    job = run(ghz(3, "restarted"), "busy:600", shots=10)[0]
"""


@pytest.mark.parametrize("now", [False, True], ids=["graceful", "killed"])
def test_a_kernel_restart_interrupts_its_running_job_never_fails_it(qhome, tmp_path, now):
    from jupyter_client import KernelManager

    # Given a kernel running a long local job
    env = dict(os.environ, QHYBRID_HOME=str(qhome), PYTHONPATH=str(ROOT))
    km = KernelManager(kernel_name="python3", connection_file=str(tmp_path / "kernel-restart.json"))
    km.start_kernel(env=env)
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive(RESTART.format(here=str(HERE)), timeout=120)
        log = open_runlog(qhome)
        wait_for(lambda: log.count(status="running") == 1, timeout=120)
        (record,) = log.query(status="running")
        # When the kernel is restarted (Jupyter signals its whole process group)
        km.restart_kernel(now=now)
        # Then the job is interrupted with that reason, for every reader, and never failed
        wait_for(lambda: log.get(record["id"])["status"] != "running", timeout=60)
        final = log.get(record["id"])
        assert final["status"] == "interrupted", final
        assert "exited or restarted" in final["error"]
        assert "failed" not in [h["status"] for h in final["status_history"]]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
