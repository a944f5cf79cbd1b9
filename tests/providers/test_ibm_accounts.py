"""Accounts and errors of ``ibm:<device>``: which account, refused vs unreachable, unknown and unavailable
devices, and no token in any message, reference or result. Against the loopback IBM Quantum service."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ibm_helpers import bell, poll_until_final, transpiled

from qhybrid_lab.errors import (
    AccountNotConfigured,
    CircuitTooWide,
    CredentialsRejected,
    DeviceUnavailable,
    InvalidJobSpec,
    MissingDependency,
    ProviderUnreachable,
    TransientBackendError,
    UnknownBackend,
    UnknownProviderJob,
)

SECRET = "qh-SECRET-token-7f3a9c1e5b"
"""A recognizable fake API key: it must appear in no message, reference or result."""
REPO = Path(__file__).resolve().parents[2]


def device(name: str = "ibmq_manila"):
    from qhybrid_lab.backends.ibm import IBMBackend

    return IBMBackend(name)


def use_account(monkeypatch, service, token: str, **overrides: str) -> None:
    for name, value in {**service.environment(token), **overrides}.items():
        monkeypatch.setenv(name, value)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- refused, unreachable ---------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [400, 401])
def test_a_token_iam_refuses_is_credentials_rejected(ibm_service, monkeypatch, status):
    # IBM's IAM answers 400 BXNIM0415E for an unknown API key; 401 is what a revoked one may get
    ibm_service.configure(iam_reject_status=status)
    use_account(monkeypatch, ibm_service, SECRET)
    with pytest.raises(CredentialsRejected) as info:
        device().num_qubits
    assert not isinstance(info.value, TransientBackendError)
    assert "refused the credentials" in str(info.value) and SECRET not in str(info.value)


def test_a_token_revoked_at_the_api_is_rejected_when_polling(manila, ibm_account):
    ref = manila.submit([transpiled(bell(), manila)], shots=100, seed=None, idempotency_key="revoked")
    ibm_account.configure(reject_api=True)
    with pytest.raises(CredentialsRejected, match="refused the credentials"):
        manila.poll(ref)


def test_a_token_revoked_before_use_is_rejected_not_a_missing_device(ibm_account):
    # The SDK hides a 401 on the device list behind "no backend matches"; the adapter asks again
    ibm_account.configure(reject_api=True)
    with pytest.raises(CredentialsRejected):
        device().num_qubits


def test_an_unreachable_service_is_distinct_from_a_refused_token(ibm_service, monkeypatch):
    dead = f"http://127.0.0.1:{closed_port()}"
    use_account(monkeypatch, ibm_service, SECRET, HTTP_PROXY=dead, http_proxy=dead)
    with pytest.raises(ProviderUnreachable) as info:
        device().num_qubits
    assert isinstance(info.value, TransientBackendError) and not isinstance(info.value, CredentialsRejected)
    assert "could not be reached" in str(info.value) and SECRET not in str(info.value)


def test_a_name_that_does_not_resolve_is_unreachable(ibm_service, monkeypatch):
    use_account(monkeypatch, ibm_service, SECRET)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name)
    with pytest.raises(ProviderUnreachable, match="could not be reached"):
        device().num_qubits


# --- devices ----------------------------------------------------------------------------------------------
def test_an_unknown_device_suggests_the_accounts_devices(ibm_account):
    from qhybrid_lab.backends import list_backends

    with pytest.raises(UnknownBackend, match="did you mean 'ibm:ibmq_manila'"):
        device("ibmq_manla").num_qubits
    names = {row["name"]: row for row in list_backends()}
    assert {"ibm:ibmq_manila", "ibm:ibm_torino"} <= set(names) and "ibm:<device>" not in names
    assert names["ibm:ibm_torino"]["num_qubits"] == 133 and names["ibm:ibm_torino"]["kind"] == "hardware"


def test_a_retired_device_is_unavailable(ibm_account):
    with pytest.raises(DeviceUnavailable, match="'ibm_brisbane' is not available"):
        device("ibm_brisbane").num_qubits


def test_an_offline_device_refuses_the_submission(manila, ibm_account):
    circuit = transpiled(bell(), manila)
    ibm_account.configure(device_status={"ibmq_manila": {"state": False, "status": "maintenance",
                                                         "message": "maintenance"}})
    with pytest.raises(DeviceUnavailable, match="not operational"):
        manila.submit([circuit], shots=100, seed=None, idempotency_key="offline")
    assert ibm_account.jobs("offline") == []


def test_too_wide_and_loose_bits_are_refused_before_submission(manila, ibm_account):
    from qiskit import ClassicalRegister, QuantumCircuit
    from qiskit.circuit import Clbit

    with pytest.raises(CircuitTooWide, match="needs 6 qubits; ibm:ibmq_manila has 5"):
        manila.validate(QuantumCircuit(6, name="wide"), 100)
    loose = QuantumCircuit(1, name="loose")
    loose.add_bits([Clbit()])
    loose.measure(0, 0)
    with pytest.raises(InvalidJobSpec, match="outside any register"):
        manila.validate(loose, 100)
    with pytest.raises(InvalidJobSpec, match="identifiers"):
        manila.validate(QuantumCircuit(1, name="kw").compose(QuantumCircuit(ClassicalRegister(1, "my reg"))), 100)


def test_an_unknown_job_id(manila, ibm_account):
    from qhybrid_lab.backends.remote import ProviderJobRef

    with pytest.raises(UnknownProviderJob):
        manila.poll(ProviderJobRef(provider="ibm", job_id="d0000000000000000000", backend=manila.name))


# --- secrets ----------------------------------------------------------------------------------------------
def test_the_token_appears_in_no_message_reference_or_result(ibm_service, monkeypatch, qhome):
    from qhybrid_lab.backends.remote import ProviderJobRef

    # Given the service accepts only the secret token
    ibm_service.configure(api_keys=[SECRET])
    use_account(monkeypatch, ibm_service, SECRET)
    manila = device()
    # When a job runs to the end
    ref = manila.submit([transpiled(bell(), manila)], shots=200, seed=None, idempotency_key="secret")
    statuses = poll_until_final(manila, ref)
    outcome = manila.result(ref)
    texts = [json.dumps(ref.as_record()), json.dumps([s.as_record() for s in statuses]),
             json.dumps({"metrics": outcome.metrics, "usage": outcome.usage, "timestamps": outcome.timestamps,
                         "results": [[r.counts, r.metadata] for r in outcome.results]}, default=str),
             (qhome / "ibm_devices.json").read_text()]
    # And when every kind of error happens with it
    errors = []
    for attempt in (lambda: device("ibmq_manla").num_qubits,
                    lambda: manila.poll(ProviderJobRef(provider="ibm", job_id="d404", backend=manila.name))):
        with pytest.raises(Exception) as info:
            attempt()
        errors.append(info.value)
    ibm_service.configure(reject_api=True)
    with pytest.raises(CredentialsRejected) as info:
        manila.poll(ref)
    errors.append(info.value)
    ibm_service.configure(api_keys=["another-key"], reject_api=False)
    from qhybrid_lab.backends.ibm_account import forget_services

    forget_services()
    with pytest.raises(CredentialsRejected) as info:
        device().num_qubits
    errors.append(info.value)
    dead = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", dead)
    monkeypatch.setenv("http_proxy", dead)
    with pytest.raises(ProviderUnreachable) as info:
        device().num_qubits
    errors.append(info.value)
    # Then the token is nowhere
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    assert all(SECRET not in text for text in texts)
    assert len(errors) == 5


# --- which account ----------------------------------------------------------------------------------------
def run_isolated(code: str, home: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter whose HOME is ``home`` (set before qiskit-ibm-runtime is imported)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("QISKIT_IBM", "QHYBRID_IBM", "IAM_URL"))
             and k.lower() not in ("http_proxy", "https_proxy")}
    clean.update(HOME=str(home), QHYBRID_HOME=str(home / "qhybrid"), **env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=clean, capture_output=True,
                          text=True, timeout=300)


def test_no_account_says_how_to_configure_one_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = run_isolated("""
        from qhybrid_lab.backends.ibm import IBMBackend
        from qhybrid_lab.errors import AccountNotConfigured
        try:
            IBMBackend("ibm_torino").num_qubits
        except AccountNotConfigured as exc:
            print("MESSAGE", exc)
    """, home, {})
    assert done.returncode == 0, done.stderr
    assert "MESSAGE no IBM Quantum account is configured" in done.stdout
    assert "save_account" in done.stdout and "QISKIT_IBM_TOKEN" in done.stdout
    assert not (home / ".qiskit").exists()  # the SDK would have written ~/.qiskit/qiskit-ibm.json holding {}


def test_a_saved_account_selected_by_name(ibm_service, tmp_path):
    from loopback.ibm_service import CRN, DOMAIN

    ibm_service.configure(api_keys=[SECRET])
    home = tmp_path / "home"
    home.mkdir()
    env = {"IAM_URL": f"http://iam.{DOMAIN}", "PROXY_URL": ibm_service.url}
    done = run_isolated(f"""
        import os
        from qiskit_ibm_runtime import QiskitRuntimeService
        QiskitRuntimeService.save_account(name="loopback", token={SECRET!r}, url="http://{DOMAIN}",
                                          instance={CRN!r}, channel="ibm_quantum_platform",
                                          proxies={{"urls": {{"http": os.environ["PROXY_URL"]}}}})
        from qhybrid_lab.backends.ibm import IBMBackend
        from qhybrid_lab.circuits import transpile_for
        from qhybrid_lab.errors import AccountNotConfigured
        from qiskit import QuantumCircuit
        os.environ["QHYBRID_IBM_ACCOUNT"] = "missing"
        try:
            IBMBackend("ibmq_manila").num_qubits
        except AccountNotConfigured as exc:
            print("MISSING", exc)
        os.environ["QHYBRID_IBM_ACCOUNT"] = "loopback"
        backend = IBMBackend("ibmq_manila")
        circuit = QuantumCircuit(1, name="x")
        circuit.x(0)
        circuit.measure_all()
        (result,) = backend.execute([transpile_for(circuit, backend).circuit], shots=300, seed=None)
        print("COUNTS", result.counts.get("1", 0), sum(result.counts.values()))
    """, home, env)
    assert done.returncode == 0, done.stderr
    assert "MISSING QHYBRID_IBM_ACCOUNT='missing' names no saved IBM Quantum account" in done.stdout
    ones, total = map(int, done.stdout.split("COUNTS")[1].split())
    assert total == 300 and ones > 250
    assert SECRET not in done.stdout + done.stderr


def test_a_missing_sdk_names_the_install_line(monkeypatch):
    from qhybrid_lab.backends.ibm import make_backend

    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    with pytest.raises(MissingDependency, match=r'pip install "qhybrid-lab\[ibm\]"'):
        device().num_qubits
    with pytest.raises(MissingDependency, match=r'pip install "qhybrid-lab\[ibm\]"'):
        make_backend("ibm:fake_manila").target()


# --- the classification itself, on the SDK's own exception types --------------------------------------------
def sdk_error(outer: Exception, cause: BaseException | None = None, *, context: bool = False) -> Exception:
    """``outer`` raised from ``cause`` (or, with ``context``, while handling it: ``raise ... from None``)."""
    try:
        try:
            if cause is not None:
                raise cause
            raise outer
        except BaseException as inner:
            if inner is outer:
                raise
            if context:
                raise outer from None
            raise outer from inner
    except Exception as exc:  # noqa: BLE001  (returned to be classified)
        return exc


def response(status: int, url: str):
    import requests

    answer = requests.Response()
    answer.status_code, answer.url = status, url
    answer._content = b'{"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."}'
    return answer


def test_unable_to_retrieve_instances_is_split_by_its_cause(monkeypatch):
    import requests
    from ibm_cloud_sdk_core import ApiException
    from qiskit_ibm_runtime.accounts.exceptions import InvalidAccountError

    from qhybrid_lab.backends.ibm_account import provider_error

    monkeypatch.setenv("QISKIT_IBM_TOKEN", SECRET)
    outer = InvalidAccountError("Unable to retrieve instances. Please check that you are using a valid API token.")
    refused = ApiException(400, http_response=response(400, "https://iam.cloud.ibm.com/identity/token"))
    offline = requests.ConnectionError(f"Failed to resolve 'iam.cloud.ibm.com' (apikey={SECRET})")
    assert isinstance(provider_error(sdk_error(outer, refused), "connecting"), CredentialsRejected)
    unreachable = provider_error(sdk_error(outer, offline), "connecting")
    assert isinstance(unreachable, ProviderUnreachable) and SECRET not in str(unreachable)
    # A 400 from any other endpoint is not a verdict on the token
    other = ApiException(400, http_response=response(400, "https://api.global-search-tagging.cloud.ibm.com/v3"))
    assert type(provider_error(sdk_error(outer, other), "connecting")).__name__ == "ProviderError"


def test_the_sdks_wrapped_http_errors_keep_their_meaning():
    import requests
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError
    from qiskit_ibm_runtime.api.exceptions import RequestsApiError
    from qiskit_ibm_runtime.exceptions import IBMNotAuthorizedError, IBMRuntimeError, RuntimeJobNotFound

    from qhybrid_lab.backends.ibm_account import provider_error

    maintenance = requests.HTTPError("503 Server Error", response=response(503, "https://quantum.cloud.ibm.com/x"))
    cases = {
        ProviderUnreachable: sdk_error(RequestsApiError("Unexpected response: maintenance mode"), maintenance,
                                       context=True),
        CredentialsRejected: sdk_error(IBMNotAuthorizedError("401 Client Error: Unauthorized")),
        UnknownProviderJob: sdk_error(RuntimeJobNotFound("Job not found: d123")),
        AccountNotConfigured: sdk_error(AccountNotFoundError("Unable to find account.")),
    }
    for expected, error in cases.items():
        assert isinstance(provider_error(error, "polling"), expected), (expected, error)
    # `raise IBMRuntimeError(...) from None` keeps the real cause only in __context__
    lost = sdk_error(IBMRuntimeError("Failed to run program: ..."),
                     RequestsApiError("('Connection aborted.', RemoteDisconnected(...))"), context=True)
    lost.__context__.__cause__ = requests.ConnectionError("Connection aborted.")
    assert isinstance(provider_error(lost, "submitting"), ProviderUnreachable)


def test_the_state_table_knows_every_state_the_sdk_can_report():
    from typing import get_args

    from qiskit.providers import JobStatus as QiskitJobStatus
    from qiskit_ibm_runtime.runtime_job_v2 import API_TO_JOB_STATUS, JobStatus as RuntimeJobStatus

    from qhybrid_lab.backends.ibm_pubs import STATE_TABLE

    assert set(get_args(RuntimeJobStatus)) <= set(STATE_TABLE)
    assert {s.name for s in QiskitJobStatus} <= set(STATE_TABLE)
    assert {api.upper() for api in API_TO_JOB_STATUS} <= set(STATE_TABLE)
