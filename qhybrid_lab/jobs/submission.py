"""Building run records at submission: one typed record per circuit × backend, with its origin and keys."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import BackendError, QHybridError
from ..record import CircuitInfo, Origin, Parameters, RunRecord
from .options import RunOptions

if TYPE_CHECKING:
    from ..backends import Backend

QASM_INLINE_LIMIT = 8 * 1024
"""OpenQASM longer than this (bytes) is stored as a blob (``circuit.qasm_ref``) rather than inline."""


def owner_id() -> str:
    """This process as an owner of jobs: ``"pid@host"``."""
    return f"{os.getpid()}@{socket.gethostname()}"


def make_origin(origin: dict | None) -> Origin:
    """The record's origin: this process (owner, pid, host, user) plus what the caller knows (notebook, cell)."""
    base: Origin = {
        "owner": owner_id(),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": _user(),
        "kernel_id": None,
        "notebook": None,
        "cell_id": None,
    }
    extra = {k: v for k, v in (origin or {}).items() if k not in ("owner", "pid", "host")}
    return {**base, **extra}


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def idempotency_key(group: str, circuit_hash: str, backend: str, shots: int, seed: int | None, parameters: Any) -> str:
    """``sha256:`` of (group, circuit hash, backend, shots, seed, parameters)."""
    payload = json.dumps([group, circuit_hash, backend, shots, seed, parameters], sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()


def circuit_fields(log: Any, name: str, circuit: Any, measure_added: bool) -> CircuitInfo:
    """The record's ``circuit`` field: canonical hash, name, widths, OpenQASM 3 inline, as a blob or why not,
    the QPY blob, metrics (:func:`qhybrid_lab.circuits.record.circuit_record`)."""
    from ..circuits.record import circuit_record

    fields = circuit_record(circuit, log.put_blob, inline_limit=QASM_INLINE_LIMIT)
    return {
        "hash": fields.pop("hash"),
        "name": name,
        **fields,  # type: ignore[typeddict-item]
        "measure_added": bool(measure_added),
    }


def new_record(
    *,
    group: str,
    circuit: CircuitInfo,
    backend: Backend,
    options: RunOptions,
    cost: dict,
    origin: Origin,
    parameters: Parameters | None = None,
    observables: dict | None = None,
) -> RunRecord:
    """The pending run record of one circuit (or sweep) on one backend: every field, nothing else decides them.

    ``parameters`` is a sweep's ``{"names": [...], "values": [[...], ...]}`` (``None`` for a plain circuit).
    ``observables`` is what the manager prepared for expectation values (``{"observables": [...], ...}``); the
    record keeps its ``observables`` list.

    Raises:
        BackendError: The backend could not describe itself (its message names the backend).
    """
    record: RunRecord = {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": group,
        "idempotency_key": idempotency_key(
            group, circuit["hash"], backend.name, options.shots, options.seed, parameters
        ),
        "status": "pending",
        "backend": guarded(backend, "describe itself", backend.describe),  # type: ignore[typeddict-item]
        "provider_job_id": None,
        "provider_job": None,
        "provider_status": None,
        "circuit": circuit,
        "parameters": parameters,
        "observables": observables["observables"] if observables else None,
        "shots": options.shots,
        "seed": options.seed,
        "options": options.as_record(),
        "transpile": {"optimization_level": options.optimization_level},
        "calibration": None,
        "simulation": None,
        "mitigation": {"method": options.mitigation} if options.mitigation else {},
        "cost": {
            "currency": "USD",
            "estimate": 0.0,
            "actual": None,
            "hardware_equivalent": None,
            "counted": 0.0,
            "rehearsal": False,
            "price_model": None,
            **cost,
        },
        "timings": {
            "transpile": None,
            "queue": None,
            "run": None,
            "retrieve": None,
            "total": None,
            "submitted_at": None,
            "started_at": None,
            "finished_at": None,
        },
        "timeout": None,
        "attempts": 0,
        "errors": [],
        "error": None,
        "blocked_reason": None,
        "fallback": None,
        "experiment": options.experiment,
        "result": None,
        "origin": origin,
        "tags": list(options.tags),
    }
    return record


T = TypeVar("T")


def guarded(backend: Backend, what: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)`` of a backend's code, its unexpected errors named after the backend.

    The project's own errors (``InvalidJobSpec``, ``CircuitTooWide``, ``ProviderError`` ...) pass unchanged; any
    other exception from an adapter or its SDK becomes a :class:`BackendError` that says which backend failed to do
    what, instead of a raw traceback in the user's cell.
    """
    try:
        return call(*args, **kwargs)
    except QHybridError:
        raise
    except Exception as error:
        raise BackendError(f"backend {backend.name!r} could not {what}: {type(error).__name__}: {error}") from error
