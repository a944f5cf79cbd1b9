"""The run record's ``circuit`` field: identity (canonical hash), OpenQASM 3 where it can be written, QPY always."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .canonical import CANONICAL_FORM, circuit_hash, circuit_metrics
from .qpy_store import portable_qpy
from .serialize import qasm_or_reason

if TYPE_CHECKING:
    from qiskit import QuantumCircuit


def circuit_record(
    circuit: QuantumCircuit, put_blob: Callable[[bytes | str], str], *, inline_limit: int
) -> dict[str, Any]:
    """``hash``, ``hash_form``, widths, OpenQASM 3 (or why not), the QPY blob and metrics of ``circuit``.

    Args:
        circuit: The circuit as it is submitted (measured, named as the user knows it: QPY keeps the name).
        put_blob: Stores bytes or text content-addressed and returns its reference (``RunLog.put_blob``).
        inline_limit: OpenQASM text longer than this many bytes goes to a blob (``qasm_ref``).

    Returns:
        ``{"hash", "hash_form", "num_qubits", "num_clbits", "qasm", "qasm_unavailable", ["qasm_ref"], "qpy_ref",
        ["qpy_note" | "qpy_unavailable"], "depth", "size", "two_qubit", "ops"}``: ``qasm`` is ``None`` with a
        short reason in ``qasm_unavailable`` when Qiskit's exporter cannot write the circuit (or with
        ``qasm_ref`` when the text is long); ``qpy_ref`` is the blob ``qiskit.qpy.load`` reads the circuit back
        from (:func:`~qhybrid_lab.circuits.qpy_store.load_qpy`; plain ``qiskit.qpy.load`` reads it too).
    """
    fields: dict[str, Any] = {
        "hash": circuit_hash(circuit),
        "hash_form": CANONICAL_FORM,
        "num_qubits": circuit.num_qubits,
        "num_clbits": circuit.num_clbits,
    }
    qasm, reason = qasm_or_reason(circuit)
    if qasm is not None and len(qasm.encode("utf-8")) > inline_limit:
        fields["qasm"], fields["qasm_ref"] = None, put_blob(qasm)
    else:
        fields["qasm"] = qasm
    fields["qasm_unavailable"] = reason
    qpy, note = portable_qpy(circuit)
    fields["qpy_ref"] = put_blob(qpy) if qpy is not None else None
    if note is not None:
        fields["qpy_note" if qpy is not None else "qpy_unavailable"] = note
    metrics = circuit_metrics(circuit)
    fields.update({k: metrics[k] for k in ("depth", "size", "two_qubit", "ops")})
    return fields


__all__ = ["circuit_record"]
