"""Warm worker processes that run local simulations, so Aer (which holds the GIL for a whole run) never blocks a kernel.

Workers are fresh interpreters (like the ``spawn`` start method, safe with threads and OpenMP), kept alive and reused: each resolves
backends by name with :func:`~qhybrid_lab.backends.get_backend`, whose per-process cache keeps simulators, targets and
device noise models built once. A worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux, plus a watchdog).
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from .execution import ExecutionRequest, execute

logger = logging.getLogger(__name__)

WORKERS_ENV = "QHYBRID_WORKERS"
DEFAULT_WORKERS = 2
WORKER_NICE = 5
"""Workers run at a lower CPU priority, so on a busy machine the kernel (and the browser) stay responsive."""


def worker_count() -> int:
    """How many worker processes to keep: ``$QHYBRID_WORKERS`` (≥ 1), else 2."""
    raw = os.environ.get(WORKERS_ENV)
    if not raw:
        return DEFAULT_WORKERS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{WORKERS_ENV} must be a positive integer, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{WORKERS_ENV} must be a positive integer, not {raw!r}")
    return value


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when its parent dies; else rely on the watchdog thread alone."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        logger.debug("PR_SET_PDEATHSIG unavailable; the watchdog alone ends orphaned workers")
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)

    def watchdog() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watchdog, name="qhybrid-worker-watchdog", daemon=True).start()


def worker_main(conn: Connection, parent_pid: int) -> None:
    """Entry point of a worker process: answer :class:`ExecutionRequest` s until told to stop or the pipe closes."""
    _die_with_parent(parent_pid)
    # Jupyter's "interrupt kernel" signals the kernel's whole process group: that must stop the user's cell,
    # not the jobs running here (a job is cancelled through the engine, which ends this process).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICE)
    import qiskit_aer  # noqa: F401  (warm: the first job should not pay for the import)

    from .. import backends  # noqa: F401

    conn.send({"kind": "ready", "pid": os.getpid()})
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(message, ExecutionRequest):
            conn.send(execute(message))
        elif message.get("kind") == "stop":
            return
        elif message.get("kind") == "warm":
            for module in message.get("modules", ()):
                importlib.import_module(module)


class Worker:
    """One worker process (a fresh interpreter) and the engine's end of the socket to it.

    Workers are started as ``python -c`` processes rather than through ``multiprocessing``'s spawn context: spawn
    re-imports the parent's ``__main__``, which re-runs a user's unguarded script (and its ``run()`` calls) in every
    worker. Each runs in a session of its own: Jupyter signals the kernel's whole process group when it restarts,
    interrupts or shuts down a kernel, and a worker killed by that signal would fail its job before the kernel could
    record it as interrupted. Workers end with their parent (``PR_SET_PDEATHSIG`` and a watchdog) instead. The worker gets the parent's ``sys.path`` so modules that register backends at runtime import there too.
    """

    def __init__(self, index: int) -> None:
        self.index = index
        ours, theirs = socket.socketpair()
        path = [p or os.getcwd() for p in sys.path]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(path))}
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOT, str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
        )  # signals to the kernel's process group (restart, interrupt) are not theirs
        theirs.close()
        self.conn = Connection(ours.detach())
        self.job_id: str | None = None
        """The job it is running, or None when idle."""
        self.ready = False
        self.started = time.time()

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    @property
    def exitcode(self) -> int | None:
        """The exit code once the process has ended (negative: killed by that signal), else None."""
        return self.process.poll()

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process.poll() is None

    def send(self, message: ExecutionRequest | dict) -> None:
        """Send an :class:`ExecutionRequest` or a control message (``{"kind": "stop" | "warm"}``)."""
        self.conn.send(message)

    def terminate(self) -> None:
        """End the process at once (cancelling whatever it runs)."""
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)
        self.conn.close()

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the process to finish, and end it if it does not within ``timeout`` seconds."""
        try:
            self.conn.send({"kind": "stop"})
        except (OSError, ValueError):
            logger.debug("worker %s pipe already closed", self.pid)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.conn.close()


BOOT = "import sys; from qhybrid_lab.jobs.workers import boot; boot(int(sys.argv[1]), int(sys.argv[2]))"


def boot(fd: int, parent_pid: int) -> None:
    """Entry point of a worker interpreter: wrap the inherited socket and serve requests."""
    worker_main(Connection(fd), parent_pid)


class WorkerPool:
    """A fixed number of warm worker processes, started lazily and replaced when one is ended or dies.

    Only the engine thread uses a pool (it is not thread-safe).
    """

    def __init__(self, size: int | None = None) -> None:
        self.size = size if size is not None else worker_count()
        self._workers: list[Worker] = []
        self._next_index = 0
        self.replaced = 0
        """How many workers were replaced (after a cancel or a crash)."""

    def ensure_started(self) -> None:
        """Start workers up to the pool size."""
        while len(self._workers) < self.size:
            self._workers.append(Worker(self._next_index))
            self._next_index += 1

    @property
    def workers(self) -> list[Worker]:
        """The live workers."""
        return list(self._workers)

    def idle(self) -> Worker | None:
        """A worker that runs nothing, or None."""
        for worker in self._workers:
            if worker.job_id is None:
                return worker
        return None

    def running(self, job_id: str) -> Worker | None:
        """The worker running ``job_id``, if any."""
        for worker in self._workers:
            if worker.job_id == job_id:
                return worker
        return None

    def replace(self, worker: Worker) -> Worker:
        """End ``worker`` (if still alive) and start a fresh one in its place."""
        worker.terminate()
        fresh = Worker(self._next_index)
        self._next_index += 1
        self._workers[self._workers.index(worker)] = fresh
        self.replaced += 1
        return fresh

    def discard(self, worker: Worker) -> None:
        """End ``worker`` and leave its place empty (``ensure_started`` fills it later)."""
        worker.terminate()
        self._workers.remove(worker)

    def shutdown(self) -> None:
        """Stop every worker."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()
