"""Measurements of a circuit: which qubit each classical bit reads, and Qiskit-format counts from samples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

SKIPPED = frozenset({"barrier", "delay"})
"""Instructions with no effect on counts."""


def terminal_measurements(
    circuit: QuantumCircuit, error: type[Exception], who: str = "PennyLane backends"
) -> dict[int, int]:
    """``{clbit index: qubit index}`` of the final measurements.

    Args:
        circuit: The circuit to inspect.
        error: Raised (with a message naming ``who``) for what only measures at the end cannot run: resets,
            conditions, control flow, a gate after a measurement on the same qubit.
        who: What runs it, for the message (``"Braket devices"``).
    """
    measured: dict[int, int] = {}
    done: set[int] = set()
    for instruction in circuit.data:
        operation, name = instruction.operation, instruction.operation.name
        qubits = [circuit.find_bit(q).index for q in instruction.qubits]
        if name in SKIPPED:
            continue
        if getattr(operation, "blocks", ()) or getattr(operation, "condition", None) is not None or name == "reset":
            raise error(
                f"'{name}' in circuit '{circuit.name}': {who} run gates and final "
                "measurements only (no resets, conditions or control flow)"
            )
        if name == "measure":
            measured[circuit.find_bit(instruction.clbits[0]).index] = qubits[0]
            done.add(qubits[0])
        elif done.intersection(qubits):
            raise error(f"'{name}' after a measurement in circuit '{circuit.name}': {who} measure only at the end")
    return measured


def register_sizes(circuit: QuantumCircuit) -> list[int]:
    """Sizes of the circuit's classical registers in order (one register of all clbits when it has none)."""
    return [register.size for register in circuit.cregs] or [circuit.num_clbits]


def counts_from_samples(samples: Any, wires: list[int], measured: dict[int, int], sizes: list[int]) -> dict[str, int]:
    """Qiskit-format counts: classical bit i is the i-th character from the right; registers split by spaces.

    Args:
        samples: Shots × ``len(wires)`` array of 0/1, column k the outcome of qubit ``wires[k]``.
        wires: The qubit of each column.
        measured: ``{clbit index: qubit}`` (see :func:`terminal_measurements`).
        sizes: The classical registers' sizes, first register first (see :func:`register_sizes`).
    """
    import numpy as np

    values = np.zeros(len(samples), dtype=np.int64)
    column = {qubit: k for k, qubit in enumerate(wires)}
    for clbit, qubit in measured.items():
        values |= samples[:, column[qubit]].astype(np.int64) << clbit
    width = sum(sizes)
    out: dict[str, int] = {}
    for value, number in zip(*np.unique(values, return_counts=True)):
        bits = format(int(value), f"0{width}b") if width else ""
        parts, end = [], width
        for size in sizes:
            parts.append(bits[end - size : end])
            end -= size
        out[" ".join(reversed(parts)) if len(sizes) > 1 else bits] = int(number)
    return out
