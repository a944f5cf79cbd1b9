"""Engine heartbeats, cancel requests from the server to a job's owner, and reaping dead owners (a RunLog mixin)."""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import TYPE_CHECKING

from ..errors import InvalidJobSpec
from ..status import JobStatus

if TYPE_CHECKING:
    from .database import LogTable
    from .storage import JsonLinesStorage


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (``os.kill(pid, 0)``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class OwnerTables:
    """Methods of :class:`~qhybrid_lab.runlog.RunLog` for heartbeats, requests and reaping."""

    _storage: JsonLinesStorage

    if TYPE_CHECKING:
        def _table(self, name: str) -> LogTable: ...

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
