"""Helpers of the server tests: run records shaped like the engine's, and the operations the API describes."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from qhybrid_lab.server.routes import ROUTES

METHODS = ("get", "post", "put", "delete", "patch")


def described_operations() -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every method every handler in ``routes.py`` implements."""
    out = set()
    for pattern, handler in ROUTES:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).replace("\\.", ".").rstrip("?").rstrip("/") or "/"
        for method in METHODS:
            if method in vars(handler):
                out.add((method.upper(), path))
    return out


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
