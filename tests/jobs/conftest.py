"""Engine test fixtures: circuits, the test backends (registered here and in the workers), a clean shutdown."""

from __future__ import annotations

import time
import uuid

import engine_backends  # noqa: F401  (registers flaky:, broken:, paid:)
import pytest

from qhybrid_lab.jobs import JobManager


@pytest.fixture(scope="session", autouse=True)
def _engine_shutdown():
    yield
    JobManager.shutdown()


def ghz(n: int, name: str | None = None):
    """An n-qubit GHZ circuit without measurements (the engine adds them)."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(n, name=name or f"ghz{n}")
    circuit.h(0)
    for i in range(n - 1):
        circuit.cx(i, i + 1)
    return circuit


@pytest.fixture
def bell():
    return ghz(2, "bell")


@pytest.fixture
def token() -> str:
    """A fresh token for the flaky:/broken: backends' attempt counters."""
    return uuid.uuid4().hex[:12]


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
