"""Distances between two outcome distributions: Hellinger fidelity, total variation distance, quasi-probabilities."""

from __future__ import annotations

import math

from ..errors import InvalidJobSpec

__all__ = ["hellinger_fidelity", "nearest_probabilities", "probabilities", "total_variation_distance"]


def probabilities(counts: dict[str, float]) -> dict[str, float]:
    """Counts (or weights) normalized to sum 1; register separators (spaces) in the keys are dropped.

    Raises:
        InvalidJobSpec: nothing was recorded (no shots).
    """
    total = sum(counts.values())
    if total <= 0:
        raise InvalidJobSpec("cannot compare an empty counts distribution (no shots recorded)")
    out: dict[str, float] = {}
    for key, value in counts.items():
        bits = key.replace(" ", "")
        out[bits] = out.get(bits, 0.0) + value / total
    return out


def hellinger_fidelity(p: dict[str, float], q: dict[str, float]) -> float:
    """Classical fidelity ``(Σ √(p_i q_i))²`` of two counts distributions (1 = identical, 0 = disjoint).

    Equals ``qiskit.quantum_info.hellinger_fidelity``. Counts are normalized first, so the shot totals
    may differ; register separators (spaces) in the keys are ignored.
    """
    pp, qq = probabilities(p), probabilities(q)
    overlap = sum(math.sqrt(value * qq[key]) for key, value in pp.items() if key in qq)
    return min(1.0, overlap**2)


def total_variation_distance(p: dict[str, float], q: dict[str, float]) -> float:
    """Total variation distance ``½ Σ |p_i − q_i|`` of two counts distributions (0 = identical, 1 = disjoint)."""
    pp, qq = probabilities(p), probabilities(q)
    return 0.5 * sum(abs(pp.get(key, 0.0) - qq.get(key, 0.0)) for key in set(pp) | set(qq))


def nearest_probabilities(quasi: dict[str, float]) -> dict[str, float]:
    """The probability distribution nearest (in the 2-norm) to a quasi-probability distribution.

    Readout mitigation (mthree) returns quasi-probabilities, which may be negative; distances are defined for
    probabilities. This is the projection of Smolin, Gambetta and Smith (PRL 108, 070502), as mthree's
    ``nearest_probability_distribution``: drop the most negative entries and spread their weight evenly.
    """
    total = sum(quasi.values())
    if not total > 0:
        raise InvalidJobSpec("cannot compare a quasi-probability distribution that sums to zero or less")
    items = sorted(((value / total, key) for key, value in quasi.items()), reverse=True)
    values = [v for v, _ in items]
    kept = len(values)
    accumulated = 0.0
    while kept > 0 and values[kept - 1] + accumulated / kept < 0:
        accumulated += values[kept - 1]
        kept -= 1
    share = accumulated / kept if kept else 0.0
    return {key: value + share for value, key in items[:kept] if value + share > 0}
