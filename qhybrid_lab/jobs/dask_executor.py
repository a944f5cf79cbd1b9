"""Scale-out on Dask: a batch of circuits or a sweep's parameter points split into chunks, one Dask task per chunk.

qiskit-aer 0.18.2 accepts ``AerSimulator(executor=client)`` but never reads it (measured: 0 tasks reached the
workers), so the project does the splitting itself: each chunk is one ``client.submit`` of :func:`run_chunk`, which
resolves the backend by name in the Dask worker (:func:`~qhybrid_lab.backends.get_backend` caches it per worker
process, so simulators, targets and noise models are built once per worker) and calls ``backend.execute``.

Results are identical to the local path with the same seed. The local path (the engine) runs every circuit or sweep
as its own job, ``backend.execute([circuit], seed=seed, parameter_binds=[binds])``, in which Aer gives the point
``j`` of a sweep the seed ``seed + 2113 * j`` (its C++ controller's stride, measured on qiskit-aer 0.18.2 for ideal
and noisy runs). A chunk that starts at point ``j`` therefore runs with :func:`point_seed` ``(seed, j)``, and a plain
circuit always runs alone with ``seed``: no change to the local path is needed.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..backends.base import ExecutionResult
from ..errors import BackendError, InvalidJobSpec, QHybridError, TransientBackendError
from .execution import ExecutionReply, ExecutionRequest, execute, reply_of, sweep_binds, with_mitigation

if TYPE_CHECKING:
    from distributed import Client

SCHEDULER_ENV = "QHYBRID_DASK_SCHEDULER"
"""A Dask scheduler address (``tcp://host:8786``); unset: a LocalCluster started once per process."""
AER_SEED_STRIDE = 2113
"""qiskit-aer gives experiment ``i`` of one run the seed ``seed_simulator + 2113 * i`` (measured, 0.18.2)."""
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the scheduler named by ``QHYBRID_DASK_SCHEDULER``."""


def point_seed(seed: int | None, index: int) -> int | None:
    """The seed Aer uses for point (experiment) ``index`` of one run seeded with ``seed``; None stays None.

    Example:
        >>> point_seed(7, 2)
        4233
    """
    return None if seed is None else seed + AER_SEED_STRIDE * index


@dataclass
class Piece:
    """Part of one circuit's work: the whole circuit, or points ``offset .. offset + count`` of its sweep."""

    circuit_index: int
    offset: int
    count: int
    binds: dict | None
    """The slice of the circuit's parameter binds (``{parameter: values}``), or None for a plain circuit."""


@dataclass
class Chunk:
    """The work of one Dask task, and the global result positions it covers."""

    index: int
    pieces: list[Piece] = field(default_factory=list)
    start: int = 0
    """Position of its first result in the whole result list."""

    @property
    def size(self) -> int:
        """Results it produces."""
        return sum(p.count for p in self.pieces)

    def describe(self) -> str:
        """Which circuits / points it covers, for error messages."""
        parts = []
        for p in self.pieces:
            if p.binds is None:
                parts.append(f"circuit {p.circuit_index}")
            else:
                parts.append(f"circuit {p.circuit_index} points {p.offset}-{p.offset + p.count - 1}")
        return ", ".join(parts)


def _points(binds: dict, circuit_index: int) -> int:
    lengths = {len(values) for values in binds.values()}
    if len(lengths) != 1:
        raise InvalidJobSpec(
            f"parameter_binds[{circuit_index}]: every parameter needs the same number of values, "
            f"got lengths {sorted(lengths)}"
        )
    return lengths.pop()


def plan_chunks(circuits: list, parameter_binds: list[dict] | None, chunk_size: int) -> list[Chunk]:
    """Split the work into chunks of at most ``chunk_size`` results, in order (a sweep may span chunks).

    Raises:
        InvalidJobSpec: ``chunk_size`` below 1, or ``parameter_binds`` not one dict per circuit.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidJobSpec(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if parameter_binds is not None and len(parameter_binds) != len(circuits):
        raise InvalidJobSpec(
            f"parameter_binds needs one dict per circuit: {len(parameter_binds)} for {len(circuits)} circuits"
        )
    chunks: list[Chunk] = []
    current = Chunk(0)
    position = 0
    for index in range(len(circuits)):
        binds = parameter_binds[index] if parameter_binds is not None else None
        total = _points(binds, index) if binds else 1
        offset = 0
        while offset < total:
            if current.size == chunk_size:
                chunks.append(current)
                current = Chunk(len(chunks), start=position)
            take = min(total - offset, chunk_size - current.size)
            part = None if not binds else {k: list(v[offset : offset + take]) for k, v in binds.items()}
            current.pieces.append(Piece(index, offset, take, part))
            offset += take
            position += take
    if current.pieces:
        chunks.append(current)
    return chunks


def run_chunk(
    backend_name: str,
    circuits: dict[int, Any],
    pieces: list[Piece],
    chunk: int,
    label: str,
    *,
    shots: int,
    seed: int | None,
    chunks: int,
    modules: tuple[str, ...] = (),
) -> list[ExecutionResult]:
    """Run one chunk inside a Dask worker: each piece alone, seeded as the local path seeds it.

    Raises:
        BackendError or TransientBackendError: naming the chunk, its circuits/points and the worker.
    """
    import importlib

    from distributed import get_worker

    try:
        address = get_worker().address
    except ValueError:  # not inside a worker (called directly): still a valid run
        address = "local"
    info = {"dask_worker": address, "dask_pid": os.getpid(), "dask_chunk": chunk, "dask_chunks": chunks}
    try:
        for module in modules:
            importlib.import_module(module)
        from ..backends import get_backend

        backend = get_backend(backend_name)
        out: list[ExecutionResult] = []
        for piece in pieces:
            circuit = circuits[piece.circuit_index]
            if piece.binds is None:
                results = backend.execute([circuit], shots=shots, seed=seed)
            else:
                results = backend.execute(
                    [circuit], shots=shots, seed=point_seed(seed, piece.offset), parameter_binds=[piece.binds]
                )
            if len(results) != piece.count:
                raise BackendError(f"{backend_name} returned {len(results)} results for {piece.count} expected")
            for result in results:
                result.metadata = {**(result.metadata or {}), **info}
            out.extend(results)
        return out
    except Exception as exc:  # noqa: BLE001 - re-raised with the chunk, its work and the worker named (never swallowed)
        kind = TransientBackendError if isinstance(exc, TransientBackendError) else BackendError
        raise kind(
            f"dask chunk {chunk + 1} of {chunks} ({label}) failed on worker {address}: {type(exc).__name__}: {exc}"
        ) from None


def _worker_count(client: Client) -> int:
    return max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))


def execute_on_dask(
    client: Client,
    backend_name: str,
    circuits: list,
    *,
    shots: int,
    seed: int | None,
    parameter_binds: list[dict] | None = None,
    chunk_size: int | None = None,
    modules: tuple[str, ...] = (),
) -> list[ExecutionResult]:
    """Run transpiled circuits (or sweeps) on a Dask cluster in chunks; results as the local path gives them.

    Args:
        client: A connected ``distributed.Client``.
        backend_name: A registered backend name; each Dask worker resolves it (cached per worker process).
        circuits: Circuits already transpiled for the backend's target.
        shots: Shots per circuit (per parameter point for sweeps).
        seed: Simulator seed; None leaves the simulator unseeded.
        parameter_binds: One ``{parameter: [values, ...]}`` per circuit (sweeps); their points are split too.
        chunk_size: Results per Dask task; default: the work spread evenly over the cluster's workers.
        modules: Modules a worker imports before resolving the backend (backends registered at runtime).

    Returns:
        One :class:`ExecutionResult` per circuit (per point for sweeps), circuit-major, in order, each
        identical to ``backend.execute([circuit], seed=seed, parameter_binds=[binds])`` run locally. Their
        ``metadata`` names the Dask worker that ran it (``dask_worker``, ``dask_pid``, ``dask_chunk``, ``dask_chunks``).

    Raises:
        InvalidJobSpec: bad ``chunk_size`` or ``parameter_binds``.
        BackendError: a chunk failed (the message names the chunk and worker); TransientBackendError when
            the backend's own error was transient.

    Example:
        >>> results = execute_on_dask(dask_client(), "aer", [bell], shots=1000, seed=1)  # doctest: +SKIP
        >>> results[0].metadata["dask_worker"]  # doctest: +SKIP
        'tcp://127.0.0.1:40215'
    """
    from distributed import as_completed

    circuits = list(circuits)
    if not circuits:
        return []
    if chunk_size is None:
        total = sum(_points(b, i) if b else 1 for i, b in enumerate(parameter_binds or [{}] * len(circuits)))
        chunk_size = max(1, math.ceil(total / _worker_count(client)))
    chunks = plan_chunks(circuits, parameter_binds, chunk_size)
    # One graph for every chunk (client.map), so the scheduler places them together, spread over the workers.
    token = os.urandom(6).hex()
    submitted = client.map(
        run_chunk,
        [backend_name] * len(chunks),
        [{p.circuit_index: circuits[p.circuit_index] for p in chunk.pieces} for chunk in chunks],
        [chunk.pieces for chunk in chunks],
        [chunk.index for chunk in chunks],
        [chunk.describe() for chunk in chunks],
        key=[f"qhybrid-chunk-{c.index}-{token}" for c in chunks],
        shots=shots,
        seed=seed,
        chunks=len(chunks),
        modules=tuple(modules),
        pure=False,
    )
    futures = dict(zip(submitted, chunks))
    results: list[ExecutionResult | None] = [None] * sum(c.size for c in chunks)
    try:
        for future in as_completed(list(futures)):
            chunk = futures[future]
            try:
                part = future.result()
            except QHybridError:
                raise
            except Exception as exc:  # a worker died, the scheduler went away ...: the chunk named all the same
                raise BackendError(
                    f"dask chunk {chunk.index + 1} of {len(chunks)} ({chunk.describe()}) failed: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            results[chunk.start : chunk.start + chunk.size] = part
    finally:
        client.cancel([f for f in futures if not f.done()])
    return [r for r in results if r is not None]


# -- the engine's entry point -------------------------------------------------------------------------------------


def _whole_job(request: ExecutionRequest) -> ExecutionReply:
    """A plain circuit (or a degenerate sweep) as one Dask task: exactly the engine worker's code path."""
    from distributed import get_worker

    reply = execute(request)
    if reply.ok:
        reply.metadata.update(dask_worker=get_worker().address, dask_pid=os.getpid(), dask_chunk=0, dask_chunks=1)
    return reply


def execute_on_cluster(request: ExecutionRequest, client: Client | None = None) -> ExecutionReply:
    """Run one engine job on Dask; the reply is what a worker process would send for it. Never raises.

    A sweep's points are split over the cluster with :func:`execute_on_dask`; a plain circuit is one task running
    the worker's own code (:func:`~qhybrid_lab.jobs.execution.execute`). ``metadata`` (the record's ``simulation``)
    says ``"executor": "dask"``, the scheduler, the worker of every chunk (``dask_chunk_workers``) and the workers used.
    """
    started = time.time()
    try:
        client = client or dask_client()
        binds = sweep_binds(request.circuit, request.parameters) if request.parameters is not None else None
        if not binds:  # plain, or a template the transpiler left without parameters
            reply = client.submit(_whole_job, request, pure=False).result()
            if not reply.ok:
                return reply
            chunk_workers = [reply.metadata["dask_worker"]]
        else:
            results = execute_on_dask(
                client,
                request.backend,
                [request.circuit],
                shots=request.shots,
                seed=request.seed,
                parameter_binds=[binds],
                modules=request.modules,
            )
            by_chunk = {r.metadata["dask_chunk"]: r.metadata["dask_worker"] for r in results}
            chunk_workers = [by_chunk[k] for k in sorted(by_chunk)]
            reply = reply_of(request, results, started)
            if request.mitigation:  # the calibration runs here, on the same backend, like a worker's would
                from ..backends import get_backend

                reply = with_mitigation(reply, request, get_backend(request.backend))
        reply.metadata = {k: v for k, v in reply.metadata.items() if not k.startswith("dask_")}
        reply.metadata.update(
            executor="dask",
            dask_scheduler=client.scheduler.address,
            dask_chunks=len(chunk_workers),
            dask_chunk_workers=chunk_workers,
            dask_workers=sorted(set(chunk_workers)),
        )
        return reply
    except Exception as error:  # noqa: BLE001 - reported to the engine, which records it on the job (never swallowed)
        return ExecutionReply.failure(request.job_id, error, started_at=started, wall=time.time() - started)


# -- the process-wide client ---------------------------------------------------------------------------------------

_client_lock = threading.Lock()
_client: Client | None = None
_cluster: Any = None
_atexit_registered = False
startup_seconds: float | None = None
"""Seconds the last :func:`dask_client` took to start or connect."""


def dask_client() -> Client:
    """The Dask client runs use: ``$QHYBRID_DASK_SCHEDULER`` if set, else a LocalCluster (once per process).

    The LocalCluster has ``$QHYBRID_WORKERS`` (default 2) worker processes of one thread each; it is closed at exit.

    Raises:
        BackendError: the scheduler named by ``QHYBRID_DASK_SCHEDULER`` cannot be reached.
        MissingDependency: dask.distributed is not installed.
    """
    global _client, _cluster, _atexit_registered, startup_seconds
    with _client_lock:
        if _client is not None and _client.status == "running":
            return _client
        from ..extras import require

        require("dask", "dask", "distributed", what="the dask executor")
        from distributed import Client, LocalCluster
        from .workers import worker_count

        address = os.environ.get(SCHEDULER_ENV, "").strip()
        started = time.perf_counter()
        if address:
            try:
                _client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise BackendError(
                    f"cannot reach the Dask scheduler {address!r} named by {SCHEDULER_ENV}: {exc}; "
                    f"start it (dask scheduler) or unset {SCHEDULER_ENV} for a local cluster"
                ) from exc
        else:
            _cluster = LocalCluster(
                n_workers=worker_count(), threads_per_worker=1, processes=True, dashboard_address=None
            )
            _client = Client(_cluster)
        startup_seconds = time.perf_counter() - started
        if not _atexit_registered:
            atexit.register(close_dask_client)
            _atexit_registered = True
        return _client


def dask_scheduler_address() -> str | None:
    """The address of the current client's scheduler, or None when no client was started."""
    with _client_lock:
        return _client.scheduler.address if _client is not None else None


def close_dask_client() -> None:
    """Close the process-wide client and the LocalCluster it started (also done at exit)."""
    global _client, _cluster
    with _client_lock:
        client, cluster, _client, _cluster = _client, _cluster, None, None
    if client is not None:
        client.close()
    if cluster is not None:
        cluster.close()
