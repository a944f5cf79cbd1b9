"""Content-addressed blobs, export to JSON and CSV, and the command line."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys

import pytest

from qhybrid_lab.errors import InvalidJobSpec, RunLogCorrupt, RunLogError
from qhybrid_lab.runlog import RunLog


def test_blobs_are_content_addressed_and_idempotent(log):
    qasm = "OPENQASM 3.0; qubit[2] q;" * 500
    ref = log.put_blob(qasm)
    digest = hashlib.sha256(qasm.encode()).hexdigest()
    assert ref == f"sha256:{digest}"
    path = log.directory / "blobs" / digest[:2] / digest
    assert path.read_bytes() == qasm.encode()
    mtime = path.stat().st_mtime_ns
    assert log.put_blob(qasm.encode()) == ref and path.stat().st_mtime_ns == mtime
    assert RunLog(log.directory).get_blob(ref) == qasm.encode()
    assert [p.name for p in path.parent.iterdir()] == [digest]  # nothing left aside


def test_bad_and_missing_and_damaged_blobs(log):
    with pytest.raises(InvalidJobSpec, match="not a blob reference"):
        log.get_blob("md5:abc")
    with pytest.raises(InvalidJobSpec):
        log.put_blob(123)
    with pytest.raises(RunLogError, match="missing"):
        log.get_blob("sha256:" + "0" * 64)
    ref = log.put_blob(b"calibration")
    digest = ref.split(":")[1]
    (log.directory / "blobs" / digest[:2] / digest).write_bytes(b"tampered")
    with pytest.raises(RunLogCorrupt, match="no longer matches"):
        log.get_blob(ref)


def test_export_json_and_csv(log, record_factory, tmp_path):
    recs = [record_factory(0, tags=["a", "b"], result={"counts": {"00": 3, "11": 1}}),
            record_factory(1, status="failed", error="boom, with a comma", backend={"name": "fake_torino"})]
    log.insert_many(recs)
    out = log.export(tmp_path / "out" / "runs.json")
    data = json.loads(out.read_text())
    assert [r["id"] for r in data] == [recs[1]["id"], recs[0]["id"]] and data[1]["tags"] == ["a", "b"]
    out = log.export(tmp_path / "runs.csv", "csv", backend="aer")
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == recs[0]["id"] and row["backend"] == "aer" and row["tags"] == "a;b"
    assert json.loads(row["counts"]) == {"00": 3, "11": 1} and row["shots"] == "1024" and row["error"] == ""
    all_rows = list(csv.DictReader(log.export(tmp_path / "all.csv", "csv").open(newline="")))
    assert all_rows[0]["error"] == "boom, with a comma" and all_rows[0]["status"] == "failed"
    with pytest.raises(InvalidJobSpec, match="one of json, csv, parquet"):
        log.export(tmp_path / "x.xml", "xml")


def test_the_old_command_line_says_where_each_command_went(log):
    # python -m qhybrid_lab.runlog was replaced by `qhybrid`; it names the new command and changes nothing
    before = log.file.read_bytes() if log.file.exists() else None
    done = subprocess.run([sys.executable, "-m", "qhybrid_lab.runlog", "--home", str(log.directory), "info"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "qhybrid doctor --json" in done.stderr and "qhybrid compact" not in done.stderr
    assert (log.file.read_bytes() if log.file.exists() else None) == before
