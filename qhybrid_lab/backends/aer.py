"""Ideal Aer simulators: ``aer`` (automatic method), ``aer:statevector``, ``aer:mps``, ``aer:density_matrix``."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from .base import Backend, BackendKind, ExecutionResult

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

AER_METHODS: dict[str, str] = {
    "aer": "automatic",
    "aer:statevector": "statevector",
    "aer:mps": "matrix_product_state",
    "aer:density_matrix": "density_matrix",
}
"""Registry name → Aer simulation method."""

_DESCRIPTIONS = {
    "aer": "Aer ideal simulator (method chosen by Aer)",
    "aer:statevector": "Aer ideal statevector simulator",
    "aer:mps": "Aer ideal matrix-product-state simulator (wide, low-entanglement circuits)",
    "aer:density_matrix": "Aer ideal density-matrix simulator",
}


def aer_names() -> list[dict[str, Any]]:
    """The Aer variants, as ``list_backends`` entries (qubit counts are known only once loaded)."""
    return [
        {"name": name, "kind": "simulator", "provider": "aer", "num_qubits": None, "description": _DESCRIPTIONS[name]}
        for name in AER_METHODS
    ]


class AerBackend(Backend):
    """A noise-free ``AerSimulator`` with a fixed method; one simulator and target per process."""

    kind = BackendKind.SIMULATOR
    provider = "aer"
    is_local = True

    def __init__(self, name: str = "aer"):
        if name not in AER_METHODS:
            raise ValueError(f"not an Aer variant: {name!r}; known: {sorted(AER_METHODS)}")
        self.name = name
        self.method = AER_METHODS[name]
        self.description = _DESCRIPTIONS[name]
        self._simulator: Any = None
        self._lock = threading.Lock()

    def simulator(self):
        """The cached ``AerSimulator`` for this method."""
        with self._lock:
            if self._simulator is None:
                from qiskit_aer import AerSimulator

                self._simulator = AerSimulator(method=self.method)
            return self._simulator

    @property
    def version(self) -> str:
        import qiskit_aer

        return qiskit_aer.__version__

    @property
    def max_shots(self) -> int:
        return int(self.simulator().configuration().max_shots)

    def _build_target(self) -> Target:
        return self.simulator().target

    def execute(
        self,
        circuits: list[QuantumCircuit],
        *,
        shots: int,
        seed: int | None,
        parameter_binds: list[dict] | None = None,
    ) -> list[ExecutionResult]:
        """Run the circuits ideally; counts per circuit (and per parameter set), in order."""
        if not circuits:
            return []
        options: dict[str, Any] = {"shots": shots}
        if seed is not None:
            options["seed_simulator"] = seed
        if parameter_binds is not None:
            options["parameter_binds"] = parameter_binds
        started = time.perf_counter()
        result = self.simulator().run(list(circuits), **options).result()
        seconds = time.perf_counter() - started
        experiments = result.results
        out = []
        for index, experiment in enumerate(experiments):
            metadata = experiment.metadata or {}
            out.append(
                ExecutionResult(
                    counts=dict(result.get_counts(index)),
                    shots=shots,
                    seconds=seconds / len(experiments),
                    metadata={
                        "method": metadata.get("method", self.method),
                        "qubits_simulated": metadata.get("num_qubits", circuits[0].num_qubits),
                        "noise": "none (ideal simulator)",
                    },
                )
            )
        return out
