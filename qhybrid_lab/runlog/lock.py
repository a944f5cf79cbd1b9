"""The cross-process lock of the run log: ``fcntl.flock`` on a file beside the store, re-entrant per thread."""

from __future__ import annotations

import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..errors import RunLogError

DEFAULT_TIMEOUT = 60.0
"""Seconds to wait for another process to release the lock (``$QHYBRID_RUNLOG_LOCK_TIMEOUT``)."""


def close_dropped(owner: object) -> None:
    """Close ``owner._fd`` (a plain int nothing else would close) in a ``__del__``, in the process that opened it."""
    fd = getattr(owner, "_fd", None)
    if fd is not None and getattr(owner, "_pid", None) == os.getpid():
        owner._fd = None  # type: ignore[attr-defined]
        with suppress(OSError):
            os.close(fd)


class ProcessLock:
    """A lock shared by every process on this machine that opens the same lock file.

    Within a process, one ``threading.RLock`` serializes threads and makes the lock re-entrant for the
    thread that holds it; the ``flock`` is taken when the outermost hold starts and released when it ends.
    Shared (read) holds let several reader processes in at once; exclusive holds are needed to write.
    A child process made by ``fork`` reopens the lock file, so it never inherits its parent's lock.
    """

    def __init__(self, path: Path, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = (
            float(os.environ.get("QHYBRID_RUNLOG_LOCK_TIMEOUT", DEFAULT_TIMEOUT)) if timeout is None else timeout
        )
        self._pid = os.getpid()
        self._fd: int | None = None
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._exclusive = False

    @property
    def held_exclusively(self) -> bool:
        """Whether the calling thread holds the lock for writing (only meaningful while it holds it)."""
        return self._depth > 0 and self._exclusive

    def _after_fork(self) -> None:
        # The parent's descriptor refers to the parent's lock: drop it (without unlocking) and start afresh.
        self._pid = os.getpid()
        self._fd = None
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._exclusive = False

    def _descriptor(self) -> int | None:
        """The lock file's descriptor; None in a read-only directory that has no lock file (reads need none)."""
        if self._fd is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as error:
                if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise RunLogError(f"cannot open the run log lock {self.path}: {error}") from error
                try:  # a read-only home: flock works on a descriptor opened for reading
                    self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
                except FileNotFoundError:
                    return None
                except OSError as again:
                    raise RunLogError(f"cannot open the run log lock {self.path}: {again}") from again
        return self._fd

    @contextmanager
    def hold(self, exclusive: bool) -> Iterator[bool]:
        """Hold the lock; yields True for the outermost hold of this thread (the moment to catch up).

        Raises:
            RuntimeError: a write lock was asked for inside a read-only hold of the same thread.
        """
        if os.getpid() != self._pid:
            self._after_fork()
        with self._thread_lock:
            outermost = self._depth == 0
            if outermost:
                self._acquire(exclusive)
                self._exclusive = exclusive
            elif exclusive and not self._exclusive:
                raise RuntimeError("a run log write was attempted inside a read-only hold of the lock")
            self._depth += 1
            try:
                yield outermost
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _acquire(self, exclusive: bool) -> None:
        fd, mode = self._descriptor(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        if fd is None:
            if exclusive:
                raise RunLogError(
                    f"the run log directory {self.path.parent} is read-only: it can be read but not "
                    "written; set QHYBRID_HOME to a writable directory to run jobs"
                )
            return  # reading a read-only run log that nobody can write: there is no writer to wait for
        deadline, pause = time.monotonic() + self.timeout, 0.0005
        while True:
            try:
                fcntl.flock(fd, mode)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RunLogError(
                        f"the run log lock {self.path} has been held by another process for over {self.timeout:g} s; "
                        "a kernel may be stopped inside a transaction (e.g. in a debugger): finish or restart it"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.01)

    def __del__(self) -> None:
        close_dropped(self)

    @contextmanager
    def idle(self) -> Iterator[bool]:
        """Keep every thread of this process out of the lock; yields whether none of them holds it now."""
        with self._thread_lock:
            yield self._depth == 0

    def close(self) -> None:
        """Close the lock file descriptor (only when nothing holds the lock)."""
        with self._thread_lock:
            if self._fd is not None and self._depth == 0:
                os.close(self._fd)
                self._fd = None
