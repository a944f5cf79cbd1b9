"""The Braket device adapter against the loopback service, with the unmodified SDK talking REST to 127.0.0.1."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid

import pytest
from braket_helpers import REPO, wait_for

from qhybrid_lab.backends.braket_remote import BraketDeviceBackend, client_token
from qhybrid_lab.backends.remote import ProviderJobRef
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.costs import estimate_cost
from qhybrid_lab.errors import (
    AccountNotConfigured,
    CircuitTooWide,
    CredentialsRejected,
    DeviceUnavailable,
    InvalidJobSpec,
    ProviderError,
    ProviderUnreachable,
    UnknownProviderJob,
)
from qhybrid_lab.status import JobStatus

SV1 = "arn:aws:braket:::device/quantum-simulator/amazon/sv1"
GARNET = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"


def device(short: str) -> BraketDeviceBackend:
    """A fresh adapter (no session cached from another test's environment)."""
    return BraketDeviceBackend(f"braket:{short}", {"sv1": SV1, "iqm_garnet": GARNET}[short])


def asymmetric():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3, name="asym")
    qc.x(0)
    qc.h(1)
    qc.cx(1, 2)
    qc.measure_all()
    return qc


def key() -> str:
    return "sha256:" + uuid.uuid4().hex * 2


def submit(backend, circuit=None, shots=400, idempotency_key=None, **options):
    circuit = transpile_for(circuit or asymmetric(), backend).circuit
    return backend.submit([circuit], shots=shots, seed=None, idempotency_key=idempotency_key or key(), **options)


def task_of(service, ref):
    return next(t for t in service.tasks() if t["arn"] == ref.job_id)


@pytest.mark.parametrize("short", ["sv1", "iqm_garnet"])
def test_queued_running_done_and_results_like_a_local_run(braket_service, aws_env, short):
    # Given: the service keeps the task CREATED, QUEUED and RUNNING for a while
    from test_braket_local import homogeneity_p, run_on

    backend, idem = device(short), key()
    braket_service.script(client_token(idem), created=0.3, queued=1.5, running=1.5)
    # When: submitted and polled until final
    ref = submit(backend, shots=2000, idempotency_key=idem)
    seen = [backend.poll(ref)]
    while not seen[-1].final:
        time.sleep(0.05)
        seen.append(backend.poll(ref))
    # Then: it went through queued and running to done, and the counts match braket:local's in distribution
    states = [s.provider_state for s in seen]
    assert "QUEUED" in states and "RUNNING" in states and states[-1] == "COMPLETED"
    assert states.index("QUEUED") < states.index("RUNNING")
    assert [s.status for s in seen][-1] is JobStatus.DONE
    queued = next(s for s in seen if s.provider_state == "QUEUED")
    assert queued.queue_position == 3 and queued.queue_position_text == "3"
    outcome = backend.result(ref)
    (result,) = outcome.results
    assert sum(result.counts.values()) == 2000 and set(result.counts) == {"001", "111"}
    assert homogeneity_p(result.counts, run_on("braket:local", asymmetric(), shots=2000)) > 1e-4
    assert ref.region == ("eu-north-1" if short == "iqm_garnet" else "us-east-1") and not ref.local
    assert outcome.metrics["quantumTaskArn"] == ref.job_id and outcome.timestamps["created"] <= time.time()


def test_qpu_target_and_cost_estimate_vs_actual(braket_service, aws_env):
    backend = device("iqm_garnet")
    outcome = transpile_for(asymmetric(), backend)
    assert set(outcome.circuit.count_ops()) <= {"r", "cz", "measure", "barrier"}
    assert outcome.metrics["two_qubit"] >= 1 and backend.num_qubits == 20
    estimate = estimate_cost(backend, outcome.circuit, 1000)
    ref = backend.submit([outcome.circuit], shots=1000, seed=None, idempotency_key=key())
    wait_for(lambda: backend.poll(ref).final)
    actual = backend.result(ref).actual_cost
    assert estimate["estimate"] == actual == round(0.3 + 0.00145 * 1000, 6)
    print(f"iqm_garnet 1000 shots: estimate {estimate['estimate']} actual {actual}")
    # a managed simulator is billed for its execution time, at least 3 s
    sv1 = device("sv1")
    ref = submit(sv1, shots=100)
    wait_for(lambda: sv1.poll(ref).final)
    remote = sv1.result(ref)
    assert remote.usage["execution_ms"] >= 1 and remote.usage["billed_seconds"] >= 3.0
    assert remote.actual_cost == round(0.075 / 60 * remote.usage["billed_seconds"], 6)


def test_a_failed_task_keeps_the_provider_reason(braket_service, aws_env):
    backend, idem = device("sv1"), key()
    reason = "Task failed: qubit 3 is being recalibrated"
    braket_service.script(client_token(idem), running=0.2, fail=reason)
    ref = submit(backend, idempotency_key=idem)
    status = wait_for(lambda: (s := backend.poll(ref)).final and s)
    assert status.status is JobStatus.FAILED and status.message == reason
    with pytest.raises(ProviderError, match="recalibrated"):
        backend.result(ref)


def test_cancel_while_queued_reaches_the_service(braket_service, aws_env):
    backend, idem = device("iqm_garnet"), key()
    braket_service.script(client_token(idem), queued=600, cancel=0.5, queue_position=">2000")
    ref = submit(backend, idempotency_key=idem)
    queued = wait_for(lambda: (s := backend.poll(ref)).provider_state == "QUEUED" and s)
    assert queued.queue_position == 2000 and queued.queue_position_text == ">2000"
    assert backend.cancel(ref) is True
    assert task_of(braket_service, ref)["cancel_at"] is not None
    assert any(r["method"] == "PUT" and r["path"] == f"/quantum-task/{ref.job_id}/cancel"
               for r in braket_service.requests())
    final = wait_for(lambda: (s := backend.poll(ref)).final and s)
    assert final.status is JobStatus.CANCELLED and final.provider_state == "CANCELLED"
    assert backend.cancel(ref) is False
    with pytest.raises(ProviderError, match="CANCELLED"):
        backend.result(ref)


def test_a_held_task_stays_queued_until_released_then_completes(braket_service, aws_env):
    # Given a task the service holds in QUEUED (what a UI test needs: queued for as long as it looks, on any machine)
    backend, idem = device("sv1"), key()
    braket_service.script(client_token(idem), hold=True, queue_position="7", running=0.2)
    ref = submit(backend, idempotency_key=idem)
    first = wait_for(lambda: (s := backend.poll(ref)).provider_state == "QUEUED" and s)
    assert first.queue_position == 7 and not first.final
    assert task_of(braket_service, ref)["status"] == "QUEUED"  # still, whatever time has passed
    # When it is released, then it runs and completes with its counts
    braket_service.release(client_token(idem))
    final = wait_for(lambda: (s := backend.poll(ref)).final and s)
    assert final.status is JobStatus.DONE and final.provider_state == "COMPLETED"
    assert sum(backend.result(ref).results[0].counts.values()) == 400  # submit() asks for 400 shots


def test_a_dropped_answer_is_retried_by_the_sdk_onto_the_same_task(braket_service, aws_env):
    backend, idem = device("sv1"), key()
    braket_service.script(client_token(idem), drop_create=1)
    transpiled = transpile_for(asymmetric(), backend).circuit
    before = len(braket_service.requests())
    ref = backend.submit([transpiled], shots=100, seed=None, idempotency_key=idem)
    mine = [t for t in braket_service.tasks() if t["clientToken"] == client_token(idem)]
    assert [t["arn"] for t in mine] == [ref.job_id]
    posts = [r for r in braket_service.requests()[before:] if r["method"] == "POST" and r["path"] == "/quantum-task"]
    assert len(posts) == 2  # the answer to the first was never sent; botocore sent it again, same clientToken


def test_find_submitted_after_every_answer_was_dropped(braket_service, aws_env):
    # Given: every CreateQuantumTask answer is dropped after the task was accepted
    backend, idem = device("sv1"), key()
    braket_service.script(client_token(idem), drop_create=100)
    since = time.time()
    with pytest.raises(ProviderUnreachable) as info:
        submit(backend, idempotency_key=idem)
    assert "could not be reached" in str(info.value)
    # When: the engine asks before resubmitting
    found = backend.find_submitted(idem, since=since)
    # Then: the one task exists, found by its key; a resubmission with the same key creates nothing new
    mine = [t for t in braket_service.tasks() if t["clientToken"] == client_token(idem)]
    assert len(mine) == 1 and found is not None and found.job_id == mine[0]["arn"]
    assert backend.find_submitted(key(), since=since) is None
    with pytest.raises(ProviderUnreachable):
        submit(backend, idempotency_key=idem)
    assert len([t for t in braket_service.tasks() if t["clientToken"] == client_token(idem)]) == 1


def test_attach_a_task_created_directly_with_boto3(braket_service, aws_env):
    import boto3

    client = boto3.client("braket", region_name="us-east-1")
    source = "OPENQASM 3.0;\nbit[2] c;\nqubit[2] q;\nx q[1];\nc[0] = measure q[0];\nc[1] = measure q[1];\n"
    action = json.dumps({"braketSchemaHeader": {"name": "braket.ir.openqasm.program", "version": "1"},
                         "source": source, "inputs": {}})
    arn = client.create_quantum_task(clientToken=uuid.uuid4().hex, deviceArn=SV1, shots=64, action=action,
                                     outputS3Bucket="my-results", outputS3KeyPrefix="elsewhere")["quantumTaskArn"]
    backend = device("sv1")
    ref = backend.attach(arn)
    assert ref.job_id == arn and ref.backend == "braket:sv1"
    wait_for(lambda: backend.poll(ref).final)
    assert backend.result(ref).results[0].counts == {"10": 64}
    with pytest.raises(ProviderError, match="attach it with backend 'braket:sv1'"):
        device("iqm_garnet").attach(arn)
    with pytest.raises(UnknownProviderJob, match="no quantum task"):
        backend.attach(arn.rsplit("/", 1)[0] + "/" + str(uuid.uuid4()))
    with pytest.raises(UnknownProviderJob, match="not a Braket quantum-task ARN"):
        backend.attach("not-an-arn")


def test_a_sweep_is_one_program_set_task(braket_service, aws_env):
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    qc = QuantumCircuit(1, name="rx")
    qc.rx(theta, 0)
    qc.measure_all()
    backend = device("iqm_garnet")
    transpiled = transpile_for(qc, backend).circuit
    binds = [{p: [0.0, math.pi, math.pi / 2] for p in transpiled.parameters}]
    ref = backend.submit([transpiled], shots=300, seed=None, parameter_binds=binds, idempotency_key=key())
    assert task_of(braket_service, ref)["actionType"] == "braket.ir.openqasm.program_set"
    wait_for(lambda: backend.poll(ref).final)
    outcome = backend.result(ref)
    assert [r.counts for r in outcome.results][:2] == [{"0": 300}, {"1": 300}]
    assert 90 < outcome.results[2].counts.get("1", 0) < 210
    assert outcome.actual_cost == round(0.3 + 0.00145 * 900, 6)


def test_another_process_polls_and_fetches_a_task_it_did_not_submit(braket_service, aws_env):
    backend = device("sv1")
    ref = submit(backend, shots=100)
    code = ("import json, sys; from qhybrid_lab.backends import get_backend; "
            "from qhybrid_lab.backends.remote import ProviderJobRef; "
            "ref = ProviderJobRef.from_record(json.loads(sys.argv[1])); b = get_backend(ref.backend); "
            "import time\nwhile not b.poll(ref).final: time.sleep(0.05)\n"
            "print(json.dumps(b.result(ref).results[0].counts))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(ref.as_record())], capture_output=True, text=True,
                         check=True, cwd=REPO, env={**os.environ}, timeout=120).stdout
    assert set(json.loads(out)) == {"001", "111"} and sum(json.loads(out).values()) == 100


def test_errors_are_typed_and_say_what_to_do(braket_service, aws_env, monkeypatch):
    backend = device("sv1")
    with pytest.raises(CircuitTooWide):
        from qiskit import QuantumCircuit

        device("iqm_garnet").validate(QuantumCircuit(21, name="wide"), 100)
    with pytest.raises(UnknownProviderJob):
        backend.poll(ProviderJobRef("braket", f"arn:aws:braket:us-east-1:123456789012:quantum-task/{uuid.uuid4()}",
                                    "braket:sv1", region="us-east-1"))
    unknown = BraketDeviceBackend("braket:arn:aws:braket:::device/quantum-simulator/amazon/sv9",
                                  "arn:aws:braket:::device/quantum-simulator/amazon/sv9")
    with pytest.raises(DeviceUnavailable, match="did you mean 'braket:arn:aws:braket:::device/quantum-simulator/amazon/sv1'"):
        unknown.target()
    braket_service.device_status(GARNET, "OFFLINE")
    try:
        with pytest.raises(DeviceUnavailable, match="DeviceOfflineException"):
            submit(device("iqm_garnet"))
    finally:
        braket_service.device_status(GARNET, "ONLINE")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BRAKET", "http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(ProviderUnreachable, match="could not be reached"):
        device("sv1").target()
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(AccountNotConfigured, match="AWS_DEFAULT_REGION"):
        device("sv1").target()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(AccountNotConfigured, match="aws configure"):
        device("sv1").target()


def test_program_sets_refused_where_a_device_has_none(braket_service, aws_env):
    backend = device("sv1")  # the loopback SV1 lists the program-set action: remove it from the capabilities
    props = backend.device().properties
    props.action.pop("braket.ir.openqasm.program_set")
    with pytest.raises(InvalidJobSpec, match="no program sets"):
        backend.submit([transpile_for(asymmetric(), backend).circuit] * 2, shots=10, seed=None,
                       idempotency_key=key())


def test_no_credential_reaches_a_message_a_reference_or_a_result(braket_service, aws_env, monkeypatch):
    # Given: recognizable secrets, and a service that echoes the request's security token when it refuses keys
    secret, token = "qhSECRET" + uuid.uuid4().hex, "qhTOKEN" + uuid.uuid4().hex
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    backend = device("sv1")
    ref = submit(backend, shots=50)
    wait_for(lambda: backend.poll(ref).final)
    seen = [json.dumps(ref.as_record()), json.dumps(backend.poll(ref).as_record()),
            json.dumps(backend.result(ref).__dict__, default=str)]
    # When: the keys are refused, and the service is unreachable
    rejected_key = "AKIAREJECTED" + uuid.uuid4().hex[:8].upper()
    braket_service.reject(rejected_key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", rejected_key)
    with pytest.raises(CredentialsRejected) as rejected:
        device("sv1").target()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BRAKET", "http://127.0.0.1:9")
    with pytest.raises(ProviderUnreachable) as unreachable:
        device("sv1").target()
    seen += [str(rejected.value), str(unreachable.value), repr(rejected.value.__cause__)]
    # Then: neither secret, nor the access key, appears anywhere
    assert "UnrecognizedClientException" in str(rejected.value)
    for text in seen:
        assert secret not in text and token not in text and rejected_key not in text
