"""Observables test fixtures: a clean engine shutdown at the end of the session."""

from __future__ import annotations

import pytest

from qhybrid_lab.jobs import JobManager


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()
