"""Provider test fixtures: the loopback Braket service as a real process, and an AWS environment pointing at it."""

from __future__ import annotations

import pytest
from braket_helpers import LoopbackBraket, aws_environment

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
