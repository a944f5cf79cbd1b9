"""Helpers of the command-line tests: run ``qhybrid`` in a subprocess and read what it printed (a unique name)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JOBS_TESTS = ROOT / "tests" / "jobs"
if str(JOBS_TESTS) not in sys.path:  # engine_backends (busy:, broken:), jobs_helpers (ghz, wait_for)
    sys.path.insert(0, str(JOBS_TESTS))

ENTRY_POINT = Path(sys.executable).parent / "qhybrid"
"""The console script pip installed into this environment (``[project.scripts]``)."""


def kernel_env(home: Path) -> dict[str, str]:
    """The environment of a "kernel" subprocess: this home, the engine tests' backends importable."""
    return {**os.environ, "QHYBRID_HOME": str(home),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(JOBS_TESTS)])}


def dead_pid() -> int:
    """The pid of a process that has exited (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def qhybrid(*args: str, prefix: list[str] = (), env: dict | None = None, timeout: float = 120,
            command: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m qhybrid_lab.cli ARGS`` (or ``command``) as a subprocess, in this test's environment."""
    return subprocess.run([*prefix, *(command or [sys.executable, "-m", "qhybrid_lab.cli"]), *args],
                          env=env or dict(os.environ), capture_output=True, text=True, timeout=timeout)


def ok_json(done: subprocess.CompletedProcess) -> object:
    """The one JSON document a successful ``--json`` run printed (and nothing else on stdout)."""
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def failed(done: subprocess.CompletedProcess, code: int = 1) -> str:
    """The one-line error a failing run printed on stderr (its exit status checked, never a traceback)."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("qhybrid")]
    assert lines, done.stderr
    return lines[-1]
