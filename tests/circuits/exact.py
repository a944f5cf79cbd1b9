"""Exact outcome distributions of small circuits, mid-circuit measurements, resets and classical control included.

A branching simulation: each branch is (probability, statevector, classical bits). Gates evolve every branch by the
gate's operator; a measurement splits a branch into its two outcomes with their exact probabilities (projections);
a reset is a measurement followed by X on outcome 1, with the outcome forgotten; ``if_else`` / ``switch_case`` /
``for_loop`` apply their blocks branch by branch. A ``PauliEvolutionGate`` counts as its definition (the Lie-Trotter
product the transpiler synthesizes and every backend runs); its matrix, ``exp(-iHt)``, differs for non-commuting terms. Nothing is sampled, so the result is the exact distribution of the
circuit's classical bits (Qiskit's key format: registers separated by spaces, most significant bit first).
"""

from __future__ import annotations

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.circuit import Clbit, Gate
from qiskit.quantum_info import Operator, Statevector

PROJECTORS = (Operator(np.diag([1.0, 0.0])), Operator(np.diag([0.0, 1.0])))
X = Operator(np.array([[0.0, 1.0], [1.0, 0.0]]))
CUTOFF = 1e-14


def exact_counts_distribution(circuit: QuantumCircuit) -> dict[str, float]:
    """``{counts key: probability}`` of ``circuit`` (every outcome of non-zero probability)."""
    branches = [(1.0, Statevector.from_int(0, 2**circuit.num_qubits), [0] * circuit.num_clbits)]
    qubits = list(range(circuit.num_qubits))
    clbits = list(range(circuit.num_clbits))
    branches = _apply(circuit, qubits, clbits, branches)
    out: dict[str, float] = {}
    for probability, _, bits in branches:
        key = _key(circuit, bits)
        out[key] = out.get(key, 0.0) + probability
    return {k: p for k, p in out.items() if p > CUTOFF}


def _key(circuit: QuantumCircuit, bits: list[int]) -> str:
    if not circuit.cregs:
        return "".join(str(b) for b in reversed(bits))
    parts = []
    for register in reversed(circuit.cregs):
        parts.append("".join(str(bits[circuit.find_bit(b).index]) for b in reversed(register)))
    return " ".join(parts)


def _value(circuit: QuantumCircuit, target, bits: list[int], clbits: list[int]) -> int:
    """The value of a Clbit or ClassicalRegister (of ``circuit``) in a branch."""
    if isinstance(target, Clbit):
        return bits[clbits[circuit.find_bit(target).index]]
    if isinstance(target, ClassicalRegister):
        return sum(bits[clbits[circuit.find_bit(b).index]] << i for i, b in enumerate(target))
    raise NotImplementedError(f"exact simulation of condition {target!r}")


def _apply(circuit: QuantumCircuit, qubits: list[int], clbits: list[int], branches: list) -> list:
    for instruction in circuit.data:
        name = instruction.operation.name
        q = [qubits[circuit.find_bit(b).index] for b in instruction.qubits]
        c = [clbits[circuit.find_bit(b).index] for b in instruction.clbits]
        operation = instruction.operation
        if name in ("barrier", "delay"):
            continue
        if name in ("measure", "reset"):
            split = []
            for probability, state, bits in branches:
                for outcome in (0, 1):
                    projected = state.evolve(PROJECTORS[outcome], [q[0]])
                    weight = float(np.real(np.vdot(projected.data, projected.data)))
                    if weight * probability <= CUTOFF:
                        continue
                    new_state = Statevector(projected.data / np.sqrt(weight))
                    new_bits = list(bits)
                    if name == "measure":
                        new_bits[c[0]] = outcome
                    elif outcome:
                        new_state = new_state.evolve(X, [q[0]])
                    split.append((probability * weight, new_state, new_bits))
            branches = split
        elif name == "if_else":
            target, expected = operation.condition
            true_body, false_body = operation.params
            out = []
            for branch in branches:
                body = true_body if _value(circuit, target, branch[2], clbits) == expected else false_body
                out += [branch] if body is None else _apply(body, q, c, [branch])
            branches = out
        elif name == "switch_case":
            out = []
            for branch in branches:
                value = _value(circuit, operation.target, branch[2], clbits)
                body = next((b for values, b in operation.cases_specifier()
                             if value in values or any(not isinstance(v, int) for v in values)), None)
                out += [branch] if body is None else _apply(body, q, c, [branch])
            branches = out
        elif name == "for_loop":
            indexset, parameter, body = operation.params
            for index in indexset:
                bound = body.assign_parameters({parameter: index}) if parameter is not None else body
                branches = _apply(bound, q, c, branches)
        elif not isinstance(operation, Gate) and operation.definition is not None:
            branches = _apply(operation.definition, q, c, branches)  # a non-unitary sub-circuit (Initialize ...)
        else:  # a PauliEvolutionGate by its definition: the product formula every backend runs, not exp(-iHt)
            gate = Operator(operation.definition if name == "PauliEvolution" else operation)
            branches = [(p, state.evolve(gate, q), bits) for p, state, bits in branches]
    return branches
