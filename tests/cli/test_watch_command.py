"""``qhybrid watch``: one frame with ``--once`` (text or JSON), frames redrawn on a terminal until Ctrl-C (exit 0)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys

from cli_helpers import ok_json, qhybrid
from jobs_helpers import wait_for

from qhybrid_lab.cli.watch import CLEAR


def test_watch_once_prints_one_frame(home):
    qhome, ids = home
    done = qhybrid("watch", "--once", "-n", "3")
    assert done.returncode == 0 and CLEAR not in done.stdout  # not a terminal: no screen clearing
    lines = done.stdout.splitlines()
    assert lines[0].startswith("qhybrid watch") and str(qhome) in lines[0]
    # the released provider job is still queued; the dead kernel's running job was settled as interrupted
    assert lines[1].startswith("active: 1 (0 pending, 1 queued, 0 running); engines alive: ")
    assert lines[2] == "3 of 9 job(s), newest first" and lines[3].split()[:3] == ["job", "circuit", "backend"]
    frame = ok_json(qhybrid("watch", "--once", "--json", "-s", "done"))
    assert frame["home"] == str(qhome) and frame["active"] == {"pending": 0, "queued": 1, "running": 0}
    assert {j["id"] for j in frame["jobs"]} >= {ids["aer"], ids["emulator"], ids["sweep"]}
    assert all(j["status"] == "done" and "counts" not in (j["result"] or {}) for j in frame["jobs"])
    assert len(qhybrid("watch", "--once", "--json").stdout.splitlines()) == 1  # JSON Lines: one frame, one line


def test_watch_redraws_on_a_terminal_until_ctrl_c_and_exits_0(home):
    # Given watch running on a pseudo-terminal, redrawing every 0.2 s
    qhome, ids = home
    main, child = pty.openpty()
    watcher = subprocess.Popen([sys.executable, "-m", "qhybrid_lab.cli", "watch", "--interval", "0.2"],
                               stdin=child, stdout=child, stderr=child, env=dict(os.environ))
    os.close(child)
    seen = bytearray()

    def read_some() -> bool:
        """Read what arrived (waiting up to 0.5 s); False once the terminal has nothing more to give."""
        if not select.select([main], [], [], 0.5)[0]:
            return False
        try:
            data = os.read(main, 65536)
        except OSError:  # the other end closed
            return False
        seen.extend(data)
        return bool(data)

    try:
        # Then frames follow one another, each clearing the screen first and showing the jobs
        wait_for(lambda: read_some() and seen.count(CLEAR.encode()) >= 3, timeout=60, step=0)
        assert ids["aer"][:8].encode() in seen and b"engines alive" in seen
        # When Ctrl-C is pressed, Then it stops with exit status 0 and no traceback
        watcher.send_signal(signal.SIGINT)
        # keep reading while it stops: a full terminal buffer would block its last writes (and it) forever
        def exited() -> bool:
            read_some()
            return watcher.poll() is not None

        wait_for(exited, timeout=60, step=0)
        status = watcher.returncode
        while read_some():  # the rest of what it wrote
            pass
        assert status == 0 and b"Traceback" not in seen
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
        os.close(main)


def test_watch_rejects_a_bad_interval():
    done = qhybrid("watch", "--interval", "0")
    assert done.returncode == 2 and "must be a positive number of seconds" in done.stderr
