"""A TinyDB ``Storage`` that keeps the database as an append-only JSON-lines log of operations.

File layout (``runlog.jsonl``): line 1 is a header ``{"format": "qhybrid-runlog", "schema": 1,
"generation": ...}``; every other line is one operation on one document of one table::

    {"t": "runs", "op": "put", "id": "3f2a...", "doc": {...}}      # insert or replace
    {"t": "runs", "op": "merge", "id": "3f2a...", "fields": {...}}  # replace these top-level keys
    {"t": "runs", "op": "delete", "id": "3f2a..."}

Each process keeps the materialized state in memory and, each time it takes the lock, reads only the bytes
appended since its last read. A document that was read from a put line is kept as its raw JSON bytes and
decoded when asked for (about 2 KB per run record instead of ~8 KB of Python objects); one changed by a merge
is kept decoded until the next compaction. ``compact()`` writes the current state aside and renames it in; other
processes notice the new file (another inode) and reload. Reads hold the lock shared, writes and
read-modify-writes exclusively (``flock`` on ``runlog.lock``; waiting longer than
``$QHYBRID_RUNLOG_LOCK_TIMEOUT``, default 60 s, raises RunLogError). Writes are one ``os.write`` of complete
lines on an ``O_APPEND`` descriptor; a short write is taken back before the lock is released. There is no ``fsync`` per write by default: a
killed process loses nothing that was written (the data is in the kernel), only a machine crash can lose
the last writes; set ``QHYBRID_RUNLOG_FSYNC=1`` (or ``fsync=True``) to sync each write. Damaged content
raises :class:`~qhybrid_lab.errors.RunLogCorrupt` and the file is never rewritten, emptied or repaired.
"""

from __future__ import annotations

import errno
import json
import contextlib
import logging
import os
import socket
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Protocol

from tinydb.storages import Storage

from ..errors import InvalidJobSpec, RunLogCorrupt, RunLogError
from .lock import ProcessLock, close_dropped
from .snapshot import Snapshot, encode, make_ref, read_snapshot, snapshot_path, split_ref

logger = logging.getLogger(__name__)

FORMAT = "qhybrid-runlog"
OPS = ("put", "merge", "delete")
CHECKPOINT_BYTES = 64 << 10
"""Every this many bytes read, the running CRC-32 of the file so far is kept (to find where damage is)."""
VERIFY_INTERVAL = 10.0
"""At most this often (seconds), a process re-reads what it already read to notice damage made in place."""
LEFTOVER_AGE = 60.0
"""Temporary files (``.runlog.jsonl.*.compact`` / ``.new``) of processes that are gone are removed after this long."""


class TableListener(Protocol):
    """Told about every change of one table (to keep indexes), whichever process made it.

    A full (re)load is announced by ``reload_started``, then every document arrives through ``changed``,
    then ``reload_finished`` is called (so indexes can build in bulk).
    """

    def reload_started(self) -> None: ...

    def changed(self, doc_id: str, new: dict[str, Any] | None) -> None: ...

    def reload_finished(self) -> None: ...


Stored = dict[str, Any] | bytes | int
"""A document at rest: decoded, the raw JSON bytes of the put line it came from, or where those bytes are in the
file (an ``int`` packing offset, length and CRC-32: a document a snapshot placed and nobody asked for yet; see
:func:`.snapshot.make_ref`)."""


def json_copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data (faster than ``copy.deepcopy``); callers may mutate it freely."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def _put_prefix(table: str, doc_id: str) -> bytes:
    return ('{"t":' + encode_basestring(table) + ',"op":"put","id":' + encode_basestring(doc_id) + ',"doc":').encode(
        "utf-8"
    )  # what dumps() writes for these two strings


class DocView(Mapping[str, dict[str, Any]]):
    """A read-only view of one table that decodes documents kept as bytes when they are looked up."""

    __slots__ = ("_name", "_raw", "_read")

    def __init__(self, raw: dict[str, Stored], read: Callable[..., bytes] | None = None, name: str = "") -> None:
        self._raw = raw
        self._read = read
        self._name = name

    def __getitem__(self, key: str) -> dict[str, Any]:
        value = self._raw[key]
        if isinstance(value, int):
            if self._read is None:
                raise RuntimeError(f"document {key!r} of table {self._name!r}: this view cannot read it from the file")
            value = self._read(value, self._name, key)
        if isinstance(value, bytes):
            doc: dict[str, Any] = json.loads(value)
            return doc
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays
        return value.tolist()
    raise TypeError(f"a {type(value).__name__} cannot be stored in the run log (JSON values only): {value!r:.80}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temporary_name(path: Path, kind: str) -> Path:
    """``.<log>.<host>.<pid>.<random>.<kind>`` beside the log (what :meth:`JsonLinesStorage.remove_leftovers`
    removes once that process is gone); unique per call, so two threads' compactions never share one."""
    return path.with_name(f".{path.name}.{socket.gethostname()}.{os.getpid()}.x{uuid.uuid4().hex[:8]}.{kind}")


def dumps(obj: Any) -> str:
    """Compact JSON for one log line (raises InvalidJobSpec for values JSON cannot hold)."""
    try:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise InvalidJobSpec(str(exc)) from exc


class JsonLinesStorage(Storage):
    """Append-only JSON-lines storage for TinyDB, safe for several processes at once.

    Args:
        path: the log file; the lock file is ``<path without suffix>.lock`` beside it.
        schema_version: the schema this code reads and writes; another one in the header is an error.
        fsync: sync every write to disk (default: ``$QHYBRID_RUNLOG_FSYNC == "1"``).
    """

    def __init__(self, path: str | Path, *, schema_version: int = 1, fsync: bool | None = None) -> None:
        self.path = Path(path)
        self.schema_version = schema_version
        self.fsync = os.environ.get("QHYBRID_RUNLOG_FSYNC") == "1" if fsync is None else fsync
        self.lock = ProcessLock(self.path.with_suffix(".lock"))
        self.version = 0
        """Bumped on every change applied to the in-memory state (tables drop their query caches)."""
        self.generation: str | None = None
        self.full_loads = 0
        """How many times this process (re)built its state from the file (first use, and after a compaction)."""
        self.compaction_holds: list[float] = []
        """Seconds the last compaction of this process held the exclusive lock, each time (writers waited)."""
        self.snapshot_loads = 0
        """How many of those took the state from a valid snapshot instead of parsing every line."""
        self._state: dict[str, dict[str, Stored]] = {}
        self._listeners: dict[str, list[TableListener]] = {}
        self._fd: int | None = None
        self._ident: tuple[int, int] | None = None
        self._offset = 0
        self._lines = 0
        self._pid = os.getpid()
        self._stale = True  # the in-memory state must be (re)built from the file
        self._crc = 0
        """CRC-32 of bytes 0 .. _offset of the file, as this process read (or wrote) them."""
        self._checkpoints: list[tuple[int, int, int]] = []
        """(offset, line number, CRC-32 of bytes 0 .. offset) every CHECKPOINT_BYTES, at line ends."""
        self._mtime_ns = 0
        self._verified_at = 0.0
        self._torn = 0
        """Bytes after the last complete line: what a writer killed mid-write left (see :meth:`_move_torn_tail`)."""
        self._damaged: tuple[tuple[int, int], str] | None = None
        """(file identity, message) once damage was found: every use raises it until the file is replaced."""

    # -- locking and catching up -------------------------------------------------------------------------------

    @contextmanager
    def locked(self, exclusive: bool = False) -> Iterator[None]:
        """Hold the cross-process lock; the outermost hold first catches up with the file."""
        if os.getpid() != self._pid:
            self._pid, self._fd, self._stale = os.getpid(), None, True
        with self.lock.hold(exclusive) as outermost:
            if outermost:
                self._catch_up()
            yield

    def table(self, name: str) -> DocView:
        """The documents of one table (use while holding the lock; do not mutate what it returns)."""
        return DocView(self._state.get(name) or {}, self._read_ref, name)

    def doc(self, name: str, doc_id: str) -> dict[str, Any]:
        """A private copy of one document (KeyError if there is none); hold the lock while calling."""
        value = self._state.get(name, {})[doc_id]
        if isinstance(value, int):
            value = self._read_ref(value, name, doc_id)
        doc: dict[str, Any] = json.loads(value) if isinstance(value, bytes) else json_copy(value)
        return doc

    def _read_ref(self, ref: int, name: str | None = None, doc_id: str | None = None) -> bytes:
        """The bytes of a document a snapshot placed in the file, checked against the CRC-32 the snapshot kept.

        A mismatch means the file was changed in place since the compaction wrote it: the snapshot is stale, so
        the whole file is parsed again without it (which reports a damaged line as any first read would) and
        the document is taken from what that parse found. Without ``name`` and ``doc_id`` (while lines are
        being applied) a mismatch raises :class:`~qhybrid_lab.errors.RunLogCorrupt`.
        """
        offset, length, crc = split_ref(ref)
        data = os.pread(self._fd, length, offset) if self._fd is not None else b""
        if len(data) == length and zlib.crc32(data) == crc:
            return data
        if name is None or doc_id is None:
            raise self._corrupt(
                f"run log {self.path} is damaged: the bytes at offset {offset} changed after they "
                "were written (the file was modified in place). The file was left exactly as it "
                f"is; move it aside to go on, e.g. `mv '{self.path}' '{self.path}.broken'`."
            )
        logger.warning(
            "qhybrid-lab: the run log %s was modified in place after its last compaction; reading it "
            "again without its snapshot",
            self.path,
        )
        self._load(use_snapshot=False)
        value = self._state.get(name, {})[doc_id]
        return value if isinstance(value, bytes) else dumps(value).encode("utf-8")

    def add_listener(self, name: str, listener: TableListener) -> None:
        """Keep ``listener`` told about every change of table ``name`` (filled now if the state is loaded)."""
        self._listeners.setdefault(name, []).append(listener)
        if not self._stale:
            listener.reload_started()
            for doc_id, doc in self.table(name).items():
                listener.changed(doc_id, doc)
            listener.reload_finished()

    def _catch_up(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if not self._create():  # a read-only home without a run log: nothing recorded yet
                self._state, self._stale = {}, True
                return
            st = os.stat(self.path)
        except OSError as error:
            raise RunLogError(f"cannot read the run log {self.path}: {error}") from error
        ident = (st.st_dev, st.st_ino)
        if self._damaged is not None:
            if self._damaged[0] == ident:
                raise RunLogCorrupt(self._damaged[1])
            self._damaged, self._stale = None, True  # the damaged file was moved aside: start from the new one
        if self._stale or self._fd is None or ident != self._ident:
            self._load()
            return
        if st.st_size < self._offset:
            raise self._corrupt(
                self._message(
                    self._lines,
                    f"is shorter ({st.st_size} bytes) than what this process already read "
                    f"({self._offset} bytes): it was truncated",
                )
            )
        rewritten = st.st_size == self._offset and st.st_mtime_ns != self._mtime_ns
        if rewritten or (st.st_mtime_ns != self._mtime_ns and time.monotonic() - self._verified_at > VERIFY_INTERVAL):
            self._verify()
        if st.st_size > self._offset:
            data = os.pread(self._fd, st.st_size - self._offset, self._offset)
            self._apply_lines(data)
        self._mtime_ns = st.st_mtime_ns

    def _corrupt(self, message: str) -> RunLogCorrupt:
        """Remember damage of the current file (every later use raises it too); the error to raise."""
        self._damaged = (self._ident, message) if self._ident is not None else None
        return RunLogCorrupt(message)

    def _verify(self) -> None:
        """Check that the bytes this process already read are unchanged (damage written in place is noticed)."""
        self._verified_at = time.monotonic()
        crc, start, line = 0, 0, 1
        if self._fd is None:  # _catch_up verifies only a file this process has open
            raise RuntimeError(f"cannot verify the run log {self.path}: it is not open")
        for offset, last_line, expected in [*self._checkpoints, (self._offset, self._lines, self._crc)]:
            block = os.pread(self._fd, offset - start, start)
            crc = zlib.crc32(block, crc)
            if len(block) != offset - start or crc != expected:
                bad, within = self._where(block, line, last_line)
                raise self._corrupt(
                    self._message(
                        bad,
                        "changed after this process had read it (the file was modified in place, not appended to)",
                        within,
                    )
                )
            start, line = offset, last_line + 1

    @staticmethod
    def _where(block: bytes, first: int, last: int) -> tuple[int, str]:
        """The first line of ``block`` that is not JSON, or the range of lines the change is in."""
        for number, line in enumerate(block.split(b"\n")[:-1], start=first):
            try:
                json.loads(line)
            except ValueError:
                return number, ""
        return first, f" (or a line up to {last})" if last > first else ""

    def _create(self) -> bool:
        """Create an empty run log (a header line); False when the directory cannot be written (read-only home)."""
        tmp = self.path.with_name(f".{self.path.name}.{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(dumps(self._header()) + "\n", encoding="utf-8")
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return False
            raise RunLogError(f"cannot create the run log {self.path}: {error}") from error
        try:
            os.link(tmp, self.path)  # fails if another process created it first: then use theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return True

    def _header(self) -> dict[str, Any]:
        return {"format": FORMAT, "schema": self.schema_version, "generation": uuid.uuid4().hex, "created": time.time()}

    def _load(self, use_snapshot: bool = True) -> None:
        self._stale = True
        self.full_loads += 1
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as error:
            raise RunLogError(f"cannot read the run log {self.path}: {error}") from error
        try:
            st = os.fstat(fd)
            snap = read_snapshot(self.path, fd, st.st_size) if use_snapshot else None
            data = b"" if snap is not None else os.pread(fd, st.st_size, 0) if st.st_size else b""
        except BaseException:
            os.close(fd)
            raise
        if snap is not None:
            self._load_snapshot(fd, st, snap)
            return
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._ident = fd, (st.st_dev, st.st_ino)
        self._state, self._offset, self._lines = {}, 0, 0
        self._crc, self._checkpoints, self._mtime_ns = 0, [], st.st_mtime_ns
        self._verified_at = time.monotonic()
        end = data.find(b"\n")
        if end < 0:
            raise RunLogCorrupt(
                self._message(
                    1, "has no complete header line (the file is empty or was cut short while it was being created)"
                )
            )
        self._check_header(data[:end])
        self._offset, self._lines = end + 1, 1
        self._crc = zlib.crc32(data[: end + 1])
        listeners = [listener for group in self._listeners.values() for listener in group]
        for listener in listeners:
            listener.reload_started()
        self._apply_lines(data[end + 1 :])
        for listener in listeners:
            listener.reload_finished()
        self.version += 1
        self._stale = False

    def _load_snapshot(self, fd: int, st: os.stat_result, snap: Snapshot) -> None:
        """Take the state from a snapshot that matches this file, then read the lines appended after it."""
        self.snapshot_loads += 1
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._ident = fd, (st.st_dev, st.st_ino)
        self._state, self._offset, self._lines = {}, 0, 0
        self._check_header(snap.header)
        self._state = {name: dict(refs) for name, refs in snap.tables.items()}
        self._offset, self._lines, self._crc = snap.size, snap.lines, snap.crc
        self._checkpoints, self._mtime_ns = list(snap.checkpoints), st.st_mtime_ns
        self._verified_at = time.monotonic()
        for name, listeners in self._listeners.items():
            states = snap.listeners.get(name, [])
            for i, listener in enumerate(listeners):
                restore = getattr(listener, "restore", None)
                if i < len(states) and restore is not None and restore(states[i]):
                    continue
                listener.reload_started()  # a listener the snapshot did not describe: tell it every document
                view = self.table(name)
                for doc_id in view:
                    listener.changed(doc_id, view[doc_id])
                listener.reload_finished()
        if st.st_size > self._offset:
            self._apply_lines(os.pread(fd, st.st_size - self._offset, self._offset))
        self.version += 1
        self._stale = False

    def _check_header(self, line: bytes) -> None:
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise RunLogCorrupt(self._message(1, "is not a qhybrid-lab run log header"))
        if header.get("schema") != self.schema_version:
            raise RunLogCorrupt(
                self._message(
                    1,
                    f"declares schema {header.get('schema')!r} but this qhybrid-lab reads schema "
                    f"{self.schema_version}: use the qhybrid-lab version that wrote it (pip install -U qhybrid-lab)",
                )
            )
        self.generation = header.get("generation")

    def _apply_lines(self, data: bytes) -> None:
        self._torn = 0
        start = 0
        checkpoint_start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            if end < 0:  # a write cut short by a writer that died holding the lock: never confirmed, not read
                self._torn = len(data) - start
                break
            line = data[start:end]
            try:
                op = json.loads(line)
            except ValueError as exc:
                raise self._corrupt(self._message(self._lines + 1, f"is not valid JSON ({exc})")) from None
            problem = self._apply(op, line)
            if problem:
                raise self._corrupt(self._message(self._lines + 1, problem))
            self._lines += 1
            self._offset += end + 1 - start
            start = end + 1
            last = self._checkpoints[-1][0] if self._checkpoints else 0
            if self._offset - last >= CHECKPOINT_BYTES:
                self._crc = zlib.crc32(data[checkpoint_start:start], self._crc)
                checkpoint_start = start
                self._checkpoints.append((self._offset, self._lines, self._crc))
        self._crc = zlib.crc32(data[checkpoint_start:start], self._crc)

    def _apply(self, op: Any, line: bytes) -> str | None:
        """Apply one decoded operation; returns what is wrong with it instead, if anything."""
        if not isinstance(op, dict) or op.get("op") not in OPS:
            return "is not a run log operation (expected put, merge or delete)"
        name, doc_id, kind = op.get("t"), op.get("id"), op["op"]
        if not isinstance(name, str) or not isinstance(doc_id, str):
            return "names no table or document id"
        table = self._state.setdefault(name, {})
        if kind == "put":
            new = op.get("doc")
            if not isinstance(new, dict):
                return "is a put without a document"
            prefix = _put_prefix(name, doc_id)
            # keep the document's own bytes when the line has the layout this module writes
            table[doc_id] = line[len(prefix) : -1] if line.startswith(prefix) and line.endswith(b"}") else new
        elif kind == "merge":
            fields, old = op.get("fields"), table.get(doc_id)
            if old is None or not isinstance(fields, dict):
                return f"merges into document {doc_id!r} of table {name!r}, which does not exist"
            if isinstance(old, int):
                old = self._read_ref(old)
            new = {**(json.loads(old) if isinstance(old, bytes) else old), **fields}
            table[doc_id] = new
        else:
            table.pop(doc_id, None)
            new = None
        self.version += 1
        for listener in self._listeners.get(name, ()):
            listener.changed(doc_id, new)
        return None

    def _message(self, line: int, what: str, within: str = "") -> str:
        return (
            f"run log {self.path} is damaged: line {line}{within} {what}. The file was left exactly as it is "
            f"(qhybrid-lab never rewrites or repairs it). To go on, move it aside, e.g. "
            f"`mv '{self.path}' '{self.path}.broken'`; a new empty run log is started on next use, and the "
            f"lines before line {line} of the moved file are intact JSON operations if you need them."
        )

    # -- writing -------------------------------------------------------------------------------------------------

    def append(self, ops: list[dict[str, Any]]) -> None:
        """Append operations as complete lines in one ``os.write``, then apply them here (exclusive lock)."""
        if not ops:
            return
        if not self.lock.held_exclusively:
            raise RuntimeError("run log writes need the exclusive lock: use `with storage.locked(True)`")
        lines = [dumps(op) for op in ops]
        buf = ("\n".join(lines) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        except OSError as error:
            raise RunLogError(
                f"cannot write the run log {self.path}: {error}; nothing was written (a read-only "
                "home? set QHYBRID_HOME to a writable directory)"
            ) from error
        try:
            st = os.fstat(fd)
            if self._torn and (st.st_dev, st.st_ino) == self._ident and st.st_size == self._offset + self._torn:
                self._move_torn_tail(fd)
                st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != self._ident or st.st_size != self._offset:
                self._stale = True
                raise RunLogError(
                    f"run log {self.path} changed while this process held its lock; nothing was "
                    "written (is a program that ignores the lock file writing to it?)"
                )
            try:
                written = os.write(fd, buf)
            except OSError as exc:
                raise RunLogError(f"could not append to {self.path}: {exc}; nothing was written") from exc
            if written != len(buf):  # only our own cut line is taken back, under the lock
                os.ftruncate(fd, st.st_size)
                raise RunLogError(
                    f"only {written} of {len(buf)} bytes could be appended to {self.path} (disk "
                    "full?); the partial write was taken back and nothing was recorded"
                )
            if self.fsync:
                os.fsync(fd)
            self._mtime_ns = os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)
        self._apply_lines(buf)  # the decoded lines, so this process sees exactly what the others read

    def _move_torn_tail(self, fd: int) -> None:
        """Keep the bytes of a write cut short (by a writer killed mid-write) in a file beside the log, then cut
        them off, so the log ends with a complete line again. They were never confirmed to anyone; nothing that
        was confirmed is touched. Called by a writer holding the exclusive lock."""
        if self._fd is None:  # append() found the torn tail on the file this process has open
            raise RuntimeError(f"cannot move the torn tail of the run log {self.path}: it is not open")
        tail = os.pread(self._fd, self._torn, self._offset)
        aside = self.path.with_name(f"{self.path.name}.torn-{int(time.time())}-{os.getpid()}")
        try:
            aside.write_bytes(tail)
            os.ftruncate(fd, self._offset)
        except OSError as error:
            raise RunLogError(
                f"the run log {self.path} ends with {self._torn} bytes of a write that was cut short; "
                f"they could not be moved aside ({error}), so nothing was written"
            ) from error
        logger.warning(
            "qhybrid-lab: the run log %s ended with %d bytes of a write cut short by a process that stopped while "
            "writing (never confirmed to anyone); they were moved to %s",
            self.path,
            self._torn,
            aside,
        )
        self._torn = 0

    @property
    def live_documents(self) -> int:
        """Documents in all tables (hold the lock)."""
        return sum(len(table) for table in self._state.values())

    @property
    def superseded_lines(self) -> int:
        """Lines of the file that a compaction would drop: overwritten, merged or deleted documents (hold the lock)."""
        return max(0, self._lines - 1 - self.live_documents)

    def compact(self) -> None:
        """Rewrite the current state as one put per document into a new file, renamed over the old one, with a
        snapshot beside it (:mod:`.snapshot`) so that the next process to open the log need not parse it.

        Writers wait only twice, briefly: while the state is copied (exclusive lock), and while the lines they
        appended during the rewrite are copied to the new file and it is renamed in. The rewrite itself runs
        without the lock. Other processes notice the new file and reload it (from the snapshot). If another
        process compacted meanwhile, this compaction is dropped (the log is already compact).
        """
        held = time.perf_counter()
        with self.locked(exclusive=True):
            held = time.perf_counter()
            tables = {name: dict(table) for name, table in self._state.items()}
            exports = {
                name: [(listener, listener.export()) for listener in group]  # type: ignore[attr-defined]
                for name, group in self._listeners.items()
                if all(hasattr(listener, "export") for listener in group)
            }
            base_offset, base_ident, source = self._offset, self._ident, os.dup(self._fd)  # type: ignore[arg-type]
            self.remove_leftovers()
            self.compaction_holds = [time.perf_counter() - held]
        tmp = temporary_name(self.path, "compact")
        snap_tmp = temporary_name(self.path, "snapshot.new")
        retired: list[int] = []  # descriptors of the files the renames replace, closed after the writers' wait
        try:
            try:
                header, refs, size, lines, crc, checkpoints = self._rewrite(tmp, tables, source)
                packed = {
                    name: [listener.pack(state) if hasattr(listener, "pack") else state for listener, state in group]
                    for name, group in exports.items()
                }
                snap = Snapshot(header, size, lines, crc, checkpoints, refs, packed)
                with open(snap_tmp, "wb") as fh:
                    fh.write(encode(snap))
                    fh.flush()
                    # synced here, without the lock: renaming an unsynced file over another makes ext4 write it
                    # out during the rename (its replace-via-rename rule), inside the writers' wait below
                    os.fsync(fh.fileno())
            finally:
                os.close(source)
            # The files the renames replace are freed when their last descriptor closes: after the writers' wait
            # (freeing the blocks of a 100k-record log takes tens of milliseconds), not inside it.
            if self._fd is not None:
                retired.append(os.dup(self._fd))  # its own descriptor: the lock may reopen the log meanwhile
            with contextlib.suppress(OSError):
                retired.append(os.open(snapshot_path(self.path), os.O_RDONLY | os.O_CLOEXEC))
            with self.locked(exclusive=True), self._timed_hold():
                if self._ident != base_ident:  # another process compacted meanwhile: theirs is in place
                    return
                tail = os.pread(self._fd, self._offset - base_offset, base_offset)  # type: ignore[arg-type]
                try:
                    with open(tmp, "ab") as fh:
                        fh.write(tail)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, self.path)
                    os.replace(snap_tmp, snapshot_path(self.path))
                except OSError as error:
                    raise RunLogError(f"could not compact {self.path}: {error}; the run log is unchanged") from error
                dir_fd = os.open(self.path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
                fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)  # this process already has the state
                st = os.fstat(fd)
                if self._fd is not None:
                    os.close(self._fd)
                self._fd, self._ident, self._offset = fd, (st.st_dev, st.st_ino), st.st_size
                self._lines, self._crc = lines + tail.count(b"\n"), zlib.crc32(tail, crc)
                self._checkpoints, self._mtime_ns = list(checkpoints), st.st_mtime_ns
                self._torn = 0
                for name, copied in tables.items():  # unchanged documents now live in the new file
                    table, placed = self._state.get(name, {}), refs[name]
                    for doc_id, value in copied.items():
                        if table.get(doc_id) is value:
                            table[doc_id] = placed[doc_id]
                self.generation = json.loads(header)["generation"]
                self.version += 1
        except OSError as error:
            raise RunLogError(f"could not compact {self.path}: {error}; the run log is unchanged") from error
        finally:
            for retired_fd in retired:
                os.close(retired_fd)
            tmp.unlink(missing_ok=True)
            snap_tmp.unlink(missing_ok=True)

    @contextmanager
    def _timed_hold(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.compaction_holds.append(time.perf_counter() - start)

    def _rewrite(
        self, tmp: Path, tables: dict[str, dict[str, Stored]], source: int
    ) -> tuple[bytes, dict[str, dict[str, int]], int, int, int, list[tuple[int, int, int]]]:
        """Write ``tables`` as put lines to ``tmp`` (synced); returns what the snapshot says about it."""
        header = dumps(self._header()).encode("utf-8")
        refs: dict[str, dict[str, int]] = {}
        checkpoints: list[tuple[int, int, int]] = []
        chunk: list[bytes] = [header, b"\n"]
        offset = len(header) + 1
        crc = zlib.crc32(header + b"\n")
        lines, last, pending = 1, 0, 0
        with open(tmp, "wb") as fh:
            for name, table in tables.items():
                placed = refs[name] = {}
                for doc_id, doc in table.items():
                    prefix = _put_prefix(name, doc_id)
                    if isinstance(doc, int):
                        at, length, doc_crc = split_ref(doc)
                        body = os.pread(source, length, at)
                        if len(body) != length or zlib.crc32(body) != doc_crc:
                            raise RunLogCorrupt(
                                f"run log {self.path} is damaged: the document {doc_id!r} changed "
                                "in place after it was written; nothing was compacted"
                            )
                    elif isinstance(doc, bytes):
                        body = doc
                    else:
                        line = dumps({"t": name, "op": "put", "id": doc_id, "doc": doc}).encode("utf-8")
                        body = line[len(prefix) : -1]
                    placed[doc_id] = make_ref(offset + len(prefix), len(body), zlib.crc32(body))
                    piece = prefix + body + b"}\n"
                    crc = zlib.crc32(piece, crc)
                    chunk.append(piece)
                    offset += len(piece)
                    lines += 1
                    pending += len(piece)
                    if offset - last >= CHECKPOINT_BYTES:
                        checkpoints.append((offset, lines, crc))
                        last = offset
                    if pending > 1 << 20:
                        fh.write(b"".join(chunk))
                        chunk, pending = [], 0
            fh.write(b"".join(chunk))
            fh.flush()
            os.fsync(fh.fileno())
        return header, refs, offset, lines, crc, checkpoints

    def remove_leftovers(self) -> list[Path]:
        """Remove temporary files that processes killed while compacting or creating the log left behind.

        A leftover is named ``.<log>.<host>.<pid>.compact`` (or ``.new``); it is removed when that process is gone
        from this host, or when it is older than :data:`LEFTOVER_AGE` seconds and names another host (or none).
        Returns what was removed.
        """
        host, now, removed = socket.gethostname(), time.time(), []
        for path in self.path.parent.glob(f".{self.path.name}.*"):
            parts = path.name[len(self.path.name) + 2 :].split(".")
            if not parts or parts[-1] not in ("compact", "new"):
                continue
            pid = next((int(p) for p in parts if p.isdigit()), None)
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            here = host in parts or len(parts) == 2  # ".<log>.<pid>.compact": written by an older qhybrid-lab here
            gone = here and pid is not None and not _pid_alive(pid)
            if gone or (not here and age > LEFTOVER_AGE):
                try:
                    path.unlink()
                    removed.append(path)
                except FileNotFoundError:
                    pass
                except OSError as error:  # a read-only home: nothing can be removed, and nothing needs to be
                    raise RunLogError(f"cannot remove the leftover {path}: {error}") from error
        return removed

    # -- the TinyDB Storage interface ---------------------------------------------------------------------------

    # TinyDB declares dict tables; it only reads them through the Mapping methods (see LogTable), and views
    # spare decoding every document.
    def read(self) -> dict[str, Mapping[str, dict[str, Any]]] | None:  # type: ignore[override]
        """The whole state, as read-only views (TinyDB's own tables do not mutate them, see LogTable)."""
        with self.locked():
            return {name: DocView(table, self._read_ref, name) for name, table in self._state.items() if table} or None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Store a whole new state by appending only the differences (used by ``drop_table(s)``)."""
        with self.locked(exclusive=True):
            ops: list[dict[str, Any]] = []
            for name in set(self._state) | set(data):
                old, new = self.table(name), data.get(name, {})
                ops += [{"t": name, "op": "delete", "id": k} for k in old if k not in new]
                ops += [
                    {"t": name, "op": "put", "id": str(k), "doc": dict(doc)}
                    for k, doc in new.items()
                    if doc is not old.get(str(k)) and doc != old.get(str(k))
                ]
            self.append(ops)

    def __del__(self) -> None:
        close_dropped(self)

    def close(self) -> None:
        """Close file descriptors (the in-memory state is rebuilt on next use); a no-op while a thread holds the lock."""
        with self.lock.idle() as idle:
            if not idle:
                return
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._stale = True
            self.lock.close()
