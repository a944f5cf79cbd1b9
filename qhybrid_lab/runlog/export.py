"""Export run records to JSON (whole records) or CSV (the main fields, flattened into columns)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from ..errors import InvalidJobSpec

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",), "group": ("group",), "status": ("status",), "created": ("created",), "updated": ("updated",),
    "backend": ("backend", "name"), "provider": ("backend", "provider"), "kind": ("backend", "kind"),
    "backend_version": ("backend", "version"), "provider_job_id": ("provider_job_id",),
    "circuit_name": ("circuit", "name"), "circuit_hash": ("circuit", "hash"),
    "num_qubits": ("circuit", "num_qubits"), "depth": ("circuit", "depth"), "two_qubit": ("circuit", "two_qubit"),
    "transpiled_depth": ("transpile", "depth"), "transpiled_two_qubit": ("transpile", "two_qubit"),
    "optimization_level": ("transpile", "optimization_level"), "shots": ("shots",), "seed": ("seed",),
    "currency": ("cost", "currency"), "cost_estimate": ("cost", "estimate"), "cost_actual": ("cost", "actual"),
    "cost_counted": ("cost", "counted"), "hardware_equivalent": ("cost", "hardware_equivalent"),
    "rehearsal": ("cost", "rehearsal"), "time_transpile": ("timings", "transpile"), "time_queue": ("timings", "queue"),
    "time_run": ("timings", "run"), "time_total": ("timings", "total"), "attempts": ("attempts",),
    "error": ("error",), "blocked_reason": ("blocked_reason",), "notebook": ("origin", "notebook"),
    "owner": ("origin", "owner"), "tags": ("tags",), "counts": ("result", "counts"),
}
"""CSV column → path into the record."""


def _cell(record: dict, path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return ""
    if path == ("tags",) and isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


def export_records(records: list[dict], path: Path, fmt: str = "json") -> Path:
    """Write ``records`` to ``path`` (written aside, then renamed in) and return the path."""
    if fmt not in ("json", "csv"):
        raise InvalidJobSpec(f"export format must be 'json' or 'csv', not {fmt!r}")
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            if fmt == "json":
                json.dump(records, fh, indent=1, ensure_ascii=False)
            else:
                writer = csv.writer(fh)
                writer.writerow(CSV_COLUMNS)
                for record in records:
                    writer.writerow(_cell(record, p) for p in CSV_COLUMNS.values())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
