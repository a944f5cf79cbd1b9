"""The engine and the budget guard: refused submissions are recorded as blocked and never run; rehearsal mode."""

from __future__ import annotations

import pytest

from qhybrid_lab.costs import budget_status
from qhybrid_lab.errors import BudgetExceeded
from qhybrid_lab.jobs import JobManager, run
from qhybrid_lab.runlog import open_runlog


def test_over_budget_submission_is_blocked_recorded_and_not_executed(bell):
    # Given a $1 total budget and a backend charging 1 cent per shot
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    done = run(bell, "paid:1", shots=60, seed=1)  # $0.60
    done.result(timeout=60)
    # When a $0.50 submission would exceed it
    with pytest.raises(BudgetExceeded) as info:
        run([bell, bell.copy(name="bell2")], "paid:1", shots=25)
    # Then it is refused with every figure and the fix, recorded as blocked, and nothing ran
    message = str(info.value)
    assert "$1.00" in message and "$0.60 spent" in message and "$0.00 committed" in message
    assert "cost $0.50" in message and "%qbudget --limit 1.10 --per total" in message
    blocked = log.query(status="blocked", limit=None)
    assert len(blocked) == 2 and {r["circuit"]["name"] for r in blocked} == {"bell", "bell2"}
    for record in blocked:
        assert [h["status"] for h in record["status_history"]] == ["blocked"]
        assert record["attempts"] == 0 and record["result"] is None and record["transpile"].get("seconds") is None
        assert "$0.60 spent" in record["blocked_reason"]
        assert not JobManager.engine().owns(record["id"])
    assert log.count() == 3


def test_committed_cost_of_active_jobs_counts_against_the_budget(bell):
    log = open_runlog()
    log.set_budget(limit=1.0, period="day", backend="paid:1")
    first = run(bell, "paid:1", shots=70)  # reserved at once, while it is still active
    with pytest.raises(BudgetExceeded, match="daily budget for backend paid:1"):
        run(bell, "paid:1", shots=40)
    first.result(timeout=60)
    run(bell, "aer", shots=40).result(timeout=60)  # another backend: not limited by that budget


def test_rehearsal_mode_counts_the_hardware_equivalent_of_emulator_jobs(bell):
    log = open_runlog()
    log.set_setting("rehearse", True)
    log.set_budget(limit=100.0, period="total")
    job = run(bell, "fake_manila", shots=1000)[0]
    job.result(timeout=120)
    cost = job.record["cost"]
    assert cost["estimate"] == 0.0 and cost["hardware_equivalent"] > 0
    assert cost["counted"] == cost["hardware_equivalent"] and cost["rehearsal"] is True
    [status] = budget_status(log)
    assert status["spent"] == pytest.approx(cost["hardware_equivalent"]) and status["rehearsal"] is True
    # the same emulator job no longer fits once the budget is below what a real device would charge
    log.set_budget(limit=status["spent"] + cost["hardware_equivalent"] / 2, period="total")
    with pytest.raises(BudgetExceeded, match="rehearsal mode"):
        run(bell, "fake_manila", shots=1000)
    log.set_setting("rehearse", False)
    run(bell, "fake_manila", shots=1000).result(timeout=120)  # real money: free
