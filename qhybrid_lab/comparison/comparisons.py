"""Compare two runs of one circuit: fidelity and TVD with shot-noise intervals, expectation values, overheads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import InvalidJobSpec
from . import view
from .metrics import hellinger_fidelity, nearest_probabilities, total_variation_distance
from .noise import bonferroni_within, mean_interval, shot_noise
from .observables import expectation_deltas
from .pairing import comparability, mitigation_label, mixed_mitigation

__all__ = ["Comparison", "compare", "compare_records", "resolve_record", "run_summary"]


def resolve_record(obj: Any, *, log: Any = None) -> dict:
    """The run-log record behind a Job handle, a record dict or a job id (or unique prefix).

    A Job handle that has not finished is waited for, so ``compare(g[0], g[1])`` works right after submission.

    Raises:
        UnknownJob: the id is not in the run log.
        InvalidJobSpec: the object is none of the above.
    """
    if isinstance(obj, dict):
        if "id" not in obj or "circuit" not in obj:
            raise InvalidJobSpec("a record to compare needs 'id' and 'circuit' fields (a run-log record)")
        return obj
    if isinstance(obj, str):
        if log is None:
            from ..runlog import open_runlog

            log = open_runlog()
        return log.get(obj)
    if hasattr(obj, "record") and hasattr(obj, "done"):
        if not obj.done():
            obj.exception()  # waits; the record below says how it ended
        return obj.record
    raise InvalidJobSpec(
        f"cannot compare an object of type {type(obj).__name__}; pass a Job, a run-log record or a job id"
    )


def run_summary(record: dict) -> dict:
    """One run as the comparison views show it (JSON-serializable)."""
    backend = record.get("backend") or {}
    transpiled = record.get("transpile") or {}
    timings = record.get("timings") or {}
    cost = record.get("cost") or {}
    result = record.get("result") or {}
    return {
        "id": record["id"],
        "backend": backend.get("name"),
        "kind": backend.get("kind"),
        "status": str(record.get("status")),
        "created": record.get("created"),
        "shots": record.get("shots"),
        "depth": transpiled.get("depth"),
        "two_qubit": transpiled.get("two_qubit"),
        "total_seconds": timings.get("total"),
        "queue_seconds": timings.get("queue"),
        "run_seconds": timings.get("run"),
        "cost": cost.get("estimate"),
        "hardware_equivalent": cost.get("hardware_equivalent"),
        "currency": cost.get("currency", "USD"),
        "counts": result.get("counts"),
        "parameters": record.get("parameters"),
        "mitigation": mitigation_label(record),
        "mitigated": bool(result.get("mitigated")),
        "observables": [o.get("label") for o in record.get("observables") or []],
        "expectation_values": result.get("expectation_values"),
        "standard_errors": result.get("standard_errors"),
        "ev_method": result.get("ev_method"),
    }


def _overhead(a: float | int | None, b: float | int | None) -> tuple[float | None, float | None]:
    if a is None or b is None:
        return None, None
    return b - a, (b / a if a else None)


@dataclass(repr=False)
class Comparison:
    """Metrics of run ``b`` against run ``a`` (the reference) of the same circuit, with their shot noise."""

    circuit_hash: str
    circuit_name: str | None
    num_qubits: int | None
    a: dict
    """Summary of the reference run: id, backend, kind, shots, depth, two_qubit, timings, cost, counts, EVs."""
    b: dict
    hellinger_fidelity: float | None
    """Of the raw counts; for sweeps the mean over the points both runs measured."""
    total_variation_distance: float | None
    depth_overhead: float | None
    """Transpiled depth of b minus that of a."""
    depth_ratio: float | None
    two_qubit_overhead: float | None
    two_qubit_ratio: float | None
    hellinger_fidelity_interval: list[float] | None = None
    """95 % shot-noise interval (basic bootstrap) of the fidelity."""
    total_variation_distance_interval: list[float] | None = None
    within_shot_noise: bool | None = None
    """Whether the two distributions differ no more than shot noise explains (a test at α = 0.05; sweeps: every
    point at α / points). None when there are no counts to compare."""
    shot_noise: dict | None = None
    """:func:`qhybrid_lab.comparison.noise.shot_noise` of the pair (single runs), else a sweep's summary."""
    points: list[dict] | None = None
    """Sweeps: one entry per common point: a, b (indices), values, fidelity and TVD with intervals, p_value, within."""
    expectation_values: list[dict] = field(default_factory=list)
    """Per observable (and point): a ± se, b ± se, delta, combined_se, z, within_shot_noise."""
    mitigation: dict = field(default_factory=dict)
    """``{"a", "b"}`` labels, ``"mixed"``, and where a run is mitigated, the metrics of the mitigated distributions
    (``hellinger_fidelity``, ``total_variation_distance``, ``basis``) and mitigated ``expectation_values``."""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-serializable dict (what the REST API and ``qhybrid compare --json`` give)."""
        return asdict(self)

    def metrics(self) -> dict:
        """The metrics without the run summaries (no counts), for the pairs of :func:`comparison_groups`."""
        out = {
            key: value
            for key, value in self.as_dict().items()
            if key not in ("a", "b", "circuit_hash", "circuit_name", "num_qubits")
        }
        return {"a": self.a["id"], "b": self.b["id"], **out}

    rows = view.rows
    summary_rows = view.summary_rows
    __str__ = view.text
    __repr__ = view.text
    _repr_html_ = view.html


def _distribution(ra: dict, rb: dict, points: list[dict] | None) -> dict[str, Any]:
    ca, cb = ((r.get("result") or {}).get("counts") for r in (ra, rb))
    if ca is None or cb is None:  # compare_records asks only when both runs have counts
        raise ValueError("the distributions of two runs are compared only when both have counts")
    if points is None:
        noise = shot_noise(ca, cb)
        return {
            "hellinger_fidelity": noise["hellinger_fidelity"],
            "hellinger_fidelity_interval": noise["hellinger_fidelity_interval"],
            "total_variation_distance": noise["total_variation_distance"],
            "total_variation_distance_interval": noise["total_variation_distance_interval"],
            "within_shot_noise": noise["within"],
            "shot_noise": noise,
        }
    per_point = []
    for point in points:
        noise = shot_noise(ca[point["a"]], cb[point["b"]])
        per_point.append({**point, **noise})
    m = len(per_point)
    within = [p["within"] for p in per_point]
    return {
        "hellinger_fidelity": sum(p["hellinger_fidelity"] for p in per_point) / m,
        "hellinger_fidelity_interval": mean_interval(per_point, "hellinger_fidelity"),
        "total_variation_distance": sum(p["total_variation_distance"] for p in per_point) / m,
        "total_variation_distance_interval": mean_interval(per_point, "total_variation_distance"),
        "within_shot_noise": bonferroni_within([p["p_value"] for p in per_point]),
        "shot_noise": {
            "method": "bootstrap",
            "points": m,
            "points_within": sum(within),
            "test": "every point at alpha / points (Bonferroni)",
            "alpha": per_point[0]["alpha"],
            "confidence": per_point[0]["confidence"],
        },
        "points": per_point,
    }


def _mitigated_distribution(record: dict, point: int | None) -> tuple[dict | None, bool]:
    result = record.get("result") or {}
    quasi = (result.get("mitigated") or {}).get("quasi_probabilities")
    if quasi is not None:
        quasi = quasi[point] if point is not None and isinstance(quasi, list) else quasi
        return (nearest_probabilities(quasi) if quasi else None), True
    counts = result.get("counts")
    counts = counts[point] if point is not None and isinstance(counts, list) else counts
    return counts, False


def _mitigation(ra: dict, rb: dict, points: list[dict] | None, ev: dict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "a": mitigation_label(ra),
        "b": mitigation_label(rb),
        "mixed": mixed_mitigation(ra, rb) is not None,
    }
    if not any((r.get("result") or {}).get("mitigated") for r in (ra, rb)):
        return out
    fidelities, distances, basis = [], [], ("raw", "raw")
    for point in points if points is not None else [None]:
        pa, ma = _mitigated_distribution(ra, None if point is None else point["a"])
        pb, mb = _mitigated_distribution(rb, None if point is None else point["b"])
        basis = ("mitigated" if ma else "raw", "mitigated" if mb else "raw")
        if pa and pb:
            fidelities.append(hellinger_fidelity(pa, pb))
            distances.append(total_variation_distance(pa, pb))
    if fidelities:
        out["hellinger_fidelity"] = sum(fidelities) / len(fidelities)
        out["total_variation_distance"] = sum(distances) / len(distances)
        out["basis"] = f"a {basis[0]}, b {basis[1]}"
        out["note"] = (
            "no shot-noise interval for mitigated distributions: mitigation amplifies shot noise, "
            "so the raw intervals are lower bounds"
        )
    out["expectation_values"] = ev["mitigated"]
    return out


def compare_records(ra: dict, rb: dict) -> Comparison:
    """Compare two run-log records (``b`` against the reference ``a``).

    Raises:
        NotComparable: why the two runs cannot be compared.
    """
    points = comparability(ra, rb)
    a, b = run_summary(ra), run_summary(rb)
    notes = [
        f"job {run['id'][:8]} on {run['backend']} is {run['status']}: no counts to compare"
        for run in (a, b)
        if not run["counts"]
    ]
    distribution: dict[str, Any] = {}
    if a["counts"] and b["counts"]:
        distribution = _distribution(ra, rb, points)
    if points is not None and distribution:
        na, nb = (len(run["counts"]) for run in (a, b))
        noise = distribution["shot_noise"]
        notes.append(
            f"sweep: compared over the {len(points)} point(s) both runs measured (of {na} and {nb}); "
            f"fidelity and TVD are means over them; {noise['points_within']} of {len(points)} point(s) "
            "within shot noise"
        )
    ev = expectation_deltas(ra, rb, points)
    notes.extend(ev["notes"])
    warning = mixed_mitigation(ra, rb)
    depth_overhead, depth_ratio = _overhead(a["depth"], b["depth"])
    twoq_overhead, twoq_ratio = _overhead(a["two_qubit"], b["two_qubit"])
    circuit = ra.get("circuit") or {}
    return Comparison(
        circuit_hash=circuit["hash"],
        circuit_name=circuit.get("name"),
        num_qubits=circuit.get("num_qubits"),
        a=a,
        b=b,
        hellinger_fidelity=distribution.get("hellinger_fidelity"),
        total_variation_distance=distribution.get("total_variation_distance"),
        hellinger_fidelity_interval=distribution.get("hellinger_fidelity_interval"),
        total_variation_distance_interval=distribution.get("total_variation_distance_interval"),
        within_shot_noise=distribution.get("within_shot_noise"),
        shot_noise=distribution.get("shot_noise"),
        points=distribution.get("points"),
        depth_overhead=depth_overhead,
        depth_ratio=depth_ratio,
        two_qubit_overhead=twoq_overhead,
        two_qubit_ratio=twoq_ratio,
        expectation_values=ev["rows"],
        mitigation=_mitigation(ra, rb, points, ev),
        warnings=[warning] if warning else [],
        notes=notes,
    )


def compare(a: Any, b: Any, *, log: Any = None) -> Comparison:
    """Compare run ``b`` against the reference run ``a`` of the same circuit.

    Fidelity and TVD come with 95 % shot-noise intervals and a verdict on whether the runs differ more than
    shot noise explains; expectation values are compared in units of their combined standard error; sweeps are
    compared point by point over the points both measured; runs mitigated differently are flagged.

    Args:
        a: the reference: a Job handle, a run-log record, or a job id (unique prefix of ≥ 4 characters).
        b: the run to compare with it, likewise.
        log: the run log to resolve ids in (default: the default run log).

    Returns:
        A :class:`Comparison`; ``as_dict()`` is JSON-serializable and it renders as an HTML table.

    Raises:
        NotComparable: the two runs cannot be compared (the message says why: different circuits, a sweep and a
            single run, sweeps without a common point, the same job twice).
        InvalidJobSpec: an argument is not a job.
        UnknownJob: an id is not in the run log.

    Example:
        >>> g = qhybrid_lab.run(bell, ["aer", "fake_torino"], shots=2000, wait=True)  # doctest: +SKIP
        >>> c = qhybrid_lab.compare(g[0], g[1])  # doctest: +SKIP
        >>> c.hellinger_fidelity, c.hellinger_fidelity_interval, c.within_shot_noise  # doctest: +SKIP
        (0.93..., [0.92..., 0.95...], False)
    """
    return compare_records(resolve_record(a, log=log), resolve_record(b, log=log))
