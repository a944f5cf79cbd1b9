"""Calibration of an emulated device: a small summary for the run record and a canonical JSON snapshot."""

from __future__ import annotations

import hashlib
import json
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qiskit.transpiler import Target

NATIVE_TWO_QUBIT_GATES = ("ecr", "cz", "cx")
"""Entangling gates whose error is the device's headline 2-qubit error (fractional gates like rzz are not)."""


def canonical_json(obj: Any) -> bytes:
    """JSON bytes that are identical for equal data: sorted keys, no whitespace, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def sha256_ref(data: bytes) -> str:
    """``"sha256:<hex>"`` of ``data``, the form the run log uses for blobs."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


def summarize_target(target: Target) -> dict[str, float | None]:
    """Medians of the device's 2-qubit gate error, readout error, T1 and T2 (in µs).

    The 2-qubit median is over the device's native entangling gate (``ecr``, ``cz`` or ``cx``); a
    device with none of them uses every 2-qubit instruction that has an error.
    """
    two_qubit: list[float] = []
    other_two_qubit: list[float] = []
    for name in target.operation_names:
        properties = target[name]
        if not properties or None in properties:
            continue
        for qargs, props in properties.items():
            if len(qargs) != 2 or props is None or props.error is None:
                continue
            (two_qubit if name in NATIVE_TWO_QUBIT_GATES else other_two_qubit).append(props.error)
    readout: list[float] = []
    if "measure" in target.operation_names:
        readout = [p.error for p in target["measure"].values() if p is not None and p.error is not None]
    qubit_properties = target.qubit_properties or []
    t1 = [q.t1 * 1e6 for q in qubit_properties if q is not None and q.t1 is not None]
    t2 = [q.t2 * 1e6 for q in qubit_properties if q is not None and q.t2 is not None]
    return {
        "median_2q_error": _median(two_qubit or other_two_qubit),
        "median_readout_error": _median(readout),
        "median_t1_us": _median(t1),
        "median_t2_us": _median(t2),
    }


def device_calibration(target: Target, properties_file: Path | None) -> dict[str, Any]:
    """``{"summary": {...}, "snapshot": bytes}`` for a device described by ``target``.

    Args:
        target: The device target (its instruction and qubit properties give the medians).
        properties_file: The device's calibration JSON (qiskit-ibm-runtime's ``props_<device>.json``);
            the snapshot is its canonical form, and its ``last_update_date`` is the calibration date.
            Without it, the snapshot is the summary itself.
    """
    summary: dict[str, Any] = dict(summarize_target(target))
    if properties_file is not None:
        raw = json.loads(properties_file.read_text(encoding="utf-8"))
        summary["date"] = raw.get("last_update_date")
        snapshot = canonical_json(raw)
    else:
        summary["date"] = None
        snapshot = canonical_json(summary)
    summary["hash"] = sha256_ref(snapshot)
    return {"summary": summary, "snapshot": snapshot}
