"""The run record's shape: one typed dict per part, as docs/architecture.md describes it ("The run record").

Records are JSON documents in the run log; these types say what each part holds. They are built in one place
(:func:`qhybrid_lab.jobs.submission.new_record`) and changed only through ``RunLog.update``.
"""

from __future__ import annotations

from typing import Any, TypedDict


class BackendInfo(TypedDict, total=False):
    """``backend``: where the job runs (``Backend.describe()``)."""

    name: str
    provider: str
    kind: str
    """simulator | emulator | hardware"""
    version: str
    num_qubits: int


class CircuitInfo(TypedDict, total=False):
    """``circuit``: what runs, as given (before transpilation)."""

    hash: str
    """``sha256:`` of the canonical form (:mod:`qhybrid_lab.circuits.canonical`), never of QASM or QPY text."""
    hash_form: str
    name: str
    num_qubits: int
    num_clbits: int
    qasm: str | None
    qasm_ref: str
    qasm_unavailable: str | None
    """Why there is no OpenQASM 3 text (Qiskit's exporter refused the circuit), else ``None``."""
    qpy_ref: str | None
    """The QPY blob of the circuit as submitted (``None`` only with ``qpy_unavailable``)."""
    qpy_note: str
    qpy_unavailable: str
    measure_added: bool
    depth: int
    size: int
    two_qubit: int
    ops: dict[str, int]


class Parameters(TypedDict):
    """``parameters``: a sweep's parameter names and one row of values per point."""

    names: list[str]
    values: list[list[float]]


class CostInfo(TypedDict, total=False):
    """``cost``: money, estimated before submission and actual after."""

    currency: str
    estimate: float
    actual: float | None
    hardware_equivalent: float | None
    counted: float
    rehearsal: bool
    price_model: dict[str, Any] | None
    hardware_price_model: dict[str, Any] | None
    qpu_seconds: float | None


class Timings(TypedDict, total=False):
    """``timings``: seconds spent in each phase, and epoch times of the milestones."""

    transpile: float | None
    queue: float | None
    run: float | None
    retrieve: float | None
    total: float | None
    submitted_at: float | None
    started_at: float | None
    finished_at: float | None


class Origin(TypedDict, total=False):
    """``origin``: who submitted it (never credentials)."""

    owner: str
    """``pid@host`` of the engine that runs the job."""
    pid: int
    host: str
    user: str | None
    kernel_id: str | None
    notebook: str | None
    cell_id: str | None


class ErrorEntry(TypedDict):
    """One entry of ``errors``: a failed attempt."""

    at: float
    attempt: int
    type: str
    message: str


class StatusEntry(TypedDict):
    """One entry of ``status_history``."""

    status: str
    at: float
    note: str | None


class Observable(TypedDict):
    """One entry of ``observables``: what an expectation value was asked of."""

    label: str
    """As the user wrote it ("ZZ"), or a short description of a SparsePauliOp."""
    terms: list[list[Any]]
    """``[[pauli, coeff], ...]``: Qiskit Pauli labels (little-endian, qubit 0 rightmost, e.g. "IZZ") as wide as the
    circuit, real coefficients (a non-Hermitian observable is refused)."""


class ObservableResult(TypedDict, total=False):
    """The ``result`` fields of a job run with observables (beside ``counts`` and ``shots``)."""

    expectation_values: list[float] | list[list[float]]
    """One per observable; for a sweep, one such list per point."""
    standard_errors: list[float] | list[list[float]]
    """Same shape: shot noise (each basis group's estimator variance / shots, summed over groups); 0.0 if exact."""
    ev_method: str
    """``"shots"`` or ``"exact"`` (statevector, ``run(..., exact=True)`` on an ideal simulator)."""
    basis_counts: dict[str, Any]
    """``{basis: counts}`` per measurement basis ("XXZ": X on qubits 1 and 2, Z on 0); a list per point for a
    sweep. Each key's first word is the ``obs`` register (its bit 0 = the basis' lowest non-identity qubit)."""
    mitigated: dict[str, Any]
    """Readout mitigation beside the raw values: ``{"quasi_probabilities", "expectation_values",
    "standard_errors"}`` (raw ``counts`` unchanged)."""


class RunRecord(TypedDict, total=False):
    """One circuit (or one sweep) × one backend × one number of shots."""

    schema: int
    id: str
    group: str
    idempotency_key: str
    created: float
    updated: float
    status: str
    status_history: list[StatusEntry]
    backend: BackendInfo
    provider_job_id: str | None
    provider_job: dict[str, Any] | None
    """``ProviderJobRef.as_record()``: provider, job id, region/instance, SDK and version."""
    provider_status: dict[str, Any] | None
    """``ProviderStatus.as_record()``: the provider's own state, message and queue information."""
    circuit: CircuitInfo
    parameters: Parameters | None
    observables: list[Observable] | None
    """What expectation values were asked of (``None``: none); results in ``result`` (:class:`ObservableResult`)."""
    shots: int
    seed: int | None
    options: dict[str, Any]
    """``RunOptions.as_record()``."""
    transpile: dict[str, Any] | None
    calibration: dict[str, Any] | None
    simulation: dict[str, Any] | None
    mitigation: dict[str, Any]
    """``{}`` when none; readout: ``{"method": "readout", "library": "mthree", "version", "qubits": [int],
    "calibration": {"source", "shots", "created", "data"}}``."""
    cost: CostInfo
    timings: Timings
    timeout: dict[str, Any] | None
    """``{"seconds", "action": "cancelled" | "kept", "expired_at"}`` once a job outlived its timeout."""
    attempts: int
    errors: list[ErrorEntry]
    error: str | None
    blocked_reason: str | None
    fallback: dict[str, Any] | None
    experiment: str | None
    result: dict[str, Any] | None
    origin: Origin
    tags: list[str]


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its bulky parts (OpenQASM text, counts, mitigated quasi-probabilities), for lists polled
    every second."""
    out = dict(record)
    if isinstance(out.get("circuit"), dict) and "qasm" in out["circuit"]:
        out["circuit"] = {k: v for k, v in out["circuit"].items() if k != "qasm"}
    if isinstance(out.get("result"), dict) and ("counts" in out["result"] or "mitigated" in out["result"]):
        out["result"] = {k: v for k, v in out["result"].items() if k not in ("counts", "mitigated")}
    return out


__all__ = [
    "BackendInfo",
    "CircuitInfo",
    "CostInfo",
    "ErrorEntry",
    "Observable",
    "ObservableResult",
    "Origin",
    "Parameters",
    "RunRecord",
    "StatusEntry",
    "Timings",
    "brief",
]
