"""IBM jobs outlive the process that submitted them: another process continues a job from its run-log reference,
and the loopback service keeps its jobs in its state directory across a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ibm_helpers import bell, poll_until_final, transpiled

from qhybrid_lab.backends.ibm import IBMBackend
from qhybrid_lab.backends.ibm_account import forget_services
from qhybrid_lab.backends.remote import ProviderJobRef
from qhybrid_lab.status import JobStatus

REPO = Path(__file__).resolve().parents[2]


def test_a_job_submitted_by_a_process_that_exits_is_continued_by_another(ibm_account, qhome):
    # Given a "kernel" process that submits a job, prints its reference (what the run log keeps) and exits
    ibm_account.script("kernel-job", queue_seconds=1.0, run_seconds=0.5)
    kernel = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import json
        from qhybrid_lab.backends.ibm import IBMBackend
        from qhybrid_lab.circuits import transpile_for
        from qiskit import QuantumCircuit
        circuit = QuantumCircuit(2, name="bell")
        circuit.h(0)
        circuit.cx(0, 1)
        circuit.measure_all()
        backend = IBMBackend("ibmq_manila")
        ref = backend.submit([transpile_for(circuit, backend).circuit], shots=1000, seed=None,
                             idempotency_key="kernel-job")
        print(json.dumps(ref.as_record()))
    """)], cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert kernel.returncode == 0, kernel.stderr
    record = json.loads(kernel.stdout.strip().splitlines()[-1])
    # When this process (the Jupyter server adopting it) continues from the record alone
    adopter = IBMBackend("ibmq_manila")
    ref = ProviderJobRef.from_record(record)
    seen = poll_until_final(adopter, ref)
    # Then it sees the job through to its result, and the service holds that one job
    assert seen[-1].status is JobStatus.DONE
    assert sum(adopter.result(ref).results[0].counts.values()) == 1000
    assert [job["id"] for job in ibm_account.jobs("kernel-job")] == [ref.job_id]


def test_the_service_keeps_its_jobs_across_a_restart(tmp_path, monkeypatch):
    from loopback.ibm_service import IBMLoopback

    state = tmp_path / "ibm-state"
    first = IBMLoopback.as_process(state)
    try:
        for name, value in first.environment().items():
            monkeypatch.setenv(name, value)
        first.script("held", hold=True)
        backend = IBMBackend("ibmq_manila")
        ref = backend.submit([transpiled(bell(), backend)], shots=200, seed=None, idempotency_key="held")
        assert backend.poll(ref).status is JobStatus.QUEUED
    finally:
        first.stop()
    second = IBMLoopback.as_process(state)
    try:
        for name, value in second.environment().items():
            monkeypatch.setenv(name, value)
        forget_services()
        again = IBMBackend("ibmq_manila")
        assert again.poll(ref).status is JobStatus.QUEUED
        second.release(ref.job_id)
        assert poll_until_final(again, ref)[-1].status is JobStatus.DONE
        assert sum(again.result(ref).results[0].counts.values()) == 200
    finally:
        second.stop()
