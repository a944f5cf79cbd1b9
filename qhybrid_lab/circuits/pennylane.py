"""PennyLane QNodes and tapes → Qiskit circuits through OpenQASM, with their measurements kept in the metadata."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, UnsupportedObject

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from .sweep import Sweep

METADATA_KEY = "pennylane"
"""Key of ``circuit.metadata`` holding what PennyLane asked for: ``wires``, ``measurements``, ``point``."""
SUPPORTED_MEASUREMENTS = {
    "ExpectationMP": "expval",
    "VarianceMP": "var",
    "ProbabilityMP": "probs",
    "CountsMP": "counts",
    "SampleMP": "sample",
}
"""PennyLane measurement classes that counts can answer, and their short names."""
_GPHASE = re.compile(r"^gphase\(([^)]*)\)\s*;\s*$", re.MULTILINE)
MID_CIRCUIT = {"MidMeasure": "qml.measure", "Conditional": "qml.cond", "PauliMeasure": "qml.pauli_measure"}
"""PennyLane operations of mid-circuit measurement and classical control, and the call that makes each: the
OpenQASM 2 conversion cannot express them."""


@dataclass(frozen=True)
class BoundQNode:
    """A QNode with the arguments to call it with: what :func:`bind` returns, runnable like a circuit."""

    qnode: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The QNode's function name."""
        return _qnode_name(self.qnode)


def bind(qnode: Any, *args: Any, **kwargs: Any) -> BoundQNode:
    """Give a QNode the arguments ``run()`` / ``%%qrun`` call it with.

    A QNode without required arguments runs as it is; one with arguments needs them, either bound here or
    through a tape (``qml.workflow.construct_tape(qnode)(x)``). Batched arguments (parameter broadcasting)
    run as ONE sweep (a parameterized template and the points' values); :func:`measurement_values` gives
    their results per point, ``<function>[i]``.

    Example:
        >>> group = run(bind(ansatz, thetas), "pennylane:lightning.qubit")  # doctest: +SKIP
    """
    if not _is_qnode(qnode):
        raise UnsupportedObject(f"bind() takes a PennyLane QNode, not {type_name(qnode)}")
    return BoundQNode(qnode, tuple(args), dict(kwargs))


def is_pennylane_object(obj: Any) -> bool:
    """Whether ``obj`` comes from PennyLane (checked by module name, so PennyLane is not imported)."""
    if isinstance(obj, BoundQNode):
        return True
    module = type(obj).__module__ or ""
    return module == "pennylane" or module.startswith("pennylane.")


def is_runnable_pennylane(obj: Any) -> bool:
    """Whether ``obj`` runs as it is: a :func:`bind` result, a tape, or a QNode without required arguments.

    Devices, operations and QNodes that still need their arguments are PennyLane objects but not runnable.
    """
    if isinstance(obj, BoundQNode):
        return True
    if not is_pennylane_object(obj):
        return False
    if _is_qnode(obj):
        return not _required_arguments(obj)
    import pennylane as qml

    return isinstance(obj, qml.tape.QuantumScript)


def pennylane_circuits(obj: Any, name: str | None = None, *, default: str = "tape") -> list[tuple[str, QuantumCircuit]]:
    """Convert a QNode (without required arguments), a :func:`bind` result or a tape to named circuits.

    Each circuit measures every wire (``measure q[i] -> c[i]``, wire order of the device, else of the
    tape) after the rotations that diagonalize the observables; ``circuit.metadata["pennylane"]`` keeps
    the measurements (see :func:`measurement_specs`). A tape no single measurement basis answers (a sum of
    terms, observables that do not commute qubit-wise) runs as one circuit per group of :func:`split_tape`,
    ``name#k``; :func:`~qhybrid_lab.circuits.pennylane_results.measurement_values` recombines them. A broadcast tape gives ONE
    :class:`~qhybrid_lab.circuits.sweep.Sweep` (a parameterized template and one row of values per point, in order).

    Args:
        obj: A PennyLane ``QNode``, ``BoundQNode`` or ``QuantumScript``/``QuantumTape``.
        name: Circuit name (the stem of ``name[i]`` for a broadcast); default the QNode's function name.
        default: The name of a tape when ``name`` is not given.

    Raises:
        UnsupportedObject: Another PennyLane object, a measurement counts cannot answer (``qml.state()``), or a
            tape PennyLane cannot split into measurement bases.
        InvalidJobSpec: A QNode called without its arguments, a failed conversion.
    """
    tape, wires, own = _tape_of(obj)
    stem = name or own or default
    _check_operations(tape, stem)
    _check_measurements(tape)
    split = split_tape(tape, stem)
    if split is None:
        return _tape_circuits(tape, wires, stem)
    return [pair for k, part in enumerate(split[0]) for pair in _tape_circuits(part, wires, f"{stem}#{k}")]


def _tape_circuits(tape: Any, wires: Any, stem: str) -> list[tuple[str, Any]]:
    """One tape of one measurement basis → its circuit, its sweep (a broadcast), or a circuit per point."""
    if tape.batch_size is None:
        return [(stem, _convert(tape, wires, stem, None))]
    sweep = broadcast_sweep(tape, wires, stem)
    if sweep is not None:
        return [(stem, sweep)]
    import pennylane as qml  # no angle varies over the points: one plain circuit per point

    points, _ = qml.transforms.broadcast_expand(tape)
    return [(f"{stem}[{i}]", _convert(point, wires, f"{stem}[{i}]", i)) for i, point in enumerate(points)]


def broadcast_sweep(tape: Any, wires: Any, name: str) -> Sweep | None:
    """A broadcast tape as ONE sweep: a parameterized template (its measurements in the metadata) and the points.

    Point ``i`` of the sweep is point ``i`` of the broadcast (see
    :func:`~qhybrid_lab.circuits.pennylane_broadcast.broadcast_template`); ``None`` when no gate angle varies.
    """
    from .pennylane_broadcast import broadcast_template
    from .sweep import Sweep

    template, values = broadcast_template(tape, wires, name)
    if not values:
        return None
    template.metadata = {
        METADATA_KEY: {
            "wires": [_label(w) for w in wires],
            "point": None,
            "points": tape.batch_size,
            "measurements": [_spec(mp, wires) for mp in tape.measurements],
        }
    }
    return Sweep(template, values, name=name)


def _is_qnode(obj: Any) -> bool:
    return type(obj).__name__ == "QNode" and is_pennylane_object(obj)


def type_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _qnode_name(qnode: Any) -> str:
    return getattr(getattr(qnode, "func", None), "__name__", None) or "qnode"


def _tape_of(obj: Any) -> tuple[Any, Any, str | None]:
    """``(tape, wires for the register, own name)`` of a QNode, a bound QNode or a tape."""
    import pennylane as qml

    if isinstance(obj, qml.tape.QuantumScript):
        return obj, obj.wires, None
    if isinstance(obj, BoundQNode):
        qnode, args, kwargs = obj.qnode, obj.args, obj.kwargs
    elif _is_qnode(obj):
        qnode, args, kwargs = obj, (), {}
        missing = _required_arguments(qnode)
        if missing:
            fname = _qnode_name(qnode)
            raise InvalidJobSpec(
                f"QNode '{fname}' needs its argument(s) {', '.join(missing)}; give them with "
                f"qhybrid_lab.circuits.pennylane.bind({fname}, ...) or run the tape "
                f"qml.workflow.construct_tape({fname})(...)"
            )
    else:
        raise UnsupportedObject(
            f"cannot run a PennyLane {type_name(obj)}: give a QNode, bind(qnode, *args) or a tape (QuantumScript)"
        )
    try:
        tape = qml.workflow.construct_tape(qnode)(*args, **kwargs)
    except TypeError as error:
        raise InvalidJobSpec(f"calling QNode '{_qnode_name(qnode)}' failed: {error}") from error
    device_wires = getattr(qnode.device, "wires", None)
    wires = device_wires if device_wires is not None else tape.wires
    return tape, wires, _qnode_name(qnode)


def _required_arguments(qnode: Any) -> list[str]:
    try:
        signature = inspect.signature(qnode.func)
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _check_operations(tape: Any, name: str) -> None:
    """Refuse mid-circuit measurements and classically controlled operations, naming them.

    Raises:
        UnsupportedObject: ``qml.measure`` / ``qml.cond`` / ``qml.pauli_measure`` in the tape.
    """
    found = []
    for op in tape.operations:
        call = MID_CIRCUIT.get(type(op).__name__)
        if call is not None:
            found.append(f"{call} ({op!r} on wire{'s' if len(op.wires) != 1 else ''} {', '.join(map(str, op.wires))})")
    if found:
        raise UnsupportedObject(
            f"PennyLane circuit '{name}' uses {'; '.join(dict.fromkeys(found))}: mid-circuit measurement and "
            "classical control cannot be converted to a Qiskit circuit (PennyLane's OpenQASM 2 export has no "
            "such operations). Write it as a Qiskit circuit (measure, if_test), which runs on aer and the device "
            "emulators, or run it on a PennyLane device directly"
        )


def _unconvertible(tape: Any, name: str, error: BaseException) -> UnsupportedObject:
    """The error for a tape PennyLane or Qiskit could not carry over, naming its unusual operations."""
    from .pennylane_broadcast import QISKIT_GATES

    unusual = sorted({op.name for op in tape.operations if op.name not in QISKIT_GATES})
    suspects = f" (its operations beyond the basic gates: {', '.join(unusual)})" if unusual else ""
    return UnsupportedObject(
        f"PennyLane circuit '{name}' could not be converted to a Qiskit circuit{suspects}: "
        f"{type(error).__name__}: {error}"
    )


def _check_measurements(tape: Any) -> None:
    """Refuse measurements counts cannot answer (``qml.state()``, a mid-circuit measurement value)."""
    if not tape.measurements:
        raise InvalidJobSpec("the PennyLane circuit measures nothing; return qml.expval(...), qml.probs(...) ...")
    for mp in tape.measurements:
        kind = type(mp).__name__
        if kind not in SUPPORTED_MEASUREMENTS:
            raise UnsupportedObject(
                f"{mp} cannot be estimated from measurement counts; qhybrid-lab runs "
                f"{', '.join(f'qml.{v}' for v in SUPPORTED_MEASUREMENTS.values())}"
            )
        if mp.mv is not None:
            raise UnsupportedObject(f"{mp} measures a mid-circuit measurement value; only final measurements run")


def _one_basis_conflict(tape: Any) -> str | None:
    """Why one computational-basis circuit cannot answer every measurement of ``tape`` (None when it can):
    a sum of terms, or two observables on shared wires that do not commute qubit-wise."""
    import pennylane as qml

    observables: list[Any] = []
    for mp in tape.measurements:
        if mp.obs is None:  # computational basis: the same as Z on each of its wires
            observables.extend(qml.PauliZ(w) for w in (mp.wires if len(mp.wires) else tape.wires))
            continue
        if isinstance(mp.obs, qml.ops.Sum) and not qml.pauli.is_pauli_word(mp.obs):
            return f"{mp} measures a sum of terms"
        observables.append(mp.obs)
    for i, first in enumerate(observables):
        for second in observables[i + 1 :]:
            if set(first.wires) & set(second.wires) and not _qubit_wise_commuting(first, second):
                return f"observables {first} and {second} act on the same wires and do not commute qubit-wise"
    return None


def split_tape(tape: Any, name: str) -> tuple[list[Any], Callable[[Any], Any]] | None:
    """The tapes (one measurement basis each) and the recombining function of a tape one circuit cannot measure.

    What PennyLane itself does (``qml.transforms.split_non_commuting`` with qubit-wise-commuting groups): sums
    of terms are split into their terms, the terms grouped into qubit-wise-commuting sets, and the function
    recombines the groups' results (with the coefficients) into what the original tape returns. ``None`` when one
    circuit measures everything. Group ``k`` runs as the circuit ``f"{name}#{k}"``.

    Raises:
        UnsupportedObject: PennyLane cannot split it (for example ``qml.var`` of a sum of non-commuting terms).
    """
    import pennylane as qml

    reason = _one_basis_conflict(tape)
    if reason is None:
        return None
    try:
        tapes, recombine = qml.transforms.split_non_commuting(tape, grouping_strategy="qwc")
    except (RuntimeError, ValueError, TypeError, NotImplementedError) as error:  # RuntimeError: var of a sum
        raise UnsupportedObject(
            f"PennyLane circuit '{name}': {reason}, and PennyLane cannot split it into "
            f"circuits of one measurement basis each: {type(error).__name__}: {error}"
        ) from error
    for part in tapes:
        left = _one_basis_conflict(part)
        if left is not None:
            raise UnsupportedObject(f"PennyLane circuit '{name}': {reason}; splitting it leaves {left}")
    return list(tapes), recombine


SPLIT_LABEL = re.compile(r"^(?P<stem>.*)#(?P<group>\d+)(?P<point>\[\d+\])?$")
"""Label of group ``k`` of a split tape (``name#k``), with the point suffix ``[i]`` of a broadcast."""


def _qubit_wise_commuting(first: Any, second: Any) -> bool:
    import pennylane as qml

    if qml.pauli.is_pauli_word(first) and qml.pauli.is_pauli_word(second):
        return bool(qml.pauli.are_pauli_words_qwc([first, second]))
    return qml.equal(first, second)


def _convert(tape: Any, wires: Any, name: str, point: int | None) -> QuantumCircuit:
    """One unbroadcast tape → a measured Qiskit circuit with the PennyLane measurements in its metadata."""
    import pennylane as qml
    from qiskit import QuantumCircuit

    from qiskit.qasm2 import QASM2ParseError

    try:
        qasm = qml.to_openqasm(tape, wires=wires, rotations=True, measure_all=True)
    except (ValueError, KeyError, NotImplementedError, qml.exceptions.DecompositionUndefinedError) as error:
        raise _unconvertible(tape, name, error) from error
    phase = sum(float(angle) for angle in _GPHASE.findall(qasm))  # QASM 2 has no gphase; counts ignore it
    try:
        circuit = QuantumCircuit.from_qasm_str(_GPHASE.sub("", qasm))
    except QASM2ParseError as error:
        raise _unconvertible(tape, name, error) from error
    circuit.global_phase -= phase
    circuit.name = name
    circuit.metadata = {
        METADATA_KEY: {
            "wires": [_label(w) for w in wires],
            "point": point,
            "measurements": [_spec(mp, wires) for mp in tape.measurements],
        }
    }
    return circuit


def _label(wire: Any) -> Any:
    return wire if isinstance(wire, (int, str)) else str(wire)


def _spec(mp: Any, wires: Any) -> dict[str, Any]:
    """A JSON-ready description of one measurement: type, observable, qubit indices, eigenvalues."""
    import numpy as np

    kind = SUPPORTED_MEASUREMENTS[type(mp).__name__]
    measured = mp.obs.wires if mp.obs is not None else (mp.wires if len(mp.wires) else wires)
    spec: dict[str, Any] = {
        "type": kind,
        "observable": None if mp.obs is None else str(mp.obs),
        "qubits": [wires.index(w) for w in measured],
        "eigvals": None,
    }
    if kind in ("expval", "var") or (mp.obs is not None and kind in ("sample", "counts")):
        spec["eigvals"] = [float(v) for v in np.real(np.asarray(mp.obs.eigvals()))]
    if kind in ("expval", "var"):
        spec["paulis"] = _pauli_terms(mp.obs, wires)
    return spec


def _pauli_terms(obs: Any, wires: Any) -> list[list[Any]] | None:
    """The observable as Pauli strings with real coefficients over the circuit's qubits, Qiskit's order (qubit 0
    rightmost: ``[["IZ", 0.5], ["XX", -1.0]]``), as the run record keeps observables; None when it has no Pauli form
    (a ``qml.Hermitian``, a projector)."""
    import pennylane as qml

    try:
        sentence = qml.pauli.pauli_sentence(obs)
    except (ValueError, TypeError, NotImplementedError):  # what pauli_sentence raises for a non-Pauli operator
        return None
    width = len(wires)
    terms: list[list[Any]] = []
    for word, coeff in sentence.items():
        label = ["I"] * width
        for wire, pauli in word.items():
            label[width - 1 - wires.index(wire)] = pauli
        terms.append(["".join(label), float(getattr(coeff, "real", coeff))])
    return terms or [["I" * width, 0.0]]


def measurement_specs(circuit: QuantumCircuit) -> list[dict[str, Any]]:
    """The PennyLane measurements a converted circuit answers (``[]`` for a plain Qiskit circuit)."""
    return list(((circuit.metadata or {}).get(METADATA_KEY) or {}).get("measurements", []))


@dataclass(frozen=True)
class MeasurementPlan:
    """What the circuits of one PennyLane object measure, read from its tape alone (no conversion)."""

    specs: dict[str, list[dict[str, Any]]]
    """``{label: specs}``: one entry, or one per group ``stem#k`` of a split tape."""
    stem: str
    """The object's label."""
    recombine: Callable[[Any], Any] | None = None
    """A split tape's recombination (see :func:`split_tape`); None when one circuit measures everything."""


def measurement_plan(obj: Any, name: str | None) -> MeasurementPlan | None:
    """The :class:`MeasurementPlan` of a runnable PennyLane object (its tape built and split once); None otherwise."""
    if not is_runnable_pennylane(obj):
        return None
    tape, wires, own = _tape_of(obj)
    stem = name or own or "tape"
    split = split_tape(tape, stem)
    if split is None:
        return MeasurementPlan({stem: [_spec(mp, wires) for mp in tape.measurements]}, stem)
    specs = {f"{stem}#{k}": [_spec(mp, wires) for mp in part.measurements] for k, part in enumerate(split[0])}
    return MeasurementPlan(specs, stem, split[1])
