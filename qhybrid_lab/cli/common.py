"""What every ``qhybrid`` command shares: exit codes, the common and filter options, output, the run log to use."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..status import JobStatus

OK = 0
"""The command did what was asked."""
FAILED = 1
"""The thing failed, was not found or was refused (the reason is one line on stderr)."""
USAGE = 2
"""The command line itself is wrong (unknown option, bad value, options that do not go together)."""

EXIT_CODES = f"""\
exit status:
  {OK}  done
  {FAILED}  failed, not found or refused: a job id that matches nothing, an unfinished job's result,
     a cancel of a finished job, a damaged or unwritable run log, a missing optional package,
     a problem found by doctor (the reason is one line on stderr; with --json also
     {{"error": TYPE, "message": TEXT}} on stdout, except doctor, which prints its report)
  {USAGE}  usage error: unknown command or option, a bad value, options that do not go together
"""


class CommandLineError(Exception):
    """Raised by a command whose options do not go together: usage and message on stderr, exit status 2."""


Handler = Callable[[argparse.Namespace, "Output"], int]
"""What runs a command: the parsed arguments and the output in, the exit status out."""


def common_options() -> argparse.ArgumentParser:
    """``--home`` and ``--json``, for every command (given before or after the command name)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("common options")
    group.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the qhybrid home holding the run log. Default: $QHYBRID_HOME, else <jupyter data dir>/qhybrid-lab.",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print machine-readable JSON on stdout and nothing else there.",
    )
    return parent


def positive_int(text: str) -> int:
    """An argparse type: an integer ≥ 1."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def add_filters(parser: argparse.ArgumentParser, *, limit: int | None = 20) -> None:
    """The job filters of ``%qjobs``; with ``limit``, also ``-n/--limit`` (that default) and ``--all``."""
    group = parser.add_argument_group("filters")
    group.add_argument(
        "-s",
        "--status",
        action="append",
        choices=[s.value for s in JobStatus],
        metavar="STATUS",
        help="only jobs in this state (pending, queued, running, done, failed, cancelled, blocked, "
        "interrupted); repeatable.",
    )
    group.add_argument(
        "-b", "--backend", action="append", metavar="NAME", help="only jobs on this backend; repeatable."
    )
    group.add_argument(
        "--notebook", metavar="PATH", help="only jobs submitted from this notebook (its path as recorded)."
    )
    group.add_argument("-t", "--tag", metavar="TAG", help="only jobs with this tag.")
    if limit is not None:
        group.add_argument(
            "-n", "--limit", type=positive_int, default=limit, metavar="N", help=f"the newest N jobs. Default: {limit}."
        )
        group.add_argument("--all", action="store_true", help="every matching job (no limit).")


def filters_of(args: argparse.Namespace) -> dict[str, Any]:
    """The :meth:`RunLog.query` filters the filter options gave."""
    return {"status": args.status or None, "backend": args.backend or None, "notebook": args.notebook, "tag": args.tag}


def limit_of(args: argparse.Namespace) -> int | None:
    return None if args.all else args.limit


def home_of(args: argparse.Namespace) -> Path | None:
    """The ``--home`` given, else None (``$QHYBRID_HOME`` or the Jupyter data dir)."""
    home = getattr(args, "home", None)
    return Path(home).expanduser() if home else None


def open_log(args: argparse.Namespace) -> Any:
    """The run log of ``--home`` (else the default home); one instance per directory in this process."""
    from ..runlog import open_runlog

    return open_runlog(home_of(args))


class Output:
    """Where a command writes: JSON or text on stdout, one line per error on stderr.

    Args:
        json_mode: whether ``--json`` was given (stdout then carries JSON only).
        stdout, stderr: the streams (default: the process's).
    """

    def __init__(self, json_mode: bool, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print ``data`` as JSON with ``--json``, else ``text`` (a string, or a function making it)."""
        if self.json_mode:
            self.json(data)
        else:
            self.line(text() if callable(text) else text)

    def json(self, data: Any, *, indent: int | None = 2) -> None:
        """Print ``data`` as JSON on stdout (values JSON cannot hold are shown as text)."""
        self.stdout.write(json.dumps(data, indent=indent, ensure_ascii=False, default=str) + "\n")
        self.stdout.flush()

    def line(self, text: str) -> None:
        """Print text on stdout."""
        self.stdout.write(text.rstrip("\n") + "\n")
        self.stdout.flush()

    def note(self, text: str) -> None:
        """Print a note for people on stderr (never mixed into JSON)."""
        self.stderr.write(text.rstrip("\n") + "\n")
        self.stderr.flush()

    def error(self, message: str, kind: str = "error", **fields: Any) -> int:
        """Report a failure: one line on stderr, and with ``--json`` ``{"error", "message", ...}`` on stdout.

        Returns:
            :data:`FAILED`, for ``return out.error(...)``.
        """
        one_line = " ".join(str(message).split())
        self.stderr.write(f"qhybrid: error: {one_line}\n")
        self.stderr.flush()
        if self.json_mode:
            self.json({"error": kind, "message": one_line, **fields})
        return FAILED
