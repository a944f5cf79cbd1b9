"""Provider jobs that outlive their kernel: adopted by another process, or attached from outside qhybrid-lab.

A provider job's reference is in the run log, so any process can follow it: the Jupyter server adopts the jobs
that their kernel released (or that a dead kernel left behind: the run log's readers release them), a new kernel
adopts one on ``%qresult``, and ``%qattach`` brings a job submitted elsewhere (a script, the provider's web page)
into the run log. Adoption is a compare-and-set in one run-log transaction, so two processes never follow one job.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..runlog.owners import responsible_owner
from ..status import ACTIVE_STATES, FINAL_STATES, JobStatus
from .options import RunOptions
from .submission import make_origin
from .task import Task

if TYPE_CHECKING:
    from .handles import Job
    from .manager import JobManager

_OPTION_FIELDS = {f.name for f in dataclasses.fields(RunOptions)}


def _options(record: dict) -> RunOptions:
    """The run options a record was submitted with (records written before options were recorded: shots only)."""
    stored = {k: v for k, v in (record.get("options") or {}).items() if k in _OPTION_FIELDS}
    stored.setdefault("shots", int(record.get("shots") or 1024))
    stored["tags"], stored["fallback"] = tuple(stored.get("tags") or ()), tuple(stored.get("fallback") or ())
    return RunOptions(**stored)


def is_adoptable(record: dict) -> bool:
    """An active provider job (not a local mode's) that no live process follows."""
    job = record.get("provider_job")
    return (
        record.get("status") in {s.value for s in ACTIVE_STATES}
        and isinstance(job, dict)
        and not job.get("local")
        and responsible_owner(record) is None
    )


def adopt(manager: JobManager, job_id: str) -> Job:
    """Follow a provider job in this process from now on; returns its handle.

    Raises:
        InvalidJobSpec: the job is not a provider job, or a live process already follows it.
    """
    from ..backends import get_backend
    from ..backends.remote import ProviderJobRef

    log = manager.log
    with log.transaction():
        record = log.get(job_id)
        if JobStatus(record["status"]) in FINAL_STATES:
            return manager.job(record["id"])
        job = record.get("provider_job")
        if not isinstance(job, dict) or job.get("local"):
            raise InvalidJobSpec(f"job {record['id'][:8]} runs locally, not at a provider: it cannot be adopted")
        owner = responsible_owner(record)
        if owner == manager.owner:
            return manager.job(record["id"])
        if owner is not None:
            raise InvalidJobSpec(f"job {record['id'][:8]} is followed by {owner}, which is alive")
        backend = get_backend(record["backend"]["name"])
        handler = {
            "owner": manager.owner,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "adopted_at": time.time(),
            "previous": (record.get("handler") or {}).get("previous"),
        }
        record = log.update(
            record["id"], {"handler": handler}, status=record["status"], note=f"adopted by {manager.owner}"
        )
    handle = manager.handle(record)
    ref = ProviderJobRef.from_record(job) if job.get("job_id") else None
    task = Task(
        record=record,
        recorder=manager.recorder,
        on_record=handle._update,
        circuit=None,
        backend=backend,
        options=_options(record),
        parameters=record.get("parameters"),
        provider_ref=ref,
        attempt=int(record.get("attempts") or 1),
        dispatched_at=time.time(),
    )
    manager.engine().follow([task])
    return handle


def adopt_released(manager: JobManager) -> list[str]:
    """Adopt every provider job no live process follows (what the Jupyter server's housekeeping does).

    A job that cannot be adopted here (its backend needs an account this process has not) is left for another
    process and said once in its record.
    """
    adopted = []
    for record in manager.log.query(status=[s.value for s in ACTIVE_STATES], limit=None):
        if not is_adoptable(record):
            continue
        try:
            adopt(manager, record["id"])
            adopted.append(record["id"])
        except (InvalidJobSpec, LookupError):
            continue  # another process adopted it first, or it is gone
        except Exception as error:  # noqa: BLE001 - the backend cannot be made here; say so once on the job
            note = f"cannot be followed by {manager.owner}: {type(error).__name__}: {error}"
            if (record.get("status_history") or [{}])[-1].get("note") != note:
                manager.log.update(record["id"], {}, status=record["status"], note=note)
    return adopted


def attach(
    manager: JobManager,
    provider_job_id: str,
    backend_name: str,
    *,
    name: str | None = None,
    origin: dict | None = None,
    tags: tuple[str, ...] = (),
) -> Job:
    """Bring a provider job submitted elsewhere into the run log and follow it; returns its handle.

    Raises:
        InvalidJobSpec: the backend is not a provider's, or this provider job is already in the run log.
        UnknownProviderJob, ProviderError: what the provider says of the id.
    """
    from ..backends import get_backend
    from ..backends.remote import RemoteBackend

    backend = get_backend(backend_name)
    if not isinstance(backend, RemoteBackend) or backend.is_local:
        raise InvalidJobSpec(
            f"{backend.name} is not a provider's device: only jobs of a quantum provider (ibm:, "
            "braket:) can be attached"
        )
    for existing in manager.log.query(limit=None):
        if existing.get("provider_job_id") == provider_job_id:
            raise InvalidJobSpec(
                f"provider job {provider_job_id} is already in the run log as job {existing['id'][:8]}"
            )
    ref = backend.attach(provider_job_id)
    status = backend.poll(ref)
    now = time.time()
    record: dict[str, Any] = {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": uuid.uuid4().hex,
        "idempotency_key": f"attached:{ref.provider}:{ref.job_id}",
        "created": now,
        "status": "pending",
        "backend": backend.describe(),
        "provider_job_id": ref.job_id,
        "provider_job": ref.as_record(),
        "provider_status": status.as_record(),
        "circuit": {"hash": None, "name": name or f"attached {ref.job_id[-12:]}", "num_qubits": None},
        "parameters": None,
        "shots": None,
        "seed": None,
        "options": {},
        "transpile": None,
        "calibration": None,
        "simulation": None,
        "mitigation": {},
        "cost": {"currency": "USD", "estimate": None, "actual": None, "counted": 0.0, "rehearsal": False},
        "timings": {"submitted_at": status.timestamps.get("created")},
        "timeout": None,
        "attempts": 1,
        "errors": [],
        "error": None,
        "blocked_reason": None,
        "fallback": None,
        "experiment": None,
        "result": None,
        "origin": make_origin(origin),
        "tags": list(tags),
        "attached": True,
        "handler": {"owner": None, "released_at": now, "previous": None},
    }
    manager.log.insert(record)
    return adopt(manager, record["id"])


__all__ = ["adopt", "adopt_released", "attach", "is_adoptable"]
