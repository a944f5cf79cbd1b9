"""The snapshot a compaction writes: used only when it matches the log, ignored when stale, damaged or missing."""

from __future__ import annotations

import threading

import pytest

from qhybrid_lab.errors import RunLogCorrupt
from qhybrid_lab.runlog import RunLog
from qhybrid_lab.runlog import snapshot as snapshot_module
from qhybrid_lab.runlog.snapshot import snapshot_path
from qhybrid_lab.runlog.storage import JsonLinesStorage


def _fill(log: RunLog, record_factory, n: int = 30) -> list[str]:
    ids = log.insert_many([record_factory(i, group=f"g{i % 4}", tags=[f"t{i % 3}"],
                                          backend={"name": ("aer", "fake_torino")[i % 2], "kind": "simulator"})
                           for i in range(n)])
    for job_id in ids[::3]:
        log.update(job_id, {"timings": {"run": 0.5}}, status="running")
    log.set_setting("rehearse", True)
    log.heartbeat("1@h", {})
    return ids


def _view(log: RunLog) -> dict:
    """Everything the readers ask of a log (records, filters through the indexes, the table, settings)."""
    return {"all": log.query(limit=None), "running": log.query(status="running", limit=None),
            "torino": log.count(backend="fake_torino"), "tag": [r["id"] for r in log.query(tag="t1", limit=None)],
            "active": [r["id"] for r in log.active()], "table": log.table(limit=10),
            "setting": log.get_setting("rehearse")}


def _parsed(qhome) -> dict:
    """The view of a process that parses the whole file (the snapshot moved away for the read)."""
    path = snapshot_path(qhome / "runlog.jsonl")
    kept = path.read_bytes() if path.exists() else None
    path.unlink(missing_ok=True)
    try:
        fresh = RunLog(qhome)
        view = _view(fresh)
        assert fresh._storage.snapshot_loads == 0
        return view
    finally:
        if kept is not None:
            path.write_bytes(kept)


def test_a_new_process_reads_the_snapshot_and_sees_what_a_full_parse_sees(qhome, record_factory):
    log = RunLog(qhome)
    ids = _fill(log, record_factory)
    log.compact()
    assert snapshot_path(log.file).exists()
    # lines appended after the compaction are read from the file after the snapshot
    log.update(ids[1], {"attempts": 2}, status="running")
    log.insert(record_factory(99, group="late"))
    log._runs.remove(doc_ids=[ids[2]])
    fresh = RunLog(qhome)
    view = _view(fresh)
    assert fresh._storage.snapshot_loads == 1
    assert view == _parsed(qhome) and len(view["all"]) == 30
    # and it writes on from there like any process
    fresh.update(ids[0], {}, status="done")
    assert RunLog(qhome).get(ids[0])["status"] == "done" == _parsed(qhome)["all"][-1]["status"]


def test_a_stale_snapshot_is_ignored(qhome, record_factory):
    log = RunLog(qhome)
    ids = _fill(log, record_factory)
    log.compact()
    old = snapshot_path(log.file).read_bytes()
    log.update(ids[0], {}, status="done")
    log.compact()  # a new generation: the old snapshot describes a file that is gone
    snapshot_path(log.file).write_bytes(old)
    fresh = RunLog(qhome)
    assert fresh.get(ids[0])["status"] == "done"
    assert fresh._storage.snapshot_loads == 0 and _view(fresh) == _parsed(qhome)


def test_a_snapshot_of_a_log_that_was_replaced_or_cut_is_ignored(qhome, record_factory):
    log = RunLog(qhome)
    _fill(log, record_factory)
    log.compact()
    kept = snapshot_path(log.file).read_bytes()
    # the log cut shorter than what the snapshot covers (the last line dropped)
    data = log.file.read_bytes()
    log.file.write_bytes(data[:data.rstrip(b"\n").rfind(b"\n") + 1])
    fresh = RunLog(qhome)
    assert _view(fresh) == _parsed(qhome) and fresh._storage.snapshot_loads == 0
    # a new log in its place (another header): the snapshot is not about it
    log.file.unlink()
    other = RunLog(qhome)
    other.insert(record_factory(1))
    snapshot_path(log.file).write_bytes(kept)
    fresh = RunLog(qhome)
    assert fresh.count() == 1 and fresh._storage.snapshot_loads == 0


@pytest.mark.parametrize("how", ["flipped", "truncated", "garbage", "empty", "wrong-shape"])
def test_a_damaged_snapshot_is_ignored(qhome, record_factory, how):
    log = RunLog(qhome)
    _fill(log, record_factory)
    log.compact()
    path = snapshot_path(log.file)
    data = path.read_bytes()
    if how == "flipped":
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]
    elif how == "truncated":
        data = data[:len(data) // 2]
    elif how == "garbage":
        data = b"\x00\x17 not a snapshot"
    elif how == "empty":
        data = b""
    else:  # a correct checksum around content of another shape
        import marshal
        import zlib

        payload = marshal.dumps(("not", "a", "snapshot"))
        data = snapshot_module.MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    path.write_bytes(data)
    fresh = RunLog(qhome)
    assert _view(fresh) == _parsed(qhome) and fresh._storage.snapshot_loads == 0


def test_a_missing_snapshot_means_a_full_parse(qhome, record_factory):
    log = RunLog(qhome)
    _fill(log, record_factory)
    log.compact()
    snapshot_path(log.file).unlink()
    fresh = RunLog(qhome)
    assert fresh.count() == 30 and fresh._storage.snapshot_loads == 0


def _damage_in_place(log: RunLog, job_id: str) -> bytes:
    """Change one character of a record in the file without changing its length (as a stray editor might)."""
    data = bytearray(log.file.read_bytes())
    at = data.index(b'"shots":1024', data.index(job_id.encode()))
    data[at + 8] = ord("9")
    log.file.write_bytes(bytes(data))  # in place: same inode, same size
    return bytes(data)


def test_a_log_changed_in_place_under_its_snapshot_is_read_as_it_is(qhome, record_factory):
    log = RunLog(qhome)
    ids = _fill(log, record_factory)
    log.compact()
    changed = _damage_in_place(log, ids[5])  # still valid JSON: only the whole-file CRC check can notice
    fresh = RunLog(qhome)
    assert fresh.get(ids[5])["shots"] == 9024 and fresh._storage.snapshot_loads == 0  # as if there were none
    assert log.file.read_bytes() == changed


def test_a_large_log_changed_in_place_is_noticed_when_the_record_is_read(qhome, record_factory, monkeypatch):
    monkeypatch.setattr(snapshot_module, "FULL_CHECK_BYTES", 0)  # check only the first and last block
    monkeypatch.setattr("qhybrid_lab.runlog.storage.CHECKPOINT_BYTES", 2048)
    log = RunLog(qhome)
    ids = _fill(log, record_factory, n=60)
    log.compact()
    changed = _damage_in_place(log, ids[30])
    fresh = RunLog(qhome)
    assert fresh.get(ids[1])["id"] == ids[1] and fresh._storage.snapshot_loads == 1
    # the record's CRC does not match the snapshot's: the file is parsed again and the record read as it is
    assert fresh.get(ids[30])["shots"] == 9024 and fresh._storage.full_loads == 2
    assert _view(fresh) == _parsed(qhome) and log.file.read_bytes() == changed


def test_a_damaged_line_under_a_snapshot_is_reported_as_without_one(qhome, record_factory, monkeypatch):
    monkeypatch.setattr(snapshot_module, "FULL_CHECK_BYTES", 0)
    monkeypatch.setattr("qhybrid_lab.runlog.storage.CHECKPOINT_BYTES", 2048)
    log = RunLog(qhome)
    ids = _fill(log, record_factory, n=60)
    log.compact()
    data = bytearray(log.file.read_bytes())
    at = data.index(b'"shots":1024', data.index(ids[30].encode()))
    data[at:at + 3] = b"\x00\x17x"  # no longer JSON
    log.file.write_bytes(bytes(data))
    fresh = RunLog(qhome)
    with pytest.raises(RunLogCorrupt) as info:
        fresh.get(ids[30])
    assert str(log.file) in str(info.value) and "line " in str(info.value)
    with pytest.raises(RunLogCorrupt):  # and every later use, until the file is moved aside
        fresh.get(ids[1])
    assert log.file.read_bytes() == bytes(data)


def test_writes_made_while_a_compaction_rewrites_are_kept(qhome, record_factory, monkeypatch):
    log, other = RunLog(qhome), RunLog(qhome)  # two storages on one file: two lock holders, as two processes
    ids = _fill(log, record_factory)
    rewrite = JsonLinesStorage._rewrite
    during: list[str] = []

    def rewrite_while_others_write(self, *args, **kwargs):
        out = rewrite(self, *args, **kwargs)
        if not during:  # the compaction holds no lock while it rewrites: another writer gets through
            during.append(other.insert(record_factory(200, group="during")))
            other.update(ids[4], {"attempts": 7}, status="running")
        return out

    monkeypatch.setattr(JsonLinesStorage, "_rewrite", rewrite_while_others_write)
    log.compact()
    for reader in (log, other, RunLog(qhome)):
        assert reader.get(during[0])["group"] == "during" and reader.get(ids[4])["attempts"] == 7
        assert reader.count() == 31
    fresh = RunLog(qhome)
    assert _view(fresh) == _parsed(qhome) and fresh._storage.snapshot_loads == 1


def test_a_compaction_overtaken_by_another_changes_nothing(qhome, record_factory, monkeypatch):
    log, other = RunLog(qhome), RunLog(qhome)
    _fill(log, record_factory)
    rewrite = JsonLinesStorage._rewrite

    def overtaken(self, *args, **kwargs):
        out = rewrite(self, *args, **kwargs)
        monkeypatch.setattr(JsonLinesStorage, "_rewrite", rewrite)
        other.compact()  # the other one finishes first
        return out

    monkeypatch.setattr(JsonLinesStorage, "_rewrite", overtaken)
    log.compact()
    inode = log.file.stat().st_ino
    assert RunLog(qhome).count() == 30 and log.count() == 30 and log.file.stat().st_ino == inode
    assert not list(qhome.glob(".runlog.jsonl.*"))  # the dropped one's files are gone


def test_threads_writing_through_compactions_lose_nothing(qhome, record_factory):
    log = RunLog(qhome)
    _fill(log, record_factory)
    stop, written, errors = threading.Event(), [], []

    def writer():
        i = 1000
        try:
            while not stop.is_set() or len(written) < 50:
                written.append(log.insert(record_factory(i)))
                log.update(written[-1], {}, status="running")
                i += 1
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    for _ in range(5):
        log.compact()
    stop.set()
    thread.join(timeout=120)
    assert not errors and not thread.is_alive()
    fresh = RunLog(qhome)
    assert fresh.count() == 30 + len(written) and {r["id"] for r in fresh.query(status="running", limit=None)} >= set(written)
    assert _view(fresh) == _parsed(qhome)
