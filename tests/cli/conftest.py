"""The ``qhybrid`` command run for real, in subprocesses, against a run log filled by real ``qhybrid_lab.run()`` jobs.

A "kernel" subprocess fills a template home once per session (jobs on aer and an emulator, a sweep, a job that
fails on a broken backend, one the budget guard blocks); each test gets a copy of it as its ``QHYBRID_HOME``, with
records made through the run-log API for states a short test cannot reach otherwise (a running job whose kernel
died, a provider job nobody follows, two ids sharing a prefix).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from cli_helpers import dead_pid, kernel_env

FILL = """
    import json, uuid
    import engine_backends  # broken:<token>
    from jobs_helpers import ghz
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qhybrid_lab.errors import BudgetExceeded
    from qhybrid_lab.jobs import run
    from qhybrid_lab.runlog import open_runlog

    pair = run(ghz(2, "bell"), ["aer", "fake_manila"], shots=300, seed=3, tags=("pair",), wait=True)
    rot = QuantumCircuit(1, name="rot")
    rot.ry(Parameter("t"), 0)
    sweep = run(rot, "aer", parameter_values=[[0.0], [1.0], [3.14159]], shots=100, seed=1, tags=("sweep",),
                wait=True)
    broken = run(ghz(2, "bell"), f"broken:{uuid.uuid4().hex[:8]}", shots=10, wait=True)
    log = open_runlog()
    log.set_budget(limit=0.01, period="total", backend="fake_manila")
    log.set_setting("rehearse", True)
    try:
        run(ghz(2, "bell"), "fake_manila", shots=100)
        raise SystemExit("the budget guard let a job through")
    except BudgetExceeded:
        pass
    log.remove_budget(period="total", backend="fake_manila")
    log.set_setting("rehearse", False)
    blocked = log.query(status="blocked")[0]
    print(json.dumps({"aer": pair[0].id, "emulator": pair[1].id, "sweep": sweep[0].id, "failed": broken[0].id,
                      "blocked": blocked["id"], "counts": pair[0].result(), "sweep_counts": sweep[0].result()}))
"""


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> tuple[Path, dict]:
    """A home filled by a kernel that ran real jobs and exited; returns it and the ids (and counts) it printed."""
    home = tmp_path_factory.mktemp("cli-template") / "home"
    home.mkdir()
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(FILL)], env=kernel_env(home),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return home, json.loads(done.stdout.splitlines()[-1])


@pytest.fixture
def home(qhome, template) -> tuple[Path, dict]:
    """This test's ``QHYBRID_HOME``: a copy of the template, plus records made with the run-log API.

    ``ids`` gains ``dead_kernel`` (running, its kernel's pid gone: every reader settles it as interrupted),
    ``released`` (a Braket job queued at the provider whose kernel stopped: nobody follows it) and ``twins`` (two
    ids with one 8-character prefix).
    """
    import socket

    from qhybrid_lab.runlog import RunLog

    source, ids = template
    shutil.copytree(source, qhome, dirs_exist_ok=True)
    log = RunLog(qhome)
    base = log.get(ids["aer"])

    def insert(job_id: str, status: str, **fields) -> str:
        record = {k: v for k, v in base.items() if k not in ("status_history", "created", "updated")}
        record.update({"result": None, "timings": {}, "tags": [], **fields, "id": job_id, "group": uuid.uuid4().hex,
                       "status": status})
        return log.insert(record)

    pid = dead_pid()
    ids["dead_kernel"] = insert(uuid.uuid4().hex, "running",
                                origin={**base["origin"], "owner": f"{pid}@{socket.gethostname()}", "pid": pid})
    ids["released"] = insert(
        uuid.uuid4().hex, "queued", backend={"name": "braket:sv1", "provider": "braket", "kind": "simulator"},
        provider_job_id="arn:aws:braket:us-east-1:123456789012:quantum-task/0b1d",
        provider_job={"provider": "braket", "job_id": "arn:aws:braket:us-east-1:123456789012:quantum-task/0b1d",
                      "backend": "braket:sv1", "region": "us-east-1", "local": False},
        provider_status={"status": "queued", "provider_state": "QUEUED"},
        handler={"owner": None, "released_at": base["created"], "previous": base["origin"]["owner"]})
    prefix = uuid.uuid4().hex[:8]
    ids["twins"] = [insert(prefix + uuid.uuid4().hex[8:], "done", result=base["result"]) for _ in range(2)]
    log.close()
    return qhome, ids
