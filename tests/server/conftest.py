"""Fixtures for the server-extension tests: a real Jupyter server with qhybrid-lab enabled, auth required."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

# Not a top-level conftest, so no ``pytest_plugins``: import the fixtures of pytest-jupyter's server plugin here.
from pytest_jupyter.jupyter_server import *  # noqa: F403,E402


@pytest.fixture
def jp_server_config():
    """Enable the extension; every request must carry the server's token."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"qhybrid_lab": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "QHybridLabServer": {"reap_every": 0.0},
    }


@pytest.fixture
def runlog(qhome):
    """The run log the server reads (the same QHYBRID_HOME)."""
    from qhybrid_lab.runlog import open_runlog

    return open_runlog(qhome)


@pytest.fixture
def api(jp_fetch):
    """``await api("GET", "jobs", params=..., body=...)`` → (status, decoded JSON); errors do not raise."""

    async def call(method: str, *path: str, params: dict | None = None, body: Any = None, headers=None):
        kwargs: dict[str, Any] = {"method": method, "raise_error": False, "headers": headers, "params": params}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method in ("POST", "PUT"):
            kwargs["body"] = b""
        response = await jp_fetch("qhybrid-lab", "api", *path, **kwargs)
        text = response.body.decode() if response.body else ""
        try:
            data = json.loads(text) if text else None
        except json.JSONDecodeError:
            data = text
        return response.code, data

    return call


@pytest.fixture
def record():
    """``record(**overrides)`` → a run record shaped like the engine's; dict values are merged one level."""
    return make_record


def make_record(**overrides: Any) -> dict[str, Any]:
    """A run record shaped like the engine's (docs/architecture.md), for the server to read."""
    now = time.time()
    record: dict[str, Any] = {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": uuid.uuid4().hex,
        "idempotency_key": "sha256:" + uuid.uuid4().hex,
        "created": now,
        "updated": now,
        "status": "done",
        "backend": {"name": "aer", "provider": "aer", "kind": "simulator", "version": "0.18.2", "num_qubits": 30},
        "provider_job_id": None,
        "circuit": {
            "hash": "sha256:bell",
            "name": "bell",
            "num_qubits": 2,
            "qasm": "OPENQASM 3.0; qubit[2] q;",
            "measure_added": False,
            "depth": 3,
            "size": 4,
            "two_qubit": 1,
            "ops": {"h": 1, "cx": 1, "measure": 2},
        },
        "parameters": None,
        "shots": 1000,
        "seed": None,
        "transpile": {"optimization_level": 2, "depth": 3, "size": 4, "two_qubit": 1, "ops": {"h": 1, "cx": 1}},
        "calibration": None,
        "simulation": None,
        "mitigation": {},
        "cost": {"currency": "USD", "estimate": 0.0, "actual": None, "hardware_equivalent": 0.0, "counted": 0.0,
                 "rehearsal": False},
        "timings": {"transpile": 0.01, "queue": 0.1, "run": 0.05, "retrieve": 0.0, "total": 0.16},
        "attempts": 1,
        "errors": [],
        "error": None,
        "blocked_reason": None,
        "fallback": None,
        "result": {"counts": {"00": 510, "11": 490}, "shots": 1000},
        "origin": {"owner": "1@test", "pid": 1, "host": "test", "user": "test", "kernel_id": None,
                   "notebook": "notebooks/a.ipynb", "cell_id": None},
        "tags": [],
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            record[key] = {**record[key], **value}
        else:
            record[key] = value
    return record
