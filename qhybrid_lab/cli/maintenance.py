"""``qhybrid export`` (records to JSON, CSV or Parquet) and ``qhybrid compact`` (the log rewritten as its state)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import OK, Output, add_filters, filters_of, open_log


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``export`` and ``compact`` to the ``qhybrid`` parser."""
    from ..runlog.export import FORMATS

    export = commands.add_parser(
        "export",
        parents=[common],
        help="write records to a JSON, CSV or Parquet file",
        description="Write every matching record to PATH: JSON (whole records), CSV or Parquet (the main fields as "
        "columns; Parquet needs pyarrow). The file is written aside and renamed into place.",
    )
    export.add_argument("path", metavar="PATH", help="the file to write.")
    export.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="default: from PATH's suffix (.json, .csv, .parquet or .pq), else json.",
    )
    add_filters(export, limit=None)
    export.set_defaults(handler=export_records, parser=export)

    compact = commands.add_parser(
        "compact",
        parents=[common],
        help="rewrite the log as just its current state",
        description="Rewrite the run log as one line per document (written aside, then renamed over it), dropping "
        "superseded lines: status changes, heartbeats. Safe while kernels use the log.",
    )
    compact.set_defaults(handler=compact_log, parser=compact)


def export_records(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid export PATH``: ``{"path", "format", "records"}`` or a line saying what was written."""
    from ..runlog.export import export_format, export_records as write

    fmt = export_format(args.path, args.format)
    records = open_log(args).query(limit=None, **filters_of(args))
    path = write(records, Path(args.path), fmt)
    out.emit(
        {"path": str(path), "format": fmt, "records": len(records)}, f"wrote {len(records)} record(s) to {path} ({fmt})"
    )
    return OK


def compact_log(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid compact``: what the file held before and after."""
    log = open_log(args)
    before = log.storage_stats()
    log.compact()
    after = log.storage_stats()
    data = {
        "file": after["file"],
        "bytes_before": before["bytes"],
        "bytes_after": after["bytes"],
        "superseded_lines_dropped": before["superseded_lines"],
        "documents": after["live_documents"],
    }
    out.emit(
        data,
        f"compacted {after['file']}: {before['bytes']} → {after['bytes']} bytes, "
        f"{before['superseded_lines']} superseded line(s) dropped, {after['live_documents']} documents",
    )
    return OK
