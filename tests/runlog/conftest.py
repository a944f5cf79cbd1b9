"""Fixtures for the run log tests: a log in the per-test QHYBRID_HOME and a record factory."""

from __future__ import annotations

import time
import uuid

import pytest

from qhybrid_lab.runlog import RunLog


def make_record(**overrides) -> dict:
    """A small but complete-looking run record; keyword arguments replace top-level keys."""
    record = {
        "id": uuid.uuid4().hex, "group": "g1", "backend": {"name": "aer", "provider": "aer", "kind": "simulator"},
        "circuit": {"hash": "sha256:aa", "name": "bell", "num_qubits": 2},
        "shots": 1024, "cost": {"currency": "USD", "estimate": 0.0},
        "timings": {"transpile": 0.01, "queue": None},
        "origin": {"owner": "1@h", "pid": 1, "host": "h", "notebook": "a.ipynb"}, "tags": [],
    }
    record.update(overrides)
    return record


@pytest.fixture
def log(qhome) -> RunLog:
    """A fresh run log in this test's QHYBRID_HOME."""
    return RunLog(qhome)


@pytest.fixture
def record_factory():
    """Records with strictly increasing creation times (so newest-first order is known)."""
    t0 = time.time() - 1000

    def factory(i: int = 0, **overrides) -> dict:
        return make_record(created=t0 + i, **overrides)

    return factory
