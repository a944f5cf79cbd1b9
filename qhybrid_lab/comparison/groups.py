"""Runs of one circuit across backends: automatic groups for the sidebar, and the counterparts of one run."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InvalidJobSpec, NotComparable
from ..status import JobStatus
from .comparisons import compare_records, run_summary
from .pairing import comparability

__all__ = ["SCAN_WINDOW", "comparison_groups", "counterparts", "device_stem"]

_MAX_RUNS_PER_GROUP = 20

SCAN_WINDOW = 2000
"""How many of the newest done runs :func:`comparison_groups` looks through (all of them for one circuit hash)."""


def device_stem(backend_name: str | None) -> str | None:
    """The device a backend name stands for: ``ibm:ibm_torino``, ``fake_torino``, ``ibm:fake_torino`` → ``torino``.

    None for simulators and names that name no device (``aer``, ``braket:local``).
    """
    if not backend_name:
        return None
    name = backend_name.lower().rsplit(":", 1)[-1]
    stem = re.sub(r"^(fake_|ibm_|ibmq_)", "", name)
    stem = re.sub(r"(_v\d+)$", "", stem)
    return None if name in ("aer", "local", "local_dm", "statevector", "mps", "density_matrix") else stem


def _reference(runs: list[dict]) -> dict:
    simulators = [r for r in runs if (r.get("backend") or {}).get("kind") == "simulator"]
    return (simulators or runs)[0]


def _pairs(reference: dict, runs: list[dict]) -> list[dict]:
    """The reference against the newest run of every other backend (repeats on one backend only when pinned)."""
    seen = {(reference.get("backend") or {}).get("name")}
    out = []
    for record in runs:
        name = (record.get("backend") or {}).get("name")
        if record is reference or name in seen:
            continue
        seen.add(name)
        try:
            out.append(compare_records(reference, record).metrics())
        except NotComparable as error:  # e.g. sweeps of one circuit over disjoint points
            out.append({"a": reference["id"], "b": record["id"], "comparable": False, "reason": str(error)})
    return out


def comparison_groups(
    log: Any, *, limit: int = 20, circuit_hash: str | None = None, scan: int | None = SCAN_WINDOW
) -> list[dict]:
    """Runs of one circuit done on two or more backends, newest group first, with pairwise metrics.

    Without ``circuit_hash``, only the newest ``scan`` done runs are grouped, so the cost of a call does not grow
    with the size of the run log (the sidebar asks every few seconds); ``scan=None`` groups every done run.

    Each group: ``{"circuit_hash", "circuit_name", "num_qubits", "newest", "runs": [...], "pairs": [...]}``.
    ``runs`` (newest first, at most 20) are :func:`run_summary` dicts; ``pairs`` compare the newest simulator run
    (else the newest run) with the newest run of every other backend: ``Comparison.metrics()`` (fidelity and TVD
    with intervals, ``within_shot_noise``, expectation values, mitigation, warnings, notes), or ``{"a", "b",
    "comparable": False, "reason"}``. Everything is JSON-serializable.
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
    groups: list[dict[str, Any]] = []
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
                "runs": [run_summary(r) for r in runs],
                "pairs": _pairs(reference, runs),
            }
        )
    groups.sort(key=lambda g: g["newest"], reverse=True)
    return groups[:limit] if limit else groups


_RELATIONS = (
    ("device", "the same device (emulator ↔ hardware)"),
    ("simulator", "an ideal simulator"),
    ("other", "another backend"),
    ("same backend", "a repeat on the same backend"),
)


def _relation(job: dict, other: dict) -> str:
    jb, ob = job.get("backend") or {}, other.get("backend") or {}
    if jb.get("name") == ob.get("name"):
        return "same backend"
    stem = device_stem(jb.get("name"))
    if stem and stem == device_stem(ob.get("name")) and {jb.get("kind"), ob.get("kind")} != {"simulator"}:
        return "device"
    return "simulator" if ob.get("kind") == "simulator" else "other"


def counterparts(log: Any, job: str | dict, *, limit: int = 20) -> dict:
    """The runs a run can be compared with: the same circuit on other backends, best counterpart first.

    A hardware run's first counterpart is its device's emulator (``ibm:ibm_torino`` → ``fake_torino``), an
    emulator's is its device's hardware run, then ideal simulators, other backends, repeats on the same backend;
    newest first within each. Runs that cannot be compared with it (a sweep without a common point) say why.

    Returns:
        ``{"job": run_summary, "candidates": [{**run_summary (no counts), "relation", "relation_text",
        "comparable", "reason"}, ...], "total"}``.
    """
    record = job if isinstance(job, dict) else log.get(job)
    circuit_hash = (record.get("circuit") or {}).get("hash")
    others = (
        [r for r in log.query(circuit_hash=circuit_hash, limit=500) if r["id"] != record["id"]] if circuit_hash else []
    )
    rank = {name: i for i, (name, _) in enumerate(_RELATIONS)}
    texts = dict(_RELATIONS)
    scored = sorted(others, key=lambda r: (rank[_relation(record, r)], -(r.get("created") or 0.0)))
    candidates = []
    for other in scored[:limit]:
        relation = _relation(record, other)
        try:
            comparability(record, other)
            comparable, reason = True, None
        except NotComparable as error:
            comparable, reason = False, str(error)
        summary = {k: v for k, v in run_summary(other).items() if k != "counts"}
        candidates.append(
            {
                **summary,
                "relation": relation,
                "relation_text": texts[relation],
                "comparable": comparable,
                "reason": reason,
            }
        )
    return {
        "job": {k: v for k, v in run_summary(record).items() if k != "counts"},
        "candidates": candidates,
        "total": len(others),
    }
