"""``qhybrid budget``: budgets with spent/committed/remaining as ``%qbudget`` shows them; set, remove, rehearsal
mode; what it sets is what the cost guard of every kernel checks."""

from __future__ import annotations

import json

import pytest
from cli_helpers import failed, ok_json, qhybrid
from jobs_helpers import ghz

from qhybrid_lab.costs.guard import budget_status
from qhybrid_lab.errors import BudgetExceeded
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import RunLog


@pytest.fixture(scope="module", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()


def test_budgets_are_set_shown_and_removed(home):
    qhome, _ = home
    assert ok_json(qhybrid("budget", "--json")) == {"budgets": [], "rehearse": False}
    # When a daily budget and a backend's total budget are set, and rehearsal mode switched on
    ok_json(qhybrid("budget", "--limit", "5", "--per", "day", "--json"))
    shown = ok_json(qhybrid("budget", "--limit", "20", "--per", "total", "-b", "fake_manila", "--rehearse",
                            "--json"))
    # Then both are listed with what was spent and committed, as budget_status() computes them
    assert shown["rehearse"] is True
    assert [(b["period"], b["backend"], b["limit"]) for b in shown["budgets"]] == [("day", None, 5.0),
                                                                                   ("total", "fake_manila", 20.0)]
    assert all({"spent", "committed", "remaining", "since"} <= set(b) for b in shown["budgets"])
    assert shown["budgets"] == json.loads(json.dumps(budget_status(RunLog(qhome))))
    text = qhybrid("budget").stdout
    assert "budgets: 2; rehearsal mode on" in text and "fake_manila  $20.00" in text
    # And removing one leaves the other; removing it again is refused (exit 1)
    assert [b["period"] for b in ok_json(qhybrid("budget", "--remove", "--per", "day", "--no-rehearse",
                                                 "--json"))["budgets"]] == ["total"]
    assert "there is no day budget for all backends" in failed(qhybrid("budget", "--remove", "--per", "day"))
    assert RunLog(qhome).get_setting("rehearse") is False


def test_bad_budget_options_are_usage_errors_and_change_nothing(home):
    qhome, _ = home
    for args, message in [(["--per", "day"], "--per and --backend go with --limit AMOUNT or --remove"),
                          (["--limit", "x"], "--limit must be an amount of money, got 'x'"),
                          (["--limit", "-1"], "--limit must be a finite amount ≥ 0, got '-1'"),
                          (["--limit", "1", "--remove", "--per", "day"], "use either --limit or --remove"),
                          (["--remove"], "--remove needs --per day|total|job"),
                          (["--per", "week", "--limit", "1"], "invalid choice: 'week'"),
                          (["--rehearse", "--no-rehearse"], "not allowed with argument")]:
        assert message in failed(qhybrid("budget", *args), code=2), args
    assert RunLog(qhome).budgets() == []


def test_a_budget_set_from_the_command_line_stops_a_kernels_submission(home):
    # Given a total budget of 0.50 USD with rehearsal mode on, set from the command line
    ok_json(qhybrid("budget", "--limit", "0.5", "--rehearse", "--json"))
    # When a kernel submits an emulator job whose real device would cost more
    with pytest.raises(BudgetExceeded, match=r"total budget for all backends is \$0\.50"):
        run(ghz(2, "bell"), "fake_manila", shots=4000)
    # Then it was refused and recorded as blocked, and the command line sees it
    blocked = ok_json(qhybrid("jobs", "-s", "blocked", "--json"))["jobs"]
    assert len(blocked) == 2 and "total budget" in blocked[0]["blocked_reason"]
