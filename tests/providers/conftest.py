"""Provider test fixtures: the loopback Braket service as a real process, an AWS environment pointing at it, and
pytest-jupyter's Jupyter server."""

from __future__ import annotations

import pytest
from braket_helpers import LoopbackBraket, aws_environment

# Not a top-level conftest, so no ``pytest_plugins``: pytest-jupyter's server fixtures (and its runner of async
# tests) for the tests where the Jupyter server adopts provider jobs.
from pytest_jupyter.jupyter_server import *  # noqa: F403,E402

from qhybrid_lab.jobs import JobManager


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()


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
