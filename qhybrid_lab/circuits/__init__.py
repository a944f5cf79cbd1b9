"""Canonical circuits: collect what a cell produced, hash it, measure it, sweep it, transpile it once per backend."""

from __future__ import annotations

from .canonical import circuit_hash, circuit_metrics, circuit_qasm
from .collect import as_circuits, ensure_measured, has_measurements
from .structure import Structure, structure_of
from .sweep import Sweep
from .transpile import TranspileOutcome, clear_transpile_cache, transpile_cache_info, transpile_for

__all__ = [
    "Structure",
    "Sweep",
    "TranspileOutcome",
    "as_circuits",
    "circuit_hash",
    "circuit_metrics",
    "circuit_qasm",
    "clear_transpile_cache",
    "ensure_measured",
    "has_measurements",
    "structure_of",
    "transpile_cache_info",
    "transpile_for",
]
