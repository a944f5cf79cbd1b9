"""A clean engine shutdown after the PennyLane tests (circuits are in pennylane_helpers.py)."""

from __future__ import annotations

import pytest

from qhybrid_lab.jobs import JobManager


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()
