"""Engine heartbeats, cancel requests from the server to a job's owner, and reaping dead owners (a RunLog mixin)."""

from __future__ import annotations

import os
import socket
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..status import ACTIVE_STATES, JobStatus

STALE_AFTER = 20.0
"""Seconds without a heartbeat after which a job's owner counts as stopped."""

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


def responsible_owner(record: dict[str, Any]) -> str | None:
    """The process (``pid@host``) that follows a job now: its ``handler`` if one took it over, else its submitter.

    A provider job released for adoption (``handler.owner`` None) has no responsible process until one adopts it.
    """
    handler = record.get("handler")
    if isinstance(handler, dict):
        return handler.get("owner")
    return (record.get("origin") or {}).get("owner")


def process_stopped(
    source: dict[str, Any], beat: dict[str, Any] | None, *, stale_after: float = STALE_AFTER, now: float | None = None
) -> tuple[str, str] | None:
    """Why a process is gone, as ``(note, error)``; None while it lives.

    Args:
        source: where its ``pid`` and ``host`` are read (its heartbeat, else a record's ``handler``/``origin``).
        beat: its last heartbeat, if it has one.
        stale_after: seconds without a heartbeat after which it counts as stopped.
        now: the time to judge at (default now).

    It has stopped when its pid is on this host and no longer exists, or when its heartbeat is older than
    ``stale_after`` seconds.
    """
    now = time.time() if now is None else now
    pid, on = source.get("pid"), source.get("host")
    if isinstance(pid, int) and on == socket.gethostname() and not pid_alive(pid):
        return (
            "owner stopped",
            f"the kernel that ran this job exited or restarted (pid {pid}); a local "
            "simulation cannot be resumed: run it again",
        )
    if beat is not None and now - float(beat.get("at", 0)) > stale_after:
        return (
            "heartbeat stale",
            f"the kernel that ran this job (pid {pid} on {on}) stopped beating "
            f"{now - float(beat.get('at', 0)):.0f} s ago",
        )
    return None


class OwnerTables:
    """Methods of :class:`~qhybrid_lab.runlog.RunLog` for heartbeats, requests and reaping."""

    _storage: JsonLinesStorage

    if TYPE_CHECKING:

        def _table(self, name: str) -> LogTable: ...

    # -- cancel requests from the server to the kernel that owns the job ----------------------------------------

    def request_cancel(self, job_id: str, *, by: str = "sidebar") -> dict[str, Any]:
        """Ask the engine that owns a job to cancel it; returns the request. UnknownJob for a bad id."""
        with self._storage.locked(exclusive=True):
            job_id = self._resolve(job_id)  # type: ignore[attr-defined]
            owner = responsible_owner(self._storage.table("runs")[job_id])
            request: dict[str, Any] = {
                "id": uuid.uuid4().hex,
                "job_id": job_id,
                "kind": "cancel",
                "at": time.time(),
                "by": by,
                "owner": owner,
            }
            self._table("requests").put(request["id"], request)
        return dict(request)

    def pending_requests(self, owner: str) -> list[dict[str, Any]]:
        """Requests not yet completed for jobs that ``owner`` is responsible for now, oldest first.

        A job changes hands when a process adopts it (see :func:`responsible_owner`): its requests go with it.
        """
        with self._storage.locked():
            runs = self._storage.table("runs")
            found = [
                dict(r)
                for r in self._storage.table("requests").values()
                if (responsible_owner(runs[r["job_id"]]) if r.get("job_id") in runs else r.get("owner")) == owner
            ]
        return sorted(found, key=lambda r: r["at"])

    def complete_request(self, request_id: str) -> None:
        """Mark a request as carried out (idempotent: completing it twice is harmless)."""
        self._table("requests").delete(request_id)

    # -- heartbeats of the engines that own jobs ---------------------------------------------------------------

    def heartbeat(self, owner: str, info: dict[str, Any]) -> None:
        """Record that ``owner`` (``"pid@host"``) is alive: upserts {"owner", "pid", "host", "at", **info}."""
        if not isinstance(owner, str) or not owner:
            raise InvalidJobSpec(f"heartbeat owner must be a non-empty string like 'pid@host', not {owner!r}")
        beat = {"pid": os.getpid(), "host": socket.gethostname(), "at": time.time(), **(info or {}), "owner": owner}
        self._table("heartbeats").put(owner, beat)

    def owners(self) -> list[dict[str, Any]]:
        """The last heartbeat of every owner, most recent first."""
        with self._storage.locked():
            beats = [dict(b) for b in self._storage.table("heartbeats").values()]
        return sorted(beats, key=lambda b: b.get("at", 0), reverse=True)

    def owner_states(self, *, stale_after: float = STALE_AFTER, now: float | None = None) -> list[dict[str, Any]]:
        """Every owner's last heartbeat with ``age`` (seconds since it beat) and ``alive`` (see
        :func:`process_stopped`), most recent first."""
        now = time.time() if now is None else now
        return [
            {
                **beat,
                "age": max(0.0, now - float(beat.get("at") or 0.0)),
                "alive": process_stopped(beat, beat, stale_after=stale_after, now=now) is None,
            }
            for beat in self.owners()
        ]

    def owner_stopped(
        self, record: dict[str, Any], *, stale_after: float = STALE_AFTER, now: float | None = None
    ) -> tuple[str, str] | None:
        """Why the process responsible for an active job is gone, as ``(note, error)``; None while it lives.

        The responsible process is the record's ``handler.owner`` (a process that took the job over, e.g. the
        Jupyter server adopting a provider job), else ``origin.owner``. It has stopped when its heartbeat is older
        than ``stale_after`` seconds, or when its process (from the heartbeat, else the record) is on this host and
        no longer exists. A provider job whose handler was released (``handler.owner`` None) waits for adoption.
        """
        handler = record.get("handler")
        origin = record.get("origin") or {}
        if isinstance(handler, dict) and handler.get("owner") is None:
            return None
        source_record = handler if isinstance(handler, dict) else origin
        owner = source_record.get("owner")
        with self._storage.locked():
            beat = self._storage.table("heartbeats").get(owner) if owner else None
        return process_stopped(
            beat or source_record, beat, stale_after=stale_after, now=time.time() if now is None else now
        )

    def settle_stopped(self, record: dict[str, Any], reason: tuple[str, str]) -> dict[str, Any]:
        """Give an active job whose owner stopped its next state, in the run log; returns the new record.

        A local job becomes ``interrupted`` with the reason. A provider job (a non-local ``provider_job``) lives on
        at the provider: it stays in its state, released for adoption (``handler.owner`` None), and the note says so.
        """
        note, error = reason
        job = record.get("provider_job")
        if isinstance(job, dict) and not job.get("local"):
            previous = (record.get("handler") or {}).get("owner") or (record.get("origin") or {}).get("owner")
            released: dict[str, Any] = self.update(  # type: ignore[attr-defined]
                record["id"],
                {"handler": {"owner": None, "released_at": time.time(), "previous": previous}},
                status=record["status"],
                note=f"{note}; the provider job goes on and waits to be adopted",
            )
            return released
        interrupted: dict[str, Any] = self.update(  # type: ignore[attr-defined]
            record["id"], {"error": error}, status=JobStatus.INTERRUPTED, note=note
        )
        return interrupted

    def reap_interrupted(self, *, stale_after: float = STALE_AFTER) -> list[str]:
        """Settle every active job whose owner stopped (see :meth:`owner_stopped`); returns their ids."""
        now, reaped = time.time(), []
        with self._storage.locked(exclusive=True):
            for record in self._query_raw(status=[s.value for s in ACTIVE_STATES], limit=None):  # type: ignore[attr-defined]
                reason = self.owner_stopped(record, stale_after=stale_after, now=now)
                if reason is not None:
                    self.settle_stopped(record, reason)
                    reaped.append(record["id"])
        return reaped
