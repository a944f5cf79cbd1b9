"""Eight kernels submit 200 jobs each while the sidebar's REST API is polled: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KERNELS, JOBS = 8, 200

KERNEL = textwrap.dedent("""
    import sys
    from qiskit import QuantumCircuit
    from qhybrid_lab.jobs import run
    qc = QuantumCircuit(2); qc.h(0); qc.cx(0, 1); qc.measure_all()
    ids = []
    for batch in range(20):
        group = run([qc.copy(name=f"k{sys.argv[1]}-{batch}-{i}") for i in range(10)], "aer", shots=32)
        group.wait(300)
        ids += [job.id for job in group]
    print(" ".join(ids), flush=True)
""")


async def test_eight_kernels_two_hundred_jobs_each_with_the_rest_api_polled(jp_fetch, runlog, qhome, figures):
    # Given eight kernels (real processes) submitting 200 jobs each, in groups of 10
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHYBRID_HOME": str(qhome), "QHYBRID_WORKERS": "1"}
    kernels = [subprocess.Popen([sys.executable, "-c", KERNEL, str(k)], env=env, stdout=subprocess.PIPE, text=True)
               for k in range(KERNELS)]
    started = time.monotonic()
    latencies: list[float] = []
    # When the REST API is polled every 200 ms meanwhile, as the sidebar does
    while any(k.poll() is None for k in kernels):
        t0 = time.monotonic()
        response = await jp_fetch("qhybrid-lab", "api", "jobs", params={"limit": "50", "brief": "1"})
        latencies.append(time.monotonic() - t0)
        assert response.code == 200
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    submitted = []
    for kernel in kernels:
        out, _ = kernel.communicate()
        assert kernel.returncode == 0
        submitted += out.split()
    # Then every job is in the run log exactly once, done, and the API saw them all
    records = runlog.query(limit=None)
    assert len(submitted) == KERNELS * JOBS and len(set(submitted)) == len(submitted)
    assert sorted(r["id"] for r in records) == sorted(submitted)
    assert {r["status"] for r in records} == {"done"}
    total = json.loads((await jp_fetch("qhybrid-lab", "api", "jobs", params={"limit": "1"})).body)["total"]
    assert total == KERNELS * JOBS
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    figures(f"{KERNELS} kernels x {JOBS} jobs in {elapsed:.0f} s: 0 lost, 0 duplicated; REST {len(latencies)} polls, "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms")
