"""Engine test fixtures: circuits, the test backends (registered here and in the workers), a clean shutdown."""

from __future__ import annotations

import uuid

import engine_backends  # noqa: F401  (registers flaky:, broken:, paid:)
import pytest

from jobs_helpers import ghz

from qhybrid_lab.jobs import JobManager


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()


@pytest.fixture
def bell():
    return ghz(2, "bell")


@pytest.fixture
def token() -> str:
    """A fresh token for the flaky:/broken: backends' attempt counters."""
    return uuid.uuid4().hex[:12]
