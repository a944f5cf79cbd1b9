"""Content-addressed blobs beside the run log: ``blobs/ab/<sha256 hex>``, written aside then renamed in."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import uuid
from pathlib import Path

from ..errors import InvalidJobSpec, RunLogCorrupt, RunLogError

_REF = re.compile(r"sha256:([0-9a-f]{64})")


class BlobStore:
    """Immutable byte strings addressed by their SHA-256 (QASM, calibration snapshots, ...)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, ref: str) -> Path:
        """Where the blob ``ref`` lives. InvalidJobSpec if ``ref`` is not ``"sha256:<64 hex digits>"``."""
        match = _REF.fullmatch(ref) if isinstance(ref, str) else None
        if not match:
            raise InvalidJobSpec(f"not a blob reference: {ref!r} (expected 'sha256:' and 64 hex digits)")
        digest = match.group(1)
        return self.directory / digest[:2] / digest

    def put(self, data: bytes | str) -> str:
        """Store ``data`` (str is encoded as UTF-8) and return its reference; storing it again is a no-op."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidJobSpec(f"a blob is bytes or str, not {type(data).__name__}")
        data = bytes(data)
        ref = "sha256:" + hashlib.sha256(data).hexdigest()
        target = self.path(ref)
        if target.exists():
            return ref
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        written = False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                written = True
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)  # same content from a racing writer: either rename wins
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):  # said as the lock says it
                raise RunLogError(
                    f"cannot store blob {ref}: the run log directory {self.directory.parent} is "
                    f"read-only ({error.strerror}): it can be read but not written; set QHYBRID_HOME "
                    "to a writable directory to run jobs"
                ) from error
            raise RunLogError(f"cannot store blob {ref} in {self.directory}: {error}") from error
        finally:
            if written:
                tmp.unlink(missing_ok=True)
        return ref

    def get(self, ref: str) -> bytes:
        """The bytes of blob ``ref``; RunLogError if missing, RunLogCorrupt if its content does not match."""
        target = self.path(ref)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise RunLogError(f"blob {ref} is missing: {target} does not exist") from None
        if "sha256:" + hashlib.sha256(data).hexdigest() != ref:
            raise RunLogCorrupt(
                f"blob {target} is damaged: its content no longer matches {ref}. It was left as "
                "it is; delete it and run the job again to store it anew"
            )
        return data
