"""Provider jobs outlive their kernel: the Jupyter server adopts them, records the result, a new kernel reads it.

And no secret from the environment ever reaches the run log, its blobs or a REST response.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from braket_helpers import REPO

from qhybrid_lab.runlog import open_runlog


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"qhybrid_lab": True, "jupyter_server_terminals": False},
                      "allow_unauthenticated_access": False},
        "QHybridLabServer": {"reap_every": 0.0, "stale_after": 5.0},
    }


async def get(jp_fetch, *path: str, **params) -> dict:
    response = await jp_fetch("qhybrid-lab", "api", *path, params=params or None)
    return json.loads(response.body)


KERNEL = textwrap.dedent("""
    import time
    from qiskit import QuantumCircuit
    from qhybrid_lab.jobs import run
    qc = QuantumCircuit(3, name="asym"); qc.x(0); qc.h(1); qc.cx(1, 2); qc.measure_all()
    job = run(qc, "braket:sv1", shots=300)[0]
    while not job.record.get("provider_job_id"):
        time.sleep(0.05)
    print(job.id, flush=True)
    time.sleep(600)
""")


def kernel_env(qhome: Path) -> dict[str, str]:
    return {**os.environ, "QHYBRID_HOME": str(qhome), "PYTHONPATH": str(REPO)}


async def test_a_killed_kernels_provider_job_is_adopted_by_the_server_and_read_by_a_new_kernel(
        jp_fetch, braket_service, aws_env, qhome, tmp_path):
    from jupyter_client import KernelManager

    # Given a kernel whose job is queued at the provider, and the kernel killed (kill -9)
    braket_service.script(queued=4.0, running=0.5)
    try:
        kernel = subprocess.Popen([sys.executable, "-c", KERNEL], env=kernel_env(qhome), stdout=subprocess.PIPE,
                                  text=True)
        job_id = kernel.stdout.readline().strip()
        kernel.kill()
        kernel.wait()
    finally:
        braket_service.script()
    assert len(job_id) == 32
    # When the sidebar lists jobs (the server's housekeeping releases the job, adopts it and follows it)
    deadline = time.monotonic() + 120
    while True:
        listed = {j["id"]: j for j in (await get(jp_fetch, "jobs", limit="20"))["jobs"]}
        if listed[job_id]["status"] == "done" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    # Then the result is in the run log, recorded by the server, never marked interrupted
    record = open_runlog(qhome).get(job_id)
    assert record["status"] == "done", record["status_history"]
    assert "interrupted" not in [h["status"] for h in record["status_history"]]
    assert record["handler"]["previous"].startswith(f"{kernel.pid}@")
    assert record["handler"]["owner"].startswith(f"{os.getpid()}@")
    assert sum(record["result"]["counts"].values()) == 300
    # and a new kernel's %qresult returns the hardware result
    km = KernelManager(kernel_name="python3", connection_file=str(tmp_path / f"kernel-{uuid.uuid4()}.json"))
    km.start_kernel(env=kernel_env(qhome))
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        out: list[str] = []
        kc.execute_interactive(f"%load_ext qhybrid_lab\nr = %qresult {job_id[:8]}\nprint(sorted(r.items()))",
                               timeout=120, output_hook=lambda m: out.append(m["content"].get("text", "")))
        assert str(sorted(record["result"]["counts"].items())) in "".join(out)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


SECRETS = {"AWS_SECRET_ACCESS_KEY": "s3cr3t-aws-" + uuid.uuid4().hex, "AWS_SESSION_TOKEN": "s3ss10n-" + uuid.uuid4().hex,
           "QISKIT_IBM_TOKEN": "ibm-t0ken-" + uuid.uuid4().hex, "MY_SERVICE_PASSWORD": "pw-" + uuid.uuid4().hex}


async def test_secrets_from_the_environment_are_nowhere_in_the_log_its_blobs_or_the_rest_api(
        jp_fetch, braket_service, aws_env, monkeypatch, qhome):
    from qiskit import QuantumCircuit

    from qhybrid_lab.errors import QHybridError
    from qhybrid_lab.jobs import run

    # Given recognizable secrets in the environment
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    # When jobs run on a provider and locally, and some fail
    qc = QuantumCircuit(2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    run(qc, ["aer", "fake_manila", "braket:sv1"], shots=100).wait(120)
    braket_service.script(fail="rejected")
    try:
        run(qc, "braket:sv1", shots=10).wait(120)
    finally:
        braket_service.script()
    with pytest.raises(QHybridError):
        run(qc, "braket:no_such_device")
    # Then no secret is in the run log, its blobs, or any REST answer
    log = open_runlog(qhome)
    jobs = (await get(jp_fetch, "jobs", limit="50"))["jobs"]
    answers = [json.dumps(await get(jp_fetch, path)) for path in ("", "jobs", "budgets", "compare", "backends")]
    answers += [json.dumps(await get(jp_fetch, "jobs", j["id"])) for j in jobs]
    stored = [log.file.read_bytes()] + [p.read_bytes() for p in (qhome / "blobs").rglob("*") if p.is_file()]
    assert len(jobs) == 4 and any(j["status"] == "failed" for j in jobs)
    for value in SECRETS.values():
        assert not any(value.encode() in data for data in stored)
        assert not any(value in answer for answer in answers)
