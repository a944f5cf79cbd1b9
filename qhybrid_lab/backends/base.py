"""The backend contract: what every provider adapter (Aer, device emulators, later IBM/Braket/PennyLane) offers."""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import CircuitTooWide, InvalidJobSpec, UnsupportedObject

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from ..costs.prices import PriceModel


class BackendKind(str, Enum):
    """What a backend is, shown in every view so an emulator is never mistaken for hardware."""

    SIMULATOR = "simulator"
    """An ideal (noise-free) simulator."""
    EMULATOR = "emulator"
    """A simulator of a real device: its coupling map, basis gates and noise."""
    HARDWARE = "hardware"
    """A real quantum processor."""
    CLASSICAL = "classical"
    """A classical function standing in for a quantum run (the last resort of a fallback chain)."""

    def __str__(self) -> str:
        return self.value


@dataclass
class ExecutionResult:
    """What one executed circuit (or one parameter set of it) produced.

    Attributes:
        counts: Bitstring → number of shots, keyed by the circuit's own classical bits
            (Qiskit's format: registers separated by a space, most significant bit first).
        shots: Number of shots executed.
        seconds: Wall-clock seconds the execution took.
        metadata: ``method``, ``qubits_simulated``, ``noise`` and anything else the backend wants to record.
    """

    counts: dict[str, int]
    shots: int
    seconds: float
    metadata: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    """A place circuits run: a simulator, a device emulator or a real device.

    Backends are created by the registry (:func:`qhybrid_lab.backends.get_backend`) and cached per
    process, so expensive state (simulators, targets, noise models) is built once and reused.

    Subclassing:
        Set the class (or instance) attributes ``name``, ``kind``, ``provider`` and ``is_local``, and
        implement the one abstract method, :meth:`execute`. Override the others where the defaults do
        not fit:

        * :attr:`version`, :attr:`num_qubits`, :attr:`max_shots`: defaults read :meth:`target`.
        * :meth:`_build_target` (not :meth:`target`, which caches it): the Qiskit ``Target`` circuits are
          transpiled for. It is built at most once per instance.
        * :meth:`price_model` (default: free), :meth:`hardware_price_model` (default: ``None``),
          :meth:`calibration` (default: ``None``).
        * :meth:`validate`: the base implementation checks the circuit type, its width against
          :attr:`num_qubits` and ``shots`` (a positive ``int``, not ``bool``, at most :attr:`max_shots`).
          Extend it with ``super().validate(...)`` for backend-specific limits.

        The engine calls :meth:`validate` on each original circuit *before* anything is recorded as
        submitted, so a bad request is refused with :class:`~qhybrid_lab.errors.InvalidJobSpec` (or its
        subclass :class:`~qhybrid_lab.errors.CircuitTooWide`) and never reaches :meth:`execute`.

        :meth:`execute` receives circuits already transpiled for :meth:`target` (by
        :func:`qhybrid_lab.circuits.transpile_for`), runs them synchronously, and returns one
        :class:`ExecutionResult` per circuit, in order; with ``parameter_binds`` (one dict per circuit,
        ``{parameter: [values, ...]}``), one result per circuit and parameter set, circuit-major.
        Counts keys must use the classical bits of the circuit as given. Raise
        :class:`~qhybrid_lab.errors.TransientBackendError` for failures worth retrying and
        :class:`~qhybrid_lab.errors.BackendError` for permanent ones. Local backends
        (``is_local = True``) run in the engine's worker processes, so ``execute`` may block and
        may hold the GIL.
    """

    name: str = ""
    """Registry name, e.g. ``"aer"``, ``"fake_torino"``."""
    kind: BackendKind = BackendKind.SIMULATOR
    provider: str = ""
    """Who provides it: ``"aer"``, ``"ibm-fake"``, later ``"ibm"``, ``"braket"``, ``"pennylane"``."""
    is_local: bool = True
    """Whether it executes in the engine's worker processes (as opposed to a remote service)."""

    _target_cache: Target | None = None

    # --- description -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """Version of the backend (device configuration or simulator package version)."""
        return ""

    @property
    def num_qubits(self) -> int:
        """Number of qubits a circuit may use."""
        return int(self.target().num_qubits or 0)

    @property
    def max_shots(self) -> int:
        """Largest number of shots one execution accepts."""
        return 1_000_000

    def target(self) -> Target:
        """The Qiskit ``Target`` circuits are transpiled for; built on first use, then cached."""
        if self._target_cache is None:
            self._target_cache = self._build_target()
        return self._target_cache

    @abstractmethod
    def _build_target(self) -> Target:
        """Build the transpiler ``Target`` (called once per instance)."""

    def describe(self) -> dict[str, Any]:
        """The run record's ``"backend"`` field."""
        return {
            "name": self.name,
            "provider": self.provider,
            "kind": str(self.kind),
            "version": self.version,
            "num_qubits": self.num_qubits,
        }

    # --- money and calibration ---------------------------------------------------------------
    def price_model(self) -> PriceModel:
        """What running here costs in real money (free unless overridden)."""
        from ..costs.prices import PriceModel

        return PriceModel(provider=self.provider, device=self.name, source="local execution is free")

    def hardware_price_model(self) -> PriceModel | None:
        """For emulators: what the real device would cost. ``None`` when there is no real device."""
        return None

    def calibration(self) -> dict[str, Any] | None:
        """``{"summary": {...}, "snapshot": bytes}`` for backends with device calibration, else ``None``."""
        return None

    def mitigation_refusal(self, method: str) -> str | None:
        """Why this backend cannot apply error mitigation ``method`` (``"readout"``), or None when it can.

        Local emulators can: the calibration circuits run on the same emulator, in the same process as the job.
        An ideal simulator has no readout error to mitigate; a remote backend runs no calibration circuits yet.
        """
        if self.kind is BackendKind.SIMULATOR:
            return (
                f"readout mitigation is not needed on {self.name}: it is an ideal simulator with no readout "
                f"error (run without mitigation, or on a noisy emulator such as fake_manila)"
            )
        if self.kind is BackendKind.CLASSICAL:
            return f"{self.name} is a classical function: it has no readout to mitigate"
        if not self.is_local:
            return f"{self.name} cannot apply readout mitigation: calibration circuits run on local backends only"
        return None

    # --- execution ---------------------------------------------------------------------------
    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        """Refuse a request before anything is submitted.

        Args:
            circuit: The circuit as the user wrote it (before transpilation).
            shots: Requested number of shots.

        Raises:
            UnsupportedObject: ``circuit`` is not a ``QuantumCircuit``.
            CircuitTooWide: The circuit needs more qubits than the backend has.
            InvalidJobSpec: ``shots`` is not a positive integer, or above :attr:`max_shots`.
        """
        from qiskit import QuantumCircuit

        if not isinstance(circuit, QuantumCircuit):
            raise UnsupportedObject(f"{self.name} runs Qiskit QuantumCircuit objects, not {type(circuit).__name__}")
        check_shots(shots, self.max_shots, self.name)
        if circuit.num_qubits > self.num_qubits:
            raise CircuitTooWide(
                f"circuit '{circuit.name}' needs {circuit.num_qubits} qubits; {self.name} has {self.num_qubits}"
            )
        check_instructions(circuit, self.target(), self.name)
        check_delays(circuit, self.target(), self.name)

    @abstractmethod
    def execute(
        self,
        circuits: list[QuantumCircuit],
        *,
        shots: int,
        seed: int | None,
        parameter_binds: list[dict] | None = None,
    ) -> list[ExecutionResult]:
        """Run transpiled circuits synchronously (see "Subclassing" in the class docstring)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.kind})>"


CHECKED_INSTRUCTIONS = frozenset(
    {
        "if_else",
        "while_loop",
        "for_loop",
        "switch_case",
        "box",
        "break_loop",
        "continue_loop",
        "store",
        "reset",
        "measure",
        "delay",
    }
)
"""Instructions the transpiler cannot translate into others: the target itself must support them."""


def instructions_needed(circuit: QuantumCircuit) -> set[str]:
    """Names of the :data:`CHECKED_INSTRUCTIONS` in ``circuit``: control-flow blocks and the definitions of custom
    non-unitary instructions (a composed sub-circuit with a reset) included; gates' definitions are unitary."""
    from qiskit.circuit import Gate

    found: set[str] = set()
    seen: set[int] = set()

    def walk(circ: QuantumCircuit) -> None:
        for instruction in circ.data:
            if instruction.is_standard_gate():
                continue
            name = instruction.name
            if name in CHECKED_INSTRUCTIONS:
                found.add(name)
            operation = instruction.operation
            if instruction.is_control_flow():
                for block in operation.blocks:
                    walk(block)
            elif name not in CHECKED_INSTRUCTIONS and not isinstance(operation, Gate) and id(operation) not in seen:
                seen.add(id(operation))
                definition = getattr(operation, "definition", None)
                if definition is not None:
                    walk(definition)

    walk(circuit)
    return found


def check_instructions(circuit: QuantumCircuit, target: Target, backend_name: str) -> None:
    """Refuse a circuit that needs an instruction ``target`` lacks (control flow, store, reset ...) or input
    variables; the message names them and says what the backend has instead.

    Raises:
        UnsupportedObject: naming the circuit, the instructions and the backend.
    """
    inputs = [v.name for v in circuit.iter_input_vars()]
    if inputs:
        raise UnsupportedObject(
            f"circuit '{circuit.name}' has input variables ({', '.join(inputs)}), which {backend_name} cannot be "
            "given: declare them with circuit.add_var(name, initial_value) instead"
        )
    available = set(target.operation_names)
    missing = sorted(instructions_needed(circuit) - available)
    if not missing:
        return
    flow = sorted(available & (CHECKED_INSTRUCTIONS - {"store", "reset", "measure", "delay"}))
    has = f"its control flow is {', '.join(flow)}" if flow else "it has no control flow"
    raise UnsupportedObject(
        f"circuit '{circuit.name}' uses {', '.join(missing)}, which {backend_name} cannot run ({has}); "
        "rewrite the circuit without it, or choose a backend whose target has it"
    )


SECONDS_PER_UNIT = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12}


def check_delays(circuit: QuantumCircuit, target: Target, backend_name: str) -> None:
    """Refuse a delay the target's timing constraints cannot schedule (Qiskit's transpiler fails on it: "The input
    circuit is not scheduled"): on a target with a ``dt`` and a pulse alignment above 1, every delay must last a
    multiple of that alignment.

    Raises:
        UnsupportedObject: naming the delay, its length in ``dt`` and the nearest lengths that fit.
    """
    dt, alignment = getattr(target, "dt", None), int(getattr(target, "pulse_alignment", 1) or 1)
    if not dt or alignment <= 1:
        return
    for instruction in circuit.data:
        if instruction.name != "delay":
            continue
        duration, unit = instruction.params[0], getattr(instruction.operation, "unit", "dt")
        if not isinstance(duration, numbers.Real) or (unit not in SECONDS_PER_UNIT and unit != "dt"):
            continue  # a stretch or an expression: scheduled by the transpiler
        length = float(duration) if unit == "dt" else float(duration) * SECONDS_PER_UNIT[unit] / dt
        steps = round(length)
        if abs(length - steps) < 1e-6 and steps % alignment == 0:
            continue
        low = int(length // alignment) * alignment
        raise UnsupportedObject(
            f"circuit '{circuit.name}' has delay({duration:g} {unit}), {length:.6g} dt; {backend_name} schedules "
            f"delays in steps of {alignment} dt ({alignment * dt * 1e9:.4g} ns), so Qiskit cannot transpile it: "
            f"use a multiple, e.g. {low or alignment} or {low + alignment} dt"
        )


def check_shots(shots: Any, max_shots: int, backend_name: str) -> None:
    """Raise :class:`InvalidJobSpec` unless ``shots`` is an ``int`` (not ``bool``) in ``1..max_shots``."""
    if isinstance(shots, bool) or not isinstance(shots, numbers.Integral):
        raise InvalidJobSpec(f"shots must be a whole number, got {shots!r} ({type(shots).__name__})")
    shots = int(shots)
    if shots <= 0:
        raise InvalidJobSpec(f"shots must be positive, got {shots}")
    if shots > max_shots:
        raise InvalidJobSpec(f"shots={shots} is above the maximum of {backend_name} ({max_shots}); use fewer shots")
