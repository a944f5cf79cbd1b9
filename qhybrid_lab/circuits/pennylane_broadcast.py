"""A broadcast PennyLane tape → one parameterized Qiskit circuit (a sweep template) plus its table of values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, UnsupportedObject

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

QISKIT_GATES: dict[str, str] = {
    "Identity": "id",
    "PauliX": "x",
    "PauliY": "y",
    "PauliZ": "z",
    "Hadamard": "h",
    "S": "s",
    "Adjoint(S)": "sdg",
    "T": "t",
    "Adjoint(T)": "tdg",
    "SX": "sx",
    "Adjoint(SX)": "sxdg",
    "RX": "rx",
    "RY": "ry",
    "RZ": "rz",
    "PhaseShift": "p",
    "U3": "u",
    "CNOT": "cx",
    "CY": "cy",
    "CZ": "cz",
    "CH": "ch",
    "SWAP": "swap",
    "ISWAP": "iswap",
    "ECR": "ecr",
    "CRX": "crx",
    "CRY": "cry",
    "CRZ": "crz",
    "ControlledPhaseShift": "cp",
    "IsingXX": "rxx",
    "IsingYY": "ryy",
    "IsingZZ": "rzz",
    "Toffoli": "ccx",
    "CSWAP": "cswap",
}
"""PennyLane operation name → the ``QuantumCircuit`` method applying exactly that gate (same wire order)."""


def broadcast_template(tape: Any, wires: Any, name: str) -> tuple[QuantumCircuit, dict[Parameter, list[float]]]:
    """The circuit of a broadcast tape with one Qiskit ``Parameter`` per broadcast angle, and their values.

    The operations (then the rotations diagonalizing the observables) are decomposed by PennyLane into the gates
    of :data:`QISKIT_GATES`, with the broadcast kept, so every point's angles come from one decomposition instead of
    one OpenQASM round trip per point. Angles that do not vary over the points stay numbers; every wire of
    ``wires`` is measured into the classical bit of its index, as the OpenQASM conversion does.

    Args:
        tape: A PennyLane tape with ``batch_size`` set.
        wires: The register's wire order (qubit ``i`` is ``wires[i]``).
        name: The circuit's name.

    Returns:
        ``(template, {parameter: [value per point]})``; binding the values of point ``i`` gives the circuit of
        point ``i`` of ``qml.transforms.broadcast_expand(tape)``.

    Raises:
        UnsupportedObject: An operation PennyLane cannot decompose into those gates (e.g. a mid-circuit measurement).
        InvalidJobSpec: An angle broadcast over another number of points.
    """
    import numpy as np
    import pennylane as qml
    from pennylane.devices.preprocess import decompose
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    [numeric], _ = qml.transforms.convert_to_numpy_parameters(tape)
    script = qml.tape.QuantumScript(numeric.operations + numeric.diagonalizing_gates)
    targets = set(QISKIT_GATES) | {"GlobalPhase"}
    try:
        [flat], _ = decompose(
            script,
            target_gates=targets,
            stopping_condition=lambda op: op.name in targets,
            skip_initial_state_prep=False,
            name="qhybrid-lab",
            error=InvalidJobSpec,
        )
    except (InvalidJobSpec, qml.exceptions.DecompositionUndefinedError) as error:
        raise UnsupportedObject(f"PennyLane could not decompose '{name}' into Qiskit gates: {error}") from error
    points = tape.batch_size
    ops = flat.operations
    broadcast = sum(np.ndim(p) > 0 for op in ops for p in op.parameters)
    angles = iter(ParameterVector("θ", broadcast))
    circuit = QuantumCircuit(len(wires), len(wires), name=name)
    values: dict[Parameter, list[float]] = {}

    def angle(value: Any) -> Any:
        array = np.real_if_close(np.asarray(value))
        if array.ndim == 0:
            return float(array)
        if array.shape != (points,):
            raise InvalidJobSpec(f"'{name}': an angle broadcast over {array.shape} points, expected ({points},)")
        parameter = next(angles)
        values[parameter] = [float(v) for v in array]
        return parameter

    for op in ops:
        params = [angle(p) for p in op.parameters]
        if op.name == "GlobalPhase":  # PennyLane's GlobalPhase(φ) is exp(-iφ): Qiskit's phase -φ
            circuit.global_phase = circuit.global_phase - params[0]
            continue
        qubits = [wires.index(w) for w in op.wires]
        getattr(circuit, QISKIT_GATES[op.name])(*params, *qubits)
    for qubit in range(len(wires)):
        circuit.measure(qubit, qubit)
    return circuit, values
