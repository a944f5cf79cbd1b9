"""``GET table`` and ``POST groups/<id>/cancel``: the Queue's jobs table, served and filtered by the server."""

from __future__ import annotations

import os
import socket
import time
import uuid


def _me() -> dict:
    return {"owner": f"{os.getpid()}@{socket.gethostname()}", "pid": os.getpid(), "host": socket.gethostname()}


def _long_job_then_a_batch(runlog, record, *, quick: int = 150, still_running: int = 0) -> tuple[dict, str]:
    """A long emulator job, then a group of ``quick`` jobs (the last ``still_running`` of them running)."""
    t0 = time.time() - 600
    long = record(status="running", created=t0, origin=_me(), circuit={"name": "long-vqe"},
                  backend={"name": "fake_torino", "kind": "emulator"}, experiment="vqe")
    runlog.insert(long)
    batch = uuid.uuid4().hex
    runlog.insert_many([record(group=batch, created=t0 + 1 + i / 1000, origin=_me(),
                               status="running" if i >= quick - still_running else "done",
                               circuit={"name": f"quick-{i:03d}"}, tags=["batch"]) for i in range(quick)])
    return long, batch


async def test_a_long_job_stays_pinned_counted_and_cancellable_behind_150_quick_ones(api, runlog, record):
    # Given a long running emulator job followed by 150 quick jobs that are done
    long, batch = _long_job_then_a_batch(runlog, record)
    # When the sidebar reads the first page of its table
    code, table = await api("GET", "table", params={"limit": 100})
    # Then the long job is pinned and counted though it is not on the page
    assert code == 200
    assert long["id"] not in [j["id"] for j in table["page"]]
    assert [j["id"] for j in table["active"]] == [long["id"]]
    assert table["counts"]["active"] == 1 and table["overall"] == {"total": 151, "active": 1}
    assert table["counts"]["by_status"]["done"] == 150 and table["total"] == 151 and table["next_offset"] == 100
    assert "qasm" not in table["active"][0]["circuit"], "rows are brief"
    # and it can be cancelled from there
    code, cancelled = await api("POST", "jobs", long["id"], "cancel")
    assert code == 200 and [r["job_id"] for r in runlog.pending_requests(_me()["owner"])] == [long["id"]]
    # while the finished batch has nothing to cancel
    code, data = await api("POST", "groups", batch, "cancel")
    assert code == 409 and "no unfinished job (150 finished)" in data["message"]


async def test_a_running_batch_is_one_group_row_and_cancelled_as_a_group(api, runlog, record):
    # Given a 150-job batch of which 148 are done and 2 still run, after a long job
    long, batch = _long_job_then_a_batch(runlog, record, still_running=2)
    # When the table is read
    _, table = await api("GET", "table", params={"limit": 10})
    # Then the header can say "3 active" and the batch row "148/150 done"
    assert table["counts"]["active"] == 3 and len(table["active"]) == 3
    row = next(g for g in table["groups"] if g["group"] == batch)
    assert (row["done"], row["total"], row["active"], row["by_status"]) == (148, 150, 2, {"done": 148, "running": 2})
    assert (row["offset"], row["matching"]) == (0, 150) and row["tags"] == ["batch"] and row["backends"] == ["aer"]
    assert next(g for g in table["groups"] if g["group"] == long["group"])["offset"] is None
    # When the group is cancelled (by a prefix of its id)
    code, data = await api("POST", "groups", batch[:8], "cancel")
    # Then exactly its two unfinished jobs get a cancel request for their owner
    assert code == 200 and data["requested"] == 2 and data["finished"] == 148 and data["group"] == batch
    pending = {r["job_id"] for r in runlog.pending_requests(_me()["owner"])}
    assert pending == set(data["job_ids"]) and long["id"] not in pending
    assert {runlog.get(i)["group"] for i in pending} == {batch}


async def test_filters_and_search_narrow_the_table(api, runlog, record):
    # Given jobs on a simulator and an emulator, in two notebooks and experiments, with tags
    long, _ = _long_job_then_a_batch(runlog, record, quick=5)
    failed = record(status="failed", backend={"name": "aer", "kind": "simulator"}, tags=["Calibration"],
                    origin={"notebook": "other.ipynb"}, circuit={"name": "ghz-7"})
    runlog.insert(failed)

    async def ids(**params):
        code, table = await api("GET", "table", params=params)
        assert code == 200, table
        return [j["id"] for j in table["page"]], table

    # Then every filter narrows the page, its counts and the pinned jobs
    page, table = await ids(kind="emulator")
    assert page == [long["id"]] and table["counts"]["total"] == 1
    page, table = await ids(kind="simulator")
    assert long["id"] not in page and table["active"] == [] and table["counts"]["active"] == 0
    assert (await ids(backend="fake_torino"))[0] == [long["id"]]
    assert (await ids(experiment="vqe"))[0] == [long["id"]]
    assert (await ids(notebook="other.ipynb"))[0] == [failed["id"]]
    assert len((await ids(tag="batch"))[0]) == 5
    assert (await ids(q="GHZ"))[0] == [failed["id"]] and (await ids(q="calib"))[0] == [failed["id"]]
    assert (await ids(q=long["id"][:7]))[0] == [long["id"]]
    page, table = await ids(status="failed")
    assert page == [failed["id"]] and table["counts"]["by_status"]["failed"] == 1 and table["active"]
    # and "clear finished from view" hides what finished before, keeps what runs, deletes nothing
    page, table = await ids(finished_after=time.time() + 60)
    assert page == [long["id"]] and runlog.count() == 7


async def test_the_order_is_stable_across_polls_and_pages(api, runlog, record):
    # Given three groups, with jobs created at the same instant in one of them
    t0 = time.time() - 100
    groups = [uuid.uuid4().hex for _ in range(3)]
    for g, group in enumerate(groups):
        runlog.insert_many([record(group=group, created=t0 + g if g != 1 else t0 + 1.0, circuit={"name": f"{g}-{i}"})
                            for i in range(4)])
    # When the sidebar polls twice and walks the pages
    _, first = await api("GET", "table", params={"limit": 500})
    _, again = await api("GET", "table", params={"limit": 500})
    walked, offset = [], 0
    while offset is not None:
        _, page = await api("GET", "table", params={"limit": 5, "offset": offset})
        walked += [j["id"] for j in page["page"]]
        offset = page["next_offset"]
    # Then the order is the same every time: newest group first, each group in submission order (ties by id)
    order = [j["id"] for j in first["page"]]
    assert order == [j["id"] for j in again["page"]] == walked
    assert [j["group"] for j in first["page"]] == [groups[2]] * 4 + [groups[1]] * 4 + [groups[0]] * 4
    tied = [j for j in first["page"] if j["group"] == groups[1]]
    assert [j["id"] for j in tied] == sorted(j["id"] for j in tied)
    # and a new group comes first without changing the order of the others
    runlog.insert(record(circuit={"name": "new"}))
    _, later = await api("GET", "table", params={"limit": 500})
    assert [j["circuit"]["name"] for j in later["page"]][0] == "new"
    assert [j["id"] for j in later["page"]][1:] == order


async def test_unknown_groups_are_404(api):
    code, data = await api("POST", "groups", "0123456789", "cancel")
    assert code == 404 and data["error"] == "UnknownJob" and "no group" in data["message"]
