"""Canonical circuits: collect what a cell produced, hash it, measure it, sweep it, transpile it once per backend."""

from __future__ import annotations

from .canonical import canonical_form, circuit_hash, circuit_metrics
from .qpy_store import load_qpy, portable_qpy
from .serialize import circuit_qasm, circuit_qpy, qasm_or_reason
from .collect import as_circuits, ensure_measured, has_measurements
from .structure import Structure, structure_of
from .sweep import Sweep
from .transpile import TranspileOutcome, clear_transpile_cache, transpile_cache_info, transpile_for

__all__ = [
    "Structure",
    "Sweep",
    "TranspileOutcome",
    "as_circuits",
    "canonical_form",
    "circuit_hash",
    "circuit_metrics",
    "circuit_qasm",
    "circuit_qpy",
    "clear_transpile_cache",
    "ensure_measured",
    "has_measurements",
    "load_qpy",
    "portable_qpy",
    "qasm_or_reason",
    "structure_of",
    "transpile_cache_info",
    "transpile_for",
]
