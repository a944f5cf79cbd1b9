"""Writers killed with SIGKILL in the middle of a write or of a compaction, 20 times each: the log stays readable,
no confirmed write is lost, and killed compactions leave nothing behind once the housekeeping ran."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from qhybrid_lab.runlog import RunLog

ROOT = Path(__file__).resolve().parents[2]
KILLS = 20
MAX_KILLS = 200
"""Kills go on past KILLS until the condition a test is about has happened at least once (adaptive: any machine)."""

WRITER = textwrap.dedent("""
    import sys, uuid
    from qhybrid_lab.runlog import RunLog
    log, batch = RunLog(sys.argv[1]), int(sys.argv[2])
    while True:
        ids = [uuid.uuid4().hex for _ in range(batch)]
        log.insert_many([{"id": i, "payload": "x" * 3000} for i in ids])  # many pages: a kill can cut it short
        print(*ids, flush=True)  # confirmed: insert_many returned
""")

COMPACTOR = textwrap.dedent("""
    import sys
    from qhybrid_lab.runlog import RunLog
    log = RunLog(sys.argv[1])
    print("ready", flush=True)
    while True:
        for i in range(50):
            log.update(f"seed{i:04d}", {"shots": i})  # something to compact away
        log.compact()
""")


def start(script: str, home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", script, str(home), *args], env=env, stdout=subprocess.PIPE,
                            text=True)


def kill_soon(process: subprocess.Popen, rng: random.Random, first_line: bool = True) -> list[str]:
    """Wait for its first line, SIGKILL it a random moment later; every line it printed."""
    lines = [process.stdout.readline()] if first_line else []
    time.sleep(rng.uniform(0.0, 0.15))
    process.send_signal(signal.SIGKILL)
    process.wait()
    return lines + process.stdout.readlines()


def test_writers_killed_mid_write_lose_no_confirmed_write(qhome, figures):
    rng = random.Random(7)
    confirmed: set[str] = set()
    for _ in range(KILLS):
        # Given a writer appending batches of large records, killed at a random moment
        writer = start(WRITER, qhome, str(rng.choice([1, 7, 40, 120])))
        confirmed.update(i for line in kill_soon(writer, rng) for i in line.split())
        # Then a new process reads the log, and it holds every confirmed record
        ids = {r["id"] for r in RunLog(qhome).query(limit=None)}
        assert confirmed <= ids
    writer = start(WRITER, qhome, "1")  # the next writer moves a cut-short write aside before writing
    writer.stdout.readline()
    writer.kill()
    writer.wait()
    moved = list(qhome.glob("runlog.jsonl.torn-*"))
    # (a batch is one os.write, which SIGKILL does not cut on a local file system: torn tails are rare here, and
    # their recovery is tested by cutting a write on purpose, test_corrupt.py::test_a_write_cut_short...)
    figures(f"{KILLS} writers killed mid-write: {len(confirmed)} confirmed records, 0 lost; {len(moved)} kill(s) "
            "cut a write short (its bytes moved aside by the next writer)")


def test_compactions_killed_midway_leave_the_log_readable_and_no_leftovers(qhome, figures):
    rng = random.Random(11)
    log = RunLog(qhome)
    log.insert_many([{"id": f"seed{i:04d}", "payload": "y" * 2000} for i in range(3000)])
    before = {r["id"] for r in log.query(limit=None)}
    leftovers_seen = kills = 0
    while kills < KILLS or (leftovers_seen == 0 and kills < MAX_KILLS):
        # Given a process compacting a 6 MB log again and again, killed at a random moment
        compactor = start(COMPACTOR, qhome)
        kill_soon(compactor, rng)
        kills += 1
        leftovers_seen += len(list(qhome.glob(".runlog.jsonl.*.compact")))
        # Then the log is readable and holds every record
        assert {r["id"] for r in RunLog(qhome).query(limit=None)} == before
    assert leftovers_seen > 0, f"no kill of {kills} left a compaction half-written: nothing to clean up was tested"
    # and the housekeeping (or the next compaction) removes what the killed ones left
    RunLog(qhome).compact()
    assert list(qhome.glob(".runlog.jsonl.*")) == []
    figures(f"{kills} compactions killed: log readable every time, {len(before)} records intact, "
            f"{leftovers_seen} leftover(s) seen, 0 after the next compaction")
