"""Expectation values of two runs side by side: the difference in units of the combined standard error."""

from __future__ import annotations

import math
from typing import Any

from .noise import Z_CRITICAL

__all__ = ["expectation_deltas"]

EXACT_TOLERANCE = 1e-9
"""Two exact expectation values (standard error 0) agree when they differ by less than this (× the norm of the
observable's coefficients)."""


def _terms_key(observable: dict) -> tuple[tuple[str, float], ...]:
    merged: dict[str, float] = {}
    for pauli, coeff in observable.get("terms") or []:
        merged[str(pauli)] = merged.get(str(pauli), 0.0) + float(coeff)
    return tuple(sorted((p, float(f"{c:.12g}")) for p, c in merged.items() if c != 0.0))


def _values(part: dict | None, sweep_index: int | None) -> tuple[list | None, list | None]:
    if not part:
        return None, None
    evs, ses = part.get("expectation_values"), part.get("standard_errors")
    if evs is None:
        return None, None
    if sweep_index is not None:
        evs = evs[sweep_index] if sweep_index < len(evs) else None
        ses = ses[sweep_index] if ses is not None and sweep_index < len(ses) else None
    return evs, ses


def _row(
    label: str, index: tuple[int, int], a: float, sa: float, b: float, sb: float, scale: float, point: dict | None
) -> dict[str, Any]:
    delta = b - a
    combined = math.sqrt(sa**2 + sb**2)
    z = delta / combined if combined > 0 else None
    within = abs(z) <= Z_CRITICAL if z is not None else abs(delta) <= EXACT_TOLERANCE * max(1.0, scale)
    return {
        "label": label,
        "point": None if point is None else point.get("values"),
        "index": None if point is None else point["a"],
        "a": a,
        "a_se": sa,
        "b": b,
        "b_se": sb,
        "delta": delta,
        "combined_se": combined,
        "z": z,
        "within_shot_noise": bool(within),
        "observable": index,
    }


def _deltas(
    ra: dict, rb: dict, pairs: list[tuple[int, int, str, float]], points: list[dict] | None, key: str | None
) -> list[dict[str, Any]]:
    def part(record: dict) -> dict | None:
        result = record.get("result") or {}
        return result if key is None else result.get(key)

    rows = []
    for point in points if points is not None else [None]:
        ea, sa = _values(part(ra), None if point is None else point["a"])
        eb, sb = _values(part(rb), None if point is None else point["b"])
        if ea is None or eb is None:
            continue
        for i, j, label, scale in pairs:
            if i >= len(ea) or j >= len(eb) or ea[i] is None or eb[j] is None:
                continue
            se_a = float(sa[i]) if sa is not None and i < len(sa) and sa[i] is not None else 0.0
            se_b = float(sb[j]) if sb is not None and j < len(sb) and sb[j] is not None else 0.0
            rows.append(_row(label, (i, j), float(ea[i]), se_a, float(eb[j]), se_b, scale, point))
    return rows


def expectation_deltas(ra: dict, rb: dict, points: list[dict] | None) -> dict[str, Any]:
    """Expectation values of the observables both runs measured, compared per observable (and sweep point).

    Observables match by their Pauli terms and coefficients (labels may differ). Each row: ``{"label", "point"
    (the parameter values, sweeps only), "index", "a", "a_se", "b", "b_se", "delta" (b − a), "combined_se"
    (√(se_a² + se_b²)), "z" (delta / combined_se; None when both are exact), "within_shot_noise" (|z| ≤ 1.96, or
    equal within 1e-9 when both are exact)}``.

    Returns:
        ``{"rows": [...], "mitigated": [...] (the same over result["mitigated"], when both runs have it, or one
        has it and the other is raw), "methods": [ev_method a, b], "notes": [...]}``.
    """
    oa, ob = ra.get("observables") or [], rb.get("observables") or []
    out: dict[str, Any] = {
        "rows": [],
        "mitigated": [],
        "notes": [],
        "methods": [(ra.get("result") or {}).get("ev_method"), (rb.get("result") or {}).get("ev_method")],
    }
    if not oa and not ob:
        return out
    if not oa or not ob:
        which = ra if not oa else rb
        out["notes"].append(f"job {which['id'][:8]} measured no observables: expectation values are not compared")
        return out
    where_b: dict[tuple[tuple[str, float], ...], int] = {}
    for k, observable in enumerate(ob):
        where_b.setdefault(_terms_key(observable), k)
    pairs: list[tuple[int, int, str, float]] = []
    unmatched: list[str] = []
    for i, observable in enumerate(oa):
        j = where_b.get(_terms_key(observable))
        label = observable.get("label") or f"observable {i}"
        if j is None:
            unmatched.append(label)
            continue
        scale = sum(abs(float(c)) for _, c in observable.get("terms") or [])
        pairs.append((i, j, label, scale))
    if unmatched:
        out["notes"].append(f"observables measured only by job {ra['id'][:8]}: {', '.join(unmatched)} (not compared)")
    out["rows"] = _deltas(ra, rb, pairs, points, None)
    ma, mb = ((r.get("result") or {}).get("mitigated") for r in (ra, rb))
    if ma or mb:
        out["mitigated"] = _deltas_mixed(ra, rb, pairs, points, bool(ma), bool(mb))
    beyond = [r for r in out["rows"] if not r["within_shot_noise"]]
    if out["rows"]:
        out["notes"].append(
            f"expectation values: {len(out['rows']) - len(beyond)} of {len(out['rows'])} within shot noise "
            f"(|Δ| ≤ {Z_CRITICAL:.2f} combined standard errors)"
        )
    return out


def _deltas_mixed(ra: dict, rb: dict, pairs: list, points: list[dict] | None, ma: bool, mb: bool) -> list[dict]:
    """Mitigated expectation values where a run has them, raw ones where it has not."""

    def view(record: dict, mitigated: bool) -> dict:
        result = record.get("result") or {}
        return {**record, "result": {"x": result.get("mitigated") if mitigated else result}}

    return _deltas(view(ra, ma), view(rb, mb), pairs, points, "x")
