"""Ideal Aer simulators: ``aer`` (automatic method), ``aer:statevector``, ``aer:mps``, ``aer:density_matrix``.

Each accepts the widths its method really handles: statevector and density matrix as many qubits as fit in
half the machine's memory (:mod:`~qhybrid_lab.backends.methods`), MPS up to
:data:`~qhybrid_lab.backends.methods.MPS_MAX_QUBITS`. ``aer`` leaves the method to Aer, except for circuits wider
than a statevector fits: those run on the stabilizer method when they are Clifford circuits (Aer's own choice),
else on MPS (where Aer's automatic choice would fail for lack of memory); the reason is recorded.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from ..errors import CircuitTooWide, UnsupportedObject
from .base import Backend, BackendKind, ExecutionResult
from .methods import (
    BYTES_PER_AMPLITUDE,
    MPS_MAX_QUBITS,
    density_matrix_max_qubits,
    human_bytes,
    memory_budget,
    method_operations,
    operation_names,
    statevector_max_qubits,
)

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
WIDE_ADVICE = (
    "Wide circuits with little entanglement run on aer:mps, Clifford circuits of any width on aer (stabilizer method)."
)


def max_qubits(method: str) -> int:
    """The widest circuit the Aer ``method`` accepts here (memory-based for the dense methods)."""
    if method == "statevector":
        return statevector_max_qubits()
    if method == "density_matrix":
        return density_matrix_max_qubits()
    return MPS_MAX_QUBITS  # matrix_product_state, and automatic (stabilizer or MPS beyond a statevector)


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
        self._simulators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def simulator(self, method: str | None = None):
        """The cached ``AerSimulator`` for this backend's method (or for ``method``), as wide as it accepts."""
        method = method or self.method
        with self._lock:
            simulator = self._simulators.get(method)
            if simulator is None:
                from qiskit_aer import AerSimulator

                simulator = AerSimulator(method=method)
                simulator.set_max_qubits(max_qubits(self.method))
                self._simulators[method] = simulator
            return simulator

    @property
    def num_qubits(self) -> int:
        return max_qubits(self.method)

    @property
    def version(self) -> str:
        import qiskit_aer

        return qiskit_aer.__version__

    @property
    def max_shots(self) -> int:
        return int(self.simulator().configuration().max_shots)

    def _build_target(self) -> Target:
        return self.simulator().target

    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        """As :meth:`Backend.validate`; a too wide circuit on a dense method hears what memory it would need, and
        classical variables are refused (qiskit-aer 0.18.2 fails on a ``Bool`` variable and its C++ core aborts the
        process, "invalid cbit index", on a ``Uint`` one in a condition)."""
        from qiskit import QuantumCircuit

        if isinstance(circuit, QuantumCircuit) and circuit.num_vars:
            import qiskit_aer

            names = ", ".join(sorted(v.name for v in circuit.iter_vars()))
            raise UnsupportedObject(
                f"circuit '{circuit.name}' uses classical variables ({names}), which qiskit-aer "
                f"{qiskit_aer.__version__} cannot simulate (it aborts on them); keep classical data in clbits and "
                "condition on them (if_test((clbit, 1)), switch(register))"
            )
        if (
            isinstance(circuit, QuantumCircuit)
            and self.method in ("statevector", "density_matrix")
            and circuit.num_qubits > self.num_qubits
        ):
            n = circuit.num_qubits
            what = f"2^{n} amplitudes" if self.method == "statevector" else f"a 2^{n} x 2^{n} density matrix"
            entries = 2**n if self.method == "statevector" else 4**n
            raise CircuitTooWide(
                f"circuit '{circuit.name}' needs {n} qubits; {self.name} keeps {what} "
                f"({human_bytes(entries * BYTES_PER_AMPLITUDE)}) and may use half this machine's memory "
                f"({human_bytes(memory_budget())}): at most {self.num_qubits} qubits. {WIDE_ADVICE}"
            )
        super().validate(circuit, shots)

    def plan(self, circuit: QuantumCircuit) -> tuple[str, str]:
        """``(method, reason)`` this backend runs ``circuit`` (transpiled) with."""
        if self.method != "automatic":
            return self.method, f"{self.name} always uses {self.method}"
        limit = statevector_max_qubits()
        if circuit.num_qubits <= limit:
            return "automatic", "Aer's automatic choice"
        wide = f"{circuit.num_qubits} qubits are more than a statevector holds in memory here ({limit})"
        beyond = sorted(operation_names(circuit) - {"barrier"} - method_operations("stabilizer"))
        if not beyond:
            return "stabilizer", f"{wide}; a Clifford circuit: stabilizer"
        return "matrix_product_state", (
            f"{wide}; not a Clifford circuit ({', '.join(beyond[:4])}): "
            "matrix_product_state (fast while the entanglement stays low)"
        )

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
        plans = [self.plan(circuit) for circuit in circuits]
        out: list[ExecutionResult] = []
        start = 0
        while start < len(circuits):  # consecutive circuits of one method run as one Aer job
            stop = start + 1
            while stop < len(circuits) and plans[stop][0] == plans[start][0]:
                stop += 1
            out += self._run(
                circuits[start:stop],
                plans[start:stop],
                options,
                None if parameter_binds is None else parameter_binds[start:stop],
            )
            start = stop
        return out

    def _run(
        self,
        circuits: list[QuantumCircuit],
        plans: list[tuple[str, str]],
        options: dict[str, Any],
        parameter_binds: list[dict] | None,
    ) -> list[ExecutionResult]:
        method = plans[0][0]
        if parameter_binds is not None:
            options = {**options, "parameter_binds": parameter_binds}
        started = time.perf_counter()
        result = self.simulator(method).run(list(circuits), **options).result()
        seconds = time.perf_counter() - started
        experiments = result.results
        owners = [
            i
            for i, binds in enumerate(parameter_binds or [{}] * len(circuits))
            for _ in range(len(next(iter(binds.values()))) if binds else 1)
        ]  # circuit of each experiment
        out = []
        for index, experiment in enumerate(experiments):
            metadata = experiment.metadata or {}
            owner = owners[index] if index < len(owners) else len(circuits) - 1
            out.append(
                ExecutionResult(
                    counts=dict(result.get_counts(index)),
                    shots=options["shots"],
                    seconds=seconds / len(experiments),
                    metadata={
                        "method": metadata.get("method", method),
                        "method_requested": method,
                        "method_reason": plans[owner][1],
                        "qubits_simulated": metadata.get("num_qubits", circuits[owner].num_qubits),
                        "noise": "none (ideal simulator)",
                    },
                )
            )
        return out
