"""``qhybrid budget``: show the budgets with spent/committed/remaining, set or remove one, switch rehearsal mode.

The same operation as ``%qbudget`` (:func:`qhybrid_lab.costs.guard.change_budgets`), with the same option names.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import InvalidJobSpec
from ..status import BudgetPeriod
from .common import OK, CommandLineError, Output, open_log


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``budget`` to the ``qhybrid`` parser."""
    budget = commands.add_parser(
        "budget",
        parents=[common],
        help="show, set or remove budgets; rehearsal mode on/off",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Show the budgets with what was spent (done jobs) and committed (active jobs) and what "
        "remains; set one, remove one, or switch rehearsal mode. Budgets are checked before every "
        "submission, by every kernel.",
        epilog="examples:\n  qhybrid budget --limit 5 --per day\n  qhybrid budget --limit 20 --per total "
        "--backend braket:sv1\n  qhybrid budget --remove --per day\n  qhybrid budget --rehearse",
    )
    budget.add_argument("--limit", metavar="AMOUNT", help="set a budget of AMOUNT (USD) for the --per period.")
    budget.add_argument(
        "--per",
        choices=[p.value for p in BudgetPeriod],
        metavar="PERIOD",
        help="budget period: day, total or job. Default: total.",
    )
    budget.add_argument("-b", "--backend", metavar="NAME", help="the budget applies to this backend only.")
    budget.add_argument("--remove", action="store_true", help="remove the budget of --per (and --backend).")
    mode = budget.add_mutually_exclusive_group()
    mode.add_argument(
        "--rehearse",
        dest="rehearse",
        action="store_const",
        const=True,
        default=None,
        help="rehearsal mode: emulator runs count what the real device would cost.",
    )
    mode.add_argument(
        "--no-rehearse",
        dest="rehearse",
        action="store_const",
        const=False,
        help="leave rehearsal mode: budgets count real money only.",
    )
    budget.set_defaults(handler=show_or_change, parser=budget)


def show_or_change(args: argparse.Namespace, out: Output) -> int:
    """Apply the change asked for (if any), then show every budget: a table, or ``{"budgets", "rehearse"}``."""
    from ..costs.guard import REHEARSE_SETTING, budget_status, change_budgets
    from ..tables import budgets_table

    log = open_log(args)
    try:
        change_budgets(
            log, limit=args.limit, period=args.per, backend=args.backend, remove=args.remove, rehearse=args.rehearse
        )
    except InvalidJobSpec as error:  # the options do not go together, or a bad amount: nothing was changed
        raise CommandLineError(str(error)) from error
    status = budget_status(log)
    rehearse = bool(log.get_setting(REHEARSE_SETTING, False))
    out.emit({"budgets": status, "rehearse": rehearse}, lambda: budgets_table(status, rehearse=rehearse).text())
    return OK
