"""The provider-job lifecycle: what a backend that hands jobs to a service (IBM Quantum, Amazon Braket) offers.

The engine submits, records the :class:`ProviderJobRef` in the run log *before* it waits, polls with backoff from one
place, fetches the result, and cancels at the provider; because the reference is in the run log, another process can
continue the job (see "Remote backends" in docs/architecture.md). Nothing here knows of jobs, magics or the run log.
"""

from __future__ import annotations

import re
import time
from abc import abstractmethod
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ProviderError
from ..status import FINAL_STATES, JobStatus
from .base import Backend, ExecutionResult

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

POLL_START = 0.5
"""Seconds before the first poll in :meth:`RemoteBackend.execute`; doubled after each poll up to :data:`POLL_MAX`."""
POLL_MAX = 10.0

_SECRET_PATTERNS = (
    re.compile(
        r"(?i)(token|apikey|api_key|secret|password|authorization|x-amz-security-token)"
        r"(['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)"
    ),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{12,}\b"),
)


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with known secret values and anything shaped like a credential replaced by ``***``.

    Args:
        text: A message that may come from a provider SDK (exceptions often echo request headers or bodies).
        secrets: Exact values to remove wherever they appear (the configured token, the secret key).
    """
    out = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "***")
    out = _SECRET_PATTERNS[1].sub(lambda m: f"{m.group(1)}***", out)
    out = _SECRET_PATTERNS[0].sub(lambda m: m.group(0) if m.group(3) == "***" else f"{m.group(1)}{m.group(2)}***", out)
    return _SECRET_PATTERNS[2].sub("***", out)


@dataclass(frozen=True)
class ProviderJobRef:
    """What the run log keeps to find a provider job again (never a credential).

    Attributes:
        provider: ``"ibm"`` or ``"braket"``.
        job_id: The provider's id: an IBM job id, a Braket quantum-task ARN.
        backend: The registry name the job was submitted to (``"ibm:ibm_torino"``).
        region: The Braket region (None for IBM).
        instance: The IBM instance (CRN) or channel; None for Braket.
        sdk: The SDK that submitted it (``"qiskit-ibm-runtime"``, ``"amazon-braket-sdk"``).
        sdk_version: Its version.
        local: True for the SDKs' local modes: the job lives in the submitting process only.
    """

    provider: str
    job_id: str
    backend: str
    region: str | None = None
    instance: str | None = None
    sdk: str = ""
    sdk_version: str = ""
    local: bool = False

    def as_record(self) -> dict[str, Any]:
        """The run record's ``provider_job`` field."""
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ProviderJobRef:
        """The reference stored by :meth:`as_record` (ProviderError when it is not one)."""
        if not isinstance(data, dict) or not isinstance(data.get("job_id"), str) or not data.get("provider"):
            raise ProviderError(f"not a provider job reference: {data!r:.200}")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ProviderStatus:
    """Where a provider job is, in the project's vocabulary and in the provider's own words."""

    status: JobStatus
    provider_state: str
    message: str | None = None
    queue_position: int | None = None
    queue_position_text: str | None = None
    queue_note: str | None = None
    timestamps: dict[str, float] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """Whether the provider will not change this job any more."""
        return self.status in FINAL_STATES

    def as_record(self) -> dict[str, Any]:
        """The run record's ``provider_status`` field."""
        out = asdict(self)
        out["status"] = self.status.value
        return out


@dataclass
class RemoteResult:
    """What a finished provider job produced, and what the provider says it used."""

    results: list[ExecutionResult]
    metrics: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    timestamps: dict[str, float] = field(default_factory=dict)
    actual_cost: float | None = None


def map_state(table: dict[str, JobStatus], provider_state: str, provider: str) -> JobStatus:
    """The :class:`JobStatus` of a provider's state string, through that provider's table.

    Raises:
        ProviderError: The provider reported a state the table does not know (a newer SDK or API).
    """
    key = str(provider_state).upper()
    if key not in table:
        raise ProviderError(
            f"{provider} reported an unknown job state {provider_state!r}; known: {', '.join(sorted(table))}"
        )
    return table[key]


class RemoteBackend(Backend):
    """A backend whose jobs run at a provider; the engine drives :meth:`submit`, :meth:`poll`, :meth:`result`.

    Subclassing:
        Set ``name``, ``kind``, ``provider`` and :attr:`STATE_TABLE`; implement :meth:`_build_target`,
        :meth:`submit`, :meth:`poll`, :meth:`result`, :meth:`cancel`, :meth:`attach` and :meth:`find_submitted`.
        :meth:`execute` is provided (submit, poll until final, result), so local modes (``is_local = True``) run
        in the engine's worker processes with the same code path. Raise the provider errors of
        :mod:`qhybrid_lab.errors` with :func:`redact`-ed messages.
    """

    is_local = False
    STATE_TABLE: ClassVar[dict[str, JobStatus]] = {}

    @abstractmethod
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
        """Hand transpiled circuits to the provider as one job; returns once the provider accepted it."""

    @abstractmethod
    def poll(self, ref: ProviderJobRef) -> ProviderStatus:
        """The job's state now (one cheap call)."""

    @abstractmethod
    def result(self, ref: ProviderJobRef) -> RemoteResult:
        """The results of a job that :meth:`poll` reported DONE."""

    @abstractmethod
    def cancel(self, ref: ProviderJobRef) -> bool:
        """Cancel at the provider; False when the job was already final there."""

    @abstractmethod
    def attach(self, provider_job_id: str) -> ProviderJobRef:
        """A reference to a job submitted elsewhere (a script, the provider's web page)."""

    @abstractmethod
    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """The job a submission with this key created at the provider since ``since`` (epoch s), if any."""

    def execute(
        self, circuits: list[QuantumCircuit], *, shots: int, seed: int | None, parameter_binds: list[dict] | None = None
    ) -> list[ExecutionResult]:
        """Submit, poll with backoff until final, and return the results (ProviderError if it did not finish DONE)."""
        import uuid

        ref = self.submit(
            circuits, shots=shots, seed=seed, parameter_binds=parameter_binds, idempotency_key=uuid.uuid4().hex
        )
        pause = POLL_START
        while True:
            status = self.poll(ref)
            if status.final:
                break
            time.sleep(pause)
            pause = min(pause * 2, POLL_MAX)
        if status.status is not JobStatus.DONE:
            raise ProviderError(
                f"{self.provider} job {ref.job_id} ended {status.provider_state}"
                + (f": {status.message}" if status.message else "")
            )
        outcome = self.result(ref)
        for result in outcome.results:
            result.metadata.setdefault("provider_job", ref.as_record())
        return outcome.results
