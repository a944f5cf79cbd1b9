"""Run records: insert, update semantics, the final-state rule, lookup by prefix, queries and counts."""

from __future__ import annotations

import pytest

from qhybrid_lab.errors import AmbiguousJobId, InvalidJobSpec, UnknownJob
from qhybrid_lab.runlog import RunLog, open_runlog
from qhybrid_lab.status import JobStatus


def test_insert_fills_defaults(log, record_factory):
    job_id = log.insert({"id": "abcd1234", "backend": {"name": "aer"}})
    rec = log.get(job_id)
    assert rec["status"] == "pending" and rec["schema"] == 1
    assert rec["created"] == rec["updated"] and rec["created"] > 0
    assert rec["status_history"] == [{"status": "pending", "at": rec["created"], "note": None}]
    rec2 = record_factory(1, status="queued")
    log.insert(rec2)
    assert log.get(rec2["id"])["status_history"][0]["status"] == "queued"


@pytest.mark.parametrize("bad", [{}, {"id": ""}, {"id": 12}, {"id": "a b"}, "not a dict"])
def test_insert_rejects_records_without_a_usable_id(log, bad):
    with pytest.raises(InvalidJobSpec, match="id|dict"):
        log.insert(bad)


def test_insert_rejects_duplicates_and_bad_status(log, record_factory):
    rec = record_factory(0)
    log.insert(rec)
    with pytest.raises(InvalidJobSpec, match="already in the run log"):
        log.insert(rec)
    other = record_factory(1)
    with pytest.raises(InvalidJobSpec, match="already"):
        log.insert_many([other, other])
    assert log.count() == 1
    with pytest.raises(InvalidJobSpec, match="unknown job status 'finished'"):
        log.insert(record_factory(2, status="finished"))


def test_returned_records_are_copies(log, record_factory):
    rec = record_factory(0)
    log.insert(rec)
    rec["timings"]["queue"] = 99
    got = log.get(rec["id"])
    got["timings"]["run"] = 5
    assert log.get(rec["id"])["timings"] == {"transpile": 0.01, "queue": None}


def test_update_replaces_top_level_and_merges_dicts_one_level(log, record_factory):
    rec = record_factory(0, cost={"currency": "USD", "estimate": 1.0, "price_model": {"per_shot": 1}})
    log.insert(rec)
    new = log.update(rec["id"], {"timings": {"run": 1.2}, "shots": 10, "cost": {"price_model": {"per_task": 2}}})
    assert new["timings"] == {"transpile": 0.01, "queue": None, "run": 1.2}
    assert new["shots"] == 10
    assert new["cost"] == {"currency": "USD", "estimate": 1.0, "price_model": {"per_task": 2}}  # one level only
    assert new["updated"] >= rec["created"] and new == log.get(rec["id"])
    with pytest.raises(InvalidJobSpec, match="id cannot change"):
        log.update(rec["id"], {"id": "other"})
    with pytest.raises(InvalidJobSpec, match="append-only"):
        log.update(rec["id"], {"status_history": []})


def test_status_history_and_final_state_rule(log, record_factory):
    rec = record_factory(0)
    log.insert(rec)
    log.update(rec["id"], {}, status="queued")
    log.update(rec["id"], {}, status=JobStatus.RUNNING, note="worker 1")
    done = log.update(rec["id"], {"result": {"counts": {"00": 1}}}, status="done")
    # a cancel racing the finish: ignored as a whole, the current record comes back
    after = log.update(rec["id"], {"error": "cancelled by user"}, status="cancelled")
    assert after == done == log.get(rec["id"])
    assert [h["status"] for h in after["status_history"]] == ["pending", "queued", "running", "done"]
    assert after["status_history"][2]["note"] == "worker 1" and "error" not in after
    # fields without a status still apply to a final record; status in fields counts as status=
    assert log.update(rec["id"], {"cost": {"actual": 0.5}})["cost"]["actual"] == 0.5
    with pytest.raises(InvalidJobSpec, match="unknown job status"):
        log.update(rec["id"], {}, status="bogus")


def test_interrupted_job_may_be_reattached(log, record_factory):
    rec = record_factory(0, status="running")
    log.insert(rec)
    log.update(rec["id"], {"status": "interrupted"})
    assert log.update(rec["id"], {}, status="running")["status"] == "running"
    assert log.update(rec["id"], {}, status="done")["status"] == "done"


def test_get_by_exact_id_or_unique_prefix(log):
    log.insert({"id": "abcd1111"})
    log.insert({"id": "abcd2222"})
    log.insert({"id": "abc"})
    assert log.get("abcd1")["id"] == "abcd1111"
    assert log.get("abc")["id"] == "abc"  # an exact id may be short
    with pytest.raises(AmbiguousJobId, match="abcd1111, abcd2222"):
        log.get("abcd")
    with pytest.raises(UnknownJob, match="at least 4"):
        log.get("ab")
    with pytest.raises(UnknownJob, match="no job 'ffff'"):
        log.get("ffff")
    with pytest.raises(UnknownJob):
        log.update("ffff0000", {"shots": 1})


def test_query_filters_order_and_paging(log, record_factory):
    recs = [
        record_factory(0, status="done", backend={"name": "aer"}, tags=["x"]),
        record_factory(1, status="running", backend={"name": "fake_torino"}, group="g2",
                       origin={"owner": "2@h", "notebook": "b.ipynb"}),
        record_factory(2, status="failed", backend={"name": "aer"}, circuit={"hash": "sha256:bb"}, tags=["x", "y"]),
        record_factory(3, status="pending", backend={"name": "fake_sherbrooke"}),
    ]
    log.insert_many(recs)
    ids = [r["id"] for r in recs]
    assert [r["id"] for r in log.query()] == ids[::-1]
    assert [r["id"] for r in log.query(status="done")] == [ids[0]]
    assert [r["id"] for r in log.query(status=["done", "failed"])] == [ids[2], ids[0]]
    assert [r["id"] for r in log.query(backend="aer")] == [ids[2], ids[0]]
    assert [r["id"] for r in log.query(backend={"fake_torino", "fake_sherbrooke"})] == [ids[3], ids[1]]
    assert [r["id"] for r in log.query(notebook="b.ipynb")] == [ids[1]]
    assert [r["id"] for r in log.query(owner="2@h")] == [ids[1]]
    assert [r["id"] for r in log.query(tag="x")] == [ids[2], ids[0]]
    assert [r["id"] for r in log.query(tag="x", status="failed", backend="aer")] == [ids[2]]
    assert [r["id"] for r in log.query(circuit_hash="sha256:aa")] == [ids[3], ids[1], ids[0]]
    assert [r["id"] for r in log.query(group="g2")] == [ids[1]]
    assert [r["id"] for r in log.query(since=recs[2]["created"])] == [ids[3], ids[2]]
    assert [r["id"] for r in log.query(limit=2, offset=1)] == [ids[2], ids[1]]
    assert log.query(backend="nope") == [] and log.count(backend="nope") == 0
    assert log.count() == 4 and log.count(backend="aer") == 2 and log.count(since=recs[3]["created"]) == 1
    assert [r["id"] for r in log.active()] == [ids[3], ids[1]]
    with pytest.raises(InvalidJobSpec):
        log.query(status="finished")
    with pytest.raises(InvalidJobSpec):
        log.query(limit=-1)


def test_indexes_follow_updates(log, record_factory):
    recs = [record_factory(i) for i in range(30)]
    log.insert_many(recs)
    log.update(recs[5]["id"], {"tags": ["late"], "backend": {"name": "fake_torino"}}, status="running")
    assert [r["id"] for r in log.query(tag="late")] == [recs[5]["id"]]
    assert log.count(backend="fake_torino") == 1 and log.count(backend="aer") == 29
    assert [r["id"] for r in log.active()][-1] == recs[0]["id"] and log.count(status="running") == 1
    log.update(recs[5]["id"], {}, status="done")
    assert log.count(status="running") == 0 and len(log.active()) == 29


def test_open_runlog_caches_one_instance_per_directory(qhome, tmp_path):
    assert open_runlog() is open_runlog(qhome)
    other = open_runlog(tmp_path / "elsewhere")
    assert other is not open_runlog() and isinstance(other, RunLog) and other.file.parent == tmp_path / "elsewhere"


def test_values_json_cannot_hold_are_refused_and_nothing_is_written(log, record_factory):
    log.insert(record_factory(0))
    before = log.file.read_bytes()
    with pytest.raises(InvalidJobSpec, match="JSON values only"):
        log.insert_many([record_factory(1), record_factory(2, result={"counts": {1, 2}})])
    with pytest.raises(InvalidJobSpec, match="JSON values only"):
        log.update(log.query()[0]["id"], {"result": object()})
    assert log.file.read_bytes() == before and log.count() == 1
    stored = log.get(log.insert(record_factory(3, tags=("a", "b"), result={"counts": {5: 1}})))
    assert stored["tags"] == ["a", "b"] and stored["result"] == {"counts": {"5": 1}}  # as every process reads it
