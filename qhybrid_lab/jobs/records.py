"""Building run records at submission: argument checks, one record per circuit × backend, origin and keys."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import uuid
from typing import Any

from ..errors import InvalidJobSpec

QASM_INLINE_LIMIT = 8 * 1024
"""OpenQASM longer than this (bytes) is stored as a blob (``circuit.qasm_ref``) rather than inline."""


def owner_id() -> str:
    """This process as an owner of jobs: ``"pid@host"``."""
    return f"{os.getpid()}@{socket.gethostname()}"


def check_options(*, shots: Any, seed: Any, optimization_level: Any, tags: Any) -> list[str]:
    """Validate the per-submission options; returns the tags as a list.

    Raises:
        InvalidJobSpec: with what was wrong and what is accepted.
    """
    if isinstance(shots, bool) or not isinstance(shots, int) or shots <= 0:
        raise InvalidJobSpec(f"shots must be a positive integer, not {shots!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InvalidJobSpec(f"seed must be a non-negative integer or None, not {seed!r}")
    if (isinstance(optimization_level, bool) or not isinstance(optimization_level, int)
            or not 0 <= optimization_level <= 3):
        raise InvalidJobSpec(f"optimization_level must be 0, 1, 2 or 3, not {optimization_level!r}")
    if isinstance(tags, str):
        tags = [tags]
    tags = list(tags or ())
    if not all(isinstance(t, str) and t for t in tags):
        raise InvalidJobSpec(f"tags must be non-empty strings, not {tags!r}")
    return tags


def backend_names(backend: Any) -> list[str]:
    """One name or a list of names, without duplicates, order kept."""
    names = [backend] if isinstance(backend, str) else list(backend) if isinstance(backend, (list, tuple)) else None
    if not names or not all(isinstance(n, str) and n for n in names):
        raise InvalidJobSpec(f"backend must be a backend name or a non-empty list of names, not {backend!r}")
    return list(dict.fromkeys(names))


def make_origin(origin: dict | None) -> dict:
    """The record's origin: this process (owner, pid, host, user) plus what the caller knows (notebook, cell)."""
    base = {"owner": owner_id(), "pid": os.getpid(), "host": socket.gethostname(), "user": _user(),
            "kernel_id": None, "notebook": None, "cell_id": None}
    extra = {k: v for k, v in (origin or {}).items() if k not in ("owner", "pid", "host")}
    return {**base, **extra}


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def idempotency_key(group: str, circuit_hash: str, backend: str, shots: int, seed: int | None,
                    parameters: Any) -> str:
    """``sha256:`` of (group, circuit hash, backend, shots, seed, parameters)."""
    payload = json.dumps([group, circuit_hash, backend, shots, seed, parameters], sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


def circuit_fields(log: Any, name: str, circuit: Any, measure_added: bool) -> dict:
    """The record's ``circuit`` field (hash, name, qubits, OpenQASM inline or as a blob, metrics)."""
    from ..circuits import circuit_metrics, circuit_qasm

    qasm = circuit_qasm(circuit)  # the hash is of this text (circuit_hash), written once here
    digest = "sha256:" + hashlib.sha256(qasm.encode("utf-8")).hexdigest()
    fields: dict[str, Any] = {"hash": digest, "name": name, "num_qubits": circuit.num_qubits}
    if len(qasm.encode()) > QASM_INLINE_LIMIT:
        fields["qasm"], fields["qasm_ref"] = None, log.put_blob(qasm)
    else:
        fields["qasm"] = qasm
    fields["measure_added"] = bool(measure_added)
    metrics = circuit_metrics(circuit)
    fields.update({k: metrics[k] for k in ("depth", "size", "two_qubit", "ops")})
    return fields


def new_record(*, group: str, circuit: dict, backend: Any, shots: int, seed: int | None, optimization_level: int,
               cost: dict, origin: dict, tags: list[str], parameters: dict | None = None) -> dict:
    """One pending record (schema of docs/architecture.md); the engine fills transpile, timings and result.

    ``parameters`` is a sweep's ``{"names": [...], "values": [[...], ...]}`` (``None`` for a plain circuit).
    """
    name = backend.name
    return {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": group,
        "idempotency_key": idempotency_key(group, circuit["hash"], name, shots, seed, parameters),
        "status": "pending",
        "backend": backend.describe(),
        "provider_job_id": None,
        "circuit": circuit,
        "parameters": parameters,
        "shots": shots,
        "seed": seed,
        "transpile": {"optimization_level": optimization_level},
        "calibration": None,
        "simulation": None,
        "mitigation": {},
        "cost": {"currency": "USD", "estimate": 0.0, "actual": None, "hardware_equivalent": None, "counted": 0.0,
                 "rehearsal": False, "price_model": None, **cost},
        "timings": {"transpile": None, "queue": None, "run": None, "retrieve": None, "total": None,
                    "submitted_at": None, "started_at": None, "finished_at": None},
        "attempts": 0,
        "errors": [],
        "error": None,
        "blocked_reason": None,
        "fallback": None,
        "result": None,
        "origin": origin,
        "tags": list(tags),
    }
