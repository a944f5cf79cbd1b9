"""Several real processes write the run log at once while another reads it: nothing lost, duplicated or torn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qhybrid_lab.runlog import RunLog

WRITER = r"""
import os, sys, time
from pathlib import Path
from qhybrid_lab.runlog import open_runlog
home, n, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
while not (Path(home) / "go").exists():
    time.sleep(0.005)
log = open_runlog(home)
owner = f"{os.getpid()}@test"
def reader_saw(k):  # writer 0 waits for the reader to see k states in the middle of the writing, on any machine
    seen = Path(home) / "seen"
    while not seen.exists() or int(seen.read_text() or 0) < k:
        time.sleep(0.002)

for i in range(n):
    if w == 0 and i in (n // 4, n // 2, 3 * n // 4):
        reader_saw((n // 4, n // 2, 3 * n // 4).index(i) + 1)
    job = log.insert({"id": f"w{w}-{i:04d}-{os.urandom(4).hex()}", "origin": {"owner": owner},
                      "backend": {"name": ("aer", "fake_torino")[i % 2]}})
    log.update(job, {"timings": {"queue": 0.1}}, status="queued")
    log.update(job, {"timings": {"run": 0.2}}, status="running", note=f"writer {w}")
    log.update(job, {"result": {"counts": {"00": i}}}, status="done")
    if w == 0 and i == n // 2:
        log.compact()  # a compaction in the middle of everyone's writes
    if i % 25 == 0:
        log.heartbeat(owner, {"writer": w})
print("ok", flush=True)
"""

READER = r"""
import json, sys, time
from pathlib import Path
from qhybrid_lab.runlog import RunLog
home = sys.argv[1]
log = RunLog(home)
stats = {"reads": 0, "problems": [], "max_seen": 0, "while_writing": 0}
while not (Path(home) / "go").exists():
    time.sleep(0.005)
while True:
    finished = (Path(home) / "stop").exists()
    with log.transaction():
        total = log.count()
        latest = log.query(limit=50)
        active = log.active()
    if total < stats["max_seen"]:
        stats["problems"].append(f"count went down {stats['max_seen']} -> {total}")
    stats["max_seen"] = max(stats["max_seen"], total)
    for rec in latest + active:
        if rec["status_history"][-1]["status"] != rec["status"]:
            stats["problems"].append(f"{rec['id']}: status {rec['status']} but history {rec['status_history']}")
    stats["reads"] += 1
    if 0 < total < 400 or len(active) > 0:
        stats["while_writing"] += 1
        tmp = Path(home) / "seen.tmp"
        tmp.write_text(str(stats["while_writing"]))
        tmp.replace(Path(home) / "seen")
    if finished:
        break
print(json.dumps(stats), flush=True)
"""


@pytest.mark.slow
def test_four_writers_and_a_reader(qhome, tmp_path):
    n_writers, n_jobs = 4, 100
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(qhome), str(n_jobs), str(w)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for w in range(n_writers)]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(qhome)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(0.5)  # let the interpreters start, then release them all at once
    (qhome / "go").touch()
    for w in writers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0 and out.strip() == "ok", err
    (qhome / "stop").touch()
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    stats = json.loads(out)
    assert stats["problems"] == [] and stats["while_writing"] >= 3 and stats["max_seen"] == n_writers * n_jobs

    log = RunLog(qhome)
    records = log.query(limit=None)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == n_writers * n_jobs
    assert sorted({i.split("-")[0] for i in ids}) == [f"w{w}" for w in range(n_writers)]
    for rec in records:
        assert [h["status"] for h in rec["status_history"]] == ["pending", "queued", "running", "done"], rec
        assert rec["timings"] == {"queue": 0.1, "run": 0.2} and rec["status"] == "done"
    assert log.active() == [] and log.count(backend="aer") == n_writers * n_jobs // 2
    assert len(log.owners()) == n_writers
    # every line of the file is a complete JSON operation; compaction left its snapshot and no temporary file
    lines = log.file.read_text().splitlines()
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert sorted(p.name for p in qhome.iterdir()) == [".runlog.snapshot", "go", "runlog.jsonl", "runlog.lock", "seen",
                                                       "stop"]
