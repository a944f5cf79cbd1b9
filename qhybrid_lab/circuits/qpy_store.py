"""QPY bytes that load back as the circuit that was written, around what Qiskit's QPY cannot round-trip.

Measured with Qiskit 2.6.2 (QPY 13 to 18 alike):

* a ``Delay`` keeps its duration but not its unit: ``delay(100, unit="ns")`` loads as 100 ``dt``, and
  ``delay(2.5, unit="us")`` does not load at all ("Integer duration is expected for 'dt' unit"; Qiskit issues
  #8293 and #10662). Such delays are written as ``qhybrid_delay`` instructions labelled with their unit, which plain
  ``qiskit.qpy.load`` reads (as opaque instructions) and :func:`load_qpy` turns back into the delays;
* an ``Isometry`` is written but cannot be rebuilt ("Isometry.__init__() missing 2 required positional
  arguments"). A circuit with library or custom instructions is therefore read back once; when that fails, its
  instructions are written by their definitions (plain gates of the same name and effect).

Either way the record's ``circuit.qpy_note`` says what was done and why.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from .serialize import circuit_qpy

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

UNIT_DELAY = "qhybrid_delay"
"""Name of the instruction a delay in SI units is written as (its label is the unit)."""
PLAIN = frozenset({"measure", "reset", "barrier", "delay", "store"})
QPY_LOAD_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, KeyError, AttributeError, IndexError)
"""What ``qpy.load`` raises (besides ``QpyError`` and ``CircuitError``) when it cannot rebuild an instruction."""


def _load_errors() -> tuple[type[BaseException], ...]:
    from qiskit.circuit.exceptions import CircuitError
    from qiskit.qpy import QpyError

    return (QpyError, CircuitError, *QPY_LOAD_ERRORS)


def portable_qpy(circuit: QuantumCircuit) -> tuple[bytes | None, str | None]:
    """``(QPY bytes that load back with :func:`load_qpy`, note or None)``; ``(None, why)`` if QPY cannot hold it.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(1); _ = qc.delay(2.5, 0, unit="us")
        >>> data, note = portable_qpy(qc)
        >>> load_qpy(data).data[0].operation.unit, note.startswith("delays in SI units")
        ('us', True)
    """
    from qiskit.qpy import QpyError

    notes = []
    if _has_unit_delays(circuit):
        circuit = _rewrite(circuit, delays=True, definitions=False, replaced=None)
        notes.append(
            f"delays in SI units written as {UNIT_DELAY} instructions labelled with their unit (QPY keeps "
            "no delay unit: Qiskit issue #8293); load_qpy restores them"
        )
    try:
        data = circuit_qpy(circuit)
    except (QpyError, TypeError, ValueError) as exc:
        return None, f"QPY cannot write it: {exc}"
    if _has_custom_instructions(circuit):
        try:
            load_qpy(data)
        except _load_errors() as exc:
            failure = f"{type(exc).__name__}: {exc}"
            replaced: set[str] = set()
            try:
                data = circuit_qpy(_rewrite(circuit, delays=False, definitions=True, replaced=replaced))
                load_qpy(data)
            except _load_errors() as again:
                return None, f"QPY cannot load it back ({failure}), nor with its instructions by definition ({again})"
            import qiskit

            notes.append(
                f"{', '.join(sorted(replaced))} written by definition: QPY (Qiskit {qiskit.__version__}) "
                f"cannot load them back ({failure})"
            )
    return data, "; ".join(notes) or None


def load_qpy(data: bytes) -> QuantumCircuit:
    """The circuit of QPY bytes (a run record's ``circuit.qpy_ref`` blob), delays in SI units restored.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2, name="bell"); _ = bell.h(0), bell.cx(0, 1)
        >>> load_qpy(circuit_qpy(bell)) == bell
        True
    """
    from qiskit import qpy

    (circuit,) = qpy.load(io.BytesIO(data))
    return _restore_delays(circuit) if _has_named(circuit, UNIT_DELAY) else circuit


def _walk_blocks(circuit: QuantumCircuit):
    for instruction in circuit.data:
        yield instruction
        if instruction.is_control_flow():
            for block in instruction.operation.blocks:
                yield from _walk_blocks(block)


def _has_unit_delays(circuit: QuantumCircuit) -> bool:
    return any(i.name == "delay" and getattr(i.operation, "unit", "dt") != "dt" for i in _walk_blocks(circuit))


def _has_named(circuit: QuantumCircuit, name: str) -> bool:
    return any(i.name == name for i in _walk_blocks(circuit))


def _has_custom_instructions(circuit: QuantumCircuit) -> bool:
    return any(
        not (i.is_standard_gate() or i.is_control_flow() or i.name in PLAIN or i.name == UNIT_DELAY)
        for i in _walk_blocks(circuit)
    )


def _rewrite(circuit: QuantumCircuit, *, delays: bool, definitions: bool, replaced: set[str] | None) -> QuantumCircuit:
    """A copy with SI-unit delays as :data:`UNIT_DELAY` instructions and/or library and custom instructions as
    plain gates (or instructions) of the same name whose definition is their own, recursively. The kinds replaced
    at the top level or in control-flow blocks are added to ``replaced``."""
    from qiskit.circuit import Gate, Instruction

    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation: Any = instruction.operation
        name = instruction.name
        if instruction.is_control_flow():
            operation = operation.replace_blocks(
                [_rewrite(b, delays=delays, definitions=definitions, replaced=replaced) for b in operation.blocks]
            )
        elif delays and name == "delay" and getattr(operation, "unit", "dt") != "dt":
            operation = Instruction(UNIT_DELAY, 1, 0, [operation.params[0]], label=operation.unit)
        elif definitions and not (instruction.is_standard_gate() or name in PLAIN or name == UNIT_DELAY):
            definition = getattr(operation, "definition", None)
            if definition is not None:
                plain = (
                    Gate(operation.name, operation.num_qubits, [])
                    if isinstance(operation, Gate)
                    else Instruction(operation.name, operation.num_qubits, operation.num_clbits, [])
                )
                plain.definition = _rewrite(definition, delays=delays, definitions=True, replaced=None)
                if replaced is not None:
                    replaced.add(type(operation).__name__)
                operation = plain
        out._append(instruction.replace(operation=operation))
    return out


def _restore_delays(circuit: QuantumCircuit) -> QuantumCircuit:
    from qiskit.circuit import Delay

    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation: Any = instruction.operation
        if instruction.is_control_flow():
            operation = operation.replace_blocks([_restore_delays(b) for b in operation.blocks])
        elif instruction.name == UNIT_DELAY:
            operation = Delay(operation.params[0], unit=operation.label)
        out._append(instruction.replace(operation=operation))
    return out


__all__ = ["QPY_LOAD_ERRORS", "UNIT_DELAY", "load_qpy", "portable_qpy"]
