"""What IBM Quantum's cloud devices and its local testing mode share: submitting PUBs with ``SamplerV2`` in job,
batch or session mode, reading job states, turning a ``PrimitiveResult`` into our results, cancelling.

Execution modes: ``mode="job"`` hands the job to ``SamplerV2(mode=<backend>)``. ``"batch"`` and ``"session"``
open a ``Batch`` / ``Session`` on the device the first time and keep it open in this backend instance (so in this
process): every later submission with the same mode joins it, until :meth:`IBMRuntimeBackend.close_modes` closes
it (queued jobs still run) or a submission into it fails (then the next one opens a new one). Another process that
continues a job (the Jupyter server adopting it) needs no session: IBM jobs are addressable by id alone.
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, ProviderError, QHybridError
from ..status import JobStatus
from .base import ExecutionResult
from .ibm_account import provider_error, sdk, sdk_version, secrets_in_use
from .ibm_pubs import (
    QUEUE_NOTE,
    STATE_TABLE,
    build_pubs,
    check_registers,
    counts_of,
    jsonable,
    points_of,
    timestamps_of,
)
from .remote import ProviderJobRef, ProviderStatus, RemoteBackend, RemoteResult, map_state, redact

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

MODES = ("job", "batch", "session")
KEPT_JOBS = 256
"""Submitted job handles kept per backend instance (older ones are looked up again by id when needed)."""


@dataclass
class Submitted:
    """What this process remembers of a job it submitted (the SDK's job handle and our bookkeeping)."""

    job: Any
    idempotency_key: str
    registers: list[list[str]] | None = None
    qubits: list[int] = field(default_factory=list)
    submitted_at: float = field(default_factory=time.time)
    started: float = field(default_factory=time.perf_counter)
    waited: float | None = None
    error: BaseException | None = None


def sampler(mode: Any, options: dict[str, Any]):
    """``SamplerV2(mode=..., options=...)`` without the SDK's deprecation notice (0.50 deprecates SamplerV2 in
    favour of the client-side ``executor_sampler.Sampler``; the server-side SamplerV2 is still the documented
    primitive for ``mode=backend`` / Batch / Session)."""
    sdk()
    from qiskit_ibm_runtime import SamplerV2

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The SamplerV2 class is deprecated", category=DeprecationWarning)
        return SamplerV2(mode=mode, options=options)


class IBMRuntimeBackend(RemoteBackend):
    """The part of ``ibm:<device>`` and ``ibm:fake_<device>`` that is the same: see the module docstring.

    Subclasses give :meth:`qiskit_backend` (what ``SamplerV2`` runs on), :meth:`sampler_options`,
    :meth:`lookup` (a job handle for a reference) and :meth:`reference`.
    """

    provider = "ibm"
    STATE_TABLE = STATE_TABLE

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Submitted] = OrderedDict()
        self._modes: dict[str, Any] = {}
        self._lock = threading.RLock()

    # --- hooks ----------------------------------------------------------------------------------------
    def qiskit_backend(self) -> Any:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def sampler_options(self, *, shots: int, seed: int | None, tags: list[str]) -> dict[str, Any]:
        return {"default_shots": shots}

    def lookup(self, ref: ProviderJobRef) -> Any:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    def reference(self, job: Any) -> ProviderJobRef:  # pragma: no cover - subclasses answer
        raise NotImplementedError

    @contextlib.contextmanager
    def provider_errors(self, action: str):
        """Turn every SDK exception raised inside into one of our typed, redacted provider errors."""
        try:
            yield
        except QHybridError:
            raise
        except Exception as exc:  # noqa: BLE001 - the SDK raises many types; each is classified, none is swallowed
            raise provider_error(exc, f"{action} on {self.name}") from None

    # --- the contract -------------------------------------------------------------------------------
    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        super().validate(circuit, shots)
        check_registers(circuit, self.name)

    def submit(
        self,
        circuits: list[QuantumCircuit],
        *,
        shots: int,
        seed: int | None,
        parameter_binds: list[dict] | None = None,
        idempotency_key: str,
        tags: list[str] | tuple = (),
        mode: str = "job",
    ) -> ProviderJobRef:
        """All ``circuits`` as ONE Sampler job (one PUB each; a sweep's points in its PUB), tagged with the key."""
        if mode not in MODES:
            raise InvalidJobSpec(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        from .trimming import active_qubits

        pubs = build_pubs(circuits, shots, parameter_binds)
        options = self.sampler_options(shots=shots, seed=seed, tags=[idempotency_key, *tags])
        with self.provider_errors("submitting a job"):
            try:
                job = sampler(self._mode(mode), options).run(pubs, shots=shots)
            except Exception:
                self._modes.pop(mode, None)  # a closed or expired Batch/Session: the next submission opens anew
                raise
        self._remember(
            job.job_id(),
            Submitted(
                job,
                idempotency_key,
                registers=[[r.name for r in c.cregs] for c in circuits],
                qubits=[len(active_qubits(c)) for c in circuits],
            ),
        )
        return self.reference(job)

    def poll(self, ref: ProviderJobRef) -> ProviderStatus:
        job = self.lookup(ref)
        with self.provider_errors(f"reading the state of job {ref.job_id}"):
            raw = job.status()
            state = str(getattr(raw, "name", raw)).upper()
            status = map_state(self.STATE_TABLE, state, "IBM Quantum")
            message = job.error_message() if status is JobStatus.FAILED else None
            timestamps = (
                self.final_timestamps(job) if status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED) else {}
            )
        return ProviderStatus(
            status=status,
            provider_state=state,
            message=redact(message, secrets_in_use()) if message else None,
            queue_note=QUEUE_NOTE if status is JobStatus.QUEUED else None,
            timestamps=timestamps,
        )

    def final_timestamps(self, job: Any) -> dict[str, float]:
        return timestamps_of(job.metrics())

    def result(self, ref: ProviderJobRef) -> RemoteResult:
        job = self.lookup(ref)
        submitted = self._jobs.get(ref.job_id)
        with self.provider_errors(f"fetching the results of job {ref.job_id}"):
            primitive = job.result()
            metrics = jsonable(job.metrics())
            usage = self.usage_of(job, metrics)
        timestamps = timestamps_of(metrics)
        results = self._execution_results(primitive, submitted, timestamps)
        shots = sum(r.shots for r in results)
        return RemoteResult(
            results=results,
            metrics=metrics,
            usage=usage,
            timestamps=timestamps,
            actual_cost=self.actual_cost(usage, shots),
        )

    def cancel(self, ref: ProviderJobRef) -> bool:
        job = self.lookup(ref)
        sdk()
        from qiskit_ibm_runtime.exceptions import RuntimeInvalidStateError

        with self.provider_errors(f"cancelling job {ref.job_id}"):
            try:
                outcome = job.cancel()
            except RuntimeInvalidStateError:  # 409: the job is already final at IBM
                return False
        return True if outcome is None else bool(outcome)

    def close_modes(self) -> None:
        """Close the open Batch/Session of this backend (no more jobs join them; queued jobs still run)."""
        with self._lock:
            open_modes, self._modes = list(self._modes.values()), {}
        for mode in open_modes:
            with self.provider_errors("closing a batch/session"):
                mode.close()

    # --- helpers --------------------------------------------------------------------------------------
    def _mode(self, mode: str) -> Any:
        backend = self.qiskit_backend()
        if mode == "job":
            return backend
        sdk()
        from qiskit_ibm_runtime import Batch, Session

        with self._lock:
            current = self._modes.get(mode)
            if current is None or not getattr(current, "_active", True):
                current = (Batch if mode == "batch" else Session)(backend=backend)
                self._modes[mode] = current
            return current

    def _remember(self, job_id: str, submitted: Submitted) -> None:
        with self._lock:
            self._jobs[job_id] = submitted
            while len(self._jobs) > KEPT_JOBS:
                self._jobs.popitem(last=False)

    def usage_of(self, job: Any, metrics: dict) -> dict[str, Any]:
        """``qpu_seconds`` (what IBM charges, ``job.usage()``) and the metrics' usage fields."""
        reported = dict((metrics or {}).get("usage") or {})
        return {"qpu_seconds": float(job.usage()), **{k: v for k, v in reported.items() if k != "qpu_seconds"}}

    def actual_cost(self, usage: dict[str, Any], shots: int) -> float | None:
        seconds = usage.get("qpu_seconds")
        if seconds is None:
            return None
        return self.price_model().estimate(shots, float(seconds))

    def _execution_results(
        self, primitive: Any, submitted: Submitted | None, timestamps: dict[str, float]
    ) -> list[ExecutionResult]:
        points = [
            (index, pub_result, loc) for index, pub_result in enumerate(primitive) for loc in points_of(pub_result)
        ]
        if not points:
            raise ProviderError(f"IBM Quantum returned no results for a job on {self.name}")
        if "running" in timestamps and "finished" in timestamps and timestamps["finished"] > timestamps["running"]:
            seconds = timestamps["finished"] - timestamps["running"]
        elif submitted is not None:
            seconds = (submitted.waited or time.perf_counter()) - submitted.started
        else:
            seconds = 0.0
        out = []
        for index, pub_result, loc in points:
            registers = submitted.registers[index] if submitted and submitted.registers else None
            counts = counts_of(pub_result, loc, registers)
            metadata: dict[str, Any] = {"pub": index, "sdk": f"qiskit-ibm-runtime {sdk_version()}"}
            if loc:
                metadata["point"] = [int(i) for i in loc]
            out.append(
                ExecutionResult(
                    counts=counts, shots=sum(counts.values()), seconds=seconds / len(points), metadata=metadata
                )
            )
        return out

    def base_reference(self, job_id: str, **extra: Any) -> ProviderJobRef:
        return ProviderJobRef(
            provider="ibm",
            job_id=job_id,
            backend=self.name,
            sdk="qiskit-ibm-runtime",
            sdk_version=sdk_version(),
            **extra,
        )
