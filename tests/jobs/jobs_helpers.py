"""Helpers for the engine tests: GHZ circuits, the long emulator job, polling (a unique module name for imports)."""

from __future__ import annotations

import os
import shutil
import time


def ghz(n: int, name: str | None = None):
    """An n-qubit GHZ circuit without measurements (the engine adds them)."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=name or f"ghz{n}")
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    return circuit


LONG = {"backend": "fake_torino", "shots": 100_000}
"""A GHZ-12 with these settings runs for minutes on the device emulator (about 11 s per 4000 shots measured)."""


def long_circuit():
    return ghz(12, "long")


def wait_for(predicate, timeout: float = 30.0, step: float = 0.02) -> float:
    """Poll until ``predicate()`` is true; returns the seconds it took (AssertionError on timeout)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


def dropped_privileges() -> list[str]:
    """The command prefix that holds a process to file permissions (root ignores them otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test a read-only home as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]
