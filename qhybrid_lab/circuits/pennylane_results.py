"""PennyLane's answers (expval, var, probs, counts) estimated from the counts of converted circuits."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidJobSpec
from .collect import as_circuits
from .pennylane import SPLIT_LABEL, measurement_plan, measurement_specs, type_name


def _outcome_counts(counts: dict[str, int], qubits: list[int]) -> dict[int, int]:
    """Counts of the outcome index over ``qubits`` (the first one most significant, as PennyLane orders them)."""
    out: dict[int, int] = {}
    for key, number in counts.items():
        bits = key.replace(" ", "")  # Qiskit keys: classical bit i is the i-th character from the right
        index = 0
        for qubit in qubits:
            index = (index << 1) | (bits[-1 - qubit] == "1")
        out[index] = out.get(index, 0) + int(number)
    return out


def _moments(counts: dict[str, int], spec: dict[str, Any]) -> tuple[float, float]:
    if spec.get("eigvals") is None:
        raise InvalidJobSpec(f"a {spec.get('type')} measurement has no observable eigenvalues to average")
    eigvals = spec["eigvals"]
    outcomes = _outcome_counts(counts, spec["qubits"])
    shots = sum(outcomes.values())
    if not shots:
        raise InvalidJobSpec("no shots in the counts")
    first = sum(eigvals[i] * n for i, n in outcomes.items()) / shots
    second = sum(eigvals[i] ** 2 * n for i, n in outcomes.items()) / shots
    return first, second


def expval_from_counts(counts: dict[str, int], spec: dict[str, Any]) -> float:
    """The expectation value of a measurement spec (see :func:`measurement_specs`) estimated from counts.

    Example:
        >>> expval_from_counts({"00": 600, "11": 400}, {"type": "expval", "qubits": [0], "eigvals": [1, -1]})
        0.2
    """
    return _moments(counts, spec)[0]


def var_from_counts(counts: dict[str, int], spec: dict[str, Any]) -> float:
    """The variance of the spec's observable estimated from counts."""
    first, second = _moments(counts, spec)
    return second - first**2


def probs_from_counts(counts: dict[str, int], spec: dict[str, Any]) -> list[float]:
    """Probabilities over the spec's qubits, in PennyLane's order (its first wire most significant)."""
    outcomes = _outcome_counts(counts, spec["qubits"])
    shots = sum(outcomes.values()) or 1
    return [outcomes.get(i, 0) / shots for i in range(2 ** len(spec["qubits"]))]


def values_from_counts(counts: dict[str, int], circuit_or_specs: Any) -> list[Any]:
    """What the PennyLane circuit returns (one value per measurement), estimated from a converted circuit's counts.

    ``expval``/``var`` give floats, ``probs`` a list, ``counts`` a dict over the measured qubits' bitstrings
    (PennyLane's order), ``sample`` the shots' values (a list of bit lists, or of eigenvalues for an observable) in
    outcome order: counts keep every shot's outcome but not the order the shots were taken in.
    """
    specs = circuit_or_specs if isinstance(circuit_or_specs, list) else measurement_specs(circuit_or_specs)
    values: list[Any] = []
    for spec in specs:
        kind = spec["type"]
        if kind == "expval":
            values.append(expval_from_counts(counts, spec))
        elif kind == "var":
            values.append(var_from_counts(counts, spec))
        elif kind == "probs":
            values.append(probs_from_counts(counts, spec))
        elif kind == "counts":
            width = len(spec["qubits"])
            values.append(
                {format(i, f"0{width}b"): n for i, n in sorted(_outcome_counts(counts, spec["qubits"]).items())}
            )
        else:
            values.append(sample_from_counts(counts, spec))
    return values


def sample_from_counts(counts: dict[str, int], spec: dict[str, Any]) -> list[Any]:
    """Every shot's outcome over the spec's qubits (bit lists), or its eigenvalue when the spec has an observable.

    Example:
        >>> sample_from_counts({"01": 2, "10": 1}, {"type": "sample", "qubits": [0, 1], "eigvals": None})
        [[0, 1], [1, 0], [1, 0]]
    """
    width = len(spec["qubits"])
    eigvals = spec.get("eigvals")
    shots: list[Any] = []
    for index, number in sorted(_outcome_counts(counts, spec["qubits"]).items()):
        if eigvals is not None:
            shots.extend([eigvals[index]] * number)
        else:
            shots.extend([int(b) for b in format(index, f"0{width}b")] for _ in range(number))
    return shots


def _plain(value: Any) -> Any:
    """A NumPy scalar or array from PennyLane's recombination as a float or a (nested) list."""
    import numpy as np

    if isinstance(value, dict):
        return value
    array = np.asarray(value)
    if array.dtype == object:
        return [_plain(v) for v in value]
    return array.tolist() if array.ndim else float(array)


def recombine(values: dict[str, dict[str, list[Any]]], stem: str, function: Any) -> dict[str, dict[str, list[Any]]]:
    """Replace the groups ``stem#k`` (``stem#k[i]`` per point) of a split tape by what the tape returns.

    ``function`` is the split's recombination (see :func:`~qhybrid_lab.circuits.pennylane.split_tape`): it takes
    one result per group, a value for a group of one measurement, else a tuple, as a PennyLane device gives them.
    """
    groups: dict[str, dict[int, dict[str, list[Any]]]] = {}
    out: dict[str, dict[str, list[Any]]] = {}
    for label, by_backend in values.items():
        match = SPLIT_LABEL.match(label)
        if match is None or match["stem"] != stem:
            out[label] = by_backend
            continue
        groups.setdefault(match["point"] or "", {})[int(match["group"])] = by_backend
    for point, by_group in groups.items():
        ordered = [by_group[k] for k in sorted(by_group)]
        backends = set.intersection(*(set(g) for g in ordered))
        for backend in sorted(backends):
            parts = [g[backend][0] if len(g[backend]) == 1 else tuple(g[backend]) for g in ordered]
            whole = function(parts)
            whole = list(whole) if isinstance(whole, tuple) else [whole]
            out.setdefault(f"{stem}{point}", {})[backend] = [_plain(v) for v in whole]
    return out


def measurement_values(group: Any, obj: Any, name: str | None = None) -> dict[str, dict[str, list[Any]]]:
    """``{circuit: {backend: values}}`` for a finished run of ``obj`` (what was run, with the same ``name``).

    A sweep (a broadcast QNode or tape runs as one) gives one entry per point, ``name[i]`` in point order. A
    tape that ran as several circuits (a Hamiltonian, observables that do not commute qubit-wise) gives its values
    recombined, under its own name, as PennyLane's ``split_non_commuting`` does.

    Example:
        >>> group = run(bind(ansatz, thetas), ["aer", "pennylane:lightning.qubit"])  # doctest: +SKIP
        >>> measurement_values(group, bind(ansatz, thetas))["ansatz[0]"]["aer"]   # [<Z0 Z1>]  # doctest: +SKIP
    """
    results = group.result()
    plan = measurement_plan(obj, name)
    specs = plan.specs if plan is not None else None
    if specs is None or not set(results) <= set(specs):
        specs = {label: measurement_specs(getattr(item, "circuit", item)) for label, item in as_circuits(obj, name)}
    missing = sorted(set(results) - set(specs))
    if missing:
        raise InvalidJobSpec(
            f"the group ran circuits {missing} that {type_name(obj)} does not produce; "
            "give the same object (and name) that was run"
        )
    out: dict[str, dict[str, list[Any]]] = {}
    for label, by_backend in results.items():
        for backend, counts in by_backend.items():
            if isinstance(counts, dict):
                out.setdefault(label, {})[backend] = values_from_counts(counts, specs[label])
                continue
            for point, point_counts in enumerate(counts):  # a sweep: one counts dict per point, in order
                out.setdefault(f"{label}[{point}]", {})[backend] = values_from_counts(point_counts, specs[label])
    if plan is None or plan.recombine is None:
        return out
    return recombine(out, plan.stem, plan.recombine)
