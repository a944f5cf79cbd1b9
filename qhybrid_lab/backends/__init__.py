"""Provider abstraction: the backend contract, the registry, Aer simulators and device emulators.

Importing this package is cheap: Qiskit, Aer and qiskit-ibm-runtime are imported when a backend is used.
"""

from __future__ import annotations

from .base import Backend, BackendKind, ExecutionResult
from .registry import get_backend, list_backends, register_backend

__all__ = ["Backend", "BackendKind", "ExecutionResult", "get_backend", "list_backends", "register_backend"]
