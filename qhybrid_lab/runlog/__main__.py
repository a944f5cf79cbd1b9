"""Command line: ``python -m qhybrid_lab.runlog info|export|compact [--home DIR]``."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import QHybridError
from ..status import JobStatus
from .log import RunLog


def _info(log: RunLog) -> dict:
    with log.transaction():
        statuses = {s.value: n for s in JobStatus if (n := log.count(status=s.value))}
        return {"directory": str(log.directory), "file": str(log.file), "bytes": log.file.stat().st_size,
                "records": log.count(), "by_status": statuses, "active": len(log.active()),
                "budgets": log.budgets(), "owners": log.owners()}


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (errors are printed, not raised)."""
    parser = argparse.ArgumentParser(prog="python -m qhybrid_lab.runlog", description="Inspect the qhybrid-lab run log.")
    parser.add_argument("--home", help="qhybrid home directory (default: $QHYBRID_HOME or the Jupyter data dir)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="print counts, budgets and engine heartbeats as JSON")
    export = sub.add_parser("export", help="write all records to a JSON or CSV file")
    export.add_argument("path")
    export.add_argument("--format", choices=("json", "csv"), default=None,
                        help="default: from the file extension, else json")
    sub.add_parser("compact", help="rewrite the log as just its current state")
    args = parser.parse_args(argv)
    try:
        log = RunLog(args.home)
        if args.command == "info":
            print(json.dumps(_info(log), indent=1))
        elif args.command == "export":
            fmt = args.format or ("csv" if args.path.lower().endswith(".csv") else "json")
            print(log.export(args.path, fmt))
        else:
            before = log.file.stat().st_size if log.file.exists() else 0
            log.compact()
            print(f"compacted {log.file}: {before} → {log.file.stat().st_size} bytes")
    except QHybridError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
