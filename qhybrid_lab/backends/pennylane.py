"""PennyLane devices as backends: ``pennylane:default.qubit`` and ``pennylane:lightning.qubit`` run circuits natively."""

from __future__ import annotations

import math
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, InvalidJobSpec, UnknownBackend
from .base import Backend, BackendKind, ExecutionResult
from .measurements import SKIPPED, counts_from_samples, register_sizes, terminal_measurements

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

PREFIX = "pennylane:"
DEVICES: dict[str, str] = {
    "default.qubit": "PennyLane default.qubit (NumPy state vector)",
    "lightning.qubit": "PennyLane Lightning state vector (C++)",
}
"""PennyLane devices served as ``pennylane:<device>``, with their descriptions."""
MODULES: dict[str, tuple[str, ...]] = {
    "default.qubit": ("pennylane",),
    "lightning.qubit": ("pennylane", "pennylane_lightning"),
}
"""The modules each device needs; both come with the ``pennylane`` extra."""

GATES: dict[str, tuple[str, int]] = {
    "id": ("Identity", 0),
    "x": ("PauliX", 0),
    "y": ("PauliY", 0),
    "z": ("PauliZ", 0),
    "h": ("Hadamard", 0),
    "s": ("S", 0),
    "sdg": ("S", -1),
    "t": ("T", 0),
    "tdg": ("T", -1),
    "sx": ("SX", 0),
    "sxdg": ("SX", -1),
    "rx": ("RX", 0),
    "ry": ("RY", 0),
    "rz": ("RZ", 0),
    "p": ("PhaseShift", 0),
    "u": ("U3", 0),
    "cx": ("CNOT", 0),
    "cy": ("CY", 0),
    "cz": ("CZ", 0),
    "ch": ("CH", 0),
    "swap": ("SWAP", 0),
    "iswap": ("ISWAP", 0),
    "ecr": ("ECR", 0),
    "crx": ("CRX", 0),
    "cry": ("CRY", 0),
    "crz": ("CRZ", 0),
    "cp": ("ControlledPhaseShift", 0),
    "rxx": ("IsingXX", 0),
    "ryy": ("IsingYY", 0),
    "rzz": ("IsingZZ", 0),
    "ccx": ("Toffoli", 0),
    "cswap": ("CSWAP", 0),
}
"""Qiskit gate name → (PennyLane operation, -1 for its adjoint): the target's basis, each exactly that gate."""


def pennylane_names() -> list[dict[str, Any]]:
    """The PennyLane devices, as ``list_backends`` entries (saying how to install PennyLane where it is missing)."""
    from ..extras import install_line, missing_modules

    def describe(device: str) -> str:
        missing = missing_modules(*MODULES[device])
        return DEVICES[device] + (f"; not installed: {install_line('pennylane')}" if missing else "")

    return [
        {
            "name": PREFIX + device,
            "kind": "simulator",
            "provider": "pennylane",
            "num_qubits": None,
            "description": describe(device),
        }
        for device in DEVICES
    ]


def make_backend(name: str) -> PennyLaneBackend:
    """The registry factory for ``pennylane:<device>`` (UnknownBackend listing the devices otherwise).

    Raises:
        UnknownBackend: not one of :data:`DEVICES`.
        MissingDependency: PennyLane (or Lightning) is not installed; the message has the install line.
    """
    device = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    if device not in DEVICES:
        from .names import closest_names

        close = closest_names(name, [PREFIX + d for d in DEVICES])
        hint = f"did you mean '{close[0]}'? " if close else ""
        known = ", ".join(PREFIX + d for d in DEVICES)
        raise UnknownBackend(f"unknown PennyLane device '{device}' in '{name}'; {hint}qhybrid-lab runs {known}")
    from ..extras import require

    require("pennylane", *MODULES[device], what=f"the backend '{PREFIX + device}'")
    return PennyLaneBackend(device)


def _memory_qubits() -> int:
    """Widest state vector (complex128) that fits in half the physical memory, capped at 30 like Aer."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 24
    return max(1, min(30, int(math.log2(memory / 2 / 16))))


class PennyLaneBackend(Backend):
    """A PennyLane simulator device: circuits (transpiled to :data:`GATES`) become PennyLane operations.

    Counts come from ``qml.sample`` of the measured qubits with the requested shots and seed (a fresh device
    per execution, so a seed reproduces counts), keyed like Qiskit's. A sweep (``parameter_binds``) runs as
    one broadcast tape, PennyLane's fastest batched path.
    """

    kind = BackendKind.SIMULATOR
    provider = "pennylane"
    is_local = True

    def __init__(self, device: str) -> None:
        self.device_name = device
        self.name = PREFIX + device
        self.description = DEVICES[device]
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        from importlib.metadata import version

        package = "pennylane_lightning" if self.device_name.startswith("lightning") else "pennylane"
        return version(package)

    def _build_target(self) -> Target:
        from qiskit.transpiler import Target

        return Target.from_configuration(basis_gates=[*GATES, "measure"], num_qubits=_memory_qubits())

    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        """The base checks, plus: measurements only at the end, no resets, conditions or control flow."""
        super().validate(circuit, shots)
        terminal_measurements(circuit, InvalidJobSpec)

    def execute(
        self, circuits: list[QuantumCircuit], *, shots: int, seed: int | None, parameter_binds: list[dict] | None = None
    ) -> list[ExecutionResult]:
        """Run each circuit (each parameter set of it, as one broadcast) on a fresh seeded device."""
        if parameter_binds is not None and len(parameter_binds) != len(circuits):
            raise InvalidJobSpec(f"{len(parameter_binds)} parameter_binds for {len(circuits)} circuits")
        out: list[ExecutionResult] = []
        for index, circuit in enumerate(circuits):
            binds = parameter_binds[index] if parameter_binds is not None else None
            out.extend(self._execute_one(circuit, shots, seed, binds))
        return out

    def _execute_one(
        self, circuit: QuantumCircuit, shots: int, seed: int | None, binds: dict | None
    ) -> list[ExecutionResult]:
        import numpy as np
        import pennylane as qml

        measured = terminal_measurements(circuit, BackendError)
        count = _point_count(circuit, binds)
        started = time.perf_counter()
        ops = _operations(circuit, binds, count)
        wires = sorted(set(measured.values()))
        results: list[ExecutionResult] = []
        if wires:
            tape = qml.tape.QuantumScript(ops, [qml.sample(wires=wires)], shots=shots)
            device = qml.device(self.device_name, wires=circuit.num_qubits, seed=seed)
            (samples,) = qml.execute([tape], device)
            samples = np.asarray(samples).reshape(count, shots, len(wires))
        else:
            samples = np.zeros((count, shots, 0), dtype=int)
        seconds = (time.perf_counter() - started) / count
        for point_samples in samples:
            results.append(
                ExecutionResult(
                    counts=counts_from_samples(point_samples, wires, measured, register_sizes(circuit)),
                    shots=shots,
                    seconds=seconds,
                    metadata={
                        "method": f"pennylane {self.device_name}",
                        "qubits_simulated": circuit.num_qubits,
                        "noise": "none (ideal simulator)",
                    },
                )
            )
        return results


def _point_count(circuit: QuantumCircuit, binds: dict | None) -> int:
    """How many parameter sets ``binds`` gives (1 for an unparameterized circuit)."""
    if not binds:
        if circuit.parameters:
            raise BackendError(
                f"circuit '{circuit.name}' has unbound parameters {sorted(p.name for p in circuit.parameters)}"
            )
        return 1
    lengths = {len(values) for values in binds.values()}
    if len(lengths) != 1:
        raise InvalidJobSpec(f"parameter_binds of '{circuit.name}' give different numbers of values: {sorted(lengths)}")
    missing = sorted(p.name for p in circuit.parameters if p not in binds)
    if missing:
        raise BackendError(f"circuit '{circuit.name}' has parameters without values: {missing}")
    return lengths.pop()


def _angles(param: Any, binds: dict | None, count: int) -> Any:
    """A gate parameter as a float, or as an array over the points when it depends on swept parameters."""
    import numpy as np
    from qiskit.circuit import Parameter, ParameterExpression

    if not isinstance(param, ParameterExpression):
        return float(param)
    assert binds is not None, "a swept gate parameter comes with its values"
    if isinstance(param, Parameter):
        values = np.asarray(binds[param], dtype=np.float64)
    else:  # an expression of parameters (e.g. 2*beta): evaluated point by point, never the whole circuit
        used = list(param.parameters)
        values = np.array([float(param.bind({p: binds[p][i] for p in used}).numeric()) for i in range(count)])
    return values if count > 1 else float(values[0])


def _operations(circuit: QuantumCircuit, binds: dict | None, count: int) -> list[Any]:
    """PennyLane operations of the circuit, swept angles broadcast over the ``count`` points."""
    import pennylane as qml

    ops = []
    for instruction in circuit.data:
        name = instruction.operation.name
        if name in SKIPPED or name == "measure":
            continue
        if name not in GATES:
            raise BackendError(f"gate '{name}' is not in the PennyLane backend's basis; transpile for its target")
        op_name, power = GATES[name]
        wires = [circuit.find_bit(q).index for q in instruction.qubits]
        args = [_angles(param, binds, count) for param in instruction.operation.params]
        op = getattr(qml, op_name)(*args, wires=wires)
        ops.append(qml.adjoint(op) if power == -1 else op)
    return ops
