"""The REST API through a real Jupyter server (pytest-jupyter), authentication required."""

from __future__ import annotations

import json
import os
import socket

import pytest


async def test_root_answers_with_version_and_poll_hint(api):
    code, data = await api("GET")
    assert code == 200
    assert data["name"] == "qhybrid-lab" and data["poll_interval"] == 1.0


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", ("jobs",)), ("GET", ("budgets",)), ("PUT", ("budgets",)), ("POST", ("jobs", "abcd1234", "cancel"))],
)
async def test_unauthenticated_requests_are_refused(api, runlog, method, path, record):
    # Given a job and no budget; When a request comes without the token
    runlog.insert(record(id="abcd1234" + "0" * 24, status="running"))
    body = {"limit": 1, "period": "total"} if method == "PUT" else None
    code, _ = await api(method, *path, body=body, headers={"Authorization": ""})
    # Then it is refused and nothing changed
    assert code == 403
    assert runlog.budgets() == []
    assert runlog.get("abcd1234")["status"] == "running"


async def test_jobs_newest_first_filtered_and_paged(api, runlog, record):
    # Given five jobs on two backends and two notebooks
    for i in range(5):
        runlog.insert(record(
            created=1000.0 + i, updated=1000.0 + i, status="done" if i % 2 else "failed",
            backend={"name": "aer" if i < 3 else "fake_torino", "kind": "simulator" if i < 3 else "emulator"},
            origin={"notebook": f"nb{i % 2}.ipynb"}, circuit={"name": f"c{i}"},
        ))
    # When the sidebar lists them
    code, data = await api("GET", "jobs")
    assert code == 200 and data["total"] == 5
    assert [j["circuit"]["name"] for j in data["jobs"]] == ["c4", "c3", "c2", "c1", "c0"]
    # Then filters and paging apply, and brief drops the bulky fields
    _, page = await api("GET", "jobs", params={"limit": 2, "offset": 1, "brief": 1})
    assert [j["circuit"]["name"] for j in page["jobs"]] == ["c3", "c2"] and page["total"] == 5
    assert "qasm" not in page["jobs"][0]["circuit"] and "counts" not in page["jobs"][0]["result"]
    _, failed = await api("GET", "jobs", params={"status": "failed"})
    assert sorted(j["circuit"]["name"] for j in failed["jobs"]) == ["c0", "c2", "c4"]
    _, emu = await api("GET", "jobs", params={"backend": "fake_torino", "status": "done,failed"})
    assert [j["circuit"]["name"] for j in emu["jobs"]] == ["c4", "c3"] and emu["total"] == 2
    _, nb = await api("GET", "jobs", params={"notebook": "nb1.ipynb"})
    assert [j["circuit"]["name"] for j in nb["jobs"]] == ["c3", "c1"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"limit": "ten"}, "limit must be an integer"), ({"limit": 0}, "limit must be between"),
     ({"offset": -1}, "offset must be between 0"), ({"status": "finished"}, "unknown status 'finished'")],
)
async def test_bad_job_filters_are_400_with_a_reason(api, params, needle):
    code, data = await api("GET", "jobs", params=params)
    assert code == 400
    assert data["error"] == "BadRequest" and needle in data["message"]


async def test_job_by_id_and_prefix_and_unknown_is_404(api, runlog, record):
    job_id = runlog.insert(record())
    code, data = await api("GET", "jobs", job_id)
    assert code == 200 and data["id"] == job_id and data["circuit"]["qasm"].startswith("OPENQASM 3.0")
    code, data = await api("GET", "jobs", job_id[:6])
    assert code == 200 and data["id"] == job_id
    code, data = await api("GET", "jobs", "ffffffffdeadbeef")
    assert code == 404 and data["error"] == "UnknownJob" and "ffffffffdeadbeef" in data["message"]


async def test_listing_marks_jobs_of_a_dead_kernel_interrupted(api, runlog, record):
    # Given a running job whose owner's process is gone
    dead_pid = 2**22 + 12345
    while _pid_alive(dead_pid):
        dead_pid += 1
    owner = f"{dead_pid}@{socket.gethostname()}"
    runlog.heartbeat(owner, {"pid": dead_pid, "host": socket.gethostname()})
    job_id = runlog.insert(record(status="running", origin={"owner": owner, "pid": dead_pid,
                                                                  "host": socket.gethostname()}))
    # When the sidebar lists jobs; Then it shows as interrupted
    _, data = await api("GET", "jobs")
    assert [j["status"] for j in data["jobs"] if j["id"] == job_id] == ["interrupted"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def test_cancel_writes_a_request_for_the_owner(api, runlog, record):
    # Given a running job of some kernel
    owner = f"{os.getpid()}@{socket.gethostname()}"
    job_id = runlog.insert(record(status="running", origin={"owner": owner}))
    # When the sidebar cancels it
    code, data = await api("POST", "jobs", job_id[:8], "cancel")
    # Then a request waits for the owning engine
    assert code == 200 and data["requested"] is True and data["job_id"] == job_id
    assert [r["job_id"] for r in runlog.pending_requests(owner)] == [job_id]


async def test_cancel_unknown_is_404_and_finished_is_409(api, runlog, record):
    code, data = await api("POST", "jobs", "0123456789", "cancel")
    assert code == 404 and data["error"] == "UnknownJob"
    job_id = runlog.insert(record(status="done"))
    code, data = await api("POST", "jobs", job_id, "cancel")
    assert code == 409 and data["error"] == "Conflict" and "already done" in data["message"]


async def test_budgets_round_trip(api, runlog, record):
    # Given one finished emulator job that counted 0.4 and one running that commits 0.3
    runlog.insert(record(status="done", cost={"estimate": 0.4, "counted": 0.4}))
    runlog.insert(record(status="running", cost={"estimate": 0.3, "counted": 0.3}))
    # When a budget is set from the sidebar
    code, data = await api("PUT", "budgets", body={"limit": 5, "period": "total", "backend": None})
    assert code == 200
    (budget,) = data["budgets"]
    assert budget["limit"] == 5 and budget["period"] == "total"
    assert budget["spent"] == pytest.approx(0.4) and budget["committed"] == pytest.approx(0.3)
    assert data["rehearse"] is False and data["blocked"] == []
    # Then GET shows it, setting again replaces it, DELETE removes it
    _, again = await api("PUT", "budgets", body={"limit": 2.5, "period": "total"})
    assert [b["limit"] for b in again["budgets"]] == [2.5]
    _, listed = await api("GET", "budgets")
    assert [b["limit"] for b in listed["budgets"]] == [2.5]
    code, gone = await api("DELETE", "budgets", params={"period": "total"})
    assert code == 200 and gone["budgets"] == []
    code, data = await api("DELETE", "budgets", params={"period": "total"})
    assert code == 404 and data["error"] == "NotFound"


async def test_budgets_show_rehearsal_and_blocked_jobs(api, runlog, record):
    runlog.set_setting("rehearse", True)
    runlog.insert(record(status="blocked", blocked_reason="total budget 1.00 USD would be exceeded"))
    _, data = await api("GET", "budgets")
    assert data["rehearse"] is True
    assert [j["blocked_reason"] for j in data["blocked"]] == ["total budget 1.00 USD would be exceeded"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [("{not json", "not valid JSON"), ({"limit": -1, "period": "day"}, "limit must be a number from 0"),
     ({"limit": 1, "period": "week"}, "period must be"), ({"limit": 1, "colour": "red"}, "unknown budget field"),
     ([1, 2], "must be a JSON object")],
)
async def test_bad_budget_body_is_400(api, runlog, body, needle):
    code, data = await api("PUT", "budgets", body=body)
    assert code == 400 and needle in data["message"]
    assert runlog.budgets() == []


async def test_compare_groups_one_circuit_across_backends(api, runlog, record):
    # Given the same circuit on aer and on an emulator, and another circuit on aer only
    runlog.insert(record(circuit={"hash": "sha256:bell"}, result={"counts": {"00": 500, "11": 500}, "shots": 1000}))
    runlog.insert(record(
        circuit={"hash": "sha256:bell"}, backend={"name": "fake_torino", "kind": "emulator"},
        result={"counts": {"00": 470, "11": 480, "01": 30, "10": 20}, "shots": 1000},
        transpile={"depth": 9, "two_qubit": 3},
    ))
    runlog.insert(record(circuit={"hash": "sha256:ghz", "name": "ghz"}))
    # When the sidebar asks for comparisons of the Bell circuit
    code, data = await api("GET", "compare", params={"circuit_hash": "sha256:bell"})
    # Then it gets one group with both backends
    assert code == 200 and len(data["groups"]) == 1
    text = str(data["groups"][0])
    assert "aer" in text and "fake_torino" in text and "sha256:ghz" not in text


async def test_backends_lists_aer_and_emulators(api):
    code, data = await api("GET", "backends")
    assert code == 200
    by_name = {b["name"]: b for b in data["backends"]}
    assert by_name["aer"]["kind"] == "simulator"
    assert any(b["kind"] == "emulator" for b in data["backends"])


async def test_a_renamed_notebook_shows_under_its_current_path(api, jp_fetch, runlog, record):
    # Given a live kernel whose session's notebook was renamed after the kernel started
    response = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
        {"path": "work/renamed.ipynb", "type": "notebook", "name": "", "kernel": {"name": "python3"}}))
    session = json.loads(response.body)
    kernel_id = session["kernel"]["id"]
    try:
        job = record(origin={"kernel_id": kernel_id, "notebook": "Untitled.ipynb"})
        other = record(origin={"kernel_id": "gone", "notebook": "old.ipynb"})
        runlog.insert(job)
        runlog.insert(other)
        # When the sidebar lists the jobs and opens one
        status, listing = await api("GET", "jobs")
        _, detail = await api("GET", "jobs", job["id"])
        # Then the live kernel's job shows the current path, the path at submission is kept, the log is unchanged
        shown = {j["id"]: j["origin"] for j in listing["jobs"]}
        assert status == 200
        assert shown[job["id"]]["notebook"] == "work/renamed.ipynb"
        assert shown[job["id"]]["notebook_at_submit"] == "Untitled.ipynb"
        assert detail["origin"]["notebook"] == "work/renamed.ipynb"
        assert shown[other["id"]]["notebook"] == "old.ipynb"
        assert runlog.get(job["id"])["origin"]["notebook"] == "Untitled.ipynb"
    finally:
        await jp_fetch("api", "sessions", session["id"], method="DELETE")
