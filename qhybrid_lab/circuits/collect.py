"""Collect the circuits a cell or call produced, with names, and make sure they measure something."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, NoCircuits, UnsupportedObject
from .pennylane import is_pennylane_object, is_runnable_pennylane, pennylane_circuits
from .sweep import Sweep

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

_AUTO_NAME = re.compile(r"circuit(-\d+)*")
"""Qiskit's generated names (``circuit-123``, ``circuit-12-4242`` in a subprocess) say nothing; such circuits
get a positional name."""


def _is_circuit(obj: Any) -> bool:
    from qiskit import QuantumCircuit

    return isinstance(obj, QuantumCircuit)


def _is_sweep(obj: Any) -> bool:
    """A :class:`~qhybrid_lab.circuits.sweep.Sweep` (checked by type name first, so qiskit is not imported)."""
    return isinstance(obj, Sweep)


def _unsupported(obj: Any, where: str = "") -> UnsupportedObject:
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
    return UnsupportedObject(
        f"cannot run an object of type {kind}{where}: give a qiskit QuantumCircuit, "
        "a PennyLane QNode or tape, or a list, tuple or dict of them"
    )


def own_name(circuit: QuantumCircuit | Sweep) -> str | None:
    """The name the user gave ``circuit`` (or a library circuit's own, like ``"QAOA"``), else ``None``.

    Qiskit generates names: ``circuit-<n>`` for an unnamed circuit, and ``<name>-<n>`` for a copy made by
    ``assign_parameters`` (``QAOA-45``, ``bell-7``): the generated suffix is dropped, so every iteration of an
    optimizer loop carries the name the user knows.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.circuit import Parameter
        >>> qc = QuantumCircuit(1, name="bell"); _ = qc.ry(Parameter("t"), 0)
        >>> own_name(qc.assign_parameters([0.5])), own_name(QuantumCircuit(1))
        ('bell', None)
    """
    if _is_sweep(circuit):
        return circuit.name or own_name(circuit.circuit)
    name = circuit.name
    base = getattr(circuit, "_base_name", None)  # Qiskit's name before its "-<instance>[-<pid>]" suffix
    if isinstance(base, str) and base and name != base and re.fullmatch(re.escape(base) + r"(-\d+)+", name or ""):
        name = base
    return None if not name or _AUTO_NAME.fullmatch(name) else name


def as_circuits(obj: Any, name: str | None = None) -> list[tuple[str, QuantumCircuit | Sweep]]:
    """Normalize what a cell produced into ``(name, circuit or sweep)`` pairs with unique names.

    Args:
        obj: A ``QuantumCircuit`` or ``Sweep``, or a list/tuple of them, or a dict ``{name: circuit}``. PennyLane
            QNodes (without required arguments), ``bind(qnode, *args)`` results and tapes are converted
            (:mod:`qhybrid_lab.circuits.pennylane`; a broadcast becomes ONE ``Sweep`` of a parameterized template);
            PennyLane is imported only for such objects.
        name: Name for a single circuit, or the stem of positional names (``name[0]``, ``name[1]``...)
            for a sequence. Defaults to each circuit's (sweep's) own name when it set one, else ``circuit``.

    Raises:
        NoCircuits: ``obj`` is an empty collection.
        UnsupportedObject: ``obj`` (or an element) is not a circuit; the message names its type.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> [n for n, _ in as_circuits({"bell": QuantumCircuit(2), "ghz": QuantumCircuit(3)})]
        ['bell', 'ghz']
    """
    if _is_circuit(obj) or _is_sweep(obj):
        return [(name or own_name(obj) or "circuit", obj)]
    if is_pennylane_object(obj):
        return _deduplicate(pennylane_circuits(obj, name))
    if isinstance(obj, Mapping):
        pairs = []
        for key, value in obj.items():
            if is_pennylane_object(value):
                pairs.extend(pennylane_circuits(value, str(key)))
                continue
            if not (_is_circuit(value) or _is_sweep(value)):
                raise _unsupported(value, f" (dict entry {key!r})")
            pairs.append((str(key), value))
    elif isinstance(obj, (list, tuple)):
        stem = name or "circuit"
        pairs = []
        for index, value in enumerate(obj):
            if is_pennylane_object(value):
                label = f"{stem}[{index}]"
                pairs.extend(pennylane_circuits(value, label if name else None, default=label))
                continue
            if not (_is_circuit(value) or _is_sweep(value)):
                raise _unsupported(value, f" (element {index})")
            own = None if name else own_name(value)
            pairs.append((own or f"{stem}[{index}]", value))
    else:
        raise _unsupported(obj)
    if not pairs:
        raise NoCircuits(f"the {type(obj).__name__} holds no circuits; nothing to run")
    return _deduplicate(pairs)


def _deduplicate(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    taken: set[str] = set()
    out = []
    for label, circuit in pairs:
        unique, suffix = label, 1
        while unique in taken:
            suffix += 1
            unique = f"{label}#{suffix}"
        taken.add(unique)
        out.append((unique, circuit))
    return out


def is_runnable(obj: Any) -> bool:
    """Whether ``obj`` runs by itself: a ``QuantumCircuit``, a ``Sweep``, a PennyLane tape, a :func:`bind` result
    or a QNode without required arguments (not a device, an operation, or a QNode that needs arguments).
    """
    return _is_circuit(obj) or _is_sweep(obj) or is_runnable_pennylane(obj)


def has_measurements(circuit: QuantumCircuit) -> bool:
    """Whether any instruction (control-flow blocks included) is a measurement."""
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            return True
        for block in getattr(instruction.operation, "blocks", ()):
            if has_measurements(block):
                return True
    return False


def ensure_measured(circuit: QuantumCircuit) -> tuple[QuantumCircuit, bool]:
    """``(circuit, False)`` if it measures something, else ``(copy with measure_all(), True)``."""
    if has_measurements(circuit):
        return circuit, False
    measured = circuit.copy()
    measured.measure_all()
    return measured, True


def runnables(
    obj: Any, name: str | None = None, parameter_values: Any = None
) -> list[tuple[str, QuantumCircuit, Sweep | None]]:
    """What a ``run()`` call runs: ``(name, circuit, sweep or None)`` per job, Sweeps next to plain circuits.

    Args:
        obj: What :func:`~qhybrid_lab.circuits.as_circuits` takes, where any element may also be a :class:`Sweep`.
        name: As for :func:`~qhybrid_lab.circuits.as_circuits`.
        parameter_values: Makes a single parameterized circuit a sweep (``run(qc, parameter_values=v)`` is
            ``run(Sweep(qc, v))``).

    Raises:
        InvalidJobSpec: ``parameter_values`` given with anything but one circuit, or a circuit with unbound
            parameters and no values.
        UnsupportedObject, NoCircuits: as :func:`~qhybrid_lab.circuits.as_circuits`.
    """
    if parameter_values is not None:
        if isinstance(obj, Sweep):
            raise InvalidJobSpec("give parameter values either in the Sweep or as parameter_values, not both")
        from qiskit import QuantumCircuit

        if not isinstance(obj, QuantumCircuit):
            raise InvalidJobSpec(
                "parameter_values needs a single parameterized QuantumCircuit; to sweep several "
                "circuits, give Sweep(circuit, values) objects instead"
            )
        obj = Sweep(obj, parameter_values)
    sweeps: dict[int, Sweep] = {}

    def stand_in(value: Any) -> Any:
        if not isinstance(value, Sweep):
            return value
        proxy = value.circuit.copy(name=value.name or value.circuit.name)  # its own identity, to find it again
        sweeps[id(proxy)] = value
        return proxy

    if isinstance(obj, Sweep):
        replaced: Any = stand_in(obj)
    elif isinstance(obj, Mapping):
        replaced = {key: stand_in(value) for key, value in obj.items()}
    elif isinstance(obj, (list, tuple)):
        replaced = [stand_in(value) for value in obj]
    else:
        replaced = obj
    out: list[tuple[str, Any, Sweep | None]] = []
    for label, circuit in as_circuits(replaced, name=name):
        if isinstance(circuit, Sweep):  # a broadcast PennyLane object converts to one sweep
            out.append((label, named(circuit.circuit, label), circuit))
            continue
        sweep = sweeps.get(id(circuit))
        if sweep is None and circuit.parameters:
            raise InvalidJobSpec(
                f"circuit '{label}' has unbound parameters ({', '.join(sorted(p.name for p in circuit.parameters))});"
                " assign them, or sweep them with run(circuit, parameter_values=...) or Sweep(circuit, values)"
            )
        out.append((label, named(sweep.circuit if sweep is not None else circuit, label), sweep))
    return out


def named(circuit: QuantumCircuit, label: str) -> QuantumCircuit:
    """``circuit`` named ``label`` (a copy when its name differs), so that every message, record and QPY blob of
    its job names it as the user knows it (the ``%%qrun`` variable, the dict key, its own name), never a generated
    ``circuit-<n>``. The copy shares the circuit's parameters, so a sweep's values still bind."""
    return circuit if circuit.name == label else circuit.copy(name=label)
