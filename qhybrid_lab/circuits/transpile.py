"""Transpile a circuit for a backend's target, once: per-process caches keyed by structure or content and options.

Circuits that differ only in the angles of rotation and phase gates (an optimizer loop binding new values each
iteration) share one transpiled template with placeholder parameters (:mod:`qhybrid_lab.circuits.structure`);
each new circuit is the template with its angles bound. Other circuits are cached by content hash.
"""

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
from .pickling import register as register_pickling
from .structure import Structure, structure_of

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
        reuse: How a cached result was reused: ``"exact"`` (same content), ``"structure"`` (a transpiled template
            with this circuit's angles bound), or ``None`` (transpiled now).
    """

    circuit: QuantumCircuit
    metrics: dict[str, Any]
    settings: dict[str, Any]
    cached: bool
    seconds: float
    physical_qubits: list[int]
    reuse: str | None = None

    def as_record(self) -> dict[str, Any]:
        """The run record's ``"transpile"`` field."""
        return {
            **self.settings,
            "cached": self.cached,
            "reuse": self.reuse,
            "seconds": round(self.seconds, 6),
            **{k: self.metrics[k] for k in ("depth", "size", "two_qubit", "ops")},
            "physical_qubits": list(self.physical_qubits),
        }


_cache: OrderedDict[tuple, Any] = OrderedDict()
"""Exact entries (TranspileOutcome) and structure templates (_Template), least recently used first."""
_seen: OrderedDict[tuple, bool] = OrderedDict()
"""Structures transpiled once exactly: the next circuit of one of them (other angles) makes its template."""
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

    Circuits without free parameters whose instructions are all standard (:func:`structure_of`) are cached by
    structure: the first one of a structure is transpiled as a template with its angles symbolic, and every
    circuit of that structure (the same one resubmitted, or a loop's next iteration with new angles) is the
    transpiled template with its own angles bound. Other circuits (free parameters, as in sweeps; custom
    instructions; targets with angle bounds) are cached by circuit hash. Both keys include the backend name and
    version, the optimization level and the seed.

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
    register_pickling()  # the transpiled circuit goes to a worker process next
    if isinstance(optimization_level, bool) or optimization_level not in (0, 1, 2, 3):
        raise InvalidJobSpec(f"optimization_level must be 0, 1, 2 or 3, got {optimization_level!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InvalidJobSpec(f"seed must be an integer or None, got {seed!r}")
    started = time.perf_counter()
    backend = get_backend(backend) if isinstance(backend, str) else backend
    effective_seed = DEFAULT_SEED if seed is None else seed
    options = (backend.name, backend.version, optimization_level, effective_seed)
    structure = structure_of(circuit) if _structure_reuse_valid(backend) else None
    if structure is not None:
        return _transpile_structure(circuit, structure, backend, options, started)
    key = ("exact", circuit_hash(circuit), *options)
    hit = _lookup(key)
    if hit is not None:
        return _reused(hit, circuit, started)
    outcome = _transpile(circuit, backend, optimization_level, effective_seed, started)
    _store(key, outcome)
    return outcome


def _structure_reuse_valid(backend: Backend) -> bool:
    """Whether a template transpiled with symbolic angles is valid for every value on this backend's target.

    Targets with angle bounds (fractional gates accepting only some angles) need the numeric angles.
    """
    has_bounds = getattr(backend.target(), "has_angle_bounds", None)
    return not (has_bounds is not None and has_bounds())


def _transpile_structure(
    circuit: QuantumCircuit, structure: Structure, backend: Backend, options: tuple, started: float
) -> TranspileOutcome:
    """The exact entry of these angles, else the structure's template with these angles bound.

    The first circuit of a structure is transpiled as it is (numeric angles let the transpiler simplify: measured
    QFT-5 on fake_manila, 30 two-qubit gates against 38 for the symbolic template), so a one-off circuit loses
    nothing. A second circuit of that structure with other angles (a loop) transpiles the symbolic template once;
    every later one only binds its angles into it.
    """
    exact_key = ("exact", structure.key, structure.values, *options)
    hit = _lookup(exact_key)
    if hit is not None:
        return _reused(hit, circuit, started)
    template_key = ("structure", structure.key, *options)
    template = _lookup(template_key)
    reused = template is not None
    if template is None:
        with _lock:
            seen = template_key in _seen
            _seen[template_key] = True
            while len(_seen) > CACHE_SIZE:
                _seen.popitem(last=False)
        if not seen:
            outcome = _transpile(circuit, backend, options[2], options[3], started)
            _store(exact_key, outcome)
            return outcome
        template = _Template.of(_transpile(structure.template(circuit), backend, options[2], options[3], started))
        _store(template_key, template)
    return template.bind(structure, circuit.name, started, reused)


@dataclass
class _Template:
    """A transpiled template: the circuit without its global phase (bound apart: binding a long phase expression
    one parameter at a time took 60 ms on a 127-qubit device), and the phase expression."""

    outcome: TranspileOutcome
    phase: Any

    @classmethod
    def of(cls, outcome: TranspileOutcome) -> _Template:
        phase = outcome.circuit.global_phase
        circuit = outcome.circuit.copy()
        circuit.global_phase = 0
        return cls(
            TranspileOutcome(
                circuit, outcome.metrics, outcome.settings, False, outcome.seconds, outcome.physical_qubits
            ),
            phase,
        )

    def bind(self, structure: Structure, name: str, started: float, reused: bool) -> TranspileOutcome:
        from qiskit.circuit import ParameterExpression

        template = self.outcome
        values = structure.bindings()
        bound = template.circuit.assign_parameters(values, inplace=False, strict=False)
        phase = self.phase
        if isinstance(phase, ParameterExpression):
            phase = phase.bind({p: values[p] for p in phase.parameters}).numeric()
        bound.global_phase = phase
        bound.name = name
        return TranspileOutcome(
            bound,
            dict(template.metrics),
            dict(template.settings),
            reused,
            time.perf_counter() - started,
            list(template.physical_qubits),
            reuse="structure" if reused else None,
        )


def _reused(hit: TranspileOutcome, circuit: QuantumCircuit, started: float) -> TranspileOutcome:
    transpiled = hit.circuit if hit.circuit.name == circuit.name else hit.circuit.copy(name=circuit.name)
    return TranspileOutcome(
        transpiled,
        dict(hit.metrics),
        dict(hit.settings),
        True,
        time.perf_counter() - started,
        list(hit.physical_qubits),
        reuse="exact",
    )


def _lookup(key: tuple) -> Any:
    with _lock:
        hit = _cache.get(key)
        if hit is None:
            return None
        _cache.move_to_end(key)
        _stats["hits"] += 1
    return hit


def _store(key: tuple, outcome: Any) -> None:
    with _lock:
        _stats["misses"] += 1
        _cache[key] = outcome
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _transpile(
    circuit: QuantumCircuit, backend: Backend, optimization_level: int, seed: int, started: float
) -> TranspileOutcome:
    import qiskit

    transpiled = _pass_manager(backend, optimization_level, seed).run(circuit)
    transpiled.name = circuit.name
    return TranspileOutcome(
        circuit=transpiled,
        metrics=circuit_metrics(transpiled),
        settings={
            "optimization_level": optimization_level,
            "layout_method": None,
            "routing_method": None,
            "seed": seed,
            "qiskit_version": qiskit.__version__,
        },
        cached=False,
        seconds=time.perf_counter() - started,
        physical_qubits=active_qubits(transpiled),
    )


def transpile_cache_info() -> dict[str, int]:
    """``{"hits", "misses", "size"}`` of this process's transpile cache."""
    with _lock:
        return {"hits": _stats["hits"], "misses": _stats["misses"], "size": len(_cache)}


def clear_transpile_cache() -> None:
    """Forget every cached transpilation and pass manager (and reset the counters)."""
    with _lock:
        _cache.clear()
        _seen.clear()
        _pass_managers.clear()
        _stats.update(hits=0, misses=0)
