"""P10: a new kernel's first result: ``%load_ext`` then ``%%qrun --wait`` of a Bell circuit, in a fresh interpreter,
against the same first result written in plain Qiskit (import, transpile for ``AerSimulator``, run)."""

from __future__ import annotations

import json
import subprocess
import sys

from .harness import Figure

BELL = "from qiskit import QuantumCircuit\nbell = QuantumCircuit(2)\nbell.h(0)\nbell.cx(0, 1)\nbell.measure_all()\n"

OURS = """
import json, os, sys, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
t0 = time.perf_counter()
shell.run_line_magic("load_ext", "qhybrid_lab")
loaded = time.perf_counter()
shell.run_cell(BELL)
shell.run_cell_magic("qrun", "--backend aer --shots 1024 --wait", "bell")
first = time.perf_counter()
shell.run_cell_magic("qrun", "--backend fake_torino --shots 1024 --wait", "bell")
emulated = time.perf_counter()
done = [r["status"] for r in __import__("qhybrid_lab.runlog", fromlist=["x"]).open_runlog().query(limit=2)]
print(json.dumps({"load": loaded - t0, "first": first - t0, "emulator": emulated - first, "statuses": done}))
sys.stdout.flush()
os._exit(0)
"""

PLAIN = """
import json, os, sys, time
t0 = time.perf_counter()
exec(BELL)
from qiskit import transpile
from qiskit_aer import AerSimulator
simulator = AerSimulator()
counts = simulator.run(transpile(bell, simulator), shots=1024).result().get_counts()
print(json.dumps({"first": time.perf_counter() - t0}))
sys.stdout.flush()
os._exit(0)
"""


def _run(script: str, home: str) -> dict:
    import os

    env = {**os.environ, "QHYBRID_HOME": home}
    out = subprocess.run(
        [sys.executable, "-c", f"BELL = {BELL!r}\n{script}"], capture_output=True, text=True, env=env, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold-start run failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def p10_cold_start(repeats: int = 5) -> list[Figure]:
    """Alternating pairs of fresh interpreters: the qhybrid kernel's first results vs plain Qiskit's."""
    import tempfile

    ours: list[dict] = []
    plain: list[float] = []
    for i in range(repeats):
        home = tempfile.mkdtemp(prefix="qhybrid-bench-cold-")  # a new run log each time, as a new user has
        if i % 2 == 0:
            ours.append(_run(OURS, home))
            plain.append(_run(PLAIN, home)["first"])
        else:
            plain.append(_run(PLAIN, home)["first"])
            ours.append(_run(OURS, home))
    statuses = sorted({s for o in ours for s in o["statuses"]})
    return [
        Figure(
            "P10",
            "a new kernel's first result: %load_ext + %%qrun --wait Bell on aer vs plain Qiskit (import, "
            "transpile for AerSimulator, run), fresh interpreters",
            [o["first"] for o in ours],
            plain,
            "<= 1.0",
            note=f"{repeats} alternating pairs; job statuses seen: {', '.join(statuses)}",
        ),
        Figure(
            "P10e",
            "then the first fake_torino result (after the aer one)",
            [o["emulator"] for o in ours],
            plain,
            "p50 <= 800 ms",
            limit=0.8,
            limit_stat="p50",
        ),
        Figure(
            "P10l",
            "%load_ext qhybrid_lab in a fresh kernel",
            [o["load"] for o in ours],
            plain,
            "p50 <= 50 ms",
            limit=0.05,
            limit_stat="p50",
        ),
    ]
