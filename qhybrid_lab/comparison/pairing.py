"""Whether two run records can be compared, which sweep points they share, and how each was mitigated."""

from __future__ import annotations

from typing import Any

from ..errors import NotComparable

__all__ = ["common_points", "comparability", "mitigation_label", "mitigation_setting", "mixed_mitigation"]


def _short(record: dict) -> str:
    return f"job {record['id'][:8]} ({(record.get('backend') or {}).get('name')})"


def _point_key(values: list[float]) -> tuple[float, ...]:
    return tuple(float(f"{float(v):.12g}") for v in values)


def _is_sweep(record: dict) -> bool:
    counts = (record.get("result") or {}).get("counts")
    return bool((record.get("parameters") or {}).get("names")) or isinstance(counts, list)


def _span(record: dict) -> str:
    params = record.get("parameters") or {}
    names, values = params.get("names") or [], params.get("values") or []
    if not names or not values:
        return f"{len((record.get('result') or {}).get('counts') or [])} points"
    ranges = ", ".join(
        f"{name} in [{min(row[i] for row in values):.4g}, {max(row[i] for row in values):.4g}]"
        for i, name in enumerate(names)
    )
    return f"{len(values)} point(s), {ranges}"


def common_points(ra: dict, rb: dict) -> list[dict[str, Any]] | None:
    """The sweep points both runs measured, in ``ra``'s order: ``[{"a": i, "b": j, "values": [...]}, ...]``.

    None when neither run is a sweep. Points match by parameter name and value (to 12 significant digits), so
    two sweeps of different grids are compared over the points they share only.

    Raises:
        NotComparable: one run is a sweep and the other is not, they sweep different parameters, or they share
            no point.
    """
    sa, sb = _is_sweep(ra), _is_sweep(rb)
    if not sa and not sb:
        return None
    if sa != sb:
        sweep, single = (ra, rb) if sa else (rb, ra)
        raise NotComparable(
            f"{_short(sweep)} is a sweep of {_span(sweep)} and {_short(single)} a single run: "
            "compare a sweep with a sweep of the same parameters, or two single runs"
        )
    pa, pb = ra.get("parameters") or {}, rb.get("parameters") or {}
    names_a, names_b = list(pa.get("names") or []), list(pb.get("names") or [])
    if not names_a and not names_b:  # sweeps recorded without parameter values: match by position
        counts_a = (ra.get("result") or {}).get("counts") or []
        counts_b = (rb.get("result") or {}).get("counts") or []
        return [{"a": i, "b": i, "values": []} for i in range(min(len(counts_a), len(counts_b)))]
    if sorted(names_a) != sorted(names_b):
        raise NotComparable(
            f"{_short(ra)} sweeps {', '.join(names_a) or 'nothing'} and {_short(rb)} sweeps "
            f"{', '.join(names_b) or 'nothing'}: compare sweeps of the same parameters"
        )
    order = [names_b.index(name) for name in names_a]
    where_b: dict[tuple[float, ...], int] = {}
    for j, row in enumerate(pb.get("values") or []):
        where_b.setdefault(_point_key([row[k] for k in order]), j)
    points = []
    for i, row in enumerate(pa.get("values") or []):
        at = where_b.get(_point_key(row))
        if at is not None:
            points.append({"a": i, "b": at, "values": [float(v) for v in row]})
    if not points:
        raise NotComparable(
            f"the sweeps share no parameter point: {_short(ra)} has {_span(ra)}, {_short(rb)} has "
            f"{_span(rb)}; run both over the same points"
        )
    return points


def comparability(ra: dict, rb: dict) -> list[dict[str, Any]] | None:
    """Check that two records can be compared; their common sweep points (None for single runs).

    Raises:
        NotComparable: the reason, naming both jobs: the same job twice, different circuits (by canonical hash),
            a sweep and a single run, sweeps of other parameters or without a common point.
    """
    if ra["id"] == rb["id"]:
        raise NotComparable(f"{_short(ra)} was picked twice: pick two different runs")
    ca, cb = ra.get("circuit") or {}, rb.get("circuit") or {}
    if not ca.get("hash") or ca.get("hash") != cb.get("hash"):
        raise NotComparable(
            f"jobs {ra['id'][:8]} and {rb['id'][:8]} ran different circuits ({ca.get('name')} vs {cb.get('name')}); "
            "compare runs of the same circuit (same circuit hash)"
        )
    return common_points(ra, rb)


def mitigation_setting(record: dict) -> tuple[str | None, str | None]:
    """What a run's mitigation was, as (method, library); (None, None) for none."""
    mitigation = record.get("mitigation") or {}
    return mitigation.get("method"), mitigation.get("library")


def mitigation_label(record: dict) -> str:
    """A run's mitigation in a few words: "none", "readout (mthree 3.0.0, qubits 0, 1; calibration 4000 shots)"."""
    mitigation = record.get("mitigation") or {}
    if not mitigation.get("method"):
        return "none"
    details = []
    if mitigation.get("library"):
        details.append(f"{mitigation['library']} {mitigation.get('version') or ''}".strip())
    if mitigation.get("qubits"):
        details.append("qubits " + ", ".join(str(q) for q in mitigation["qubits"]))
    shots = (mitigation.get("calibration") or {}).get("shots")
    if shots:
        details.append(f"calibration {shots} shots")
    return f"{mitigation['method']}" + (f" ({'; '.join(details)})" if details else "")


def mixed_mitigation(ra: dict, rb: dict) -> str | None:
    """A warning when the two runs were mitigated differently (None when alike)."""
    if mitigation_setting(ra) == mitigation_setting(rb):
        return None
    return (
        f"these runs mix mitigation settings: {_short(ra)} has {mitigation_label(ra)}, {_short(rb)} has "
        f"{mitigation_label(rb)}. Fidelity and TVD compare the raw counts of both; the mitigated comparison "
        "uses each run's mitigated distribution where it has one"
    )
