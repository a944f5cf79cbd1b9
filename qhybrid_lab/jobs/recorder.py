"""How the engine records state changes: to the run log, or in memory while the run log cannot be written.

A job must reach a final state even when its record cannot be written (a full disk, a read-only home, a damaged
log): the engine must not wait forever on a write. The :class:`Recorder` of a run log applies every change to
the run log when it can; when a write fails it keeps the change, applies it to the job's last known record in
memory (with :func:`~qhybrid_lab.runlog.log.record_changes`, exactly as the run log would), and hands that record on.
The heartbeat calls :meth:`Recorder.flush`, which writes the kept changes in order, each with its own time, as soon
as the run log accepts them again. The failure and the recovery are logged once each.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..errors import RunLogError, UnknownJob
from ..runlog.log import record_changes
from ..runlog.storage import json_copy
from ..status import JobStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Change:
    job_id: str
    fields: dict
    status: JobStatus | None
    note: str | None
    at: float


class Recorder:
    """The engine's writer for one run log (thread-safe).

    Args:
        log: the :class:`~qhybrid_lab.runlog.RunLog` to write to.
    """

    def __init__(self, log: Any) -> None:
        self.log = log
        self._lock = threading.RLock()
        self._kept: list[_Change] = []
        self._latest: dict[str, dict] = {}
        """The in-memory record of each job with kept changes."""
        self.failure: str | None = None
        """Why the run log cannot be written now (None while it can)."""

    @property
    def pending(self) -> int:
        """Changes kept in memory, not yet in the run log."""
        with self._lock:
            return len(self._kept)

    def update(self, current: dict, fields: dict, *, status: JobStatus | None = None, note: str | None = None) -> dict:
        """Apply a change to job ``current["id"]`` and return its new record.

        Args:
            current: the job's last known record (the base of the change if it must be kept in memory).
            fields, status, note: as for ``RunLog.update``.
        """
        change = _Change(current["id"], json_copy(fields), status, note, time.time())
        with self._lock:
            if not self._kept:
                try:
                    return self.log.update(change.job_id, change.fields, status=status, note=note, at=change.at)
                except RunLogError as error:
                    self.note_failure(error)
            return self._keep(change, current)

    def _keep(self, change: _Change, current: dict) -> dict:
        base = self._latest.get(change.job_id) or json_copy(current)
        changes = record_changes(base, change.fields, status=change.status, note=change.note, at=change.at)
        record = {**base, **changes} if changes is not None else base
        self._latest[change.job_id] = record
        self._kept.append(change)
        return json_copy(record)

    def note_failure(self, error: RunLogError) -> None:
        """The run log refused a write (a change, or the heartbeat): warn once, until it accepts one again."""
        if self.failure is None:
            logger.warning(
                "qhybrid-lab: a write to the run log %s failed (%s); job states are kept in memory and written "
                "as soon as it accepts them",
                self.log.file,
                error,
            )
        self.failure = str(error)

    def note_success(self) -> None:
        """The run log accepted a write: say so once if it had refused one."""
        if self.failure is not None:
            logger.warning(
                "qhybrid-lab: the run log %s can be written again; what was kept in memory is recorded", self.log.file
            )
            self.failure = None

    def flush(self) -> bool:
        """Write the changes kept in memory, in order; True when none is left.

        A job whose record the run log no longer has (the damaged file was moved aside, a new log started) is
        recorded anew from its in-memory record.
        """
        with self._lock:
            while self._kept:
                change = self._kept[0]
                try:
                    self._write(change)
                except RunLogError as error:
                    self.note_failure(error)
                    return False
            return True

    def _write(self, change: _Change) -> None:
        """Write the oldest kept change (RunLogError if the run log still refuses it)."""
        try:
            self.log.update(change.job_id, change.fields, status=change.status, note=change.note, at=change.at)
        except UnknownJob:
            self._record_anew(change.job_id)  # the in-memory record holds every kept change of this job
            self._kept = [c for c in self._kept if c.job_id != change.job_id]
            self._latest.pop(change.job_id, None)
            return
        self._kept.pop(0)
        if not any(c.job_id == change.job_id for c in self._kept):
            self._latest.pop(change.job_id, None)

    def _record_anew(self, job_id: str) -> None:
        record = dict(self._latest[job_id])
        record["status_history"] = [
            *record.get("status_history", []),
            {
                "status": record["status"],
                "at": time.time(),
                "note": "recorded again: the run log that held this job was replaced",
            },
        ]
        self.log.insert(record)


__all__ = ["Recorder"]
