"""A circuit as OpenQASM 3 text (where the exporter can write it) and as QPY bytes (always), and back."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedObject

CULPRIT_TRIES = 20
"""Distinct top-level instructions tried alone to name the one the OpenQASM 3 exporter refuses."""
_GENERATED = re.compile(r"'?\w*Instruction\(name='circuit-\d+'[^)]*\)'?")
"""An unnamed sub-circuit in an exporter message (Qiskit names it ``circuit-<n>``)."""

if TYPE_CHECKING:
    from qiskit import QuantumCircuit


def qasm_or_reason(circuit: QuantumCircuit) -> tuple[str | None, str | None]:
    """``(OpenQASM 3 text, None)``, or ``(None, why not)`` when Qiskit's exporter cannot write the circuit.

    The text leaves out the circuit's name and global phase (OpenQASM 3 has neither). The exporter refuses, for
    example, non-unitary subroutines (a composed sub-circuit with a reset or a measurement, ``Initialize``).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> inner = QuantumCircuit(1); _ = inner.reset(0)
        >>> outer = QuantumCircuit(1); _ = outer.append(inner.to_instruction(), [0])
        >>> qasm_or_reason(outer)[1].startswith("Qiskit's OpenQASM 3 exporter cannot write it")
        True
    """
    from qiskit import qasm3

    try:
        return qasm3.dumps(circuit), None
    except qasm3.QASM3ExporterError as exc:
        message = _GENERATED.sub("an unnamed sub-circuit", str(getattr(exc, "message", exc)))
        culprit = _culprit(circuit)
        where = f" ({culprit})" if culprit else ""
        return None, f"Qiskit's OpenQASM 3 exporter cannot write it{where}: {message}"


def _culprit(circuit: QuantumCircuit) -> str | None:
    """The first top-level instruction the exporter refuses on its own, as ``"'name' (Class)"``."""
    from qiskit import QuantumCircuit, qasm3

    tried: set[int] = set()
    for instruction in circuit.data:
        operation = instruction.operation
        if instruction.is_standard_gate() or id(operation) in tried or len(tried) >= CULPRIT_TRIES:
            continue
        tried.add(id(operation))
        alone = QuantumCircuit(operation.num_qubits, operation.num_clbits)
        try:
            alone.append(operation, alone.qubits, alone.clbits)
            qasm3.dumps(alone)
        except qasm3.QASM3ExporterError:
            kind = type(operation).__name__
            return f"an unnamed {kind}" if re.fullmatch(r"circuit(-\d+)+", operation.name) else f"'{operation.name}' ({kind})"
        except (TypeError, ValueError):  # an operation that cannot stand alone (control flow): not the one
            continue
    return None


def circuit_qasm(circuit: QuantumCircuit) -> str:
    """The circuit as OpenQASM 3 text (does not include the circuit's name or global phase).

    Raises:
        UnsupportedObject: The circuit holds an instruction OpenQASM 3 cannot express (the message says which).
    """
    text, reason = qasm_or_reason(circuit)
    if text is None:
        raise UnsupportedObject(f"circuit '{circuit.name}' cannot be written as OpenQASM 3: {reason}; its QPY form "
                                "(circuit_qpy) holds every instruction")
    return text


def circuit_qpy(circuit: QuantumCircuit) -> bytes:
    """The circuit as QPY bytes (everything Qiskit can hold; not canonical: it embeds the name and the version)."""
    from qiskit import qpy

    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    return buffer.getvalue()


def load_qpy(data: bytes) -> QuantumCircuit:
    """The circuit of QPY bytes written by :func:`circuit_qpy` (e.g. a run record's ``circuit.qpy_ref`` blob).

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2, name="bell"); _ = bell.h(0), bell.cx(0, 1)
        >>> load_qpy(circuit_qpy(bell)) == bell
        True
    """
    from qiskit import qpy

    (circuit,) = qpy.load(io.BytesIO(data))
    return circuit


QPY_LOAD_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, KeyError, AttributeError, IndexError)
"""What ``qpy.load`` raises when it cannot rebuild an instruction (besides ``QpyError``): Qiskit 2.6.2 writes an
``Isometry`` it then fails to construct (``TypeError: Isometry.__init__() missing 2 required positional
arguments``)."""


def portable_qpy(circuit: QuantumCircuit) -> tuple[bytes | None, str | None]:
    """``(QPY bytes that load back, note)``; ``(None, why)`` when QPY cannot hold the circuit at all.

    A circuit of standard gates is written as it is. One with library or custom instructions is read back once
    (QPY writes some it cannot load); if that fails, the instructions are stored by their definitions instead
    (plain gates of the same name and effect), and the note says which and why.
    """
    from qiskit.qpy import QpyError

    try:
        data = circuit_qpy(circuit)
    except (QpyError, TypeError, ValueError) as exc:
        return None, f"QPY cannot write it: {exc}"
    if not _has_custom_instructions(circuit):
        return data, None
    try:
        load_qpy(data)
        return data, None
    except (QpyError, *QPY_LOAD_ERRORS) as exc:
        failure = f"{type(exc).__name__}: {exc}"
    replaced: set[str] = set()
    try:
        data = circuit_qpy(_by_definitions(circuit, replaced))
        load_qpy(data)
    except (QpyError, *QPY_LOAD_ERRORS) as exc:
        return None, f"QPY cannot load it back ({failure}), nor with its instructions by definition ({exc})"
    import qiskit

    return data, (f"stored with {', '.join(sorted(replaced))} by definition: QPY (Qiskit {qiskit.__version__}) "
                  f"cannot load them back ({failure})")


def _has_custom_instructions(circuit: QuantumCircuit) -> bool:
    plain = {"measure", "reset", "barrier", "delay", "store"}
    for instruction in circuit.data:
        if instruction.is_standard_gate() or instruction.name in plain:
            continue
        if not instruction.is_control_flow():
            return True
        if any(_has_custom_instructions(block) for block in instruction.operation.blocks):
            return True
    return False


def _by_definitions(circuit: QuantumCircuit, replaced: set[str] | None) -> QuantumCircuit:
    """A copy of ``circuit`` with every library or custom instruction replaced by a plain gate (or instruction)
    of the same name whose definition is its own (recursively), so QPY stores only what it can rebuild. The kinds
replaced at the top level (or in control-flow blocks) are added to ``replaced``."""
    from qiskit.circuit import Gate, Instruction

    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        operation: Any = instruction.operation
        if instruction.is_control_flow():
            operation = operation.replace_blocks([_by_definitions(block, replaced) for block in operation.blocks])
        elif not instruction.is_standard_gate() and instruction.name not in ("measure", "reset", "barrier",
                                                                              "delay", "store"):
            definition = getattr(operation, "definition", None)
            if definition is not None:
                kind = Gate if isinstance(operation, Gate) else Instruction
                plain = (kind(operation.name, operation.num_qubits, []) if kind is Gate
                         else kind(operation.name, operation.num_qubits, operation.num_clbits, []))
                plain.definition = _by_definitions(definition, None)
                if replaced is not None:
                    replaced.add(type(operation).__name__)
                operation = plain
        out._append(instruction.replace(operation=operation))
    return out


__all__ = ["QPY_LOAD_ERRORS", "circuit_qasm", "circuit_qpy", "load_qpy", "portable_qpy", "qasm_or_reason"]
