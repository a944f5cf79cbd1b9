"""``python -m qhybrid_lab.runlog`` was the run log's first command line; the ``qhybrid`` command replaced it.

The run log is the bottom layer and does not import the command line above it, so this only says where each
command went (exit status 2, as for any usage error).
"""

from __future__ import annotations

import sys

MOVED = {
    "info": "qhybrid doctor --json (counts by status, compaction state, heartbeats), qhybrid budget --json",
    "export": "qhybrid export PATH [--format json|csv|parquet] [filters]",
    "compact": "qhybrid compact",
}
"""Old command → where it is now."""


def main(argv: list[str] | None = None) -> int:
    """Say which ``qhybrid`` command does what the old one did; returns 2."""
    args = sys.argv[1:] if argv is None else argv
    command = next((a for a in args if a in MOVED), None)
    lines = ["python -m qhybrid_lab.runlog is replaced by the qhybrid command (also: python -m qhybrid_lab.cli)."]
    lines += [f"  {old}: {new}" for old, new in MOVED.items() if command in (None, old)]
    lines.append("  --home DIR works as before; qhybrid --help lists every command.")
    sys.stderr.write("\n".join(lines) + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
