"""Observables: Pauli sums as recorded, qubit-wise-commuting measurement groups, and EVs from counts per group.

Everything here is a pure function of its arguments (no backend, no run log): the engine builds the basis-change
circuits with :func:`basis_circuit`, runs them, and hands the counts (or, after readout mitigation,
quasi-probabilities) of each group to :func:`expectation_values`.

Labels are Qiskit Pauli labels: little-endian, qubit 0 rightmost (``"IZZ"`` acts on qubits 0 and 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec, InvalidObservable

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

Terms = list[list[Any]]
"""``[[pauli_label, coeff], ...]`` with real coefficients."""


def _one(obj: Any, num_qubits: int, index: int) -> dict:
    from qiskit.quantum_info import Pauli, SparsePauliOp

    label = None
    if isinstance(obj, str):
        text = obj.strip()
        bad = sorted(set(text.upper()) - set("IXYZ"))
        if not text or bad:
            raise InvalidObservable(
                f"observable {index} {obj!r} is not a Pauli label: use the letters I, X, Y, Z "
                f"(qubit 0 rightmost){'; found ' + ', '.join(map(repr, bad)) if bad else ''}"
            )
        label, op = text.upper(), SparsePauliOp(text.upper())
    elif isinstance(obj, Pauli):
        op = SparsePauliOp(obj)
    elif isinstance(obj, SparsePauliOp):
        op = obj
    else:
        try:  # anything SparsePauliOp accepts as one operator (e.g. an Operator-free PauliList is refused below)
            from qiskit.quantum_info import SparseObservable

            if isinstance(obj, SparseObservable):
                op = SparsePauliOp.from_sparse_observable(obj)
            else:
                raise TypeError
        except (ImportError, TypeError):
            raise InvalidObservable(
                f"observable {index} is a {type(obj).__name__}; give a Pauli label ('ZZ'), a "
                f"qiskit Pauli or a SparsePauliOp"
            ) from None
    if op.num_qubits > num_qubits:
        raise InvalidObservable(
            f"observable {index} ({label or 'SparsePauliOp'}) acts on {op.num_qubits} qubits; "
            f"the circuit has {num_qubits}"
        )
    op = op.simplify(atol=1e-12)
    imaginary = max((abs(c.imag) for c in op.coeffs), default=0.0)
    if imaginary > 1e-9 * max(1.0, max(abs(c) for c in op.coeffs)):
        raise InvalidObservable(
            f"observable {index} ({label or 'SparsePauliOp'}) is not Hermitian (a coefficient "
            f"has imaginary part {imaginary:g}); its expectation value is not real"
        )
    pad = "I" * (num_qubits - op.num_qubits)
    terms = [[pad + p.to_label().lstrip("-i"), float(c.real) * _phase(p)] for p, c in zip(op.paulis, op.coeffs)]
    return {"label": label or _describe(terms), "terms": terms}


def _phase(pauli: Any) -> float:
    """The sign a Pauli's own phase (``-Z``) carries (``i`` phases are refused earlier as non-Hermitian)."""
    phase = int(pauli.phase) % 4
    return -1.0 if phase == 2 else 1.0


def _describe(terms: Terms) -> str:
    if len(terms) == 1 and terms[0][1] == 1.0:
        return str(terms[0][0])
    parts = [f"{c:+g}·{p}" for p, c in terms[:4]]
    return " ".join(parts) + (f" … ({len(terms)} terms)" if len(terms) > 4 else "")


def as_observables(obj: Any, num_qubits: int) -> list[dict]:
    """The record's ``observables``: one ``{"label", "terms"}`` per observable the user gave.

    Args:
        obj: a Pauli label, a ``Pauli``, a ``SparsePauliOp``, or a list/tuple of them (one EV each).
        num_qubits: the circuit's width; narrower observables act on the lowest qubits.

    Raises:
        InvalidObservable: a bad label, an observable wider than the circuit, a non-Hermitian one, nothing given.
    """
    items = list(obj) if isinstance(obj, (list, tuple)) else [obj]
    if not items:
        raise InvalidObservable("observables is empty; give at least one (e.g. 'ZZ')")
    return [_one(item, num_qubits, index) for index, item in enumerate(items)]


def _commutes_qubitwise(a: str, b: str) -> bool:
    return all(x == "I" or y == "I" or x == y for x, y in zip(a, b))


def measurement_groups(observables: Sequence[Mapping]) -> list[str]:
    """One measurement basis per qubit-wise-commuting group of all non-identity terms (``"XIZ"``: X on qubit 2 ...).

    Uses ``SparsePauliOp.group_commuting(qubit_wise=True)``; an identity-only observable needs no group.
    """
    from qiskit.quantum_info import SparsePauliOp

    labels = sorted({p for obs in observables for p, _ in obs["terms"] if set(p) != {"I"}})
    if not labels:
        return []
    bases = []
    for group in SparsePauliOp(labels).group_commuting(qubit_wise=True):
        basis = ["I"] * group.num_qubits
        for pauli in group.paulis:
            for i, letter in enumerate(pauli.to_label()):
                if letter != "I":
                    basis[i] = letter
        bases.append("".join(basis))
    return bases


def basis_circuit(circuit: QuantumCircuit, basis: str) -> QuantumCircuit:
    """``circuit`` without its final measurements, rotated into ``basis`` and measured on its non-identity qubits.

    The measurements go to a new register ``obs`` (its bits, qubit order, are the first word of each count key).
    """
    from qiskit import ClassicalRegister

    out = circuit.remove_final_measurements(inplace=False)
    qubits = [q for q, letter in enumerate(reversed(basis)) if letter != "I"]
    register = ClassicalRegister(len(qubits), "obs")
    out.add_register(register)
    for q in qubits:
        letter = basis[len(basis) - 1 - q]
        if letter == "X":
            out.h(q)
        elif letter == "Y":
            out.sdg(q)
            out.h(q)
    for bit, q in enumerate(qubits):
        out.measure(q, register[bit])
    out.name = f"{circuit.name}[{basis}]"
    return out


def final_qubits(transpiled: QuantumCircuit, num_qubits: int) -> list[int]:
    """The physical qubit each of the ``num_qubits`` logical qubits ends on in ``transpiled`` (layout and routing)."""
    if transpiled.layout is None:
        return list(range(num_qubits))
    return list(transpiled.layout.final_index_layout(filter_ancillas=True))[:num_qubits]


def basis_variant(transpiled: QuantumCircuit, basis: str, target: Any, num_qubits: int) -> QuantumCircuit:
    """The transpiled circuit measured in ``basis`` instead: its final measurements replaced by the basis change
    (translated to ``target``'s gates on the same physical qubits) and measurements into a register ``obs``.

    Every basis therefore runs on the layout and routing of the one transpiled circuit (same qubits, same noise).
    """
    from qiskit import ClassicalRegister, QuantumCircuit, transpile

    physical = final_qubits(transpiled, num_qubits)
    qubits = [q for q, letter in enumerate(reversed(basis)) if letter != "I"]
    out = transpiled.remove_final_measurements(inplace=False)
    rotation = QuantumCircuit(out.num_qubits)
    for q in qubits:
        letter = basis[len(basis) - 1 - q]
        if letter == "X":
            rotation.h(physical[q])
        elif letter == "Y":
            rotation.sdg(physical[q])
            rotation.h(physical[q])
    if rotation.size():
        if target is not None:
            # basis gates only (no coupling map): one-qubit gates need no routing, and the qubits stay as they are
            from qiskit.circuit.library.standard_gates import get_standard_gate_name_mapping

            gates = sorted(set(target.operation_names) & set(get_standard_gate_name_mapping()))
            rotation = transpile(rotation, basis_gates=gates, optimization_level=1, seed_transpiler=0)
        out.compose(rotation, qubits=list(range(out.num_qubits)), inplace=True)
    register = ClassicalRegister(len(qubits), "obs")
    out.add_register(register)
    for bit, q in enumerate(qubits):
        out.measure(physical[q], register[bit])
    out.name = f"{transpiled.name}[{basis}]"
    return out


def _assign(terms: Terms, bases: Sequence[str]) -> list[list[tuple[str, float]]]:
    """Each non-identity term in the first group whose basis covers it."""
    per_group: list[list[tuple[str, float]]] = [[] for _ in bases]
    for pauli, coeff in terms:
        if set(pauli) == {"I"}:
            continue
        for g, basis in enumerate(bases):
            if _commutes_qubitwise(pauli, basis) and all(p == "I" or p == b for p, b in zip(pauli, basis)):
                per_group[g].append((pauli, float(coeff)))
                break
        else:
            raise InvalidObservable(f"term {pauli} is measured in none of the bases {list(bases)}")
    return per_group


def _parity_masks(pauli: str, basis: str) -> list[int]:
    """Indices into the ``obs`` register (bit 0 = its lowest measured qubit) the term's parity is taken over."""
    qubits = [q for q, letter in enumerate(reversed(basis)) if letter != "I"]
    return [bit for bit, q in enumerate(qubits) if pauli[len(pauli) - 1 - q] != "I"]


def _group_estimate(
    terms: list[tuple[str, float]], basis: str, counts: Mapping[str, float], shots: int | None
) -> tuple[float, float]:
    """(mean, variance of the mean) of ``sum_j c_j P_j`` measured in ``basis`` from counts or quasi-probabilities."""
    if not terms:
        return 0.0, 0.0
    total = float(sum(counts.values()))
    if total == 0:
        raise InvalidJobSpec(f"no shots measured in basis {basis}")
    masks = [(coeff, _parity_masks(pauli, basis)) for pauli, coeff in terms]
    mean = second = 0.0
    for key, weight in counts.items():
        bits = str(key).split(" ")[0][::-1]  # the obs register; bit 0 first
        value = sum(c * (-1.0 if sum(bits[i] == "1" for i in idx) % 2 else 1.0) for c, idx in masks)
        p = float(weight) / total
        mean += p * value
        second += p * value * value
    n = shots if shots is not None else total
    return mean, max(second - mean * mean, 0.0) / n


def expectation_values(
    observables: Sequence[Mapping],
    bases: Sequence[str],
    group_counts: Sequence[Mapping[str, float]],
    *,
    shots: int | None = None,
) -> tuple[list[float], list[float]]:
    """Expectation values and standard errors of ``observables`` from the counts of each basis group.

    Args:
        observables: the record's ``observables`` (``{"label", "terms"}`` each).
        bases: :func:`measurement_groups` of them.
        group_counts: per basis, ``{bitstring: count}`` or quasi-probabilities (the first word of each key is the
            ``obs`` register of :func:`basis_circuit`).
        shots: the shots per group behind ``group_counts`` (default: their sum; give it for quasi-probabilities).

    Returns:
        (EVs, standard errors), one per observable; the variance is that of each group's estimator (the sample
        variance of ``sum_j c_j P_j`` over shots, divided by the shots), summed over groups.
    """
    if len(group_counts) != len(bases):
        raise InvalidJobSpec(f"{len(group_counts)} counts for {len(bases)} measurement bases")
    evs, stds = [], []
    for obs in observables:
        constant = sum(float(c) for p, c in obs["terms"] if set(p) == {"I"})
        mean, variance = constant, 0.0
        for basis, terms, counts in zip(bases, _assign(obs["terms"], bases), group_counts):
            m, v = _group_estimate(terms, basis, counts, shots)
            mean, variance = mean + m, variance + v
        evs.append(mean)
        stds.append(math.sqrt(variance))
    return evs, stds


def sparse_pauli_op(observable: Mapping) -> Any:
    """The ``SparsePauliOp`` of one recorded observable."""
    from qiskit.quantum_info import SparsePauliOp

    return SparsePauliOp([p for p, _ in observable["terms"]], [c for _, c in observable["terms"]])


def exact_expectation_values(circuit: QuantumCircuit, observables: Sequence[Mapping]) -> list[float]:
    """EVs of ``observables`` in the state ``circuit`` prepares (final measurements removed; must be bound)."""
    from qiskit.quantum_info import Statevector

    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return [float(state.expectation_value(sparse_pauli_op(obs)).real) for obs in observables]


def _is_pub(obj: Any) -> bool:
    from qiskit import QuantumCircuit

    return isinstance(obj, tuple) and len(obj) in (2, 3) and isinstance(obj[0], QuantumCircuit)


def split_pubs(obj: Any) -> list[tuple[Any, Any, Any]] | None:
    """Estimator-style PUBs as ``(circuit, observables, parameter_values or None)``, or None when ``obj`` is none.

    ``obj`` is one ``(circuit, observables)`` / ``(circuit, observables, parameter_values)`` tuple or a list of them.
    """
    if _is_pub(obj):
        items = [obj]
    elif isinstance(obj, list) and obj and all(_is_pub(x) for x in obj):
        items = obj
    else:
        return None
    return [(pub[0], pub[1], pub[2] if len(pub) == 3 else None) for pub in items]


def result_fields(
    observables: Sequence[Mapping],
    bases: Sequence[str],
    basis_counts: Sequence | None,
    *,
    shots: int,
    sweep: bool,
    exact_values: list | None = None,
) -> dict:
    """The record's ``result`` fields for observables: ``expectation_values``, ``standard_errors``, ``ev_method``
    and ``basis_counts`` (``{basis: counts}``, a list of counts per point for a sweep).

    ``exact_values`` (from :func:`exact_expectation_values`) wins when given: ``ev_method`` "exact", errors 0.0.
    """
    if exact_values is not None:
        zeros = [[0.0] * len(v) for v in exact_values] if sweep else [0.0] * len(exact_values)
        return {"expectation_values": exact_values, "standard_errors": zeros, "ev_method": "exact"}
    counts = list(basis_counts or [])
    out: dict[str, Any] = {"basis_counts": dict(zip(bases, counts)), "ev_method": "shots"}
    if not sweep:
        out["expectation_values"], out["standard_errors"] = expectation_values(observables, bases, counts, shots=shots)
        return out
    points = len(counts[0]) if counts else 0
    if not counts:
        raise InvalidJobSpec("a sweep of identity-only observables has no counts to count its points by")
    pairs = [expectation_values(observables, bases, [c[i] for c in counts], shots=shots) for i in range(points)]
    out["expectation_values"], out["standard_errors"] = [p[0] for p in pairs], [p[1] for p in pairs]
    return out


__all__ = [
    "InvalidObservable",
    "as_observables",
    "basis_circuit",
    "basis_variant",
    "final_qubits",
    "exact_expectation_values",
    "expectation_values",
    "measurement_groups",
    "result_fields",
    "sparse_pauli_op",
    "split_pubs",
]
