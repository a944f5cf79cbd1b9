"""Provider test fixtures: the loopback Braket and IBM Quantum services as real processes, environments pointing
at them, pytest-jupyter's Jupyter server, and a guard that no test touches the real ``~/.qiskit/qiskit-ibm.json``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from braket_helpers import LoopbackBraket, aws_environment

# Not a top-level conftest, so no ``pytest_plugins``: pytest-jupyter's server fixtures (and its runner of async
# tests) for the tests where the Jupyter server adopts provider jobs.
from pytest_jupyter.jupyter_server import *  # noqa: F403,E402

from loopback.ibm_service import IBMLoopback
from qhybrid_lab.jobs import JobManager

IBM_ACCOUNT_VARIABLES = ("QISKIT_IBM_TOKEN", "QISKIT_IBM_URL", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "IAM_URL",
                         "QHYBRID_IBM_ACCOUNT", "QHYBRID_IBM_INSTANCE", "HTTP_PROXY", "http_proxy",
                         "HTTPS_PROXY", "https_proxy")


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()


# --- Amazon Braket ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def braket_service(tmp_path_factory):
    service = LoopbackBraket(tmp_path_factory.mktemp("loopback-braket"))
    yield service
    service.stop()


@pytest.fixture
def aws_env(braket_service, monkeypatch):
    """The AWS environment of :func:`aws_environment`, set for one test."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "BRAKET_ENDPOINT", "AMZN_BRAKET_OUT_S3_BUCKET"):
        monkeypatch.delenv(key, raising=False)
    env = aws_environment(braket_service.url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


# --- IBM Quantum --------------------------------------------------------------------------------------------
def _real_ibm_account_file() -> Path:
    from qiskit_ibm_runtime.accounts import management

    return Path(management._DEFAULT_ACCOUNT_CONFIG_JSON_FILE)


def _fingerprint(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@pytest.fixture(autouse=True)
def untouched_real_ibm_account_file():
    """Fail a test that created, changed or removed the SDK's account file of the real home directory."""
    path = _real_ibm_account_file()
    before = _fingerprint(path)
    yield
    assert _fingerprint(path) == before, f"the test changed {path}"


@pytest.fixture(autouse=True)
def no_ambient_ibm_account(monkeypatch):
    """No IBM account or proxy from the machine: each test says which one it uses."""
    from qhybrid_lab.backends.ibm_account import forget_services

    for name in IBM_ACCOUNT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    forget_services()
    yield
    forget_services()


@pytest.fixture(scope="module")
def ibm_service_process(tmp_path_factory):
    """The loopback IBM Quantum service, as its own process with its state in a temporary directory (one per
    test module: tests use their own job tags)."""
    service = IBMLoopback.as_process(tmp_path_factory.mktemp("ibm-service"))
    yield service
    service.stop()


@pytest.fixture
def ibm_service(ibm_service_process):
    """The module's loopback IBM service, its configuration and scripts restored after the test."""
    yield ibm_service_process
    ibm_service_process.reset()


@pytest.fixture
def ibm_account(ibm_service, monkeypatch):
    """An environment-variable account (the vendor's ``QISKIT_IBM_*``) pointing at the loopback IBM service."""
    for name, value in ibm_service.environment().items():
        monkeypatch.setenv(name, value)
    return ibm_service


@pytest.fixture
def manila(ibm_account):
    """``ibm:ibmq_manila`` of the loopback account (a fresh adapter, not the registry's cached one)."""
    from qhybrid_lab.backends.ibm import IBMBackend

    return IBMBackend("ibmq_manila")
