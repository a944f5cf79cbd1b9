"""``qhybrid watch``: a live table of jobs in a plain terminal, redrawn every few seconds until Ctrl-C.

On a terminal each frame clears the screen first (ANSI ``ESC[H ESC[2J``); into a pipe or file frames are printed one
after another. ``--json`` prints one JSON object per frame, one per line (JSON Lines).
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import datetime
from typing import Any

from ..status import ACTIVE_STATES
from .common import OK, Output, add_filters, filters_of, limit_of, open_log, positive_seconds

CLEAR = "\x1b[H\x1b[2J"
"""ANSI: cursor home, clear the screen."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``watch`` to the ``qhybrid`` parser."""
    watch = commands.add_parser(
        "watch",
        parents=[common],
        help="a live table of jobs (Ctrl-C to stop)",
        description="A live table of the newest jobs (filters as `qhybrid jobs`) with the active jobs and the live "
        "engines, redrawn every --interval seconds until Ctrl-C (which exits 0).",
    )
    add_filters(watch)
    watch.add_argument(
        "--interval",
        type=positive_seconds,
        default=2.0,
        metavar="SECONDS",
        help="seconds between frames. Default: 2 (the engines' heartbeat interval).",
    )
    watch.add_argument("--once", action="store_true", help="print one frame and exit.")
    watch.set_defaults(handler=watch_jobs, parser=watch)


def frame(log: Any, args: argparse.Namespace) -> tuple[dict, str]:
    """One frame: ``{"at", "home", "jobs" (brief records), "total", "active": {state: n}, "engines_alive"}`` and its text."""
    from ..record import brief
    from ..tables import jobs_table

    now = time.time()
    filters = filters_of(args)
    records = log.query(**filters, limit=limit_of(args))
    total = log.count(**filters)
    active = log.active()  # settles the jobs of engines that stopped, so the frame never shows them as running
    by_state = {s.value: sum(1 for r in active if r["status"] == s.value) for s in sorted(ACTIVE_STATES)}
    alive = [o for o in log.owner_states(now=now) if o["alive"]]
    data = {
        "at": now,
        "home": str(log.directory),
        "jobs": [brief(r) for r in records],
        "total": total,
        "active": by_state,
        "engines_alive": [o["owner"] for o in alive],
    }
    width = shutil.get_terminal_size((120, 40)).columns
    states = ", ".join(f"{n} {state}" for state, n in by_state.items())
    header = (
        f"qhybrid watch  {datetime.fromtimestamp(now):%H:%M:%S}  {log.file}\n"
        f"active: {sum(by_state.values())} ({states}); engines alive: {len(alive)}"
        f"{' (' + ', '.join(o['owner'] for o in alive) + ')' if alive else ''}\n"
    )
    return data, header + jobs_table(records, total).text(width=width)


def watch_jobs(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid watch``: frames until Ctrl-C (exit 0), or one with ``--once``."""
    log = open_log(args)
    terminal = out.stdout.isatty()
    try:
        while True:
            data, text = frame(log, args)
            if out.json_mode:
                out.json(data, indent=None)
            else:
                out.stdout.write((CLEAR if terminal else "") + text + ("\n" if terminal else "\n\n"))
                out.stdout.flush()
            if args.once:
                return OK
            time.sleep(args.interval)
    except KeyboardInterrupt:
        if terminal and not out.json_mode:
            out.stdout.write("\n")
        return OK
