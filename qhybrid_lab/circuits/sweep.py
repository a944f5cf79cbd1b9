"""Parameter sweeps: one parameterized circuit and the points to run it at, as one job per backend."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, UnsupportedObject

if TYPE_CHECKING:
    from qiskit import QuantumCircuit


class Sweep:
    """A parameterized circuit and the parameter values to run it at: one job per backend, one batched execution.

    Args:
        circuit: A ``QuantumCircuit`` with at least one free parameter.
        values: Points × parameters, as a sequence of sequences or a 2-D array (columns in ``circuit.parameters``
            order); or a mapping ``{Parameter | parameter name: sequence of values}`` (one entry per parameter,
            all of one length). A circuit with a single parameter also takes a flat sequence of values.
        name: The job's circuit name (default: the circuit's own name).

    Raises:
        UnsupportedObject: ``circuit`` is not a ``QuantumCircuit``.
        InvalidJobSpec: The circuit has no parameters, a parameter is unknown or missing, rows are ragged, there
            are no points, or a value is not a finite real number.

    Example:
        >>> import numpy as np
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.circuit import Parameter
        >>> theta = Parameter("theta")
        >>> qc = QuantumCircuit(1); _ = qc.ry(theta, 0)
        >>> sweep = Sweep(qc, {theta: np.linspace(0, np.pi, 5)})
        >>> len(sweep), sweep.parameter_names
        (5, ['theta'])
    """

    def __init__(self, circuit: QuantumCircuit, values: Any, name: str | None = None) -> None:
        from qiskit import QuantumCircuit

        if not isinstance(circuit, QuantumCircuit):
            kind = f"{type(circuit).__module__}.{type(circuit).__qualname__}"
            raise UnsupportedObject(f"Sweep needs a qiskit QuantumCircuit with parameters, not {kind}")
        if name is not None and (not isinstance(name, str) or not name):
            raise InvalidJobSpec(f"Sweep name must be a non-empty string or None, not {name!r}")
        parameters = list(circuit.parameters)
        label = name or circuit.name
        if not parameters:
            raise InvalidJobSpec(f"circuit '{label}' has no parameters to sweep; run it without parameter_values")
        self.circuit = circuit
        self.name = name
        self.parameters = parameters
        """The circuit's parameters, in ``circuit.parameters`` order (the columns of :attr:`values`)."""
        self.parameter_names: list[str] = [p.name for p in parameters]
        self.values: list[list[float]] = _rows(values, parameters, label)

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return (
            f"<Sweep {self.name or self.circuit.name}: {len(self.values)} points over "
            f"{', '.join(self.parameter_names)}>"
        )

    def binds(self) -> dict[Any, list[float]]:
        """``{parameter: [value at each point]}``: the ``parameter_binds`` entry of this sweep's circuit."""
        return {p: [row[i] for row in self.values] for i, p in enumerate(self.parameters)}

    def bound(self, index: int) -> QuantumCircuit:
        """The circuit with the parameters of point ``index`` assigned."""
        return self.circuit.assign_parameters(dict(zip(self.parameters, self.values[index])))

    def as_record(self) -> dict[str, list]:
        """The run record's ``"parameters"`` field: ``{"names": [...], "values": [[...], ...]}``."""
        return {"names": list(self.parameter_names), "values": [list(row) for row in self.values]}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidJobSpec(f"{where} must be a real number, not {value!r} ({type(value).__name__})")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidJobSpec(f"{where} must be finite, not {number}")
    return number


def _sequence(obj: Any) -> list | None:
    """``obj`` as a list when it is a sequence or an array (not a string), else None."""
    if isinstance(obj, (str, bytes)):
        return None
    if hasattr(obj, "tolist") and hasattr(obj, "ndim"):  # numpy arrays, without importing numpy
        return obj.tolist() if obj.ndim > 0 else None
    if isinstance(obj, Sequence):
        return list(obj)
    return None


def _rows(values: Any, parameters: list, label: str) -> list[list[float]]:
    names = [p.name for p in parameters]
    if isinstance(values, Mapping):
        return _rows_from_mapping(values, parameters, label)
    rows = _sequence(values)
    if rows is None:
        raise InvalidJobSpec(
            f"parameter values of '{label}' must be points × parameters (a sequence of sequences "
            f"or a 2-D array) or a mapping {{parameter: values}}, not {type(values).__name__}"
        )
    if not rows:
        raise InvalidJobSpec(f"parameter values of '{label}' hold no points; give at least one")
    if len(parameters) == 1 and all(_sequence(row) is None for row in rows):
        rows = [[row] for row in rows]  # a flat sequence for a one-parameter circuit
    out = []
    for index, row in enumerate(rows):
        items = _sequence(row)
        if items is None:
            raise InvalidJobSpec(
                f"point {index} of '{label}' must be a sequence of {len(names)} values "
                f"({', '.join(names)}), not {row!r}"
            )
        if len(items) != len(names):
            raise InvalidJobSpec(
                f"point {index} of '{label}' has {len(items)} values; the circuit has "
                f"{len(names)} parameters ({', '.join(names)})"
            )
        out.append([_number(v, f"value {j} ({names[j]}) of point {index}") for j, v in enumerate(items)])
    return out


def _rows_from_mapping(values: Mapping, parameters: list, label: str) -> list[list[float]]:
    by_name = {p.name: p for p in parameters}
    columns: dict[str, list] = {}
    for key, column in values.items():
        pname = key if isinstance(key, str) else getattr(key, "name", None)
        if pname is None or pname not in by_name or (not isinstance(key, str) and key != by_name[pname]):
            raise InvalidJobSpec(f"'{label}' has no parameter {key!r}; its parameters are {', '.join(by_name)}")
        if pname in columns:
            raise InvalidJobSpec(f"parameter {pname!r} of '{label}' is given twice")
        items = _sequence(column)
        if items is None:
            raise InvalidJobSpec(f"values of parameter {pname!r} must be a sequence, not {column!r}")
        columns[pname] = items
    missing = [n for n in by_name if n not in columns]
    if missing:
        raise InvalidJobSpec(f"no values for parameter(s) {', '.join(missing)} of '{label}'")
    lengths = {n: len(c) for n, c in columns.items()}
    if len(set(lengths.values())) != 1:
        raise InvalidJobSpec(f"parameters of '{label}' have different numbers of values: {lengths}")
    count = next(iter(lengths.values()))
    if count == 0:
        raise InvalidJobSpec(f"parameter values of '{label}' hold no points; give at least one")
    names = list(by_name)
    return [[_number(columns[n][i], f"value {i} of parameter {n!r}") for n in names] for i in range(count)]


__all__ = ["Sweep"]
