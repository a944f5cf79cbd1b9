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
    elif how == "torn-last-line":
        data = data[:-15]
        bad = 4
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


KINDS = ["garbage", "torn-json", "torn-last-line", "not-an-operation", "merge-into-nothing", "wrong-schema",
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
    if how == "torn-last-line":
        assert "incomplete" in message
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


def test_damage_appearing_later_is_caught_while_catching_up(qhome):
    log = RunLog(qhome)
    log.insert({"id": "job00001"})
    with open(log.file, "ab") as fh:
        fh.write(b'{"t":"runs","op":"put","id":"job00002","doc":{"id":"job0')  # another writer killed mid-line
    original = log.file.read_bytes()
    with pytest.raises(RunLogCorrupt, match=r"line 3 is incomplete"):
        log.count()
    with pytest.raises(RunLogCorrupt, match=r"line 3 "):
        log.update("job00001", {"shots": 1})
    assert log.file.read_bytes() == original


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
