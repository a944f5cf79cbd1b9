"""Run options: how a submission runs, as one frozen dataclass validated once where it is made."""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, replace
from collections.abc import Callable
from typing import Any

from ..errors import InvalidJobSpec

EXECUTORS = ("local", "dask")
"""Where local simulations run: the engine's worker processes, or chunks on a Dask cluster."""
TIMEOUT_ACTIONS = ("cancel", "keep")
"""What happens when a job outlives its ``timeout``: cancel it (at the provider too), or keep it running, marked."""
MODES = ("job", "batch", "session")
"""How a provider groups a submission's jobs (IBM Runtime job mode, ``Batch``, ``Session``)."""
CLASSICAL_PREFIX = "classical:"
"""Registry names of classical fallback functions start with this."""
MITIGATIONS = ("readout",)
"""Error mitigation methods a submission may ask for (recorded with what was applied)."""
MAX_TAGS = 32
MAX_TAG_LENGTH = 128


def _integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclass(frozen=True)
class RunOptions:
    """How every job of one submission runs. Validated on construction (``InvalidJobSpec`` says what is wrong).

    Example:
        >>> RunOptions(shots=2000, seed=7).shots
        2000
        >>> RunOptions(shots=0)
        Traceback (most recent call last):
        ...
        qhybrid_lab.errors.InvalidJobSpec: shots must be a positive integer, not 0
    """

    shots: int = 1024
    """Shots per circuit (per point for a sweep) and backend."""
    seed: int | None = None
    """Simulator and transpiler seed, for reproducible counts; None: random counts, fixed transpiler seed."""
    optimization_level: int = 2
    """Qiskit transpiler level, 0 to 3 (2: noise-aware layout)."""
    tags: tuple[str, ...] = ()
    """Labels stored on every record."""
    executor: str = "local"
    """``"local"`` (worker processes) or ``"dask"`` (a sweep's points in chunks on a Dask cluster)."""
    timeout: float | None = None
    """Seconds a job may take from submission to its end, queue included; None: no limit."""
    on_timeout: str = "cancel"
    """``"cancel"``: end the job (at the provider too) as failed; ``"keep"``: leave it running and mark the record."""
    mode: str = "job"
    """Provider grouping: ``"job"``, ``"batch"`` or ``"session"`` (IBM Runtime); local backends ignore it."""
    fallback: tuple[str | Callable[..., Any], ...] = ()
    """Backends to try, in order, when a job cannot run or finish on its own backend (see :mod:`.fallback`); a
    function ``solver(circuit, shots)`` is a classical last resort."""
    experiment: str | None = None
    """The experiment (a named group of runs) the jobs belong to."""
    mitigation: str | None = None
    """Error mitigation to apply (``"readout"``), or None."""

    def __post_init__(self) -> None:
        if not _integer(self.shots) or self.shots <= 0:
            raise InvalidJobSpec(f"shots must be a positive integer, not {self.shots!r}")
        if self.seed is not None and (not _integer(self.seed) or self.seed < 0):
            raise InvalidJobSpec(f"seed must be a non-negative integer or None, not {self.seed!r}")
        if not _integer(self.optimization_level) or not 0 <= self.optimization_level <= 3:
            raise InvalidJobSpec(f"optimization_level must be 0, 1, 2 or 3, not {self.optimization_level!r}")
        object.__setattr__(self, "tags", _tags(self.tags))
        if self.executor not in EXECUTORS:
            raise InvalidJobSpec(f"executor must be one of {', '.join(map(repr, EXECUTORS))}, not {self.executor!r}")
        if self.timeout is not None:
            if (
                isinstance(self.timeout, bool)
                or not isinstance(self.timeout, numbers.Real)
                or not math.isfinite(self.timeout)
                or self.timeout <= 0
            ):
                raise InvalidJobSpec(f"timeout must be a positive number of seconds or None, not {self.timeout!r}")
            object.__setattr__(self, "timeout", float(self.timeout))
        if self.on_timeout not in TIMEOUT_ACTIONS:
            raise InvalidJobSpec(f"on_timeout must be 'cancel' or 'keep', not {self.on_timeout!r}")
        if self.mode not in MODES:
            raise InvalidJobSpec(f"mode must be one of {', '.join(map(repr, MODES))}, not {self.mode!r}")
        object.__setattr__(self, "fallback", _chain(self.fallback))
        if self.experiment is not None and (
            not isinstance(self.experiment, str) or not self.experiment.strip() or len(self.experiment) > MAX_TAG_LENGTH
        ):
            raise InvalidJobSpec(
                f"experiment must be a non-empty name of at most {MAX_TAG_LENGTH} characters, not {self.experiment!r}"
            )
        if self.mitigation is not None and self.mitigation not in MITIGATIONS:
            raise InvalidJobSpec(
                f"mitigation must be one of {', '.join(map(repr, MITIGATIONS))} or None, not {self.mitigation!r}"
            )

    def with_(self, **changes: Any) -> RunOptions:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def as_record(self) -> dict[str, Any]:
        """The run record's ``options`` field (JSON)."""
        out = asdict(self)
        out["tags"], out["fallback"] = list(self.tags), [entry_name(e) for e in self.fallback]
        return out


def entry_name(entry: str | Callable[..., Any]) -> str:
    """The registry name of a chain entry: the backend name, or ``classical:<module>.<function>``."""
    if isinstance(entry, str):
        return entry
    if not callable(entry):
        raise InvalidJobSpec(f"a fallback is a backend name or a function solver(circuit, shots), not {entry!r}")
    return f"{CLASSICAL_PREFIX}{getattr(entry, '__module__', '?')}.{getattr(entry, '__qualname__', repr(entry))}"


def _tags(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = (tags,)
    try:
        items = tuple(tags or ())
    except TypeError:
        raise InvalidJobSpec(f"tags must be a string or a list of strings, not {tags!r}") from None
    if len(items) > MAX_TAGS or not all(isinstance(t, str) and t.strip() and len(t) <= MAX_TAG_LENGTH for t in items):
        raise InvalidJobSpec(
            f"tags must be at most {MAX_TAGS} non-empty strings of at most {MAX_TAG_LENGTH} characters, not {tags!r}"
        )
    return tuple(dict.fromkeys(items))


def _chain(entries: Any) -> tuple[str | Callable[..., Any], ...]:
    if isinstance(entries, str) or callable(entries):
        entries = (entries,)
    try:
        items = tuple(entries or ())
    except TypeError:
        raise InvalidJobSpec(
            f"fallback must be a backend name, a function or a list of them, not {entries!r}"
        ) from None
    if not all((isinstance(e, str) and e.strip()) or callable(e) for e in items):
        raise InvalidJobSpec(f"fallback must hold backend names or functions solver(circuit, shots), not {entries!r}")
    return tuple(dict.fromkeys(e.strip() if isinstance(e, str) else e for e in items))


def backend_names(backend: Any) -> list[str]:
    """One name or a list of names, without duplicates, order kept (InvalidJobSpec otherwise)."""
    names = [backend] if isinstance(backend, str) else list(backend) if isinstance(backend, (list, tuple)) else None
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidJobSpec(f"backend must be a backend name or a non-empty list of names, not {backend!r}")
    return list(dict.fromkeys(n.strip() for n in names))


__all__ = ["EXECUTORS", "MITIGATIONS", "MODES", "TIMEOUT_ACTIONS", "RunOptions", "backend_names"]
