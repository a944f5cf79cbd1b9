"""The budget guard against a real run log: counting, periods, backend filters, rehearsal, and a cross-process race."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from qhybrid_lab.costs.guard import budget_status, check_and_reserve
from qhybrid_lab.errors import BudgetExceeded
from qhybrid_lab.runlog import open_runlog

ROOT = Path(__file__).resolve().parents[2]


def record(cost: float, *, backend: str = "ibm_x", kind: str = "hardware", status: str = "pending",
           hardware_equivalent: float | None = None, created: float | None = None, actual: float | None = None) -> dict:
    doc = {"id": uuid.uuid4().hex, "status": status, "backend": {"name": backend, "kind": kind},
           "circuit": {"name": "bell"},
           "cost": {"currency": "USD", "estimate": cost, "actual": actual, "hardware_equivalent": hardware_equivalent}}
    if created is not None:
        doc["created"] = created
    return doc


def reserve(log, records: list[dict]) -> None:
    with log.transaction():
        check_and_reserve(log, records)
        log.insert_many(records)


def test_within_budget_counts_the_estimate_and_leaves_the_insert_to_the_caller():
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    new = [record(0.4), record(0.5)]
    with log.transaction():
        check_and_reserve(log, new)
        assert log.count() == 0  # the guard itself inserts only refused records
        log.insert_many(new)
    assert [log.get(r["id"])["cost"]["counted"] for r in new] == [0.4, 0.5]
    assert log.get(new[0]["id"])["cost"]["rehearsal"] is False


def test_over_budget_records_blocked_and_says_how_to_raise_it():
    # Given 0.6 spent (done) and 0.3 committed (running) of a 1.00 total budget
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    reserve(log, [record(0.6, status="done"), record(0.3, status="running")])
    # When a 0.2 job is submitted
    new = record(0.2)
    with pytest.raises(BudgetExceeded) as info:
        reserve(log, [new])
    # Then it is refused, recorded as blocked with the reason, and the message has every figure
    message = str(info.value)
    for text in ("total budget for all backends", "$1.00", "$0.60 spent", "$0.30 committed", "cost $0.20",
                 "%qbudget --limit 1.10 --per total"):
        assert text in message
    stored = log.get(new["id"])
    assert stored["status"] == "blocked"
    assert "$0.60 spent" in stored["blocked_reason"]
    assert log.count(status="blocked") == 1 and log.count() == 3


def test_actual_cost_of_done_jobs_replaces_the_estimate():
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    reserve(log, [record(0.9, status="done", actual=0.1)])
    reserve(log, [record(0.8)])  # 0.1 actually spent + 0.8 fits
    with pytest.raises(BudgetExceeded):
        reserve(log, [record(0.2)])


def test_a_long_job_finishing_after_many_newer_ones_is_counted_as_spent():
    # Given a long job reserved first, then 80 newer free jobs done, all already seen by the guard
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    long = record(0.5)
    reserve(log, [long])
    reserve(log, [record(0.0, status="done") for _ in range(80)])
    reserve(log, [record(0.1)])
    # When the long job (the oldest record) finishes
    log.update(long["id"], {}, status="done")
    # Then it counts as spent, though it is far down the newest-first order
    with pytest.raises(BudgetExceeded, match=r"\$0.50 spent, \$0.10 committed"):
        reserve(log, [record(0.45)])


def test_day_budget_ignores_earlier_days_total_does_not():
    log = open_runlog()
    yesterday = time.time() - 2 * 86400
    reserve(log, [record(5.0, status="done", created=yesterday)])
    log.set_budget(limit=1.0, period="day")
    reserve(log, [record(0.9)])
    log.set_budget(limit=5.9, period="total")
    with pytest.raises(BudgetExceeded, match="total budget"):
        reserve(log, [record(0.05)])  # the day allows it (0.95 of 1.00); the total does not (5.95 of 5.90)


def test_backend_budget_counts_only_that_backend():
    log = open_runlog()
    log.set_budget(limit=1.0, period="total", backend="ibm_x")
    reserve(log, [record(3.0, backend="ibm_y")])  # another backend: not limited
    reserve(log, [record(0.7, backend="ibm_x")])
    with pytest.raises(BudgetExceeded, match="--backend ibm_x"):
        reserve(log, [record(0.4, backend="ibm_x"), record(0.1, backend="ibm_y")])


def test_per_job_budget_bounds_each_job():
    log = open_runlog()
    log.set_budget(limit=0.5, period="job")
    reserve(log, [record(0.4), record(0.4)])
    with pytest.raises(BudgetExceeded, match="per-job budget"):
        reserve(log, [record(0.1), record(0.6)])


def test_rehearsal_counts_hardware_equivalent_of_emulator_jobs():
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    emulated = record(0.0, backend="fake_torino", kind="emulator", hardware_equivalent=0.8)
    reserve(log, [emulated])  # not rehearsing: free
    assert log.get(emulated["id"])["cost"]["counted"] == 0.0
    log.set_setting("rehearse", True)
    second = record(0.0, backend="fake_torino", kind="emulator", hardware_equivalent=0.8)
    reserve(log, [second])  # 0.8 of 1.0 now reserved
    assert log.get(second["id"])["cost"] | {"counted": 0.8, "rehearsal": True} == log.get(second["id"])["cost"]
    with pytest.raises(BudgetExceeded, match="rehearsal mode"):
        reserve(log, [record(0.0, backend="fake_torino", kind="emulator", hardware_equivalent=0.8)])
    status = budget_status(log)
    assert status == [status[0]] and status[0]["committed"] == pytest.approx(0.8)
    assert status[0]["rehearsal"] is True and status[0]["remaining"] == pytest.approx(0.2)


def test_budget_status_reports_spent_committed_remaining():
    log = open_runlog()
    log.set_budget(limit=2.0, period="day")
    log.set_budget(limit=0.5, period="job", backend="ibm_x")
    reserve(log, [record(0.5, status="done"), record(0.25, status="queued"), record(0.1, status="failed")])
    by_period = {b["period"]: b for b in budget_status(log)}
    assert by_period["day"]["spent"] == pytest.approx(0.5)
    assert by_period["day"]["committed"] == pytest.approx(0.25)
    assert by_period["day"]["remaining"] == pytest.approx(1.25)
    assert by_period["day"]["rehearsal"] is False and by_period["day"]["since"] <= time.time()
    assert by_period["job"]["remaining"] == 0.5 and by_period["job"]["backend"] == "ibm_x"


RACER = textwrap.dedent("""
    import sys, time, uuid
    from pathlib import Path
    from qhybrid_lab.costs.guard import check_and_reserve
    from qhybrid_lab.errors import BudgetExceeded
    from qhybrid_lab.runlog import open_runlog
    go = Path(sys.argv[1])
    log = open_runlog()
    log.get_setting("warm")
    while not go.exists():
        time.sleep(0.005)
    rec = {"id": uuid.uuid4().hex, "backend": {"name": "ibm_x", "kind": "hardware"}, "circuit": {"name": "c"},
           "cost": {"estimate": 0.6, "actual": None, "hardware_equivalent": None}}
    try:
        with log.transaction():
            check_and_reserve(log, [rec])
            time.sleep(0.3)  # a wide window between the check and the insert: only the lock closes it
            log.insert_many([rec])
        print("reserved")
    except BudgetExceeded:
        print("blocked")
""")


def test_two_processes_racing_for_the_last_of_a_budget_cannot_both_pass(qhome, tmp_path):
    # Given 1.00 left in the budget and two kernels that each want 0.60
    log = open_runlog()
    log.set_budget(limit=1.0, period="total")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QHYBRID_HOME": str(qhome)}
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(go)], env=env, stdout=subprocess.PIPE, text=True)
              for _ in range(2)]
    time.sleep(1.0)  # both imported and waiting
    # When they start at the same moment
    go.touch()
    outcomes = sorted(p.communicate(timeout=60)[0].strip() for p in racers)
    # Then exactly one got through
    assert outcomes == ["blocked", "reserved"]
    assert log.count(status="pending") == 1 and log.count(status="blocked") == 1
