"""A damaged run log raises RunLogCorrupt naming the file and line, and is never rewritten or repaired."""

from __future__ import annotations

import json

import pytest

from qhybrid_lab.errors import RunLogCorrupt
from qhybrid_lab.runlog import RunLog


def _damage(qhome, how: str) -> tuple[RunLog, int]:
    log = RunLog(qhome)
    for i in range(3):
        log.insert({"id": f"job{i:05d}"})
    log.close()
    data = log.file.read_bytes()
    lines = data.splitlines(keepends=True)
    if how == "garbage":
        data = b"".join(lines[:2] + [b"\x00\x17garbage here\n"] + lines[2:])
        bad = 3
    elif how == "torn-json":
        data = b"".join(lines[:2] + [lines[2][: len(lines[2]) // 2] + b"\n"] + lines[3:])
        bad = 3
    elif how == "not-an-operation":
        data += b'{"t":"runs","op":"upsert","id":"x"}\n'
        bad = 5
    elif how == "merge-into-nothing":
        data += b'{"t":"runs","op":"merge","id":"nope","fields":{}}\n'
        bad = 5
    elif how == "wrong-schema":
        header = json.loads(lines[0])
        header["schema"] = 99
        data = json.dumps(header).encode() + b"\n" + b"".join(lines[1:])
        bad = 1
    elif how == "not-a-runlog":
        data = b'{"_default": {"1": {"a": 1}}}\n'
        bad = 1
    else:  # empty
        data = b""
        bad = 1
    log.file.write_bytes(data)
    return log, bad


KINDS = ["garbage", "torn-json", "not-an-operation", "merge-into-nothing", "wrong-schema",
         "not-a-runlog", "empty"]


@pytest.mark.parametrize("how", KINDS)
def test_damage_is_reported_with_file_and_line_and_left_untouched(qhome, how):
    log, bad_line = _damage(qhome, how)
    original = log.file.read_bytes()
    fresh = RunLog(qhome)
    with pytest.raises(RunLogCorrupt) as info:
        fresh.query()
    message = str(info.value)
    assert str(log.file) in message and f"line {bad_line} " in message and "mv " in message
    if how == "wrong-schema":
        assert "schema 99" in message
    # later writes and maintenance fail the same way, and the bytes never change
    with pytest.raises(RunLogCorrupt):
        fresh.insert({"id": "newjob01"})
    with pytest.raises(RunLogCorrupt):
        fresh.compact()
    with pytest.raises(RunLogCorrupt):
        fresh.set_budget(limit=1.0)
    with pytest.raises(RunLogCorrupt):
        fresh.get("job00000")
    assert log.file.read_bytes() == original


def test_a_write_cut_short_by_a_killed_writer_is_not_read_and_is_moved_aside_by_the_next_writer(qhome, caplog):
    # Given a log whose last write was cut short (the writer was killed mid-write, holding the lock)
    log = RunLog(qhome)
    log.insert({"id": "job00001"})
    torn = b'{"t":"runs","op":"put","id":"job00002","doc":{"id":"job0'
    with open(log.file, "ab") as fh:
        fh.write(torn)
    with_tail = log.file.read_bytes()
    # When processes read it, this one and a new one
    # Then they read every confirmed record, and reading changes nothing
    assert log.count() == 1 and RunLog(qhome).get("job00001")["id"] == "job00001"
    assert log.file.read_bytes() == with_tail
    # When the next write comes, the cut-short bytes are kept beside the log, and the log ends whole again
    log.insert({"id": "job00003"})
    (aside,) = qhome.glob("runlog.jsonl.torn-*")
    assert aside.read_bytes() == torn
    assert log.file.read_bytes().startswith(with_tail[:-len(torn)]) and log.file.read_bytes().endswith(b"\n")
    assert sorted(r["id"] for r in RunLog(qhome).query()) == ["job00001", "job00003"]
    assert "moved to" in caplog.text


def test_damage_in_place_after_a_process_read_the_log_is_noticed_by_that_process(qhome):
    # Given a process that has read the log (a server, a kernel), and a valid but altered line in the middle
    log = RunLog(qhome)
    log.insert_many([{"id": f"job{i:05d}", "shots": 100} for i in range(3)])
    assert log.count() == 3
    data = log.file.read_bytes()
    altered = data.replace(b'"shots":100', b'"shots":999', 1)  # the same length: still valid JSON
    assert len(altered) == len(data)
    log.file.write_bytes(altered)
    # When it reads again, and when another process appends meanwhile
    # Then it refuses to go on, naming the file, and the bytes are left as they are
    with pytest.raises(RunLogCorrupt, match="changed after this process had read it"):
        log.count()
    with pytest.raises(RunLogCorrupt):
        log.insert({"id": "later001"})
    assert log.file.read_bytes() == altered


def test_damage_followed_by_appends_is_noticed_at_the_next_periodic_check(qhome, monkeypatch):
    from qhybrid_lab.runlog import storage

    monkeypatch.setattr(storage, "VERIFY_INTERVAL", 0.0)  # the check runs at most every 10 s; here at once
    log = RunLog(qhome)
    log.insert_many([{"id": f"job{i:05d}", "shots": 100} for i in range(3)])
    log.count()
    data = log.file.read_bytes()
    log.file.write_bytes(data.replace(b'"shots":100', b'"shots":999', 1))
    other = RunLog(qhome)  # another process keeps appending (it read the altered file: to it, it is valid)
    other.insert({"id": "job00099"})
    with pytest.raises(RunLogCorrupt, match=r"line 1 \(or a line up to 4\) changed after this process had read it"):
        log.count()


def test_a_truncated_file_is_reported(qhome):
    log = RunLog(qhome)
    log.insert_many([{"id": f"job{i:05d}"} for i in range(5)])
    data = log.file.read_bytes()
    with open(log.file, "r+b") as fh:  # truncated in place by something else
        fh.truncate(len(data) // 2)
    with pytest.raises(RunLogCorrupt, match="truncated"):
        log.count()


def test_moving_the_damaged_file_aside_starts_a_new_log(qhome):
    log, _ = _damage(qhome, "garbage")
    broken = log.file.read_bytes()
    log.file.rename(log.file.with_name("runlog.jsonl.broken"))
    fresh = RunLog(qhome)
    fresh.insert({"id": "newjob01"})
    assert fresh.count() == 1
    assert (qhome / "runlog.jsonl.broken").read_bytes() == broken
