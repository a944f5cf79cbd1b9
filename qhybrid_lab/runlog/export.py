"""Export run records to JSON (whole records), CSV or Parquet (the main fields, flattened into columns)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from ..errors import InvalidJobSpec, MissingDependency
from ..extras import install_line

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "group": ("group",),
    "status": ("status",),
    "created": ("created",),
    "updated": ("updated",),
    "backend": ("backend", "name"),
    "provider": ("backend", "provider"),
    "kind": ("backend", "kind"),
    "backend_version": ("backend", "version"),
    "provider_job_id": ("provider_job_id",),
    "circuit_name": ("circuit", "name"),
    "circuit_hash": ("circuit", "hash"),
    "num_qubits": ("circuit", "num_qubits"),
    "depth": ("circuit", "depth"),
    "two_qubit": ("circuit", "two_qubit"),
    "transpiled_depth": ("transpile", "depth"),
    "transpiled_two_qubit": ("transpile", "two_qubit"),
    "optimization_level": ("transpile", "optimization_level"),
    "shots": ("shots",),
    "seed": ("seed",),
    "currency": ("cost", "currency"),
    "cost_estimate": ("cost", "estimate"),
    "cost_actual": ("cost", "actual"),
    "cost_counted": ("cost", "counted"),
    "hardware_equivalent": ("cost", "hardware_equivalent"),
    "rehearsal": ("cost", "rehearsal"),
    "time_transpile": ("timings", "transpile"),
    "time_queue": ("timings", "queue"),
    "time_run": ("timings", "run"),
    "time_total": ("timings", "total"),
    "attempts": ("attempts",),
    "error": ("error",),
    "blocked_reason": ("blocked_reason",),
    "notebook": ("origin", "notebook"),
    "owner": ("origin", "owner"),
    "tags": ("tags",),
    "counts": ("result", "counts"),
}
"""CSV column → path into the record."""


FORMATS = ("json", "csv", "parquet")
"""The export formats; Parquet needs pyarrow."""

_SUFFIXES = {".json": "json", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def export_format(path: str | Path, fmt: str | None = None) -> str:
    """The format to write: ``fmt`` if given, else from the file's suffix (.json, .csv, .parquet/.pq), else json.

    Raises:
        InvalidJobSpec: ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt is None:
        return _SUFFIXES.get(Path(path).suffix.lower(), "json")
    if fmt not in FORMATS:
        raise InvalidJobSpec(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return fmt


def _value(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` (None where missing); nested dicts and lists as compact JSON, tags as a list."""
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if path == ("tags",) and isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return value


def _cell(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value = _value(record, path)
    if value is None:
        return ""
    return ";".join(value) if path == ("tags",) else value


def _parquet_table(records: list[dict[str, Any]]) -> Any:
    """The CSV columns as an Arrow table: numbers stay numbers, missing values are nulls, tags a list of strings."""
    try:
        import pyarrow as pa
    except ImportError:
        raise MissingDependency(
            f"Parquet export needs pyarrow: pip install pyarrow (or {install_line('parquet')}); "
            "CSV and JSON need nothing more"
        ) from None
    columns: dict[str, list[Any]] = {name: [_value(r, p) for r in records] for name, p in CSV_COLUMNS.items()}
    for name, values in columns.items():  # a column of ints and floats (seconds, costs) is a float column
        if any(isinstance(v, float) for v in values):
            columns[name] = [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in values]
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array(values, type=pa.list_(pa.string()) if name == "tags" else None)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds (records written by hand): text, as in CSV
            arrays[name] = pa.array(
                [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values], type=pa.string()
            )
    return pa.table(arrays)


def export_records(records: list[dict[str, Any]], path: Path, fmt: str | None = "json") -> Path:
    """Write ``records`` to ``path`` (written aside, then renamed in) and return the path.

    Raises:
        InvalidJobSpec: an unknown format.
        MissingDependency: Parquet without pyarrow (nothing is written).
    """
    fmt = export_format(path, fmt)
    path = Path(path).expanduser()
    table = _parquet_table(records) if fmt == "parquet" else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if table is not None:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)
        else:
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
