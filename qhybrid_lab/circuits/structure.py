"""Circuit structure with numeric angles abstracted, so a freshly bound circuit reuses a transpiled template.

An optimizer loop that binds new angles into a circuit every iteration produces circuits that differ only in the
floats of their rotation and phase gates. :func:`structure_of` reduces such a circuit to a hashable key (gate
names, qubits, clbits, registers) and the list of its angles; :meth:`Structure.template` rebuilds it with a
placeholder ``Parameter`` in place of each angle. The transpile cache transpiles the template once and binds the
angles of each new circuit into the transpiled template (:mod:`qhybrid_lab.circuits.transpile`).

Only angles of standard rotation and phase gates are abstracted, where transpiling the symbolic gate is valid for
every value. Library and custom gates with a definition (a ``QAOAAnsatz``'s ``QAOA`` gate and its
``PauliEvolutionGate`` gates, a composed sub-circuit, an ``n_local`` block, an open-controlled gate) are reduced
through their definitions, recursively: the template is the circuit with every such gate replaced by its
definition, which is the same operation (and what the transpiler would unroll it to). Circuits with free
parameters, control flow, opaque instructions, gates described by a matrix (``UnitaryGate``, ``Isometry``, ...:
synthesizing them here would cost seconds), look-alikes of standard gates, classical variables, a layout or a
non-numeric angle are not reduced (:func:`structure_of` returns ``None``): they use the exact cache.
"""

from __future__ import annotations

import numbers
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .canonical import BY_CONTENT

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

ANGLE_GATES = frozenset(
    {
        "cp",
        "crx",
        "cry",
        "crz",
        "cu",
        "cu1",
        "cu3",
        "global_phase",
        "p",
        "r",
        "rx",
        "rxx",
        "ry",
        "ryy",
        "rz",
        "rzx",
        "rzz",
        "u",
        "u1",
        "u2",
        "u3",
        "xx_minus_yy",
        "xx_plus_yy",
    }
)
"""Standard gates whose parameters are all angles (any real value is valid): these are abstracted."""
PLAIN_INSTRUCTIONS = frozenset({"measure", "reset", "barrier"})
"""Non-gate instructions kept as they are (their qubits and clbits are part of the key)."""
EXACT_PARAMETER_INSTRUCTIONS = frozenset({"delay"})
"""Instructions whose parameters are kept exactly in the key (a delay's duration is not an angle)."""
MAX_DEPTH = 16
"""Definitions nested deeper than this are not flattened."""

_placeholders: list[Any] = []
_placeholder_lock = threading.Lock()


@lru_cache(maxsize=1)
def _base_classes() -> dict[str, type]:
    from qiskit.circuit import Barrier, Delay, Measure, Reset
    from qiskit.circuit.library import get_standard_gate_name_mapping

    bases = {name: gate.base_class for name, gate in get_standard_gate_name_mapping().items()}
    bases.update(measure=Measure, reset=Reset, barrier=Barrier, delay=Delay)
    return bases


def placeholders(count: int) -> list[Any]:
    """The first ``count`` placeholder parameters (the same objects every time, in this process)."""
    with _placeholder_lock:
        if len(_placeholders) < count:
            from qiskit.circuit import Parameter

            _placeholders.extend(Parameter(f"_qh_angle_{i}") for i in range(len(_placeholders), count))
        return _placeholders[:count]


@dataclass(frozen=True)
class Structure:
    """A circuit reduced to its structure (the hashable :attr:`key`) and its angles (:attr:`values`).

    Attributes:
        key: Registers, bits and, per instruction, its name, qubit and clbit indices and number of abstracted
            angles (plus exact parameters where they are not angles). Equal keys: equal circuits up to angles.
        values: The abstracted angles in instruction order, then the global phase.
    """

    key: tuple
    values: tuple[float, ...]

    def template(self, circuit: QuantumCircuit) -> QuantumCircuit:
        """``circuit`` with placeholder parameters (:func:`placeholders`) in place of its angles.

        Args:
            circuit: The circuit this structure was taken from (or any circuit with the same key).
        """
        from qiskit.circuit import CircuitInstruction

        flattened = _flatten(circuit)
        assert flattened is not None, "a Structure is only made of a circuit that flattens"
        leaves, _ = flattened
        names = placeholders(len(self.values))
        out = circuit.copy_empty_like()
        qubits, clbits = out.qubits, out.clbits
        position = 0
        for operation, q, c in leaves:
            if operation.name in ANGLE_GATES:
                count = len(operation.params)
                operation = operation.base_class(*names[position : position + count])
                position += count
            out._append(CircuitInstruction(operation, tuple(qubits[i] for i in q), tuple(clbits[i] for i in c)))
        out.global_phase = names[position]
        return out

    def bindings(self) -> dict[Any, float]:
        """``{placeholder: angle}`` for :meth:`QuantumCircuit.assign_parameters` on a transpiled template."""
        return dict(zip(placeholders(len(self.values)), self.values))


def structure_of(circuit: QuantumCircuit) -> Structure | None:
    """The structure and angles of ``circuit``, or ``None`` when it cannot be reduced safely (exact cache then).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> a, b = QuantumCircuit(1), QuantumCircuit(1)
        >>> _ = a.ry(0.1, 0), b.ry(2.5, 0)
        >>> structure_of(a).key == structure_of(b).key, structure_of(b).values
        (True, (2.5, 0.0))
    """
    if circuit.parameters or circuit.layout is not None or _has_variables(circuit):
        return None
    flattened = _flatten(circuit)
    if flattened is None:
        return None
    leaves, phase = flattened
    qubit_index = {bit: i for i, bit in enumerate(circuit.qubits)}
    clbit_index = {bit: i for i, bit in enumerate(circuit.clbits)}
    parts: list[Any] = [
        circuit.num_qubits,
        circuit.num_clbits,
        tuple((reg.name, tuple(qubit_index[b] for b in reg)) for reg in circuit.qregs),
        tuple((reg.name, tuple(clbit_index[b] for b in reg)) for reg in circuit.cregs),
    ]
    values: list[float] = []
    for operation, qubits, clbits in leaves:
        name = operation.name
        params = operation.params
        if name in ANGLE_GATES:
            for value in params:
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    return None
                values.append(float(value))
            parts.append((name, qubits, clbits, len(params)))
        elif name in EXACT_PARAMETER_INSTRUCTIONS:
            parts.append((name, qubits, clbits, tuple(params), getattr(operation, "unit", None)))
        elif params and name not in PLAIN_INSTRUCTIONS:
            return None  # a standard gate with non-angle parameters (none today): do not guess
        else:
            parts.append((name, qubits, clbits))
    values.append(phase)
    return Structure(key=tuple(parts), values=tuple(values))


def _flatten(circuit: QuantumCircuit) -> tuple[list[tuple[Any, tuple, tuple]], float] | None:
    """``([(operation, qubit indices, clbit indices)], global phase)`` with every reducible gate replaced by its
    definition (recursively); ``None`` when some instruction cannot be reduced."""
    leaves: list[tuple[Any, tuple, tuple]] = []
    phase = [0.0]
    identity = (tuple(range(circuit.num_qubits)), tuple(range(circuit.num_clbits)))
    if not _flatten_into(circuit, *identity, leaves, phase, 0):
        return None
    return leaves, phase[0]


def _flatten_into(
    circuit: QuantumCircuit,
    qubits: tuple[int, ...],
    clbits: tuple[int, ...],
    leaves: list,
    phase: list[float],
    depth: int,
) -> bool:
    bases = _base_classes()
    global_phase = circuit.global_phase
    if not isinstance(global_phase, numbers.Real):
        return False
    phase[0] += float(global_phase)
    qubit_index = {bit: qubits[i] for i, bit in enumerate(circuit.qubits)}
    clbit_index = {bit: clbits[i] for i, bit in enumerate(circuit.clbits)}
    for instruction in circuit.data:
        q = tuple(qubit_index[b] for b in instruction.qubits)
        c = tuple(clbit_index[b] for b in instruction.clbits)
        operation = instruction.operation
        base = bases.get(instruction.name)
        if base is not None:
            if operation.base_class is not base:
                return False  # a look-alike of a standard gate: what it means is not certain
            leaves.append((operation, q, c))
            continue
        if instruction.is_control_flow() or depth >= MAX_DEPTH or _described_by_matrix(operation):
            return False
        definition = getattr(operation, "definition", None)
        if definition is None or not _flatten_into(definition, q, c, leaves, phase, depth + 1):
            return False  # opaque
    return True


def _described_by_matrix(operation: Any) -> bool:
    kind = type(operation)
    return kind.__name__ in BY_CONTENT and kind.__module__.startswith("qiskit.")


def _has_variables(circuit: QuantumCircuit) -> bool:
    return bool(getattr(circuit, "num_vars", 0) or getattr(circuit, "num_stretches", 0))


__all__ = ["ANGLE_GATES", "Structure", "placeholders", "structure_of"]
