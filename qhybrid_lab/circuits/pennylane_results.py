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
        index = _index(key, qubits)
        out[index] = out.get(index, 0) + int(number)
    return out


def _moments(counts: dict[str, int], spec: dict[str, Any]) -> tuple[float, float]:
    outcomes, eigvals = _eigen_outcomes(counts, spec)
    shots = sum(outcomes.values())
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


def errors_from_counts(counts: dict[str, int], circuit_or_specs: Any) -> list[Any]:
    """The shot-noise standard error of each value :func:`values_from_counts` gives, in the same shape.

    ``expval``: ``sqrt(Var(eigenvalue) / shots)``; ``var``: the sample variance's, ``sqrt((mu4 - mu2**2) / shots)``
    (central moments); ``probs``: the binomial ``sqrt(p (1 - p) / shots)`` per entry; ``counts`` and ``sample``
    are the shots themselves (``None``).

    Example:
        >>> [round(e, 4) for e in errors_from_counts({"0": 750, "1": 250}, [{"type": "expval", "qubits": [0],
        ...                                                                  "eigvals": [1, -1]}])]
        [0.0274]
    """
    specs = circuit_or_specs if isinstance(circuit_or_specs, list) else measurement_specs(circuit_or_specs)
    errors: list[Any] = []
    for spec in specs:
        kind = spec["type"]
        if kind == "expval":
            _eigen_outcomes(counts, spec)  # the same refusals as its value (no eigenvalues, no shots)
            errors.append(_combined_error(counts, [spec], {0: 1.0}))
        elif kind == "var":
            outcomes, eigvals = _eigen_outcomes(counts, spec)
            shots = sum(outcomes.values())
            mean = sum(eigvals[i] * n for i, n in outcomes.items()) / shots
            mu2 = sum((eigvals[i] - mean) ** 2 * n for i, n in outcomes.items()) / shots
            mu4 = sum((eigvals[i] - mean) ** 4 * n for i, n in outcomes.items()) / shots
            errors.append((max(mu4 - mu2**2, 0.0) / shots) ** 0.5)
        elif kind == "probs":
            errors.append([(p * (1 - p) / _shots(counts)) ** 0.5 for p in probs_from_counts(counts, spec)])
        else:
            errors.append(None)
    return errors


def _shots(counts: dict[str, int]) -> int:
    shots = sum(int(n) for n in counts.values())
    if not shots:
        raise InvalidJobSpec("no shots in the counts")
    return shots


def _eigen_outcomes(counts: dict[str, int], spec: dict[str, Any]) -> tuple[dict[int, int], list[float]]:
    if spec.get("eigvals") is None:
        raise InvalidJobSpec(f"a {spec.get('type')} measurement has no observable eigenvalues to average")
    _shots(counts)  # raises without shots
    return _outcome_counts(counts, spec["qubits"]), spec["eigvals"]


def _combined_error(counts: dict[str, int], specs: list[dict[str, Any]], weights: dict[int, float]) -> float:
    """Standard error of ``sum_j w_j <O_j>`` over one circuit's expval measurements, measured on the same shots
    (their covariance counted): ``sqrt(Var(sum_j w_j o_j(shot)) / shots)``."""
    shots = _shots(counts)
    per_key: list[tuple[float, int]] = []
    for key, number in counts.items():
        value = sum(w * specs[j]["eigvals"][_index(key, specs[j]["qubits"])] for j, w in weights.items())
        per_key.append((value, int(number)))
    mean = sum(v * n for v, n in per_key) / shots
    return (sum((v - mean) ** 2 * n for v, n in per_key) / shots / shots) ** 0.5


def _index(key: str, qubits: list[int]) -> int:
    """The outcome index of a Qiskit counts key over ``qubits`` (classical bit i is the i-th character from the
    right; the first qubit is the most significant, as PennyLane orders outcomes)."""
    bits = key.replace(" ", "")
    index = 0
    for qubit in qubits:
        index = (index << 1) | (bits[-1 - qubit] == "1")
    return index


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


def _groups_of(table: dict[str, dict[str, Any]], stem: str) -> tuple[dict[str, Any], dict[str, list[tuple[int, Any]]]]:
    """Split ``{label: {backend: x}}`` into the labels that are not groups of ``stem`` (kept, in order) and
    ``{point: [(k, {backend: x}) per group k, in order]}`` (point ``""``, or ``"[i]"`` of a broadcast)."""
    kept: dict[str, Any] = {}
    groups: dict[str, dict[int, Any]] = {}
    for label, by_backend in table.items():
        match = SPLIT_LABEL.match(label)
        if match is None or match["stem"] != stem:
            kept[label] = by_backend
            continue
        groups.setdefault(match["point"] or "", {})[int(match["group"])] = by_backend
    return kept, {point: sorted(by_group.items()) for point, by_group in groups.items()}


def _whole(function: Any, parts: list[list[Any]]) -> list[Any]:
    """What the split tape returns, from each group's values (a value for a group of one measurement, else a tuple,
    as a PennyLane device gives them)."""
    whole = function([p[0] if len(p) == 1 else tuple(p) for p in parts])
    return list(whole) if isinstance(whole, tuple) else [whole]


def recombine(values: dict[str, dict[str, list[Any]]], stem: str, function: Any) -> dict[str, dict[str, list[Any]]]:
    """Replace the groups ``stem#k`` (``stem#k[i]`` per point) of a split tape by what the tape returns.

    ``function`` is the split's recombination (see :func:`~qhybrid_lab.circuits.pennylane.split_tape`).
    """
    out, groups = _groups_of(values, stem)
    for point, ordered in groups.items():
        for backend in sorted(set.intersection(*(set(g) for _, g in ordered))):
            whole = _whole(function, [g[backend] for _, g in ordered])
            out.setdefault(f"{stem}{point}", {})[backend] = [_plain(v) for v in whole]
    return out


def recombined_errors(counts: list[dict[str, int]], specs: list[list[dict[str, Any]]], function: Any) -> list[Any]:
    """Standard errors of what a split tape returns, from its groups' counts (one circuit per group).

    PennyLane's recombination is linear in the groups' ``expval``/``var`` values (a sum of terms with their
    coefficients, or a value passed through): each output's weight on each value is read by moving that value by 1.
    Terms measured on the same shots (one group) are combined per shot, so their covariance counts; groups are
    independent runs. ``probs`` passed through keep their own errors; ``counts``/``sample`` have none.
    """
    parts = [values_from_counts(c, sp) for c, sp in zip(counts, specs)]
    own = [errors_from_counts(c, sp) for c, sp in zip(counts, specs)]
    base = [_plain(v) for v in _whole(function, parts)]
    out: list[Any] = []
    for o, value in enumerate(base):
        if isinstance(value, float):
            weights: dict[int, dict[int, float]] = {}
            spread = 0.0  # var values' contributions (their own errors)
            for g, group_specs in enumerate(specs):
                for j, spec in enumerate(group_specs):
                    if spec["type"] not in ("expval", "var"):
                        continue
                    moved = [list(p) for p in parts]
                    moved[g][j] = parts[g][j] + 1.0
                    weight = float(_plain(_whole(function, moved)[o])) - value
                    if abs(weight) < 1e-12:
                        continue
                    if spec["type"] == "expval":
                        weights.setdefault(g, {})[j] = weight
                    else:
                        spread += (weight * own[g][j]) ** 2
            combined = sum(_combined_error(counts[g], specs[g], w) ** 2 for g, w in weights.items())
            out.append((combined + spread) ** 0.5)  # 0.0 for a constant (identity terms only)
        elif isinstance(value, list):
            same = [
                own[g][j]
                for g, group_specs in enumerate(specs)
                for j, spec in enumerate(group_specs)
                if spec["type"] == "probs" and parts[g][j] == value
            ]
            out.append(same[0] if same else None)
        else:
            out.append(None)
    return out


def _counts_by_label(
    group: Any, obj: Any, name: str | None
) -> tuple[Any, dict[str, dict[str, dict[str, int]]], dict[str, list[dict[str, Any]]]]:
    """The plan of ``obj``, ``{label: {backend: counts}}`` of its finished run (``label[i]`` per sweep point) and
    ``{label: measurement specs}`` for the same labels."""
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
    counts: dict[str, dict[str, dict[str, int]]] = {}
    label_specs: dict[str, list[dict[str, Any]]] = {}
    for label, by_backend in results.items():
        for backend, result in by_backend.items():
            points = (
                [(label, result)] if isinstance(result, dict) else [(f"{label}[{i}]", c) for i, c in enumerate(result)]
            )
            for point_label, point_counts in points:  # a sweep: one counts dict per point, in order
                counts.setdefault(point_label, {})[backend] = point_counts
                label_specs[point_label] = specs[label]
    return plan, counts, label_specs


def measurement_values(group: Any, obj: Any, name: str | None = None) -> dict[str, dict[str, list[Any]]]:
    """``{circuit: {backend: values}}`` for a finished run of ``obj`` (what was run, with the same ``name``).

    A sweep (a broadcast QNode or tape runs as one) gives one entry per point, ``name[i]`` in point order. A
    tape that ran as several circuits (a Hamiltonian, observables that do not commute qubit-wise) gives its values
    recombined, under its own name, as PennyLane's ``split_non_commuting`` does. :func:`measurement_errors` gives
    their standard errors in the same shape.

    Example:
        >>> group = run(bind(ansatz, thetas), ["aer", "pennylane:lightning.qubit"])  # doctest: +SKIP
        >>> measurement_values(group, bind(ansatz, thetas))["ansatz[0]"]["aer"]   # [<Z0 Z1>]  # doctest: +SKIP
    """
    plan, counts, specs = _counts_by_label(group, obj, name)
    out = {label: {b: values_from_counts(c, specs[label]) for b, c in bb.items()} for label, bb in counts.items()}
    if plan is None or plan.recombine is None:
        return out
    return recombine(out, plan.stem, plan.recombine)


def measurement_errors(group: Any, obj: Any, name: str | None = None) -> dict[str, dict[str, list[Any]]]:
    """The shot-noise standard errors of :func:`measurement_values`, in its shape: a float per ``expval``/``var``
    (a Hamiltonian's from all its terms, their covariance on shared shots included), a list per ``probs``, ``None``
    for ``counts``/``sample``.

    Example:
        >>> values, errors = measurement_values(group, energy), measurement_errors(group, energy)  # doctest: +SKIP
        >>> values["energy"]["aer"][0], errors["energy"]["aer"][0]   # <H> and its standard error  # doctest: +SKIP
    """
    plan, counts, specs = _counts_by_label(group, obj, name)
    if plan is None or plan.recombine is None:
        return {label: {b: errors_from_counts(c, specs[label]) for b, c in bb.items()} for label, bb in counts.items()}
    kept, groups = _groups_of(counts, plan.stem)
    out = {label: {b: errors_from_counts(c, specs[label]) for b, c in bb.items()} for label, bb in kept.items()}
    for point, ordered in groups.items():
        group_specs = [specs[f"{plan.stem}#{k}{point}"] for k, _ in ordered]
        for backend in sorted(set.intersection(*(set(g) for _, g in ordered))):
            group_counts = [g[backend] for _, g in ordered]
            out.setdefault(f"{plan.stem}{point}", {})[backend] = recombined_errors(
                group_counts, group_specs, plan.recombine
            )
    return out


def _expval_specs(circuit: Any) -> list[dict[str, Any]]:
    return [s for s in measurement_specs(circuit) if s["type"] == "expval"]


def recorded_observables(circuit: Any) -> list[dict[str, Any]] | None:
    """The run record's ``observables`` of a converted PennyLane circuit: one ``{"label", "terms", "measurement"}``
    per ``expval`` it answers, in its measurement order (``terms``: Pauli strings with coefficients, Qiskit's qubit
    order; None for an observable with no Pauli form). None for a circuit without expectation values."""
    specs = _expval_specs(circuit)
    if not specs:
        return None
    return [{"label": s["observable"], "terms": s.get("paulis"), "measurement": "expval"} for s in specs]


def expectation_fields(circuit: Any, counts: Any, sweep: bool) -> dict[str, Any] | None:
    """The record's ``result`` fields for a converted PennyLane circuit's ``expval`` measurements, from its counts:
    ``expectation_values`` and ``standard_errors`` (shot noise; one list per point for a sweep), ``ev_method``
    "shots". None for a circuit without expectation values. The values a split tape recombines (a Hamiltonian over
    several circuits) are each part's own; :func:`measurement_values` gives the whole."""
    specs = _expval_specs(circuit)
    if not specs:
        return None
    points = counts if sweep else [counts]
    values = [values_from_counts(c, specs) for c in points]
    errors = [errors_from_counts(c, specs) for c in points]
    return {
        "expectation_values": values if sweep else values[0],
        "standard_errors": errors if sweep else errors[0],
        "ev_method": "shots",
    }
