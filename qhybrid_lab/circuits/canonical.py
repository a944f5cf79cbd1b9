"""Canonical text, content hash and size metrics of a circuit.

The hash is of OpenQASM 3 text, not QPY bytes: QPY embeds the generated circuit name and the Qiskit
version, so two separately built but equal circuits would hash differently.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedObject

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

NOT_GATES = frozenset({"barrier", "delay", "measure", "reset", "store"})
"""Instructions that are not counted as 2-qubit gates even when they span two qubits."""


def circuit_qasm(circuit: QuantumCircuit) -> str:
    """The circuit as OpenQASM 3 text (does not include the circuit's name or global phase).

    Raises:
        UnsupportedObject: The circuit holds an instruction OpenQASM 3 cannot express.
    """
    from qiskit import qasm3

    try:
        return qasm3.dumps(circuit)
    except qasm3.QASM3ExporterError as exc:
        raise UnsupportedObject(
            f"circuit '{circuit.name}' cannot be written as OpenQASM 3 ({exc}); "
            "decompose custom instructions into standard gates first"
        ) from exc


def circuit_hash(circuit: QuantumCircuit) -> str:
    """``"sha256:<hex>"`` of the circuit's canonical OpenQASM 3 text.

    Equal circuits built separately hash equal; the circuit's name does not matter.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> a, b = QuantumCircuit(1), QuantumCircuit(1)
        >>> _ = a.h(0), b.h(0)
        >>> circuit_hash(a) == circuit_hash(b)
        True
    """
    return "sha256:" + hashlib.sha256(circuit_qasm(circuit).encode("utf-8")).hexdigest()


def circuit_metrics(circuit: QuantumCircuit) -> dict[str, Any]:
    """``num_qubits``, ``depth``, ``size``, ``two_qubit`` (2-qubit gates, barriers excluded) and ``ops``."""
    two_qubit = sum(
        1 for instruction in circuit.data
        if len(instruction.qubits) == 2 and instruction.operation.name not in NOT_GATES
    )
    return {
        "num_qubits": circuit.num_qubits,
        "depth": circuit.depth(),
        "size": circuit.size(),
        "two_qubit": two_qubit,
        "ops": {name: int(count) for name, count in circuit.count_ops().items()},
    }
