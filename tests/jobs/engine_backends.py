"""Real Backend subclasses for the engine tests, registered on import (worker processes import this module too).

Names carry their settings, because a worker process knows only the backend name:
``flaky:<failures>:<token>`` raises TransientBackendError the first <failures> times (counted across processes in a
file named after <token>), ``broken:<token>`` always raises BackendError, ``paid:<cents per shot>`` is ideal Aer
that costs money, ``cloud:<anything>`` is ideal Aer that the engine treats as a remote service, and
``busy:<seconds>`` keeps its worker busy in Aer (which holds the GIL) for that many seconds of wall time, whatever
the machine's speed.
"""

from __future__ import annotations

import fcntl
import tempfile
import time
from pathlib import Path

from qhybrid_lab.backends import BackendKind, register_backend
from qhybrid_lab.backends.aer import AerBackend
from qhybrid_lab.costs import PriceModel
from qhybrid_lab.errors import BackendError, TransientBackendError


def attempts_file(token: str) -> Path:
    """Where ``flaky:``/``broken:`` backends count the executions of a token."""
    return Path(tempfile.gettempdir()) / f"qhybrid-engine-test-{token}.count"


def count_attempt(token: str) -> int:
    """Add one execution for ``token`` and return how many there were, this one included."""
    path = attempts_file(token)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        done = len(handle.read())
        handle.write("x")
    return done + 1


class FlakyAer(AerBackend):
    """Ideal Aer that fails transiently a given number of times first."""

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        _, failures, self.token = name.split(":")
        self.failures = int(failures)
        self.name = name

    def execute(self, circuits, *, shots, seed, parameter_binds=None):
        attempt = count_attempt(self.token)
        if attempt <= self.failures:
            raise TransientBackendError(f"simulated outage {attempt} of {self.failures}")
        return super().execute(circuits, shots=shots, seed=seed, parameter_binds=parameter_binds)


class BrokenAer(AerBackend):
    """Ideal Aer whose every execution fails permanently."""

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        self.token = name.split(":")[1]
        self.name = name

    def execute(self, circuits, *, shots, seed, parameter_binds=None):
        count_attempt(self.token)
        raise BackendError("the device is retired")


class PaidAer(AerBackend):
    """Ideal Aer priced like hardware: per shot."""

    kind = BackendKind.HARDWARE

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        self.cents = float(name.split(":")[1])
        self.name = name

    def price_model(self) -> PriceModel:
        return PriceModel(provider="test", device=self.name, per_shot=self.cents / 100, source="engine tests")


register_backend("flaky:", FlakyAer)
register_backend("broken:", BrokenAer)
register_backend("paid:", PaidAer)


class CloudAer(AerBackend):
    """Ideal Aer presented as a remote service (``is_local = False``): the engine runs it on a thread."""

    is_local = False

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        self.name = name


register_backend("cloud:", CloudAer)


def _load_circuit():
    """10 qubits with a mid-circuit measurement, so Aer simulates every shot (no measurement sampling)."""
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(10, 11)
    for layer in range(4):
        circuit.h(range(10))
        for q in range(layer % 2, 9, 2):
            circuit.cx(q, q + 1)
        if layer == 1:
            circuit.measure(0, 10)
    circuit.measure(range(10), range(10))
    return circuit


class BusyAer(AerBackend):
    """Ideal Aer that keeps its worker busy in Aer for ``<seconds>`` of wall time: a load of known duration.

    It runs a load circuit with doubling numbers of shots until the time is up, so the last Aer run alone takes
    about half of it (Aer holds the GIL for a whole run: a kernel running this on a thread would stall that
    long), on a fast machine and on a slow one alike. Then it runs the given circuits as ideal Aer does;
    ``seconds`` is the whole time and the metadata says how many load runs there were.
    """

    def __init__(self, name: str) -> None:
        super().__init__("aer")
        self.seconds = float(name.split(":")[1])
        self.name = name

    def execute(self, circuits, *, shots, seed, parameter_binds=None):
        started = time.monotonic()
        load, load_shots, repetitions = _load_circuit(), 64, 0
        while time.monotonic() - started < self.seconds:
            self.simulator().run(load, shots=load_shots, seed_simulator=1).result()
            load_shots, repetitions = load_shots * 2, repetitions + 1
        results = super().execute(circuits, shots=shots, seed=seed, parameter_binds=parameter_binds)
        elapsed = time.monotonic() - started
        for result in results:
            result.seconds = elapsed / len(results)
            result.metadata["load_runs"] = repetitions
        return results


register_backend("busy:", BusyAer)
