"""The run log's snapshot: where every document sits in the compacted file, and the indexes, read instead of the file.

A compaction writes ``.runlog.snapshot`` beside the log: for each document its ``(offset, length, crc32)`` in
the new file, the listeners' exported indexes and the file's CRC checkpoints. A process opening the log reads the
snapshot (a few MB) and the lines appended after it, instead of parsing every line; a document is read from the file
when it is asked for, and its bytes are checked against the CRC the snapshot kept. The snapshot is a cache, never a
source of truth. It is used only when it matches the log:

* its own CRC is right and it has the shape this code writes (else it is damaged: ignored);
* the log's header line (which carries the generation, new at every compaction) is byte for byte the one it
  describes, the log is at least as long as what it covers and a line ends where it ends (else it is stale);
* the CRC-32 of the bytes it covers matches: all of them for a log up to :data:`FULL_CHECK_BYTES`, else the first
  and the last checkpoint block (the periodic re-verification of :class:`~.storage.JsonLinesStorage` covers the
  rest with the snapshot's checkpoints, and each document read is checked by its own CRC).

Anything else, and the log is parsed line by line as if there were no snapshot.
"""

from __future__ import annotations

import logging
import marshal
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

MAGIC = b"qhybrid-runlog-snapshot/2\n"
FULL_CHECK_BYTES = 16 << 20
"""Logs up to this size are CRC-checked whole against the snapshot; longer ones by their first and last block."""


def make_ref(offset: int, length: int, crc: int) -> int:
    """Where a document's JSON is in the file, as one ``int`` (one object per document, not four)."""
    return offset | length << 40 | crc << 80


def split_ref(ref: int) -> tuple[int, int, int]:
    """``(offset, length, crc32)`` of a :func:`make_ref`."""
    return ref & _MASK, ref >> 40 & _MASK, ref >> 80


_MASK = (1 << 40) - 1


@dataclass
class Snapshot:
    """What a compaction knew about the file it wrote (see the module docstring)."""

    header: bytes
    """The file's header line, without its newline."""
    size: int
    """Bytes of the file the snapshot covers (the compacted content)."""
    lines: int
    crc: int
    """CRC-32 of those bytes."""
    checkpoints: list[tuple[int, int, int]]
    """``(offset, line, crc)`` as :class:`~.storage.JsonLinesStorage` keeps them."""
    tables: dict[str, dict[str, int]]
    """table → document id → where the document's JSON is in the file (:func:`make_ref`)."""
    listeners: dict[str, list[Any]]
    """table → the exports of its listeners, in the order they were added."""


def snapshot_path(log: Path) -> Path:
    """``.<log stem>.snapshot`` beside the log (``.runlog.snapshot``: not one of the log's temporary files)."""
    return log.with_name(f".{log.stem}.snapshot")


def encode(snap: Snapshot) -> bytes:
    """The snapshot file's bytes: magic, CRC-32 of the payload, payload (``marshal``: builtins only)."""
    payload = marshal.dumps(
        (snap.header, snap.size, snap.lines, snap.crc, snap.checkpoints, snap.tables, snap.listeners)
    )
    return MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload


def read_snapshot(log: Path, fd: int, size: int) -> Snapshot | None:
    """The snapshot of the log open on ``fd`` (``size`` bytes), or None when there is none or it does not match."""
    try:
        data = snapshot_path(log).read_bytes()
    except OSError:
        return None
    snap = _decode(data)
    if snap is None:
        logger.info("qhybrid-lab: the run log snapshot %s is damaged; reading the whole log", snapshot_path(log))
        return None
    if not _matches(snap, fd, size):
        logger.debug("qhybrid-lab: the run log snapshot %s is stale; reading the whole log", snapshot_path(log))
        return None
    return snap


def _decode(data: bytes) -> Snapshot | None:
    head = len(MAGIC) + 4
    if not data.startswith(MAGIC) or len(data) < head:
        return None
    payload = data[head:]
    if zlib.crc32(payload) != int.from_bytes(data[len(MAGIC) : head], "big"):
        return None
    try:
        fields = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not (isinstance(fields, tuple) and len(fields) == 7):
        return None
    header, size, lines, crc, checkpoints, tables, listeners = fields
    if not (
        isinstance(header, bytes)
        and isinstance(size, int)
        and isinstance(lines, int)
        and isinstance(crc, int)
        and isinstance(checkpoints, list)
        and isinstance(tables, dict)
        and isinstance(listeners, dict)
    ):
        return None
    if not all(isinstance(refs, dict) and all(type(ref) is int for ref in refs.values()) for refs in tables.values()):
        return None  # (each place is checked when its document is read: its bytes must have the CRC it names)
    if any(not (isinstance(c, tuple) and len(c) == 3 and 0 < c[0] <= size) for c in checkpoints):
        return None
    return Snapshot(header, size, lines, crc, checkpoints, tables, listeners)


def _matches(snap: Snapshot, fd: int, size: int) -> bool:
    """Whether the log open on ``fd`` starts with exactly the content the snapshot describes (see the module doc)."""
    if size < snap.size or snap.size <= len(snap.header):
        return False
    if os.pread(fd, len(snap.header) + 1, 0) != snap.header + b"\n" or os.pread(fd, 1, snap.size - 1) != b"\n":
        return False
    if snap.size <= FULL_CHECK_BYTES or not snap.checkpoints:
        return zlib.crc32(os.pread(fd, snap.size, 0)) == snap.crc
    first_end, _, first_crc = snap.checkpoints[0]
    last_end, _, last_crc = snap.checkpoints[-1]
    if zlib.crc32(os.pread(fd, first_end, 0)) != first_crc:
        return False
    return zlib.crc32(os.pread(fd, snap.size - last_end, last_end), last_crc) == snap.crc


__all__ = ["Snapshot", "encode", "read_snapshot", "snapshot_path"]
