"""Budgets, settings, cancel requests and engine heartbeats: the run log's small tables (a RunLog mixin)."""

from __future__ import annotations

import math
import os
import socket
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..status import JobStatus

if TYPE_CHECKING:
    from .storage import JsonLinesStorage
    from .table import LogDB, LogTable

PERIODS = ("day", "total", "job")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (``os.kill(pid, 0)``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _budget_key(period: str, backend: str | None) -> str:
    return f"{period}|{backend or '*'}"


class AuxiliaryTables:
    """Methods of :class:`~qhybrid_lab.runlog.RunLog` for its tables other than runs."""

    _db: LogDB
    _storage: JsonLinesStorage

    def _table(self, name: str) -> LogTable:
        return self._db.table(name)  # type: ignore[return-value]

    # -- budgets -----------------------------------------------------------------------------------------------

    def set_budget(self, *, limit: float, period: str = "total", backend: str | None = None,
                   currency: str = "USD") -> dict:
        """Set the spending limit for a period ("day", "total" or "job"), overall or for one backend.

        One budget per (period, backend): setting it again replaces it.
        """
        if period not in PERIODS:
            raise InvalidJobSpec(f"budget period must be one of {', '.join(PERIODS)}, not {period!r}")
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit) or limit < 0:
            raise InvalidJobSpec(f"budget limit must be a finite number ≥ 0, not {limit!r}")
        if backend is not None and (not isinstance(backend, str) or not backend):
            raise InvalidJobSpec(f"budget backend must be a backend name or None (all backends), not {backend!r}")
        budget = {"limit": float(limit), "period": period, "backend": backend, "currency": currency,
                  "updated": time.time()}
        self._table("budgets").put(_budget_key(period, backend), budget)
        return dict(budget)

    def remove_budget(self, *, period: str, backend: str | None = None) -> bool:
        """Remove one budget; False if there was none."""
        return self._table("budgets").delete(_budget_key(period, backend))

    def budgets(self) -> list[dict]:
        """All budgets, overall ones first, then by backend and period."""
        with self._storage.locked():
            docs = [dict(d) for d in self._storage.table("budgets").values()]
        return sorted(docs, key=lambda b: (b["backend"] is not None, b["backend"] or "", PERIODS.index(b["period"])))

    # -- settings ----------------------------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A stored setting (e.g. ``"rehearse"``), or ``default``."""
        with self._storage.locked():
            doc = self._storage.table("settings").get(key)
            return default if doc is None else doc["value"]

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-compatible setting."""
        if not isinstance(key, str) or not key:
            raise InvalidJobSpec(f"setting key must be a non-empty string, not {key!r}")
        self._table("settings").put(key, {"key": key, "value": value, "updated": time.time()})

    # -- cancel requests from the server to the kernel that owns the job ----------------------------------------

    def request_cancel(self, job_id: str, *, by: str = "sidebar") -> dict:
        """Ask the engine that owns a job to cancel it; returns the request. UnknownJob for a bad id."""
        with self._storage.locked(exclusive=True):
            job_id = self._resolve(job_id)  # type: ignore[attr-defined]
            owner = (self._storage.table("runs")[job_id].get("origin") or {}).get("owner")
            request = {"id": uuid.uuid4().hex, "job_id": job_id, "kind": "cancel", "at": time.time(), "by": by,
                       "owner": owner}
            self._table("requests").put(request["id"], request)
        return dict(request)

    def pending_requests(self, owner: str) -> list[dict]:
        """Requests not yet completed for jobs that ``owner`` runs, oldest first."""
        with self._storage.locked():
            found = [dict(r) for r in self._storage.table("requests").values() if r.get("owner") == owner]
        return sorted(found, key=lambda r: r["at"])

    def complete_request(self, request_id: str) -> None:
        """Mark a request as carried out (idempotent: completing it twice is harmless)."""
        self._table("requests").delete(request_id)

    # -- heartbeats of the engines that own jobs ---------------------------------------------------------------

    def heartbeat(self, owner: str, info: dict) -> None:
        """Record that ``owner`` (``"pid@host"``) is alive: upserts {"owner", "pid", "host", "at", **info}."""
        if not isinstance(owner, str) or not owner:
            raise InvalidJobSpec(f"heartbeat owner must be a non-empty string like 'pid@host', not {owner!r}")
        beat = {"pid": os.getpid(), "host": socket.gethostname(), "at": time.time(), **(info or {}),
                "owner": owner}
        self._table("heartbeats").put(owner, beat)

    def owners(self) -> list[dict]:
        """The last heartbeat of every owner, most recent first."""
        with self._storage.locked():
            beats = [dict(b) for b in self._storage.table("heartbeats").values()]
        return sorted(beats, key=lambda b: b.get("at", 0), reverse=True)

    def reap_interrupted(self, *, stale_after: float = 20.0) -> list[str]:
        """Mark active jobs whose owner stopped as interrupted; returns their ids.

        An owner has stopped when its heartbeat is older than ``stale_after`` seconds, or when its process
        (from the heartbeat, else the record's origin) is on this host and no longer exists.
        """
        now, host, reaped = time.time(), socket.gethostname(), []
        with self._storage.locked(exclusive=True):
            beats = self._storage.table("heartbeats")
            for record in self.active():  # type: ignore[attr-defined]
                origin = record.get("origin") or {}
                beat = beats.get(origin.get("owner")) if origin.get("owner") else None
                source = beat or origin
                pid, on = source.get("pid"), source.get("host")
                stale = beat is not None and now - float(beat.get("at", 0)) > stale_after
                gone = isinstance(pid, int) and on == host and not pid_alive(pid)
                if stale or gone:
                    self.update(record["id"], {"error": f"the kernel that owned this job stopped (pid {pid})"},  # type: ignore[attr-defined]
                                status=JobStatus.INTERRUPTED, note="owner stopped" if gone else "heartbeat stale")
                    reaped.append(record["id"])
        return reaped
