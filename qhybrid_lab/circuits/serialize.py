"""A circuit as OpenQASM 3 text (where Qiskit's exporter can write it, else why not) and as QPY bytes."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

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
            return (
                f"an unnamed {kind}"
                if re.fullmatch(r"circuit(-\d+)+", operation.name)
                else f"'{operation.name}' ({kind})"
            )
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
        raise UnsupportedObject(
            f"circuit '{circuit.name}' cannot be written as OpenQASM 3: {reason}; its QPY form "
            "(qpy_store.portable_qpy) holds every instruction"
        )
    return text


def circuit_qpy(circuit: QuantumCircuit) -> bytes:
    """The circuit as QPY bytes (not canonical: they embed the name and the version; some instructions do not load
    back as they were: :func:`~qhybrid_lab.circuits.qpy_store.portable_qpy` writes bytes that do)."""
    from qiskit import qpy

    buffer = io.BytesIO()
    qpy.dump(circuit, buffer)
    return buffer.getvalue()


__all__ = ["circuit_qasm", "circuit_qpy", "qasm_or_reason"]
