"""Canonical form and content hash of a circuit, for every instruction Qiskit can hold.

The hash identifies a circuit in the run log, so it must not depend on what a serializer can write: neither the
OpenQASM 3 exporter (which refuses non-unitary subroutines and more) nor QPY (whose bytes embed the generated
circuit name and the Qiskit version). :func:`canonical_form` walks the circuit itself:

* the header: qubit and clbit counts, the global phase, the registers (name and bit indices, in order) and the
  classical variables and stretches (input, captured, declared: name and type);
* the instructions in a canonical order: by ASAP layer of the circuit's DAG (qubits, clbits and variables are the
  wires), then by first wire. Instructions on disjoint wires appended in another order give the same form, as they
  give the same DAG (Qiskit's ``==``); anything that changes the DAG changes the form;
* per instruction: its qubit and clbit indices and its operation: a standard gate by name and parameters; measure,
  reset, barrier, delay (duration and unit), store; control flow by its condition or target and its blocks (each
  in canonical form); a controlled gate by its control count, control state and base gate; a
  ``PauliEvolutionGate`` by its operators, time and synthesis settings; gates described by their parameters
  (``UnitaryGate``'s matrix, ``DiagonalGate``, ``Isometry``, ``StatePreparation``, ...) by those; any other
  custom gate or instruction by its definition (recursively, names left out: ``to_gate()`` names them after a
  generated circuit name), else by its matrix, else (opaque) by name and parameters;
* values exactly: floats by their ``repr`` (``-0.0`` is ``0.0``), complex numbers by both parts, arrays by dtype,
  shape and a digest of their bytes, parameters and parameter expressions by their text (so by name).

The circuit's name, metadata, layout and instruction labels are not part of it.
"""

from __future__ import annotations

import hashlib
import numbers
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

CANONICAL_FORM = "qhybrid-canonical/1"
"""Version of the canonical form; part of what is hashed, recorded as the run record's ``circuit.hash_form``."""
NOT_GATES = frozenset({"barrier", "delay", "measure", "reset", "store"})
"""Instructions that are not counted as 2-qubit gates even when they span two qubits."""
BY_CONTENT: dict[str, tuple[str, ...]] = {
    "UnitaryGate": (),
    "DiagonalGate": (),
    "PermutationGate": (),
    "QFTGate": (),
    "PauliGate": (),
    "Initialize": (),
    "StatePreparation": ("_inverse", "_from_label", "_from_int"),
    "Isometry": ("num_ancillas_zero", "num_ancillas_dirty", "_epsilon"),  # its _inverse is a cache, not content
    "UCPauliRotGate": ("rot_axes",),
}
"""Qiskit library gates fully described by their parameters (and these attributes): hashed by them, not by their
definition (which is synthesized, seconds for an ``Isometry``)."""


def circuit_hash(circuit: QuantumCircuit) -> str:
    """``"sha256:<hex>"`` of the circuit's canonical form (see the module docstring).

    Equal circuits built separately hash equal; the circuit's name does not matter.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> a, b = QuantumCircuit(2), QuantumCircuit(2)
        >>> _ = a.h(0), a.x(1), b.x(1), b.h(0)      # the same circuit, appended in another order
        >>> circuit_hash(a) == circuit_hash(b)
        True
    """
    return "sha256:" + hashlib.sha256(canonical_form(circuit).encode("utf-8")).hexdigest()


def canonical_form(circuit: QuantumCircuit) -> str:
    """The canonical text of ``circuit`` that :func:`circuit_hash` hashes (a Python literal, versioned)."""
    return repr((CANONICAL_FORM, _Canonicalizer().circuit(circuit, header=True)))


@lru_cache(maxsize=1)
def _standard() -> dict[str, type]:
    from qiskit.circuit import Gate
    from qiskit.circuit.library import get_standard_gate_name_mapping

    return {name: gate.base_class for name, gate in get_standard_gate_name_mapping().items() if isinstance(gate, Gate)}


@lru_cache(maxsize=1)
def _classes() -> dict[str, Any]:
    from qiskit.circuit import (
        Barrier,
        ClassicalRegister,
        Clbit,
        ControlFlowOp,
        ControlledGate,
        Delay,
        Measure,
        ParameterExpression,
        QuantumCircuit,
        Reset,
        Store,
    )
    from qiskit.circuit.annotated_operation import AnnotatedOperation
    from qiskit.circuit.classical import expr
    from qiskit.circuit.library import PauliEvolutionGate

    return {
        "plain": (Measure, Reset, Barrier),
        "Delay": Delay,
        "Store": Store,
        "ControlFlowOp": ControlFlowOp,
        "ControlledGate": ControlledGate,
        "AnnotatedOperation": AnnotatedOperation,
        "PauliEvolutionGate": PauliEvolutionGate,
        "ParameterExpression": ParameterExpression,
        "QuantumCircuit": QuantumCircuit,
        "Clbit": Clbit,
        "ClassicalRegister": ClassicalRegister,
        "expr": expr,
    }


def _digest(form: Any) -> str:
    return hashlib.sha256(repr(form).encode("utf-8")).hexdigest()


class _Canonicalizer:
    """One walk: forms of circuits, operations, values and expressions (definitions memoized for this walk)."""

    def __init__(self) -> None:
        self.cls = _classes()
        self.standard = _standard()
        self._definitions: dict[int, tuple] = {}
        self._alive: list[Any] = []  # keeps memoized operations alive, so their ids are not reused in this walk

    # -- circuits ------------------------------------------------------------------------------------------------

    def circuit(self, circuit: QuantumCircuit, header: bool) -> tuple:
        """``(header, instructions)``; without ``header`` (definitions, blocks) registers are left out."""
        qubits = {bit: i for i, bit in enumerate(circuit.qubits)}
        clbits = {bit: i for i, bit in enumerate(circuit.clbits)}
        nq, nc = len(qubits), len(clbits)
        names = sorted({v.name for v in circuit.iter_vars()} | {s.name for s in circuit.iter_stretches()})
        var_wires = {name: nq + nc + i for i, name in enumerate(names)}
        last = [0] * (nq + nc + len(names))  # per wire: the layer of the last instruction on it
        qubit_of, clbit_of, value = qubits.__getitem__, clbits.__getitem__, self.value
        rows = []
        for instruction in circuit.data:
            q = tuple(map(qubit_of, instruction.qubits))
            c = tuple(map(clbit_of, instruction.clbits)) if instruction.clbits else ()
            if instruction.is_standard_gate():
                params = instruction.params
                form: tuple = (
                    (instruction.name, *[p + 0.0 if type(p) is float else value(p) for p in params])
                    if params
                    else (instruction.name,)
                )
                wires = q
            else:
                form, variables = self.operation(instruction.operation, clbits)
                wires = q + tuple(nq + i for i in c) + tuple(var_wires[v] for v in variables if v in var_wires)
            layer = 0
            for wire in wires:
                if last[wire] > layer:
                    layer = last[wire]
            layer += 1
            for wire in wires:
                last[wire] = layer
            rows.append((layer, min(wires) if wires else -1, form, q, c))
        rows.sort(key=lambda row: (row[0], row[1], repr(row[2]) if row[1] < 0 else ""))
        body = tuple((form, q, c) for _, _, form, q, c in rows)
        head: tuple = (nq, nc, self.value(circuit.global_phase), self.variables(circuit))
        if header:
            head += (
                tuple((r.name, tuple(qubits[b] for b in r)) for r in circuit.qregs),
                tuple((r.name, tuple(clbits[b] for b in r)) for r in circuit.cregs),
            )
        return head, body

    def variables(self, circuit: QuantumCircuit) -> tuple:
        out: list[tuple[str, ...]] = [("input", v.name, repr(v.type)) for v in circuit.iter_input_vars()]
        out += [("captured", v.name, repr(v.type)) for v in circuit.iter_captured_vars()]
        out += [("declared", v.name, repr(v.type)) for v in circuit.iter_declared_vars()]
        out += [("stretch", s.name) for s in circuit.iter_stretches()]
        return tuple(sorted(out))

    # -- operations ----------------------------------------------------------------------------------------------

    def operation(self, op: Any, clbits: dict) -> tuple[tuple, tuple[str, ...]]:
        """``(form, names of the variables it reads or writes)`` of one operation."""
        cls = self.cls
        name = op.name
        standard = self.standard.get(name)
        if standard is not None and getattr(op, "base_class", None) is standard:
            return (name, *map(self.value, op.params)), ()
        if isinstance(op, cls["plain"]):
            return (name,), ()
        if isinstance(op, cls["Delay"]):
            return ("Delay", self.value(op.params[0]), op.unit), self.names(op.params[0])
        if isinstance(op, cls["Store"]):
            return (
                ("Store", self.expr(op.lvalue, clbits), self.expr(op.rvalue, clbits)),
                self.names(op.lvalue) + self.names(op.rvalue),
            )
        if isinstance(op, cls["ControlFlowOp"]):
            return self.control_flow(op, clbits)
        if isinstance(op, cls["ControlledGate"]):
            base, _ = self.operation(op.base_gate, clbits)
            return ("controlled", op.num_ctrl_qubits, op.ctrl_state, base), ()
        if isinstance(op, cls["AnnotatedOperation"]):
            base, _ = self.operation(op.base_op, clbits)
            return ("annotated", base, tuple(repr(m) for m in op.modifiers)), ()
        return self.custom(op), ()

    def custom(self, op: Any) -> tuple:
        """A library gate by content, else a definition (memoized), else a matrix, else opaque."""
        kind = type(op)
        attributes = BY_CONTENT.get(kind.__name__)
        if attributes is not None and kind.__module__.startswith("qiskit."):
            return (
                kind.__name__,
                op.num_qubits,
                op.num_clbits,
                tuple(map(self.value, op.params)),
                tuple(self.value(getattr(op, a, None)) for a in attributes),
            )
        if isinstance(op, self.cls["PauliEvolutionGate"]):
            return self.pauli_evolution(op)
        known = self._definitions.get(id(op))
        if known is not None:
            return known
        num_qubits, num_clbits = getattr(op, "num_qubits", 0), getattr(op, "num_clbits", 0)
        definition = getattr(op, "definition", None)
        if definition is not None:
            form: tuple = ("definition", num_qubits, num_clbits, _digest(self.circuit(definition, header=False)))
        else:
            matrix = getattr(op, "__array__", None)
            form = (
                ("matrix", num_qubits, self.value(matrix(dtype=complex)))
                if matrix is not None
                else ("opaque", op.name, num_qubits, num_clbits, tuple(map(self.value, getattr(op, "params", ()))))
            )
        self._definitions[id(op)] = form
        self._alive.append(op)
        return form

    def pauli_evolution(self, op: Any) -> tuple:
        operators = op.operator if isinstance(op.operator, list) else [op.operator]
        terms = []
        for operator in operators:
            if hasattr(operator, "paulis"):  # SparsePauliOp
                terms.append(("paulis", tuple(operator.paulis.to_labels()), self.value(operator.coeffs)))
            else:  # SparseObservable
                terms.append(
                    (
                        "observable",
                        operator.num_qubits,
                        tuple((t, tuple(i), self.value(complex(c))) for t, i, c in operator.to_sparse_list()),
                    )
                )
        synthesis = op.synthesis
        settings = getattr(synthesis, "settings", {})
        return (
            "PauliEvolutionGate",
            tuple(terms),
            self.value(op.params[0]),
            type(synthesis).__qualname__,
            tuple(sorted((k, self.value(v)) for k, v in settings.items())),
        )

    def control_flow(self, op: Any, clbits: dict) -> tuple[tuple, tuple[str, ...]]:
        """If/else, while, for, switch, box, break and continue, with their blocks in canonical form."""
        name = op.name
        variables: list[str] = []
        for block in op.blocks:
            variables += [v.name for v in block.iter_captured_vars()]
            variables += [s.name for s in block.iter_captured_stretches()]
        blocks = tuple(self.circuit(block, header=False) for block in op.blocks)
        if name in ("if_else", "while_loop"):
            condition = op.condition
            variables += self.names(condition)
            form: tuple = (name, self.condition(condition, clbits), blocks)
        elif name == "for_loop":
            indexset, parameter, _ = op.params
            indices = (
                ("range", indexset.start, indexset.stop, indexset.step)
                if isinstance(indexset, range)
                else tuple(int(i) for i in indexset)
            )
            form = (name, indices, None if parameter is None else parameter.name, blocks)
        elif name == "switch_case":
            target = op.target
            variables += self.names(target)
            cases = tuple(
                tuple("default" if not isinstance(v, int) else v for v in values) for values, _ in op.cases_specifier()
            )
            form = (name, self.condition(target, clbits), cases, blocks)
        elif name == "box":
            form = (
                name,
                self.value(getattr(op, "duration", None)),
                getattr(op, "unit", None),
                tuple(repr(a) for a in getattr(op, "annotations", ())),
                blocks,
            )
        else:  # break_loop, continue_loop
            form = (name, blocks)
        return form, tuple(variables)

    def condition(self, condition: Any, clbits: dict) -> tuple:
        """A legacy ``(bit or register, value)`` condition, a switch target or a classical expression."""
        cls = self.cls
        if isinstance(condition, tuple):
            target, value = condition
            return ("legacy", self.condition(target, clbits), int(value))
        if isinstance(condition, cls["Clbit"]):
            return ("clbit", clbits[condition])
        if isinstance(condition, cls["ClassicalRegister"]):
            return ("creg", condition.name, tuple(clbits[b] for b in condition))
        return self.expr(condition, clbits)

    # -- values and expressions ------------------------------------------------------------------------------

    def value(self, value: Any) -> Any:
        """A parameter or attribute value as a literal that compares exactly."""
        kind = type(value)
        if kind is float:
            return value + 0.0
        if kind is int or kind is str or value is None or kind is bool:
            return value
        cls = self.cls
        if isinstance(value, cls["ParameterExpression"]):
            if not value.parameters:
                return self.value(value.numeric())
            return ("expression", str(value))
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value) + 0.0
        if isinstance(value, numbers.Complex):
            return ("complex", float(value.real) + 0.0, float(value.imag) + 0.0)
        if hasattr(value, "dtype") and hasattr(value, "shape"):  # numpy arrays, without importing numpy here
            import numpy as np

            array = np.ascontiguousarray(value)
            if array.dtype.kind in "fc":
                array = array + 0.0  # -0.0 → 0.0
            return ("array", array.dtype.str, array.shape, hashlib.sha256(array.tobytes()).hexdigest())
        if isinstance(value, (list, tuple)):
            return tuple(map(self.value, value))
        if isinstance(value, range):
            return ("range", value.start, value.stop, value.step)
        if isinstance(value, cls["QuantumCircuit"]):
            return ("circuit", self.circuit(value, header=False))
        if isinstance(value, cls["expr"].Expr):
            return self.expr(value, {})
        if hasattr(value, "num_qubits") and hasattr(value, "name"):  # an operation as a parameter
            return self.operation(value, {})[0]
        if hasattr(value, "data") and hasattr(value, "dims"):  # quantum_info objects (Statevector, Operator ...)
            return (kind.__qualname__, self.value(value.data))
        return (kind.__qualname__, repr(value))

    def expr(self, node: Any, clbits: dict) -> tuple:
        """A classical expression (``qiskit.circuit.classical.expr``) with bits as indices."""
        expr = self.cls["expr"]
        kind = repr(node.type)
        if isinstance(node, expr.Var):
            if node.standalone:
                return ("var", node.name, kind)
            return ("bit", self.condition(node.var, clbits), kind)
        if isinstance(node, expr.Value):
            return ("value", self.value(node.value) if isinstance(node.value, (int, float)) else repr(node.value), kind)
        if isinstance(node, expr.Unary):
            return ("unary", node.op.name, self.expr(node.operand, clbits), kind)
        if isinstance(node, expr.Binary):
            return ("binary", node.op.name, self.expr(node.left, clbits), self.expr(node.right, clbits), kind)
        if isinstance(node, expr.Cast):
            return ("cast", self.expr(node.operand, clbits), kind, node.implicit)
        if isinstance(node, expr.Index):
            return ("index", self.expr(node.target, clbits), self.expr(node.index, clbits), kind)
        if isinstance(node, expr.Stretch):
            return ("stretch", node.name)
        return (type(node).__qualname__, repr(node))

    def names(self, value: Any) -> tuple[str, ...]:
        """Names of the standalone variables and stretches an expression (or condition) uses."""
        if not isinstance(value, self.cls["expr"].Expr):
            return ()
        return tuple(
            sorted({v.name for v in self.cls["expr"].iter_identifiers(value) if getattr(v, "standalone", True)})
        )


def circuit_metrics(circuit: QuantumCircuit) -> dict[str, Any]:
    """``num_qubits``, ``depth``, ``size``, ``two_qubit`` (2-qubit gates, barriers excluded) and ``ops``."""
    two_qubit = sum(
        1
        for instruction in circuit.data
        if len(instruction.qubits) == 2 and instruction.operation.name not in NOT_GATES
    )
    return {
        "num_qubits": circuit.num_qubits,
        "depth": circuit.depth(),
        "size": circuit.size(),
        "two_qubit": two_qubit,
        "ops": {name: int(count) for name, count in circuit.count_ops().items()},
    }


__all__ = ["CANONICAL_FORM", "canonical_form", "circuit_hash", "circuit_metrics"]
