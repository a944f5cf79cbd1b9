"""Qiskit circuits as Amazon Braket OpenQASM 3 programs, and Braket measurements back as Qiskit counts.

Why a small emitter of our own, and not Qiskit's ``qasm3.dumps`` or qiskit-braket-provider's ``to_braket``: the
circuits arriving here are already transpiled for the backend's ``Target``, whose gates are exactly the Braket gates
of :data:`QISKIT_TO_BRAKET` (each the same unitary as its Qiskit gate, checked by the tests against Qiskit's own
matrices), so conversion is one line per instruction. Braket's dialect differs from Qiskit's exporter in ways a
text rewrite would have to patch: no ``include "stdgates.inc"`` (the service and the local simulator reject it),
Braket gate names (``cnot``, ``si``, ``v``, ``phaseshift``, ``prx``), results for one classical register only
(Qiskit declares one ``bit[]`` per register), and physical qubits as ``$k`` where a QPU's labels are not
``0..n-1`` (IQM Garnet counts from 1). qiskit-braket-provider would add qiskit-ionq and setuptools as
dependencies and its own transpilation step, which would make the depth and two-qubit counts recorded before
submission differ from what is sent.

The emitted program keeps everything needed to read its results in any process (the Jupyter server adopting a job
has only the task ARN): the classical bit each qubit is measured into (``c[k] = measure q[j];``) and a comment with
the Qiskit register sizes (``// qhybrid-lab registers: 2 1``), since Braket returns measurements per qubit in
``measuredQubits`` order, not per classical bit. Free parameters (sweeps) become OpenQASM ``input float`` values,
one per distinct gate-angle expression, with one value per point: a Braket program set runs them as one task.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, InvalidJobSpec
from .measurements import SKIPPED, counts_from_samples

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

QISKIT_TO_BRAKET: dict[str, str] = {
    "id": "i",
    "x": "x",
    "y": "y",
    "z": "z",
    "h": "h",
    "s": "s",
    "sdg": "si",
    "t": "t",
    "tdg": "ti",
    "sx": "v",
    "sxdg": "vi",
    "rx": "rx",
    "ry": "ry",
    "rz": "rz",
    "p": "phaseshift",
    "r": "prx",
    "u": "U",
    "cx": "cnot",
    "cy": "cy",
    "cz": "cz",
    "swap": "swap",
    "iswap": "iswap",
    "ecr": "ecr",
    "cp": "cphaseshift",
    "rxx": "xx",
    "ryy": "yy",
    "rzz": "zz",
    "ccx": "ccnot",
    "cswap": "cswap",
}
"""Qiskit gate name → the Braket OpenQASM gate with the same matrix (Braket's ``prx`` is Qiskit's ``r``)."""
BRAKET_TO_QISKIT: dict[str, str] = {braket: qiskit for qiskit, braket in QISKIT_TO_BRAKET.items()}

REGISTERS_COMMENT = "// qhybrid-lab registers:"
INPUT_PREFIX = "qh_p"
_MEASURE = re.compile(r"^c\[(\d+)\]\s*=\s*measure\s+(?:q\[(\d+)\]|\$(\d+))\s*;", re.M)
_BITS = re.compile(r"^bit\[(\d+)\]\s+c\s*;", re.M)


@dataclass(frozen=True)
class BraketProgram:
    """One circuit as a Braket OpenQASM program.

    Attributes:
        source: The OpenQASM 3 text.
        inputs: ``{input name: [value per point]}`` for a parameterized circuit, else ``None``.
        points: How many executions the program stands for (the length of every ``inputs`` list, or 1).
        qubits: The qubits it uses (compact indices ``0..k-1``, or the device's physical labels).
    """

    source: str
    inputs: dict[str, list[float]] | None
    points: int
    qubits: tuple[int, ...]

    def point_inputs(self, index: int) -> dict[str, float]:
        """The inputs of one point (empty for an unparameterized program)."""
        return {name: values[index] for name, values in (self.inputs or {}).items()}


def to_braket_program(
    circuit: QuantumCircuit, *, binds: dict | None = None, physical: list[int] | None = None
) -> BraketProgram:
    """The Braket program of a transpiled circuit.

    Args:
        circuit: Transpiled for a target whose gates are in :data:`QISKIT_TO_BRAKET`; measurements at the end.
        binds: ``{Parameter (or its name): [values...]}`` of a sweep (every point's value of every parameter).
        physical: For a QPU with a connectivity graph: the device label of each target qubit (``$label``);
            ``None`` for simulators (qubits declared as ``qubit[k] q`` over the used qubits only).

    Raises:
        BackendError: A gate outside the Braket gate set (transpile for the backend's target first),
            unbound parameters, or a non-finite angle.
    """
    from .measurements import terminal_measurements

    terminal_measurements(circuit, InvalidJobSpec, "Braket devices")
    used = sorted(
        {circuit.find_bit(q).index for inst in circuit.data if inst.operation.name not in SKIPPED for q in inst.qubits}
    )
    if physical is not None:
        names = {index: f"${physical[index]}" for index in used}
        labels = tuple(physical[index] for index in used)
    else:
        names = {index: f"q[{k}]" for k, index in enumerate(used)}
        labels = tuple(range(len(used)))
    inputs = _Inputs(circuit, binds)
    body: list[str] = []
    for inst in circuit.data:
        name = inst.operation.name
        if name in SKIPPED:
            continue
        qubits = [names[circuit.find_bit(q).index] for q in inst.qubits]
        if name == "measure":
            body.append(f"c[{circuit.find_bit(inst.clbits[0]).index}] = measure {qubits[0]};")
            continue
        gate = QISKIT_TO_BRAKET.get(name)
        if gate is None:
            raise BackendError(
                f"gate '{name}' of circuit '{circuit.name}' has no Braket equivalent; "
                "transpile for the backend's target first"
            )
        params = [inputs.angle(param) for param in inst.operation.params]
        args = f"({', '.join(params)})" if params else ""
        body.append(f"{gate}{args} {', '.join(qubits)};")
    sizes = [register.size for register in circuit.cregs] or [circuit.num_clbits]
    head = ["OPENQASM 3.0;", f"{REGISTERS_COMMENT} {' '.join(str(s) for s in sizes)}"]
    head += [f"input float {name};" for name in inputs.names]
    if circuit.num_clbits:
        head.append(f"bit[{circuit.num_clbits}] c;")
    if physical is None and used:
        head.append(f"qubit[{len(used)}] q;")
    return BraketProgram(
        source="\n".join(head + body) + "\n", inputs=inputs.values() or None, points=inputs.points, qubits=labels
    )


def programs_for(
    circuits: list[QuantumCircuit], parameter_binds: list[dict] | None, physical: list[int] | None = None
) -> list[BraketProgram]:
    """One Braket program per circuit (its sweep points as inputs)."""
    if parameter_binds is not None and len(parameter_binds) != len(circuits):
        raise InvalidJobSpec(f"{len(parameter_binds)} parameter_binds for {len(circuits)} circuits")
    return [
        to_braket_program(circuit, binds=parameter_binds[i] if parameter_binds else None, physical=physical)
        for i, circuit in enumerate(circuits)
    ]


class _Inputs:
    """The OpenQASM inputs of a sweep: one per distinct free angle expression, its value at every point."""

    def __init__(self, circuit: QuantumCircuit, binds: dict | None):
        self.circuit = circuit
        self.binds = {getattr(k, "name", k): list(v) for k, v in (binds or {}).items()}
        lengths = {len(v) for v in self.binds.values()}
        if len(lengths) > 1:
            raise InvalidJobSpec(
                f"parameter_binds of '{circuit.name}' give different numbers of values: {sorted(lengths)}"
            )
        self.points = lengths.pop() if lengths else 1
        self.names: list[str] = []
        self._values: dict[str, list[float]] = {}
        self._by_expression: dict[str, str] = {}

    def angle(self, param: Any) -> str:
        """The OpenQASM text of one gate parameter: a number, or the name of its input."""
        from qiskit.circuit import ParameterExpression

        if isinstance(param, ParameterExpression) and param.parameters:
            key = str(param)
            if key not in self._by_expression:
                missing = sorted(p.name for p in param.parameters if p.name not in self.binds)
                if missing:
                    raise BackendError(f"circuit '{self.circuit.name}' has parameters without values: {missing}")
                name = f"{INPUT_PREFIX}{len(self.names)}"
                self.names.append(name)
                self._by_expression[key] = name
                self._values[name] = [
                    _finite(param.bind({p: self.binds[p.name][i] for p in param.parameters}).numeric(), self.circuit)
                    for i in range(self.points)
                ]
            return self._by_expression[key]
        return repr(_finite(param, self.circuit))

    def values(self) -> dict[str, list[float]]:
        return dict(self._values)


def _finite(value: Any, circuit: QuantumCircuit) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise BackendError(f"circuit '{circuit.name}' has a non-finite gate angle {value!r}")
    return number


def read_measurements(source: str) -> tuple[dict[int, int], list[int]]:
    """``({clbit: qubit label}, register sizes)`` of a program: ours, or any single-register Braket program.

    A program without the registers comment (a task submitted outside qhybrid-lab) is read as one register of its
    ``bit[n] c`` (or of its measured qubits, in measurement order, when it measures into no ``c``).
    """
    measured = {int(clbit): int(logical or physical) for clbit, logical, physical in _MEASURE.findall(source)}
    for line in source.splitlines():
        if line.startswith(REGISTERS_COMMENT):
            return measured, [int(size) for size in line[len(REGISTERS_COMMENT) :].split()]
    bits = _BITS.search(source)
    width = int(bits.group(1)) if bits else len(measured)
    return measured, [width]


def counts_from_braket(measurements: Any, measured_qubits: list[int], source: str) -> dict[str, int]:
    """Qiskit-format counts of one Braket execution.

    Args:
        measurements: Shots × len(``measured_qubits``) 0/1 array (Braket's ``measurements``).
        measured_qubits: The qubit of each column, as Braket reports it.
        source: The program that ran (its ``c[k] = measure`` lines say which bit each qubit went to).
    """
    import numpy as np

    samples = np.asarray(measurements, dtype=np.int64).reshape(-1, len(measured_qubits))
    measured, sizes = read_measurements(source)
    if not measured:  # measured without naming bits: Braket's order is the clbit order
        measured = dict(enumerate(measured_qubits))
        sizes = [len(measured_qubits)]
    wires = [int(q) for q in measured_qubits]
    absent = sorted(set(measured.values()) - set(wires))
    if absent:
        raise BackendError(f"Braket returned no measurements of qubit(s) {absent} the program measures")
    return counts_from_samples(samples, wires, measured, sizes)


def results_of(outcome: Any, kind: Any) -> tuple[list[Any], float | None]:
    """``(ExecutionResults, execution ms)`` of a Braket task result: one per program and sweep point, in order.

    Args:
        outcome: A ``GateModelQuantumTaskResult`` (one program) or ``ProgramSetQuantumTaskResult``.
        kind: The backend's kind, recorded in the metadata.
    """
    from .base import ExecutionResult

    entries: list[tuple[Any, Any, str]] = []
    if hasattr(outcome, "measured_qubits"):
        entries.append((outcome.measurements, outcome.measured_qubits, outcome.additional_metadata.action.source))
        simulator = getattr(outcome.additional_metadata, "simulatorMetadata", None)
        execution_ms = float(simulator.executionDuration) if simulator is not None else None
    else:
        for program in outcome.entries:
            entries.extend((m.measurements, m.measured_qubits, program.program.source) for m in program.entries)
        execution_ms = None
    seconds = (execution_ms or 0.0) / 1000.0 / max(len(entries), 1)
    results = [
        ExecutionResult(
            counts=counts_from_braket(measurements, qubits, source),
            shots=len(measurements),
            seconds=seconds,
            metadata={"method": f"braket {kind}", "qubits_simulated": len(qubits), "noise": "the device's own"},
        )
        for measurements, qubits, source in entries
    ]
    return results, execution_ms
