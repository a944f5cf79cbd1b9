"""Transpile a circuit for a backend's target, once: a per-process cache keyed by content and options."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..backends import Backend, get_backend
from ..backends.trimming import active_qubits
from ..errors import InvalidJobSpec
from .canonical import circuit_hash, circuit_metrics

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

DEFAULT_OPTIMIZATION_LEVEL = 2
"""Measured on FakeSherbrooke: level 1's trivial layout gives P(GHZ-12) 0.016, levels 2/3 give 0.83."""
DEFAULT_SEED = 1234
"""Transpiler seed when none is given, so the same circuit always gets the same layout."""
CACHE_SIZE = 512


@dataclass
class TranspileOutcome:
    """A circuit transpiled for a backend, and how.

    Attributes:
        circuit: The transpiled circuit (shared with the cache: copy it before mutating it).
        metrics: :func:`circuit_metrics` of the transpiled circuit.
        settings: ``optimization_level``, ``layout_method``, ``routing_method``, ``seed``, ``qiskit_version``.
        cached: Whether it came from the cache (no transpilation this time).
        seconds: Time spent in this call.
        physical_qubits: The backend qubits the transpiled circuit uses.
    """

    circuit: QuantumCircuit
    metrics: dict[str, Any]
    settings: dict[str, Any]
    cached: bool
    seconds: float
    physical_qubits: list[int]

    def as_record(self) -> dict[str, Any]:
        """The run record's ``"transpile"`` field."""
        return {
            **self.settings,
            "cached": self.cached,
            "seconds": round(self.seconds, 6),
            **{k: self.metrics[k] for k in ("depth", "size", "two_qubit", "ops")},
            "physical_qubits": list(self.physical_qubits),
        }


_cache: OrderedDict[tuple, TranspileOutcome] = OrderedDict()
_pass_managers: dict[tuple, Any] = {}
_stats = {"hits": 0, "misses": 0}
_lock = threading.RLock()


def _pass_manager(backend: Backend, optimization_level: int, seed: int):
    key = (backend.name, backend.version, optimization_level, seed)
    with _lock:
        manager = _pass_managers.get(key)
        if manager is None:
            from qiskit.transpiler import generate_preset_pass_manager

            manager = generate_preset_pass_manager(
                optimization_level=optimization_level, target=backend.target(), seed_transpiler=seed
            )
            _pass_managers[key] = manager
        return manager


def transpile_for(
    circuit: QuantumCircuit,
    backend: Backend | str,
    *,
    optimization_level: int = DEFAULT_OPTIMIZATION_LEVEL,
    seed: int | None = None,
) -> TranspileOutcome:
    """Transpile ``circuit`` for ``backend.target()``, or return the cached result.

    The cache is keyed by (circuit hash, backend name and version, optimization level, seed), so a
    resubmitted circuit (even a separately built equal one) is not transpiled again.

    Args:
        circuit: The circuit to run (already measured).
        backend: A :class:`~qhybrid_lab.backends.Backend` or its registry name.
        optimization_level: 0–3 (default 2: noise-aware layout).
        seed: Transpiler seed; ``None`` uses a fixed default so layouts are reproducible.

    Raises:
        InvalidJobSpec: Bad optimization level or seed.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> bell = QuantumCircuit(2); _ = bell.h(0), bell.cx(0, 1), bell.measure_all()
        >>> transpile_for(bell, "aer").metrics["two_qubit"]
        1
    """
    if isinstance(optimization_level, bool) or optimization_level not in (0, 1, 2, 3):
        raise InvalidJobSpec(f"optimization_level must be 0, 1, 2 or 3, got {optimization_level!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidJobSpec(f"seed must be an integer or None, got {seed!r}")
    started = time.perf_counter()
    backend = get_backend(backend) if isinstance(backend, str) else backend
    effective_seed = DEFAULT_SEED if seed is None else seed
    key = (circuit_hash(circuit), backend.name, backend.version, optimization_level, effective_seed)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            _stats["hits"] += 1
    if hit is not None:
        transpiled = hit.circuit if hit.circuit.name == circuit.name else hit.circuit.copy(name=circuit.name)
        return TranspileOutcome(
            transpiled, dict(hit.metrics), dict(hit.settings), True,
            time.perf_counter() - started, list(hit.physical_qubits),
        )
    import qiskit

    transpiled = _pass_manager(backend, optimization_level, effective_seed).run(circuit)
    transpiled.name = circuit.name
    outcome = TranspileOutcome(
        circuit=transpiled,
        metrics=circuit_metrics(transpiled),
        settings={
            "optimization_level": optimization_level,
            "layout_method": None,
            "routing_method": None,
            "seed": effective_seed,
            "qiskit_version": qiskit.__version__,
        },
        cached=False,
        seconds=time.perf_counter() - started,
        physical_qubits=active_qubits(transpiled),
    )
    with _lock:
        _stats["misses"] += 1
        _cache[key] = outcome
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return outcome


def transpile_cache_info() -> dict[str, int]:
    """``{"hits", "misses", "size"}`` of this process's transpile cache."""
    with _lock:
        return {"hits": _stats["hits"], "misses": _stats["misses"], "size": len(_cache)}


def clear_transpile_cache() -> None:
    """Forget every cached transpilation and pass manager (and reset the counters)."""
    with _lock:
        _cache.clear()
        _pass_managers.clear()
        _stats.update(hits=0, misses=0)
