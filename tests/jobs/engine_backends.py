"""Real Backend subclasses for the engine tests, registered on import (worker processes import this module too).

Names carry their settings, because a worker process knows only the backend name:
``flaky:<failures>:<token>`` raises TransientBackendError the first <failures> times (counted across processes in a
file named after <token>), ``broken:<token>`` always raises BackendError, ``paid:<cents per shot>`` is ideal Aer
that costs money, ``cloud:<anything>`` is ideal Aer that the engine treats as a remote service.
"""

from __future__ import annotations

import fcntl
import tempfile
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
