"""Budgets, settings, cancel requests, heartbeats and reaping jobs whose kernel stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from qhybrid_lab.errors import InvalidJobSpec, UnknownJob
from qhybrid_lab.runlog import RunLog


def test_budgets_one_per_period_and_backend(log):
    log.set_budget(limit=10, period="day")
    log.set_budget(limit=5, period="total", backend="fake_torino")
    replaced = log.set_budget(limit=20, period="day", currency="EUR")
    assert replaced["limit"] == 20.0 and replaced["currency"] == "EUR" and replaced["updated"] > 0
    budgets = RunLog(log.directory).budgets()
    assert [(b["period"], b["backend"], b["limit"]) for b in budgets] == [("day", None, 20.0),
                                                                          ("total", "fake_torino", 5.0)]
    assert set(budgets[0]) == {"limit", "period", "backend", "currency", "updated"}
    assert log.remove_budget(period="day") is True
    assert log.remove_budget(period="day") is False
    assert [b["backend"] for b in log.budgets()] == ["fake_torino"]


@pytest.mark.parametrize("kwargs, match", [
    ({"limit": 1, "period": "week"}, "period must be one of day, total, job"),
    ({"limit": -1}, "limit must be a finite number"),
    ({"limit": float("nan")}, "limit must be a finite number"),
    ({"limit": "10"}, "limit must be a finite number"),
    ({"limit": 1, "backend": ""}, "backend must be"),
])
def test_bad_budgets_are_refused(log, kwargs, match):
    with pytest.raises(InvalidJobSpec, match=match):
        log.set_budget(**kwargs)


def test_settings(log):
    assert log.get_setting("rehearse") is None and log.get_setting("rehearse", False) is False
    log.set_setting("rehearse", True)
    log.set_setting("limits", {"a": [1, 2]})
    other = RunLog(log.directory)
    assert other.get_setting("rehearse") is True and other.get_setting("limits") == {"a": [1, 2]}
    with pytest.raises(InvalidJobSpec):
        log.set_setting("", 1)
    with pytest.raises(InvalidJobSpec, match="JSON"):
        log.set_setting("bad", object())


def test_cancel_requests_reach_the_owner(log, record_factory):
    mine = record_factory(0, origin={"owner": "11@h"})
    theirs = record_factory(1, origin={"owner": "22@h"})
    log.insert_many([mine, theirs])
    request = RunLog(log.directory).request_cancel(mine["id"][:6], by="sidebar")  # the server's process
    assert request["job_id"] == mine["id"] and request["kind"] == "cancel" and request["by"] == "sidebar"
    pending = log.pending_requests("11@h")
    assert [(r["id"], r["job_id"]) for r in pending] == [(request["id"], mine["id"])]
    assert set(pending[0]) >= {"id", "job_id", "kind", "at", "by"}
    assert log.pending_requests("22@h") == []
    log.complete_request(request["id"])
    log.complete_request(request["id"])  # idempotent
    assert log.pending_requests("11@h") == []
    with pytest.raises(UnknownJob):
        log.request_cancel("ffffffff")


def test_heartbeats_upsert_per_owner(log):
    log.heartbeat("1@h", {"jobs": 2})
    log.heartbeat("2@h", {"pid": 2, "host": "h"})
    log.heartbeat("1@h", {"jobs": 3})
    owners = log.owners()
    assert [o["owner"] for o in owners] == ["1@h", "2@h"]
    assert owners[0]["jobs"] == 3 and owners[0]["pid"] == os.getpid() and owners[0]["at"] <= time.time()
    assert owners[1]["pid"] == 2
    with pytest.raises(InvalidJobSpec):
        log.heartbeat("", {})


def test_reap_interrupted(log, record_factory):
    host = socket.gethostname()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    me = f"{os.getpid()}@{host}"
    gone = record_factory(0, status="running", origin={"owner": f"{dead_pid}@{host}", "pid": dead_pid, "host": host})
    stale = record_factory(1, status="queued", origin={"owner": "77@elsewhere", "pid": 77, "host": "elsewhere"})
    alive = record_factory(2, status="running", origin={"owner": me, "pid": os.getpid(), "host": host})
    remote = record_factory(3, status="running", origin={"owner": "88@elsewhere", "pid": 88, "host": "elsewhere"})
    finished = record_factory(4, status="done", origin=gone["origin"])
    log.insert_many([gone, stale, alive, remote, finished])
    log.heartbeat("77@elsewhere", {"pid": 77, "host": "elsewhere", "at": time.time() - 60})
    log.heartbeat("88@elsewhere", {"pid": 88, "host": "elsewhere"})
    log.heartbeat(me, {})

    reaped = log.reap_interrupted(stale_after=20)

    assert sorted(reaped) == sorted([gone["id"], stale["id"]])
    rec = log.get(gone["id"])
    assert rec["status"] == "interrupted" and rec["error"].startswith(
        f"the kernel that ran this job exited or restarted (pid {dead_pid})")
    assert rec["status_history"][-1]["status"] == "interrupted"
    assert log.get(stale["id"])["error"].startswith("the kernel that ran this job (pid 77 on elsewhere) stopped beating")
    assert log.get(alive["id"])["status"] == "running" and log.get(remote["id"])["status"] == "running"
    assert log.get(finished["id"])["status"] == "done"
    assert log.reap_interrupted(stale_after=20) == []


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)


def test_every_reader_sees_a_dead_owners_job_as_interrupted_at_once(log, record_factory):
    # Given a running job whose kernel died (nobody reaped it yet)
    host, pid = socket.gethostname(), _dead_pid()
    job = record_factory(0, status="running", origin={"owner": f"{pid}@{host}", "pid": pid, "host": host})
    log.insert(job)
    # When any process reads it, by id or in a listing
    other = RunLog(log.directory)
    listed = other.query(status="running")
    # Then it is interrupted, in the answer and in the run log, with the reason
    assert listed == [] and other.get(job["id"][:6])["status"] == "interrupted"
    assert log.get(job["id"])["status_history"][-1]["note"] == "owner stopped"
    assert log.count(status="interrupted") == 1


def test_a_provider_job_of_a_dead_owner_stays_live_and_waits_for_adoption(log, record_factory):
    host, pid = socket.gethostname(), _dead_pid()
    job = record_factory(0, status="queued", origin={"owner": f"{pid}@{host}", "pid": pid, "host": host})
    job["provider_job"] = {"provider": "ibm", "job_id": "d1", "backend": "ibm:ibm_x", "local": False}
    log.insert(job)
    record = log.get(job["id"])
    assert record["status"] == "queued" and record["handler"]["owner"] is None
    assert record["handler"]["previous"] == f"{pid}@{host}"
    assert "waits to be adopted" in record["status_history"][-1]["note"]
    assert log.reap_interrupted() == []  # released once, not again at every read
