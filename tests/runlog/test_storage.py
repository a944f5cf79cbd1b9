"""The storage: TinyDB API on the append-only log, catching up incrementally, compaction, locking."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading

import pytest
from tinydb import Query

from qhybrid_lab.errors import RunLogError
from qhybrid_lab.runlog import LogDB, LogTable, RunLog, open_runlog


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_writes_append_one_line_and_never_rewrite(log, record_factory):
    rec = record_factory(0)
    log.insert(rec)
    before = log.file.read_bytes()
    log.update(rec["id"], {"timings": {"run": 1.0}}, status="running")
    log.set_setting("rehearse", True)
    after = log.file.read_bytes()
    assert after.startswith(before)
    new = [json.loads(line) for line in after[len(before):].splitlines()]
    assert [(op["t"], op["op"]) for op in new] == [("runs", "merge"), ("settings", "put")]
    assert set(new[0]["fields"]) == {"timings", "status", "status_history", "updated"}
    header = _lines(log.file)[0]
    assert header["format"] == "qhybrid-runlog" and header["schema"] == RunLog.SCHEMA_VERSION


def test_tinydb_api_works_on_the_log(qhome):
    db = LogDB(qhome / "plain.jsonl")
    table = db.table("things")
    assert isinstance(table, LogTable)
    first = table.insert({"name": "a", "n": 1})
    table.insert_multiple([{"name": "b", "n": 2}, {"name": "c", "n": 3}])
    thing = Query()
    assert [d["name"] for d in table.search(thing.n >= 2)] == ["b", "c"]
    table.update({"n": 10}, thing.name == "b")
    table.update(lambda d: d.update(n=d["n"] + 1), doc_ids=[first])
    table.remove(thing.name == "c")
    table.upsert({"name": "d", "n": 4}, thing.name == "d")
    assert sorted((d["name"], d["n"]) for d in table.all()) == [("a", 2), ("b", 10), ("d", 4)]
    assert table.get(doc_id=first)["n"] == 2 and len(table) == 3
    ops = _lines(qhome / "plain.jsonl")[1:]
    assert [o["op"] for o in ops] == ["put", "put", "put", "put", "put", "delete", "put"]  # only what changed
    reopened = LogDB(qhome / "plain.jsonl").table("things")
    assert sorted(d["name"] for d in reopened.all()) == ["a", "b", "d"]
    db.drop_table("things")
    assert LogDB(qhome / "plain.jsonl").table("things").all() == []


def test_another_instance_catches_up_by_reading_only_new_bytes(qhome, record_factory):
    writer, reader = RunLog(qhome), RunLog(qhome)
    writer.insert_many([record_factory(i) for i in range(5)])
    assert reader.count() == 5
    loads = reader._storage.full_loads
    rec = record_factory(10, status="running")
    writer.insert(rec)
    writer.update(rec["id"], {"shots": 7})
    assert reader.get(rec["id"])["shots"] == 7 and [r["id"] for r in reader.active()][0] == rec["id"]
    assert reader._storage.full_loads == loads  # incremental, not a reload
    assert reader._storage._offset == reader.file.stat().st_size


def test_tinydb_query_cache_sees_other_processes_writes(qhome, record_factory):
    mine, other = RunLog(qhome), RunLog(qhome)
    running = Query().status == "running"
    assert mine.db.table("runs").search(running) == []
    other.insert(record_factory(0, status="running"))
    assert len(mine.db.table("runs").search(running)) == 1


def test_compaction_rewrites_aside_and_others_reload(qhome, record_factory):
    a, b = RunLog(qhome), RunLog(qhome)
    recs = [record_factory(i) for i in range(20)]
    a.insert_many(recs)
    for r in recs:
        a.update(r["id"], {"attempts": 2}, status="running")
    a.heartbeat("1@h", {})
    a.heartbeat("1@h", {})
    snapshot = {r["id"]: r for r in b.query(limit=None)}
    size, inode, generation = a.file.stat().st_size, a.file.stat().st_ino, a._storage.generation
    loads = a._storage.full_loads
    a.compact()
    assert a._storage.full_loads == loads  # the compacting process keeps its state, no re-parse
    assert a.file.stat().st_size < size and a.file.stat().st_ino != inode
    assert a._storage.generation != generation
    assert len(_lines(a.file)) == 1 + 20 + 1  # header, runs, one heartbeat
    assert {r["id"]: r for r in b.query(limit=None)} == snapshot  # b noticed the new file and reloaded
    b.update(recs[0]["id"], {}, status="done")  # b writes into the new file, not the replaced one
    assert a.get(recs[0]["id"])["status"] == "done" and RunLog(qhome).count(status="done") == 1
    # no temporary files left: only the snapshot the compaction wrote
    assert [p.name for p in qhome.iterdir() if p.name.startswith(".")] == [".runlog.snapshot"]
    a.insert(record_factory(30))
    assert a.query(limit=None) == RunLog(qhome).query(limit=None) == b.query(limit=None)


def test_transaction_is_reentrant_and_thread_safe(log):
    log.insert({"id": "counter", "n": 0})

    def bump(times: int) -> None:
        for _ in range(times):
            with log.transaction():
                with log.transaction():  # re-entrant within the thread
                    n = log.get("counter")["n"]
                log.update("counter", {"n": n + 1})

    threads = [threading.Thread(target=bump, args=(40,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.get("counter")["n"] == 240


def _child_bumps(home: str) -> None:
    log = open_runlog(home)  # the parent's cached instance, inherited through fork
    for _ in range(50):
        with log.transaction():
            log.update("counter", {"n": log.get("counter")["n"] + 1})


def test_forked_children_do_not_share_the_parents_lock(qhome):
    log = open_runlog()
    log.insert({"id": "counter", "n": 0})
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_child_bumps, args=(str(qhome),)) for _ in range(2)]
    for c in children:
        c.start()
    _child_bumps(str(qhome))
    for c in children:
        c.join(30)
        assert c.exitcode == 0
    assert log.get("counter")["n"] == 150


def test_fsync_option(qhome):
    log = RunLog(qhome, fsync=True)
    assert log._storage.fsync is True
    log.insert({"id": "abcd0001"})
    assert RunLog(qhome).get("abcd")["id"] == "abcd0001"


def test_a_lock_held_too_long_by_another_process_is_reported(qhome):
    log = RunLog(qhome)
    log.insert({"id": "abcd0001"})
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('held', flush=True); time.sleep(30)", str(qhome / "runlog.lock")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        log._storage.lock.timeout = 0.3
        with pytest.raises(RunLogError, match="held by another process for over 0.3 s"):
            log.insert({"id": "abcd0002"})
    finally:
        holder.kill()
        holder.wait()
    log.insert({"id": "abcd0002"})  # released: works again
    assert log.count() == 2


def test_documents_rest_as_their_bytes_and_foreign_layouts_still_load(qhome):
    log = RunLog(qhome)
    log.insert({"id": "abcd0001", "note": 'tricky ,"doc": {"x": 1}', "nested": {"doc": {"doc": 1}}})
    with open(log.file, "a") as fh:  # the same operation written by another tool: other key order and spacing
        fh.write('{"doc": {"id": "abcd0002", "created": 5.0, "status": "done"}, "id": "abcd0002", '
                 '"op": "put", "t": "runs"}\n')
    fresh = RunLog(qhome)
    assert fresh.get("abcd0001")["note"] == 'tricky ,"doc": {"x": 1}'
    assert fresh.get("abcd0001")["nested"] == {"doc": {"doc": 1}}
    assert fresh.get("abcd0002")["status"] == "done" and fresh.count(status="done") == 1
    raw = fresh._storage._state["runs"]
    assert isinstance(raw["abcd0001"], bytes) and isinstance(raw["abcd0002"], dict)
    fresh.update("abcd0001", {"shots": 3})
    fresh.compact()
    assert RunLog(qhome).get("abcd0001")["shots"] == 3 and RunLog(qhome).get("abcd0002")["created"] == 5.0


def test_maybe_compact_bounds_a_log_grown_by_heartbeats_and_keeps_every_document(log, record_factory):
    # Given a log whose few documents were rewritten many times (heartbeats, status changes)
    ids = [log.insert(record_factory()) for _ in range(5)]
    for beat in range(300):
        log.heartbeat("7@h", {"pid": 7, "beat": beat})
    before = log.file.stat().st_size
    # When the obsolete lines are still few, nothing happens
    assert log.maybe_compact(min_superseded=1000) is False
    assert log.file.stat().st_size == before
    # When they pass the threshold, the file shrinks to the live state and another reader sees the same
    assert log.maybe_compact(min_superseded=100) is True
    assert log.file.stat().st_size < before / 10
    other = RunLog(log.directory)
    assert sorted(r["id"] for r in other.query(limit=None)) == sorted(ids)
    assert [o["beat"] for o in other.owners()] == [299]
    assert log.maybe_compact(min_superseded=100) is False


def _descriptors_on(path) -> int:
    import os

    fds = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the descriptor listdir itself used
            pass
    return sum(1 for target in fds if target.startswith(str(path)))


def test_run_logs_dropped_or_closed_keep_no_file_descriptor_open(qhome, record_factory, tmp_path):
    import gc

    from qhybrid_lab.runlog.log import close_runlogs

    # Given run logs that were read and written (each holds its lock file and the log open)
    for i in range(20):
        log = RunLog(tmp_path / f"home{i}")
        log.insert(record_factory(i))
        assert log.count() == 1
    assert _descriptors_on(tmp_path) > 0
    # When they are dropped without close(), Then their descriptors are closed with them
    del log
    gc.collect()
    assert _descriptors_on(tmp_path) == 0
    # And the process-wide instances of a directory tree are closed and forgotten by close_runlogs
    shared = open_runlog(tmp_path / "shared")
    shared.insert(record_factory(99))
    assert _descriptors_on(tmp_path / "shared") == 2
    assert close_runlogs(tmp_path) == 1 and _descriptors_on(tmp_path) == 0
    assert open_runlog(tmp_path / "shared") is not shared and open_runlog(tmp_path / "shared").count() == 1
