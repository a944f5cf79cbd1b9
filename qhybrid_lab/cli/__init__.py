"""The ``qhybrid`` command: the shared run log from a terminal or a CI pipeline (jobs, results, cancel, budgets ...).

Each command is a thin adapter over the same domain functions as the magics (``qhybrid_lab.runlog``, ``jobs``,
``costs``, ``comparison``); ``--json`` makes its output machine-readable. Run ``qhybrid --help``.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import QHybridError
from . import budget, doctor, jobs, maintenance, watch
from .common import EXIT_CODES, FAILED, OK, USAGE, CommandLineError, Output, common_options

__all__ = ["FAILED", "OK", "USAGE", "build_parser", "main"]

GROUPS = (jobs, budget, maintenance, watch, doctor)
"""The modules that add commands, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (each command module adds its own sub-parsers)."""
    from .. import __version__

    common = common_options()
    parser = argparse.ArgumentParser(
        prog="qhybrid",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="The qhybrid-lab run log from the command line: every job of every notebook and kernel on "
        "this machine.",
        epilog=EXIT_CODES + "\nThe run log is in --home, else $QHYBRID_HOME, else <jupyter data dir>/qhybrid-lab.\n"
        "Job ids: any unique prefix of at least 4 characters works.",
    )
    parser.add_argument("--version", action="version", version=f"qhybrid-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in GROUPS:
        group.register(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit status (0 ok, 1 failed/not found/refused, 2 usage error).

    Expected failures (the project's typed errors, files that cannot be read or written) are one line on stderr,
    never a traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help/--version (0) or a usage error (2)
        return int(exit_.code or 0) if isinstance(exit_.code, int) else USAGE
    out = Output(bool(getattr(args, "json", False)))
    if args.command is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write("qhybrid: error: name a command (qhybrid --help lists them)\n")
        return USAGE
    try:
        return args.handler(args, out)
    except CommandLineError as error:  # options that do not go together, found by the command
        args.parser.print_usage(sys.stderr)
        sys.stderr.write(f"{args.parser.prog}: error: {' '.join(str(error).split())}\n")
        return USAGE
    except QHybridError as error:
        return out.error(str(error), type(error).__name__)
    except BrokenPipeError:  # stdout closed early (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED
    except OSError as error:  # a file of the user's (an export target) or a home that cannot be used
        where = f"{error.filename}: " if error.filename else ""
        return out.error(f"{where}{error.strerror or error}", type(error).__name__)
    except KeyboardInterrupt:
        sys.stderr.write("qhybrid: interrupted\n")
        return 130
