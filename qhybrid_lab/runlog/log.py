"""The run log: every job's record, shared by all kernels and the Jupyter server of this machine."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from ..config import home_dir
from ..errors import AmbiguousJobId, InvalidJobSpec, RunLogError, UnknownJob
from ..status import ACTIVE_STATES, FINAL_STATES, JobStatus, can_transition
from .blobs import BlobStore
from .budgets import BudgetTables
from .experiments import ExperimentTables
from .export import export_records
from .index import FIELDS, RunIndex
from .owners import OwnerTables
from .storage import DocView, JsonLinesStorage, json_copy
from .table import JobsTable
from .database import LogDB, LogTable

FILE_NAME = "runlog.jsonl"
MIN_PREFIX = 4
COMPACT_AFTER = 20_000
"""Superseded lines after which :meth:`RunLog.maybe_compact` compacts (if they also outnumber the live documents)."""


def _status(value: JobStatus | str) -> JobStatus:
    try:
        return JobStatus(value)
    except ValueError:
        raise InvalidJobSpec(
            f"unknown job status {value!r}; use one of {', '.join(s.value for s in JobStatus)}"
        ) from None


Filter = str | Iterable[str] | None
"""A query filter: one accepted value, several, or None (any)."""


def _values(value: Filter) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def record_changes(
    current: dict[str, Any],
    fields: dict[str, Any],
    *,
    status: JobStatus | str | None = None,
    note: str | None = None,
    at: float,
) -> dict[str, Any] | None:
    """The top-level keys :meth:`RunLog.update` writes for ``fields`` and ``status``, or None when it ignores them.

    A pure function of the current record, so a change can be applied the same way to a copy kept in memory.

    Raises:
        InvalidJobSpec: ``fields`` is not a dict, changes the id, gives the status twice or touches the history.
    """
    if not isinstance(fields, dict):
        raise InvalidJobSpec(f"update() fields must be a dict, not {type(fields).__name__}")
    fields = dict(fields)
    if "status" in fields:
        if status is not None:
            raise InvalidJobSpec("give the new status once: status=..., not also in fields")
        status = fields.pop("status")
    if "status_history" in fields:
        raise InvalidJobSpec("status_history is append-only: pass status=... (and note=...) instead")
    if "id" in fields and fields["id"] != current.get("id"):
        raise InvalidJobSpec(f"a job's id cannot change ({current.get('id')} → {fields['id']})")
    changes = {
        k: {**current[k], **v} if isinstance(v, dict) and isinstance(current.get(k), dict) else v
        for k, v in fields.items()
    }
    if status is not None:
        new_status = _status(status)
        old = JobStatus(current.get("status", "pending"))
        if old in FINAL_STATES and not can_transition(old, new_status):
            return None
        if new_status != old or note is not None:
            changes["status"] = new_status.value
            changes["status_history"] = [
                *current.get("status_history", []),
                {"status": new_status.value, "at": at, "note": note},
            ]
    changes.setdefault("updated", at)
    return changes


class RunLog(BudgetTables, OwnerTables, JobsTable, ExperimentTables):
    """Records of runs (one per circuit × backend), budgets, settings, cancel requests and heartbeats.

    Backed by TinyDB on an append-only JSON-lines file (see :mod:`qhybrid_lab.runlog.storage`); safe to use
    from several threads and several processes at once. Records returned are copies.

    Example:
        >>> log = open_runlog()
        >>> job_id = log.insert({"id": uuid.uuid4().hex, "backend": {"name": "aer"}})
        >>> log.update(job_id, {"timings": {"run": 0.1}}, status="running")["status"]
        'running'
    """

    SCHEMA_VERSION: int = 1

    def __init__(self, directory: str | Path | None = None, *, fsync: bool | None = None) -> None:
        self.directory = Path(directory) if directory is not None else home_dir()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunLogError(
                f"cannot create the qhybrid home {self.directory}: {error}; set QHYBRID_HOME to a writable directory"
            ) from error
        self.file = self.directory / FILE_NAME
        self._db = LogDB(self.file, schema_version=self.SCHEMA_VERSION, fsync=fsync)
        self._storage: JsonLinesStorage = self._db.storage  # type: ignore[assignment]
        self._runs: LogTable = self._db.table("runs")  # type: ignore[assignment]
        self._index = RunIndex()
        self._storage.add_listener("runs", self._index)
        self._blobs = BlobStore(self.directory / "blobs")

    def __repr__(self) -> str:
        return f"RunLog({str(self.directory)!r})"

    @property
    def db(self) -> LogDB:
        """The underlying TinyDB database (tables: runs, budgets, settings, requests, heartbeats)."""
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[RunLog]:
        """Hold the cross-process lock for a block: reads inside see every write of every process."""
        with self._storage.locked(exclusive=True):
            yield self

    def _table(self, name: str) -> LogTable:
        return self._db.table(name)  # type: ignore[return-value]

    def _live(self) -> DocView:
        return self._storage.table("runs")

    # -- writing records ---------------------------------------------------------------------------------------

    def _prepared(self, record: dict[str, Any], now: float) -> dict[str, Any]:
        if not isinstance(record, dict):
            raise InvalidJobSpec(f"a run record must be a dict, not {type(record).__name__}")
        job_id = record.get("id")
        if not isinstance(job_id, str) or not job_id or job_id != job_id.strip() or " " in job_id:
            raise InvalidJobSpec(f"a run record needs an 'id' string without spaces (uuid4().hex), got {job_id!r}")
        doc: dict[str, Any] = json_copy(record)
        doc.setdefault("schema", self.SCHEMA_VERSION)
        doc.setdefault("created", now)
        doc.setdefault("updated", doc["created"])
        doc["status"] = _status(doc.get("status") or JobStatus.PENDING).value
        doc.setdefault("status_history", [{"status": doc["status"], "at": doc["created"], "note": None}])
        return doc

    def insert(self, record: dict[str, Any]) -> str:
        """Add one record (it must have a new ``id``); fills created/updated/status/status_history if absent."""
        return self.insert_many([record])[0]

    def insert_many(self, records: list[dict[str, Any]]) -> list[str]:
        """Add several records in one write (one lock, one ``os.write``).

        Records without a ``created`` get this write's time plus one microsecond per place in ``records``, so the
        jobs table lists a group's records in the order they were submitted (its ties would fall to random ids).
        """
        now = time.time()
        docs = [self._prepared(r, now + i * 1e-6) for i, r in enumerate(records)]
        with self._storage.locked(exclusive=True):
            live, seen = self._live(), set()
            for doc in docs:
                if doc["id"] in live or doc["id"] in seen:
                    raise InvalidJobSpec(f"a job with id {doc['id']} is already in the run log")
                seen.add(doc["id"])
            self._storage.append([{"t": "runs", "op": "put", "id": d["id"], "doc": d} for d in docs])
        self._runs.clear_cache()
        return [d["id"] for d in docs]

    def update(
        self,
        job_id: str,
        fields: dict[str, Any],
        *,
        status: JobStatus | str | None = None,
        note: str | None = None,
        at: float | None = None,
    ) -> dict[str, Any]:
        """Change a record and return the new one.

        Top-level keys are replaced, except dict values, which are merged one level deep. A ``status`` is
        appended to ``status_history``; when the job is already final and may not leave that state, the whole
        update is ignored (a cancel racing a finish) and the current record is returned. ``at`` (epoch seconds,
        default now) is when the change happened: a change kept in memory while the log could not be written is
        recorded later with its own time.
        """
        with self._storage.locked(exclusive=True):
            job_id = self._resolve(job_id)
            current = self._live()[job_id]
            changes = record_changes(current, fields, status=status, note=note, at=time.time() if at is None else at)
            if changes is None:
                unchanged: dict[str, Any] = json_copy(current)
                return unchanged
            self._runs.merge(job_id, changes)
            return self._storage.doc("runs", job_id)

    # -- reading records ---------------------------------------------------------------------------------------

    def _resolve(self, job_id: str) -> str:
        if not isinstance(job_id, str) or not job_id:
            raise UnknownJob(f"job id must be a non-empty string, not {job_id!r}")
        if job_id in self._live():
            return job_id
        if len(job_id) < MIN_PREFIX:
            raise UnknownJob(f"no job {job_id!r} in {self.file} (an id prefix needs at least {MIN_PREFIX} characters)")
        found = self._index.with_prefix(job_id, at_most=5)
        if not found:
            raise UnknownJob(f"no job {job_id!r} in {self.file}")
        if len(found) > 1:
            raise AmbiguousJobId(
                f"job id prefix {job_id!r} matches several jobs ({', '.join(found)}"
                f"{', ...' if len(found) == 5 else ''}); type more characters"
            )
        return found[0]

    def get(self, job_id: str) -> dict[str, Any]:
        """The record of one job, by exact id or a unique prefix of at least 4 characters.

        An active job whose owning process has stopped is settled first (see :meth:`owner_stopped`), so every
        reader sees a dead kernel's job as interrupted within seconds, not when some housekeeping runs.
        """
        with self._storage.locked():
            record = self._storage.doc("runs", self._resolve(job_id))
        return self._with_live_owners([record])[0]

    def _filters(
        self,
        status: Filter = None,
        backend: Filter = None,
        notebook: Filter = None,
        tag: Filter = None,
        circuit_hash: Filter = None,
        group: Filter = None,
        owner: Filter = None,
        kind: Filter = None,
        experiment: Filter = None,
    ) -> dict[str, tuple[str, ...]]:
        given = dict(
            zip(
                ("status", "backend", "notebook", "tag", "circuit_hash", "group", "owner", "kind", "experiment"),
                map(_values, (status, backend, notebook, tag, circuit_hash, group, owner, kind, experiment)),
            )
        )
        if given["status"]:
            given["status"] = tuple(_status(s).value for s in given["status"])
        return {f: v for f, v in given.items() if v is not None and f in FIELDS}

    def query(
        self,
        *,
        status: str | Iterable[str] | None = None,
        backend: str | Iterable[str] | None = None,
        notebook: str | None = None,
        tag: str | None = None,
        circuit_hash: str | None = None,
        group: str | None = None,
        owner: str | None = None,
        kind: str | Iterable[str] | None = None,
        experiment: str | None = None,
        search: str | None = None,
        since: float | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Matching records, newest first. ``status``, ``backend`` and ``kind`` may be one value or several.

        ``kind`` is the backend's kind (simulator, emulator, hardware); ``search`` matches a circuit name or tag
        containing it (case-insensitive) or an id starting with it. Active jobs of stopped owners are settled
        first, as for :meth:`get`.
        """
        records = self._with_live_owners(
            self._query_raw(
                status=status,
                backend=backend,
                notebook=notebook,
                tag=tag,
                circuit_hash=circuit_hash,
                group=group,
                owner=owner,
                kind=kind,
                experiment=experiment,
                search=search,
                since=since,
                limit=limit,
                offset=offset,
            )
        )
        wanted = self._filters(status).get("status")
        return records if wanted is None else [r for r in records if r.get("status") in wanted]

    def _query_raw(
        self,
        *,
        since: float | None = None,
        limit: int | None = 50,
        offset: int = 0,
        search: str | None = None,
        **filters: Any,
    ) -> list[dict[str, Any]]:
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidJobSpec("limit and offset must not be negative")
        with self._storage.locked():
            ids = self._index.select(self._filters(**filters), since, search=search)
            stop = None if limit is None else offset + limit
            return [self._storage.doc("runs", i) for i in islice(ids, offset, stop)]

    def _with_live_owners(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``records`` with every active job of a stopped owner settled (in memory if the log cannot be written)."""
        active = {s.value for s in ACTIVE_STATES}
        stopped = [
            (r, reason) for r in records if r.get("status") in active and (reason := self.owner_stopped(r)) is not None
        ]
        if not stopped:
            return records
        settled: dict[str, dict[str, Any]] = {}
        for record, reason in stopped:
            try:
                with self._storage.locked(exclusive=True):
                    current = self._storage.doc("runs", record["id"])
                    again = self.owner_stopped(current) if current.get("status") in active else None
                    settled[record["id"]] = self.settle_stopped(current, again) if again else current
            except RunLogError:  # a read-only or full home: show what the run log would say
                changes = record_changes(
                    record, {"error": reason[1]}, status=JobStatus.INTERRUPTED, note=reason[0], at=time.time()
                )
                settled[record["id"]] = {**record, **(changes or {})}
        return [settled.get(r["id"], r) for r in records]

    def count(self, *, since: float | None = None, search: str | None = None, **filters: Any) -> int:
        """How many records match (same filters as :meth:`query`)."""
        filters = self._filters(**filters)
        with self._storage.locked():
            if not filters and since is None and not search:
                return len(self._index)
            return sum(1 for _ in self._index.select(filters, since, search=search))

    def active(self) -> list[dict[str, Any]]:
        """Records whose status is pending, queued or running, newest first."""
        return self.query(status=[s.value for s in ACTIVE_STATES], limit=None)

    # -- blobs, export, maintenance ------------------------------------------------------------------------------

    def put_blob(self, data: bytes | str) -> str:
        """Store bytes (or UTF-8 text) once by content; returns ``"sha256:<hex>"``."""
        return self._blobs.put(data)

    def get_blob(self, ref: str) -> bytes:
        """The bytes stored under a ``"sha256:<hex>"`` reference."""
        return self._blobs.get(ref)

    def export(self, path: str | Path, fmt: str | None = "json", **filters: Any) -> Path:
        """Write records (all, or those matching :meth:`query` filters) to a JSON, CSV or Parquet file.

        ``fmt`` None takes the format from the file's suffix (see :func:`~qhybrid_lab.runlog.export.export_format`);
        Parquet needs pyarrow (MissingDependency otherwise).
        """
        return export_records(self.query(limit=None, **filters), Path(path), fmt)

    def compact(self) -> None:
        """Rewrite the log as just the current state (written aside, then renamed over it atomically)."""
        self._storage.compact()

    def _compaction_due(self, min_superseded: int) -> bool:
        superseded = self._storage.superseded_lines
        return superseded >= min_superseded and superseded > self._storage.live_documents

    def maybe_compact(self, *, min_superseded: int = COMPACT_AFTER) -> bool:
        """Compact when at least ``min_superseded`` lines, and more than the live documents, are obsolete.

        Every status change and heartbeat appends a line, so a long-lived log grows without bound until
        compacted; with this rule the cost of compaction stays proportional to what was written since the last.
        Returns whether it compacted.
        """
        with self._storage.locked(exclusive=True):
            if not self._compaction_due(min_superseded):
                return False
            self._storage.compact()
            return True

    def storage_stats(self) -> dict[str, Any]:
        """What the log file holds and what lies beside it, for health checks (``qhybrid doctor``).

        Returns:
            ``{"file", "bytes", "live_documents", "superseded_lines", "compaction_due", "leftovers", "torn"}``:
            ``superseded_lines`` are what a compaction would drop, ``compaction_due`` is the rule of
            :meth:`maybe_compact`, ``leftovers`` the files of compactions killed midway (removed by the next one),
            ``torn`` the files holding writes cut short by killed writers (moved aside, never confirmed).

        Raises:
            RunLogCorrupt: the file is damaged (the message names the line).
        """
        with self._storage.locked():
            live, superseded = self._storage.live_documents, self._storage.superseded_lines
            due = self._compaction_due(COMPACT_AFTER)
            size = self.file.stat().st_size if self.file.exists() else 0
        beside = sorted(
            p.name for p in self.directory.glob(f".{self.file.name}.*") if p.name.endswith((".compact", ".new"))
        )
        torn = sorted(p.name for p in self.directory.glob(f"{self.file.name}.torn-*"))
        return {
            "file": str(self.file),
            "bytes": size,
            "live_documents": live,
            "superseded_lines": superseded,
            "compaction_due": due,
            "leftovers": beside,
            "torn": torn,
        }

    def close(self) -> None:
        """Close file descriptors; the log reopens itself on next use."""
        self._storage.close()


_cache: dict[tuple[str, int], RunLog] = {}
_cache_lock = threading.Lock()


def open_runlog(home: str | Path | None = None) -> RunLog:
    """The run log in ``home`` (default: :func:`qhybrid_lab.config.home_dir`), one instance per directory and process."""
    directory = Path(home) if home is not None else home_dir()
    key = (str(directory.resolve()), os.getpid())
    with _cache_lock:
        log = _cache.get(key)
        if log is None:
            log = _cache[key] = RunLog(directory)
        return log


def close_runlogs(under: str | Path) -> int:
    """Close and forget this process's run logs in ``under`` or below it; how many were closed.

    For a process that opens many homes in turn (a test suite): each open run log keeps two file descriptors.
    """
    root = Path(under).resolve()
    with _cache_lock:
        keys = [key for key in _cache if key[1] == os.getpid() and Path(key[0]).is_relative_to(root)]
        logs = [_cache.pop(key) for key in keys]
    for log in logs:
        log.close()
    return len(logs)
