"""Fallback chains: a job that cannot run or finish on its backend runs on the next one of ``RunOptions.fallback``.

Triggers: the backend is unavailable at submission (its SDK missing, no account, the provider unreachable, the
device offline), the budget guard refuses it, or it fails after its retries or outlives its timeout. The job is
then recorded (``blocked`` or ``failed``, with its reason) and a new job of the same circuit runs on the next backend
of the chain; the two records link to each other: ``fallback: {"to": id, "backend", "reason"}`` on the first and
``fallback: {"from": id, "backend", "reason"}`` on the second. A chain entry may be a backend name or a classical
function ``solver(circuit, shots)`` returning counts (a ``{bitstring: int}`` dict) or any JSON value of the shape the
workflow needs; it runs on a thread of the engine and is recorded as a classical run with its time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..backends.base import Backend, BackendKind, ExecutionResult
from ..errors import (
    AccountNotConfigured,
    CredentialsRejected,
    DeviceUnavailable,
    MissingDependency,
    ProviderUnreachable,
)
from .options import CLASSICAL_PREFIX, entry_name

if TYPE_CHECKING:
    from qiskit.transpiler import Target

    from ..record import CircuitInfo, Origin, Parameters, RunRecord

UNAVAILABLE: tuple[type[BaseException], ...] = (
    MissingDependency,
    AccountNotConfigured,
    CredentialsRejected,
    ProviderUnreachable,
    DeviceUnavailable,
)
"""Errors that make a backend unavailable now (a typo in its name is not one: that stays an error)."""


class ClassicalBackend(Backend):
    """A classical function as the last resort of a chain: ``solver(circuit, shots) -> counts | value``.

    It receives the circuit as submitted (nothing is transpiled), runs on an engine thread (``is_local = False``),
    and costs nothing. Counts come back as the counts of the job; any other JSON value as ``result.value``.
    """

    kind = BackendKind.CLASSICAL
    provider = "classical"
    is_local = False

    def __init__(self, name: str, solver: Callable[[Any, int], Any]) -> None:
        self.name = name
        self.solver = solver
        self.description = f"classical fallback {name.removeprefix(CLASSICAL_PREFIX)}"

    @property
    def version(self) -> str:
        return "classical"

    @property
    def num_qubits(self) -> int:
        return 10_000

    def validate(self, circuit: Any, shots: int) -> None:
        """Any circuit and a positive number of shots: a solver reads what it needs (nothing is transpiled)."""
        from ..backends.base import check_shots

        check_shots(shots, self.max_shots, self.name)

    def _build_target(self) -> Target:
        from qiskit.transpiler import Target

        return Target(num_qubits=None, description="a classical solver: circuits are not transpiled")

    def execute(
        self, circuits: list, *, shots: int, seed: int | None, parameter_binds: list[dict] | None = None
    ) -> list[ExecutionResult]:
        out = []
        for circuit in circuits:
            started = time.perf_counter()
            value = self.solver(circuit, shots)
            seconds = time.perf_counter() - started
            counts = value if _is_counts(value) else {}
            out.append(
                ExecutionResult(
                    counts={str(k): int(v) for k, v in counts.items()},
                    shots=shots,
                    seconds=seconds,
                    metadata={"classical": self.name, "value": None if counts else _json_value(value)},
                )
            )
        return out


def _is_counts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in value.items())
    )


def _json_value(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def register_classical(entry: Callable) -> str:
    """Make a classical solver resolvable by its chain name in this process; returns the name."""
    from ..backends import register_backend

    name = entry_name(entry)
    register_backend(name.lower(), lambda resolved: ClassicalBackend(resolved, entry))
    return name.lower()


def placeholder(
    *,
    group: str,
    circuit: CircuitInfo,
    backend_name: str,
    options: Any,
    origin: Origin,
    parameters: Parameters | None,
    reason: str,
) -> RunRecord:
    """The ``blocked`` record of a job whose backend was unavailable at submission (nothing was submitted)."""
    from .submission import idempotency_key

    return {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": group,
        "idempotency_key": idempotency_key(
            group, circuit["hash"], backend_name, options.shots, options.seed, parameters
        ),
        "status": "blocked",  # not resolved: no provider or kind to name
        "backend": {"name": backend_name, "provider": None, "kind": None},  # type: ignore[typeddict-item]
        "provider_job_id": None,
        "provider_job": None,
        "provider_status": None,
        "circuit": circuit,
        "parameters": parameters,
        "shots": options.shots,
        "seed": options.seed,
        "options": options.as_record(),
        "transpile": None,
        "calibration": None,
        "simulation": None,
        "mitigation": {},
        "cost": {
            "currency": "USD",
            "estimate": 0.0,
            "actual": None,
            "hardware_equivalent": None,
            "counted": 0.0,
            "rehearsal": False,
            "price_model": None,
        },
        "timings": {},
        "timeout": None,
        "attempts": 0,
        "errors": [],
        "error": f"unavailable: {reason}",
        "blocked_reason": f"{backend_name} is unavailable: {reason}",
        "fallback": None,
        "experiment": options.experiment,
        "result": None,
        "origin": origin,
        "tags": list(options.tags),
    }


__all__ = ["CLASSICAL_PREFIX", "UNAVAILABLE", "ClassicalBackend", "entry_name", "placeholder", "register_classical"]
