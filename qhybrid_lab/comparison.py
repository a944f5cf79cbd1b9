"""Compare runs of one circuit across backends: fidelity, distance, transpilation overhead, latency, cost."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import InvalidJobSpec
from .status import JobStatus

__all__ = [
    "Comparison",
    "compare",
    "comparison_groups",
    "hellinger_fidelity",
    "resolve_record",
    "total_variation_distance",
]

_MAX_RUNS_PER_GROUP = 20


def _probabilities(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    if total <= 0:
        raise InvalidJobSpec("cannot compare an empty counts distribution (no shots recorded)")
    return {key.replace(" ", ""): value / total for key, value in counts.items()}


def hellinger_fidelity(p: dict[str, int], q: dict[str, int]) -> float:
    """Classical fidelity ``(Σ √(p_i q_i))²`` of two counts distributions (1 = identical, 0 = disjoint).

    Equals ``qiskit.quantum_info.hellinger_fidelity``. Counts are normalized first, so the shot totals
    may differ; register separators (spaces) in the keys are ignored.
    """
    pp, qq = _probabilities(p), _probabilities(q)
    overlap = sum(math.sqrt(value * qq[key]) for key, value in pp.items() if key in qq)
    return min(1.0, overlap**2)


def total_variation_distance(p: dict[str, int], q: dict[str, int]) -> float:
    """Total variation distance ``½ Σ |p_i − q_i|`` of two counts distributions (0 = identical, 1 = disjoint)."""
    pp, qq = _probabilities(p), _probabilities(q)
    return 0.5 * sum(abs(pp.get(key, 0.0) - qq.get(key, 0.0)) for key in set(pp) | set(qq))


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
            from .runlog import open_runlog

            log = open_runlog()
        return log.get(obj)
    if hasattr(obj, "record") and hasattr(obj, "done"):
        if not obj.done():
            obj.exception()  # waits; the record below says how it ended
        return obj.record
    raise InvalidJobSpec(
        f"cannot compare an object of type {type(obj).__name__}; pass a Job, a run-log record or a job id"
    )


def _run_summary(record: dict) -> dict:
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
    }


def _overhead(a: float | int | None, b: float | int | None) -> tuple[float | None, float | None]:
    if a is None or b is None:
        return None, None
    return b - a, (b / a if a else None)


@dataclass(repr=False)
class Comparison:
    """Metrics of run ``b`` against run ``a`` (the reference) of the same circuit."""

    circuit_hash: str
    circuit_name: str | None
    num_qubits: int | None
    a: dict
    """Summary of the reference run: id, backend, kind, shots, depth, two_qubit, timings, cost, counts."""
    b: dict
    hellinger_fidelity: float | None
    total_variation_distance: float | None
    depth_overhead: float | None
    """Transpiled depth of b minus that of a."""
    depth_ratio: float | None
    two_qubit_overhead: float | None
    two_qubit_ratio: float | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """A JSON-serializable dict (what the REST API and ``%qcompare`` show)."""
        return asdict(self)

    def metrics(self) -> dict:
        """The headline metrics only (no counts), flat, for tables and pairs in :func:`comparison_groups`."""
        return {
            "a": self.a["id"],
            "b": self.b["id"],
            "hellinger_fidelity": self.hellinger_fidelity,
            "total_variation_distance": self.total_variation_distance,
            "depth_overhead": self.depth_overhead,
            "depth_ratio": self.depth_ratio,
            "two_qubit_overhead": self.two_qubit_overhead,
            "two_qubit_ratio": self.two_qubit_ratio,
            "notes": list(self.notes),
        }

    def rows(self) -> list[tuple[str, str, str]]:
        """(metric, a, b) rows as text, for HTML and plain-text tables."""

        def fmt(value: Any, unit: str = "") -> str:
            if value is None:
                return "–"
            if isinstance(value, float):
                return f"{value:.4g}{unit}"
            return f"{value}{unit}"

        def money(run: dict, key: str) -> str:
            return "–" if run.get(key) is None else f"{run[key]:.2f} {run.get('currency') or 'USD'}"

        a, b = self.a, self.b
        return [
            ("job", a["id"][:8], b["id"][:8]),
            ("backend (kind)", f"{a['backend']} ({a['kind']})", f"{b['backend']} ({b['kind']})"),
            ("shots", fmt(a["shots"]), fmt(b["shots"])),
            ("transpiled depth", fmt(a["depth"]), fmt(b["depth"])),
            ("two-qubit gates", fmt(a["two_qubit"]), fmt(b["two_qubit"])),
            ("total time", fmt(a["total_seconds"], " s"), fmt(b["total_seconds"], " s")),
            ("queue / run time", f"{fmt(a['queue_seconds'])} / {fmt(a['run_seconds'], ' s')}",
             f"{fmt(b['queue_seconds'])} / {fmt(b['run_seconds'], ' s')}"),
            ("cost", money(a, "cost"), money(b, "cost")),
            ("hardware-equivalent cost", money(a, "hardware_equivalent"), money(b, "hardware_equivalent")),
        ]

    def summary_rows(self) -> list[tuple[str, str]]:
        """(metric, value) rows of b against a."""

        def fmt(value: float | None, spec: str = ".4f") -> str:
            return "–" if value is None else format(value, spec)

        def signed(value: float | None) -> str:
            return "–" if value is None else f"{value:+g}"

        return [
            ("Hellinger fidelity", fmt(self.hellinger_fidelity)),
            ("total variation distance", fmt(self.total_variation_distance)),
            ("depth overhead (b − a, b / a)", f"{signed(self.depth_overhead)}, ×{fmt(self.depth_ratio, '.2f')}"),
            ("two-qubit overhead (b − a, b / a)",
             f"{signed(self.two_qubit_overhead)}, ×{fmt(self.two_qubit_ratio, '.2f')}"),
        ]

    def __str__(self) -> str:
        lines = [f"circuit {self.circuit_name} ({self.circuit_hash[:19]}…), {self.num_qubits} qubits"]
        lines += [f"  {name:<26} {va:<28} {vb}" for name, va, vb in self.rows()]
        lines += [f"  {name:<34} {value}" for name, value in self.summary_rows()]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        esc = html.escape
        head = (
            f"<b>{esc(str(self.circuit_name))}</b> <code>{esc(self.circuit_hash[:19])}…</code>, "
            f"{self.num_qubits} qubits"
        )
        body = "".join(
            f"<tr><th style='text-align:left'>{esc(n)}</th><td>{esc(va)}</td><td>{esc(vb)}</td></tr>"
            for n, va, vb in self.rows()
        )
        body += "".join(
            f"<tr><th style='text-align:left'>{esc(n)}</th><td colspan='2'><b>{esc(v)}</b></td></tr>"
            for n, v in self.summary_rows()
        )
        notes = "".join(f"<div><i>{esc(note)}</i></div>" for note in self.notes)
        return (
            f"<div class='qh-Comparison'>{head}<table><tr><th></th><th>a (reference)</th><th>b</th></tr>"
            f"{body}</table>{notes}</div>"
        )


def _distribution_metrics(ra: dict, rb: dict, ca: Any, cb: Any) -> tuple[float | None, float | None, str | None]:
    """Fidelity and TVD of two runs; for two sweeps over the same points, their means over the points."""
    sweeps = isinstance(ca, list), isinstance(cb, list)
    if not any(sweeps):
        return hellinger_fidelity(ca, cb), total_variation_distance(ca, cb), None
    if not all(sweeps) or ra.get("parameters") != rb.get("parameters"):
        return None, None, "not the same sweep points: fidelity needs both runs to sweep the same parameter values"
    fidelities = [hellinger_fidelity(x, y) for x, y in zip(ca, cb)]
    distances = [total_variation_distance(x, y) for x, y in zip(ca, cb)]
    return (sum(fidelities) / len(fidelities), sum(distances) / len(distances),
            f"sweep of {len(ca)} points: fidelity and TVD are means over the points")


def _compare_records(ra: dict, rb: dict) -> Comparison:
    ha, hb = (ra.get("circuit") or {}).get("hash"), (rb.get("circuit") or {}).get("hash")
    if not ha or ha != hb:
        raise InvalidJobSpec(
            f"jobs {ra['id'][:8]} and {rb['id'][:8]} ran different circuits "
            f"({(ra.get('circuit') or {}).get('name')} vs {(rb.get('circuit') or {}).get('name')}); "
            "compare runs of the same circuit (same circuit hash)"
        )
    a, b = _run_summary(ra), _run_summary(rb)
    notes = [
        f"job {run['id'][:8]} on {run['backend']} is {run['status']}: no counts to compare"
        for run in (a, b)
        if not run["counts"]
    ]
    fidelity = tvd = None
    if a["counts"] and b["counts"]:
        fidelity, tvd, note = _distribution_metrics(ra, rb, a["counts"], b["counts"])
        notes.extend([note] if note else [])
    depth_overhead, depth_ratio = _overhead(a["depth"], b["depth"])
    twoq_overhead, twoq_ratio = _overhead(a["two_qubit"], b["two_qubit"])
    circuit = ra.get("circuit") or {}
    return Comparison(
        circuit_hash=ha,
        circuit_name=circuit.get("name"),
        num_qubits=circuit.get("num_qubits"),
        a=a,
        b=b,
        hellinger_fidelity=fidelity,
        total_variation_distance=tvd,
        depth_overhead=depth_overhead,
        depth_ratio=depth_ratio,
        two_qubit_overhead=twoq_overhead,
        two_qubit_ratio=twoq_ratio,
        notes=notes,
    )


def compare(a: Any, b: Any, *, log: Any = None) -> Comparison:
    """Compare run ``b`` against the reference run ``a`` of the same circuit.

    Args:
        a: the reference: a Job handle, a run-log record, or a job id (unique prefix of ≥ 4 characters).
        b: the run to compare with it, likewise.
        log: the run log to resolve ids in (default: the default run log).

    Returns:
        A :class:`Comparison`; ``as_dict()`` is JSON-serializable and it renders as an HTML table.

    Raises:
        InvalidJobSpec: the two runs are of different circuits, or an argument is not a job.
        UnknownJob: an id is not in the run log.

    Example:
        >>> g = qhybrid_lab.run(bell, ["aer", "fake_torino"], shots=2000, wait=True)  # doctest: +SKIP
        >>> qhybrid_lab.compare(g[0], g[1]).hellinger_fidelity  # doctest: +SKIP
        0.93...
    """
    return _compare_records(resolve_record(a, log=log), resolve_record(b, log=log))


def _reference(runs: list[dict]) -> dict:
    simulators = [r for r in runs if (r.get("backend") or {}).get("kind") == "simulator"]
    return (simulators or runs)[0]


SCAN_WINDOW = 2000
"""How many of the newest done runs :func:`comparison_groups` looks through (all of them for one circuit hash)."""


def comparison_groups(log: Any, *, limit: int = 20, circuit_hash: str | None = None,
                      scan: int | None = SCAN_WINDOW) -> list[dict]:
    """Runs of one circuit done on two or more backends, newest group first, with pairwise metrics.

    Without ``circuit_hash``, only the newest ``scan`` done runs are grouped, so the cost of a call does not grow
    with the size of the run log (the sidebar asks every few seconds); ``scan=None`` groups every done run.

    Each group: ``{"circuit_hash", "circuit_name", "num_qubits", "runs": [...], "pairs": [...]}``. ``runs``
    (newest first, at most 20) are run summaries ``{id, backend, kind, shots, depth, two_qubit, total_seconds,
    queue_seconds, run_seconds, cost, hardware_equivalent, currency, counts, status}``; ``pairs`` compare the
    newest simulator run (else the newest run) with every other run: ``{a, b, hellinger_fidelity,
    total_variation_distance, depth_overhead, depth_ratio, two_qubit_overhead, two_qubit_ratio}``.
    Everything is JSON-serializable.
    """
    if limit is not None and limit < 1:
        raise InvalidJobSpec(f"limit must be a positive integer, got {limit!r}")
    window = None if circuit_hash else scan
    records = log.query(status=JobStatus.DONE.value, circuit_hash=circuit_hash, limit=window)
    by_hash: dict[str, list[dict]] = {}
    for record in records:  # newest first, so every list stays newest first
        key = (record.get("circuit") or {}).get("hash")
        if key and (record.get("result") or {}).get("counts"):
            by_hash.setdefault(key, []).append(record)
    groups = []
    for key, runs in by_hash.items():
        if len({(r.get("backend") or {}).get("name") for r in runs}) < 2:
            continue
        runs = runs[:_MAX_RUNS_PER_GROUP]
        reference = _reference(runs)
        circuit = reference.get("circuit") or {}
        groups.append(
            {
                "circuit_hash": key,
                "circuit_name": circuit.get("name"),
                "num_qubits": circuit.get("num_qubits"),
                "newest": max(r.get("created") or 0.0 for r in runs),
                "runs": [_run_summary(r) for r in runs],
                "pairs": [_compare_records(reference, r).metrics() for r in runs if r is not reference],
            }
        )
    groups.sort(key=lambda g: float(g["newest"]), reverse=True)  # type: ignore[arg-type]  # always a float
    return groups[:limit] if limit else groups
