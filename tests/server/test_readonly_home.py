"""A read-only ``$QHYBRID_HOME``: the REST API reads it (200) and says clearly why it cannot write it (503).

The server runs in a subprocess that cannot write the home: the home's directory is 0555 and its files 0444, and
when the tests run as root (whom permission bits do not stop) the server runs under ``setpriv`` without
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so root is held to those bits too.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from live_server import WITHOUT_DAC_OVERRIDE, live_server
from server_helpers import make_record

from qhybrid_lab.runlog import RunLog


def _make_read_only(home: Path) -> None:
    for path in sorted(home.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    home.chmod(0o555)


def _make_writable(home: Path) -> None:
    home.chmod(0o755)
    for path in home.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.slow
def test_a_read_only_home_is_readable_and_writes_say_why_not(tmp_path):
    # Given a run log with a running job (its owner alive on this host), a finished one and a budget
    home = tmp_path / "home"
    log = RunLog(home)
    me = {"owner": f"{os.getpid()}@{socket.gethostname()}", "pid": os.getpid(), "host": socket.gethostname()}
    running = make_record(status="running", origin=me)
    stale = make_record(status="running", origin={"owner": "77@elsewhere", "pid": 77, "host": "elsewhere"})
    done = make_record(status="done")
    log.insert_many([running, stale, done])
    log.heartbeat("77@elsewhere", {"pid": 77, "host": "elsewhere", "at": time.time() - 3600})  # long stopped
    log.update(stale["id"], {"note": "x"})  # superseded lines, so housekeeping would like to write
    log.set_budget(limit=2.0, period="day")
    log.close()
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    _make_read_only(home)
    prefix = WITHOUT_DAC_OVERRIDE if os.geteuid() == 0 else []
    try:
        with live_server(home, tmp_path / "server", prefix=prefix) as server:
            # the server process really cannot write there
            probe = server.request("PUT", "budgets", body='{"limit": 1, "period": "total"}')
            # When the sidebar reads everything
            reads = {path: server.request("GET", path) for path in
                     ("jobs", f"jobs/{running['id']}", "table", "budgets", "compare", "backends")}
            # and tries to write
            cancel = server.request("POST", f"jobs/{running['id']}/cancel")
            group_cancel = server.request("POST", f"groups/{running['group']}/cancel")
            delete = server.request("DELETE", "budgets?period=day")
            server_log = server.server_log()
    finally:
        _make_writable(home)
    # Then every read answers 200 with what is recorded
    assert {path: code for path, (code, _) in reads.items()} == dict.fromkeys(reads, 200), reads
    jobs = {j["id"]: j for j in reads["jobs"][1]["jobs"]}
    assert set(jobs) == {running["id"], stale["id"], done["id"]}
    assert jobs[running["id"]]["status"] == "running"
    assert jobs[stale["id"]]["status"] == "interrupted"  # shown as the run log would record it, in memory
    assert [b["limit"] for b in reads["budgets"][1]["budgets"]] == [2.0]
    assert reads["table"][1]["counts"]["total"] == 3
    # and every write is a 503 that says the home is read-only and what to do
    for code, data in (probe, cancel, group_cancel, delete):
        assert code == 503 and data["error"] == "RunLogError", data
        assert "read-only" in data["message"] and "QHYBRID_HOME" in data["message"], data
    assert "Traceback" not in server_log
    # and nothing in the home changed
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before
