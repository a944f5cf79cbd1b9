"""A real mixed workload for the operations-metrics tests: done, failed, blocked, paid and fallback jobs on Aer.

Every record comes from the real engine (worker processes, budget guard, fallback chains); nothing is made up.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import engine_backends  # noqa: F401  (registers broken:, paid:, ... here and in the workers)
from jobs_helpers import ghz

EXPECTED = {
    # backend → (submissions, {status: n}, fell back, received a fallback)
    "aer": (5, {"done": 5}, 0, 2),
    "paid:1": (2, {"done": 1, "blocked": 1}, 1, 0),
    "broken": (1, {"failed": 1}, 1, 0),
}
"""What :func:`run_scenario` leaves in the run log, per backend (``broken`` is ``broken:<token>``)."""


@contextmanager
def qhybrid_home(home: Path):
    """Point ``QHYBRID_HOME`` at ``home`` for the block (restored after)."""
    before = os.environ.get("QHYBRID_HOME")
    os.environ["QHYBRID_HOME"] = str(home)
    try:
        yield home
    finally:
        if before is None:
            os.environ.pop("QHYBRID_HOME", None)
        else:
            os.environ["QHYBRID_HOME"] = before


def run_scenario(home: Path) -> dict[str, str]:
    """Run the workload into the run log at ``home``; returns the backend names used (``broken`` → its name).

    Three Bell circuits on aer (done); one on ``paid:1`` (1 cent a shot, done: $0.20 spent); one on
    ``paid:1`` over a $0.05 budget, blocked and falling back to aer; one on ``broken:<token>`` failing and falling
    back to aer.
    """
    from qhybrid_lab.jobs import JobManager, run
    from qhybrid_lab.runlog import open_runlog

    broken = f"broken:{uuid.uuid4().hex[:10]}"
    with qhybrid_home(home):
        try:
            bell = ghz(2, "bell")
            run(bell, "aer", shots=100, seed=1, wait=True)
            run(ghz(3, "ghz3"), "aer", shots=100, seed=2, wait=True)
            run(ghz(4, "ghz4"), "aer", shots=100, seed=3, wait=True)
            run(bell, "paid:1", shots=20, seed=4, wait=True)
            log = open_runlog()
            log.set_budget(limit=0.25, period="total")  # $0.20 spent: the next $0.20 job is refused
            run(bell, "paid:1", shots=20, seed=5, fallback=["aer"], wait=True)
            log.remove_budget(period="total")
            job = run(bell, broken, shots=32, seed=6, fallback=["aer"])[0]
            job.final().result(timeout=120)
        finally:
            JobManager.shutdown()
    return {"aer": "aer", "paid:1": "paid:1", "broken": broken}
